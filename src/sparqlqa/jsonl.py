"""The one reader of JSON Lines files (datasets, generated pairs, predictions, results).

Blank lines are skipped. A line that is not a JSON object is an error naming the file and
the line, with one exception a caller asks for: the last line of a file that an interrupted
run was appending to (``cut_end``), which is left out (the run redoes it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sparqlqa.errors import DatasetError, SparqlqaError


def _parse(path: Path, number: int, line: str, error: type[SparqlqaError]) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise error(f"{path}:{number}: not valid JSON (column {exc.colno}: {exc.msg})") from exc
    if not isinstance(record, dict):
        raise error(f"{path}:{number}: not a JSON object")
    return record


def read_jsonl(
    path: Path, *, error: type[SparqlqaError] = DatasetError, cut_end: bool = False
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records of ``path`` with their line numbers (see the module docstring): a bad
    line raises ``error``; with ``cut_end`` a bad last line is left out instead."""
    with Path(path).open(encoding="utf-8") as fh:
        held: tuple[int, str] | None = None
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            if held is not None:
                yield held[0], _parse(path, *held, error)
            held = (number, line)
        if held is None:
            return
        try:
            last = _parse(path, *held, error)
        except SparqlqaError:
            if cut_end:
                return
            raise
        yield held[0], last


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Write ``records`` to ``path``, one JSON object a line, atomically: a crash leaves the
    old file (or none), never half a new one."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
