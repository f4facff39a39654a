"""Which proposal a command means, and what it says when the target's last distill proposed
nothing for it: the truth of that run (not "run metis distill first"), and no alarm."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.errors import NothingProposed, ProposalError
from metis_distill.ledger import Ledger
from metis_distill.review.choose import choose_pending
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import save_plan
from metis_distill.run_report import ProposalOutcome, RunReport
from metis_distill.statuses import DistillStatus, PublishStatus
from tests.review.test_proposal import _plan

# what a run that proposed nothing keeps in its summary (`pipeline.run` stores `scalars()`)
NOTHING_EARNED = RunReport(
    extractor="rules",
    proposal=ProposalOutcome(
        status=PublishStatus.NOTHING,
        proposal_id=None,
        folder=None,
        added=0,
        removed=0,
        lessons_shown=0,
        lessons_known=44,
        lessons_waiting=42,
    ),
).scalars()


def _ran(ledger: Ledger, target: Path, status: DistillStatus, **summary: object) -> int:
    run = ledger.start_distill_run(str(target.resolve()), None)
    ledger.finish_distill_run(run, status, summary=summary, message="OSError: disk full")  # type: ignore[arg-type]
    return run


def test_nothing_earned_is_said_as_the_last_run_said_it(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, _ = world
    _ran(ledger, target, DistillStatus.COMPLETED, **NOTHING_EARNED)
    with pytest.raises(NothingProposed) as told:
        choose_pending(ledger, target)
    said = str(told.value)
    assert f"nothing to accept for {target}: its last distill (" in said
    assert said.endswith(
        "proposed nothing for it: no lesson has earned a line in it yet; "
        "42 lessons wait in the ledger"
    )
    assert told.value.exit_code == 0 and "metis distill" not in (told.value.hint or "")


def test_the_personal_files_proposal_is_named_with_the_command_to_accept_it(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    personal = target.with_name("CLAUDE.local.md")
    run = ledger.start_distill_run(str(target.resolve()), None)
    save_plan(_plan(ledger, personal), ledger, tmp / "proposals", ProposalNotes())
    ledger.finish_distill_run(run, DistillStatus.COMPLETED, summary=NOTHING_EARNED)  # type: ignore[arg-type]
    with pytest.raises(NothingProposed) as told:
        choose_pending(ledger, target)
    assert str(told.value).endswith(
        f"; proposal #1 for {personal.resolve()} waits: "
        f"`metis accept --all --target {personal.resolve()}`"
    )


def test_a_failed_last_run_is_an_error_that_says_how_it_ended(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, _ = world
    _ran(ledger, target, DistillStatus.FAILED)
    with pytest.raises(ProposalError, match="its last distill .* ended failed: OSError") as told:
        choose_pending(ledger, target)
    assert told.value.exit_code == 1


def test_accept_after_a_distill_that_proposed_nothing_exits_0_with_a_note(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _ran(ledger, target, DistillStatus.COMPLETED, **NOTHING_EARNED)
    args = ["accept", "--all", "--target", str(target), "--data-dir", str(tmp / "data")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "note: nothing to accept for" in result.output and "error" not in result.output
