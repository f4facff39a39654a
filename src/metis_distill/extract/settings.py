"""Settings a fix put before the command that failed (`GOCACHE=/tmp/go-build go test`), as
a lesson says them. A value that is one run's own scratch folder (inside that experiment's
folder under a temp folder) would send the next agent there: such a setting is told by its
name and what it points at, never with its path."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from metis_distill.extract.wording import RUN_IT_WITH, code

# A folder below a temp folder's own subfolder: `/private/tmp/exp-3/home`,
# `/var/folders/x1/T/y/logs`; not `/tmp/go-build`, which any run may make and use.
_SCRATCH = re.compile(r"^[\"']?(?:/private)?/(?:tmp|var/tmp|var/folders)/[^/\s]+/\S")


def runs_own_scratch(value: str) -> bool:
    """The value is a folder of one run's own, in a temp folder."""
    return _SCRATCH.match(value) is not None


def settings_phrase(assignments: Sequence[str], told: Callable[[str], str]) -> tuple[str, bool]:
    """What to run the command with: the settings as `told` says them (`A=1 B=x` set), and
    the names whose values were a run's own scratch folders pointed at a writable folder;
    True when any was one."""
    pointed: list[str] = []
    kept: list[str] = []
    for assignment in assignments:
        name, value = assignment.split("=", 1)
        if runs_own_scratch(value):
            pointed.append(name)
        else:
            kept.append(told(assignment))
    parts = [f"{_names(pointed)} pointed at a writable folder"] if pointed else []
    if kept:
        parts.append(f"{code(' '.join(kept))} set")
    return " and ".join(parts), bool(pointed)


def _names(names: Sequence[str]) -> str:
    quoted = [code(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


# The settings a lesson says to run its command with: "…; run it with `A=1 B=/tmp/x` set."
_TOLD_SETTINGS = re.compile(rf"; {RUN_IT_WITH} (?:[^`]*`[^`]*`)*?[^`]*`(?P<settings>[^`]+)` set\b")
_SETTING_VALUE = re.compile(r"(?<![^\s])(?P<name>[A-Za-z_]\w*)=(?P<value>\S*)")


def values_cut(text: str) -> str:
    """A lesson's text with the values of the settings it says to run its command with cut
    (`PYTHONPYCACHEPREFIX=…`): one lesson per program, error and setting's name, whichever
    value an instance set."""
    told = _TOLD_SETTINGS.search(text)
    if told is None:
        return text
    cut = _SETTING_VALUE.sub(r"\g<name>=…", told["settings"])
    return text[: told.start("settings")] + cut + text[told.end("settings") :]


def values_outside(text: str) -> int:
    """How many of the settings a lesson says to run its command with point outside the
    workspace (a temp folder, `~/…`, `$TMPDIR/…`), where nothing is written into the project
    (`Shared/.pycache` is a cache in the repository)."""
    told = _TOLD_SETTINGS.search(text)
    values = _SETTING_VALUE.finditer(told["settings"]) if told is not None else ()
    return sum(_outside(found["value"].strip("\"'")) for found in values)


# A folder no checkout holds: a temp folder, the user's cache (an absolute path or `~/…` may
# be the project's own checkout: `~/code/app/src`).
_OUTSIDE = re.compile(
    r"^(?:/private)?/(?:tmp|var/tmp|var/folders)/"
    r"|^\$\{?(?:TMPDIR|TMP|TEMP|RUNNER_TEMP|XDG_CACHE_HOME)\b"
    r"|^(?:~|\$HOME|\$\{HOME\})/\.cache/"
)


def _outside(value: str) -> bool:
    return _OUTSIDE.match(value) is not None
