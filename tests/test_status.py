"""`metis status` reads the ledger and the folders: last run and outcome, work pending,
tokens spent this month, a proposal waiting for review."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.archive import archive_from
from metis_distill.cli import app
from metis_distill.config import Settings
from metis_distill.config.places import default_archive
from metis_distill.ledger import (
    DistillStatus,
    ExtractionRow,
    ExtractRunRow,
    Ledger,
    ProposalRow,
    RecoveryRecord,
)
from metis_distill.status import month_start, status
from tests.conftest import SAMPLE

SOURCE = SAMPLE / "projects" / "-home-dev-src-shopfront"


def spend(ledger: Ledger, when: datetime, tokens: int, usd: float = 0.0) -> None:
    run = ledger.start_extract_run("claude", "claude-haiku-4-5", None)
    with ledger.session() as db:
        row = db.get(ExtractRunRow, run)
        assert row is not None
        row.started_at = when
    usage = ExtractionRow(
        span_sha256="x", prompt_version="1", model="m", input_tokens=tokens, output_tokens=0
    )
    usage.requests, usage.cache_read_tokens, usage.cache_write_tokens = 1, 0, 0
    ledger.add_usage(run, usage, usd)


def test_status_reports_the_last_run_pending_work_tokens_and_the_waiting_proposal(
    tmp_path: Path,
) -> None:
    source = tmp_path / "runs"
    shutil.copytree(SOURCE, source)
    target = tmp_path / "repo" / "CLAUDE.md"
    settings = Settings(archive=source, target=target, data_dir=tmp_path / "data")
    ledger = Ledger(settings.ledger_url)
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)

    empty = status(settings, ledger, today=now)
    assert empty.last_run is None and empty.proposal is None
    assert (empty.to_archive, empty.to_distill) == (4, 0)  # nothing archived yet

    archive_from([source], settings.archive_dir, ledger)
    (source / "new.jsonl").write_text(
        (SOURCE / "ad234e5c-535f-4aba-a3ca-a67afaa16548.jsonl").read_text()
    )
    run = ledger.start_distill_run(str(target.resolve()), "flow-1")
    ledger.finish_distill_run(run, DistillStatus.BUDGET_REACHED, message="token budget")
    spend(ledger, datetime(2026, 10, 31, 23, 59, tzinfo=UTC), 1_000)  # last month
    spend(ledger, datetime(2026, 11, 1, 0, 0, tzinfo=UTC), 250)
    spend(ledger, datetime(2026, 11, 20, tzinfo=UTC), 50)
    proposal = ledger.add_proposal(
        ProposalRow(target=str(target.resolve()), base_sha256="0" * 64, folder="", created_at=now),
        items=lambda _: [],
        publish=lambda _: "f",
    )

    found = status(settings, ledger, today=now)
    assert found.last_run is not None and found.last_run.status == "budget reached"
    assert found.to_archive == 1  # the new file
    assert found.to_distill == 4  # archived, not read yet
    assert (found.month, found.tokens_this_month) == ("2026-11", 300)
    assert found.proposal is not None and found.proposal.id == proposal.id
    ledger.close()

    shown = CliRunner().invoke(
        app,
        [
            "status",
            "--archive",
            str(source),
            "--target",
            str(target),
            "--data-dir",
            str(settings.data_dir),
            "--json",
        ],
    )
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["outcome"] == "budget reached" and report["outcome_detail"] == "token budget"
    assert report["pending_to_archive"] == 1 and report["pending_to_distill"] == 4
    assert report["proposal_waiting"] == f"#{proposal.id} (f)"


def test_status_shows_spend_by_day_in_tokens_and_dollars(tmp_path: Path) -> None:
    settings = Settings(archive=tmp_path, target=tmp_path / "CLAUDE.md", data_dir=tmp_path / "d")
    ledger = Ledger(settings.ledger_url)
    today = datetime.now(UTC)
    spend(ledger, today - timedelta(days=20), 9_999, 9.0)  # before the two weeks shown
    spend(ledger, today - timedelta(days=1), 1_000, 0.25)
    spend(ledger, today, 300, 0.01)
    spend(ledger, today, 200, 0.005)
    found = status(settings, ledger, today=today)
    assert [(d.day, d.runs, d.tokens, d.usd) for d in found.spend_by_day] == [
        ((today - timedelta(days=1)).date(), 1, 1_000, 0.25),
        (today.date(), 2, 500, 0.015),
    ]
    ledger.close()
    args = ["status", "--archive", str(tmp_path), "--data-dir", str(settings.data_dir)]
    report = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    this_month = today.strftime("%Y-%m")
    month_tokens = 500 + (
        1_000 if (today - timedelta(days=1)).strftime("%Y-%m") == this_month else 0
    )
    assert (report["month"], report["tokens_this_month"]) == (this_month, month_tokens)
    assert report["spend_by_day"][-1] == {
        "day": str(today.date()),
        "runs": 2,
        "tokens": 500,
        "usd": 0.015,
    }
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    assert "spend by day" in shown.stdout
    row = next(line for line in shown.stdout.splitlines() if str(today.date()) in line)
    assert " 2 " in row and " 500 " in row and "0.0150" in row  # runs, tokens, dollars


def test_the_month_starts_at_midnight_utc_on_the_first() -> None:
    moment = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    assert month_start(moment) == datetime(2026, 3, 1, tzinfo=UTC)


def test_a_run_whose_process_died_is_shown_and_recorded_as_interrupted(tmp_path: Path) -> None:
    import subprocess
    import sys

    from metis_distill.ledger import DistillRunRow

    target = tmp_path / "repo" / "CLAUDE.md"
    settings = Settings(archive=tmp_path, target=target, data_dir=tmp_path / "data")
    ledger = Ledger(settings.ledger_url)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    run = ledger.start_distill_run(str(target.resolve()), None)
    with ledger.session() as db:
        row = db.get(DistillRunRow, run)
        assert row is not None and row.status == "running"
        row.pid = int(gone.stdout)  # as if that process had started it, then been killed -9
    found = status(settings, ledger)
    assert found.outcome == "interrupted" and "is gone" in (found.outcome_detail or "")
    ledger.start_distill_run(str(target.resolve()), None)  # the next run, holding the guard
    with ledger.session() as db:
        rows = {r.id: r.status for r in db.query(DistillRunRow)}
    assert rows == {run: "interrupted", run + 1: "running"}  # this process is alive
    assert status(settings, ledger).outcome == "running"


def _recovery(
    path: str, cwd: str, kind: str, failed: datetime, took: float | None
) -> RecoveryRecord:
    recovered = failed + timedelta(seconds=took) if took is not None else None
    return RecoveryRecord(
        archive_root="/archive",
        path=path,
        line=1,
        session_id=path,
        cwd=cwd,
        failure_class=kind,
        command="pytest -q",
        failed_at=failed,
        recovered_at=recovered,
        seconds=took,
    )


def test_status_shows_time_to_recovery_of_this_project_only(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    target = repo / "CLAUDE.md"
    settings = Settings(archive=tmp_path / "runs", target=target, data_dir=tmp_path / "data")
    ledger = Ledger(settings.ledger_url)
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    ledger.record_recoveries(
        [
            _recovery("a.jsonl", str(repo), "failing tests", at, 120.0),
            _recovery("b.jsonl", str(repo / "web"), "failing tests", at, 60.0),
            _recovery("c.jsonl", str(repo), "missing program", at, None),  # never recovered
            _recovery("d.md", str(repo), "edit did not apply", at, 0.0),  # one time a session
            _recovery("e.jsonl", str(tmp_path / "other"), "type errors", at, 30.0),  # elsewhere
        ]
    )
    found = {r.failure_class: r for r in status(settings, ledger).recovery}
    assert set(found) == {"failing tests", "missing program", "edit did not apply"}
    tests = found["failing tests"]
    assert (tests.failures, tests.recovered, tests.mean_to_recovery, tests.sessions) == (
        2,
        2,
        "90 s",
        2,
    )
    assert found["missing program"].mean_to_recovery == "-"
    assert found["edit did not apply"].recovered == 1
    assert found["edit did not apply"].mean_to_recovery == "-"  # not "0 s"

    shown = CliRunner().invoke(app, ["status", "--target", str(target), "--json"])
    assert shown.exit_code == 0, shown.output
    classes = [r["failure_class"] for r in json.loads(shown.stdout)["time_to_recovery"]]
    assert classes[0] == "failing tests" and "type errors" not in classes
    table = CliRunner().invoke(app, ["status", "--target", str(target)])
    assert "time to recovery (this project)" in table.output and "90 s" in table.output
    every = CliRunner().invoke(app, ["status", "--data-dir", str(tmp_path / "data")])
    assert "time to recovery (all projects)" in every.output and "type errors" in every.output


def test_status_of_a_data_dir_not_made_says_so(tmp_path: Path) -> None:
    """Not a table of dashes: the same error as `metis search` (exit 1)."""
    missing = tmp_path / "empty-dd"
    shown = CliRunner().invoke(app, ["status", "--data-dir", str(missing)])
    assert shown.exit_code == 1
    assert f"error: no data dir at {missing}\n" in shown.output and "last run" not in shown.output
    assert not missing.exists()
    missing.mkdir()  # made, nothing run yet: the empty status
    shown = CliRunner().invoke(app, ["status", "--data-dir", str(missing), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["last_run"] is None


def test_history_of_a_data_dir_not_made_says_so(tmp_path: Path) -> None:
    """As `status` and `search` do, not "No version recorded yet"."""
    missing = tmp_path / "empty-dd"
    shown = CliRunner().invoke(app, ["history", "--data-dir", str(missing)])
    assert shown.exit_code == 1
    assert f"error: no data dir at {missing}\n" in shown.output and not missing.exists()


def test_files_to_archive_are_counted_where_the_targets_runs_come_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served with `--archive X`, a target's status counts X, not ~/.claude/projects (the
    default), unless an archive is named to status itself."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    shutil.copytree(SOURCE, default_archive())  # 4 files in the default archive, never copied
    served = tmp_path / "served"
    shutil.copytree(SOURCE, served)
    target = tmp_path / "repo" / "CLAUDE.md"
    settings = Settings(archive=served, target=target, data_dir=tmp_path / "data")
    with Ledger(settings.ledger_url) as ledger:
        archive_from([served], settings.archive_dir, ledger)
        run = ledger.start_distill_run(str(target.resolve()), "flow-1")
        summary = {"archive": str(served.resolve())}
        ledger.finish_distill_run(run, DistillStatus.COMPLETED, summary=summary)
    shutil.copy(SOURCE / "ad234e5c-535f-4aba-a3ca-a67afaa16548.jsonl", served / "new1.jsonl")

    def pending(*named: str) -> int:
        args = ["status", "--target", str(target), "--json", *named]
        shown = CliRunner().invoke(app, args)
        assert shown.exit_code == 0, shown.output
        return int(json.loads(shown.stdout)["pending_to_archive"])

    assert pending() == 1  # the new file of the archive the target's runs came from
    assert pending("--archive", str(default_archive())) == 4  # an archive named wins
    monkeypatch.setenv("METIS_ARCHIVE", str(default_archive()))
    assert pending() == 4


def test_status_with_no_target_names_the_last_runs_and_every_proposal_waiting(
    tmp_path: Path,
) -> None:
    """A distill writes two proposals (the team's file and the personal one): `status` with
    no `--target` shows the target of the last run and both, not a dash and one of them."""
    data = tmp_path / "data"
    team, personal = tmp_path / "repo" / "CLAUDE.md", tmp_path / "repo" / "CLAUDE.local.md"
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    with Ledger(Settings(data_dir=data).ledger_url) as ledger:
        run = ledger.start_distill_run(str(team.resolve()), "flow-1")
        ledger.finish_distill_run(run, DistillStatus.COMPLETED)
        for target, folder in ((team, "t"), (personal, "p")):
            ledger.add_proposal(
                ProposalRow(
                    target=str(target.resolve()), base_sha256="0" * 64, folder="", created_at=now
                ),
                items=lambda _: [],
                publish=lambda _, folder=folder: folder,  # type: ignore[misc]
            )
    shown = CliRunner().invoke(app, ["status", "--data-dir", str(data), "--json"])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["target"] == str(team.resolve()) and report["outcome"] == "completed"
    assert report["proposal_waiting"] == "#1 (t); #2 (p)"
    named = ["status", "--data-dir", str(data), "--target", str(personal), "--json"]
    report = json.loads(CliRunner().invoke(app, named).stdout)
    assert report["target"] == str(personal.resolve()) and report["last_run"] is None
    assert report["proposal_waiting"] == "#2 (p)"
