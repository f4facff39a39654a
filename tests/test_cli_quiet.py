"""A quiet, friendly CLI: Prefect's log in a file, a progress bar on a terminal, a short
summary (the table with --verbose), defaults in --help, and text printed as written."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from metis_distill import pipeline, progress
from metis_distill.cli import app
from metis_distill.cli.progress import progress_bar
from metis_distill.config import default_settings
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import save_plan
from tests.conftest import SAMPLE
from tests.review.test_proposal import _plan, world  # noqa: F401 (fixture)

runner = CliRunner()
STAGES = ["archive", "discover", "extract", "curate", "publish"]


class Recorder:
    """A progress sink that remembers what it was told."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None]] = []
        self.done: dict[str, int] = {}

    def begin(self, what: str, total: int | None = None) -> None:
        self.steps.append((str(what), total))

    def advance(self, done: int) -> None:
        what = self.steps[-1][0]
        self.done[what] = self.done.get(what, 0) + done


def sample_settings(tmp_path: Path, **values: object):  # type: ignore[no-untyped-def]
    return default_settings(
        archive=SAMPLE,
        target=tmp_path / "repo" / "CLAUDE.md",
        data_dir=tmp_path / "data",
        all_projects=True,
        extract={"extractor": "rules"},
        **values,
    )


def test_a_distill_reports_each_stage_and_each_file_read(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "repo").mkdir()
    seen = Recorder()
    with progress.showing(seen):
        report = pipeline.distill(sample_settings(tmp_path), embedder=embedder)
    assert [what for what, _ in seen.steps] == STAGES
    assert dict(seen.steps)["extract"] == report.files_read > 0
    assert seen.done == {"extract": report.files_read}


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_the_flow_reports_each_file_as_it_is_read(tmp_path: Path) -> None:
    from flows.distill import distill_flow

    (tmp_path / "repo").mkdir()
    settings = sample_settings(tmp_path, scale={"batch_files": 2})
    seen = Recorder()
    with progress.showing(seen):
        report = distill_flow(settings)
    assert [what for what, _ in seen.steps] == STAGES
    assert seen.done == {"extract": report.files_read} and report.files_read > 2


def test_the_bar_shows_on_a_terminal_only() -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    with progress_bar(terminal):
        progress.report().begin("extract", 4)
        progress.report().advance(3)
        terminal.print("")  # a refresh
    assert "reading and mining files" in screen.getvalue()
    piped = Console(file=io.StringIO(), force_terminal=False)
    with progress_bar(piped):
        assert type(progress.report()).__name__ == "_Silent"
    with progress_bar(None):  # --verbose: the logs have the terminal
        assert type(progress.report()).__name__ == "_Silent"


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "model_dir")
def test_distill_says_little_and_keeps_prefects_log_in_a_file(tmp_path: Path) -> None:
    from prefect.logging.handlers import PrefectConsoleHandler

    from flows.console import LogFile

    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    data = tmp_path / "data"
    args = ["distill", "--archive", str(SAMPLE), "--target", str(target), "--all-projects"]
    first = runner.invoke(app, [*args, "--data-dir", str(data)])
    assert first.exit_code == 0, first.output
    assert re.search(r"Read \d+ files \([\d,]+ events\): \d+ episodes", first.output)
    assert "Proposal #1: " in first.output
    assert "lines read" not in first.output  # no table of every count
    log = data / "logs" / "prefect.log"
    assert f"Prefect's log: {log}" in first.output
    # the harness logs at WARNING only: a warning of Prefect's lands in the file, not on stderr
    root = logging.getLogger()
    assert [h.baseFilename for h in root.handlers if isinstance(h, LogFile)] == [str(log)]
    assert not any(isinstance(h, PrefectConsoleHandler) for h in root.handlers)
    logging.getLogger("prefect.metis-test").warning("a warning from a flow run")
    assert "a warning from a flow run" in log.read_text()
    unchanged = runner.invoke(app, [*args, "--data-dir", str(data)])
    assert unchanged.output.startswith("Nothing new since the last run: ")  # before Prefect
    again = runner.invoke(app, [*args, "--data-dir", str(tmp_path / "fresh"), "--verbose"])
    assert again.exit_code == 0, again.output
    assert "lines read" in again.output and "No new runs to read" not in again.output
    assert not any(isinstance(h, LogFile) for h in root.handlers)  # on the terminal again
    assert any(isinstance(h, PrefectConsoleHandler) for h in root.handlers)


def commands() -> list[tuple[str, Any]]:
    group: Any = typer.main.get_command(app)
    return sorted(group.commands.items())


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_help_text_prints_whole(name: str, command: Any) -> None:
    """Rich reads `[…]` in a help text as markup: `[default …]` vanished, leaving `runs .`."""
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    shown = flat(result.output)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            assert flat(text.replace("\\[", "[")) in shown, (name, param.name)
    assert not re.search(r"\w \.( |$)", shown)  # what a vanished `[…]` leaves


def test_version_is_printed() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(
        r"metis-distill \d+\.\d+\.\d+\S*\n", result.output
    )


def test_shows_help_names_the_ids_where_they_are_now() -> None:
    """The block has no `<!-- metis:ID -->` comments any more: ids name the evidence files."""
    shown = flat(runner.invoke(app, ["show", "--help"], env={"COLUMNS": "200"}).output)
    assert "metis:ID" not in shown and "`.metis/…/ID.txt`" in shown


def test_defaults_from_the_settings_are_in_the_help() -> None:
    shown = flat(runner.invoke(app, ["distill", "--help"], env={"COLUMNS": "200"}).output)
    for default in ("[default: 12]", "[default: 1,000,000]", "[default: ~/.claude/projects]"):
        assert default in shown


def test_review_prints_angle_brackets_as_written(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ledger, target, tmp = world
    with ledger.session() as db:
        from metis_distill.ledger import LessonRow

        lesson = db.get(LessonRow, "0000000000")
        lesson.text = "`cookies()` returns Promise<ReadonlyRequestCookies> [in Next 15]: await it."
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    shown = runner.invoke(app, ["review", "--data-dir", str(tmp / "data")])
    assert shown.exit_code == 0, shown.output
    items = shown.output.partition(" diff ─")[0]  # the items, before the plain diff
    assert "Promise<ReadonlyRequestCookies> [in Next 15]" in flat(items)


def test_review_prints_evidence_links_whole_at_80_columns(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Unwrapped, Rich still cut a list item at 80 columns (no terminal): an evidence link
    `…#L4082-L5368` printed as `…#L4082-L53`, its quote gone. Items and quotes print whole."""
    from metis_distill.ledger import EvidenceRow

    ledger, target, tmp = world
    long = "aider/" + "a-project-with-a-rather-long-name__" * 3 + "aider.chat.history.md"
    archive = tmp / "archive"
    (archive / long).parent.mkdir(parents=True)
    (archive / long).write_bytes((archive / "p" / "s.jsonl").read_bytes())
    with ledger.session() as db:
        for i in range(3):
            db.get(EvidenceRow, f"e{i:09d}").path = long
    waits = "Proposal #7 for " + str(tmp / "a" / "b" / "c" / "CLAUDE.md") + " still waits too."
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes(pending_note=waits))
    shown = runner.invoke(app, ["review", "--data-dir", str(tmp / "data")], env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    lines = shown.output.partition(" diff ─")[0].splitlines()
    for i in range(3):
        link = f"{long}#L{i + 1}-L{i + 2} (s1): “quote number {i + 1}”"
        assert len(link) > 80 and f" • {link}" in lines
    assert f"▌ {waits}" in lines


def test_review_prints_backslashes_in_quotes_as_the_archive_has_them(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Markdown read `bin\\..\\usr` as an escaped dot and `"\\??\\C:` as an escaped `?`: the
    review printed `bin..\\usr` and `"??\\C:`."""
    from metis_distill.ledger import EvidenceRow

    ledger, target, tmp = world
    quote = r'C:\Program Files\Git\bin\..\usr\bin\bash.exe add_item ("\??\C:\x\*y*\_z_")'
    session = tmp / "archive" / "p" / "s.jsonl"
    lines = session.read_text().splitlines(keepends=True)
    lines[1] = json.dumps({"n": 2, "text": quote}) + "\n"
    session.write_text("".join(lines))
    with ledger.session() as db:
        db.get(EvidenceRow, "e000000001").quote = quote
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    shown = runner.invoke(app, ["review", "--data-dir", str(tmp / "data")])
    assert shown.exit_code == 0, shown.output
    items = shown.output.partition(" diff ─")[0]
    assert f"“{quote}”" in items
