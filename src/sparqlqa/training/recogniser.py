"""The target language as an incremental recogniser: which text may come next.

The translator writes targets (see :mod:`sparqlqa.training.target`) one tokenizer piece at a
time. :class:`Recogniser` reads such text character by character and says, at every point,
whether it is still the beginning of a target that parses, and whether it is a whole one.
Constrained decoding (:mod:`sparqlqa.training.constrain`) uses it to forbid, at each beam
step, every piece that would leave the language.

It is the lexer over the grammar of :mod:`sparqlqa.training.grammar`, for the canonical
spelling (tokens separated by one space; ``^^`` and language tags glued), whose terminals
come from the prompt: only its prefixed schema names, its offered slots ``ENTi`` / ``NUMi``,
variables ``?x0 ?x1 ...`` in order of first appearance. A few rules the parser of the store
checks beyond the grammar are enforced here too: no variable projected twice, ``AS``
introduces a new variable, no aggregate in a pattern or inside another aggregate, and with
aggregates or GROUP BY every projected variable grouped.

Every text the recogniser accepts as complete is a target that :func:`target.decode` fills
and pyoxigraph parses (the tests check it on generated data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from sparqlqa.ontology.prompt import ITEM_SEPARATOR
from sparqlqa.training.grammar import (
    AGGREGATES,
    ALWAYS,
    DATATYPES,
    DT,
    END,
    INT,
    IRI,
    LANG,
    NEWVAR,
    NUM,
    NUMSLOT,
    START,
    STR,
    VAR,
    Parse,
)

_DIGITS = re.compile(r"[0-9]*\Z")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
_NUMBER_PREFIX = re.compile(r"[0-9]+(?:\.[0-9]*)?\Z")
_STRING_PREFIX = re.compile(r'"[^"\\\n]*"?\Z')
_LANG_PREFIX = re.compile(r"@[a-z]{0,8}(?:-[a-z0-9]{0,8})?\Z", re.I | re.ASCII)


@dataclass(frozen=True)
class Vocabulary:
    """The names one prompt lets the model write."""

    iris: frozenset[str]  # prefixed schema names, <iri>s and entity slots
    datatypes: frozenset[str]
    num_slots: frozenset[str]
    int_slots: frozenset[str]  # value slots whose number is a non-negative integer

    @cached_property
    def iri_prefixes(self) -> frozenset[str]:
        return frozenset(w[:i] for w in self.iris for i in range(1, len(w) + 1))

    @cached_property
    def dt_prefixes(self) -> frozenset[str]:
        return frozenset(w[:i] for w in self.datatypes for i in range(1, len(w) + 1))

    @cached_property
    def slot_prefixes(self) -> frozenset[str]:
        return frozenset(w[:i] for w in self.num_slots for i in range(1, len(w) + 1))

    @classmethod
    def from_prompt(cls, prompt: str, prefixes: Mapping[str, str]) -> Vocabulary:
        """Schema names of the prompt's ``schema:`` line, slots of its ``entities:`` and
        ``values:`` lines; ``prefixes`` are the translator's (names with others are left out,
        as :func:`target.decode` could not expand them)."""
        lines = dict(line.partition(": ")[::2] for line in prompt.splitlines())
        names: set[str] = set(ALWAYS)
        schema = lines.get("schema", "")
        if schema and schema != "(none)":
            names.update(item.split(" = ", 1)[0].strip() for item in schema.split(ITEM_SEPARATOR))
        iris = {n for n in names if n.startswith("<") or n.partition(":")[0] in prefixes}
        iris.update(re.findall(r"\b(ENT\d+) = ", lines.get("entities", "")))
        nums = dict(re.findall(r"\b(NUM\d+) = (\S+)", lines.get("values", "")))
        return cls(
            iris=frozenset(iris),
            datatypes=frozenset(f"xsd:{d}" for d in DATATYPES if "xsd" in prefixes),
            num_slots=frozenset(nums),
            int_slots=frozenset(s for s, v in nums.items() if v.isascii() and v.isdigit()),
        )


@dataclass(frozen=True)
class Context:
    """What the grammar does not see: variables, clause, projection, grouping."""

    nvars: int = 0
    phase: str = "head"  # head (before the first "{"), where, mods (after the last "}")
    braces: int = 0
    parens: int = 0
    after_as: bool = False
    projected: frozenset[int] = frozenset()
    required: frozenset[int] = frozenset()  # variables used outside aggregates in SELECT
    agg_at: int = -1  # paren depth an open aggregate started at, -1 if none
    has_agg: bool = False
    in_group: bool = False
    grouped: frozenset[int] = frozenset()
    where_vars: frozenset[int] = frozenset()  # variables used in the WHERE clause so far
    last: str = ""  # the token before
    star: bool = False  # SELECT *


def _var_index(text: str) -> int | None:
    if (
        text.startswith("?x")
        and text[2:].isascii()
        and text[2:].isdigit()
        and (text[2:] == "0" or text[2] != "0")
    ):
        return int(text[2:])
    return None


@dataclass(frozen=True)
class Recogniser:
    """An immutable reading position in the target language; :meth:`step` reads one
    character, returning the next position or None when the text has left the language."""

    vocab: Vocabulary
    parse: Parse = START
    ctx: Context = Context()
    partial: str = ""  # the token being read
    spaced: bool = False  # a space was just read (the next token starts after it)

    @classmethod
    def for_prompt(cls, prompt: str, prefixes: Mapping[str, str]) -> Recogniser:
        return cls(Vocabulary.from_prompt(prompt, prefixes))

    @cached_property
    def allowed(self) -> frozenset[str]:
        """The terminals the grammar and the context allow next."""
        ctx, kinds = self.ctx, set(self.parse.expected)
        grouping = ctx.has_agg or bool(ctx.grouped)
        if ctx.phase == "where" or ctx.agg_at >= 0 or (ctx.phase == "mods" and not grouping):
            kinds -= AGGREGATES
        if ctx.phase == "mods":
            if ctx.star:
                kinds.discard("GROUP")
            if not grouping:
                kinds.discard("HAVING")
            elif not ctx.required <= ctx.grouped:
                kinds -= {"HAVING", "ORDER", "LIMIT", "OFFSET"}
        return frozenset(kinds)

    @property
    def done(self) -> bool:
        """Whether the text read so far is a whole target."""
        return self.step(END) is not None

    def _kinds(self, text: str) -> set[str]:
        """The terminals a whole token ``text`` can be, among those allowed."""
        allowed, ctx, vocab = self.allowed, self.ctx, self.vocab
        kinds = {text} & allowed
        index = _var_index(text)
        if index is not None and index <= ctx.nvars:
            if VAR in allowed and not self._var_banned(index):
                kinds.add(VAR)
            # A new variable: the next number, or (BIND in the WHERE clause) one the head
            # projects that the WHERE clause has not used yet.
            fresh = index == ctx.nvars or (
                ctx.phase == "where" and index in ctx.projected and index not in ctx.where_vars
            )
            if NEWVAR in allowed and fresh:
                kinds.add(NEWVAR)
        if text in vocab.iris and IRI in allowed:
            kinds.add(IRI)
        if text in vocab.datatypes and DT in allowed:
            kinds.add(DT)
        if text in vocab.num_slots:
            kinds |= {NUM, NUMSLOT} & allowed
        if (text in vocab.int_slots or (text.isascii() and text.isdigit())) and INT in allowed:
            kinds.add(INT)
        if _NUMBER.match(text) and NUM in allowed:
            kinds.add(NUM)
        if len(text) > 1 and text[0] == text[-1] == '"' and _STRING_PREFIX.match(text):
            kinds |= {STR} & allowed
        if text[:1] == "@" and len(text) > 1 and _LANG_PREFIX.match(text) and text[-1] != "-":
            kinds |= {LANG} & allowed
        return kinds

    def _var_banned(self, index: int) -> bool:
        ctx = self.ctx
        if ctx.phase == "head" and ctx.parens == 0:
            return index in ctx.projected  # no variable projected twice
        if ctx.in_group:
            return index >= ctx.nvars or index in ctx.grouped
        return False

    def _viable(self, text: str) -> bool:
        """Whether ``text`` begins some token that is allowed next."""
        allowed, vocab = self.allowed, self.vocab
        if any(k.startswith(text) for k in allowed if k[0] != "%"):
            return True
        if VAR in allowed or NEWVAR in allowed:
            if text in ("?", "?x"):
                return True
            if text.startswith("?x") and _DIGITS.match(text[2:]):
                digits, n = text[2:], self.ctx.nvars
                if digits[0] != "0" or digits == "0":
                    return any(str(i).startswith(digits) for i in range(n + 1))
        if (IRI in allowed and text in vocab.iri_prefixes) or (
            DT in allowed and text in vocab.dt_prefixes
        ):
            return True
        if (NUM in allowed or NUMSLOT in allowed or INT in allowed) and text in vocab.slot_prefixes:
            return True
        if (
            NUM in allowed
            and _NUMBER_PREFIX.match(text)
            and (text[0] != "0" or len(text) == 1 or text[1] == ".")
        ):
            return True
        if INT in allowed and (text.isascii() and text.isdigit()):
            return True
        if STR in allowed and _STRING_PREFIX.match(text):
            return True
        return LANG in allowed and bool(_LANG_PREFIX.match(text))

    def _commit(self) -> Recogniser | None:
        """The position after the token in ``partial`` ends."""
        text = self.partial
        kinds = self._kinds(text)
        parse = self.parse.feed(kinds) if kinds else None
        if parse is None:
            return None
        return Recogniser(self.vocab, parse, _advance(self.ctx, text, kinds))

    def step(self, char: str) -> Recogniser | None:
        """The position after ``char`` (:data:`END` for the end of the target)."""
        partial = self.partial
        if char < " " and char != END:
            return None  # no control characters (newlines, tabs) anywhere
        if char == END:
            if self.spaced:
                return None
            after = self._commit() if partial else self
            if after is None or not after.parse.complete:
                return None
            ctx = after.ctx
            if (ctx.has_agg or ctx.grouped) and not ctx.required <= ctx.grouped:
                return None
            return after
        if char == " ":
            if not partial or partial == "^^":
                return None
            after = self._commit()
            return replace(after, spaced=True) if after is not None else None
        if partial and self._viable(partial + char):
            return replace(self, partial=partial + char)
        glued = (char == "^" and partial != "^^") or char == "@" or partial == "^^"
        if not partial:
            if (self.spaced or self.parse is START) and char not in "^@" and self._viable(char):
                return replace(self, partial=char, spaced=False)
            return None
        if glued:
            after = self._commit()
            if after is not None and after._viable(char):
                return replace(after, partial=char)
        return None

    def feed(self, text: str) -> Recogniser | None:
        """The position after ``text``, or None."""
        state: Recogniser | None = self
        if END in text:
            return None
        for char in text:
            state = state.step(char) if state is not None else None
            if state is None:
                return None
        return state


def _advance(ctx: Context, text: str, kinds: set[str]) -> Context:
    """The context after the token ``text`` (read as one of ``kinds``)."""
    changes: dict[str, object] = {"after_as": text == "AS", "last": text}
    index = _var_index(text) if (VAR in kinds or NEWVAR in kinds) else None
    if index is not None:
        changes["nvars"] = max(ctx.nvars, index + 1)
        if ctx.phase == "head":
            if ctx.parens == 0:
                changes["projected"] = ctx.projected | {index}
                changes["required"] = ctx.required | {index}
            elif ctx.after_as:
                changes["projected"] = ctx.projected | {index}
            elif ctx.agg_at < 0:
                changes["required"] = ctx.required | {index}
        if ctx.in_group:
            changes["grouped"] = ctx.grouped | {index}
        if ctx.phase == "where":
            changes["where_vars"] = ctx.where_vars | {index}
    if text in AGGREGATES and text in kinds and ctx.agg_at < 0:
        changes.update(agg_at=ctx.parens, has_agg=True)
    if text == "*" and ctx.phase == "head" and ctx.parens == 0:
        changes["star"] = True
    if text == "(":
        changes["parens"] = ctx.parens + 1
    elif text == ")":
        changes["parens"] = ctx.parens - 1
        if ctx.parens - 1 == ctx.agg_at:
            changes["agg_at"] = -1
    elif text == "{":
        changes.update(braces=ctx.braces + 1, phase="where")
    elif text == "}":
        changes.update(braces=ctx.braces - 1, phase="where" if ctx.braces > 1 else "mods")
    elif text == "BY" and ctx.last == "GROUP":
        changes["in_group"] = True
    elif text in ("HAVING", "ORDER", "LIMIT", "OFFSET"):
        changes["in_group"] = False
    return replace(ctx, **changes)  # type: ignore[arg-type]
