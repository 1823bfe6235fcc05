"""Evaluation harness: dataset readers, metrics, systems under test, the runner, reports."""
