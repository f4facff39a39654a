"""A file tool's later call on another path: another file, not another way to the same one.

Read refused on `/srv/www/a.html`, then Read of `~/site/a.html` working, read a copy: the
refused file is still refused, and no line may teach the other path as its way. The same
file written otherwise (relative or absolute, `\\` or `/`, another case) is still the same.
"""

from __future__ import annotations

from metis_distill.mine.drive_paths import FILE_TOOLS
from metis_distill.mine.text import same_file
from metis_distill.models import Event


def another_file(call: Event, later: Event) -> bool:
    """Both calls are a file tool's, and the later one names a file the failed one did not."""
    if call.tool_name not in FILE_TOOLS or later.tool_name not in FILE_TOOLS:
        return False
    return not same_file(_path(call.text), _path(later.text))


def _path(text: str) -> str:
    """The path as compared: one line, `/` for `\\`, no `./` or `~/` before it, no `/` after."""
    path = text.strip().split("\n", 1)[0].replace("\\", "/").lower().rstrip("/")
    return path.removeprefix("./").removeprefix("~/")
