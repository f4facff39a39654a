"""Proposals: stored, reviewed and decided item by item.

`distill` never edits the target. `accept` applies the chosen items atomically, only if the
target is still what the proposal was made against; `reject` remembers what was refused.
A proposal stays pending while some of its items wait for a decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

from filelock import FileLock

from metis_distill.conversations import support
from metis_distill.errors import ProposalError, TargetChangedError
from metis_distill.faults import checkpoint
from metis_distill.ledger import (
    AcceptIntentRow,
    Ledger,
    ProposalItemRow,
    ProposalRow,
    VersionRow,
    now,
)
from metis_distill.redact import redact
from metis_distill.render.claude_md import find_block
from metis_distill.review import layout as layouts
from metis_distill.review.choose import choose_pending
from metis_distill.review.evidence import place_notes, prune_notes, write_plan_notes
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.plan import (
    MAX_REPORT_EVIDENCE,
    EvidenceItem,
    Item,
    Plan,
    drop_items,
    evidence_item,
    foreign_ids,
    make_plan,
    unified_diff,
)
from metis_distill.review.refusals import Refused, refuse
from metis_distill.review.report import refresh, write_reports
from metis_distill.review.target import read_target, sha256_text
from metis_distill.run_report import RunSummary
from metis_distill.statuses import (
    Change,
    ItemDecision,
    LessonStatus,
    ProposalOrigin,
    ProposalState,
    Refusal,
    VersionReason,
    WordingSource,
)
from metis_distill.textio import atomic_write_text, remove_temps

__all__ = [
    "LOCK_TIMEOUT",
    "STALE_HINT",
    "Decision",
    "EvidenceItem",
    "Item",
    "Plan",
    "accept",
    "accept_waiting",
    "foreign_ids",
    "learn",
    "make_plan",
    "read_target",
    "recover_accepts",
    "reject",
    "save_plan",
    "sha256_text",
    "target_key",
    "unified_diff",
]

STALE_HINT = (
    "run `metis distill` again to make a fresh proposal (it closes this one), "
    "or drop this one with `metis reject`"
)
LOCK_TIMEOUT = 60  # seconds to wait for another propose/accept/reject of the same target


@dataclass(frozen=True)
class Decision:
    """What one accept or reject did."""

    row: ProposalRow
    numbers: tuple[int, ...]  # the items decided now
    written: bool  # the target was rewritten
    remaining: int  # items of the proposal still waiting
    recovered: bool = False  # an accept a crash had stopped, finished now
    refused: Refused | None = None  # a reject: the lessons never proposed again, and where


def target_key(target: Path) -> str:
    digest = hashlib.sha1(str(target.resolve()).encode("utf-8")).hexdigest()[:10]
    return f"{target.name}-{digest}"


def save_plan(
    plan: Plan,
    ledger: Ledger,
    proposals_dir: Path,
    notes: ProposalNotes,
    run: RunSummary | None = None,
    status: ProposalState = ProposalState.PENDING,
    supersede: Sequence[ProposalState] = (ProposalState.PENDING,),
) -> tuple[ProposalRow, bool]:
    """Store the plan as the target's proposal in `status` (row, its items and its files in one
    transaction), superseding the target's proposals in the `supersede` statuses; (row, False)
    if a proposal in `status` is the same as before. Wordings people gave lines inside the
    block are learned here, before anything else."""
    target = str(plan.target.resolve())
    plan = _with_removed_details(learn(plan, ledger), ledger)
    base = sha256_text(plan.current)
    for waiting in ledger.proposals_with_status(status, target):
        same = Path(waiting.folder, "proposed.md")
        if (
            waiting.base_sha256 == base
            and same.is_file()
            and same.read_bytes() == plan.proposed.encode("utf-8")
        ):
            return waiting, False
    row = ProposalRow(
        target=target,
        base_sha256=base,
        status=status,
        folder="",
        lesson_ids=[i.id for i in plan.items if i.change == Change.ADDED],
        summary=notes.stored(run),
        created_at=now(),
        origin=plan.origin,
        layout=layouts.to_json(plan.layout),
    )

    def publish(stored: ProposalRow) -> str:
        folder = proposals_dir / target_key(plan.target) / f"{stored.id:05d}"
        _write_files(plan, stored, folder, notes, run)
        return str(folder)

    items = partial(_item_rows, plan.items)
    return ledger.add_proposal(row, items, publish, supersede), True


def _item_rows(items: Sequence[Item], proposal_id: int) -> list[ProposalItemRow]:
    return [_item_row(proposal_id, item) for item in items]


def learn(plan: Plan, ledger: Ledger) -> Plan:
    """What people did inside the block, remembered: their wordings become the lessons' own
    (redacted like any text that leaves the file), their deletions refusals for this file; the
    plan without the lines they deleted. Learning twice changes nothing more."""
    target = str(plan.target.resolve())
    learned = tuple((lesson_id, redact(words)) for lesson_id, words in plan.learned)
    for lesson_id, words in learned:
        ledger.learn_wording(lesson_id, words, WordingSource.HAND_EDIT, target)
    deleted = hand_deleted(plan, ledger)
    refuse(ledger, target, deleted, Refusal.HAND_DELETED)
    plan = drop_items(plan, deleted, (Change.ADDED,))
    return replace(plan, learned=learned, deleted=tuple(deleted))


def hand_deleted(plan: Plan, ledger: Ledger) -> list[str]:
    """Lessons whose lines metis last wrote into the block and a person has deleted since."""
    if not plan.hand_edited:
        return []
    written = [
        v for v in ledger.versions(str(plan.target.resolve())) if v.reason == VersionReason.ACCEPTED
    ]
    last = find_block(written[-1].content) if written else None
    now = find_block(plan.current)
    if last is None or now is None:
        return []
    return sorted(set(last.ids) - set(now.ids))


def _item_row(proposal_id: int, item: Item) -> ProposalItemRow:
    return ProposalItemRow(
        proposal_id=proposal_id,
        number=item.number,
        change=item.change,
        lesson_id=item.id,
        kind=item.kind,
        text=item.text,
        before=item.before,
        decision=ItemDecision.PENDING,
    )


def _with_removed_details(plan: Plan, ledger: Ledger) -> Plan:
    """A removed line says why (its lesson retired) and shows the evidence it had."""
    removed = [i.id for i in plan.items if i.change == Change.REMOVED]
    if not removed:
        return plan
    evidence = ledger.evidence_of(removed)
    items = []
    for item in plan.items:
        lesson = ledger.lesson(item.id) if item.change == Change.REMOVED else None
        if lesson is not None:
            rows = evidence[item.id]
            item = replace(
                item,
                change=Change.RETIRED if lesson.status == LessonStatus.RETIRED else Change.REMOVED,
                kind=item.kind or lesson.kind,
                support=support(rows),
                evidence=tuple(evidence_item(plan.target, e) for e in rows[:MAX_REPORT_EVIDENCE]),
            )
        items.append(item)
    return replace(plan, items=tuple(items))


def _write_files(
    plan: Plan, row: ProposalRow, folder: Path, notes: ProposalNotes, run: RunSummary | None
) -> None:
    meta = {
        "id": row.id,
        "target": str(plan.target.resolve()),
        "base_sha256": row.base_sha256,
        "origin": plan.origin,
        "items": [asdict(i) for i in plan.items],
        "learned": [{"lesson": i, "words": w} for i, w in plan.learned],
        "kept": list(plan.kept),
        "foreign": list(plan.foreign),
        "hand_edited": plan.hand_edited,
        "deleted": list(plan.deleted),
        "preamble": plan.preamble,
        "summary": notes.stored(run),
    }
    write_plan_notes(folder, plan.target.name, plan.notes)
    atomic_write_text(folder / "proposed.md", plan.proposed)
    atomic_write_text(folder / "diff.patch", plan.diff)
    write_reports(plan, row, folder, notes)
    atomic_write_text(folder / "proposal.json", json.dumps(meta, indent=2, default=str) + "\n")
    checkpoint("proposal:written")


def _chosen(row: ProposalRow, items: list[ProposalItemRow], numbers: Sequence[int]) -> list[int]:
    """The items meant: the numbers given, or every item still waiting when none are."""
    waiting = [i.number for i in items if i.decision == ItemDecision.PENDING]
    if not numbers:
        return waiting
    known = {i.number: i for i in items}
    unknown = sorted(set(numbers) - set(known))
    if unknown:
        have = f"its items are 1-{len(items)}" if items else "it has no numbered items"
        raise ProposalError(
            f"proposal #{row.id} has no item {', '.join(map(str, unknown))} ({have})",
            hint="see the numbers with `metis review`",
        )
    done = sorted(n for n in set(numbers) if known[n].decision != ItemDecision.PENDING)
    if done:
        said = ", ".join(f"{n} ({known[n].decision})" for n in done)
        raise ProposalError(f"already decided: item {said}", hint="see `metis review`")
    return sorted(set(numbers))


def accept_merged(ledger: Ledger, row: ProposalRow, base: str, merged: str) -> Decision:
    """A proposal a person merged as a git branch, recorded as an accept of its waiting items
    (call it holding the target's lock): the version before it, then the merged one."""
    items = ledger.proposal_items(row.id)
    waiting = [i.number for i in items if i.decision == ItemDecision.PENDING]
    known = ledger.versions(row.target)
    if base and (not known or known[-1].sha256 != sha256_text(base)):
        ledger.add_version(row.target, base, sha256_text(base), VersionReason.BEFORE, row.id)
    return _record_accept(ledger, row, waiting, merged, wrote=True)


def proposal_lock(locks_dir: Path, target: str) -> FileLock:
    locks_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(locks_dir / f"{target_key(Path(target))}.lock"), timeout=LOCK_TIMEOUT)


def accept(
    ledger: Ledger, locks_dir: Path, target: Path | None = None, numbers: Sequence[int] = ()
) -> Decision:
    """Apply the chosen items (all still waiting when none are named) atomically; refuse if the
    target changed since the proposal was made (or last partly accepted). An accept a crash
    stopped after its write is finished first (and is the answer when nothing else waits)."""
    finished = recover_accepts(ledger, locks_dir)
    wanted = str(target.resolve()) if target else None
    mine = [d for d in finished if wanted in (None, d.row.target)]
    asked = set(numbers)
    if mine and (asked and asked <= set(mine[-1].numbers) or not ledger.pending_proposals(wanted)):
        return mine[-1]  # what was asked for: done by the accept a crash stopped
    row = choose_pending(ledger, target)
    items = ledger.proposal_items(row.id)
    chosen = _chosen(row, items, numbers)
    path = Path(row.target)
    with proposal_lock(locks_dir, row.target):
        _tidy(row)
        current = read_target(path)
        if sha256_text(current) != row.base_sha256:
            raise TargetChangedError(
                f"{path} changed since proposal #{row.id} was made",
                hint=STALE_HINT,
            )
        accepted = {i.number for i in items if i.decision == ItemDecision.ACCEPTED}
        accepted |= set(chosen)
        text = accepted_text(row, items, accepted, current)
        written = text != current
        if written:
            _write_target(ledger, row, current, text, chosen)
        return _record_accept(ledger, row, chosen, text, wrote=written)


def accept_waiting(
    ledger: Ledger, locks_dir: Path, target: Path | None = None, numbers: Sequence[int] = ()
) -> list[Decision]:
    """`metis accept`: the target's proposal; with no target named, no item numbers and
    several proposals waiting (a distill's lessons placed in several files), each of them."""
    pending = ledger.pending_proposals() if target is None and not numbers else []
    if len(pending) <= 1:
        return [accept(ledger, locks_dir, target, numbers)]
    return [accept(ledger, locks_dir, Path(row.target)) for row in pending]


def recover_accepts(ledger: Ledger, locks_dir: Path) -> list[Decision]:
    """Finish the accepts stopped between their intent and their last record (killed around
    the target's rename): when the target holds what the accept wrote, the rest is recorded;
    otherwise the write never happened (or a person changed the file since): the intent goes,
    and the proposal waits as before."""
    done = []
    for intent in ledger.accept_intents():
        path = Path(intent.target)
        with proposal_lock(locks_dir, intent.target):
            remove_temps(path.parent, path.name)
            row = ledger.proposal(intent.proposal_id)
            if row is not None:
                _tidy(row)
            still = intent.proposal_id in {i.proposal_id for i in ledger.accept_intents()}
            current = read_target(path)
            if row is not None and still and sha256_text(current) == intent.sha256:
                decision = _record_accept(ledger, row, intent.numbers, current, wrote=True)
                done.append(replace(decision, recovered=True))
            prune_notes(path, current)  # evidence files the target as it is does not need
            ledger.drop_accept_intent(intent.proposal_id)
    return done


def _tidy(row: ProposalRow) -> None:
    """Temp files a killed accept left beside the target or in the proposal's folder (call it
    holding the target's lock)."""
    target = Path(row.target)
    remove_temps(target.parent, target.name)
    if row.folder:
        remove_temps(Path(row.folder))


def accepted_text(
    row: ProposalRow, items: list[ProposalItemRow], accepted: set[int], current: str
) -> str:
    """Everything accepted: the reviewed file itself; otherwise the base with those items."""
    if accepted == {i.number for i in items}:
        return Path(row.folder, "proposed.md").read_bytes().decode("utf-8")
    return layouts.apply(current, layouts.from_json(row.layout), accepted, preamble_of(row))


def preamble_of(row: ProposalRow) -> str:
    """What the proposal's file starts with when it is new (kept in proposal.json)."""
    meta = Path(row.folder, "proposal.json") if row.folder else None
    if meta is None or not meta.is_file():
        return ""
    found = json.loads(meta.read_text(encoding="utf-8")).get("preamble", "")
    return found if isinstance(found, str) else ""


def _write_target(
    ledger: Ledger, row: ProposalRow, current: str, text: str, chosen: Sequence[int]
) -> None:
    """The evidence files the new text links to, the intent (with the target's version before,
    if not yet kept), the rename, then the evidence files no line needs any more."""
    path = Path(row.target)
    known = ledger.versions(row.target)
    before = None
    if path.exists() and (not known or known[-1].sha256 != sha256_text(current)):
        before = VersionRow(
            target=row.target,
            sha256=sha256_text(current),
            content=current,
            reason=VersionReason.BEFORE,
            proposal_id=row.id,
            created_at=now(),
        )
    intent = AcceptIntentRow(
        proposal_id=row.id,
        target=row.target,
        numbers=list(chosen),
        sha256=sha256_text(text),
        created_at=now(),
    )
    place_notes(path, text, Path(row.folder) if row.folder else None)
    ledger.intend_accept(intent, before)
    checkpoint("accept:intent")
    atomic_write_text(path, text)
    checkpoint("accept:renamed")
    prune_notes(path, text)


def _record_accept(
    ledger: Ledger, row: ProposalRow, chosen: Sequence[int], text: str, *, wrote: bool
) -> Decision:
    """What an accept records once the target holds `text`: the version, the items' decisions,
    the lessons' status. Each step may already be done (an accept finished after a crash)."""
    sha = sha256_text(text)
    known = ledger.versions(row.target)
    last = known[-1] if known else None
    done = last is not None and (last.sha256, last.reason, last.proposal_id) == (
        sha,
        VersionReason.ACCEPTED,
        row.id,
    )
    if wrote and not done:
        ledger.add_version(row.target, text, sha, VersionReason.ACCEPTED, row.id)
    items = ledger.proposal_items(row.id)
    ledger.decide_items(row.id, chosen, ItemDecision.ACCEPTED)
    _remember_accepted(ledger, row, [i for i in items if i.number in chosen])
    decision = _settle(ledger, row, items, list(chosen), sha, ItemDecision.ACCEPTED)
    ledger.drop_accept_intent(row.id)
    checkpoint("accept:recorded")
    return replace(decision, written=wrote)


def _remember_accepted(ledger: Ledger, row: ProposalRow, items: list[ProposalItemRow]) -> None:
    """An added line a person accepted is active again (a rewind may bring back a rejected one),
    and no longer refused for this target; a line a rewind removes is refused, or the next
    distill would bring it back."""
    added = [i.lesson_id for i in items if i.change == Change.ADDED]
    ledger.set_status(added, LessonStatus.ACTIVE)
    ledger.unrefuse(row.target, added)
    if row.origin == ProposalOrigin.REWIND:
        gone = [i.lesson_id for i in items if i.change in (Change.REMOVED, Change.RETIRED)]
        refuse(ledger, row.target, gone, Refusal.REWOUND)
    for item in items:
        if item.change == Change.REWORDED and row.origin == ProposalOrigin.REWIND:
            ledger.learn_wording(item.lesson_id, item.text, WordingSource.REWIND, row.target)


def reject(
    ledger: Ledger, locks_dir: Path, target: Path | None = None, numbers: Sequence[int] = ()
) -> Decision:
    """Refuse the chosen items (all still waiting when none are named). A refused new line's
    lesson is never proposed again for this target, nor anywhere unless another target keeps
    its line as a person accepted it; a refused rewording keeps the old words; a refused
    retirement makes the lesson active again."""
    recover_accepts(ledger, locks_dir)  # an accept a crash stopped is not a proposal to refuse
    row = choose_pending(ledger, target)
    items = ledger.proposal_items(row.id)
    chosen = _chosen(row, items, numbers)
    with proposal_lock(locks_dir, row.target):
        ledger.decide_items(row.id, chosen, ItemDecision.REJECTED)
        refused = [i for i in items if i.number in chosen]
        added = [i.lesson_id for i in refused if i.change == Change.ADDED]
        gone = refuse(ledger, row.target, added, Refusal.REJECTED)
        for item in refused:
            if item.change == Change.REWORDED:
                kept = WordingSource.REWORDING_REJECTED
                ledger.learn_wording(item.lesson_id, item.before, kept, row.target)
        # a retired line a person keeps is a lesson still in force
        kept_in_force = [i.lesson_id for i in refused if i.change == Change.RETIRED]
        ledger.set_status(kept_in_force, LessonStatus.ACTIVE)
        decision = _settle(ledger, row, items, chosen, row.base_sha256, ItemDecision.REJECTED)
        return replace(decision, refused=gone)


def _settle(
    ledger: Ledger,
    row: ProposalRow,
    items: list[ProposalItemRow],
    chosen: list[int],
    sha: str,
    verb: ItemDecision,
) -> Decision:
    """Close the proposal when no item waits any more (accepted if any item was); otherwise it
    waits, on the target as it is now."""
    remaining = sum(i.decision == ItemDecision.PENDING and i.number not in chosen for i in items)
    if remaining:
        ledger.rebase(row.id, sha)
    else:
        accepted = verb == ItemDecision.ACCEPTED and not items
        accepted |= any(i.decision == ItemDecision.ACCEPTED for i in ledger.proposal_items(row.id))
        ledger.decide(row.id, ProposalState.ACCEPTED if accepted else ProposalState.REJECTED)
    fresh = ledger.proposal(row.id) or row
    if Path(fresh.folder, "proposal.json").is_file():
        refresh(ledger, fresh)
    return Decision(fresh, tuple(chosen), sha != row.base_sha256, remaining)
