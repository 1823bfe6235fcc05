"""German for composed queries: the constructs of the English ``verbalise`` (constraints as
relative clauses and prepositional phrases, lists, counts, yes/no questions, superlatives,
comparisons, aggregates per group, negation, requests) in German word order.

Nouns come from the lexicon (``lexicon``) with their gender, so articles and adjective
endings agree; an unknown label stays English as a neuter noun. Placeholders (``<A>``) stay
for the instantiator, as in English; instance labels stay as the graph writes them.
"""

from __future__ import annotations

from sparqlqa.ontology.lexicon import Noun, noun, verb
from sparqlqa.templates.compose import Constraint, Graph, Step
from sparqlqa.templates.operators import THRESHOLD, Operator
from sparqlqa.templates.phrasing import is_person, plural
from sparqlqa.templates.verbalise import Verbaliser

_PLACE_WORDS = frozenset({"city", "country", "locality", "location", "region", "town", "place"})
_MORE = ("über", "von mehr als", "größer als", "höher als")
_LESS = ("unter", "von weniger als", "kleiner als", "niedriger als")
_FN = {"AVG": "durchschnittlich", "SUM": "gesamt", "MIN": "niedrigst", "MAX": "höchst"}
#: Superlative stems (highest, lowest) by the English head noun of a number.
_SUPERLATIVES = {
    "weight": ("schwerst", "leichtest"),
    "price": ("teuerst", "billigst"),
    "height": ("höchst", "niedrigst"),
    "length": ("längst", "kürzest"),
    "age": ("ältest", "jüngst"),
    "population": ("bevölkerungsreichst", "bevölkerungsärmst"),
}
_DEF = {"nom": "der die das", "acc": "den die das", "dat": "dem der dem", "gen": "des der des"}
_INDEF = {"nom": "ein eine ein", "acc": "einen eine ein", "dat": "einem einer einem"}
_GENDERS = "mfn"
#: Words that open a relative clause (which German sets off with a comma).
_RELATIVES = frozenset({"der", "die", "das", "den", "dem", "deren", "dessen", "bei"})


def definite(n: Noun, case: str = "nom", pl: bool = False) -> str:
    """``der Preis``, ``den Preis``, ``die Preise``, ``der Preise`` (genitive plural)."""
    if pl:
        return {"dat": "den", "gen": "der"}.get(case, "die")
    return _DEF[case].split()[_GENDERS.index(n.gender)]


def indefinite(n: Noun, case: str = "nom", negative: bool = False) -> str:
    word = _INDEF[case].split()[_GENDERS.index(n.gender)]
    return "k" + word if negative else word


def relative(n: Noun, pl: bool, case: str = "nom") -> str:
    """The relative pronoun for a head noun: ``der``/``die``/``das``, ``deren``/``dessen``
    (genitive)."""
    if case == "gen":
        return "deren" if pl or n.gender == "f" else "dessen"
    return definite(n, case, pl)


def weak(stem: str, n: Noun, case: str, pl: bool) -> str:
    """An adjective after a definite article: ``der höchste``, ``den höchsten``."""
    if pl or case in ("dat", "gen") or (case == "acc" and n.gender == "m"):
        return stem + "en"
    return stem + "e"


def _which(n: Noun) -> str:
    return {"m": "Welcher", "f": "Welche", "n": "Welches"}[n.gender]


class GermanVerbaliser(Verbaliser):
    """German phrasings of composed queries; the English one supplies the schema's words."""

    language = "de"

    # --- words
    def de(self, english: str) -> Noun:
        return noun(english, "de", plural(english))

    def cls(self, iri: str) -> Noun:
        return self.de(self.one(iri))

    def prop(self, iri: str) -> Noun:
        return self.de(self.noun(iri))

    def cmp(self, op: str) -> str:
        return self.pick(list(_MORE if op == ">" else _LESS))

    # --- constraints; ``head`` is the noun the clause describes, ``pl`` its number
    def _direct(self, step: Step, x: str, head: Noun, pl: bool) -> list[str]:
        ph = self.phrase(step.prop)
        n = self.de(ph.noun)
        rel = relative(head, pl)
        be = "sind" if pl else "ist"
        if ph.kind == "noun" and step.forward:
            return [f"mit {n.one} {x}", f"{relative(head, pl, 'gen')} {n.one} {x} ist"]
        if ph.kind == "noun":
            return [f"{rel} {n.many if pl else definite(n) + ' ' + n.one} von {x} {be}"]
        forms = verb(ph.text, "de") if ph.kind == "verb" else None
        if forms is not None:
            if step.forward:
                return [f"{rel} {x} {forms[1] if pl else forms[0]}"]
            return [f"{relative(head, pl, 'acc')} {x} {forms[0]}"]
        if ph.kind == "relation" and step.forward:
            return [f"{rel} {n.many if pl else definite(n) + ' ' + n.one} von {x} {be}"]
        if ph.kind == "relation":
            return [f"mit {n.one} {x}"]
        return [f"{rel} mit {x} verbunden {be}"]

    def _via(self, step: Step, inner: str, head: Noun, pl: bool) -> list[str]:
        ph = self.phrase(step.prop)
        n = self.de(ph.noun)
        target = self.cls(step.target)
        rel = relative(head, pl)
        be = "sind" if pl else "ist"
        if ph.kind == "noun" and step.forward:
            return [f"mit {indefinite(n, 'dat')} {n.one} {inner}"]
        if ph.kind == "noun":
            return [
                f"{rel} {n.many if pl else definite(n) + ' ' + n.one} von "
                f"{indefinite(target, 'dat')} {target.one} {inner} {be}"
            ]
        forms = verb(ph.text, "de") if ph.kind == "verb" else None
        if forms is not None and step.forward:
            return [
                f"{rel} {indefinite(target, 'acc')} {target.one} {inner} "
                f"{forms[1] if pl else forms[0]}"
            ]
        if forms is not None:
            return [
                f"{relative(head, pl, 'acc')} {indefinite(target)} {target.one} {inner} {forms[0]}"
            ]
        return [f"{rel} mit {indefinite(target, 'dat')} {target.one} {inner} verbunden {be}"]

    def _end(self, c: Constraint, head: Noun, pl: bool) -> list[str]:
        ph = self.phrase(c.prop or "")
        n = self.de(ph.noun)
        x = f"<{c.slot}>"
        gen = relative(head, pl, "gen")
        if c.kind == "value":
            out = [f"mit {n.one} {x}", f"{gen} {n.one} {x} ist"]
            if _PLACE_WORDS & set(ph.noun.split()):
                out += [f"in {x}", f"aus {x}"]
            return out
        unit = f" {ph.unit}" if ph.unit and self.rng.random() < 0.5 else ""
        return [
            f"mit {indefinite(n, 'dat')} {n.one} {self.cmp(c.op)} {x}{unit}",
            f"{gen} {n.one} {'über' if c.op == '>' else 'unter'} {x}{unit} liegt",
            f"{gen} {n.one} {'größer' if c.op == '>' else 'kleiner'} als {x}{unit} ist",
        ]

    def walk(
        self, path: tuple[Step, ...], c: Constraint | None, x: str | None, head: Noun, pl: bool
    ) -> list[str]:
        """A path from the node, ending at entity ``x`` or in ``c``'s condition."""
        if not path:
            return self._end(c, head, pl) if c is not None else []
        if len(path) == 1 and x is not None:
            return self._direct(path[0], x, head, pl)
        inner = self.pick(self.walk(path[1:], c, x, self.cls(path[0].target), False))
        if inner.split(" ", 1)[0] in _RELATIVES:  # "mit einem Preis, dessen Betrag ..."
            inner = ", " + inner
        return [v.replace(" , ", ", ") for v in self._via(path[0], inner, head, pl)]

    def _absent(self, c: Constraint, head: Noun, pl: bool) -> list[str]:
        step = c.path[0]
        ph = self.phrase(step.prop)
        n = self.de(ph.noun)
        target = self.cls(step.target)
        rel = relative(head, pl)
        be = "sind" if pl else "ist"
        have = "haben" if pl else "hat"
        x = f"<{c.slot}>" if c.slot else None
        if len(c.path) > 1:
            inner = self.pick(self.walk(c.path[1:], None, x, target, False))
            if step.forward and ph.kind == "noun":
                return [f"ohne {n.one} {inner}"]
            return [
                f"{rel} mit {indefinite(target, 'dat', True)} {target.one} {inner} verbunden {be}"
            ]
        if x is not None:
            if step.forward and ph.kind == "noun":
                return [
                    f"{relative(head, pl, 'gen')} {n.one} nicht {x} ist",
                    f"{rel} nicht {x} als {n.one} {have}",
                ]
            forms = verb(ph.text, "de") if ph.kind == "verb" and step.forward else None
            if forms is not None:
                return [f"{rel} {x} nicht {forms[1] if pl else forms[0]}"]
            return [f"{rel} nicht mit {x} verbunden {be}"]
        if step.forward and ph.kind == "noun":
            return [f"ohne {n.one}", f"{rel} {indefinite(n, 'acc', True)} {n.one} {have}"]
        return [f"{rel} mit {indefinite(target, 'dat', True)} {target.one} verbunden {be}"]

    def _modifier(self, c: Constraint, head: Noun, pl: bool) -> str:
        if c.kind == "entity":
            return self.pick(self.walk(c.path, None, f"<{c.slot}>", head, pl))
        if c.kind in ("value", "number"):
            return self.pick(self.walk(c.path, c, None, head, pl))
        if c.kind == "absent":
            return self.pick(self._absent(c, head, pl))
        bigger = "größer" if c.op == ">" else "kleiner"
        a, b = self.prop(c.prop or ""), self.prop(c.other or "")
        return (
            f"bei {'denen' if pl else relative(head, False, 'dat')} {definite(a)} {a.one} "
            f"{bigger} als {definite(b)} {b.one} ist"
        )

    def np(self, graph: Graph, pl: bool) -> str:
        """The focus with its constraints: "Lieferanten aus <B>, die <A> liefern"."""
        head = self.cls(graph.focus)
        text = head.many if pl else head.one
        mods = [self._modifier(c, head, pl) for c in graph.constraints]
        out = text
        for i, mod in enumerate(mods):
            clause = mod.split(" ", 1)[0] in _RELATIVES
            joiner = " und " if i else (", " if clause else " ")
            out += joiner + mod
        return out

    def mid(self, text: str) -> str:
        """A noun phrase followed by more words: a relative clause ends with a comma."""
        return text + "," if ", " in text else text

    # --- whole questions
    def question(self, graph: Graph, op: Operator) -> str:
        P, S = self.np(graph, True), self.np(graph, False)
        head = self.cls(graph.focus)
        k = op.kind
        if k == "list":
            frames = [
                f"Liste die {P} auf.",
                f"Zeig mir die {P}.",
                f"Zeige alle {P}.",
                f"Welche {self.mid(P)} gibt es?",
                f"Ich brauche die {P}.",
                f"Kannst du mir die {P} nennen?",
                f"Gib mir alle {P}.",
                f"Was sind die {P}?",
                f"Finde die {P}.",
                P,
            ]
            if is_person(self.one(graph.focus)):
                frames.append(f"Wer sind die {P}?")
        elif k == "count":
            frames = [
                f"Wie viele {self.mid(P)} gibt es?",
                f"Zähle die {P}.",
                f"Was ist die Anzahl der {P}?",
                f"Kannst du mir sagen, wie viele {self.mid(P)} es gibt?",
                f"Ich brauche die Anzahl der {P}.",
                f"Anzahl der {P}",
                f"Wie viele {self.mid(P)} haben wir?",
            ]
        elif k == "ask" and graph.focus_slot:
            z = f"<{graph.focus_slot}>"
            a = indefinite(head)
            frames = [
                f"Ist {z} {a} {self.mid(S)}?".replace(",?", "?"),
                f"Stimmt es, dass {z} {a} {S} ist?",
                f"Kannst du mir sagen, ob {z} {a} {S} ist?",
            ]
        elif k == "ask":
            frames = [
                f"Gibt es {self.mid(P)}?".replace(",?", "?"),
                f"Gibt es {indefinite(head, 'acc')} {S}?",
                f"Haben wir {self.mid(P)}?".replace(",?", "?"),
                f"Kannst du mir sagen, ob es {P} gibt?",
                f"Existiert {indefinite(head)} {S}?",
            ]
        elif k == "top" and op.numeric:
            frames = self._top_de(op, P, S, head)
        elif k == "aggregate" and op.numeric:
            nn = self.de(self.numeric_noun(op.numeric))
            adj = weak(_FN[op.fn], nn, "nom", False)
            frames = [
                f"Was ist {definite(nn)} {adj} {nn.one} der {P}?",
                f"Wie hoch ist {definite(nn)} {adj} {nn.one} aller {P}?",
                f"{definite(nn)} {adj} {nn.one} der {P}",
                f"Zeig mir {definite(nn, 'acc')} {weak(_FN[op.fn], nn, 'acc', False)} "
                f"{nn.one} der {P}.",
            ]
        elif k == "group":
            frames = self._group_de(op, P)
        elif k == "optional":
            ps = " und ".join(self.de(self.link_noun(p)).one for p in op.props)
            frames = [
                f"Liste die {self.mid(P)} mit {ps} auf.".replace(",,", ","),
                f"Zeig mir alle {self.mid(P)} und, falls bekannt, {ps}.",
                f"Ich brauche die {self.mid(P)} zusammen mit {ps}.",
            ]
        else:
            frames = self._bind_de(graph, op, P, S, head)
        return self.pick(frames)

    def _top_de(self, op: Operator, P: str, S: str, head: Noun) -> list[str]:
        assert op.numeric is not None
        english = self.numeric_noun(op.numeric)
        nn = self.de(english)
        own = not op.numeric.path or english == self.noun(op.numeric.path[0].prop)
        high, low = _SUPERLATIVES.get(english.split()[-1], ("", "")) if own else ("", "")
        word = high if op.desc else low
        hl = "höchst" if op.desc else "niedrigst"
        with_ = f"mit {definite(nn, 'dat')} {weak(hl, nn, 'dat', False)} {nn.one}"
        k, o = op.limit, op.offset
        if k == 1:
            ordinal = ("", "zweit", "dritt")[min(o, 2)]
            if ordinal:
                with_ = f"mit {definite(nn, 'dat')} {ordinal}{weak(hl, nn, 'dat', False)} {nn.one}"
            out = [
                f"{_which(head)} {self.mid(S)} hat {definite(nn, 'acc')} "
                f"{ordinal}{weak(hl, nn, 'acc', False)} {nn.one}?",
                f"Zeig mir {definite(head, 'acc')} {self.mid(S)} {with_}.".replace(",,", ","),
                f"{S} {with_}",
            ]
            if word:
                out.append(
                    f"Was ist {definite(head)} {ordinal}{weak(word, head, 'nom', False)} {S}?"
                )
            if op.show_value:
                out = [
                    f.rstrip(".?") + f", und wie hoch ist {definite(nn, 'nom')} {nn.one}?"
                    for f in out[:2]
                ]
            return out
        their = f" mit {definite(nn, 'dat', True)} {nn.many}" if op.show_value else ""
        if o:
            return [
                f"Liste die {self.mid(P)} auf Platz {o + 1} bis {o + k} nach {nn.one}, "
                f"{'höchste' if op.desc else 'niedrigste'} zuerst{their}.",
                f"Überspringe die ersten {o} {P} nach {nn.one} und zeig mir die nächsten "
                f"{k}{their}.",
            ]
        best = f"{weak(word, head, 'nom', True)} " if word else ""
        return [
            f"Welche {k} {self.mid(P)} haben {definite(nn, 'acc')} "
            f"{weak(hl, nn, 'acc', False)} {nn.one}?",
            f"Liste die {k} {best}{P}{their} auf.",
            f"Zeig mir die {k} {self.mid(P)} {with_}{their}.".replace(",,", ","),
            f"Top {k} {P} nach {nn.one}",
        ]

    def _group_de(self, op: Operator, P: str) -> list[str]:
        gk = self.de(self.key_noun(op.key))
        n = f"<{THRESHOLD}>"
        if op.numeric is None:
            if op.having:
                return [
                    f"Welche {gk.many} haben mehr als {n} {P}?",
                    f"Liste die {gk.many} mit über {n} {P} auf.",
                ]
            if op.best:
                return [
                    f"{_which(gk)} {gk.one} hat die meisten {P}?",
                    f"{definite(gk)} {gk.one} mit den meisten {P}",
                ]
            return [
                f"Wie viele {self.mid(P)} gibt es pro {gk.one}?",
                f"Zähle die {P} pro {gk.one}.",
                f"Anzahl der {P} je {gk.one}",
                f"Zeig mir für jede {gk.one} die Anzahl der {P}."
                if gk.gender == "f"
                else f"Zeig mir für jeden {gk.one} die Anzahl der {P}."
                if gk.gender == "m"
                else f"Zeig mir für jedes {gk.one} die Anzahl der {P}.",
            ]
        nn = self.de(self.numeric_noun(op.numeric))
        stem = _FN[op.fn]
        if op.having:
            return [
                f"Welche {gk.many} haben {P} mit {indefinite(nn, 'dat')} {stem}en {nn.one} "
                f"über {n}?",
            ]
        if op.best:
            return [
                f"{_which(gk)} {gk.one} hat {definite(nn, 'acc')} "
                f"{weak('höchst', nn, 'acc', False)} {weak(stem, nn, 'acc', False)} "
                f"{nn.one} der {P}?",
            ]
        return [
            f"Was ist {definite(nn)} {weak(stem, nn, 'nom', False)} {nn.one} der {P} pro {gk.one}?",
            f"{definite(nn)} {weak(stem, nn, 'nom', False)} {nn.one} der {P} nach {gk.one}",
        ]

    def _bind_de(self, graph: Graph, op: Operator, P: str, S: str, head: Noun) -> list[str]:
        a, b = (self.prop(p).one for p in op.props)
        e = self.pick(
            {
                "*": [f"das Produkt aus {a} und {b}", f"{a} mal {b}"],
                "/": [f"das Verhältnis von {a} zu {b}", f"{a} geteilt durch {b}"],
                "-": [f"die Differenz zwischen {a} und {b}", f"{a} minus {b}"],
            }[op.arith]
        )
        if op.form == "value":
            z = f"<{graph.focus_slot}>"
            return [f"Was ist {e} für {z}?", f"Berechne {e} von {z}.", f"Ich brauche {e} für {z}."]
        n = f"<{THRESHOLD}>"
        if op.form == "top":
            hl = "höchsten" if op.desc else "niedrigsten"
            return [f"{_which(head)} {self.mid(S)} hat den {hl} Wert für {e}?"]
        return [
            f"Liste die {self.mid(P)} auf, bei denen {e} über {n} liegt.".replace(",,", ","),
            f"Welche {self.mid(P)} haben für {e} einen Wert größer als {n}?",
        ]
