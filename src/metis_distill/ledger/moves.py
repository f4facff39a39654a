"""A data dir moved (`mv`) or copied elsewhere: the ledger holds absolute paths into it (the
archive's root in `files`, `evidence` and `recoveries`, each proposal's folder, and the
evidence ids made from the archive's root). The ledger records the data dir it serves (meta
`data_dir`); a command run from another one re-points those paths there, in one transaction,
before it reads anything. A SQLite ledger kept outside the data dir is re-pointed only when
the data dir it served is gone (while that one exists, the ledger is still its own); a
database server's ledger never is (other machines may share it).

A ledger made before the record was kept is read for it: the folder holding the archive its
files were read from, or its proposals' folders, when that folder no longer exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from metis_distill.ledger.core import Ledger
from metis_distill.ledger.engine import LedgerError
from metis_distill.ledger.schema import EvidenceRow, FileRow, MetaRow, ProposalRow, RecoveryRow
from metis_distill.ledger.where import sqlite_file

DATA_DIR = "data_dir"  # the meta key: the data dir the ledger's paths point into


def recorded_data_dir(ledger: Ledger) -> str | None:
    with ledger.session() as db:
        row = db.get(MetaRow, DATA_DIR)
    return json.loads(row.value) if row is not None else None


def follow_move(ledger: Ledger, data_dir: Path, *, record: bool) -> str | None:
    """Re-point the ledger's paths into `data_dir` when it was last used from another data dir;
    the old data dir when it was (None: nothing moved). `record`: also note `data_dir` in a
    ledger that has no note yet (a command that writes; a reading one writes only a move)."""
    here = str(data_dir.expanduser().resolve())
    with ledger.session() as db:
        row = db.get(MetaRow, DATA_DIR)
        was = json.loads(row.value) if row is not None else _gone_data_dir(db)
        if was is None or was == here:
            if row is None and record:
                db.add(MetaRow(key=DATA_DIR, value=json.dumps(here)))
            return None
        _check_own(ledger.url, was, here)
        _repoint(db, was, here)
        db.merge(MetaRow(key=DATA_DIR, value=json.dumps(here)))
    return was


def _check_own(url: str, was: str, here: str) -> None:
    """A ledger inside the data dir moved with it; a SQLite file elsewhere still serves `was`
    while that exists; a database server's never follows: other machines may use it, with
    data dirs this one cannot see."""
    path = sqlite_file(url)
    inside = path is not None and path.expanduser().resolve().is_relative_to(here)
    if inside or (path is not None and not Path(was).exists()):
        return
    raise LedgerError(
        f"the ledger serves the data dir {was}, not {here}",
        hint=f"pass --data-dir {was} (or give {here} a ledger of its own: --ledger-url)",
    )


def _under(path: str, folder: str) -> str | None:
    """`path` relative to `folder` ("" for the folder itself); None when outside it."""
    if path == folder:
        return ""
    return path[len(folder) + 1 :] if path.startswith(folder.rstrip("/") + "/") else None


def _moved(path: str, was: str, here: str) -> str | None:
    rest = _under(path, was)
    if rest is None:
        return None
    return here if not rest else str(PurePosixPath(here) / rest)


def _repoint(db: Session, was: str, here: str) -> None:
    roots = {str(r) for r in db.scalars(select(FileRow.archive_root).distinct())}
    roots |= {str(r) for r in db.scalars(select(EvidenceRow.archive_root).distinct())}
    roots |= {str(r) for r in db.scalars(select(RecoveryRow.archive_root).distinct())}
    for root in roots:
        new = _moved(root, was, here)
        if new is not None:
            _repoint_root(db, root, new)
    for proposal in db.scalars(select(ProposalRow).where(ProposalRow.folder.startswith(was))):
        folder = _moved(proposal.folder, was, here)
        if folder is not None:
            proposal.folder = folder


def _repoint_root(db: Session, old: str, new: str) -> None:
    """One archive root's rows moved to `new`; a row already there (read again from `new`
    before this was done) is kept and its twin from `old` dropped."""
    for table in (FileRow, RecoveryRow):
        there = select(table.path).where(table.archive_root == new)
        db.execute(delete(table).where(table.archive_root == old, table.path.in_(there)))
        db.execute(update(table).where(table.archive_root == old).values(archive_root=new))
    _repoint_evidence(db, old, new)


def _repoint_evidence(db: Session, old: str, new: str) -> None:
    """Evidence ids are made from the archive's root: made again from `new`, so that a span
    read again is known as the evidence it already is."""
    from metis_distill.curate.ids import span_id

    spans = db.execute(
        select(
            EvidenceRow.id,
            EvidenceRow.lesson_id,
            EvidenceRow.path,
            EvidenceRow.line_start,
            EvidenceRow.line_end,
        ).where(EvidenceRow.archive_root == old)
    ).all()
    ids = {e.id: span_id(e.lesson_id, new, e.path, e.line_start, e.line_end) for e in spans}
    taken = set(_existing(db, ids.values()))
    twins = [old_id for old_id, new_id in ids.items() if new_id in taken]
    db.execute(delete(EvidenceRow).where(EvidenceRow.id.in_(twins)))
    table = EvidenceRow.metadata.tables[EvidenceRow.__tablename__]
    renamed = [{"old_id": o, "new_id": n} for o, n in ids.items() if n not in taken]
    if renamed:
        db.connection().execute(
            update(table)
            .where(table.c.id == bindparam("old_id"))
            .values(id=bindparam("new_id"), archive_root=new),
            renamed,
        )


def _existing(db: Session, ids: Iterable[str]) -> list[str]:
    wanted = list(ids)
    found: list[str] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.extend(db.scalars(select(EvidenceRow.id).where(EvidenceRow.id.in_(chunk))))
    return found


def _gone_data_dir(db: Session) -> str | None:
    """The data dir of a ledger made before the record was kept, when it no longer exists:
    the folder of the archive its files were last read from, else of its last proposal."""
    last_read = db.scalars(
        select(FileRow.archive_root).order_by(FileRow.read_at.desc()).limit(1)
    ).first()
    if last_read is not None and PurePosixPath(last_read).name == "archive":
        folder = str(PurePosixPath(last_read).parent)
    else:
        proposal = db.scalars(
            select(ProposalRow.folder)
            .where(ProposalRow.folder != "")
            .order_by(ProposalRow.id.desc())
        ).first()
        if proposal is None or not PurePosixPath(proposal).is_absolute():
            return None
        folder = str(PurePosixPath(proposal).parents[2])  # <data dir>/proposals/<file>/<n>
    return None if Path(folder).exists() else folder
