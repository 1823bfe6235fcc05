"""A copy of a TEXT2SPARQL questions file with every German wording typed without umlauts.

On a keyboard without umlauts people write "Widerstaende", "ueber", "Oesterreich": this
writes that copy of a realistic set (ä → ae, ö → oe, ü → ue, ß → ss, capitals alike; other
languages, ids, splits and gold queries as they are), to score how well German questions
are answered as typed (``docs/ontology.md``, "German as typed"):

    python bench/typed_umlauts.py src/sparqlqa/eval/data/corporate-realistic.yml \\
        var/corporate-typed.yml
    sparqlqa eval --dataset var/corporate-typed.yml --format text2sparql --split dev \\
        --language de --system var/graphs/corporate --store var/graphs/corporate/store \\
        --api text2sparql --out var/eval/typed-dev-de
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

TYPED_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def typed_out(data: Any) -> Any:
    """``data`` (a loaded questions file) with its German wordings typed without umlauts."""
    questions = data["questions"] if isinstance(data, dict) else data
    for question in questions:
        wordings = question.get("question") or {}
        if isinstance(wordings, dict) and isinstance(wordings.get("de"), str):
            wordings["de"] = wordings["de"].translate(TYPED_OUT)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("source", type=Path, help="a TEXT2SPARQL questions YAML")
    parser.add_argument("out", type=Path, help="where to write the typed-out copy")
    args = parser.parse_args()
    data = typed_out(yaml.safe_load(args.source.read_text(encoding="utf-8")))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
