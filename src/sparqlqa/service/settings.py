"""Service settings, read from the environment (``SPARQLQA_*``) and validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sparqlqa import paths


def default_graph_folder() -> Path:
    """Where ``make run`` prepares the default (corporate) graph."""
    return paths.home() / "graphs" / "corporate"


class Settings(BaseSettings):
    """Everything an operator may set. Environment variables are upper case with the
    ``SPARQLQA_`` prefix, e.g. ``SPARQLQA_GRAPHS='["var/graphs/corporate"]'``."""

    model_config = SettingsConfigDict(env_prefix="SPARQLQA_", extra="ignore")

    graphs: list[Path] = Field(
        default_factory=lambda: [default_graph_folder()],
        description="Graph folders to serve (each holds graph.json); the first is the default.",
    )
    max_question_chars: int = Field(500, ge=10, description="Longest question accepted.")
    max_body_bytes: int = Field(64_000, ge=1_000, description="Largest request body accepted.")
    rate_limit_per_minute: int = Field(
        120, ge=0, description="Requests per client address and minute (0: no limit)."
    )
    query_timeout_s: float = Field(10.0, gt=0, description="Time limit of one query.")
    max_rows: int = Field(10_000, ge=1, description="Result rows kept of one query.")
    max_query_chars: int = Field(10_000, ge=100, description="Longest query accepted.")
    max_query_nesting: int = Field(
        50, ge=1, description="Deepest nesting of { ( [ in a query, checked before parsing."
    )
    max_query_tokens: int = Field(
        4_000, ge=10, description="Most tokens in a query, checked before parsing."
    )
    max_literal_chars: int = Field(
        2_000, ge=10, description="Longest literal, IRI or name in a query, before parsing."
    )
    plan_timeout_s: float = Field(
        1.0, gt=0, description="CPU time limit of parsing and planning one query (a worker's)."
    )
    ask_query_workers: int = Field(
        2, ge=1, description="Query worker processes per graph for /ask's candidate queries."
    )
    sparql_query_workers: int = Field(
        2, ge=1, description="Query worker processes per graph for /sparql (at low priority)."
    )
    sparql_per_client: int = Field(
        2, ge=1, description="/sparql queries one client address may have running at once."
    )
    sparql_queue_timeout_s: float = Field(
        2.0, ge=0, description="How long a /sparql query waits for a free worker (then 503)."
    )
    ask_queue_timeout_s: float = Field(
        20.0, ge=0, description="How long an /ask candidate waits for a free worker (then 503)."
    )
    query_worker_memory_mb: int = Field(
        0, ge=0, description="Address-space cap of each query worker process (0: none)."
    )
    default_k: int = Field(5, ge=1, le=20, description="Candidate queries tried per question.")
    max_k: int = Field(10, ge=1, le=50, description="Largest k a request may ask for.")
    batch_max_size: int = Field(16, ge=1, description="Prompts translated together at most.")
    batch_max_wait_ms: float = Field(
        5.0, ge=0, description="How long a prompt waits for others to batch with."
    )
    torch_threads: int = Field(
        0,
        ge=0,
        description="CPU threads torch may use for the models (0: its default, one per core; "
        "1 is often faster on a machine busy with other work).",
    )
    warm_up: bool = Field(True, description="Answer one question per graph at start-up.")
    endpoint: str | None = Field(
        None,
        description="Serve the default graph from this SPARQL endpoint instead of its store "
        "(its indexes and model stay in the graph folder), e.g. a Virtuoso loaded with it.",
    )
    endpoint_graph: str | None = Field(None, description="Default graph IRI at that endpoint.")
    endpoint_engine: Literal["generic", "virtuoso", "qlever", "fuseki", "oxigraph"] = "generic"

    @field_validator("graphs")
    @classmethod
    def _at_least_one(cls, value: list[Path]) -> list[Path]:
        if not value:
            raise ValueError("at least one graph folder is needed")
        return value
