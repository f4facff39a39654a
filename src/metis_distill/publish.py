"""Proposing the curated lessons: each target's lessons (placed among the repository's
context files: the team's, a part of the tree's, one machine's or person's), ranked and cut to
budget, checked by the tripwires, stored as a proposal with the notes the review shows (lessons
retired and why, lessons not working, recovery metrics).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from metis_distill import tripwires
from metis_distill.config import Settings
from metis_distill.curate.answered import without_answered_warnings
from metis_distill.curate.earned import HeldBack, held_back
from metis_distill.curate.merge import DEFAULT_PARAPHRASE_DISTANCE
from metis_distill.curate.retire import DEFAULT_RETIRE_AFTER_DAYS
from metis_distill.curate.select import (
    Budget,
    Scope,
    budgeted,
    lessons_for,
    lessons_in_scope,
    not_refused,
    verified,
)
from metis_distill.errors import ProposalError
from metis_distill.ledger import (
    Change,
    Ledger,
    LessonStatus,
    LessonView,
    ProposalRow,
    ProposalState,
    VersionReason,
)
from metis_distill.mine.recovery import Span, metrics, per_lesson
from metis_distill.placement.agents import agents_of, fits, said_of
from metis_distill.placement.documented import (
    Documented,
    already_documented,
    documents,
    statements,
)
from metis_distill.placement.files import (
    TreeFiles,
    codex_size_warning,
    is_user_level,
    not_ignored_warning,
)
from metis_distill.placement.locality import personal
from metis_distill.placement.place import Destination, Placement, Rules, Why, place
from metis_distill.provenance import QuotedSpan, Spread, checking, this_process
from metis_distill.render.claude_md import ExistingBlock, find_block, marker_problem
from metis_distill.review.git import record_merged
from metis_distill.review.notes import ProposalNotes, Retirement
from metis_distill.review.proposal import (
    LOCK_TIMEOUT,
    Plan,
    foreign_ids,
    learn,
    make_plan,
    recover_accepts,
    save_plan,
    target_key,
)
from metis_distill.review.target import read_target, sha256_text
from metis_distill.run_report import OtherFile, ProposalOutcome, RunSummary
from metis_distill.statuses import PublishStatus, RetiredReason
from metis_distill.targets import Route, repository_root, unmatched_aliases
from metis_distill.textio import remove_temps

_NO_BLOCK = ExistingBlock(0, 0, "", (), False)
_WAITING = (ProposalState.PENDING, ProposalState.NEEDS_HUMAN)
RUN_PREVIOUS = "run:previous"  # the counts of the run before, for the jump tripwire


@dataclass(frozen=True)
class Curation:
    """The curation settings the stages need, as plain data (from `Settings` or defaults)."""

    budget: Budget = field(default_factory=Budget)
    thresholds: tripwires.Thresholds = field(default_factory=tripwires.Thresholds)
    routes: tuple[Route, ...] = ()
    retire_after_days: int = DEFAULT_RETIRE_AFTER_DAYS
    paraphrase_distance: float = DEFAULT_PARAPHRASE_DISTANCE
    tree_files: TreeFiles = TreeFiles.RULES
    personal_file: str = ""

    def rules(self) -> Rules:
        return Rules(self.routes, self.tree_files, self.personal_file)

    @classmethod
    def of(cls, settings: Settings) -> Curation:
        return cls(
            budget=Budget.from_settings(settings.budgets),
            thresholds=settings.tripwires,
            routes=tuple(settings.curate.routes),
            retire_after_days=settings.curate.retire_after_days,
            paraphrase_distance=settings.curate.paraphrase_distance,
            tree_files=TreeFiles(settings.curate.tree_files),
            personal_file=settings.curate.personal_file,
        )


def target_scope(target: Path, all_projects: bool, aliases: Sequence[str]) -> Scope:
    """Which runs feed the target: those of its repository (and aliases), or every run."""
    if all_projects:
        return Scope(None)
    return Scope(str(repository_root(target)), tuple(aliases))


def publish_targets(
    target: Path,
    ledger: Ledger,
    proposals_dir: Path,
    *,
    scope: Scope,
    run: RunSummary,
    locks_dir: Path,
    curation: Curation,
    processes: Spread = this_process,
) -> list[ProposalOutcome]:
    """One proposal per context file: the target first, then the files its lessons are placed
    in (routes, parts of the tree, the personal file). The run's counts are compared with the
    previous run's once. The first outcome carries every file's warnings and the others. The
    evidence is checked in `processes(its bytes)` forked processes (default: this one)."""
    record_merged(ledger, locks_dir)  # a `propose --git` branch merged since: an accept
    root = repository_root(target)
    in_scope = lessons_in_scope(ledger, scope)
    held = [held_back(v) for v in in_scope]
    unheld = [v for v, why in zip(in_scope, held, strict=True) if why is None]
    earned_here = without_answered_warnings(unheld, among=in_scope)
    ran_later = len(lessons_in_scope(ledger, scope, retired=RetiredReason.RAN_LATER))
    waiting = len(in_scope) - len(earned_here) + ran_later
    waiting_why = Counter(why for why in held if why is not None)
    waiting_why[HeldBack.RAN_LATER] += ran_later  # retired, back when it fails here again
    waiting_why = +waiting_why  # none of them: not said
    documented = already_documented(earned_here, statements(root, documents(root)))
    earned_here = [v for v in earned_here if v.id not in documented]
    written = {Path(v.target) for v in ledger.all_versions()}
    placement = place(earned_here, target, root, curation.rules(), sorted(written))
    current = run.tripwire_stats()
    stored = ledger.meta(RUN_PREVIOUS)
    previous = tripwires.RunStats(**stored) if isinstance(stored, dict) else None
    with checking(_evidence(earned_here), processes):  # each file read and redacted once
        outcomes = [
            _publish_one(
                where,
                root,
                _lessons_of(where, placement, ledger, root),
                ledger,
                proposals_dir,
                run=run,
                locks_dir=locks_dir,
                curation=curation,
                stats=(current, previous),
                scope=scope,
                waiting=(waiting, dict(waiting_why.most_common())),
                documented=list(documented.values()),
            )
            for where in placement.files
        ]
    if current.events:  # a night with nothing new is no yardstick for the next one
        ledger.set_meta(RUN_PREVIOUS, asdict(current))
    warnings = [
        f"alias {alias} matches no run's cwd: is it spelled as the runs recorded it?"
        for alias in unmatched_aliases(scope.aliases, ledger.run_cwds())
    ]
    warnings += [w for o in outcomes for w in o.warnings]
    others = tuple(_other(w, o) for w, o in zip(placement.files[1:], outcomes[1:], strict=True))
    held_for = tuple(said_of(agents_of(v)) for v in placement.held_back)
    first = outcomes[0].model_copy(
        update={"warnings": tuple(warnings), "others": others, "other_agents": held_for}
    )
    return [first, *outcomes[1:]]


def _lessons_of(
    where: Destination, placement: Placement, ledger: Ledger, root: Path
) -> list[LessonView]:
    """A file's lessons; a personal file outside the repository serves every project of the
    user, so it takes the facts of this machine from the runs of all of them."""
    if where.why != Why.PERSONAL or not is_user_level(where.path, root):
        return placement.of(where.path)
    everyone = lessons_for(ledger, Scope(None))
    mine = personal(everyone, root)
    return [v for v in everyone if v.id in mine and fits(v, where.path)]


def _other(where: Destination, outcome: ProposalOutcome) -> OtherFile:
    return OtherFile(
        target=str(where.path),
        why=where.why,
        part=where.part,
        status=outcome.status,
        proposal_id=outcome.proposal_id,
        added=outcome.added,
        removed=outcome.removed,
        folder=outcome.folder,
    )


def _evidence(lessons: Sequence[LessonView]) -> list[QuotedSpan]:
    return [
        (Path(e.archive_root) / e.path, e.line_start, e.line_end, e.quote)
        for lesson in lessons
        for e in lesson.evidence
    ]


def _publish_one(
    where: Destination,
    root: Path,
    lessons: Sequence[LessonView],
    ledger: Ledger,
    proposals_dir: Path,
    *,
    run: RunSummary,
    locks_dir: Path,
    curation: Curation,
    stats: tuple[tripwires.RunStats, tripwires.RunStats | None],
    scope: Scope,
    waiting: tuple[int, dict[str, int]] = (0, {}),
    documented: Sequence[Documented] = (),
) -> ProposalOutcome:
    """`waiting`: the lessons in scope that have not earned a line, and how many for each
    reason `held_back` gives."""
    target = where.path
    chosen = budgeted(not_refused(lessons, ledger, target), curation.budget, verify=verified)
    shown = sum(len(v) for v in chosen.values())
    known = ledger.counts()["lessons"]
    active = len(ledger.lessons(status=LessonStatus.ACTIVE))
    recover_accepts(ledger, locks_dir)  # the target as an interrupted accept left it, recorded
    locks_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks_dir / f"{target_key(target)}.lock"), timeout=LOCK_TIMEOUT):
        remove_temps(proposals_dir / target_key(target))  # left by a run killed mid-write
        broken = marker_problem(read_target(target))
        plan = None if broken else _learned(_planned(where, chosen, ledger), ledger)
        if plan is None:
            closed = _close_stale(ledger, target)
            return ProposalOutcome(
                status=PublishStatus.MARKERS_BROKEN if broken else PublishStatus.NOTHING,
                proposal_id=None,
                folder=None,
                added=0,
                removed=0,
                lessons_shown=shown,
                lessons_known=known,
                lessons_active=active,
                target=str(target),
                lessons_waiting=waiting[0],
                waiting_why=waiting[1],
                already_documented=_stated(documented),
                closed=closed,
                warnings=(f"{target}: {broken}; nothing is proposed for it until then",)
                if broken
                else (),
            )
        reasons = _tripped(plan, curation.thresholds, stats)
        warnings = [w for w in _warnings(plan, where, root) if w]
        notes = curation_notes(ledger, target, scope, plan, run, reasons, documented)
        # A stopped proposal is never pending (`accept` must not apply it blindly): it is
        # stored as needing a human at once, and replaces the pending one too.
        stored_as = ProposalState.NEEDS_HUMAN if reasons else ProposalState.PENDING
        row, created = save_plan(plan, ledger, proposals_dir, notes, run, stored_as, _WAITING)
    changes = [i.change for i in plan.items]
    status = (
        PublishStatus.NEEDS_HUMAN
        if reasons
        else PublishStatus.CREATED
        if created
        else PublishStatus.UNCHANGED
    )
    return ProposalOutcome(
        status=status,
        proposal_id=row.id,
        folder=row.folder,
        added=changes.count(Change.ADDED),
        removed=changes.count(Change.REMOVED) + changes.count(Change.RETIRED),
        reworded=changes.count(Change.REWORDED),
        lessons_shown=shown,
        lessons_known=known,
        lessons_active=active,
        reasons=tuple(reasons),
        target=str(target),
        lessons_waiting=waiting[0],
        waiting_why=waiting[1],
        warnings=tuple(warnings),
        already_documented=_stated(documented),
    )


def _close_stale(ledger: Ledger, target: Path) -> tuple[int, ...]:
    """Proposals waiting on the target as it was before a person changed it, when there is
    nothing to propose now: closed (superseded), or they would wait forever, never acceptable."""
    where = str(target.resolve())
    now = sha256_text(read_target(target))
    waiting = (r for state in _WAITING for r in ledger.proposals_with_status(state, where))
    stale = sorted(r.id for r in waiting if r.base_sha256 != now)
    ledger.set_proposal_status(stale, ProposalState.SUPERSEDED)
    return tuple(stale)


def _planned(
    where: Destination, chosen: dict[str, list[LessonView]], ledger: Ledger
) -> Plan | None:
    """The target's plan, where the lines another ledger wrote into the block (a teammate's,
    committed with the file) stay as they are: this ledger removes only its own."""
    foreign = foreign_ids(ledger, read_target(where.path))
    return make_plan(where.path, chosen, where.preamble, foreign)


def _learned(plan: Plan | None, ledger: Ledger) -> Plan | None:
    """The plan once the hand edits of the block are learned (the lines people deleted are
    not added back): what the tripwires check and the summary counts, as the review shows it."""
    if plan is None:
        return None
    plan = learn(plan, ledger)
    return plan if plan.proposed != plan.current else None


def _stated(documented: Sequence[Documented]) -> tuple[str, ...]:
    return tuple(f"{d.lesson_id} ({d.where})" for d in documented)


def _warnings(plan: Plan, where: Destination, root: Path) -> list[str | None]:
    """Codex's size limit near; a personal file that git would commit."""
    ignored = not_ignored_warning(plan.target, root) if where.why == Why.PERSONAL else None
    return [codex_size_warning(plan.target, plan.proposed, root), ignored]


def _tripped(
    plan: Plan,
    thresholds: tripwires.Thresholds,
    run: tuple[tripwires.RunStats, tripwires.RunStats | None],
) -> list[str]:
    existing = find_block(plan.current)
    proposed = find_block(plan.proposed)
    before = list(existing.ids) if existing else []
    after = list(proposed.ids) if proposed else []
    added = {i.id: i.text for i in plan.items if i.change in (Change.ADDED, Change.REWORDED)}
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
    where = str(target.resolve()) if target is not None else None
    waiting = ledger.proposals_with_status(ProposalState.NEEDS_HUMAN, where)
    if not waiting:
        named = f" for {target}" if target else ""
        raise ProposalError(f"no proposal needs a human{named}", hint="nothing to release")
    if len({w.target for w in waiting}) > 1:
        names = ", ".join(sorted({w.target for w in waiting}))
        raise ProposalError(f"several targets wait: {names}", hint="name one with --target")
    row = waiting[0]
    ledger.make_pending(row.id)
    row.status = ProposalState.PENDING
    return row


def curation_notes(
    ledger: Ledger,
    target: Path,
    scope: Scope,
    plan: Plan,
    run: RunSummary,
    tripped: Sequence[str] = (),
    documented: Sequence[Documented] = (),
) -> ProposalNotes:
    """What the review report shows beside the diff: the run's usage notes, the tripwires,
    lessons retired and why, accepted lessons whose failure came back, and the recovery
    metrics of the target's runs."""
    removed = [i.id for i in plan.items if i.change == Change.REMOVED]
    retired = {}
    for lesson_id in removed:
        row = ledger.lesson(lesson_id)
        if row is not None and row.status == LessonStatus.RETIRED:
            retired[lesson_id] = Retirement(reason=row.retired_reason, retired_by=row.retired_by)
    rows = [r for r in ledger.recoveries() if scope.root is None or scope.accepts_cwd(r.cwd)]
    shown = [i for i in (find_block(plan.proposed) or _NO_BLOCK).ids]
    spans = {
        lesson_id: [Span(*e) for e in found]
        for lesson_id, found in ledger.evidence_spans(shown).items()
    }
    usage = run.extraction
    return ProposalNotes.model_validate(
        {
            "extractor": run.extractor,
            "usage_note": usage.usage_note if usage else None,
            "pending_note": usage.pending_note if usage else None,
            "tripwires": list(tripped),
            "retired": retired,
            "lessons_not_working": [asdict(x) for x in lessons_not_working(ledger, target)],
            "recovery": metrics(rows),
            "recovery_by_lesson": per_lesson(spans, rows),
            "already_documented": [asdict(d) for d in documented],
        }
    )


def lessons_not_working(ledger: Ledger, target: Path) -> list[tripwires.Recurring]:
    """Failure lessons of accepted versions of the target seen again after their acceptance."""
    accepted: dict[str, datetime] = {}
    for version in ledger.versions(str(target.resolve())):
        block = find_block(version.content) if version.reason == VersionReason.ACCEPTED else None
        for lesson_id in block.ids if block else ():
            accepted.setdefault(lesson_id, version.created_at)
    rows = {r.id: r for r in ledger.lessons() if r.id in accepted and r.kind == "failure"}
    evidence = ledger.evidence_of(list(rows))
    sightings = {
        i: [tripwires.Sighting(e.session_id, e.timestamp, e.native_id) for e in found]
        for i, found in evidence.items()
    }
    when = {i: accepted[i] for i in rows}
    return tripwires.not_working(when, sightings, {i: r.text for i, r in rows.items()})
