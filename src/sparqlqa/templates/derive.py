"""Templates derived from a schema, for any graph, with nobody writing them.

From the classes and properties of an ontology (``ontology.schema.Schema``: labels, domains,
ranges, and how much the data uses them), ``derive_templates`` writes templates for the
common question shapes, each with several phrasings built from the labels:

- lookup          What is the <property> of <A>?
- reverse_lookup  Which <domain class> have <B> as <property>?
- list            List all <class>.
- count           How many <class> are there? / How many <property> does <A> have?
- ask             Is <B> the <property> of <A>? / Does <A> have a <property>?
- superlative     Which <class> has the highest <numeric property>?
- comparison      Which <class> have a <numeric property> greater than <N>?
- two_hop         What is the <property 2> of the <property 1> of <A>?
- negation        Which <class> do not have a <property>?

Classes with no instances of their own (abstract ones such as ``Agent``) are replaced by
their subclasses that have instances, so the queries need no reasoning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from sparqlqa.kg.store import RDF, RDFS
from sparqlqa.ontology.link import ID_LOCAL_NAMES, NAME_LOCAL_NAMES
from sparqlqa.ontology.schema import OWL, Schema, SchemaProperty, local_name
from sparqlqa.templates.model import SourceRef, Template
from sparqlqa.templates.phrasing import (
    PropertyPhrase,
    article,
    class_phrase,
    is_person,
    is_uncountable,
    plural,
    property_phrase,
    superlatives,
)

_PN_LOCAL = re.compile(r"^[A-Za-z_][\w-]*$")
_SKIP_NAMESPACES = (RDF, RDFS, OWL, "http://www.w3.org/2003/01/geo/wgs84_pos#")


@dataclass(frozen=True)
class DeriveConfig:
    """Which schema terms become templates."""

    #: Properties that give an entity its name: not asked about (the answer is in the question).
    label_properties: tuple[str, ...] = (
        RDFS + "label",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://xmlns.com/foaf/0.1/name",
        "http://schema.org/name",
    )
    skip_properties: tuple[str, ...] = ()  # further properties to leave out
    #: Namespaces whose classes and properties describe the schema, not the data; empty it
    #: when the graph is itself a vocabulary (questions about classes and properties).
    skip_namespaces: tuple[str, ...] = _SKIP_NAMESPACES
    min_usage: int = 1  # properties used fewer times in the data are left out (0: keep all)
    two_hop: bool = True  # chains of two properties
    source: str = "schema"  # recorded as the templates' source


@dataclass
class _Context:
    schema: Schema
    prefixes: Mapping[str, str]
    config: DeriveConfig
    out: list[Template] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    @functools.cached_property
    def concrete(self) -> list[str]:
        """The classes with instances (computed once: every property asks)."""
        return _concrete_classes(self)

    def name(self, iri: str) -> str:
        """An IRI as a prefixed name when a prefix fits, else in angle brackets."""
        best = ""
        for prefix, namespace in self.prefixes.items():
            longer = len(namespace) > len(self.prefixes.get(best, ""))
            if iri.startswith(namespace) and longer and _PN_LOCAL.match(iri[len(namespace) :]):
                best = prefix
        if best:
            return f"{best}:{iri[len(self.prefixes[best]) :]}"
        return f"<{iri}>"

    def add(
        self,
        shape: str,
        key: str,
        questions: list[str],
        query: str,
        *,
        classes: dict[str, list[str]] | None = None,
        generator: str | None = None,
        values: list[str] | None = None,
        answer_type: str | None = None,
    ) -> None:
        template_id = f"schema-{shape}-{key}"
        if template_id in self.ids:
            return
        self.ids.add(template_id)
        self.out.append(
            Template(
                id=template_id,
                questions=list(dict.fromkeys(questions)),
                query=query,
                source=SourceRef(f"{self.config.source}#{template_id}"),
                shape=shape,
                answer_type=answer_type,
                slots=classes or {},
                generator=generator,
                tags=["schema-derived"],
                prefixes=dict(self.prefixes),
                value_slots=values or [],
            )
        )


def derive_templates(
    schema: Schema, prefixes: Mapping[str, str], config: DeriveConfig | None = None
) -> list[Template]:
    """Templates for every usable class and property of ``schema``."""
    ctx = _Context(schema, prefixes, config or DeriveConfig())
    classes = ctx.concrete
    props = [p for p in schema.properties.values() if _usable(ctx, p)]
    # Value nodes (prices, BOM lines) are reached through their owner, never asked about.
    value_classes = {
        c for p in props if p.kind == "object" and _value_nodes(ctx, p) for c in p.range
    }
    for cls in classes:
        if cls not in value_classes:
            _class_templates(ctx, cls)
    for prop in props:
        for domain in _expand(schema, prop.domain, classes):
            if domain not in value_classes:
                _property_templates(ctx, prop, domain, classes)
    if ctx.config.two_hop:
        for first in props:
            if first.kind != "object":
                continue
            for middle in _expand(schema, first.range, classes):
                for second in props:
                    if second.iri == first.iri or middle not in _expand(
                        schema, second.domain, classes
                    ):
                        continue
                    for domain in _expand(schema, first.domain, classes):
                        if domain not in value_classes:
                            _two_hop(ctx, first, second, domain, middle)
    return ctx.out


def _concrete_classes(ctx: _Context) -> list[str]:
    skip = ctx.config.skip_namespaces
    return sorted(
        c.iri
        for c in ctx.schema.classes.values()
        if c.instances > 0 and not (skip and c.iri.startswith(skip))
    )


def _expand(schema: Schema, iris: Iterable[str], concrete: list[str]) -> list[str]:
    """Classes with instances standing for ``iris``: themselves, else their subclasses."""
    out: list[str] = []
    for iri in iris:
        if iri in concrete:
            out.append(iri)
            continue
        out += [c for c in concrete if iri in _ancestors(schema, c)]
    return list(dict.fromkeys(out))


def _ancestors(schema: Schema, iri: str) -> set[str]:
    seen: set[str] = set()
    todo = [iri]
    while todo:
        current = todo.pop()
        cls = schema.classes.get(current)
        for parent in cls.parents if cls else []:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _usable(ctx: _Context, prop: SchemaProperty) -> bool:
    skip = ctx.config.skip_namespaces
    if (skip and prop.iri.startswith(skip)) or prop.iri in ctx.config.label_properties:
        return False
    if prop.iri in ctx.config.skip_properties or not prop.domain:
        return False
    return prop.usage >= ctx.config.min_usage


def _label(ctx: _Context, iri: str) -> str:
    return class_phrase(ctx.schema.label(iri))


def _class_templates(ctx: _Context, cls: str) -> None:
    one = _label(ctx, cls)
    many = plural(one)
    key = local_name(cls)
    c = ctx.name(cls)
    who = is_person(one)
    ctx.add(
        "list",
        key,
        [
            f"List all {many}.",
            f"Show me all {many}.",
            f"Which {many} are there?",
            f"What {many} do we have?",
            f"Give me every {one}." if not is_uncountable(one) else f"Give me all the {one}.",
            f"all {many}",
            *([f"Who are the {many}?"] if who else []),
        ],
        f"SELECT DISTINCT ?x WHERE {{ ?x a {c} }}",
        answer_type="resource",
    )
    count_word = _countable(one)
    ctx.add(
        "count",
        key,
        [
            f"How many {count_word} are there?",
            f"How many {count_word} do we have?",
            f"Count the {count_word}.",
            f"What is the total number of {count_word}?",
            f"number of {count_word}",
        ],
        f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ ?x a {c} }}",
        answer_type="number",
    )


def _property_templates(
    ctx: _Context, prop: SchemaProperty, domain: str, classes: list[str]
) -> None:
    phrase = property_phrase(prop.label)
    d_one = _label(ctx, domain)
    d_many = plural(d_one)
    d = ctx.name(domain)
    p = ctx.name(prop.iri)
    key = f"{local_name(prop.iri)}-{local_name(domain)}"
    ranges = _expand(ctx.schema, prop.range, classes) if prop.kind == "object" else []
    r_one = _label(ctx, ranges[0]) if ranges else ""
    who_range = bool(r_one) and is_person(r_one)
    who_domain = is_person(d_one)
    ctx.add(
        "lookup",
        key,
        _lookup_questions(phrase, who_range, r_one),
        f"SELECT DISTINCT ?x WHERE {{ <A> {p} ?x }}",
        classes={"A": [domain]},
    )
    ctx.add(
        "ask",
        f"has-{key}",
        [
            f"Does <A> have {article(phrase.noun)} {phrase.noun}?",
            f"Is there {article(phrase.noun)} {phrase.noun} for <A>?",
            f"Has <A> got {article(phrase.noun)} {phrase.noun}?",
            f"Do we know the {phrase.noun} of <A>?",
        ]
        if phrase.kind == "noun"
        else [f"Is <A> {_predicate(phrase)} anything?", f"Is <A> {_predicate(phrase)} something?"],
        f"ASK {{ <A> {p} ?x }}",
        classes={"A": [domain]},
        answer_type="boolean",
    )
    if prop.kind == "object" and not _value_nodes(ctx, prop):
        _object_templates(ctx, prop, phrase, domain, d_one, d_many, who_domain, r_one)
    if prop.numeric:
        _numeric_templates(ctx, prop, phrase, domain, d_one, d_many, d, p, key)
    if _names_values(prop):
        _value_templates(ctx, prop, domain, d_one)
    if prop.usage and _sometimes_missing(ctx, prop, domain):
        _negation_templates(ctx, prop, phrase, domain, d_one, d_many, d, p, key)


#: Words of a property's label that make its values places: "suppliers in <B>".
_PLACE_WORDS = frozenset({"city", "country", "locality", "location", "region", "town", "place"})


def _names_values(prop: SchemaProperty) -> bool:
    """Does ``prop`` hold strings that questions name (a city, a country, a code), as
    opposed to numbers, dates, names and ids of the subject itself?"""
    if prop.kind != "datatype" or prop.numeric or prop.temporal:
        return False
    if local_name(prop.iri) in NAME_LOCAL_NAMES | ID_LOCAL_NAMES:
        return False
    return not prop.range or any(r.endswith(("#string", "#langString")) for r in prop.range)


def _value_templates(ctx: _Context, prop: SchemaProperty, domain: str, d_one: str) -> None:
    """Questions that name a value of ``prop`` (``?x pv:addressLocality "Breda"``): the
    value is a value entity of the question, linked as the service links it."""
    noun = prop.label.lower()
    d, p, d_many = ctx.name(domain), ctx.name(prop.iri), plural(d_one)
    key = f"{local_name(prop.iri)}-{local_name(domain)}"
    where = f"{{ ?x {p} <B> . ?x a {d} }}"
    reverse = [
        f"Which {d_many} have the {noun} <B>?",
        f"List the {d_many} whose {noun} is <B>.",
        f"Show me all {d_many} with {noun} <B>.",
        f"{d_many} with {noun} <B>",
        f"I need the {d_many} where the {noun} is <B>.",
    ]
    counts = [
        f"How many {_countable(d_one)} have the {noun} <B>?",
        f"Count the {d_many} whose {noun} is <B>.",
        f"number of {d_many} with {noun} <B>",
    ]
    if _PLACE_WORDS & set(noun.split()):
        reverse += [f"Which {d_many} are in <B>?", f"{d_many} from <B>", f"Our {d_many} in <B>?"]
        counts += [f"How many {d_many} are there in <B>?", f"How many {d_many} are from <B>?"]
    # Only values the linker indexes: short strings without digits or "@".
    generator = (
        f"SELECT DISTINCT ?b WHERE {{ ?x {p} ?b . ?x a {d} "
        'FILTER(isLiteral(?b) && !REGEX(STR(?b), "[0-9@<>{}]") && STRLEN(STR(?b)) <= 40) }'
    )
    ctx.add(
        "reverse_lookup",
        f"value-{key}",
        reverse,
        f"SELECT DISTINCT ?x WHERE {where}",
        generator=generator,
        answer_type="resource",
    )
    ctx.add(
        "count",
        f"value-{key}",
        counts,
        f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {where}",
        generator=generator,
        answer_type="number",
    )


def _negation_templates(
    ctx: _Context,
    prop: SchemaProperty,
    phrase: PropertyPhrase,
    domain: str,
    d_one: str,
    d_many: str,
    d: str,
    p: str,
    key: str,
) -> None:
    """Questions "which X do not have Y?" in three forms: over the class (kept only where the
    answer list is short), counted ("How many X have no Y?", one number on any graph), and
    within the instances linked to one entity ("Which X with label B have no Y?")."""
    noun = phrase.kind == "noun"
    a_noun = f"{article(phrase.noun)} {phrase.noun}"
    lacks = (
        f"{_verb(d_many, 'have')} no {phrase.noun}"
        if noun
        else (f"{_verb(d_many, 'are')} not {_predicate(phrase)} anything")
    )
    ctx.add(
        "negation",
        key,
        [
            f"Which {d_many} {_verb(d_many, 'do')} not have {a_noun}?",
            f"{d_many.capitalize()} without {a_noun}?",
            f"List the {d_many} that {_verb(d_many, 'have')} no {phrase.noun}.",
            f"Show me {d_many} with no {phrase.noun} recorded.",
            f"Which {d_one} has no {phrase.noun}?",
        ]
        if noun
        else [
            f"Which {d_many} {_verb(d_many, 'are')} not {_predicate(phrase)} anything?",
            f"List the {d_many} that are not {_predicate(phrase)} anything.",
        ],
        f"SELECT DISTINCT ?x WHERE {{ ?x a {d} FILTER NOT EXISTS {{ ?x {p} ?y }} }}",
        answer_type="resource",
    )
    count_word = _countable(d_one)
    ctx.add(
        "negation",
        f"count-{key}",
        [
            f"How many {count_word} {lacks}?",
            f"How many {count_word} are without {a_noun}?"
            if noun
            else f"How many {count_word} are not {_predicate(phrase)} anything?",
            f"Count the {count_word} that {lacks}.",
            f"number of {count_word} without {a_noun}"
            if noun
            else f"number of {count_word} not {_predicate(phrase)} anything",
        ],
        f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ ?x a {d} "
        f"FILTER NOT EXISTS {{ ?x {p} ?y }} }}",
        answer_type="number",
    )
    for link, ln in _links_from(ctx, domain, prop):
        q = ctx.name(link.iri)
        ctx.add(
            "negation",
            f"by-{local_name(link.iri)}-{key}",
            [
                f"Which {d_many} with {ln} <B> {lacks}?",
                f"List the {d_many} whose {ln} is <B> but that lack {a_noun}."
                if noun
                else f"List the {d_many} whose {ln} is <B> and that {lacks}.",
                f"{d_many} with {ln} <B> and no {phrase.noun}"
                if noun
                else f"{d_many} with {ln} <B> that {lacks}",
            ],
            f"SELECT DISTINCT ?x WHERE {{ ?x {q} <B> FILTER NOT EXISTS {{ ?x {p} ?v }} }}",
            answer_type="resource",
        )


def _links_from(
    ctx: _Context, domain: str, besides: SchemaProperty
) -> Iterator[tuple[SchemaProperty, str]]:
    """The object properties (other than ``besides``) that link instances of ``domain`` to
    named entities, with the noun to speak of them ("supplier", "genre")."""
    for link in ctx.schema.properties.values():
        if (
            link.iri == besides.iri
            or link.kind != "object"
            or not _usable(ctx, link)
            or domain not in _expand(ctx.schema, link.domain, ctx.concrete)
        ):
            continue
        link_phrase = property_phrase(link.label)
        if link_phrase.kind == "noun" and not _value_nodes(ctx, link):
            yield link, link_phrase.noun


def _value_nodes(ctx: _Context, prop: SchemaProperty) -> bool:
    """Whether the objects of ``prop`` are value nodes (a price, a BOM line): one instance of
    the range per use of the property. Nobody names them in a question, so they are looked
    up through their owner, never asked about as entities."""
    instances = sum(ctx.schema.classes[r].instances for r in prop.range if r in ctx.schema.classes)
    return bool(instances) and instances == prop.usage


def _sometimes_missing(ctx: _Context, prop: SchemaProperty, domain: str) -> bool:
    cls = ctx.schema.classes.get(domain)
    # Usage counts triples, not subjects: a property used less often than the class has
    # instances is certainly missing on some; otherwise the instantiator drops empty answers.
    return bool(cls and cls.instances and prop.usage < cls.instances)


def _verb(subject: str, plural_form: str) -> str:
    """``have``/``are``/``do`` agreeing with a plural subject, or singular for a mass noun
    ("Which hardware has ...", "Which suppliers have ...")."""
    if not is_uncountable(subject):
        return plural_form
    return {"have": "has", "are": "is", "do": "does"}[plural_form]


def _countable(noun: str) -> str:
    """A plural to count with: "hardware" → "hardware items", "supplier" → "suppliers"."""
    return f"{noun} items" if is_uncountable(noun) else plural(noun)


def _predicate(phrase: PropertyPhrase) -> str:
    if phrase.kind == "relation":
        return f"{article(phrase.noun)} {phrase.text}"
    if phrase.kind == "verb":
        return f"related by {phrase.text} to"
    return phrase.text


def _lookup_questions(phrase: PropertyPhrase, who: bool, range_label: str) -> list[str]:
    n = phrase.noun
    what = "Who" if who else "What"
    unit = f" in {phrase.unit}" if phrase.unit else ""
    which = f"Which {range_label}" if range_label else "What"
    which_many = f"Which {plural(range_label)}" if range_label else "What"
    if phrase.kind == "relation":
        return [
            f"What is <A> {article(n)} {phrase.text}?",
            f"{which} is <A> {article(n)} {phrase.text}?",
            f"<A> is {article(n)} {phrase.text} what?",
            f"Tell me what <A> is {article(n)} {phrase.text}.",
        ]
    if phrase.kind == "predicate":
        return [
            f"What is <A> {phrase.text}?",
            f"{which} is <A> {phrase.text}?",
            f"Tell me what <A> is {phrase.text}.",
            f"<A> is {phrase.text} what?",
        ]
    if phrase.kind == "verb":
        return [
            f"What does <A> {phrase.verb_base}?",
            f"{which_many} does <A> {phrase.verb_base}?",
            f"Tell me what <A> {phrase.text}.",
        ]
    questions = [
        f"{what} is the {n} of <A>{unit}?",
        f"What's the {n} of <A>?",
        f"Tell me the {n} of <A>.",
        f"Give me the {n} of <A>{unit}.",
        f"What is <A>'s {n}?",
        f"{n} of <A>",
        f"Can you tell me the {n} of <A>?",
        f"Show me the {n} of <A>.",
        f"What are the {phrase.nouns} of <A>?"
        if not is_uncountable(n)
        else f"What {n} does <A> have?",
    ]
    if range_label and not who:
        questions.append(f"Which {range_label} is the {n} of <A>?")
    if who:
        questions.append(f"Who's the {n} of <A>?")
    return questions


def _object_templates(
    ctx: _Context,
    prop: SchemaProperty,
    phrase: PropertyPhrase,
    domain: str,
    d_one: str,
    d_many: str,
    who_domain: bool,
    r_one: str,
) -> None:
    d = ctx.name(domain)
    p = ctx.name(prop.iri)
    key = f"{local_name(prop.iri)}-{local_name(domain)}"
    n = phrase.noun
    if phrase.kind == "noun":
        reverse = [
            f"Which {d_many} {_verb(d_many, 'have')} <B> as {n}?",
            f"Which {d_one} has <B> as its {n}?",
            f"List the {d_many} whose {n} is <B>.",
            f"For which {d_many} is <B> the {n}?",
            f"Show me all {d_many} with {n} <B>.",
            f"{d_many} with {n} <B>",
        ]
        if who_domain:
            reverse.append(f"Who has <B> as {n}?")
        counts = [
            f"How many {_countable(d_one)} have <B> as {n}?",
            f"Count the {d_many} whose {n} is <B>.",
            f"For how many {d_many} is <B> the {n}?",
            f"number of {d_many} with {n} <B>",
        ]
        forward_count = [
            f"How many {phrase.nouns} does <A> have?",
            f"Count the {phrase.nouns} of <A>.",
            f"What is the number of {phrase.nouns} of <A>?",
        ]
        asks = [
            f"Is <B> the {n} of <A>?",
            f"Does <A> have <B> as {n}?",
            f"Is <B> {article(n)} {n} of <A>?",
            f"Is <A>'s {n} <B>?",
        ]
    else:
        pred = _predicate(phrase) if phrase.kind != "verb" else phrase.text
        subject = "Who" if who_domain else f"Which {d_one}"
        reverse = [
            f"{subject} {'is ' if phrase.kind != 'verb' else ''}{pred} <B>?",
            f"Which {d_many} {_verb(d_many, 'are') + ' ' if phrase.kind != 'verb' else ''}"
            f"{pred if phrase.kind != 'verb' else phrase.verb_base} <B>?",
            f"List the {d_many} {'that are ' if phrase.kind != 'verb' else 'that '}"
            f"{pred if phrase.kind != 'verb' else phrase.verb_base} <B>.",
            f"Give me the {d_many} {'' if phrase.kind != 'verb' else 'that '}"
            f"{phrase.text if phrase.kind != 'verb' else phrase.verb_base} <B>.",
        ]
        if phrase.kind == "relation":
            reverse.append(
                f"Who are the {plural(phrase.noun)} of <B>?"
                if who_domain
                else f"What are the {plural(phrase.noun)} of <B>?"
            )
        counts = [
            f"How many {d_many} {'are ' if phrase.kind != 'verb' else ''}"
            f"{pred if phrase.kind != 'verb' else phrase.verb_base} <B>?",
            f"Count the {d_many} {'that are ' if phrase.kind != 'verb' else 'that '}"
            f"{pred if phrase.kind != 'verb' else phrase.verb_base} <B>.",
        ]
        forward_count = [
            f"How many things is <A> {pred}?"
            if phrase.kind != "verb"
            else f"How many things does <A> {phrase.verb_base}?",
            f"Count what <A> is {pred}."
            if phrase.kind != "verb"
            else f"Count what <A> {phrase.text}.",
        ]
        if r_one:
            forward_count.insert(
                0,
                f"How many {plural(r_one)} is <A> {pred}?"
                if phrase.kind != "verb"
                else f"How many {plural(r_one)} does <A> {phrase.verb_base}?",
            )
        asks = (
            [f"Is <A> {pred} <B>?", f"Is it true that <A> is {pred} <B>?"]
            if phrase.kind != "verb"
            else [f"Does <A> {phrase.verb_base} <B>?", f"Is it true that <A> {phrase.text} <B>?"]
        )
    ctx.add(
        "reverse_lookup",
        key,
        reverse,
        f"SELECT DISTINCT ?x WHERE {{ ?x {p} <B> . ?x a {d} }}",
        answer_type="resource",
    )
    ctx.add(
        "count",
        f"of-{key}",
        forward_count,
        f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ <A> {p} ?x }}",
        classes={"A": [domain]},
        answer_type="number",
    )
    ctx.add(
        "count",
        f"reverse-{key}",
        counts,
        f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ ?x {p} <B> . ?x a {d} }}",
        answer_type="number",
    )
    ctx.add("ask", key, asks, f"ASK {{ <A> {p} <B> }}", answer_type="boolean")


def _numeric_templates(
    ctx: _Context,
    prop: SchemaProperty,
    phrase: PropertyPhrase,
    domain: str,
    d_one: str,
    d_many: str,
    d: str,
    p: str,
    key: str,
) -> None:
    n = phrase.noun
    high, low = superlatives(n)
    unit = f" {phrase.unit}" if phrase.unit else ""
    for direction, word, order, aggregate in (
        ("max", high, "DESC", "MAX"),
        ("min", low, "ASC", "MIN"),
    ):
        top = "largest" if direction == "max" else "smallest"
        ctx.add(
            "superlative",
            f"{direction}-{key}",
            [
                f"Which {d_one} has the {word} {n}?",
                f"What is the {d_one} with the {top} {n}?",
                f"Name the {d_one} with the {word} {n}.",
                f"Which {d_one} has the {top} {n}?",
                f"{d_one} with the {word} {n}",
                f"Show me the {d_one} whose {n} is the {word}.",
            ],
            f"SELECT ?x WHERE {{ ?x a {d} ; {p} ?v }} ORDER BY {order}(?v) LIMIT 1",
            answer_type="resource",
        )
        ctx.add(
            "superlative",
            f"{direction}-value-{key}",
            [
                f"What is the {word} {n} of any {d_one}?",
                f"What is the {'maximum' if direction == 'max' else 'minimum'} {n} among {d_many}?",
                f"{'Highest' if direction == 'max' else 'Lowest'} {n} of all {d_many}?",
            ],
            f"SELECT ({aggregate}(?v) AS ?value) WHERE {{ ?x a {d} ; {p} ?v }}",
            answer_type="number",
        )
    for name, op, words in (
        ("gt", ">", ("greater than", "more than", "above", "over", "higher than")),
        ("lt", "<", ("less than", "below", "under", "lower than", "smaller than")),
    ):
        ctx.add(
            "comparison",
            f"{name}-{key}",
            [
                f"Which {d_many} {_verb(d_many, 'have')} {article(n)} {n} {words[0]} <N>{unit}?",
                f"List the {d_many} with {article(n)} {n} {words[1]} <N>{unit}.",
                f"Show me {d_many} whose {n} is {words[2]} <N>.",
                f"{d_many} with {n} {words[3]} <N>{unit}",
                f"Which {d_one} has {article(n)} {n} {words[4]} <N>?",
            ],
            f"SELECT DISTINCT ?x WHERE {{ ?x a {d} ; {p} ?v FILTER(?v {op} <N>) }}",
            generator=f"SELECT DISTINCT ?N WHERE {{ ?x a {d} ; {p} ?N FILTER(isNumeric(?N)) }}",
            values=["N"],
            answer_type="resource",
        )
    # The same, within the instances linked to one entity: many more distinct questions.
    for link, ln in _links_from(ctx, domain, prop):
        q = ctx.name(link.iri)
        link_key = f"{local_name(link.iri)}-{key}"
        ctx.add(
            "superlative",
            f"max-by-{link_key}",
            [
                f"Which {d_one} with {ln} <B> has the {high} {n}?",
                f"Of the {d_many} whose {ln} is <B>, which has the {high} {n}?",
                f"Among the {d_many} with {ln} <B>, which one has the largest {n}?",
            ],
            f"SELECT ?x WHERE {{ ?x {q} <B> ; {p} ?v }} ORDER BY DESC(?v) LIMIT 1",
            answer_type="resource",
        )
        ctx.add(
            "superlative",
            f"min-by-{link_key}",
            [
                f"Which {d_one} with {ln} <B> has the {low} {n}?",
                f"Of the {d_many} whose {ln} is <B>, which has the {low} {n}?",
                f"Among the {d_many} with {ln} <B>, which one has the smallest {n}?",
            ],
            f"SELECT ?x WHERE {{ ?x {q} <B> ; {p} ?v }} ORDER BY ASC(?v) LIMIT 1",
            answer_type="resource",
        )
        ctx.add(
            "comparison",
            f"gt-by-{link_key}",
            [
                f"Which {d_many} with {ln} <B> {_verb(d_many, 'have')} {article(n)} {n} "
                f"above <N>{unit}?",
                f"List the {d_many} whose {ln} is <B> and whose {n} is more than <N>.",
                f"{d_many} with {ln} <B> and {n} over <N>{unit}",
            ],
            f"SELECT DISTINCT ?x WHERE {{ ?x {q} <B> ; {p} ?v FILTER(?v > <N>) }}",
            generator=f"SELECT DISTINCT ?B ?N WHERE {{ ?x {q} ?B ; {p} ?N FILTER(isNumeric(?N)) }}",
            values=["N"],
            answer_type="resource",
        )
        ctx.add(
            "count",
            f"by-{link_key}",
            [
                f"How many {d_many} with {ln} <B> have {article(n)} {n}?",
                f"Count the {d_many} whose {ln} is <B> and that have {article(n)} {n}.",
            ],
            f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ ?x {q} <B> ; {p} ?v }}",
            answer_type="number",
        )


def _two_hop(
    ctx: _Context, first: SchemaProperty, second: SchemaProperty, domain: str, middle: str
) -> None:
    one = property_phrase(first.label)
    two = property_phrase(second.label)
    if one.kind != "noun" or two.kind != "noun":
        return
    p1, p2 = ctx.name(first.iri), ctx.name(second.iri)
    key = f"{local_name(first.iri)}-{local_name(second.iri)}-{local_name(domain)}"
    who = second.kind == "object" and any(is_person(_label(ctx, r)) for r in second.range)
    what = "Who" if who else "What"
    ctx.add(
        "two_hop",
        key,
        [
            f"{what} is the {two.noun} of the {one.noun} of <A>?",
            f"Give me the {two.noun} of <A>'s {one.noun}.",
            f"What's the {two.noun} of the {one.noun} of <A>?",
            f"Tell me the {two.noun} of the {one.noun} of <A>.",
            f"{two.noun} of the {one.noun} of <A>",
        ],
        f"SELECT DISTINCT ?y WHERE {{ <A> {p1} ?x . ?x {p2} ?y }}",
        classes={"A": [domain]},
    )
    if second.kind == "object" and not _value_nodes(ctx, second):
        d_many = plural(_label(ctx, domain))
        ctx.add(
            "two_hop",
            f"reverse-{key}",
            [
                f"Which {d_many} {_verb(d_many, 'have')} {article(one.noun)} {one.noun} "
                f"whose {two.noun} is <B>?",
                f"List the {d_many} whose {one.noun} has <B> as {two.noun}.",
                f"{d_many} with {article(one.noun)} {one.noun} with {two.noun} <B>",
            ],
            f"SELECT DISTINCT ?x WHERE {{ ?x {p1} ?y . ?y {p2} <B> . ?x a {ctx.name(domain)} }}",
            answer_type="resource",
        )
