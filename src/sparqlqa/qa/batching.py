"""Batching of concurrent model calls.

Requests arrive on several threads; translating their prompts one at a time wastes the model's
ability to run a batch for about the cost of one. ``BatchingTranslator`` puts each prompt on a
queue; one worker thread takes what has arrived within ``max_wait_ms`` (up to ``max_size``
prompts with the same ``k``), translates them together and hands each caller its own result.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sparqlqa.qa.pipeline import Translator


@dataclass
class _Job:
    prompt: str
    k: int
    future: Future[list[tuple[str, float]]] = field(default_factory=Future)


class BatchingTranslator:
    """A ``Translator`` that batches the prompts of concurrent callers."""

    def __init__(
        self, translator: Translator, max_size: int = 16, max_wait_ms: float = 5.0
    ) -> None:
        self.translator = translator
        self.max_size = max_size
        self.max_wait_s = max_wait_ms / 1000
        self.batch_sizes: list[int] = []  # sizes of the batches run, for metrics and tests
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="translator-batcher", daemon=True)
        self._worker.start()

    def translate(self, prompts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        jobs = [_Job(p, k) for p in prompts]
        for job in jobs:
            self._jobs.put(job)
        return [job.future.result() for job in jobs]

    def close(self) -> None:
        self._jobs.put(None)
        self._worker.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            held: list[_Job] = []
            stop = False
            while len(batch) < self.max_size:
                try:
                    job = self._jobs.get(timeout=self.max_wait_s)
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                (batch if job.k == first.k else held).append(job)
            self._run_batch(batch)
            for job in held:  # other k: next round, in arrival order
                self._run_batch([job])
            if stop:
                return

    def _run_batch(self, batch: list[_Job]) -> None:
        self.batch_sizes.append(len(batch))
        try:
            results = self.translator.translate([j.prompt for j in batch], batch[0].k)
        except BaseException as exc:  # handed to every caller of the batch
            for job in batch:
                job.future.set_exception(exc)
            return
        for job, result in zip(batch, results, strict=True):
            job.future.set_result(result)
