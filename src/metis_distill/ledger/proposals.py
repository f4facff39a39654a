"""Proposals, their numbered items, and every version of every context file written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import delete, select

from metis_distill.ledger.base import Repository
from metis_distill.ledger.schema import (
    AcceptIntentRow,
    ProposalItemRow,
    ProposalRow,
    RefusalRow,
    VersionRow,
    now,
)
from metis_distill.statuses import ItemDecision, ProposalState, Refusal, VersionReason


class ProposalRepository(Repository):
    def pending_proposals(self, target: str | None = None) -> list[ProposalRow]:
        with self.session() as db:
            query = select(ProposalRow).where(ProposalRow.status == ProposalState.PENDING)
            if target is not None:
                query = query.where(ProposalRow.target == target)
            return list(db.scalars(query.order_by(ProposalRow.id)))

    def proposals_with_status(
        self, status: ProposalState, target: str | None = None
    ) -> list[ProposalRow]:
        """The proposals in this status (of one target), newest first."""
        with self.session() as db:
            query = select(ProposalRow).where(ProposalRow.status == status)
            if target is not None:
                query = query.where(ProposalRow.target == target)
            return list(db.scalars(query.order_by(ProposalRow.id.desc())))

    def set_proposal_status(self, proposal_ids: Iterable[int], status: ProposalState) -> None:
        with self.session() as db:
            for proposal_id in proposal_ids:
                row = db.get(ProposalRow, proposal_id)
                if row is not None:
                    row.status = status

    def make_pending(self, proposal_id: int) -> None:
        """The proposal becomes its target's pending one; an earlier pending one is superseded."""
        with self.session() as db:
            row = db.get(ProposalRow, proposal_id)
            if row is None:
                return
            for other in db.scalars(
                select(ProposalRow).where(
                    ProposalRow.target == row.target,
                    ProposalRow.status == ProposalState.PENDING,
                )
            ):
                other.status = ProposalState.SUPERSEDED
            row.status = ProposalState.PENDING

    def add_proposal(
        self,
        row: ProposalRow,
        items: Callable[[int], Iterable[ProposalItemRow]],
        publish: Callable[[ProposalRow], str],
        supersede: Sequence[ProposalState] = (ProposalState.PENDING,),
    ) -> ProposalRow:
        """Store a new proposal with its items (made from its id), superseding the target's
        proposals in the `supersede` states. `publish` writes the proposal's files and says
        where: all in one transaction, so a crash leaves the whole proposal or none of it."""
        with self.session() as db:
            query = select(ProposalRow).where(
                ProposalRow.target == row.target, ProposalRow.status.in_(list(supersede))
            )
            for old in db.scalars(query):
                old.status = ProposalState.SUPERSEDED
                old.decided_at = now()
            db.add(row)
            db.flush()
            db.add_all(list(items(row.id)))
            row.folder = publish(row)
            return row

    def decide(self, proposal_id: int, status: ProposalState) -> None:
        with self.session() as db:
            row = db.get(ProposalRow, proposal_id)
            if row is not None:
                row.status = status
                row.decided_at = now()

    def add_version(
        self,
        target: str,
        content: str,
        sha256: str,
        reason: VersionReason,
        proposal_id: int | None = None,
    ) -> None:
        with self.session() as db:
            db.add(
                VersionRow(
                    target=target,
                    sha256=sha256,
                    content=content,
                    reason=reason,
                    proposal_id=proposal_id,
                    created_at=now(),
                )
            )

    def versions(self, target: str) -> list[VersionRow]:
        with self.session() as db:
            query = select(VersionRow).where(VersionRow.target == target)
            return list(db.scalars(query.order_by(VersionRow.id)))

    def proposal(self, proposal_id: int) -> ProposalRow | None:
        with self.session() as db:
            return db.get(ProposalRow, proposal_id)

    def version(self, version_id: int) -> VersionRow | None:
        with self.session() as db:
            return db.get(VersionRow, version_id)

    def all_versions(self) -> list[VersionRow]:
        with self.session() as db:
            return list(db.scalars(select(VersionRow).order_by(VersionRow.id)))

    def proposal_items(self, proposal_id: int) -> list[ProposalItemRow]:
        with self.session() as db:
            query = select(ProposalItemRow).where(ProposalItemRow.proposal_id == proposal_id)
            return list(db.scalars(query.order_by(ProposalItemRow.number)))

    def items_of_lesson(self, lesson_id: str) -> list[ProposalItemRow]:
        with self.session() as db:
            query = select(ProposalItemRow).where(ProposalItemRow.lesson_id == lesson_id)
            return list(db.scalars(query.order_by(ProposalItemRow.proposal_id)))

    def decide_items(
        self, proposal_id: int, numbers: Iterable[int], decision: ItemDecision
    ) -> None:
        with self.session() as db:
            for number in numbers:
                row = db.get(ProposalItemRow, (proposal_id, number))
                if row is not None:
                    row.decision = decision
                    row.decided_at = now()

    def rebase(self, proposal_id: int, base_sha256: str) -> None:
        """The proposal now applies to the target as written by a partial accept."""
        with self.session() as db:
            row = db.get(ProposalRow, proposal_id)
            if row is not None:
                row.base_sha256 = base_sha256

    def intend_accept(self, intent: AcceptIntentRow, before: VersionRow | None) -> None:
        """Record an accept's intent (and the target's version before it) ahead of its write."""
        with self.session() as db:
            if before is not None:
                db.add(before)
            db.merge(intent)

    def accept_intents(self) -> list[AcceptIntentRow]:
        with self.session() as db:
            return list(db.scalars(select(AcceptIntentRow).order_by(AcceptIntentRow.proposal_id)))

    def drop_accept_intent(self, proposal_id: int) -> None:
        with self.session() as db:
            db.execute(delete(AcceptIntentRow).where(AcceptIntentRow.proposal_id == proposal_id))

    def refuse(self, target: str, lesson_ids: Iterable[str], how: Refusal) -> None:
        """These lessons are never proposed again for this target."""
        with self.session() as db:
            for lesson_id in lesson_ids:
                db.merge(RefusalRow(target=target, lesson_id=lesson_id, how=how, created_at=now()))

    def unrefuse(self, target: str, lesson_ids: Iterable[str]) -> None:
        """A person accepted these lessons for this target after all."""
        wanted = list(lesson_ids)
        if not wanted:
            return
        with self.session() as db:
            db.execute(
                delete(RefusalRow).where(
                    RefusalRow.target == target, RefusalRow.lesson_id.in_(wanted)
                )
            )

    def refused_for(self, target: str) -> set[str]:
        """The lessons a person refused for this target."""
        with self.session() as db:
            query = select(RefusalRow.lesson_id).where(RefusalRow.target == target)
            return set(db.scalars(query))

    def refusals_of(self, lesson_id: str) -> list[RefusalRow]:
        """The targets a person refused this lesson for, oldest first."""
        with self.session() as db:
            query = select(RefusalRow).where(RefusalRow.lesson_id == lesson_id)
            return list(db.scalars(query.order_by(RefusalRow.created_at, RefusalRow.target)))
