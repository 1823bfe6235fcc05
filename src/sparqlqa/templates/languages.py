"""Which languages generated questions are in, and the verbaliser of each.

Composed query graphs are phrased in English, German or Spanish by grammars of each language
(``verbalise``, ``verbalise_de``, ``verbalise_es``): no translation model. Shares say how
many composed templates each language gets; a template's pairs all carry its language.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from sparqlqa.templates.compose import SchemaView
from sparqlqa.templates.verbalise import Verbaliser
from sparqlqa.templates.verbalise_de import GermanVerbaliser
from sparqlqa.templates.verbalise_es import SpanishVerbaliser

VERBALISERS: dict[str, type[Verbaliser]] = {
    "en": Verbaliser,
    "de": GermanVerbaliser,
    "es": SpanishVerbaliser,
}
#: The default mix: half of the composed questions English, a quarter each German and Spanish,
#: so a first-run translator reads all three.
DEFAULT_LANGUAGES = "en:0.5,de:0.25,es:0.25"


def parse_languages(text: str) -> dict[str, float]:
    """``"en:0.5,de:0.25,es:0.25"`` (or ``"en,de"``: equal shares) → shares summing to 1.
    Raises ``ValueError`` for an unknown language, a bad share or no language at all."""
    shares: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        code, _, share = part.partition(":")
        code = code.strip().lower()
        if code not in VERBALISERS:
            raise ValueError(
                f"unknown question language {code!r} (supported: {', '.join(VERBALISERS)})"
            )
        try:
            value = float(share) if share else 1.0
        except ValueError as exc:
            raise ValueError(f"language share {part!r} is not a number") from exc
        if value < 0:
            raise ValueError(f"language share {part!r} is negative")
        shares[code] = shares.get(code, 0.0) + value
    total = sum(shares.values())
    if not shares or total <= 0:
        raise ValueError(f"no question language with a positive share in {text!r}")
    return {code: value / total for code, value in shares.items() if value > 0}


def pick_language(shares: Mapping[str, float], rng: random.Random) -> str:
    """One language drawn by its share."""
    codes = list(shares)
    return rng.choices(codes, weights=[shares[c] for c in codes])[0]


def verbaliser(language: str, view: SchemaView, rng: random.Random) -> Verbaliser:
    """The verbaliser of ``language`` over ``view``."""
    return VERBALISERS[language](view, rng)
