"""Synthetic question/query datasets: template formats (NSpM CSV, native YAML, derived from a
schema), instantiation against a store with gold answers, entity-disjoint splits, writers.
Entry point: ``templates.generate.run`` (``sparqlqa generate``); see docs/templates.md."""
