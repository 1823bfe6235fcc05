"""Schema-derived templates about values: superlatives and comparisons over numeric
properties, and negations ("which X have no Y?")."""

from __future__ import annotations

from sparqlqa.ontology.schema import local_name
from sparqlqa.templates.derive_context import (
    DeriveContext,
    PropertyView,
    countable,
    links_from,
    predicate,
    verb,
)
from sparqlqa.templates.phrasing import (
    article,
    superlatives,
)


def numeric_templates(ctx: DeriveContext, view: PropertyView) -> None:
    """Superlatives and comparisons over a numeric property, also among the instances
    linked to one entity."""
    prop, phrase, domain, d_one, d_many, d, p, key = view.parts()
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
                f"Which {d_many} {verb(d_many, 'have')} {article(n)} {n} {words[0]} <N>{unit}?",
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
    for link, ln in links_from(ctx, domain, prop):
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
                f"Which {d_many} with {ln} <B> {verb(d_many, 'have')} {article(n)} {n} "
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


def negation_templates(ctx: DeriveContext, view: PropertyView) -> None:
    """Questions "which X do not have Y?" in three forms: over the class (kept only where the
    answer list is short), counted ("How many X have no Y?", one number on any graph), and
    within the instances linked to one entity ("Which X with label B have no Y?")."""
    prop, phrase, domain, d_one, d_many, d, p, key = view.parts()
    noun = phrase.kind == "noun"
    a_noun = f"{article(phrase.noun)} {phrase.noun}"
    lacks = (
        f"{verb(d_many, 'have')} no {phrase.noun}"
        if noun
        else (f"{verb(d_many, 'are')} not {predicate(phrase)} anything")
    )
    ctx.add(
        "negation",
        key,
        [
            f"Which {d_many} {verb(d_many, 'do')} not have {a_noun}?",
            f"{d_many.capitalize()} without {a_noun}?",
            f"List the {d_many} that {verb(d_many, 'have')} no {phrase.noun}.",
            f"Show me {d_many} with no {phrase.noun} recorded.",
            f"Which {d_one} has no {phrase.noun}?",
        ]
        if noun
        else [
            f"Which {d_many} {verb(d_many, 'are')} not {predicate(phrase)} anything?",
            f"List the {d_many} that are not {predicate(phrase)} anything.",
        ],
        f"SELECT DISTINCT ?x WHERE {{ ?x a {d} FILTER NOT EXISTS {{ ?x {p} ?y }} }}",
        answer_type="resource",
    )
    count_word = countable(d_one)
    ctx.add(
        "negation",
        f"count-{key}",
        [
            f"How many {count_word} {lacks}?",
            f"How many {count_word} are without {a_noun}?"
            if noun
            else f"How many {count_word} are not {predicate(phrase)} anything?",
            f"Count the {count_word} that {lacks}.",
            f"number of {count_word} without {a_noun}"
            if noun
            else f"number of {count_word} not {predicate(phrase)} anything",
        ],
        f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{ ?x a {d} "
        f"FILTER NOT EXISTS {{ ?x {p} ?y }} }}",
        answer_type="number",
    )
    for link, ln in links_from(ctx, domain, prop):
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
