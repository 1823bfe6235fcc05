"""Cross-check sparqlqa's TEXT2SPARQL scoring against the official TEXT2SPARQL client.

Run: ``.venv/bin/python bench/official_client_check.py [--venv var/t2s-venv] [--out DIR]``

Both score the same predictions of the same system on the same graph:

1. the corporate graph is served as a SPARQL endpoint on loopback (the embedded store);
2. a TEXT2SPARQL-compatible system is served on loopback: it answers with the gold query for
   some questions and with wrong, empty, malformed or unparseable answers for others;
3. the official client (installed in its own virtual environment, ``--venv``) asks the system
   (``ask``), builds the true and predicted result sets on the endpoint (``query``) and scores
   them with pytrec_eval (``evaluate``);
4. ``sparqlqa eval`` asks the same system and runs the queries on the same endpoint.

It prints, per question, the official ``set_F`` beside sparqlqa's emulation of it and
sparqlqa's own F1 (plain and GERBIL/QALD), and exits non-zero if the emulation disagrees with
the official client on any question or on the average. Installing the client (it pins old
fastapi and numpy, so it lives in its own environment)::

    python3 -m venv var/t2s-venv
    var/t2s-venv/bin/pip install --no-deps text2sparql-client pytrec-eval-terrier loguru
    var/t2s-venv/bin/pip install click requests pyyaml SPARQLWrapper pydantic-settings tqdm scipy
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = ROOT / "var" / "t2s-venv"
DEFAULT_QUESTIONS = ROOT / "tests" / "eval" / "fixtures" / "corporate-questions.yml"
PV = "PREFIX pv: <http://ld.company.org/prod-vocab/>\n"

#: How the test system answers each question id of the corporate fixture (others: gold).
#: A string is the query it sends; a dict is sent as the whole JSON body.
SCENARIO: dict[str, str | dict[str, Any]] = {
    "2": PV + "SELECT (COUNT(?e) AS ?n) WHERE { ?e a pv:Employee }",  # a wrong count
    "4": PV + 'ASK { ?e pv:name "Yanka Schreiber" ; pv:memberOf ?d . ?d pv:name "Engineering" }',
    "6": PV + "SELECT ?dept WHERE { ?dept a pv:Department }",  # the gold result is empty
    "7": {"dataset": "x", "question": "?"},  # no query: the official client skips it
    "8": PV + "SELECT ?x WHERE { ?x pv:name }",  # does not parse
}

# The official client's steps, run inside its own virtual environment.
_OFFICIAL = r"""
import sys
from text2sparql_client.commands.ask import ask_command
from text2sparql_client.commands.evaluate import evaluate_command
from text2sparql_client.commands.query import query_command

questions, system_url, sparql_url, out, languages = sys.argv[1:6]


def call(command, args):
    try:
        command.main(args, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise


call(ask_command, [questions, system_url, "--answers-db", f"{out}/responses.db",
                   "--retries-log", f"{out}/retries.log", "--retries", "0", "--no-cache",
                   "-o", f"{out}/responses.json"])
call(query_command, [questions, "-e", sparql_url, "-l", languages, "-o", f"{out}/true.json"])
call(query_command, [questions, "-a", f"{out}/responses.json", "-e", sparql_url,
                     "-l", languages, "-o", f"{out}/pred.json"])
# Without -l: with more than one language, evaluate's per-language averages fail
# (StatisticsError) unless some question is flagged RESULT_ORDER_MATTERS.
call(evaluate_command, ["sparqlqa-check", f"{out}/true.json", f"{out}/pred.json",
                        "-o", f"{out}/official.json"])
"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_json(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port for the duration of the block; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def sparql_endpoint(store: Any) -> type[BaseHTTPRequestHandler]:
    """A SPARQL 1.1 protocol endpoint (GET, form POST, direct POST) over ``store``."""

    class Endpoint(_Handler):
        def answer(self, sparql: str) -> None:
            from sparqlqa.errors import SparqlqaError

            try:
                result = store.query(sparql)
            except SparqlqaError as exc:
                self.send_json(400, {"error": str(exc)})
                return
            self.send_json(200, result, "application/sparql-results+json")

        def do_GET(self) -> None:
            self.answer(parse_qs(urlparse(self.path).query).get("query", [""])[0])

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
                self.answer(body)
            else:
                self.answer(parse_qs(body).get("query", [""])[0])

    return Endpoint


def text2sparql_system(answers: Mapping[str, str | dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    """A TEXT2SPARQL-compatible API answering each question text from ``answers``."""

    class System(_Handler):
        def do_GET(self) -> None:
            params = parse_qs(urlparse(self.path).query)
            question = params.get("question", [""])[0]
            dataset = params.get("dataset", [""])[0]
            answer = answers.get(question)
            if answer is None:
                self.send_json(404, {"detail": "unknown question"})
            elif isinstance(answer, dict):
                self.send_json(200, answer)
            else:
                self.send_json(200, {"dataset": dataset, "question": question, "query": answer})

    return System


def system_answers(questions_file: Path, scenario: Mapping[str, Any]) -> dict[str, Any]:
    """question text (every language) → the test system's answer."""
    data = yaml.safe_load(questions_file.read_text())
    out: dict[str, Any] = {}
    for q in data["questions"]:
        answer = scenario.get(str(q["id"]), q["query"]["sparql"])
        for text in q["question"].values():
            out[text] = answer
    return out


@dataclass
class Comparison:
    rows: list[dict[str, Any]]
    official_average: float
    ours_average: float
    agree: bool
    report: dict[str, Any]
    official_only: list[str]  # qnames the official client scored that have no question text


def compare(
    venv: Path, out: Path, questions: Path = DEFAULT_QUESTIONS, languages: tuple[str, ...] = ("en",)
) -> Comparison:
    """Run both scorers on the same predictions and compare them question by question."""
    from sparqlqa.bundled import CORPORATE_FILES
    from sparqlqa.eval.runner import EvalConfig, read_results, run
    from sparqlqa.kg.embedded import EmbeddedStore, build_store

    python = venv / "bin" / "python"
    if not python.is_file():
        raise SystemExit(f"no official client environment at {venv} (see this script's help)")
    out.mkdir(parents=True, exist_ok=True)
    official_dir = out / "official"
    official_dir.mkdir(exist_ok=True)
    for name in ("responses.json", "true.json", "pred.json", "official.json", "responses.db"):
        (official_dir / name).unlink(missing_ok=True)
    store_path = out / "store"
    build_store(store_path, CORPORATE_FILES, progress=False)
    prefix = yaml.safe_load(questions.read_text())["dataset"]["prefix"]
    with (
        EmbeddedStore(store_path) as store,
        serve(sparql_endpoint(store)) as sparql_url,
        serve(text2sparql_system(system_answers(questions, SCENARIO))) as system_url,
    ):
        language_list = "[" + ", ".join(f"'{lang}'" for lang in languages) + "]"
        done = subprocess.run(
            [
                str(python),
                "-c",
                _OFFICIAL,
                str(questions),
                system_url,
                sparql_url,
                str(official_dir),
                language_list,
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"the official client failed:\n{done.stderr[-3000:]}")
        report = run(
            EvalConfig(
                dataset=questions,
                format="text2sparql",
                system=system_url,
                out=out / "sparqlqa",
                endpoint=sparql_url,
                languages=languages,
                cache=out / "gold-cache.jsonl",
                overwrite=True,
                progress=False,
            )
        )
    official = json.loads((official_dir / "official.json").read_text())
    records = read_results(out / "sparqlqa" / "results.jsonl")
    rows = []
    agree = True
    for qid, record in records.items():
        qname = f"{prefix}:{qid}"
        theirs = official.get(qname, {}).get("set_F")
        ours = record["official_f1"]
        same = (theirs is None and ours is None) or (
            theirs is not None and ours is not None and abs(theirs - ours) < 1e-9
        )
        agree = agree and same
        rows.append(
            {
                "id": qid,
                "official_set_F": theirs,
                "sparqlqa_official_f1": ours,
                "sparqlqa_f1": record["f1"],
                "sparqlqa_qald_f1": record["qald_f1"],
                "gold": record["gold_answers"][:3]
                if record["gold_answers"]
                else record["gold_answers"],
                "predicted": (record["pred_answers"] or [])[:3],
                "agree": same,
            }
        )
    # The official client also scores "<id>-<lang>" for languages a question has no text in
    # (asked nothing, so scored 0); sparqlqa lists those as skipped. Compare on the rest.
    extra = sorted(k for k in official if k != "average" and k.split(":", 1)[-1] not in records)
    official_average = float(official["average"]["set_F"])
    if extra:
        kept = [v["set_F"] for k, v in official.items() if k != "average" and k not in extra]
        official_average = sum(kept) / len(kept) if kept else 0.0
    ours_average = float(report["answer"]["text2sparql_set_f1"])
    agree = agree and abs(official_average - ours_average) < 1e-9
    return Comparison(rows, official_average, ours_average, agree, report, extra)


def _fmt(value: Any) -> str:
    return "left out" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="official client venv")
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: temp)")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--languages", default="en", help="comma-separated, e.g. en,de")
    args = parser.parse_args(argv)
    languages = tuple(x.strip() for x in args.languages.split(",") if x.strip())
    with tempfile.TemporaryDirectory() as tmp:
        result = compare(args.venv, args.out or Path(tmp), args.questions, languages)
    print(
        "| question | official set_F | sparqlqa (official averaging) | sparqlqa F1 | "
        "sparqlqa QALD F1 | agree |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for row in result.rows:
        print(
            f"| {row['id']} | {_fmt(row['official_set_F'])} | "
            f"{_fmt(row['sparqlqa_official_f1'])} | {_fmt(row['sparqlqa_f1'])} | "
            f"{_fmt(row['sparqlqa_qald_f1'])} | {'yes' if row['agree'] else 'NO'} |"
        )
    answer = result.report["answer"]
    print(
        f"\naverage set_F: official {result.official_average:.4f}, "
        f"sparqlqa {result.ours_average:.4f} ({answer['text2sparql_questions']} questions)"
    )
    print(
        f"sparqlqa macro F1 (all {answer['scored']} questions, ASK on the boolean): "
        f"{answer['macro_f1']:.4f}; Macro F1 QALD: {answer['qald_macro_f1_qald']:.4f}"
    )
    if result.official_only:
        print(
            f"the official client also scored {len(result.official_only)} question/language "
            f"pairs without a question text (0 each): {', '.join(result.official_only)}; "
            "its average above is over the common questions"
        )
    print("agree" if result.agree else "DISAGREE")
    return 0 if result.agree else 1


if __name__ == "__main__":
    sys.exit(main())
