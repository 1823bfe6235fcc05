"""Abstention: how sure the pipeline is of an answer, and when it should not answer at all.

A candidate's *confidence* is the geometric mean of its token probabilities (``exp`` of the
length-normalised beam log-probability), weighted by what became of it: full weight when it
ran and returned a non-empty result of the expected kind, less when it ran but did not fit,
less still when it did not run, nothing when it could not be decoded. The pipeline answers
only when the accepted candidate's confidence reaches the threshold (setting
``SPARQLQA_ABSTAIN_BELOW``, or ``abstain_below`` in the graph's ``graph.json``).

Independently of the model, a question is *grounded* when the linker finds an entity of the
graph in it whose label shares a word with the words it was found on (a word, or the
beginning of one, of 4 characters or more: "Sensors" finds "Sensor", but "Mars" does not
find "Marius Fux"; a German or Spanish word counts by the dictionary's reading of it,
"Widerstände" for "Resistor", ``QAPipeline.firmly_linked``), or some schema term shares a
word with it (the retriever's lexical score; a German or Spanish question's common schema
nouns count with their English words, ``ontology.lexicon``); an ungrounded question ("asdf
qwer zxcv", "How tall is the Eiffel Tower?") is never answered.

:func:`precision_coverage` and :func:`render_curve` turn measured answers into the curve
that chooses the threshold (``bench/decode_bench.py curve``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparqlqa.ontology.lexicon import english_glosses

#: Recommended by bench/decode_bench.py on the corporate dev split (see docs/abstention.md).
DEFAULT_ABSTAIN_BELOW = 0.82

#: Weight of a candidate's probability by its outcome.
WEIGHTS = {"accepted": 1.0, "ran": 0.5, "failed": 0.25, "undecodable": 0.0}


def confidence(score: float, outcome: str) -> float:
    """The confidence of a candidate with mean token log-probability ``score``."""
    return round(math.exp(min(0.0, score)) * WEIGHTS[outcome], 4)


def firm_link(label: str, mention: str) -> bool:
    """Whether an entity label and the question's words it was linked on share a word (or
    one begins the other, with 4 characters at least, or one is the other's plural: "LCDs")."""
    ours = set(re.findall(r"\w+", mention.lower()))
    for word in re.findall(r"\w+", label.lower()):
        for other in ours:
            short, long_ = sorted((word, other), key=len)
            if word == other or (len(short) >= 4 and long_.startswith(short)):
                return True
            if long_ in (short + "s", short + "es"):
                return True
    return False


def with_english_glosses(question: str) -> str:
    """``question`` with the English words of its German/Spanish schema nouns appended
    ("Wie viele Lieferanten gibt es? supplier"), so that a schema written in English is
    found in a question asked in German or Spanish; an English question comes back as it is
    unless it holds a word that is also a German/Spanish noun of the lexicon."""
    glosses = [g for g in english_glosses(question) if g not in question.casefold()]
    return " ".join([question, *glosses])


def grounded(entities: int, schema_words: bool | None) -> bool:
    """Whether a question is about the graph at all (see the module's docstring);
    ``schema_words`` None (a retriever that cannot tell) counts as grounded."""
    return entities > 0 or schema_words is not False


def precision_coverage(
    rows: Sequence[dict[str, Any]], thresholds: Sequence[float] | None = None
) -> list[dict[str, float]]:
    """For each threshold: the share of the questions with gold answers that are answered
    (coverage), the share of answered questions answered right (precision), and how many
    nonsense questions get an answer with the grounding rule and with the confidence alone.
    ``rows`` hold ``confidence`` (None when no candidate was accepted), ``grounded``,
    ``right`` and ``nonsense``; a nonsense question answered counts as a wrong answer."""
    thresholds = thresholds or [
        *(round(0.1 * i, 2) for i in range(6)),
        *(round(0.6 + 0.02 * i, 2) for i in range(20)),
    ]
    scored = [r for r in rows if r.get("right") is not None]
    answerable = max(1, sum(1 for r in scored if not r.get("nonsense")))
    out = []
    for t in thresholds:
        sure = [r for r in scored if r["confidence"] is not None and r["confidence"] >= t]
        answered = [r for r in sure if r["grounded"]]
        right = sum(1 for r in answered if r["right"])
        out.append(
            {
                "threshold": t,
                "coverage": sum(1 for r in answered if not r.get("nonsense")) / answerable,
                "precision": right / len(answered) if answered else 1.0,
                "nonsense_answered": float(sum(1 for r in answered if r.get("nonsense"))),
                "nonsense_by_confidence": float(sum(1 for r in sure if r.get("nonsense"))),
            }
        )
    return out


def recommend(
    table: Sequence[dict[str, float]], min_precision: float = 0.85, min_coverage: float = 0.5
) -> float:
    """The lowest threshold at which the confidence alone answers no nonsense question,
    precision reaches ``min_precision`` and coverage ``min_coverage`` (so that abstention
    does not rest on the grounding rule only, nor withhold most answers). When none does
    (a confidence that separates right from wrong answers only weakly), the lowest at which
    no nonsense question is answered as served (with the grounding rule): abstaining then
    keeps nonsense out and withholds as few answers as it can; the highest-precision
    threshold when even that is never reached."""
    for row in table:
        if (
            row["precision"] >= min_precision
            and row["coverage"] >= min_coverage
            and row["nonsense_by_confidence"] == 0
        ):
            return row["threshold"]
    for row in table:
        if row["nonsense_answered"] == 0:
            return row["threshold"]
    return max(table, key=lambda r: (r["precision"], r["coverage"]))["threshold"]


def render_curve(
    table: Sequence[dict[str, float]], rows: Sequence[dict[str, Any]], doc: Path, plot: Path
) -> float:
    """Write the Markdown table (with the recommendation) to ``doc`` and the plot to
    ``plot``; returns the recommended threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    best = recommend(table)
    sets: dict[str, int] = {}
    for r in rows:
        sets[r["set"]] = sets.get(r["set"], 0) + 1
    lines = [
        "# Abstention: precision and coverage by confidence threshold",
        "",
        "Made by `bench/decode_bench.py` (`collect`, then `curve`) with the real first-run",
        "corporate model and constrained decoding, k = 5. A question's confidence is that of",
        "the accepted candidate: exp(mean token log-probability) × 1 (it ran and fit the",
        "expected answer type; 0.5 ran but did not fit, 0.25 did not run, 0 undecodable).",
        "Ungrounded questions (no firmly linked entity, no schema word in the question) are",
        "never answered. The threshold is `SPARQLQA_ABSTAIN_BELOW`, or `abstain_below` in the",
        "graph's `graph.json`, else `qa.abstain.DEFAULT_ABSTAIN_BELOW`.",
        "",
        "```bash",
        "PYTHONPATH=src python bench/decode_bench.py collect --graph var/graphs/corporate \\",
        "    --questions var/graphs/corporate/pairs/dev.jsonl bench/data/nonsense.jsonl \\",
        "    bench/data/freeform-corporate.jsonl --limit 15 \\",
        "    --out bench/data/abstention-results.jsonl",
        "PYTHONPATH=src python bench/decode_bench.py curve \\",
        "    --results bench/data/abstention-results.jsonl",
        "```",
        "",
        "Questions: " + ", ".join(f"{n} from `{s}`" for s, n in sets.items()) + ".",
        "Coverage: the share of the generated dev questions answered; precision: the share of",
        "answers equal to the gold answers (a nonsense question answered is a wrong answer).",
        "Free-form questions have no gold answers: only how many are answered is given.",
        "",
        "Nonsense answered: with the grounding rule (as served) / by the confidence alone.",
        "",
        "| threshold | coverage | precision | nonsense answered | by confidence alone |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in table:
        lines.append(
            f"| {row['threshold']:.2f} | {row['coverage']:.3f} | {row['precision']:.3f} "
            f"| {int(row['nonsense_answered'])} | {int(row['nonsense_by_confidence'])} |"
        )
    free = [r for r in rows if r.get("right") is None]
    if free:
        kept = sum(
            1
            for r in free
            if r["grounded"] and r["confidence"] is not None and r["confidence"] >= best
        )
        lines += ["", f"Free-form questions answered at {best:.2f}: {kept} of {len(free)}."]
    lines += [
        "",
        f"Recommended threshold: **{best:.2f}** (`qa.abstain.recommend`): the lowest at which "
        "the confidence alone answers no nonsense question with precision ≥ 0.85 and coverage "
        "≥ 0.5, else the lowest at which no nonsense question is answered as served.",
        "",
        f"![precision and coverage]({plot.name})",
        "",
    ]
    doc.write_text("\n".join(lines))
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [r["threshold"] for r in table]
    ax.plot(xs, [r["precision"] for r in table], marker="o", label="precision")
    ax.plot(xs, [r["coverage"] for r in table], marker="s", label="coverage")
    ax.axvline(best, color="grey", linestyle="--", label=f"recommended {best:.2f}")
    ax.set_xlabel("abstain below confidence")
    ax.set_ylim(0, 1.02)
    ax.legend()
    fig.tight_layout()
    fig.savefig(plot, dpi=100)
    plt.close(fig)
    return best
