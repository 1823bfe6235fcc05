"""Schemathesis over every endpoint of the service (stateful too), bounded in time.

Run: ``.venv/bin/python bench/fuzz_api.py [--seconds 120] [--graph DIR]``

Starts ``sparqlqa serve`` on loopback (no rate limit) over a graph folder with a model
(``--graph``, else the tiny model of ``bench/service_bench.py``), then runs the schemathesis
CLI against its ``/openapi.json``: every phase (examples, coverage, fuzzing, stateful), every
check except those that hold the service to things it does not promise (see ``EXCLUDED``),
within ``--seconds``. A finding is what schemathesis reports as a failure, above all a 500
(``not_a_server_error``; the deliberate 503 and 504 are allowed). Printed: schemathesis's
summary (operations, test cases generated, failures); its exit status is this script's.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
#: Checks the service does not promise: positive_data_acceptance expects every valid-looking
#: body to be accepted (a valid question about an unknown graph is rightly a 404), and
#: missing_required_header / unsupported_method flag FastAPI's own 405 and 422 wording.
EXCLUDED = ("positive_data_acceptance", "unsupported_method", "missing_required_header")


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--graph", type=Path, help="a graph folder with a model")
    args = parser.parse_args()
    service_bench = _module("service_bench")
    store = service_bench.corporate_store()
    graph = args.graph or service_bench.build_tiny(ROOT / "var" / "bench" / "soak-graph", store)
    port = service_bench.free_port()
    env = {**os.environ, "SPARQLQA_RATE_LIMIT_PER_MINUTE": "0", "SPARQLQA_SPARQL_PER_CLIENT": "8"}
    command = [sys.executable, "-m", "sparqlqa.cli", "serve", "--graph", str(graph)]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _module("fuzz_sparql").wait_up(url, 300)
        schemathesis = Path(sys.executable).with_name("schemathesis")
        done = subprocess.run(
            [
                str(schemathesis),
                "run",
                f"{url}/openapi.json",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-time",
                str(args.seconds),
                "--checks",
                "all",
                "--exclude-checks",
                ",".join(EXCLUDED),
                "--request-timeout",
                "60",
                "--seed",
                "14",
                "--no-color",
            ],
            check=False,
        )
        alive = server.poll() is None
        print(f"server still running after the run: {alive}")
    finally:
        server.terminate()
        server.wait(timeout=60)
    sys.exit(done.returncode or (0 if alive else 1))


if __name__ == "__main__":
    main()
