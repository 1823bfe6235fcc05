"""Fixtures shared by the whole suite: the bundled corporate graph as an embedded store."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sparqlqa.bundled import CORPORATE_FILES
from sparqlqa.kg.embedded import EmbeddedStore, build_store

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# The suite must not depend on whether this machine has a bilingual dictionary
# (ontology.dictionary, `make dictionaries`): none is searched unless a test names one.
# Servers the tests start inherit this.
os.environ["SPARQLQA_DICTIONARIES"] = ""


@pytest.fixture(scope="session")
def corporate_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of the corporate graph, built once per test session."""
    path = tmp_path_factory.mktemp("stores") / "corporate"
    build_store(path, CORPORATE_FILES, progress=False)
    return path


@pytest.fixture(scope="session")
def corporate_store(corporate_store_path: Path) -> Iterator[EmbeddedStore]:
    """The corporate graph, opened read-only."""
    with EmbeddedStore(corporate_store_path) as store:
        yield store


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real public data); tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not here")
    return SHARED_DATA


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _write_dictd(folder: Path, name: str, items: list[tuple[str, str]]) -> Path:
    """A dictd dictionary (``name.index`` and gzip ``name.dict.dz``, the FreeDict format) of
    (headword, entry text) ``items``, in ``folder``; its index file."""

    def number(value: int) -> str:
        digits = ""
        while True:
            digits = _B64[value % 64] + digits
            value //= 64
            if not value:
                return digits

    data, lines = b"", []
    for headword, text in items:
        raw = text.encode()
        lines.append(f"{headword}\t{number(len(data))}\t{number(len(raw))}")
        data += raw
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.dict.dz").write_bytes(gzip.compress(data))
    index = folder / f"{name}.index"
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index


@pytest.fixture()
def write_dictd() -> Callable[[Path, str, list[tuple[str, str]]], Path]:
    """Writes a bilingual dictionary in the dictd format (``ontology.dictionary``)."""
    return _write_dictd
