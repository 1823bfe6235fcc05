"""``results.jsonl``: the per-question records of a run, appended as they come.

An interrupted run leaves its last line cut; ``prepare_out`` drops it and refuses a folder
that holds the results of another run, so a resumed run skips the questions already there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sparqlqa.errors import ConfigError
from sparqlqa.eval.config import _RESUME_KEYS, EvalConfig
from sparqlqa.jsonl import read_jsonl

RESULTS = "results.jsonl"


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """Per-question records of earlier runs by id (the last one wins; a last line cut by an
    interrupted run is left out)."""
    out: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return out
    for _, record in read_jsonl(path, cut_end=True):  # an interrupted run cuts its last line
        if "id" in record:
            out[str(record["id"])] = record
    return out


def prepare_out(config: EvalConfig) -> None:
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    results = out / RESULTS
    saved = out / "config.json"
    if config.overwrite:
        results.unlink(missing_ok=True)
    elif results.is_file() and saved.is_file():
        before = json.loads(saved.read_text())
        now = config.to_json()
        changed = [k for k in _RESUME_KEYS if before.get(k) != now.get(k)]
        if changed:
            raise ConfigError(
                f"{out} holds results of another run (different {', '.join(changed)}); "
                "pick another --out or pass --overwrite"
            )
    elif results.is_file():
        raise ConfigError(f"{out} holds results of an unknown run; pass --overwrite")
    if results.is_file():
        _drop_cut_line(results)
    saved.write_text(json.dumps(config.to_json(), indent=2) + "\n")


def _drop_cut_line(path: Path) -> None:
    """Remove a last line left without its newline by an interrupted run."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])
