"""The language of a question (English, German or Spanish) and the function words of each.

:func:`detect_language` sits in front of a detector (``py3langid``, restricted to the
supported languages, its model read from the package: no network). Short questions are
hard for any detector; a question with no letters, or any failure of the detector, is
taken for English, the language the translator was trained on.

:func:`stopwords` gives, per language, the words that never name anything (articles,
pronouns, question words, auxiliaries, imperative verbs of requests), so that the entity
linker does not read German "welche" as the city "Elche" or "liste" as the name "Liese".
These are general lists of each language, not of any graph.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Literal, cast

from sparqlqa.ontology.words import STOPWORDS

Language = Literal["en", "de", "es"]
#: The languages questions may be asked in, English first (the default).
LANGUAGES: tuple[Language, ...] = ("en", "de", "es")

_GERMAN = """
aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bin
bis bist bitte da dabei damit dann das dass dem den denen der deren des dessen die dies diese
diesem diesen dieser dieses doch dort du durch ein eine einem einen einer eines er es etwa
etwas euch euer falls fur gab gibt gib gibts hab habe haben hat hatte hatten ich ihm ihn
ihnen ihr ihre ihrem ihren ihrer im in ins ist ja jede jedem jeden jeder jedes jemand jemandem
jemanden kann kein keine keinem keinen keiner konnen mir mit man mehr mich mein meine meinem
meinen meiner nach nein nicht nichts noch nur ob oder ohne sein seine seinem seinen seiner
sich sie sind so sowie uber um und uns unser unsere unserem unseren unserer unter viel viele
vom von vor war waren was wann warum was welche welchem welchen welcher welches wem wen wer
werden wessen wie wieviel wieviele wird wo woher wohin wurde wurden zu zum zur zwischen
zeig zeige zeigt liste listet nenne nennen gib sag sage suche finde wir ihr euch es gibt
bekommen bekommt will mochte mochten
"""
_SPANISH = """
a al algo algun alguna algunas alguno algunos alguien ante antes aqui asi aun cada como con
contra cual cuales cualquier cuando cuanta cuantas cuanto cuantos de del desde donde dos el
ella ellas ello ellos en entre era eran es esa esas ese eso esos esta estan estas este esto
estos fue fueron ha han hay la las le les lo los mas me mi mis mucho muchos muy nada ni no
nos nosotros nuestra nuestras nuestro nuestros o otra otras otro otros para pero poco por
porque que quien quienes se sea ser si sin sobre son su sus tambien tanto te tiene tienen
todas todo todos tu tus un una unas uno unos usted ustedes y ya yo muestra muestrame
muestranos ensename dime dame lista listame busco quiero hay cuales
"""
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": STOPWORDS,
    "de": STOPWORDS | frozenset(_GERMAN.split()),
    "es": STOPWORDS | frozenset(_SPANISH.split()),
}


def stopwords(language: str | None) -> frozenset[str]:
    """The folded function words of ``language`` (with the English ones, since questions mix
    English names and words in); English for an unknown or absent language."""
    return _STOPWORDS.get(language or "en", STOPWORDS)


def normalise_language(language: str | None) -> Language | None:
    """``"DE"``, ``"de-AT"``, ``"de_DE"`` → ``"de"``; ``None`` or ``""`` → ``None``. Raises
    ``ValueError`` for a language that is not supported."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r} (supported: {', '.join(LANGUAGES)})")
    return cast(Language, code)


_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's identifier, restricted to the supported languages (loaded once, ~1 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> Language:
    """The language of ``text`` among :data:`LANGUAGES`; English when it cannot tell (no
    letters, or the detector is not installed)."""
    if not any(ch.isalpha() for ch in text):
        return "en"
    try:
        with _LOCK:  # the identifier keeps state while classifying
            code, _ = _identifier().classify(text)
    except ImportError:
        return "en"
    return cast(Language, code) if code in LANGUAGES else "en"


def is_english(language: str | None) -> bool:
    """Is ``language`` English (or not given)?"""
    return (language or "en") == "en"


__all__ = [
    "LANGUAGES",
    "Language",
    "detect_language",
    "is_english",
    "normalise_language",
    "stopwords",
]
