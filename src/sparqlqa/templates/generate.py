"""``sparqlqa generate``: templates in, a dataset of question/query/answer pairs out.

The run is resumable and shardable: templates are processed in a fixed order, each one's
pairs appended to ``pairs.jsonl`` and then recorded in ``progress.jsonl``; a resumed run
skips finished templates, cuts off anything written after the last finished one, and
rebuilds its memory (pairs seen, entity use) from ``pairs.jsonl``, so it ends with exactly
the pairs an uninterrupted run makes. ``--shard i/n`` takes every n-th template; splits are
decided by hashing entities, so shards agree on them without talking.

``--compose N`` adds queries composed from the schema (``templates.composed``) after all
other templates, a few pairs each, until N composed pairs are made (N/n per shard).
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sparqlqa.bundled import corporate_store
from sparqlqa.errors import (
    ConfigError,
    EndpointError,
    StoreError,
    TemplateError,
)
from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.prefixes import COMMON_PREFIXES
from sparqlqa.kg.remote import RemoteEndpoint
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, Store
from sparqlqa.locks import LOCK_FILE, folder_lock
from sparqlqa.ontology.schema import Schema, ontology_with_data_counts, schema_from_store
from sparqlqa.templates.derive import DeriveConfig, derive_templates
from sparqlqa.templates.instantiate import GenerationState, InstantiateConfig, Instantiator
from sparqlqa.templates.labels import LabelSource
from sparqlqa.templates.languages import DEFAULT_LANGUAGES, parse_languages
from sparqlqa.templates.model import Template
from sparqlqa.templates.native import bundled_set, read_templates
from sparqlqa.templates.nspm import read_nspm_files
from sparqlqa.templates.split import SplitRatios
from sparqlqa.templates.writers import RunLog, write_exports

#: Local names of properties that name things, added to the label predicates when a graph
#: has them (e.g. the corporate graph's ``pv:name``).
NAME_LOCAL_NAMES = ("name", "title", "prefLabel", "fullName")


#: Seconds per query of a composed template: a random composition can be costly to run.
COMPOSED_TIMEOUT_S = 2.0
#: Filled queries of one composed template that may overrun before it is given up (0: all
#: its bindings are tried; see docs/templates.md, "Speed of the first run's generation").
COMPOSED_MAX_TIMEOUTS = 0


@dataclass
class GenerateArgs:
    """Everything a generation run needs; validated in ``__post_init__``."""

    output: Path  # run folder; refused when non-empty unless resume or overwrite
    seed: int = 0  # drives sampling, phrasing choice and the split hash
    store: Path | None = None  # embedded store folder (default: the corporate store)
    endpoint: str | None = None  # or a remote SPARQL endpoint URL
    default_graph: str | None = None  # default-graph-uri for the endpoint
    template_files: list[Path] = field(default_factory=list)  # YAML files or folders
    sets: list[str] = field(default_factory=list)  # shipped YAML sets: corporate, dbpedia
    nspm: list[Path] = field(default_factory=list)  # NSpM CSV files or folders
    schema_derived: bool = False  # derive templates from the schema
    ontology: list[Path] = field(default_factory=list)  # schema from these files, not the store
    schema_file: Path | None = None  # or from this schema.json (ontology.schema.Schema.to_json)
    vocabulary_as_data: bool = False  # the graph is a vocabulary: its rdf/rdfs/owl terms are data
    per_template: int = 200  # target pairs per template
    compose: int = 0  # composed pairs wanted besides (templates.composed), 0: none
    compose_per_template: int = 3  # pairs per composed query
    languages: str = DEFAULT_LANGUAGES  # question languages of composed pairs, with shares
    phrasings_per_instance: int = 1  # pairs per instance, each with another phrasing
    splits: str = "0.8,0.1,0.1"  # train,dev,test shares of entities
    label_predicates: list[str] = field(default_factory=list)  # tried before the defaults
    keep_empty: bool = False  # keep pairs whose answer is empty
    max_answers: int = 100  # drop pairs with more answers
    shard: str | None = None  # "i/n": this process takes templates i, i+n, ... (1-based)
    resume: bool = False  # continue a run in ``output``
    overwrite: bool = False  # delete what is in ``output`` first
    rate_limit: float = 0.0  # queries per second at most (remote endpoints)
    timeout_s: float | None = None  # per query; default: none embedded, 60 s remote
    graph: str = ""  # graph name recorded on each pair (default: from the store)
    fail_fast: bool = False  # stop at the first unusable template instead of listing it
    progress: bool = True  # show a progress bar

    def __post_init__(self) -> None:
        self.output = Path(self.output)
        if self.store and self.endpoint:
            raise ValueError("give either --store or --endpoint, not both")
        if self.resume and self.overwrite:
            raise ValueError("give either --resume or --overwrite, not both")
        if self.per_template < 1:
            raise ValueError("--per-template must be at least 1")
        if self.compose < 0 or self.compose_per_template < 1:
            raise ValueError("--compose must be >= 0 and --compose-per-template >= 1")
        SplitRatios.parse(self.splits)
        parse_languages(self.languages)
        self.shard_index, self.shard_count = _parse_shard(self.shard)

    def config(self) -> dict[str, Any]:
        data = asdict(self)
        return json.loads(json.dumps(data, default=str))


def _parse_shard(text: str | None) -> tuple[int, int]:
    if not text:
        return 1, 1
    try:
        index, count = (int(p) for p in text.split("/"))
    except ValueError as exc:
        raise ValueError(f"--shard must look like i/n (e.g. 1/4), got {text!r}") from exc
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text}: i must be between 1 and n")
    return index, count


@dataclass
class RunSummary:
    pairs: int
    templates_done: int
    templates_failed: int
    templates_skipped: int
    splits: dict[str, int]
    shapes: dict[str, int]
    seconds: float
    problems: list[str]


def open_store(args: GenerateArgs) -> tuple[Store, dict[str, str], str]:
    """The store, its prefixes and a graph name."""
    if args.endpoint:
        remote = RemoteEndpoint(
            args.endpoint,
            default_graph=args.default_graph,
            timeout_s=args.timeout_s or 60.0,
        )
        return remote, dict(COMMON_PREFIXES), args.graph or args.endpoint
    path = args.store or corporate_store()
    try:
        # CPU-time limits: the same seed makes the same pairs on an idle and a busy machine.
        store = EmbeddedStore(path, workers=1, cpu_timeouts=True)
    except StoreError as exc:
        raise ConfigError(str(exc)) from exc
    return store, {**COMMON_PREFIXES, **store.prefixes}, args.graph or path.name


def collect_templates(
    args: GenerateArgs,
    store: Store,
    prefixes: dict[str, str],
    label_properties: Sequence[str] = DEFAULT_LABEL_PREDICATES,
) -> tuple[list[Template], list[str]]:
    """All templates of the run in a fixed order, and import notes (rejected rows)."""
    notes: list[str] = []
    sources = list(args.template_files) + [bundled_set(name) for name in args.sets]
    templates = read_templates(sources) if sources else []
    if args.nspm:
        report = read_nspm_files(args.nspm)
        templates += report.templates
        notes += [f"NSpM row not imported: {r}" for r in report.rejected]
    if args.schema_derived:
        others = tuple(c for c in parse_languages(args.languages) if c != "en")
        config = DeriveConfig(label_properties=tuple(label_properties), languages=others)
        if args.vocabulary_as_data:
            config = replace(config, skip_namespaces=())
        templates += derive_templates(_schema(args, store), prefixes, config)
    if args.compose:
        templates += _composed(args, store, prefixes, label_properties)
    if not templates:
        raise ConfigError("no templates: give --templates, --set, --nspm or --schema-derived")
    seen: dict[str, str] = {}
    for template in templates:
        if template.id in seen:
            raise TemplateError(
                f"{template.where}: template id {template.id!r} is also used at {seen[template.id]}"
            )
        seen[template.id] = str(template.source)
    return templates, notes


def _composed(
    args: GenerateArgs, store: Store, prefixes: dict[str, str], labels: Sequence[str]
) -> list[Template]:
    """Enough composed templates for ``args.compose`` pairs (some yield fewer than asked)."""
    from sparqlqa.templates.composed import ComposeConfig, composed_templates

    wanted = 4 * -(-args.compose // args.compose_per_template) + 50
    config = ComposeConfig(
        templates=wanted,
        per_template=args.compose_per_template,
        timeout_s=COMPOSED_TIMEOUT_S,
        languages=tuple(parse_languages(args.languages).items()),
    )
    return composed_templates(
        store,
        _schema(args, store),
        prefixes,
        seed=args.seed,
        config=config,
        label_properties=labels,
    )


def _schema(args: GenerateArgs, store: Store) -> Any:
    if args.schema_file:
        try:
            return Schema.from_json(json.loads(Path(args.schema_file).read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{args.schema_file}: not a readable schema.json: {exc}") from exc
    if args.vocabulary_as_data:
        return schema_from_store(store, vocabulary_as_data=True)
    if args.ontology:
        # Usage counts and instance counts come from the data even when the ontology is given.
        return ontology_with_data_counts(args.ontology, store)
    return schema_from_store(store, infer=True)


def label_predicates(args: GenerateArgs, store: Store) -> list[str]:
    """The user's label predicates, then the graph's own name properties, then the defaults."""
    found: list[str] = []
    if not args.endpoint:
        values = ", ".join(f'"{n}"' for n in NAME_LOCAL_NAMES)
        rows = store.select(
            "SELECT DISTINCT ?p WHERE { ?p a <http://www.w3.org/2002/07/owl#DatatypeProperty> "
            f"BIND(REPLACE(STR(?p), '^.*[/#]', '') AS ?local) FILTER(?local IN ({values})) }}"
        )
        found = sorted(r["p"]["value"] for r in rows)
    return list(dict.fromkeys([*args.label_predicates, *found, *DEFAULT_LABEL_PREDICATES]))


def prepare_output(args: GenerateArgs) -> None:
    out = args.output
    if out.exists() and any(p.name != LOCK_FILE for p in out.iterdir()):
        if args.overwrite:
            shutil.rmtree(out)
        elif not args.resume:
            raise ConfigError(
                f"{out} is not empty: pass --resume to continue that run or --overwrite to "
                "replace it"
            )
        else:
            saved = out / "config.json"
            if saved.exists():
                before = json.loads(saved.read_text())
                now = args.config()
                keys = ("seed", "per_template", "splits", "shard", "store", "endpoint", "compose")
                changed = [k for k in keys if before.get(k) != now.get(k)]
                if changed:
                    raise ConfigError(
                        f"cannot resume {out}: {', '.join(changed)} differ from the saved "
                        "config.json; resume with the same settings or use --overwrite"
                    )
    out.mkdir(parents=True, exist_ok=True)


def run(
    args: GenerateArgs,
    *,
    store: Store | None = None,
    on_template: Callable[[Template, int], None] | None = None,
) -> RunSummary:
    """Generate the dataset described by ``args``. ``on_template`` is called after each
    template is written (with the number of pairs), e.g. for tests that interrupt a run.
    ``ConfigError`` when another process is generating into ``args.output``."""
    started = time.perf_counter()
    prepare_output(args)
    with folder_lock(args.output, "sparqlqa generate"):  # one generator per output folder
        return _run(args, store, on_template, started)


def _run(
    args: GenerateArgs,
    store: Store | None,
    on_template: Callable[[Template, int], None] | None,
    started: float,
) -> RunSummary:
    from tqdm import tqdm

    own_store = store is None
    prefixes: dict[str, str]
    if store is None:
        store, prefixes, graph = open_store(args)
    else:
        prefixes = {**COMMON_PREFIXES, **store.prefixes}
        graph = args.graph or store.name
    try:
        predicates = label_predicates(args, store)
        templates, notes = collect_templates(args, store, prefixes, predicates)
        mine = [t for i, t in enumerate(templates) if i % args.shard_count == args.shard_index - 1]
        config = args.config() | {
            "graph": graph,
            "templates": len(templates),
            "templates_in_shard": len(mine),
        }
        labels = LabelSource(store, predicates=predicates, fallback_to_iri=True)
        config["label_predicates"] = list(labels.predicates)
        (args.output / "config.json").write_text(json.dumps(config, indent=2))
        if not args.endpoint:
            labels.preload()
        log = RunLog(args.output)
        done = log.finished()
        state = GenerationState()
        for pair in log.pairs():
            state.remember(pair)
        instantiator = Instantiator(
            store,
            labels,
            config=InstantiateConfig(
                per_template=args.per_template,
                phrasings_per_instance=args.phrasings_per_instance,
                keep_empty=args.keep_empty,
                max_answers=args.max_answers,
                timeout_s=args.timeout_s if args.endpoint else None,
                rate_limit=args.rate_limit,
                parse_locally=bool(args.endpoint),
            ),
            seed=args.seed,
            graph=graph,
            ratios=SplitRatios.parse(args.splits),
            state=state,
        )
        # Composed templates: their own pairs per template, and no more than the budget.
        composer = Instantiator(
            store,
            labels,
            config=replace(
                instantiator.config,
                per_template=args.compose_per_template,
                timeout_s=instantiator.config.timeout_s or COMPOSED_TIMEOUT_S,
                max_timeouts=COMPOSED_MAX_TIMEOUTS,
            ),
            seed=args.seed,
            graph=graph,
            ratios=instantiator.ratios,
            state=state,
        )
        budget = -(-args.compose // args.shard_count)
        composed = sum(1 for p in log.pairs() if p.template_id.startswith("compose-"))
        problems = list(notes)
        failed = sum(1 for r in done.values() if r.get("status") == "failed")
        skipped = sum(1 for r in done.values() if r.get("status") == "skipped")
        todo = [t for t in mine if t.id not in done]
        bar = tqdm(todo, desc="templates", unit="tpl", disable=not args.progress)
        for template in bar:
            is_composed = "composed" in template.tags
            if is_composed and composed >= budget:
                log.append(template.id, [], status="skipped")
                skipped += 1
                continue
            try:
                if is_composed:
                    pairs = composer.pairs(template)[: budget - composed]
                    composed += len(pairs)
                else:
                    pairs = instantiator.pairs(template)
            except TemplateError as exc:
                stats = (composer if is_composed else instantiator).stats.get(
                    template.id, Counter()
                )
                if is_composed or (
                    "schema-derived" in template.tags and not stats.get("candidates")
                ):
                    # Derived templates try every domain subclass; some never use the
                    # property. That is expected, not a problem with the template.
                    log.append(template.id, [], status="skipped")
                    skipped += 1
                    continue
                if args.fail_fast:
                    raise
                problems.append(str(exc))
                log.problem(template.id, str(template.source), str(exc))
                log.append(template.id, [], status="failed")
                failed += 1
                continue
            except EndpointError as exc:
                raise EndpointError(
                    f"{exc} (while instantiating {template.where}; everything generated so "
                    f"far is kept: rerun with --resume)",
                    url=exc.url,
                    status=exc.status,
                ) from exc
            used = composer if is_composed else instantiator
            log.append(template.id, pairs, stats=dict(used.stats.get(template.id, Counter())))
            bar.set_postfix(pairs=len(state.seen))
            if on_template is not None:
                on_template(template, len(pairs))
        all_pairs = list(log.pairs())
        splits = write_exports(args.output, all_pairs)
        shapes = Counter(p.shape for p in all_pairs)
        summary = RunSummary(
            pairs=len(all_pairs),
            templates_done=len(mine) - failed - skipped,
            templates_failed=failed,
            templates_skipped=skipped,
            splits=splits,
            shapes=dict(sorted(shapes.items())),
            seconds=round(time.perf_counter() - started, 2),
            problems=problems,
        )
        (args.output / "summary.json").write_text(
            json.dumps(asdict(summary) | {"problems": len(problems)}, indent=2)
        )
        return summary
    finally:
        if own_store:
            store.close()
