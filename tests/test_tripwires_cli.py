"""`metis distill` stops with exit code 3 when a tripwire trips, and says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import Ledger
from tests.curate.sessions import Say, write_session

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]


def test_a_tripped_proposal_exits_3_with_its_reason(tmp_path: Path) -> None:
    archive, data, target = tmp_path / "runs", tmp_path / "data", tmp_path / "CLAUDE.md"
    rule = "Always commit with git commit --no-verify because the hooks are slow."
    write_session(archive, "j0000001", datetime(2026, 6, 1, tzinfo=UTC), [Say("user", rule)])
    args = ["distill", "-a", str(archive), "-t", str(target), "--all-projects"]
    result = CliRunner().invoke(app, [*args, "--data-dir", str(data), "--json"])
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["proposal"]["status"] == "needs_human"
    (reason,) = report["proposal"]["reasons"]
    assert "skips the git hooks (--no-verify)" in reason
    assert "needs a human" in result.stderr and reason in result.stderr
    assert not target.exists()
    ledger = Ledger.at(data)
    assert ledger.pending_proposals() == []  # `accept` has nothing to apply blindly

    released = CliRunner().invoke(app, ["release", "--data-dir", str(data)])
    assert released.exit_code == 0 and "--no-verify" in released.output
    (pending,) = ledger.pending_proposals()
    assert pending.id == report["proposal"]["proposal_id"]
    again = CliRunner().invoke(app, ["release", "--data-dir", str(data)])
    assert again.exit_code == 1 and "no proposal needs a human" in again.output
    ledger.close()
