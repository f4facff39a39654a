"""Which proposal a command means: the target's pending one, the only one waiting, or the one a
tripwire stopped (a person must be able to read what was stopped before letting it through)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from metis_distill.errors import NothingProposed, ProposalError
from metis_distill.ledger import DistillRunRow, Ledger, ProposalRow
from metis_distill.statuses import DistillStatus, ProposalState, PublishStatus


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
        if target is not None:
            said_by_last_run(ledger, target)
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


def said_by_last_run(ledger: Ledger, target: Path) -> None:
    """When the target's last distill proposed nothing for it, say so, and why: a note
    (`NothingProposed`) when there was nothing to propose, an error when the run failed or the
    block's markers are broken."""
    named = str(target.resolve())
    run = ledger.last_distill_run(named, nothing_new=False)
    if run is None or run.proposal_id is not None or run.status == DistillStatus.RUNNING:
        return
    from metis_distill.run_report import PROPOSAL_STATUS

    last = f"its last distill ({_when(run)})"
    published = run.summary.get(PROPOSAL_STATUS)
    if published == PublishStatus.MARKERS_BROKEN:
        raise ProposalError(
            f"no pending proposal for {target}: {last} proposed nothing, the managed block's "
            "markers are broken",
            hint="mend the markers as distill's warning says, then run `metis distill` again",
        )
    if published is None and run.status != DistillStatus.COMPLETED:
        ended = f"{last} ended {run.status}" + (f": {run.message}" if run.message else "")
        raise ProposalError(f"no pending proposal for {target}: {ended}", hint=DISTILL_AGAIN)
    raise NothingProposed(
        f"nothing to accept for {target}: {last} proposed nothing for it{_why(run.summary)}"
        + _waiting_elsewhere(ledger, named, run)
    )


DISTILL_AGAIN = "run `metis distill` again"


def _when(run: DistillRunRow) -> str:
    return f"{run.finished_at or run.started_at:%Y-%m-%d %H:%M} UTC"


def _why(summary: Mapping[str, Any]) -> str:
    """Why a run proposed nothing, from the counts its summary keeps (none in older runs)."""
    known, shown, waiting = (summary.get(k) for k in _COUNTS)
    if not all(isinstance(n, int) for n in (known, shown, waiting)):
        return ""
    if known == 0:
        return ": no lessons found yet in the archive's runs"
    wait = f"{waiting} {'lesson waits' if waiting == 1 else 'lessons wait'} in the ledger"
    if shown == 0 and waiting:
        return f": no lesson has earned a line in it yet; {wait}"
    if shown:
        return ": it already says all we know" + (f"; {wait}" if waiting else "")
    return ""


_COUNTS = ("lessons_known", "lessons_shown", "lessons_waiting")


def _waiting_elsewhere(ledger: Ledger, named: str, run: DistillRunRow) -> str:
    """The proposals the run made for other files (the personal one) still waiting, and how
    to accept them."""
    return "".join(
        f"; proposal #{p.id} for {p.target} waits: `metis accept --all --target {p.target}`"
        for p in ledger.pending_proposals()
        if p.target != named and p.created_at >= run.started_at
    )


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
