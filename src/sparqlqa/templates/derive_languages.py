"""German and Spanish phrasings of the main schema-derived templates: class lists and
counts, lookups, reverse lookups and their counts, and "has it a ...?" checks.

Each is a copy of the English template (same query, slots and generator) with the
language's questions and ``-de``/``-es`` after its id, so the translator learns the same
queries from German and Spanish questions. Nouns come from ``lexicon`` (an unknown label
stays English); the other derived shapes (superlatives, comparisons, negation, two hops) are
asked in those languages by the composed templates.
"""

from __future__ import annotations

from sparqlqa.ontology.lexicon import Noun, noun, verb
from sparqlqa.templates.derive_context import DeriveContext
from sparqlqa.templates.phrasing import PropertyPhrase, plural
from sparqlqa.templates.verbalise_de import definite, indefinite
from sparqlqa.templates.verbalise_es import a, the


def _noun(english: str, language: str) -> Noun:
    return noun(english, language, plural(english))


def _de_verb(form: str, subject: str, rest: str = "") -> str:
    """A German verb with a separable particle put last: "bietet <A> an"."""
    head, _, particle = form.partition(" ")
    return " ".join(w for w in (head, subject, rest, particle) if w)


def class_questions(label: str, who: bool, language: str) -> tuple[list[str], list[str]]:
    """(list questions, count questions) about the instances of a class labelled ``label``."""
    n = _noun(label, language)
    if language == "de":
        lists = [
            f"Liste alle {n.many} auf.",
            f"Zeig mir alle {n.many}.",
            f"Welche {n.many} gibt es?",
            f"Welche {n.many} haben wir?",
            f"Gib mir alle {n.many}.",
            *([f"Wer sind unsere {n.many}?"] if who else []),
        ]
        counts = [
            f"Wie viele {n.many} gibt es?",
            f"Wie viele {n.many} haben wir?",
            f"Zähle die {n.many}.",
            f"Anzahl der {n.many}",
        ]
        return lists, counts
    all_ = "todas las" if n.gender == "f" else "todos los"
    how_many = "Cuántas" if n.gender == "f" else "Cuántos"
    lists = [
        f"Lista {all_} {n.many}.",
        f"Muéstrame {all_} {n.many}.",
        f"¿Qué {n.many} hay?",
        f"¿Qué {n.many} tenemos?",
        f"Dame {all_} {n.many}.",
        *([f"¿Quiénes son nuestros {n.many}?"] if who else []),
    ]
    counts = [
        f"¿{how_many} {n.many} hay?",
        f"¿{how_many} {n.many} tenemos?",
        f"Cuenta {the(n, True)} {n.many}.",
        f"número de {n.many}",
    ]
    return lists, counts


def lookup_questions(
    phrase: PropertyPhrase, who: bool, range_label: str, language: str
) -> list[str]:
    """Questions for the value of ``phrase`` of <A>."""
    n = _noun(phrase.noun, language)
    r = _noun(range_label, language) if range_label else None
    forms = verb(phrase.text, language) if phrase.kind == "verb" else None
    if language == "de":
        if forms is not None:
            return [
                f"Was {_de_verb(forms[0], '<A>')}?",
                *([f"Welche {r.many} {_de_verb(forms[0], '<A>')}?"] if r else []),
            ]
        if phrase.kind != "noun":
            return ["Womit ist <A> verbunden?", "Was ist mit <A> verbunden?"]
        the_n, the_n_acc = definite(n), definite(n, "acc")
        out = [
            f"Was ist {the_n} {n.one} von <A>?",
            f"Wie lautet {the_n} {n.one} von <A>?",
            f"Zeig mir {the_n_acc} {n.one} von <A>.",
            f"{n.one} von <A>",
            f"Kannst du mir {the_n_acc} {n.one} von <A> sagen?",
        ]
        if r is not None:
            which = {"m": "Welcher", "f": "Welche", "n": "Welches"}[r.gender]
            out.append(f"{which} {r.one} ist {the_n} {n.one} von <A>?")
        if who:
            out.append(f"Wer ist {the_n} {n.one} von <A>?")
        return out
    if forms is not None:
        return [f"¿Qué {forms[0]} <A>?", *([f"¿Qué {r.many} {forms[0]} <A>?"] if r else [])]
    if phrase.kind != "noun":
        return ["¿Con qué está vinculado <A>?", "¿Qué está vinculado con <A>?"]
    el = the(n)
    out = [
        f"¿Cuál es {el} {n.one} de <A>?",
        f"Dime {el} {n.one} de <A>.",
        f"{n.one} de <A>",
        f"Muéstrame {el} {n.one} de <A>.",
        f"¿Puedes decirme {el} {n.one} de <A>?",
    ]
    if r is not None:
        out.append(f"¿Qué {r.one} es {el} {n.one} de <A>?")
    if who:
        out.append(f"¿Quién es {el} {n.one} de <A>?")
    return out


def has_questions(phrase: PropertyPhrase, language: str) -> list[str]:
    """Whether <A> has a value of a noun-like property at all (none for other kinds)."""
    if phrase.kind != "noun":
        return []
    n = _noun(phrase.noun, language)
    if language == "de":
        return [
            f"Hat <A> {indefinite(n, 'acc')} {n.one}?",
            f"Gibt es {indefinite(n, 'acc')} {n.one} für <A>?",
            f"Kennen wir {definite(n, 'acc')} {n.one} von <A>?",
        ]
    return [f"¿Tiene <A> {a(n)} {n.one}?", f"¿Hay {a(n)} {n.one} para <A>?"]


def reverse_questions(
    phrase: PropertyPhrase, d_one: str, who: bool, language: str
) -> tuple[list[str], list[str]]:
    """(reverse lookups, their counts): the instances of the domain linked to <B>."""
    n, d = _noun(phrase.noun, language), _noun(d_one, language)
    forms = verb(phrase.text, language) if phrase.kind == "verb" else None
    if language == "de":
        if phrase.kind == "noun":
            return [
                f"Welche {d.many} haben <B> als {n.one}?",
                f"Zeig mir alle {d.many} mit {n.one} <B>.",
                f"{d.many} mit {n.one} <B>",
                f"Liste die {d.many} auf, deren {n.one} <B> ist.",
                *([f"Wer hat <B> als {n.one}?"] if who else []),
            ], [
                f"Wie viele {d.many} haben <B> als {n.one}?",
                f"Anzahl der {d.many} mit {n.one} <B>",
            ]
        if forms is not None:
            return [
                f"Welche {d.many} {_de_verb(forms[1], '<B>')}?",
                *([f"Wer {_de_verb(forms[0], '<B>')}?"] if who else []),
                f"Zeig mir die {d.many}, die <B> {forms[1].split(' ')[-1]}"
                + (f"{forms[1].split(' ')[0]}." if " " in forms[1] else "."),
            ], [f"Wie viele {d.many} {_de_verb(forms[1], '<B>')}?"]
        return [f"Welche {d.many} sind mit <B> verbunden?"], [
            f"Wie viele {d.many} sind mit <B> verbunden?"
        ]
    how_many = "Cuántas" if d.gender == "f" else "Cuántos"
    if phrase.kind == "noun":
        return [
            f"¿Qué {d.many} tienen <B> como {n.one}?",
            f"Muéstrame {'todas las' if d.gender == 'f' else 'todos los'} {d.many} con "
            f"{n.one} <B>.",
            f"{d.many} con {n.one} <B>",
            *([f"¿Quién tiene <B> como {n.one}?"] if who else []),
        ], [f"¿{how_many} {d.many} tienen <B> como {n.one}?", f"número de {d.many} con {n.one} <B>"]
    if forms is not None:
        return [
            f"¿Qué {d.many} {forms[1]} <B>?",
            *([f"¿Quién {forms[0]} <B>?"] if who else []),
            f"Muéstrame {the(d, True)} {d.many} que {forms[1]} <B>.",
        ], [f"¿{how_many} {d.many} {forms[1]} <B>?"]
    linked = "vinculadas" if d.gender == "f" else "vinculados"
    return [f"¿Qué {d.many} están {linked} con <B>?"], [
        f"¿{how_many} {d.many} están {linked} con <B>?"
    ]


def localise(ctx: DeriveContext, template_id: str, questions: list[str], language: str) -> None:
    """A copy of the derived template ``template_id`` asked by ``questions`` in ``language``
    (nothing when there is no such template or no question)."""
    ctx.add_localised(template_id, language, questions)
