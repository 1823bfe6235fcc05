"""The stage loop of ``sparqlqa adapt``: run the stages not finished yet, record each."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sparqlqa.adapt.args import AdaptArgs, Log, default_log
from sparqlqa.adapt.learn import EvaluateStage, RankStage, TrainStage
from sparqlqa.adapt.report import AdaptReport, write_report
from sparqlqa.adapt.stages import (
    Context,
    GenerateStage,
    GraphStage,
    IndexStage,
    SchemaStage,
    Stage,
    StoreStage,
)
from sparqlqa.adapt.state import State, check_inputs, finished_stages, inputs_of
from sparqlqa.locks import folder_lock

#: The stages in the order they run.
PIPELINE: tuple[Stage, ...] = (
    StoreStage(),
    SchemaStage(),
    IndexStage(),
    GenerateStage(),
    TrainStage(),
    RankStage(),
    EvaluateStage(),
    GraphStage(),
)
STAGES = tuple(stage.name for stage in PIPELINE)


@dataclass
class AdaptResult:
    folder: Path
    ran: list[str]  # stages run in this call
    skipped: list[str]  # stages found finished
    report: AdaptReport | None  # report.json (None when there was nothing to evaluate)
    seconds: float


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` is a finished graph folder: every adapt stage done (or, for a folder
    made by hand, a graph.json and a model)."""
    finished = finished_stages(folder)
    if finished is not None:
        return finished >= set(STAGES) and (folder / "graph.json").is_file()
    return (folder / "graph.json").is_file() and (folder / "model" / "config.json").is_file()


def adapt(
    args: AdaptArgs,
    *,
    log: Log = default_log,
    after_stage: Callable[[str], None] | None = None,
) -> AdaptResult:
    """Run the stages not yet finished in ``args.output`` (see the package docstring).

    ``after_stage`` is called with each stage's name once it is recorded as finished (tests
    use it to interrupt a run).
    """
    started = time.perf_counter()
    check_inputs(args)
    with folder_lock(args.folder, "sparqlqa adapt"):  # one adapt per graph folder at a time
        return _adapt(args, log, after_stage, started)


def _adapt(
    args: AdaptArgs, log: Log, after_stage: Callable[[str], None] | None, started: float
) -> AdaptResult:
    state = State.open(args.folder, inputs_of(args), args.force)
    ctx = Context(args, state, log)
    ran: list[str] = []
    skipped: list[str] = []
    try:
        for number, stage in enumerate(PIPELINE, 1):
            where = f"[{number}/{len(PIPELINE)}] {stage.name}"
            # graph.json is cheap and carries the name and dataset ids: always written again.
            if state.done(stage.name) and not isinstance(stage, GraphStage):
                skipped.append(stage.name)
                log(f"{where}: done before, skipped")
                continue
            log(f"{where} ...")
            begun = time.perf_counter()
            info = stage.run(ctx)
            seconds = time.perf_counter() - begun
            state.finish(stage.name, seconds, **info)
            ran.append(stage.name)
            log(f"{where}: done in {seconds:.1f} s")
            if after_stage is not None:
                after_stage(stage.name)
    finally:
        ctx.close()
    report = AdaptReport.read(args.folder)
    if report is not None:  # now with the time of every stage
        report.stage_seconds = {n: i.get("seconds") for n, i in state.stages.items()}
        write_report(args.folder, report)
    return AdaptResult(args.folder, ran, skipped, report, time.perf_counter() - started)
