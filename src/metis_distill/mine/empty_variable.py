"""A path built on a variable the shell does not have: `$CODEX_HOME/automations/x` run where
`CODEX_HOME` is unset becomes `/automations/x`, and the error names that path from the root
(“ls: /automations/x: No such file or directory”). The cause is the variable, not the file:
every path built on it misses the same way, whatever the command. Known from the run; the
lesson is that the variable is empty there.
"""

from __future__ import annotations

import re

from metis_distill.mine.text import script_steps, single_quotes_masked, split_heredocs
from metis_distill.models import Event

# `$NAME/rest` or `${NAME}/rest`
_BUILT_ON = re.compile(
    r"(?<![\w\\])\$(?:\{(?P<braced>[A-Za-z_]\w*)\}|(?P<bare>[A-Za-z_]\w*))"
    r"(?P<rest>/[\w.@+-]+(?:/[\w.@+-]+)*)"
)
# Names a step gives a value: `X=… cmd`, `export X=…` (at the step's start: `echo X=$X`
# prints it), `for X in`, `read -r X Y` (`while IFS= read -r line`).
_ASSIGNED = re.compile(
    r"^\(?\s*(?:(?:export|local|declare|typeset|readonly)\s+(?:-\w+\s+)*)?(?P<set>[A-Za-z_]\w*)="
    r"|\bfor\s+(?P<loop>[A-Za-z_]\w*)\s+in\b"
    r"|\bread\s+(?:-\w+\s+)*(?P<read>[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)"
)
# a shell's own variables, never empty
_SHELLS_OWN = frozenset({"HOME", "PWD", "OLDPWD", "USER", "SHELL", "PATH", "TMPDIR"})
MAX_READ = 4000  # characters of the command read


def empty_variable(call: Event, error: str) -> str | None:
    """The variable whose path the error names from the root (`CODEX_HOME`), or None."""
    own, _ = split_heredocs(call.text[:MAX_READ])
    steps = script_steps(single_quotes_masked(own))
    assigned = _assigned(steps)
    head = error[:2000]
    for step in steps:
        for built in _BUILT_ON.finditer(step):
            name = built["braced"] or built["bare"]
            if name in _SHELLS_OWN or name in assigned:
                continue
            rest = re.escape(built["rest"])
            if re.search(rf"(?:^|[\s:'\"“`]){rest}(?=[\s:'\"”`]|$)", head, re.M):
                return name
    return None


def _assigned(steps: list[str]) -> set[str]:
    names: set[str] = set()
    for step in steps:
        for found in _ASSIGNED.finditer(step.strip()):
            names.update((found["set"] or found["loop"] or found["read"]).split())
    return names


def empty_variable_text(name: str) -> str:
    """One wording for the variable, whatever the command or file below it."""
    return (
        f"`${name}` is not set in the shell here: a path built on it starts at the root "
        f"(`${name}/…` became `/…`); write the folder out instead."
    )
