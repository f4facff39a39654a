"""The evidence file of a rendered line, committed beside the context file (contract 2).

`CLAUDE.md` links each line to `.metis/CLAUDE/<id>.txt#L7-L<n>`: six header lines (the
lesson, the archive path and line range, the span's sha256, the session, the quote), then a
redacted excerpt of the span, which the link's lines cover. So the link opens in a clone and
in a pull request, `provenance.resolve(link, quote)` holds there, and whoever has the archive
finds the span from the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote as url_quote

if TYPE_CHECKING:  # provenance reads these files: this module must not import it back
    from metis_distill.render.excerpt import Excerpt

FOLDER = ".metis"
SUFFIX = ".txt"
HEADER_LINES = 6
_NAME = re.compile(r"^(?P<id>[0-9a-f]{10})\.txt$")
_LINK_ID = re.compile(r"(?:^|/)(?P<id>[0-9a-f]{10})\.txt#L\d+(?:-L?\d+)?$")
_ARCHIVE = re.compile(r"^archive: (?P<path>.+)#L(?P<a>\d+)-L(?P<b>\d+)$")
_SHA = re.compile(r"^sha256: (?P<sha>[0-9a-f]{64})\b")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class EvidenceNote:
    lesson_id: str
    kind: str
    support: int
    archive_path: str  # relative to the archive root, as the ledger has it
    line_start: int
    line_end: int
    span_sha256: str  # of lines a..b of the archive file, decoded, joined by "\n"
    session: str
    when: str  # "2026-11-02 14:03 UTC", or "" when the run has no time
    quote: str  # redacted, whitespace collapsed
    excerpt: Excerpt

    def text(self) -> str:
        sessions = "session" if self.support == 1 else "sessions"
        shown = self.excerpt
        header = [
            f"metis-distill evidence for lesson {self.lesson_id} ({self.kind}, seen in "
            f"{self.support} {sessions}); all its evidence: `metis show {self.lesson_id}`",
            f"archive: {self.archive_path}#L{self.line_start}-L{self.line_end}",
            f"sha256: {self.span_sha256} (of those lines of the archive file)",
            f"session: {self.session}" + (f" · {self.when}" if self.when else ""),
            f"quote: {self.quote}",
            f"excerpt: {shown.shown} of {shown.total} lines of the span, redacted, long values cut",
        ]
        return "\n".join([*header, *shown.lines]) + "\n"

    def link(self, target_name: str) -> str:
        return note_link(target_name, self.lesson_id, len(self.excerpt.lines))


@dataclass(frozen=True)
class NoteSource:
    """What an evidence file's header says: where the span lies in the archive."""

    lesson_id: str
    archive_path: str
    line_start: int
    line_end: int
    span_sha256: str
    quote: str


def one_line(text: str) -> str:
    return _WS.sub(" ", text).strip()


def stem(target_name: str) -> str:
    return target_name.removesuffix(".md") or target_name


def notes_folder(target: Path) -> Path:
    """Where a context file's evidence files live: `.metis/<its name without .md>/` beside it."""
    return target.parent / FOLDER / stem(target.name)


def note_name(lesson_id: str) -> str:
    return f"{lesson_id}{SUFFIX}"


def note_link(target_name: str, lesson_id: str, excerpt_lines: int) -> str:
    """The link a rendered line carries, relative to the context file's folder."""
    first, last = HEADER_LINES + 1, HEADER_LINES + max(excerpt_lines, 1)
    folder = url_quote(stem(target_name))
    return f"{FOLDER}/{folder}/{note_name(lesson_id)}#L{first}-L{last}"


def link_id(link: str) -> str | None:
    """The lesson id an evidence-file link names (None for any other link)."""
    match = _LINK_ID.search(link)
    return match["id"] if match else None


def id_of_name(name: str) -> str | None:
    match = _NAME.match(name)
    return match["id"] if match else None


def read_header(text: str) -> NoteSource | None:
    """The header of an evidence file; None when the text is not one."""
    lines = text.split("\n", HEADER_LINES)
    if len(lines) < HEADER_LINES:
        return None
    head = re.match(r"^metis-distill evidence for lesson (?P<id>[0-9a-f]{10}) ", lines[0])
    where = _ARCHIVE.match(lines[1])
    sha = _SHA.match(lines[2])
    if head is None or where is None or sha is None or not lines[4].startswith("quote: "):
        return None
    return NoteSource(
        lesson_id=head["id"],
        archive_path=where["path"],
        line_start=int(where["a"]),
        line_end=int(where["b"]),
        span_sha256=sha["sha"],
        quote=lines[4].removeprefix("quote: "),
    )
