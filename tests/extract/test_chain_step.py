"""The step of a chain that failed: the one whose program speaks the error line; none when an
earlier step runs programs of its own (a script, make: its own steps may have spoken)."""

from __future__ import annotations

import pytest

from metis_distill.extract.chain_step import speaking_step


@pytest.mark.parametrize(
    ("command", "error", "step"),
    [
        ("mkdir -p /srv/www/x && ls -la /srv/www/",
         "mkdir: cannot create directory '/srv/www/x': Permission denied", "mkdir -p /srv/www/x"),
        ("cd app && npm test", "bash: line 1: cd: app: No such file or directory", "cd app"),
        ("sudo cp a.conf /etc/app/ && systemctl restart app",
         "cp: cannot stat 'a.conf': No such file or directory", "sudo cp a.conf /etc/app/"),
        # an earlier step runs programs of its own: which of them spoke is unseen
        ("./scripts/build.sh && cp build/app.js /srv/", "cp: cannot stat 'assets/logo.svg'", None),
        ("make build && ls out", "ls: cannot access 'out': No such file or directory", None),
        # no step's program speaks the line
        ("npm ci && npm test", "Error: Cannot find module 'vitest'", None),
    ],
)  # fmt: skip
def test_the_step_whose_program_speaks_the_error(
    command: str, error: str, step: str | None
) -> None:
    assert speaking_step(command, error) == step
