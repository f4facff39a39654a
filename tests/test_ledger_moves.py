"""A data dir moved or copied: the ledger's paths into it follow (`ledger.moves`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from metis_distill.curate.ids import span_id
from metis_distill.ledger import (
    EvidenceRow,
    FileRow,
    Ledger,
    LedgerError,
    LessonRow,
    MetaRow,
    ProposalRow,
    RecoveryRow,
)
from metis_distill.ledger.glance import serves
from metis_distill.ledger.moves import DATA_DIR, follow_move, recorded_data_dir
from metis_distill.ledger.schema import now

SPAN = ("-home-dev-src-demo/run.jsonl", 3, 5)


def _fill(ledger: Ledger, data: Path) -> None:
    """A lesson with its evidence, a file read, a recovery and a proposal, all under `data`."""
    root = str(data.resolve() / "archive")
    path, a, b = SPAN
    with ledger.session() as db:
        db.add(_file_row(root))
        db.add(LessonRow(id="a1b2c3d4e5", kind="failure", text="x", created_at=now()))
        db.flush()
        db.add(
            EvidenceRow(
                id=span_id("a1b2c3d4e5", root, path, a, b),
                lesson_id="a1b2c3d4e5",
                archive_root=root,
                path=path,
                line_start=a,
                line_end=b,
                quote="q",
                session_id="s",
            )
        )
        db.add(
            RecoveryRow(
                archive_root=root,
                path=path,
                line=a,
                session_id="s",
                failure_class="c",
                command="make",
            )
        )
        db.add(
            ProposalRow(
                target="/repo/CLAUDE.md",
                base_sha256="0" * 64,
                folder=str(data.resolve() / "proposals" / "CLAUDE.md-0123456789" / "00001"),
                created_at=now(),
            )
        )


def _file_row(root: str) -> FileRow:
    return FileRow(
        archive_root=root, path=SPAN[0], size=10, mtime_ns=1, source_format="c", read_at=now()
    )


def _paths(ledger: Ledger) -> set[str]:
    with ledger.session() as db:
        roots = set(db.scalars(select(FileRow.archive_root)))
        roots |= set(db.scalars(select(EvidenceRow.archive_root)))
        roots |= set(db.scalars(select(RecoveryRow.archive_root)))
        return roots | set(db.scalars(select(ProposalRow.folder)))


def _evidence(ledger: Ledger) -> list[EvidenceRow]:
    with ledger.session() as db:
        return list(db.scalars(select(EvidenceRow)))


def _moved_data_dir(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "data", tmp_path / "moved"
    old.mkdir()
    with Ledger.at(old) as ledger:
        _fill(ledger, old)
        follow_move(ledger, old, record=True)
    old.rename(new)
    return old, new


def test_a_moved_data_dir_is_followed_by_its_ledger(tmp_path: Path) -> None:
    old, new = _moved_data_dir(tmp_path)
    with Ledger.at(new) as ledger:
        assert not serves(ledger.url, new)
        assert follow_move(ledger, new, record=False) == str(old.resolve())
        here = str(new.resolve())
        assert all(p.startswith(here + "/") for p in _paths(ledger)), _paths(ledger)
        (row,) = _evidence(ledger)
        # the id a span read again is given: it is known, not added a second time
        assert row.id == span_id(row.lesson_id, here + "/archive", *SPAN)
        assert recorded_data_dir(ledger) == here and serves(ledger.url, new)
        assert follow_move(ledger, new, record=False) is None  # done once


def test_a_ledger_made_before_the_record_finds_its_old_data_dir(tmp_path: Path) -> None:
    old, new = _moved_data_dir(tmp_path)
    with Ledger.at(new) as ledger:
        with ledger.session() as db:
            db.delete(db.get(MetaRow, DATA_DIR))
        assert follow_move(ledger, new, record=False) == str(old.resolve())
        assert all(p.startswith(str(new.resolve()) + "/") for p in _paths(ledger))


def test_evidence_read_again_before_the_move_was_followed_is_kept_once(tmp_path: Path) -> None:
    old, new = _moved_data_dir(tmp_path)
    with Ledger.at(new) as ledger:
        (row,) = _evidence(ledger)
        root = str(new.resolve() / "archive")
        twin = span_id(row.lesson_id, root, *SPAN)
        with ledger.session() as db:  # what a distill of this metis's elders added
            db.add(
                EvidenceRow(
                    id=twin, lesson_id=row.lesson_id, archive_root=root, path=row.path,
                    line_start=row.line_start, line_end=row.line_end, quote="q", session_id="s",
                )
            )  # fmt: skip
            db.add(_file_row(root))
        follow_move(ledger, new, record=True)
        assert [e.id for e in _evidence(ledger)] == [twin]
        with ledger.session() as db:
            assert list(db.scalars(select(FileRow.archive_root))) == [root]


def test_a_ledger_elsewhere_still_serving_its_data_dir_is_not_taken(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    with Ledger(f"sqlite:///{tmp_path / 'shared.sqlite'}") as ledger:
        _fill(ledger, first)
        follow_move(ledger, first, record=True)
        with pytest.raises(LedgerError, match=f"serves the data dir {first}"):
            follow_move(ledger, second, record=True)
        assert recorded_data_dir(ledger) == str(first.resolve())
        first.rename(tmp_path / "gone")  # moved away: the ledger follows to where it is used
        assert follow_move(ledger, second, record=True) == str(first.resolve())


def test_a_new_ledger_records_its_data_dir_only_when_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Ledger.at(data) as ledger:
        assert follow_move(ledger, data, record=False) is None
        assert recorded_data_dir(ledger) is None
        follow_move(ledger, data, record=True)
        assert recorded_data_dir(ledger) == str(data.resolve())
        with ledger.session() as db:
            assert json.loads(db.get(MetaRow, DATA_DIR).value) == str(data.resolve())  # type: ignore[union-attr]


def test_a_database_servers_ledger_never_follows_a_data_dir_it_cannot_see(tmp_path: Path) -> None:
    """Several machines may share a PostgreSQL ledger, each with a data dir the others cannot
    see: one missing here is no move, and the shared paths are not re-pointed."""
    from metis_distill.ledger.moves import _check_own

    gone = str(tmp_path / "elsewhere" / "data")
    with pytest.raises(LedgerError, match="serves the data dir"):
        _check_own("postgresql+psycopg://metis@db/metis", gone, str(tmp_path / "data"))
    _check_own(
        f"sqlite:///{tmp_path / 'shared.sqlite'}", gone, str(tmp_path / "data")
    )  # a file: it follows


def test_a_read_only_copy_is_read_as_recorded(tmp_path: Path) -> None:
    """A backup mounted read-only (here an immutable ledger file) is still read by a command
    that only reads: its paths are not re-pointed, and it says so, without a traceback."""
    import shutil
    import subprocess

    from typer.testing import CliRunner

    from metis_distill.cli import app

    old, new = _moved_data_dir(tmp_path)
    ledger_file = new / "ledger.sqlite"
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(ledger_file)], check=False).returncode
    ):
        pytest.skip("chattr cannot make the ledger file immutable here")
    try:
        result = CliRunner().invoke(app, ["status", "--data-dir", str(new)])
    finally:
        subprocess.run(["chattr", "-i", str(ledger_file)], check=False)
    assert result.exit_code == 0, result.output
    assert "moved or copied from" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["status"], ["history"], ["review"], ["search", "vitest"]])
def test_a_reading_command_on_a_copied_data_dir_never_writes_its_ledger(
    tmp_path: Path, command: list[str]
) -> None:
    """A copy (a backup; its original still there) is read with its paths re-pointed in
    memory only: the ledger's bytes stay as copied."""
    import hashlib
    import shutil

    from typer.testing import CliRunner

    from metis_distill.cli import app
    from metis_distill.cli.common import reading
    from metis_distill.config import load_settings

    old, moved = _moved_data_dir(tmp_path)
    shutil.copytree(moved, old)  # the original back, and a copy of it
    copy = tmp_path / "copy"
    moved.rename(copy)

    def ledger_bytes() -> str:
        return hashlib.sha256((copy / "ledger.sqlite").read_bytes()).hexdigest()

    before = ledger_bytes()
    result = CliRunner().invoke(app, [*command, "--data-dir", str(copy)])
    assert "Traceback" not in result.output and "moved or copied" in result.output, result.output
    assert ledger_bytes() == before
    with reading(load_settings(data_dir=copy)) as ledger:  # read as if there
        here = str(copy.resolve())
        assert all(p.startswith(here + "/") for p in _paths(ledger)), _paths(ledger)
    assert ledger_bytes() == before
