"""The files a distill read, and the archive's copies of the sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from metis_distill.ledger.base import IN_CHUNK, Repository, upsert_all
from metis_distill.ledger.schema import CopyRow, EvidenceRow, FileRow, now


@dataclass(frozen=True)
class FileRecord:
    """A file as read, as plain data (a task result), before it becomes a `FileRow`."""

    archive_root: str
    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    offset: int
    next_line: int
    tail_sha256: str
    source_format: str
    session_id: str | None
    cwd: str | None
    lines: int
    events: int
    corrupt_lines: int
    unknown_lines: int


class FileRepository(Repository):
    def file_rows(self, archive_root: str) -> dict[str, FileRow]:
        with self.session() as db:
            rows = db.scalars(select(FileRow).where(FileRow.archive_root == archive_root))
            return {row.path: row for row in rows}

    def record_files(self, records: Iterable[FileRecord]) -> None:
        with self.session() as db:
            upsert_all(db, FileRow, ({**vars(r), "read_at": now()} for r in records))

    def run_cwds(self) -> set[str]:
        """Every cwd a run was seen in: of the files read and of each session's evidence."""
        with self.session() as db:
            files = db.scalars(select(FileRow.cwd).distinct())
            sessions = db.scalars(select(EvidenceRow.cwd).distinct())
            return {cwd for cwd in (*files, *sessions) if cwd}

    def formats(self) -> dict[tuple[str, str], str]:
        """Each file read, (archive root, path), with the format its runs were read in."""
        with self.session() as db:
            rows = db.execute(select(FileRow.archive_root, FileRow.path, FileRow.source_format))
            return {(root, path): found for root, path, found in rows}

    # archive copies --------------------------------------------------------
    def copies(self) -> dict[str, CopyRow]:
        with self.session() as db:
            return {row.source: row for row in db.scalars(select(CopyRow))}

    def origins(self) -> dict[str, str]:
        """Archive path -> the source file it was copied from."""
        return {row.archive_path: row.source for row in self.copies().values() if row.archive_path}

    def record_copy(self, row: CopyRow) -> None:
        self.record_copies([row])

    def record_copies(self, rows: Iterable[CopyRow]) -> None:
        """Copies recorded in one transaction (the last row of a source wins): the rows already
        stored read with one query per 500 sources, not one (and a commit) per row."""
        keyed = {row.source: row for row in rows}
        if not keyed:
            return
        sources = list(keyed)
        with self.session() as db:
            stored: set[str] = set()
            for start in range(0, len(sources), IN_CHUNK):
                chunk = sources[start : start + IN_CHUNK]
                found = db.scalars(select(CopyRow).where(CopyRow.source.in_(chunk)))
                stored.update(row.source for row in found)
            with db.no_autoflush:
                for source, row in keyed.items():
                    if source in stored:
                        db.merge(row)  # found in the session: no query
                    else:
                        db.add(row)
