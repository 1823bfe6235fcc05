"""Time-limited query execution for the embedded store.

pyoxigraph has no query timeout and a query cannot be interrupted from another thread, so a
runaway query (say a cross join over the whole graph) would hold a core for good. Queries that
need a time limit therefore run in worker processes that open the store read-only; a worker
that overruns is killed and replaced, and the caller gets ``QueryTimeout``. The process that
serves users never blocks on a runaway query.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sparqlqa.errors import QuerySyntaxError, QueryTimeout, StoreError
from sparqlqa.kg.results import oxigraph_result
from sparqlqa.kg.store import QueryResult


def _serve(db_path: str, conn: Connection) -> None:
    """Worker loop: answer ``(query, max_rows)`` messages until the pipe closes."""
    import pyoxigraph as ox

    store = ox.Store.read_only(db_path)
    while True:
        try:
            sparql, max_rows = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", oxigraph_result(store.query(sparql), max_rows)))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except Exception as exc:  # reported to the caller, which raises StoreError
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, ctx: Any, db_path: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(db_path, child), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryWorkerPool:
    """A few worker processes, started on first use, each answering one query at a time."""

    def __init__(self, db_path: Path, size: int = 2) -> None:
        self.db_path = str(db_path)
        self.size = size
        self._ctx = mp.get_context("spawn")  # fork is unsafe with RocksDB and threads
        self._idle: list[_Worker] = []
        self._slots = threading.Semaphore(size)
        self._lock = threading.Lock()

    def run(self, sparql: str, timeout_s: float, max_rows: int | None) -> QueryResult:
        """Run ``sparql`` in a worker; kill it and raise ``QueryTimeout`` past ``timeout_s``."""
        with self._slots:
            worker = self._take()
            try:
                worker.conn.send((sparql, max_rows))
                if not worker.conn.poll(timeout_s):
                    worker.kill()
                    raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped")
                status, payload = worker.conn.recv()
            except (EOFError, OSError) as exc:
                worker.kill()
                raise StoreError(f"query worker for {self.db_path} died: {exc}") from exc
            self._give_back(worker)
        if status == "ok":
            result: QueryResult = payload
            return result
        if status == "syntax":
            raise QuerySyntaxError(payload)
        raise StoreError(payload)

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker(self._ctx, self.db_path)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()
