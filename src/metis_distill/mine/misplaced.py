"""A project file read at a path it is not at, then read at the one it is at.

`cat architecture.md` fails (“No such file or directory”); an `ls` or two later `cat
docs/architecture.md` works: the file lives in `docs/`. Once, that is how an agent finds its
way (or a typo); the same wrong turn in another session is the project's layout, which a line
saves (earned as any failure without a fix: in two sessions). Only paths inside the project
are told, written from its root; not when a call between the two reads did more than look
(the file found may be the agent's own), nor when the wrong path was read fine in the session
(a file the run moved).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.mine.signals import LOOK_TOOLS, PIPE, SHELL_TOOLS, is_success, only_reads
from metis_distill.mine.text import command_head, file_name, shell_steps
from metis_distill.models import Event, EventKind

# Programs that print a file they are given (`sed` only with `-n`, never with `-i`).
_READERS = frozenset({"cat", "head", "tail", "less", "more", "nl", "bat", "sed"})
_READ_TOOLS = frozenset({"Read", "NotebookRead", "view"})
# A tool's or a program's words for a file that is not there.
MISSING = re.compile(r"No such file or directory|File does not exist|\bENOENT\b")
# A plain path to a file with an extension: no glob, no variable, no quoting left.
_FILE_PATH = re.compile(r"^[\w@+.-]+(?:/[\w@+.-]+)*\.\w+$")
WITHIN = 8  # tool calls after the failure in which the file must be found
# Names that many folders each hold one of (a package's entry, its manifest): one found
# elsewhere is another package's, not the file that was looked for.
_EVERY_FOLDERS = re.compile(
    r"^(?:__init__\.py|__main__\.py|index\.\w+|main\.\w+|mod\.rs|lib\.rs|README\.md"
    r"|package\.json|tsconfig\.json|pyproject\.toml|Cargo\.toml|go\.mod|setup\.py)$",
    re.I,
)


@dataclass(frozen=True)
class Misplaced:
    """The file read at `wrong` and then found at `right` (both from the project's root)."""

    wrong: str
    right: str
    found: Event  # the result of the read that worked
    said: str  # the error's words for a file not there


def misplaced(
    events: Sequence[Event], index: int, call: Event | None, root: str | None
) -> Misplaced | None:
    """The failure `events[index]` is a read of a file not there, and a few looks later the
    same session read a file of the same name at another path of the project."""
    failure = events[index]
    wrong = read_path(call, root) if call is not None else None
    said = MISSING.search(failure.text[:2000])
    if wrong is None or call is None or said is None or _EVERY_FOLDERS.match(file_name(wrong)):
        return None
    calls = 0
    results = {
        e.tool_use_id: e
        for e in events[index + 1 :]
        if e.kind is EventKind.TOOL_RESULT and e.tool_use_id and e.session == failure.session
    }
    for later in events[index + 1 :]:
        if later.session != failure.session:
            break
        if later.kind is not EventKind.TOOL_CALL:
            continue
        calls += 1
        if calls > WITHIN or not _looks(later):
            return None  # too far, or something was written in between
        right = read_path(later, root)
        result = results.get(later.tool_use_id or "")
        if right is None or right == wrong or file_name(right) != file_name(wrong):
            continue
        if result is None or not is_success(result) or MISSING.search(result.text[:2000]):
            continue
        if _read_fine(events, failure.session, wrong, root):
            return None  # the file was there at another time: the run moved it
        return Misplaced(wrong, right, result, said[0])
    return None


def read_path(call: Event, root: str | None) -> str | None:
    """The one file of the project a call reads, from the project's root: the Read tool's
    path, or a shell command of one step that prints one file (`cat a.md`, `sed -n 1,80p
    a.md`)."""
    if call.tool_name in _READ_TOOLS:
        path = call.text.strip()
    elif call.tool_name in SHELL_TOOLS:
        steps = shell_steps(call.text)
        if len(steps) != 1 or PIPE.search(steps[0]) or re.search(r"[<>`$]", steps[0]):
            return None
        try:
            words = shlex.split(steps[0])
        except ValueError:
            return None
        program = words[0].rsplit("/", 1)[-1] if words else ""
        if program not in _READERS or len(words) < 2 or words[-1].startswith("-"):
            return None
        if program == "sed" and not ("-n" in words and not any(w.startswith("-i") for w in words)):
            return None
        path = words[-1]
    else:
        return None
    return _from_root(path, root)


def _from_root(path: str, root: str | None) -> str | None:
    """The path written from the project's root, or None outside it (or not plainly a file)."""
    if path.startswith("/"):
        top = (root or "").rstrip("/")
        if not top or not path.startswith(f"{top}/"):
            return None
        path = path[len(top) + 1 :]
    while path.startswith("./"):
        path = path[2:]
    if not _FILE_PATH.match(path) or ".." in path.split("/"):
        return None
    return path


def _looks(call: Event) -> bool:
    """The call only looks (reads, lists, searches): it made no file."""
    if call.tool_name in LOOK_TOOLS:
        return True
    if call.tool_name not in SHELL_TOOLS:
        return False
    head = command_head(call.text)
    return only_reads(call.text) and not _WRITES.search(head)


# What a command of looks may still write: a redirection, `find`'s actions.
_WRITES = re.compile(r">|\s-(?:delete|exec|execdir|ok|fprint)\b")


def _read_fine(events: Sequence[Event], session: str | None, path: str, root: str | None) -> bool:
    results = {
        e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_RESULT and e.tool_use_id
    }
    for event in events:
        if event.kind is not EventKind.TOOL_CALL or event.session != session:
            continue
        if read_path(event, root) != path:
            continue
        result = results.get(event.tool_use_id or "")
        if result is not None and is_success(result) and not MISSING.search(result.text[:2000]):
            return True
    return False


def misplaced_text(found: Misplaced) -> str:
    """Where the file lives, one wording for every file of a folder found elsewhere (so that
    each session's wrong turn supports the same line): the folders the two paths share at
    their ends (`core/tasks/` of `.bmad/bmm/core/tasks/a.xml` and `.bmad/core/tasks/a.xml`)
    name the folder; with none shared, the file itself."""
    wrong, right = found.wrong.split("/"), found.right.split("/")
    shared = 0
    while shared < min(len(wrong), len(right)) - 1 and wrong[-2 - shared] == right[-2 - shared]:
        shared += 1
    error = f"“{found.said}”"
    if shared:
        folder = "/".join(right[-1 - shared : -1])
        there, not_there = "/".join(right[:-1]), "/".join(wrong[:-1])
        instead = "at the project root" if not_there == folder else f"`{not_there}/`"
        return (
            f"The project's `{folder}/` folder is `{there}/`, not {instead} (reading files "
            f"under `{not_there}/` failed: {error})."
        )
    name = right[-1]
    instead = "at the project root" if len(wrong) == 1 else f"at `{found.wrong}`"
    return (
        f"`{name}` is at `{found.right}`, not {instead} (reading `{found.wrong}` failed: {error})."
    )
