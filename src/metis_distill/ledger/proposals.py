"""Proposals, their numbered items, and every version of every context file written."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from metis_distill.ledger.base import Repository
from metis_distill.ledger.schema import (
    ProposalItemRow,
    ProposalRow,
    VersionRow,
    now,
)
from metis_distill.statuses import ItemDecision, ProposalState, VersionReason


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

    def add_proposal(self, row: ProposalRow) -> ProposalRow:
        """Store a new pending proposal; it supersedes the target's earlier pending one."""
        with self.session() as db:
            for old in db.scalars(
                select(ProposalRow).where(
                    ProposalRow.target == row.target,
                    ProposalRow.status == ProposalState.PENDING,
                )
            ):
                old.status = ProposalState.SUPERSEDED
                old.decided_at = now()
            db.add(row)
            db.flush()
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

    def add_items(self, rows: Iterable[ProposalItemRow]) -> None:
        with self.session() as db:
            db.add_all(list(rows))

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

    def set_folder(self, proposal_id: int, folder: str) -> None:
        with self.session() as db:
            row = db.get(ProposalRow, proposal_id)
            if row is not None:
                row.folder = folder
