"""A night with nothing new: `nothing_new` answers from one stat a file against the ledger,
and anything that would make a run differ (a grown or new file, a setting, the target, a
reviewed proposal, new code) sends the next run through in full. Through the CLI it answers
without loading Prefect, the embedding model or chromadb."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from metis_distill import pipeline
from metis_distill.config import Settings, default_settings
from metis_distill.ledger import Ledger
from metis_distill.statuses import ProposalState
from metis_distill.unchanged import NothingNew, nothing_new
from tests.conftest import DEMO_FILE, SAMPLE


def _settings(tmp_path: Path, **values: object) -> Settings:
    return default_settings(
        archive=tmp_path / "source",
        data_dir=tmp_path / "data",
        target=tmp_path / "repo" / "CLAUDE.md",
        all_projects=True,
        **values,
    )


def _source(tmp_path: Path) -> Path:
    path = tmp_path / "source" / "proj" / "s.jsonl"
    path.parent.mkdir(parents=True)
    shutil.copy(DEMO_FILE, path)
    (tmp_path / "repo").mkdir()
    return path


def test_after_a_run_nothing_is_new_until_something_changes(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    source = _source(tmp_path)
    settings = _settings(tmp_path)
    assert nothing_new(settings) is None  # never run
    pipeline.distill(settings, embedder=embedder)
    assert nothing_new(settings) == NothingNew(
        sources=1, archived=1
    )  # the source and its archive copy
    assert nothing_new(_settings(tmp_path, section_budget=3)) is None  # another setting

    with source.open("a", encoding="utf-8") as handle:
        handle.write('{"type":"user","sessionId":"s","message":{"content":"Always use uv."}}\n')
    assert nothing_new(settings) is None  # grown
    pipeline.distill(settings, embedder=embedder)
    assert nothing_new(settings) is not None

    settings.target.write_text("# Hand written\n")  # type: ignore[union-attr]
    assert nothing_new(settings) is None  # the target changed
    pipeline.distill(settings, embedder=embedder)
    assert nothing_new(settings) is not None

    (source.parent / "t.jsonl").write_text(DEMO_FILE.read_text())
    assert nothing_new(settings) is None  # a new file


def test_a_reviewed_proposal_or_a_copy_touched_in_the_archive_means_a_full_run(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    _source(tmp_path)
    settings = _settings(tmp_path)
    report = pipeline.distill(settings, embedder=embedder)
    assert report.proposal.proposal_id is not None and nothing_new(settings) is not None
    copy = next(settings.archive_dir.rglob("s.jsonl"))
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert nothing_new(settings) is None
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert nothing_new(settings) is not None
    with Ledger(settings.ledger_url) as ledger:
        ledger.decide(report.proposal.proposal_id, ProposalState.REJECTED)
    assert nothing_new(settings) is None


# What a run with nothing new must not import: each costs from a tenth of a second to seconds
# (the ledger is read with sqlite3; the review's Markdown and the miners' splitters wait for
# the commands that use them).
HEAVY = [
    "prefect",
    "chromadb",
    "onnxruntime",
    "metis_distill.embeddings",
    "metis_distill.pipeline",
    "sqlalchemy",
    "alembic",
    "langchain_text_splitters",
    "jinja2",
    "markdown_it",
    "pygments",
    "hyperscan",
    "detect_secrets",
]


def test_the_cli_says_nothing_new_without_prefect_the_model_or_the_index(tmp_path: Path) -> None:
    """A real process, twice: the second answers from the ledger and loads none of the heavy
    parts (the first, a full run, needs them all)."""
    (tmp_path / "repo").mkdir()
    args = [
        "distill",
        "--archive",
        str(SAMPLE),
        "--target",
        str(tmp_path / "repo" / "CLAUDE.md"),
        "--all-projects",
        "--extractor",
        "rules",
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
    ]
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from metis_distill.cli import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        f"heavy = {HEAVY!r}\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "print(json.dumps({'exit': result.exit_code, 'out': result.stdout, 'loaded': loaded}))\n"
    )
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first, second, third = runs
    assert first["exit"] == 0 and "prefect" in first["loaded"]
    assert json.loads(first["out"])["files_read"] == 6
    said = {"nothing_new": True, "files_unchanged": 14, "sources": 7, "archived": 7}
    for quiet in (second, third):  # a quiet run on record does not make the next one read
        assert quiet["exit"] == 0 and quiet["loaded"] == []
        assert json.loads(quiet["out"]) == said
    with Ledger.reading(default_settings(data_dir=tmp_path / "data").ledger_url) as ledger:
        last = ledger.last_distill_run(str(tmp_path / "repo" / "CLAUDE.md"))
        read = ledger.last_distill_run(nothing_new=False)
    assert last is not None and last.status == "nothing new"
    assert (
        last.message
        == "Nothing new since the last run: 7 source files and 7 archived files unchanged."
    )
    assert last.summary == {
        "files_unchanged": 14,
        "sources": 7,
        "archived": 7,
        "archive": str(SAMPLE.resolve()),  # where `metis status` counts files to archive
    }
    assert read is not None and read.status == "completed" and read.id < last.id
    assert last.started_at > read.started_at and last.finished_at == last.started_at
    from typer.testing import CliRunner

    from metis_distill.cli import app

    where = ["--target", str(tmp_path / "repo" / "CLAUDE.md"), "--data-dir", str(tmp_path / "data")]
    status = CliRunner().invoke(app, ["status", "--archive", str(SAMPLE), *where, "--json"])
    shown = json.loads(status.stdout)
    assert shown["outcome"] == "nothing new" and shown["outcome_detail"] == last.message
    assert shown["last_run"] == last.started_at.isoformat(timespec="seconds")


def test_the_ledger_reads_the_same_through_sqlite3_and_sqlalchemy(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from metis_distill.ledger.glance import _from_ledger, _from_sqlite, glance

    _source(tmp_path)
    settings = _settings(tmp_path)
    target, archive = str(settings.target), str(settings.archive_dir)
    pipeline.distill(settings, embedder=embedder)
    path = tmp_path / "data" / "ledger.sqlite"
    quick = _from_sqlite(path, target, archive)
    assert quick is not None and quick.copies and quick.files and quick.pending
    assert quick.last_status == "completed" and "run_stamp" in quick.last_summary
    assert quick == _from_ledger(settings.ledger_url, target, archive)
    assert glance(settings.ledger_url, target, archive) == quick
    assert nothing_new(settings) is not None
    assert sorted(p.name for p in path.parent.glob("ledger.sqlite*")) == ["ledger.sqlite"]


def test_a_ledger_at_another_schema_revision_is_not_glanced(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from metis_distill.ledger.glance import glance

    _source(tmp_path)
    settings = _settings(tmp_path)
    pipeline.distill(settings, embedder=embedder)
    assert nothing_new(settings) is not None
    with sqlite3.connect(tmp_path / "data" / "ledger.sqlite") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'older'")
    connection.close()
    assert glance(settings.ledger_url, str(settings.target), str(settings.archive_dir)) is None
    assert nothing_new(settings) is None


def test_nothing_new_is_said_in_the_singular_too() -> None:
    from metis_distill.unchanged import NothingNew

    said = NothingNew(sources=1, archived=1).said()
    assert said == "Nothing new since the last run: 1 source file and 1 archived file unchanged."


def test_a_quiet_run_is_written_the_same_through_sqlite3_and_sqlalchemy(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from metis_distill.ledger.glance import QuietRun, _insert_ledger, _insert_sqlite

    url = default_settings(data_dir=tmp_path).ledger_url
    Ledger(url).close()  # the schema
    at = datetime(2026, 12, 5, 22, 44, 39, 123456, tzinfo=UTC)
    run = QuietRun("/r/CLAUDE.md", "Nothing new.", {"files_unchanged": 2}, at, "vm", 42, "f-1")
    _insert_sqlite(tmp_path / "ledger.sqlite", run)
    with Ledger.reading(url) as ledger:
        row = ledger.last_distill_run("/r/CLAUDE.md")
        assert ledger.last_distill_run(nothing_new=False) is None  # it read nothing
    assert row is not None
    seen = (row.status, row.message, row.summary, row.started_at, row.finished_at, row.pid)
    assert seen == ("nothing new", "Nothing new.", {"files_unchanged": 2}, at, at, 42)
    assert _insert_ledger(url, run)
    columns = "target, status, message, flow_run_id, summary, started_at, finished_at, host, pid"
    with sqlite3.connect(tmp_path / "ledger.sqlite") as connection:
        quick, full = connection.execute(f"SELECT {columns} FROM distill_runs ORDER BY id")
    connection.close()
    assert quick == full  # byte for byte as SQLAlchemy writes it
