"""``sparqlqa train sweep``: a 4-point grid of the tiny preset end to end (real training
processes) and its second invocation, a point's resumption, and the errors that stop a sweep
before anything runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sparqlqa.cli import app
from sparqlqa.errors import ConfigError
from sparqlqa.training.config import parse_args
from sparqlqa.training.sweep import plan_resources
from sparqlqa.training.sweep_point import POINT_CONFIG, finished, run_point
from sparqlqa.training.sweep_spec import Range, read_sweep

TINY_BASE = {
    "max_steps": 4,
    "schema_items": 3,
    "max_prompt_tokens": 96,
    "max_target_tokens": 32,
    "target_vocab_size": 300,
    "decoder_layers": 1,
    "eval_steps": 0,
    "eval_examples": 5,
    "save_steps": 2,
    "save_total_limit": 1,
    "num_beams": 1,
    "seed": 3,
    "linked_entities": 0.0,  # no entity linker to build: seconds less per point
}


def evaluated_steps(run: Path) -> list[int]:
    return [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]


def write_sweep(path: Path, **settings: object) -> Path:
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


@pytest.mark.slow  # 4 training processes: about 20 s on 2 idle cores
def test_a_grid_sweep_trains_every_point_then_skips_them(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    out = tmp_path / "sweep"
    config = write_sweep(
        tmp_path / "sweep.yaml",
        preset="tiny-seq2seq",
        base=TINY_BASE,
        search="grid",
        space={"learning_rate": [1.0e-3, 3.0e-3], "batch_size": [4, 8]},
        data=str(corporate_pairs),
        schema=[str(corporate_store_path)],
        output=str(out),
        test_examples=0,
    )
    command = ["train", "sweep", "--config", str(config), "--parallel", "2", "--threads", "1"]
    command += ["--device", "cpu"]
    runner = CliRunner()
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["done"] == 4 and summary["failed"] == []

    runs = sorted((out / "runs").iterdir())
    assert len(runs) == 4
    for run in runs:
        assert (run / "model" / "sparqlqa.json").is_file()
        assert json.loads((run / "train_result.json").read_text())["global_step"] == 4
        assert json.loads((run / "train_config.json").read_text())["num_threads"] == 1

    results = json.loads((out / "results.json").read_text())
    points = results["points"]
    assert {p["id"] for p in points} == {r.name for r in runs}
    assert {(p["settings"]["learning_rate"], p["settings"]["batch_size"]) for p in points} == {
        (1e-3, 4),
        (1e-3, 8),
        (3e-3, 4),
        (3e-3, 8),
    }
    for point in points:
        assert point["status"] == "done"
        assert 0.0 <= point["dev_exact_match"] <= 1.0
        assert 0.0 <= point["test_exact_match"] <= 1.0
        assert 0.0 <= point["test_answer_f1"] <= 1.0
        assert point["test_questions"] == 5  # every test pair of the fixture
        assert point["seconds"] > 0 and point["examples_per_s"] > 0
    best = max(points, key=lambda p: p["dev_exact_match"])
    assert results["best"] is not None
    assert (
        next(p for p in points if p["id"] == results["best"])["dev_exact_match"]
        == (best["dev_exact_match"])
    )

    table = (out / "results.md").read_text()
    assert sum(line.startswith("| ") for line in table.splitlines()) == 2 + 4  # head, rule, rows
    assert f"**{results['best']}** (best)" in table
    assert (out / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # best.yaml is a `train run` config of the best point, with a folder of its own.
    best_config = parse_args(["--config", str(out / "best.yaml")])
    chosen = next(p for p in points if p["id"] == results["best"])
    assert best_config.learning_rate == chosen["settings"]["learning_rate"]
    assert best_config.batch_size == chosen["settings"]["batch_size"]
    assert best_config.model == "tiny-seq2seq" and best_config.max_steps == 4
    assert Path(best_config.output_dir) == out / "best-run"

    # A second invocation skips every finished point: nothing is trained again.
    untouched = runs[1] / "train_result.json"
    before = untouched.stat().st_mtime_ns
    again = runner.invoke(app, command)
    assert again.exit_code == 0, again.output
    assert again.stderr.count("finished before, skipped") == 4
    assert "started" not in again.stderr
    assert untouched.stat().st_mtime_ns == before
    assert json.loads((out / "results.json").read_text())["best"] == results["best"]


def test_an_interrupted_point_resumes_from_its_checkpoint(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    """The point's own process, here in-process: after a finished run loses its result (as
    when killed after the step-2 checkpoint), the rerun resumes at step 2, not from 0."""
    run = tmp_path / "run"
    run.mkdir()
    settings = {
        **TINY_BASE,
        "model": "tiny-seq2seq",
        "data": str(corporate_pairs),
        "schema": [str(corporate_store_path)],
        "output_dir": str(run),
    }
    point = run / POINT_CONFIG
    point.write_text(yaml.safe_dump(settings))
    first = run_point(point, test_examples=2, test_k=1)
    assert first["questions"] == 2 and finished(run)
    assert not finished(tmp_path)

    for name in ("model", "best"):
        shutil.rmtree(run / name, ignore_errors=True)
    (run / "train_result.json").unlink()
    assert not finished(run)
    steps_before = evaluated_steps(run)
    run_point(point, test_examples=2, test_k=1)
    assert finished(run)
    assert json.loads((run / "train_result.json").read_text())["global_step"] == 4
    # Resumed at step 2: the final evaluation at step 4 is logged once more, nothing before.
    steps_after = evaluated_steps(run)
    assert steps_after == [*steps_before, 4]

    # No checkpoint: a fresh start that first clears the old run's files.
    shutil.rmtree(run / "checkpoints")
    (run / "train_result.json").unlink()
    run_point(point, test_examples=2, test_k=1)
    steps_fresh = evaluated_steps(run)
    assert steps_fresh == [4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("space: {learning_rat: [1, 2]}\n", "unknown training settings in space: learning_rat"),
        ("base: {max_step: 3}\nspace: {seed: [1, 2]}\n", "in base: max_step"),
        ("space: {}\n", "empty search space"),
        ("space: {seed: []}\n", "space seed: an empty list"),
        ("space: {seed: [1, 2]\n", "not valid YAML"),
        ("grid: {seed: [1, 2]}\n", "unknown keys grid"),
        ("space: {batch_size: [0, 4]}\n", "batch_size and gradient_accumulation_steps"),
        ("space: {output_dir: [a, b]}\n", "the sweep sets these itself"),
        ("space: {learning_rate: {min: 1.0e-4, max: 1.0e-2}}\n", "a range needs search: random"),
        ("search: random\nspace: {seed: [1, 2]}\n", "needs samples"),
        ("preset: huge\nspace: {seed: [1, 2]}\n", "preset 'huge'"),
    ],
)
def test_a_bad_sweep_file_exits_2_before_anything_starts(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path, text: str, message: str
) -> None:
    out = tmp_path / "sweep"
    config = tmp_path / "sweep.yaml"
    config.write_text(
        text + f"data: {corporate_pairs}\nschema: [{corporate_store_path}]\noutput: {out}\n"
    )
    result = CliRunner().invoke(app, ["train", "sweep", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not out.exists()


def test_missing_data_is_refused(tmp_path: Path, corporate_store_path: Path) -> None:
    config = write_sweep(
        tmp_path / "s.yaml",
        space={"seed": [1, 2]},
        data=str(tmp_path / "nowhere"),
        schema=[str(corporate_store_path)],
        output=str(tmp_path / "out"),
    )
    with pytest.raises(ConfigError, match="nowhere does not exist"):
        read_sweep(config)


def test_random_search_draws_distinct_stable_points(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    config = write_sweep(
        tmp_path / "s.yaml",
        preset="tiny-seq2seq",
        search="random",
        samples=5,
        seed=11,
        space={
            "learning_rate": {"min": 1.0e-4, "max": 1.0e-2, "log": True},
            "max_steps": {"min": 10, "max": 50},
            "batch_size": [4, 8],
        },
        data=str(corporate_pairs),
        schema=[str(corporate_store_path)],
        output=str(tmp_path / "out"),
    )
    spec = read_sweep(config)
    assert isinstance(spec.space["learning_rate"], Range)
    assert len(spec.points) == 5 and len({p.id for p in spec.points}) == 5
    for point in spec.points:
        assert 1e-4 <= point.varied["learning_rate"] <= 1e-2
        assert isinstance(point.varied["max_steps"], int) and 10 <= point.varied["max_steps"] <= 50
        assert point.settings["model"] == "tiny-seq2seq"  # from the preset
    assert [p.id for p in read_sweep(config).points] == [p.id for p in spec.points]
    # More samples than a list-only space holds: each combination once.
    small = write_sweep(
        tmp_path / "small.yaml",
        search="random",
        samples=10,
        space={"seed": [1, 2, 3]},
        data=str(corporate_pairs),
        schema=[str(corporate_store_path)],
        output=str(tmp_path / "out"),
    )
    assert sorted(p.varied["seed"] for p in read_sweep(small).points) == [1, 2, 3]


def test_point_ids_follow_the_settings_not_their_spelling(
    tmp_path: Path, corporate_pairs: Path, corporate_store_path: Path
) -> None:
    common = {
        "data": str(corporate_pairs),
        "schema": [str(corporate_store_path)],
        "output": str(tmp_path / "out"),
    }
    one = read_sweep(write_sweep(tmp_path / "a.yaml", space={"learning_rate": [0.001]}, **common))
    other = read_sweep(
        write_sweep(tmp_path / "b.yaml", space={"learning_rate": ["1e-3", 0.002]}, **common)
    )
    assert one.points[0].id == other.points[0].id
    assert one.points[0].id != other.points[1].id


def test_resources_share_the_cores() -> None:
    assert plan_resources(4, device="cpu", available_cores=2) == plan_resources(
        4, parallel=2, device="cpu", available_cores=2
    )
    two = plan_resources(4, device="cpu", available_cores=2)
    assert (two.parallel, two.threads, two.gpus) == (2, 1, ())
    wide = plan_resources(4, device="cpu", available_cores=16)
    assert (wide.parallel, wide.threads) == (4, 4)
    assert plan_resources(4, threads=2, device="cpu", available_cores=8).parallel == 4
    assert plan_resources(1, device="cpu", available_cores=8).threads == 8
    with pytest.raises(ConfigError, match="more than the 2 cores"):
        plan_resources(4, parallel=2, threads=2, device="cpu", available_cores=2)
