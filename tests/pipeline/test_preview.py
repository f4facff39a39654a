"""`metis distill --dry-run`: the files, the excerpts Claude would get and their estimated
tokens and dollars (half with --batch); nothing sent to the fake Messages API, nothing written
(no ledger, no archive copy, the target as it was)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill import pipeline
from metis_distill.archive import archive_from
from metis_distill.cli import app
from metis_distill.config import load_settings
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.ledger import Ledger
from metis_distill.pipeline.preview import SAMPLES, preview
from tests.conftest import DEMO_FILE
from tests.extract.demo import SPANS, demo_archive, demo_target
from tests.fakes.anthropic_server import FakeAnthropic, fake_anthropic


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    with fake_anthropic() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("METIS_EXTRACT__BASE_URL", server.url)
        yield server


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return demo_archive(tmp_path)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return demo_target(tmp_path)


def dry_run(runs: Path, target: Path, *flags: str) -> dict[str, Any]:
    args = ["distill", "--dry-run", "--json", "--archive", str(runs), "--target", str(target)]
    result = CliRunner().invoke(app, [*args, *flags])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_dry_run_shows_what_would_be_sent_and_sends_and_writes_nothing(
    fake: FakeAnthropic, runs: Path, target: Path
) -> None:
    found = dry_run(runs, target)
    assert found["extractor"] == "claude" and found["model"] == "claude-sonnet-4-6"
    [file] = found["files"]
    assert file["path"] == f"-home-dev-src-demo/{DEMO_FILE.name}" and not file["archived"]
    assert file["excerpts"] == SPANS == len(found["excerpts"]) and found["cached"] == 0
    samples = [e["text"] for e in found["excerpts"] if e["text"] is not None]
    assert len(samples) == min(SAMPLES, SPANS)
    assert any("pytest: command not found" in text for text in samples)
    assert found["input_tokens"] > sum(e["tokens"] for e in found["excerpts"])  # + the prefix
    assert found["output_tokens"] > 0 and found["usd"] > 0
    assert fake.raw == []  # nothing sent
    data = load_settings().data_dir
    assert not (data / "ledger.sqlite").exists() and not (data / "archive").exists()
    assert target.read_text(encoding="utf-8") == "# Demo\n"
    assert list(target.parent.iterdir()) == [target]


def test_the_batch_estimate_is_half_price(fake: FakeAnthropic, runs: Path, target: Path) -> None:
    plain = dry_run(runs, target)
    batch = dry_run(runs, target, "--batch")
    assert batch["batch"] and batch["input_tokens"] == plain["input_tokens"]
    assert batch["usd"] == pytest.approx(plain["usd"] / 2, abs=1e-6)
    assert fake.raw == []


def test_the_rules_extractor_previews_what_claude_would_get(runs: Path, target: Path) -> None:
    args = ["distill", "--dry-run", "--archive", str(runs), "--target", str(target)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "nothing is sent, nothing is written" in out
    assert "files to read: 1 (1 not archived yet, counted whole)" in out
    assert f"excerpts to send: {SPANS} (0 already answered" in out
    assert "at list price (claude-sonnet-4-6" in out and "Message Batches" not in out
    assert "`--extractor claude` would send" in out
    assert f"sample 1 of {SPANS}: -home-dev-src-demo/{DEMO_FILE.name}#L" in out


def test_excerpts_answered_before_cost_nothing(fake: FakeAnthropic, runs: Path) -> None:
    settings = load_settings(archive=runs, extract={"base_url": fake.url})
    with Ledger(settings.ledger_url) as ledger:
        archive_from([runs], settings.archive_dir, ledger)
        found = pipeline.changed_files(settings.archive_dir.resolve(), ledger).changed
        config = ClaudeConfig(base_url=fake.url, concurrency=1)
        extractor = ClaudeExtractor(config, ledger, api_key="test-key")
        pipeline.extract_batch(settings.archive_dir.resolve(), found, extractor)
    sent = len(fake.raw)
    shown = preview(settings)
    [file] = shown.files
    assert file.archived and file.excerpts == 0  # copied, not read yet: all in the cache
    assert shown.cached == SPANS and shown.excerpts == [] and shown.usd == 0.0
    assert len(fake.raw) == sent
