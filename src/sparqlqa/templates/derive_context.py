"""What the schema-derived template writers share: the run's configuration, the context that
collects the templates, one property seen from one class, and the helpers over the schema
(classes with instances, usable properties) and English (agreement, counting nouns)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from sparqlqa.kg.store import RDF, RDFS
from sparqlqa.ontology.schema import OWL, Schema, SchemaProperty
from sparqlqa.templates.model import SourceRef, Template
from sparqlqa.templates.phrasing import (
    PropertyPhrase,
    article,
    class_phrase,
    is_uncountable,
    plural,
    property_phrase,
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
    #: Languages besides English the main shapes are also asked in (``derive_languages``).
    languages: tuple[str, ...] = ()


@dataclass
class DeriveContext:
    """The schema, prefixes and configuration of one derivation, and the templates so far."""

    schema: Schema
    prefixes: Mapping[str, str]
    config: DeriveConfig
    out: list[Template] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    @functools.cached_property
    def concrete(self) -> list[str]:
        """The classes with instances (computed once: every property asks)."""
        return concrete_classes(self)

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

    def add_localised(self, template_id: str, language: str, questions: list[str]) -> None:
        """A copy of the template ``template_id`` (already added) with ``questions`` in
        ``language``, its id ending in ``-<language>``; nothing when the template is not
        there, the copy exists or there are no questions."""
        new_id = f"{template_id}-{language}"
        if not questions or new_id in self.ids:
            return
        original = next((t for t in reversed(self.out) if t.id == template_id), None)
        if original is None:
            return
        self.ids.add(new_id)
        self.out.append(
            replace(
                original,
                id=new_id,
                questions=list(dict.fromkeys(questions)),
                source=SourceRef(f"{self.config.source}#{new_id}"),
                slots=dict(original.slots),
                tags=[*original.tags, language],
                language=language,
            )
        )


@dataclass(frozen=True)
class PropertyView:
    """One property seen from one domain class: what the per-shape writers share."""

    prop: SchemaProperty
    phrase: PropertyPhrase
    domain: str
    d_one: str  # the domain class's label, singular ("supplier")
    d_many: str  # and plural ("suppliers")
    d: str  # the domain class as written in queries
    p: str  # the property as written in queries
    key: str  # the templates' id stem: "<property>-<domain>"
    who_domain: bool  # the domain's instances are people ("Who ...")
    r_one: str  # the range class's label ("" for a datatype property)

    def parts(self) -> tuple[SchemaProperty, PropertyPhrase, str, str, str, str, str, str]:
        """``prop, phrase, domain, d_one, d_many, d, p, key``: what every writer uses."""
        return (
            self.prop,
            self.phrase,
            self.domain,
            self.d_one,
            self.d_many,
            self.d,
            self.p,
            self.key,
        )


def concrete_classes(ctx: DeriveContext) -> list[str]:
    skip = ctx.config.skip_namespaces
    return sorted(
        c.iri
        for c in ctx.schema.classes.values()
        if c.instances > 0 and not (skip and c.iri.startswith(skip))
    )


def expand(schema: Schema, iris: Iterable[str], concrete: list[str]) -> list[str]:
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


def usable(ctx: DeriveContext, prop: SchemaProperty) -> bool:
    skip = ctx.config.skip_namespaces
    if (skip and prop.iri.startswith(skip)) or prop.iri in ctx.config.label_properties:
        return False
    if prop.iri in ctx.config.skip_properties or not prop.domain:
        return False
    return prop.usage >= ctx.config.min_usage


def label_of(ctx: DeriveContext, iri: str) -> str:
    return class_phrase(ctx.schema.label(iri))


def links_from(
    ctx: DeriveContext, domain: str, besides: SchemaProperty
) -> Iterator[tuple[SchemaProperty, str]]:
    """The object properties (other than ``besides``) that link instances of ``domain`` to
    named entities, with the noun to speak of them ("supplier", "genre")."""
    for link in ctx.schema.properties.values():
        if (
            link.iri == besides.iri
            or link.kind != "object"
            or not usable(ctx, link)
            or domain not in expand(ctx.schema, link.domain, ctx.concrete)
        ):
            continue
        link_phrase = property_phrase(link.label)
        if link_phrase.kind == "noun" and not value_nodes(ctx, link):
            yield link, link_phrase.noun


def value_nodes(ctx: DeriveContext, prop: SchemaProperty) -> bool:
    """Whether the objects of ``prop`` are value nodes (a price, a BOM line): one instance of
    the range per use of the property. Nobody names them in a question, so they are looked
    up through their owner, never asked about as entities."""
    instances = sum(ctx.schema.classes[r].instances for r in prop.range if r in ctx.schema.classes)
    return bool(instances) and instances == prop.usage


def value_number(ctx: DeriveContext, prop: SchemaProperty) -> SchemaProperty | None:
    """The one numeric property of the value nodes ``prop`` leads to (a price's amount),
    when they are value nodes that lead nowhere else and hold exactly one; else None.
    "What is the price of X?" asks for that number: the node itself is nothing a person
    reads."""
    if prop.kind != "object" or not value_nodes(ctx, prop):
        return None
    own = [
        p
        for p in ctx.schema.properties.values()
        if usable(ctx, p) and set(p.domain) & set(prop.range)
    ]
    if any(p.kind == "object" for p in own):
        return None  # a BOM line leads on to its part: a thing of its own, not a number
    held = [p for p in own if p.numeric]
    return held[0] if len(held) == 1 else None


def sometimes_missing(ctx: DeriveContext, prop: SchemaProperty, domain: str) -> bool:
    cls = ctx.schema.classes.get(domain)
    # Usage counts triples, not subjects: a property used less often than the class has
    # instances is certainly missing on some; otherwise the instantiator drops empty answers.
    return bool(cls and cls.instances and prop.usage < cls.instances)


def verb(subject: str, plural_form: str) -> str:
    """``have``/``are``/``do`` agreeing with a plural subject, or singular for a mass noun
    ("Which hardware has ...", "Which suppliers have ...")."""
    if not is_uncountable(subject):
        return plural_form
    return {"have": "has", "are": "is", "do": "does"}[plural_form]


def countable(noun: str) -> str:
    """A plural to count with: "hardware" → "hardware items", "supplier" → "suppliers"."""
    return f"{noun} items" if is_uncountable(noun) else plural(noun)


def predicate(phrase: PropertyPhrase) -> str:
    if phrase.kind == "relation":
        return f"{article(phrase.noun)} {phrase.text}"
    if phrase.kind == "verb":
        return f"related by {phrase.text} to"
    return phrase.text
