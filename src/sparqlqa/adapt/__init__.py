"""``sparqlqa adapt``: one command from an RDF graph (files or an endpoint) to a graph folder
that ``sparqlqa serve`` answers questions on.

Stages, in order; each one writes its outputs into the graph folder and is then recorded as
finished in ``adapt.json``, so a re-run resumes after the last finished stage (and the
generate, train and evaluate stages resume inside themselves)::

    store     embedded store from the RDF files (or a reachability check of the endpoint)
    schema    schema.json: the ontology's declarations, else inferred from the data
    index     the schema retriever's embeddings (index/) and a check of the label index
    generate  pairs/: hand-written templates (if any) plus schema-derived ones, instantiated
    train     model/: the translator, trained for a wall-clock budget (train/ keeps its log)
    rank      ranker/: the candidate ranker, trained on the pairs for --ranker-steps steps
              (0: none); ``sparqlqa rank train`` adds one to a finished folder
    evaluate  eval/ (per question) and report.json, report.md: the whole pipeline on the
              generated test split, answer F1 and exact match overall and per question shape
    graph     graph.json: the folder is complete and can be served

The inputs that make the folder (files and their hashes, ontology, endpoint, templates, model
preset, seed, pair cap) are recorded; a re-run with other inputs is refused (``--force``
starts again from scratch). Budgets (training minutes, questions evaluated, threads) and the
graph's name and dataset ids may change between runs: they apply to the stages still to run,
and ``graph.json`` is written again at the end of every run.

The package: ``args`` (what a run needs), ``state`` (``adapt.json``, the inputs' check),
``stages`` and ``learn`` (each stage one ``Stage`` object), ``rank`` (the ranker's training
and its threshold curve, ``sparqlqa rank``), ``report`` (``report.json`` and
``report.md``), ``run`` (the stage loop), ``corporate`` (the bundled graph's preset) and
``cli`` (the ``adapt`` and ``serve`` commands).
"""

from __future__ import annotations

from sparqlqa.adapt.args import AdaptArgs
from sparqlqa.adapt.corporate import corporate_args, prepare
from sparqlqa.adapt.report import AdaptReport
from sparqlqa.adapt.run import STAGES, AdaptResult, adapt, is_complete

__all__ = [
    "STAGES",
    "AdaptArgs",
    "AdaptReport",
    "AdaptResult",
    "adapt",
    "corporate_args",
    "is_complete",
    "prepare",
]
