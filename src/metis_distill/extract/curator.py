"""Claude as the judge of near-duplicates (the curator prompt): when a new lesson is close to
known ones by vector distance but the word-overlap check cannot tell, the model says whether
it repeats one of them. Answers are cached in the ledger like extractions (prompt sha256,
prompt versions, model), count towards the run's token budget, and never invent a merge: an
id that is not among the known lessons, a malformed answer, an API error or a spent budget all
mean "new lesson"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anthropic
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metis_distill import interrupt
from metis_distill.curate.merge import JudgeStats
from metis_distill.extract import prompts
from metis_distill.extract.claude import ClaudeConfig, Usage, make_client, tool_request
from metis_distill.extract.spans import span_sha256
from metis_distill.extract.spend import NOTHING, Caps, Purse, upper_bound
from metis_distill.ledger import ExtractionRow, ExtractionStatus, Ledger, now
from metis_distill.redact import shareable

SYSTEM = "curate_system.md.j2"
PAIR = "curate_pair.md.j2"
TOOL_NAME = "judge_duplicate"
MAX_ANSWER = 300  # output tokens of a verdict at most


class Verdict(BaseModel):
    """The tool's input: which known lesson the new one repeats, if any."""

    model_config = ConfigDict(extra="ignore")

    same_as: str | None = Field(
        default=None, description="Id of the known lesson saying the same thing, else null."
    )
    reason: str = Field(default="", max_length=400, description="Why, in a few words.")


def tool_definition() -> dict[str, Any]:
    schema = Verdict.model_json_schema()
    return {
        "name": TOOL_NAME,
        "description": "Say whether the new lesson repeats one of the known lessons.",
        "input_schema": schema,
    }


class ClaudeCurator:
    """`judge(kind, text, known)`: the id among `known` that `text` repeats, or None."""

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
        self.stats = JudgeStats()
        self.client = client or make_client(config, api_key)
        system = prompts.load(SYSTEM, config.prompts_dir)
        self._pair = prompts.load(PAIR, config.prompts_dir)
        self.prompt_version = f"{system.key}+{self._pair.key}"
        self.system_text = system.render(tool_name=TOOL_NAME)
        self._rows: list[ExtractionRow] = []  # cache rows, written by flush()
        self._spent: list[ExtractionRow] = []  # token use of the run, written by flush()
        # the most the calls since the last flush may cost, held here: curation's transaction
        # holds the ledger until the flush
        self._held = NOTHING
        caps = Caps(config.max_tokens_per_run, config.max_usd_per_run, config.max_usd_per_day)
        self.purse = Purse(caps, config.model, ledger, run_id, lambda: NOTHING)

    def flush(self) -> None:
        """Write the cache rows and the token use held since the last flush."""
        for row in self._rows:
            self.ledger.store_extraction(row)
        if self.run_id is not None:
            for usage in self._spent:
                self.ledger.add_usage(self.run_id, usage, self.purse.cost(usage))
        self._rows, self._spent, self._held = [], [], NOTHING

    def __call__(self, kind: str, text: str, known: Sequence[tuple[str, str]]) -> str | None:
        if not known:
            return None
        self.stats.asked += 1
        prompt = shareable(self._pair.render(**pair_values(kind, text, known)))
        key = span_sha256(prompt)
        verdict = self._cached(key)
        if verdict is None:
            verdict = self._ask(key, prompt)
        same = verdict.same_as if verdict is not None else None
        if same not in {known_id for known_id, _ in known}:
            return None
        self.stats.same += 1
        return same

    def _cached(self, key: str) -> Verdict | None:
        row = next((r for r in self._rows if r.span_sha256 == key), None)
        row = row or self.ledger.extraction(key, self.prompt_version, self.config.model)
        if row is None:
            return None
        self.stats.cached += 1
        return (
            Verdict.model_validate(row.answer) if row.status == ExtractionStatus.OK else Verdict()
        )

    def _held_for(self, prompt: str) -> bool:
        """The most this call may cost held under the run's caps (until the next flush); the
        judge runs alone, after the extraction: a check, no write to the ledger."""
        if self.run_id is None:
            return True
        most = upper_bound(self.config.model, self.request(prompt))
        if not self.purse.fits(self._held + most):
            return False
        self._held += most
        return True

    def _ask(self, key: str, prompt: str) -> Verdict | None:
        """The verdict, or None; not cached when the budget or the API stopped it."""
        usage = Usage()
        verdict: Verdict | None = None
        for attempt in range(2):  # a malformed answer is asked again once
            interrupt.hold_if_stopping()  # Ctrl-C: no new paid call
            if not self._held_for(prompt):
                if attempt == 0:
                    self.stats.skipped += 1
                self._spend(usage)
                return None
            try:
                message = self.client.messages.create(**self.request(prompt))
            except anthropic.APIError:
                self.stats.failed += 1
                self._spend(usage)
                return None  # not cached: asked again next run
            except ValueError:
                continue
            usage.add(message.usage)
            verdict = _parse(message)
            if verdict is not None:
                break
        self._spend(usage)
        if verdict is None:
            self.stats.failed += 1
        status, answer = (
            (ExtractionStatus.OK, verdict.model_dump())
            if verdict
            else (ExtractionStatus.FAILED, {})
        )
        self._rows.append(self._row(key, usage, status, answer))
        return verdict

    def _spend(self, usage: Usage) -> None:
        self.stats.requests += usage.requests
        if self.run_id is not None and usage.requests:
            self._spent.append(self._row("", usage))

    def _row(
        self,
        key: str,
        usage: Usage,
        status: ExtractionStatus = ExtractionStatus.OK,
        answer: dict[str, Any] | None = None,
    ) -> ExtractionRow:
        return ExtractionRow(
            span_sha256=key,
            prompt_version=self.prompt_version,
            model=self.config.model,
            status=status,
            answer=answer or {},
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            requests=usage.requests,
            created_at=now(),
        )

    def request(self, prompt: str) -> dict[str, Any]:
        return tool_request(
            self.config.model, MAX_ANSWER, self.system_text, tool_definition(), prompt
        )


def pair_values(kind: str, text: str, known: Sequence[tuple[str, str]]) -> dict[str, object]:
    return {
        "kind": kind,
        "text": text,
        "candidates": [{"id": known_id, "text": known_text} for known_id, known_text in known],
    }


def _parse(message: anthropic.types.Message) -> Verdict | None:
    for block in message.content:
        if block.type == "tool_use" and block.name == TOOL_NAME:
            try:
                return Verdict.model_validate(block.input)
            except ValidationError:
                return None
    return None
