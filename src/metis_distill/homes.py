"""Home folders name their person: `C:\\Users\\ana\\docs` (or `C:/Users/ana/docs`),
`/Users/ana/docs` and `/home/ana/docs` read `~\\docs` and `~/docs` in anything meant to be
shared."""

from __future__ import annotations

import re

# Backslashes may come doubled: a Windows path inside a JSON line keeps its escapes.
_HOME = re.compile(
    r"(?i:[a-z]:[\\/]+(?:users|documents and settings)[\\/]+)[^\\/\s`'\"]+"
    r"|/(?:Users|home)/[^/\s`'\"]+"
)


def hide_homes(text: str) -> str:
    """The text with each home folder's owner replaced by `~`."""
    return _HOME.sub("~", text)


def home_folder(path: str) -> str | None:
    """The home folder a path starts in (`/home/ana` of `/home/ana/src/shop`), if any."""
    match = _HOME.match(path)
    return match[0] if match else None
