"""The unit a failure's output names as the one that failed, and whether a retry runs it.

A task runner, make, npm, turbo or a test runner says which of the units it ran failed
(`[lint:deps] ERROR task failed`, `make: *** [Makefile:8: lint-go] Error 1`, `FAILED
tests/a.py::test_b`). A later call that runs other units of the same kind (`mise run
lint:fmt` after `mise run lint` failed on `lint:deps`), or a narrower set that leaves the
failing one out, skips the check that failed: it is no fix of it.
"""

from __future__ import annotations

import re

from metis_distill.mine.text import shell_steps, unplumbed

# What a runner prints of the unit that failed, one pattern per runner's words.
_FAILED_UNIT = re.compile(
    # mise's task prefix: `[lint:deps] ERROR task failed`
    r"^\[(?P<task>[^\]\s]+)\] ERROR task failed"
    # go-task: `task: Failed to run task "lint:deps": exit status 1`
    r"|\btask: Failed to run task \"(?P<gotask>[^\"\s]+)\""
    # make's own report: `make: *** [Makefile:8: lint-go] Error 1`, `make[1]: *** [test] Error 2`
    r"|^g?make(?:\[\d+\])?: \*\*\* \[(?:[^\]\n]*?: )?(?P<target>[^\]\s:]+)\] Error \d+"
    # npm 7 and later: "Lifecycle script `lint` failed"; npm 6: "Failed at the a@1.0 lint script"
    r"|\bLifecycle script `(?P<script>[^`\s]+)` failed"
    r"|\bFailed at the \S+ (?P<npm6>\S+) script\b"
    # turbo: `web#lint: command (/w/apps/web) pnpm run lint exited (1)`, `Failed:    web#lint`
    r"|^(?P<turbo>[\w@./-]+#[\w:.-]+): command \(|^\s*Failed:\s+(?P<summary>[\w@./-]+#[\w:.-]+)"
    # pytest's summary (`FAILED tests/a.py::test_b`), go test's (`--- FAIL: TestB (0.01s)`)
    r"|^FAILED (?P<test_id>\S+::[^\s\[]+)|^\s*--- FAIL: (?P<go_test>\w+)",
    re.M,
)
_READ = 20_000  # characters read at each end of an output: runners report at the end
# What splits a command into the names it runs: spaces, quotes, `=` of an option, a
# regex's anchors and alternatives (`-run '^TestB$'`, `-k "test_b or test_c"`).
_NAME_SPLIT = re.compile(r"[\s\"'=^$|()]+")


def failed_units(error: str) -> frozenset[str]:
    """The units the output names as failed: a task, a make target, an npm script, a
    turbo `package#task`, a test."""
    ends = error if len(error) <= 2 * _READ else f"{error[:_READ]}\n{error[-_READ:]}"
    return frozenset(
        name for found in _FAILED_UNIT.finditer(ends) for name in found.groups() if name
    )


def runs_failed_unit(units: frozenset[str], failed: str, retry: str) -> bool:
    """The retry runs a unit that failed (by its name, or a test by its file or its own
    name), or runs again all the failed call ran (its working steps' words, folder and
    options aside) with no option that picks some of it (`-run`, `-k`, `--filter`)."""
    names, asked = _names(retry), _names(failed)
    if any(_named(unit, names) for unit in units):
        return True
    picks = (names - asked) & _PICKS
    if not any("::" in unit for unit in units):
        picks -= {"-k"}  # pytest's; make's `-k` keeps going, it runs all
    if picks or _tests_elsewhere(units, failed, retry):
        return False  # a narrower set, the failed unit not in it
    return {name for name in asked if name[:1] != "-"} <= names


# Options that run some of the units a command would run: go test's and pytest's tests by
# name, pnpm's and turbo's packages, jest's and vitest's tests by name, mocha's and
# Playwright's by title.
_PICKS = frozenset({"-run", "-k", "--filter", "--testNamePattern", "--grep", "--only"})
# A step that only prints or does nothing: `echo done` after the work asks for nothing of it.
_PRINTS = re.compile(r"^(?:echo|printf|true|:)(?:\s|$)")


def _names(command: str) -> set[str]:
    """The words of the command's working steps, their output's plumbing (`2>&1 | tail`)
    and the steps that set it up (`cd app &&`) aside."""
    steps = [unplumbed(step) for step in shell_steps(command)]
    working = " ".join(step for step in steps if not _PRINTS.match(step))
    names = set(_NAME_SPLIT.split(working)) - {""}
    # a program by its path is the program (`.venv/bin/pytest`, `./node_modules/.bin/jest`)
    return names | {name.rsplit("/", 1)[1] for name in names if "/bin/" in name}


def _named(unit: str, names: set[str]) -> bool:
    if unit in names:
        return True
    if "::" in unit:  # a pytest id: its file or a folder above it, or its test's name (`-k`)
        path, test = unit.split("::", 1)
        return any(_holds(name, path) for name in names) or test.rsplit("::", 1)[-1] in names
    package, _, task = unit.partition("#")  # turbo's: the task, filtered to its package
    return (
        bool(task)
        and task in names
        and any(n == package or n.endswith(f"/{package}") for n in map(_turbo_package, names))
    )


def _turbo_package(name: str) -> str:
    """The package a turbo filter names with its own (`web...`: web and what it depends on;
    `...web`: web and what depends on it)."""
    return name.removeprefix("...").removesuffix("...")


def _holds(name: str, path: str) -> bool:
    """`name` is the file `path` or a folder above it (`tests/`, `./tests`)."""
    folder = name.removeprefix("./").rstrip("/")
    return bool(folder) and (path == folder or path.startswith(f"{folder}/"))


def _tests_elsewhere(units: frozenset[str], failed: str, retry: str) -> bool:
    """The retry gave pytest paths of its own, none holding a test that failed (`pytest
    tests/c.py` after `tests/a.py::test_b` failed); an option's value (`--cov=src/app`), a
    file that holds no tests (`-c tests/pytest.ini`) or a word of another program (`tee
    /tmp/log`, `git push origin feat/x`) is none."""
    tests = [unit.split("::", 1)[0] for unit in units if "::" in unit]
    given = _test_paths(failed)
    paths = [path for path in _test_paths(retry) if path not in given]
    return bool(tests and paths) and not any(_holds(p, t) for p in paths for t in tests)


def _test_paths(command: str) -> list[str]:
    """The paths a command gives pytest: words after `pytest` with a `/`, no option or its
    value, naming a `.py` file or a folder."""
    found = []
    for step in shell_steps(command):
        words = unplumbed(step).split()
        runs = [at for at, word in enumerate(words) if word.rsplit("/", 1)[-1] == "pytest"]
        for word in words[runs[0] + 1 :] if runs else ():
            word = word.strip("\"'")
            last = word.rstrip("/").rsplit("/", 1)[-1]
            if "/" in word and word[:1] != "-" and (last.endswith(".py") or "." not in last):
                found.append(word.split("::", 1)[0])
    return found
