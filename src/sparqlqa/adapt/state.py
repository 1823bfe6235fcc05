"""``adapt.json``: what a graph folder was made from, and which stages finished.

``inputs_of`` lists what makes the folder (files with their hashes, ontology, endpoint,
templates, model preset, seed, pair cap); ``State.open`` refuses a folder made from other
inputs, and ``check_inputs`` fails early, naming a missing file or an unreachable endpoint.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparqlqa.adapt.args import DEFAULT_LANGUAGES, AdaptArgs
from sparqlqa.errors import ConfigError
from sparqlqa.kg.embedded import rdf_format
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.locks import LOCK_FILE

STATE_FILE = "adapt.json"
STATE_VERSION = 1


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return {"path": str(path.resolve()), "size": path.stat().st_size, "sha256": sha.hexdigest()}


def check_inputs(args: AdaptArgs) -> None:
    """Fail early, naming the culprit: a missing or unreadable file, an unknown RDF syntax,
    an endpoint that does not answer."""
    for kind, files in (("RDF file", args.files), ("ontology file", args.ontology)):
        for path in files:
            if not path.is_file():
                raise ConfigError(f"{kind} not found: {path}")
            rdf_format(path)  # raises ConfigError naming the file for unknown extensions
    for path in args.templates:
        if not path.exists():
            raise ConfigError(f"template file not found: {path}")
    if args.endpoint:
        # Raises EndpointUnreachable / EndpointError naming the URL.
        with RemoteEndpoint(
            args.endpoint, default_graph=args.endpoint_graph, timeout_s=20.0, retries=1
        ) as endpoint:
            endpoint.ask("ASK { ?s ?p ?o }")


def inputs_of(args: AdaptArgs) -> dict[str, Any]:
    """What the folder is made of; a re-run with other inputs is refused."""
    return {
        "files": [_digest(p) for p in args.files],
        "ontology": [_digest(p) for p in args.ontology],
        "endpoint": args.endpoint,
        "endpoint_graph": args.endpoint_graph,
        "templates": [_digest(p) for p in _template_files(args.templates)],
        "sets": list(args.sets),
        "model": args.model,
        # Only when given, so folders made before per-graph adapters stay current.
        **({"base": str(args.base)} if args.base is not None else {}),
        "seed": args.seed,
        "max_pairs": args.max_pairs,
        "composed_share": args.composed_share,
        # Only when not the default, so folders made before languages existed stay current.
        **({"languages": args.languages} if args.languages != DEFAULT_LANGUAGES else {}),
    }


def _template_files(paths_: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths_:
        out += sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
    return out


class State:
    """``adapt.json``: the inputs, and per finished stage when it ended and what it made."""

    def __init__(self, folder: Path, data: dict[str, Any]) -> None:
        self.folder = folder
        self.data = data

    @classmethod
    def open(cls, folder: Path, inputs: dict[str, Any], force: bool) -> State:
        """The state of ``folder``: read when it was made from the same inputs, new for an
        empty or missing folder (``force``: whatever it holds is deleted first)."""
        path = folder / STATE_FILE
        # The run's lock file (sparqlqa.locks) is no content, and stays: it is held now.
        contents = [p for p in folder.iterdir() if p.name != LOCK_FILE] if folder.exists() else []
        if contents:
            if force:
                for item in contents:
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
            elif not path.is_file():
                raise ConfigError(
                    f"{folder} is not empty and holds no {STATE_FILE}: it is not a folder "
                    "made by `sparqlqa adapt`; pick another --output or pass --force to "
                    "replace its contents"
                )
            else:
                data = json.loads(path.read_text())
                changed = [k for k, v in inputs.items() if data.get("inputs", {}).get(k) != v]
                if changed:
                    raise ConfigError(
                        f"{folder} was adapted from other inputs (changed: "
                        f"{', '.join(changed)}); pass --force to start again from scratch, "
                        "or pick another --output"
                    )
                return cls(folder, data)
        folder.mkdir(parents=True, exist_ok=True)
        state = cls(folder, {"version": STATE_VERSION, "inputs": inputs, "stages": {}})
        state.save()
        return state

    @property
    def stages(self) -> dict[str, dict[str, Any]]:
        """What each finished stage recorded, by stage name, in the order they finished."""
        stages: dict[str, dict[str, Any]] = self.data["stages"]
        return stages

    def done(self, stage: str) -> bool:
        return stage in self.stages

    def info(self, stage: str) -> dict[str, Any]:
        return dict(self.stages.get(stage, {}))

    def finish(self, stage: str, seconds: float, **info: Any) -> None:
        """Record ``stage`` as finished (and save at once)."""
        self.stages[stage] = {
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(seconds, 2),
            **info,
        }
        self.save()

    def save(self) -> None:
        path = self.folder / STATE_FILE
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(self.data, indent=2) + "\n")
        partial.replace(path)


def finished_stages(folder: Path) -> set[str] | None:
    """The stages ``adapt.json`` records as finished; None when it is missing or unreadable
    (an unreadable one: the empty set)."""
    state = folder / STATE_FILE
    if not state.is_file():
        return None
    try:
        return set(json.loads(state.read_text()).get("stages", {}))
    except ValueError:
        return set()
