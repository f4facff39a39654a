from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import Base, Ledger, LedgerError


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    ledger = Ledger.at(tmp_path)
    with ledger.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], "a model changed without a migration: add an alembic revision"
        assert MigrationContext.configure(connection).get_current_revision() is not None
    assert {"files", "lessons", "evidence", "proposals", "versions"} <= set(
        inspect(ledger.engine).get_table_names()
    )


def test_reopening_an_existing_ledger_keeps_its_data(tmp_path: Path) -> None:
    ledger = Ledger.at(tmp_path)
    ledger.add_version("/t/CLAUDE.md", "text", "abc", "accepted")
    ledger.close()
    again = Ledger.at(tmp_path)
    assert [v.content for v in again.versions("/t/CLAUDE.md")] == ["text"]


def ledger_at_revision(data: Path, revision: str) -> Path:
    """A ledger file whose schema an older metis made: upgraded only up to `revision`."""
    from alembic import command
    from alembic.config import Config

    from metis_distill.ledger import MIGRATIONS

    data.mkdir(parents=True)
    path = data / "ledger.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()
    return path


def revision_of(path: Path) -> str | None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        found = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return found


def test_reading_commands_never_migrate_and_say_which_command_does(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = ledger_at_revision(data, "0007")
    for command in (["status"], ["review"], ["history"], ["show", "0123456789"]):
        result = CliRunner().invoke(app, [*command, "--data-dir", str(data)])
        assert result.exit_code == 1, result.output
        assert "at schema revision 0007" in result.output
        assert "run `metis distill` or `metis archive` once" in result.output
        assert str(path) in result.output  # the path whole, not cut by the terminal width
        assert revision_of(path) == "0007"
    with pytest.raises(LedgerError):
        Ledger.reading(f"sqlite:///{path}")
    Ledger.at(data).close()  # a writer upgrades it
    assert revision_of(path) == revision_of_head(tmp_path)
    shown = CliRunner().invoke(app, ["status", "--data-dir", str(data), "--json"])
    assert shown.exit_code == 0, shown.output


def revision_of_head(tmp_path: Path) -> str | None:
    Ledger.at(tmp_path / "fresh").close()
    return revision_of(tmp_path / "fresh" / "ledger.sqlite")


def test_reading_a_ledger_not_made_yet_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shown = CliRunner().invoke(app, ["status", "--data-dir", str(data), "--json"])
    assert shown.exit_code == 1 and f"no data dir at {data}" in shown.output  # as `search`
    review = CliRunner().invoke(app, ["review", "--data-dir", str(data)])
    assert review.exit_code == 1 and "no pending proposal" in review.output
    assert not data.exists()


def test_the_ledger_closes_as_a_context_manager(tmp_path: Path) -> None:
    with Ledger.at(tmp_path) as ledger:
        ledger.add_version("/t/CLAUDE.md", "text", "abc", "accepted")
    with Ledger.reading(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as reader:
        assert [v.content for v in reader.versions("/t/CLAUDE.md")] == ["text"]


def test_the_revisions_read_without_alembic_are_alembic_s(tmp_path: Path) -> None:
    """A reading command checks the schema without importing alembic (0.6 s of a no-op run):
    the head read from the migration files and the ledger's revision read from its table are
    what alembic reads, for a new, an older and an empty ledger."""
    from metis_distill.ledger.engine import current_revision
    from metis_distill.ledger.where import _alembic_head, head_revision

    assert head_revision() == _alembic_head()
    for path in (
        ledger_at_revision(tmp_path / "old", "0008"),
        ledger_at_revision(tmp_path / "new", "head"),
        tmp_path / "empty.sqlite",
    ):
        engine = create_engine(f"sqlite:///{path}")
        assert current_revision(engine) == revision_of(path)
        engine.dispose()
    assert revision_of(tmp_path / "new" / "ledger.sqlite") == head_revision()


def test_recorded_rows_are_upserted_the_last_of_a_key_winning(tmp_path: Path) -> None:
    """Files and recoveries are recorded many at a time (one query for those stored): a
    row stored before is updated, a key given twice keeps its last row."""
    from metis_distill.ledger import RecoveryRecord

    def recovery(path: str, command: str) -> RecoveryRecord:
        return RecoveryRecord(
            archive_root="/a", path=path, line=1, session_id="s", cwd=None,
            failure_class="test", command=command, failed_at=None, recovered_at=None,
            seconds=None,
        )  # fmt: skip

    with Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}") as ledger:
        ledger.record_recoveries([recovery("x", "old"), recovery("y", "kept")])
        ledger.record_recoveries([recovery("x", "first"), recovery("z", "new")])
        ledger.record_recoveries([recovery("z", "twice"), recovery("z", "last")])
        found = {(r.path, r.command) for r in ledger.recoveries()}
    assert found == {("x", "first"), ("y", "kept"), ("z", "last")}


def test_curating_asks_no_query_for_rows_it_prefetched(tmp_path: Path) -> None:
    """Curation reads its candidates' lessons and evidence at once: asking for each of them
    afterwards, stored or not, costs no query, and a row added is found."""
    from sqlalchemy import event

    from metis_distill.ledger import Evidence, LessonRow
    from metis_distill.ledger.schema import now

    def lesson(id_: str) -> LessonRow:
        return LessonRow(id=id_, kind="gotcha", text=id_, created_at=now())

    def evidence(id_: str, lesson_id: str) -> Evidence:
        return Evidence(
            id=id_, lesson_id=lesson_id, archive_root="/a", path="p", line_start=1,
            line_end=1, native_id=None, quote="q", session_id="s", cwd=None, timestamp=None,
            shows_fix=False,
        )  # fmt: skip

    with Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}") as ledger:
        with ledger.curating() as lessons:
            lessons.add_lesson(lesson("stored"))
            lessons.add_evidence(evidence("ev-stored", "stored"))
        queries: list[str] = []
        event.listen(ledger.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
        with ledger.curating() as lessons:
            lessons.prefetch(["stored", "new"], ["ev-stored", "ev-new"])
            queries.clear()
            found = (lessons.lesson("stored"), lessons.lesson("new"))
            known = (lessons.has_evidence("ev-stored"), lessons.has_evidence("ev-new"))
            assert not [q for q in queries if q.lstrip().upper().startswith("SELECT")]
            lessons.add_lesson(lesson("new"))
            lessons.add_evidence(evidence("ev-new", "new"))
            assert lessons.lesson("new") is not None and lessons.has_evidence("ev-new")
    assert found[0] is not None and found[1] is None and known == (True, False)


def test_curating_reads_a_lesson_once_however_many_candidates_ask(tmp_path: Path) -> None:
    """A lesson read or added is asked for again by each of its candidates: it is read once
    (the session holds its rows weakly: a lesson it let go was read again by a SELECT, which
    wrote every pending row first); new evidence is written a few hundred rows at a time."""
    import gc

    from sqlalchemy import event

    from metis_distill.ledger import Evidence, LessonRow
    from metis_distill.ledger.lessons import EVIDENCE_FLUSH
    from metis_distill.ledger.schema import now

    with Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}") as ledger:
        with ledger.curating() as lessons:
            lessons.add_lesson(LessonRow(id="old", kind="gotcha", text="old", created_at=now()))
        queries: list[str] = []
        event.listen(ledger.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
        with ledger.curating() as lessons:
            lessons.add_lesson(LessonRow(id="new", kind="gotcha", text="new", created_at=now()))
            for n in range(EVIDENCE_FLUSH + 10):
                lesson_id = ("old", "new")[n % 2]
                assert lessons.lesson(lesson_id) is not None
                lessons.add_evidence(
                    Evidence(
                        id=f"ev-{n}", lesson_id=lesson_id, archive_root="/a", path="p",
                        line_start=n + 1, line_end=n + 1, native_id=None, quote="q",
                        session_id="s", cwd=None, timestamp=None, shows_fix=False,
                    )
                )  # fmt: skip
                if n % 100 == 0:
                    gc.collect()
            selects = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
            inserts = [q for q in queries if "INSERT INTO evidence" in q]
        assert len(selects) == 1  # "old", once
        assert inserts  # the first EVIDENCE_FLUSH rows written before the transaction ends
        assert ledger.counts()["evidence"] == EVIDENCE_FLUSH + 10


def test_evidence_is_read_as_tuples_of_the_rows_columns(tmp_path: Path) -> None:
    """A publish holds every lesson's evidence: read as tuples, not ORM rows, with each
    column's value as stored (times in UTC), oldest first."""
    from datetime import UTC, datetime

    from metis_distill.ledger import Evidence, LessonRow
    from metis_distill.ledger.schema import now

    when = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    with Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}") as ledger:
        with ledger.curating() as lessons:
            lessons.add_lesson(LessonRow(id="l", kind="gotcha", text="t", created_at=now()))
            for n, at in ((2, when), (1, when.replace(hour=8))):
                lessons.add_evidence(
                    Evidence(
                        id=f"e{n}", lesson_id="l", archive_root="/a", path="p.jsonl",
                        line_start=n, line_end=n + 1, native_id=None, quote="q", session_id="s",
                        cwd="/w", timestamp=at, shows_fix=n == 2,
                    )
                )  # fmt: skip
        found = ledger.evidence_of(["l"])["l"]
    assert all(type(e) is Evidence for e in found)
    assert [(e.id, e.timestamp, e.shows_fix, e.line_end) for e in found] == [
        ("e1", when.replace(hour=8), False, 2),
        ("e2", when, True, 3),
    ]


KILLED_WHILE_MIGRATING = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from metis_distill.ledger import Ledger

kill_at, created = int(sys.argv[2]), 0

@event.listens_for(Engine, "before_cursor_execute")
def kill_mid_migration(conn, cursor, statement, *rest):
    global created
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created += 1
        if created == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

Ledger(f"sqlite:///{sys.argv[1]}")
"""


@pytest.mark.parametrize("kill_at", [3, 12])
def test_a_kill_during_the_first_migration_leaves_a_ledger_the_next_run_sets_up(
    tmp_path: Path, kill_at: int
) -> None:
    """kill -9 while the schema is being created (the first distill into a data dir): no
    table made before the kill may stay without its revision, or every later run stops on
    `table … already exists`."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "data" / "ledger.sqlite"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_MIGRATING, str(path), str(kill_at)], check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert tables_in(path) == set()  # the set-up is one transaction: nothing of it stayed
    with Ledger.at(path.parent) as ledger:
        ledger.add_version("/t/CLAUDE.md", "text", "abc", "accepted")
    assert revision_of(path) == revision_of_head(tmp_path)


def tables_in(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    found = set(inspect(engine).get_table_names())
    engine.dispose()
    return found


def half_set_up_ledger(data: Path, *, row: bool = False) -> Path:
    """What an older metis killed in its first set-up left: some tables of the first revision,
    committed one by one, and no revision recorded."""
    data.mkdir(parents=True)
    path = data / "ledger.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.exec_driver_sql("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value TEXT)")
        if row:
            connection.exec_driver_sql("INSERT INTO meta VALUES ('mine', '1')")
    engine.dispose()
    return path


def test_a_first_set_up_an_older_metis_left_half_done_is_made_again(tmp_path: Path) -> None:
    path = half_set_up_ledger(tmp_path / "data")
    with Ledger.at(path.parent) as ledger:
        ledger.add_version("/t/CLAUDE.md", "text", "abc", "accepted")
    assert revision_of(path) == revision_of_head(tmp_path)


def test_a_ledger_with_rows_but_no_revision_is_refused_and_kept(tmp_path: Path) -> None:
    path = half_set_up_ledger(tmp_path / "data", row=True)
    runs = tmp_path / "runs"
    runs.mkdir()
    result = CliRunner().invoke(
        app, ["archive", "--from", str(runs), "--data-dir", str(path.parent)]
    )
    assert result.exit_code == 1, result.output
    assert "has rows in table meta but no schema revision" in result.output
    assert "Traceback" not in result.output
    assert tables_in(path) == {"alembic_version", "meta"}
