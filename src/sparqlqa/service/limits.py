"""Abuse limits: request body size and a per-client rate limit in front of every route, and
a per-client limit on concurrent /sparql queries."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from sparqlqa.errors import TooManyQueries

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Routes a monitor polls; never rate-limited.
EXEMPT = ("/health", "/ready", "/metrics", "/static/")


class TokenBuckets:
    """``per_minute`` requests per key and minute, refilled continuously; thread-safe."""

    def __init__(self, per_minute: int, max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if a request may go now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                if len(self._buckets) >= self.max_keys and key not in self._buckets:
                    self._buckets.clear()  # a flood of addresses: start afresh, stay bounded
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


async def _reject(send: Send, status: int, kind: str, message: str, headers: list[Any]) -> None:
    body = json.dumps({"error": kind, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    """Refuses bodies over ``max_body_bytes`` (413) and clients over the rate limit (429)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, per_minute: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.buckets = TokenBuckets(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if self.buckets and not path.startswith(EXEMPT):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.buckets.take(client)
            if wait > 0:
                retry = str(max(1, round(wait)))
                await _reject(
                    send,
                    429,
                    "RateLimited",
                    f"too many requests from {client}: retry in {retry} s",
                    [(b"retry-after", retry.encode())],
                )
                return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and int(declared) > self.max_body_bytes:
            await _reject(send, 413, "BodyTooLarge", self._too_large(), [])
            return
        received = 0
        limit = self.max_body_bytes

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await _reject(send, 413, "BodyTooLarge", self._too_large(), [])

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body_bytes:,} bytes"


class _BodyTooLarge(Exception):
    pass


class ClientQuerySlots:
    """At most ``per_client`` queries running at once per client address; thread-safe.

    Waiting for a free query worker is bounded elsewhere (the workers' queue deadline): this
    keeps one client from holding every worker with runaway queries.
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """One slot of ``client`` for the duration; ``TooManyQueries`` if it has none free."""
        with self._lock:
            running = self._running.get(client, 0)
            if running >= self.per_client:
                raise TooManyQueries(
                    f"{client} already has {running} /sparql queries running; the limit is "
                    f"{self.per_client} at once (sparql_per_client): wait for one to finish",
                    retry_after_s=1.0,
                )
            self._running[client] = running + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running.pop(client) - 1
                if left:
                    self._running[client] = left

    def running(self, client: str) -> int:
        with self._lock:
            return self._running.get(client, 0)
