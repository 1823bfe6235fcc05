"""A sweep's YAML file: fixed settings, the search space, and the points it expands to.

A sweep file::

    preset: tiny-seq2seq        # optional: the model and its training preset's settings
    base: {max_steps: 40}       # fixed settings (any key of TrainConfig)
    search: grid                # grid: every combination; random: `samples` draws
    samples: 4                  # random only
    seed: 0                     # random only: the seed of the draws
    space:                      # the settings that vary: a list of values each, or (random
      learning_rate: [1.0e-3, 3.0e-3]   # only) a range {min, max, log}
      batch_size: [4, 8]
    data: pairs/                # optional here: --data, --schema, --output override them
    schema: [store/]
    output: sweeps/first
    test_examples: 200          # test pairs scored per point (0: all)
    test_k: 1                   # candidates per test question

Everything is checked before anything runs: unknown keys, unknown settings, bad values (each
point is built as a ``TrainConfig``), an empty space, missing data. A point's id is a hash of
its explicit settings, so the same settings always land in the same run folder.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sparqlqa.errors import ConfigError
from sparqlqa.training.config import TrainConfig, from_dict
from sparqlqa.training.presets import TRAINING_PRESETS

#: The keys a sweep file may have.
SWEEP_KEYS = (
    "preset",
    "base",
    "search",
    "samples",
    "seed",
    "space",
    "data",
    "schema",
    "output",
    "test_examples",
    "test_k",
)
#: Settings the sweep itself decides for every point (its run folder, resume, its threads).
MANAGED = ("output_dir", "resume", "overwrite_output_dir", "num_threads")
#: Settings that are the sweep's inputs rather than something to vary.
FIXED_ONLY = ("data", "schema")


@dataclass(frozen=True)
class Range:
    """A continuous (or whole-number) interval to draw from in a random search."""

    low: float
    high: float
    log: bool
    whole: bool  # the setting is an int: draws are rounded

    def draw(self, rng: random.Random) -> float | int:
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if self.whole:
            return round(value)
        # Three significant digits: the table and best.yaml stay readable.
        return float(f"{value:.3g}")


Dimension = list[Any] | Range


@dataclass(frozen=True)
class Point:
    """One training run of the sweep."""

    id: str
    varied: dict[str, Any]  # the space's settings of this point
    settings: dict[str, Any]  # every explicit setting: preset, base, varied, data, schema


@dataclass
class SweepSpec:
    """A checked sweep file (see the module docstring)."""

    search: str
    space: dict[str, Dimension]
    base: dict[str, Any]
    data: str
    schema: list[str]
    output: Path
    preset: str | None = None
    samples: int = 0
    seed: int = 0
    test_examples: int = 200
    test_k: int = 1
    points: list[Point] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """The sweep's own settings, for results.json."""
        return {
            "search": self.search,
            "samples": self.samples if self.search == "random" else None,
            "seed": self.seed,
            "preset": self.preset,
            "base": self.base,
            "space": {
                k: v if isinstance(v, list) else {"min": v.low, "max": v.high, "log": v.log}
                for k, v in self.space.items()
            },
            "data": self.data,
            "schema": self.schema,
            "test_examples": self.test_examples,
            "test_k": self.test_k,
        }


def read_sweep(
    path: Path,
    *,
    data: str | None = None,
    schema: list[str] | None = None,
    output: str | None = None,
) -> SweepSpec:
    """The sweep file at ``path`` with the command line's overrides, checked and expanded
    into its points; any problem is a ``ConfigError`` that names it."""
    if not path.is_file():
        raise ConfigError(f"sweep file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping (preset, base, search, space...)")
    unknown = sorted(set(raw) - set(SWEEP_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown keys {', '.join(map(str, unknown))} (known: {', '.join(SWEEP_KEYS)})"
        )
    try:
        return _build(raw, data=data, schema=schema, output=output)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _build(
    raw: dict[str, Any], *, data: str | None, schema: list[str] | None, output: str | None
) -> SweepSpec:
    known = {f for f in typing.get_type_hints(TrainConfig)}
    base = _mapping(raw.get("base"), "base")
    space_raw = _mapping(raw.get("space"), "space")
    for where, keys in (("base", base), ("space", space_raw)):
        bad = sorted(set(keys) - known)
        if bad:
            raise ConfigError(
                f"unknown training settings in {where}: {', '.join(map(str, bad))} "
                "(see sparqlqa train run --help)"
            )
        managed = sorted(set(keys) & set(MANAGED))
        if managed:
            raise ConfigError(
                f"{where} sets {', '.join(managed)}: the sweep sets these itself "
                "(run folders, resume; threads with --threads)"
            )
    fixed = sorted(set(space_raw) & set(FIXED_ONLY))
    if fixed:
        raise ConfigError(f"space varies {', '.join(fixed)}: give them once (top level or base)")
    if not space_raw:
        raise ConfigError("empty search space: give space: with at least one setting to vary")

    search = str(raw.get("search", "grid"))
    if search not in ("grid", "random"):
        raise ConfigError(f"search {search!r}: use grid or random")
    hints = typing.get_type_hints(TrainConfig)
    space = {
        name: _dimension(name, value, hints[name], search) for name, value in space_raw.items()
    }
    samples = _whole(raw.get("samples", 0), "samples")
    if search == "random" and samples < 1:
        raise ConfigError("search: random needs samples: N (N ≥ 1)")

    preset = raw.get("preset")
    preset_settings: dict[str, Any] = {}
    if preset is not None:
        preset = str(preset)
        if preset not in TRAINING_PRESETS:
            raise ConfigError(f"preset {preset!r}: use one of {', '.join(TRAINING_PRESETS)}")
        if "model" in base and base["model"] != preset:
            raise ConfigError(f"preset {preset} and base model {base['model']}: give one")
        preset_settings = {"model": preset, **TRAINING_PRESETS[preset]}

    data_value = data if data is not None else raw.get("data", base.get("data"))
    schema_value: Any = schema if schema else raw.get("schema", base.get("schema"))
    output_value = output if output is not None else raw.get("output")
    if not data_value:
        raise ConfigError("no training pairs: set data: (or --data)")
    if not schema_value:
        raise ConfigError("no schema source: set schema: (or --schema)")
    if not output_value:
        raise ConfigError("no output folder: set output: (or --output)")
    schema_list = [
        str(s) for s in ([schema_value] if isinstance(schema_value, str) else schema_value)
    ]
    for source in [str(data_value), *schema_list]:
        if not Path(source).exists():
            raise ConfigError(f"{source} does not exist (data or schema source)")

    fixed_settings = {
        **preset_settings,
        **{k: v for k, v in base.items() if k not in FIXED_ONLY},
        "data": str(data_value),
        "schema": schema_list,
    }
    spec = SweepSpec(
        search=search,
        space=space,
        base=base,
        data=str(data_value),
        schema=schema_list,
        output=Path(str(output_value)),
        preset=preset,
        samples=samples,
        seed=_whole(raw.get("seed", 0), "seed"),
        test_examples=_whole(raw.get("test_examples", 200), "test_examples"),
        test_k=max(1, _whole(raw.get("test_k", 1), "test_k")),
    )
    spec.points = _points(spec, fixed_settings)
    return spec


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{name}: expected a mapping of settings, got {type(value).__name__}")
    return value


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name}: expected a whole number ≥ 0, got {value!r}")
    return value


def _dimension(name: str, value: Any, kind: Any, search: str) -> Dimension:
    """One setting of the space: its values, or a range to draw from."""
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"space {name}: an empty list of values")
        if any(isinstance(v, (list, dict)) for v in value):
            raise ConfigError(f"space {name}: values must be single values")
        return value
    if isinstance(value, dict):
        if search != "random":
            raise ConfigError(f"space {name}: a range needs search: random (grid takes lists)")
        extra = sorted(set(value) - {"min", "max", "log"})
        if extra or "min" not in value or "max" not in value:
            raise ConfigError(f"space {name}: a range is {{min: A, max: B, log: true|false}}")
        if kind not in (int, float):
            raise ConfigError(f"space {name}: a range needs a numeric setting; give a list")
        try:
            low, high = float(value["min"]), float(value["max"])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"space {name}: min and max must be numbers") from exc
        log = bool(value.get("log", False))
        if not low < high or (log and low <= 0):
            raise ConfigError(f"space {name}: need min < max (and min > 0 with log)")
        return Range(low, high, log, whole=kind is int)
    raise ConfigError(f"space {name}: give a list of values (or, for random, a range)")


def point_id(settings: dict[str, Any]) -> str:
    """A stable id of a point: a hash of its settings as the trainer reads them (so 5e-4
    and 0.0005 are one point)."""
    config = _config(settings)
    canonical = {k: getattr(config, k) for k in sorted(settings)}
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
    return digest[:10]


def _config(settings: dict[str, Any]) -> TrainConfig:
    return from_dict({**settings, "output_dir": "-"})


def _points(spec: SweepSpec, fixed: dict[str, Any]) -> list[Point]:
    """The grid's combinations, or ``samples`` distinct random draws; each checked as a
    ``TrainConfig``."""
    names = list(spec.space)
    combos: list[dict[str, Any]]
    if spec.search == "grid":
        lists = [typing.cast(list[Any], spec.space[n]) for n in names]
        combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*lists)]
    else:
        rng = random.Random(spec.seed)
        combos = []
        seen: set[str] = set()
        for _ in range(spec.samples * 50):  # draws of a small list space repeat: skip those
            combo = {
                n: d.draw(rng) if isinstance(d, Range) else rng.choice(d)
                for n, d in spec.space.items()
            }
            key = json.dumps(combo, sort_keys=True)
            if key not in seen:
                seen.add(key)
                combos.append(combo)
            if len(combos) == spec.samples:
                break
    points: list[Point] = []
    ids: set[str] = set()
    for combo in combos:
        settings = {**fixed, **combo}
        try:
            pid = point_id(settings)
        except ConfigError as exc:
            shown = ", ".join(f"{k}={v}" for k, v in combo.items())
            raise ConfigError(f"point {shown}: {exc}") from exc
        if pid not in ids:  # e.g. 1e-3 and 0.001 in one list
            ids.add(pid)
            points.append(Point(pid, combo, settings))
    return points
