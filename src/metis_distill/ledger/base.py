"""What every repository of the ledger stands on: one transaction per call."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from metis_distill.ledger.schema import FileRow, RecoveryRow


class Repository:
    """A group of the ledger's tables and the queries on them; `Ledger` gives the session."""

    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError


IN_CHUNK = 500  # paths per IN (...) query, well under every database's limit


def merge_all(db: Session, model: type[FileRow] | type[RecoveryRow], rows: Iterable[Any]) -> None:
    """`db.merge` of every row (the last of one key wins), with one query per archive root
    and 500 paths for the rows already stored, not one per row: a first read records
    thousands of files and recoveries."""
    keyed = {_key(row): row for row in rows}
    stored: set[tuple[Any, ...]] = set()
    by_root: dict[str, list[str]] = {}
    for row in keyed.values():
        by_root.setdefault(row.archive_root, []).append(row.path)
    for root, paths in by_root.items():
        for start in range(0, len(paths), IN_CHUNK):
            chunk = paths[start : start + IN_CHUNK]
            query = select(model).where(model.archive_root == root, model.path.in_(chunk))
            stored.update(_key(row) for row in db.scalars(query))
    with db.no_autoflush:
        for key, row in keyed.items():
            if key in stored:
                db.merge(row)  # found in the session: no query
            else:
                db.add(row)


def _key(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, column.key) for column in inspect(type(row)).primary_key)
