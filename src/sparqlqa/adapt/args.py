"""What an adapt run needs (``AdaptArgs``) and where it reports its progress."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sparqlqa import paths
from sparqlqa.errors import ConfigError
from sparqlqa.ontology.retrieve import Mode

#: The training presets (``training.model.PRESETS``, written out: that module is not loaded
#: before a stage runs).
PRESETS = ("minilm-seq2seq", "tiny-seq2seq", "tiny-codegen")

#: Where a run reports what it does, one line per call (default: the ``sparqlqa.adapt``
#: logger, which the command line shows on stderr).
Log = Callable[[str], None]

logger = logging.getLogger("sparqlqa.adapt")

#: The question languages' shares of composed pairs; the same as
#: ``templates.languages.DEFAULT_LANGUAGES`` (written out: that module loads the verbalisers).
DEFAULT_LANGUAGES = "en:0.5,de:0.25,es:0.25"


def default_log(message: str) -> None:
    """A line of progress, through the ``sparqlqa.adapt`` logger."""
    logger.info(message)


@dataclass
class AdaptArgs:
    """Everything an adapt run needs; checked in ``__post_init__``. The ``adapt`` command's
    defaults are these."""

    files: list[Path] = field(default_factory=list)  # RDF files of the graph
    endpoint: str | None = None  # or a SPARQL endpoint serving it
    endpoint_graph: str | None = None  # default graph IRI at that endpoint
    ontology: list[Path] = field(default_factory=list)  # schema from these (also loaded)
    name: str | None = None  # the graph's name (default: the first file's or the host's)
    title: str = ""  # a longer name, shown by the service
    datasets: list[str] = field(default_factory=list)  # TEXT2SPARQL dataset ids routed to it
    templates: list[Path] = field(default_factory=list)  # hand-written YAML templates
    sets: list[str] = field(default_factory=list)  # shipped template sets (corporate, dbpedia)
    output: Path | None = None  # the graph folder (default: $SPARQLQA_HOME/graphs/<name>)
    model: str = "minilm-seq2seq"  # training preset, hub id or checkpoint folder
    #: A shared base model folder (``sparqlqa train run --graphs``): train only a LoRA
    #: adapter on it, kept apart (model/ names the base), for per-graph experts.
    base: Path | None = None
    train_minutes: float = 15.0  # wall-clock budget of the training stage (a cap with train_steps)
    #: Optimizer steps of the training stage (0: what train_minutes buys at the usual step
    #: time). Given, the run is the same on an idle and a busy machine; minutes only cap it.
    train_steps: int = 0
    #: Steps of the candidate ranker (adapt stage ``rank``: 16 candidates a step, MiniLM;
    #: the tiny one with a tiny translator); 0: no ranker, the first fitting candidate wins.
    #: 300 measured on the realistic corporate dev half: set F1 0.210 without, 0.254 with
    #: (docs/training.md, "The candidate ranker").
    ranker_steps: int = 300
    #: Generated questions whose enumerated candidates the ranker learns from as well
    #: (``adapt.rank.harvest_pools``; a quarter as many dev questions score it); 0: none.
    ranker_pool: int = 400
    #: The question languages of that sample (comma-separated codes of ``languages``).
    ranker_pool_languages: str = "en"
    max_pairs: int = 12_000  # generated pairs at most (about; sets the pairs per template)
    composed_share: float = 0.5  # share of max_pairs from queries composed from the schema
    #: Question languages of the composed pairs with their shares (``templates.languages``).
    languages: str = DEFAULT_LANGUAGES
    eval_questions: int = 200  # test questions the evaluation asks (a seeded sample; 0: all)
    k: int = 5  # candidate queries per question in the evaluation (as the service does)
    seed: int = 0  # drives generation, splits, training and the evaluation sample
    threads: int = 0  # torch CPU threads (0: torch's default, one per core)
    retrieval_mode: Mode = "hybrid"
    force: bool = False  # delete what is in the output folder and start again
    progress: bool = True  # progress bars of the long stages
    #: Further training settings (``training.config.TrainConfig`` fields), e.g. for tests.
    train_settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.files = [Path(f) for f in self.files]
        self.ontology = [Path(f) for f in self.ontology]
        self.templates = [Path(f) for f in self.templates]
        if self.files and self.endpoint:
            raise ConfigError("give RDF files or --endpoint, not both")
        if not self.files and not self.endpoint:
            raise ConfigError("nothing to adapt: give RDF files or --endpoint URL")
        if self.base is not None:
            self.base = Path(self.base).resolve()
            meta = self.base / "sparqlqa.json"
            if not meta.is_file():
                raise ConfigError(
                    f"--base {self.base}: not a sparqlqa model folder (sparqlqa.json missing)"
                )
            # The preset the base was built from sets the adapter's training settings and
            # the ranker's size (read here as JSON: the training package is not loaded yet).
            built_from = json.loads(meta.read_text()).get("base_model", "")
            if built_from in PRESETS:
                self.model = built_from
        if self.train_minutes <= 0:
            raise ConfigError("--train-minutes must be positive")
        if self.train_steps < 0:
            raise ConfigError("--train-steps must be 0 (from the minutes) or positive")
        if self.ranker_steps < 0:
            raise ConfigError("--ranker-steps must be 0 (no ranker) or positive")
        if self.ranker_pool < 0:
            raise ConfigError("--ranker-pool must be 0 (no pool) or positive")
        pool_languages(self.ranker_pool_languages)  # raises ConfigError
        if not 0.0 <= self.composed_share <= 1.0:
            raise ConfigError("--composed-share must be between 0 and 1")
        # Imported here: the verbalisers are not needed for `sparqlqa --help`.
        from sparqlqa.templates.languages import parse_languages

        try:
            parse_languages(self.languages)
        except ValueError as exc:
            raise ConfigError(f"--languages: {exc}") from exc
        if self.max_pairs < 10:
            raise ConfigError("--max-pairs must be at least 10")
        if self.eval_questions < 0 or self.k < 1:
            raise ConfigError("--eval-questions must be ≥ 0 and --k ≥ 1")
        self.name = self.name or _default_name(self.files, self.endpoint)
        self.output = Path(self.output) if self.output else paths.home() / "graphs" / self.name

    @property
    def folder(self) -> Path:
        assert self.output is not None  # set in __post_init__
        return self.output


def pool_languages(text: str) -> tuple[str, ...]:
    """``"en,de,es"`` → the question languages of the ranker's candidate pool; shares, as
    ``--languages`` takes them, are accepted and ignored. Raises ``ConfigError`` for an
    unknown language or none."""
    from sparqlqa.templates.languages import parse_languages  # loads the verbalisers

    try:
        return tuple(parse_languages(text))
    except ValueError as exc:
        raise ConfigError(f"--ranker-pool-languages: {exc}") from exc


#: The defaults of ``AdaptArgs``'s fields (None for the lists, which start empty): the
#: ``adapt`` command's options take theirs from here.
DEFAULTS: dict[str, Any] = {
    f.name: None if f.default is MISSING else f.default for f in fields(AdaptArgs)
}


def _default_name(files: Sequence[Path], endpoint: str | None) -> str:
    if files:
        name = Path(files[0]).name.split(".")[0]
    else:
        name = urlparse(endpoint or "").hostname or "endpoint"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "graph"
