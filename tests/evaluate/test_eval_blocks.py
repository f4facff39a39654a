"""`metis eval` scores the rendered block at the default budget and with none, on the authored
sample archive and its authored gold (tests/fixtures/eval_gold_sample)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from tests.fakes.anthropic_server import fake_anthropic

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "data" / "sample"
GOLD = ROOT / "tests" / "fixtures" / "eval_gold_sample"


def test_both_budgets_are_scored(model_dir: Path, tmp_path: Path) -> None:  # noqa: ARG001
    out = tmp_path / "eval.json"
    args = ["eval", "--gold", str(GOLD), "--corpus", str(SAMPLE), "--budget", "1"]
    result = CliRunner().invoke(app, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    budget, unlimited = data["block"]["budget"]["overall"], data["block"]["no_budget"]["overall"]
    assert 0 < budget["lines"] <= 3 < unlimited["lines"]  # one line a section, against all
    assert budget["gold"] == unlimited["gold"] == 13
    assert unlimited["found"] > budget["found"]
    lines = data["judged_lines"]["no_budget"]
    assert len(lines) == unlimited["lines"]
    assert sum(line["good"] for line in lines) == unlimited["good"]
    assert sum(line["one_off"] for line in lines) == unlimited["one_off"]
    # the sample's unfixed permission error (the user refused a mode change) stays in the
    # ledger: no line offers the chmod/bash advice the run never showed working (an invented
    # fix is counted: tests/evaluate/test_block.py)
    assert unlimited["wrong_fix"] == 0
    assert not [ln for ln in lines if "not executable" in ln["text"]]
    assert "no budget" in result.output and "wrong fix" in result.output


def test_a_lesson_from_an_unlabeled_transcript_fails(model_dir: Path, tmp_path: Path) -> None:  # noqa: ARG001
    """Two sessions of one project, only one labeled: the other's lessons cannot be scored, and
    the error names it in full (a path longer than the 80 columns rich wraps at)."""
    sample = "projects/-home-dev-src-ledgerline/"
    folder = "projects/-home-dev-src-ledgerline-" + "with-a-long-folder-name-" * 2 + "/"
    labeled, unlabeled = (
        "3a97217a-f75e-4b48-8cbe-9ab56891fecf",
        "e53350d7-4692-46a3-b230-5c5e9536776e",
    )
    archive, gold = tmp_path / "archive", tmp_path / "gold"
    (archive / folder).mkdir(parents=True)
    for name in (labeled, unlabeled):
        shutil.copy(SAMPLE / sample / f"{name}.jsonl", archive / folder / f"{name}.jsonl")
    gold.mkdir()
    label = (GOLD / "ledgerline-l2.yaml").read_text().replace(sample, folder)
    (gold / "ledgerline-l2.yaml").write_text(label)
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--corpus", str(archive)])
    assert result.exit_code == 2, result.output  # a configuration error
    assert f"{folder}{unlabeled}.jsonl" in result.output
    assert labeled not in result.output


def test_the_claude_extractor_is_scored_against_the_same_gold(
    model_dir: Path,  # noqa: ARG001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the real SDK against the fake Messages API: its default answer quotes the excerpt sent
    with fake_anthropic() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("METIS_ANTHROPIC_BASE_URL", server.url)
        out = tmp_path / "eval.json"
        args = ["eval", "--gold", str(GOLD), "--corpus", str(SAMPLE), "--extractor", "claude"]
        result = CliRunner().invoke(app, [*args, "--json", str(out)])
        sent = len(server.requests)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["extractor"] == "claude" and sent > 0
    assert 0 < data["extraction"]["extract_requests"] <= sent  # the curator's calls come on top
    assert data["block"]["no_budget"]["overall"]["gold"] == 13
    assert "(claude extractor)" in result.output


def test_the_claude_extractor_needs_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "METIS_ANTHROPIC_API_KEY", "METIS_EXTRACT__API_KEY"):
        monkeypatch.delenv(name, raising=False)
    args = ["eval", "--gold", str(GOLD), "--corpus", str(SAMPLE), "--extractor", "claude"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "needs an Anthropic API key" in result.output
