"""Is a file an aider history? Its launch header, or two of its output markers."""

from __future__ import annotations

import re

_SNIFF_HEADER = re.compile(r"^# aider chat started at \d{4}-\d{2}-\d{2}", re.M)
_SNIFF_MARKERS = (
    re.compile(r"^> Aider v\d", re.M),
    re.compile(r"^> Tokens: [\d.]+k? sent", re.M),
    re.compile(r"^> Applied edit to \S", re.M),
    re.compile(r"^> Commit [0-9a-f]{7,} ", re.M),
    re.compile(r"^> (?:Main )?[Mm]odels?: .+ with (?:\u267e\ufe0f?\s*)?[\w-]+ edit format", re.M),
    re.compile(r"^> # \d+ SEARCH/REPLACE blocks? failed to match", re.M),
)


def looks_like(name: str, head: str) -> bool:
    """Content sniffing: aider's launch header, or two of its output markers (or one + name)."""
    if head.lstrip()[:1] in ("{", "["):
        return False
    if _SNIFF_HEADER.search(head):
        return True
    found = sum(1 for marker in _SNIFF_MARKERS if marker.search(head))
    return found >= 2 or (found == 1 and name.endswith(".aider.chat.history.md"))
