"""The files a run made itself: a file tool writing a path, or a shell step making it.

A file the agent wrote (`Write notes/report.md`), one a step redirected into (`> f`, `tee f`),
copied or moved to (`cp a notes/`), touched, or put under a folder it made (`mkdir notes`;
`mkdir -p` passes on a folder that was there)
is the agent's own: where it lies tells the project's layout nothing.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from metis_distill.mine.signals import SHELL_TOOLS
from metis_distill.mine.text import file_name, script_steps, split_heredocs
from metis_distill.models import Event

# A redirect into a file (`> f`, `>> f`, `2> f`), not a duplicated descriptor (`2>&1`).
_REDIRECT = re.compile(r"(?<![<>])\d?>>?\s*(?P<path>[^\s&;|<>()]+)")
_PATCHED = re.compile(r"^\*\*\* Add File: (?P<path>\S.*)$", re.M)
_PARENTS = re.compile(r"--parents|-[a-zA-Z]*p[a-zA-Z]*")  # `mkdir -p`: no folder proven new
_PATCH_TOOLS = frozenset({"apply_patch"})
_WRITE_TOOLS = frozenset({"Write", "create"})
_MADE_IN_PLACE = frozenset({"touch", "tee"})  # every operand a file made
_MADE_AT_LAST = frozenset({"cp", "mv", "ln", "install", "rsync"})  # the last operand


@dataclass(frozen=True)
class Made:
    """Paths as written: files a call made, and folders it made (all below them its own)."""

    files: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()


def made_by(call: Event) -> Made:
    """What a call made: a file tool's path, or what its shell steps made."""
    if call.tool_name in _PATCH_TOOLS:
        return Made(files=tuple(m["path"].strip() for m in _PATCHED.finditer(call.text)))
    if call.tool_name in _WRITE_TOOLS:  # an Edit changes a file it did not make
        return Made(files=(call.text.strip(),))
    if call.tool_name not in SHELL_TOOLS:
        return Made()
    files: list[str] = []
    folders: list[str] = []
    for step in script_steps(split_heredocs(call.text)[0]):
        files += [m["path"] for m in _REDIRECT.finditer(step)]
        made = _made_by_step(step)
        files += made.files
        folders += made.folders
    return Made(tuple(files), tuple(folders))


def _made_by_step(step: str) -> Made:
    try:
        words = shlex.split(_REDIRECT.sub(" ", step))
    except ValueError:
        return Made()
    program = words[0].rsplit("/", 1)[-1] if words else ""
    operands = [w for w in words[1:] if not w.startswith("-")]
    if program == "mkdir" and not any(_PARENTS.fullmatch(w) for w in words):
        # `mkdir -p docs` passes on a folder that was there: it proves no folder its own
        return Made(folders=tuple(o.rstrip("/") for o in operands))
    if program in _MADE_IN_PLACE:
        return Made(files=tuple(operands))
    if program in _MADE_AT_LAST and len(operands) >= 2:
        *sources, target = operands
        target = target.rstrip("/")
        return Made(files=(target, *(f"{target}/{file_name(s)}" for s in sources)))
    return Made()
