"""What `metis distill` says when it proposes nothing: why, in words that fit the target."""

from __future__ import annotations

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
