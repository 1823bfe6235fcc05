"""One writer per folder (sparqlqa.locks): a second writer is refused, a finished one frees it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sparqlqa.errors import ConfigError
from sparqlqa.locks import folder_lock
from sparqlqa.templates.generate import GenerateArgs, run

HOLD = """
import sys, time
from pathlib import Path
from sparqlqa.locks import folder_lock
with folder_lock(Path(sys.argv[1]), "a test writer"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_and_a_finished_one_frees_the_folder(tmp_path: Path) -> None:
    with (
        folder_lock(tmp_path, "the first writer"),
        pytest.raises(ConfigError, match=r"cannot start the second writer: .* is in use"),
        folder_lock(tmp_path, "the second writer"),
    ):
        pass
    with folder_lock(tmp_path, "a later writer"):  # released: taken again
        pass


def test_generate_refuses_a_folder_another_process_writes(tmp_path: Path) -> None:
    out = tmp_path / "pairs"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ConfigError, match=rf"process {holder.pid} is writing there"):
            run(GenerateArgs(output=out, sets=["corporate"], progress=False, resume=True))
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    # A killed holder leaves no stale lock: the folder can be locked again at once.
    with folder_lock(out, "after the kill"):
        pass
