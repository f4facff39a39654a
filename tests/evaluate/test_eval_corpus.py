"""`metis eval` end to end on the corpus: provenance always resolves, no secret leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app

GOLD = Path(__file__).parents[2] / "eval" / "gold"


@pytest.mark.corpus
def test_eval_on_the_corpus(corpus: Path, model_dir: Path, tmp_path: Path) -> None:  # noqa: ARG001
    out = tmp_path / "eval.json"
    args = ["eval", "--gold", str(GOLD), "--corpus", str(corpus), "--json", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["provenance_share"] == 1.0 and data["rendered_lines"] > 0
    assert data["secrets_leaked"] == 0 and data["secrets_known"] > 0
    assert data["gold_files"] >= 32
    assert data["scores"]["overall"]["tp"] > 0
    assert "precision" in result.output
    # every rendered line is scored, at the default budget and with none
    for name in ("budget", "no_budget"):
        overall = data["block"][name]["overall"]
        assert overall["lines"] == len(data["judged_lines"][name]) > 0
        assert overall["gold"] == data["gold_lessons"]
    assert data["block"]["budget"]["overall"]["lines"] == data["rendered_lines"]
    shown = data["claude_input"]
    assert shown["gold"] == data["gold_lessons"]
    assert shown["shown"] == shown["gold"] - len(data["claude_unseen"])
    assert shown["shown"] >= 0.9 * shown["gold"]  # 66 of 70 on 2026-12-02
    assert f"{shown['shown']}/{shown['gold']} (excerpts" in result.output


def test_eval_names_missing_transcripts(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "x.yaml").write_text("transcript: nowhere/run.jsonl\nlessons: []\n")
    (tmp_path / "archive").mkdir()
    args = ["eval", "--gold", str(tmp_path / "gold"), "--corpus", str(tmp_path / "archive")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2  # a configuration error
    assert "nowhere/run.jsonl" in result.output
