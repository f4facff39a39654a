"""What a distill reads: the archive's files that are new or changed since the ledger last
read them, in batches of paths (never text) for the extraction stage (contract 4 and 7)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from metis_distill import sources
from metis_distill.errors import ConfigError
from metis_distill.ledger import CopyRow, FileRecord, FileRow, Ledger
from metis_distill.listing import list_files, unreadable
from metis_distill.textio import tail_sha256

MAX_BATCH_BYTES = 32 * 1024 * 1024
# Formats whose files only ever grow by whole lines: a grown file is read from where we stopped.
APPEND_ONLY = frozenset({"claude_code", "codex"})


@dataclass(frozen=True)
class FileInfo:
    """A file to read, and from where: `offset` > 0 resumes an append-only file."""

    path: str  # relative to the archive root
    size: int
    mtime_ns: int
    format: str
    offset: int = 0
    first_line: int = 1
    session_id: str | None = None  # known from an earlier read (a resumed file may not say)
    cwd: str | None = None
    origin: str | None = None  # where `metis archive` copied it from
    prior_lines: int = 0  # counts of the part read before (a resumed file adds to them)
    prior_events: int = 0
    prior_corrupt: int = 0


@dataclass
class Discovery:
    changed: list[FileInfo] = field(default_factory=list)
    unchanged: int = 0
    resumed: int = 0
    rewritten_paths: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def rewritten(self) -> int:
        return len(self.rewritten_paths)


def check_archive(archive_root: Path) -> Path:
    root = archive_root.expanduser()
    if root.exists() and not root.is_dir():
        raise ConfigError(
            f"the archive {root} is a file, not a folder",
            hint="pass --archive (or set METIS_ARCHIVE to) a folder of runs, "
            "e.g. ~/.claude/projects",
        )
    if not root.is_dir():
        raise ConfigError(
            f"archive folder not found: {root}",
            hint="nothing is there: check the path (from --archive, METIS_ARCHIVE or "
            "metis.toml; the default is ~/.claude/projects)",
        )
    return root.resolve()


def walk(archive_root: Path) -> list[Path]:
    """Every file under the archive root, in a stable order (git folders and temp files left
    out)."""
    return list_files(archive_root).files


def discover(archive_root: Path) -> list[Path]:
    """The files under the archive root that hold runs in a format we read."""
    return [p for p in walk(archive_root) if sources.detect(p).format is not None]


def changed_files(archive_root: Path, ledger: Ledger) -> Discovery:
    """What to read: new files whole, grown append-only files from where we stopped, and
    files changed otherwise whole again; unchanged files cost one stat (contract 4)."""
    seen = ledger.file_rows(str(archive_root))
    found = Discovery()
    listing = list_files(archive_root)
    for where, why in listing.passed_over():
        found.skipped.append((where.relative_to(archive_root).as_posix(), why))
    for path in listing.files:
        rel = path.relative_to(archive_root).as_posix()
        row, stat = seen.get(rel), path.stat()
        if row is not None and (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            found.unchanged += 1
        elif row is not None and row.source_format.startswith("skipped"):
            _first_read(found, path, rel, stat, rewritten=False)
        elif row is not None and _same_prefix(path, row, stat.st_size):
            _resume(found, rel, stat, row)
        else:
            _first_read(found, path, rel, stat, rewritten=row is not None)
    origins = ledger.origins()
    found.changed = [replace(f, origin=origins.get(f.path)) for f in found.changed]
    return found


def not_copied(path: Path, row: CopyRow | None) -> bool:
    """True when the archive holds no copy of the file as it is now (one stat)."""
    stat = path.stat()
    same = row is not None and (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    return not (same and row is not None and row.archive_path)  # "": left out before


def _same_prefix(path: Path, row: FileRow, size: int) -> bool:
    return size >= row.offset and tail_sha256(path, row.offset) == row.tail_sha256


def _resume(found: Discovery, rel: str, stat: os.stat_result, row: FileRow) -> None:
    if stat.st_size == row.size:
        found.unchanged += 1  # touched only: the same bytes as last time
        return
    appendable = row.source_format in APPEND_ONLY
    found.changed.append(
        FileInfo(
            rel,
            stat.st_size,
            stat.st_mtime_ns,
            row.source_format,
            offset=row.offset if appendable else 0,
            first_line=row.next_line if appendable else 1,
            session_id=row.session_id,
            cwd=row.cwd,
            prior_lines=row.lines if appendable else 0,
            prior_events=row.events if appendable else 0,
            prior_corrupt=row.corrupt_lines if appendable else 0,
        )
    )
    found.resumed += appendable


def _first_read(
    found: Discovery, path: Path, rel: str, stat: os.stat_result, *, rewritten: bool
) -> None:
    detected = sources.detect(path)
    if detected.format is None:
        found.skipped.append((rel, detected.reason))
        return
    found.changed.append(FileInfo(rel, stat.st_size, stat.st_mtime_ns, detected.format.name))
    if rewritten:
        found.rewritten_paths.append(rel)


def batches(
    files: Sequence[FileInfo], max_files: int = 50, max_bytes: int = MAX_BATCH_BYTES
) -> list[list[FileInfo]]:
    """Groups of ~max_files files or ~max_bytes bytes, whichever comes first."""
    groups: list[list[FileInfo]] = []
    size = 0
    for info in files:
        to_read = info.size - info.offset
        if not groups or len(groups[-1]) >= max_files or size + to_read > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(info)
        size += to_read
    return groups


def skipped_records(archive_root: Path, found: Discovery) -> list[FileRecord]:
    """Files we cannot read, remembered so that they are not sniffed again every night; not
    those unreadable now (permissions), tried again next time."""
    records = []
    for rel, reason in found.skipped:
        path = archive_root / rel
        if unreadable(path):
            continue
        stat = path.stat()
        records.append(
            FileRecord(
                archive_root=str(archive_root),
                path=rel,
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                sha256=None,
                offset=stat.st_size,
                next_line=1,
                tail_sha256=tail_sha256(path, stat.st_size),
                source_format=f"skipped: {reason}",
                session_id=None,
                cwd=None,
                lines=0,
                events=0,
                corrupt_lines=0,
                unknown_lines=0,
            )
        )
    return records
