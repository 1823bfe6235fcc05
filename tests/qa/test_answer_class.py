"""Answers of the kind the question asks for, on the real corporate store: "who" questions
want people or organisations (read off the schema's class names and hierarchy), "which
department" questions want departments; a candidate answering with other things is taken
only when nothing better fits."""

from __future__ import annotations

from sparqlqa.kg.embedded import EmbeddedStore
from sparqlqa.kg.guard import Guard
from sparqlqa.ontology.schema import Schema, SchemaClass
from sparqlqa.qa.answer_class import agent_classes, asked_classes, asks_who, class_problem
from sparqlqa.qa.pipeline import QAPipeline
from sparqlqa.qa.proposals import Proposal

PV = "http://ld.company.org/prod-vocab/"
PREFIX = f"PREFIX pv: <{PV}>\n"
THOMAS = "<http://ld.company.org/prod-instances/empl-Thomas.Mueller%40company.org>"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def test_who_is_the_question_word_not_the_relative_pronoun() -> None:
    assert asks_who("Who reports to Thomas Mueller?")
    assert asks_who("whose number is +49-551-5670308? I have a missed call")
    assert asks_who("I need to know who runs Sales.")
    assert asks_who("Wer leitet das Marketing?")
    assert asks_who("¿Quién de nosotros sabe de sensores?")
    assert not asks_who("Which products are managed by someone who works in Sales?")
    assert not asks_who("Welche Teile stecken im NaviTech Pulsar?")
    # "which ... people/colleagues" names people before the verb; after it, they are not asked.
    assert asks_who("Which Procurement colleagues manage products supplied from India?")
    assert asks_who("Which of the Data Services people know about sensors?")
    assert asks_who("Welche Kollegen aus dem Einkauf betreuen Produkte aus Indien?")
    assert asks_who("¿Qué colegas de Compras gestionan productos de la India?")
    assert not asks_who("Which products do people in Marketing manage?")
    assert not asks_who("Which department has the most people?")


def test_agents_come_from_class_names_and_the_hierarchy(schema: Schema) -> None:
    agents = agent_classes(schema)
    # Employee is an agent noun, Manager sits below Employee, Supplier is one too.
    assert {PV + "Employee", PV + "Manager", PV + "Supplier"} <= agents
    assert not {PV + "Department", PV + "Product", PV + "Hardware", PV + "Price"} & agents
    # A graph of other names: only the hierarchy says that a Curator is an agent.
    other = Schema(
        classes={
            "ex:Person": SchemaClass("ex:Person", "Person"),
            "ex:Curator": SchemaClass("ex:Curator", "Curator", parents=["ex:Person"]),
            "ex:Painting": SchemaClass("ex:Painting", "Painting"),
        }
    )
    assert agent_classes(other) == frozenset({"ex:Person", "ex:Curator"})


def test_which_asks_for_the_class_written_after_it(schema: Schema) -> None:
    def local(glossed: str) -> set[str]:
        return {iri.removeprefix(PV) for iri in asked_classes(glossed, schema)}

    assert local("Which department has the most employees?") == {"Department"}
    assert local("Which Italian suppliers sell LCDs?") == {"Supplier"}
    # The longest label written out wins; a class comes with its subclasses.
    assert local("Which product categories have more products?") == {"ProductCategory"}
    assert local("What products does Data Services handle?") == {"Product", "Hardware", "Service"}
    # "product managers" is a role a property names, not the class Manager ("managers").
    assert local("Which product managers look after more than 24 products?") == set()
    assert local("Which managers are in Sales?") == {"Manager"}
    # "What is the price of X?" asks about a thing; "parts" names no class ("BOM Part").
    assert local("What is the price of the Crystal Switch?") == set()
    assert local("What parts go into the NaviTech Pulsar?") == set()


def test_answers_of_another_kind_are_a_problem(
    corporate_store: EmbeddedStore, guard: Guard, schema: Schema
) -> None:
    agents = agent_classes(schema)
    known: dict[str, frozenset[str]] = {}

    def problem(query: str, labels: tuple[str, ...] = (RDFS_LABEL,)) -> str | None:
        result = guard.run(corporate_store, PREFIX + query)
        return class_problem(corporate_store, result, agents, known, labels)

    team = f"SELECT ?x WHERE {{ ?x pv:hasManager {THOMAS} }}"
    department = f"SELECT ?x WHERE {{ {THOMAS} pv:memberOf ?x }}"
    names = f"SELECT ?n WHERE {{ ?x pv:hasManager {THOMAS} ; <{RDFS_LABEL}> ?n }}"
    emails = f"SELECT ?e WHERE {{ ?x pv:hasManager {THOMAS} ; pv:email ?e }}"
    assert problem(team) is None
    assert problem(department) == "answers with things of another kind than the question asks for"
    assert problem(names) is None  # the team's names
    assert problem(emails) is not None  # nobody's name
    assert problem(emails, labels=()) is None  # literals not judged without label predicates
    assert problem(f"ASK {{ {THOMAS} pv:memberOf ?x }}") is not None
    assert problem("SELECT (COUNT(*) AS ?n) WHERE { ?x a pv:Employee }") is not None
    # The classes were looked up once per resource and kept.
    assert all(isinstance(v, frozenset) for v in known.values()) and len(known) >= 2
    # No class wanted: nothing judged.
    result = guard.run(corporate_store, PREFIX + department)
    assert class_problem(corporate_store, result, frozenset(), {}) is None


def test_who_is_answered_with_people_when_a_candidate_does(pipeline: QAPipeline) -> None:
    question = "Who reports to Thomas Mueller?"
    department = PREFIX + f"SELECT DISTINCT ?x WHERE {{ {THOMAS} pv:memberOf ?x }}"
    team = PREFIX + f"SELECT DISTINCT ?x WHERE {{ ?x pv:hasManager {THOMAS} }}"
    proposals = [Proposal(department, "test", 0.9), Proposal(team, "test", 0.5)]
    _, chosen, _ = pipeline.choose(question, [], [], proposals=proposals)
    assert chosen is not None and chosen.query == team
    # Asked which department he is in, the department is the answer.
    _, chosen, _ = pipeline.choose(
        "Which department is Thomas Mueller in?", [], [], proposals=proposals[::-1]
    )
    assert chosen is not None and chosen.query == department
