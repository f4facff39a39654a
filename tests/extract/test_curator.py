"""The curator prompt: Claude judges near-duplicates the word-overlap rule cannot settle, through
the real `anthropic` SDK against the fake server; real chromadb and the real embedder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from metis_distill.curate.merge import curate
from metis_distill.extract import prompts
from metis_distill.extract.claude import ClaudeConfig
from metis_distill.extract.curator import PAIR, SYSTEM, TOOL_NAME, ClaudeCurator, pair_values
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from metis_distill.models import Evidence, LessonCandidate, LessonKind, SourceRef
from tests.fakes.anthropic_server import FakeAnthropic, Reply, malformed, message

UV = "Run the tests with `uv run pytest`; bare `pytest` is not on the PATH here."
PARAPHRASE = "Invoke pytest through uv, since the plain pytest executable is missing from PATH."
UNRELATED = "Use `npm ci` instead of `npm install` in CI to keep the lockfile intact."
SECRET = "sk-ant-api03-" + "Q" * 40


def verdict(same_as: str | None, reason: str = "same advice") -> Reply:
    reply = message({"same_as": same_as, "reason": reason})
    reply["content"][0]["name"] = TOOL_NAME
    return Reply(200, reply)


def candidate(text: str, session: str, line: int = 1) -> LessonCandidate:
    ref = SourceRef(path=f"p/{session}.jsonl", line_start=line, line_end=line, native_id=None)
    stamp = datetime(2026, 11, 1, tzinfo=UTC)
    return LessonCandidate(
        kind=LessonKind.FAILURE,
        text=text,
        evidence=Evidence(ref, "pytest: command not found", session, stamp),
        severity=2,
        scope=(),
        cwd="/home/dev/src/demo",
    )


def curator(fake: FakeAnthropic, ledger: Ledger, **config: Any) -> ClaudeCurator:
    options = {"base_url": fake.url, "max_retries": 0}
    return ClaudeCurator(ClaudeConfig(**{**options, **config}), ledger, api_key="test-key")


@pytest.fixture
def index(tmp_path: Path, embedder: Any) -> LessonIndex:
    return LessonIndex(tmp_path / "index", embedder)


def run(ledger: Ledger, index: LessonIndex, judge: ClaudeCurator | None, *texts: str) -> Any:
    found = [candidate(text, f"s{abs(hash(text)) % 10**8}") for text in texts]
    return curate(found, ledger, index, archive_root="/archive", judge=judge)


def test_a_paraphrase_the_judge_calls_the_same_merges_its_evidence(
    fake: FakeAnthropic, ledger: Ledger, index: LessonIndex
) -> None:
    judge = curator(fake, ledger)
    run(ledger, index, judge, UV)
    known = ledger.lessons()[0]
    fake.play(verdict(known.id))
    stats = run(ledger, index, judge, PARAPHRASE)
    assert stats.new == 0 and stats.merged == 1
    assert len(ledger.lessons()) == 1
    assert len(ledger.evidence_of([known.id])[known.id]) == 2
    body = json.loads(fake.raw[0])
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert (
        known.id in body["messages"][0]["content"] and PARAPHRASE in body["messages"][0]["content"]
    )
    assert judge.stats.asked == 1 and judge.stats.same == 1 and judge.stats.requests == 1


def test_without_a_judge_or_when_it_says_new_the_paraphrase_is_a_lesson_of_its_own(
    fake: FakeAnthropic, ledger: Ledger, index: LessonIndex
) -> None:
    run(ledger, index, None, UV, PARAPHRASE)
    assert len(ledger.lessons()) == 2  # the rule alone does not merge them
    fake.play(verdict(None, "different"))
    third = "Tests need the uv wrapper: a direct pytest call fails because the binary is absent."
    judge = curator(fake, ledger)
    stats = run(ledger, index, judge, third)
    assert judge.stats.asked == 1 and len(fake.raw) == 1
    assert stats.new == 1 and len(ledger.lessons()) == 3


def test_far_lessons_are_never_put_to_the_judge(
    fake: FakeAnthropic, ledger: Ledger, index: LessonIndex
) -> None:
    judge = curator(fake, ledger)
    run(ledger, index, judge, UV, UNRELATED)
    assert fake.raw == [] and judge.stats.asked == 0
    assert len(ledger.lessons()) == 2


def test_an_id_that_is_not_among_the_known_lessons_merges_nothing(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.play(verdict("0123456789"))
    judge = curator(fake, ledger)
    assert judge("failure", PARAPHRASE, [("aaaaaaaaaa", UV)]) is None
    assert judge.stats.same == 0


def test_answers_are_cached_and_a_new_prompt_version_asks_again(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    fake.play(verdict("aaaaaaaaaa"), verdict("aaaaaaaaaa"))
    known = [("aaaaaaaaaa", UV)]
    first = curator(fake, ledger)
    assert first("failure", PARAPHRASE, known) == "aaaaaaaaaa"
    first.flush()
    again = curator(fake, ledger)
    assert again("failure", PARAPHRASE, known) == "aaaaaaaaaa"
    assert len(fake.raw) == 1 and again.stats.cached == 1 and again.stats.requests == 0
    folder = tmp_path / "prompts"
    folder.mkdir()
    source = prompts.default_prompts_dir()
    for name in (SYSTEM, PAIR):
        (folder / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    pair = (folder / PAIR).read_text(encoding="utf-8")
    (folder / PAIR).write_text(pair.replace("version: 1", "version: 2", 1), encoding="utf-8")
    bumped = curator(fake, ledger, prompts_dir=folder)
    assert bumped("failure", PARAPHRASE, known) == "aaaaaaaaaa"
    assert len(fake.raw) == 2  # only the changed prompt's work is asked again


def test_a_malformed_answer_is_asked_once_more_then_recorded_as_new(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.play(malformed(), malformed())
    judge = curator(fake, ledger)
    assert judge("failure", PARAPHRASE, [("aaaaaaaaaa", UV)]) is None
    assert len(fake.raw) == 2 and judge.stats.failed == 1
    judge.flush()
    assert curator(fake, ledger)("failure", PARAPHRASE, [("aaaaaaaaaa", UV)]) is None
    assert len(fake.raw) == 2  # the failure is remembered, not paid again


def test_the_budget_stops_the_judge(fake: FakeAnthropic, ledger: Ledger) -> None:
    run_id = ledger.start_extract_run("claude", "claude-sonnet-4-6", 10)
    config = ClaudeConfig(base_url=fake.url, max_retries=0, max_tokens_per_run=10)
    judge = ClaudeCurator(config, ledger, api_key="test-key", run_id=run_id)
    assert judge("failure", PARAPHRASE, [("aaaaaaaaaa", UV)]) is None
    assert fake.raw == [] and judge.stats.skipped == 1


def test_no_secret_reaches_the_judge(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.play(verdict(None))
    judge = curator(fake, ledger)
    judge("failure", f"Export ANTHROPIC_API_KEY={SECRET} before the tests.", [("a" * 10, UV)])
    assert fake.raw and not any(SECRET.encode() in raw for raw in fake.raw)


def test_the_templates_get_exactly_the_values_they_use() -> None:
    pair = prompts.load(PAIR)
    assert pair.variables() == set(pair_values("failure", "x", [("a", "b")]))
    assert prompts.load(SYSTEM).variables() == {"tool_name"}
