"""What every source format provides: content sniffing and a parser into one Run per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from metis_distill.models import Run
from metis_distill.textio import RawLine, numbered_lines, numbered_raw_lines

NumberedLines = Iterable[tuple[int, str]]
RawNumberedLines = Iterable[tuple[int, RawLine]]  # UTF-8 lines may come as bytes


@dataclass(frozen=True)
class SourceFormat:
    """One run format. `looks_like` sees the file's name and first 64 KiB (decoded text).
    `parse_raw`, when a format has it, reads the same lines with the UTF-8 ones as bytes (JSON
    lines: parsed without being decoded first) and gives the same run. `replay`, when a format
    has it, sees a file it claimed (path and head) and says why it is not read when the file
    only repeats another one that is (None: read it). `unread`, when a format has it, sees a
    file no format claimed (name and head) and says why, when it is a variant of this format
    that is not read. `carried`, when a format has it, is the type of the JSON-lines record
    whose settings hold until the next of its type (Codex's `turn_context`: the turn's
    sandbox policy): a resumed read is given the last one before its context."""

    name: str
    looks_like: Callable[[str, str], bool]
    parse_lines: Callable[[str, NumberedLines], Run]
    parse_raw: Callable[[str, RawNumberedLines], Run] | None = None
    replay: Callable[[Path, str], str | None] | None = None
    unread: Callable[[str, str], str | None] | None = None
    carried: str | None = None

    def parse_file(self, path: Path, archive_root: Path) -> Run:
        rel_path = path.relative_to(archive_root).as_posix()
        if self.parse_raw is not None:
            return self.parse_raw(rel_path, numbered_raw_lines(path))
        return self.parse_lines(rel_path, numbered_lines(path))
