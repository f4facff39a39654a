"""`metis distill --extractor claude` end to end: the CLI, the Prefect flow, the real SDK and
the fake Messages API on 127.0.0.1."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from metis_distill import pipeline
from metis_distill.cli import app
from metis_distill.config import load_settings
from metis_distill.extract import claude
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.ledger import Ledger
from tests.conftest import DEMO_FILE
from tests.extract.demo import SPANS, demo_archive, demo_target, request_bounds
from tests.fakes.anthropic_server import (
    FakeAnthropic,
    answer,
    at_full_cost,
    fake_anthropic,
    lesson,
    quoting_answer,
    rate_limited,
    server_error,
)
from tests.test_cli_e2e import check_proposal

runner = CliRunner()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    with fake_anthropic() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("METIS_ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("METIS_ANTHROPIC_MAX_RETRIES", "1")
        yield server


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return demo_archive(tmp_path)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return demo_target(tmp_path)


def distill(archive: Path, target: Path, *flags: str, code: int = 0) -> dict[str, Any]:
    args = ["distill", "--archive", str(archive), "--target", str(target), "--all-projects"]
    result = runner.invoke(app, [*args, *flags, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_settings_choose_claude_only_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().extractor == "rules"
    monkeypatch.setenv("METIS_ANTHROPIC_API_KEY", "k")
    assert load_settings().extractor == "claude"
    assert load_settings(extractor="rules").extractor == "rules"
    monkeypatch.delenv("METIS_ANTHROPIC_API_KEY")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    assert load_settings().extractor == "claude"
    assert "'k'" not in repr(load_settings(anthropic_api_key="k"))


def test_a_pending_file_is_not_marked_as_read(fake: FakeAnthropic, archive: Path) -> None:
    ledger = Ledger.at(load_settings().data_dir)
    found = pipeline.changed_files(archive, ledger)
    fake.responder = at_full_cost(quoting_answer)
    cap = max(b.tokens for b in request_bounds(claude.DEFAULT_MODEL))  # one call, not two
    config = ClaudeConfig(base_url=fake.url, concurrency=1, max_tokens_per_run=cap)
    result = pipeline.extract_batch(archive, found.changed, ClaudeExtractor(config, ledger))
    assert result.files == [] and len(result.pending_files) == 1
    assert result.extract.requests == 1 and result.extract.pending == SPANS - 1
    ledger.close()


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_distill_with_claude_end_to_end(fake: FakeAnthropic, archive: Path, target: Path) -> None:
    report = distill(archive, target, "--extractor", "claude")
    assert report["extractor"] == "claude" and report["model"] == "claude-sonnet-4-6"
    assert report["extract_requests"] == SPANS == len(fake.requests)
    assert report["extract_pending"] == 0 and report["tokens_run"] == SPANS * 150
    assert 0 < report["excerpt_fraction"] < 1
    assert report["estimated_cost_usd"] is not None and report["estimated_cost_usd"] > 0
    proposal = Path(report["proposal"]["folder"]) / "report.md"
    assert "by the `claude` extractor" in proposal.read_text()
    assert f"{SPANS} requests" in proposal.read_text()  # token use and cost in the report
    lines = check_proposal(target, load_settings().data_dir)
    assert any("Mind “" in line for line in lines)
    assert not any(b"sk-ant-api03" in raw for raw in fake.raw)
    again = distill(archive, target)  # nothing new: answered before any extractor, nothing sent
    assert again["nothing_new"] is True and len(fake.requests) == SPANS
    ledger = Ledger.at(load_settings().data_dir)
    assert {row.extractor for row in ledger.lessons()} == {"claude"}
    ledger.close()


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_budget_exit_code_4_then_the_next_run_finishes(
    fake: FakeAnthropic, archive: Path, target: Path
) -> None:
    # four calls may be in flight, but each is held at its most first: none overspends
    fake.responder = at_full_cost(quoting_answer)
    cap = 2 * max(b.tokens for b in request_bounds(claude.DEFAULT_MODEL))
    first = distill(archive, target, "--max-tokens", str(cap), code=4)
    assert first["extract_requests"] == 2 and first["extract_pending"] == SPANS - 2
    assert 0 < first["tokens_run"] <= cap
    assert first["proposal"]["status"] == "created"
    partial = (Path(first["proposal"]["folder"]) / "report.md").read_text()
    assert "this proposal is partial" in partial  # the proposal says work is pending
    second = distill(archive, target)
    assert second["extract_requests"] == SPANS - 2 and second["extract_cached"] == 2
    assert second["extract_pending"] == 0
    contents = [b["messages"][0]["content"] for b in fake.requests]
    assert len(contents) == len(set(contents)) == SPANS  # nothing twice
    assert distill(archive, target)["nothing_new"] is True  # the budget's work is all done
    assert len(fake.requests) == SPANS


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_a_dollar_cap_exits_4_with_work_left_and_status_shows_the_spend(
    fake: FakeAnthropic, archive: Path, target: Path
) -> None:
    fake.responder = at_full_cost(quoting_answer)
    cap = 2 * max(b.usd for b in request_bounds(claude.DEFAULT_MODEL))
    first = distill(archive, target, "--max-usd", str(cap), code=4)
    assert first["extract_requests"] == 2 and first["extract_pending"] == SPANS - 2
    assert 0 < first["estimated_cost_usd"] <= cap
    shown = runner.invoke(app, ["status", "--archive", str(archive), "--json"])
    [today] = json.loads(shown.stdout)["spend_by_day"]
    assert today["runs"] == 1 and today["tokens"] == first["tokens_run"]
    assert today["usd"] == pytest.approx(first["estimated_cost_usd"], abs=1e-4)
    second = distill(archive, target)
    assert second["extract_requests"] == SPANS - 2 and second["extract_pending"] == 0


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_copies_of_one_conversation_read_in_parallel_ask_each_excerpt_once(
    fake: FakeAnthropic, tmp_path: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `claude --resume` copies a conversation into a new file: three files, one batch each
    folder = tmp_path / "copies" / "-home-dev-src-demo"
    folder.mkdir(parents=True)
    text = DEMO_FILE.read_text(encoding="utf-8")
    copies = [folder / f"copy-{n}.jsonl" for n in range(3)]
    for n, copy in enumerate(copies):
        copy.write_text(text + json.dumps({"type": "summary", "summary": f"copy {n}"}) + "\n")
    monkeypatch.setenv("METIS_SCALE__BATCH_FILES", "1")
    fake.latency = 1.0  # each batch's calls take long enough for the batches to overlap
    result = runner.invoke(
        app,
        ["distill", "--archive", str(tmp_path / "copies"), "--target", str(target)]
        + ["--all-projects", "--extractor", "claude", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["failed_files"] == [] and "IntegrityError" not in result.output
    contents = [b["messages"][0]["content"] for b in fake.requests]
    assert len(contents) == len(set(contents)) == SPANS  # each excerpt paid once
    assert report["extract_requests"] == SPANS
    ledger = Ledger.at(load_settings().data_dir)
    lessons = [row.id for row in ledger.lessons()]
    cited = {e.path for found in ledger.evidence_of(lessons).values() for e in found}
    ledger.close()
    assert {copy.name for copy in copies} <= {Path(path).name for path in cited}  # none lost


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_the_rules_flag_sends_nothing_even_with_a_key(
    fake: FakeAnthropic, archive: Path, target: Path
) -> None:
    report = distill(archive, target, "--extractor", "rules")
    assert report["extractor"] == "rules" and "extract_requests" not in report
    assert fake.requests == []


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_failing_calls_stop_the_run_with_exit_code_3(
    fake: FakeAnthropic, archive: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claude, "MIN_CALLS_TO_HALT", 2)
    monkeypatch.setenv("METIS_ANTHROPIC_MAX_RETRIES", "0")
    fake.responder = lambda body: server_error()
    args = ["distill", "--archive", str(archive), "--target", str(target), "--all-projects"]
    with prefect_console() as console:  # --verbose: Prefect's log on the terminal, briefly
        result = runner.invoke(app, [*args, "--extractor", "claude", "--verbose"])
    assert result.exit_code == 3, result.output
    assert "Claude calls failed" in result.output and "hint:" in result.output
    assert "Claude calls failed" in console.getvalue()
    assert "Traceback" not in console.getvalue() + result.output  # the reason and hint only
    ledger = Ledger.at(load_settings().data_dir)
    assert ledger.pending_proposals() == [] and ledger.counts()["files"] == 0
    flow_run_id = ledger.last_distill_run().flow_run_id  # type: ignore[union-attr]
    ledger.close()
    assert "Traceback" in flow_run_log(flow_run_id)  # the traceback went to the log


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_a_call_failed_past_its_retries_exits_5_naming_its_cause(
    fake: FakeAnthropic, archive: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METIS_ANTHROPIC_MAX_RETRIES", "0")
    monkeypatch.setenv("METIS_EXTRACT__CONCURRENCY", "1")
    fake.play(rate_limited())  # the first call; the others are answered
    args = ["distill", "--archive", str(archive), "--target", str(target), "--all-projects"]
    result = runner.invoke(app, [*args, "--extractor", "claude"])
    assert result.exit_code == 5, result.output  # not 4: no budget was reached
    assert "1 Claude call failed, the first: HTTP 429 rate_limit_error: slow down" in result.output
    assert "1 excerpt left for the next run" in result.output and "concurrency" in result.output
    assert "Traceback" not in result.output
    shown = json.loads(runner.invoke(app, ["status", "--target", str(target), "--json"]).stdout)
    assert shown["outcome"] == "calls failed"  # not "budget reached"
    assert "HTTP 429 rate_limit_error: slow down" in shown["outcome_detail"]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_the_text_summary_says_why_the_answers_gave_nothing_and_the_cache_note(
    fake: FakeAnthropic, archive: Path, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METIS_EXTRACT__MODEL", "claude-haiku-4-5")
    fake.responder = lambda body: answer(lesson("Mind this here.", "a quote in no excerpt"))
    args = ["distill", "--archive", str(archive), "--target", str(target), "--all-projects"]
    result = runner.invoke(app, [*args, "--extractor", "claude"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert f"{SPANS} quotes not found verbatim in their excerpts" in said
    assert f"{SPANS} lessons dropped for want of a verified quote" in said
    assert "below claude-haiku-4-5's minimum of 4096: prompt caching has no effect" in said


@contextmanager
def prefect_console() -> Iterator[io.StringIO]:
    """What Prefect's console handler prints, while inside."""
    import prefect.main  # noqa: F401 (sets up Prefect's logging, as the CLI's import does)
    from prefect.logging.handlers import PrefectConsoleHandler

    from flows.console import log_to_file

    log_to_file(None)  # an earlier quiet distill set them aside: --verbose puts them back

    handlers = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    seen = io.StringIO()
    files = [h.console.file for h in handlers]
    for handler in handlers:
        handler.console.file = seen
    try:
        yield seen
    finally:
        for handler, file in zip(handlers, files, strict=True):
            handler.console.file = file


def flow_run_log(flow_run_id: str | None) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def read() -> str:
        await APILogWorker.drain_all()  # type: ignore[misc]
        async with get_client() as client:
            logs = await client.read_logs(
                LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(str(flow_run_id))]))
            )
        return "\n".join(log.message for log in logs)

    return run_coro_as_sync(read()) or ""
