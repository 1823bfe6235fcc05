"""Where sparqlqa keeps what it builds (stores, indexes, models)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The data folder: ``$SPARQLQA_HOME`` if set, else ``./var`` under the working folder."""
    return Path(os.environ.get("SPARQLQA_HOME", "var")).resolve()


def store_dir(name: str) -> Path:
    """The folder of the embedded store called ``name``."""
    return home() / "stores" / name
