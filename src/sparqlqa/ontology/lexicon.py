"""A small bilingual lexicon of common schema and business words, for German and Spanish
questions: nouns with their plural and gender, a few verbs, and how to look up a label.

General vocabulary of business and catalogue schemas (supplier, price, country...), not any
one graph's. A label that is not here stays English (capitalised as a German noun), as
people keep an unfamiliar class or property name in the question ("Welche Widgets...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sparqlqa.ontology.words import umlauts_written_out

Gender = Literal["m", "f", "n"]


@dataclass(frozen=True)
class Noun:
    """A noun of one language: singular, plural, gender; ``known`` when it was translated
    (an English word kept as it is gets the language's neutral gender)."""

    one: str
    many: str
    gender: Gender
    known: bool = True


# english | de singular, plural, gender | es singular, plural, gender
_NOUNS = """
address | Adresse, Adressen, f | dirección, direcciones, f
age | Alter, Alter, n | edad, edades, f
amount | Betrag, Beträge, m | importe, importes, m
area | Fläche, Flächen, f | superficie, superficies, f
article | Artikel, Artikel, m | artículo, artículos, m
bill of material | Stückliste, Stücklisten, f | lista de materiales, listas de materiales, f
author | Autor, Autoren, m | autor, autores, m
birth date | Geburtsdatum, Geburtsdaten, n | fecha de nacimiento, fechas de nacimiento, f
book | Buch, Bücher, n | libro, libros, m
branch | Filiale, Filialen, f | sucursal, sucursales, f
brand | Marke, Marken, f | marca, marcas, f
budget | Budget, Budgets, n | presupuesto, presupuestos, m
building | Gebäude, Gebäude, n | edificio, edificios, m
capacity | Kapazität, Kapazitäten, f | capacidad, capacidades, f
category | Kategorie, Kategorien, f | categoría, categorías, f
city | Stadt, Städte, f | ciudad, ciudades, f
client | Kunde, Kunden, m | cliente, clientes, m
code | Code, Codes, m | código, códigos, m
colleague | Kollege, Kollegen, m | colega, colegas, m
color | Farbe, Farben, f | color, colores, m
colour | Farbe, Farben, f | color, colores, m
company | Firma, Firmen, f | empresa, empresas, f
component | Komponente, Komponenten, f | componente, componentes, m
contact | Kontakt, Kontakte, m | contacto, contactos, m
cost | Kosten, Kosten, f | coste, costes, m
country | Land, Länder, n | país, países, m
currency | Währung, Währungen, f | moneda, monedas, f
customer | Kunde, Kunden, m | cliente, clientes, m
date | Datum, Daten, n | fecha, fechas, f
delivery | Lieferung, Lieferungen, f | entrega, entregas, f
department | Abteilung, Abteilungen, f | departamento, departamentos, m
depth | Tiefe, Tiefen, f | profundidad, profundidades, f
description | Beschreibung, Beschreibungen, f | descripción, descripciones, f
device | Gerät, Geräte, n | dispositivo, dispositivos, m
distance | Entfernung, Entfernungen, f | distancia, distancias, f
duration | Dauer, Dauern, f | duración, duraciones, f
email | E-Mail, E-Mails, f | correo electrónico, correos electrónicos, m
email address | E-Mail-Adresse, E-Mail-Adressen, f | correo electrónico, correos electrónicos, m
employee | Mitarbeiter, Mitarbeiter, m | empleado, empleados, m
end date | Enddatum, Enddaten, n | fecha de fin, fechas de fin, f
event | Ereignis, Ereignisse, n | evento, eventos, m
factory | Fabrik, Fabriken, f | fábrica, fábricas, f
first name | Vorname, Vornamen, m | nombre, nombres, m
height | Höhe, Höhen, f | altura, alturas, f
invoice | Rechnung, Rechnungen, f | factura, facturas, f
item | Artikel, Artikel, m | artículo, artículos, m
language | Sprache, Sprachen, f | idioma, idiomas, m
last name | Nachname, Nachnamen, m | apellido, apellidos, m
length | Länge, Längen, f | longitud, longitudes, f
location | Standort, Standorte, m | ubicación, ubicaciones, f
manager | Manager, Manager, m | gerente, gerentes, m
manufacturer | Hersteller, Hersteller, m | fabricante, fabricantes, m
material | Material, Materialien, n | material, materiales, m
member | Mitglied, Mitglieder, n | miembro, miembros, m
model | Modell, Modelle, n | modelo, modelos, m
name | Name, Namen, m | nombre, nombres, m
number | Nummer, Nummern, f | número, números, m
office | Büro, Büros, n | oficina, oficinas, f
order | Bestellung, Bestellungen, f | pedido, pedidos, m
organisation | Organisation, Organisationen, f | organización, organizaciones, f
organization | Organisation, Organisationen, f | organización, organizaciones, f
owner | Eigentümer, Eigentümer, m | propietario, propietarios, m
part | Teil, Teile, n | pieza, piezas, f
person | Person, Personen, f | persona, personas, f
phone | Telefon, Telefone, n | teléfono, teléfonos, m
phone number | Telefonnummer, Telefonnummern, f | número de teléfono, números de teléfono, m
place | Ort, Orte, m | lugar, lugares, m
plant | Werk, Werke, n | planta, plantas, f
population | Einwohnerzahl, Einwohnerzahlen, f | población, poblaciones, f
postal code | Postleitzahl, Postleitzahlen, f | código postal, códigos postales, m
price | Preis, Preise, m | precio, precios, m
procurement | Einkauf, Einkäufe, m | compra, compras, f
product | Produkt, Produkte, n | producto, productos, m
production | Produktion, Produktionen, f | producción, producciones, f
project | Projekt, Projekte, n | proyecto, proyectos, m
quantity | Menge, Mengen, f | cantidad, cantidades, f
rating | Bewertung, Bewertungen, f | valoración, valoraciones, f
region | Region, Regionen, f | región, regiones, f
salary | Gehalt, Gehälter, n | salario, salarios, m
service | Dienstleistung, Dienstleistungen, f | servicio, servicios, m
size | Größe, Größen, f | tamaño, tamaños, m
start date | Startdatum, Startdaten, n | fecha de inicio, fechas de inicio, f
status | Status, Status, m | estado, estados, m
store | Geschäft, Geschäfte, n | tienda, tiendas, f
street | Straße, Straßen, f | calle, calles, f
supplier | Lieferant, Lieferanten, m | proveedor, proveedores, m
team | Team, Teams, n | equipo, equipos, m
title | Titel, Titel, m | título, títulos, m
type | Typ, Typen, m | tipo, tipos, m
unit | Einheit, Einheiten, f | unidad, unidades, f
unit price | Stückpreis, Stückpreise, m | precio unitario, precios unitarios, m
value | Wert, Werte, m | valor, valores, m
vendor | Anbieter, Anbieter, m | vendedor, vendedores, m
warehouse | Lager, Lager, n | almacén, almacenes, m
weight | Gewicht, Gewichte, n | peso, pesos, m
width | Breite, Breiten, f | anchura, anchuras, f
year | Jahr, Jahre, n | año, años, m
zip code | Postleitzahl, Postleitzahlen, f | código postal, códigos postales, m
"""

# english verb (3rd person singular) | de singular, plural | es singular, plural
_VERBS = """
supplies | liefert, liefern | suministra, suministran
provides | bietet an, bieten an | ofrece, ofrecen
manages | leitet, leiten | dirige, dirigen
produces | produziert, produzieren | produce, producen
manufactures | stellt her, stellen her | fabrica, fabrican
contains | enthält, enthalten | contiene, contienen
includes | umfasst, umfassen | incluye, incluyen
uses | verwendet, verwenden | usa, usan
owns | besitzt, besitzen | posee, poseen
sells | verkauft, verkaufen | vende, venden
employs | beschäftigt, beschäftigen | emplea, emplean
buys | kauft, kaufen | compra, compran
orders | bestellt, bestellen | pide, piden
"""


def _nouns() -> dict[str, dict[str, Noun]]:
    table: dict[str, dict[str, Noun]] = {}
    for line in _NOUNS.strip().splitlines():
        english, de, es = (part.strip() for part in line.split("|"))
        entry: dict[str, Noun] = {}
        for language, text in (("de", de), ("es", es)):
            one, many, gender = (w.strip() for w in text.split(","))
            entry[language] = Noun(one, many, gender)  # type: ignore[arg-type]
        table[english] = entry
    return table


def _verbs() -> dict[str, dict[str, tuple[str, str]]]:
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for line in _VERBS.strip().splitlines():
        english, de, es = (part.strip() for part in line.split("|"))
        table[english] = {
            "de": tuple(w.strip() for w in de.split(",")),  # type: ignore[dict-item]
            "es": tuple(w.strip() for w in es.split(",")),  # type: ignore[dict-item]
        }
    return table


NOUNS = _nouns()
VERBS = _verbs()


def noun(english: str, language: str, english_plural: str) -> Noun:
    """``english`` (a tidied label, singular) in ``language``: from the lexicon when it is
    there, else the English words kept (German: capitalised like a German noun, neuter;
    Spanish: masculine)."""
    found = NOUNS.get(english.lower(), {}).get(language)
    if found is not None:
        return found
    if language == "de":
        return Noun(_capitalised(english), _capitalised(english_plural), "n", known=False)
    return Noun(english, english_plural, "m", known=False)


def verb(english: str, language: str) -> tuple[str, str] | None:
    """The 3rd-person singular and plural of an English verb label ("supplies"), or None."""
    return VERBS.get(english.lower(), {}).get(language)


def _capitalised(words: str) -> str:
    """Nouns capitalised as German writes them; acronyms and capitals kept."""
    return " ".join(w if w in _FUNCTION_WORDS else w[:1].upper() + w[1:] for w in words.split(" "))


#: English words inside a kept label that German does not capitalise ("Bill of Material").
_FUNCTION_WORDS = frozenset({"of", "and", "or", "for", "in", "on", "at", "to", "by", "with"})


def _glosses() -> dict[str, str]:
    table: dict[str, str] = {}
    for english, entry in NOUNS.items():
        for word in entry.values():
            for form in (word.one, word.many):
                table.setdefault(form.casefold(), english)
    # German typed without umlauts ("Lieferlaender"): the written-out forms too.
    for form, english in list(table.items()):
        table.setdefault(umlauts_written_out(form), english)
    return table


#: German and Spanish noun forms (folded) → the English word of the lexicon.
GLOSSES = _glosses()


def english_glosses(text: str) -> list[str]:
    """The English words of the German/Spanish lexicon nouns in ``text`` ("Lieferanten" →
    "supplier"), in order of appearance, each once; multi-word forms ("fecha de
    nacimiento") too."""
    folded = " ".join(re.findall(r"[\w-]+", text.casefold()))
    found: list[tuple[int, str]] = []
    for form, english in GLOSSES.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", folded):
            found.append((match.start(), english))
    return list(dict.fromkeys(english for _, english in sorted(found)))
