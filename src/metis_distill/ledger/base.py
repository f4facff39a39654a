"""What every repository of the ledger stands on: one transaction per call."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from metis_distill.ledger.schema import FileRow, RecoveryRow


class Repository:
    """A group of the ledger's tables and the queries on them; `Ledger` gives the session."""

    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError


IN_CHUNK = 500  # paths per IN (...) query, well under every database's limit


def upsert_all(
    db: Session, model: type[FileRow] | type[RecoveryRow], rows: Iterable[dict[str, Any]]
) -> None:
    """Each row (its columns' values) inserted, or its stored row updated (the last of one key
    wins), as `db.merge` of each made row did: one query per archive root and 500 paths for
    the keys already stored, then one INSERT of the new rows and one UPDATE of the stored, no
    ORM object made (a first read records thousands of files and recoveries)."""
    keys = [column.key for column in model.__table__.primary_key]
    keyed = {tuple(row[key] for key in keys): row for row in rows}
    stored: set[tuple[Any, ...]] = set()
    by_root: dict[str, dict[str, None]] = {}
    for row in keyed.values():
        by_root.setdefault(row["archive_root"], {})[row["path"]] = None
    columns = [getattr(model, key) for key in keys]
    for root, named in by_root.items():
        paths = list(named)
        for start in range(0, len(paths), IN_CHUNK):
            chunk = paths[start : start + IN_CHUNK]
            query = select(*columns).where(model.archive_root == root, model.path.in_(chunk))
            stored.update(tuple(found) for found in db.execute(query))
    new = [row for key, row in keyed.items() if key not in stored]
    if new:
        db.execute(insert(model), new)
    known = [row for key, row in keyed.items() if key in stored]
    if known:
        db.execute(update(model), known)  # by primary key: every other column set
