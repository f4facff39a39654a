"""A path built on a variable the shell does not have: `$CODEX_HOME/automations/x` run where
`CODEX_HOME` is unset becomes `/automations/x`, and the error names that path from the root
(“ls: /automations/x: No such file or directory”). The cause is the variable, not the file:
every path built on it misses the same way, whatever the command. Known from the run; the
lesson is that the variable is empty there.
"""

from __future__ import annotations

import re

from metis_distill.mine.text import script_steps, split_heredocs
from metis_distill.models import Event

# `$NAME/rest` or `${NAME}/rest`, its first folder kept (`automations` of
# `$CODEX_HOME/automations/executive-summary`)
_BUILT_ON = re.compile(
    r"(?<![\w\\])\$(?:\{(?P<braced>[A-Za-z_]\w*)\}|(?P<bare>[A-Za-z_]\w*))"
    r"(?P<rest>/[\w.@+-]+(?:/[\w.@+-]+)*)"
)
# a step giving the variable a value (`X=… cmd`, `export X=…`, `for X in`, `read X`), at
# its start: `echo X=$X` prints it
_SETS = (
    r"^\(?\s*(?:(?:export|local|declare|typeset|readonly)\s+(?:-\w+\s+)*)?{}="
    r"|^(?:for|read)\b.*\b{}\b"
)
# a shell's own variables, never empty
_SHELLS_OWN = frozenset({"HOME", "PWD", "OLDPWD", "USER", "SHELL", "PATH", "TMPDIR"})


def empty_variable(call: Event, error: str) -> tuple[str, str] | None:
    """The variable whose path the error names from the root, and that path's first folder
    (`CODEX_HOME`, `automations`), or None."""
    own, _ = split_heredocs(call.text)
    head = error[:2000]
    steps = script_steps(own)
    for step in steps:
        for built in _BUILT_ON.finditer(step):
            name = built["braced"] or built["bare"]
            rest = built["rest"]
            if name in _SHELLS_OWN or _set_in(name, steps):
                continue
            if re.search(rf"(?:^|[\s:'\"“`]){re.escape(rest)}(?=[\s:'\"”`]|$)", head, re.M):
                return name, rest.split("/")[1]
    return None


def _set_in(name: str, steps: list[str]) -> bool:
    sets = re.compile(_SETS.format(name, name))
    return any(sets.search(step.strip()) for step in steps)


def empty_variable_text(name: str, folder: str) -> str:
    """One wording for the variable, whatever the command or file below it."""
    return (
        f"`${name}` is not set in the shell here: a path built on it starts at the root "
        f"(`${name}/{folder}/…` became `/{folder}/…`); write the folder out instead."
    )
