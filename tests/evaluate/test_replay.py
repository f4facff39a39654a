"""Replay on an authored archive: a failure taught by an earlier run is covered later."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.evaluate.replay import Failure, covered, fold, replay, same_signature

FIXTURE = Path(__file__).parents[1] / "fixtures" / "replay"


def test_replay_covers_the_repeated_failure_only(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    report = replay(FIXTURE, tmp_path / "data", embedder, steps=3)
    assert (report.runs, report.failures) == (3, 3)
    assert [s.covered_by_context for s in report.steps] == [0, 1, 0]
    assert [s.lessons_in_context for s in report.steps] == [0, 1, 1]
    assert report.covered_by_context == 1


def test_fold_ignores_numbers_and_quotes() -> None:
    assert fold("line 12: `ruff`: command not found") == fold("line 7: ruff: command not found")


def test_signature_alone_covers() -> None:
    from metis_distill.ledger import LessonView

    failure = Failure("x", 3, "/bin/bash: line 1: ruff: command not found", "Bash ruff failed")
    lesson = LessonView("id", "failure", "`ruff` is missing", "active", 2, None, None, ())
    assert not covered(failure, [lesson], {"id": 0.8})
    assert covered(failure, [lesson], {"id": 0.9})


def test_same_signature_ignores_paths_and_numbers_only() -> None:
    assert same_signature(
        "/mnt/d/app/scripts/common.sh: line 3: $'\\r': command not found",
        "scripts/setup-plan.sh: line 2: $'\\r': command not found",
    )
    assert same_signature(
        "ERROR: Not on a feature branch. Current branch: main",
        "ERROR: Not on a feature branch. Current branch: fix-login",
    )
    assert not same_signature(
        "bash: line 1: python: command not found", "/bin/bash: line 1: pytest: command not found"
    )
    assert not same_signature(
        "dir: cannot access '/B': No such file or directory",
        "ls: cannot access 'docs/x.md': No such file or directory",
    )
    assert not same_signature(
        "/usr/bin/bash: line 1: tree: command not found",
        "/usr/bin/bash: line 1: pwsh: command not found",
    )


def test_cli_replay_json(model_dir: Path) -> None:  # noqa: ARG001 (the model must be there)
    result = CliRunner().invoke(
        app, ["replay", "--archive", str(FIXTURE), "--steps", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["covered_by_context"] == 1 and data["failures"] == 3
