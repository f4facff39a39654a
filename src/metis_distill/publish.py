"""Proposing the curated lessons: each target's lessons (routed among the repository's
context files), ranked and cut to budget, checked by the tripwires, stored as a proposal with
the notes the review shows (lessons retired and why, lessons not working, recovery metrics).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock
from sqlalchemy import select

from metis_distill import tripwires
from metis_distill.config import Settings
from metis_distill.curate.merge import DEFAULT_PARAPHRASE_DISTANCE
from metis_distill.curate.retire import DEFAULT_RETIRE_AFTER_DAYS
from metis_distill.curate.select import Budget, Scope, budgeted, lessons_for, verified
from metis_distill.errors import ProposalError
from metis_distill.ledger import Ledger, LessonView, ProposalRow, ProposalStatus
from metis_distill.mine.recovery import Span, metrics, per_lesson
from metis_distill.render.claude_md import ExistingBlock, find_block
from metis_distill.review.proposal import (
    LOCK_TIMEOUT,
    Plan,
    make_plan,
    recover_accepts,
    save_plan,
    target_key,
)
from metis_distill.targets import Route, lesson_scope, repository_root, route
from metis_distill.textio import remove_temps

_NO_BLOCK = ExistingBlock(0, 0, "", (), False)
_WAITING = (ProposalStatus.PENDING, ProposalStatus.NEEDS_HUMAN)
RUN_CURATED = "run:curated"  # this run's curation counts, for the tripwires at propose
RUN_PREVIOUS = "run:previous"  # the counts of the run before, for the jump tripwire


@dataclass(frozen=True)
class ProposalOutcome:
    status: str  # created | unchanged | nothing | needs_human
    proposal_id: int | None
    folder: str | None
    added: int
    removed: int
    lessons_shown: int
    lessons_known: int = 0  # lessons of every project, whatever their status
    lessons_active: int = 0  # active lessons of every project
    reasons: tuple[str, ...] = ()  # why a human is needed (tripwires)
    target: str | None = None


@dataclass(frozen=True)
class Curation:
    """The curation settings the stages need, as plain data (from `Settings` or defaults)."""

    budget: Budget = field(default_factory=Budget)
    thresholds: tripwires.Thresholds = field(default_factory=tripwires.Thresholds)
    routes: tuple[Route, ...] = ()
    retire_after_days: int = DEFAULT_RETIRE_AFTER_DAYS
    paraphrase_distance: float = DEFAULT_PARAPHRASE_DISTANCE

    @classmethod
    def of(cls, settings: Settings) -> Curation:
        return cls(
            budget=Budget(
                unit=settings.budget_unit,
                per_section=settings.section_budget,
                sections={str(k): v for k, v in settings.section_budgets.items()},
                block_lines=settings.block_max_lines,
            ),
            thresholds=tripwires.Thresholds(
                max_removed_share=settings.tripwire_max_removed_share,
                min_block_lessons=settings.tripwire_min_block_lessons,
                jump_factor=settings.tripwire_jump_factor,
                jump_min=settings.tripwire_jump_min,
                max_error_rate=settings.tripwire_max_error_rate,
                min_errors=settings.tripwire_min_errors,
            ),
            routes=tuple(settings.routes),
            retire_after_days=settings.retire_after_days,
            paraphrase_distance=settings.paraphrase_distance,
        )


def routed(
    lessons: Sequence[LessonView], root: Path, routes: Sequence[Route]
) -> dict[str | None, list[LessonView]]:
    """The lessons per context file: a route's path, or None for the target itself."""
    found: dict[str | None, list[LessonView]] = {None: [], **{r.path: [] for r in routes}}
    for lesson in lessons:
        where = route(lesson_scope(lesson.scope, [e.cwd for e in lesson.evidence], root), routes)
        found[where].append(lesson)
    return found


def propose_targets(
    target: Path,
    ledger: Ledger,
    proposals_dir: Path,
    *,
    scope: Scope,
    summary: dict[str, object],
    locks_dir: Path,
    curation: Curation,
) -> list[ProposalOutcome]:
    """One proposal per context file: the target, then each route's file (relative to the
    target's repository). The run's counts are compared with the previous run's once."""
    root = repository_root(target)
    groups = routed(lessons_for(ledger, scope), root, curation.routes)
    current = tripwires.RunStats.from_summary(summary, _run_failures(ledger))
    stored = ledger.meta(RUN_PREVIOUS)
    previous = tripwires.RunStats(**stored) if isinstance(stored, dict) else None
    files = [(target, groups[None])]
    files += [(root / r.path, groups[r.path]) for r in curation.routes]
    outcomes = [
        _propose_one(
            path,
            lessons,
            ledger,
            proposals_dir,
            summary=summary,
            locks_dir=locks_dir,
            curation=curation,
            run=(current, previous),
            scope=scope,
        )
        for path, lessons in files
    ]
    if current.events:  # a night with nothing new is no yardstick for the next one
        ledger.set_meta(RUN_PREVIOUS, asdict(current))
    return outcomes


def _run_failures(ledger: Ledger) -> int:
    curated = ledger.meta(RUN_CURATED)
    return int(curated.get("failures", 0)) if isinstance(curated, dict) else 0


def _propose_one(
    target: Path,
    lessons: Sequence[LessonView],
    ledger: Ledger,
    proposals_dir: Path,
    *,
    summary: dict[str, object],
    locks_dir: Path,
    curation: Curation,
    run: tuple[tripwires.RunStats, tripwires.RunStats | None],
    scope: Scope,
) -> ProposalOutcome:
    chosen = budgeted(lessons, curation.budget, verify=verified)
    shown = sum(len(v) for v in chosen.values())
    known = ledger.counts()["lessons"]
    active = len(ledger.lessons(status="active"))
    recover_accepts(ledger, locks_dir)  # the target as an interrupted accept left it, recorded
    locks_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks_dir / f"{target_key(target)}.lock"), timeout=LOCK_TIMEOUT):
        remove_temps(proposals_dir / target_key(target))  # left by a run killed mid-write
        plan = make_plan(target, chosen)
        if plan is None:
            return ProposalOutcome(
                "nothing", None, None, 0, 0, shown, known, active, target=str(target)
            )
        reasons = _tripped(plan, curation.thresholds, run)
        notes = curation_notes(ledger, target, scope, plan)
        full = {**summary, **notes, "tripwires": reasons}
        # A stopped proposal is never pending (`accept` must not apply it blindly): it is
        # stored as needing a human at once, and replaces the pending one too.
        stored_as = ProposalStatus.NEEDS_HUMAN if reasons else ProposalStatus.PENDING
        row, created = save_plan(plan, ledger, proposals_dir, full, stored_as, _WAITING)
    added = sum(i.change == "added" for i in plan.items)
    status = "needs_human" if reasons else "created" if created else "unchanged"
    return ProposalOutcome(
        status,
        row.id,
        row.folder,
        added,
        len(plan.items) - added,
        shown,
        known,
        active,
        tuple(reasons),
        str(target),
    )


def _tripped(
    plan: Plan,
    thresholds: tripwires.Thresholds,
    run: tuple[tripwires.RunStats, tripwires.RunStats | None],
) -> list[str]:
    existing = find_block(plan.current)
    proposed = find_block(plan.proposed)
    before = list(existing.ids) if existing else []
    after = list(proposed.ids) if proposed else []
    added = {i.id: i.text for i in plan.items if i.change == "added"}
    return tripwires.check(
        before=before,
        after=after,
        added=added,
        current=run[0],
        previous=run[1],
        thresholds=thresholds,
    )


def release(ledger: Ledger, target: Path | None = None) -> ProposalRow:
    """A human read why a tripwire stopped the proposal and lets it through: it becomes the
    target's pending proposal, to review and accept (or reject) as usual. Without a target,
    the only proposal that needs a human."""
    with ledger.session() as db:
        query = select(ProposalRow).where(ProposalRow.status == "needs_human")
        if target is not None:
            query = query.where(ProposalRow.target == str(target.resolve()))
        waiting = list(db.scalars(query.order_by(ProposalRow.id.desc())))
        if not waiting:
            where = f" for {target}" if target else ""
            raise ProposalError(f"no proposal needs a human{where}", hint="nothing to release")
        if len({w.target for w in waiting}) > 1:
            names = ", ".join(sorted({w.target for w in waiting}))
            raise ProposalError(f"several targets wait: {names}", hint="name one with --target")
        row = waiting[0]
        for other in db.scalars(
            select(ProposalRow).where(
                ProposalRow.target == row.target, ProposalRow.status == "pending"
            )
        ):
            other.status = "superseded"
        row.status = "pending"
        return row


def curation_notes(ledger: Ledger, target: Path, scope: Scope, plan: Plan) -> dict[str, object]:
    """What the review report shows beside the diff: lessons retired and why, accepted
    lessons whose failure came back, and the recovery metrics of the target's runs."""
    removed = [i.id for i in plan.items if i.change == "removed"]
    retired = {}
    for lesson_id in removed:
        row = ledger.lesson(lesson_id)
        if row is not None and row.status == "retired":
            retired[lesson_id] = {"reason": row.retired_reason, "retired_by": row.retired_by}
    rows = [r for r in ledger.recoveries() if scope.root is None or scope.accepts_cwd(r.cwd)]
    shown = [i for i in (find_block(plan.proposed) or _NO_BLOCK).ids]
    spans = {
        lesson_id: [Span(e.archive_root, e.path, e.line_start, e.line_end) for e in found]
        for lesson_id, found in ledger.evidence_of(shown).items()
    }
    return {
        "retired": retired,
        "lessons_not_working": lessons_not_working(ledger, target),
        "recovery": metrics(rows),
        "recovery_by_lesson": per_lesson(spans, rows),
    }


def lessons_not_working(ledger: Ledger, target: Path) -> list[dict[str, object]]:
    """Failure lessons of accepted versions of the target seen again after their acceptance."""
    accepted: dict[str, datetime] = {}
    for version in ledger.versions(str(target.resolve())):
        block = find_block(version.content) if version.reason == "accepted" else None
        for lesson_id in block.ids if block else ():
            accepted.setdefault(lesson_id, version.created_at)
    rows = {r.id: r for r in ledger.lessons() if r.id in accepted and r.kind == "failure"}
    evidence = ledger.evidence_of(list(rows))
    sightings = {
        i: [tripwires.Sighting(e.session_id, e.timestamp) for e in found]
        for i, found in evidence.items()
    }
    when = {i: accepted[i] for i in rows}
    return tripwires.not_working(when, sightings, {i: r.text for i, r in rows.items()})
