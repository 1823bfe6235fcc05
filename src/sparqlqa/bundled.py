"""The bundled corporate graph (TEXT2SPARQL'25, CC-BY-4.0): its files and identifiers.

Every part that defaults to the corporate graph takes its names from here: the RDF files
shipped in ``kg/data/corporate/`` (see its ATTRIBUTION.md), the TEXT2SPARQL dataset id
questions about it carry, and where its store and served graph folder are built.
"""

from __future__ import annotations

from pathlib import Path

from sparqlqa import paths

#: The name of the graph (its store folder, its graph folder and the ``graph`` of /ask).
CORPORATE_NAME = "corporate"
#: Its longer name, shown by the service.
CORPORATE_TITLE = "TEXT2SPARQL'25 corporate knowledge graph"
#: The TEXT2SPARQL dataset id of questions about it.
CORPORATE_DATASET = "https://text2sparql.aksw.org/2025/corporate/"
#: Every TEXT2SPARQL dataset id of the corporate graph (the 2026 challenge reuses it).
CORPORATE_DATASETS = (CORPORATE_DATASET, "https://text2sparql.aksw.org/2026/corporate/")
#: Its shipped template set (``templates/sets/corporate.yaml``).
CORPORATE_TEMPLATE_SET = "corporate"

#: Where the shipped RDF data lies.
DATA_DIR = Path(__file__).parent / "kg" / "data"
CORPORATE_DIR = DATA_DIR / "corporate"
#: The vocabulary (classes and properties) and the instance data.
CORPORATE_VOCABULARY = CORPORATE_DIR / "prod-vocab.ttl"
CORPORATE_INSTANCES = CORPORATE_DIR / "prod-inst.ttl"
#: Both files, vocabulary first: what ``sparqlqa kg load`` loads by default.
CORPORATE_FILES: tuple[Path, ...] = (CORPORATE_VOCABULARY, CORPORATE_INSTANCES)


def corporate_store() -> Path:
    """The folder of the corporate graph's embedded store (``sparqlqa kg load``)."""
    return paths.store_dir(CORPORATE_NAME)


def default_graph_folder() -> Path:
    """Where ``make run`` prepares the default (corporate) graph folder."""
    return paths.home() / "graphs" / CORPORATE_NAME
