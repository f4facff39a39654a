"""What every source format provides: content sniffing and a parser into one Run per file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from metis_distill.models import Run
from metis_distill.textio import numbered_lines

NumberedLines = Iterable[tuple[int, str]]


@dataclass(frozen=True)
class SourceFormat:
    """One run format. `looks_like` sees the file's name and first 64 KiB (decoded text)."""

    name: str
    looks_like: Callable[[str, str], bool]
    parse_lines: Callable[[str, NumberedLines], Run]

    def parse_file(self, path: Path, archive_root: Path) -> Run:
        return self.parse_lines(path.relative_to(archive_root).as_posix(), numbered_lines(path))
