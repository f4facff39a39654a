"""An unquoted `$VAR` holding several words, passed on as one word: zsh does not split it.

`FILES="a.sh b.md"; sed -i … $FILES` gives sed two files in bash and one in zsh (the shell of
Claude Code's Bash tool on a Mac), and the program reports the whole list as one missing
name (“sed: can't read a.sh b.md: No such file or directory”). The variable's value is in the
command, and the error names that value whole: nothing else explains it. The way is the words
written in the command, or an array.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.mine import signals
from metis_distill.mine.text import SHELL_QUOTED
from metis_distill.models import Event

# `FILES="a b c"`, `export FILES='a b'`: a value of several words, quoted whole
_ASSIGNED = re.compile(
    r"(?:^|[;&|\s(])(?:export\s+|local\s+)?(?P<name>[A-Za-z_]\w*)="
    r"(?P<quote>[\"'])(?P<value>[^\"'\n$`]*)(?P=quote)"
)
_MISSING = "No such file or directory"
WORD_SPLIT_TEXT = (
    "The shell here is zsh: an unquoted `$VAR` holding several words stays one word (`sed -i "
    "… $FILES` is given one file named after the whole list: “No such file or directory”); "
    'write the words in the command, or use an array (`files=(a b); cmd "${files[@]}"`).'
)
WORD_SPLIT_FIX = "write the words in the command"


@dataclass(frozen=True)
class Unsplit:
    """The variable whose value a program took for one name."""

    name: str
    value: str


def unsplit_variable(call: Event | None, failure: Event) -> Unsplit | None:
    """The variable the call set to several words and used unquoted, whose whole value the
    error names as one missing file."""
    if call is None or call.tool_name not in signals.SHELL_TOOLS:
        return None
    head = failure.text[:4000]
    if _MISSING not in head:
        return None
    bare = SHELL_QUOTED.sub("", call.text)  # what is outside quotes: where `$VAR` splits
    for found in _ASSIGNED.finditer(call.text):
        name, value = found["name"], found["value"]
        if not _names_a_list(value):
            continue
        used = re.search(rf"\$(?:{name}\b|\{{{name}\}})", bare)
        if used is not None and re.search(rf"{re.escape(value)}'?: {_MISSING}", head):
            return Unsplit(name, value)
    return None


def _names_a_list(value: str) -> bool:
    """Several names of files, not one path holding a space (`/Users/me/My Project/dist`):
    each word a name with a dot or a slash in it, all of them absolute or none."""
    words = value.split()
    if len(words) < 2 or not all("." in w or "/" in w for w in words):
        return False
    rooted = {w.startswith(("/", "~")) or w[1:3] in (":/", ":\\") for w in words}
    return len(rooted) == 1


def words_inline(
    events: Sequence[Event], index: int, call: Event, unsplit: Unsplit
) -> tuple[Event, Event] | None:
    """The next shell call, with the words written in it and no `$VAR`, and its result when
    the words reached the program apart (the whole list no longer named)."""
    found = signals.next_shell_call(events, index)
    if found is None or found[0].session != call.session:
        return None
    later, result = found
    words = unsplit.value.split()
    uses = re.search(rf"\$(?:{unsplit.name}\b|\{{{unsplit.name}\}})", later.text)
    if uses is not None or not all(word in later.text for word in words[:2]):
        return None
    if result is None or unsplit.value in result.text:
        return None
    return later, result
