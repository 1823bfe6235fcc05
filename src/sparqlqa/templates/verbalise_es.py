"""Spanish for composed queries: the constructs of the English ``verbalise`` (constraints as
relative clauses and prepositional phrases, lists, counts, yes/no questions, superlatives,
comparisons, aggregates per group, negation, requests).

Nouns come from the lexicon (``lexicon``) with their gender, so articles, ``cuyo/cuya``,
``cuántos/cuántas`` and adjectives agree; an unknown label stays English as a masculine noun.
Placeholders (``<A>``) stay for the instantiator; instance labels stay as the graph writes
them.
"""

from __future__ import annotations

from sparqlqa.ontology.lexicon import Noun, noun, verb
from sparqlqa.templates.compose import Constraint, Graph, Step
from sparqlqa.templates.operators import THRESHOLD, Operator
from sparqlqa.templates.phrasing import is_person, plural
from sparqlqa.templates.verbalise import Verbaliser

_PLACE_WORDS = frozenset({"city", "country", "locality", "location", "region", "town", "place"})
_MORE = ("superior a", "mayor que", "más de", "por encima de")
_LESS = ("inferior a", "menor que", "menos de", "por debajo de")
#: After "es": "cuyo precio es superior a 5".
_MORE_IS = ["mayor que", "superior a"]
_LESS_IS = ["menor que", "inferior a"]
#: Adjectives of aggregates, masculine (feminine: final o → a; "total" stays).
_FN = {"AVG": "medio", "SUM": "total", "MIN": "mínimo", "MAX": "máximo"}
#: Superlative adjectives (highest, lowest) by the English head noun of a number.
_SUPERLATIVES = {
    "weight": ("más pesado", "más ligero"),
    "price": ("más caro", "más barato"),
    "height": ("más alto", "más bajo"),
    "length": ("más largo", "más corto"),
    "age": ("más viejo", "más joven"),
    "population": ("más poblado", "menos poblado"),
}


def agree(adjective: str, n: Noun, pl: bool = False) -> str:
    """``caro`` for a masculine noun, ``cara`` feminine, ``caros``/``caras`` plural."""
    if adjective.endswith("o") and n.gender == "f":
        adjective = adjective[:-1] + "a"
    if pl:
        adjective += "es" if adjective.endswith(("l", "r", "n")) else "s"
    return adjective


def agree_phrase(phrase: str, n: Noun, pl: bool = False) -> str:
    """Every word of ``más caro`` agreed but ``más``/``menos``."""
    return " ".join(w if w in ("más", "menos") else agree(w, n, pl) for w in phrase.split())


def the(n: Noun, pl: bool = False) -> str:
    return ("las" if pl else "la") if n.gender == "f" else ("los" if pl else "el")


def a(n: Noun) -> str:
    return "una" if n.gender == "f" else "un"


class SpanishVerbaliser(Verbaliser):
    """Spanish phrasings of composed queries; the English one supplies the schema's words."""

    language = "es"

    # --- words
    def es(self, english: str) -> Noun:
        return noun(english, "es", plural(english))

    def cls(self, iri: str) -> Noun:
        return self.es(self.one(iri))

    def prop(self, iri: str) -> Noun:
        return self.es(self.noun(iri))

    def cmp(self, op: str) -> str:
        return self.pick(list(_MORE if op == ">" else _LESS))

    # --- constraints; ``head`` is the noun the clause describes, ``pl`` its number
    def _linked(self, head: Noun, pl: bool, negative: bool = False) -> str:
        return ("no " if negative else "") + agree("vinculado", head, pl) + " con"

    def _direct(self, step: Step, x: str, head: Noun, pl: bool) -> list[str]:
        ph = self.phrase(step.prop)
        n = self.es(ph.noun)
        be = "son" if pl else "es"
        if ph.kind == "noun" and step.forward:
            return [f"con {n.one} {x}", f"{agree('cuyo', n)} {n.one} es {x}"]
        if ph.kind == "noun" or (ph.kind == "relation" and step.forward):
            return [f"que {be} {n.many if pl else the(n) + ' ' + n.one} de {x}"]
        forms = verb(ph.text, "es") if ph.kind == "verb" else None
        if forms is not None:
            if step.forward:
                return [f"que {forms[1] if pl else forms[0]} {x}"]
            return [f"que {x} {forms[0]}"]
        if ph.kind == "relation":
            return [f"con {n.one} {x}"]
        return [f"{self._linked(head, pl)} {x}"]

    def _via(self, step: Step, inner: str, head: Noun, pl: bool) -> list[str]:
        ph = self.phrase(step.prop)
        n = self.es(ph.noun)
        target = self.cls(step.target)
        be = "son" if pl else "es"
        if ph.kind == "noun" and step.forward:
            return [f"con {a(n)} {n.one} {inner}"]
        if ph.kind == "noun":
            return [
                f"que {be} {n.many if pl else the(n) + ' ' + n.one} de {a(target)} "
                f"{target.one} {inner}"
            ]
        forms = verb(ph.text, "es") if ph.kind == "verb" else None
        if forms is not None and step.forward:
            return [f"que {forms[1] if pl else forms[0]} {a(target)} {target.one} {inner}"]
        if forms is not None:
            return [f"que {a(target)} {target.one} {inner} {forms[0]}"]
        return [f"{self._linked(head, pl)} {a(target)} {target.one} {inner}"]

    def _end(self, c: Constraint, head: Noun, pl: bool) -> list[str]:
        ph = self.phrase(c.prop or "")
        n = self.es(ph.noun)
        x = f"<{c.slot}>"
        whose = agree("cuyo", n)
        if c.kind == "value":
            out = [f"con {n.one} {x}", f"{whose} {n.one} es {x}"]
            if _PLACE_WORDS & set(ph.noun.split()):
                out += [f"en {x}", f"de {x}"]
            return out
        unit = f" {ph.unit}" if ph.unit and self.rng.random() < 0.5 else ""
        return [
            f"con {a(n)} {n.one} {self.cmp(c.op)} {x}{unit}",
            f"{whose} {n.one} es {self.pick(_MORE_IS if c.op == '>' else _LESS_IS)} {x}{unit}",
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
        return self._via(path[0], inner, head, pl)

    def _absent(self, c: Constraint, head: Noun, pl: bool) -> list[str]:
        step = c.path[0]
        ph = self.phrase(step.prop)
        n = self.es(ph.noun)
        target = self.cls(step.target)
        have = "tienen" if pl else "tiene"
        x = f"<{c.slot}>" if c.slot else None
        none = "ninguna" if target.gender == "f" else "ningún"
        if len(c.path) > 1:
            inner = self.pick(self.walk(c.path[1:], None, x, target, False))
            if step.forward and ph.kind == "noun":
                return [f"sin {n.one} {inner}", f"que no {have} {n.one} {inner}"]
            return [f"{self._linked(head, pl, True)} {none} {target.one} {inner}"]
        if x is not None:
            if step.forward and ph.kind == "noun":
                return [f"{agree('cuyo', n)} {n.one} no es {x}", f"que no {have} {x} como {n.one}"]
            forms = verb(ph.text, "es") if ph.kind == "verb" and step.forward else None
            if forms is not None:
                return [f"que no {forms[1] if pl else forms[0]} {x}"]
            return [f"{self._linked(head, pl, True)} {x}"]
        if step.forward and ph.kind == "noun":
            return [f"sin {n.one}", f"que no {have} {n.one}"]
        return [f"{self._linked(head, pl, True)} {none} {target.one}"]

    def _modifier(self, c: Constraint, head: Noun, pl: bool) -> str:
        if c.kind == "entity":
            return self.pick(self.walk(c.path, None, f"<{c.slot}>", head, pl))
        if c.kind in ("value", "number"):
            return self.pick(self.walk(c.path, c, None, head, pl))
        if c.kind == "absent":
            return self.pick(self._absent(c, head, pl))
        bigger = "mayor" if c.op == ">" else "menor"
        x, y = self.prop(c.prop or ""), self.prop(c.other or "")
        return f"{agree('cuyo', x)} {x.one} es {bigger} que su {y.one}"

    def np(self, graph: Graph, pl: bool) -> str:
        """The focus with its constraints: "proveedores de <B> que suministran <A>"."""
        head = self.cls(graph.focus)
        mods = [self._modifier(c, head, pl) for c in graph.constraints]
        return " ".join([head.many if pl else head.one, " y ".join(mods)]).strip()

    # --- whole questions
    def question(self, graph: Graph, op: Operator) -> str:
        P, S = self.np(graph, True), self.np(graph, False)
        head = self.cls(graph.focus)
        los = the(head, True)
        how_many = "Cuántas" if head.gender == "f" else "Cuántos"
        k = op.kind
        if k == "list":
            frames = [
                f"Lista {los} {P}.",
                f"Muéstrame {los} {P}.",
                f"¿Cuáles son {los} {P}?",
                f"Necesito {los} {P}.",
                f"¿Puedes decirme {los} {P}?",
                f"Dame {'todas' if head.gender == 'f' else 'todos'} {los} {P}.",
                f"¿Qué {P} hay?",
                f"Busca {los} {P}.",
                P,
            ]
            if is_person(self.one(graph.focus)):
                frames.append(f"¿Quiénes son {los} {P}?")
        elif k == "count":
            frames = [
                f"¿{how_many} {P} hay?",
                f"Cuenta {los} {P}.",
                f"¿Cuál es el número de {P}?",
                f"¿Puedes decirme cuántos {P} hay?"
                if head.gender != "f"
                else f"¿Puedes decirme cuántas {P} hay?",
                f"Necesito el número de {P}.",
                f"número de {P}",
                f"¿{how_many} {P} tenemos?",
            ]
        elif k == "ask" and graph.focus_slot:
            z = f"<{graph.focus_slot}>"
            frames = [
                f"¿Es {z} {a(head)} {S}?",
                f"¿Es cierto que {z} es {a(head)} {S}?",
                f"¿Puedes decirme si {z} es {a(head)} {S}?",
            ]
        elif k == "ask":
            some = "alguna" if head.gender == "f" else "algún"
            frames = [
                f"¿Hay {P}?",
                f"¿Hay {some} {S}?",
                f"¿Tenemos {P}?",
                f"¿Puedes decirme si hay {P}?",
                f"¿Existe {some} {S}?",
            ]
        elif k == "top" and op.numeric:
            frames = self._top_es(op, P, S, head)
        elif k == "aggregate" and op.numeric:
            nn = self.es(self.numeric_noun(op.numeric))
            adj = agree(_FN[op.fn], nn)
            all_ = "todas" if head.gender == "f" else "todos"
            frames = [
                f"¿Cuál es {the(nn)} {nn.one} {adj} de {los} {P}?",
                f"¿Puedes decirme {the(nn)} {nn.one} {adj} de {all_} {los} {P}?",
                f"{nn.one} {adj} de {los} {P}",
                f"Muéstrame {the(nn)} {nn.one} {adj} de {los} {P}.",
            ]
        elif k == "group":
            frames = self._group_es(op, P, head)
        elif k == "optional":
            ps = " y ".join(self.es(self.link_noun(p)).one for p in op.props)
            frames = [
                f"Lista {los} {P} con su {ps}.",
                f"Muéstrame cada {S} y su {ps}, si se conoce.",
                f"Necesito {los} {P} junto con su {ps}.",
            ]
        else:
            frames = self._bind_es(graph, op, P, S, head)
        return self.pick(frames)

    def _top_es(self, op: Operator, P: str, S: str, head: Noun) -> list[str]:
        assert op.numeric is not None
        english = self.numeric_noun(op.numeric)
        nn = self.es(english)
        own = not op.numeric.path or english == self.noun(op.numeric.path[0].prop)
        high, low = _SUPERLATIVES.get(english.split()[-1], ("", "")) if own else ("", "")
        word = high if op.desc else low
        hl = agree_phrase("más alto" if op.desc else "más bajo", nn)
        k, o = op.limit, op.offset
        the_s = the(head)
        if k == 1:
            ordinal = ("", agree("segundo", nn) + " ", agree("tercer", nn) + " ")[min(o, 2)]
            with_ = f"con {the(nn)} {ordinal}{nn.one} {hl}"
            out = [
                f"¿Qué {S} tiene {the(nn)} {ordinal}{nn.one} {hl}?",
                f"Muéstrame {the_s} {S} {with_}.",
                f"{S} {with_}",
            ]
            if word:
                nth = ("", agree("segundo", head) + " ", agree("tercer", head) + " ")[min(o, 2)]
                out.append(f"¿Cuál es {the_s} {nth}{S} {agree_phrase(word, head)}?")
            if op.show_value:
                out = [f.rstrip(".?") + f", y ¿cuál es su {nn.one}?" for f in out[:2]]
            return out
        los = the(head, True)
        their = f" con su {nn.one}" if op.show_value else ""
        if o:
            return [
                f"Lista {los} {P} en los puestos {o + 1} a {o + k} por {nn.one}, "
                f"{'de mayor a menor' if op.desc else 'de menor a mayor'}{their}.",
                f"Sáltate {los} {o} primeros {P} por {nn.one} y muéstrame {los} {k} "
                f"siguientes{their}.",
            ]
        best = f" {agree_phrase(word, head, True)}" if word else ""
        return [
            f"¿Qué {k} {P} tienen {the(nn)} {nn.one} {hl}?",
            f"Lista {los} {k} {P}{best}{their}.",
            f"Muéstrame {los} {k} {P} con {the(nn)} {nn.one} {hl}{their}.",
            f"top {k} {P} por {nn.one}",
        ]

    def _group_es(self, op: Operator, P: str, head: Noun) -> list[str]:
        gk = self.es(self.key_noun(op.key))
        n = f"<{THRESHOLD}>"
        how_many = "cuántas" if head.gender == "f" else "cuántos"
        if op.numeric is None:
            if op.having:
                return [
                    f"¿Qué {gk.many} tienen más de {n} {P}?",
                    f"Lista {the(gk, True)} {gk.many} con más de {n} {P}.",
                ]
            if op.best:
                return [
                    f"¿Qué {gk.one} tiene más {P}?",
                    f"{the(gk)} {gk.one} con más {P}",
                ]
            return [
                f"¿{how_many.capitalize()} {P} hay por {gk.one}?",
                f"Para cada {gk.one}, ¿{how_many} {P} hay?",
                f"Cuenta {the(head, True)} {P} por {gk.one}.",
                f"número de {P} por {gk.one}",
            ]
        nn = self.es(self.numeric_noun(op.numeric))
        adj = agree(_FN[op.fn], nn)
        if op.having:
            return [f"¿Qué {gk.many} tienen {P} con {a(nn)} {nn.one} {adj} superior a {n}?"]
        if op.best:
            top = agree_phrase("más alto", nn)
            return [f"¿Qué {gk.one} tiene {the(nn)} {nn.one} {adj} {top} de {P}?"]
        return [
            f"¿Cuál es {the(nn)} {nn.one} {adj} de {the(head, True)} {P} por {gk.one}?",
            f"Para cada {gk.one}, dame {the(nn)} {nn.one} {adj} de sus {P}.",
            f"{nn.one} {adj} de {P} por {gk.one}",
        ]

    def _bind_es(self, graph: Graph, op: Operator, P: str, S: str, head: Noun) -> list[str]:
        x, y = (self.prop(p).one for p in op.props)
        e = self.pick(
            {
                "*": [f"el producto de {x} y {y}", f"{x} por {y}"],
                "/": [f"la razón entre {x} y {y}", f"{x} dividido por {y}"],
                "-": [f"la diferencia entre {x} y {y}", f"{x} menos {y}"],
            }[op.arith]
        )
        if op.form == "value":
            z = f"<{graph.focus_slot}>"
            return [f"¿Cuál es {e} de {z}?", f"Calcula {e} para {z}.", f"Necesito {e} de {z}."]
        n = f"<{THRESHOLD}>"
        if op.form == "top":
            hl = "más alto" if op.desc else "más bajo"
            return [f"¿Qué {S} tiene el valor {hl} de {e}?"]
        return [
            f"Lista {the(head, True)} {P} cuyo valor de {e} es superior a {n}.",
            f"¿Qué {P} tienen un valor de {e} mayor que {n}?",
        ]
