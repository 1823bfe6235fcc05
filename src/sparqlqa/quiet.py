"""A quiet terminal: progress lines and results, not library messages a user cannot act on.

Two measures:

- :func:`silence_known_noise` (cheap, imports nothing; ``sparqlqa`` calls it at start-up)
  drops the library messages listed in :data:`KNOWN_NOISE`, each known to be harmless for
  the models sparqlqa builds, and turns off the Hugging Face progress bars ("Loading
  weights", "Writing model shards") that only say a file is being read or written.
- :func:`library_log` (for the commands that load models: ``adapt``, ``serve --prepare``,
  ``ask``) sends every other warning of the machine-learning libraries, and Python warnings,
  to a log file (in the graph folder) instead of the terminal, and says in one line at the
  end how many went there. sparqlqa's own log records still reach the terminal.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The log file :func:`library_log` writes in a graph folder.
LOG_FILE = "sparqlqa.log"

#: The loggers of the libraries whose warnings :func:`library_log` sends to its file.
LIBRARIES = (
    "transformers",
    "accelerate",
    "sentence_transformers",
    "huggingface_hub",
    "datasets",
    "peft",
    "torch",
    "py.warnings",
)

#: The loggers that emit the messages of :data:`KNOWN_NOISE` (a filter on the emitting logger
#: applies whatever handlers the library installs later).
_EMITTERS = (
    "transformers.modeling_utils",
    "transformers.modeling_layers",
    "transformers.utils.loading_report",
    "accelerate.utils.other",
    "accelerate.checkpointing",
    "accelerate.accelerator",
)

#: Environment defaults set by :func:`silence_known_noise` (a value the user set wins).
_ENVIRONMENT = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # "Loading weights", "Writing model shards" bars
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",  # transformers' "you may want to" advice
    "TOKENIZERS_PARALLELISM": "false",  # the fork warning of the tokenizers library
}

_ROW = re.compile(r"^\s*(\S+)\s*\|\s*([A-Z]+)\s*\|")


def _harmless_load_report(message: str) -> bool:
    """A transformers LOAD REPORT whose only entries are the BERT pooler the checkpoint has
    and our encoder leaves out (``add_pooling_layer=False``): nothing is missing."""
    if "LOAD REPORT" not in message:
        return False
    rows = [m.groups() for line in message.splitlines() if (m := _ROW.match(line))]
    entries = [(key, status) for key, status in rows if status != "STATUS" and key != "Key"]
    return bool(entries) and all(
        key.startswith("pooler.") and status == "UNEXPECTED" for key, status in entries
    )


def _harmless_shared_tensor(message: str) -> bool:
    """accelerate's "Removed shared tensor ... while saving" for output projections tied to
    the input embeddings: transformers ties them again when the model is loaded."""
    if "Removed shared tensor" not in message:
        return False
    names = re.findall(r"'([^']+)'", message.split("while saving")[0])
    return bool(names) and all(
        "cls.predictions.decoder" in name or "lm_head" in name for name in names
    )


#: The known, harmless library messages: (what it is, test on the formatted message).
KNOWN_NOISE = (
    ("transformers load report of an unused BERT pooler", _harmless_load_report),
    ("accelerate: tied output weights not saved twice", _harmless_shared_tensor),
)


def is_known_noise(record: logging.LogRecord) -> bool:
    """Whether ``record`` is one of :data:`KNOWN_NOISE`."""
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not format: not ours to judge
        return False
    return any(test(message) for _, test in KNOWN_NOISE)


class DropKnownNoise(logging.Filter):
    """A logging filter that drops the records of :data:`KNOWN_NOISE`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not is_known_noise(record)


_DROP = DropKnownNoise()


def silence_known_noise() -> None:
    """Drop the known harmless library messages and the Hugging Face progress bars, for the
    rest of the process. Imports no library; safe to call more than once."""
    for name, value in _ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    for name in _EMITTERS:
        logger = logging.getLogger(name)
        if _DROP not in logger.filters:
            logger.addFilter(_DROP)
    hf_logging = sys.modules.get("transformers.utils.logging")
    if hf_logging is not None and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1":
        hf_logging.disable_progress_bar()


class _CountingFileHandler(logging.FileHandler):
    """A file handler that counts what it wrote."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, mode="a", encoding="utf-8", delay=True)
        self.count = 0
        self.addFilter(_DROP)

    def emit(self, record: logging.LogRecord) -> None:
        # The folder may have been replaced meanwhile (``adapt --force`` starts afresh).
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        super().emit(record)
        self.count += 1


@dataclass
class LibraryLog:
    """Where :func:`library_log` wrote, and how many records."""

    path: Path
    handler: _CountingFileHandler

    @property
    def count(self) -> int:
        return self.handler.count


@contextlib.contextmanager
def library_log(path: Path, *, announce: bool = True) -> Iterator[LibraryLog]:
    """For the duration: warnings of :data:`LIBRARIES` (and Python warnings) go to ``path``,
    not the terminal; known harmless ones nowhere. At the end, with ``announce``, one line
    on stderr says how many were written there (none: nothing is said). The previous
    handlers are restored after."""
    silence_known_noise()
    # transformers (and huggingface_hub, which it imports) put their own stderr handler on
    # their loggers the first time they are imported: import them now so that it can be set
    # aside. The commands that open this log load models, so this costs them nothing.
    if importlib.util.find_spec("transformers") is not None:
        import transformers.utils.logging  # noqa: F401
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _CountingFileHandler(path)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved: list[tuple[logging.Logger, list[logging.Handler], bool]] = []
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        saved.append((logger, logger.handlers[:], logger.propagate))
        logger.handlers = [handler]
        logger.propagate = False
    logging.captureWarnings(True)
    record = LibraryLog(path, handler)
    try:
        yield record
    finally:
        logging.captureWarnings(False)
        for logger, handlers, propagate in saved:
            logger.handlers = handlers
            logger.propagate = propagate
        handler.close()
        if announce and record.count:
            noun = "message" if record.count == 1 else "messages"
            print(f"({record.count} library {noun} written to {path})", file=sys.stderr)
