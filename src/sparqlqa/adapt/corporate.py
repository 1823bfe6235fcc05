"""The bundled corporate graph's preset: what ``sparqlqa serve --prepare`` builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sparqlqa.adapt.args import AdaptArgs, Log, default_log
from sparqlqa.adapt.run import adapt, is_complete
from sparqlqa.bundled import (
    CORPORATE_DATASETS,
    CORPORATE_INSTANCES,
    CORPORATE_NAME,
    CORPORATE_TEMPLATE_SET,
    CORPORATE_TITLE,
    CORPORATE_VOCABULARY,
)
from sparqlqa.quiet import LOG_FILE, library_log


def corporate_args(folder: Path, **overrides: Any) -> AdaptArgs:
    """The bundled corporate graph (TEXT2SPARQL'25) with its vocabulary and hand-written
    templates, for ``sparqlqa serve --prepare``: about 20 minutes on 2 CPU cores."""
    settings: dict[str, Any] = {
        "files": [CORPORATE_INSTANCES],
        "ontology": [CORPORATE_VOCABULARY],
        "name": CORPORATE_NAME,
        "title": CORPORATE_TITLE,
        "datasets": list(CORPORATE_DATASETS),
        "sets": [CORPORATE_TEMPLATE_SET],
        "output": folder,
        # 500 steps take about 10 minutes on an idle 2-core machine; a busy one takes longer
        # but trains the same model (the minutes only cap a very slow machine).
        "train_steps": 500,
        "train_minutes": 30.0,
        "max_pairs": 8_000,
        "eval_questions": 100,
    }
    settings.update(overrides)
    return AdaptArgs(**settings)


def prepare(folder: Path, *, log: Log = default_log, **overrides: Any) -> bool:
    """Make the default corporate graph folder if it is missing or incomplete (resuming an
    interrupted preparation); True when something was done."""
    if is_complete(folder):
        return False
    log(
        f"preparing the default graph in {folder} (first start: about 20 minutes on 2 CPU "
        "cores; an interrupted preparation resumes)"
    )
    with library_log(folder / LOG_FILE):  # library warnings: to the folder's log
        adapt(corporate_args(folder, **overrides), log=log)
    return True
