"""A program not found, and an install of it taken for the fix: shown only by the program
running after it.

`sshpass: command not found`, then `yay -S --noconfirm sshpass 2>&1 | tail -5`: the call
exited 0 (the status is `tail`'s) though the install itself stopped ("error installing
repo packages"). An install is the way past the missing program only when the program
then ran and worked, in the same call after the install (`cargo install ripgrep && rg x`)
or in a later call of the session.
"""

from __future__ import annotations

import re

from metis_distill.mine import signals
from metis_distill.mine.modules import INSTALL
from metis_distill.mine.text import command_head, file_name, shell_steps
from metis_distill.models import Event, EventKind

# A package's name without the version asked (`pnpm@9`, `ruff==0.6.1`, `black>=24`).
_VERSION = re.compile(r"@|==|>=")


def install_unproven(events: tuple[Event, ...], failure: Event, worked: Event) -> bool:
    """The call taken for the fix of a program not found (`worked`) installs that program
    and never runs it, and no later shell call of the session ran it and worked: nothing
    shows the install got it there."""
    program = signals.missing_program(failure.text[:4000])
    if program is None or worked.tool_name not in signals.SHELL_TOOLS:
        return False
    steps = shell_steps(worked.text)
    if not any(installs_program(step, program) for step in steps):
        return False
    if any(_runs(step, program) for step in steps):
        return False  # `cargo install ripgrep && rg x`: the call that worked ran it
    return not _ran_after(events, worked, program)


def installs_program(step: str, program: str) -> bool:
    """The step installs a package named as the program (`npm install -g pnpm@9`, `yay -S
    sshpass`)."""
    installer = INSTALL.search(step)
    if installer is None:
        return False
    words = step.split("|", 1)[0][installer.end() :].split()
    return program in {_VERSION.split(word)[0] for word in words}


def _runs(step: str, program: str) -> bool:
    """A stage of the step's pipe runs the program, its settings and wrappers before it aside
    (`CI=1 pnpm test`, `timeout 300 pnpm build`, `sudo sshpass …`, `cat a.json | jq .`)."""
    for stage in step.split("|"):
        words = _WRAPPERS.sub("", command_head(stage).strip()).split()
        if words and file_name(words[0]) == program:
            return True
    return False


# What may stand before the program a step runs: settings, `sudo`, `env`, `timeout N`.
_WRAPPERS = re.compile(r"^(?:\w+=\S*\s+|(?:sudo|doas|env|nohup|time)\s+|timeout\s+\S+\s+)+")


def _ran_after(events: tuple[Event, ...], worked: Event, program: str) -> bool:
    """A later shell call of the session ran the program and worked."""
    calls = {
        e.tool_use_id: e
        for e in events[worked.seq + 1 :]
        if e.kind is EventKind.TOOL_CALL
        and e.session == worked.session
        and e.tool_name in signals.SHELL_TOOLS
        and e.tool_use_id
        and any(_runs(step, program) for step in shell_steps(e.text))
    }
    return any(
        e.role == "tool"
        and e.tool_use_id in calls
        and signals.is_success(e)
        and signals.missing_program(e.text[:4000]) != program
        for e in events[worked.seq + 1 :]
    )
