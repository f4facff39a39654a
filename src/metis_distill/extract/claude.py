"""The Claude extractor: each episode's excerpt, then one outline per session (the session
pass, for what the episodes missed), to the Messages API; answers through one forced tool,
validated by pydantic, every quote checked against the excerpt sent and the file, lessons the
answer does not earn dropped (`extract.answers`).

Answers are cached in the ledger by (excerpt sha256, prompt versions, model): a re-run sends
nothing, and a prompt's new version re-sends that prompt's work only. A token budget per run
leaves the rest pending for the next run (episodes are asked first); too many failed calls stop
the run for a human (`ExtractionHalted`, exit code 3).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import anthropic
from pydantic import ValidationError

from metis_distill import interrupt
from metis_distill.config import BudgetSettings, ExtractSettings
from metis_distill.extract import asking, prompts
from metis_distill.extract.answers import Drop, check
from metis_distill.extract.base import ExtractionHalted, ExtractStats
from metis_distill.extract.failures import CallFailure, api_failure, malformed_answer
from metis_distill.extract.outline import build_outlines
from metis_distill.extract.prompts import Prompt
from metis_distill.extract.schema import (
    MAX_QUOTE,
    MAX_TEXT,
    TOOL_NAME,
    LessonDrafts,
    tool_definition,
)
from metis_distill.extract.spans import Span, build_spans, estimate_tokens, span_sha256
from metis_distill.extract.spend import NOTHING, Caps, Purse, Spend, upper_bound
from metis_distill.ledger import ExtractionRow, ExtractionStatus, Ledger, now
from metis_distill.mine.episodes import Episode
from metis_distill.models import LessonCandidate, Run
from metis_distill.provenance import Lines
from metis_distill.redact import shareable

_EXTRACT, _BUDGETS = ExtractSettings(), BudgetSettings()  # the defaults, as the settings say
DEFAULT_MODEL = _EXTRACT.model
MIN_CALLS_TO_HALT = 5  # the failure-rate breaker needs this many answered calls first
EXPECTED_ANSWER = 300  # output tokens of a typical answer, for the dry run's estimate


@dataclass(frozen=True)
class ClaudeConfig:
    model: str = DEFAULT_MODEL
    base_url: str | None = _EXTRACT.base_url
    concurrency: int = _EXTRACT.concurrency
    max_retries: int = _EXTRACT.max_retries
    timeout: float = _EXTRACT.timeout
    max_tokens_per_run: int | None = _BUDGETS.max_tokens_per_run
    max_usd_per_run: float | None = _BUDGETS.max_usd_per_run
    max_usd_per_day: float | None = _BUDGETS.max_usd_per_day
    max_failed_fraction: float = _EXTRACT.max_failed_fraction
    span_tokens: int = _EXTRACT.span_tokens
    max_output_tokens: int = 2048
    prompts_dir: Path | None = None
    batch: bool = _EXTRACT.batch  # the run's one Message Batch instead of synchronous calls
    poll_interval: float = _EXTRACT.batch_poll_interval  # seconds between polls of a batch
    batch_max_wait: float = _EXTRACT.batch_max_wait  # then the batch is left for the next run
    session_pass: bool = True  # one outline per session, after the episodes


@dataclass(frozen=True)
class Job:
    span: Span
    prompt: str
    key: str  # sha256 of the prompt sent
    version: str  # the prompts it was made with, as the cache knows them
    retry: bool = False  # asked again after a malformed answer


@dataclass
class Usage:
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def add(self, usage: anthropic.types.Usage) -> None:
        self.requests += 1
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.cache_read_tokens += usage.cache_read_input_tokens or 0
        self.cache_write_tokens += usage.cache_creation_input_tokens or 0


@dataclass
class Outcome:
    """What one job's call gave: lessons, a malformed answer (`why_malformed` says how), or
    an API error."""

    drafts: LessonDrafts | None = None
    usage: Usage = field(default_factory=Usage)
    error: CallFailure | None = None
    why_malformed: str = ""

    @property
    def malformed(self) -> bool:
        return self.drafts is None and self.error is None


class ClaudeExtractor:
    """Lessons written by Claude over the miner's episodes; never invents provenance."""

    name = "claude"

    def __init__(
        self,
        config: ClaudeConfig,
        ledger: Ledger,
        *,
        api_key: str | None = None,
        run_id: int | None = None,
        client: anthropic.Anthropic | None = None,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.run_id = run_id
        self.stats = ExtractStats()
        self.client = client or make_client(config, api_key)
        system = prompts.load(prompts.SYSTEM, config.prompts_dir)
        self._episode = prompts.load(prompts.EPISODE, config.prompts_dir)
        self._session = prompts.load(prompts.SESSION, config.prompts_dir)
        self.episode_version = f"{system.key}+{self._episode.key}"
        self.session_version = f"{system.key}+{self._session.key}"
        # the extractor's whole configuration, for what spans both passes (a Message Batch)
        self.prompt_version = f"{self.episode_version}+{self._session.key}"
        self.system_text = system.render(**system_values())
        self._answered = 0
        self._failed = 0
        self.first_failure: CallFailure | None = None
        caps = Caps(config.max_tokens_per_run, config.max_usd_per_run, config.max_usd_per_day)
        self.purse = Purse(caps, config.model, ledger, run_id, self._own_spend)

    # the protocol ------------------------------------------------------------
    def extract(self, run: Run, episodes: Sequence[Episode], lines: Lines) -> list[LessonCandidate]:
        texts = lines.values() if isinstance(lines, Mapping) else lines
        self.stats.transcript_tokens += estimate_tokens(sum(len(t) for t in texts))
        spans = build_spans(run, episodes, self.config.span_tokens, lines)
        jobs = self._jobs(spans, self._episode, self.episode_version, episode_values)
        if self.config.session_pass:
            outlines = build_outlines(run, lines)
            self.stats.outlines += len(outlines)
            jobs += self._jobs(outlines, self._session, self.session_version, session_values)
        answers = self._answers(jobs)
        found: list[LessonCandidate] = []
        for job in jobs:
            drafts = answers.get(job.key)
            if drafts is not None:
                found.extend(self._verified(run, job.span, drafts, lines))
        return found

    def _jobs(
        self,
        spans: Sequence[Span],
        template: Prompt,
        version: str,
        values: Callable[[Span], dict[str, object]],
    ) -> list[Job]:
        jobs: dict[str, Job] = {}
        for span in spans:
            prompt = shareable(template.render(**values(span)))
            key = span_sha256(prompt)
            if key not in jobs:
                jobs[key] = Job(span, prompt, key, version)
                self.stats.spans += 1
                self.stats.span_tokens += span.tokens
        return list(jobs.values())

    # cache, budget, calls -----------------------------------------------------
    def _answers(self, jobs: Sequence[Job]) -> dict[str, LessonDrafts]:
        """Answers from the cache, else asked; an excerpt another batch of this process is
        asking is waited for, then read from the cache (asked here if it is not there)."""
        found: dict[str, LessonDrafts] = {}
        todo = self._uncached(jobs, found)
        while todo:
            keyed = {(self.ledger.url, j.key, j.version, self.config.model): j for j in todo}
            with asking.claimed(keyed) as (mine, theirs):
                if mine:
                    self._call_all([j for key, j in keyed.items() if key in mine], found)
            for event in theirs:
                event.wait()
            todo = self._uncached([j for key, j in keyed.items() if key not in mine], found)
        return found

    def _uncached(self, jobs: Sequence[Job], found: dict[str, LessonDrafts]) -> list[Job]:
        """The jobs the cache has no answer for; the answers it has go into `found`."""
        todo: list[Job] = []
        for job in jobs:
            row = self.ledger.extraction(job.key, job.version, self.config.model)
            if row is None:
                todo.append(job)
                continue
            self.stats.cached += 1
            if row.status == ExtractionStatus.OK:
                found[job.key] = LessonDrafts.model_validate(row.answer)
        return todo

    def _call_all(self, todo: list[Job], found: dict[str, LessonDrafts]) -> None:
        """Each job sent once the most it may cost is held under the caps; a job that does not
        fit waits for the calls in flight, and with none left, for the next run. After Ctrl-C
        none is sent, and the answers of those in flight are cached (`interrupt` counts them
        until they are)."""
        queue = deque(todo)
        running: dict[Future[Outcome], tuple[Job, Spend]] = {}
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="claude") as pool:
            try:
                while queue or running:
                    while queue and len(running) < self.config.concurrency:
                        if interrupt.requested():
                            self.stats.pending += len(queue)
                            queue.clear()
                            break
                        held = self.upper_bound(queue[0])
                        if not self.purse.reserve(held):
                            break
                        job = queue.popleft()
                        interrupt.call_sent()
                        running[pool.submit(self._ask, job)] = (job, held)
                    if not running:  # nothing in flight can free the budget: the rest waits
                        self.stats.pending += len(queue)
                        queue.clear()
                        break
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        job, held = running.pop(future)
                        try:
                            self._returned(job, held, future.result(), queue, found)
                        finally:
                            interrupt.call_settled()
                    self._check_failures(queue)
            finally:
                for _ in running:  # left by a halt: not waited for
                    interrupt.call_settled()

    def _returned(
        self,
        job: Job,
        held: Spend,
        outcome: Outcome,
        queue: deque[Job],
        found: dict[str, LessonDrafts],
    ) -> None:
        """A malformed first answer is asked again (next, when the budget holds it)."""
        if outcome.malformed and not job.retry:
            self._spend(outcome.usage, held)
            queue.appendleft(replace(job, retry=True))
            return
        self._settle_key(job.key, job.version, job, outcome, found, held=held)

    def _own_spend(self) -> Spend:
        """What this extractor has spent (the run's spend when it has no run row)."""
        stats = self.stats
        spent = (stats.input_tokens, stats.output_tokens, stats.cache_read_tokens)
        return Spend(sum(spent) + stats.cache_write_tokens, stats.cost_usd)

    def upper_bound(self, job: Job, *, batch: bool = False) -> Spend:
        """The most a job's call may cost, held under the caps while it is in flight."""
        return upper_bound(self.config.model, self.request(job), batch=batch)

    def _ask(self, job: Job) -> Outcome:
        """One call in a worker thread. No ledger here."""
        outcome = Outcome()
        try:
            message = self.client.messages.create(**self.request(job))
        except anthropic.APIError as e:
            outcome.error = api_failure(e, self.config.timeout)
            return outcome
        except ValueError:  # a body that is not the JSON of a message: malformed too
            outcome.why_malformed = "a body that is not a message's JSON"
            return outcome
        outcome.usage.add(message.usage)
        outcome.drafts = parse_answer(message)
        if outcome.drafts is None:
            outcome.why_malformed = why_malformed(message)
        return outcome

    def request(self, job: Job) -> dict[str, Any]:
        """The Messages API request of one job (forced tool use, cached system prompt)."""
        tool = tool_definition()
        return tool_request(
            self.config.model, self.config.max_output_tokens, self.system_text, tool, job.prompt
        )

    def _settle_key(
        self,
        key: str,
        version: str,
        job: Job | None,
        outcome: Outcome,
        found: dict[str, LessonDrafts],
        *,
        batch: bool = False,
        held: Spend = NOTHING,
    ) -> None:
        """A result by its span key and prompt version; `job` is None when the span belongs to
        another file (a resumed batch): the cache row is written either way; only this call's
        spans count as pending or sent. `batch`: it came from a Message Batch (half price);
        `held`: what the budget held for the call, given back."""
        usage = outcome.usage
        self._spend(usage, held, batch=batch)
        self._answered += 1
        if outcome.error is not None:
            self.stats.errors += 1
            self._failed += 1
            self._note_failure(outcome.error)
            if job is not None:
                self.stats.pending += 1
            return
        if job is not None:
            self.stats.sent_tokens += job.span.tokens
        if outcome.drafts is None:
            self.stats.failures += 1
            self._failed += 1
            self._note_failure(malformed_answer(outcome.why_malformed or "no answer"))
            failed = self._row(key, version, ExtractionStatus.FAILED, {}, usage)
            self.ledger.store_extraction(failed)
            return
        if job is not None:
            found[key] = outcome.drafts
        answer = outcome.drafts.model_dump(mode="json")
        self.ledger.store_extraction(self._row(key, version, ExtractionStatus.OK, answer, usage))

    def _spend(self, usage: Usage, held: Spend, *, batch: bool = False) -> None:
        """Count a call's tokens and cost, in place of what was held for it."""
        self._count(usage)
        row = self._row("", "", ExtractionStatus.OK, {}, usage)
        cost = self.purse.cost(row, batch=batch)
        self.stats.cost_usd += cost
        self.purse.settle(row, cost, held)

    def _count(self, usage: Usage) -> None:
        self.stats.requests += usage.requests
        self.stats.input_tokens += usage.input_tokens
        self.stats.output_tokens += usage.output_tokens
        self.stats.cache_read_tokens += usage.cache_read_tokens
        self.stats.cache_write_tokens += usage.cache_write_tokens

    def _row(
        self,
        key: str,
        version: str,
        status: ExtractionStatus,
        answer: dict[str, Any],
        usage: Usage,
    ) -> ExtractionRow:
        """The cache row of one span's answer (`key`: the span's sha256)."""
        return ExtractionRow(
            span_sha256=key,
            prompt_version=version,
            model=self.config.model,
            status=status,
            answer=answer,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            requests=usage.requests,
            created_at=now(),
        )

    def _note_failure(self, failure: CallFailure) -> None:
        """The run's first failure is the one reported: later ones mostly repeat it."""
        if self.first_failure is None:
            self.first_failure = failure
            self.stats.first_failure, self.stats.first_failure_hint = failure.said, failure.hint

    def _check_failures(self, queue: deque[Job]) -> None:
        first = self.first_failure
        if first is not None and first.stops_the_run:
            self._halt(queue, f"the API refused the key ({first.said}): extraction stopped")
        if self._answered < MIN_CALLS_TO_HALT:
            return
        if self._failed / self._answered <= self.config.max_failed_fraction:
            return
        self._halt(
            queue,
            f"{self._failed} of {self._answered} Claude calls failed "
            f"(more than {self.config.max_failed_fraction:.0%}): extraction stopped; "
            f"the first: {first.said if first else 'unknown'}",
        )

    def _halt(self, queue: deque[Job], reason: str) -> None:
        self.stats.pending += len(queue)
        queue.clear()
        first = self.first_failure
        what_to_do = first.hint if first else "check the API key, the base URL and the service"
        raise ExtractionHalted(
            reason,
            hint=f"{what_to_do}, then run again; answers already received are cached",
        )

    # quotes and the bar -------------------------------------------------------
    def _verified(
        self, run: Run, span: Span, drafts: LessonDrafts, lines: Lines
    ) -> list[LessonCandidate]:
        found = []
        for draft in drafts.lessons:
            checked = check(run, span, draft, lines)
            self.stats.quotes_dropped += checked.quotes_dropped
            if checked.drop is Drop.UNEARNED:
                self.stats.lessons_unearned += 1
            elif checked.candidate is None:
                self.stats.lessons_dropped += 1
            else:
                found.append(checked.candidate)
        return found


def parse_answer(message: anthropic.types.Message) -> LessonDrafts | None:
    """The tool's input, validated; None when the answer is malformed."""
    for block in message.content:
        if block.type == "tool_use" and block.name == TOOL_NAME:
            try:
                return LessonDrafts.model_validate(block.input)
            except ValidationError:
                return None
    return None


def why_malformed(message: anthropic.types.Message) -> str:
    """How an answer `parse_answer` refused is malformed, in a few words."""
    for block in message.content:
        if block.type == "tool_use" and block.name == TOOL_NAME:
            try:
                LessonDrafts.model_validate(block.input)
            except ValidationError as e:
                first = e.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                return f"the tool's input broke its schema ({where}: {first['msg']})"
    return f"no {TOOL_NAME} tool call (stop reason: {message.stop_reason})"


def make_client(config: ClaudeConfig, api_key: str | None) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=api_key,
        base_url=config.base_url,
        max_retries=config.max_retries,
        timeout=config.timeout,
    )


def tool_request(
    model: str, max_tokens: int, system: str, tool: dict[str, Any], prompt: str
) -> dict[str, Any]:
    """A Messages API request forcing `tool` (contract 9), the system prompt marked for the
    prompt cache."""
    return {
        "model": model,
        "max_tokens": max_tokens,
        "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
        "tools": [tool],
        "tool_choice": {"type": "tool", "name": tool["name"]},
        "messages": [{"role": "user", "content": prompt}],
    }


def cached_prefix_tokens(prompts_dir: Path | None = None) -> int:
    """Estimated tokens of what `cache_control` caches: the tool definition and the system
    prompt (the API caches tools, then system, up to the marked block)."""
    system = prompts.load(prompts.SYSTEM, prompts_dir).render(**system_values())
    return estimate_tokens(len(json.dumps(tool_definition())) + len(system))


def system_values() -> dict[str, object]:
    return {"tool_name": TOOL_NAME, "max_text_chars": MAX_TEXT, "max_quote_chars": MAX_QUOTE}


def episode_values(span: Span) -> dict[str, object]:
    return {
        "project": span.run.project,
        "source_format": span.run.source_format,
        "hints": list(span.hints),
        "events": [{"n": n, **e.view} for n, e in enumerate(span.events, start=1)],
    }


def session_values(span: Span) -> dict[str, object]:
    """An outline's values: `at` is each event's place among its session's events."""
    session = [e.seq for e in span.run.events if e.session == span.events[0].event.session]
    place = {seq: at for at, seq in enumerate(session, start=1)}
    events = [
        {"n": n, "at": place[e.event.seq], **e.view} for n, e in enumerate(span.events, start=1)
    ]
    return {
        "project": span.run.project,
        "source_format": span.run.source_format,
        "total": len(session),
        "events": events,
    }
