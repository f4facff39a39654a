"""`metis hooks install | uninstall | status | capture`: the Claude Code `SessionEnd` hook that
archives each finished transcript at once (the hook's own command is `python -m
metis_distill.hooks`, which starts `capture` in the background)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from metis_distill.cli.common import DataDir, console, counted, err, friendly, shown
from metis_distill.config import Settings, load_settings
from metis_distill.hooks import (
    Change,
    HookResult,
    NoTranscript,
    finished,
    hook_command,
    installed,
    log,
    project_settings,
    subagents_of,
    transcript_of,
    uninstall,
    user_settings,
)
from metis_distill.hooks import install as install_hook

app = typer.Typer(
    name="hooks",
    help="A Claude Code SessionEnd hook that archives each finished transcript at once.",
    no_args_is_help=True,
)

SettingsFile = Annotated[
    Path | None,
    typer.Option(
        "--settings-file",
        help="The Claude Code settings file to change "
        + shown("default: ~/.claude/settings.json")
        + ".",
    ),
]
Project = Annotated[
    bool,
    typer.Option("--project", help="The project's .claude/settings.json (in this folder)."),
]


def _settings_file(settings_file: Path | None, project: bool) -> Path:
    if settings_file is not None:
        return settings_file.expanduser()
    return project_settings(Path.cwd()) if project else user_settings()


@app.command()
@friendly
def install(
    settings_file: SettingsFile = None, project: Project = False, data_dir: DataDir = None
) -> None:
    """Add the SessionEnd hook (once; other settings and hooks are left as they are)."""
    load_settings(data_dir=data_dir)  # a data dir that cannot be one is said now, not in the log
    result = install_hook(_settings_file(settings_file, project), hook_command(data_dir))
    _say(result)


@app.command(name="uninstall")
@friendly
def uninstall_(settings_file: SettingsFile = None, project: Project = False) -> None:
    """Remove the SessionEnd hook; nothing else in the file changes."""
    _say(uninstall(_settings_file(settings_file, project)))


@app.command()
@friendly
def status(settings_file: SettingsFile = None, project: Project = False) -> None:
    """Whether the hook is installed, and its command."""
    path = _settings_file(settings_file, project)
    commands = installed(path)
    if not commands:
        console.print(f"not installed in {path}", markup=False, soft_wrap=True)
        return
    for command in commands:
        console.print(f"installed in {path}: {command}", markup=False, soft_wrap=True)


@app.command()
def capture(
    transcript: Annotated[
        Path | None,
        typer.Option("--transcript", help="The transcript to archive (default: the hook's JSON)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Archive one finished transcript now, with its session's subagent transcripts
    (--transcript, or the hook's JSON on stdin); exits 0.

    What happened goes to data_dir/logs/hooks.log, one line, and to stderr. The hook itself
    runs `python -m metis_distill.hooks`, which starts this in the background."""
    try:
        settings = load_settings(data_dir=data_dir)
    except Exception as e:  # noqa: BLE001 (a hook must never fail the agent)
        err.print(f"metis hooks capture: {type(e).__name__}: {e}", markup=False)
        return
    try:
        hook_input = sys.stdin.buffer.read().decode("utf-8", "replace") if not transcript else ""
        found = finished(transcript) if transcript else transcript_of(hook_input)
        _tell(settings, f"{found}: {_archive_now(found, settings)}")
    except NoTranscript as e:
        _tell(settings, f"{e}; nothing archived")
    except Exception as e:  # noqa: BLE001
        _tell(settings, f"failed: {type(e).__name__}: {e}")


def _tell(settings: Settings, line: str) -> None:
    """Into hooks.log, and to whoever runs the capture by hand (the hook's child has no
    terminal: its stderr goes nowhere)."""
    log(settings.data_dir, line)
    err.print(f"metis hooks capture: {line}", markup=False, soft_wrap=True)


def _archive_now(transcript: Path, settings: Settings) -> str:
    """One capture at a time (sessions ending together on a fresh data dir would race to
    create the ledger)."""
    from filelock import FileLock

    from metis_distill.archive import archive_from
    from metis_distill.ledger import Ledger
    from metis_distill.ledger.moves import follow_move

    lock = settings.data_dir / "locks" / "hooks-capture.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    subagents = subagents_of(transcript)
    with FileLock(str(lock)), Ledger(settings.ledger_url) as ledger:
        follow_move(ledger, settings.data_dir, record=True)
        done = archive_from([transcript, *subagents], settings.archive_dir, ledger)
    with_them = f"with {counted(len(subagents), 'subagent transcript')}: " if subagents else ""
    skipped = "".join(f"; skipped {path} ({why})" for path, why in done.skipped)
    return (
        f"{with_them}{done.copied} new, {done.appended} appended, {done.versions} new versions, "
        f"{done.unchanged} unchanged ({done.bytes_copied:,} bytes copied){skipped}"
    )


def _say(result: HookResult) -> None:
    where = str(result.settings_file)
    lines = {
        Change.ADDED: f"added the SessionEnd hook to {where}: {result.command}",
        Change.UPDATED: f"updated the SessionEnd hook in {where} to {result.command!s}",
        Change.UNCHANGED: f"already installed in {where}; nothing changed",
        Change.REMOVED: f"removed the SessionEnd hook from {where}",
        Change.ABSENT: f"no metis hook in {where}; nothing changed",
    }
    console.print(lines[result.change], markup=False, soft_wrap=True)
