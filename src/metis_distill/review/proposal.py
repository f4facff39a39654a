"""Proposals: the rendered file, its diff against the target, and a report of the evidence.

`distill` never edits the target. `accept` applies a proposal atomically, only if the target
is still what the proposal was made against; `reject` remembers its lessons as rejected.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from filelock import FileLock

from metis_distill.curate.select import KINDS
from metis_distill.errors import ProposalError, TargetChangedError
from metis_distill.ledger import EvidenceRow, Ledger, LessonView, ProposalRow, now
from metis_distill.provenance import quote_in_span
from metis_distill.render.claude_md import (
    SECTION_TITLES,
    RenderedLine,
    Section,
    evidence_link,
    find_block,
    render_block,
    safe_text,
    splice,
)
from metis_distill.templating import environment
from metis_distill.textio import atomic_write_text

MAX_REPORT_EVIDENCE = 3
LOCK_TIMEOUT = 60  # seconds to wait for another propose/accept/reject of the same target


@dataclass(frozen=True)
class EvidenceItem:
    label: str
    link: str
    quote: str
    session: str


@dataclass(frozen=True)
class Item:
    number: int
    change: str  # added | removed
    id: str
    kind: str
    text: str
    support: int
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class Plan:
    target: Path
    current: str
    proposed: str
    diff: str
    items: tuple[Item, ...]
    hand_edited: bool


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_target(target: Path) -> str:
    """The target's text exactly as stored (line endings kept); "" when it does not exist."""
    if not target.exists():
        return ""
    if not target.is_file():
        raise ProposalError(f"the target is not a file: {target}", hint="point --target at a file")
    try:
        return target.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProposalError(
            f"the target is not UTF-8 text: {target} (byte {e.start})",
            hint="convert it to UTF-8 first; metis never rewrites text it cannot read",
        ) from e


def make_plan(target: Path, chosen: dict[str, list[LessonView]]) -> Plan | None:
    """What the target would become; None when nothing would change."""
    current = read_target(target)
    existing = find_block(current)
    if existing is None and not any(chosen.values()):
        return None  # no empty stubs
    chosen = {kind: _all_verified(chosen.get(kind, [])) for kind in KINDS}
    sections = [
        Section(SECTION_TITLES[kind], tuple(_line(target, v) for v in chosen[kind]))
        for kind in KINDS
    ]
    proposed = splice(current, render_block(sections))
    if proposed == current:
        return None
    before_ids = set(existing.ids) if existing else set()
    shown = [v for kind in KINDS for v in chosen.get(kind, [])]
    added = [v for v in shown if v.id not in before_ids]
    removed = sorted(before_ids - {v.id for v in shown})
    return Plan(
        target=target,
        current=current,
        proposed=proposed,
        diff=unified_diff(current, proposed, target.name),
        items=_items(target, added, removed),
        hand_edited=bool(existing and existing.hand_edited),
    )


def _all_verified(lessons: list[LessonView]) -> list[LessonView]:
    verified = (_verified(lesson) for lesson in lessons)
    return [lesson for lesson in verified if lesson is not None]


def _verified(lesson: LessonView) -> LessonView | None:
    """The lesson with only the evidence that still resolves (provenance or it didn't happen);
    None when none does. The first of it, the earliest seen, is the one rendered."""
    good = tuple(e for e in lesson.evidence if _resolves(e))
    return replace(lesson, evidence=good) if good else None


def _resolves(row: EvidenceRow) -> bool:
    path = Path(row.archive_root) / row.path
    return quote_in_span(path, row.line_start, row.line_end, row.quote)


def _line(target: Path, lesson: LessonView) -> RenderedLine:
    strongest = lesson.evidence[0]
    link = evidence_link(
        target,
        Path(strongest.archive_root),
        strongest.path,
        strongest.line_start,
        strongest.line_end,
    )
    return RenderedLine(lesson.id, safe_text(lesson.text), link, lesson.support)


def _items(target: Path, added: list[LessonView], removed: list[str]) -> tuple[Item, ...]:
    items = [
        Item(
            n,
            "added",
            v.id,
            v.kind,
            safe_text(v.text),
            v.support,
            tuple(_evidence_item(target, e) for e in v.evidence[:MAX_REPORT_EVIDENCE]),
        )
        for n, v in enumerate(added, start=1)
    ]
    start = len(items) + 1
    items += [Item(n, "removed", i, "", "", 0, ()) for n, i in enumerate(removed, start=start)]
    return tuple(items)


def _evidence_item(target: Path, row: EvidenceRow) -> EvidenceItem:
    label = f"{row.path}#L{row.line_start}-L{row.line_end}"
    link = evidence_link(target, Path(row.archive_root), row.path, row.line_start, row.line_end)
    return EvidenceItem(label, link, safe_text(row.quote), row.session_id[:8])


def unified_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def target_key(target: Path) -> str:
    digest = hashlib.sha1(str(target.resolve()).encode("utf-8")).hexdigest()[:10]
    return f"{target.name}-{digest}"


def save_plan(
    plan: Plan, ledger: Ledger, proposals_dir: Path, summary: dict[str, object]
) -> tuple[ProposalRow, bool]:
    """Store the plan as the target's pending proposal; (row, False) if it is the same as before."""
    target = str(plan.target.resolve())
    base = sha256_text(plan.current)
    for pending in ledger.pending_proposals(target):
        same = Path(pending.folder, "proposed.md")
        if (
            pending.base_sha256 == base
            and same.is_file()
            and same.read_bytes() == plan.proposed.encode("utf-8")
        ):
            return pending, False
    folder = proposals_dir / target_key(plan.target)
    row = ledger.add_proposal(
        ProposalRow(
            target=target,
            base_sha256=base,
            status="pending",
            folder="",
            lesson_ids=[i.id for i in plan.items if i.change == "added"],
            summary=summary,
            created_at=now(),
        )
    )
    row_folder = folder / f"{row.id:05d}"
    _write_files(plan, row, row_folder, summary)
    ledger.set_folder(row.id, str(row_folder))
    row.folder = str(row_folder)
    return row, True


def _write_files(plan: Plan, row: ProposalRow, folder: Path, summary: dict[str, object]) -> None:
    report = (
        environment()
        .get_template("report.md.j2")
        .render(
            proposal_id=row.id,
            target=plan.target,
            created=row.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            extractor=summary.get("extractor", "rules"),
            hand_edited=plan.hand_edited,
            added=sum(i.change == "added" for i in plan.items),
            removed=sum(i.change == "removed" for i in plan.items),
            items=[_report_item(i, plan.target, folder) for i in plan.items],
            diff=plan.diff,
            pending_note=summary.get("pending_note", ""),
            usage_note=summary.get("usage_note", ""),
        )
    )
    meta = {
        "id": row.id,
        "target": str(plan.target.resolve()),
        "base_sha256": row.base_sha256,
        "items": [asdict(i) for i in plan.items],
        "summary": summary,
    }
    atomic_write_text(folder / "proposed.md", plan.proposed)
    atomic_write_text(folder / "diff.patch", plan.diff)
    atomic_write_text(folder / "report.md", report)
    atomic_write_text(folder / "proposal.json", json.dumps(meta, indent=2, default=str) + "\n")


def _report_item(item: Item, target: Path, folder: Path) -> Item:
    """The item with its evidence links made relative to the report's own folder."""
    fake_target = folder / "report.md"
    evidence = tuple(
        EvidenceItem(e.label, _rebase(e.link, target, fake_target), e.quote, e.session)
        for e in item.evidence
    )
    return Item(item.number, item.change, item.id, item.kind, item.text, item.support, evidence)


def _rebase(link: str, old: Path, new: Path) -> str:
    import os
    from urllib.parse import quote, unquote

    path, _, fragment = link.partition("#")
    absolute = (old.parent / unquote(path)).resolve()
    relative = Path(os.path.relpath(absolute, new.parent.resolve())).as_posix()
    return f"{quote(relative)}#{fragment}"


def choose_pending(ledger: Ledger, target: Path | None) -> ProposalRow:
    """The pending proposal meant: the target's, or the only one there is."""
    pending = ledger.pending_proposals(str(target.resolve()) if target else None)
    if not pending:
        where = f" for {target}" if target else ""
        raise ProposalError(f"no pending proposal{where}", hint="run `metis distill` first")
    if len(pending) > 1:
        names = ", ".join(sorted({p.target for p in pending}))
        raise ProposalError(f"several proposals wait: {names}", hint="name one with --target")
    return pending[0]


def accept(ledger: Ledger, locks_dir: Path, target: Path | None = None) -> ProposalRow:
    """Apply the pending proposal atomically; refuse if the target changed since it was made."""
    row = choose_pending(ledger, target)
    path = Path(row.target)
    locks_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks_dir / f"{target_key(path)}.lock"), timeout=LOCK_TIMEOUT):
        current = read_target(path)
        if sha256_text(current) != row.base_sha256:
            raise TargetChangedError(
                f"{path} changed since proposal #{row.id} was made",
                hint="run `metis distill` again to make a fresh proposal",
            )
        proposed = Path(row.folder, "proposed.md").read_bytes().decode("utf-8")
        if path.exists():
            ledger.add_version(row.target, current, row.base_sha256, "before", row.id)
        atomic_write_text(path, proposed)
        ledger.add_version(row.target, proposed, sha256_text(proposed), "accepted", row.id)
        ledger.decide(row.id, "accepted")
    return row


def reject(ledger: Ledger, locks_dir: Path, target: Path | None = None) -> ProposalRow:
    """Discard the pending proposal; its new lessons are remembered as rejected."""
    row = choose_pending(ledger, target)
    locks_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks_dir / f"{target_key(Path(row.target))}.lock"), timeout=LOCK_TIMEOUT):
        ledger.set_status(row.lesson_ids, "rejected")
        ledger.decide(row.id, "rejected")
    return row
