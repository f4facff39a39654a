"""The shell a harness runs a run's commands in, as the run names it: Codex's environment
context says `<shell>powershell</shell>` on Windows. What a shell does to a command's text
(`$x` expanded inside double quotes) is that shell's, so a lesson naming bash as the cause
holds only where bash is the shell."""

from __future__ import annotations

import re
from collections.abc import Iterable

from metis_distill.models import Event, EventKind

_NAMED_SHELL = re.compile(r"<shell>\s*(?P<shell>[^<\s]{1,100})\s*</shell>")
_POSIX_SHELLS = frozenset({"bash", "zsh", "sh"})


def named_shell(events: Iterable[Event]) -> str | None:
    """The shell the harness's context names (`powershell`, `bash`), or None when the run
    names none (Claude Code's Bash tool is bash; Codex's older rollouts ran `bash -lc`)."""
    for event in events:
        if event.kind is EventKind.SUMMARY and event.text.lstrip().startswith("<environment"):
            found = _NAMED_SHELL.search(event.text)
            if found is not None:
                return found["shell"].lower().rsplit("/", 1)[-1].removesuffix(".exe")
    return None


def runs_in_posix_shell(events: Iterable[Event]) -> bool:
    """The run's commands go through bash (or zsh, sh): no other shell is named for them."""
    shell = named_shell(events)
    return shell is None or shell in _POSIX_SHELLS
