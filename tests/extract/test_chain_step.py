"""The step of a chain that failed: the one whose program speaks the error line; none when an
earlier step runs programs of its own (a script, make: its own steps may have spoken). And the
later step of a chain that ran a program, after the steps that prepared it."""

from __future__ import annotations

import pytest

from metis_distill.extract.chain_step import chained_run, speaking_step


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


@pytest.mark.parametrize(
    ("command", "program", "run"),
    [
        ("rbenv local 3.1.7 && rbenv exec pod install 2>&1", "pod",
         ("rbenv exec", "rbenv local 3.1.7 && rbenv exec pod")),
        # run bare once prepared: the preparing step is the way, with the program after it
        ("corepack use pnpm@9 && pnpm i", "pnpm", ("", "corepack use pnpm@9 && pnpm")),
        # moves and looks prepare nothing
        ("cd ios && which pod && bundle exec pod install", "pod",
         ("bundle exec", "bundle exec pod")),
        ("which pod && rbenv exec pod install", "pod", ("rbenv exec", "rbenv exec pod")),
        # the first step runs it, or no step does: no later step's way
        ("npx jest && npm run build", "jest", None),
        ("nix develop -c bash -lc 'cargo fmt && cargo test'", "cargo", None),
        ("python3 app.py && echo done", "python", None),
    ],
)  # fmt: skip
def test_the_later_step_that_ran_a_program(
    command: str, program: str, run: tuple[str, str] | None
) -> None:
    assert chained_run(command, program) == run


def test_a_step_that_readies_nothing_is_no_part_of_the_way() -> None:
    """A checkout or a removal before the step that ran the program prepared no program."""
    assert chained_run("git checkout main && npx jest --ci", "jest") == ("npx", "npx jest")
    assert chained_run("rm -rf node_modules && npm ci && npx jest", "jest") == ("npx", "npx jest")
    assert chained_run("nvm use 20 && npx jest", "jest") == ("npx", "nvm use 20 && npx jest")
