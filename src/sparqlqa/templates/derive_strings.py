"""Templates that name a value of the data: "Which suppliers are in <B>?" with
``?x pv:addressLocality "Breda"``. The value is a *value entity* of the question (see
``sparqlqa.ontology.values``), linked as the service links it."""

from __future__ import annotations

from sparqlqa.ontology.link import ID_LOCAL_NAMES, NAME_LOCAL_NAMES
from sparqlqa.ontology.schema import SchemaProperty, local_name
from sparqlqa.templates.derive_context import DeriveContext, countable
from sparqlqa.templates.phrasing import plural

#: Words of a property's label that make its values places: "suppliers in <B>".
_PLACE_WORDS = frozenset({"city", "country", "locality", "location", "region", "town", "place"})


def names_values(prop: SchemaProperty) -> bool:
    """Does ``prop`` hold strings that questions name (a city, a country, a code), as
    opposed to numbers, dates, names and ids of the subject itself?"""
    if prop.kind != "datatype" or prop.numeric or prop.temporal:
        return False
    if local_name(prop.iri) in NAME_LOCAL_NAMES | ID_LOCAL_NAMES:
        return False
    return not prop.range or any(r.endswith(("#string", "#langString")) for r in prop.range)


def value_templates(ctx: DeriveContext, prop: SchemaProperty, domain: str, d_one: str) -> None:
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
        f"How many {countable(d_one)} have the {noun} <B>?",
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
