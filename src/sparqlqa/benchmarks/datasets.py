"""Dataset readers: every benchmark as one list of :class:`Question`.

Formats read:

- ``lcquad2``: LC-QuAD 2.0 JSON (``uid``, ``question``, ``paraphrased_question``,
  ``NNQT_question``, ``sparql_wikidata``, ``sparql_dbpedia18``, ``template``, ``template_id``);
  its ``question`` is sometimes ``null`` or the string ``"[]"``: such records are skipped and
  listed (or, on request, fall back to the paraphrase or the NNQT question). No answers.
- ``lcquad1``: LC-QuAD 1.0 JSON (``_id``, ``corrected_question``, ``sparql_query``,
  ``sparql_template_id``). No answers.
- ``qald``: QALD-JSON (multilingual questions, ``query.sparql``, gold ``answers`` as SPARQL
  JSON results). One question per requested language.
- ``text2sparql``: a TEXT2SPARQL questions YAML (``dataset.id``, ``dataset.prefix``, questions
  with ``id``, ``question: {lang: text}``, ``query.sparql``, optionally feature ``tags`` and a
  ``split``), optionally with the official client's true-result-set JSON
  (``{"<prefix>:<id>-<lang>": {value: 1}}``) as gold answers.
- ``jsonl``: the generator's JSONL records (see the project's shared record format).

A malformed file raises :class:`~sparqlqa.errors.DatasetError` naming the file and the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from sparqlqa.benchmarks.records import field_of as _field
from sparqlqa.benchmarks.records import load_json as _load_json
from sparqlqa.benchmarks.records import records_of as _records
from sparqlqa.benchmarks.records import text_of as _text
from sparqlqa.benchmarks.shapes import query_shape
from sparqlqa.errors import DatasetError
from sparqlqa.jsonl import read_jsonl as jsonl_records

Format = Literal["lcquad2", "lcquad1", "qald", "text2sparql", "jsonl"]
FORMATS: tuple[str, ...] = ("lcquad2", "lcquad1", "qald", "text2sparql", "jsonl")

#: Prefixes LC-QuAD 2.0's Wikidata queries use without declaring them (WDQS predefines them).
WIKIDATA_PREFIXES: dict[str, str] = {
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "psv": "http://www.wikidata.org/prop/statement/value/",
    "pqv": "http://www.wikidata.org/prop/qualifier/value/",
    "wikibase": "http://wikiba.se/ontology#",
    "bd": "http://www.bigdata.com/rdf#",
}


@dataclass(frozen=True)
class Question:
    """One question to evaluate, with whatever gold the dataset provides."""

    id: str  # unique within the dataset (QALD and TEXT2SPARQL: "<id>-<language>")
    question: str
    language: str = "en"
    query: str | None = None  # the gold query, when the dataset has one
    # Gold answers from the dataset: values of all projected variables, ["true"]/["false"]
    # for ASK; None when the dataset has none (they come from running the gold query).
    answers: tuple[str, ...] | None = None
    answer_type: str | None = None  # resource, number, date, string, boolean, ...
    template: str | None = None  # template id, when the dataset has templates
    question_type: str | None = None  # shape of the question (ask, count, list, ...)
    dataset: str = ""  # dataset IRI sent to TEXT2SPARQL APIs
    source_id: str = ""  # the id in the source file (without the language suffix)
    tags: tuple[str, ...] = ()  # feature tags (TEXT2SPARQL YAML ``tags``: COUNT, OPTIONAL...)
    split: str | None = None  # the split the dataset puts it in (dev, test...), if any


@dataclass(frozen=True)
class Skipped:
    """A record of the file that was not turned into a question, and why."""

    id: str
    reason: str


@dataclass
class Dataset:
    """The questions of one dataset file."""

    path: Path
    format: str
    questions: list[Question]
    skipped: list[Skipped] = field(default_factory=list)
    iri: str = ""  # the dataset's IRI (TEXT2SPARQL dataset.id, QALD dataset.id)
    prefixes: dict[str, str] = field(default_factory=dict)  # prefixes its queries assume


@dataclass(frozen=True)
class ReadOptions:
    """How to read a dataset file."""

    languages: tuple[str, ...] = ("en",)  # QALD, TEXT2SPARQL: one question per language
    kg: Literal["wikidata", "dbpedia"] = "wikidata"  # LC-QuAD 2.0: which gold query to use
    # LC-QuAD 2.0 questions that are null or "[]": skip them ("skip") or use another field.
    missing_question: Literal["skip", "paraphrase", "nnqt"] = "skip"
    result_set: Path | None = None  # TEXT2SPARQL: the true-result-set JSON
    prefix: str | None = None  # TEXT2SPARQL: override the YAML's dataset.prefix for qnames
    split: str | None = None  # JSONL, TEXT2SPARQL: keep only this split
    dataset_iri: str | None = None  # the dataset IRI sent to remote systems

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError("languages must name at least one language")
        if self.kg not in ("wikidata", "dbpedia"):
            raise ValueError(f"kg must be 'wikidata' or 'dbpedia', not {self.kg!r}")
        if self.missing_question not in ("skip", "paraphrase", "nnqt"):
            raise ValueError(f"unknown missing_question policy {self.missing_question!r}")


def read_dataset(path: Path, format: str, options: ReadOptions | None = None) -> Dataset:
    """Read ``path`` in ``format`` (one of :data:`FORMATS`)."""
    options = options or ReadOptions()
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    readers = {
        "lcquad2": read_lcquad2,
        "lcquad1": read_lcquad1,
        "qald": read_qald,
        "text2sparql": read_text2sparql,
        "jsonl": read_jsonl,
    }
    if format not in readers:
        raise DatasetError(f"{path}: unknown format {format!r}; expected one of {FORMATS}")
    dataset = readers[format](path, options)
    if options.dataset_iri:
        dataset.iri = options.dataset_iri
        dataset.questions = [_with_dataset(q, options.dataset_iri) for q in dataset.questions]
    _check_unique(dataset)
    return dataset


def _with_dataset(q: Question, iri: str) -> Question:
    from dataclasses import replace

    return replace(q, dataset=iri)


def _check_unique(dataset: Dataset) -> None:
    seen: set[str] = set()
    for q in dataset.questions:
        if q.id in seen:
            raise DatasetError(f"{dataset.path}: record {q.id}: the id is used twice")
        seen.add(q.id)


def _usable_question(value: Any) -> str | None:
    """LC-QuAD 2.0 writes missing questions as null, "", or the string "[]"."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if text in ("", "[]", "{}", "n/a") else text


def read_lcquad2(path: Path, options: ReadOptions) -> Dataset:
    """LC-QuAD 2.0 (train.json / test.json)."""
    records = _records(path, _load_json(path), "LC-QuAD 2.0 records")
    query_field = "sparql_wikidata" if options.kg == "wikidata" else "sparql_dbpedia18"
    questions: list[Question] = []
    skipped: list[Skipped] = []
    for i, record in enumerate(records):
        rid = str(record.get("uid", f"#{i}"))
        _field(path, rid, record, "uid")
        query = _text(path, rid, _field(path, rid, record, query_field), query_field)
        # Some sparql_dbpedia18 values carry a stray quote at the start or end.
        query = query.strip('"').strip()
        text = _usable_question(_field(path, rid, record, "question"))
        if text is None:
            fallback = {"paraphrase": "paraphrased_question", "nnqt": "NNQT_question"}
            other = fallback.get(options.missing_question)
            text = _usable_question(record.get(other)) if other else None
            if text is None:
                skipped.append(Skipped(rid, f"question is {record.get('question')!r}"))
                continue
        questions.append(
            Question(
                id=rid,
                question=text,
                query=query,
                template=_lcquad2_template(record),
                question_type=query_shape(query),
                source_id=rid,
            )
        )
    prefixes = WIKIDATA_PREFIXES if options.kg == "wikidata" else {}
    return Dataset(path, "lcquad2", questions, skipped, prefixes=dict(prefixes))


def _lcquad2_template(record: Mapping[str, Any]) -> str | None:
    """The template id; the Hugging Face copy has only ``template`` (its pattern)."""
    for name in ("template_id", "template"):
        value = record.get(name)
        if value is not None and str(value).strip():
            return " ".join(str(value).split())
    return None


def read_lcquad1(path: Path, options: ReadOptions) -> Dataset:
    """LC-QuAD 1.0 (train-data.json / test-data.json)."""
    records = _records(path, _load_json(path), "LC-QuAD 1.0 records")
    questions: list[Question] = []
    skipped: list[Skipped] = []
    for i, record in enumerate(records):
        rid = str(record.get("_id", f"#{i}"))
        _field(path, rid, record, "_id")
        query = _text(path, rid, _field(path, rid, record, "sparql_query"), "sparql_query")
        text = _usable_question(record.get("corrected_question"))
        if text is None:
            skipped.append(Skipped(rid, "no corrected_question"))
            continue
        template_id = record.get("sparql_template_id")
        questions.append(
            Question(
                id=rid,
                question=text,
                query=query,
                template=None if template_id is None else str(template_id),
                question_type=query_shape(query),
                source_id=rid,
            )
        )
    return Dataset(path, "lcquad1", questions, skipped)


def gold_values(path: Path, rid: str, result: Any) -> tuple[str, ...]:
    """The flattened values of a SPARQL-JSON result in a dataset (QALD's ``answers[0]``)."""
    if not isinstance(result, Mapping):
        raise DatasetError(f"{path}: record {rid}: an answer must be a SPARQL JSON object")
    if "boolean" in result:
        if not isinstance(result["boolean"], bool):
            raise DatasetError(f"{path}: record {rid}: 'boolean' must be true or false")
        return ("true" if result["boolean"] else "false",)
    try:
        bindings = result["results"]["bindings"]
        return tuple(str(term["value"]) for row in bindings for term in row.values())
    except (KeyError, TypeError) as exc:
        raise DatasetError(
            f"{path}: record {rid}: an answer needs 'boolean' or 'results.bindings' "
            f"with terms that have a 'value' ({exc!r})"
        ) from exc


def read_qald(path: Path, options: ReadOptions) -> Dataset:
    """QALD-JSON (e.g. qald-9-train-multilingual.json)."""
    data = _load_json(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise DatasetError(f"{path}: expected a QALD-JSON object with a 'questions' list")
    dataset_field = data.get("dataset")
    iri = str(dataset_field.get("id", "")) if isinstance(dataset_field, Mapping) else ""
    records = _records(path, data["questions"], "questions")
    questions: list[Question] = []
    skipped: list[Skipped] = []
    for i, record in enumerate(records):
        rid = str(record.get("id", f"#{i}"))
        _field(path, rid, record, "id")
        texts = _field(path, rid, record, "question")
        if not isinstance(texts, list):
            raise DatasetError(f"{path}: record {rid}: 'question' must be a list")
        by_language: dict[str, str] = {}
        for entry in texts:
            if not isinstance(entry, Mapping) or "language" not in entry:
                raise DatasetError(f"{path}: record {rid}: a question needs a 'language'")
            text = entry.get("string")
            if isinstance(text, str) and text.strip():
                by_language[str(entry["language"])] = text.strip()
        query_field = record.get("query") or {}
        query = query_field.get("sparql") if isinstance(query_field, Mapping) else None
        query = query.strip() if isinstance(query, str) and query.strip() else None
        answers_field = record.get("answers") or []
        if not isinstance(answers_field, list):
            raise DatasetError(f"{path}: record {rid}: 'answers' must be a list")
        answers = gold_values(path, rid, answers_field[0]) if answers_field else None
        if query is None and answers is None:
            skipped.append(Skipped(rid, "neither a query nor answers"))
            continue
        answer_type = record.get("answertype")
        for language in options.languages:
            text = by_language.get(language)
            if text is None:
                skipped.append(Skipped(f"{rid}-{language}", f"no question in {language!r}"))
                continue
            questions.append(
                Question(
                    id=f"{rid}-{language}",
                    question=text,
                    language=language,
                    query=query,
                    answers=answers,
                    answer_type=str(answer_type) if answer_type else None,
                    question_type=query_shape(query) if query else None,
                    dataset=iri,
                    source_id=rid,
                )
            )
    return Dataset(path, "qald", questions, skipped, iri=iri)


def read_text2sparql(path: Path, options: ReadOptions) -> Dataset:
    """A TEXT2SPARQL questions YAML, with the true result set as gold answers if given."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise DatasetError(f"{path}: expected a mapping with 'dataset' and a 'questions' list")
    described = data.get("dataset")
    if not isinstance(described, Mapping) or not described.get("id"):
        raise DatasetError(f"{path}: 'dataset.id' is missing (the dataset IRI)")
    iri = str(described["id"])
    prefix = options.prefix or described.get("prefix")
    records = _records(path, data["questions"], "questions")
    ids = [record.get("id") for record in records]
    if any(x is None for x in ids) and any(x is not None for x in ids):
        raise DatasetError(f"{path}: only some questions have an 'id'; give all or none")
    truth = _load_result_set(options.result_set) if options.result_set else None
    if truth is not None and not prefix:
        raise DatasetError(
            f"{path}: 'dataset.prefix' is missing: it is needed to find questions in the "
            "result set (their keys are '<prefix>:<id>-<language>')"
        )
    questions: list[Question] = []
    skipped: list[Skipped] = []
    for i, record in enumerate(records):
        rid = str(record["id"]) if record.get("id") is not None else str(i + 1)
        texts = _field(path, rid, record, "question")
        if not isinstance(texts, Mapping):
            raise DatasetError(f"{path}: record {rid}: 'question' must map language to text")
        query_field = record.get("query") or {}
        query = query_field.get("sparql") if isinstance(query_field, Mapping) else None
        query = query.strip() if isinstance(query, str) and query.strip() else None
        tags, split = _tags_and_split(path, rid, record)
        if options.split and split != options.split:
            continue
        for language in options.languages:
            text = texts.get(language)
            if not isinstance(text, str) or not text.strip():
                skipped.append(Skipped(f"{rid}-{language}", f"no question in {language!r}"))
                continue
            answers: tuple[str, ...] | None = None
            if truth is not None:
                qname = f"{prefix}:{rid}-{language}"
                answers = _truth_answers(options.result_set, truth, qname, query)
            questions.append(
                Question(
                    id=f"{rid}-{language}",
                    question=text.strip(),
                    language=language,
                    query=query,
                    answers=answers,
                    question_type=query_shape(query) if query else None,
                    dataset=iri,
                    source_id=rid,
                    tags=tags,
                    split=split,
                )
            )
    return Dataset(path, "text2sparql", questions, skipped, iri=iri)


def _tags_and_split(
    path: Path, rid: str, record: Mapping[str, Any]
) -> tuple[tuple[str, ...], str | None]:
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise DatasetError(f"{path}: record {rid}: 'tags' must be a list of strings")
    split = record.get("split")
    if split is not None and (not isinstance(split, str) or not split.strip()):
        raise DatasetError(f"{path}: record {rid}: 'split' must be a non-empty string")
    return tuple(t.strip().upper() for t in tags), split.strip() if split is not None else None


def _load_result_set(path: Path) -> dict[str, Any]:
    data = _load_json(Path(path))
    if not isinstance(data, dict):
        raise DatasetError(f"{path}: expected a JSON object mapping qnames to answers")
    return data


def _truth_answers(
    path: Path | None, truth: Mapping[str, Any], qname: str, query: str | None
) -> tuple[str, ...]:
    if qname not in truth:
        sample = next((k for k in truth if k != "order_required"), None)
        hint = f" (its keys look like {sample!r}; set the prefix to match)" if sample else ""
        raise DatasetError(f"{path}: record {qname}: not in the result set{hint}")
    entry = truth[qname]
    if not isinstance(entry, Mapping):
        raise DatasetError(f"{path}: record {qname}: expected an object of value → relevance")
    # The official client writes an ASK result as {"true": 1} or {"true": 0}.
    is_ask = (query is not None and query_shape(query) == "ask") or (
        set(entry) == {"true"} and entry["true"] in (0, 1) and query is None
    )
    if is_ask:
        return ("true" if entry.get("true") else "false",)
    return tuple(str(value) for value, relevance in entry.items() if relevance)


_JSONL_REQUIRED = ("id", "question")


def read_jsonl(path: Path, options: ReadOptions) -> Dataset:
    """The generator's JSONL (one record per line)."""
    questions: list[Question] = []
    for lineno, record in jsonl_records(path):
        rid = str(record.get("id", f"line {lineno}"))
        where = f"{path}:{lineno}: record {rid}"
        for name in _JSONL_REQUIRED:
            if name not in record:
                raise DatasetError(f"{where}: missing field {name!r}")
        if options.split and record.get("split") != options.split:
            continue
        if not isinstance(record["question"], str) or not record["question"].strip():
            raise DatasetError(f"{where}: 'question' must be a non-empty string")
        query = record.get("query")
        if query is not None and not isinstance(query, str):
            raise DatasetError(f"{where}: 'query' must be a string")
        answers = record.get("answers")
        if answers is not None and (
            not isinstance(answers, list) or not all(isinstance(a, str) for a in answers)
        ):
            raise DatasetError(f"{where}: 'answers' must be a list of strings")
        if query is None and answers is None:
            raise DatasetError(f"{where}: needs a 'query' or 'answers'")
        template = record.get("template_id")
        questions.append(
            Question(
                id=rid,
                question=record["question"].strip(),
                language=str(record.get("language", "en")),
                query=query,
                answers=tuple(answers) if answers is not None else None,
                answer_type=record.get("answer_type"),
                template=None if template is None else str(template),
                question_type=record.get("shape") or (query_shape(query) if query else None),
                source_id=rid,
                split=record.get("split"),
            )
        )
    return Dataset(path, "jsonl", questions)
