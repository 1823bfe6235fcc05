"""What a sweep leaves beside its run folders: the results table (``results.json``,
``results.md``), a plot (``results.png``) and the best point's config (``best.yaml``).

Each is rewritten whole after every point that finishes (JSON through a temporary file and a
rename), so a crash loses at most the points that were running.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from sparqlqa.training.sweep_point import TEST_FILE
from sparqlqa.training.sweep_spec import Point, SweepSpec

log = logging.getLogger(__name__)

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
RESULTS_PNG = "results.png"
BEST_YAML = "best.yaml"


@dataclass
class Row:
    """One point's line of the results table."""

    id: str
    status: str  # pending, running, done or failed
    settings: dict[str, Any]
    run_dir: str
    global_step: int | None = None
    stopped: str | None = None
    dev_exact_match: float | None = None
    dev_loss: float | None = None
    test_exact_match: float | None = None
    test_answer_f1: float | None = None
    test_questions: int | None = None
    train_seconds: float | None = None
    test_seconds: float | None = None
    seconds: float | None = None
    examples_per_s: float | None = None
    error: str | None = None


def read_row(point: Point, run_dir: Path, status: str, error: str | None = None) -> Row:
    """The row of ``point`` from what its run folder holds (missing files: empty figures)."""
    row = Row(point.id, status, point.varied, str(run_dir), error=error)
    result = _json(run_dir / "train_result.json")
    if result:
        row.global_step = result.get("global_step")
        row.stopped = result.get("stopped")
        row.dev_exact_match = result.get("best_exact_match")
        row.train_seconds = result.get("elapsed_s")
        row.examples_per_s = _round(result.get("examples_per_s"), 2)
        row.dev_loss = _best_dev_loss(run_dir / "metrics.jsonl")
    test = _json(run_dir / TEST_FILE)
    if test:
        row.test_exact_match = _round(test.get("exact_match"), 4)
        row.test_answer_f1 = _round(test.get("answer_f1"), 4)
        row.test_questions = test.get("questions")
        row.test_seconds = test.get("seconds")
    if row.train_seconds is not None:
        row.seconds = round(row.train_seconds + (row.test_seconds or 0.0), 1)
    return row


def best_row(rows: list[Row]) -> Row | None:
    """The finished point with the best dev exact match (ties: lower dev loss, then the
    first); None when no point has a dev figure. Test figures never choose."""
    scored = [r for r in rows if r.status == "done" and r.dev_exact_match is not None]
    if not scored:
        return None
    return max(
        scored,
        key=lambda r: (
            r.dev_exact_match,
            -(r.dev_loss if r.dev_loss is not None else math.inf),
        ),
    )


def write_results(spec: SweepSpec, rows: list[Row], *, plot: bool = True) -> Row | None:
    """results.json, results.md, best.yaml and (``plot``) results.png in the sweep's output
    folder; the best row."""
    out = spec.output
    out.mkdir(parents=True, exist_ok=True)
    best = best_row(rows)
    document = {
        "sweep": spec.describe(),
        "best": best.id if best else None,
        "points": [asdict(r) for r in rows],
    }
    _write_atomic(out / RESULTS_JSON, json.dumps(document, indent=2) + "\n")
    _write_atomic(out / RESULTS_MD, markdown(spec, rows, best))
    if best is not None:
        point = next(p for p in spec.points if p.id == best.id)
        _write_atomic(out / BEST_YAML, best_yaml(spec, point, best))
    if plot:
        write_plot(out / RESULTS_PNG, rows)
    return best


def markdown(spec: SweepSpec, rows: list[Row], best: Row | None) -> str:
    """The results as a Markdown table, one line per point, the best marked."""
    names = list(spec.space)
    head = ["point", *names, "status", "steps", "dev EM", "test EM", "test F1", "s", "ex/s"]
    lines = [
        f"# Sweep: {spec.search} search, {len(rows)} points",
        "",
        f"Data {spec.data}, schema {', '.join(spec.schema)}"
        + (f", preset {spec.preset}" if spec.preset else "")
        + f"; test: {spec.test_examples or 'all'} pairs, k={spec.test_k}. "
        "Best by dev exact match (ties: lower dev loss).",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join("---" for _ in head) + " |",
    ]
    for row in rows:
        name = f"**{row.id}** (best)" if best is not None and row.id == best.id else row.id
        cells = [
            name,
            *(_cell(row.settings.get(n)) for n in names),
            row.status,
            _cell(row.global_step),
            _cell(row.dev_exact_match),
            _cell(row.test_exact_match),
            _cell(row.test_answer_f1),
            _cell(row.seconds),
            _cell(row.examples_per_s),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def best_yaml(spec: SweepSpec, point: Point, row: Row) -> str:
    """The best point's settings as a ``sparqlqa train run --config`` file (its own output
    folder, so running it leaves the sweep alone)."""
    settings = {**point.settings, "output_dir": str(spec.output / "best-run")}
    header = (
        f"# Best point {point.id} of the sweep in {spec.output} by dev exact match "
        f"({row.dev_exact_match}); test exact match {row.test_exact_match}.\n"
        f"# sparqlqa train run --config {spec.output / BEST_YAML}\n"
    )
    return header + yaml.safe_dump(settings, sort_keys=False)


def write_plot(path: Path, rows: list[Row]) -> None:
    """Dev and test exact match (and test answer F1) per finished point, as bars."""
    done = [r for r in rows if r.status == "done"]
    if not done:
        return
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: a file only
        import matplotlib.pyplot as plt
    except ImportError:  # matplotlib is in the ml extra; the table does not need it
        log.warning("matplotlib is not installed: no %s", path.name)
        return
    labels = [
        r.id + "\n" + ", ".join(f"{k}={_cell(v)}" for k, v in r.settings.items()) for r in done
    ]
    series = [
        ("dev exact match", [r.dev_exact_match or 0.0 for r in done]),
        ("test exact match", [r.test_exact_match or 0.0 for r in done]),
        ("test answer F1", [r.test_answer_f1 or 0.0 for r in done]),
    ]
    height = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.6 * len(done)))
    for i, (name, values) in enumerate(series):
        positions = [j + i * height for j in range(len(done))]
        ax.barh(positions, values, height=height, label=name)
    ax.set_yticks([j + height for j in range(len(done))], labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("score")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _best_dev_loss(metrics: Path) -> float | None:
    """The dev loss of the best evaluation (the trainer's rule: highest exact match, then
    lowest loss)."""
    if not metrics.is_file():
        return None
    lines = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    lines = [x for x in lines if "dev_exact_match" in x and "dev_loss" in x]
    if not lines:
        return None
    best = max(lines, key=lambda x: (x["dev_exact_match"], -x["dev_loss"]))
    return _round(best["dev_loss"], 4)


def _round(value: Any, digits: int) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
