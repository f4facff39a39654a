"""The evidence files of a proposal: made from the ledger and the archive with the plan, kept
in the proposal's folder at the place they take beside the target (so `proposed.md`'s links
open there as well), then written beside the target by `accept` or committed by `propose --git`.

The folder beside the target holds one file per lesson its block shows: a file is written when
the accepted block links to it as the proposal rendered it, and removed once no line needs it
(after the target is written, so the target never links to a missing file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from metis_distill.homes import hide_person
from metis_distill.ledger import LessonView
from metis_distill.provenance import file_lines, quote_in_lines, span_lines
from metis_distill.redact import redact
from metis_distill.render.claude_md import find_block
from metis_distill.render.evidence import (
    HEADER_LINES,
    EvidenceNote,
    id_of_name,
    note_link,
    note_name,
    notes_folder,
    one_line,
)
from metis_distill.render.excerpt import excerpt
from metis_distill.render.parse import parse_block
from metis_distill.textio import atomic_write_text, remove_temps

PRIVATE_NAMES = frozenset({"CLAUDE.local.md"})
IGNORE_ALL = "# evidence of a file that is not committed: not committed either\n*\n"


def note_for(lesson: LessonView) -> EvidenceNote | None:
    """The evidence file of a lesson's rendered line: its strongest evidence's span, excerpted;
    None when the span cannot be read."""
    row = lesson.strongest
    path = Path(row.archive_root) / row.path
    span = span_lines(path, row.line_start, row.line_end)
    if span is None:
        return None
    quote, span = _without_persons(one_line(redact(row.quote)), span)
    return EvidenceNote(
        lesson_id=lesson.id,
        kind=lesson.kind,
        support=lesson.support,
        archive_path=row.path,
        line_start=row.line_start,
        line_end=row.line_end,
        span_sha256=span_sha256(path, row.line_start, row.line_end),
        session=one_line(redact(row.session_id)),
        when=row.timestamp.strftime("%Y-%m-%d %H:%M UTC") if row.timestamp else "",
        quote=quote,
        excerpt=excerpt(span, row.line_start, quote),
    )


def _without_persons(quote: str, span: list[str]) -> tuple[str, list[str]]:
    """The quote and the span with no home folder or e-mail address naming a person, since the
    evidence file is committed; as they are when hiding them would part the quote from its
    lines."""
    hidden_quote, hidden_span = hide_person(quote), [hide_person(line) for line in span]
    if quote_in_lines(hidden_span, 1, len(hidden_span), hidden_quote):
        return hidden_quote, hidden_span
    return quote, span


def span_sha256(path: Path, line_start: int, line_end: int) -> str:
    """sha256 of lines a..b of a file as text (decoded, joined by newlines): what whoever holds
    the archive checks the span against. The file's lines as its span's check read them (a
    publish reads each strongest span's file once for its excerpt, once for this)."""
    lines = file_lines(path)[line_start - 1 : line_end]
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def note_lines(text: str) -> int:
    """Lines of an evidence file's excerpt."""
    return text.rstrip("\n").count("\n") + 1 - HEADER_LINES


@dataclass(frozen=True)
class NoteChanges:
    write: dict[str, str]  # file name -> text
    remove: tuple[str, ...]  # file names


def note_changes(
    target_name: str, text: str, supplied: Mapping[str, str], present: Mapping[str, str]
) -> NoteChanges:
    """What the target's evidence folder must become for the target to hold `text`: the
    supplied file (lesson id -> text) of each line linking to it as rendered with it; no file
    of a lesson the block does not show. `present`: the folder's files now (name -> text)."""
    block = find_block(text)
    lines = [x for s in parse_block(block.body) for x in s.lines] if block else []
    shown = {x.id for x in lines if x.id}
    write: dict[str, str] = {}
    for line in lines:
        note = supplied.get(line.id or "")
        if note is None or line.link != note_link(target_name, line.id or "", note_lines(note)):
            continue
        name = note_name(line.id or "")
        if present.get(name) != note:
            write[name] = note
    gone = sorted(n for n in present if (i := id_of_name(n)) is not None and i not in shown)
    return NoteChanges(write, tuple(gone))


def read_notes(folder: Path) -> dict[str, str]:
    """The evidence files of a folder: file name -> text."""
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and id_of_name(p.name) is not None
    }


def supplied_notes(proposal_folder: Path, target_name: str) -> dict[str, str]:
    """A proposal's evidence files, by lesson id."""
    found = read_notes(proposal_folder / notes_folder(Path(target_name)))
    return {i: text for name, text in found.items() if (i := id_of_name(name)) is not None}


def write_plan_notes(folder: Path, target_name: str, notes: Iterable[tuple[str, str]]) -> None:
    """A plan's evidence files, into its proposal folder."""
    where = folder / notes_folder(Path(target_name))
    for lesson_id, text in notes:
        atomic_write_text(where / note_name(lesson_id), text)


def place_notes(target: Path, text: str, proposal_folder: Path | None) -> None:
    """Before the target is written: the evidence files its new text links to."""
    if proposal_folder is None:
        return
    folder = notes_folder(target)
    remove_temps(folder)
    supplied = supplied_notes(proposal_folder, target.name)
    changes = note_changes(target.name, text, supplied, read_notes(folder))
    for name, note in changes.write.items():
        atomic_write_text(folder / name, note)
    if changes.write and is_private(target):
        atomic_write_text(folder / ".gitignore", IGNORE_ALL)


def prune_notes(target: Path, text: str) -> None:
    """After the target is written: the evidence files no line of it needs any more."""
    folder = notes_folder(target)
    for name in note_changes(target.name, text, {}, read_notes(folder)).remove:
        (folder / name).unlink(missing_ok=True)
    _remove_if_empty(folder)


def _remove_if_empty(folder: Path) -> None:
    """The target's evidence folder (and `.metis`) once nothing is left in them but ours."""
    ours = folder / ".gitignore"
    try:
        alone = ours.is_file() and not any(p for p in folder.iterdir() if p != ours)
        if alone and ours.read_text(encoding="utf-8") == IGNORE_ALL:
            ours.unlink()
        for empty in (folder, folder.parent):
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()
    except OSError:
        return


def is_private(target: Path) -> bool:
    """A context file that is not committed (CLAUDE.local.md): its evidence is not either."""
    return target.name in PRIVATE_NAMES


def relative_notes_folder(target_rel: str) -> str:
    """The evidence folder of a target given relative to its repository (posix)."""
    return notes_folder(Path(target_rel)).as_posix()
