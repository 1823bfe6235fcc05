"""Property-based tests of every operation in /openapi.json (schemathesis), against the real
server with a trained model on loopback: whatever a client sends, the service never fails with
an unhandled error (500); other 5xx statuses are deliberate and say why.

Bounded and reproducible: a few derandomized examples per operation (valid and invalid
inputs), so it runs in seconds.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

#: Examples per operation and mode; raise it for a longer hunt (SPARQLQA_FUZZ_EXAMPLES=200).
EXAMPLES = int(os.environ.get("SPARQLQA_FUZZ_EXAMPLES", "12"))
#: Server-side statuses the service sends on purpose, with these error kinds.
DELIBERATE = {"NotReady", "QueryTimeout", "EndpointError"}
OPERATIONS = {
    ("POST", "/ask"),
    ("GET", "/text2sparql"),
    ("GET", "/"),
    ("GET", "/sparql"),
    ("POST", "/sparql"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/metrics"),
}


def bounded(examples: int) -> Any:
    """Hypothesis settings of these tests: ``examples`` derandomized cases, no deadline, no
    example database (reproducible, bounded in time)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def api_schema(model_server: Any) -> Any:
    return schemathesis.openapi.from_url(f"{model_server.url}/openapi.json")


def test_every_operation_is_in_the_schema(api_schema: Any) -> None:
    found = {
        (op.method.upper(), op.path)
        for result in api_schema.get_all_operations()
        if (op := result.ok())
    }
    assert found >= OPERATIONS


# schemathesis.pytest.from_fixture (its lazy loader) fails on pytest 9 (it sets
# ``request.node._nodeid``): each operation's strategy is driven with Hypothesis directly.
@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value
)
@pytest.mark.parametrize(
    ("method", "path"), sorted(OPERATIONS), ids=[f"{m} {p}" for m, p in sorted(OPERATIONS)]
)
def test_no_server_errors(api_schema: Any, method: str, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path][method]
    if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
        pytest.skip("no parameters or body to make invalid")

    @given(case=operation.as_strategy(generation_mode=mode))
    @bounded(EXAMPLES)
    def check(case: Any) -> None:
        response = case.call(timeout=60)
        status = response.status_code
        reproduce = f"{status} for {case.as_curl_command()}: {response.text[:500]}"
        assert status != 500, reproduce
        if status >= 500:
            # Deliberate: not ready (/ready, or a graph without a model), a query timeout or
            # a failing remote endpoint, each said in the error body.
            body = response.json()
            assert path == "/ready" or body.get("error") in DELIBERATE, reproduce

    check()


def _has_inputs(operation: Any) -> bool:
    return bool(list(operation.iter_parameters())) or bool(operation.body)


@pytest.mark.parametrize(
    ("method", "path"), sorted(OPERATIONS), ids=[f"{m} {p}" for m, p in sorted(OPERATIONS)]
)
def test_responses_match_the_documentation(api_schema: Any, method: str, path: str) -> None:
    """What the service answers (valid and invalid inputs alike) is what /openapi.json says:
    every status code documented, each response's content type the documented one, the
    documented headers present."""
    from schemathesis.checks import (
        content_type_conformance,
        response_headers_conformance,
        status_code_conformance,
    )

    operation = api_schema[path][method]
    modes = [GenerationMode.POSITIVE]
    if _has_inputs(operation):
        modes.append(GenerationMode.NEGATIVE)
    for mode in modes:

        @given(case=operation.as_strategy(generation_mode=mode))
        @bounded(max(4, EXAMPLES // 2))
        def check(case: Any) -> None:
            response = case.call(timeout=60)
            case.validate_response(
                response,
                checks=[
                    status_code_conformance,
                    content_type_conformance,
                    response_headers_conformance,
                ],
            )

        check()
