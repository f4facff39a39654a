"""The Claude extractor over the Message Batches API (`metis distill --batch`).

A run sends one batch, whatever the number of files: the mine tasks build their excerpts as
usual, and every excerpt not in the cache is queued in the ledger (mode "queue"); one step then
submits the queue as a single batch, polls it and settles its results into the cache
(`process()`); the files with queued excerpts are mined again, answered from the cache (mode
"cache"). Used directly, mode "inline" does all three inside one `extract()` call.

Nothing is paid twice after a crash. An intent row (the batch's requests) is written before
`batches.create`; the batch id replaces it in the same transaction that empties the queue. A run
that stopped between the two finds the intent, lists the API's recent batches and adopts the one
batch that matches (created after the intent, same number of requests, not known); a batch
submitted and not collected is collected by the next run. Waiting is bounded
(`batch_max_wait`): a batch still running then is left for the next run, its excerpts pending.
Results are validated exactly like synchronous answers (same tool, pydantic model, quote rule and
cache rows); errored, expired and canceled requests leave their excerpts pending.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import anthropic

from metis_distill import interrupt
from metis_distill.extract.base import BatchMode
from metis_distill.extract.claude import (
    ClaudeConfig,
    ClaudeExtractor,
    Job,
    Outcome,
    parse_answer,
    why_malformed,
)
from metis_distill.extract.failures import CallFailure, api_failure
from metis_distill.extract.schema import LessonDrafts
from metis_distill.extract.spans import estimate_tokens
from metis_distill.extract.spend import NOTHING, upper_bound
from metis_distill.ledger import (
    BatchStatus,
    ExtractBatchRow,
    ExtractionStatus,
    ExtractQueueRow,
    Ledger,
    now,
)

KEY_CHARS = 48  # of the span sha256 in a custom_id (at most 64 characters in all)
CLOCK_SKEW = timedelta(minutes=10)  # between this machine and the API, when adopting a batch
LISTED = 100  # recent batches looked at when adopting

Hook = Callable[[str], None]


class BatchClaudeExtractor(ClaudeExtractor):
    """`ClaudeExtractor` whose calls go through the run's one Message Batch."""

    def __init__(
        self,
        config: ClaudeConfig,
        ledger: Ledger,
        *,
        api_key: str | None = None,
        run_id: int | None = None,
        client: anthropic.Anthropic | None = None,
        mode: BatchMode = "inline",
        after_create: Hook | None = None,
        after_submit: Hook | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config, ledger, api_key=api_key, run_id=run_id, client=client)
        self.mode = mode
        self.after_create = after_create  # after the API call, before the id is on record
        self.after_submit = after_submit  # after the id is on record, before polling
        self.clock = clock
        self.polls = 0
        self.submitted: list[str] = []  # batch ids this extractor created
        self.waiting: list[str] = []  # batches still running when the wait ran out
        self.batch_error: str | None = None  # why the submit failed, when it did
        # custom_id suffix -> the prompt version its answer is cached under
        self._versions = {
            _prompt_key(v, config.model): v for v in (self.episode_version, self.session_version)
        }

    def custom_id(self, key: str, version: str) -> str:
        return f"{key[:KEY_CHARS]}-{_prompt_key(version, self.config.model)}"

    def version_of(self, custom_id: str) -> str | None:
        return self._versions.get(custom_id.rsplit("-", 1)[-1])

    # extract(): the cache first (the base class), then this ------------------------
    def _call_all(self, todo: list[Job], found: dict[str, LessonDrafts]) -> None:
        if self.mode != "cache":
            self.queue(todo)
        if self.mode != "inline":
            self.stats.pending += len(todo)  # answered by process(), read by the next pass
            return
        self.process()
        for job in todo:
            row = self.ledger.extraction(job.key, job.version, self.config.model)
            if row is None:
                self.stats.pending += 1
            elif row.status == ExtractionStatus.OK:
                found[job.key] = LessonDrafts.model_validate(row.answer)

    def queue(self, jobs: Sequence[Job]) -> None:
        stamp = now()
        self.ledger.queue_requests(
            [
                ExtractQueueRow(
                    custom_id=self.custom_id(job.key, job.version),
                    span_sha256=job.key,
                    prompt_version=self.prompt_version,
                    model=self.config.model,
                    params=self.request(job),
                    tokens=estimate_tokens(job.prompt),
                    created_at=stamp,
                )
                for job in jobs
            ]
        )

    # the run's one batch ----------------------------------------------------------
    def process(self) -> None:
        """Adopt what a crash left, collect open batches, send the queue as one batch and
        collect it: every answer lands in the cache. Waits at most `batch_max_wait` in all."""
        deadline = self.clock() + self.config.batch_max_wait
        self._adopt_intents()
        for row in self.ledger.open_batches(self.prompt_version, self.config.model):
            self._collect(row.id, row.requests, deadline)
        submitted = self._submit()
        if submitted is not None:
            self._collect(*submitted, deadline)

    def _adopt_intents(self) -> None:
        intents = self.ledger.intents(self.prompt_version, self.config.model)
        if not intents:
            return
        known = self.ledger.known_batch_ids()
        listed = list(self.client.messages.batches.list(limit=LISTED).data)
        for intent in intents:
            matches = [b for b in listed if b.id not in known and _matches(b, intent)]
            if len(matches) == 1:
                self.ledger.confirm_batch(intent.id, matches[0].id)
                known.add(matches[0].id)
            else:  # never created, or not told apart: the requests are still queued
                self.ledger.drop_batch(intent.id)

    def _submit(self) -> tuple[str, dict[str, str]] | None:
        taken = self._within_budget(self._unanswered())
        if not taken:
            return None
        mapping = {row.custom_id: row.span_sha256 for row in taken}
        intent = ExtractBatchRow(
            id=f"intent-{uuid.uuid4().hex[:16]}",
            prompt_version=self.prompt_version,
            model=self.config.model,
            status=BatchStatus.SUBMITTING,
            requests=mapping,
            created_at=now(),
        )
        interrupt.hold_if_stopping()  # Ctrl-C: no new paid call
        self.ledger.record_batch(intent)
        try:
            batch = self.client.messages.batches.create(
                requests=[{"custom_id": r.custom_id, "params": r.params} for r in taken]  # type: ignore[typeddict-item]
            )
        except anthropic.APIError as e:
            self.ledger.drop_batch(intent.id)  # the queue stays for the next run
            self.stats.errors += 1
            failure = api_failure(e, self.config.timeout)
            self._note_failure(failure)
            self.batch_error = failure.said
            return None
        if self.after_create is not None:
            self.after_create(batch.id)
        self.ledger.confirm_batch(intent.id, batch.id)
        self.submitted.append(batch.id)
        if self.after_submit is not None:
            self.after_submit(batch.id)
        return batch.id, mapping

    def _unanswered(self) -> list[ExtractQueueRow]:
        """The queue less what is answered by now or still in a running batch (a file read
        again re-queues its excerpts); the answered ones leave the queue."""
        running = {
            cid
            for row in self.ledger.open_batches(self.prompt_version, self.config.model)
            for cid in row.requests
        }
        fresh, done = [], []
        for row in self.ledger.queued(self.prompt_version, self.config.model):
            version = self.version_of(row.custom_id) or ""
            if self.ledger.extraction(row.span_sha256, version, self.config.model):
                done.append(row.custom_id)
            elif row.custom_id not in running:
                fresh.append(row)
        self.ledger.unqueue(done)
        return fresh

    def _within_budget(self, queued: list[ExtractQueueRow]) -> list[ExtractQueueRow]:
        """The queued requests this run may still pay for, each at the most it may cost (as
        synchronous calls are held); the rest stays queued."""
        taken: list[ExtractQueueRow] = []
        reserved = NOTHING
        for row in queued:
            most = upper_bound(self.config.model, row.params, batch=True)
            if not self.purse.fits(reserved + most):
                break
            taken.append(row)
            reserved += most
        return taken

    # poll and collect -----------------------------------------------------------
    def _wait(self, batch_id: str, deadline: float) -> bool:
        """True once the batch ended; False when the deadline comes first."""
        while True:
            self.polls += 1
            batch = self.client.messages.batches.retrieve(batch_id)
            if batch.processing_status == "ended":
                return True
            if self.clock() + self.config.poll_interval > deadline:
                return False
            time.sleep(self.config.poll_interval)

    def _collect(self, batch_id: str, mapping: Mapping[str, str], deadline: float) -> None:
        """Settle each result of an ended batch into the cache; excerpts with no successful
        result get no cache row, so they stay pending and the next run asks again."""
        try:
            ended = self._wait(batch_id, deadline)
        except anthropic.NotFoundError:  # gone (another key, or archived): ask again
            self.ledger.close_batch(batch_id)
            return
        if not ended:
            self.waiting.append(batch_id)
            self.stats.batches_waiting += 1
            return
        settled: set[str] = set()
        for item in self.client.messages.batches.results(batch_id):
            key = mapping.get(item.custom_id)
            version = self.version_of(item.custom_id)
            if key is None or version is None or key in settled:
                continue
            settled.add(key)
            self._settle_key(key, version, None, _outcome(item.result), {}, batch=True)
        self.ledger.close_batch(batch_id)
        self._check_failures(deque())


def _prompt_key(version: str, model: str) -> str:
    return hashlib.sha256(f"{version}\0{model}".encode()).hexdigest()[:15]


def _outcome(result: Any) -> Outcome:
    outcome = Outcome()
    if result.type == "succeeded":
        outcome.usage.add(result.message.usage)
        outcome.drafts = parse_answer(result.message)
        if outcome.drafts is None:
            outcome.why_malformed = why_malformed(result.message)
    else:
        outcome.error = CallFailure(f"a batch request {result.type}", "check the service status")
    return outcome


def _matches(batch: Any, intent: ExtractBatchRow) -> bool:
    counts = batch.request_counts
    total = counts.processing + counts.succeeded + counts.errored + counts.canceled
    created: datetime = batch.created_at
    return total + counts.expired == len(intent.requests) and (
        created >= intent.created_at - CLOCK_SKEW
    )
