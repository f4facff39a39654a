"""The ledger's many-row writes against the plain computation they replace: curation's evidence
written as rows of columns, many at a time (not an ORM object each, flushed), and the files and
recoveries upserted with one INSERT and one UPDATE (not `db.merge` of an ORM object each)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from metis_distill.ledger import (
    Base,
    Evidence,
    EvidenceRow,
    FileRecord,
    FileRow,
    Ledger,
    LessonRow,
    RecoveryRecord,
    RecoveryRow,
    now,
)
from metis_distill.ledger import lessons as lessons_module

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def both(tmp_path: Path) -> Iterator[tuple[Ledger, Engine]]:
    """The ledger as metis writes it, and a plain database of the same tables."""
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    Base.metadata.create_all(plain)
    yield ledger, plain
    ledger.close()
    plain.dispose()


@contextmanager
def emptied(ledger: Ledger, plain: Engine) -> Iterator[Session]:
    """Both databases emptied (one example after another), the plain one's session."""
    tables = (EvidenceRow, LessonRow, FileRow, RecoveryRow)
    with ledger.session() as db:
        for table in tables:
            db.execute(delete(table))
    with Session(plain) as db, db.begin():
        for table in tables:
            db.execute(delete(table))
    with Session(plain) as db, db.begin():
        yield db


def rows_of(engine: Engine, model: type[Base], *leave_out: str) -> list[tuple[object, ...]]:
    columns = [c for c in model.__table__.columns if c.key not in leave_out]
    with engine.connect() as connection:
        order = list(model.__table__.primary_key)
        return [tuple(r) for r in connection.execute(select(*columns).order_by(*order))]


# curation's evidence ---------------------------------------------------------------------

_ID = st.sampled_from([f"e{n}" for n in range(8)])
_LESSON = st.sampled_from(["a", "b"])
_STEP = st.one_of(
    st.tuples(st.just("add"), _ID, _LESSON, st.sampled_from(["q1", "q2", "q3"])),
    st.tuples(st.just("has"), _ID),
    st.tuples(st.just("quotes"), _LESSON),
)


def _evidence(id_: str, lesson: str, quote: str, n: int) -> Evidence:
    return Evidence(
        id=id_, lesson_id=lesson, archive_root="/a", path=f"{id_}.jsonl", line_start=n,
        line_end=n + 1, native_id=None if n % 2 else f"n{n}", quote=quote, session_id="s",
        cwd=None if n % 3 else "/w", timestamp=AT + timedelta(minutes=n), shows_fix=n % 2 == 0,
    )  # fmt: skip


@EXAMPLES
@given(
    stored=st.lists(_ID, unique=True, max_size=3),
    prefetched=st.lists(_ID, unique=True, max_size=5),
    steps=st.lists(_STEP, max_size=25),
    flush=st.integers(1, 4),
)
def test_curating_s_evidence_is_what_adding_each_orm_row_made(
    both: tuple[Ledger, Engine],
    stored: list[str],
    prefetched: list[str],
    steps: list[tuple[str, ...]],
    flush: int,
) -> None:
    """Evidence stored before, ids prefetched or not, then evidence added (when not there),
    asked for and its quotes read between writes: every answer and every row as the plain
    session gives them, a row added to it (`db.add`) for each piece and `db.get` for each
    question."""
    ledger, plain = both
    answers: tuple[list[object], list[object]] = ([], [])
    with emptied(ledger, plain) as db:
        for session in (db, None):
            rows = [LessonRow(id=i, kind="gotcha", text=i, created_at=AT) for i in "ab"]
            rows += [EvidenceRow(**_evidence(i, "a", "old", 0)._asdict()) for i in stored]
            if session is None:
                with ledger.session() as mine:
                    mine.add_all(rows)
            else:
                session.add_all(rows)
                session.flush()
        with pytest.MonkeyPatch.context() as patch, ledger.curating() as lessons:
            patch.setattr(lessons_module, "EVIDENCE_FLUSH", flush)
            lessons.prefetch([], prefetched)
            for n, step in enumerate(steps, start=1):
                if step[0] == "add":
                    _, id_, lesson, quote = step
                    for side, has in enumerate(
                        (lessons.has_evidence(id_), db.get(EvidenceRow, id_) is not None)
                    ):
                        answers[side].append(has)
                    if not answers[0][-1]:
                        lessons.add_evidence(_evidence(id_, lesson, quote, n))
                    if not answers[1][-1]:
                        db.add(EvidenceRow(**_evidence(id_, lesson, quote, n)._asdict()))
                elif step[0] == "has":
                    answers[0].append(lessons.has_evidence(step[1]))
                    answers[1].append(db.get(EvidenceRow, step[1]) is not None)
                else:
                    answers[0].append(lessons.recent_quotes(step[1], 2))
                    query = (
                        select(EvidenceRow.quote)
                        .where(EvidenceRow.lesson_id == step[1])
                        .order_by(EvidenceRow.timestamp.desc())
                        .limit(2)
                    )
                    answers[1].append(sorted(set(db.scalars(query))))
    assert answers[0] == answers[1]
    assert rows_of(ledger.engine, EvidenceRow) == rows_of(plain, EvidenceRow)


def test_evidence_added_is_not_written_when_curation_fails(tmp_path: Path) -> None:
    """Curation is one transaction: evidence added, some of it written already, is gone
    with the rest when the body raises."""
    with Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}") as ledger:
        with ledger.curating() as lessons:
            lessons.add_lesson(LessonRow(id="a", kind="gotcha", text="a", created_at=now()))
        with pytest.raises(RuntimeError), ledger.curating() as lessons:
            for n in range(lessons_module.EVIDENCE_FLUSH + 3):
                lessons.add_evidence(_evidence(f"e{n}", "a", "q", n))
            raise RuntimeError("killed")
        assert ledger.counts()["evidence"] == 0


# files and recoveries ----------------------------------------------------------------------

_RECOVERY = st.builds(
    RecoveryRecord,
    archive_root=st.sampled_from(["/a", "/b"]),
    path=st.sampled_from(["x.jsonl", "y.jsonl"]),
    line=st.integers(1, 3),
    session_id=st.sampled_from(["s", "t"]),
    cwd=st.sampled_from([None, "/w"]),
    failure_class=st.sampled_from(["test", "type"]),
    command=st.text(max_size=5),
    failed_at=st.sampled_from([None, AT]),
    recovered_at=st.sampled_from([None, AT + timedelta(seconds=30)]),
    seconds=st.sampled_from([None, 0.0, 30.0]),
)
_FILE = st.builds(
    FileRecord,
    archive_root=st.sampled_from(["/a", "/b"]),
    path=st.sampled_from(["x.jsonl", "y.jsonl", "z.md"]),
    size=st.integers(0, 10**12),
    mtime_ns=st.integers(0, 10**18),
    sha256=st.sampled_from([None, "f" * 64]),
    offset=st.integers(0, 100),
    next_line=st.integers(1, 100),
    tail_sha256=st.sampled_from(["", "0" * 64]),
    source_format=st.sampled_from(["claude_code", "skipped: empty"]),
    session_id=st.sampled_from([None, "s"]),
    cwd=st.sampled_from([None, "/w"]),
    lines=st.integers(0, 9),
    events=st.integers(0, 9),
    corrupt_lines=st.integers(0, 9),
    unknown_lines=st.integers(0, 9),
)


@EXAMPLES
@given(batches=st.lists(st.lists(_RECOVERY, max_size=6), max_size=4))
def test_recoveries_upserted_are_what_merging_each_row_made(
    both: tuple[Ledger, Engine], batches: list[list[RecoveryRecord]]
) -> None:
    """Batch after batch, keys repeated within a batch and across them: the rows stored are
    those of `db.merge` of an ORM row for each record, in order."""
    ledger, plain = both
    with emptied(ledger, plain) as db:
        for batch in batches:
            ledger.record_recoveries(batch)
            for record in batch:
                db.merge(RecoveryRow(**record._asdict()))
            db.flush()
    assert rows_of(ledger.engine, RecoveryRow) == rows_of(plain, RecoveryRow)


@EXAMPLES
@given(batches=st.lists(st.lists(_FILE, max_size=6), max_size=4))
def test_files_upserted_are_what_merging_each_row_made(
    both: tuple[Ledger, Engine], batches: list[list[FileRecord]]
) -> None:
    """The same for the files read (their time of reading aside: each row's own `now()`)."""
    ledger, plain = both
    with emptied(ledger, plain) as db:
        for batch in batches:
            ledger.record_files(batch)
            for record in batch:
                db.merge(FileRow(**vars(record), read_at=now()))
            db.flush()
    assert rows_of(ledger.engine, FileRow, "read_at") == rows_of(plain, FileRow, "read_at")
