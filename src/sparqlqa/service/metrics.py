"""Prometheus metrics, one registry per app (so several apps in one process do not clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sparqlqa_requests_total",
            "HTTP requests by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sparqlqa_request_seconds",
            "HTTP request latency by route.",
            ["route"],
            registry=self.registry,
        )
        self.questions = Counter(
            "sparqlqa_questions_total",
            "Questions by graph and whether they were answered.",
            ["graph", "answered"],
            registry=self.registry,
        )
        self.queries = Counter(
            "sparqlqa_sparql_queries_total",
            "Queries run through /sparql by graph and outcome.",
            ["graph", "outcome"],
            registry=self.registry,
        )
