"""The question-answering core: link, retrieve, propose (and translate), guard, run, answer.

Shared by the service (HTTP) and the evaluation harness, so what is measured is what users get.
"""
