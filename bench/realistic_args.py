"""The command-line arguments the realistic-set benches share (a graph folder, the questions,
the split, the language, where to write the per-question rows)."""

from __future__ import annotations

import argparse
from pathlib import Path


def realistic_parser(doc: str, questions: Path) -> argparse.ArgumentParser:
    """A parser with ``--graph``, ``--questions`` (default ``questions``), ``--split``,
    ``--language`` and ``--out``; its description is the first line of ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--graph", type=Path, required=True, help="a graph folder")
    parser.add_argument("--questions", type=Path, default=questions)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--language", default="en")
    parser.add_argument("--out", type=Path, default=None, help="write the per-question rows")
    return parser
