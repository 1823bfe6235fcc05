"""One writer per folder: an exclusive lock that a second process asking for it is refused.

Two runs writing into one folder (two ``sparqlqa adapt`` of one graph, two ``sparqlqa
generate`` into one output) interleave their appends and leave every record twice or half
written; the second run is refused with a clear error instead. The lock is an advisory
``flock`` on a file in the folder, released when the holder exits, however it exits (a
crash, a kill), so a stale lock never blocks a later run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sparqlqa.errors import ConfigError

LOCK_FILE = ".lock"


@contextmanager
def folder_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold ``folder``'s lock while the block runs (``what``: the run asking, for the
    message); ``ConfigError`` with the holder's process id when another writer holds it.
    Where the platform has no ``flock`` (Windows), nothing is locked."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here: run unguarded rather than not at all
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConfigError(
                f"cannot start {what}: {folder} is in use, process {holder} is writing there; "
                "wait for it to finish or stop it, then run again (an interrupted run resumes)"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
