"""Process-isolated SPARQL: untrusted query text is parsed and run only in worker processes.

pyoxigraph cannot be protected in-process: it has no query timeout, a query cannot be
interrupted from another thread, and its parser recurses on native code, so a deeply nested
query overflows the stack and kills the process with SIGSEGV (no Python exception to catch).
Everything it does with untrusted text therefore happens in worker processes:

- ``QueryWorkerPool(db_path)``: workers that open the store read-only and run queries;
- ``QueryWorkerPool(None)``: workers over an empty store that only parse (and plan) queries,
  for the guard (``shared_parser()`` is one such pool per process).

A worker that overruns is killed and replaced (``QueryTimeout``); a worker that dies on its
own (a native crash, the out-of-memory killer, a memory limit) costs only the request it was
serving (``QueryFailed`` naming the signal) and is replaced. Engine refusals (an unsupported
function such as ``xsd:int``, a type error) come back as ``QueryFailed`` with the engine's
message. Waiting for a free worker is bounded by ``queue_timeout_s`` (``Overloaded``), so
work does not pile up behind runaway queries.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sparqlqa.errors import (
    Overloaded,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)
from sparqlqa.kg.results import oxigraph_result
from sparqlqa.kg.store import QueryResult

#: Outcome kinds a worker sends back: ``(kind, payload)``.
OK, SYNTAX, FAILED, STORE = "ok", "syntax", "failed", "store"


def _outcome(call: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """Run ``call(*args)`` and classify its failure the way the caller will raise it."""
    try:
        return OK, call(*args)
    except SyntaxError as exc:
        return SYNTAX, str(exc)
    except OSError as exc:  # the store itself (RocksDB): a server-side problem
        return STORE, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # the engine refused the query: RuntimeError, TypeError, ...
        return FAILED, str(exc) or type(exc).__name__


def _serve(db_path: str | None, conn: Connection, nice: int, memory_mb: int) -> None:
    """Worker loop: answer ``("query", sparql, max_rows)`` and ``("parse", [sparql, ...])``
    messages until the pipe closes."""
    if nice:
        os.nice(nice)  # runs after the service's own work when the cores are busy
    if memory_mb:
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import pyoxigraph as ox

    store = ox.Store.read_only(db_path) if db_path else ox.Store()
    # Started: what it cost to get here (the interpreter, the imports, opening the store)
    # is not a query's CPU time (_Worker.wait_ready).
    try:
        conn.send((OK, "ready"))
    except OSError:  # the owner closed the pipe while this worker started: nothing to serve
        return

    def run(sparql: str, max_rows: int | None) -> QueryResult:
        return oxigraph_result(store.query(sparql), max_rows)

    def parse(sparql: str) -> None:
        store.query(sparql)

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "query":
            _, sparql, max_rows = message
            conn.send(_outcome(run, sparql, max_rows))
        else:
            # Parsing only: SELECT and CONSTRUCT are evaluated lazily (not at all here), and
            # an ASK on the empty store has nothing to do. Planning errors surface here too.
            conn.send((OK, [_outcome(parse, text) for text in message[1]]))


def death_reason(exitcode: int | None) -> str:
    """How a worker process ended, in words (``Process.exitcode`` of a dead worker)."""
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return f"it was killed ({name}: out of memory, or stopped from outside)"
        if -exitcode == signal.SIGSEGV:
            return f"it crashed ({name}: the engine overflowed its stack or memory)"
        if -exitcode == signal.SIGABRT:
            return f"it aborted ({name}: out of memory under its memory cap, or an engine panic)"
        return f"it was ended by {name}"
    return f"it exited with status {exitcode}"


#: Wall-clock seconds a new worker may take to start (import pyoxigraph, open the store)
#: before a query is handed to it.
STARTUP_TIMEOUT_S = 60.0


class _Worker:
    def __init__(self, ctx: Any, db_path: str | None, nice: int, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(db_path, child, nice, memory_mb), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Wait until the worker has started (its first message), so that a query's CPU
        and wall-clock limits count the query only. Raises ``EOFError`` when it died
        starting, ``QueryFailed`` when it did not start within ``timeout_s``."""
        if self.ready:
            return
        if not self.conn.poll(timeout_s):
            raise QueryFailed(f"a query worker did not start within {timeout_s:g} s")
        self.conn.recv()
        self.ready = True

    @property
    def pid(self) -> int | None:
        pid: int | None = self.process.pid
        return pid

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def reap(self) -> str:
        """Collect a worker that died and say how it ended."""
        self.process.join(timeout=5)
        reason = death_reason(self.process.exitcode)
        self.kill()
        return reason


class QueryWorkerPool:
    """Worker processes, each answering one request at a time.

    ``db_path`` is the store the workers open read-only (``None``: an empty store, for
    parsing). ``nice`` lowers the workers' CPU priority; ``memory_mb`` caps each worker's
    address space (0: no cap); ``queue_timeout_s`` bounds how long a request waits for a
    free worker (``None``: as long as it takes).
    """

    def __init__(
        self,
        db_path: Path | None,
        size: int = 2,
        *,
        nice: int = 0,
        memory_mb: int = 0,
        queue_timeout_s: float | None = None,
    ) -> None:
        self.db_path = str(db_path) if db_path is not None else None
        self.size = size
        self.nice = nice
        self.memory_mb = memory_mb
        self.queue_timeout_s = queue_timeout_s
        self._ctx = mp.get_context("spawn")  # fork is unsafe with RocksDB and threads
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.replaced = 0  # workers killed (timeouts) or found dead, and replaced

    @property
    def what(self) -> str:
        return f"query worker for {self.db_path}" if self.db_path else "SPARQL parser worker"

    def run(
        self, sparql: str, timeout_s: float, max_rows: int | None, *, cpu_time: bool = False
    ) -> QueryResult:
        """Run ``sparql`` in a worker; kill it and raise ``QueryTimeout`` past ``timeout_s``
        (with ``cpu_time``: past ``timeout_s`` of the worker's CPU time, or ``WALL_PER_CPU``
        times that of wall-clock time, so that how far a query gets does not depend on what
        else the machine runs).

        Raises ``QuerySyntaxError``, ``QueryFailed`` (the engine refused it, or the worker
        died: it is replaced), ``Overloaded`` (no worker free within the queue deadline).
        """
        if cpu_time:
            kind, payload = self._call(
                ("query", sparql, max_rows), timeout_s * WALL_PER_CPU, cpu_s=timeout_s
            )
        else:
            kind, payload = self._call(("query", sparql, max_rows), timeout_s)
        if kind == OK:
            result: QueryResult = payload
            return result
        raise_outcome(kind, payload)
        raise AssertionError("unreachable")

    def parse(self, texts: Sequence[str], cpu_s: float) -> list[tuple[str, str | None]]:
        """Parse (and plan) each of ``texts`` in one worker: ``(kind, message)`` for each,
        ``kind`` one of ``"ok"``, ``"syntax"``, ``"failed"``, ``"store"``.

        Raises ``QueryTimeout`` when they take more than ``cpu_s`` of the worker's CPU time
        together (CPU, not wall-clock, time: on a busy machine a cheap parse may wait for a
        core far longer than it runs; the wall-clock limit is ``WALL_PER_CPU`` times that),
        and ``QueryFailed`` when the worker dies on them.
        """
        _, outcomes = self._call(("parse", list(texts)), cpu_s * WALL_PER_CPU, cpu_s=cpu_s)
        return [(kind, message) for kind, message in outcomes]

    def _call(
        self, message: tuple[Any, ...], timeout_s: float, cpu_s: float | None = None
    ) -> tuple[str, Any]:
        if not self._slots.acquire(timeout=self.queue_timeout_s):
            waited = self.queue_timeout_s or 0.0
            raise Overloaded(
                f"all {self.size} {self.what}s are busy and none became free within "
                f"{waited:g} s (the queue deadline): try again shortly",
                retry_after_s=max(1.0, waited),
            )
        try:
            worker = self._take()
            with self._lock:
                self._busy.add(worker)
            try:
                try:
                    # Its start is not the query's: the limits count from the message on.
                    worker.wait_ready()
                except QueryFailed:
                    self._drop(worker)
                    worker.kill()
                    raise
                worker.conn.send(message)
                if not _answered(worker, timeout_s, cpu_s):
                    self._drop(worker)
                    worker.kill()
                    limit = f"{timeout_s:g} s" + (
                        f" (or {cpu_s:g} s of CPU time)" if cpu_s is not None else ""
                    )
                    raise QueryTimeout(f"the query ran longer than {limit} and was stopped")
                reply: tuple[str, Any] = worker.conn.recv()
            except (EOFError, OSError) as exc:
                # Collected before the replacement starts: starting a process reaps finished
                # ones (multiprocessing's _cleanup), and on the replacement's thread it raced
                # this reap for the exit status, which then read "stopped answering".
                reason = worker.reap()
                self._drop(worker)
                raise QueryFailed(
                    f"the {self.what} died while handling this query: {reason}; "
                    "it was replaced, other queries are not affected"
                ) from exc
            self._give_back(worker)
            return reply
        finally:
            self._slots.release()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.reap()  # died while idle (killed from outside): start another
        return self._start()

    def _start(self) -> _Worker:
        return _Worker(self._ctx, self.db_path, self.nice, self.memory_mb)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if len(self._idle) + len(self._busy) < self.size:
                self._idle.append(worker)
                return
        worker.kill()  # a replacement started meanwhile: keep the pool at its size

    def _drop(self, worker: _Worker) -> None:
        """Forget a worker that is being killed or found dead, and start a replacement in
        the background, so the next request does not wait for a spawn."""
        with self._lock:
            self._busy.discard(worker)
        self.replaced += 1

        def start() -> None:
            with contextlib.suppress(Exception):  # the next request starts one instead
                fresh = self._start()
                with self._lock:
                    if len(self._idle) + len(self._busy) < self.size:
                        self._idle.append(fresh)
                        return
                fresh.kill()

        threading.Thread(target=start, name="sparqlqa-worker-replace", daemon=True).start()

    def warm(self) -> None:
        """Start every worker now (a spawn costs a few hundred ms on 2 cores)."""
        with self._lock:
            missing = self.size - len(self._idle) - len(self._busy)
        started = [self._start() for _ in range(max(0, missing))]
        for worker in started:
            with contextlib.suppress(EOFError, OSError, QueryFailed):  # replaced when used
                worker.wait_ready()
        with self._lock:
            self._idle.extend(started)

    def busy_pids(self) -> list[int]:
        """Process ids of the workers handling a request now."""
        with self._lock:
            return [pid for w in self._busy if (pid := w.pid) is not None]

    def pids(self) -> list[int]:
        """Process ids of every live worker."""
        with self._lock:
            workers = [*self._idle, *self._busy]
        return [pid for w in workers if (pid := w.pid) is not None and w.process.is_alive()]

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()


#: How many times its CPU budget a parse may take in wall-clock time.
WALL_PER_CPU = 5
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) a process has used, from /proc; None where unavailable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


def _answered(worker: _Worker, timeout_s: float, cpu_s: float | None) -> bool:
    """Wait for the worker's reply: at most ``timeout_s`` wall-clock seconds, and (when
    ``cpu_s`` is given) at most ``cpu_s`` seconds of the worker's CPU time."""
    if cpu_s is None:
        return bool(worker.conn.poll(timeout_s))
    deadline = time.monotonic() + timeout_s
    start = cpu_seconds(worker.pid)
    while True:
        if worker.conn.poll(min(0.05, max(0.0, deadline - time.monotonic()))):
            return True
        now = cpu_seconds(worker.pid)
        if start is not None and now is not None and now - start > cpu_s:
            return False
        if time.monotonic() >= deadline:
            return False


def raise_outcome(kind: str, message: str | None) -> None:
    """Raise the error a worker's ``(kind, message)`` stands for (nothing for ``"ok"``)."""
    if kind == SYNTAX:
        raise QuerySyntaxError(message or "the query does not parse")
    if kind == FAILED:
        raise QueryFailed(f"the SPARQL engine cannot run this query: {message}")
    if kind == STORE:
        raise StoreError(message or "the store failed")


_shared: QueryWorkerPool | None = None
_shared_lock = threading.Lock()


def shared_parser() -> QueryWorkerPool:
    """This process's pool of parser workers (two, started on first use), shared by guards."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = QueryWorkerPool(None, size=2)
        return _shared
