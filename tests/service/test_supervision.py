"""Recovery from crashes: ``sparqlqa serve --workers 2`` under uvicorn's supervisor (real
processes), and the container's restart policy and healthcheck."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import yaml

from sparqlqa.kg.virtuoso import free_port

ROOT = Path(__file__).resolve().parents[2]


def _uvicorn_workers(server: psutil.Process) -> list[psutil.Process]:
    """The supervisor's live children that serve HTTP (not multiprocessing's resource
    tracker, not a killed worker the supervisor has yet to reap)."""
    workers = []
    for child in server.children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                child.cmdline()
            ):
                workers.append(child)
        except psutil.Error:  # ended meanwhile
            continue
    return workers


def test_a_dead_service_worker_is_replaced_while_the_other_serves(
    store_only_graph: Path,
) -> None:
    port = free_port()
    env = {**os.environ, "SPARQLQA_RATE_LIMIT_PER_MINUTE": "0", "SPARQLQA_SERVE_WORKERS": "2"}
    command = [sys.executable, "-m", "sparqlqa.cli", "serve", "--graph", str(store_only_graph)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        supervisor = psutil.Process(process.pid)
        deadline = time.monotonic() + 120
        while len(_uvicorn_workers(supervisor)) < 2 or not _up(url):
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.2)
        before = {p.pid for p in _uvicorn_workers(supervisor)}
        victim = sorted(before)[0]
        os.kill(victim, signal.SIGKILL)
        # The other worker answers at once; the supervisor starts a replacement.
        answered = sum(_up(url) for _ in range(10))
        assert answered == 10
        while True:
            now = {p.pid for p in _uvicorn_workers(supervisor)}
            if len(now) == 2 and victim not in now:
                break
            assert time.monotonic() < deadline + 60, f"no replacement for {victim}: {now}"
            time.sleep(0.2)
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=60)


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("service", ["sparqlqa", "sparqlqa-gpu", "virtuoso"])
def test_every_container_restarts_and_has_a_healthcheck(service: str) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    spec = compose["services"][service]
    assert spec["restart"] in ("always", "unless-stopped")
    assert spec["healthcheck"]["test"]
    if service.startswith("sparqlqa"):
        assert "/health" in " ".join(spec["healthcheck"]["test"])
        assert int(spec["environment"]["SPARQLQA_SERVE_WORKERS"]) >= 2
