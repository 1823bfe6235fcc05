"""Service settings, read from the environment (``SPARQLQA_*``) and validated at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from sparqlqa.bundled import default_graph_folder
from sparqlqa.qa.graphs import GraphSettings


class Settings(GraphSettings):
    """Everything an operator may set: what opening a graph needs (``GraphSettings``) and the
    HTTP limits. Environment variables are upper case with the ``SPARQLQA_`` prefix, e.g.
    ``SPARQLQA_GRAPHS='["var/graphs/corporate"]'``."""

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
    default_k: int = Field(5, ge=1, le=20, description="Candidate queries tried per question.")
    max_k: int = Field(10, ge=1, le=50, description="Largest k a request may ask for.")
    torch_threads: int = Field(
        1,
        ge=0,
        description="CPU threads torch may use for the models (0: its default, one per core). "
        "1 by default: the translator's matrices are small, and on a busy machine more "
        "threads than free cores made a translation 20 times slower (docs/service.md).",
    )
    warm_up: bool = Field(True, description="Answer one question per graph at start-up.")

    @field_validator("graphs")
    @classmethod
    def _at_least_one(cls, value: list[Path]) -> list[Path]:
        if not value:
            raise ValueError("at least one graph folder is needed")
        return value
