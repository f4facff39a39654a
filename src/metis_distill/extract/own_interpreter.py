"""A fix that ran an environment's own interpreter by its absolute path
(`E:/conda/envs/ml/python.exe -m pip …`): the path is the fix. Cut to its basename it names
another program (the base install on the PATH), so the line keeps the environment's folder,
as `<env>/`, that machine's own place."""

from __future__ import annotations

import re

from metis_distill.extract.wording import general_command
from metis_distill.mine.text import command_head

# How the line names that way; the placement reads it as a fact of the machine.
OWN_INTERPRETER = "use the environment's own interpreter"

# An absolute path (`/…`, `C:/…`, `~/…`) into an environment's folder (conda's `envs/<name>/`, a
# virtualenv's), then its Python or pip.
_IN_ENVIRONMENT = re.compile(
    r"^(?:[A-Za-z]:|~)?/(?:[^/]+/)*?"
    r"(?:envs/[^/]+|\.?venv|virtualenvs/[^/]+)/"
    r"(?P<program>(?:bin/|Scripts/)?(?:python|pip)[\d.]*(?:\.exe)?)$",
    re.I,
)


def own_interpreter(remedy: str) -> str | None:
    """`<env>/python.exe -m pip install …` for a remedy whose program is an environment's
    interpreter given by its absolute path; None for any other program."""
    words = command_head(remedy).split()
    path = words[0].strip("\"'").replace("\\", "/") if words else ""
    found = _IN_ENVIRONMENT.match(path)
    if found is None:
        return None
    rest = general_command(" ".join(["python", *words[1:]])).split(" ", 1)[1:]
    return " ".join([f"<env>/{found['program']}", *rest])
