"""Per-graph experts against one model per graph, on two graphs (issue #18).

Run::

    PYTHONPATH=src OMP_NUM_THREADS=1 .venv/bin/python bench/experts_bench.py \\
        --graph var/graphs/corporate --graph var/graphs/music --out var/experts \\
        [--base-steps 120] [--adapter-steps 50] [--generated 50] [--threads 1]

Each ``--graph`` is a finished graph folder of ``sparqlqa adapt`` (pairs/, store/,
schema.json, model/, maybe ranker/): its own model is the "one model per graph" side. The
folders are only read: everything is copied under ``--out``:

1. ``base/``: one MiniLM translator (the ``minilm-seq2seq`` training preset, as adapt's)
   trained for ``--base-steps`` on all graphs' pairs together (``sparqlqa train run
   --graphs``);
2. ``<name>-expert/``: a copy of each graph folder whose ``model/`` is a LoRA adapter (rank
   ``adapt.learn.LORA_R``) trained for ``--adapter-steps`` on that graph's pairs alone, the
   base frozen (what ``sparqlqa adapt --base`` trains); its wall time is the "training time
   of a new graph";
3. ``<name>-single/``: a copy of the graph folder as it is (its own model);
4. answer F1 (macro, ``sparqlqa eval``) on a seeded sample of each graph's generated test
   split, and TEXT2SPARQL set F1 on the realistic test half (``--realistic NAME=FILE``,
   ``split: test``; only scored, never printed), for both sides; translators unquantized
   on both sides (``SPARQLQA_QUANTIZE=none``: the adapters' shared base is never quantized);
5. the resident memory of one process that opens all graphs of a side and answers a
   question on each (as a service holding them does).

The table is printed as Markdown and written to ``<out>/experts.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REALISTIC = {
    "corporate": ROOT / "src/sparqlqa/eval/data/corporate-realistic.yml",
    "music": ROOT / "src/sparqlqa/eval/data/music-realistic.yml",
}
SKIP = shutil.ignore_patterns("model", "train", "eval", "adapt.lock")


def run_settings(out: Path, steps: int, threads: int) -> dict[str, Any]:
    """The first-run preset's training settings for a run of ``steps`` into ``out`` (no
    intermediate evaluations or checkpoints)."""
    from sparqlqa.training.presets import TRAINING_PRESETS

    return {
        **TRAINING_PRESETS["minilm-seq2seq"],
        "output_dir": str(out),
        "overwrite_output_dir": True,
        "max_steps": steps,
        "eval_steps": 0,
        "eval_examples": 50,
        "save_steps": 0,
        "num_threads": threads,
    }


def train_base(graphs: list[Path], out: Path, steps: int, threads: int) -> tuple[Path, float]:
    """The shared base, trained on every graph's pairs; its folder and wall seconds."""
    from sparqlqa.training.config import from_dict
    from sparqlqa.training.train import train

    settings = {
        **run_settings(out, steps, threads),
        "graphs": [str(g) for g in graphs],
        "model": "minilm-seq2seq",
    }
    start = time.perf_counter()
    result = train(from_dict(settings))
    return result.model_dir, time.perf_counter() - start


def train_adapter(folder: Path, base: Path, steps: int, threads: int) -> float:
    """``folder/model``: a LoRA adapter on ``base`` trained on the folder's pairs, the
    settings ``sparqlqa adapt --base`` uses; its wall seconds."""
    from sparqlqa.adapt.learn import LORA_R
    from sparqlqa.training.config import from_dict
    from sparqlqa.training.train import train

    settings = {
        **run_settings(folder / "train", steps, threads),
        "data": str(folder / "pairs"),
        "schema": [str(folder / "store"), str(folder / "schema.json")],
        "model": str(base),
        "lora_r": LORA_R,
        "merge_adapter": False,
    }
    start = time.perf_counter()
    result = train(from_dict(settings))
    seconds = time.perf_counter() - start
    shutil.copytree(result.model_dir, folder / "model")
    return seconds


def evaluate(folder: Path, dataset: Path, out: Path, extra: list[str]) -> float:
    """One ``sparqlqa eval`` run of the folder's pipeline; its headline F1."""
    command = [
        sys.executable,
        "-m",
        "sparqlqa.cli",
        "eval",
        "--dataset",
        str(dataset),
        "--system",
        str(folder),
        "--store",
        str(folder / "store"),
        "--out",
        str(out),
        "--overwrite",
        "--no-progress",
        *extra,
    ]
    env = {**os.environ, "SPARQLQA_QUANTIZE": "none"}
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    answer = json.loads((out / "report.json").read_text())["answer"]
    key = "text2sparql_set_f1" if "--format" in extra and "text2sparql" in extra else "macro_f1"
    return float(answer[key])


def resident_mb(folders: list[Path]) -> float:
    """The peak resident memory (MB) of a process that opens ``folders`` and answers one
    question on each."""
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from sparqlqa.qa.graphs import GraphSettings, open_graph\n"
        "graphs = [open_graph(Path(f), GraphSettings(quantize='none')) for f in sys.argv[1:]]\n"
        "for g in graphs:\n"
        "    g.pipeline.answer('How many are there?')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, folders)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, action="append", required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "experts")
    parser.add_argument("--base-steps", type=int, default=120)
    parser.add_argument("--adapter-steps", type=int, default=50)
    parser.add_argument("--generated", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    names = [json.loads((g / "graph.json").read_text())["name"] for g in args.graph]
    figures: dict[str, Any] = {
        "base_steps": args.base_steps,
        "adapter_steps": args.adapter_steps,
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start",
    }
    singles, experts = [], []
    for name, graph in zip(names, args.graph, strict=True):
        single, expert = out / f"{name}-single", out / f"{name}-expert"
        if not single.exists():
            shutil.copytree(graph, single, ignore=shutil.ignore_patterns("eval", "adapt.lock"))
        if expert.exists():
            shutil.rmtree(expert)
        shutil.copytree(graph, expert, ignore=SKIP)
        singles.append(single)
        experts.append(expert)

    def measure(side: str, folders: list[Path]) -> None:
        for name, folder in zip(names, folders, strict=True):
            generated = ["--format", "jsonl", "--limit", str(args.generated), "--seed", "0"]
            test = folder / "pairs" / "test.jsonl"
            figures[f"{name}_{side}_generated_f1"] = evaluate(
                folder, test, out / "eval" / f"{name}-{side}-gen", generated
            )
            if name in REALISTIC:
                realistic = ["--format", "text2sparql", "--split", "test", "--language", "en"]
                figures[f"{name}_{side}_realistic_f1"] = evaluate(
                    folder, REALISTIC[name], out / "eval" / f"{name}-{side}-real", realistic
                )
            print(side, name, {k: v for k, v in figures.items() if name in k}, flush=True)
        figures[f"{side}_rss_mb"] = resident_mb(folders)
        print(f"{side}: {figures[side + '_rss_mb']:.0f} MB resident", flush=True)

    # One model per graph first: it needs no training (and a broken step shows at once).
    measure("single", singles)
    base, figures["base_s"] = train_base(experts, out / "base", args.base_steps, args.threads)
    print(f"base: {args.base_steps} steps in {figures['base_s']:.0f} s", flush=True)
    for name, expert in zip(names, experts, strict=True):
        seconds = train_adapter(expert, base, args.adapter_steps, args.threads)
        figures[f"{name}_adapter_s"] = seconds
        print(f"{name} adapter: {args.adapter_steps} steps in {seconds:.0f} s", flush=True)
    measure("expert", experts)
    (out / "experts.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
