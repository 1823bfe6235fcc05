"""Running queries for the evaluation: predictions through the guard, gold queries cached.

Gold answers that a dataset does not ship come from running its gold query on the chosen
store or endpoint. They are kept in a JSONL cache on disk (key: the store's name and the
query), so a second run, or a resumed one, does not query a remote endpoint again. Only
answers and definitive failures (the query does not parse or is refused, over a bound
included) are cached; a timeout, an engine failure (``QueryFailed``: it may be a worker that
died) or an endpoint error is reported for that question and tried again next run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from sparqlqa.errors import (
    EndpointError,
    EndpointUnreachable,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTooComplex,
    StoreError,
)
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.results import values
from sparqlqa.kg.store import Store


@dataclass(frozen=True)
class Execution:
    """The outcome of running one query."""

    answers: list[str] | None  # values flattened; ["true"]/["false"] for ASK; None on error
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE
    error: str | None = None
    truncated: bool = False


def execute(store: Store, guard: Guard, sparql: str) -> Execution:
    """Run ``sparql`` through ``guard`` on ``store``; a failure becomes ``error``.

    ``EndpointUnreachable`` is raised, not returned: when the endpoint is down every answer
    would be wrong, so the run stops (and can be resumed).
    """
    try:
        checked = guard.check(sparql)
        result = store.query(
            checked.text, timeout_s=guard.limits.timeout_s, max_rows=guard.limits.max_rows
        )
    except EndpointUnreachable:
        raise
    except (QueryError, EndpointError, StoreError) as exc:
        return Execution(None, error=f"{type(exc).__name__}: {exc}")
    return Execution(values(result), form=checked.form, truncated=bool(result.get("truncated")))


class GoldCache:
    """Gold query results on disk, one JSON object per line, appended as they come."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._entries: dict[str, Execution] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        if self.path and self.path.is_file():
            with self.path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        self._entries[entry["key"]] = Execution(
                            entry["answers"],
                            form=entry.get("form"),
                            error=entry.get("error"),
                            truncated=entry.get("truncated", False),
                        )
                    except (json.JSONDecodeError, KeyError, TypeError):
                        continue  # a line cut by an interrupted run: recomputed

    @staticmethod
    def key(store_name: str, sparql: str) -> str:
        return hashlib.sha256(f"{store_name}\n{sparql}".encode()).hexdigest()

    def execute(self, store: Store, guard: Guard, sparql: str) -> Execution:
        """The cached result of ``sparql`` on ``store``, running it on a miss."""
        key = self.key(store.name, sparql)
        with self._lock:
            cached = self._entries.get(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        outcome = execute(store, guard, sparql)
        if outcome.error is None or outcome.error.startswith(
            (QuerySyntaxError.__name__, QueryRefused.__name__, QueryTooComplex.__name__)
        ):
            self._put(key, outcome)
        return outcome

    def _put(self, key: str, outcome: Execution) -> None:
        with self._lock:
            self._entries[key] = outcome
            if self.path is None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                entry = {
                    "key": key,
                    "answers": outcome.answers,
                    "form": outcome.form,
                    "error": outcome.error,
                    "truncated": outcome.truncated,
                }
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
