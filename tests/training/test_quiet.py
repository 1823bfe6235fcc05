"""A quiet terminal: training, saving and loading a model print progress and results, not the
libraries' messages a user cannot act on (``sparqlqa.quiet``).

The end-to-end test runs the console script in a subprocess, as a user does: a real
``minilm-seq2seq`` build (MiniLM loaded, the source of transformers' LOAD REPORT of the
unused pooler), a training state saved by accelerate (the source of "Removed shared tensor")
and the model loaded again to predict. The same run without ``main()``'s filter shows both
messages: the assertions can fail.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sparqlqa.quiet import is_known_noise, library_log

ROOT = Path(__file__).resolve().parents[2]
LOAD_REPORT = (
    "\x1b[1mBertModel LOAD REPORT\x1b[0m from: /models/minilm\n"
    "Key                 | Status     |  | \n"
    "--------------------+------------+--+-\n"
    "pooler.dense.weight | UNEXPECTED |  | \n"
    "pooler.dense.bias   | UNEXPECTED |  | \n\n"
    "Notes:\n- UNEXPECTED:\tcan be ignored when loading from different task/architecture"
)
SHARED = (
    "[RANK 0] Removed shared tensor {'decoder.cls.predictions.decoder.weight', "
    "'decoder.cls.predictions.decoder.bias'} while saving. This should be OK, but check by "
    "verifying that you don't receive any warning while reloading"
)


def record(message: str, name: str = "transformers.modeling_utils") -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, message, None, None)


def test_only_the_known_harmless_messages_are_noise() -> None:
    assert is_known_noise(record(LOAD_REPORT))
    assert is_known_noise(record(SHARED, "accelerate.utils.other"))
    # A report that something is missing, or other weights not saved, is not harmless.
    missing = LOAD_REPORT + "\nencoder.layer.0.attention.self.query.weight | MISSING |  | "
    assert not is_known_noise(record(missing))
    other = SHARED.replace("decoder.cls.predictions.decoder.bias", "encoder.embeddings.weight")
    assert not is_known_noise(record(other, "accelerate.utils.other"))
    assert not is_known_noise(record("Some weights of the model checkpoint were not used"))


def test_library_log_sends_other_library_warnings_to_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "graph" / "sparqlqa.log"
    with library_log(path) as log:
        logging.getLogger("transformers.generation").warning("a generation setting was ignored")
        logging.getLogger("accelerate.utils.other").warning(SHARED)  # known: dropped
        logging.getLogger("sparqlqa.qa.graphs").warning("our own warning")
    assert log.count == 1
    text = path.read_text()
    assert "transformers.generation: a generation setting was ignored" in text
    assert "Removed shared tensor" not in text and "our own warning" not in text
    err = capsys.readouterr().err
    assert "a generation setting was ignored" not in err
    assert f"(1 library message written to {path})" in err
    # Outside the block the loggers are as they were.
    assert logging.getLogger("transformers.generation").handlers == []


def train_and_predict(pairs: Path, store: Path, out: Path, entry: str) -> str:
    """stdout and stderr of ``train run`` (saving its state) then ``train predict``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    train = [
        "train", "run", "--data", str(pairs), "--schema", str(store), "--output-dir", str(out),
        "--model", "minilm-seq2seq", "--decoder-layers", "1", "--encoder-layers", "1",
        "--decoder-heads", "2", "--max-steps", "2", "--save-steps", "1", "--eval-steps", "0",
        "--batch-size", "4", "--max-prompt-tokens", "64", "--max-target-tokens", "32",
        "--target-vocab-size", "300", "--num-threads", "1",
    ]  # fmt: skip
    predict = ["train", "predict", str(out / "model"), "--data", str(pairs), "--schema",
               str(store), "--limit", "2"]  # fmt: skip
    output = ""
    for args in (train, predict):
        done = subprocess.run(
            [sys.executable, "-c", entry, *args],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        output += done.stdout + done.stderr
    return output


@pytest.mark.slow
def test_train_save_and_load_print_no_library_noise(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    quiet = train_and_predict(
        corporate_pairs,
        corporate_store_path,
        tmp_path / "quiet",
        "import sys; from sparqlqa.cli import main; sys.argv[0] = 'sparqlqa'; main()",
    )
    assert "training:" in quiet and '"global_step": 2' in quiet and '"questions": 2' in quiet
    for noise in ("LOAD REPORT", "UNEXPECTED", "Removed shared tensor", "Loading weights",
                  "Writing model shards"):  # fmt: skip
        assert noise not in quiet, (noise, quiet[-3000:])
    # The same commands without main()'s filter: the messages are real.
    loud = train_and_predict(
        corporate_pairs,
        corporate_store_path,
        tmp_path / "loud",
        "import sys; from sparqlqa.cli import app; sys.argv[0] = 'sparqlqa'; app()",
    )
    assert "BertModel LOAD REPORT" in loud and "Removed shared tensor" in loud
