"""Writing pairs: an append-only JSONL file with a progress log, and the final exports.

A run folder holds::

    pairs.jsonl      every pair, appended one template at a time (the source of truth)
    progress.jsonl   one line per finished template: its id, pairs written, and the size
                     of pairs.jsonl after them (so a crash mid-template is cut off on resume)
    problems.jsonl   templates that could not be used, with the reason (file and line)
    train.jsonl, dev.jsonl, test.jsonl   the pairs per split (written at the end)
    data.en, data.sparql                 NSpM-compatible: one question / query per line
    config.json      the resolved configuration of the run
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparqlqa.jsonl import read_jsonl
from sparqlqa.templates.model import Pair

PAIRS = "pairs.jsonl"
PROGRESS = "progress.jsonl"
PROBLEMS = "problems.jsonl"
SPLITS = ("train", "dev", "test")


@dataclass
class RunLog:
    """The append-only files of one run folder, with crash-safe resume."""

    folder: Path
    #: fsync after each template: survives a machine crash, not only a process crash.
    durable: bool = False

    @property
    def pairs_path(self) -> Path:
        return self.folder / PAIRS

    def finished(self) -> dict[str, dict[str, Any]]:
        """Templates already finished (id → progress record), after cutting ``pairs.jsonl``
        back to the end of the last finished template (a half-written template is redone)."""
        done: dict[str, dict[str, Any]] = {}
        offset = 0
        path = self.folder / PROGRESS
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        break  # a torn last line: that template is redone
                    done[record["template_id"]] = record
                    offset = max(offset, int(record["offset"]))
            self._rewrite(path, [json.dumps(r) for r in done.values()])
        if self.pairs_path.exists() and self.pairs_path.stat().st_size > offset:
            with self.pairs_path.open("r+b") as fh:
                fh.truncate(offset)
        return done

    def append(
        self,
        template_id: str,
        pairs: list[Pair],
        status: str = "done",
        stats: dict[str, int] | None = None,
    ) -> None:
        """Append a finished template's pairs, then record it as finished (in that order:
        a crash between the two leaves pairs that the next resume cuts off)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.pairs_path.open("a", encoding="utf-8") as fh:
            for pair in pairs:
                fh.write(json.dumps(pair.to_json(), ensure_ascii=False) + "\n")
            fh.flush()
            if self.durable:
                os.fsync(fh.fileno())
            offset = fh.tell()
        record = {
            "template_id": template_id,
            "pairs": len(pairs),
            "offset": offset,
            "status": status,
            "stats": stats or {},
        }
        with (self.folder / PROGRESS).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            if self.durable:
                os.fsync(fh.fileno())

    def problem(self, template_id: str, where: str, message: str) -> None:
        with (self.folder / PROBLEMS).open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {"template_id": template_id, "where": where, "message": message},
                    ensure_ascii=False,
                )
                + "\n"
            )

    def pairs(self) -> Iterator[Pair]:
        yield from read_pairs(self.pairs_path)

    @staticmethod
    def _rewrite(path: Path, lines: list[str]) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        tmp.replace(path)


def read_pairs(path: Path) -> Iterator[Pair]:
    """The pairs of a JSONL file."""
    if not path.exists():
        return
    for _, record in read_jsonl(path):
        yield Pair.from_json(record)


def write_exports(folder: Path, pairs: Iterable[Pair]) -> dict[str, int]:
    """Per-split JSONL files and NSpM's ``data.en`` / ``data.sparql``; returns split sizes."""
    counts = dict.fromkeys(SPLITS, 0)
    handles = {s: (folder / f"{s}.jsonl").open("w", encoding="utf-8") for s in SPLITS}
    try:
        with (
            (folder / "data.en").open("w", encoding="utf-8") as en,
            (folder / "data.sparql").open("w", encoding="utf-8") as sparql,
        ):
            for pair in pairs:
                handles[pair.split].write(json.dumps(pair.to_json(), ensure_ascii=False) + "\n")
                counts[pair.split] += 1
                en.write(" ".join(pair.question.split()) + "\n")
                sparql.write(" ".join(pair.query.split()) + "\n")
    finally:
        for handle in handles.values():
            handle.close()
    return counts
