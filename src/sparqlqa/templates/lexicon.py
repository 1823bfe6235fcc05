"""The bilingual lexicon the German and Spanish grammars verbalise with.

It lives in :mod:`sparqlqa.ontology.lexicon` (below both the grammars and the ranker, which
glosses German and Spanish questions with it, see :mod:`sparqlqa.ontology.gloss`); this
module keeps the grammars' import path.
"""

from sparqlqa.ontology.lexicon import (
    GLOSSES,
    NOUNS,
    VERBS,
    Noun,
    english_glosses,
    noun,
    verb,
)

__all__ = ["GLOSSES", "NOUNS", "VERBS", "Noun", "english_glosses", "noun", "verb"]
