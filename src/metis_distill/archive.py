"""The permanent archive: an append-only, content-checked copy of every run (contract 4).

`archive_from(sources, archive_root, ledger)` copies files in and never deletes or rewrites:
- a new source file is copied whole (temp file, then rename);
- a source that grew by appending (the copy's last bytes still match) gets only the new
  bytes appended to its copy;
- a source changed otherwise is stored beside the old copy as `name@{sha8}.ext`, which
  becomes the current copy; every earlier version stays readable.
The source folders are only ever read. One writer at a time (a file lock beside the archive):
so a temp file found under the archive was left by a killed copy, and is removed.

Copies are made durable a batch at a time, RECORD_EVERY files (an fsync per file was most
of a first archive's time): each new file or version is written to its temp file, each
append in place, none flushed; then the batch is flushed at once (`durable.flush`), its temps
renamed onto their names, the folders whose entries changed flushed, and only then its rows
recorded. So no copy gets its name before it is on disk, and no row is recorded before its
copy is there under that name. A kill before the renames leaves temp files only, removed
next run; one before the record leaves whole copies that the next run finds its sources
append nothing to, and records; a killed append leaves a prefix of the source, completed
next run.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from filelock import FileLock

from metis_distill.config.places import lock_path
from metis_distill.durable import flush
from metis_distill.errors import ConfigError
from metis_distill.faults import checkpoint
from metis_distill.ledger import CopyRow, Ledger, now
from metis_distill.listing import list_files, unreadable
from metis_distill.textio import make_temp, remove_temps

CHUNK = 1 << 20
_VERSIONED = re.compile(r"^(?P<stem>.+?)(?:@[0-9a-f]{8})?(?P<suffix>\.[^.@]+)?$")


@dataclass
class ArchiveResult:
    copied: int = 0
    appended: int = 0
    versions: int = 0
    unchanged: int = 0
    bytes_copied: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source path, reason)
    superseded: list[str] = field(default_factory=list)  # archive paths a new version replaced


def label_for(source: Path, home: Path | None = None) -> str:
    """Where a source lands in the archive: `~/.claude/projects` -> `claude/projects`,
    elsewhere its last two folder names; dots dropped so the archive holds no hidden paths."""
    home = home or Path.home()
    folder = source.parent if source.is_file() else source
    parts = folder.relative_to(home).parts if folder.is_relative_to(home) else folder.parts[-2:]
    cleaned = [p.lstrip(".") or "_" for p in parts if p not in ("/", "")]
    return "/".join(cleaned) or "root"


def archive_from(source_roots: Sequence[Path], archive_root: Path, ledger: Ledger) -> ArchiveResult:
    """Copy every run file under the source roots into the archive; see the module doc."""
    archive_root = archive_root.resolve()
    lock = lock_path(archive_root)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock)):
        remove_temps(archive_root)
        return _archive_all(source_roots, archive_root, ledger)


# Copies flushed, renamed and recorded together (see the module doc).
RECORD_EVERY = 256


@dataclass
class _Batch:
    """Copies made but not yet flushed: the files written (temps, appended copies), the
    temps' renames still to make, the folders whose entries change, and the rows to record
    once all of it is on disk."""

    archive_root: Path
    ledger: Ledger
    written: list[Path] = field(default_factory=list)
    renames: list[tuple[Path, Path]] = field(default_factory=list)
    folders: set[Path] = field(default_factory=set)
    rows: list[CopyRow] = field(default_factory=list)

    def add(self, row: CopyRow) -> None:
        self.rows.append(row)
        if len(self.rows) >= RECORD_EVERY:
            self.finish()

    def finish(self) -> None:
        """Flush, rename, flush the folders, record: no name given to a copy before it is on
        disk, no row recorded before its copy is there under its name. Emptied first, so a
        batch that failed half-way is not finished again; what it left, the next run sees."""
        written, renames, folders, rows = self.written, self.renames, self.folders, self.rows
        self.written, self.renames, self.folders, self.rows = [], [], set(), []
        if not rows:
            return
        checkpoint("archive:written")
        flush(self.archive_root, written)
        for temp, final in renames:
            os.replace(temp, final)
            checkpoint("archive:renaming")
        flush(self.archive_root, folders)
        checkpoint("archive:renamed")
        self.ledger.record_copies(rows)

    def make_folder(self, copy: Path) -> None:
        """Make the folder a copy goes in when missing. It gets a new entry (the copy's name),
        and so does the folder above each one made: all flushed after the renames."""
        folder = copy.parent
        self.folders.add(folder)
        made = list(takewhile(lambda f: not f.is_dir(), (folder, *folder.parents)))
        if made:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.update(f.parent for f in made)

    def found(self, copy: Path) -> None:
        """A copy a killed run renamed and did not record: its name, and the folders it made
        for it, may not be on disk yet."""
        up = (copy.parent, *copy.parent.parents)
        self.folders.update(f for f in up if f.is_relative_to(self.archive_root))


def _archive_all(source_roots: Sequence[Path], archive_root: Path, ledger: Ledger) -> ArchiveResult:
    result = ArchiveResult()
    copies = ledger.copies()
    batch = _Batch(archive_root, ledger)
    try:
        for root in source_roots:
            _archive_root(root, copies, batch, result)
    finally:
        batch.finish()
    return result


def _archive_root(
    root: Path, copies: dict[str, CopyRow], batch: _Batch, result: ArchiveResult
) -> None:
    """Copy one source root's files into the batch."""
    archive_root = batch.archive_root
    root = root.expanduser().resolve()
    if not root.exists():
        raise ConfigError(f"source not found: {root}", hint="check the --from paths")
    if root.is_relative_to(archive_root):
        raise ConfigError(
            f"{root} is inside the archive itself",
            hint="archive the runs' own folder (e.g. ~/.claude/projects), not the archive",
        )
    label = _unique_label(root, copies)
    listing = list_files(root)
    result.skipped.extend((str(where), why) for where, why in listing.passed_over())
    locks = lock_path(archive_root).parent
    for path in listing.files:
        if path.is_relative_to(archive_root) or path.is_relative_to(locks):
            continue  # a source folder holding the data dir: never copy the archive
        rel = path.relative_to(root).as_posix() if root.is_dir() else path.name
        row = _archive_one(path, f"{label}/{rel}", copies.get(str(path)), batch, result)
        if row is not None:
            copies[row.source] = row
            batch.add(row)
        checkpoint("archive:file")


def _unique_label(root: Path, copies: dict[str, CopyRow]) -> str:
    """The root's label, made unique when another root already uses it (`a/u/projects` and
    `b/u/projects` would both be `u/projects`). A file archived alone (the SessionEnd hook)
    lands beside the copies of its folder's other files, when there are some."""
    if root.is_file():
        beside = (
            r for r in copies.values() if r.archive_path and Path(r.source).parent == root.parent
        )
        sibling = next(beside, None)
        if sibling is not None:
            return PurePosixPath(sibling.archive_path).parent.as_posix()
    label = label_for(root)
    folder = root.parent if root.is_file() else root
    taken = any(
        row.archive_path.startswith(f"{label}/") and not Path(row.source).is_relative_to(folder)
        for row in copies.values()
    )
    if not taken:
        return label
    return f"{label}-{hashlib.sha256(str(root).encode()).hexdigest()[:6]}"


def _archive_one(
    path: Path, archive_path: str, row: CopyRow | None, batch: _Batch, result: ArchiveResult
) -> CopyRow | None:
    """Copy one source file, whatever its format (the archive keeps raw data, read or not);
    a file that cannot be read now is reported and tried again next time."""
    stat = path.stat()
    if row is not None and not row.archive_path:
        row = None  # left out by an earlier version (not a run it could read): copied now
    if row is not None and (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        result.unchanged += 1
        return None
    problem = unreadable(path)
    if problem:
        result.skipped.append((str(path), problem))
        return None
    archive_root = batch.archive_root
    current = archive_root / (row.archive_path if row else archive_path)
    versions = row.versions if row else 1
    if not current.exists():
        _copy_whole(path, current, batch)
        result.copied += 1
        result.bytes_copied += stat.st_size
    elif _is_append_of(path, current):
        vouched = row is not None and current.stat().st_size == row.size
        added = _append(path, current, batch)
        if not added and not vouched:
            batch.written.append(current)  # bytes a killed run appended, maybe never flushed
        if row is None:
            batch.found(current)
        result.unchanged += added == 0
        result.appended += added > 0
        result.bytes_copied += added
    else:
        result.superseded.append(current.relative_to(archive_root).as_posix())
        current = _new_version(path, current, batch)
        versions += 1
        result.versions += 1
        result.bytes_copied += stat.st_size
    return CopyRow(
        source=str(path),
        archive_path=current.relative_to(archive_root).as_posix(),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        versions=versions,
        copied_at=now(),
    )


def _is_append_of(source: Path, copy: Path) -> bool:
    """Does the source start with every byte of the copy? Only the whole prefix tells: a word
    changed in place keeps the size and the tail. Asked only of a source whose size or mtime
    changed since its last copy."""
    size = copy.stat().st_size
    if source.stat().st_size < size:
        return False
    with source.open("rb") as a, copy.open("rb") as b:
        for start in range(0, size, CHUNK):
            length = min(CHUNK, size - start)
            if a.read(length) != b.read(length):
                return False
    return True


def _append(source: Path, copy: Path, batch: _Batch) -> int:
    """Append the source's bytes past the copy's end, flushed with the batch; the bytes
    added."""
    size = copy.stat().st_size
    with source.open("rb") as src, copy.open("r+b") as dst:  # not "ab": the kernel's copy
        src.seek(size)  # refuses a file opened to append
        dst.seek(0, os.SEEK_END)
        added = _copy_rest(src, dst)
    if added:
        batch.written.append(copy)
    return added


def _copy_whole(source: Path, destination: Path, batch: _Batch) -> None:
    """Copy to a temp file beside `destination`, renamed onto it when the batch is flushed."""
    batch.make_folder(destination)
    fd, tmp = make_temp(destination)
    try:
        with os.fdopen(fd, "wb") as dst, source.open("rb") as src:
            _copy_rest(src, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    batch.written.append(tmp)
    batch.renames.append((tmp, destination))


def _copy_rest(src: BinaryIO, dst: BinaryIO) -> int:
    """The rest of `src` written at the end of `dst`, a MiB at a time; the bytes copied. The
    kernel copies (copy_file_range) where it can, or the bytes pass through here."""
    copied = 0
    kernel = hasattr(os, "copy_file_range")
    while True:
        if kernel:
            try:
                n = os.copy_file_range(src.fileno(), dst.fileno(), CHUNK)
            except OSError:  # not between these file systems (or not on this kernel)
                kernel = False
                continue
        else:
            chunk = src.read(CHUNK)
            dst.write(chunk)
            dst.flush()
            n = len(chunk)
        if n == 0:
            return copied
        copied += n
        checkpoint("archive:copying")


def _new_version(source: Path, current: Path, batch: _Batch) -> Path:
    """Store a rewritten source beside the first copy as `name@{sha8}.ext`."""
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    match = _VERSIONED.match(current.name)
    stem, suffix = (match["stem"], match["suffix"] or "") if match else (current.name, "")
    target = current.with_name(f"{stem}@{digest.hexdigest()[:8]}{suffix}")
    if target.exists():
        batch.found(target)  # a version a killed run made, or the source back to one
    else:
        _copy_whole(source, target, batch)
    return target
