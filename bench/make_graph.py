"""Write a synthetic music catalogue as Turtle, for timing ``sparqlqa adapt`` on ~100,000 triples.

    .venv/bin/python bench/make_graph.py var/bench/music.ttl [--scale 1.05] [--seed 0]

Deterministic for a given seed and scale. The vocabulary is *undeclared* (no ``rdfs:Class``,
``owl:`` or domain/range statements: adapt has to infer the schema from the data), in its own
namespace apart from the resources. Eleven classes (musician, band, album, track, record label,
genre, city, country, venue, concert, award), object properties between them (``memberOf``,
``byArtist``, ``onAlbum``, ``writtenBy``, ``performer``, ``heldAt``, ``subGenreOf``,
``wonAward``...), datatype properties with integers, decimals, years and dates
(``releaseDate``, ``durationSeconds``, ``salesCount``, ``rating``, ``capacity``,
``attendance``...), and ``rdfs:label`` on every resource. Some properties are optional
(``wonAward``, ``writtenBy``, ``deathDate``), so negation questions have answers. Scale 1.0
gives 94,856 triples with seed 0, scale 1.05 gives 99,265 (the count is printed); the run
measured in docs/adapt.md used ``--scale 1.05 --seed 0``.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

VOCAB = "http://example.org/music/vocab#"
DATA = "http://example.org/music/id/"


def _words(text: str) -> list[str]:
    return text.split()


SYLLABLES = _words(
    "ka ro mi ta lu ve na so ri el an or be da fin gal hel jor kas lin mor nel "
    "pra quin ros sel tor ul vin wen yar zed bri cal dor"
)
WORDS = _words(
    "blue morning road silver night river golden echo winter summer fire glass stone "
    "paper electric midnight wild quiet broken velvet northern southern hollow bright "
    "shadow ocean desert city garden thunder rain mirror neon crystal iron last first "
    "little lost secret distant dream heart light storm harbour valley"
)
INSTRUMENTS = [
    "guitar",
    "bass",
    "drums",
    "piano",
    "violin",
    "saxophone",
    "trumpet",
    "cello",
    "synthesizer",
    "vocals",
]
GENRES = [
    "rock",
    "jazz",
    "blues",
    "folk",
    "pop",
    "soul",
    "funk",
    "metal",
    "punk",
    "reggae",
    "techno",
    "house",
    "ambient",
    "country",
    "gospel",
    "hip hop",
    "classical",
    "opera",
    "ska",
    "disco",
]
QUALIFIERS = ["progressive", "acoustic", "alternative", "experimental", "nordic", "latin"]


class Names:
    """Pronounceable names, unique within a kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        for _ in range(50):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        # the small pools (one-word titles) run out: number the name instead
        name = make()
        i = 2
        while f"{name} {i}" in self.used:
            i += 1
        self.used.add(f"{name} {i}")
        return f"{name} {i}"

    def word(self, parts: int = 2) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

    def person(self) -> str:
        return self._unique(lambda: f"{self.word(2)} {self.word(self.rng.choice((2, 3)))}")

    def place(self) -> str:
        return self._unique(lambda: self.word(self.rng.choice((2, 3))))

    def title(self, words: int) -> str:
        return self._unique(lambda: " ".join(self.rng.choice(WORDS) for _ in range(words)).title())

    def band(self) -> str:
        return self._unique(
            lambda: (
                self.rng.choice(("The ", ""))
                + " ".join(self.rng.choice(WORDS).title() for _ in range(2))
                + self.rng.choice(("", "s", " Collective", " Trio", " Orchestra"))
            )
        )


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def date(rng: random.Random, first: int, last: int) -> str:
    year, month, day = rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28)
    return f'"{year:04d}-{month:02d}-{day:02d}"^^xsd:date'


def build(scale: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    names = Names(rng)
    n = {
        k: max(2, round(v * scale))
        for k, v in {
            "country": 40,
            "city": 300,
            "label": 150,
            "musician": 1500,
            "band": 500,
            "album": 2000,
            "venue": 300,
            "concert": 1500,
            "award": 30,
        }.items()
    }
    out: list[str] = []

    def res(kind: str, i: int) -> str:
        return f"d:{kind}{i}"

    def thing(kind: str, cls: str, i: int, label: str) -> str:
        s = res(kind, i)
        out.append(f"{s} a v:{cls} ; rdfs:label {lit(label)} .")
        return s

    for i in range(n["country"]):
        s = thing("country", "Country", i, names.place())
        code = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
        out.append(f"{s} v:isoCode {lit(code)} .")
    for i in range(n["city"]):
        s = thing("city", "City", i, names.place())
        out.append(
            f"{s} v:inCountry {res('country', rng.randrange(n['country']))} ; "
            f"v:population {rng.randint(5_000, 9_000_000)} ."
        )
    genres: list[str] = []
    for g in GENRES:
        genres.append(g)
        for q in rng.sample(QUALIFIERS, 2):
            genres.append(f"{q} {g}")
    for i, g in enumerate(genres):
        s = thing("genre", "Genre", i, g)
        if " " in g and g.split(" ", 1)[1] in GENRES:
            out.append(f"{s} v:subGenreOf {res('genre', genres.index(g.split(' ', 1)[1]))} .")
    for i in range(n["label"]):
        name = names.title(1) + rng.choice((" Records", " Music", " Sound"))
        s = thing("label", "RecordLabel", i, name)
        out.append(
            f"{s} v:foundedYear {rng.randint(1920, 2015)} ; "
            f"v:headquarteredIn {res('city', rng.randrange(n['city']))} ."
        )
    for i in range(n["award"]):
        thing("award", "Award", i, f"{names.title(1)} {rng.choice(('Prize', 'Award', 'Medal'))}")
    for i in range(n["band"]):
        s = thing("band", "Band", i, names.band())
        out.append(
            f"{s} v:formedYear {rng.randint(1955, 2020)} ; "
            f"v:basedIn {res('city', rng.randrange(n['city']))} ; "
            f"v:genre {res('genre', rng.randrange(len(genres)))} ."
        )
    for i in range(n["musician"]):
        s = thing("musician", "Musician", i, names.person())
        out.append(
            f"{s} v:birthDate {date(rng, 1930, 2002)} ; "
            f"v:bornIn {res('city', rng.randrange(n['city']))} ; "
            f"v:plays {lit(rng.choice(INSTRUMENTS))} ."
        )
        if rng.random() < 0.6:
            out.append(f"{s} v:memberOf {res('band', rng.randrange(n['band']))} .")
        if rng.random() < 0.08:
            out.append(f"{s} v:deathDate {date(rng, 1990, 2025)} .")
    for i in range(n["album"]):
        s = thing("album", "Album", i, names.title(rng.choice((1, 2, 3))))
        artist = (
            res("band", rng.randrange(n["band"]))
            if rng.random() < 0.7
            else res("musician", rng.randrange(n["musician"]))
        )
        out.append(
            f"{s} v:byArtist {artist} ; v:releaseDate {date(rng, 1960, 2025)} ; "
            f"v:recordLabel {res('label', rng.randrange(n['label']))} ; "
            f"v:genre {res('genre', rng.randrange(len(genres)))} ; "
            f"v:salesCount {rng.randint(500, 5_000_000)} ; "
            f'v:rating "{rng.randint(10, 50) / 10:.1f}"^^xsd:decimal .'
        )
        if rng.random() < 0.08:
            out.append(f"{s} v:wonAward {res('award', rng.randrange(n['award']))} .")
    track = 0
    for a in range(n["album"]):
        for number in range(1, rng.randint(3, 7) + 1):
            s = thing("track", "Track", track, names.title(rng.choice((2, 3, 4))))
            out.append(
                f"{s} v:onAlbum {res('album', a)} ; v:trackNumber {number} ; "
                f"v:durationSeconds {rng.randint(95, 540)} ."
            )
            if rng.random() < 0.5:
                out.append(f"{s} v:writtenBy {res('musician', rng.randrange(n['musician']))} .")
            track += 1
    for i in range(n["venue"]):
        name = f"{names.place()} {rng.choice(('Hall', 'Arena', 'Club', 'Theatre'))}"
        s = thing("venue", "Venue", i, name)
        out.append(
            f"{s} v:locatedIn {res('city', rng.randrange(n['city']))} ; "
            f"v:capacity {rng.randint(80, 60_000)} ."
        )
    for i in range(n["concert"]):
        band = rng.randrange(n["band"])
        s = thing("concert", "Concert", i, f"Concert {i + 1}")
        out.append(
            f"{s} v:performer {res('band', band)} ; "
            f"v:heldAt {res('venue', rng.randrange(n['venue']))} ; "
            f"v:date {date(rng, 1970, 2025)} ; v:attendance {rng.randint(50, 60_000)} ."
        )
    return out


def count_triples(lines: list[str]) -> int:
    # every statement is "subject p o ; p o ... ." with no ';' inside literals
    return sum(line.count(" ; ") + 1 for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    lines = build(args.scale, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    head = (
        f"@prefix v: <{VOCAB}> .\n@prefix d: <{DATA}> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
    )
    args.output.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {count_triples(lines)} triples")


if __name__ == "__main__":
    main()
