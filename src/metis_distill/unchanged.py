"""A night with nothing new costs one `stat` per file: before a distill loads Prefect, the
embedding model or chromadb, `nothing_new` asks the ledger whether a run now would read
anything. It would not when the target's last run completed with the same settings, the same
library code and the same target file (the run's stamp, kept in its summary), its proposal
still waits for review, and every source and archive file has the size and mtime the ledger
recorded when it was copied and read. Anything else (a new or grown file, an unreadable
folder, work left by a budget, a changed setting or target, a reviewed proposal, a ledger
that cannot be read as it is) means a full run. A run that finds nothing new is still put on
record (`record_quiet_run`), with sqlite3 too, so that `metis status` shows it as the last run.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from metis_distill.config import Settings
from metis_distill.config.places import lock_path
from metis_distill.errors import MetisError
from metis_distill.ledger.glance import Copied, QuietRun, glance, record_nothing_new
from metis_distill.listing import stat_files
from metis_distill.statuses import DistillStatus

STAMP = "run_stamp"  # the key of the stamp in a distill run's summary
ARCHIVE = "archive"  # the key of the folder a run archived from (`metis status` counts it)


@dataclass(frozen=True)
class NothingNew:
    """What a run now would find: only files it has read before, unchanged."""

    sources: int  # files of the source folders, each copied at its present size and mtime
    archived: int  # files of the archive, each read at its present size and mtime

    @property
    def files(self) -> int:
        return self.sources + self.archived

    def said(self) -> str:
        sources = "source file" if self.sources == 1 else "source files"
        archived = "archived file" if self.archived == 1 else "archived files"
        return (
            f"Nothing new since the last run: {self.sources} {sources} and "
            f"{self.archived} {archived} unchanged."
        )


@cache
def code_version() -> str:
    """A hash of the library's code: a new parser, miner or redaction rule makes every batch
    read before stale, and every run stamp too."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_stamp(settings: Settings, target: Path) -> str:
    """What a run's outcome depends on besides the files: its settings, the library's code
    and the target's bytes."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(json.dumps(settings.model_dump(mode="json"), sort_keys=True).encode())
    digest.update(target.read_bytes() if target.is_file() else b"\0no target")
    return digest.hexdigest()


def nothing_new(settings: Settings) -> NothingNew | None:
    """`NothingNew` when a distill of `settings` now would read nothing new; None otherwise,
    or when unsure (then a full run decides)."""
    if settings.target is None:
        return None
    target = settings.target.expanduser().resolve()
    archive = settings.archive_dir.resolve()
    try:
        seen = glance(settings.ledger_url, str(target), str(archive))
        if seen is None or seen.last_status != DistillStatus.COMPLETED:
            return None
        if seen.last_summary.get(STAMP) != run_stamp(settings, target):
            return None
        if seen.last_proposal is not None and seen.last_proposal not in seen.pending:
            return None  # accepted, rejected or stopped since: a run now may differ
        sources = _sources_unchanged(settings, archive, seen.copies)
        read = _archive_unchanged(archive, seen.files)
    except (MetisError, OSError, ValueError):  # ValueError: a summary that is not JSON
        return None
    if sources is None or read is None:
        return None
    return NothingNew(sources, read)


def record_quiet_run(settings: Settings, quiet: NothingNew, flow_run_id: str | None = None) -> bool:
    """The run that found `quiet`, on record as the target's last run (`metis status`); False
    when the ledger refused it."""
    if settings.target is None:
        return False
    run = QuietRun(
        target=str(settings.target.expanduser().resolve()),
        message=quiet.said(),
        summary={
            "files_unchanged": quiet.files,
            "sources": quiet.sources,
            "archived": quiet.archived,
            ARCHIVE: str(settings.archive.expanduser().resolve()),
        },
        at=datetime.now(UTC),
        host=socket.gethostname(),
        pid=os.getpid(),
        flow_run_id=flow_run_id,
    )
    return record_nothing_new(settings.ledger_url, run)


def _sources_unchanged(
    settings: Settings, archive: Path, copies: Mapping[str, Copied]
) -> int | None:
    """The number of source files, when each was copied at its present size and mtime."""
    ours = (str(archive), str(lock_path(archive).parent))
    checked = 0
    for root in settings.source_roots():
        root = root.expanduser().resolve()
        if not root.exists():
            return None
        listing = stat_files(root)
        if listing.unreadable:
            return None
        for path, found in listing.files.items():
            if any(_inside(path, folder) for folder in ours):
                continue
            row = copies.get(path)
            if row is None or not row.archive_path or not _same(found, row.size, row.mtime_ns):
                return None
            checked += 1
    return checked


def _archive_unchanged(archive: Path, rows: Mapping[str, tuple[int, int]]) -> int | None:
    """The number of archive files, when each was read (or set aside) at its present size and
    mtime."""
    if not archive.is_dir():
        return None
    listing = stat_files(archive)
    if listing.unreadable:
        return None
    start = len(str(archive)) + 1
    for path, found in listing.files.items():
        row = rows.get(path[start:].replace(os.sep, "/"))
        if row is None or not _same(found, *row):
            return None
    return len(listing.files)


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder) and path[len(folder) : len(folder) + 1] in ("", os.sep)


def _same(found: os.stat_result, size: int, mtime_ns: int) -> bool:
    return (found.st_size, found.st_mtime_ns) == (size, mtime_ns)
