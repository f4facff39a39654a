"""A process stopped by its numeric id: one run's value, never a way to teach.

The id (`kill -9 4242`, `Stop-Process -Id 4242`, `taskkill /PID 4242`) was that boot's
process; copied later, the same step stops whatever holds the number then. A failure that
passed only once such a step ran is told without it: find what is in the way, and ask before
stopping it.
"""

from __future__ import annotations

import re

# Where a command starts: the text's start, after a list or pipe operator, a quote or a brace
# (`powershell -Command "Stop-Process …"`), or a wrapper (`sudo kill …`).
_AT_STEP = r"(?:^|[;&|({\"'\n]|\bsudo|\bdoas)\s*"
_STOPS_BY_ID = re.compile(
    rf"{_AT_STEP}kill(?:\s+(?:-s\s+\w+|-\S+))*\s+\d+\b"
    # its number as `-Id`'s value or first, not one inside a lookup (`-Id (Get-NetTCPConnection
    # -LocalPort 3000).OwningProcess` finds the process by its port as the step runs)
    rf"|{_AT_STEP}(?:Stop-Process|spps)\b(?:\s+-(?!Id\b)\w+(?:\s+[A-Za-z]\w*)?)*"
    r"\s+(?:-Id\s+)?\d+\b"
    rf"|{_AT_STEP}taskkill\b[^;|&\n]*?[/-]+PID\s+\d+\b",
    re.I,
)
STOPPED_BY_ID = (
    "it passed once the process in its way was stopped; find which one holds it, and ask "
    "before stopping it"
)


def stops_by_id(way: str) -> bool:
    """A step of the way stops a process named by its number."""
    return _STOPS_BY_ID.search(way) is not None
