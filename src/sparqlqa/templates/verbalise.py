"""English for composed queries: each constraint as a relative clause, a prepositional
phrase, a prenominal modifier or a possessive, put into a request, an imperative, a
question or a keyword query, with singular/plural agreement.

Words come from the schema's labels through ``phrasing`` (property kinds: noun, verb,
predicate, relation); placeholders (``<A>``) stay in the text for the instantiator to fill,
so entity and value spans are recorded exactly as for any template.
"""

from __future__ import annotations

import random

from sparqlqa.templates.compose import Constraint, Graph, Numeric, SchemaView, Step
from sparqlqa.templates.operators import THRESHOLD, Operator
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

_MORE = ("above", "over", "more than", "greater than", "higher than")
_LESS = ("below", "under", "less than", "lower than")
_PLACE_WORDS = frozenset({"city", "country", "locality", "location", "region", "town", "place"})
_ORDINALS = ("", "second ", "third ")
_GENERIC = frozenset({"amount", "value", "number", "count", "total", "figure"})
_FN = {
    "AVG": ("average", "mean"),
    "SUM": ("total", "combined"),
    "MIN": ("lowest", "minimum"),
    "MAX": ("highest", "maximum"),
}


#: Verbs agreeing with a plural (True) or a singular (False) head.
_BE = {True: "are", False: "is"}
_HAVE = {True: "have", False: "has"}
_DO = {True: "do", False: "does"}


def _a(noun: str) -> str:
    return f"{article(noun)} {noun}"


class Verbaliser:
    """Phrasings of composed queries over one schema; ``rng`` picks among the forms."""

    def __init__(self, view: SchemaView, rng: random.Random) -> None:
        self.view = view
        self.rng = rng

    # --- words
    def one(self, cls: str) -> str:
        return class_phrase(self.view.schema.label(cls))

    def item(self, cls: str) -> str:
        """A singular head noun: "supplier", "hardware item" for a mass noun."""
        one = self.one(cls)
        return f"{one} item" if is_uncountable(one) else one

    def many(self, cls: str) -> str:
        one = self.one(cls)
        return f"{one} items" if is_uncountable(one) else plural(one)

    def phrase(self, prop: str) -> PropertyPhrase:
        return property_phrase(self.view.schema.label(prop))

    def noun(self, prop: str) -> str:
        return self.phrase(prop).noun

    def numeric_noun(self, numeric: Numeric) -> str:
        """A number's noun: its own ("weight"); a value node's is the hop's when its own is
        a generic word ("price" for a price's amount), else both ("BOM part quantity")."""
        own = self.noun(numeric.prop)
        if not numeric.path:
            return own
        hop = self.noun(numeric.path[0].prop)
        return hop if own.split()[-1] in _GENERIC else f"{hop} {own}"

    def link_noun(self, prop: str) -> str:
        """What a property's value is called: a noun label ("supplier") or, for a verb or
        relation, the class of its values ("department" for "member of")."""
        ph = self.phrase(prop)
        p = self.view.prop.get(prop)
        if ph.kind == "noun" or p is None or p.kind != "object":
            return ph.noun
        targets = self.view.expand(p.range)
        return self.one(targets[0]) if targets else ph.noun

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    def cmp(self, op: str) -> str:
        return self.pick(list(_MORE if op == ">" else _LESS))

    # --- constraints
    def direct(self, step: Step, x: str, pl: bool) -> list[str]:
        """``node step <x>``: the node is linked to the entity ``x``."""
        ph = self.phrase(step.prop)
        n, t = ph.noun, ph.text
        if step.forward:
            if ph.kind == "noun":
                return [f"with {n} {x}", f"whose {n} is {x}", f"that {_HAVE[pl]} {x} as {n}"]
            if ph.kind == "verb":
                return [f"that {ph.verb_base if pl else t} {x}"]
            if ph.kind == "predicate":
                return [f"{t} {x}", f"that {_BE[pl]} {t} {x}"]
            return [f"that {_BE[pl]} {plural(n) + ' of' if pl else _a(t)} {x}"]
        if ph.kind == "noun":
            return [f"that {_BE[pl]} the {plural(n) if pl else n} of {x}"]
        if ph.kind == "verb":
            return [f"that {x} {t}"]
        if ph.kind == "predicate":
            return [f"that {x} is {t}"]
        return [f"that {_HAVE[pl]} {x} as {n}", f"with {n} {x}"]

    def via(self, step: Step, inner: str, pl: bool) -> list[str]:
        """``node step ?m`` where ``?m`` is described by ``inner`` (singular)."""
        ph = self.phrase(step.prop)
        n, t = ph.noun, ph.text
        if step.forward:
            if ph.kind == "noun":
                return [f"with {_a(n)} {inner}", f"that {_HAVE[pl]} {_a(n)} {inner}"]
            head = _a(self.one(step.target))
            if ph.kind == "verb":
                return [f"that {ph.verb_base if pl else t} {head} {inner}"]
            if ph.kind == "predicate":
                return [f"{t} {head} {inner}"]
            return [f"that {_BE[pl]} {plural(n) + ' of' if pl else _a(t)} {head} {inner}"]
        head = _a(self.one(step.target))
        if ph.kind == "noun":
            return [f"that {_BE[pl]} the {plural(n) if pl else n} of {head} {inner}"]
        if ph.kind == "verb":
            return [f"that {head} {inner} {t}"]
        if ph.kind == "predicate":
            return [f"that {head} {inner} is {t}"]
        return [f"with {_a(n)} {inner}"]

    def end(self, c: Constraint) -> list[str]:
        """The condition at the end of a value or number constraint (singular node)."""
        ph = self.phrase(c.prop or "")
        x = f"<{c.slot}>"
        if c.kind == "value":
            out = [f"with {ph.noun} {x}", f"whose {ph.noun} is {x}"]
            if _PLACE_WORDS & set(ph.noun.split()):
                out += [f"in {x}", f"from {x}"]
            return out
        unit = f" {ph.unit}" if ph.unit and self.rng.random() < 0.5 else ""
        return [
            f"with {_a(ph.noun)} {self.cmp(c.op)} {x}{unit}",
            f"whose {ph.noun} is {self.cmp(c.op)} {x}{unit}",
        ]

    def chain(
        self, path: tuple[Step, ...], tail: list[str] | None, x: str | None, pl: bool
    ) -> list[str]:
        """A path from the node, ending at entity ``x`` or in the condition ``tail``."""
        if not path:
            return tail or []
        if len(path) == 1 and x is not None:
            return self.direct(path[0], x, pl)
        inner = self.pick(self.chain(path[1:], tail, x, False))
        return self.via(path[0], inner, pl)

    def absent(self, c: Constraint, pl: bool) -> list[str]:
        step = c.path[0]
        ph = self.phrase(step.prop)
        n, t = ph.noun, ph.text
        x = f"<{c.slot}>" if c.slot else None
        if len(c.path) > 1:
            inner = self.pick(self.chain(c.path[1:], None, x, False))
            if step.forward and ph.kind == "noun":
                return [f"without {_a(n)} {inner}", f"that {_HAVE[pl]} no {n} {inner}"]
            head = self.one(step.target)
            return [f"that {_BE[pl]} not linked to any {head} {inner}"]
        if x is not None:
            if step.forward and ph.kind == "noun":
                return [f"whose {n} is not {x}", f"that {_DO[pl]} not have {x} as {n}"]
            if step.forward and ph.kind == "verb":
                return [f"that {_DO[pl]} not {ph.verb_base} {x}"]
            if step.forward:
                what = plural(n) + " of" if pl and ph.kind == "relation" else t
                return [f"that {_BE[pl]} not {what} {x}"]
            if ph.kind == "noun":
                return [f"that {_BE[pl]} not the {plural(n) if pl else n} of {x}"]
            return [
                f"that {_DO[pl]} not have {x} as {n}"
                if ph.kind == "relation"
                else f"not linked to {x}"
            ]
        if step.forward and ph.kind == "noun":
            return [f"without {_a(n)}", f"that {_HAVE[pl]} no {n}", f"with no {n}"]
        if step.forward and ph.kind == "verb":
            return [f"that {_DO[pl]} not {ph.verb_base} anything"]
        if step.forward:
            return [f"that {_BE[pl]} not {t} anything"]
        if ph.kind == "noun":
            return [f"that {_BE[pl]} not the {n} of anything", f"that {_BE[pl]} nobody's {n}"]
        if ph.kind == "relation":
            return [f"without {_a(n)}", f"that {_HAVE[pl]} no {plural(n)}"]
        return [f"that no {self.one(step.target)} {t if ph.kind == 'verb' else 'is ' + t}"]

    def modifier(self, c: Constraint, pl: bool) -> str:
        if c.kind == "entity":
            return self.pick(self.chain(c.path, None, f"<{c.slot}>", pl))
        if c.kind in ("value", "number"):
            return self.pick(self.chain(c.path, self.end(c), None, pl))
        if c.kind == "absent":
            return self.pick(self.absent(c, pl))
        bigger = "greater" if c.op == ">" else "smaller"
        own = "their" if pl else "its"
        a, b = self.noun(c.prop or ""), self.noun(c.other or "")
        return self.pick(
            [f"whose {a} is {bigger} than {own} {b}", f"with {_a(a)} {bigger} than {own} {b}"]
        )

    def np(self, graph: Graph, pl: bool) -> str:
        """The focus with its constraints: "suppliers in <B> that supply <A>"."""
        head = self.many(graph.focus) if pl else self.item(graph.focus)
        mods: list[str] = []
        for c in graph.constraints:
            if (
                c.kind == "value"
                and not c.path
                and self.rng.random() < 0.25
                and not any(m.startswith("<") for m in mods)
            ):
                head = f"<{c.slot}> {head}"
                continue
            if (
                c.kind == "entity"
                and len(c.path) == 1
                and not c.path[0].forward
                and self.phrase(c.path[0].prop).kind == "noun"
                and self.rng.random() < 0.35
                and not head.endswith("'s")
            ):
                n = self.phrase(c.path[0].prop).noun
                head = f"<{c.slot}>'s {plural(n) if pl else n}"
                continue
            mods.append(self.modifier(c, pl))
        return " ".join([head, " and ".join(mods)]).strip()

    # --- whole questions
    def questions(self, graph: Graph, op: Operator, count: int = 6) -> list[str]:
        """``count`` phrasings (fewer when they coincide) of ``graph`` under ``op``."""
        out = [self.question(graph, op) for _ in range(count * 2)]
        return list(dict.fromkeys(out))[:count]

    def question(self, graph: Graph, op: Operator) -> str:
        P, S = self.np(graph, True), self.np(graph, False)
        k = op.kind
        if k == "list":
            frames = [
                f"List the {P}.",
                f"Show me the {P}.",
                f"Which are the {P}?",
                f"I need the {P}.",
                f"Could you tell me the {P}?",
                f"Give me all {P}.",
                f"What are the {P}?",
                P,
                f"Find the {P}.",
                f"Which {P} are there?",
            ]
            if is_person(self.one(graph.focus)):
                frames.append(f"Who are the {P}?")
        elif k == "count":
            frames = [
                f"How many {P} are there?",
                f"Count the {P}.",
                f"What is the number of {P}?",
                f"Could you tell me how many {P} there are?",
                f"I need the number of {P}.",
                f"number of {P}",
                f"How many {P} do we have?",
            ]
        elif k == "ask" and graph.focus_slot:
            z = f"<{graph.focus_slot}>"
            s = _a(S)
            frames = [
                f"Is {z} {s}?",
                f"Is it true that {z} is {s}?",
                f"Could you tell me whether {z} is {s}?",
                f"Tell me if {z} is {s}.",
            ]
        elif k == "ask":
            frames = [
                f"Is there {_a(S)}?",
                f"Are there any {P}?",
                f"Do we have any {P}?",
                f"Could you tell me whether there are any {P}?",
                f"Tell me if there is {_a(S)}.",
                f"Does any {S} exist?",
            ]
        elif k == "top" and op.numeric:
            frames = self._top(op, op.numeric, P, S)
        elif k == "aggregate" and op.numeric:
            nn, fw = self.numeric_noun(op.numeric), self.pick(list(_FN[op.fn]))
            frames = [
                f"What is the {fw} {nn} of the {P}?",
                f"Could you tell me the {fw} {nn} of all {P}?",
                f"{fw} {nn} of {P}",
                f"I need the {fw} {nn} across {P}.",
                f"Show me the {fw} {nn} of the {P}.",
            ]
        elif k == "group":
            frames = self._group(op, P)
        elif k == "optional":
            ps = " and ".join(self.link_noun(p) for p in op.props)
            frames = [
                f"List the {P} with their {ps}.",
                f"Show me every {S} and its {ps}, if known.",
                f"Could you give me all {P} along with their {ps}?",
                f"Give me the {P} and, where there is one, their {ps}.",
                f"I need the {P} together with their {ps}.",
            ]
        else:
            frames = self._bind(graph, op, P, S)
        return self.pick(frames)

    def _top(self, op: Operator, numeric: Numeric, P: str, S: str) -> list[str]:
        nn = self.numeric_noun(numeric)
        # "heaviest" names the item's own weight, not a number of something linked to it
        own = not numeric.path or nn == self.noun(numeric.path[0].prop)
        high, low = superlatives(nn) if own else ("highest", "lowest")
        word = high if op.desc else low
        hl = "highest" if op.desc else "lowest"
        k, o = op.limit, op.offset
        if (high, low) == ("highest", "lowest"):  # no adjective of its own: "with the highest"
            word = ""
        if k == 1:
            ordinal = _ORDINALS[min(o, 2)]
            if not word:
                return [
                    f"Which {S} has the {ordinal}{hl} {nn}?",
                    f"Show me the {S} with the {ordinal}{hl} {nn}.",
                    f"I need the {S} with the {ordinal}{hl} {nn}"
                    + (f", and that {nn}." if op.show_value else "."),
                    f"{S} with the {ordinal}{hl} {nn}",
                ]
            if op.show_value:
                return [
                    f"Give me the {ordinal}{word} {S} and its {nn}.",
                    f"What is the {ordinal}{word} {S}, and what is its {nn}?",
                    f"Which {S} has the {ordinal}{hl} {nn}, and how much is it?",
                ]
            return [
                f"Which {S} has the {ordinal}{hl} {nn}?",
                f"What is the {ordinal}{word} {S}?",
                f"Show me the {S} with the {ordinal}{hl} {nn}.",
                f"I need the {ordinal}{word} {S}.",
                f"the {ordinal}{word} {S}",
            ]
        their = f" with their {nn}" if op.show_value else ""
        if not word:
            word = f"{hl}-{nn}".replace(" ", "-")
        if o:
            return [
                f"List the {P} ranked {o + 1} to {o + k} by {nn}, {hl} first{their}.",
                f"Skip the {o} {word} {P} and show me the next {k}{their}.",
            ]
        return [
            f"Which {k} {P} have the {hl} {nn}?{'' if not their else ' Include the ' + nn + '.'}",
            f"List the {k} {word} {P}{their}.",
            f"Show me the {k} {P} with the {hl} {nn}{their}.",
            f"top {k} {P} by {hl} {nn}",
        ]

    def key_noun(self, key: Step | str | None) -> str:
        if isinstance(key, Step):
            ph = self.phrase(key.prop)
            return ph.noun if key.forward and ph.kind == "noun" else self.one(key.target)
        return self.noun(key or "")

    def _group(self, op: Operator, P: str) -> list[str]:
        gk = self.key_noun(op.key)
        gks = plural(gk)
        n = f"<{THRESHOLD}>"
        if op.numeric is None:
            if op.having:
                return [
                    f"Which {gks} have more than {n} {P}?",
                    f"List the {gks} with over {n} {P}.",
                    f"Show me every {gk} that has more than {n} {P}.",
                ]
            if op.best:
                return [
                    f"Which {gk} has the most {P}?",
                    f"What {gk} has the largest number of {P}?",
                    f"the {gk} with the most {P}",
                ]
            return [
                f"How many {P} are there per {gk}?",
                f"For each {gk}, how many {P} are there?",
                f"Count the {P} by {gk}.",
                f"number of {P} per {gk}",
                f"Show me the number of {P} for every {gk}.",
            ]
        nn, fw = self.numeric_noun(op.numeric), self.pick(list(_FN[op.fn]))
        if op.having:
            return [
                f"Which {gks} have {P} with {_a(fw)} {nn} above {n}?",
                f"List the {gks} whose {P} have {_a(fw)} {nn} over {n}.",
            ]
        if op.best:
            return [
                f"Which {gk} has the highest {fw} {nn} of {P}?",
                f"For which {gk} is the {fw} {nn} of its {P} the highest?",
            ]
        return [
            f"What is the {fw} {nn} of {P} per {gk}?",
            f"For each {gk}, give me the {fw} {nn} of its {P}.",
            f"{fw} {nn} of {P} by {gk}",
            f"Could you tell me the {fw} {nn} of the {P} for every {gk}?",
        ]

    def _bind(self, graph: Graph, op: Operator, P: str, S: str) -> list[str]:
        a, b = (self.noun(p) for p in op.props)
        expr = {
            "*": [f"product of {a} and {b}", f"{a} times {b}"],
            "/": [f"ratio of {a} to {b}", f"{a} divided by {b}"],
            "-": [f"difference between {a} and {b}", f"{a} minus {b}"],
        }[op.arith]
        e = self.pick(expr)
        if op.form == "value":
            z = f"<{graph.focus_slot}>"
            return [
                f"What is the {e} for {z}?",
                f"Could you tell me the {e} of {z}?",
                f"Compute the {e} of {z}.",
                f"I need the {e} for {z}.",
            ]
        n = f"<{THRESHOLD}>"
        if op.form == "top":
            hl = "highest" if op.desc else "lowest"
            return [f"Which {S} has the {hl} {e}?", f"Show me the {S} with the {hl} {e}."]
        return [
            f"List the {P} whose {e} is above {n}.",
            f"Which {P} have a {e} greater than {n}?",
            f"{P} with a {e} over {n}",
        ]
