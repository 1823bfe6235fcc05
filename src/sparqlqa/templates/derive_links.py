"""Schema-derived templates about links between entities: lookups, reverse lookups, counts
and checks over object properties, and two-hop chains."""

from __future__ import annotations

from sparqlqa.ontology.schema import SchemaProperty, local_name
from sparqlqa.templates.derive_context import (
    DeriveContext,
    PropertyView,
    countable,
    label_of,
    predicate,
    value_nodes,
    verb,
)
from sparqlqa.templates.phrasing import (
    PropertyPhrase,
    article,
    is_person,
    is_uncountable,
    plural,
    property_phrase,
)


def lookup_questions(phrase: PropertyPhrase, who: bool, range_label: str) -> list[str]:
    """The phrasings of "what is the <property> of <A>?"."""
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


def object_templates(ctx: DeriveContext, view: PropertyView) -> None:
    """Reverse lookups, counts and checks of an object property linking named entities."""
    _, phrase, domain, d_one, d_many, d, p, key = view.parts()
    who_domain, r_one = view.who_domain, view.r_one
    n = phrase.noun
    if phrase.kind == "noun":
        reverse = [
            f"Which {d_many} {verb(d_many, 'have')} <B> as {n}?",
            f"Which {d_one} has <B> as its {n}?",
            f"List the {d_many} whose {n} is <B>.",
            f"For which {d_many} is <B> the {n}?",
            f"Show me all {d_many} with {n} <B>.",
            f"{d_many} with {n} <B>",
        ]
        if who_domain:
            reverse.append(f"Who has <B> as {n}?")
        counts = [
            f"How many {countable(d_one)} have <B> as {n}?",
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
        pred = predicate(phrase) if phrase.kind != "verb" else phrase.text
        subject = "Who" if who_domain else f"Which {d_one}"
        reverse = [
            f"{subject} {'is ' if phrase.kind != 'verb' else ''}{pred} <B>?",
            f"Which {d_many} {verb(d_many, 'are') + ' ' if phrase.kind != 'verb' else ''}"
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


def two_hop(
    ctx: DeriveContext, first: SchemaProperty, second: SchemaProperty, domain: str, middle: str
) -> None:
    """ "What is the <second> of the <first> of <A>?" and its reverse, for nouns only."""
    one = property_phrase(first.label)
    two = property_phrase(second.label)
    if one.kind != "noun" or two.kind != "noun":
        return
    p1, p2 = ctx.name(first.iri), ctx.name(second.iri)
    key = f"{local_name(first.iri)}-{local_name(second.iri)}-{local_name(domain)}"
    who = second.kind == "object" and any(is_person(label_of(ctx, r)) for r in second.range)
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
    if second.kind == "object" and not value_nodes(ctx, second):
        d_many = plural(label_of(ctx, domain))
        ctx.add(
            "two_hop",
            f"reverse-{key}",
            [
                f"Which {d_many} {verb(d_many, 'have')} {article(one.noun)} {one.noun} "
                f"whose {two.noun} is <B>?",
                f"List the {d_many} whose {one.noun} has <B> as {two.noun}.",
                f"{d_many} with {article(one.noun)} {one.noun} with {two.noun} <B>",
            ],
            f"SELECT DISTINCT ?x WHERE {{ ?x {p1} ?y . ?y {p2} <B> . ?x a {ctx.name(domain)} }}",
            answer_type="resource",
        )
