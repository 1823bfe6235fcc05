"""``EvalConfig``: everything one evaluation run needs, checked when it is made."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparqlqa.benchmarks.datasets import FORMATS
from sparqlqa.errors import ConfigError

#: Config fields that must match for a run to resume into an existing output folder.
_RESUME_KEYS = ("dataset", "format", "system", "store", "endpoint", "languages", "kg", "api")


@dataclass
class EvalConfig:
    """Everything one evaluation run needs."""

    dataset: Path  # the dataset file
    format: str  # lcquad2, lcquad1, qald, text2sparql or jsonl
    system: str  # gold, an http(s) URL, a predictions JSONL file, or a checkpoint folder
    out: Path  # output folder (results.jsonl, report.json, summary.md, ...)
    store: Path | None = None  # embedded store folder to run queries on
    endpoint: str | None = None  # or a remote SPARQL endpoint URL
    graph: str | None = None  # default graph IRI at the remote endpoint
    # HTTP systems: text2sparql, sparqlqa, or auto (by URL); a checkpoint folder: text2sparql
    # scores the query that endpoint returns, else what /ask answers (systems.make_system).
    api: str = "auto"
    languages: tuple[str, ...] = ("en",)  # QALD / TEXT2SPARQL question languages
    kg: str = "wikidata"  # LC-QuAD 2.0: wikidata or dbpedia gold queries
    missing_question: str = "skip"  # LC-QuAD 2.0 null/"[]" questions: skip, paraphrase, nnqt
    result_set: Path | None = None  # TEXT2SPARQL true result set (gold answers)
    prefix: str | None = None  # TEXT2SPARQL qname prefix override
    split: str | None = None  # JSONL, TEXT2SPARQL: only this split
    dataset_iri: str | None = None  # dataset IRI sent to TEXT2SPARQL APIs
    gold_from: str = "auto"  # auto (dataset answers if any, else the store) or store
    limit: int | None = None  # evaluate a random sample of this many questions
    seed: int = 0  # seed of that sample
    concurrency: int = 1  # questions in flight at once (for remote systems)
    timeout_s: float = 30.0  # per query on the store/endpoint
    system_timeout_s: float = 120.0  # per question for HTTP systems
    max_rows: int = 10_000  # rows kept per query result
    cache: Path | None = None  # gold answer cache (default $SPARQLQA_HOME/eval-cache/gold.jsonl)
    overwrite: bool = False  # discard earlier results in ``out`` instead of resuming
    progress: bool = True  # show a progress bar
    extra_prefixes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ConfigError(f"unknown --format {self.format!r}; expected one of {FORMATS}")
        if self.store and self.endpoint:
            raise ConfigError("give --store or --endpoint, not both")
        if self.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("--limit must be at least 1")
        if self.gold_from not in ("auto", "store"):
            raise ConfigError("--gold-from must be 'auto' or 'store'")
        if self.timeout_s <= 0:
            raise ConfigError("--timeout must be positive")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, Path):
                out[key] = str(value)
            elif isinstance(value, tuple):
                out[key] = list(value)
        return out
