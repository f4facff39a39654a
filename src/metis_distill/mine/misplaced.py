"""A project file read at a path it is not at, then read at the one it is at.

`cat architecture.md` fails (“No such file or directory”); an `ls` or two later `cat
docs/architecture.md` works: the file lives in `docs/`. Once, that is how an agent finds its
way (or a typo); the same wrong turn in another session, the file found at the same path, is
the project's layout, which a line saves (earned as any failure without a fix: in two
sessions; found at another path, another line). Only paths inside the project are told,
written from its root; not when a call between the two reads did more than look (the file
found may be the agent's own), nor a file the session made itself before (wrote, redirected
into, copied, or put under a folder it made: its report, its notes), nor when the wrong path
was read fine in the session (a file the run moved), nor for a copy in what the project
installs or builds (`node_modules/`, `.venv/`, `build/`…). One file found elsewhere tells of
that file: a project may hold several `src/`; a folder is told only when a look (`ls`, `cd`)
showed it missing. A relative path is from the root only before any call moved Claude Code's
shell.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from metis_distill.mine.kept_cwd import moved_before
from metis_distill.mine.own_files import made_by
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
_FOLDER_PATH = re.compile(r"^[\w@+.-]+(?:/[\w@+.-]+)*$")
WITHIN = 8  # tool calls after the failure in which the file must be found
# Names that many folders each hold one of (a package's entry, its manifest, a framework's
# modules): one found elsewhere is another folder's, not the file that was looked for.
_EVERY_FOLDERS = re.compile(
    r"^(?:__init__\.py|__main__\.py|index\.\w+|main\.\w+|mod\.rs|lib\.rs|README\.\w+"
    r"|CHANGELOG\.\w+|LICENSE(?:\.\w+)?|package\.json|tsconfig\.json|pyproject\.toml"
    r"|Cargo\.toml|go\.mod|setup\.py|conftest\.py|models\.py|views\.py|urls\.py|settings\.py"
    r"|admin\.py|apps\.py|forms\.py|serializers\.py|tests?\.py|utils?\.\w+|helpers?\.\w+"
    r"|types\.\w+|config\.\w+|constants\.\w+|Makefile|Dockerfile|\.gitignore)$",
    re.I,
)
# Folders of what the project installs or builds: a file found there is a dependency's copy.
_NOT_THE_PROJECTS = frozenset(
    {"node_modules", ".venv", "venv", "site-packages", "vendor", "dist", "build", "target"}
    | {".git", "__pycache__", ".tox", ".mypy_cache", ".next"}
)


@dataclass(frozen=True)
class Misplaced:
    """The file read at `wrong` and then found at `right` (both from the project's root)."""

    wrong: str
    right: str
    found: Event  # the result of the read that worked
    said: str  # the error's words for a file not there
    # the folder of `wrong` a look showed missing, and the folder of `right` in its place
    folder: tuple[str, str] | None = None


def misplaced(
    events: Sequence[Event],
    index: int,
    call: Event | None,
    root: str | None,
    *,
    fresh_shells: bool = False,
) -> Misplaced | None:
    """The failure `events[index]` is a read of one file not there (the error naming it),
    and a few looks later the same session read a file of the same name at another path of
    the project. A relative path is from the root only in `fresh_shells` (Codex's: each
    command at the folder it names) or before any call moved the shell (Claude Code's)."""
    failure = events[index]
    said = MISSING.search(failure.text[:2000])
    if call is None or said is None:
        return None
    written = _operand(call)
    wrong = _from_root(written, root) if written is not None else None
    if wrong is None or written is None or _EVERY_FOLDERS.match(file_name(wrong)):
        return None
    if call.tool_name in SHELL_TOOLS and written not in failure.text[:2000]:
        return None  # the error is about another file of the command
    window = _window(events, index)
    results = {
        e.tool_use_id: e
        for e in window
        if e.kind in (EventKind.TOOL_RESULT, EventKind.ERROR) and e.tool_use_id
    }
    for at, later in enumerate(window, start=index + 1):
        if later.kind is not EventKind.TOOL_CALL:
            continue
        if not _looks(later):
            return None  # something was written in between
        right = read_path(later, root)
        result = results.get(later.tool_use_id or "")
        if right is None or right == wrong or file_name(right) != file_name(wrong):
            continue
        if _NOT_THE_PROJECTS.intersection(right.split("/")[:-1]):
            continue  # a dependency's or a build's copy
        if result is None or not is_success(result) or MISSING.search(result.text[:2000]):
            continue
        relative = [c for c in (call, later) if c.tool_name in SHELL_TOOLS and _relative(c)]
        if relative and not fresh_shells and moved_before(events, at, relative[0]):
            return None  # a relative path after a `cd`: not from the project's root
        if _read_fine(events, failure.session, wrong, root):
            return None  # the file was there at another time: the run moved it
        if _made_by_run(events[:at], failure.session, right, root):
            return None  # the agent's own file (its report, its notes): no layout of the project
        looks = window[: at - index - 1]
        if _found_in_many(looks, results, file_name(wrong)):
            return None  # the project holds several of that name: which one is that day's
        moved = (lambda _: False) if fresh_shells else partial(moved_before, events, at)
        folder = _missing_folder(looks, results, wrong, right, root, moved)
        return Misplaced(wrong, right, result, said[0], folder)
    return None


def _found_in_many(looks: Sequence[Event], results: Mapping[str, Event], name: str) -> bool:
    """A look in between (`rg --files -g …`, `find -name …`) listed the file's name at more
    than one path: the project holds several, and the one read was that task's."""
    named = re.compile(r"[^\s'\"`]*" + re.escape(name) + r"(?![\w.-])")
    paths: set[str] = set()
    for look in looks:
        result = results.get(look.tool_use_id or "")
        if result is not None:
            paths.update(named.findall(result.text[:20000]))
    return len(paths) > 1


def _missing_folder(
    looks: Sequence[Event],
    results: Mapping[str, Event],
    wrong: str,
    right: str,
    root: str | None,
    moved: Callable[[Event], bool],
) -> tuple[str, str] | None:
    """The shallowest folder of `wrong` a look in between (`ls`, `cd`) showed missing, and
    the folder of `right` holding the same path below it: `.bmad/bmm/core/` and `.bmad/core/`
    of `.bmad/bmm/core/tasks/a.xml` found at `.bmad/core/tasks/a.xml`."""
    missing: list[str] = []
    for look in looks:
        result = results.get(look.tool_use_id or "")
        listed = _listed(look)
        if listed is None or result is None or listed not in result.text[:2000]:
            continue
        if not listed.startswith("/") and moved(look):
            continue  # listed from the folder a `cd` moved into
        if MISSING.search(result.text[:2000]) and (folder := _from_root(listed, root, folder=True)):
            missing.append(folder)
    for folder in sorted(missing, key=len):
        below = wrong[len(folder) + 1 :]
        if wrong.startswith(f"{folder}/") and (right == below or right.endswith(f"/{below}")):
            return folder, right[: -len(below) - 1]
    return None


def _listed(call: Event) -> str | None:
    """The one folder a shell command of one step lists or enters, as written."""
    if call.tool_name not in SHELL_TOOLS:
        return None
    steps = shell_steps(call.text)
    if len(steps) != 1 or re.search(r"[|<>`$*?]", steps[0]):
        return None
    words = steps[0].split()
    operands = [w for w in words[1:] if not w.startswith("-")]
    if not words or words[0] not in ("ls", "cd") or len(operands) != 1:
        return None
    return operands[0].rstrip("/")


def _window(events: Sequence[Event], index: int) -> Sequence[Event]:
    """The events of the failure's session after it, up to its `WITHIN`-th call's result."""
    session, calls, end = events[index].session, 0, index + 1
    while end < len(events) and events[end].session == session:
        if events[end].kind is EventKind.TOOL_CALL:
            calls += 1
            if calls > WITHIN:
                break
        end += 1
    return events[index + 1 : end]


def _relative(call: Event) -> bool:
    written = _operand(call)
    return written is not None and not written.startswith("/")


def read_path(call: Event, root: str | None) -> str | None:
    """The one file of the project a call reads, from the project's root: the Read tool's
    path, or a shell command of one step that prints one file (`cat a.md`, `sed -n 1,80p
    a.md`)."""
    written = _operand(call)
    return _from_root(written, root) if written is not None else None


# Options of the readers that take a value as the next word.
_VALUED = {
    "head": frozenset({"-n", "-c", "--lines", "--bytes"}),
    "tail": frozenset({"-n", "-c", "--lines", "--bytes", "-s", "--pid"}),
    "sed": frozenset({"-e", "-f", "--expression", "--file", "-l"}),
    "bat": frozenset({"-l", "-r", "--language", "--line-range", "-H", "--highlight-line"}),
    "nl": frozenset({"-b", "-d", "-f", "-h", "-i", "-n", "-s", "-v", "-w"}),
}


def _operand(call: Event) -> str | None:
    """The path as written of the one file a call reads, or None."""
    if call.tool_name in _READ_TOOLS:
        return call.text.strip()
    if call.tool_name not in SHELL_TOOLS:
        return None
    steps = shell_steps(call.text)
    if len(steps) != 1 or PIPE.search(steps[0]) or re.search(r"[<>`$]", steps[0]):
        return None
    try:
        words = shlex.split(steps[0])
    except ValueError:
        return None
    program = words[0].rsplit("/", 1)[-1] if words else ""
    if program not in _READERS:
        return None
    if program == "sed" and not ("-n" in words and not any(w.startswith("-i") for w in words)):
        return None
    operands, skip = [], False
    for word in words[1:]:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in _VALUED.get(program, ())
        else:
            operands.append(word)
    if program == "sed" and not {"-e", "-f", "--expression", "--file"} & set(words):
        operands = operands[1:]  # the script
    return operands[0] if len(operands) == 1 else None


def _from_root(path: str, root: str | None, *, folder: bool = False) -> str | None:
    """The path written from the project's root, or None outside it (or not plainly a file,
    or a folder when `folder`)."""
    if path.startswith("/"):
        top = (root or "").rstrip("/")
        if not top or not path.startswith(f"{top}/"):
            return None
        path = path[len(top) + 1 :]
    while path.startswith("./"):
        path = path[2:]
    plain = _FOLDER_PATH if folder else _FILE_PATH
    if not plain.match(path) or ".." in path.split("/") or path in ("", "."):
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


def _made_by_run(events: Sequence[Event], session: str | None, path: str, root: str | None) -> bool:
    """A call of the session before the file was found made it, or a folder above it."""
    for event in events:
        if event.kind is not EventKind.TOOL_CALL or event.session != session:
            continue
        made = made_by(event)
        if path in {_from_root(f, root) for f in made.files}:
            return True
        folders = (_from_root(f, root, folder=True) for f in made.folders)
        if any(f and path.startswith(f"{f}/") for f in folders):
            return True
    return False


def misplaced_text(found: Misplaced) -> str:
    """Where the file lives; where a look showed the folder of the wrong path missing, where
    the files looked for under it were (one wording for every file of that folder, so that
    each session's wrong turn supports the same line). Never a claim about a folder from one
    file alone: a project may hold several `src/`."""
    error = f"“{found.said}”"
    if found.folder is not None:
        gone, there = found.folder
        instead = f"`{there}/`" if there else "the project root"
        return (
            f"The project has no `{gone}/` folder: the files looked for under it were under "
            f"{instead} (looking in it failed: {error})."
        )
    name = found.right.rsplit("/", 1)[-1]
    instead = "at the project root" if "/" not in found.wrong else f"at `{found.wrong}`"
    return (
        f"`{name}` is at `{found.right}`, not {instead} (reading `{found.wrong}` failed: {error})."
    )


# `misplaced_text`'s two wordings, read back: the file or folder looked for, and where it was.
_TOLD_FILE = re.compile(r"^`(?P<what>[^`]+)` is at `(?P<where>[^`]+)`, not ")
_TOLD_FOLDER = re.compile(
    r"^The project has no `(?P<what>[^`]+)/` folder: the files looked for under it were under "
    r"(?:`(?P<where>[^`]+)/`|the project root)"
)


def told_place(text: str) -> tuple[str, str] | None:
    """The file (or folder) a line of `misplaced_text` looked for and where it was found;
    None for any other line. Two lines of one file found at two places are two lessons: a
    file each run put somewhere else tells of no layout."""
    told = _TOLD_FILE.match(text) or _TOLD_FOLDER.match(text)
    return (told["what"], told["where"] or "") if told else None
