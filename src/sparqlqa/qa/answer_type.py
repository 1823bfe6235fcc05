"""What kind of answer a question expects, and whether a result is of that kind."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Literal

from sparqlqa.kg.results import is_number, rows
from sparqlqa.kg.store import XSD, QueryResult
from sparqlqa.ontology.lexicon import NOUNS
from sparqlqa.ontology.words import umlauts_written_out

Expected = Literal["boolean", "number", "date", "any"]

_TYPED_OUT = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)", "ß": "(?:ß|ss)"}


def _typed_out(pattern: str) -> str:
    """``pattern`` matching German words with their umlauts typed out as well ("über" or
    "ueber", "größer" or "groesser"), as on a keyboard without them; character classes
    (``[a-zäöü]``) are left as they are."""
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif not in_class and ch in _TYPED_OUT:
            out.append(_TYPED_OUT[ch])
            continue
        out.append(ch)
    return "".join(out)


def _cue(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The compiled cue ``pattern`` (:func:`_typed_out`)."""
    return re.compile(_typed_out(pattern), flags)


# English auxiliaries; German ones and "gibt es" (a German yes/no question opens with its
# verb; "gib" is a request; "war" is left out, an English noun too); Spanish "¿hay", "¿es",
# "¿tiene" (with or without "¿").
_BOOLEAN = _cue(
    r"^(is|are|was|were|does|do|did|has|have|had|can|could|will|would|should|shall|may)\b"
    r"|^(ist|sind|hat|haben|hatte|hatten|gibt\s+es|existiert|existieren|"
    r"stimmt\s+es|kann|können|wird|werden)\b"
    r"|^¿?\s*(hay|es|son|era|fue|está|están|tiene|tienen|existe|existen|tenemos|"
    r"puede|pueden)\b",
    re.I,
)
# "the number of products", not "the phone number of Ann".
_NUMBER = _cue(
    r"\bhow (many|much)\b|\b(the|a|total|what)\s+(total\s+)?number\s+of\b"
    r"|\b(count|total|sum|average)\s+of\b"
    # Imperatives and headings: "Count the suppliers in Italy", "Number of employees in
    # Sales" (a question that opens with "number of" counts; "phone number of" is inside).
    r"|^\W*(please\s+)?count\b|^\W*(total\s+)?number\s+of\b"
    r"|\bwie\s*viel(e|en|er)?\b|\b(die\s+)?anzahl\s+(der|des|von|an)\b|\bzähle\b"
    # Spanish "el número de proveedores" counts; "el número de teléfono" is a lookup: a count
    # names a plural.
    r"|\bcuánt[oa]s?\b|\b(número|cantidad)\s+(de|del)\s+(los\s+|las\s+)?\w+s\b|^cuenta\b",
    re.I,
)
# Requests phrased as questions ("Can you tell me...", "Could you list...") are not yes/no.
# "Can I get the contact details of …?", "Kann ich die Liste … bekommen?", "¿Puedo ver …?"
# ask for the details too.
_REQUEST = _cue(
    r"^(can|could|would|will)\s+(you|u)\b|^(kannst\s+du|können\s+sie|könnten\s+sie)\b"
    r"|^¿?\s*(puedes|puede\s+usted|podrías|podría)\b"
    r"|^(can|could|may)\s+(i|we)\s+(please\s+)?(get|have|see|grab|obtain)\b"
    r"|^(kann|könnte|darf)\s+ich\b[^?]*\b(bekommen|haben|sehen|erhalten)\s*\??\s*$"
    r"|^¿?\s*(puedo|podría|podríamos)\s+(obtener|ver|tener|conseguir)\b",
    re.I,
)
# Asking whether, as a request or a statement: "Can you tell me if...", "Tell me whether...",
# "Let me know if...", "I'd like to know if...", "Check whether..."; "Kannst du mir sagen,
# ob...", "Sag mir, ob...", "Ich möchte wissen, ob...", "Prüfe, ob..."; "¿Puedes decirme
# si...", "Dime si...", "Quiero saber si...", "Comprueba si...": yes/no after all.
_REQUEST_WHETHER = _cue(
    r"^(please\s+)?((can|could|would)\s+(you|u)\s+(please\s+)?)?(tell|let)\s+me\s+"
    r"(know\s+)?(whether|if)\b"
    r"|^(i('d|\s+would)\s+like\s+to\s+know|i\s+(want|need)\s+to\s+know|i\s+wonder(ed)?)"
    r"\s+(whether|if)\b"
    r"|^(please\s+)?(check|find\s+out|verify|see)\s+(whether|if)\b"
    r"|^(kannst\s+du|können\s+sie|könnten\s+sie)\s+mir\s+sagen,?\s+ob\b"
    r"|^(bitte\s+)?(sag|sage|sagen\s+sie)\s+mir,?\s+(bitte\s+)?ob\b"
    r"|^ich\s+(möchte|will|würde|wüsste)\s+(gerne?\s+)?wissen,?\s+ob\b"
    r"|^(bitte\s+)?(prüfe|prüf|überprüfe|schau|schaue)\s*(bitte\s+)?(nach\s*)?,?\s+ob\b"
    r"|^¿?\s*(puedes|puede\s+usted|podrías|podría)\s+(decirme|indicarme)\s+si\b"
    r"|^¿?\s*(dime|dígame|indícame)\s+si\b"
    r"|^¿?\s*(quiero|quisiera|me\s+gustaría)\s+saber\s+si\b"
    r"|^¿?\s*(comprueba|verifica|averigua|mira)\s+si\b"
    r"|^¿?\s*(sabes|sabe\s+usted)\s+si\b",
    re.I,
)
# A yes/no question without its verb: "Any suppliers in Norway?", "Anyone in Production
# without an email?", "Irgendwelche Lieferanten aus Norwegen?", "¿Algún proveedor en
# Noruega?". Only with its question mark: "Any supplier's phone number" is no question.
_ELLIPTIC_YES_NO = _cue(
    r"^(any|anyone|anybody|anything|irgendwelche\w*|irgendein\w*|irgendjemand|jemand)\b[^?]*\?\s*$"
    r"|^¿\s*(alg[úu]n|alguna|algunos|algunas|alguien)\b[^?]*\?\s*$",
    re.I,
)
# German "Was ist...?" asks "what", not the English "Was X...?".
_GERMAN_WHAT = _cue(r"^was\s+(ist|sind|war|waren|hat|haben|gibt|wird|werden|kostet|kosten)\b", re.I)
_DATE = _cue(
    r"^when\b|\b(what|which) (date|year|day|time)\b|^wann\b|\b(welches|welchem)\s+"
    r"(datum|jahr)\b|^¿?\s*cuándo\b|\b(qué|en\s+qué)\s+(fecha|año|día)\b",
    re.I,
)
_DATES = ("date", "dateTime", "gYear", "gYearMonth")


# A yes/no question followed by the list it is after: "Are there Italian suppliers? Which
# ones?", "Gibt es welche? Welche?", "¿Hay alguno? ¿Cuáles?".
_FOLLOW_UP = _cue(
    r"[?.!]\s*¿?\s*(which|what|who|welche[rsnm]?|wer|cu[áa]l(es)?|qui[ée]n(es)?)\b[^?.!]*[?.!]?\s*$",
    re.I,
)


# An ASK query: "ASK {" or "ASK WHERE {" after the prologue.
_ASK_FORM = _cue(r"(?:^|[\s>}])ASK\s*(?:WHERE\s*)?\{", re.I)


def expected_answer_type(question: str, language: str | None = None) -> Expected:
    """``boolean`` for yes/no questions (unless a "Which ones?" follows), ``number`` for how
    many/much, ``date`` for when, ``any`` otherwise (a resource or a literal). With
    ``language`` German or Spanish, a question that opens with any finite verb is yes/no
    too (:func:`verb_first`), not only one that opens with an auxiliary."""
    text = question.strip()
    if _FOLLOW_UP.search(text):
        return "any"
    if _REQUEST_WHETHER.match(text) or _ELLIPTIC_YES_NO.match(text):
        return "boolean"
    if _BOOLEAN.match(text) and not _REQUEST.match(text) and not _GERMAN_WHAT.match(text):
        return "boolean"
    if language is not None and verb_first(text, language) and not _REQUEST.match(text):
        return "boolean"
    if _NUMBER.search(text):
        return "number"
    if _DATE.search(text):
        return "date"
    return "any"


# A German yes/no question opens with its finite verb ("Arbeitet Karen Brant im Einkauf?",
# "Liefert Clarke-Brown Sensoren?"): a first word ending as a verb does, then an article,
# a pronoun or a name. Not a question word, a preposition, a request or a noun of the
# lexicon ("Lieferanten der Kategorie Sensor?").
_GERMAN_VERB_FIRST = _cue(
    r"^(?!(?i:welch|wen\b|wem\b|wessen|wie\b|was\b|wer\b|wo|wann|warum|weshalb|wieso|seit|"
    r"für|mit|von|bei|aus|in\b|an\b|auf|nach|unter|über|zu|bis|gegen|ohne|alle|jede|nenn|zeig|"
    r"gib|list|such|find|bitte|ich\b|wir\b|unser|insgesamt|zusammen))"
    r"(?P<verb>[A-ZÄÖÜa-zäöüß]+(?:t|en|ern|eln))\s+"
    r"(?:(?i:der|die|das|den|dem|des|ein|eine|einen|einem|einer|es|er|sie|wir|ihr|man|"
    r"jemand|irgendein\w*|unser\w*|dein\w*|ihr\w*)\b|[A-ZÄÖÜ0-9])"
)
# A Spanish yes/no question in "¿…?" that opens with a verb, then an article, a pronoun or
# a name ("¿Trabaja Karen Brant en Compras?", "¿Suministra Clarke-Brown sensores?"), and has
# no question word in it (unaccented ones included): not "¿Nombre y correo de…?", nor a
# request ("¿Me das…?") or a quantifier ("¿Todos los…?").
_SPANISH_VERB_FIRST = _cue(
    r"^¿\s*(?!(?i:me|nos|te|se|todos|todas|cada|alg[uú]n\w*|muestra|dame|dime|lista|enumera|"
    r"de|del|en|con|para|por|sin|a|al|los|las|el|la|un|una)\b)"
    r"(?P<verb>[A-ZÁÉÍÓÚÑa-záéíóúñü]+)\s+"
    r"(?:(?i:el|la|los|las|un|una|unos|unas|alguien|alg[uú]n\w*|nuestr[oa]s?|usted|ella|[eé]l)\b"
    r"|[A-ZÁÉÍÓÚÑ0-9])"
)
_SPANISH_QUESTION_WORD = _cue(
    r"\b(qu[eé]|cu[aá]l(es)?|qui[eé]n(es)?|cu[aá]nt[oa]s?|d[oó]nde|cu[aá]ndo|c[oó]mo)\b", re.I
)


def verb_first(question: str, language: str) -> bool:
    """Whether ``question``, in ``language`` (German or Spanish), is a yes/no question by
    its word order: German opening with a finite verb, Spanish in "¿…?" without a
    question word; False in other languages."""
    text = question.strip()
    if language == "de":
        found = _GERMAN_VERB_FIRST.match(text)
        return found is not None and found.group("verb").casefold() not in _lexicon_nouns("de")
    if language == "es":
        found = _SPANISH_VERB_FIRST.match(text)
        return (
            found is not None
            and found.group("verb").casefold() not in _lexicon_nouns("es")
            and not _SPANISH_QUESTION_WORD.search(text)
        )
    return False


@lru_cache(maxsize=2)
def _lexicon_nouns(language: str) -> frozenset[str]:
    """The noun forms of the lexicon in ``language``, folded (umlauts also written out):
    "Lieferanten" opens a noun phrase, not a yes/no question."""
    forms = {
        form for entry in NOUNS.values() if (n := entry.get(language)) for form in (n.one, n.many)
    }
    return frozenset(f.casefold() for f in forms) | {
        umlauts_written_out(f.casefold()) for f in forms
    }


def fits(result: QueryResult, expected: Expected) -> str | None:
    """``None`` when ``result`` can answer a question expecting ``expected``, else why not."""
    if "boolean" in result:
        return None if expected in ("boolean", "any") else f"a yes/no answer, expected a {expected}"
    bindings = list(rows(result))
    if not bindings:
        return "the query returned no rows"
    if expected == "boolean":
        return "a list of rows, expected a yes/no answer"
    terms = [t for row in bindings for t in row.values()]
    if not terms:
        # MIN/MAX/AVG over no rows: one row that binds nothing, an empty answer.
        return "the query returned rows without values"
    if expected == "number":
        return None if any(is_number(t) for t in terms) else "no number in the result"
    if expected == "date":
        dated = [t for t in terms if t.get("datatype", "").removeprefix(XSD) in _DATES]
        return None if dated else "no date in the result"
    return None


# Superlative words that ask for the top of an ordering and those that ask for the bottom.
# Words about time ("oldest", "latest") are left out: whether they sort up or down depends on
# whether the value is a date or an age.
_MOST = _cue(
    r"\b(most|highest|largest|biggest|greatest|heaviest|longest|tallest|widest|deepest|"
    r"maximum|max|top|best|richest|strongest|fastest|priciest|most expensive)\b"
    # German superlatives (any ending) and "am meisten"; Spanish "mayor", "máximo", and
    # "más" unless a comparison ("más de 5") or a word of the other end ("más barato")
    # follows (two measures compared, "más profundos que anchos", are told apart by
    # property_comparison).
    r"|\b(meisten|höchst(?!ens)|größt|schwerst|längst|teuerst|maximal)\w*|\bbeste[nmrs]?\b"
    r"|\b(mayor|máxim[oa]s?)\b|\bmás\s+(?!de\b|que\b|baj|barat|liger|pequeñ|cort|joven)\w+",
    re.I,
)
_LEAST = _cue(
    r"\b(least|lowest|smallest|lightest|shortest|narrowest|shallowest|minimum|min|fewest|"
    r"worst|cheapest|weakest|slowest|least expensive)\b"
    r"|\b(wenigsten|niedrigst|kleinst|leichtest|kürzest|billigst|günstigst|geringst|minimal)\w*"
    r"|\b(menor|mínim[oa]s?)\b|\bmenos\s+(?!de\b|que\b)\w+"
    r"|\bmás\s+(baj|barat|liger|pequeñ|cort|joven)\w*",
    re.I,
)
_ORDER = _cue(r"\bORDER\s+BY\s+(ASC|DESC)?\s*\(?", re.I)


def superlative(question: str) -> Literal["most", "least"] | None:
    """Whether ``question`` asks for the top ("the heaviest") or the bottom ("the cheapest")
    of an ordering; ``None`` for neither or both."""
    most, least = bool(_MOST.search(question)), bool(_LEAST.search(question))
    if most == least:
        return None
    return "most" if most else "least"


# The word a superlative qualifies: "the highest price", "die meisten Mitarbeiter".
_HEAD = _cue(r"\s+(?:of\s+|an\s+|a\s+)?([^\W\d_]+)")


def superlative_head(question: str) -> str | None:
    """The word after the superlative of ``question``, folded: "What's the highest price
    we charge?" → "price" (the question asks for the value), "the heaviest product" →
    "product"; ``None`` without a superlative."""
    for pattern in (_MOST, _LEAST):
        found = pattern.search(question)
        if found:
            head = _HEAD.match(question, found.end())
            return head.group(1).casefold() if head else None
    return None


# "Which of our products are the most expensive ones?": every product tied at the top.
_TIED = _cue(
    r"\bones\b|\b(are|were)\s+the\s+(most|least|\w+est)\b|\bsind\s+(die|am)\b"
    r"|\b(son|eran)\s+(los|las)\b",
    re.I,
)


def asks_all_tied(question: str) -> bool:
    """Whether a superlative ``question`` asks for all the things at the top (or bottom),
    ties included ("which ... are the most expensive ones"), rather than one."""
    return bool(_TIED.search(question)) and top_count(question) is None


# A whole list in order: "from the cheapest to the most expensive", "sorted by price",
# "von der günstigsten bis zur teuersten", "de la más barata a la más cara".
_FROM_TO = _cue(r"\b(from|von|de|desde)\b(.+?)\b(to|bis|a|hasta)\b(.+)", re.I)
_SORTED = _cue(
    r"\b(sorted|ordered|in\s+order|ranked|sortiert|geordnet|ordenad[oa]s|ordena)\b", re.I
)


def full_order(question: str) -> Literal["ASC", "DESC"] | None:
    """The direction of a whole ordered list ``question`` asks for ("from the cheapest to
    the most expensive": ASC; "from the heaviest to the lightest": DESC; "sorted by
    price": ASC), or ``None`` (not asked, or a count of rows is: "the 3 cheapest")."""
    if top_count(question) is not None:
        return None
    span = _FROM_TO.search(question)
    if span:
        start = span.group(2)
        start_most, start_least = bool(_MOST.search(start)), bool(_LEAST.search(start))
        end = span.group(4)
        if start_least and not start_most and _MOST.search(end):
            return "ASC"
        if start_most and not start_least and _LEAST.search(end):
            return "DESC"
    return "ASC" if _SORTED.search(question) else None


def order_problem(question: str, query: str) -> str | None:
    """Why the ordering of a superlative ``query`` (``ORDER BY ... LIMIT``) goes the wrong way
    for ``question`` ("the heaviest" sorted ascending), or cuts a list the question wants
    whole (:func:`full_order`), or ``None``. Questions with words of
    both kinds, or of neither, are not judged."""
    if "LIMIT" not in query.upper():
        return None
    if full_order(question) is not None:
        return "keeps only the first rows of an ordered list the question wants whole"
    most, least = bool(_MOST.search(question)), bool(_LEAST.search(question))
    if most == least:
        return None
    directions = {(m.group(1) or "ASC").upper() for m in _ORDER.finditer(query)}
    if len(directions) != 1:
        return None
    (direction,) = directions
    if most and direction == "ASC":
        return "sorts ascending, but the question asks for the highest"
    if least and direction == "DESC":
        return "sorts descending, but the question asks for the lowest"
    return None


# Questions that ask for things by their wording: "which", "who", "list", "show me"; German
# and Spanish alike. "What" is left out: "what is the headcount of X" may ask for a count.
_ASKS_WHICH = _cue(
    r"^\W*(which|who|whom|list|show|give\s+me|name\s+(the|all)|find|welche[rsmn]?|wer|wen|wem"
    r"|zeig\w*|liste|nenne|finde|cu[áa]l(es)?|qui[ée]n(es)?|muestra|mu[ée]strame|lista|dame"
    r"|busca|ens[ée][ñn]ame)\b",
    re.I,
)
# A projection of one COUNT alone: SELECT (COUNT(...) AS ?n) WHERE, no other column.
_COUNT_ONLY = _cue(r"\bSELECT\s*\(\s*COUNT\s*\([^)]*\)\s*AS\s+[?$]\w+\s*\)\s*(WHERE|\{)", re.I)
# An average or a sum and nothing else: over no rows SPARQL gives 0 for both.
_TOTAL_ONLY = _cue(r"\bSELECT\s*\(\s*(AVG|SUM)\s*\(", re.I)


def count_problem(question: str, query: str, expected: Expected | None = None) -> str | None:
    """Why ``query``, a count and nothing else, does not answer ``question``, which asks
    which things ("Which products cost more than 5 euros?", "Welche Produkte ...", "¿Qué
    ...?" aside), or ``None``. A question that asks how many is a number question and is
    not judged here. ``expected``: the question's ``expected_answer_type``, when known."""
    expected = expected or expected_answer_type(question)
    if expected != "any" or not _ASKS_WHICH.search(question):
        return None
    if _COUNT_ONLY.search(query):
        return "counts, but the question asks which ones"
    return None


# "How many", "the number of", "Wie viele", "Anzahl", "cuántos": a count, where "how much"
# may ask for a value ("How much does X cost?").
_COUNTS = _cue(
    r"\bhow\s+many\b|\bnumber\s+of\b|^\W*(please\s+)?count\b|\bcount\s+of\b"
    r"|\bwie\s*viele[nr]?\b|\banzahl\b|\bzähle\b|\bcuánt[oa]s\b|\b(número|cantidad)\s+(de|del)\b"
    r"|^\W*cuenta\b",
    re.I,
)
_AGGREGATE = _cue(r"\b(COUNT|SUM)\s*\(", re.I)


def tally_problem(
    question: str, query: str, result: QueryResult, expected: Expected | None = None
) -> str | None:
    """Why ``result`` of ``query`` does not answer ``question``, a question that asks how
    many, or ``None``: several rows of values with no count or sum in the query is a list
    ("How many products have a depth?" answered with the depths), not a number. One value
    may be a count the graph records ("How many inhabitants does Berlin have?"), and per-group
    counts carry their COUNT. ``expected``: the question's ``expected_answer_type``, when
    known."""
    expected = expected or expected_answer_type(question)
    if expected != "number" or not _COUNTS.search(question):
        return None
    if "boolean" in result or _AGGREGATE.search(query):
        return None
    if len(list(rows(result))) > 1:
        return "several values and no count, where the question asks how many"
    return None


_NUMBER_AHEAD = r"\s+(?:of\s+|von\s+|a\s+|de\s+)?[$€£]?\s*-?\d"
# "greater than 5", "over 100", "after 1950": the value asked for lies above the number.
_ABOVE = _cue(
    r"\b(?:(?:greater|more|higher|larger|bigger|heavier|longer|taller|later|newer|older)"
    r"\s+than|above|over|exceeding|after|at\s+least"
    r"|(?:mehr|größer|höher|schwerer|länger|später|älter|teurer)\s+als|über|oberhalb|nach"
    r"|mindestens|más\s+de|más\s+que|mayor\s+que|mayor\s+de|superior|por\s+encima\s+de"
    r"|después\s+de|al\s+menos)" + _NUMBER_AHEAD,
    re.I,
)
_BELOW = _cue(
    r"\b(?:(?:less|fewer|lower|smaller|lighter|shorter|earlier|younger|cheaper)\s+than"
    r"|below|under|before|at\s+most"
    r"|(?:weniger|kleiner|niedriger|leichter|kürzer|früher|jünger|billiger)\s+als|unter"
    r"|unterhalb|vor|höchstens|menos\s+de|menos\s+que|menor\s+que|menor\s+de|inferior"
    r"|por\s+debajo\s+de|antes\s+de|como\s+máximo)" + _NUMBER_AHEAD,
    re.I,
)
# ?v > 5, ?v >= 5, or the other way round: 5 < ?v
_VARIABLE_FIRST = _cue(r"[?$]\w+\s*(<=|>=|<|>)\s*[^\s?$]")
_VARIABLE_LAST = _cue(r"[^\s?$(]\s*(<=|>=|<|>)\s*[?$]\w+")


def comparison_problem(question: str, query: str) -> str | None:
    """Why the one comparison in ``query``'s filter goes the wrong way for ``question``
    ("more than 5" filtered with ``<``), or ``None``. Questions with words of both kinds or
    of neither, and queries with no or several comparisons, are not judged."""
    above, below = bool(_ABOVE.search(question)), bool(_BELOW.search(question))
    if above == below or "FILTER" not in query.upper():
        return None
    body = re.sub(r"<[^<>\s]*>", "IRI", query)  # no IRIs in angle brackets left to confuse
    found = [("up" if op.startswith(">") else "down") for op in _VARIABLE_FIRST.findall(body)]
    found += [("down" if op.startswith(">") else "up") for op in _VARIABLE_LAST.findall(body)]
    if len(found) != 1:
        return None
    if above and found[0] == "down":
        return "filters for values below the number, but the question asks for more"
    if below and found[0] == "up":
        return "filters for values above the number, but the question asks for less"
    return None


# The number after a comparison word: "over 5", "more than 1,000", "unter 2,5".
_NUMBER_AFTER = _cue(r"-?\d+(?:[.,]\d+)*")
# Comparison words that include the bound ("at least 3").
_INCLUSIVE = _cue(r"at\s+(least|most)|mindestens|höchstens|al\s+menos|como\s+máximo", re.I)


def comparison(question: str) -> tuple[str, str] | None:
    """The one comparison with a number that ``question`` asks for, as a SPARQL operator and
    a numeric literal ("cheaper than 10" → ``("<", "10")``); None for none, or for words of
    both directions."""
    above, below = _ABOVE.search(question), _BELOW.search(question)
    if (above is None) == (below is None):
        return None
    found = above or below
    assert found is not None
    number = _NUMBER_AFTER.search(question, max(found.start(), found.end() - 2))
    if number is None:
        return None
    text = number.group(0)
    # "1,000" groups thousands; "2,5" (German, Spanish) is a decimal comma.
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")
    text = text.replace(",", ".")
    if text.count(".") > 1:
        return None
    inclusive = bool(_INCLUSIVE.match(found.group(0)))
    op = (">" if above else "<") + ("=" if inclusive else "")
    return op, text


# Negation cues: "no phone", "not responsible", "doesn't", "without", "is missing",
# "nothing"; German "kein", "nicht", "ohne", "fehlt", "nichts"; Spanish "sin", "no",
# "ningún", "falta", "nada".
_NEGATION = _cue(
    r"\b(no|not|none|nobody|nothing|never|without|lacks?|lacking|missing)\b|n't\b"
    r"|\b(kein\w*|nicht|nichts|niemand\w*|ohne|nie|fehlt|fehlen|fehlend\w*)\b"
    r"|\b(sin|ningun[oa]?s?|ningún|nunca|nadie|nada|faltan?)\b",
    re.I,
)


def negated(question: str) -> bool:
    """Whether ``question`` asks about something absent ("who has no phone number")."""
    return bool(_NEGATION.search(question))


# "the average price", "mean weight", "Durchschnittspreis", "mittlere Gewicht", "im
# Schnitt", "precio promedio", "peso medio"; "in total", "altogether", "combined",
# "insgesamt", "zusammen", "Gesamtgewicht", "la suma", "en total", "en conjunto".
_AVERAGE = _cue(
    # "mean", not "I mean" or "what do you mean"
    r"\b(average|avg)\b|(?<!\bI )(?<!\byou )\bmean\b"
    r"|durchschnitt\w*|\bmittler\w*|\bim\s+schnitt\b|\bpromedio\b|\bmedi[oa]s?\b",
    re.I,
)
_TOTAL = _cue(
    r"\b(in\s+total|total|sum|altogether|combined|all\s+together|add(ing|ed)?\s+up|"
    r"together)\b|\binsgesamt\b|\bzusammen\b|\bgesamt\w*|\bsumme\b|\bsuma\b|\ben\s+total\b|"
    r"\ben\s+conjunto\b|\bjunt[oa]s\b",
    re.I,
)
# "the total number of", "Gesamtzahl", "número total": a count, not a sum.
_TOTAL_COUNT = _cue(
    r"\btotal\s+number\b|\bgesamt(zahl|anzahl)\b|\bn[úu]mero\s+total\b|\bcantidad\s+total\b",
    re.I,
)


def aggregate(question: str) -> Literal["AVG", "SUM"] | None:
    """The aggregate over a numeric value that ``question`` asks for: ``AVG`` for "the
    average price", ``SUM`` for "what do they cost altogether"; ``None`` for neither (a
    "total number of" is a count) or both."""
    average = bool(_AVERAGE.search(question))
    total = bool(_TOTAL.search(question)) and not _TOTAL_COUNT.search(question)
    if average == total:
        return None
    return "AVG" if average else "SUM"


# "How much heavier is A than B", "the difference in price", "wie viel schwerer ist A als
# B", "Unterschied", "¿cuánto más pesa A que B?", "diferencia".
_DIFFERENCE = _cue(
    r"\bhow\s+much\s+(more|less|\w+er)\b[^?]*\bthan\b|\bdifference\b"
    r"|\bwie\s*viel\s+(mehr|weniger|\w+er)\b[^?]*\bals\b|\bunterschied\w*|\bdifferenz\b"
    r"|\bcu[áa]nto\s+(m[áa]s|menos)\b[^?]*\bque\b|\bdiferencia\b",
    re.I,
)
# "the height to width ratio", "twice as", "Verhältnis", "relación", "proporción".
_RATIO = _cue(
    r"\bratio\b|\btimes\s+(as|more|bigger|larger|heavier)\b|\bverhältnis\b|\bmal\s+so\b"
    r"|\brelaci[óo]n\b|\bproporci[óo]n\b|\bveces\b",
    re.I,
)


def derived(question: str) -> Literal["difference", "ratio"] | None:
    """The arithmetic over numeric values that ``question`` asks for: ``difference`` for
    "how much heavier is A than B", ``ratio`` for "the height to width ratio"; ``None``
    for neither or both."""
    difference, ratio = bool(_DIFFERENCE.search(question)), bool(_RATIO.search(question))
    if difference == ratio:
        return None
    return "difference" if difference else "ratio"


# "each department", "per category", "for every supplier"; "jede Abteilung", "pro",
# "cada", "por".
_PER_GROUP = _cue(r"\b(each|every|per|jede[rsmn]?|pro|cada|por\s+cada)\b", re.I)


def per_group(question: str) -> bool:
    """Whether ``question`` asks for a value per member of a group ("how many products
    does each department have")."""
    return bool(_PER_GROUP.search(question))


_NUMBER_WORDS = {
    w: n
    for n, words in enumerate(
        [
            (),
            (),
            ("two", "zwei", "dos"),
            ("three", "drei", "tres"),
            ("four", "vier", "cuatro"),
            ("five", "fünf", "cinco"),
            ("six", "sechs", "seis"),
            ("seven", "sieben", "siete"),
            ("eight", "acht", "ocho"),
            ("nine", "neun", "nueve"),
            ("ten", "zehn", "diez"),
        ]
    )
    for w in words
}
# Matched as typed without umlauts too ("fuenf"): found under that spelling as well.
_NUMBER_WORDS |= {umlauts_written_out(w): n for w, n in _NUMBER_WORDS.items()}
_COUNT_WORD = _cue(r"\b(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
# "the second cheapest", "der zweitbilligste", "el segundo más barato".
_ORDINAL = _cue(
    r"\b(second|third|fourth|fifth|zweit|dritt|viert|fünft|segund[oa]|tercer[oa]?|cuart[oa]|"
    r"quint[oa])",
    re.I,
)
_ORDINALS = {"second": 1, "zweit": 1, "segund": 1, "third": 2, "dritt": 2, "tercer": 2}
_ORDINALS |= {"fourth": 3, "viert": 3, "cuart": 3, "fifth": 4, "fünft": 4, "quint": 4}
_ORDINALS |= {umlauts_written_out(w): n for w, n in _ORDINALS.items()}


def top_count(question: str) -> int | None:
    """How many of the top of an ordering ``question`` asks for ("the 4 suppliers with the
    most", "the three heaviest"), or None (one, or no number): 2 to 99."""
    found = _COUNT_WORD.search(question)
    if found is None:
        return None
    word = found.group(1).lower()
    n = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return n if n >= 2 else None


def ordinal_offset(question: str) -> int | None:
    """The rows an ordering skips for "the second cheapest" (1) or "the third" (2), or None."""
    found = _ORDINAL.search(question)
    if found is None:
        return None
    word = found.group(1).lower()
    for stem_, offset in _ORDINALS.items():
        if word.startswith(stem_):
            return offset
    return None


_IRI_OR_LITERAL = _cue(r"<[^>\s]*>|\"(?:[^\"\\]|\\.)*\"")
_ORDERS = _cue(r"\bORDER\s+BY\b|\b(MIN|MAX)\s*\(", re.I)
_AVERAGES = _cue(r"\bAVG\s*\(", re.I)
_SUMS = _cue(r"\bSUM\s*\(", re.I)
# Arithmetic between two values: ?a / ?b, ?a - ?b, (a) * (b), or a BIND.
_ARITHMETIC = _cue(r"\bBIND\s*\(|[?$)\w]\s*[-/*]\s*[?$(]")


# A comparison against another value: "more products than the average category", "twice as
# much as our cheapest", "mehr als eine durchschnittliche", "doppelt so viel wie", "más ...
# que la media", "tan caro como". The superlative or average it names is a subquery's.
_AGAINST = _cue(
    r"\bthan\b|\bas\s+\w+\s+as\b|\bals\b|\bso\s+\w+\s+wie\b|\b(m[áa]s|menos)\b.*\bque\b"
    r"|\btan\s+\w+\s+como\b",
    re.I,
)


@lru_cache(maxsize=256)
def _asked_form(
    question: str,
) -> tuple[bool, Literal["AVG", "SUM"] | None, Literal["difference", "ratio"] | None]:
    """The form cues of ``question``: whether it asks for the most or the least, the
    aggregate and the arithmetic it asks for. Read once per question, however many of its
    candidates are judged."""
    against = bool(_AGAINST.search(question))
    ordered = superlative(question) is not None and not against
    return ordered, None if against else aggregate(question), derived(question)


def form_problem(question: str, query: str) -> str | None:
    """What ``query`` leaves out of the form ``question`` asks for, or ``None``: no ordering
    (nor MIN/MAX) for a superlative ("the cheapest service"), no AVG for an average or SUM
    for a total, no arithmetic for a difference or ratio, a yes/no where a follow-up asks
    which ones ("Are there Italian suppliers? Which?"). A soft check: the pipeline
    prefers the candidates without such a problem and answers with one of the others only
    when none is left (the graph may record the value: "the average rating")."""
    ordered, wanted, arithmetic = _asked_form(question)
    code = _IRI_OR_LITERAL.sub(" ", query)  # "/" of an IRI, "-" of a literal do not count
    if _FOLLOW_UP.search(question.strip()) and _ASK_FORM.search(code):
        return "answers yes or no, where the question goes on to ask which ones"
    if ordered and not _ORDERS.search(code):
        return "orders nothing, where the question asks for the most or the least"
    if wanted == "AVG" and not _AVERAGES.search(code):
        return "averages nothing, where the question asks for an average"
    if wanted == "SUM" and not _SUMS.search(code):
        return "sums nothing, where the question asks for a total"
    if arithmetic and not _ARITHMETIC.search(code):
        return f"computes no {arithmetic}, where the question asks for one"
    return None


def echo_problem(result: QueryResult, said: Collection[str]) -> str | None:
    """Why ``result`` repeats the question instead of answering it, or ``None``: every value
    is a literal that the question already says, ``said`` being the folded labels and
    mentions of its linked entities ("Give me all LCDs" answered with the label "LCD").
    A soft check, as :func:`form_problem`."""
    if "boolean" in result or not said:
        return None
    terms = [t for row in rows(result) for t in row.values()]
    if not terms or any(t.get("type") == "uri" or t.get("type") == "bnode" for t in terms):
        return None
    if all(t.get("value", "").strip().casefold() in said for t in terms):
        return "answers with what the question already names"
    return None


# Wordings that ask for an amount (a price, a weight), not for the thing that has it.
_ASKS_AMOUNT = _cue(
    r"\bhow\s+(much|heavy|expensive)\b|^\W*what\s+(does|do|did|would|will)\b.*\b(cost|weigh)\b"
    r"|\bwhat(?:'s|\s+is|\s+are)\s+the\s+(price|cost|weight)s?\s+of\b|^\W*(price|cost)\s+of\b"
    r"|\bwie\s+(viel|teuer|schwer)\b(?!e)|^\W*was\s+(kostet|kosten|wiegt|wiegen)\b"
    r"|\bcu[áa]nto\s+(cuesta|cuestan|pesa|pesan|vale|valen)\b|\bqu[ée]\s+precio\b"
    # "What's the highest price we charge?": the superlative value itself.
    r"|^\W*what(?:'s|\s+is|\s+was)\s+(?:the|our)\s+(?:highest|lowest|largest|smallest|"
    r"biggest|greatest|maximum|minimum|max|min|top)\b"
    r"|^\W*(?:was|wie\s+hoch)\s+ist\s+(?:der|die|das|unser\w*)\s+"
    r"(?:höchst|niedrigst|größt|kleinst|maximal|minimal)\w*"
    r"|^¿?\s*cu[áa]l\s+es\s+(?:el|la)\s+\w+\s+(?:m[áa]s\s+(?:alt|baj)|m[áa]xim|m[íi]nim|"
    r"mayor|menor)",
    re.I,
)


def asks_amount(question: str) -> bool:
    """Whether ``question`` asks for a quantity rather than a count or a thing: "How much
    does X cost?", "Wie viel wiegt X?", "¿Cuánto cuesta X?", "What's the highest price?"."""
    return bool(_ASKS_AMOUNT.search(question))


def amount_problem(question: str, result: QueryResult) -> str | None:
    """Why ``result`` names the top (bottom) thing where ``question`` asks for its amount
    ("What does our cheapest service cost?" answered with the service), or ``None``: a
    superlative asking for an amount, answered with IRIs only. A soft check, as
    :func:`form_problem`; a question naming no superlative is not judged (its price node is
    reached through to the amount after the choice, ``qa.value_nodes``)."""
    if "boolean" in result or not asks_amount(question) or superlative(question) is None:
        return None
    terms = [t for row in rows(result) for t in row.values()]
    if terms and all(t.get("type") == "uri" for t in terms):
        return "answers with a thing, where the question asks for its amount"
    return None


def zero_problem(query: str, result: QueryResult) -> str | None:
    """Why ``result`` of ``query`` is probably no answer, or ``None``: a count of zero (a
    COUNT over a pattern nothing matches, e.g. a property the counted things do not have, or
    a literal where the graph holds a resource), or an average or a sum of zero (what SPARQL
    gives for no rows: "the average price of our capacitors" over a join that matches
    nothing). People ask how many of something there is; a zero count is taken only when no
    candidate counts something. A soft check, as :func:`form_problem`."""
    if "boolean" in result:
        return None
    counted = _COUNT_ONLY.search(query)
    totalled = _TOTAL_ONLY.search(query)
    if not counted and not totalled:
        return None
    terms = [t for row in rows(result) for t in row.values()]
    if len(terms) != 1 or terms[0].get("value", "").strip() not in ("0", "0.0"):
        return None
    return "counts nothing (zero)" if counted else "averages or sums nothing (zero)"


# Adjectives of measure and the nouns that name their properties ("deep" -> depth), in
# English, German and Spanish stems; the comparative of each is matched by its stem.
_MEASURES: tuple[tuple[str, str], ...] = (
    ("deep", "depth"),
    ("wide", "width"),
    ("broad", "width"),
    ("tall", "height"),
    ("high", "height"),
    ("long", "length"),
    ("heavy", "weight"),
    ("thick", "thickness"),
    ("tief", "depth"),
    ("breit", "width"),
    ("hoch", "height"),
    ("höh", "height"),
    ("lang", "length"),
    ("läng", "length"),
    ("schwer", "weight"),
    ("profund", "depth"),
    ("anch", "width"),
    ("alt", "height"),
    ("larg", "length"),
    ("pesad", "weight"),
)
_FACTORS = {"twice": 2, "doppelt": 2, "zweimal": 2, "doble": 2, "three": 3, "thrice": 3}
_FACTORS |= {"dreimal": 3, "triple": 3}
_ADJECTIVE = r"([a-zäöüéáíóú]+)"
# "deeper than they are wide", "more than twice as tall as it is wide", "tiefer als breit",
# "mehr als doppelt so hoch wie breit", "más profundos que anchos".
_PROPERTY_COMPARISONS = (
    re.compile(
        rf"\b{_ADJECTIVE}(?:er|ier)\s+than\s+(?:(?:it|they)\s+(?:is|are)\s+|it's\s+|they're\s+)?"
        rf"{_ADJECTIVE}\b",
        re.I,
    ),
    re.compile(
        r"\bmore\s+than\s+(twice|three\s+times|thrice|(\d+)\s+times)\s+as\s+"
        rf"{_ADJECTIVE}\s+as\s+(?:(?:it|they)\s+(?:is|are)\s+)?{_ADJECTIVE}\b",
        re.I,
    ),
    re.compile(rf"\b{_ADJECTIVE}er\s+als\s+(?:sie\s+sind\s+|es\s+ist\s+)?{_ADJECTIVE}\b", re.I),
    re.compile(
        r"\bmehr\s+als\s+(doppelt|zweimal|dreimal|(\d+)\s*mal)\s+so\s+"
        rf"{_ADJECTIVE}\s+wie\s+{_ADJECTIVE}\b",
        re.I,
    ),
    re.compile(rf"\bm[áa]s\s+{_ADJECTIVE}\s+que\s+{_ADJECTIVE}\b", re.I),
    re.compile(
        r"\bm[áa]s\s+del?\s+(doble|triple|(\d+)\s+veces)\s+(?:de\s+)?"
        rf"{_ADJECTIVE}\s+que\s+(?:de\s+)?{_ADJECTIVE}\b",
        re.I,
    ),
)


# Words that name a measure without its noun: "costs more than 3 EUR", "the cheapest",
# "weighs over 50 g" (English: German and Spanish questions are glossed first). "high" and
# "long" are left out: "the highest price" is about the price. And the words of running
# things that name a manager: "Who's in charge of Marketing?", "the head of Engineering",
# "Karen's boss".
_IMPLIED: tuple[tuple[str, str], ...] = (
    ("boss", "manager"),
    ("charge", "manager"),
    ("head", "manager"),
    ("cost", "price"),
    ("expensive", "price"),
    ("cheap", "price"),
    ("pricey", "price"),
    ("weigh", "weight"),
    ("heavy", "weight"),
    ("heavi", "weight"),
    ("deep", "depth"),
    ("wide", "width"),
    ("tall", "height"),
)


def implied_words(words: Sequence[str]) -> list[str]:
    """The schema nouns that ``words`` (stemmed English words of a question) name without
    saying them: a measure by its adjective or verb ("costs" → "price", "heaviest" →
    "weight"), a manager by a word of running things ("in charge", "head", "boss")."""
    out: list[str] = []
    for word in words:
        folded = word.casefold()
        for stem_, noun in _IMPLIED:
            if folded.startswith(stem_) and len(folded) <= len(stem_) + 4 and noun not in out:
                out.append(noun)
    return out


def _measure(word: str) -> str | None:
    """The property noun of an adjective of measure or its comparative, else None."""
    # Umlauts written out on both sides: "hoeher" is "höher".
    folded = umlauts_written_out(word.casefold())
    for stem_, noun in _MEASURES:
        stem_ = umlauts_written_out(stem_)
        if folded.startswith(stem_) and len(folded) <= len(stem_) + 4:
            return noun
    return None


def property_comparison(question: str) -> tuple[str, str, int] | None:
    """``(greater, smaller, factor)`` where ``question`` compares two measures of one thing
    ("Which crystals are deeper than they are wide?": depth > 1 × width; "more than twice
    as tall as they are wide": height > 2 × width), as property nouns; else None."""
    for number, pattern in enumerate(_PROPERTY_COMPARISONS):
        found = pattern.search(question)
        if found is None:
            continue
        groups = found.groups()
        factor = 1
        if number in (1, 3, 5):  # "more than twice as A as B"
            said, digits, a, b = groups
            factor = int(digits) if digits else _FACTORS.get(said.split()[0].casefold(), 2)
        else:
            a, b = groups
        greater, smaller = _measure(a), _measure(b)
        if greater and smaller and greater != smaller:
            return greater, smaller, factor
    return None
