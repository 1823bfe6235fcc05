"""Benchmark data and its scores, below every part that learns or measures.

- ``datasets``: readers of question sets (TEXT2SPARQL, QALD, LC-QuAD, NSPM, JSONL pairs).
- ``metrics``: answer-set precision/recall/F1, BLEU and the official TEXT2SPARQL scores.
- ``canonical``: canonical forms of queries (exact match, NSPM encoding).

The ontology's retriever tuning, the translator's training check and ``eval`` all read
questions and score answers through these modules.
"""
