"""The graphs a service serves, found by name or TEXT2SPARQL dataset id."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sparqlqa.bundled import CORPORATE_DATASETS
from sparqlqa.errors import ConfigError, UnknownGraph
from sparqlqa.qa.graphs import Graph


class GraphRegistry:
    """Served graphs; the first is the default."""

    def __init__(self, graphs: Sequence[Graph]) -> None:
        if not graphs:
            raise ConfigError("no graph to serve")
        self.graphs = list(graphs)
        self._by_key: dict[str, Graph] = {}
        for graph in self.graphs:
            for key in (graph.name, *graph.spec.datasets):
                if key in self._by_key:
                    raise ConfigError(f"two graphs claim the name or dataset {key!r}")
                self._by_key[key] = graph
        # A graph that answers one TEXT2SPARQL id of the corporate graph answers all of them
        # (folders written before the 2026 id was known name only the 2025 one).
        owners = [self._by_key[d] for d in CORPORATE_DATASETS if d in self._by_key]
        for dataset in CORPORATE_DATASETS:
            if owners:
                self._by_key.setdefault(dataset, owners[0])

    @property
    def default(self) -> Graph:
        return self.graphs[0]

    def get(self, key: str | None) -> Graph:
        """The graph named ``key`` (a graph name or a dataset id); the default for None/''."""
        if not key:
            return self.default
        graph = self._by_key.get(key) or self._by_key.get(key.rstrip("/") + "/")
        if graph is None:
            known = ", ".join(sorted(self._by_key))
            raise UnknownGraph(f"unknown graph or dataset {key!r}; known: {known}")
        return graph

    def __iter__(self) -> Iterator[Graph]:
        return iter(self.graphs)

    def close(self) -> None:
        for graph in self.graphs:
            graph.close()
