"""The embedded store: pyoxigraph on disk, built by bulk load, reopened read-only.

A store is a folder::

    <store>/db/         the pyoxigraph (RocksDB) database
    <store>/store.json  what it was built from (paths, sizes, hashes) and its triple count

``build_store`` writes into ``db.partial/`` and renames it when done, so an interrupted build
leaves no half-built store behind: the next build starts again (bulk load is fast).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from tqdm import tqdm

from sparqlqa.errors import ConfigError, QuerySyntaxError, StoreError
from sparqlqa.kg.results import oxigraph_result
from sparqlqa.kg.store import QueryResult, SparqlStore
from sparqlqa.kg.worker import QueryWorkerPool

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class SourceFile:
    path: str
    size: int
    sha256: str


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of ``path`` from its extension (``.gz`` looked through); ``.owl`` and
    ``.xml`` files that are not XML are read as Turtle."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in _FORMATS:
        known = ", ".join(sorted(_FORMATS))
        raise ConfigError(f"{path}: unknown RDF file extension (known: {known}, optionally .gz)")
    fmt = _FORMATS[suffixes[-1]]
    if fmt == ox.RdfFormat.RDF_XML:
        with _open(path) as fh:
            head = fh.read(512).lstrip()
        if not head.startswith(b"<"):
            fmt = ox.RdfFormat.TURTLE
    return fmt


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _describe(path: Path) -> SourceFile:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return SourceFile(str(path.resolve()), path.stat().st_size, digest.hexdigest())


def build_store(
    target: Path, files: Sequence[Path], *, force: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Bulk-load ``files`` into a new store at ``target`` and return its metadata.

    If ``target`` already holds a store built from exactly these files it is kept as it is
    (unless ``force``); a store built from other files is refused unless ``force``.
    """
    if not files:
        raise ConfigError("no RDF files given to load")
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise ConfigError(f"RDF file not found: {', '.join(missing)}")
    sources = [_describe(Path(f)) for f in files]
    meta_path = target / "store.json"
    if meta_path.exists() and not force:
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        if meta.get("sources") == [asdict(s) for s in sources]:
            meta["reused"] = True
            return meta
        raise ConfigError(
            f"{target} already holds a store built from other files; pass --force to rebuild it"
        )
    for stale in (target / "db.partial", target / "db", meta_path):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    target.mkdir(parents=True, exist_ok=True)
    partial = target / "db.partial"
    started = time.perf_counter()
    store = ox.Store(str(partial))
    for source in files:
        _bulk_load(store, Path(source), progress)
    store.optimize()
    store.flush()
    triples = len(store)
    del store
    (partial).rename(target / "db")
    meta = {
        "sources": [asdict(s) for s in sources],
        "prefixes": declared_prefixes(files),
        "triples": triples,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_seconds": round(time.perf_counter() - started, 3),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


_TURTLE_PREFIX = re.compile(
    r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M
)
_XMLNS = re.compile(r'xmlns:([A-Za-z][\w.-]*)="([^"]*)"')


def declared_prefixes(files: Sequence[Path], head_bytes: int = 1 << 16) -> dict[str, str]:
    """Prefixes declared near the top of the given RDF files (Turtle-like or RDF/XML), so
    that queries may use the graph's own short names."""
    found: dict[str, str] = {}
    for path in files:
        with _open(Path(path)) as fh:
            head = fh.read(head_bytes).decode("utf-8", "replace")
        for pattern in (_TURTLE_PREFIX, _XMLNS):
            for name, iri in pattern.findall(head):
                if name and iri.startswith(("http://", "https://", "urn:")):
                    found.setdefault(name, iri)
    return found


def _bulk_load(store: ox.Store, path: Path, progress: bool) -> None:
    fmt = rdf_format(path)
    size = path.stat().st_size
    with (
        _open(path) as raw,
        tqdm.wrapattr(
            raw, "read", total=size, desc=path.name, unit="B", unit_scale=True, disable=not progress
        ) as fh,
    ):
        try:
            store.bulk_load(cast(IO[bytes], fh), fmt, base_iri=path.resolve().as_uri())
        except SyntaxError as exc:
            raise StoreError(f"{path}: not valid {fmt.name}: {exc}") from exc


class EmbeddedStore(SparqlStore):
    """A store folder built by ``build_store``, opened read-only.

    Queries without a time limit run in this process (fast, for trusted queries only: the
    service's own label lookups); queries with ``timeout_s`` (every untrusted one, through the
    guard) run in worker processes that are killed when they overrun or replaced when they
    die. ``lane`` gives another view of the same store with workers of its own, so that one
    kind of traffic (``/sparql``) never waits behind or slows down another (``/ask``).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        workers: int = 2,
        memory_mb: int = 0,
        queue_timeout_s: float | None = None,
        cpu_timeouts: bool = False,
    ) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        #: ``timeout_s`` counts the worker's CPU time (batch work: generation, evaluation),
        #: not wall-clock time (the service's promise to a caller).
        self.cpu_timeouts = cpu_timeouts
        db = self.path / "db"
        if not (self.path / "store.json").is_file() or not db.is_dir():
            raise StoreError(f"no store at {self.path}: build it first with `sparqlqa kg load`")
        self.meta: dict[str, Any] = json.loads((self.path / "store.json").read_text())
        try:
            self._store = ox.Store.read_only(str(db))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self._pool = QueryWorkerPool(
            db, size=workers, memory_mb=memory_mb, queue_timeout_s=queue_timeout_s
        )
        self._lanes: list[StoreLane] = []
        #: Prefixes declared in the source files (name → namespace IRI).
        self.prefixes: dict[str, str] = dict(self.meta.get("prefixes", {}))

    @property
    def pool(self) -> QueryWorkerPool:
        """The worker processes that run this view's time-limited queries."""
        return self._pool

    def query(
        self, sparql: str, *, timeout_s: float | None = None, max_rows: int | None = None
    ) -> QueryResult:
        if timeout_s is not None:
            return self._pool.run(sparql, timeout_s, max_rows, cpu_time=self.cpu_timeouts)
        try:
            return oxigraph_result(self._store.query(sparql), max_rows)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def lane(
        self,
        *,
        workers: int = 2,
        nice: int = 0,
        memory_mb: int = 0,
        queue_timeout_s: float | None = None,
    ) -> StoreLane:
        """The same store with ``workers`` worker processes of its own, at CPU priority
        ``nice`` (higher: yields the cores to the service's other work)."""
        pool = QueryWorkerPool(
            self.path / "db",
            size=workers,
            nice=nice,
            memory_mb=memory_mb,
            queue_timeout_s=queue_timeout_s,
        )
        lane = StoreLane(self, pool)
        self._lanes.append(lane)
        return lane

    def warm(self) -> None:
        """Start every worker process now rather than on the first queries."""
        for pool in (self._pool, *(lane.pool for lane in self._lanes)):
            pool.warm()

    def count_triples(self) -> int:
        return len(self._store)

    def close(self) -> None:
        """Stop the worker processes (the store itself closes with the object)."""
        self._pool.close()
        for lane in self._lanes:
            lane.pool.close()


class StoreLane(SparqlStore):
    """An ``EmbeddedStore`` seen through worker processes of its own (``EmbeddedStore.lane``)."""

    def __init__(self, store: EmbeddedStore, pool: QueryWorkerPool) -> None:
        self.store = store
        self.name = store.name
        self.prefixes = store.prefixes
        self.pool = pool

    def query(
        self, sparql: str, *, timeout_s: float | None = None, max_rows: int | None = None
    ) -> QueryResult:
        if timeout_s is not None:
            return self.pool.run(sparql, timeout_s, max_rows)
        return self.store.query(sparql, max_rows=max_rows)

    def count_triples(self) -> int:
        return self.store.count_triples()

    def close(self) -> None:
        self.pool.close()


class MemoryStore(SparqlStore):
    """A small graph held in memory (an ontology file, a test graph).

    For trusted queries only: pyoxigraph cannot stop a query in its own process, so asking for
    a time limit is refused; build an on-disk ``EmbeddedStore`` for untrusted queries.
    """

    def __init__(self, files: Sequence[Path] = (), *, name: str = "memory") -> None:
        self.name = name
        self._store = ox.Store()
        for path in files:
            path = Path(path)
            with _open(path) as fh:
                try:
                    self._store.load(fh, rdf_format(path), base_iri=path.resolve().as_uri())
                except SyntaxError as exc:
                    raise StoreError(f"{path}: not valid RDF: {exc}") from exc
        self.prefixes = declared_prefixes(files)

    def add_turtle(self, text: str) -> None:
        """Add triples written in Turtle (handy in tests)."""
        self._store.load(text, ox.RdfFormat.TURTLE)

    def query(
        self, sparql: str, *, timeout_s: float | None = None, max_rows: int | None = None
    ) -> QueryResult:
        if timeout_s is not None:
            raise ConfigError(
                "an in-memory store cannot enforce a time limit; use an on-disk EmbeddedStore"
            )
        try:
            return oxigraph_result(self._store.query(sparql), max_rows)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc

    def count_triples(self) -> int:
        return len(self._store)
