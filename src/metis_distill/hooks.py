"""Capture before deletion: a Claude Code `SessionEnd` hook that archives a finished transcript
at once (Claude Code deletes transcripts after 30 days by default).

`install` adds one hook entry to a Claude Code settings file, `uninstall` removes it; both
leave every other key and hook as they were, and refuse (untouched) a file they cannot parse.
The entry's command is `python -m metis_distill.hooks` (this module's `main`, ~0.1 s: no
settings, no database): it starts `metis hooks capture` detached, the hook's JSON as its stdin,
so the agent never waits for the copy and never sees it fail. The capture archives the
transcript the JSON names, with the session's subagent transcripts, and logs one line to
`data_dir/logs/hooks.log` per call: what it copied, or why nothing. It always exits 0."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from metis_distill.errors import ConfigError
from metis_distill.textio import atomic_write_text, file_in_the_way

EVENT = "SessionEnd"
TIMEOUT = 10  # seconds Claude Code gives the command at most; it returns in well under one
MODULE = "metis_distill.hooks"
CAPTURE = ("hooks", "capture")
LOG = ("logs", "hooks.log")  # under the data dir


class Change(StrEnum):
    ADDED = "added"
    UPDATED = "updated"  # our entry was there with another command (another venv, data dir)
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    ABSENT = "absent"  # nothing of ours to remove


@dataclass(frozen=True)
class HookResult:
    settings_file: Path
    change: Change
    command: str | None = None


def user_settings() -> Path:
    return Path.home() / ".claude" / "settings.json"


def project_settings(folder: Path) -> Path:
    return folder / ".claude" / "settings.json"


def program() -> list[str]:
    """How to run metis from anywhere: the `metis` script beside this interpreter (a venv's
    bin folder), else this interpreter with `-m metis_distill`; absolute, no PATH needed."""
    script = Path(sys.executable).with_name("metis")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "metis_distill"]


def hook_command(data_dir: Path | None = None) -> str:
    """The shell command the hook entry runs: this module's `main` with this interpreter."""
    args = [sys.executable, "-m", MODULE]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir.expanduser().resolve())]
    return shlex.join(args)


def hook_entry(command: str) -> dict[str, Any]:
    """The matcher group written under `hooks.SessionEnd` (no matcher: every end reason)."""
    return {"hooks": [{"type": "command", "command": command, "timeout": TIMEOUT}]}


def is_ours(hook: object) -> bool:
    """A hook entry whose command runs `python -m metis_distill.hooks` (or `metis hooks
    capture`)."""
    if not isinstance(hook, dict) or not isinstance(hook.get("command"), str):
        return False
    try:
        words = shlex.split(hook["command"])
    except ValueError:
        return False
    pairs = zip(words, words[1:], strict=False)
    return MODULE in words or (any("metis" in w for w in words) and CAPTURE in pairs)


def install(settings_file: Path, command: str) -> HookResult:
    """Add the hook (once: a second install changes nothing; another command of ours is
    replaced)."""
    settings = _read(settings_file)
    groups = _session_end(settings, settings_file)
    found = [h for group in groups for h in _hooks_of(group) if is_ours(h)]
    if [h.get("command") for h in found] == [command]:
        return HookResult(settings_file, Change.UNCHANGED, command)
    _drop_ours(groups)
    groups.append(hook_entry(command))
    _write(settings_file, settings)
    return HookResult(settings_file, Change.UPDATED if found else Change.ADDED, command)


def uninstall(settings_file: Path) -> HookResult:
    """Remove our hook; groups, events and the `hooks` key it leaves empty go too."""
    if not settings_file.exists():
        return HookResult(settings_file, Change.ABSENT)
    settings = _read(settings_file)
    groups = _session_end(settings, settings_file)
    if not _drop_ours(groups):
        return HookResult(settings_file, Change.ABSENT)
    hooks = settings["hooks"]
    if not groups:
        del hooks[EVENT]
    if not hooks:
        del settings["hooks"]
    _write(settings_file, settings)
    return HookResult(settings_file, Change.REMOVED)


def installed(settings_file: Path) -> list[str]:
    """The commands of our hook in the file (empty when absent or unreadable)."""
    try:
        groups = _session_end(_read(settings_file), settings_file)
    except ConfigError:
        return []
    return [h["command"] for group in groups for h in _hooks_of(group) if is_ours(h)]


class NoTranscript(Exception):
    """The hook's input names no finished transcript: what it held instead, for the log."""


def transcript_of(hook_input: str) -> Path:
    """The finished transcript named by the hook's JSON; NoTranscript says why there is none."""
    try:
        data = json.loads(hook_input)
    except ValueError:
        raise NoTranscript("the hook's input is not JSON") from None
    path = data.get("transcript_path") if isinstance(data, dict) else None
    if not isinstance(path, str) or not path:
        raise NoTranscript("the hook's input names no transcript_path")
    return finished(Path(path).expanduser())


def finished(transcript: Path) -> Path:
    if not transcript.is_file():
        raise NoTranscript(f"no transcript at {transcript}")
    return transcript


def subagents_of(transcript: Path) -> list[Path]:
    """The session's subagent transcripts: Claude Code keeps them beside the session's own,
    in `<session>/subagents/agent-*.jsonl`."""
    return sorted(transcript.with_suffix("").joinpath("subagents").glob("agent-*.jsonl"))


def start_archiving(hook_input: bytes, data_dir: str | None) -> None:
    """`metis hooks capture` detached from the agent (its own session, no terminal, nothing
    inherited), the hook's input as its stdin: returns at once; the child reads the input,
    archives what it names and logs one line, whatever the input held."""
    args = [*program(), *CAPTURE]
    if data_dir is not None:
        args += ["--data-dir", data_dir]
    with tempfile.TemporaryFile() as given:  # a file, not a pipe: the hook never waits
        given.write(hook_input)
        given.seek(0)
        subprocess.Popen(  # noqa: S603 (our own program, arguments as a list)
            args,
            stdin=given,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )


def log(data_dir: Path, line: str) -> None:
    """One line in `data_dir/logs/hooks.log` (appended; a hook has no terminal to print to)."""
    path = data_dir.joinpath(*LOG)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {line}\n")


def main(argv: list[str]) -> int:
    """The hook's command: the hook's JSON on stdin; the transcript archived in the
    background. Exit 0 whatever happens: a hook must never fail the agent."""
    try:
        data_dir = argv[argv.index("--data-dir") + 1] if "--data-dir" in argv else None
        start_archiving(sys.stdin.buffer.read(), data_dir)
    except Exception as e:  # noqa: BLE001
        print(f"{MODULE}: {type(e).__name__}: {e}", file=sys.stderr)
    return 0


# the settings file ---------------------------------------------------------------------
def _read(settings_file: Path) -> dict[str, Any]:
    if settings_file.is_dir():
        raise ConfigError(
            f"{settings_file} is a folder, not a settings file",
            hint="pass --settings-file a JSON file, e.g. ~/.claude/settings.json",
        )
    if not settings_file.exists():
        return {}
    try:
        data = json.loads(settings_file.read_text(encoding="utf-8") or "{}")
    except OSError as e:
        raise ConfigError(f"{settings_file} cannot be read: {e.strerror or e}") from e
    except (ValueError, UnicodeDecodeError) as e:
        raise ConfigError(
            f"{settings_file} is not valid JSON ({e}); it was left as it is",
            hint="fix the file by hand (or move it away), then run the command again",
        ) from e
    if not isinstance(data, dict):
        raise ConfigError(
            f"{settings_file} does not hold a JSON object; it was left as it is",
            hint="a Claude Code settings file is one JSON object: fix it, then try again",
        )
    return data


def _session_end(settings: dict[str, Any], settings_file: Path) -> list[Any]:
    """The `hooks.SessionEnd` list, made when missing; refused when it has another shape."""
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict) or not isinstance(hooks.setdefault(EVENT, []), list):
        raise ConfigError(
            f"{settings_file}: `hooks` or `hooks.{EVENT}` is not in Claude Code's shape; "
            "it was left as it is",
            hint='expected {"hooks": {"SessionEnd": [{"hooks": [...]}]}}',
        )
    return hooks[EVENT]  # type: ignore[no-any-return]


def _hooks_of(group: object) -> list[Any]:
    inner = group.get("hooks") if isinstance(group, dict) else None
    return inner if isinstance(inner, list) else []


def _drop_ours(groups: list[Any]) -> int:
    """Remove our entries from the groups (in place), and the groups they leave empty."""
    dropped = 0
    for group in list(groups):
        inner = _hooks_of(group)
        kept = [h for h in inner if not is_ours(h)]
        dropped += len(inner) - len(kept)
        if len(kept) == len(inner):
            continue
        if kept:
            group["hooks"] = kept
        else:
            groups.remove(group)
    return dropped


def _write(settings_file: Path, settings: dict[str, Any]) -> None:
    real = _linked_file(settings_file)
    blocker = file_in_the_way(real.parent)
    if blocker is not None:
        raise ConfigError(
            f"{settings_file} cannot be made: {blocker} is a file, not a folder",
            hint="pass --settings-file a path whose folders are folders",
        )
    try:
        atomic_write_text(real, json.dumps(settings, indent=2, ensure_ascii=False) + "\n")
    except OSError as e:
        raise ConfigError(f"{settings_file} cannot be written: {e.strerror or e}") from e


def _linked_file(settings_file: Path) -> Path:
    """The file a link names (a settings file kept in a dotfiles repository): written there,
    so that the link stays a link."""
    if not settings_file.is_symlink():
        return settings_file
    try:
        return settings_file.resolve(strict=False)
    except (OSError, RuntimeError) as e:  # a loop of links
        raise ConfigError(
            f"{settings_file} is a link that leads to no file ({e}); it was left as it is",
            hint="fix the link, or pass --settings-file the file itself",
        ) from e


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
