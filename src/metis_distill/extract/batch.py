"""The Claude extractor over the Message Batches API (`metis distill --batch`).

Instead of one synchronous call per span, every uncached span of an `extract()` call goes into
one batch (custom_id: the span's sha256 and the prompt key). The batch id is recorded in the
ledger before polling, so a run that stops between submit and collect resumes that batch on
the next run instead of paying for it twice. Results are validated exactly like synchronous
answers (same tool, same pydantic model, same quote rule, same cache rows); errored, expired
and canceled requests leave their spans pending for the next run.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence

import anthropic

from metis_distill.extract.claude import (
    ClaudeConfig,
    ClaudeExtractor,
    Job,
    Outcome,
    parse_answer,
)
from metis_distill.extract.schema import LessonDrafts
from metis_distill.ledger import ExtractBatchRow, Ledger, now

KEY_CHARS = 48  # of the span sha256 in a custom_id (at most 64 characters in all)


class BatchClaudeExtractor(ClaudeExtractor):
    """`ClaudeExtractor` whose calls go through one Message Batch per extract()."""

    def __init__(
        self,
        config: ClaudeConfig,
        ledger: Ledger,
        *,
        api_key: str | None = None,
        run_id: int | None = None,
        client: anthropic.Anthropic | None = None,
        after_submit: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(config, ledger, api_key=api_key, run_id=run_id, client=client)
        self.after_submit = after_submit  # a hook after the batch id is recorded (tests)
        self.polls = 0
        self._prompt_key = hashlib.sha256(
            f"{self.prompt_version}\0{config.model}".encode()
        ).hexdigest()[:15]

    def custom_id(self, job: Job) -> str:
        return f"{job.key[:KEY_CHARS]}-{self._prompt_key}"

    # resume, then the cache, then one batch for the rest ----------------------
    def _answers(self, jobs: Sequence[Job]) -> dict[str, LessonDrafts]:
        self._resume({job.key: job for job in jobs})
        return super()._answers(jobs)

    def _resume(self, jobs: Mapping[str, Job]) -> None:
        """Collect every batch an earlier run submitted and did not collect: its answers land
        in the cache, where `_answers` finds them."""
        for row in self.ledger.open_batches(self.prompt_version, self.config.model):
            try:
                self._collect(row.id, row.requests, jobs, {})
            except anthropic.NotFoundError:  # gone (another key, or archived): ask again
                self.ledger.close_batch(row.id)

    def _call_all(self, todo: list[Job], found: dict[str, LessonDrafts]) -> None:
        taken: list[Job] = []
        used = self._tokens_used()
        for job in todo:
            if self._over_budget(used + self._reserved(taken)):
                break
            taken.append(job)
        self.stats.pending += len(todo) - len(taken)
        if not taken:
            return
        requests = {self.custom_id(job): job for job in taken}
        batch = self.client.messages.batches.create(
            requests=[
                {"custom_id": cid, "params": self.request(job)}  # type: ignore[typeddict-item]
                for cid, job in requests.items()
            ]
        )
        mapping = {cid: job.key for cid, job in requests.items()}
        self.ledger.record_batch(
            ExtractBatchRow(
                id=batch.id,
                prompt_version=self.prompt_version,
                model=self.config.model,
                status="submitted",
                requests=mapping,
                created_at=now(),
            )
        )
        if self.after_submit is not None:
            self.after_submit(batch.id)
        self._collect(batch.id, mapping, {job.key: job for job in taken}, found)

    # poll and collect -----------------------------------------------------------
    def _wait(self, batch_id: str) -> None:
        while True:
            self.polls += 1
            batch = self.client.messages.batches.retrieve(batch_id)
            if batch.processing_status == "ended":
                return
            time.sleep(self.config.poll_interval)

    def _collect(
        self,
        batch_id: str,
        mapping: Mapping[str, str],
        jobs: Mapping[str, Job],
        found: dict[str, LessonDrafts],
    ) -> None:
        """Poll until the batch ended, then settle each result like a synchronous answer;
        spans with no successful result stay pending (not cached: the next run asks again)."""
        self._wait(batch_id)
        settled: set[str] = set()
        for item in self.client.messages.batches.results(batch_id):
            key = mapping.get(item.custom_id)
            if key is None or key in settled:
                continue
            settled.add(key)
            result = item.result
            outcome = Outcome()
            if result.type == "succeeded":
                outcome.usage.add(result.message.usage)
                outcome.drafts = parse_answer(result.message)
            else:
                outcome.error = f"batch request {result.type}"
            self._settle_key(key, jobs.get(key), outcome, found)
        for key in set(mapping.values()) - settled:
            if key in jobs:
                self.stats.pending += 1
        self.ledger.close_batch(batch_id)
        self._check_failures(deque())
