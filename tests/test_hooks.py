"""`metis hooks`: the Claude Code SessionEnd hook installed into a temp HOME's
~/.claude/settings.json (other settings and hooks kept), run as Claude Code runs it (a shell,
the hook's JSON on stdin) to archive the finished transcript, and uninstalled cleanly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.hooks import EVENT, TIMEOUT, hook_command, install, is_ours, uninstall
from metis_distill.ledger import Ledger
from tests.conftest import DEMO_FILE

runner = CliRunner()
PROJECT = "-home-dev-src-demo"
THEIRS: dict[str, Any] = {
    "model": "opus",
    "permissions": {"allow": ["Bash(npm test:*)"]},
    "hooks": {
        EVENT: [{"hooks": [{"type": "command", "command": "echo bye >> /tmp/x"}]}],
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "true"}]}],
    },
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def transcript(home: Path) -> Path:
    folder = home / ".claude" / "projects" / PROJECT
    folder.mkdir(parents=True)
    return Path(shutil.copy(DEMO_FILE, folder / DEMO_FILE.name))


def hook_input(transcript: Path) -> str:
    return json.dumps(
        {
            "session_id": "abc",
            "transcript_path": str(transcript),
            "cwd": "/home/dev/src/demo",
            "hook_event_name": EVENT,
            "reason": "prompt_input_exit",
        }
    )


def metis(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def wait_for(path: Path) -> None:
    """The detached copy finishes on its own; wait for it (not a timing assertion)."""
    for _ in range(600):
        if path.is_file() and path.stat().st_size == DEMO_FILE.stat().st_size:
            return
        time.sleep(0.1)


def wait_for_log(data: Path) -> None:
    log = data / "logs" / "hooks.log"
    for _ in range(600):
        if log.is_file() and "bytes copied" in log.read_text(encoding="utf-8"):
            return
        time.sleep(0.1)


def run_hook(command: str, stdin: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The hook's command as Claude Code runs it: through a shell, the JSON on stdin."""
    return subprocess.run(
        command,
        shell=True,  # noqa: S602 (the command exactly as the settings file holds it)
        input=stdin,
        text=True,
        capture_output=True,
        env={**os.environ, "HOME": str(home)},
        check=False,
    )


def test_install_run_and_uninstall_in_a_users_settings(
    home: Path, transcript: Path, tmp_path: Path
) -> None:
    settings = home / ".claude" / "settings.json"
    settings.write_text(json.dumps(THEIRS, indent=4), encoding="utf-8")
    data = tmp_path / "data"

    assert "added" in metis("hooks", "install", "--data-dir", str(data))
    written = json.loads(settings.read_text(encoding="utf-8"))
    ours = written["hooks"][EVENT][-1]["hooks"]
    assert ours == [{"type": "command", "command": hook_command(data), "timeout": TIMEOUT}]
    assert written["hooks"][EVENT][0] == THEIRS["hooks"][EVENT][0]  # theirs kept, first
    assert {k: v for k, v in written.items() if k != "hooks"} == {
        k: v for k, v in THEIRS.items() if k != "hooks"
    }
    before = settings.read_bytes()
    assert "already installed" in metis("hooks", "install", "--data-dir", str(data))
    assert settings.read_bytes() == before  # idempotent: not even rewritten
    assert hook_command(data) in metis("hooks", "status")

    ran = run_hook(ours[0]["command"], hook_input(transcript), home)
    assert ran.returncode == 0 and ran.stdout == "" and ran.stderr == "", ran.stderr
    copy = data / "archive" / "claude" / "projects" / PROJECT / DEMO_FILE.name
    wait_for(copy)
    assert copy.read_bytes() == transcript.read_bytes()
    wait_for_log(data)
    assert "1 new" in (data / "logs" / "hooks.log").read_text(encoding="utf-8")

    # the nightly archiving of the whole folder finds it in place: nothing copied twice
    metis("archive", "--from", str(home / ".claude" / "projects"), "--data-dir", str(data))
    with Ledger.at(data) as ledger:
        rows = list(ledger.copies().values())
    assert [r.archive_path for r in rows] == [f"claude/projects/{PROJECT}/{DEMO_FILE.name}"]

    assert "removed" in metis("hooks", "uninstall")
    assert json.loads(settings.read_text(encoding="utf-8")) == THEIRS
    assert "nothing changed" in metis("hooks", "uninstall")
    assert "not installed" in metis("hooks", "status")


def test_a_fresh_home_gets_a_settings_file_and_uninstall_leaves_it_empty(home: Path) -> None:
    settings = home / ".claude" / "settings.json"
    metis("hooks", "install")
    assert [g["hooks"][0]["command"] for g in json.loads(settings.read_text())["hooks"][EVENT]] == [
        hook_command()
    ]
    metis("hooks", "uninstall")
    assert json.loads(settings.read_text()) == {}


def test_a_project_settings_file_and_an_explicit_one(home: Path, tmp_path: Path) -> None:
    metis("hooks", "install", "--project")  # the tests run from tmp_path/cwd
    assert is_ours(
        json.loads((tmp_path / "cwd/.claude/settings.json").read_text())["hooks"][EVENT][0][
            "hooks"
        ][0]
    )
    other = tmp_path / "elsewhere.json"
    metis("hooks", "install", "--settings-file", str(other))
    assert EVENT in json.loads(other.read_text())["hooks"]
    assert not (home / ".claude" / "settings.json").exists()


def test_another_command_of_ours_is_replaced_not_added(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    install(settings, "/old/venv/bin/metis hooks capture")
    result = install(settings, "/new/venv/bin/metis hooks capture --data-dir /d")
    assert result.change == "updated"
    groups = json.loads(settings.read_text())["hooks"][EVENT]
    assert [g["hooks"][0]["command"] for g in groups] == [
        "/new/venv/bin/metis hooks capture --data-dir /d"
    ]


def test_uninstall_keeps_other_hooks_in_the_same_group(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    mine = {"type": "command", "command": "/v/bin/metis hooks capture"}
    theirs = {"type": "command", "command": "notify-send bye"}
    settings.write_text(json.dumps({"hooks": {EVENT: [{"hooks": [theirs, mine]}]}}))
    assert uninstall(settings).change == "removed"
    assert json.loads(settings.read_text()) == {"hooks": {EVENT: [{"hooks": [theirs]}]}}


@pytest.mark.parametrize(
    "text", ['{"model": "opus",', "[1, 2]", '{"hooks": {"SessionEnd": {"not": "a list"}}}']
)
def test_a_settings_file_it_cannot_read_is_left_untouched(home: Path, text: str) -> None:
    settings = home / ".claude" / "settings.json"
    settings.write_text(text, encoding="utf-8")
    for command in ("install", "uninstall"):
        out = metis("hooks", command, code=2)
        assert "left as it is" in out and "Traceback" not in out
        assert settings.read_text(encoding="utf-8") == text


def test_a_settings_file_that_cannot_be_one_is_said_without_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    under = blocker / "x.json"
    out = metis("hooks", "install", "--settings-file", str(under), code=2)
    assert f"error: {under} cannot be made: {blocker} is a file, not a folder\n" in out
    assert "Traceback" not in out and blocker.read_text() == "not a folder"
    for command in ("install", "uninstall"):
        out = metis("hooks", command, "--settings-file", str(tmp_path), code=2)
        assert f"error: {tmp_path} is a folder, not a settings file\n" in out


@pytest.mark.parametrize(
    "stdin", ["", "not json", "[]", '{"transcript_path": 3}', '{"transcript_path": "/nope.jsonl"}']
)
def test_the_hook_never_fails_the_agent(stdin: str, home: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ran = run_hook(hook_command(data), stdin, home)
    assert ran.returncode == 0 and ran.stdout == ""
    said = metis("hooks", "capture", "--data-dir", str(data), stdin=stdin)  # exit 0 too
    assert said.startswith("metis hooks capture: ") and "nothing archived" in said  # told
    log = wait_for_lines(data / "logs" / "hooks.log", 2)  # the hook's capture, and this one
    assert log.count("nothing archived") == 2, log
    assert not (data / "archive").exists()


def test_capture_archives_now_and_appends_a_resumed_session(
    home: Path, transcript: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    metis("hooks", "capture", "--data-dir", str(data), stdin=hook_input(transcript))
    copy = data / "archive" / "claude" / "projects" / PROJECT / DEMO_FILE.name
    assert copy.read_bytes() == transcript.read_bytes()
    transcript.write_text(transcript.read_text() + transcript.read_text().splitlines()[0] + "\n")
    said = metis("hooks", "capture", "--data-dir", str(data), "--transcript", str(transcript))
    assert copy.read_bytes() == transcript.read_bytes()  # a resumed session: appended
    assert "1 appended" in said
    log = (data / "logs" / "hooks.log").read_text(encoding="utf-8")
    assert "1 new" in log and "1 appended" in log
    assert not (home / ".claude" / "settings.json").exists()


def test_a_broken_ledger_is_logged_not_raised(home: Path, transcript: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger.sqlite").write_text("not a database")
    metis("hooks", "capture", "--data-dir", str(data), "--transcript", str(transcript))
    assert "failed:" in (data / "logs" / "hooks.log").read_text(encoding="utf-8")


def test_sessions_ending_together_on_a_fresh_data_dir_are_both_archived(
    home: Path, transcript: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    other = transcript.with_name("second.jsonl")
    shutil.copy(transcript, other)
    for path in (transcript, other):
        assert run_hook(hook_command(data), hook_input(path), home).returncode == 0
    log = data / "logs" / "hooks.log"
    for _ in range(600):
        if log.is_file() and log.read_text(encoding="utf-8").count("\n") >= 2:
            break
        time.sleep(0.1)
    text = log.read_text(encoding="utf-8")
    assert "failed" not in text and text.count("1 new") == 2, text
    archived = data / "archive" / "claude" / "projects" / PROJECT
    assert sorted(p.name for p in archived.iterdir()) == sorted([DEMO_FILE.name, "second.jsonl"])


def wait_for_lines(log: Path, count: int) -> str:
    """The detached captures log on their own; wait for their lines (not a timing assertion)."""
    for _ in range(600):
        if log.is_file() and log.read_text(encoding="utf-8").count("\n") >= count:
            break
        time.sleep(0.1)
    return log.read_text(encoding="utf-8")


def test_the_hook_archives_the_session_s_subagent_transcripts_with_it(
    home: Path, transcript: Path, tmp_path: Path
) -> None:
    """Claude Code keeps a subagent's run in `<session>/subagents/agent-*.jsonl`: captured
    with the session, where archiving the whole folder later finds it (nothing twice)."""
    subagents = transcript.with_suffix("") / "subagents"
    subagents.mkdir(parents=True)
    agents = [Path(shutil.copy(DEMO_FILE, subagents / f"agent-a{n}.jsonl")) for n in (1, 2)]
    data = tmp_path / "data"
    assert run_hook(hook_command(data), hook_input(transcript), home).returncode == 0
    log = wait_for_lines(data / "logs" / "hooks.log", 1)
    assert log.count("\n") == 1 and "3 new" in log and "2 subagent transcripts" in log, log
    archived = data / "archive" / "claude" / "projects" / PROJECT
    for agent in agents:
        copy = archived / transcript.stem / "subagents" / agent.name
        assert copy.read_bytes() == agent.read_bytes()
    said = metis("archive", "--from", str(home / ".claude" / "projects"), "--data-dir", str(data))
    assert "0 new" in said and "3 unchanged" in said


def test_a_settings_file_that_is_a_link_is_written_through_it(tmp_path: Path) -> None:
    """~/.claude/settings.json is often a link into a dotfiles repository: the link stays."""
    dotfiles = tmp_path / "dotfiles" / "settings.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text('{"model": "opus"}\n')
    link = tmp_path / "settings.json"
    link.symlink_to(dotfiles)
    assert "added" in metis("hooks", "install", "--settings-file", str(link))
    assert link.is_symlink() and link.readlink() == dotfiles
    written = json.loads(dotfiles.read_text())
    assert written["model"] == "opus" and is_ours(written["hooks"][EVENT][0]["hooks"][0])
    assert "removed" in metis("hooks", "uninstall", "--settings-file", str(link))
    assert link.is_symlink() and json.loads(dotfiles.read_text()) == {"model": "opus"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "dotfiles", "settings.json"]


@pytest.mark.parametrize(
    ("stdin", "said"),
    [
        ("not json", "the hook's input is not JSON"),
        ("[]", "the hook's input names no transcript_path"),
        ('{"transcript_path": "/nonexistent/x.jsonl"}', "no transcript at /nonexistent/x.jsonl"),
    ],
)
def test_the_hook_logs_one_line_for_input_it_cannot_use(
    stdin: str, said: str, home: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    assert run_hook(hook_command(data), stdin, home).returncode == 0
    log = wait_for_lines(data / "logs" / "hooks.log", 1)
    assert log.count("\n") == 1 and f"{said}; nothing archived" in log, log
