"""Claude Code's background commands: a Bash call started with `run_in_background` answers
at once ("Command running in background with ID: b0de493…"), and how the command ended is
told later, by the `TaskOutput` (2.1) or `BashOutput` (2.0) call that waits for it.

Read alone, the start looks like a command that succeeded and the poll like a tool of its
own; the command's failure, and so the fix that followed it, would be lost. So the poll's
verdict is told as the result of the command that started it, but only while the agent
waited on it: polls of the task, a look at its output file, a `sleep`. A task left running
while the agent did other work (a dev server, a watcher) ends in no verdict on its command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from metis_distill.sources.common import as_str

POLL_TOOLS = frozenset({"TaskOutput", "BashOutput"})
_STARTED = re.compile(r"^Command running in background with ID: ([\w-]+)")
_TRUNCATED = re.compile(r"^\[Truncated\. Full output: [^\]\n]*\]\n*")
_SLEEP = re.compile(r"^\s*sleep\s+\d+(?:\.\d+)?[smh]?\s*$")


class TaskStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    OTHER = "other"  # killed, stopped, not found: no verdict on the command


@dataclass(frozen=True)
class TaskPoll:
    """What one poll read of a background task."""

    task_id: str | None
    status: TaskStatus
    exit_code: int | None
    output: str

    @property
    def ended(self) -> bool:
        """The command ran to its end: its exit code is a verdict."""
        return self.status in (TaskStatus.COMPLETED, TaskStatus.FAILED)


def started_task(text: str, tool_use_result: Any) -> str | None:
    """The task id a Bash result hands back when its command went to the background."""
    if isinstance(tool_use_result, dict):
        task = as_str(tool_use_result.get("backgroundTaskId"))
        if task:
            return task
    match = _STARTED.match(text)
    return match.group(1) if match else None


def polled_task(tool_input: Any) -> str | None:
    """The task a `TaskOutput` / `BashOutput` call waits on."""
    if not isinstance(tool_input, dict):
        return None
    for key in ("task_id", "bash_id", "shell_id"):
        value = as_str(tool_input.get(key))
        if value:
            return value
    return None


def only_waits(name: str, tool_input: Any, running: Iterable[str]) -> bool:
    """A call that does nothing but wait on the running tasks: a `sleep`, or a look at one
    task's output file."""
    if not isinstance(tool_input, dict):
        return False
    if name == "Bash":
        return bool(_SLEEP.match(as_str(tool_input.get("command")) or ""))
    if name == "Read":
        path = (as_str(tool_input.get("file_path")) or "").replace("\\", "/")
        return any(path.endswith(f"/tasks/{task}.output") for task in running)
    return False


def read_poll(text: str, tool_use_result: Any) -> TaskPoll:
    """A poll's result: the status, exit code and output it reports, from its text (what the
    agent saw), else from the line's structured copy."""
    task = _structured(tool_use_result)
    status = _tag(text, "status", whole=False) or as_str(task.get("status")) or ""
    code = _tag(text, "exit_code", whole=False) or task.get("exitCode")
    output = _tag(text, "output")
    if output is None:
        parts = (_tag(text, "stdout"), _tag(text, "stderr"))
        output = "\n".join(p for p in parts if p) if any(p is not None for p in parts) else None
    if output is None:
        output = as_str(task.get("output")) or ""
    return TaskPoll(
        _tag(text, "task_id", whole=False) or as_str(task.get("task_id")),
        _status(status),
        _code(code),
        _TRUNCATED.sub("", output.strip("\n"), count=1),
    )


def _structured(tool_use_result: Any) -> dict[str, Any]:
    if not isinstance(tool_use_result, dict):
        return {}
    task = tool_use_result.get("task")
    return task if isinstance(task, dict) else tool_use_result


def _tag(text: str, name: str, *, whole: bool = True) -> str | None:
    """What the first `<name>` holds: up to the last `</name>` for an output (`whole`: it may
    print the tag itself), to the first for a field before it."""
    start = text.find(f"<{name}>")
    end = text.rfind(f"</{name}>") if whole else text.find(f"</{name}>", start + 1)
    if start < 0 or end < start:
        return None
    inside = text[start + len(name) + 2 : end]
    return inside.removeprefix("\n").removesuffix("\n")


def _status(value: str) -> TaskStatus:
    try:
        return TaskStatus(value.strip().lower())
    except ValueError:
        return TaskStatus.OTHER


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None
