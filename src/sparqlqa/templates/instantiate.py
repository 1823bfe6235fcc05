"""Instantiation: from a template and a store to question/query pairs with gold answers.

For each template, one generator query fetches candidate bindings for its placeholders (its
own ``generator``, else one derived from the query's pattern or the class constraints), one
label query fetches their labels, and then every filled query runs once to record its
answers. Queries to an embedded store run in-process (trusted templates, no worker hop),
which is what makes thousands of pairs per second possible.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from sparqlqa.errors import QuerySyntaxError, QueryTimeout, TemplateError
from sparqlqa.kg.guard import query_form
from sparqlqa.kg.results import sparql_term, values
from sparqlqa.kg.store import Store, Term
from sparqlqa.ontology.values import is_plain_string
from sparqlqa.templates.candidates import (
    answer_type_of,
    extremes_first,
    generator_query,
    shuffled_pairs,
)
from sparqlqa.templates.fill import (
    PLACEHOLDER,
    declare_prefixes,
    fill_query,
    fill_question,
)
from sparqlqa.templates.labels import LabelSource
from sparqlqa.templates.model import EntitySpan, Pair, Template, ValueSpan
from sparqlqa.templates.split import SplitRatios, split_of
from sparqlqa.templates.wording import (
    answer_given_away,
    capitalise,
    casual,
    localised,
    value_text,
)

#: A generator that is only a table of bindings (``SELECT ?a WHERE { VALUES (?a) { ... } }``,
#: how composed templates carry their candidates): there is nothing to evaluate, so it runs
#: in-process even when queries have a time limit, sparing a worker round trip. No brace
#: inside the table, so nothing but rows can hide in it.
_INLINE_TABLE = re.compile(
    r"SELECT [?\w ]+ WHERE \{ VALUES \([?\w ]+\) \{[^{}]*\} \}(?: LIMIT \d+)?"
)


def is_inline_table(query: str) -> bool:
    """Whether ``query`` is a ``VALUES`` table and nothing else (cheap to run anywhere)."""
    return _INLINE_TABLE.fullmatch(query.strip()) is not None


@dataclass(frozen=True)
class InstantiateConfig:
    """How many pairs to make per template and which to keep."""

    per_template: int = 200  # target pairs per template (fewer when instances run out)
    phrasings_per_instance: int = 1  # pairs per instance, each with another phrasing
    keep_empty: bool = False  # keep pairs whose query has no answer (count 0 counts as none)
    max_answers: int = 100  # drop pairs with more answers than this (unhelpful lists)
    max_candidates: int = 20_000  # generator rows fetched per template
    drop_ambiguous_labels: bool = True  # skip entities whose label names another resource too
    timeout_s: float | None = None  # per query; None runs in-process (trusted, embedded)
    #: Give a template up after this many of its filled queries overran ``timeout_s`` (0:
    #: never): a pattern too costly for one binding is mostly too costly for the next ones.
    max_timeouts: int = 0
    rate_limit: float = 0.0  # queries per second at most (0: no limit), for remote endpoints
    parse_locally: bool = False  # parse filled queries before sending (remote endpoints)
    alternative_label_share: float = 0.25  # how often a second label is used when there is one
    casual_share: float = 0.1  # questions typed casually: no capital, no final "?"

    def __post_init__(self) -> None:
        if self.per_template < 1:
            raise ValueError("per_template must be at least 1")
        if self.phrasings_per_instance < 1:
            raise ValueError("phrasings_per_instance must be at least 1")
        if self.rate_limit < 0:
            raise ValueError("rate_limit must be >= 0")


@dataclass
class GenerationState:
    """What instantiation remembers across templates: pairs seen and entity use."""

    seen: set[str] = field(default_factory=set)  # dedupe keys of pairs already made
    usage: Counter[str] = field(default_factory=Counter)  # pairs per entity IRI so far

    def remember(self, pair: Pair) -> None:
        self.seen.add(dedupe_key(pair.question, pair.query))
        for entity in pair.entities:
            self.usage[entity.iri] += 1


def dedupe_key(question: str, query: str) -> str:
    """What makes two pairs the same: the question, whatever the query (one question must
    not teach two different queries; ``query`` only seeds the pair's id)."""
    return " ".join(question.casefold().split())


class Instantiator:
    """Makes pairs from templates against one store."""

    def __init__(
        self,
        store: Store,
        labels: LabelSource,
        *,
        config: InstantiateConfig | None = None,
        seed: int = 0,
        graph: str = "",
        ratios: SplitRatios | None = None,
        state: GenerationState | None = None,
    ) -> None:
        self.store = store
        self.labels = labels
        self.config = config or InstantiateConfig()
        self.seed = seed
        self.graph = graph
        self.ratios = ratios or SplitRatios()
        self.state = state or GenerationState()
        self._parser = ox.Store() if self.config.parse_locally else None
        self._last_query = 0.0
        #: Per template id: candidates tried and why they were dropped.
        self.stats: dict[str, Counter[str]] = {}

    def pairs(self, template: Template) -> list[Pair]:
        """Up to ``per_template`` new pairs of ``template``. Raises ``TemplateError`` (naming
        the template) when it cannot be used: no candidates, a filled query that does not
        parse."""
        started = time.perf_counter()
        stats: Counter[str] = Counter()
        self.stats[template.id] = stats
        # One draw per query graph, whatever the language of its phrasing: a German or Spanish
        # twin (id "<id>-de") draws the bindings of its English template.
        twin_of = template.id.removesuffix(f"-{template.language}")
        rng = random.Random(
            f"{self.seed}\x00{twin_of if template.language != 'en' else template.id}"
        )
        candidates = self._candidates(template, rng)
        stats["candidates"] = len(candidates)
        if not candidates:
            raise TemplateError(f"{template.where}: the generator found no instances")
        iris = {t["value"] for row in candidates for t in row.values() if t["type"] == "uri"}
        labels = self.labels.labels(iris)
        # Filling puts only IRIs and literals in, never a prefixed name: declare once.
        query_template = declare_prefixes(template.query, template.prefixes)
        order = list(range(len(template.questions)))
        rng.shuffle(order)
        phrasing = 0
        out: list[Pair] = []
        for row in candidates:
            if len(out) >= self.config.per_template:
                break
            # Literal bindings (thresholds, dates) are written as values, not entities.
            # A string that names something (a city, a country) is a value entity, linked
            # as the service's linker links it; other literals are values.
            value_slots = set(template.value_slots) | {
                s for s, t in row.items() if t["type"] != "uri" and not is_plain_string(t)
            }
            filled = self._labels_for(template, row, labels, value_slots, rng, stats)
            if filled is None:
                continue
            texts, terms, iri_of = filled
            if template.language != "en":  # "Germany" is "Deutschland" in German
                texts = {s: localised(t, template.language) for s, t in texts.items()}
            query = fill_query(query_template, terms)
            result = self._run(template, query, stats)
            if result is None:
                if self.config.max_timeouts and stats["timeout"] >= self.config.max_timeouts:
                    stats["gave_up"] += 1
                    break
                continue
            answers = values(result)
            if not self._keep(template, answers, list(texts.values()), stats):
                continue
            answer_type = template.answer_type or answer_type_of(result)
            # A template without placeholders has one instance: ask it every way there is.
            per_instance = (
                len(template.questions) if not row else self.config.phrasings_per_instance
            )
            for _ in range(per_instance):
                question_template = template.questions[order[phrasing % len(order)]]
                phrasing += 1
                question, entities, spans = fill_question(
                    question_template, texts, iri_of, value_slots
                )
                question = capitalise(question, entities)
                if rng.random() < self.config.casual_share:
                    all_spans: list[EntitySpan | ValueSpan] = [*entities, *spans]
                    question = casual(question, all_spans)
                key = dedupe_key(question, query)
                if key in self.state.seen:
                    stats["duplicate"] += 1
                    continue
                split = split_of([e.iri for e in entities], query, self.seed, self.ratios)
                if split is None:
                    stats["mixed_split"] += 1
                    break
                digest = hashlib.sha1(f"{key}\x00{query}".encode()).hexdigest()[:12]
                pair = Pair(
                    id=f"{template.id}-{digest}",
                    question=question,
                    query=query,
                    answers=answers,
                    answer_type=answer_type,
                    shape=template.shape,
                    template_id=template.id,
                    entities=entities,
                    split=split,
                    graph=self.graph,
                    values=spans,
                    language=template.language,
                )
                self.state.remember(pair)
                out.append(pair)
                if len(out) >= self.config.per_template:
                    break
        stats["pairs"] = len(out)
        stats["ms"] = round((time.perf_counter() - started) * 1000)
        return out

    def _candidates(self, template: Template, rng: random.Random) -> list[dict[str, Term]]:
        slots = list(dict.fromkeys(PLACEHOLDER.findall(template.query)))
        if not slots:
            return [{}]
        limit = self.config.max_candidates
        text = generator_query(template, limit)
        timeout_s = None if is_inline_table(text) else self.config.timeout_s
        rows = self._select(
            template, declare_prefixes(text, template.prefixes), "generator", timeout_s
        )
        candidates: list[dict[str, Term]] = []
        for row in rows:
            binding: dict[str, Term] = {}
            for slot in slots:
                term = row.get(f"slot_{slot}") or row.get(slot) or row.get(slot.lower())
                if term is None or term["type"] == "bnode":
                    break
                binding[slot] = term
            else:
                candidates.append(binding)
        if rows and not candidates:
            names = ", ".join(f"?{s.lower()}" for s in slots)
            raise TemplateError(
                f"{template.where}: the generator's rows do not bind {names} for "
                f"{', '.join(f'<{s}>' for s in slots)}"
            )
        if query_form(template.query) == "ASK" and template.generator is None:
            # The pattern gives the true cases; add as many (mostly) false ones.
            if all(template.slots.get(s) for s in slots):
                candidates += self._paired(template, slots, rng, len(candidates))
            elif len(slots) > 1:
                candidates += shuffled_pairs(candidates, slots, rng)
        # Generators without DISTINCT (and random false cases) repeat bindings: keep one each.
        unique = {tuple((k, v["value"]) for k, v in sorted(b.items())): b for b in candidates}
        candidates = list(unique.values())
        rng.shuffle(candidates)
        usage = self.state.usage
        # Prefer entities used least so far (stable: the shuffle breaks ties).
        candidates.sort(
            key=lambda b: sum(usage[t["value"]] for t in b.values() if t["type"] == "uri")
        )
        return extremes_first(template, candidates)

    def _paired(
        self, template: Template, slots: list[str], rng: random.Random, count: int
    ) -> list[dict[str, Term]]:
        """``count`` random combinations of instances of each slot's classes."""
        pools: dict[str, list[Term]] = {}
        for slot in slots:
            classes = " ".join(f"?x a <{c}> ." for c in template.slots[slot])
            rows = self._select(
                template,
                f"SELECT DISTINCT ?x WHERE {{ {classes} }} LIMIT {self.config.max_candidates}",
                "generator",
                self.config.timeout_s,
            )
            pools[slot] = [r["x"] for r in rows if "x" in r]
            if not pools[slot]:
                return []
        return [{s: rng.choice(pools[s]) for s in slots} for _ in range(count)]

    def _labels_for(
        self,
        template: Template,
        row: dict[str, Term],
        labels: dict[str, list[str]],
        value_slots: set[str],
        rng: random.Random,
        stats: Counter[str],
    ) -> tuple[dict[str, str], dict[str, str], dict[str, str]] | None:
        texts: dict[str, str] = {}
        terms: dict[str, str] = {}
        iri_of: dict[str, str] = {}
        for slot, term in row.items():
            try:
                terms[slot] = sparql_term(term)
            except ValueError:
                stats["blank_node"] += 1
                return None
            if slot in value_slots:
                texts[slot] = value_text(term, template.language)
                continue
            if term["type"] != "uri":  # a value entity: the literal stands for it
                texts[slot] = term["value"]
                iri_of[slot] = terms[slot]
                continue
            options = labels.get(term["value"])
            if not options:
                stats["no_label"] += 1
                return None
            label = options[0]
            if len(options) > 1 and rng.random() < self.config.alternative_label_share:
                label = rng.choice(options[1:])
            if self.config.drop_ambiguous_labels and self.labels.ambiguous(label, term["value"]):
                unambiguous = [o for o in options if not self.labels.ambiguous(o, term["value"])]
                if not unambiguous:
                    stats["ambiguous_label"] += 1
                    return None
                label = unambiguous[0]
            texts[slot] = label
            iri_of[slot] = term["value"]
        if len(set(iri_of.values())) < len(iri_of):
            stats["same_entity_twice"] += 1
            return None
        return texts, terms, iri_of

    def _keep(
        self,
        template: Template,
        answers: list[str],
        question_labels: list[str],
        stats: Counter[str],
    ) -> bool:
        if len(answers) > self.config.max_answers:
            stats["too_many_answers"] += 1
            return False
        if self.config.keep_empty:
            return True
        if not answers or all(a == "" for a in answers):
            stats["empty_answer"] += 1
            return False
        if template.shape != "ask" and answer_given_away(answers, question_labels):
            stats["answer_in_question"] += 1
            return False
        if template.shape == "count" and answers == ["0"]:
            stats["zero_count"] += 1
            return False
        return True

    def _run(self, template: Template, query: str, stats: Counter[str]) -> dict[str, object] | None:
        if self._parser is not None:
            try:
                self._parser.query(query)
            except SyntaxError as exc:
                raise TemplateError(
                    f"{template.where}: the filled query does not parse: "
                    f"{str(exc).splitlines()[0]}\n{query}"
                ) from exc
        self._throttle()
        try:
            # One row more than kept tells "too many answers" without reading them all.
            return self.store.query(
                query, timeout_s=self.config.timeout_s, max_rows=self.config.max_answers + 1
            )
        except QuerySyntaxError as exc:
            raise TemplateError(
                f"{template.where}: the filled query does not parse: {exc}\n{query}"
            ) from exc
        except QueryTimeout:
            stats["timeout"] += 1
            return None

    def _select(
        self, template: Template, text: str, what: str, timeout_s: float | None
    ) -> list[dict[str, Term]]:
        self._throttle()
        try:
            result = self.store.query(text, timeout_s=timeout_s)
        except QuerySyntaxError as exc:
            raise TemplateError(
                f"{template.where}: the {what} query does not parse: {exc}"
            ) from exc
        except QueryTimeout as exc:
            raise TemplateError(f"{template.where}: the {what} query timed out: {exc}") from exc
        if "results" not in result:
            raise TemplateError(f"{template.where}: the {what} query is not a SELECT query")
        rows: list[dict[str, Term]] = result["results"]["bindings"]
        return rows

    def _throttle(self) -> None:
        if not self.config.rate_limit:
            return
        wait = self._last_query + 1.0 / self.config.rate_limit - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_query = time.monotonic()
