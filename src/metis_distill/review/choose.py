"""Which proposal a command means: the target's pending one, the only one waiting, or the one a
tripwire stopped (a person must be able to read what was stopped before letting it through)."""

from __future__ import annotations

from pathlib import Path

from metis_distill.errors import ProposalError
from metis_distill.ledger import Ledger, ProposalRow
from metis_distill.statuses import ProposalState


def choose_pending(ledger: Ledger, target: Path | None) -> ProposalRow:
    """The pending proposal meant: the target's, or the only one there is."""
    pending = ledger.pending_proposals(str(target.resolve()) if target else None)
    if not pending:
        where = f" for {target}" if target else ""
        stopped = stopped_proposal(ledger, target)
        if stopped is not None:
            raise ProposalError(
                f"no pending proposal{where}: proposal #{stopped.id} was stopped by a tripwire",
                hint=RELEASE_HINT,
            )
        elsewhere = ledger.pending_proposals() if target is not None else []
        if elsewhere:  # distill proposed for another file (a personal one) and none for this
            names = "; ".join(f"#{p.id} for {p.target}" for p in elsewhere)
            raise ProposalError(
                f"no pending proposal{where}; waiting: {names}",
                hint="name it with --target FILE",
            )
        settled = settled_proposal(ledger, target)
        if settled is not None:  # `accept --all` took it already, or it was refused
            raise ProposalError(
                f"no pending proposal{where}: proposal #{settled.id} was {settled.status} already",
                hint="`metis distill` proposes again once new runs teach something",
            )
        raise ProposalError(f"no pending proposal{where}", hint="run `metis distill` first")
    if len(pending) > 1:
        names = "; ".join(f"#{p.id} {p.target}" for p in pending)
        raise ProposalError(f"several proposals wait: {names}", hint="name one with --target FILE")
    return pending[0]


RELEASE_HINT = (
    "read it with `metis review`; `metis release` lets it through (then accept or reject it "
    "as usual); the next distill replaces it"
)


def choose_for_review(ledger: Ledger, target: Path | None) -> ProposalRow:
    """The pending proposal, or else the one a tripwire stopped: a person must be able to read
    what was stopped before letting it through."""
    if not ledger.pending_proposals(str(target.resolve()) if target else None):
        stopped = stopped_proposal(ledger, target)
        if stopped is not None:
            return stopped
    return choose_pending(ledger, target)


def stopped_proposal(ledger: Ledger, target: Path | None) -> ProposalRow | None:
    """The newest proposal a tripwire stopped: the target's, or when none is named, the only
    target's that has one."""
    named = str(target.resolve()) if target is not None else None
    stopped = ledger.proposals_with_status(ProposalState.NEEDS_HUMAN, named)
    if not stopped or len({row.target for row in stopped}) > 1:
        return None
    return stopped[0]


def settled_proposal(ledger: Ledger, target: Path | None) -> ProposalRow | None:
    """The named target's newest proposal, when a person accepted or refused it."""
    if target is None:
        return None
    named = str(target.resolve())
    settled = [
        *ledger.proposals_with_status(ProposalState.ACCEPTED, named),
        *ledger.proposals_with_status(ProposalState.REJECTED, named),
    ]
    newest = max(settled, key=lambda row: row.id, default=None)
    superseded = ledger.proposals_with_status(ProposalState.SUPERSEDED, named)
    if newest is None or any(row.id > newest.id for row in superseded):
        return None
    return newest


def waiting_for_review(ledger: Ledger, target: Path | None) -> list[ProposalRow]:
    """`metis review`: the target's proposal, or with none named, every proposal waiting."""
    pending = ledger.pending_proposals() if target is None else []
    return pending if len(pending) > 1 else [choose_for_review(ledger, target)]
