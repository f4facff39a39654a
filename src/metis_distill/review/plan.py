"""What the target would become: the lessons chosen, set against the block it holds now.

Each change is a numbered item (a line added, reworded or removed). Lines a person edited
inside the block are kept as they wrote them (the human wins), and their wording is learned.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from metis_distill.curate.select import KINDS
from metis_distill.ledger import Evidence, Ledger, LessonView
from metis_distill.provenance import quote_in_span
from metis_distill.render.claude_md import SECTION_TITLES, RenderedLine, find_block, safe_text
from metis_distill.render.evidence import EvidenceNote
from metis_distill.render.parse import BlockLine, BlockSection, parse_block, words_of
from metis_distill.review.evidence import note_for
from metis_distill.review.layout import Layout, apply, build, numbers, without
from metis_distill.review.target import read_target
from metis_distill.statuses import Change, ProposalOrigin

MAX_REPORT_EVIDENCE = 3
KIND_OF_TITLE = {title: kind for kind, title in SECTION_TITLES.items()}


@dataclass(frozen=True)
class EvidenceItem:
    label: str
    link: str
    quote: str
    session: str


@dataclass(frozen=True)
class Item:
    number: int
    change: Change
    id: str
    kind: str
    text: str
    support: int
    evidence: tuple[EvidenceItem, ...]
    before: str = ""  # the words it replaces (reworded)


@dataclass(frozen=True)
class Plan:
    target: Path
    current: str
    proposed: str
    diff: str
    items: tuple[Item, ...]
    hand_edited: bool
    layout: Layout = ()
    learned: tuple[tuple[str, str], ...] = ()  # (lesson id, the words a person gave it)
    kept: tuple[str, ...] = ()  # lines people added inside the block, kept as they are
    foreign: tuple[str, ...] = ()  # lines another ledger wrote into the block, kept as they are
    origin: ProposalOrigin = ProposalOrigin.DISTILL
    deleted: tuple[str, ...] = ()  # lines people deleted from the block: they stay deleted
    notes: tuple[tuple[str, str], ...] = ()  # (lesson id, its evidence file) of lines rendered
    preamble: str = ""  # what the file starts with when it is new (a rules file's frontmatter)


@dataclass
class _Draft:
    old: dict[str, BlockLine]
    lines: dict[str, RenderedLine]
    changes: dict[str, Change]
    learned: dict[str, str]


def make_plan(
    target: Path,
    chosen: dict[str, list[LessonView]],
    preamble: str = "",
    foreign: Collection[str] = (),
) -> Plan | None:
    """What the target would become (a new file starts with `preamble`); None when nothing
    would change. `foreign`: lesson ids of the block's lines that another ledger wrote (see
    `foreign_ids`): they stay as they are, like a person's lines."""
    current = read_target(target)
    existing = find_block(current)
    if existing is None and not any(chosen.values()):
        return None  # no empty stubs
    chosen = {kind: _all_verified(chosen.get(kind, [])) for kind in KINDS}
    notes = {v.id: n for kind in KINDS for v in chosen[kind] if (n := note_for(v)) is not None}
    chosen = {kind: [v for v in chosen[kind] if v.id in notes] for kind in KINDS}
    base = parse_block(existing.body) if existing else []
    edited = bool(existing and existing.hand_edited)
    foreign = frozenset(foreign) - {v.id for kind in KINDS for v in chosen[kind]}
    draft = _draft(target, chosen, base, edited, notes, foreign)
    layout = _layout(chosen, base, draft, foreign)
    proposed = apply(current, layout, numbers(layout), preamble)
    if proposed == current:
        return None
    return Plan(
        target=target,
        current=current,
        proposed=proposed,
        diff=unified_diff(current, proposed, target.name),
        items=_items(target, chosen, base, draft),
        hand_edited=edited,
        layout=layout,
        learned=tuple(draft.learned.items()),
        kept=tuple(line.raw for s in base for line in s.lines if line.id is None),
        foreign=tuple(line.raw for s in base for line in s.lines if line.id in foreign),
        notes=tuple((i, note.text()) for i, note in notes.items()),
        preamble=preamble,
    )


def _draft(
    target: Path,
    chosen: dict[str, list[LessonView]],
    base: list[BlockSection],
    edited: bool,
    notes: dict[str, EvidenceNote],
    foreign: Collection[str],
) -> _Draft:
    """Classify each lesson shown against the block: added, reworded, unchanged or hand-edited;
    a line of this ledger's that is not shown any more is removed (another ledger's stays)."""
    old = {line.id: line for s in base for line in s.lines if line.id}
    draft = _Draft(old, {}, {}, {})
    for lesson in (v for kind in KINDS for v in chosen[kind]):
        line = RenderedLine(
            lesson.id, safe_text(lesson.text), notes[lesson.id].link(target.name), lesson.support
        )
        was = old.get(lesson.id)
        same = was is not None and safe_text(words_of(was)) == line.text
        if was is None:
            draft.changes[lesson.id] = Change.ADDED
        elif not same and edited:
            draft.learned[lesson.id] = safe_text(words_of(was))  # the human wins
            line = _kept(line, was)
        elif not same:
            draft.changes[lesson.id] = Change.REWORDED
        else:
            line = _kept(line, was)  # the same words: exactly as the file has them
        draft.lines[lesson.id] = line
    for gone in (x.id for s in base for x in s.lines if x.id and x.id not in draft.lines):
        if gone not in foreign:
            draft.changes.setdefault(gone, Change.REMOVED)
    return draft


def _kept(line: RenderedLine, was: BlockLine) -> RenderedLine:
    if was.text:
        return replace(line, text=was.text)
    return RenderedLine(line.id, words_of(was), "", 0, raw=was.raw)


def _numbers(draft: _Draft) -> dict[str, int]:
    shown = (Change.ADDED, Change.REWORDED, Change.REMOVED)
    order = [i for change in shown for i in _ids(draft, change)]
    return {lesson_id: n for n, lesson_id in enumerate(order, start=1)}


def _ids(draft: _Draft, change: Change) -> list[str]:
    return [i for i, c in draft.changes.items() if c == change]


def _layout(
    chosen: dict[str, list[LessonView]],
    base: list[BlockSection],
    draft: _Draft,
    foreign: Collection[str],
) -> Layout:
    proposed = [(SECTION_TITLES[kind], [draft.lines[v.id] for v in chosen[kind]]) for kind in KINDS]
    return build(proposed, base, _numbers(draft), foreign)


def foreign_ids(ledger: Ledger, text: str) -> frozenset[str]:
    """The lesson ids of the block's lines that this ledger holds no lesson of: another data
    dir wrote them (a teammate's, committed with the file). Lesson ids come from content, so
    a lesson this ledger learned too is its own, and follows its rules."""
    block = find_block(text)
    return frozenset(i for i in (block.ids if block else ()) if ledger.lesson(i) is None)


def change_counts(changes: Iterable[str]) -> str:
    """ "2 added, 1 retired": how many items make each kind of change, in the usual order."""
    found = list(changes)
    counted = [(found.count(change), change) for change in Change]
    return ", ".join(f"{n} {change}" for n, change in counted if n)


def drop_items(plan: Plan, lessons: Collection[str], changes: Collection[str]) -> Plan:
    """The plan without these lessons' items of these kinds (their lines stay as they are
    now): the other items are numbered again from 1."""
    dropped = {i.number for i in plan.items if i.change in changes and i.id in lessons}
    if not dropped:
        return plan
    layout = without(plan.layout, dropped)
    proposed = apply(plan.current, layout, numbers(layout), plan.preamble)
    kept = [i for i in plan.items if i.number not in dropped]
    return replace(
        plan,
        layout=layout,
        proposed=proposed,
        diff=unified_diff(plan.current, proposed, plan.target.name),
        items=tuple(replace(item, number=n) for n, item in enumerate(kept, start=1)),
    )


def _all_verified(lessons: list[LessonView]) -> list[LessonView]:
    verified = (_verified(lesson) for lesson in lessons)
    return [lesson for lesson in verified if lesson is not None]


def _verified(lesson: LessonView) -> LessonView | None:
    """The lesson with only the evidence that still resolves (provenance or it didn't happen);
    None when none does. The first of it, the earliest seen, is the one rendered."""
    good = tuple(e for e in lesson.evidence if _resolves(e))
    return replace(lesson, evidence=good) if good else None


def _resolves(row: Evidence) -> bool:
    path = Path(row.archive_root) / row.path
    return quote_in_span(path, row.line_start, row.line_end, row.quote)


def _items(
    target: Path, chosen: dict[str, list[LessonView]], base: list[BlockSection], draft: _Draft
) -> tuple[Item, ...]:
    views = {v.id: v for kind in KINDS for v in chosen[kind]}
    titles = {line.id: s.title for s in base for line in s.lines if line.id}
    items = []
    for lesson_id, n in _numbers(draft).items():
        change = draft.changes[lesson_id]
        was = draft.old.get(lesson_id)
        if change == Change.REMOVED and was is not None:
            kind = KIND_OF_TITLE.get(titles[lesson_id], "")
            items.append(Item(n, change, lesson_id, kind, words_of(was), 0, ()))
            continue
        view = views[lesson_id]
        evidence = tuple(evidence_item(target, e) for e in view.evidence[:MAX_REPORT_EVIDENCE])
        before = words_of(was) if was is not None else ""
        text = draft.lines[lesson_id].text
        items.append(Item(n, change, lesson_id, view.kind, text, view.support, evidence, before))
    return tuple(items)


def evidence_item(target: Path, row: Evidence) -> EvidenceItem:
    """One evidence of an item as the review report shows it: linked into the archive (the
    reviewer holds it), relative to the target's folder."""
    label = f"{row.path}#L{row.line_start}-L{row.line_end}"
    link = archive_link(target, Path(row.archive_root), row.path, row.line_start, row.line_end)
    return EvidenceItem(label, link, safe_text(row.quote), row.session_id[:8])


def archive_link(target: Path, archive_root: Path, archive_path: str, a: int, b: int) -> str:
    """Relative link from the target's folder to a span of an archive file."""
    base = Path(os.path.relpath(archive_root.resolve(), target.parent.resolve())).as_posix()
    return f"{quote(base)}/{quote(archive_path)}#L{a}-L{b}"


def unified_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
