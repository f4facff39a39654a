"""A lesson a person refuses for one context file (a new line rejected, a line deleted by hand,
a line a rewind takes out): never proposed again for that file. It is rejected everywhere
unless another file holds its line as a person accepted it: refusing a line in one file never
takes it out of another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from metis_distill.errors import ProposalError
from metis_distill.ledger import Ledger
from metis_distill.render.claude_md import find_block
from metis_distill.review.target import read_target
from metis_distill.statuses import Change, ItemDecision, LessonStatus, Refusal

HOW_SAID = {
    Refusal.REJECTED: "rejected for",
    Refusal.HAND_DELETED: "deleted by hand from",
    Refusal.REWOUND: "rewound out of",
}


@dataclass(frozen=True)
class Refused:
    """What a refusal did: lessons rejected everywhere; lessons refused for the target only,
    each with the other files that keep it."""

    target: str
    everywhere: tuple[str, ...] = ()
    here_only: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def kept_in(self) -> tuple[str, ...]:
        """The other files that keep some of the lessons refused here."""
        return tuple(sorted({t for _, targets in self.here_only for t in targets}))


def refuse(ledger: Ledger, target: str, lesson_ids: Sequence[str], how: Refusal) -> Refused:
    """Remember the lessons as refused for `target`; those no other file keeps are rejected."""
    if not lesson_ids:
        return Refused(target)
    kept = kept_elsewhere(ledger, lesson_ids, target)
    everywhere = tuple(i for i in lesson_ids if i not in kept)
    ledger.refuse(target, lesson_ids, how)
    ledger.set_status(everywhere, LessonStatus.REJECTED)
    here_only = tuple((i, kept[i]) for i in lesson_ids if i in kept)
    return Refused(target, everywhere, here_only)


def kept_elsewhere(
    ledger: Ledger, lesson_ids: Sequence[str], target: str
) -> dict[str, tuple[str, ...]]:
    """Per lesson, the other targets whose block holds its line now, a person having accepted
    it there (an accepted added item of that target)."""
    blocks: dict[str, frozenset[str] | None] = {}
    found = {}
    for lesson_id in lesson_ids:
        accepted = _accepted_targets(ledger, lesson_id) - {target}
        holding = tuple(sorted(t for t in accepted if _holds(t, lesson_id, blocks)))
        if holding:
            found[lesson_id] = holding
    return found


def _accepted_targets(ledger: Ledger, lesson_id: str) -> set[str]:
    targets = set()
    for item in ledger.items_of_lesson(lesson_id):
        if item.change == Change.ADDED and item.decision == ItemDecision.ACCEPTED:
            row = ledger.proposal(item.proposal_id)
            if row is not None:
                targets.add(row.target)
    return targets


def _holds(target: str, lesson_id: str, blocks: dict[str, frozenset[str] | None]) -> bool:
    """The target's block as the file holds it now has the lesson's line (each file read once
    per call); a file that cannot be read is taken to keep it."""
    if target not in blocks:
        blocks[target] = _block_ids(Path(target))
    ids = blocks[target]
    return ids is None or lesson_id in ids


def _block_ids(target: Path) -> frozenset[str] | None:
    try:
        block = find_block(read_target(target))
    except ProposalError:
        return None
    return frozenset(block.ids) if block else frozenset()


def said(ledger: Ledger, lesson_id: str) -> tuple[str, ...]:
    """The lesson's refusals as `metis show` says them ("rejected for /repo/typo.md")."""
    return tuple(f"{HOW_SAID[Refusal(r.how)]} {r.target}" for r in ledger.refusals_of(lesson_id))
