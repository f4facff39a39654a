"""Edits refused right after a read: Claude Code's Edit and Write failing with "File has been
unexpectedly modified" (or "File has not been read yet") just after a Read of the very path,
no call between having touched the file. On Windows, with the path written `C:/…`, the tool may
not know it read that file. The run must show it twice before it is a lesson of the machine; a
refusal that a fresh Read of the file then let through is the tool's own advice working, not
the gotcha. That reading again does not help is said only when the run shows a fresh Read
refused again; the remedy is told only when the run shows one: the same file, refused as
`C:/…`, edited with its path written `C:\\…` and no Read between, or else the file rewritten
by a command, no Edit or Write of a refused file having got through before it (the tool itself
got past it then: the command is not shown to be the way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metis_distill.mine.fixes import results_by_call
from metis_distill.mine.signals import SHELL_TOOLS, is_success
from metis_distill.mine.step_effect import WRITES_FILES
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
    "`C:/…` path, with no call between touching the file"
)
AGAIN = ": reading it again does not help"
REWRITTEN = "; rewrite the file with a command through Bash instead (that worked)."
BACKSLASHED = "; write the path with backslashes (`C:\\…`) instead (that worked)."
NO_WAY_SEEN = " (no way around it seen)."


@dataclass(frozen=True)
class Rereads:
    """The refusals of one session, each with its call and the Read before it, and the
    command that rewrote the file after, when one did. With no `refusals`, the session's
    refusals (`all_refusals`) are told by nothing: a fresh Read let them through."""

    refusals: tuple[Event, ...]  # the first that show it; none when no lesson is shown
    events: tuple[Event, ...]  # what the evidence must cover, in order
    rewritten: Event | None
    all_refusals: tuple[Event, ...] = ()  # every one of the session: one lesson for them all
    backslashed: Event | None = None  # the same file edited with its path in `C:\…` form
    read_again: bool = False  # a fresh Read of a refused file, then refused again
    form: str = "`C:/…`"  # how the refused calls wrote their paths

    @property
    def sentence(self) -> str:
        said = LESSON.replace("`C:/…`", self.form) + (AGAIN if self.read_again else "")
        if self.backslashed is not None:
            return said + BACKSLASHED
        return said + (REWRITTEN if self.rewritten is not None else NO_WAY_SEEN)

    @property
    def quote(self) -> str:
        found = REFUSED.match(self.refusals[0].text)
        return found["said"] if found else self.refusals[0].text[:60]


def refused_rereads(events: tuple[Event, ...]) -> list[Rereads]:
    """Per session, the edits refused right after a Read of their path, when there are at
    least two that a fresh Read did not let through."""
    after_read: dict[str | None, list[tuple[Event, Event, Event]]] = {}
    refused_at: dict[str | None, list[tuple[int, str]]] = {}  # every refusal: where, which file
    calls = {
        e.tool_use_id: i
        for i, e in enumerate(events)
        if e.kind is EventKind.TOOL_CALL and e.tool_use_id
    }
    for index, event in enumerate(events):
        at = calls.get(event.tool_use_id or "") if event.kind is EventKind.ERROR else None
        if at is None or events[at].tool_name not in _WRITERS or not REFUSED.match(event.text):
            continue
        refused_at.setdefault(event.session, []).append((index, _name(events[at])))
        read = _read_just_before(events, at, index)
        if read is None:
            continue
        after_read.setdefault(event.session, []).append((read, events[at], event))
    found = []
    where = {e.seq: i for i, e in enumerate(events)}
    for session, all_read in after_read.items():
        if len(all_read) < MIN_REFUSALS:
            continue  # each an ordinary failure
        every = tuple(r for _, _, r in all_read)
        refused = [t for t in all_read if not _read_let_through(events, where[t[2].seq], t[1])]
        if len(refused) < MIN_REFUSALS:  # a fresh Read let them through: the tool's own advice
            found.append(Rereads(refusals=(), events=(), rewritten=None, all_refusals=every))
            continue
        names = {file_name(_path(call)) for _, call, _ in refused}
        keys = {_name(call) for _, call, _ in refused}
        again = _read_again(all_read, refused_at[session], where, events)
        shown = [e for triple in refused[:MIN_REFUSALS] for e in triple]
        refused = refused[:MIN_REFUSALS]  # the first that show it, and what worked after
        last = calls[refused[-1][2].tool_use_id or ""]
        forward = {_name(c) for _, c, _ in refused if not _BACKSLASHED.match(_path(c))}
        backslashed = _backslashed(events, last, forward)
        rewritten = None if backslashed else _rewritten(events, last, names, keys)
        way = backslashed or rewritten
        told = {e.seq: e for e in [*shown, *again, *([way] if way else [])]}
        found.append(
            Rereads(
                refusals=tuple(r for _, _, r in refused),
                events=tuple(told[seq] for seq in sorted(told, key=where.__getitem__)),
                rewritten=rewritten,
                all_refusals=every,
                backslashed=backslashed,
                read_again=bool(again),
                form=_form([c for _, c, _ in refused]),
            )
        )
    return found


def _name(call: Event) -> str:
    """The file a call names, as one key for every way of writing its path: `C:/A/b.js`,
    `c:\\a\\B.js`; two files of one name in two folders are two."""
    return _path(call).replace("\\", "/").casefold()


def _form(calls: list[Event]) -> str:
    """How the refused calls wrote their paths: `C:/…`, `C:\\…`, or both."""
    back = {bool(_BACKSLASHED.match(_path(c))) for c in calls}
    return "`C:\\…`" if back == {True} else "`C:/…`" if back == {False} else "Windows"


def _read_let_through(events: tuple[Event, ...], refused: int, call: Event) -> bool:
    """The next Edit or Write of the refused file (`call`'s) worked, a Read of it that worked
    coming between and no command naming it: the tool's advice, to read the file again, was
    all it took."""
    name, named = _name(call), file_name(_path(call))
    results = results_by_call(events[refused + 1 :])
    read = False
    for later in events[refused + 1 :]:
        if later.kind is not EventKind.TOOL_CALL:
            continue
        if later.tool_name in SHELL_TOOLS and named in later.text:
            return False  # rewritten, or may have been, by a command
        if _name(later) != name:
            continue
        result = results.get(later.tool_use_id or "")
        worked = result is not None and result.kind is not EventKind.ERROR
        if later.tool_name == "Read":
            read = read or worked
        elif later.tool_name in _WRITERS:
            return read and worked
    return False


def _read_again(
    refused: list[tuple[Event, Event, Event]],
    refused_at: list[tuple[int, str]],
    where: dict[int, int],
    events: tuple[Event, ...],
) -> list[Event]:
    """A refusal whose Read came after an earlier refusal of the same file: that refusal,
    the Read, the call and its refusal (reading again did not help), or nothing."""
    for read, call, refusal in refused:
        name = _name(call)
        for index, earlier in refused_at:
            if earlier == name and index < where[read.seq]:
                return [events[index], read, call, refusal]
    return []


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
    tool refused with its path written `C:/…` (`names`, as `_name` keys them), its path now
    written with backslashes (`C:\\…`), that worked with no Read of the file since its last
    refusal, nor an Edit or Write of it in `C:/…` form that worked first."""
    results = results_by_call(events[after + 1 :])
    forward_worked: set[str] = set()  # files a `C:/…` edit got through since the refusals
    for at in range(after + 1, len(events)):
        later = events[at]
        if later.kind is not EventKind.TOOL_CALL or later.tool_name not in _WRITERS:
            continue
        name = _name(later)
        result = results.get(later.tool_use_id or "")
        worked = result is not None and result.kind is EventKind.TOOL_RESULT
        if not _BACKSLASHED.match(_path(later)):
            if worked:
                forward_worked.add(name)
            continue
        if name not in names or name in forward_worked:
            continue
        if worked:
            return None if _read_since_refused(events, at, name) else later
    return None


def _read_since_refused(events: tuple[Event, ...], at: int, name: str) -> bool:
    """A Read of the file (`name`) came between its last refused Edit or Write and the
    call at `at`: a fresh Read, not the path's form, may be what let that call through."""
    results = results_by_call(events)
    for back in range(at - 1, -1, -1):
        earlier = events[back]
        if earlier.kind is not EventKind.TOOL_CALL or _name(earlier) != name:
            continue
        if earlier.tool_name == "Read":
            return True
        result = results.get(earlier.tool_use_id or "")
        if earlier.tool_name in _WRITERS and result is not None and result.kind is EventKind.ERROR:
            return False
    return False


_BACKSLASHED = re.compile(r"^[A-Za-z]:\\")


def _rewritten(
    events: tuple[Event, ...], after: int, names: set[str], keys: set[str]
) -> Event | None:
    """A shell command after the refusals that show it (the last one's call at `after`)
    that wrote a file the tool refused (`names`) and worked, no Edit or Write of a refused
    file (`keys`, as `_name` keys them) having worked before it."""
    results = results_by_call(events[after + 1 :])
    for later in events[after + 1 :]:
        if later.kind is not EventKind.TOOL_CALL:
            continue
        if later.tool_name in _WRITERS and _name(later) in keys:
            result = results.get(later.tool_use_id or "")
            if result is not None and result.kind is EventKind.TOOL_RESULT:
                return None  # the tool itself got through: no command is shown to be the way
            continue
        if later.tool_name != "Bash":
            continue
        head = later.text[:4000]
        if not WRITES_FILES.search(head) or not any(name in head for name in names):
            continue
        result = results.get(later.tool_use_id or "")
        if result is not None and is_success(result):
            return later
    return None
