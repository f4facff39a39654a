"""What distill says of a proposal made after hand edits agrees with the review's items."""

from __future__ import annotations

from pathlib import Path

from metis_distill.cli.outcome import proposal_line
from metis_distill.cli.review import _said
from metis_distill.curate.select import Scope
from metis_distill.ledger import Ledger
from metis_distill.publish import Curation, publish_targets
from metis_distill.review.proposal import accept
from metis_distill.run_report import ProposalOutcome, RunSummary
from tests.review.test_items import DECISION, FAILURE, ids_in


def publish(ledger: Ledger, target: Path, tmp: Path) -> ProposalOutcome:
    first, *_ = publish_targets(
        target,
        ledger,
        tmp / "proposals",
        scope=Scope(None),
        run=RunSummary(extractor="rules"),
        locks_dir=tmp / "locks",
        curation=Curation(),
    )
    return first


def test_a_line_edited_and_one_deleted_by_hand_count_no_lesson_added(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    publish(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    text = target.read_text().replace("integer cents.", "integer cents, always.")
    line = next(x for x in text.splitlines() if f"/{FAILURE}.txt#" in x)
    target.write_text(text.replace(line + "\n", ""))

    made = publish(ledger, target, tmp)

    assert made.proposal_id is not None
    assert ledger.proposal_items(made.proposal_id) == []
    assert (made.added, made.removed) == (0, 0)  # as the review's items say
    assert made.reworded == 0
    said = proposal_line(made)
    assert said.startswith(f"Proposal #{made.proposal_id}: no line added, reworded or removed")
    decision = accept(ledger, tmp / "locks", target)
    assert (
        _said(decision, "Accepted")
        == f"Accepted proposal #{made.proposal_id} (no numbered changes)"
    )
    assert FAILURE not in ids_in(target) and DECISION in ids_in(target)
    assert publish(ledger, target, tmp).proposal_id is None  # settled
