"""Bad input gets one clear line and an exit code, never a traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.config import load_settings
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import accept, save_plan
from tests.review.test_proposal import _plan, world  # noqa: F401 (fixture)

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_target_that_is_a_folder(tmp_path: Path) -> None:
    """A folder means its context file (tests/placement/test_files.py), which must be a file."""
    (tmp_path / "CLAUDE.md").mkdir()
    code, out = invoke("distill", "--archive", str(tmp_path), "--target", str(tmp_path))
    assert code == 1 and "the target is not a file" in out


def test_target_that_is_not_utf8(tmp_path: Path) -> None:
    target = tmp_path / "CLAUDE.md"
    target.write_bytes(b"# Caf\xe9\n")
    code, out = invoke("distill", "--archive", str(tmp_path), "--target", str(target))
    assert code == 1 and "not UTF-8" in out


def test_malformed_metis_toml(tmp_path: Path) -> None:
    Path("metis.toml").write_text("section_budget = [unclosed\n")
    code, out = invoke("config")
    assert code == 2 and "cannot read the settings" in out


def test_env_list_that_is_not_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METIS_ALIASES", "/x")
    code, out = invoke("config")
    assert code == 2 and "lists are JSON" in out


def test_accept_keeps_crlf_and_mode(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ledger, target, tmp = world
    human = "# Notes\r\n\r\nWritten on Windows.\r\n"
    target.write_bytes(human.encode())
    os.chmod(target, 0o644)
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    accept(ledger, tmp / "locks", target)
    data = target.read_bytes()
    assert data.startswith(human.encode())
    assert b"\n" not in data.replace(b"\r\n", b"")  # the block follows the file's CRLF
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _plan(ledger, target) is None  # CRLF block is recognised: nothing to change


def test_text_after_the_block_survives_accept(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ledger, target, tmp = world
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    accept(ledger, tmp / "locks", target)
    target.write_text(target.read_text() + "\n## Written after the block by a person\n")
    ledger.set_status([ledger.lessons()[0].id], "retired")
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    accept(ledger, tmp / "locks", target)
    assert target.read_text().endswith("\n## Written after the block by a person\n")


def test_errors_print_long_paths_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / ("a-folder-with-a-long-name-" * 6) / "repo"
    code, out = invoke("distill", "--archive", str(tmp_path), "--target", str(folder / "x.md"))
    assert code == 2 and f"the target's folder does not exist: {folder}\n" in out


def test_a_tilde_in_any_path_setting_means_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/dev")
    Path("metis.toml").write_text(
        'aliases = ["~/src/old-shop"]\nextra_sources = ["~/.codex/sessions"]\n'
        'target = "~/src/shop/CLAUDE.md"\nmodel_dir = "~/models"\n'
    )
    monkeypatch.setenv("METIS_DATA_DIR", "~/metis")
    settings = load_settings(archive=Path("~/runs"))
    assert settings.aliases == ["/home/dev/src/old-shop"]
    assert settings.extra_sources == [Path("/home/dev/.codex/sessions")]
    assert settings.target == Path("/home/dev/src/shop/CLAUDE.md")
    assert settings.model_dir == Path("/home/dev/models")
    assert settings.data_dir == Path("/home/dev/metis")
    assert settings.archive == Path("/home/dev/runs")
    assert settings.ledger_url == "sqlite:////home/dev/metis/ledger.sqlite"
    ledger_in_home = load_settings(ledger_url="sqlite:///~/ledger.sqlite").ledger_url
    assert ledger_in_home == "sqlite:////home/dev/ledger.sqlite"


def test_a_prefect_home_that_cannot_be_made_is_said_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prefect would only say, 90 s later, that its server did not start."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PREFECT_HOME", str(blocker / "prefect"))
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "s.jsonl").write_text('{"type":"user","sessionId":"s","message":{"content":"hi"}}\n')
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    code, out = invoke(
        "distill", "--archive", str(archive), "--target", str(target),
        "--data-dir", str(tmp_path / "data"),
    )  # fmt: skip
    assert code == 2 and "Prefect's home" in out and "cannot be made" in out
    assert "PREFECT_HOME" in out


@pytest.mark.parametrize(
    "command",
    [
        ["distill", "--archive", "{tmp}", "--target", "{tmp}/CLAUDE.md"],
        ["archive", "--from", "{tmp}"],
        ["accept"],
        ["reject"],
        ["status"],
        ["history"],
        ["search", "alembic"],
        ["hooks", "install", "--settings-file", "{tmp}/settings.json"],
    ],
)
def test_a_data_dir_that_is_a_file_is_said_without_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out = invoke(*args, "--data-dir", str(blocker))
    assert code == 2 and f"error: the data dir {blocker} is a file, not a folder\n" in out
    assert "Traceback" not in out and not (tmp_path / "settings.json").exists()
    code, out = invoke(*args, "--data-dir", str(blocker / "deeper" / "data"))
    assert code == 2, out
    assert f"the data dir {blocker}/deeper/data cannot be made: {blocker} is a file" in out


def test_a_data_dir_from_the_environment_is_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("METIS_DATA_DIR", str(blocker))
    code, out = invoke("status")
    assert code == 2 and "is a file, not a folder" in out and "METIS_DATA_DIR" in out


def test_a_target_not_made_yet_must_be_named_as_a_markdown_file(tmp_path: Path) -> None:
    """A mistyped folder (`repo/sub`) would become a file named `sub` on accept."""
    repo = tmp_path / "repo"
    repo.mkdir()
    code, out = invoke("distill", "--archive", str(tmp_path), "--target", str(repo / "sub"))
    assert code == 2, out
    assert f"error: the target {repo / 'sub'} does not exist, and is not named as a Markdown" in out
    assert f"e.g. {repo / 'CLAUDE.md'}" in out
    (repo / ".cursorrules").write_text("# rules\n")  # an existing file of any name stays a target
    code, out = invoke("distill", "--target", str(repo / ".cursorrules"), "--archive", "/nope")
    assert "archive folder not found" in out and "does not exist yet" not in out


@pytest.mark.parametrize("name", ["notes.md", "AGENTS.md", "CLAUDE.local.md", "README.MD", ""])
def test_a_markdown_target_not_made_yet_or_a_folder_is_taken(tmp_path: Path, name: str) -> None:
    """Refused only for its name: the run goes on (here to the missing archive)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    code, out = invoke("distill", "--target", str(repo / name), "--archive", str(tmp_path / "no"))
    assert "archive folder not found" in out and "Markdown" not in out


def test_sources_hints_fit_the_path_given(tmp_path: Path) -> None:
    code, out = invoke("sources", "--archive", str(tmp_path / "nope"))
    assert code == 2 and f"error: no such folder: {tmp_path / 'nope'}\n" in out
    assert "check the path given to --archive" in out and "pass --archive" not in out
    a_file = tmp_path / "README.md"
    a_file.write_text("# not runs\n")
    code, out = invoke("sources", "--archive", str(a_file))
    assert code == 2 and f"error: {a_file} is a file, not a folder\n" in out
    code, out = invoke("sources", "--data-dir", str(tmp_path / "data"))
    assert code == 2 and "no archive in the data dir yet" in out and "metis archive" in out


def test_distill_says_an_archive_that_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "README.md"
    a_file.write_text("# not runs\n")
    target = tmp_path / "CLAUDE.md"
    code, out = invoke("distill", "--archive", str(a_file), "--target", str(target))
    assert code == 2 and f"error: the archive {a_file} is a file, not a folder\n" in out
    code, out = invoke("distill", "--archive", str(tmp_path / "nope"), "--target", str(target))
    assert code == 2 and "nothing is there: check the path" in out


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        ([], "needs an Anthropic API key"),
        (["--max-usd", "1"], "no price is known for claude-unlisted-9"),
    ],
)
def test_a_run_the_settings_make_impossible_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], said: str
) -> None:
    """A missing key (or a USD cap without a price) is said before anything is archived or
    put in a ledger."""
    if flags:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-000")
        monkeypatch.setenv("METIS_EXTRACT__MODEL", "claude-unlisted-9")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "s.jsonl").write_text('{"type":"user","sessionId":"s","message":{"content":"hi"}}\n')
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    data = tmp_path / "fresh-data"
    code, out = invoke(
        "distill", "--extractor", "claude", "--archive", str(archive), "--target", str(target),
        "--data-dir", str(data), *flags,
    )  # fmt: skip
    assert code == 2 and said in out and "Traceback" not in out
    assert not data.exists()
