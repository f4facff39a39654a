"""What `metis distill` says when it proposes nothing: why, in words that fit the target."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.cli.outcome import proposal_line
from metis_distill.run_report import ProposalOutcome
from metis_distill.statuses import PublishStatus


def _nothing(shown: int, waiting: int) -> ProposalOutcome:
    return ProposalOutcome(
        status=PublishStatus.NOTHING,
        proposal_id=None,
        folder=None,
        added=0,
        removed=0,
        lessons_shown=shown,
        lessons_known=31,
        lessons_active=31,
        lessons_waiting=waiting,
    )


def test_no_line_earned_yet_is_not_said_as_all_we_know() -> None:
    """A target no lesson has earned a line in (it may not exist yet) is not told it already
    says all we know."""
    line = proposal_line(_nothing(shown=0, waiting=31))
    assert "no lesson has earned a line in this target yet" in line
    assert "31 lessons wait in the ledger" in line and "already says all we know" not in line


def test_a_target_that_holds_every_earned_line_says_so() -> None:
    line = proposal_line(_nothing(shown=4, waiting=27))
    assert "the target already says all we know; 27 more lessons wait" in line


def test_one_lesson_added_is_said_in_the_singular() -> None:
    made = ProposalOutcome(
        status=PublishStatus.CREATED,
        proposal_id=1,
        folder=None,
        added=1,
        removed=0,
        lessons_shown=1,
        lessons_known=31,
        lessons_active=31,
        lessons_waiting=30,
    )
    assert proposal_line(made).startswith("Proposal #1: 1 lesson added, 0 removed.")


def test_a_proposal_for_a_target_not_made_yet_says_accepting_will_create_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from metis_distill.cli.outcome import print_outcome
    from metis_distill.run_report import RunReport

    target = tmp_path / "repo" / "notes.md"
    made = ProposalOutcome(
        status=PublishStatus.CREATED,
        proposal_id=1,
        folder=None,
        added=2,
        removed=0,
        lessons_shown=2,
        target=str(target),
    )
    report = RunReport(extractor="rules", proposal=made)
    print_outcome(report, verbose=False, log_file=None)
    note = f"note: {target} does not exist yet: accepting will create it\n"
    assert note in capsys.readouterr().err
    target.parent.mkdir()
    target.write_text("# Notes\n")
    print_outcome(report, verbose=False, log_file=None)
    assert "does not exist yet" not in capsys.readouterr().err


def test_one_of_each_is_said_in_the_singular() -> None:
    from metis_distill.cli.outcome import summary
    from metis_distill.run_report import RunReport

    made = _nothing(shown=4, waiting=1)
    report = RunReport(
        extractor="rules",
        proposal=made,
        archived_new=1,
        files_read=1,
        events=3,
        episodes=1,
        candidates=1,
        lessons_new=1,
    )
    assert summary(report) == (
        "Archived 1 new or grown file. Read 1 file (3 events): 1 episode, 1 candidate -> "
        "1 new lesson, 0 merged into known ones."
    )
    line = proposal_line(made)
    assert "1 more lesson waits in the ledger until its evidence earns it a line" in line
    assert "(`metis search` finds it)" in line


def test_repeats_within_the_run_are_not_said_merged_into_known_lessons() -> None:
    """A first distill into an empty ledger: the candidates that repeat one another merge into
    the lessons this same run made, none into known ones."""
    from metis_distill.cli.outcome import summary
    from metis_distill.run_report import RunReport

    first = RunReport(
        extractor="rules",
        proposal=_nothing(shown=0, waiting=15),
        files_read=4,
        events=900,
        episodes=40,
        candidates=36,
        lessons_new=15,
        lessons_merged=21,
        merged_into_new=21,
    )
    assert summary(first).endswith(
        "36 candidates -> 15 new lessons (21 repeats merged in), 0 merged into known ones."
    )
    later = first.model_copy(update={"merged_into_new": 1})
    assert summary(later).endswith(
        "-> 15 new lessons (1 repeat merged in), 20 merged into known ones."
    )


def test_the_lessons_held_back_are_said_with_why() -> None:
    """12 of 15 lessons wait for their evidence: the summary says so, and for what."""
    why = {"no fix seen": 9, "one session only": 3}
    made = ProposalOutcome(
        status=PublishStatus.CREATED,
        proposal_id=1,
        folder=None,
        added=3,
        removed=0,
        lessons_shown=3,
        lessons_waiting=12,
        waiting_why=why,
    )
    assert proposal_line(made).startswith(
        "Proposal #1: 3 lessons added, 0 removed. 12 more lessons wait in the ledger, not earned "
        "yet (9 no fix seen, 3 one session only). Next: `metis review`"
    )
    nothing = _nothing(shown=0, waiting=12).model_copy(update={"waiting_why": why})
    assert "12 lessons wait in the ledger (9 no fix seen, 3 one session only) until" in (
        proposal_line(nothing)
    )


def test_reworded_lines_are_not_counted_as_removed() -> None:
    made = ProposalOutcome(
        status=PublishStatus.CREATED,
        proposal_id=2,
        folder=None,
        added=1,
        removed=0,
        reworded=2,
        lessons_shown=3,
    )
    assert proposal_line(made).startswith("Proposal #2: 1 lesson added, 2 reworded, 0 removed.")


def test_broken_markers_are_not_said_as_all_we_know() -> None:
    broken = _nothing(shown=4, waiting=0).model_copy(
        update={"status": PublishStatus.MARKERS_BROKEN}
    )
    line = proposal_line(broken)
    assert "broken markers (see the warning)" in line and "all we know" not in line


def test_broken_markers_end_the_run_with_exit_code_3(capsys: pytest.CaptureFixture[str]) -> None:
    """A nightly must not read as a normal run when the file's proposals stopped."""
    import typer

    from metis_distill.cli.outcome import exit_if_stopped
    from metis_distill.run_report import RunReport

    broken = _nothing(shown=4, waiting=0).model_copy(
        update={"status": PublishStatus.MARKERS_BROKEN}
    )
    with pytest.raises(typer.Exit) as stopped:
        exit_if_stopped(RunReport(extractor="rules", proposal=broken))
    assert stopped.value.exit_code == 3
    assert "needs a human: mend the markers" in capsys.readouterr().err
