"""Reports of a run: ``report.json``, ``summary.md``, QALD-JSON predictions for GERBIL, and a
plot of F1 per question type.

``summarise`` is pure: per-question records in, the report dict out; ``Headline.of`` reads
the figures other parts quote (``sparqlqa adapt``'s report) from that dict, typed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparqlqa.benchmarks.metrics import PRF, corpus_bleu, macro, percentile

REPORT = "report.json"
SUMMARY = "summary.md"
QALD_PREDICTIONS = "qald-predictions.json"
PLOT = "f1-by-question-type.png"


@dataclass(frozen=True)
class ShapeScores:
    """The headline figures of one question shape (``by_question_type``)."""

    questions: int
    answer_f1: float
    exact_match: float | None


@dataclass(frozen=True)
class Headline:
    """The headline figures of a report: overall answer F1, exact match and latency, and
    the same per question shape."""

    questions: int
    answer_f1: float
    exact_match: float | None
    latency_s: dict[str, float]
    by_shape: dict[str, ShapeScores]

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> Headline:
        """The headline of a ``summarise`` report."""
        return cls(
            questions=report["questions"],
            answer_f1=report["answer"]["macro_f1"],
            exact_match=report["query"]["exact_match"],
            latency_s=dict(report["latency_s"]),
            by_shape={
                shape: ShapeScores(block["questions"], block["macro_f1"], block["exact_match"])
                for shape, block in report["by_question_type"].items()
            },
        )


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _answer_block(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    scored = [r for r in records if r.get("scored")]
    plain = macro([PRF(r["precision"], r["recall"], r["f1"]) for r in scored])
    qald = macro([PRF(r["qald_precision"], r["qald_recall"], r["qald_f1"]) for r in scored])
    official = [r for r in scored if r.get("official_f1") is not None]
    official_macro = macro(
        [PRF(r["official_precision"], r["official_recall"], r["official_f1"]) for r in official]
    )
    return {
        "scored": len(scored),
        "macro_precision": plain.precision,
        "macro_recall": plain.recall,
        "macro_f1": plain.f1,
        "qald_macro_precision": qald.precision,
        "qald_macro_recall": qald.recall,
        "qald_macro_f1": qald.f1,
        "qald_macro_f1_qald": qald.f1_qald,
        # TEXT2SPARQL set F1 as the official client averages it (gold-empty questions left out).
        "text2sparql_set_f1": official_macro.f1,
        "text2sparql_set_precision": official_macro.precision,
        "text2sparql_set_recall": official_macro.recall,
        "text2sparql_questions": official_macro.n,
    }


def _structure_block(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean triple-pattern and IRI P/R/F1 over the questions whose gold query parses
    (records written before these metrics existed have none and are left out too)."""
    scored = [r for r in records if r.get("triple_f1") is not None]
    out: dict[str, Any] = {"structure_scored": len(scored)}
    for name in ("triple", "iri"):
        m = macro(
            [PRF(r[f"{name}_precision"], r[f"{name}_recall"], r[f"{name}_f1"]) for r in scored]
        )
        out[f"{name}_f1"] = m.f1 if scored else None
        out[f"{name}_precision"] = m.precision if scored else None
        out[f"{name}_recall"] = m.recall if scored else None
    return out


def _query_block(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    with_gold = [r for r in records if r.get("gold_query")]
    hyps = [" ".join((r.get("pred_query") or "").split()) for r in with_gold]
    refs = [" ".join(r["gold_query"].split()) for r in with_gold]
    return {
        "with_gold_query": len(with_gold),
        "corpus_bleu": corpus_bleu(hyps, refs) if with_gold else None,
        "sentence_bleu_nspm": _mean([r["sentence_bleu"] for r in with_gold]) if with_gold else None,
        "exact_match": _mean([float(r["exact_match"]) for r in with_gold]) if with_gold else None,
        "parse_rate": _mean([float(bool(r.get("parses"))) for r in records]),
        **_structure_block(records),
        # Gold queries rdflib cannot parse (or over the structure bounds): not structure-scored.
        "gold_unparsed": [r["id"] for r in with_gold if r.get("gold_parses") is False],
    }


def _breakdown(records: Sequence[dict[str, Any]], key: str) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        value = record.get(key)
        # A list-valued key (feature tags) puts the record in the group of each value.
        for one in value if isinstance(value, list) else [] if value is None else [value]:
            groups[str(one)].append(record)
    out: dict[str, Any] = {}
    for name in sorted(groups, key=_natural):
        group = groups[name]
        answer = _answer_block(group)
        with_gold = [r for r in group if r.get("gold_query")]
        structure = _structure_block(group)
        out[name] = {
            "questions": len(group),
            "scored": answer["scored"],
            "macro_f1": answer["macro_f1"],
            "qald_macro_f1": answer["qald_macro_f1"],
            "text2sparql_set_f1": answer["text2sparql_set_f1"],
            "exact_match": _mean([float(r["exact_match"]) for r in with_gold])
            if with_gold
            else None,
            "parse_rate": _mean([float(bool(r.get("parses"))) for r in group]),
            "triple_f1": structure["triple_f1"],
            "iri_f1": structure["iri_f1"],
        }
    return out


def _natural(text: str) -> tuple[int, Any]:
    return (0, int(text)) if text.isdigit() else (1, text)


def summarise(records: Sequence[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """The report of a run from its per-question records."""
    latencies = [float(r.get("latency_s") or 0.0) for r in records]
    gold_problems = {
        "error": [
            {"id": r["id"], "error": r.get("gold_error")}
            for r in records
            if r.get("gold_status") == "error"
        ],
        "empty": [r["id"] for r in records if r.get("gold_status") == "empty"],
    }
    return {
        **meta,
        "questions": len(records),
        "answer": _answer_block(records),
        "query": _query_block(records),
        "gold_problems": gold_problems,
        "prediction_errors": sum(1 for r in records if r.get("pred_error")),
        "truncated_predictions": sum(1 for r in records if r.get("pred_truncated")),
        "execution_s_mean": _mean([float(r.get("execution_s") or 0.0) for r in records]),
        "latency_s": {
            "mean": _mean(latencies),
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": max(latencies, default=0.0),
        },
        "by_template": _breakdown(records, "template"),
        "by_question_type": _breakdown(records, "question_type"),
        "by_tag": _breakdown(records, "tags"),
        "by_answer_type": _breakdown(records, "answer_type"),
    }


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    """A human summary of the report."""
    a, q, lat = report["answer"], report["query"], report["latency_s"]
    lines = [
        f"# Evaluation of {report.get('system')} on {Path(str(report.get('dataset'))).name}",
        "",
        f"- format: {report.get('format')}; target: {report.get('target') or 'none'}; "
        f"questions: {report['questions']} (of {report.get('questions_in_file')} in the file; "
        f"{len(report.get('skipped', []))} records skipped by the reader)",
        f"- answer-scored: {a['scored']}; gold query failed: "
        f"{len(report['gold_problems']['error'])}; gold empty: "
        f"{len(report['gold_problems']['empty'])}; prediction errors: "
        f"{report['prediction_errors']}",
        *(
            [
                "- no store or endpoint was given: predicted queries were not run, so "
                "questions without answers from the system count as unanswered"
            ]
            if not report.get("target")
            else []
        ),
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| macro F1 | {_fmt(a['macro_f1'])} |",
        f"| macro precision / recall | {_fmt(a['macro_precision'])} / {_fmt(a['macro_recall'])} |",
        f"| QALD macro F1 (GERBIL conventions) | {_fmt(a['qald_macro_f1'])} |",
        f"| Macro F1 QALD (GERBIL) | {_fmt(a['qald_macro_f1_qald'])} |",
        f"| TEXT2SPARQL set F1 (official averaging, {a['text2sparql_questions']} questions) | "
        f"{_fmt(a['text2sparql_set_f1'])} |",
        f"| corpus BLEU (sacrebleu) | {_fmt(q['corpus_bleu'], 2)} |",
        f"| sentence BLEU, NSpM encoding (mean) | {_fmt(q['sentence_bleu_nspm'], 2)} |",
        f"| exact match (canonical) | {_fmt(q['exact_match'])} |",
        f"| triple-pattern F1 ({q.get('structure_scored', 0)} questions) | "
        f"{_fmt(q.get('triple_f1'))} |",
        f"| triple-pattern precision / recall | {_fmt(q.get('triple_precision'))} / "
        f"{_fmt(q.get('triple_recall'))} |",
        f"| IRI F1 | {_fmt(q.get('iri_f1'))} |",
        f"| IRI precision / recall | {_fmt(q.get('iri_precision'))} / "
        f"{_fmt(q.get('iri_recall'))} |",
        f"| predictions that parse | {_fmt(q['parse_rate'])} |",
        f"| latency s (mean / p50 / p95) | {_fmt(lat['mean'])} / {_fmt(lat['p50'])} / "
        f"{_fmt(lat['p95'])} |",
        "",
    ]
    for title, key in (
        ("question type", "by_question_type"),
        ("feature tag", "by_tag"),
        ("answer type", "by_answer_type"),
        ("template", "by_template"),
    ):
        groups = report.get(key) or {}
        if not groups:
            continue
        lines += [
            f"## By {title}",
            "",
            f"| {title} | questions | macro F1 | QALD F1 | TEXT2SPARQL set F1 | exact match "
            "| triple F1 | IRI F1 | parses |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, g in groups.items():
            lines.append(
                f"| {name} | {g['questions']} | {_fmt(g['macro_f1'])} | "
                f"{_fmt(g['qald_macro_f1'])} | {_fmt(g.get('text2sparql_set_f1'))} | "
                f"{_fmt(g['exact_match'])} | {_fmt(g.get('triple_f1'))} | "
                f"{_fmt(g.get('iri_f1'))} | {_fmt(g['parse_rate'])} |"
            )
        lines.append("")
    empty = report["gold_problems"]["empty"]
    if empty:
        lines += ["## Questions whose gold answer is empty", ""]
        lines += [", ".join(empty[:200]) + (" ..." if len(empty) > 200 else ""), ""]
    unparsed = q.get("gold_unparsed") or []
    if unparsed:
        lines += ["## Gold queries left out of the structural metrics (do not parse)", ""]
        lines += [", ".join(unparsed[:200]) + (" ..." if len(unparsed) > 200 else ""), ""]
    problems = report["gold_problems"]["error"]
    if problems:
        lines += ["## Questions whose gold query failed", ""]
        lines += [f"- {p['id']}: {p['error']}" for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"- ... and {len(problems) - 50} more (see report.json)")
        lines.append("")
    return "\n".join(lines)


def qald_predictions(records: Sequence[dict[str, Any]], dataset_id: str) -> dict[str, Any]:
    """The system's answers as QALD-JSON, the input GERBIL's QA experiments accept."""
    by_source: dict[str, dict[str, Any]] = {}
    for record in records:
        source_id = str(record.get("source_id") or record["id"])
        language = record.get("language") or "en"
        if source_id.endswith(f"-{language}"):
            source_id = source_id[: -len(language) - 1]
        entry = by_source.setdefault(
            source_id,
            {
                "id": source_id,
                "question": [],
                "query": {"sparql": record.get("pred_query") or ""},
                "answers": [_sparql_json(record)],
            },
        )
        entry["question"].append({"language": language, "string": record["question"]})
    return {"dataset": {"id": dataset_id or "sparqlqa-eval"}, "questions": list(by_source.values())}


def _sparql_json(record: dict[str, Any]) -> dict[str, Any]:
    answers = record.get("pred_answers") or []
    if record.get("pred_form") == "ASK" and answers in (["true"], ["false"]):
        return {"head": {}, "boolean": answers == ["true"]}
    bindings = [
        {
            "answer": {
                "type": "uri" if a.startswith(("http://", "https://")) else "literal",
                "value": a,
            }
        }
        for a in answers
    ]
    return {"head": {"vars": ["answer"]}, "results": {"bindings": bindings}}


def plot_f1_by_question_type(report: dict[str, Any], path: Path) -> bool:
    """A bar chart of macro F1 per question type; False when there is nothing to plot."""
    groups = report.get("by_question_type") or {}
    if not groups:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(groups)
    f1 = [groups[n]["macro_f1"] for n in names]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.8 * len(names) + 2), 3.5))
    bars = ax.bar(names, f1, color="#4C72B0")
    for bar, name in zip(bars, names, strict=True):
        ax.annotate(
            f"n={groups[name]['questions']}",
            (bar.get_x() + bar.get_width() / 2, 0.01),
            ha="center",
            va="bottom",
            fontsize=8,
            color="white",
        )
    ax.set_ylim(0, 1)
    ax.set_ylabel("macro F1")
    ax.set_title("F1 per question type")
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_reports(
    records: Sequence[dict[str, Any]], meta: dict[str, Any], out: Path
) -> dict[str, Any]:
    """Write report.json, summary.md, the QALD-JSON predictions and the plot into ``out``."""
    report = summarise(records, meta)
    (out / REPORT).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (out / SUMMARY).write_text(markdown(report) + "\n")
    qald = qald_predictions(records, str(meta.get("dataset_iri") or ""))
    (out / QALD_PREDICTIONS).write_text(json.dumps(qald, indent=1, ensure_ascii=False) + "\n")
    plot_f1_by_question_type(report, out / PLOT)
    return report
