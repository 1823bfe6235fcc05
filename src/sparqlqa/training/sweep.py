"""``sparqlqa train sweep``: train the points of a sweep in parallel processes, one run folder
each, and collect their figures.

Each point runs as ``python -m sparqlqa.training.sweep_point`` (the ``train run`` path, then
the test scoring) in ``<output>/runs/<point id>/``, with its output in ``sweep.log`` there.
On CPU, ``parallel`` processes of ``threads`` torch threads each run at once
(parallel × threads ≤ cores); with GPUs, one process per GPU (``CUDA_VISIBLE_DEVICES``).
A second invocation skips finished points and resumes the others. The results are rewritten
after every point that ends (``sweep_report``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

import yaml

import sparqlqa
from sparqlqa.errors import ConfigError
from sparqlqa.training.checkpoints import latest_checkpoint
from sparqlqa.training.sweep_point import POINT_CONFIG, finished
from sparqlqa.training.sweep_report import Row, read_row, write_results
from sparqlqa.training.sweep_spec import Point, SweepSpec

log = logging.getLogger(__name__)

LOG_FILE = "sweep.log"


@dataclass(frozen=True)
class Resources:
    """How the points share the machine: processes at once, torch threads each, and the GPU
    of each slot (empty: CPU)."""

    parallel: int
    threads: int
    gpus: tuple[str, ...] = ()


def cores() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def visible_gpus() -> int:
    """CUDA devices torch sees (torch is imported only here, for ``--device auto|cuda``)."""
    import torch

    return int(torch.cuda.device_count())


def plan_resources(
    points: int,
    *,
    parallel: int | None = None,
    threads: int | None = None,
    device: str = "auto",
    available_cores: int | None = None,
) -> Resources:
    """Processes and threads for ``points`` runs: by default as many processes as cores (at
    most one per point) sharing the cores; given both, parallel × threads must fit."""
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"--device {device!r}: use auto, cpu or cuda")
    if (parallel is not None and parallel < 1) or (threads is not None and threads < 1):
        raise ConfigError("--parallel and --threads must be at least 1")
    n_cores = available_cores or cores()
    gpus = 0 if device == "cpu" else visible_gpus()
    if device == "cuda" and not gpus:
        raise ConfigError("--device cuda: no CUDA device is visible")
    if gpus:
        n = min(parallel or gpus, max(points, 1))
        per = threads or max(1, n_cores // n)
        ids = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        names = [i.strip() for i in ids.split(",") if i.strip()] or [str(i) for i in range(gpus)]
        return Resources(n, per, tuple(names[:gpus]))
    if parallel is not None and threads is not None and parallel * threads > n_cores:
        raise ConfigError(
            f"--parallel {parallel} × --threads {threads} is more than the {n_cores} cores"
        )
    if parallel is None:
        parallel = max(1, n_cores // threads) if threads else n_cores
    parallel = min(parallel, max(points, 1))
    if threads is None:
        threads = max(1, n_cores // parallel)
    return Resources(parallel, threads)


@dataclass
class _Running:
    point: Point
    slot: int
    process: subprocess.Popen[bytes]
    log_file: IO[bytes]
    started: float


class SweepStopped(Exception):
    """SIGTERM: stop the runs (they resume next time) and write what is finished."""


def run_sweep(spec: SweepSpec, resources: Resources, *, python: str = sys.executable) -> list[Row]:
    """Run every unfinished point of ``spec`` (see the module docstring); the rows of all
    points, in the sweep's order. Points that fail are reported and marked ``failed``; the
    others still run."""
    runs = spec.output / "runs"
    rows: dict[str, Row] = {}
    pending: list[Point] = []
    for point in spec.points:
        run_dir = runs / point.id
        if finished(run_dir):
            rows[point.id] = read_row(point, run_dir, "done")
            log.info("point %s: finished before, skipped (%s)", point.id, _shown(point))
        else:
            rows[point.id] = read_row(point, run_dir, "pending")
            pending.append(point)
    log.info(
        "sweep: %d points, %d to run, %d at once (%s)",
        len(spec.points),
        len(pending),
        resources.parallel,
        f"GPUs {', '.join(resources.gpus)}"
        if resources.gpus
        else f"{resources.threads} thread{'s' if resources.threads > 1 else ''} each",
    )
    ordered = lambda: [rows[p.id] for p in spec.points]  # noqa: E731
    write_results(spec, ordered())

    running: list[_Running] = []
    previous = _on_sigterm()
    try:
        while pending or running:
            free = [s for s in range(resources.parallel) if s not in {r.slot for r in running}]
            while pending and free:
                point = pending.pop(0)
                running.append(_start(spec, point, free.pop(0), resources, python))
                rows[point.id].status = "running"
            time.sleep(0.2)
            for item in [r for r in running if r.process.poll() is not None]:
                running.remove(item)
                item.log_file.close()
                rows[item.point.id] = _ended(item, runs / item.point.id)
                write_results(spec, ordered())
    finally:
        for item in running:  # interrupted: stop the children; they resume next time
            item.process.terminate()
        for item in running:
            try:
                item.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                item.process.kill()
            item.log_file.close()
            rows[item.point.id] = read_row(item.point, runs / item.point.id, "interrupted")
        if running:
            write_results(spec, ordered())
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return ordered()


def _start(spec: SweepSpec, point: Point, slot: int, resources: Resources, python: str) -> _Running:
    """The point's process: its point.yaml written, its output to sweep.log."""
    run_dir = spec.output / "runs" / point.id
    run_dir.mkdir(parents=True, exist_ok=True)
    settings = {**point.settings, "output_dir": str(run_dir), "num_threads": resources.threads}
    (run_dir / POINT_CONFIG).write_text(yaml.safe_dump(settings, sort_keys=False))
    env = dict(os.environ)
    threads = str(resources.threads)
    # Also for the libraries torch does not configure (tokenizers, OpenMP in numpy).
    env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, TOKENIZERS_PARALLELISM="false")
    # The children import the very sparqlqa this process runs (a checkout, not whatever
    # another install would give).
    source_root = str(Path(sparqlqa.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    if resources.gpus:
        env["CUDA_VISIBLE_DEVICES"] = resources.gpus[slot % len(resources.gpus)]
    elif "CUDA_VISIBLE_DEVICES" not in env:
        env["CUDA_VISIBLE_DEVICES"] = ""  # CPU runs: no process grabs a GPU by accident
    command = [
        python,
        "-m",
        "sparqlqa.training.sweep_point",
        str(run_dir / POINT_CONFIG),
        "--test-examples",
        str(spec.test_examples),
        "--test-k",
        str(spec.test_k),
    ]
    checkpoint = latest_checkpoint(run_dir)
    how = f"resuming at {checkpoint.name}" if checkpoint else "started"
    where = f"GPU {env['CUDA_VISIBLE_DEVICES']}" if resources.gpus else f"slot {slot}"
    log.info("point %s: %s on %s (%s)", point.id, how, where, _shown(point))
    log_file = (run_dir / LOG_FILE).open("ab")
    log_file.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {how}\n".encode())
    log_file.flush()
    process = subprocess.Popen(
        command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
    )
    return _Running(point, slot, process, log_file, time.perf_counter())


def _ended(item: _Running, run_dir: Path) -> Row:
    """The row of a point whose process ended, and its line on stderr."""
    code = item.process.returncode
    seconds = time.perf_counter() - item.started
    if code == 0 and finished(run_dir):
        row = read_row(item.point, run_dir, "done")
        log.info(
            "point %s: finished in %.0f s: dev exact match %s, test exact match %s",
            item.point.id,
            seconds,
            row.dev_exact_match,
            row.test_exact_match,
        )
        return row
    last = _last_line(run_dir / LOG_FILE)
    error = f"exit status {code}: {last}" if last else f"exit status {code}"
    log.warning("point %s: failed (%s); see %s", item.point.id, error, run_dir / LOG_FILE)
    return read_row(item.point, run_dir, "failed", error=error)


def _last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    except OSError:
        return ""
    return next((line for line in reversed(lines) if line), "")[:300]


def _shown(point: Point) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.varied.items())


def _on_sigterm() -> signal.Handlers | None:
    """SIGTERM stops the sweep as Ctrl-C does (children stopped, results written); only
    the main thread may set a handler."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SweepStopped()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        return None
    return previous  # type: ignore[return-value]
