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
import subprocess
import sys
from pathlib import Path

import fuzz_sparql  # bench/, beside this script
import service_bench

ROOT = Path(__file__).resolve().parents[1]
#: Checks the service does not promise: positive_data_acceptance expects every valid-looking
#: body to be accepted (a valid question about an unknown graph is rightly a 404), and
#: missing_required_header / unsupported_method flag FastAPI's own 405 and 422 wording.
EXCLUDED = ("positive_data_acceptance", "unsupported_method", "missing_required_header")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--graph", type=Path, help="a graph folder with a model")
    args = parser.parse_args()
    store = service_bench.corporate_store()
    graph = args.graph or service_bench.build_tiny(ROOT / "var" / "bench" / "soak-graph", store)
    port = service_bench.free_port()
    server = service_bench.serve(graph, port, {"SPARQLQA_SPARQL_PER_CLIENT": "8"})
    url = f"http://127.0.0.1:{port}"
    try:
        fuzz_sparql.wait_up(url, 300)
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
