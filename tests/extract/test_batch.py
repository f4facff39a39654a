"""`metis distill --batch`: the Claude extractor through the Message Batches API of the real
`anthropic` SDK against the fake server on 127.0.0.1: provenance, polling, resume after a
crash between submit and collect, the cache, failures, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill import pipeline
from metis_distill.cli import app
from metis_distill.config import load_settings
from metis_distill.extract.batch import BatchClaudeExtractor
from metis_distill.extract.claude import ClaudeConfig
from metis_distill.extract.spans import span_sha256
from metis_distill.ledger import ExtractBatchRow, Ledger, now
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE
from tests.extract.demo import SPANS, UV_LESSON, extract, request_bounds, resolves
from tests.fakes.anthropic_server import (
    FakeAnthropic,
    Reply,
    answer,
    lesson,
    malformed,
    quoting_answer,
)
from tests.test_cli_e2e import check_proposal


class Crash(Exception):
    pass


def uv_answer(body: dict[str, Any]) -> Reply:
    """The uv lesson for the prompts that show the failure, the default answer for others."""
    if "pytest: command not found" in body["messages"][0]["content"]:
        return answer(lesson(UV_LESSON, "pytest: command not found", severity=3))
    return quoting_answer(body)


def extractor(fake: FakeAnthropic, ledger: Ledger, **config: Any) -> BatchClaudeExtractor:
    own = {
        k: config.pop(k)
        for k in ("after_submit", "after_create", "run_id", "mode", "clock")
        if k in config
    }
    options = {"base_url": fake.url, "max_retries": 0, "batch": True, "poll_interval": 0.01}
    return BatchClaudeExtractor(
        ClaudeConfig(**{**options, **config}), ledger, api_key="test-key", **own
    )


def test_lessons_land_through_one_batch_with_resolving_provenance(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.responder = uv_answer
    ex = extractor(fake, ledger)
    found = extract(ex)
    assert len(fake.batch_creates) == 1 and fake.requests == []  # no synchronous call
    requests = fake.batch_creates[0]["requests"]
    assert len(requests) == SPANS == len({r["custom_id"] for r in requests})
    assert all(len(r["custom_id"]) <= 64 for r in requests)
    params = requests[0]["params"]
    assert params["tool_choice"] == {"type": "tool", "name": "record_lessons"}
    assert any(c.text == UV_LESSON for c in found)
    assert found and all(resolves(c) for c in found)
    assert ex.stats.requests == SPANS and ex.stats.pending == 0
    assert ledger.open_batches(ex.prompt_version, ex.config.model) == []  # collected
    (outline,) = [r for r in requests if "session outline" in r["params"]["messages"][0]["content"]]
    key = span_sha256(outline["params"]["messages"][0]["content"])
    assert ledger.extraction(key, ex.session_version, ex.config.model) is not None
    assert not any(b"sk-ant-api03" in raw for raw in fake.raw)  # the planted secret
    assert "sk-ant-api03-" in DEMO_FILE.read_text(encoding="utf-8")


def test_the_poll_sees_in_progress_then_ended(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.polls_to_end = 2
    ex = extractor(fake, ledger)
    extract(ex)
    statuses = [status for _, status in fake.polls]
    assert statuses[:3] == ["in_progress", "in_progress", "ended"]
    assert ex.polls == 3 and fake.result_fetches == [fake.polls[0][0]]


def test_a_crash_after_submit_resumes_the_same_batch(fake: FakeAnthropic, ledger: Ledger) -> None:
    recorded: list[list[ExtractBatchRow]] = []

    def crash(batch_id: str) -> None:
        recorded.append(ledger.open_batches(first.prompt_version, first.config.model))
        raise Crash(batch_id)

    first = extractor(fake, ledger, after_submit=crash)
    with pytest.raises(Crash):
        extract(first)
    assert [row.id for row in recorded[0]] == ["msgbatch_fake0001"]
    assert fake.polls == []  # recorded before any poll
    second = extractor(fake, ledger)
    found = extract(second)
    assert len(fake.batch_creates) == 1  # resumed, not submitted again
    assert {batch_id for batch_id, _ in fake.polls} == {"msgbatch_fake0001"}
    assert found and all(resolves(c) for c in found)
    # the answers were paid for once, and are counted by the run that collected them
    assert second.stats.requests == SPANS and second.stats.pending == 0
    assert ledger.open_batches(second.prompt_version, second.config.model) == []
    third = extractor(fake, ledger)
    assert len(extract(third)) == len(found)
    assert len(fake.batch_creates) == 1
    assert third.stats.requests == 0 and third.stats.cached == SPANS
    assert len(fake.raw) == 1  # the one create: nothing else was ever posted


def test_a_rerun_after_completion_sends_nothing(fake: FakeAnthropic, ledger: Ledger) -> None:
    first = extract(extractor(fake, ledger))
    creates, polls, raw = len(fake.batch_creates), len(fake.polls), len(fake.raw)
    again = extractor(fake, ledger)
    assert extract(again) == first
    assert (len(fake.batch_creates), len(fake.polls), len(fake.raw)) == (creates, polls, raw)
    assert again.stats.requests == 0 and again.stats.cached == SPANS


def test_failed_results_stay_pending_and_malformed_answers_are_cached_as_failures(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.batch_result_types = {1: "errored", 2: "expired"}
    fake.play(malformed())
    ex = extractor(fake, ledger, max_failed_fraction=0.9)
    extract(ex)
    assert ex.stats.failures == 1 and ex.stats.errors == 2 and ex.stats.pending == 2
    again = extractor(fake, ledger)
    extract(again)
    assert len(fake.batch_creates) == 2  # only the two pending spans are asked again
    assert len(fake.batch_creates[1]["requests"]) == 2
    assert again.stats.cached == SPANS - 2 and again.stats.pending == 0


def test_the_budget_leaves_the_rest_pending(fake: FakeAnthropic, ledger: Ledger) -> None:
    bounds = [b.tokens for b in request_bounds("claude-sonnet-4-6", batch=True)]
    cap = max(bounds)  # one request at its most, not two
    assert 2 * min(bounds) > cap
    run_id = ledger.start_extract_run("claude", "claude-sonnet-4-6", cap)
    ex = extractor(fake, ledger, max_tokens_per_run=cap, run_id=run_id)
    extract(ex)
    assert len(fake.batch_creates[0]["requests"]) == 1 and ex.stats.pending == SPANS - 1
    row = ledger.extract_run(run_id)
    assert row is not None and row.requests == 1 and row.tokens == 150


def test_settings_pick_the_batch_extractor(
    fake: FakeAnthropic, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    settings = load_settings(extractor="claude", batch=True, anthropic_base_url=fake.url)
    assert isinstance(pipeline.make_extractor(settings, ledger), BatchClaudeExtractor)
    plain = pipeline.make_extractor(load_settings(extractor="claude"), ledger)
    assert not isinstance(plain, BatchClaudeExtractor)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_distill_batch_end_to_end(
    fake: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("METIS_ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("METIS_ANTHROPIC_MAX_RETRIES", "0")
    monkeypatch.setenv("METIS_BATCH_POLL_INTERVAL", "0.01")
    monkeypatch.setenv("METIS_BATCH_FILES", "1")  # two mine tasks, still one batch
    for n in (1, 2):
        folder = tmp_path / "runs" / f"-home-dev-src-demo{n}"
        folder.mkdir(parents=True)
        text = DEMO_FILE.read_text(encoding="utf-8").replace("demo", f"demo{n}")
        (folder / DEMO_FILE.name).write_text(text, encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    target = repo / "CLAUDE.md"
    target.write_text("# Demo\n", encoding="utf-8")
    args = ["distill", "--archive", str(tmp_path / "runs"), "--target", str(target)]
    options = ["--all-projects", "--extractor", "claude", "--batch", "--json"]
    result = CliRunner().invoke(app, [*args, *options])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["extract_requests"] == 2 * SPANS and report["extract_cached"] == 0
    assert report["extract_pending"] == 0
    assert len(fake.batch_creates) == 1 and fake.requests == []
    assert len(fake.batch_requests) == 2 * SPANS
    lines = check_proposal(target, load_settings().data_dir)
    assert any("Mind “" in line for line in lines)
    assert not any(b"sk-ant-api03" in raw for raw in fake.raw)
    again = CliRunner().invoke(app, [*args, "--all-projects", "--batch"])
    assert again.exit_code == 0, again.output
    assert len(fake.batch_creates) == 1 and len(fake.raw) == 1  # nothing new: nothing sent


def test_a_recorded_batch_the_api_no_longer_knows_is_dropped(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    ex = extractor(fake, ledger)
    row = ExtractBatchRow(
        id="msgbatch_gone",
        prompt_version=ex.prompt_version,
        model=ex.config.model,
        status="submitted",
        requests={},
        created_at=now(),
    )
    ledger.record_batch(row)
    assert extract(ex) and len(fake.batch_creates) == 1
    assert ledger.open_batches(ex.prompt_version, ex.config.model) == []


def test_a_crash_between_create_and_record_adopts_the_batch(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    """The batch exists at the API but its id never reached the ledger: the intent written
    before the call finds it again in the API's list, so nothing is submitted twice."""

    def crash(batch_id: str) -> None:
        raise Crash(batch_id)

    first = extractor(fake, ledger, after_create=crash)
    with pytest.raises(Crash):
        extract(first)
    intents = ledger.intents(first.prompt_version, first.config.model)
    assert len(intents) == 1 and len(intents[0].requests) == SPANS
    assert ledger.open_batches(first.prompt_version, first.config.model) == []
    second = extractor(fake, ledger)
    found = extract(second)
    assert fake.batch_lists == 1 and len(fake.batch_creates) == 1  # adopted, not resent
    assert found and all(resolves(c) for c in found)
    assert second.stats.pending == 0
    assert ledger.intents(second.prompt_version, second.config.model) == []
    assert ledger.queued(second.prompt_version, second.config.model) == []


def test_an_intent_that_never_reached_the_api_is_dropped_and_the_work_sent(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    ex = extractor(fake, ledger)
    ledger.record_batch(
        ExtractBatchRow(
            id="intent-crashed-before-create",
            prompt_version=ex.prompt_version,
            model=ex.config.model,
            status="submitting",
            requests={"a": "b", "c": "d"},
            created_at=now(),
        )
    )
    found = extract(ex)
    assert fake.batch_lists == 1 and len(fake.batch_creates) == 1
    assert found and ex.stats.pending == 0
    assert ledger.intents(ex.prompt_version, ex.config.model) == []


def test_the_wait_is_bounded_and_the_next_run_collects(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.polls_to_end = 3
    ticks = iter(range(1000))
    slow = extractor(fake, ledger, batch_max_wait=1.5, clock=lambda: float(next(ticks)))
    assert extract(slow) == []
    assert slow.waiting == ["msgbatch_fake0001"] and slow.stats.batches_waiting == 1
    assert slow.stats.pending == SPANS and fake.result_fetches == []
    assert [row.id for row in ledger.open_batches(slow.prompt_version, slow.config.model)] == [
        "msgbatch_fake0001"
    ]
    later = extractor(fake, ledger)
    found = extract(later)
    assert len(fake.batch_creates) == 1  # the running batch was not sent again
    assert found and later.stats.pending == 0 and later.waiting == []


def test_one_batch_for_the_whole_run(fake: FakeAnthropic, ledger: Ledger, tmp_path: Path) -> None:
    """Mine tasks queue (each file, each task), one step submits, a second pass reads the
    answers from the cache: a run sends one batch however many files it reads."""
    copies = []
    for n in range(3):
        folder = tmp_path / f"project-{n}"
        folder.mkdir()
        text = DEMO_FILE.read_text(encoding="utf-8").replace("demo", f"demo{n}")
        (folder / DEMO_FILE.name).write_text(text, encoding="utf-8")
        copies.append(folder / DEMO_FILE.name)

    def mine(ex: BatchClaudeExtractor, path: Path) -> list[LessonCandidate]:
        run = parse_file(path, tmp_path)
        return ex.extract(run, list(find_episodes(run)), read_lines(path))

    queued = [extractor(fake, ledger, mode="queue") for _ in copies]
    assert all(mine(ex, path) == [] for ex, path in zip(queued, copies, strict=True))
    assert sum(ex.stats.pending for ex in queued) == 3 * SPANS and fake.raw == []
    submit = extractor(fake, ledger)
    submit.process()
    assert len(fake.batch_creates) == 1
    assert len(fake.batch_creates[0]["requests"]) == 3 * SPANS
    cache = extractor(fake, ledger, mode="cache")
    found = [c for path in copies for c in mine(cache, path)]
    assert {c.evidence.ref.path.split("/")[0] for c in found} == {
        "project-0",
        "project-1",
        "project-2",
    }
    assert cache.stats.requests == 0 and cache.stats.pending == 0
    assert len(fake.raw) == 1  # the one create
