"""Edits refused right after a read: Claude Code's Edit and Write failing with "File has been
unexpectedly modified" (or "File has not been read yet") just after a Read of the very path,
nothing else having touched the file. The tool's advice, to read the file again, does not help
there: on Windows, with the path written `C:/…`, the tool does not know it read that file. The
run must show it twice before it is a lesson of the machine, and the remedy is told only when
the run shows one: the same file edited with its path written `C:\\…`, or else the file
rewritten by a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metis_distill.mine.fixes import WRITES_FILES, results_by_call
from metis_distill.mine.signals import SHELL_TOOLS, is_success
from metis_distill.mine.text import file_name
from metis_distill.models import Event, EventKind

REFUSED = re.compile(
    r"^(?:<tool_use_error>)?(?P<said>File has been unexpectedly modified|"
    r"File has not been read yet)\b"
)
_WRITERS = frozenset({"Edit", "MultiEdit", "Write"})
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[/\\]")
MIN_REFUSALS = 2  # once may be another program writing the file; twice in a row is the tool
LESSON = (
    "On this Windows machine Claude Code's Edit and Write fail with “File has been "
    "unexpectedly modified” (or “File has not been read yet”) right after a Read of the same "
    "`C:/…` path, with nothing else touching the file: reading it again does not help"
)
REWRITTEN = "; rewrite the file with a command through Bash instead (that worked)."
BACKSLASHED = "; write the path with backslashes (`C:\\…`) instead (that worked)."
NO_WAY_SEEN = " (no way around it seen)."


@dataclass(frozen=True)
class Rereads:
    """The refusals of one session, each with its call and the Read before it, and the
    command that rewrote the file after, when one did."""

    refusals: tuple[Event, ...]  # the first that show it
    events: tuple[Event, ...]  # what the evidence must cover, in order
    rewritten: Event | None
    all_refusals: tuple[Event, ...] = ()  # every one of the session: one lesson for them all
    backslashed: Event | None = None  # the same file edited with its path in `C:\…` form

    @property
    def sentence(self) -> str:
        if self.backslashed is not None:
            return LESSON + BACKSLASHED
        return LESSON + (REWRITTEN if self.rewritten is not None else NO_WAY_SEEN)

    @property
    def quote(self) -> str:
        found = REFUSED.match(self.refusals[0].text)
        return found["said"] if found else self.refusals[0].text[:60]


def refused_rereads(events: tuple[Event, ...]) -> list[Rereads]:
    """Per session, the edits refused right after a Read of their path, when there are at
    least two."""
    sessions: dict[str | None, list[tuple[Event, Event, Event]]] = {}
    calls = {
        e.tool_use_id: i
        for i, e in enumerate(events)
        if e.kind is EventKind.TOOL_CALL and e.tool_use_id
    }
    for index, event in enumerate(events):
        at = calls.get(event.tool_use_id or "") if event.kind is EventKind.ERROR else None
        if at is None or events[at].tool_name not in _WRITERS or not REFUSED.match(event.text):
            continue
        read = _read_just_before(events, at, index)
        if read is not None:
            sessions.setdefault(event.session, []).append((read, events[at], event))
    found = []
    for refused in sessions.values():
        if len(refused) >= MIN_REFUSALS:
            names = {file_name(_path(call)) for _, call, _ in refused}
            every = tuple(r for _, _, r in refused)
            refused = refused[:MIN_REFUSALS]  # the first that show it, and what worked after
            last = calls[refused[-1][2].tool_use_id or ""]
            backslashed = _backslashed(events, last, names)
            rewritten = None if backslashed else _rewritten(events, last, names)
            shown = [e for triple in refused for e in triple]
            way = backslashed or rewritten
            found.append(
                Rereads(
                    refusals=tuple(r for _, _, r in refused),
                    events=tuple([*shown, way] if way else shown),
                    rewritten=rewritten,
                    all_refusals=every,
                    backslashed=backslashed,
                )
            )
    return found


def _path(call: Event) -> str:
    path = call.text.split("\n", 1)[0].strip()
    return path if _WINDOWS_PATH.match(path) else ""


def _read_just_before(events: tuple[Event, ...], at: int, refused: int) -> Event | None:
    """The Read of the refused call's path (at `at`) that worked last before it, when no
    other call came between them that names the file."""
    path = _path(events[at])
    if not path:
        return None
    for back in range(at - 1, -1, -1):
        earlier = events[back]
        if earlier.kind is not EventKind.TOOL_CALL:
            continue
        if earlier.tool_name == "Read" and _path(earlier) == path:
            result = results_by_call(events[back + 1 : refused]).get(earlier.tool_use_id or "")
            worked = result is not None and result.kind is not EventKind.ERROR
            return earlier if worked else None
        if file_name(path) in earlier.text or earlier.tool_name in SHELL_TOOLS:
            return None  # something else touched the file between, or may have (a formatter)
    return None


def _backslashed(events: tuple[Event, ...], after: int, names: set[str]) -> Event | None:
    """An Edit or Write after the refusals (the last one's call at `after`) of a file the
    tool refused, its path written with backslashes (`C:\\…`), that worked."""
    results = results_by_call(events[after + 1 :])
    for later in events[after + 1 :]:
        if later.kind is not EventKind.TOOL_CALL or later.tool_name not in _WRITERS:
            continue
        path = _path(later)
        if not _BACKSLASHED.match(path) or file_name(path) not in names:
            continue
        result = results.get(later.tool_use_id or "")
        if result is not None and result.kind is EventKind.TOOL_RESULT:
            return later
    return None


_BACKSLASHED = re.compile(r"^[A-Za-z]:\\")


def _rewritten(events: tuple[Event, ...], after: int, names: set[str]) -> Event | None:
    """A shell command after the refusals that show it (the last one's call at `after`)
    that wrote a file the tool refused (`names`) and worked."""
    results = results_by_call(events[after + 1 :])
    for later in events[after + 1 :]:
        if later.kind is not EventKind.TOOL_CALL or later.tool_name != "Bash":
            continue
        head = later.text[:4000]
        if not WRITES_FILES.search(head) or not any(name in head for name in names):
            continue
        result = results.get(later.tool_use_id or "")
        if result is not None and is_success(result):
            return later
    return None
