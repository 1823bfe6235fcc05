"""A word-by-word English gloss of a German or Spanish question, for English-only models.

The candidate ranker (``training.ranker``, MiniLM) reads English: a German question ("Welche
Lieferanten in Frankreich haben mehr als 3 Produkte?") meets its candidate queries' English
labels ("?x [type] Supplier . ?x [country] France") with hardly a shared word. :func:`gloss`
maps the question to English words first ("which suppliers in France have more than 3
products?"): question and function words, comparatives and superlatives, the nouns and verbs
of the grammars' lexicon (:mod:`sparqlqa.ontology.lexicon`) and country names. A word it does
not know (a product's name, an English label kept in the question) stays as written, and
spans the caller names (the linked entities' mentions) are replaced by their labels
untouched. No grammar: word order stays the question's. The ranker's training glosses its
German and Spanish questions the same way, so that training and use agree.

General vocabulary of questions and business schemas, not any one graph's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sparqlqa.ontology.lexicon import NOUNS, VERBS
from sparqlqa.ontology.words import UMLAUT_LANGUAGES, umlauts_written_out

#: Languages :func:`gloss` maps to English (others are returned as they are).
GLOSSED_LANGUAGES = frozenset({"de", "es"})

# Phrases and words, folded (casefold), → English. Longer phrases win over their words.
_FUNCTION = {
    "de": """
wie viele = how many | wie viel = how much | wie hoch ist = what is | wie hoch sind = what are
gibt es = are there | es gibt = there are | haben wir = do we have | gib mir = give me
zeig mir = show me | zeige mir = show me | zeig = show | zeige = show | liste = list
finde = find | zähle = count | zähl = count | anzahl = number | berechne = calculate
ich brauche = i need | kannst du mir sagen = can you tell me | nennen = name | sagen = tell
im schnitt = on average | im durchschnitt = on average
kennen wir = do we know | welche = which | welcher = which | welches = which | welchen = which
welchem = which | was = what | wer = who | wie = how | wo = where | wann = when
ist = is | sind = are | hat = has | haben = have | liegt = is | liegen = are
mit = with | ohne = without | von = of | vom = of the | der = the | die = the | das = the
den = the | dem = the | des = the | ein = a | eine = a | einen = a | einem = a | einer = a
eines = a | und = and | oder = or | nicht = not | kein = no | keine = no | keinen = no
keinem = no | keiner = no | für = for | je = per | pro = per | nach = by | in = in | im = in
aus = from | bei = at | bei denen = where | alle = all | allen = all | aller = of all
jede = each | jeden = each | jedes = each | jeder = each | mehr als = more than
weniger als = less than | über = over | unter = under | größer als = greater than
kleiner als = less than | höher als = higher than | niedriger als = lower than
von mehr als = of more than | von weniger als = of less than | die meisten = the most
meisten = most | zuerst = first | verbunden = linked | zusammen mit = together with
falls bekannt = if known | dessen = whose | deren = whose | als = as | ob = whether
stimmt es dass = is it true that | existiert = is there | auf platz = in positions
bis = to | zu = to | zwischen = between | geteilt durch = divided by | mal = times
verhältnis = ratio | differenz = difference | wir = we | uns = us | es = it | du = you
mir = me | auf = | an = on | überspringe = skip | überspring = skip
nächsten = next | nächste = next | ersten = first | erste = first | sitz = based
ansässig = based | gehört = belongs
gehören = belong | teil = part | wert = value | einen wert = a value | jemals = ever
unser = our | unsere = our | unseren = our | unserem = our | unserer = our | unseres = our
ich = i | man = one | kann = can | können = can | bitte = please | sich = | lautet = is
lauten = are | heißt = is called | heisst = is called | wofür = what for | worin = in what
falls = if | falls vorhanden = if there is one | vorhanden = there | insgesamt = in total
im schnitt = on average | doppelt so = twice as | zuständig = responsible
zuständig für = responsible for | kostet = costs | kosten = cost | arbeitet = works
arbeiten = work | kennt = knows | kennen = know | braucht = needs | brauchen = need
bekommen = get | bekommt = gets | kompatibel = compatible | berichtet = reports
berichten = report | sitzt = is based | sitzen = are based | kommt = comes | kommen = come
verkaufen = sell | verkauft = sells | kaufen = buy | kauft = buys | ein = a | einmal = once
zwei = two | drei = three | vier = four | fünf = five | sechs = six | sieben = seven
acht = eight | neun = nine | zehn = ten | vielen = many | viele = many | wenige = few
chef = boss | chefin = boss | verschiedenen = different | verschiedene = different
betreut = manages | betreuen = manage | unterstellt = reporting to | wiegt = weighs
berichtet an = reports to | berichten an = report to | arbeitet in = works in
arbeiten in = work in | arbeitet im = works in the | arbeiten im = work in the
wiegen = weigh | passt zu = is compatible with | passen zu = are compatible with
passt zum = is compatible with the | passen zum = are compatible with the
stecken in = go into | stecken im = go into the | steckt in = goes into | buchen = book
gebucht = booked | fachgebiet = area of expertise | fachgebiete = areas of expertise
fachgebieten = areas of expertise | experte = expert | expertin = expert
führungskraft = manager | führungskräfte = managers | mitarbeitende = employees
mitarbeitenden = employees | e-mail = email | e-mail-adresse = email address
jeweils = each | eintrag = entry | einträge = entries | verknüpfung = link
verknüpfungen = links | verknüpft = linked
e-mail-adressen = email addresses | telefonnummer = phone number
telefonnummern = phone numbers | wie lautet = what is | wie lauten = what are
wie heißt = what is the name of | wie heisst = what is the name of
fehlt = is missing | fehlen = are missing | fehlende = missing | fehlenden = missing
nichts = nothing | niemand = nobody | niemandem = nobody | niemanden = nobody
""",
    "es": """
cuántos = how many | cuántas = how many | cuanto = how much | cuánto = how much
cuál es = what is | cuáles son = what are | cuál = which | cuáles = which | qué = which
quién = who | quiénes = who | dónde = where | cuándo = when | hay = are there
tenemos = do we have | dame = give me | muéstrame = show me | lista = list | busca = find
cuenta = count | calcula = calculate | necesito = i need | puedes decirme = can you tell me
conocemos = do we know | es = is | son = are | tiene = has | tienen = have | está = is
están = are | con = with | sin = without | de = of | del = of the | el = the | la = the
los = the | las = the | lo = the | un = a | una = a | unos = some | unas = some | y = and
o = or | no = not | ningún = no | ninguna = no | ninguno = no | para = for | por = by
en = in | cada = each | todos = all | todas = all | más de = more than
menos de = less than | mayor que = greater than | menor que = less than
superior a = greater than | inferior a = less than | por encima de = above
por debajo de = below | más = most | menos = least | cuyo = whose | cuya = whose
cuyos = whose | cuyas = whose | que = that | vinculado = linked | vinculada = linked
vinculados = linked | vinculadas = linked | con su = with their | si se conoce = if known
junto con = together with | su = its | sus = their | medio = average | media = average
máximo = maximum | máxima = maximum | mínimo = minimum | mínima = minimum | total = total
segundo = second | segunda = second | tercer = third | tercero = third | tercera = third
es cierto que = is it true that | existe = is there | algún = any | alguna = any
como = as | si = whether | entre = between | dividido por = divided by | razón = ratio
diferencia = difference | a = to | al = to the | primeros = first | siguientes = next
sáltate = skip | de mayor a menor = from highest to lowest
de menor a mayor = from lowest to highest | puestos = positions | valor = value
pertenece = belongs | pertenecen = belong | parte = part | alguna vez = ever
falta = is missing | faltan = are missing | nada = nothing | nadie = nobody
dime = tell me | más alto = highest
más alta = highest | más altos = highest
más altas = highest | más bajo = lowest | más baja = lowest | más bajos = lowest
más bajas = lowest | más caro = most expensive | más cara = most expensive
más caros = most expensive | más caras = most expensive | más barato = cheapest
más barata = cheapest | más baratos = cheapest | más baratas = cheapest
nuestro = our | nuestra = our | nuestros = our | nuestras = our | nosotros = we
alguien = someone | se = | me = me | cuesta = costs | cuestan = cost | jefe = boss
jefa = boss | responsable = responsible | responsables = responsible
se encarga de = is responsible for | se encargan de = are responsible for | sabe = knows
saben = know | enséñame = show me | muéstrame = show me | vendemos = we sell
venden = sell | compramos = we buy | correo electrónico = email | correo = email
dos = two | tres = three | cuatro = four | cinco = five | seis = six | siete = seven
ocho = eight | nueve = nine | diez = ten | distintos = different | distintas = different
diferentes = different | en total = in total | por favor = please | alguno = any
gestiona = manages | gestionan = manage | pesa = weighs | pesan = weigh
especialidad = expertise | área de especialidad = area of expertise | experto = expert
experta = expert | directivos = managers | directivo = manager | depende de = reports to
dependen de = report to | reservar = book | teléfono = phone | número de teléfono = phone number
""",
}

# Adjective stems (German: before -e/-en/-er/-es/-em; Spanish: before -o/-a/-os/-as).
_ADJECTIVES = {
    "de": """
höchst = highest | niedrigst = lowest | teuerst = most expensive | billigst = cheapest
größt = largest | kleinst = smallest | neuest = newest | ältest = oldest | jüngst = youngest
längst = longest | kürzest = shortest | schwerst = heaviest | leichtest = lightest
durchschnittlich = average | günstigst = cheapest | günstig = cheap | breit = wide
tief = deep | gesamt = total | meist = most | zweit = second | dritt = third
bevölkerungsreichst = most populous | bevölkerungsärmst = least populous | hoh = high
hoch = high | niedrig = low | teur = expensive | teuer = expensive | billig = cheap
groß = large | klein = small | alt = old | jung = young | lang = long | kurz = short
schwer = heavy | leicht = light | neu = new | höher = higher | niedriger = lower
größer = greater | kleiner = smaller | minimal = minimum | maximal = maximum | erst = first
""",
    "es": """
alt = high | baj = low | car = expensive | barat = cheap | cort = short | larg = long
viej = old | liger = light | pesad = heavy | poblad = populous | nuev = new | grand = large
pequeñ = small | joven = young | jóvenes = young | mayor = greater | menor = less
""",
}

# Countries (world knowledge): German | Spanish | English.
_COUNTRIES = """
Deutschland | Alemania | Germany
Frankreich | Francia | France
Spanien | España | Spain
Italien | Italia | Italy
Österreich | Austria | Austria
Schweiz | Suiza | Switzerland
Niederlande | Países Bajos | Netherlands
Belgien | Bélgica | Belgium
Polen | Polonia | Poland
Tschechien | Chequia | Czechia
Schweden | Suecia | Sweden
Norwegen | Noruega | Norway
Dänemark | Dinamarca | Denmark
Finnland | Finlandia | Finland
Großbritannien | Gran Bretaña | Great Britain
Vereinigtes Königreich | Reino Unido | United Kingdom
Irland | Irlanda | Ireland
Portugal | Portugal | Portugal
Griechenland | Grecia | Greece
Türkei | Turquía | Turkey
Russland | Rusia | Russia
Ungarn | Hungría | Hungary
Rumänien | Rumanía | Romania
Bulgarien | Bulgaria | Bulgaria
Kroatien | Croacia | Croatia
Slowakei | Eslovaquia | Slovakia
Slowenien | Eslovenia | Slovenia
Serbien | Serbia | Serbia
Ukraine | Ucrania | Ukraine
Luxemburg | Luxemburgo | Luxembourg
Vereinigte Staaten | Estados Unidos | United States
Kanada | Canadá | Canada
Mexiko | México | Mexico
Brasilien | Brasil | Brazil
Argentinien | Argentina | Argentina
Peru | Perú | Peru
Chile | Chile | Chile
Kolumbien | Colombia | Colombia
China | China | China
Japan | Japón | Japan
Indien | India | India
Südkorea | Corea del Sur | South Korea
Australien | Australia | Australia
Neuseeland | Nueva Zelanda | New Zealand
Südafrika | Sudáfrica | South Africa
Ägypten | Egipto | Egypt
Marokko | Marruecos | Morocco
Singapur | Singapur | Singapore
Thailand | Tailandia | Thailand
Indonesien | Indonesia | Indonesia
"""

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?![\w-])|[\w-]+|[^\w\s]")
_DROPPED = frozenset("¿¡")
_ENDINGS = {"de": ("sten", "ste", "en", "er", "es", "em", "e"), "es": ("os", "as", "o", "a")}
_LONGEST_PHRASE = 5


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.strip().splitlines():
        for item in line.split("|"):
            source, _, english = item.partition("=")
            if source.strip():
                out.setdefault(source.strip().casefold(), english.strip())
    return out


def english_plural(word: str) -> str:
    """The regular English plural of ``word`` (its last word): supplier → suppliers,
    category → categories, address → addresses."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def _base_verb(third_person: str) -> str:
    """ "supplies" → "supply", "manages" → "manage", "contains" → "contain"."""
    if third_person.endswith("ies"):
        return third_person[:-3] + "y"
    if re.search(r"(ss|x|ch|sh)es$", third_person):
        return third_person[:-2]
    return third_person[:-1] if third_person.endswith("s") else third_person


def _table(language: str) -> dict[str, str]:
    """Every phrase or word form of ``language`` (folded) with its English."""
    table: dict[str, str] = {}
    # Countries first: "Peru" or "China" must not become another word's gloss.
    for line in _COUNTRIES.strip().splitlines():
        de, es, english = (part.strip() for part in line.split("|"))
        table[(de if language == "de" else es).casefold()] = english
    for source, english in _pairs(_FUNCTION[language]).items():
        table.setdefault(source, english)
    for english, entry in NOUNS.items():
        noun = entry.get(language)
        if noun is None:
            continue
        table.setdefault(noun.one.casefold(), english)
        table.setdefault(noun.many.casefold(), english_plural(english))
    for english, verb_forms in VERBS.items():
        forms = verb_forms.get(language)
        if forms is None:
            continue
        one, many = (f.split(" ")[0].casefold() for f in forms)  # "bietet an": its verb
        table.setdefault(one, english)
        table.setdefault(many, _base_verb(english))
    return with_umlauts_written_out(table) if language in UMLAUT_LANGUAGES else table


def with_umlauts_written_out(table: dict[str, str]) -> dict[str, str]:
    """``table`` (German keys, folded) with each key that has an umlaut also written out, as
    typed on a keyboard without them ("über": "ueber"); a key already there keeps its value."""
    out = dict(table)
    for key, value in table.items():
        out.setdefault(umlauts_written_out(key), value)
    return out


_TABLES = {language: _table(language) for language in sorted(GLOSSED_LANGUAGES)}
_ADJECTIVE_TABLES = {
    language: with_umlauts_written_out(_pairs(text))
    if language in UMLAUT_LANGUAGES
    else _pairs(text)
    for language, text in _ADJECTIVES.items()
}


def _word(word: str, language: str) -> str | None:
    """The English of one word, or None when it is not known."""
    folded = word.casefold()
    found = _TABLES[language].get(folded)
    if found is not None:
        return found
    adjectives = _ADJECTIVE_TABLES[language]
    if folded in adjectives:
        return adjectives[folded]
    # The shortest ending first: "günstigste" is the superlative "günstigst" + "e", not
    # the positive "günstig" + "ste".
    for ending in sorted(_ENDINGS[language], key=len):
        if folded.endswith(ending) and folded[: -len(ending)] in adjectives:
            return adjectives[folded[: -len(ending)]]
    # German ordinals run into the adjective: "dritthöchsten" = third highest.
    if language == "de":
        for prefix, english in (("zweit", "second"), ("dritt", "third"), ("viert", "fourth")):
            rest = folded[len(prefix) :]
            if folded.startswith(prefix) and rest and (found := _word(rest, language)):
                return f"{english} {found}"
    # A German genitive ("Deutschlands", "des Lieferanten"): the word without its -s; a
    # dative plural ("mit wie vielen Produkten", "aus den Teilen"): without its -n.
    if (
        language == "de"
        and folded.endswith(("s", "n"))
        and len(folded) > 4
        and (found := _TABLES[language].get(folded[:-1])) is not None
    ):
        return found
    # A hyphenated compound ("Länder-Eintrag", "Kunden-Nummer"): its parts, each glossed
    # where known ("countries Eintrag"), when one of them is.
    if "-" in folded.strip("-"):
        parts = [p for p in word.split("-") if p]
        glossed = [_word(p, language) for p in parts]
        if any(g for g in glossed):
            return " ".join(g if g is not None else p for g, p in zip(glossed, parts, strict=True))
    return None


def _gloss_words(text: str, language: str) -> list[str]:
    tokens = [t for t in _TOKEN.findall(text) if t not in _DROPPED]
    table = _TABLES[language]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        # The longest phrase starting here (commas inside a phrase are skipped: "stimmt es,
        # dass"); a single token falls through to the word rules.
        for n in range(min(_LONGEST_PHRASE, len(tokens) - i), 1, -1):
            words = [t for t in tokens[i : i + n] if t != ","]
            if len(words) > 1 and tokens[i + n - 1] != ",":
                found = table.get(" ".join(words).casefold())
                if found is not None:
                    out.append(found)
                    i += n
                    break
        else:
            token = tokens[i]
            english = _word(token, language)  # "" for a word English drops (a particle)
            out.append(token if english is None else english)
            i += 1
    return out


def gloss(text: str, language: str | None, keep: Iterable[tuple[int, int, str]] = ()) -> str:
    """``text`` in English words when ``language`` is German or Spanish (else as it is).
    ``keep``: (start, end, replacement) character spans of ``text`` replaced as given and not
    glossed (a linked entity's mention and its label); overlapping spans after the first are
    ignored. Never raises; deterministic."""
    if language not in GLOSSED_LANGUAGES:
        return text
    words: list[str] = []
    at = 0
    for start, end, replacement in sorted(keep):
        if start < at or end <= start or end > len(text):
            continue
        words += _gloss_words(text[at:start], language)
        words.append(replacement)
        at = end
    words += _gloss_words(text[at:], language)
    joined = " ".join(w for w in words if w)
    return re.sub(r"\s+([?,.!:;])", r"\1", joined).strip()


def gloss_pair(record: Mapping[str, object]) -> str:
    """The question of a generated pair (``question``, ``language``, ``entities`` with
    ``start``/``end``/``label``) glossed, its entity mentions kept as their labels."""
    question = str(record.get("question") or "")
    keep = []
    for entity in record.get("entities") or []:  # type: ignore[attr-defined]
        if isinstance(entity, Mapping) and isinstance(entity.get("start"), int):
            end = entity.get("end")
            label = entity.get("label")
            if isinstance(end, int):
                keep.append((entity["start"], end, str(label or question[entity["start"] : end])))
    language = record.get("language")
    return gloss(question, language if isinstance(language, str) else None, keep)
