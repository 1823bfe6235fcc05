"""Progress of sparqlqa's long commands: log lines and tqdm bars, shown on stderr.

Every part reports what it does through its module's logger (``logging.getLogger(__name__)``,
under ``sparqlqa``) and shows long loops as tqdm bars; libraries and tests see nothing unless
they configure logging. A command of the command line calls ``show_on_stderr`` once, which
prints sparqlqa's INFO lines on stderr, plain.
"""

from __future__ import annotations

import logging
import sys

_HANDLER_NAME = "sparqlqa-stderr"


class _StderrHandler(logging.Handler):
    """Writes each line to ``sys.stderr`` as it is when the line is written (a test runner
    that swaps stderr for one command gets that command's lines, and no later ones)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def show_on_stderr(level: int = logging.INFO) -> None:
    """Print sparqlqa's log lines of ``level`` and above on stderr, one plain line each
    (idempotent: a second call adds no second handler)."""
    root = logging.getLogger("sparqlqa")
    root.setLevel(level)
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
