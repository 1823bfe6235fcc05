"""The question-answering pipeline: one object per graph, shared by the API and ``eval``.

link entities → retrieve schema → translate to k candidate queries (and take the
proposers' whole queries, qa.proposals) → guard → execute → answer with the first candidate
that parses, runs and returns a non-empty result of the expected answer type; or, when the
graph has a ranker (qa.rank), with the one of those the ranker scores highest. The
question's language (given, or detected by
:func:`~sparqlqa.ontology.language.detect_language`) goes to the linker and the retriever
when they take one. If none does, the answer says so and carries the best candidate with
the reason each candidate was rejected.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sparqlqa.errors import QueryError, SparqlqaError
from sparqlqa.kg.guard import Guard
from sparqlqa.kg.results import rows
from sparqlqa.kg.store import DEFAULT_LABEL_PREDICATES, QueryResult, Store
from sparqlqa.ontology.gloss import gloss
from sparqlqa.ontology.language import detect_language, normalise_language
from sparqlqa.ontology.link import LinkedEntity
from sparqlqa.ontology.prompt import (
    PromptEntity,
    PromptValue,
    question_values,
    render_prompt,
    schema_items,
)
from sparqlqa.ontology.schema import Schema, SchemaClass, SchemaProperty
from sparqlqa.ontology.values import code_entities
from sparqlqa.qa.abstain import confidence, firm_link, grounded, with_english_glosses
from sparqlqa.qa.anchors import (
    anchor_problem,
    anchors,
    head_entity,
    head_problem,
    membership_property,
)
from sparqlqa.qa.answer_class import ClassWords, agent_classes, asks_who, class_problem
from sparqlqa.qa.answer_type import (
    Expected,
    amount_problem,
    comparison_problem,
    count_problem,
    echo_problem,
    expected_answer_type,
    fits,
    form_problem,
    order_problem,
    tally_problem,
    zero_problem,
)
from sparqlqa.qa.degenerate import degenerate_problem
from sparqlqa.qa.proposals import Proposal, Proposer
from sparqlqa.qa.rank import MAX_RANKED, RANKED_AT_MOST, QueryRanker, fused, rank_confidence
from sparqlqa.qa.value_nodes import answer_nodes, reach_through, through_property

#: Why a fitting candidate that was ranked is not the one answered.
RANKED_BELOW = "ranked below another candidate (the ranker and its own score)"
NOT_RANKED = "not ranked: enough candidates of the asked form scored higher on their own"


class Linker(Protocol):
    def link(
        self, question: str, schema_terms: Sequence[object] = (), language: str | None = None
    ) -> list[LinkedEntity]:
        """Entities in ``question``, at most one per span, in question order; entities whose
        class fits ``schema_terms`` rank higher."""
        ...


class Retriever(Protocol):
    def retrieve(
        self, question: str, k: int = 10, *, language: str | None = None
    ) -> list[tuple[SchemaClass | SchemaProperty, float]]:
        """The ``k`` most relevant schema terms, best first."""
        ...


class Translator(Protocol):
    """The one translator interface of the QA core (a trained model behind
    ``qa.components.ModelTranslator``, batched by ``qa.batching.BatchingTranslator``)."""

    def translate(self, prompts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        """For each prompt, ``k`` candidate targets with scores, best first."""
        ...

    def close(self) -> None:
        """Release what the translator holds (a batching thread); idempotent."""
        ...


class AnswersQuestions(Protocol):
    """What ``eval`` measures in-process: ``QAPipeline`` or a stand-in for it."""

    def answer(self, question: str, k: int = 5) -> Answer:
        """The answer to ``question``, trying at most ``k`` candidate queries."""
        ...


@dataclass
class Candidate:
    """One candidate query and what became of it."""

    target: str
    score: float
    query: str | None = None
    accepted: bool = False
    rejected_because: str | None = None
    confidence: float | None = None  # see qa.abstain.confidence
    origin: str = "beam"  # "beam" (the translator) or a proposer's name (qa.proposals)
    rank_score: float | None = None  # the ranker's score, when the graph has one (qa.rank)
    # What keeps it from the form the question asks for (qa.answer_type.form_problem and
    # echo_problem: no ordering for "the cheapest", an answer that repeats the question's
    # own words): such a candidate is chosen only when every fitting one has such a problem.
    form_problem: str | None = None
    # The number property its query was extended by, when its own answers were value nodes
    # (qa.value_nodes: a price node's amount rather than the node).
    reached_through: str | None = None


@dataclass
class Answer:
    """Everything the pipeline did for one question."""

    question: str
    graph: str
    answered: bool
    query: str | None
    result: QueryResult | None
    answers: list[dict[str, str]]
    entities: list[LinkedEntity]
    schema: list[str]
    candidates: list[Candidate]
    prompt: str
    reason: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    language: str = "en"  # the question's language, given or detected
    confidence: float | None = None  # of the accepted candidate (or the best one)
    grounded: bool = True  # whether an entity or a close schema term was found


Decode = Callable[[str, Mapping[str, str], Mapping[str, str]], str]

#: When the translator writes candidates: "always", or "fallback": only when no proposal
#: fits the question in the form it asks for (:meth:`QAPipeline.answer`).
TranslateWhen = Literal["fallback", "always"]


class QAPipeline:
    """Answers questions over one graph."""

    def __init__(
        self,
        *,
        graph: str,
        store: Store,
        guard: Guard,
        schema: Schema,
        prefixes: Mapping[str, str],
        linker: Linker,
        retriever: Retriever,
        translator: Translator,
        decode: Decode,
        label_predicates: Sequence[str] = DEFAULT_LABEL_PREDICATES,
        schema_k: int = 12,
        prompt_chars: int = 1600,
        abstain_below: float | None = None,
        proposers: Sequence[Proposer] = (),
        ranker: QueryRanker | None = None,
        translate: TranslateWhen = "always",
        ranked_at_most: int = RANKED_AT_MOST,
    ) -> None:
        """``abstain_below``: the confidence under which the pipeline does not answer (None:
        answer whenever a candidate is accepted); ungrounded questions are never answered.
        ``proposers``: sources of whole candidate queries besides the beam (qa.proposals),
        tried after the beam's candidates. ``ranker`` (qa.rank): when given, every candidate
        is executed and the ranker picks among those that fit; confidences come from it.
        ``translate``: "always" runs the translator for every question; "fallback" only
        when no proposal fits in the asked form (:meth:`answer`). ``ranked_at_most``: how
        many candidates the ranker scores per question at most (:func:`ranked_pool`)."""
        self.graph = graph
        self.store = store
        self.guard = guard
        self.schema = schema
        self.prefixes = dict(prefixes)
        self.linker = linker
        self.retriever = retriever
        self.translator = translator
        self.decode = decode
        self.label_predicates = tuple(label_predicates)
        self.schema_k = schema_k
        self.prompt_chars = prompt_chars
        self.abstain_below = abstain_below
        self.proposers = tuple(proposers)
        self.ranker = ranker
        self.translate = translate
        self.ranked_at_most = ranked_at_most
        self._memberships: dict[str, str | None] = {}  # qa.anchors.membership_property

    @functools.cached_property
    def agent_classes(self) -> frozenset[str]:
        """The schema's classes of people and organisations (``qa.answer_class``)."""
        return agent_classes(self.schema)

    @functools.cached_property
    def class_words(self) -> ClassWords:
        """The schema's class and role labels as words, for "which <class>" questions."""
        return ClassWords(self.schema)

    def close(self) -> None:
        """Stop the translator (the store belongs to the graph, which closes it)."""
        self.translator.close()

    def language_of(self, question: str, language: str | None = None) -> str:
        """``language`` checked (``ValueError`` if unsupported), else detected."""
        return normalise_language(language) or detect_language(question)

    def prepare(
        self, question: str, language: str | None = None
    ) -> tuple[str, list[LinkedEntity], list[PromptValue], list[str], dict[str, float]]:
        """Link, retrieve and render the prompt; returns prompt, entities, the question's
        numbers, schema IRIs and timings. ``language``: as given to :meth:`answer`."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        language = self.language_of(question, language)
        timings["language"] = _ms(started)
        started = time.perf_counter()
        found = self.retriever.retrieve(question, k=self.schema_k, language=language)
        terms = [term for term, _ in found]
        timings["retrieve"] = _ms(started)
        started = time.perf_counter()
        entities = self.linker.link(question, terms, language=language)
        entities = self.with_codes(question, entities)
        timings["link"] = _ms(started)
        prompt_entities = [
            PromptEntity(f"ENT{i}", e.iri, e.label, e.class_label) for i, e in enumerate(entities)
        ]
        values = question_values(question, [(e.start, e.end) for e in entities], language)
        items = schema_items(terms, self.schema, self.prefixes)
        prompt = render_prompt(question, prompt_entities, items, self.prompt_chars, values=values)
        return prompt, entities, values, [t.iri for t in terms], timings

    def with_codes(self, question: str, entities: list[LinkedEntity]) -> list[LinkedEntity]:
        """``entities`` and, in question order, the code-like words of ``question`` (a phone
        number, an e-mail, an id) that the graph holds as a value and no entity covers
        (``ontology.values.code_entities``); ``entities`` as they are when the lookup fails."""
        taken = [(e.start, e.end) for e in entities]
        try:
            codes = code_entities(self.store, self.schema, question, taken)
        except SparqlqaError:
            return entities
        if not codes:
            return entities
        return sorted([*entities, *codes], key=lambda e: e.start)

    def answer(self, question: str, k: int = 5, language: str | None = None) -> Answer:
        """Answer one question, trying up to ``k`` candidate queries of the translator's
        beam besides the proposals. ``language`` (en, de, es) is detected when not given.
        With ``translate="fallback"`` the proposals are executed and ranked first, and the
        translator runs (then every candidate is executed and ranked together) only when
        none of them fits or the chosen one lacks the form the question asks for;
        ``timings_ms`` has ``translate`` only when it ran."""
        started_all = time.perf_counter()
        language = self.language_of(question, language)
        prompt, entities, values, schema_iris, timings = self.prepare(question, language)
        started = time.perf_counter()
        proposals = self.propose(question, entities, values, schema_iris, language)
        timings["propose"] = _ms(started)
        candidates: list[Candidate] = []
        chosen: Candidate | None = None
        result: QueryResult | None = None
        if self.translate == "fallback" and proposals:
            # The translator takes most of a question's time, and the proposals mostly
            # answer (on the realistic halves the chosen query came from them for 85 of 100
            # questions, and set F1 without the beam was within 0.02 or better in English
            # and German): it is asked only when they leave the question unanswered in the
            # form it asks for (docs/candidates.md).
            started = time.perf_counter()
            candidates, chosen, result = self.choose(
                question, (), entities, values, proposals, timings=timings, language=language
            )
            timings["execute"] = _ms(started)
        if chosen is None or chosen.form_problem is not None:  # "always": chosen is None
            started = time.perf_counter()
            scored = self.translator.translate([prompt], k)[0]
            timings["translate"] = _ms(started)
            started = time.perf_counter()
            candidates, chosen, result = self.choose(
                question, scored, entities, values, proposals, timings=timings, language=language
            )
            timings["execute"] = _ms(started) + timings.get("execute", 0.0)
        answers: list[dict[str, str]] = []
        if result is not None:
            answers = self.simple_answers(result)
        timings["total"] = _ms(started_all)
        best = chosen or max(
            (c for c in candidates if c.query), key=lambda c: c.confidence or 0.0, default=None
        )
        reason = None
        firm = [e for e in entities if self.firmly_linked(e, question, language)]
        is_grounded = grounded(len(firm), self.schema_words_match(question))
        if chosen is None:
            reason = (
                "no candidate query returned an answer of the expected kind"
                if candidates
                else "the translator produced no candidate"
            )
        elif not is_grounded:
            reason = (
                "the question does not seem to be about this graph: no entity of it was "
                "found and no word of it names a schema term"
            )
        elif self.abstain_below is not None and (chosen.confidence or 0.0) < self.abstain_below:
            reason = (
                f"not confident enough: the best query scores {chosen.confidence:.3f}, "
                f"below the threshold {self.abstain_below:.3f}"
            )
        if reason is not None and chosen is not None:
            result, answers = None, []  # abstained: the best query is shown, not its answers
        return Answer(
            question=question,
            graph=self.graph,
            answered=chosen is not None and reason is None,
            query=best.query if best else None,
            result=result,
            answers=answers,
            entities=entities,
            schema=schema_iris,
            candidates=candidates,
            prompt=prompt,
            reason=reason,
            timings_ms=timings,
            language=language,
            confidence=best.confidence if best else None,
            grounded=is_grounded,
        )

    def firmly_linked(self, entity: LinkedEntity, question: str, language: str) -> bool:
        """Whether ``entity``'s label shares a word with the words it was linked on
        (``qa.abstain.firm_link``), or with the dictionary's reading of them when the
        linker translates (a German "Widerstände" for the category Resistor)."""
        mention = question[entity.start : entity.end]
        if firm_link(entity.label, mention):
            return True
        translated = getattr(self.linker, "translated", None)
        words = translated(mention, language) if translated is not None else []
        return bool(words) and firm_link(entity.label, " ".join(words))

    def schema_words_match(self, question: str) -> bool | None:
        """Whether some schema term shares a word with ``question`` (the retriever's lexical
        score); None when the retriever cannot tell."""
        scores = getattr(self.retriever, "scores", None)
        if scores is None:
            return None
        try:
            # "Lieferanten" names the schema's "supplier" too (German/Spanish questions).
            return bool(scores(with_english_glosses(question), "lexical").max() > 0)
        except (SparqlqaError, TypeError, ValueError):
            return None

    def propose(
        self,
        question: str,
        entities: Sequence[LinkedEntity],
        values: Sequence[PromptValue],
        schema_iris: Sequence[str],
        language: str,
    ) -> list[Proposal]:
        """The proposers' whole queries, in proposer order (each proposer's best first)."""
        proposals: list[Proposal] = []
        for proposer in self.proposers:
            proposals.extend(proposer.propose(question, entities, values, schema_iris, language))
        return proposals

    def choose(
        self,
        question: str,
        scored: Sequence[tuple[str, float]],
        entities: Sequence[LinkedEntity],
        values: Sequence[PromptValue] = (),
        proposals: Sequence[Proposal] = (),
        timings: dict[str, float] | None = None,
        language: str = "en",
    ) -> tuple[list[Candidate], Candidate | None, QueryResult | None]:
        """Without a ranker: try candidates in order (the leading proposals, the beam's, then
        the other proposals); the first that runs, fits the expected type and has the form
        the question asks for wins (else the first that fits). With one: execute them all
        (at most ``qa.rank.MAX_RANKED``) and answer with the fitting one first in the
        ranker's order fused with the candidates' own scores (``qa.rank.fused``) among
        those it scores (:func:`ranked_pool`; ``timings["rank"]``: the ranker's time),
        when it ranks ``language`` (``QueryRanker.languages``). A chosen query answering
        with value nodes (price nodes) is then extended to their number
        (:meth:`reached_through`)."""
        ranked = self.ranker is not None and language in self.ranker.languages
        candidates, fitting = self.execute_candidates(
            question, scored, entities, values, proposals, first_only=not ranked, language=language
        )
        if not fitting:
            return candidates, None, None
        if not ranked:
            chosen, result = next(
                ((c, r) for c, r in fitting if c.form_problem is None), fitting[0]
            )
            chosen.accepted = True
        else:
            chosen, result = self.rank(question, fitting, entities, timings, language=language)
        return candidates, chosen, self.reached_through(chosen, result, question, language)

    def execute_candidates(
        self,
        question: str,
        scored: Sequence[tuple[str, float]],
        entities: Sequence[LinkedEntity],
        values: Sequence[PromptValue] = (),
        proposals: Sequence[Proposal] = (),
        *,
        first_only: bool = False,
        language: str = "en",
    ) -> tuple[list[Candidate], list[tuple[Candidate, QueryResult]]]:
        """Every candidate tried (the leading proposals, the beam's, then the other
        proposals; at most ``qa.rank.MAX_RANKED`` unless ``first_only``) and those that ran
        and fit the expected answer type, with their results, in that order. ``first_only``:
        stop at the first that fits and has the form the question asks for (no
        ``form_problem``). Otherwise it stops once the rest could not enter
        :func:`ranked_pool`: ``ranked_at_most`` fit in the asked form and no later one has
        a higher own score than the last of those. ``language``: the question's (German
        and Spanish ones are glossed to find the class they ask for). Nothing is marked
        accepted."""
        expected = expected_answer_type(question, language)
        slots = {f"ENT{i}": e.iri for i, e in enumerate(entities)}
        slots.update({v.slot: v.text for v in values})
        candidates: list[Candidate] = []
        seen: set[str] = set()
        # A proposal's prior is a probability-like [0, 1]; as a log it reads like the beam's
        # mean log-probability, so that the confidence (and abstention) treat both alike.
        offered = [
            (p, (p.query, math.log(max(p.prior, 1e-6)), p.query, p.origin)) for p in proposals
        ]
        tries: list[tuple[str, float, str | None, str]] = [t for p, t in offered if p.lead]
        tries += [(t, s, None, "beam") for t, s in scored]
        tries += [t for p, t in offered if not p.lead]
        if not first_only:
            tries = tries[:MAX_RANKED]
        # What the question already says: an answer made of it alone repeats the question.
        said = {e.label.strip().casefold() for e in entities}
        said |= {question[e.start : e.end].strip().casefold() for e in entities}
        named = anchors(question, entities, self.schema.classes)
        firm = [e for e in entities if self.firmly_linked(e, question, language)]
        head = head_entity(question, firm, self.schema.classes)
        membership = self.membership_of(head) if head is not None else None
        wanted, names = self.wanted_classes(question, language)
        classes_of: dict[str, frozenset[str]] = {}  # each answer's classes, looked up once
        fitting: list[tuple[Candidate, QueryResult]] = []
        # The highest own score from each try on; the best asked-form scores so far, a
        # min-heap of at most ranked_at_most (its root: the lowest that would be ranked).
        later_best = list(itertools.accumulate(reversed([t[1] for t in tries]), max))[::-1]
        asked: list[float] = []
        for at, (target, score, whole, origin) in enumerate(tries):
            if not first_only and len(asked) >= self.ranked_at_most and later_best[at] <= asked[0]:
                break  # none of the rest would be ranked: a tie goes to the earlier one
            candidate = Candidate(target=target, score=score, origin=origin)
            candidates.append(candidate)
            result = self.attempt(candidate, whole, question, expected, slots, seen)
            if result is None:
                continue
            fitting.append((candidate, result))
            candidate.form_problem = (
                form_problem(question, candidate.query or "")
                or echo_problem(result, said)
                or amount_problem(question, result)
                or zero_problem(candidate.query or "", result)
                or anchor_problem(candidate.query or "", named, self.prefixes)
                or head_problem(candidate.query or "", head, self.prefixes, membership)
                or class_problem(self.store, result, wanted, classes_of, names)
            )
            if candidate.form_problem is None:
                if first_only:
                    break
                if len(asked) < self.ranked_at_most:
                    heapq.heappush(asked, score)
                else:
                    heapq.heappushpop(asked, score)
        return candidates, fitting

    def membership_of(self, head: LinkedEntity) -> str | None:
        """The property through which things belong to ``head`` (``qa.anchors.
        membership_property``: a category's products), among the schema properties whose
        declared range holds the head's class (a property of no range, such as a wiki link
        every resource has, is no membership); asked once per resource."""
        if head.iri not in self._memberships:
            if len(self._memberships) >= 4096:
                self._memberships.clear()  # bounded: a service meets many resources
            above = self.schema.ancestors(head.class_iri) if head.class_iri else set()
            ranged = {
                iri
                for iri, prop in self.schema.properties.items()
                if any(r in above for r in prop.range)
            }
            self._memberships[head.iri] = (
                membership_property(self.store, head.iri, frozenset(ranged)) if ranged else None
            )
        return self._memberships[head.iri]

    def wanted_classes(
        self, question: str, language: str
    ) -> tuple[frozenset[str], tuple[str, ...]]:
        """The classes ``question`` wants its answers in (``qa.answer_class``: people or
        organisations for "who", the class named after "which"; empty for none), and the
        label predicates by which an answer of values is judged (empty: values are not)."""
        who = asks_who(question)
        wanted = self.agent_classes if who else frozenset()
        if not wanted:
            wanted = self.class_words.asked(gloss(question, language, ()))
        # A "who" answer of values must be names, and so must a "which product" one when
        # the graph has products; "which country" may be answered by a value that names a
        # country the graph holds no resource for.
        populated = any(
            self.schema.classes[c].instances for c in wanted if c in self.schema.classes
        )
        return wanted, self.label_predicates if who or populated else ()

    def attempt(
        self,
        candidate: Candidate,
        whole: str | None,
        question: str,
        expected: Expected,
        slots: Mapping[str, str],
        seen: set[str],
    ) -> QueryResult | None:
        """Decode, check and execute one candidate; its result when it runs and fits the
        expected type, else None with ``candidate.rejected_because`` saying why. Sets the
        candidate's query and (beam) confidence; ``seen`` holds the queries tried before."""
        score = candidate.score
        candidate.confidence = confidence(score, "undecodable")
        try:
            candidate.query = whole or self.decode(candidate.target, slots, self.prefixes)
        except SparqlqaError as exc:
            candidate.rejected_because = f"cannot be decoded: {exc}"
            return None
        candidate.confidence = confidence(score, "failed")
        if candidate.query in seen:
            candidate.rejected_because = "same query as an earlier candidate"
            return None
        seen.add(candidate.query)
        wrong_way = (
            degenerate_problem(candidate.query)
            or count_problem(question, candidate.query, expected)
            or order_problem(question, candidate.query)
            or comparison_problem(question, candidate.query)
        )
        if wrong_way:
            candidate.rejected_because = wrong_way
            return None
        try:
            result = self.guard.run(self.store, candidate.query)
        except QueryError as exc:
            candidate.rejected_because = str(exc)
            return None
        candidate.confidence = confidence(score, "ran")
        problem = fits(result, expected) or tally_problem(
            question, candidate.query, result, expected
        )
        if problem:
            candidate.rejected_because = problem
            return None
        candidate.confidence = confidence(score, "accepted")
        return result

    def reached_through(
        self, candidate: Candidate, result: QueryResult, question: str, language: str = "en"
    ) -> QueryResult:
        """``result``, or, when its answers are value nodes (``qa.value_nodes``: a price
        node rather than its amount) or link nodes (a BOM line rather than its part), the
        result of ``candidate``'s query reaching through to their number or resource: then
        ``candidate.query`` becomes that query and ``candidate.reached_through`` names the
        property. Kept as it was when the wrapped
        query fails or does not fit the expected type. Applied to the chosen candidate
        only, after the choice: the ranker judges the queries the translator wrote."""
        column = answer_nodes(result)
        if column is None or candidate.query is None:
            return result
        predicate = through_property(self.store, column[1])
        if predicate is None:
            return result
        query = reach_through(candidate.query, column[0], predicate)
        try:
            through = self.guard.run(self.store, query)
        except QueryError:
            return result
        expected = expected_answer_type(question, language)
        if fits(through, expected) or tally_problem(question, query, through, expected):
            return result
        candidate.query, candidate.reached_through = query, predicate
        return through

    def rank(
        self,
        question: str,
        fitting: Sequence[tuple[Candidate, QueryResult]],
        entities: Sequence[LinkedEntity],
        timings: dict[str, float] | None = None,
        *,
        language: str = "en",
    ) -> tuple[Candidate, QueryResult]:
        """The candidate of :func:`ranked_pool` first in the ranker's order fused with the
        candidates' own scores (``qa.rank.fused``; the earlier one on a tie); each of the
        pool gets its ``rank_score`` and a confidence from it; the others say why they
        were not chosen. ``language``: the question's (the ranker
        glosses German and Spanish ones)."""
        assert self.ranker is not None
        pool = ranked_pool(fitting, self.ranked_at_most)
        started = time.perf_counter()
        queries = [c.query or "" for c, _ in pool]
        scores = self.ranker.rank(question, queries, entities, language=language)
        if timings is not None:
            timings["rank"] = _ms(started)
        for (candidate, _), value in zip(pool, scores, strict=True):
            candidate.rank_score = round(value, 4)
            candidate.confidence = rank_confidence(value)
        # Among the pool, the ranker's order and the candidates' own scores are fused
        # (qa.rank); the earlier candidate wins a tie.
        combined = fused(scores, [c.score for c, _ in pool])
        chosen, result = pool[max(range(len(pool)), key=lambda i: (combined[i], -i))]
        chosen.accepted = True
        for candidate, _ in fitting:
            if candidate is chosen:
                continue
            if candidate.form_problem is not None and chosen.form_problem is None:
                candidate.rejected_because = f"{candidate.form_problem}; another candidate does not"
            elif candidate.rank_score is None:
                candidate.rejected_because = NOT_RANKED
            else:
                candidate.rejected_because = RANKED_BELOW
        return chosen, result

    def simple_answers(self, result: QueryResult) -> list[dict[str, str]]:
        """The answers as a flat list of ``{"value", "type", "label"?}``."""
        if "boolean" in result:
            return [{"value": "true" if result["boolean"] else "false", "type": "boolean"}]
        flat = [term for row in rows(result) for term in row.values()]
        labels = self.labels_of([t["value"] for t in flat if t["type"] == "uri"][:200])
        out = []
        for term in flat:
            item = {"value": term["value"], "type": term["type"]}
            if term["value"] in labels:
                item["label"] = labels[term["value"]]
            out.append(item)
        return out

    def labels_of(self, iris: Sequence[str]) -> dict[str, str]:
        """One label per IRI, for showing answers (English or untagged preferred)."""
        if not iris:
            return {}
        values = " ".join(f"<{i}>" for i in dict.fromkeys(iris))
        predicates = " ".join(f"<{p}>" for p in self.label_predicates)
        sparql = (
            f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {predicates} }} "
            '?s ?p ?l FILTER(isLiteral(?l) && (lang(?l) = "" || langMatches(lang(?l), "en"))) }'
        )
        try:
            found = self.store.query(sparql)  # our own query: trusted, bounded by VALUES
        except SparqlqaError:
            return {}
        labels: dict[str, str] = {}
        for row in rows(found):
            labels.setdefault(row["s"]["value"], row["l"]["value"])
        return labels


def ranked_pool(
    fitting: Sequence[tuple[Candidate, QueryResult]], at_most: int
) -> list[tuple[Candidate, QueryResult]]:
    """The fitting candidates the ranker scores, in their order: those with the form the
    question asks for (all of them when none has it), since such a candidate beats one
    without whatever their scores (a superlative answered by an ordering, an average by an
    AVG), and of those the ``at_most`` with the highest own scores (``QAPipeline.ranked_at_most``;
    the earlier on a tie)."""
    asked = [pair for pair in fitting if pair[0].form_problem is None] or list(fitting)
    if len(asked) <= at_most:
        return asked
    keep = sorted(range(len(asked)), key=lambda i: (-asked[i][0].score, i))[:at_most]
    return [asked[i] for i in sorted(keep)]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
