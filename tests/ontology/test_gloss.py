"""The English gloss of German and Spanish questions (what the ranker reads)."""

from __future__ import annotations

from sparqlqa.ontology.gloss import english_plural, gloss, gloss_pair


def test_a_german_question_is_glossed_word_by_word() -> None:
    question = "Welche Lieferanten aus Frankreich haben mehr als 3 Produkte?"
    assert gloss(question, "de") == "which suppliers from France have more than 3 products?"


def test_a_spanish_question_is_glossed_word_by_word() -> None:
    question = "¿Cuántos empleados tiene el departamento con el precio más alto?"
    assert gloss(question, "es") == (
        "how many employees has the department with the price highest?"
    )


def test_unknown_words_numbers_and_kept_spans_stay_as_written() -> None:
    # A product name and an English label kept in the question are not words of the
    # lexicon; a decimal stays one token; a linked mention reads as its label.
    question = "Zeig mir das Hardware mit Reliability Index über 0.94 von Frankreich."
    assert gloss(question, "de", [(61, 71, "France")]) == (
        "show me the Hardware with Reliability Index over 0.94 of France."
    )
    assert gloss("Gib mir den dritthöchsten Preis.", "de") == "give me the third highest price."


def test_english_and_unknown_languages_are_left_alone() -> None:
    text = "Which suppliers die in Frankreich?"
    assert gloss(text, "en") == text
    assert gloss(text, None) == text
    assert gloss(text, "fr") == text


def test_a_generated_pair_keeps_its_entity_labels() -> None:
    pair = {
        "question": "Welche Abteilungen sind mit Marketing verbunden?",
        "language": "de",
        "entities": [{"iri": "x", "label": "Marketing", "start": 28, "end": 37}],
    }
    assert gloss_pair(pair) == "which departments are with Marketing linked?"
    assert gloss_pair({**pair, "language": "en"}) == pair["question"]


def test_english_plurals() -> None:
    assert [english_plural(w) for w in ("supplier", "category", "address", "day")] == [
        "suppliers",
        "categories",
        "addresses",
        "days",
    ]


def test_words_of_people_and_their_work() -> None:
    # Common words of a staff or catalogue question, phrases before their words.
    assert gloss("Wer sind unsere Führungskräfte?", "de") == "who are our managers?"
    assert gloss("Wer berichtet an Thomas Müller?", "de") == "who reports to Thomas Müller?"
    assert gloss("Wie lautet die E-Mail-Adresse von Anna?", "de") == (
        "what is the email address of Anna?"
    )
    assert gloss("Welche Teile passen zum Strain Capacitor?", "de") == (
        "which parts are compatible with the Strain Capacitor?"
    )
    assert (
        gloss("¿Quién gestiona el Strain Capacitor?", "es") == "who manages the Strain Capacitor?"
    )


def test_dative_plurals_and_words_of_making_things() -> None:
    # "mit wie vielen Produkten": the dative plural is the plural with an -n.
    assert gloss("Mit wie vielen Produkten ist X kompatibel?", "de") == (
        "with how many products is X compatible?"
    )
    assert gloss("Welche Stücklisten haben wir?", "de") == "which bill of materials do we have?"
    assert "procurement" in gloss("Wer arbeitet im Einkauf?", "de")
    assert "production" in gloss("¿Quién está en producción?", "es")


def test_german_typed_without_umlauts_is_glossed_alike() -> None:
    for with_umlauts in (
        "Welche Lieferanten aus Österreich liefern über 3 Produkte?",
        "Welche Stücklisten enthalten die günstigste Komponente?",
    ):
        typed = with_umlauts.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ö": "Oe"}))
        assert gloss(typed, "de") == gloss(with_umlauts, "de")
    assert "Austria" in gloss("aus Oesterreich", "de")


def test_hyphenated_compounds_are_glossed_by_their_parts() -> None:
    # "Länder-Eintrag": the known part in English, the other as written; a name of unknown
    # parts stays whole; "jeweils" is "each".
    question = "Bei welchen Lieferanten fehlt die Verknüpfung zu einem Länder-Eintrag?"
    assert gloss(question, "de") == "at which suppliers is missing the link to a countries entry?"
    assert gloss("Welche Produkte liefert Hall-Hodges?", "de").endswith("Hall-Hodges?")
    assert "each" in gloss("Wie lautet jeweils die E-Mail-Adresse?", "de").split()
