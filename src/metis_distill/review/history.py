"""Every version of every target written, the lessons each held, and going back to one.

`rewind` does not write the target: it makes a normal pending proposal whose items can be
decided one by one. It brings back the block as it was; the text outside the markers is the
person's, left as it is now, and so are the lines a person wrote inside the block. Full
acceptance gives the file exactly as it was (byte for byte) when that text has not changed
since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from filelock import FileLock

from metis_distill.conversations import support
from metis_distill.errors import ConfigError, ProposalError, UsageError
from metis_distill.ledger import Ledger, LessonRow, LessonView, ProposalRow, VersionRow
from metis_distill.redact import redact, shareable
from metis_distill.render.claude_md import (
    RenderedLine,
    find_block,
    marker_problem,
    splice,
    without_block,
)
from metis_distill.render.parse import BlockLine, BlockSection, parse_block, words_of
from metis_distill.review.evidence import note_for
from metis_distill.review.layout import apply, build
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.plan import (
    KIND_OF_TITLE,
    MAX_REPORT_EVIDENCE,
    Item,
    Plan,
    evidence_item,
    unified_diff,
)
from metis_distill.review.proposal import LOCK_TIMEOUT, save_plan, target_key
from metis_distill.review.refusals import said
from metis_distill.review.target import read_target
from metis_distill.statuses import Change, ProposalOrigin

_VERSION = re.compile(r"^v?(?P<id>\d+)$")


@dataclass(frozen=True)
class Version:
    id: int
    target: str
    created_at: datetime
    reason: str  # before | accepted
    proposal_id: int | None
    sha256: str
    lessons: tuple[tuple[str, str], ...]  # (lesson id, its words in that version)


def lessons_in(text: str) -> tuple[tuple[str, str], ...]:
    block = find_block(text)
    if block is None:
        return ()
    return tuple((x.id, words_of(x)) for s in parse_block(block.body) for x in s.lines if x.id)


def history(ledger: Ledger, target: Path | None = None) -> dict[str, list[Version]]:
    """Target -> its versions, oldest first."""
    rows = ledger.versions(str(target.resolve())) if target else ledger.all_versions()
    found: dict[str, list[Version]] = {}
    for row in rows:
        found.setdefault(row.target, []).append(
            Version(
                row.id,
                row.target,
                row.created_at,
                row.reason,
                row.proposal_id,
                row.sha256,
                lessons_in(row.content),
            )
        )
    return found


def only_target(ledger: Ledger) -> Path:
    """The one target with versions, when no target is named."""
    targets = sorted({v.target for v in ledger.all_versions()})
    if len(targets) != 1:
        said = f"versions of {len(targets)} targets are recorded" if targets else "no version"
        raise ConfigError(f"no target given ({said})", hint="pass --target path/to/CLAUDE.md")
    return Path(targets[0])


def find_version(ledger: Ledger, target: Path, when: str) -> VersionRow:
    """The version named by its number (`12` or `v12`), or the last one written by a date or
    time (`2026-11-24` means the end of that day, UTC)."""
    wanted = parse_when(when)
    rows = ledger.versions(str(target.resolve()))
    if not rows:
        raise ProposalError(
            f"no version of {target} is recorded", hint="`metis accept` records each version"
        )
    if isinstance(wanted, int):
        for row in rows:
            if row.id == wanted:
                return row
        known = ", ".join(f"v{r.id}" for r in rows)
        raise ProposalError(f"{target} has no version v{wanted} (it has {known})")
    earlier = [r for r in rows if r.created_at <= wanted]
    if not earlier:
        first = rows[0].created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        raise ProposalError(f"no version of {target} is that old: the first is from {first}")
    return earlier[-1]


def parse_when(when: str) -> int | datetime:
    """A version's number (`12` or `v12`), or the moment a date or time names (a date means
    the end of that day, UTC)."""
    match = _VERSION.match(when.strip())
    if match is not None:
        return int(match["id"])
    try:
        if len(when.strip()) == 10:
            day = date.fromisoformat(when.strip())
            return (
                datetime.combine(day, time(), UTC) + timedelta(days=1) - timedelta(microseconds=1)
            )
        moment = datetime.fromisoformat(when.strip())
    except ValueError as e:
        raise UsageError(
            f"not a version or a date: {when!r}",
            hint="use a version number from `metis history` (e.g. v3) or a date like 2026-11-24",
        ) from e
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rewind(
    ledger: Ledger, target: Path, when: str, proposals_dir: Path, locks_dir: Path
) -> tuple[ProposalRow, VersionRow]:
    """Propose the target as it was at a version: a pending proposal like any other."""
    version = find_version(ledger, target, when)
    locks_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks_dir / f"{target_key(target)}.lock"), timeout=LOCK_TIMEOUT):
        plan = rewind_plan(ledger, target, version)
        stamp = version.created_at.strftime("%Y-%m-%d %H:%M UTC")
        note = f"the file as it was at v{version.id}, {stamp}"
        if plan.proposed != version.content:
            kept = "your text outside it is kept"
            if own_lines(sections_of(plan.current)):
                kept = "your text outside it and your own lines inside it are kept"
            note = f"the block as it was at v{version.id}, {stamp}; {kept}"
        row, _ = save_plan(
            plan, ledger, proposals_dir, ProposalNotes(extractor="rewind", rewind_note=note)
        )
    return row, version


def rewind_plan(ledger: Ledger, target: Path, version: VersionRow) -> Plan:
    current = read_target(target)
    broken = marker_problem(current)
    if broken is not None:
        raise ProposalError(f"{target}: {broken}; then rewind again")
    if current == version.content:
        raise ProposalError(f"{target} is already as it was at v{version.id}")
    base, then = sections_of(current), sections_of(version.content)
    changes = _changes(base, then)
    number = {lesson: n for n, lesson in enumerate(changes, start=1)}
    own = own_lines(base)
    proposed = [(s.title, [_as_line(x) for x in s.lines if x.id or x.raw not in own]) for s in then]
    layout = build(proposed, base, number)
    if own:  # the person's lines stay where they are, as `build` places them
        text = apply(current, layout, number.values())
    else:
        text = rewound_text(current, version.content)
    if same_but_stamp(text, current):
        raise ProposalError(
            f"{target}'s block is already as it was at v{version.id}",
            hint="a rewind changes only metis's lines: your text outside the block and your "
            "own lines in it are kept as they are",
        )
    return Plan(
        target=target,
        current=current,
        proposed=text,
        diff=unified_diff(current, text, target.name),
        items=_items(ledger, target, base, then, changes, number),
        hand_edited=False,
        layout=layout,
        origin=ProposalOrigin.REWIND,
        notes=_notes(ledger, [x.id for s in then for x in s.lines if x.id]),
    )


def same_but_stamp(text: str, current: str) -> bool:
    """The same file, but for the block's stamp (`sha=…`, stale after a hand edit)."""
    if text == current:
        return True
    block, now = find_block(text), find_block(current)
    if block is None or now is None:
        return False
    return (text[: block.start], block.body, text[block.end :]) == (
        current[: now.start],
        now.body,
        current[now.end :],
    )


def sections_of(text: str) -> list[BlockSection]:
    block = find_block(text)
    return parse_block(block.body) if block else []


def own_lines(sections: list[BlockSection]) -> set[str]:
    """The lines a person wrote inside a block (no lesson id): a rewind keeps them."""
    return {x.raw for s in sections for x in s.lines if x.id is None}


def rewound_text(current: str, then: str) -> str:
    """The target with its block as it was `then`, every byte outside the block as it is now:
    the file as it was `then`, byte for byte, when only the block changed since, or when the
    file is gone (nothing of the person's is there to keep)."""
    if not current:
        return then
    then_block = find_block(then)
    if then_block is not None:
        return splice(current, _lf(then[then_block.start : then_block.end]))
    now_block = find_block(current)
    if now_block is None:
        return current
    if splice(then, _lf(current[now_block.start : now_block.end])) == current:
        return then  # the block was appended to the file as it was then, nothing else changed
    return without_block(current)


def _lf(block: str) -> str:
    """A block with `\\n` line ends, as `splice` takes it (it writes the file's own)."""
    return block.replace("\r\n", "\n")


def _notes(ledger: Ledger, ids: list[str]) -> tuple[tuple[str, str], ...]:
    """The evidence files of the lines a rewind brings back, made again from the ledger (a
    file is written beside the target only where its link is the line's own)."""
    evidence = ledger.evidence_of(ids)
    notes = []
    for lesson_id in ids:
        row = ledger.lesson(lesson_id)
        if row is None or not evidence.get(lesson_id):
            continue
        note = note_for(LessonView.of(row, evidence[lesson_id]))
        if note is not None:
            notes.append((lesson_id, note.text()))
    return tuple(notes)


def _as_line(line: BlockLine) -> RenderedLine:
    return RenderedLine(line.id or "", line.text, "", 0, raw=line.raw)


def _changes(base: list[BlockSection], then: list[BlockSection]) -> dict[str, Change]:
    now_lines = {x.id: x for s in base for x in s.lines if x.id}
    then_lines = {x.id: x for s in then for x in s.lines if x.id}
    changes: dict[str, Change] = {}
    for lesson in then_lines:
        if lesson not in now_lines:
            changes[lesson] = Change.ADDED
    for lesson, line in then_lines.items():
        if lesson in now_lines and words_of(now_lines[lesson]) != words_of(line):
            changes[lesson] = Change.REWORDED
    for lesson in now_lines:
        if lesson not in then_lines:
            changes[lesson] = Change.REMOVED
    return changes


def _items(
    ledger: Ledger,
    target: Path,
    base: list[BlockSection],
    then: list[BlockSection],
    changes: dict[str, Change],
    number: dict[str, int],
) -> tuple[Item, ...]:
    now_lines = {x.id: (s.title, x) for s in base for x in s.lines if x.id}
    then_lines = {x.id: (s.title, x) for s in then for x in s.lines if x.id}
    evidence = ledger.evidence_of(list(changes))
    items = []
    for lesson, change in changes.items():
        title, line = then_lines.get(lesson) or now_lines[lesson]
        before = words_of(now_lines[lesson][1]) if change == Change.REWORDED else ""
        rows = evidence[lesson]
        items.append(
            Item(
                number[lesson],
                change,
                lesson,
                KIND_OF_TITLE.get(title, ""),
                words_of(line),
                support(rows),
                tuple(evidence_item(target, e) for e in rows[:MAX_REPORT_EVIDENCE]),
                before,
            )
        )
    return tuple(sorted(items, key=lambda i: i.number))


@dataclass(frozen=True)
class LessonDetail:
    id: str
    kind: str
    status: str
    severity: int
    text: str
    first_seen: datetime | None
    last_seen: datetime | None
    support: int
    evidence: tuple[dict[str, str], ...]
    wordings: tuple[tuple[str, str, str], ...]  # (when, how, the words before)
    decisions: tuple[str, ...]  # "proposal #3 item 2 (added): accepted"
    refused: tuple[str, ...] = ()  # "rejected for /repo/typo.md": never proposed there again


def show(ledger: Ledger, lesson_id: str) -> LessonDetail:
    """A lesson with all its evidence, its wordings and the decisions about it."""
    row = _lesson(ledger, lesson_id)
    rows = ledger.evidence_of([row.id])[row.id]
    evidence = tuple(
        {
            "where": f"{e.path}#L{e.line_start}-L{e.line_end}",
            "file": f"{Path(e.archive_root) / e.path}#L{e.line_start}-L{e.line_end}",
            "session": e.session_id,
            "cwd": e.cwd or "",
            "when": e.timestamp.strftime("%Y-%m-%d %H:%M UTC") if e.timestamp else "",
            "quote": shareable(e.quote),
        }
        for e in rows
    )
    wordings = tuple(
        (w.created_at.strftime("%Y-%m-%d %H:%M UTC"), w.how, redact(w.before))
        for w in ledger.wordings(row.id)
    )
    decisions = tuple(
        f"proposal #{i.proposal_id} item {i.number} ({i.change}): {i.decision}"
        for i in ledger.items_of_lesson(row.id)
    )
    return LessonDetail(
        row.id,
        row.kind,
        row.status,
        row.severity,
        redact(row.text),
        row.first_seen,
        row.last_seen,
        support(rows),
        evidence,
        wordings,
        decisions,
        said(ledger, row.id),
    )


def _lesson(ledger: Ledger, lesson_id: str) -> LessonRow:
    wanted = lesson_id.strip().lower()
    row = ledger.lesson(wanted)
    if row is not None:
        return row
    matches = [r for r in ledger.lessons() if r.id.startswith(wanted)] if len(wanted) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ProposalError(
            f"{lesson_id!r} names {len(matches)} lessons", hint="give more of the id"
        )
    raise ProposalError(
        f"no lesson {lesson_id!r}",
        hint="a line's id names its evidence file (`.metis/…/ID.txt`); `metis review` lists them",
    )
