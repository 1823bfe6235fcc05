"""``sparqlqa train``: run from a config file, then predict on generated pairs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sparqlqa.cli import app
from sparqlqa.errors import ConfigError


def test_train_run_then_predict(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    out = tmp_path / "run"
    config_file = tmp_path / "train.yaml"
    config_file.write_text(
        f"data: {corporate_pairs}\n"
        f"schema: [{corporate_store_path}]\n"
        f"output_dir: {out}\n"
        "model: tiny-seq2seq\n"
        "max_steps: 4\n"
        "schema_items: 3\n"
        "max_target_tokens: 32\n"
        "target_vocab_size: 400\n"
        "eval_steps: 2\n"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["train", "run", "--config", str(config_file), "--seed", "5"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["global_step"] == 4
    assert json.loads((out / "train_config.json").read_text())["seed"] == 5
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 2

    again = runner.invoke(app, ["train", "run", "--config", str(config_file)])
    assert isinstance(again.exception, ConfigError)  # main() prints it and exits 1
    assert "not empty" in str(again.exception)

    predictions = tmp_path / "predictions.jsonl"
    result = runner.invoke(
        app,
        [
            "train",
            "predict",
            str(out / "model"),
            "--data",
            str(corporate_pairs),
            "--schema",
            str(corporate_store_path),
            "--split",
            "test",
            "--k",
            "2",
            "--output",
            str(predictions),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["questions"] == 5
    assert 0.0 <= report["exact_match"] <= 1.0
    assert 0.0 <= report["answer_f1"] <= 1.0
    assert len(predictions.read_text().splitlines()) == 5


def test_train_run_help_lists_the_settings() -> None:
    result = CliRunner().invoke(app, ["train", "run", "--help"])
    assert result.exit_code == 0
    assert "--learning-rate" in result.stdout and "--resume" in result.stdout
