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

The writers: ``derive_context`` (configuration, context, helpers), ``derive_links`` (lookups,
links, two hops), ``derive_values`` (superlatives, comparisons, negations); the class and
property templates are here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sparqlqa.ontology.schema import Schema, SchemaProperty, local_name
from sparqlqa.templates.derive_context import (
    DeriveConfig,
    DeriveContext,
    PropertyView,
    countable,
    expand,
    label_of,
    predicate,
    sometimes_missing,
    usable,
    value_nodes,
    value_number,
)
from sparqlqa.templates.derive_languages import (
    class_questions,
    has_questions,
    localise,
    reverse_questions,
)
from sparqlqa.templates.derive_languages import lookup_questions as localised_lookups
from sparqlqa.templates.derive_links import lookup_questions, object_templates, two_hop
from sparqlqa.templates.derive_strings import names_values, value_templates
from sparqlqa.templates.derive_values import negation_templates, numeric_templates
from sparqlqa.templates.model import Template
from sparqlqa.templates.phrasing import (
    article,
    is_person,
    is_uncountable,
    plural,
    property_phrase,
)

__all__ = ["DeriveConfig", "derive_templates"]


def derive_templates(
    schema: Schema, prefixes: Mapping[str, str], config: DeriveConfig | None = None
) -> list[Template]:
    """Templates for every usable class and property of ``schema``."""
    ctx = DeriveContext(schema, prefixes, config or DeriveConfig())
    classes = ctx.concrete
    props = [p for p in schema.properties.values() if usable(ctx, p)]
    # Value nodes (prices, BOM lines) are reached through their owner, never asked about.
    value_classes = {
        c for p in props if p.kind == "object" and value_nodes(ctx, p) for c in p.range
    }
    for cls in classes:
        if cls not in value_classes:
            _class_templates(ctx, cls)
    for prop in props:
        for domain in expand(schema, prop.domain, classes):
            if domain not in value_classes:
                _property_templates(ctx, prop, domain, classes)
    if ctx.config.two_hop:
        for first in props:
            if first.kind != "object":
                continue
            for middle in expand(schema, first.range, classes):
                for second in props:
                    if second.iri == first.iri or middle not in expand(
                        schema, second.domain, classes
                    ):
                        continue
                    for domain in expand(schema, first.domain, classes):
                        if domain not in value_classes:
                            two_hop(ctx, first, second, domain, middle)
    return ctx.out


def _class_templates(ctx: DeriveContext, cls: str) -> None:
    one = label_of(ctx, cls)
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
    count_word = countable(one)
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
    for language in ctx.config.languages:
        lists, counts = class_questions(one, who, language)
        localise(ctx, f"schema-list-{key}", lists, language)
        localise(ctx, f"schema-count-{key}", counts, language)


def _property_templates(
    ctx: DeriveContext, prop: SchemaProperty, domain: str, classes: list[str]
) -> None:
    phrase = property_phrase(prop.label)
    d_one = label_of(ctx, domain)
    d_many = plural(d_one)
    d = ctx.name(domain)
    p = ctx.name(prop.iri)
    key = f"{local_name(prop.iri)}-{local_name(domain)}"
    ranges = expand(ctx.schema, prop.range, classes) if prop.kind == "object" else []
    r_one = label_of(ctx, ranges[0]) if ranges else ""
    who_range = bool(r_one) and is_person(r_one)
    who_domain = is_person(d_one)
    number = value_number(ctx, prop)
    ctx.add(
        "lookup",
        key,
        lookup_questions(phrase, who_range, r_one),
        # A price is asked for as its amount, not as the price node.
        f"SELECT DISTINCT ?x WHERE {{ <A> {p} ?n . ?n {ctx.name(number.iri)} ?x }}"
        if number
        else f"SELECT DISTINCT ?x WHERE {{ <A> {p} ?x }}",
        classes={"A": [domain]},
        answer_type="number" if number else None,
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
        else [f"Is <A> {predicate(phrase)} anything?", f"Is <A> {predicate(phrase)} something?"],
        f"ASK {{ <A> {p} ?x }}",
        classes={"A": [domain]},
        answer_type="boolean",
    )
    view = PropertyView(prop, phrase, domain, d_one, d_many, d, p, key, who_domain, r_one)
    linking = prop.kind == "object" and not value_nodes(ctx, prop)
    if linking:
        object_templates(ctx, view)
    for language in ctx.config.languages:
        lookups = localised_lookups(phrase, who_range, r_one, language)
        localise(ctx, f"schema-lookup-{key}", lookups, language)
        localise(ctx, f"schema-ask-has-{key}", has_questions(phrase, language), language)
        if linking:
            reverse, counts = reverse_questions(phrase, d_one, who_domain, language)
            localise(ctx, f"schema-reverse_lookup-{key}", reverse, language)
            localise(ctx, f"schema-count-reverse-{key}", counts, language)
    if prop.numeric:
        numeric_templates(ctx, view)
    if names_values(prop):
        value_templates(ctx, prop, domain, d_one)
    if prop.usage and sometimes_missing(ctx, prop, domain):
        negation_templates(ctx, view)
