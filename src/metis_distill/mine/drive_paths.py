"""Claude Code on Windows: its file tools take Windows paths, not Git Bash's.

The Bash tool runs Git Bash, where `D:\\work\\app` is `/d/work/app`; an agent that read a path
there and gives it to Read, Edit or Write gets “File does not exist”, again and again, until it
writes the drive letter (`D:\\work\\app\\pom.xml` or `D:/work/app/pom.xml`). The cause is known
from the path; the way is shown when the same file, written with its drive, then worked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.models import Event, EventKind

FILE_TOOLS = frozenset({"Read", "Edit", "MultiEdit", "Write", "NotebookEdit"})
# `/d/20. POC/app/pom.xml`: a drive as Git Bash mounts it, then the rest of the path
_MOUNTED = re.compile(r"^/(?P<drive>[a-zA-Z])/(?P<rest>.+)$")
_NOT_THERE = re.compile(r"\bFile does not exist\b|\bNo such file or directory\b", re.I)
WINDOW = 12  # tool calls after the failure in which the file written with its drive is sought
DRIVE_PATH_TEXT = (
    "On this Windows machine Claude Code's Read, Edit and Write take Windows paths (`D:\\…` or "
    "`D:/…`): a Git Bash path (`/d/…`) gives “File does not exist”; write the drive letter."
)
DRIVE_PATH_FIX = "write the path with its drive letter"


def mounted_path(call: Event | None, error: str) -> tuple[str, str] | None:
    """The drive and the rest of a Git Bash path a file tool could not find, or None."""
    if call is None or call.tool_name not in FILE_TOOLS or not _NOT_THERE.search(error[:400]):
        return None
    found = _MOUNTED.match(call.text.strip().split("\n", 1)[0])
    return (found["drive"].lower(), found["rest"]) if found else None


def written_with_drive(
    events: Sequence[Event], index: int, call: Event, mounted: tuple[str, str]
) -> tuple[Event, Event] | None:
    """The later call of a file tool on the same file, its path written with the drive
    (`D:\\…` or `D:/…`), and its result, when that worked."""
    drive, rest = mounted
    wanted = rest.replace("\\", "/").rstrip("/").lower()
    calls: dict[str, Event] = {}
    seen = 0
    for later in events[index + 1 :]:
        if later.session != call.session:
            break
        if later.kind is EventKind.TOOL_CALL:
            seen += 1
            if seen > WINDOW:
                break
            if later.tool_name in FILE_TOOLS and _with_drive(later.text, drive, wanted):
                calls[later.tool_use_id or ""] = later
        elif (
            later.role == "tool"
            and later.tool_use_id in calls
            and later.kind is not EventKind.ERROR
        ):
            return calls[later.tool_use_id or ""], later
    return None


def drive_shown(events: Sequence[Event], index: int, call: Event | None) -> bool:
    """A file tool's Git Bash path was not found, and the same file with its drive letter
    then was: the machine is Windows, and the path's form was the fault (`/w/x` alone may be a
    folder of one letter on any machine)."""
    mounted = mounted_path(call, events[index].text)
    return (
        call is not None
        and mounted is not None
        and written_with_drive(events, index, call, mounted) is not None
    )


def _with_drive(text: str, drive: str, wanted: str) -> bool:
    path = text.strip().split("\n", 1)[0].replace("\\", "/").rstrip("/").lower()
    return path == f"{drive}:/{wanted}"
