"""A fix is what made the error go away: same intent, right after, the error gone."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from metis_distill.curate.earned import HeldBack, held_back
from metis_distill.extract.rules import NIX_UNTRACKED_TEXT, RulesExtractor
from metis_distill.mine.asked import asked_steps
from metis_distill.mine.episodes import Episode, find_episodes
from metis_distill.mine.fixes import FIX_WINDOW, FixKind, recipe_instead
from metis_distill.mine.intent import flag_changes
from metis_distill.mine.protected import _UPDATED, protected_refusal, pushed_elsewhere
from metis_distill.mine.zsh_parse import ZSH_PARSE_TEXT
from metis_distill.models import Event, EventKind, LessonCandidate, LessonKind, SourceRef
from metis_distill.sources.claude_code import parse_file
from metis_distill.sources.codex import parse_file as parse_codex
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, edit, read, result, say, turned_down


def _failures(tmp_path: Path, records: list[dict]) -> list[tuple[Episode, LessonCandidate]]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    found = RulesExtractor().extract(run, episodes, read_lines(path))
    return list(zip(episodes, found, strict=True))


def _seen_once(lesson: LessonCandidate) -> SimpleNamespace:
    """The lesson as the curation judges it, found in one session."""
    return SimpleNamespace(
        kind=lesson.kind, text=lesson.text, scope=lesson.scope, fix=lesson.fix, support=1
    )


CRASH = '      0 [main] bash (4242) C:\\Git\\usr\\bin\\bash.exe: *** fatal error - add_item ("/") failed'


def test_a_later_call_without_the_failed_flag_is_no_fix(tmp_path: Path) -> None:
    """The shell crashed on `docker ps -a`; a plain `docker ps` later proves nothing."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "docker ps -a"),
            result("t1", f"Exit code 139\n{CRASH}", True),
            call("t2", "docker ps"),
            result("t2", "CONTAINER ID   IMAGE"),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "docker ps" not in lesson.text and "instead" not in lesson.text
    assert lesson.text.startswith("Git Bash here crashes")  # the cause the crash tells


def test_a_long_loop_of_the_same_failure_is_followed_without_recursing(tmp_path: Path) -> None:
    """A polling loop: hundreds of identical failures, then a pass. Each repeat is followed
    to the fix of the next only a few times, never as deep as the loop."""
    refused = "Exit code 7\ncurl: (7) Failed to connect to localhost port 3000: Couldn't connect"
    records: list[dict] = []  # type: ignore[type-arg]
    for n in range(700):
        records += [call(f"t{n}", "curl -sf localhost:3000/health"), result(f"t{n}", refused, True)]
    records += [call("ok", "curl -sf localhost:3000/health"), result("ok", '{"ok":true}')]
    found = _failures(tmp_path, records)
    assert all(lesson.text for _, lesson in found)  # and no RecursionError on the way


@pytest.mark.parametrize(
    ("retry_output", "fixed"),
    [
        ("! Pull request acme/shop#7 was already merged", False),
        ("✓ Squashed and merged pull request acme/shop#7", True),
        # the words further down, in what the retry printed of its work: no answer of it
        (
            "✓ Squashed and merged pull request acme/shop#7\n✓ Deleted branch fix-refund (was already merged into main)",
            True,
        ),
    ],
)
def test_a_retry_told_the_work_was_done_before_is_no_fix(
    tmp_path: Path, retry_output: str, fixed: bool
) -> None:
    """The merge went through before the local step failed: the retry with another flag
    found it merged and changed nothing."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "gh pr merge 7 --squash --delete-branch"),
            result("t1", "Exit code 1\nfailed to run git: fatal: 'main' is already checked out at '/w/shop'", True),
            call("t2", "gh pr merge 7 --squash --delete-branch=false"),
            result("t2", retry_output),
        ],
    )  # fmt: skip
    assert (episode.fix is not None) is fixed
    assert ("--delete-branch=false" in lesson.text) is fixed


def test_dropping_a_required_flag_is_not_the_fix(tmp_path: Path) -> None:
    """Skipping the precondition (`--require-tasks`) would teach agents to skip it."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "scripts/check.sh --json --require-tasks"),
            result("t1", "Exit code 1\nERROR: tasks.md not found. Run /tasks first.", True),
            call("t2", "scripts/check.sh --json"),
            result("t2", '{"ok": true}'),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "instead" not in lesson.text and "(no fix seen)" in lesson.text


_DEPS_FAILED = (
    "Exit code 1\n[lint:fmt] $ ./tasks/lint/fmt\n[lint:deps] $ ./tasks/lint/deps\n"
    "[lint:deps] go.mod is not tidy, commit the result of 'go mod tidy'\n"
    "[lint:fmt] Finished in 40ms\n[lint:deps] ERROR task failed"
)


def test_sibling_tasks_of_the_one_that_failed_are_no_fix(tmp_path: Path) -> None:
    """`mise run lint` failed on its `lint:deps` task; running its other tasks skips that
    check, it does not pass it."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "mise run lint 2>&1"),
            result("t1", _DEPS_FAILED, True),
            call("t2", "mise run lint:fmt && mise run lint:vet"),
            result("t2", "[lint:fmt] $ ./tasks/lint/fmt\n[lint:vet] $ ./tasks/lint/vet"),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "lint:vet" not in lesson.text and "instead" not in lesson.text


def test_the_tasks_run_again_after_the_step_they_lacked_is_the_fix(tmp_path: Path) -> None:
    """The failing task run again (with its siblings) after the step it lacked passed:
    that step is the fix."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "mise run lint 2>&1"),
            result("t1", _DEPS_FAILED, True),
            call("t2", "go mod tidy && git add go.mod go.sum"),
            result("t2", "(Bash completed with no output)"),
            call("t3", "mise run lint 2>&1"),
            result("t3", "[lint:deps] $ ./tasks/lint/deps\n[lint:deps] Finished in 300ms"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "go mod tidy && git add go.mod go.sum"
    assert "run `go mod tidy && git add go.mod go.sum` first" in lesson.text


def test_the_missing_program_run_another_way_is_the_fix_of_its_script(tmp_path: Path) -> None:
    """`npm test` failed as its script's `vitest` was not found; `npx vitest run` runs what
    the script ran, though it does not name the script."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm test"),
            result(
                "t1",
                "Exit code 127\n> shop@1.0.0 test\n> vitest run\n\nsh: 1: vitest: not found\n"
                "npm error Lifecycle script `test` failed with error:\nnpm error code 127",
                True,
            ),
            call("t2", "npx vitest run"),
            result("t2", " Test Files  3 passed (3)\n      Tests  12 passed (12)"),
        ],
    )
    assert episode.fix is not None and lesson.fix == "npx vitest"


_NO_MANIFEST = (
    " ERR_PNPM_NO_IMPORTER_MANIFEST_FOUND  No package.json (or package.yaml, or "
    'package.json5) was found in "/srv/shop".'
)
_LINTED = "> store@1.0.0 lint /srv/shop/packages/store\n> eslint .\n\nAll files pass linting."


def _in_shop(records: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """The records of a run started in `/srv/shop`, the project's root."""
    return [{**record, "cwd": "/srv/shop"} for record in records]


@pytest.mark.parametrize(
    ("failed", "error", "retry", "said", "lesson"),
    [
        (
            "cd /srv/shop && pnpm lint 2>&1 | tail -20",
            _NO_MANIFEST,
            "cd /srv/shop/packages/store && pnpm lint 2>&1 | tail -30",
            _LINTED,
            "`pnpm lint` fails at the project root here (“ERR_PNPM_NO_IMPORTER_MANIFEST_FOUND "
            "No package.json (or package.yaml, or package.json5) was found in …”); run it from "
            "`packages/store` (`cd packages/store && pnpm lint`).",
        ),
        (  # cargo's words, and a folder below another folder of the project
            "cd /srv/shop/tools && cargo test",
            "Exit code 101\nerror: could not find `Cargo.toml` in `/srv/shop/tools` or any "
            "parent directory",
            "cd /srv/shop/tools/pricing && cargo test",
            "test result: ok. 4 passed; 0 failed",
            "`cargo test` fails in `tools` here (“error: could not find `Cargo.toml` in `tools` "
            "or any parent directory”); run it from `tools/pricing` (`cd tools/pricing && cargo "
            "test`).",
        ),
    ],
)
def test_the_same_command_run_in_a_subfolder_that_has_the_manifest_is_the_fix(
    tmp_path: Path, failed: str, error: str, retry: str, said: str, lesson: str
) -> None:
    """The error said no manifest was where the call ran; the same command, run in a folder
    below it, worked: the project's manifest lives there, which is where to run it."""
    records = [call("t1", failed), result("t1", error), call("t2", retry), result("t2", said)]
    ((episode, found),) = _failures(tmp_path, _in_shop(records))
    assert episode.fix is not None and episode.fix.kind is FixKind.MOVED
    assert found.text == lesson
    assert found.fix == lesson.rsplit("(`", 1)[1].removesuffix("`).")


def test_a_folder_below_outside_the_project_is_no_way_to_teach(tmp_path: Path) -> None:
    """The same command worked below a folder outside the run's project (a scratch copy):
    the folder is that machine's, not the project's; the line names no way."""
    records = [
        call("t1", "cd /tmp/scratch && pnpm lint"),
        result("t1", _NO_MANIFEST.replace('"/srv/shop"', '"/tmp/scratch"')),
        call("t2", "cd /tmp/scratch/store && pnpm lint"),
        result("t2", _LINTED),
    ]
    ((episode, found),) = _failures(tmp_path, _in_shop(records))
    assert episode.fix is not None and episode.fix.kind is FixKind.MOVED
    assert found.fix is None and "scratch" not in found.text
    assert found.text.endswith("(it worked run from a folder below).")


@pytest.mark.parametrize(
    ("failed", "error", "retry", "said"),
    [
        # a folder beside the one it ran in, or above it: no folder of its own project
        ("cd /srv/shop && pnpm lint", _NO_MANIFEST, "cd /srv/blog && pnpm lint", _LINTED),
        (
            "cd /srv/shop/packages/store && pnpm lint",
            _NO_MANIFEST.replace('"/srv/shop"', '"/srv/shop/packages/store"'),
            "cd /srv/shop && pnpm lint",
            _LINTED,
        ),
        # another command run there
        (
            "cd /srv/shop && pnpm lint",
            _NO_MANIFEST,
            "cd /srv/shop/packages/store && pnpm test",
            "Tests  3 passed (3)",
        ),
        # an error that says nothing of a missing manifest: the folder may be all that changed
        (
            "cd /srv/shop && pnpm lint",
            "Exit code 1\nsrc/cart.js\n  3:5  error  'total' is not defined  no-undef\n"
            " ELIFECYCLE  Command failed with exit code 1.",
            "cd /srv/shop/packages/store && pnpm lint",
            _LINTED,
        ),
    ],
)
def test_a_retry_elsewhere_is_no_fix_unless_the_manifest_was_missing_above_it(
    tmp_path: Path, failed: str, error: str, retry: str, said: str
) -> None:
    records = [call("t1", failed), result("t1", error), call("t2", retry), result("t2", said)]
    ((episode, found),) = _failures(tmp_path, _in_shop(records))
    assert episode.fix is None or episode.fix.kind is not FixKind.MOVED
    assert found.fix is None and "run it from" not in found.text


def test_a_missing_runner_fixed_by_npx_is_the_fix(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm test"),
            result("t1", "Exit code 127\n> jest\nsh: 1: jest: not found", True),
            call("t2", "npx jest"),
            result("t2", "Tests: 12 passed, 12 total"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.fix == "npx jest"
    assert "`npx jest …`" in lesson.text and "`jest` is not on the PATH" in lesson.text


_TURNED_DOWN = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
    "was a file edit, the new_string was NOT written to the file). STOP what you are doing and "
    "wait for the user to tell you how to proceed."
)
_NO_RUFF = "(eval):1: command not found: ruff"


@pytest.mark.parametrize(
    "answer",
    [
        result("t2", _TURNED_DOWN, True),
        result("t2", "[Request interrupted by user for tool use]", True),
        turned_down("t2", "use uv run ruff"),  # Claude Code 2.0: the user's words alone
    ],
)
def test_another_form_the_user_turned_down_is_no_fix(tmp_path: Path, answer: dict) -> None:  # type: ignore[type-arg]
    """`python -m ruff` after `ruff` was not found, turned down: it never ran, so nothing
    shows it runs ruff here."""
    found = _failures(
        tmp_path,
        [
            call("t1", "ruff check src/app.py"),
            result("t1", _NO_RUFF, True),
            call("t2", "python -m ruff check src/app.py"),
            answer,
        ],
    )
    episode, lesson = found[0]
    assert episode.fix is None and lesson.fix is None
    assert not any("python -m ruff" in lesson.text for _, lesson in found)


def test_a_module_run_another_way_and_turned_down_is_no_fix(tmp_path: Path) -> None:
    missing = (
        "Traceback (most recent call last):\n"
        '  File "/w/shop/cli.py", line 4, in <module>\n    from mcp.server import Server\n'
        "ModuleNotFoundError: No module named 'mcp'"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "uv run -m shop.cli run --transport sse"),
            result("t1", missing, True),
            call("t2", "python -m shop.cli run --transport sse"),
            result("t2", _TURNED_DOWN, True),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "instead" not in lesson.text


def test_the_way_that_ran_after_one_turned_down_is_the_fix(tmp_path: Path) -> None:
    ((episode, lesson), _) = _failures(
        tmp_path,
        [
            call("t1", "ruff check src/app.py"),
            result("t1", _NO_RUFF, True),
            call("t2", "python -m ruff check src/app.py"),
            result("t2", _TURNED_DOWN, True),
            say("user", "[Request interrupted by user for tool use]"),
            say("user", "use uv run ruff for this"),
            call("t3", "uv run ruff check src/app.py"),
            result("t3", "All checks passed!"),
        ],
    )
    assert episode.fix is not None and episode.fix.call.text == "uv run ruff check src/app.py"
    assert "`uv run ruff …`" in lesson.text and "python -m" not in lesson.text


@pytest.mark.parametrize(
    ("said", "taught"),
    [("no, this project runs its tools through uv", False), ("ok, go ahead", True)],
)
def test_a_way_turned_down_then_run_is_a_fix_only_once_the_user_said_yes(
    tmp_path: Path, said: str, taught: bool
) -> None:
    """The user turned `python -m ruff` down and said otherwise: run anyway, it is still no
    way to teach. A bare yes let it run."""
    found = _failures(
        tmp_path,
        [
            call("t1", "ruff check src/app.py"),
            result("t1", _NO_RUFF, True),
            call("t2", "python -m ruff check src/app.py"),
            result("t2", _TURNED_DOWN, True),
            say("user", "[Request interrupted by user for tool use]"),
            say("user", said),
            call("t3", "python -m ruff check src/app.py"),
            result("t3", "All checks passed!"),
        ],
    )
    episode, lesson = found[0]
    assert (episode.fix is not None) is taught
    assert ("`python -m ruff …`" in lesson.text) is taught


def test_an_own_environment_install_turned_down_is_no_fix(tmp_path: Path) -> None:
    """Every path that finds a fix, not only a retry's: the venv's pip never ran."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pip install requests"),
            result("t1", "error: externally-managed-environment", True),
            call("t2", "python3 -m venv .venv"),
            result("t2", ""),
            call("t3", ".venv/bin/pip install requests"),
            result("t3", _TURNED_DOWN, True),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert ".venv/bin/pip" not in lesson.text


def test_a_step_that_prepared_the_same_call_is_the_remedy(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", ".specify/scripts/bash/setup-plan.sh --json"),
            result("t1", "Exit code 1\nERROR: Not on a feature branch. Current branch: main", True),
            call("t2", "git status -sb"),
            result("t2", "## main"),
            call("t3", "git checkout -b 001-my-feature"),
            result("t3", "Switched to a new branch '001-my-feature'"),
            call("t4", ".specify/scripts/bash/setup-plan.sh --json"),
            result("t4", '{"FEATURE_SPEC": "specs/001-my-feature/spec.md"}'),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "git checkout -b 001-my-feature"
    # the general rule, not this instance: no branch name, no current branch
    assert lesson.text == (
        "Scripts in `.specify/scripts/bash/` fail with “ERROR: Not on a feature branch.”; "
        "run `git checkout -b …` first."
    )


_ADD = "relay add cache -- cache-server --port 6380"
_TAKEN = "Exit code 1\nServer cache already exists in local config"
_HELP = "Usage: relay [options] [command]\nCommands:\n  add\n  list\n  remove"


@pytest.mark.parametrize(
    "between",
    [
        # the help read in a call of its own, then the removal
        [
            call("t2", "relay --help"),
            result("t2", _HELP),
            call("t3", "relay remove cache"),
            result("t3", "Removed server cache"),
        ],
        # a subcommand's help and a listing, in one chain with the removal
        [
            call("t2", "relay server --help && relay list && relay remove cache"),
            result("t2", f"{_HELP}\ncache: cache-server\nRemoved server cache"),
        ],
        # the removal and the look, run last, before the retry
        [
            call("t2", "relay remove cache"),
            result("t2", "Removed server cache"),
            call("t3", "relay --version"),
            result("t3", "relay 2.4.1"),
        ],
    ],
)
def test_a_look_on_the_way_is_no_step_to_run_first(
    tmp_path: Path,
    between: list[dict],  # type: ignore[type-arg]
) -> None:
    """The add said the server already exists; the agent read the help and removed the server,
    and the add went through: the removal made it work, the help only looked."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", _ADD),
            result("t1", _TAKEN, True),
            *between,
            call("t9", _ADD),
            result("t9", "Added server cache"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "relay remove cache"
    assert lesson.text.endswith("; run `relay remove cache` first.")
    assert "--help" not in lesson.text and "list" not in lesson.text


@pytest.mark.parametrize(
    "retry", [f"relay --help && {_ADD}", f"relay list && relay server --help && {_ADD}"]
)
def test_looks_put_before_the_retry_are_no_step_to_run_first(tmp_path: Path, retry: str) -> None:
    """The retry only looked before running the add again: no step prepared it."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [call("t1", _ADD), result("t1", _TAKEN, True), call("t2", retry), result("t2", "Added")],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.PREPARED
    assert "first." not in lesson.text and "--help" not in lesson.text


@pytest.mark.parametrize(
    "between",
    [
        [
            call("t2", "git fetch origin && git checkout -b 001-my-feature"),
            result("t2", "Switched to a new branch '001-my-feature'"),
        ],
        # a look among the steps leaves the two that prepared it
        [
            call("t2", "git status && git fetch origin && git checkout -b 001-my-feature"),
            result("t2", "## main\nSwitched to a new branch '001-my-feature'"),
        ],
    ],
)
def test_two_steps_that_prepared_the_call_are_both_told(
    tmp_path: Path,
    between: list[dict],  # type: ignore[type-arg]
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", ".specify/scripts/bash/setup-plan.sh --json"),
            result("t1", "Exit code 1\nERROR: Not on a feature branch. Current branch: main", True),
            *between,
            call("t3", ".specify/scripts/bash/setup-plan.sh --json"),
            result("t3", '{"FEATURE_SPEC": "specs/001-my-feature/spec.md"}'),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "git fetch origin && git checkout -b 001-my-feature"
    assert lesson.text.endswith("; run `git fetch origin && git checkout -b …` first.")


_NO_BUNDLER = "Exit code 1\nError: Cannot find module 'rollup'\nRequire stack:\n- /w/build.js"


@pytest.mark.parametrize("again", ["npm ci --no-audit", "npm ci --no-audit 2>&1 | tail -3"])
def test_a_step_already_run_before_the_failure_is_not_run_first(tmp_path: Path, again: str) -> None:
    """`npm ci` had run before the build failed; run again, the build passed. "Run `npm ci`
    first" would tell the next agent to do what was done: what changed is unseen."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t0", "npm ci --no-audit"),
            result("t0", "added 412 packages in 9s"),
            call("t1", "node build.js"),
            result("t1", _NO_BUNDLER, True),
            call("t2", again),
            result("t2", "added 412 packages in 8s"),
            call("t3", "node build.js"),
            result("t3", "built dist/app.js in 1.2s"),
        ],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.PREPARED
    assert "first." not in lesson.text and lesson.fix is None


@pytest.mark.parametrize(
    ("before", "step"),
    [
        # another step than the one run before: a package it had not installed
        ([call("t0", "npm ci"), result("t0", "added 412 packages in 9s")], "npm install rollup"),
        # a like command is not the same step: the system's libraries, not the browser
        (
            [
                call("t0", "npx playwright install chromium"),
                result("t0", "Chromium downloaded to /home/u/.cache/ms-playwright"),
            ],
            "npx playwright install-deps chromium",
        ),
        # the manifest edited since the install: installing again is what the edit asked
        (
            [
                call("t0", "npm ci"),
                result("t0", "added 412 packages in 9s"),
                edit("e1", "package.json", '"vite": "5"', '"rollup": "4"'),
                result("e1", "The file package.json has been updated."),
            ],
            "npm ci",
        ),
        # the person spoke since: what they did in between is theirs, the step ran after it
        (
            [
                call("t0", "npm ci"),
                result("t0", "added 412 packages in 9s"),
                say("user", "I pulled the branch again, build it please"),
            ],
            "npm ci",
        ),
        # the install run before failed (the network reset it): it had not run to its end
        (
            [
                call("t0", "npm ci"),
                result("t0", "npm error code ECONNRESET\nnpm error network aborted", True),
            ],
            "npm ci",
        ),
        # the harness stopped the install before it ended
        (
            [call("t0", "npm install"), result("t0", "Command timed out after 2m 0.0s", True)],
            "npm install",
        ),
        # a command since changed the manifest: installing again is what it asked
        (
            [
                call("t0", "npm install"),
                result("t0", "added 412 packages in 9s"),
                call("p1", "npm pkg set dependencies.rollup=^4"),
                result("p1", ""),
            ],
            "npm install",
        ),
        # the installed packages deleted since
        (
            [
                call("t0", "npm ci"),
                result("t0", "added 412 packages in 9s"),
                call("r1", "rm -rf node_modules"),
                result("r1", ""),
            ],
            "npm ci",
        ),
        # Claude Code's shell moved into another folder since: the install was the root's
        (
            [
                call("t0", "npm install"),
                result("t0", "added 412 packages in 9s"),
                call("c1", "cd packages/app && ls"),
                result("c1", "build.js\npackage.json"),
            ],
            "npm install",
        ),
    ],
)
def test_a_step_not_run_since_the_last_change_still_prepared_the_call(
    tmp_path: Path,
    before: list[dict],  # type: ignore[type-arg]
    step: str,
) -> None:
    records = [
        *before,
        call("t1", "node build.js"),
        result("t1", _NO_BUNDLER, True),
        call("t2", step),
        result("t2", "added 3 packages in 2s"),
        call("t3", "node build.js"),
        result("t3", "built dist/app.js in 1.2s"),
    ]
    found = _failures(tmp_path, records)
    episode, lesson = found[-1]
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.text.endswith("first.")


def test_a_step_already_run_and_joined_before_the_retry_is_not_run_first(
    tmp_path: Path,
) -> None:
    """The retry put the step before the call (`npm ci && node build.js`), the step the run
    had taken before the failure: no step the failed call lacked."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t0", "npm ci"),
            result("t0", "added 412 packages in 9s"),
            call("t1", "node build.js"),
            result("t1", _NO_BUNDLER, True),
            call("t3", "npm ci && node build.js"),
            result("t3", "added 412 packages in 8s\nbuilt dist/app.js in 1.2s"),
        ],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.PREPARED
    assert "first." not in lesson.text


def test_edits_between_are_the_codes_bug_not_a_remedy(tmp_path: Path) -> None:
    """The test passed after the test file was edited: maybe a weakened test; never a fix."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 1\nFAILED tests/test_status.py::test_en - 1 failed", True),
            {
                "type": "assistant",
                "message": {
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "e1",
                            "name": "Edit",
                            "input": {"file_path": "tests/test_status.py"},
                        }
                    ]
                },
            },
            result("e1", "The file tests/test_status.py has been updated."),
            call("t2", "pytest -q"),
            result("t2", "2 passed in 0.1s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert lesson.fix is None and "until files were edited" in lesson.text


def test_a_rerun_after_the_user_spoke_is_no_retry(tmp_path: Path) -> None:
    """The script refused `main`; the user stepped in (and switched the branch, unseen), then
    the same call passed: not "passed when run again", which would call it flaky."""
    refused = "Exit code 1\nERROR: Not on a feature branch. Current branch: main"
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "scripts/plan.sh --json"),
            result("t1", refused, True),
            say("assistant", "The plan script needs a feature branch."),
            say("user", "Done, go on with the plan."),
            call("t2", "scripts/plan.sh --json"),
            result("t2", '{"PLAN": "specs/plan.md"}'),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.STEPPED_IN
    assert lesson.fix is None and "passed when run again" not in lesson.text
    assert "(no fix seen)" not in lesson.text  # it passed: their step, unseen, mended it


_NO_REPOSITORY = "remote: Repository not found.\nfatal: repository 'https://git.example/acme/shop.git/' not found"
_PUSHED = "To https://git.example/acme/shop-api.git\n * [new branch]      main -> main"
_OTHER = "https://git.example/acme/shop-api.git"


@pytest.mark.parametrize(
    "between",
    [
        # silent when they work: an empty result, or none at all
        [call("t2", f"git remote set-url origin {_OTHER}"), result("t2", "")],
        [call("t2", f"git remote remove origin && git remote add origin {_OTHER}")],
        [call("t2", "git remote rm origin"), result("t2", ""), call("t3", f"git remote add origin {_OTHER}")],
    ],
)  # fmt: skip
def test_a_push_that_passed_once_the_remote_was_repointed_is_no_flaky_retry(
    tmp_path: Path,
    between: list[dict],  # type: ignore[type-arg]
) -> None:
    """`git remote …` with an action changes where the push goes (only `git remote -v` looks),
    and a call that printed nothing worked: the second push reached another repository."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "git push -u origin main"),
            result("t1", _NO_REPOSITORY, True),
            *between,
            call("t9", "git push -u origin main"),
            result("t9", _PUSHED),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert "passed when run again" not in lesson.text and "(no fix seen)" not in lesson.text
    assert lesson.text.endswith("(it worked once the remote was pointed at another address).")
    assert lesson.fix is None and "acme" not in lesson.text  # that day's repository: no step
    judged = SimpleNamespace(
        kind=lesson.kind, text=lesson.text, scope=lesson.scope, fix=None, support=2
    )
    assert held_back(judged) is HeldBack.REPOINTED


@pytest.mark.parametrize(
    ("between", "kind"),
    [
        # looks: the same push passing after them was a rerun
        ([call("t2", "git remote -v"), result("t2", "origin\thttps://git.example/acme/shop.git (push)")], FixKind.RETRIED),
        ([call("t2", "git branch -a"), result("t2", "* main")], FixKind.RETRIED),
        # a silent step that set something up is still the step it took
        ([call("t2", "git config http.postBuffer 524288000")], FixKind.PREPARED),
    ],
)  # fmt: skip
def test_a_push_that_passed_after_looks_or_a_silent_setting_keeps_its_kind(
    tmp_path: Path,
    between: list[dict],  # type: ignore[type-arg]
    kind: FixKind,
) -> None:
    error = "error: RPC failed; HTTP 400 curl 22 The requested URL returned error: 400"
    (episode, _), *_ = _failures(
        tmp_path,
        [
            call("t1", "git push -u origin main"),
            result("t1", error, True),
            *between,
            call("t9", "git push -u origin main"),
            result("t9", _PUSHED),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is kind


def test_a_push_that_passed_after_the_user_made_the_repository_is_theirs(tmp_path: Path) -> None:
    """The repository did not exist; the user made it and said so: the same push passing next
    is neither a flaky retry nor a failure with no fix seen, and no line of the agent's."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "git push -u origin main"),
            result("t1", _NO_REPOSITORY, True),
            say("assistant", "The repository does not exist yet: please create it on the forge."),
            say("user", "ok i created it"),
            call("t2", "git push -u origin main"),
            result("t2", _PUSHED),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.STEPPED_IN
    assert not episode.teachable_fix and lesson.fix is None
    assert "passed when run again" not in lesson.text and "(no fix seen)" not in lesson.text
    judged = SimpleNamespace(
        kind=lesson.kind, text=lesson.text, scope=lesson.scope, fix=None, support=3
    )
    assert held_back(judged) is HeldBack.USER_STEPPED_IN


@pytest.mark.parametrize(
    ("again", "inherited"),
    [
        (_NO_REPOSITORY, True),  # the same failure: what mended the repeat mended it
        ("fatal: unable to access 'https://git.example/acme/shop.git/': HTTP 502", False),
    ],
)
def test_a_failure_repeated_before_the_user_stepped_in_is_mended_as_its_repeat(
    tmp_path: Path, again: str, inherited: bool
) -> None:
    """The push failed twice, then the user made the repository and it passed: the first
    failure too passed once they stepped in, not a failure with no fix seen."""
    first, second = (
        episode
        for episode, _ in _failures(
            tmp_path,
            [
                call("t1", "git push -u origin main"),
                result("t1", _NO_REPOSITORY, True),
                call("t2", "git push -u origin main"),
                result("t2", again, True),
                say("user", "ok i created it"),
                call("t3", "git push -u origin main"),
                result("t3", _PUSHED),
            ],
        )
    )
    assert second.fix is not None and second.fix.kind is FixKind.STEPPED_IN
    assert (first.fix is not None and first.fix.kind is FixKind.STEPPED_IN) is inherited
    assert inherited or first.fix is None


def test_a_plain_retry_that_passed_teaches_nothing(tmp_path: Path) -> None:
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 1\n1 failed, 3 passed", True),
            call("t2", "pytest -q"),
            result("t2", "4 passed"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert lesson.fix is None


def test_a_success_long_after_is_no_fix(tmp_path: Path) -> None:
    filler = []
    for i in range(FIX_WINDOW):
        filler += [call(f"f{i}", f"ls dir{i}"), result(f"f{i}", "x")]
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python run.py"),
            result("t1", "Exit code 127\nbash: python: command not found", True),
            *filler,
            call("t2", "python3 run.py"),
            result("t2", "done"),
        ],
    )
    assert episode.fix is None and lesson.fix is None


@pytest.mark.parametrize(
    ("failed", "error", "retry", "fixed"),
    [
        ("tool --spec-file a.md", "error: unrecognized arguments: --spec-file", "tool a.md", True),
        ("mytool --verbose a.md", "error: a.md: no such file", "mytool a.md", False),
        # BSD rsync names the flag, then prints a usage line holding "--ignore-errors"
        ("rsync -a --no-dereference build/ bak/",
         "rsync: unrecognized option `--no-dereference'\nusage: rsync [-av] [--ignore-errors] SRC DEST",
         "rsync -a build/ bak/", True),
    ],
)  # fmt: skip
def test_a_flag_the_program_does_not_know_may_be_dropped(
    tmp_path: Path, failed: str, error: str, retry: str, fixed: bool
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 2\n{error}", True),
            call("t2", retry),
            result("t2", "ok"),
        ],
    )
    assert (lesson.fix is not None) is fixed
    assert "usage:" not in lesson.text


# What one CLI's `list` prints when nothing matched: a tip and a note, no error.
BANNER = (
    "\U0001f4a1 Tip: Run 'tk sync' now and then\nNote: No git repository here - running unsynced"
)


@pytest.mark.parametrize(
    ("failed", "error", "retry", "text"),
    [
        ("tk list --wisp --status=open", "Error: unknown flag: --wisp", "tk list --status=open",
         "`tk list` has no `--wisp` flag here (“Error: unknown flag: --wisp”); leave it out "
         "(that worked)."),
        # openrsync names the flag first; a flag given twice is kept, quoted or not
        ("rsync -a --no-dereference --exclude=a.md --exclude=b src/ dst/",
         "rsync: --no-dereference: unknown option",
         "rsync -a --exclude='a.md' --exclude='b' src/ dst/",
         "`rsync` has no `--no-dereference` flag here (“rsync: --no-dereference: unknown option”); "
         "leave it out (that worked)."),
        ("fd --hidden-files x src", "error: unexpected argument '--hidden-files' found",
         "fd x src",
         "`fd` has no `--hidden-files` flag here (“error: unexpected argument '--hidden-files' "
         "found”); leave it out (that worked)."),
        ("ls -Z lib", "ls: illegal option -- Z\nusage: ls [-ABCFGHLOPRSTUWabcdefghiklmnopqrstuwx1%@]",
         "ls lib",
         "`ls` has no `-Z` flag here (“ls: illegal option -- Z”); leave it out (that worked)."),
        # a value given with `=` and dropped: its text inside another word is no value kept
        ("npx eslint --ext=.ts src/index.ts", "Invalid option '--ext' - perhaps you meant '-c'?",
         "npx eslint src/index.ts",
         "`npx eslint` has no `--ext` flag here (“Invalid option '--ext' - perhaps you meant "
         "'-c'?”); leave it out (that worked)."),
        # the flag's quoted value given without it: the value was wanted
        ('ocodex exec --prompt "say hi" --json', "error: unexpected argument '--prompt' found",
         'ocodex exec "say hi" --json',
         "`ocodex exec` has no `--prompt` flag here (“error: unexpected argument '--prompt' "
         "found”); give its value without the flag (that worked)."),
        # a step the retry added after it (`&& ls -la dst/`) adds no flag to rsync
        ("rsync -a --no-dereference src/ dst/ && rm -rf src",
         "rsync: unrecognized option `--no-dereference'",
         "rsync -a src/ dst/ && rm -rf src && echo done && ls -la dst/",
         "`rsync` has no `--no-dereference` flag here (“rsync: unrecognized option "
         "`--no-dereference'”); leave it out (that worked)."),
    ],
)  # fmt: skip
def test_a_flag_the_program_does_not_know_left_out_is_the_fix(
    tmp_path: Path, failed: str, error: str, retry: str, text: str
) -> None:
    """The lesson names the program and the flag, and says what worked; the output that
    worked may be only a banner."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", "ls"),
            result("t2", "src"),
            call("t3", retry),
            result("t3", BANNER),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.UNFLAGGED
    assert lesson.text == text and lesson.fix is not None and "without" in lesson.fix


def test_a_flag_renamed_beside_the_unknown_one_is_part_of_the_fix(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "tk list --wisp --labels=cleanup --status=open"),
            result(
                "t1", "Exit code 1\nError: unknown flag: --wisp\nUsage:\n  tk list [flags]", True
            ),
            call("t2", "tk list --label=cleanup --status=open"),
            result("t2", BANNER),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.UNFLAGGED
    assert lesson.text == (
        "`tk list` has no `--wisp` or `--labels` flag here (“Error: unknown flag: --wisp”); "
        "use `--label=…` for `--labels=…` (that worked)."
    )  # leaving `--wisp` out goes without saying: the other name is the lesson
    assert lesson.fix == "tk list with --label=… for --labels=…, without --wisp"
    assert "cleanup" not in lesson.text  # the value is the instance's


def test_a_usage_ends_where_its_indented_lines_end(tmp_path: Path) -> None:
    """argparse's usage, then npm's trailer naming the whole command: the flag is not in the
    usage, so leaving it out is still the fix."""
    error = (
        "usage: check.py [-h] [--fast]\ncheck.py: error: unrecognized arguments: --gated\n"
        "npm error command sh -c python tools/check.py --gated"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm run check -- --gated"),
            result("t1", f"Exit code 2\n{error}", True),
            call("t2", "npm run check"),
            result("t2", "all checks passed"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.UNFLAGGED


def test_the_flag_the_errors_help_offers_in_place_of_the_unknown_one_is_the_fix(
    tmp_path: Path,
) -> None:
    """`--prune` is no like name of `--purge-tombstones`, but the help the error printed
    offers it, and the retry gave it: a rename, never "leave it out"."""
    help_text = (
        "Error: unknown flag: --purge-tombstones\nUsage:\n  tk compact [flags]\n\nFlags:\n"
        "      --prune   Prune mode: remove expired tombstones\n      --json   Output JSON"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "tk compact --purge-tombstones"),
            result("t1", f"Exit code 1\n{help_text}", True),
            call("t2", "tk compact --prune"),
            result("t2", "Pruned 3 tombstones"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.UNFLAGGED
    assert lesson.text.endswith("use `--prune` for `--purge-tombstones` (that worked).")
    assert "leave" not in lesson.text


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        # the error's own usage line names the flag: another build answers without it
        ("Error: unknown flag: --gated\nUsage:\n  tk ready --gated [flags]\n\nFlags:\n  -h",
         "tk ready --json"),
        # the retry gave a flag the error does not offer: another request
        ("Error: unknown flag: --gated\nUsage:\n  tk ready [flags]", "tk ready --all --json"),
        # the help offers the flag for another job, and the retry only asked for help
        ("Error: unknown flag: --gated\nRun 'tk ready --help' for usage.", "tk ready --help"),
        ("unknown flag: --gated\n\nFlags:\n  -L, --limit int   Maximum number to fetch",
         "tk ready --json --limit 5"),
    ],
)  # fmt: skip
def test_a_flag_left_out_that_asked_another_question_is_no_fix(
    tmp_path: Path, error: str, retry: str
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "tk ready --gated --json"),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", retry),
            result("t2", '{"molecules": [], "count": 0}'),
        ],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.UNFLAGGED
    assert "leave it out" not in lesson.text and "(no fix seen)" in lesson.text


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        # no word about flags: the renamed flag may ask for something else
        ("Error: no issue labelled cleanup", "tk list --label=cleanup"),
        # the unknown flag left out, but another flag given another value
        ("Error: unknown flag: --wisp", "tk list --labels=other"),
        # the unknown flag left out, and another flag with no like name
        ("Error: unknown flag: --wisp", "tk list --status=cleanup"),
    ],
)
def test_a_flag_changed_with_no_unknown_flag_to_blame_is_no_fix(
    tmp_path: Path, error: str, retry: str
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "tk list --wisp --labels=cleanup"),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", retry),
            result("t2", BANNER),
        ],
    )
    assert episode.fix is None and "(no fix seen)" in lesson.text


def test_what_the_error_said_to_run_first_is_the_fix_once_it_was_run(tmp_path: Path) -> None:
    """The precondition is met, not skipped: never "drop `--require-tasks`"."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "scripts/check.sh --json --require-tasks"),
            result("t1", "Exit code 1\nERROR: tasks.md not found. Run /tasks first.", True),
            say(
                "user",
                "<command-message>tasks is running…</command-message>\n<command-name>/tasks</command-name>",
            ),
            call("t2", "scripts/check.sh --json"),
            result("t2", '{"ok": true}'),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.HINTED
    assert lesson.fix == "/tasks" and "run `/tasks` first" in lesson.text
    assert "--require-tasks" not in lesson.text
    # what the error said to do, done once: whoever reads the error does it
    assert lesson.text.endswith(", as the error says.")
    assert held_back(_seen_once(lesson)) is HeldBack.ERRORS_OWN_HINT


@pytest.mark.parametrize(
    ("error", "offered"),
    [
        ("No service linked. Use --service flag or --all to see all services", True),
        ("No service linked.", False),
    ],
)
def test_options_the_error_named_are_told_as_its_own_hint(
    tmp_path: Path, error: str, offered: bool
) -> None:
    """The retry added what the error said to add: the line says so, and it is held back
    until another session hits it (whoever reads the error does it)."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "shipit service status"),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", "shipit service status --all"),
            result("t2", "Services in production:\napi | SUCCESS"),
        ],
    )
    assert episode.fix is not None
    assert "use `shipit service status --all` instead" in lesson.text
    assert lesson.text.endswith(", as the error says.") is offered
    assert (held_back(_seen_once(lesson)) is HeldBack.ERRORS_OWN_HINT) is offered


def test_installing_the_missing_module_is_the_fix(tmp_path: Path) -> None:
    records = [
        call("t1", 'py -c "import yaml"'),
        result("t1", "Exit code 1\nModuleNotFoundError: No module named 'yaml'", True),
        call("t2", "py -m pip install PyYAML"),
        result("t2", "Successfully installed PyYAML-6.0"),
    ]
    ((episode, lesson),) = _failures(tmp_path / "a", records)
    assert episode.fix is not None and episode.fix.kind is FixKind.INSTALLED
    assert lesson.text.startswith("The module `yaml` is not installed for `py` here")
    assert lesson.fix == "py -m pip install PyYAML"
    # the import error came back after the install: it was no fix
    again = [
        *records,
        call("t3", "py gen.py"),
        result("t3", "ModuleNotFoundError: No module named 'yaml'", True),
    ]
    assert _failures(tmp_path / "b", again)[0][1].fix is None


NO_TORCH = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'torch'"


def test_an_import_error_in_a_chain_is_the_interpreter_s_not_the_first_step_s(
    tmp_path: Path,
) -> None:
    """`ls a/ && ls b/ && conda run -n ml python3 …`: the interpreter raised it, not `ls`;
    torchvision installed later into another env mends nothing of the missing torch."""
    found = _failures(
        tmp_path,
        [
            call(
                "t1", 'ls data/ && ls src/ && conda run -n ml python3 -c "import torch; print(1)"'
            ),
            result("t1", f"Exit code 1\n{NO_TORCH}", True),
            call("t2", "conda run -n gpu python3 -c 'import torch; import torchvision'"),
            result("t2", "Exit code 1\nModuleNotFoundError: No module named 'torchvision'", True),
            call(
                "t3",
                "conda run -n gpu python3 -c 'import torch' && conda run -n gpu pip install torchvision",
            ),
            result("t3", "Successfully installed torchvision-0.20.1"),
        ],
    )
    (episode, lesson) = found[0]
    assert episode.fix is None and lesson.fix is None
    assert lesson.text.startswith('`conda run -n ml python3 -c "import torch; print(1)"` fails')
    assert "`ls" not in lesson.text and "torchvision" not in lesson.text
    # torchvision, missing from env gpu and installed into it: that one is mended
    (_, mended) = found[1]
    assert mended.text.startswith("The module `torchvision` is not installed for `conda run -n")
    assert mended.fix == "conda run -n gpu pip install torchvision"


@pytest.mark.parametrize(
    "install",
    [
        "pip install torchvision",  # another module, the same interpreter
        "conda run -n gpu pip install torch",  # the module, another env
        "pip install -r requirements.txt",  # which packages, the call does not say
    ],
)
def test_an_install_elsewhere_or_of_another_package_is_no_fix(tmp_path: Path, install: str) -> None:
    failed = "conda run -n ml python3 train.py" if "gpu" in install else "python3 train.py"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{NO_TORCH}", True),
            call("t2", install),
            result("t2", "Successfully installed it"),
        ],
    )
    assert episode.fix is None and lesson.fix is None and "(no fix seen)" in lesson.text


def test_the_module_s_package_installed_into_the_same_env_is_the_fix(tmp_path: Path) -> None:
    records = [
        call("t1", "ls configs && python3 -c 'import yaml; print(1)'"),
        result("t1", "Exit code 1\nModuleNotFoundError: No module named 'yaml'", True),
        call("t2", "pip install -U pip && pip install PyYAML"),
        result("t2", "Successfully installed PyYAML-6.0.2"),
        call("t3", "python3 -c 'import yaml; print(1)'"),
        result("t3", "1"),
    ]
    ((episode, lesson),) = _failures(tmp_path / "a", records)
    assert episode.fix is not None and episode.fix.kind is FixKind.INSTALLED
    assert lesson.text == (
        "The module `yaml` is not installed for `python3` here (“ModuleNotFoundError: No module "
        "named 'yaml'”); install it with `pip install PyYAML`."
    )
    assert lesson.fix == "pip install PyYAML"
    in_env = [
        call("t1", "conda run -n ml python3 gen.py"),
        result("t1", "Exit code 1\nModuleNotFoundError: No module named 'cv2'", True),
        call("t2", "conda run -n ml pip install opencv-python-headless"),
        result("t2", "Successfully installed opencv-python-headless-4.10.0"),
    ]
    ((_, lesson),) = _failures(tmp_path / "b", in_env)
    assert lesson.text.startswith("The module `cv2` is not installed for `conda run -n ml python3`")
    assert lesson.fix == "conda run -n ml pip install opencv-python-headless"


def test_an_import_error_of_one_of_several_interpreters_names_none(tmp_path: Path) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python3 a.py && python3 b.py"),
            result("t1", f"Exit code 1\n{NO_TORCH}", True),
        ],
    )
    assert lesson.text == (
        "The module `torch` is not installed here (“ModuleNotFoundError: No module named "
        "'torch'”) (no fix seen)."
    )


def test_a_script_run_in_an_env_that_has_the_module_is_worded_by_the_env(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python tools/denoise.py"),
            result("t1", "Exit code 1\nModuleNotFoundError: No module named 'cv2'", True),
            call("t2", "conda run -n ml python tools/denoise.py"),
            result("t2", "done: 15 images"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.text == (
        "`python` here lacks the module `cv2` (“ModuleNotFoundError: No module named 'cv2'”); "
        "run it as `conda run -n ml python …`."
    )
    assert lesson.fix == "conda run -n ml python" and "denoise" not in lesson.text


@pytest.mark.parametrize("venv", ["./.venv/bin/python", ".venv/bin/python", "venv/bin/python"])
def test_a_script_run_by_the_project_interpreter_is_worded_by_it(tmp_path: Path, venv: str) -> None:
    """The same inline script, run again by the project's `.venv` interpreter, worked: the
    rule is that interpreter, not the script (no script written again)."""
    script = " - <<'PY'\nfrom app import app\nprint(app.name)\nPY"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", f"python{script}"),
            result("t1", "Exit code 1\nModuleNotFoundError: No module named 'dotenv'", True),
            call("t2", f"{venv}{script}"),
            result("t2", "app"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.text == (
        "`python` here lacks the module `dotenv` (“ModuleNotFoundError: No module named "
        f"'dotenv'”); run it as `{venv} …`."
    )


_NO_REQUESTS = "Exit code 1\nModuleNotFoundError: No module named 'requests'"


@pytest.mark.parametrize(
    ("failed", "retry", "runner"),
    [
        (  # only the output plumbing differs beside the interpreter
            'python -c "import shop"',
            '/srv/shop/venv/bin/python -c "import shop" 2>&1 | tail -5',
            "/srv/shop/venv/bin/python",
        ),
        (  # the failed interpreter was itself a path: another environment's
            'cd /srv/shop && /opt/tools/bin/python -c "import shop" 2>&1 | head -20',
            'cd /srv/shop && /srv/shop/venv/bin/python -c "import shop" 2>&1 | head -20',
            "/srv/shop/venv/bin/python",
        ),
        (  # a relative interpreter after a `cd`: told from that folder
            "cd /srv/shop && /opt/tools/bin/python3 -m pytest -q 2>/dev/null",
            "cd /srv/shop && .venv/bin/python3 -m pytest -q",
            "/srv/shop/.venv/bin/python3",
        ),
        (  # the retry named the test by the folder the failed call moved into
            "cd /srv/shop && /opt/tools/bin/python -m pytest tests/test_cart.py -v 2>&1",
            "/srv/shop/venv/bin/python -m pytest /srv/shop/tests/test_cart.py -v",
            "/srv/shop/venv/bin/python",
        ),
    ],
)
def test_a_module_one_interpreter_lacks_and_another_path_has_is_one_lesson(
    tmp_path: Path, failed: str, retry: str, runner: str
) -> None:
    """Whatever the plumbing of their output: one wording, the interpreter that lacked the
    module by its name when it was the PATH's, by its path when it was run by one."""
    lacking = failed.split("&& ")[-1].split()[0]
    program = lacking if "/" in lacking else runner.rsplit("/", 1)[-1]
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", _NO_REQUESTS, True),
            call("t2", retry),
            result("t2", "3 passed in 0.40s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.text == (
        f"`{program}` here lacks the module `requests` (“ModuleNotFoundError: No module named "
        f"'requests'”); run it as `{runner} …`."
    )
    assert "2>" not in lesson.text and "| " not in lesson.text


def test_an_interpreter_without_the_module_it_was_asked_to_run_is_that_module_missing(
    tmp_path: Path,
) -> None:
    """`python -m pytest` where that Python has no pytest says so in its own words, the
    module unquoted: the same rule as an import that failed; the interpreter that lacked it
    named by the path it was run by (not as if it were the PATH's `python`)."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "cd /srv/shop && /srv/shop/venv/bin/python -m pytest tests/test_cart.py"),
            result("t1", "Exit code 1\n/srv/shop/venv/bin/python: No module named pytest", True),
            call("t2", "/opt/tools/bin/python -m pytest /srv/shop/tests/test_cart.py 2>&1"),
            result("t2", "4 passed in 0.20s"),
        ],
    )
    assert lesson.text == (
        "`/srv/shop/venv/bin/python` here lacks the module `pytest` (“/srv/shop/venv/bin/python: "
        "No module named pytest”); run it as `/opt/tools/bin/python …`."
    )


@pytest.mark.parametrize("failed", ["/usr/bin/env python3 tools/gen.py", "./tools/gen.py"])
def test_a_path_that_is_no_interpreter_is_not_named_as_lacking_the_module(
    tmp_path: Path, failed: str
) -> None:
    """`/usr/bin/env python3 x.py`, a script run by its path: neither is the interpreter that
    lacked the module; the line names the interpreter, as for the PATH's."""
    records = [
        call("t1", failed),
        result("t1", "Exit code 1\nModuleNotFoundError: No module named 'yaml'", True),
        call("t2", f"conda run -n ml {failed}"),
        result("t2", "ok"),
    ]
    ((_, lesson),) = _failures(tmp_path, records)
    assert "/usr/bin/env" not in lesson.text.split("(")[0]
    assert "./tools/gen.py` here lacks" not in lesson.text


def test_a_module_missing_under_pytest_is_told_in_the_errors_own_words(tmp_path: Path) -> None:
    """pytest prints the import error after its `E`: the line says the error, as every other
    run of that interpreter does."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python -m pytest tests/test_cart.py -q"),
            result("t1", "Exit code 1\nE   ModuleNotFoundError: No module named 'requests'", True),
            call("t2", "/srv/shop/venv/bin/python -m pytest tests/test_cart.py -q"),
            result("t2", "4 passed in 0.20s"),
        ],
    )
    assert lesson.text == (
        "`python` here lacks the module `requests` (“ModuleNotFoundError: No module named "
        "'requests'”); run it as `/srv/shop/venv/bin/python …`."
    )


def test_an_interpreter_path_with_other_arguments_is_no_other_environment(tmp_path: Path) -> None:
    """Another script run by another interpreter: what changed is more than where it runs."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "/opt/tools/bin/python sync.py"),
            result("t1", _NO_REQUESTS, True),
            call("t2", "/srv/shop/venv/bin/python fetch.py"),
            result("t2", "ok"),
        ],
    )
    assert "lacks the module" not in lesson.text


def test_a_way_shown_never_carries_the_output_plumbing(tmp_path: Path) -> None:
    """`2>&1 | head -20` only trims what the retry printed: no part of the way."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "/opt/a/bin/shopctl sync"),
            result("t1", "Exit code 1\nshopctl: unsupported store format 3", True),
            call("t2", "/opt/b/bin/shopctl sync 2>&1 | head -20"),
            result("t2", "synced 14 items"),
        ],
    )
    assert "/opt/b/bin/shopctl sync" in lesson.text
    assert "2>&1" not in lesson.text and "head" not in lesson.text


def _timed(tool_id: str, command: str, timeout_ms: int) -> dict:  # type: ignore[type-arg]
    record = call(tool_id, command)
    record["message"]["content"][0]["input"]["timeout"] = timeout_ms
    return record


def _at(record: dict, second: int) -> dict:  # type: ignore[type-arg]
    """The record written at `second` seconds past ten o'clock."""
    minutes, seconds = divmod(second, 60)
    return {**record, "timestamp": f"2026-11-01T10:{minutes:02d}:{seconds:02d}Z"}


def test_a_longer_time_limit_on_the_same_command_is_the_fix(tmp_path: Path) -> None:
    timed_out = "Command timed out after 1.0s"
    found = _failures(
        tmp_path,
        [
            _at(_timed("t1", "git status -sb", 1000), 0),
            _at(result("t1", timed_out, True), 1),
            _at(_timed("t2", "git status -sb", 2000), 2),
            _at(result("t2", "Command timed out after 2.0s", True), 4),
            _at(_timed("t3", "git status -sb", 5000), 5),
            _at(result("t3", "## main"), 9),
        ],
    )
    assert [episode.fix.kind for episode, _ in found if episode.fix] == [FixKind.WAITED] * 2
    texts = {lesson.text for _, lesson in found}
    assert texts == {
        "`git status -sb` timed out under the short time limit the call set itself and passed "
        "once given 5 s; give it 5 s or more."
    }


def test_the_same_limit_again_is_a_plain_retry(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            _timed("t1", "npm test", 1000),
            result("t1", "Command timed out after 1.0s", True),
            _timed("t2", "npm test", 1000),
            result("t2", "Tests: 3 passed"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert lesson.fix is None


@pytest.mark.parametrize(
    ("finished", "kind"),
    [
        (12, FixKind.RETRIED),  # done long before the first limit: a plain rerun passed
        (None, FixKind.RETRIED),  # how long it ran is unknown: no proof the limit mattered
        (200, FixKind.WAITED),  # it ran past the first limit: the longer one let it finish
    ],
)
def test_a_longer_limit_is_the_fix_only_when_the_rerun_ran_past_the_first(
    tmp_path: Path, finished: int | None, kind: FixKind
) -> None:
    rerun = result("t2", "added 12 packages in 9s")
    found = _failures(
        tmp_path,
        [
            _at(_timed("t1", "npm ci", 120000), 0),
            _at(result("t1", "Command timed out after 2m 0.0s", True), 120),
            _at(_timed("t2", "npm ci", 300000), 125),
            rerun if finished is None else _at(rerun, 125 + finished),
        ],
    )
    ((episode, lesson),) = found
    assert episode.fix is not None and episode.fix.kind is kind
    assert ("give it 300 s or more" in lesson.text) is (kind is FixKind.WAITED)


def _codex_shell(call_id: str, command: str, timeout_ms: int, at: str) -> dict:  # type: ignore[type-arg]
    arguments = json.dumps({"command": command, "workdir": "/w", "timeout_ms": timeout_ms})
    payload = {
        "type": "function_call",
        "name": "shell_command",
        "arguments": arguments,
        "call_id": call_id,
    }
    return {"timestamp": at, "type": "response_item", "payload": payload}


def _codex_output(call_id: str, output: str, at: str) -> dict:  # type: ignore[type-arg]
    payload = {"type": "function_call_output", "call_id": call_id, "output": output}
    return {"timestamp": at, "type": "response_item", "payload": payload}


@pytest.mark.parametrize(
    ("wall", "finished_at", "kind"),
    [
        ("Wall time: 8.1 seconds\n", "2026-01-01T00:02:20Z", FixKind.RETRIED),
        # the time Codex says it ran comes before a result written late
        ("Wall time: 8.1 seconds\n", "2026-01-01T00:05:40Z", FixKind.RETRIED),
        ("Wall time: 212.4 seconds\n", "2026-01-01T00:05:45Z", FixKind.WAITED),
        ("", "2026-01-01T00:02:20Z", FixKind.RETRIED),  # no header: call to result
        ("", "2026-01-01T00:05:45Z", FixKind.WAITED),
    ],
)
def test_a_codex_rerun_given_a_longer_limit_waited_only_when_it_ran_past_the_first(
    tmp_path: Path, wall: str, finished_at: str, kind: FixKind
) -> None:
    """Codex: `npm install` killed at its 120 s limit; the rerun given 300 s is the fix only
    when it ran longer than the 120 s that stopped the first."""
    meta = {"id": "s1", "timestamp": "2026-01-01T00:00:00Z", "cwd": "/w", "cli_version": "0.105.0"}
    killed = "Exit code: 124\nWall time: 121 seconds\nOutput:\ncommand timed out after 120500 milliseconds\n"
    done = f"Exit code: 0\n{wall}Output:\nadded 40 packages in 8s\n"
    records = [
        {"timestamp": "2026-01-01T00:00:00Z", "type": "session_meta", "payload": meta},
        _codex_shell("c1", "npm install", 120000, "2026-01-01T00:00:05Z"),
        _codex_output("c1", killed, "2026-01-01T00:02:06Z"),
        _codex_shell("c2", "npm install", 300000, "2026-01-01T00:02:10Z"),
        _codex_output("c2", done, finished_at),
    ]
    path = tmp_path / "rollout-2026-01-01T00-00-00-s1.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    run = parse_codex(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert [e.fix.kind if e.fix else None for e in episodes] == [kind]


def _kinds(tmp_path: Path, records: list[dict]) -> list[FixKind | None]:  # type: ignore[type-arg]
    return [
        episode.fix.kind if episode.fix else None for episode, _ in _failures(tmp_path, records)
    ]


_BODY = "path = Path('specs/plan.md')\ntext = path.read_text()\npath.write_text(text.upper())\n"


def test_an_inline_script_written_again_is_no_retry(tmp_path: Path) -> None:
    """The here-document's script changed (an import added): not "passed when run again"."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", f"python3 - <<'PY'\n{_BODY}PY"),
            result("t1", "Exit code 1\nNameError: name 'Path' is not defined", True),
            call("t2", f"python3 - <<'PY'\nfrom pathlib import Path\n{_BODY}PY"),
            result("t2", "True"),
        ],
    )
    assert episode.fix is None
    assert "passed when run again" not in lesson.text and "(no fix seen)" in lesson.text


def test_an_edit_between_is_the_fix_of_a_timeout_not_the_longer_limit(tmp_path: Path) -> None:
    records = [
        _timed("t1", "pytest -q", 60000),
        result("t1", "Command timed out after 1m 0.0s", True),
        edit("e1", "src/worker.py", "while True:", "x"),
        result("e1", "The file src/worker.py has been updated successfully."),
        _timed("t2", "pytest -q", 120000),
        result("t2", "5 passed in 0.4s"),
    ]
    assert _kinds(tmp_path, records) == [FixKind.EDITED]


def test_a_tests_own_timeout_is_not_the_harness_limit(tmp_path: Path) -> None:
    own = "Exit code 1\nFAILED tests/test_api.py::test_fetch - TimeoutError: timed out\n1 failed"
    records = [
        _timed("t1", "pytest -q", 30000),
        result("t1", own, True),
        _timed("t2", "pytest -q", 120000),
        result("t2", "3 passed"),
    ]
    assert _kinds(tmp_path, records) == [FixKind.RETRIED]


def test_the_bash_default_limit_counts_when_the_call_set_none(tmp_path: Path) -> None:
    records = [
        _at(call("t1", "npm run build"), 0),
        _at(result("t1", "Command timed out after 2m 0.0s", True), 120),
        _at(_timed("t2", "npm run build", 600000), 125),
        _at(result("t2", "Build complete"), 380),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.WAITED
    assert lesson.text == (
        "`npm run build` timed out under the tool's default time limit (120 s) and passed once "
        "given 600 s; give it 600 s or more."
    )


@pytest.mark.parametrize(
    "rerun",
    [
        {"command": "npm test 2>&1 | tail -50", "timeout": 60000},
        {"command": "timeout 300 npm test", "timeout": 60000},
        {"command": "npm test", "timeout": 300000, "run_in_background": True},
    ],
)
def test_wrapping_or_backgrounding_a_timed_out_command_is_no_remedy(
    tmp_path: Path,
    rerun: dict,  # type: ignore[type-arg]
) -> None:
    block = {"type": "tool_use", "id": "t2", "name": "Bash", "input": rerun}
    output = (
        "Command running in background with ID: bash_1"
        if rerun.get("run_in_background")
        else "Tests: 4 passed"
    )
    records = [
        _timed("t1", "npm test", 60000),
        result("t1", "Command timed out after 1m 0.0s", True),
        {"type": "assistant", "message": {"content": [block]}},
        result("t2", output),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is None or not episode.fix.teachable
    assert "instead" not in lesson.text and lesson.fix is None


def _patch_call(call_id: str, patch: str) -> dict:  # type: ignore[type-arg]
    payload = {
        "type": "custom_tool_call",
        "call_id": call_id,
        "name": "apply_patch",
        "input": patch,
    }
    return {"timestamp": "2026-01-01T00:00:00Z", "type": "response_item", "payload": payload}


def _patch_output(call_id: str, output: str) -> dict:  # type: ignore[type-arg]
    payload = {"type": "custom_tool_call_output", "call_id": call_id, "output": output}
    return {"timestamp": "2026-01-01T00:00:01Z", "type": "response_item", "payload": payload}


UPDATE = "*** Begin Patch\n*** Update File: docs/guide.md\n@@\n-# Draft\n+# Guide\n*** End Patch"
REFUSED = (
    "apply_patch verification failed: Failed to find expected lines in /w/docs/guide.md:\n# Draft"
)
DONE = '{"output": "Success. Updated the following files:\\nM docs/guide.md\\n", "metadata": {"exit_code": 0}}'


@pytest.mark.parametrize(
    ("retries", "fixed"),
    [
        # the replacement again, with the file's real text: the fix
        ([UPDATE.replace("# Draft", "# Guide draft")], True),
        # the file deleted and written anew: no replacement worked
        (["*** Begin Patch\n*** Delete File: docs/guide.md\n*** End Patch",
          "*** Begin Patch\n*** Add File: docs/guide.md\n+# Guide\n*** End Patch"], False),
        # lines only inserted: the old text is still there
        (["*** Begin Patch\n*** Update File: docs/guide.md\n@@\n # Draft\n+# Guide\n*** End Patch"], False),
    ],
)  # fmt: skip
def test_a_codex_patch_is_fixed_only_by_a_patch_that_replaced_text(
    tmp_path: Path, retries: list[str], fixed: bool
) -> None:
    meta = {"id": "s1", "timestamp": "2026-01-01T00:00:00Z", "cwd": "/w", "cli_version": "0.55.0"}
    records = [{"timestamp": "2026-01-01T00:00:00Z", "type": "session_meta", "payload": meta}]
    records += [_patch_call("c0", UPDATE), _patch_output("c0", REFUSED)]
    for n, patch in enumerate(retries, start=1):
        records += [_patch_call(f"c{n}", patch), _patch_output(f"c{n}", DONE)]
    path = tmp_path / "rollout-2026-01-01T00-00-00-s1.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    run = parse_codex(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert len(episodes) == 1
    assert (episodes[0].fix is not None) is fixed
    (lesson,) = RulesExtractor().extract(run, episodes, read_lines(path))
    assert "Failed to find expected lines in …" in lesson.text  # not the lines it looked for
    assert ("re-read the file" in lesson.text) is fixed


def test_a_search_timed_out_over_the_tree_and_passing_on_a_folder_is_narrowed(
    tmp_path: Path,
) -> None:
    records = [
        call("t1", "find . -name '*.proto' | sort | head -50"),
        result("t1", "Command timed out after 2m 0.0s", True),
        call("t2", "ls"),
        result("t2", "api\nvendor\nweb"),
        call("t3", "find api -name '*.proto' | sort"),
        result("t3", "api/orders.proto\napi/users.proto"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.NARROWED
    assert lesson.fix == "find api -name '*.proto'"
    assert lesson.text == (
        "`find . -name '*.proto'` over the whole repository timed out here (“Command timed out "
        "after 2m 0.0s”); on one folder (`find api -name '*.proto'`) it passed: point recursive "
        "searches at the folders you need."
    )


@pytest.mark.parametrize(
    "retry",
    [
        "find api -name '*.go'",  # another search
        "find . -name '*.proto' -maxdepth 2",  # a flag, not a folder
        "find $HOME -name '*.proto'",  # not a folder of the tree
    ],
)
def test_another_search_after_a_timeout_is_not_narrowed(tmp_path: Path, retry: str) -> None:
    records = [
        call("t1", "find . -name '*.proto'"),
        result("t1", "Command timed out after 2m 0.0s", True),
        call("t2", retry),
        result("t2", "api/orders.proto"),
    ]
    assert _kinds(tmp_path, records) == [None]


@pytest.mark.parametrize(
    ("failed", "retry"),
    [
        ("timeout 60 grep -rn useAuth .", "timeout 60 grep -rn useAuth src"),
        ("get-childitem -Recurse -Filter *.cs", "get-childitem src -Recurse -Filter *.cs"),
    ],
)
def test_a_search_under_a_time_limit_or_in_any_case_is_narrowed(
    tmp_path: Path, failed: str, retry: str
) -> None:
    records = [
        call("t1", failed),
        result("t1", "Command timed out after 2m 0.0s", True),
        call("t2", retry),
        result("t2", "src/auth.ts:3: useAuth"),
    ]
    assert _kinds(tmp_path, records) == [FixKind.NARROWED]


def test_a_test_suite_timed_out_and_one_file_passing_is_no_search_narrowed(
    tmp_path: Path,
) -> None:
    """A browser suite hung on its log-in: one test file passing after it says nothing about
    pointing searches at folders."""
    records = [
        call("t1", "script -q /dev/null php artisan dusk"),
        result("t1", "Command timed out after 2m 0.0s", True),
        call("t2", "script -q /dev/null php artisan dusk tests/Browser/ContentLoadingTest.php"),
        result("t2", "PASS ContentLoadingTest"),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    (episode,) = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert episode.fix is None or episode.fix.kind is not FixKind.NARROWED
    # (`script -q …`, as a line writes it, worked too: no line says it fails)
    found = RulesExtractor().extract(run, [episode], read_lines(path))
    assert all("search" not in lesson.text and lesson.fix is None for lesson in found)


def test_a_rerun_that_prints_the_same_error_is_no_fix(tmp_path: Path) -> None:
    """`| head` hides the exit status: the same TypeError printed again is still the failure."""
    error = "TypeError: Cannot read properties of undefined (reading 'rows')"
    patch = "node -e \"require('fs').writeFileSync('check.js', src)\""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "node check.js"),
            result("t1", f"Exit code 1\n{error}\n    at grid (/repo/check.js:4:9)", True),
            call("t2", f"{patch} && node check.js 2>&1 | head -20"),
            result("t2", f"debug: grid built\n{error}\n    at grid (/repo/check.js:5:9)"),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "writeFileSync" not in lesson.text and "(no fix seen)" in lesson.text


@pytest.mark.parametrize(
    "step",
    [
        "sed -i 's/port=80/port=8080/' app.ini",
        "node -e \"require('fs').writeFileSync('app.ini', 'port=8080')\"",
        "echo port=8080 > app.ini",
    ],
)
def test_a_step_that_writes_files_is_an_edit_not_a_step_to_run_first(
    tmp_path: Path, step: str
) -> None:
    records = [
        call("t1", "make serve-check"),
        result("t1", "Exit code 2\nError: port 80 needs root", True),
        call("t2", f"{step} && make serve-check"),
        result("t2", "serving on :8080"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert lesson.fix is None and "first" not in lesson.text


def test_a_preparing_step_that_writes_nothing_is_still_a_step_first(tmp_path: Path) -> None:
    records = [
        call("t1", "./deploy.sh"),
        result("t1", "Exit code 126\n/bin/sh: ./deploy.sh: Permission denied", True),
        call("t2", "chmod +x deploy.sh 2>/dev/null && ./deploy.sh"),
        result("t2", "deployed"),
    ]
    ((episode, _),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED


@pytest.mark.parametrize(
    ("failed", "error", "quoted"),
    [
        ("pip install -e .[dev]", "zsh: no matches found: .[dev]", "pip install -e '.[dev]'"),
        ("yt-dlp -o %(title)s.%(ext)s URL", "(eval):1: no matches found: %(title)s.%(ext)s",
         "yt-dlp -o '%(title)s.%(ext)s' URL"),
        # `( )` read as a glob qualifier: the same cause, the same lesson
        ("ls -la src/app/(public)", "zsh:1: missing delimiter for 'u' glob qualifier",
         "ls -la 'src/app/(public)'"),
        ("cat src/app/(shop)/[id]/page.tsx", "zsh:1: bad pattern: src/app/(shop)/[id]/page.tsx",
         "cat 'src/app/(shop)/[id]/page.tsx'"),
    ],
)  # fmt: skip
def test_a_zsh_glob_that_matched_nothing_is_one_lesson_quote_the_argument(
    tmp_path: Path, failed: str, error: str, quoted: str
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", quoted),
            result("t2", "done"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.text.startswith("The shell here is zsh: an unquoted argument")
    assert lesson.fix == "quote the argument"


# A bash preamble of a skill, refused by zsh's parser (the Bash tool's shell being zsh).
_PREAMBLE = (
    "VER=$(./bin/check-version 2>/dev/null || true)\n"
    '[ -n "$VER" ] && echo "$VER" || true\n'
    "source <(./bin/repo-mode 2>/dev/null) || true\n"
    'echo "MODE: ${MODE:-unknown}"'
)
_UNPARSED = "Exit code 1\n(eval):1: parse error near `('"


@pytest.mark.parametrize(
    ("retry", "fix"),
    [
        # the same script handed to bash, its lines joined by `;`
        (
            "bash -c 'VER=$(./bin/check-version 2>/dev/null || true); [ -n \"$VER\" ] && "
            "echo \"$VER\" || true; source <(./bin/repo-mode 2>/dev/null) || true; "
            "echo \"MODE: ${MODE:-unknown}\"'",
            "run it with `bash -c '…'`",
        ),
        # the same script written to a file and the file given to bash
        (f"cat > /tmp/pre.sh <<'EOF'\n{_PREAMBLE}\nEOF\nbash /tmp/pre.sh", "run it from a file with `bash`"),
        # a shorter script that worked did other work: no fix of this one
        ('export VER=$(./bin/check-version 2>/dev/null || true); echo "$VER"', None),
        (None, None),
        # the same script, grown by 50 KB of here-document: compared on its first characters
        (f"cat > /tmp/big.txt <<'EOF'\n{'x = 1; ' * 7000}\nEOF", None),
    ],
)  # fmt: skip
def test_a_script_zsh_could_not_parse_is_the_shell_s_lesson_whatever_the_script(
    tmp_path: Path, retry: str | None, fix: str | None
) -> None:
    """“(eval):1: parse error near `('”: zsh, the Bash tool's shell, refused a script written
    for bash. One wording whatever the script (no cut command, no "no fix seen"); the fix only
    when the same script, run by bash, worked after it."""
    records = [call("t1", _PREAMBLE), result("t1", _UNPARSED, True)]
    if retry is not None:
        records += [call("t2", retry), result("t2", "v1.4\nMODE: unknown")]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert lesson.text == ZSH_PARSE_TEXT and lesson.text.startswith("The shell here is zsh")
    assert lesson.fix == fix
    assert (episode.fix is not None) == (fix is not None)


def test_a_script_handed_to_bash_that_zsh_could_not_parse_is_no_bash_lesson(
    tmp_path: Path,
) -> None:
    """The call already ran the script by `bash -c "…"`: zsh refused its outer quoting, and
    "run it with `bash -c`" would teach what failed."""
    ((_, lesson),) = _failures(
        tmp_path, [call("t1", f'bash -c "{_PREAMBLE}"'), result("t1", _UNPARSED, True)]
    )
    assert lesson.text != ZSH_PARSE_TEXT


def test_a_file_rewritten_from_a_here_document_is_the_edit_not_the_look_before_it(
    tmp_path: Path,
) -> None:
    rewrite = "cat <<'EOF' > cmd/api/main.go\npackage main\n\nfunc main() { run(ctx, cfg) }\nEOF"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "GOTMPDIR=/tmp/scratch go test ./..."),
            result(
                "t1",
                "Exit code 1\ncmd/api/main.go:9:2: not enough arguments in call to run\nFAIL\tex.org/api [build failed]",
                True,
            ),
            call("t2", "sed -n '1,80p' cmd/api/main.go"),
            result("t2", "package main"),
            call("t3", rewrite),
            result("t3", ""),
            call("t4", "GOTMPDIR=/tmp/scratch go test ./..."),
            result("t4", "ok  \tex.org/api\t0.2s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert lesson.fix is None and "sed" not in lesson.text
    assert lesson.text.startswith("`GOTMPDIR=… go test ./...` failed with")


def test_a_wildcard_zsh_found_no_file_for_is_an_answer_not_a_failure(tmp_path: Path) -> None:
    records = [
        call("t1", "ls .eslintrc*"),
        result("t1", "Exit code 1\nzsh:1: no matches found: .eslintrc*", True),
        call("t2", "ls web/.eslintrc*"),
        result("t2", "web/.eslintrc.cjs"),
    ]
    assert _failures(tmp_path, records) == []


def test_the_other_interpreter_starting_is_the_way_and_its_own_failure_stays(
    tmp_path: Path,
) -> None:
    """No `python`; `python3 -m pytest` starts and says it has no pytest: `python3` is the way
    past the first failure, and the missing pytest is a failure of its own."""
    path = _write(
        tmp_path,
        [
            call("t1", "python -m pytest"),
            result("t1", "Exit code 127\n/bin/bash: line 1: python: command not found", True),
            call("t2", "python3 -m pytest"),
            result("t2", "Exit code 1\n/usr/bin/python3: No module named pytest", True),
        ],
    )
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    texts = [c.text for c in RulesExtractor().extract(run, episodes, read_lines(path))]
    assert texts == [
        "`python` is not on the PATH here (“python: command not found”); use `python3 …` instead.",
        "`python3 -m pytest` fails here: “/usr/bin/python3: No module named pytest” (no fix seen).",
    ]


def test_an_interpreter_windows_could_not_start_is_no_way(tmp_path: Path) -> None:
    """No `pip`; `python -m pip install` then fails as Windows' launcher cannot start the
    interpreter it names: nothing got past, no way was seen."""
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", "pip install python-docx 2>&1"),
            result("t1", "Exit code 127\n/usr/bin/bash: line 1: pip: command not found", True),
            call("t2", "where python 2>&1; python -m pip install python-docx 2>&1"),
            result(
                "t2",
                "Exit code 101\nC:\\Tools\\python.exe\nUnable to create process using "
                "'C:\\Tools\\python.exe -m pip install python-docx': ???",
                True,
            ),
        ],
    )
    assert episode.fix is None and "where" not in lesson.text


def test_the_missing_program_missing_by_its_other_name_too_is_no_way(tmp_path: Path) -> None:
    """No `pytest`, and `python3 -m pytest` has none either: no way to run it was seen."""
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 127\nbash: pytest: command not found", True),
            call("t2", "python3 -m pytest -q"),
            result("t2", "Exit code 1\n/usr/bin/python3: No module named pytest", True),
        ],
    )
    assert episode.fix is None and "python3" not in lesson.text


@pytest.mark.parametrize(
    "interpreter",
    [
        "C:\\Program Files\\Python313\\python.exe",
        "D:\\tools\\Python 3.12\\python3.exe",
        "/opt/my tools/bin/python3",
    ],
)
def test_the_other_form_lacking_the_module_is_no_way_whatever_the_interpreters_path(
    tmp_path: Path, interpreter: str
) -> None:
    """No `streamlit`, and `python -m streamlit` has none either, said after an interpreter's
    path with a drive, backslashes or spaces: no way to run it was seen."""
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", "streamlit run board.py"),
            result(
                "t1", "Exit code 127\n/usr/bin/bash: line 1: streamlit: command not found", True
            ),
            call("t2", "python -m streamlit run board.py"),
            result("t2", f"Exit code 1\n{interpreter}: No module named streamlit", True),
        ],
    )
    assert episode.fix is None and "python -m" not in lesson.text


def test_the_other_form_that_starts_is_still_the_way(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 127\n/usr/bin/bash: line 1: pytest: command not found", True),
            call("t2", "python -m pytest -q"),
            result("t2", "12 passed in 0.40s"),
        ],
    )
    assert episode.fix is not None
    assert lesson.text == (
        "`pytest` is not on the PATH here (“pytest: command not found”); "
        "use `python -m pytest …` instead."
    )


@pytest.mark.parametrize(
    ("lookup", "output"),
    [
        ("which deploy", "/usr/local/bin/deploy"),
        ("type -a deploy", "deploy is /usr/local/bin/deploy"),
        ("command -v deploy", "/usr/local/bin/deploy"),
        ("alias deploy", "alias deploy='./scripts/deploy.sh'"),
        ("alias | grep deploy", "alias deploy='./scripts/deploy.sh'"),
    ],
)
def test_asking_what_the_missing_name_is_is_no_way_to_run_it(
    tmp_path: Path, lookup: str, output: str
) -> None:
    """`deploy` not found; `which deploy` or `alias deploy` answering says what the name is:
    nothing ran by it, no way past."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "deploy --dry-run"),
            result("t1", "Exit code 127\nbash: line 1: deploy: command not found", True),
            call("t2", lookup),
            result("t2", output),
        ],
    )
    assert episode.fix is None and f"`{lookup.split()[0]}" not in lesson.text


def test_the_missing_program_run_by_its_full_path_is_still_the_way(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "deploy --dry-run"),
            result("t1", "Exit code 127\nbash: line 1: deploy: command not found", True),
            call("t2", "/usr/local/bin/deploy --dry-run"),
            result("t2", "dry run: 3 services would be deployed"),
        ],
    )
    assert episode.fix is not None and "/usr/local/bin/deploy" in lesson.text


def test_no_alias_of_a_name_is_no_program_missing(tmp_path: Path) -> None:
    """`alias deploy` answered by bash's `alias` builtin that no such alias is defined: no
    program is missing, and the next call is no way to run one."""
    path = _write(
        tmp_path,
        [
            call("t1", "alias deploy"),
            result("t1", "Exit code 1\n/nix/bin/bash: line 1: alias: deploy: not found", True),
            call("t2", "alias | grep deploy"),
            result("t2", "Error", True),
        ],
    )
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    lessons = RulesExtractor().extract(run, episodes, read_lines(path))
    assert all(episode.fix is None for episode in episodes)
    assert all("not on the PATH" not in lesson.text for lesson in lessons)


@pytest.mark.parametrize(
    "command",
    [
        "sleep 5 && tail -50 /tmp/tasks/b9fbd81.output",
        "tail -15 /tmp/e2e.log; echo '---'; sed 's/\\x1b\\[[0-9;]*m//g' /tmp/e2e.log | grep -c ok",
        'date; ps -ef | grep -E "qemu|run_e2e" | grep -v grep | head',
    ],
)
def test_failures_printed_from_a_file_are_no_failure_of_the_call(
    tmp_path: Path, command: str
) -> None:
    """A call that only printed a log (a background run's, read with `tail`) exited well:
    the failures the log tells of are no failure of `tail`, nor of `sleep`."""
    records = [
        call("t1", command),
        result("t1", "FAILED tests/test_a.py::test_b - AssertionError\n1 failed, 3 passed"),
    ]
    assert _failures(tmp_path, records) == []
    ran = [call("t1", "pytest -q"), result("t1", "FAILED tests/test_a.py::test_b\n1 failed")]
    assert len(_failures(tmp_path, ran)) == 1  # the program that ran the tests did fail


def test_queries_between_are_no_step_that_prepared_the_call(tmp_path: Path) -> None:
    """The service was not up yet; `rosnode list` and `pgrep` only asked: the call working
    later was not prepared by them."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "rosservice info /nav/finish"),
            result("t1", "Exit code 1\nERROR: unknown service", True),
            call("t2", "rosparam get /nav/state && rosnode list"),
            result("t2", "waiting\n/nav"),
            call("t3", "pgrep -af nav_manager"),
            result("t3", "4242 python nav_manager.py"),
            call("t4", "rosservice info /nav/finish"),
            result("t4", "Node: /nav\nType: std_srvs/Trigger"),
        ],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.PREPARED
    assert "first" not in lesson.text


@pytest.mark.parametrize(
    "command",
    [
        "sleep 3\npython scripts/smoke.py 2>&1 | tail -20",
        'echo "--- smoke"\npython scripts/smoke.py',
        "find scripts -name 'smoke*.py' -exec python {} \\;",
        'echo "$(python scripts/smoke.py 2>&1)"',
    ],
)
def test_a_program_run_by_a_printing_call_can_fail(tmp_path: Path, command: str) -> None:
    """A line after `sleep`, `find -exec`, `$(…)`: a program ran, and its failure is one."""
    records = [
        call("t1", command),
        result(
            "t1",
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'requests'",
        ),
    ]
    assert len(_failures(tmp_path, records)) == 1


def test_a_wildcard_of_another_step_keeps_the_quoting_lesson(tmp_path: Path) -> None:
    """`ls src/*.py` looked, but zsh names the unquoted URL of `curl`: a name taken for a
    pattern, the quoting lesson."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "ls src/*.py && curl -s http://localhost:8000/api/items?limit=5"),
            result(
                "t1",
                "Exit code 1\n(eval):1: no matches found: http://localhost:8000/api/items?limit=5",
                True,
            ),
        ],
    )
    assert lesson.text.startswith("The shell here is zsh")


@pytest.mark.parametrize(
    ("failed", "error", "step"),
    [
        (
            "go run .",
            "main.go:5:2: no required module provides package github.com/jackc/pgx/v5; to add it:",
            "go get github.com/jackc/pgx/v5",
        ),
        ("terraform plan", "Error: Module not installed", "terraform get"),
    ],
)
def test_a_get_that_downloads_is_a_step_first(
    tmp_path: Path, failed: str, error: str, step: str
) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", step),
            result("t2", "ok"),
            call("t3", failed),
            result("t3", "done"),
        ],
    )
    assert f"run `{step}` first" in lesson.text


@pytest.mark.parametrize(
    ("error", "retry_body"),
    [
        # another script under the venv's interpreter: the day's code written again
        ("KeyError: 'x'", "import yaml\nprint(yaml.safe_load(open('c.yml'))['y'])"),
        (
            "ModuleNotFoundError: No module named 'requests'",
            "import httpx\nprint(httpx.get('http://a'))",
        ),
    ],
)
def test_another_script_under_another_interpreter_is_no_remedy(
    tmp_path: Path, error: str, retry_body: str
) -> None:
    body = "import requests\nprint(requests.get('http://a'))"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", f"python - <<'PY'\n{body}\nPY"),
            result("t1", f"Exit code 1\nTraceback (most recent call last):\n{error}", True),
            call("t2", f".venv/bin/python - <<'PY'\n{retry_body}\nPY"),
            result("t2", "ok"),
        ],
    )
    assert lesson.fix is None and ".venv" not in lesson.text


def test_a_runner_form_that_lacks_the_program_too_is_no_way(tmp_path: Path) -> None:
    """No `tsc`, and `npx tsc` cannot find typescript: no way to run it was seen."""
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", "tsc --noEmit"),
            result("t1", "Exit code 127\n/bin/bash: line 1: tsc: command not found", True),
            call("t2", "npx tsc --noEmit"),
            result("t2", "Exit code 1\nError: Cannot find module 'typescript'", True),
        ],
    )
    assert episode.fix is None and "npx" not in lesson.text


def test_a_wildcard_looked_for_among_other_steps_is_no_failure(tmp_path: Path) -> None:
    """`ls node*` found none, other probes after it: the pattern was meant (no node there),
    no name zsh took for one; it must not support the lesson to quote arguments."""
    records = [
        call("t1", "ls /opt/homebrew/bin/node* ~/.nvm/versions/node/*/bin/node 2>/dev/null; "
             "command -v fnm 2>/dev/null; echo done"),
        result("t1", "Exit code 1\n(eval):1: no matches found: /opt/homebrew/bin/node*", True),
    ]  # fmt: skip
    assert _failures(tmp_path, records) == []


def test_go_test_failures_quote_the_test_line_and_a_passing_rerun_is_the_fix(
    tmp_path: Path,
) -> None:
    failing = (
        "Exit code 1\n?   \tex.org/tide/cmd\t[no test files]\n=== RUN   TestRounding\n"
        "    table_test.go:31: expected 4.25m, got 4.2m\n--- FAIL: TestRounding (0.00s)\nFAIL"
    )
    passing = "Exit code 0\n?   \tex.org/tide/cmd\t[no test files]\n=== RUN   TestRounding\n--- PASS: TestRounding (0.00s)\nok"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "go test -v ./..."),
            result("t1", failing, True),
            edit("e1", "table.go", "Round(x, 1)", "Round(x, 2)"),
            result("e1", "The file table.go has been updated successfully."),
            call("t2", "go test -v ./..."),
            result("t2", passing),
        ],
    )
    assert "table_test.go:31: expected 4.25m, got 4.2m" in lesson.text
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


_SPAWN = "error: Failed to spawn: `mypy`\n  Caused by: No such file or directory (os error 2)"


def test_a_form_that_got_past_a_program_it_could_not_start_is_the_fix(tmp_path: Path) -> None:
    """`uv run mypy` could not start mypy; `uv run --with mypy mypy` did, and then reported
    type errors: that is mypy doing its work, and the spawn error's fix."""
    lessons = _failures(
        tmp_path,
        [
            call("t1", "uv run mypy src"),
            result("t1", f"Exit code 2\n{_SPAWN}", True),
            call("t2", "uv run --with mypy mypy src"),
            result("t2", "Exit code 1\nsrc/app.py:4: error: Missing return\nFound 1 error", True),
        ],
    )
    (episode, lesson) = lessons[0]
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.fix == "uv run --with mypy mypy src"
    assert lesson.text.startswith("`uv run mypy src` fails here (“error: Failed to spawn")
    assert "use `uv run --with mypy mypy" in lesson.text and "instead." in lesson.text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # the retry could not start the program either
        (f"Exit code 2\n{_SPAWN}", f"Exit code 2\n{_SPAWN}"),
        # a failure of the program's own work, then another: no sign of what fixed the first
        ("Exit code 1\nsrc/app.py:4: error: Missing return", "Exit code 1\nKeyError: 'x'"),
    ],
)
def test_a_retry_that_failed_is_no_fix_unless_it_got_past_a_missing_program(
    tmp_path: Path, first: str, second: str
) -> None:
    lessons = _failures(
        tmp_path,
        [
            call("t1", "uv run mypy src"),
            result("t1", first, True),
            call("t2", "uv run --with mypy mypy src"),
            result("t2", second, True),
        ],
    )
    assert lessons[0][0].fix is None


_NO_STORAGE = (
    "Exit code 1\nTraceback (most recent call last):\n"
    '  File "/srv/api/jobs/sync.py", line 7, in <module>\n'
    "    from storage.pg import connect\nModuleNotFoundError: No module named 'storage'"
)


@pytest.mark.parametrize(
    ("second", "fixed"),
    [
        # the path set, the job stopped at its next import: a module of a package, no script
        ('Exit code 1\nTraceback (most recent call last):\n  File "/srv/api/jobs/sync.py", '
         "line 8, in <module>\n    from .feeds import Feed\nImportError: attempted relative "
         "import with no known parent package", False),
        # stopped by the time limit, or killed: nothing shows it got to its work
        ("Command timed out after 2m 0.0s", False),
        ("Exit code 137\nKilled", False),
        # called the wrong way: it never did the job
        ("Exit code 2\nusage: sync.py [-h] [--feed FEED]\nsync.py: error: the following "
         "arguments are required: --feed", False),
        # it ran, and failed on the job's own data: the path was the way past the import
        ('Exit code 1\nTraceback (most recent call last):\n  File "/srv/api/jobs/sync.py", '
         "line 40, in main\n    rows = plans[feed]\nKeyError: 'news'", True),
    ],
)  # fmt: skip
def test_another_form_got_past_only_when_what_failed_next_is_the_work(
    tmp_path: Path, second: str, fixed: bool
) -> None:
    """`python jobs/sync.py` could not import `storage`; with `PYTHONPATH` set it counts as
    the way past only when what fails next is the job itself, not another failure to start
    it (an import, a time limit, a kill, its usage)."""
    path = _write(
        tmp_path,
        [
            call("t1", "python jobs/sync.py --feed news"),
            result("t1", _NO_STORAGE, True),
            call("t2", "PYTHONPATH=/srv/api python jobs/sync.py --feed news"),
            result("t2", second, True),
        ],
    )
    run = parse_file(path, path.parent)
    episode = next(e for e in find_episodes(run) if e.kind is LessonKind.FAILURE)
    (lesson,) = RulesExtractor().extract(run, [episode], read_lines(path))
    if fixed:
        assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
        assert "PYTHONPATH" in lesson.text
    else:
        assert episode.fix is None and "PYTHONPATH" not in lesson.text


def test_tests_that_ran_and_failed_to_import_the_code_under_work_got_past(tmp_path: Path) -> None:
    """With `PYTHONPATH` set pytest ran, and a test could not import a name the code does not
    have yet: that is the work failing, and the setting the way past the first error."""
    collected = (
        "Exit code 2\n____ ERROR collecting tests/test_sync.py ____\nImportError while "
        "importing test module '/srv/api/tests/test_sync.py'.\ntests/test_sync.py:3: in "
        "<module>\n    from jobs.sync import plan\nE   ImportError: cannot import name 'plan' "
        "from 'jobs.sync'\n1 error in 0.12s"
    )
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", "pytest tests/test_sync.py"),
            result("t1", _NO_STORAGE, True),
            call("t2", "PYTHONPATH=/srv/api pytest tests/test_sync.py"),
            result("t2", collected, True),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert "PYTHONPATH" in lesson.text


def test_a_repeat_that_still_could_not_run_leaves_the_fix_to_the_form_that_did(
    tmp_path: Path,
) -> None:
    """`uv sync` did not add mypy and the same call could not start it again; both failures
    are fixed by the form that did start it."""
    lessons = _failures(
        tmp_path,
        [
            call("t1", "uv run mypy src"),
            result("t1", f"Exit code 2\n{_SPAWN}", True),
            call("t2", "uv sync"),
            result("t2", "Resolved 8 packages in 2ms"),
            call("t3", "uv run mypy src"),
            result("t3", f"Exit code 2\n{_SPAWN}", True),
            call("t4", "uv run --with mypy mypy src"),
            result("t4", "Exit code 1\nsrc/app.py:4: error: Missing return\nFound 1 error", True),
        ],
    )
    fixes = [episode.fix for episode, _ in lessons[:2]]
    assert all(f is not None and f.kind is FixKind.REPLACED for f in fixes)
    assert {lesson.text for _, lesson in lessons[:2]} == {lessons[1][1].text}


def test_a_form_that_ran_after_an_install_is_not_the_fix_of_the_missing_program(
    tmp_path: Path,
) -> None:
    """The install let the runner start: the other form of the call only got the credit."""
    lessons = _failures(
        tmp_path,
        [
            call("t1", "pnpm test --filter cart"),
            result("t1", "Exit code 127\nsh: vitest: command not found", True),
            call("t2", "ls node_modules"),
            result("t2", ""),
            call("t3", "pnpm install"),
            result("t3", "Packages: +311\nDone in 4.2s"),
            call("t4", "pnpm test --filter cart-total"),
            result("t4", "Exit code 1\n FAIL src/cart.test.ts > sums\nTests  1 failed", True),
        ],
    )
    episode, lesson = lessons[0]
    assert episode.fix is None or episode.fix.kind is not FixKind.REPLACED
    assert "instead" not in lesson.text


def test_a_parallel_step_whose_result_came_first_prepared_the_retry(tmp_path: Path) -> None:
    """The host key added beside the retry (its result first) is the fix; the retry's own
    `2>&1 || true` only masks the exit status and is never the remedy."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "ssh -T git@git.example.test"),
            result("t1", "Host key verification failed.", True),
            call("t2", "ssh-keyscan -t ed25519 git.example.test >> ~/.ssh/known_hosts"),
            call("t3", "ssh -T git@git.example.test 2>&1 || true"),
            result("t2", "# git.example.test:22 SSH-2.0-test"),
            result("t3", "Hello, deploy-bot! No shell here."),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "ssh-keyscan -t ed25519 git.example.test >> ~/.ssh/known_hosts"
    assert "|| true" not in lesson.text and "2>&1" not in lesson.text
    assert "run `ssh-keyscan -t ed25519 git.example.test" in lesson.text
    assert "Host key verification failed." in lesson.text


@pytest.mark.parametrize(
    "retry",
    [
        "make check 2>&1",
        "make check || true",
        "make check; true",
        "make check 2>&1 | tail -20",
        "make check 2>&1 | head -50 || true",
    ],
)
def test_a_retry_only_wrapped_is_no_other_form(tmp_path: Path, retry: str) -> None:
    """Merging, cutting or masking the output of the same command changes nothing it does."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "make check"),
            result("t1", "Exit code 2\nmake: *** [check] Error 2 (lock held)", True),
            call("t2", retry),
            result("t2", "all checks passed"),
        ],
    )
    assert episode.fix is None or episode.fix.kind is FixKind.RETRIED
    assert lesson.fix is None and "instead" not in lesson.text


def test_a_masked_retry_that_prints_the_error_again_did_not_work(tmp_path: Path) -> None:
    """`|| true` makes the status 0: the same error printed again says it still failed."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "ssh -T git@git.example.test"),
            result("t1", "Host key verification failed.", True),
            call("t2", "ssh -T git@git.example.test 2>&1 || true"),
            {**result("t2", "Host key verification failed."), "toolUseResult": {"exitCode": 0}},
        ],
    )
    assert episode.fix is None


def test_another_form_keeps_no_masking_in_its_remedy(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm test"),
            result("t1", "Exit code 1\nnpm ERR! missing script: test", True),
            call("t2", "npm run test:unit || true"),
            result("t2", "Tests: 4 passed, 4 total"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.fix == "npm run test:unit" and "|| true" not in lesson.text


def test_a_version_probe_that_works_is_no_fix(tmp_path: Path) -> None:
    """`pytest` killed, then `python3 -m pytest --version` working: the other interpreter
    starts, which says nothing of whether it runs the tests (here it could not)."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pytest --version"),
            result("t1", "Exit code 137\nsandbox error: command was killed by a signal", True),
            call("t2", "python3 -m pytest --version"),
            result("t2", "pytest 8.4.1"),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "python3 -m pytest" not in lesson.text


HARNESS = """empresa="acme_pay"
nome_titulo="Acme Pay"

# Extract the block and test it
test_block="bash -lc 'echo $empresa'"
eval "$test_block"
"""


@pytest.mark.parametrize(
    "probe",
    [
        """empresa="acme_pay" nome_titulo="Acme Pay" bash -c 'echo "empresa=$empresa"'""",
        """empresa="acme_pay" nome_titulo="Acme Pay" bash -lc '\n  DB="$empresa"\n  printf "DB: %s" "$DB"\n'""",
    ],
)
def test_a_call_that_only_prints_is_no_fix(tmp_path: Path, probe: str) -> None:
    """A script's `eval` failing, then its variables echoed through `bash -c`: the shell read
    them, which shows nothing of the script (its error came back after)."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", HARNESS),
            result("t1", "/bin/bash: eval: line 52: syntax error: unexpected end of file", True),
            call("t2", probe),
            result("t2", "empresa=acme_pay"),
        ],
    )
    assert episode.fix is None and lesson.fix is None


@pytest.mark.parametrize(
    ("failed", "retry", "same"),
    [
        ("npm test src/a.test.ts", "pnpm vitest run src/a.test.ts", True),
        ("pnpm --version", "npm --version", True),
        # a probe of one program of the family says nothing of another's real work
        ("pnpm --version", "npm create vite@latest web -- --template react-ts", False),
        ("yarn", "npm install", False),  # a bare name asks for nothing in particular
    ],
)
def test_a_family_substitute_does_the_same_only_on_the_same_arguments(
    failed: str, retry: str, same: bool
) -> None:
    from metis_distill.mine.intent import same_intent

    assert same_intent(failed, retry) is same


def test_a_module_run_that_is_not_installed_either_is_no_fix(tmp_path: Path) -> None:
    """`pytest` not found, `python3 -m pytest` "No module named pytest": still not there."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 127\n/bin/bash: line 1: pytest: command not found", True),
            call("t2", "python3 -m pytest -q"),
            result("t2", "Exit code 1\n/usr/bin/python3: No module named pytest", True),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "python3 -m" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "retry", "program"),
    [
        ("cd app && TK_DB=x tk list --wisp", "tk list", "tk list"),
        (
            "git add . && git commit --no-sign -m wip",
            "git add . && git commit -m wip",
            "git commit",
        ),
        ("rsync -a --no-dereference src/ dst/ && ls dst", "rsync -a src/ dst/ && ls dst", "rsync"),
        (  # past `--`, the launched program's flag: not cargo's
            'cargo run -p cli --bin tool -- exec --json --prompt "q"',
            'cargo run -p cli --bin tool -- exec --json "q"',
            "tool exec",
        ),
        ("npm run test -- --watchAll", "npm run test", "npm run test"),
        (
            'cargo run --bin=tool -- exec --prompt "q"',
            'cargo run --bin=tool -- exec "q"',
            "tool exec",
        ),
        (
            'cargo run -p cli -- exec --prompt "q"',
            'cargo run -p cli -- exec "q"',
            "cargo run -- exec",
        ),
    ],
)
def test_the_flag_is_told_of_the_program_and_subcommand_it_was_given_to(
    failed: str, retry: str, program: str
) -> None:
    changes = flag_changes(failed, retry)
    assert changes.program == program and len(changes.dropped) == 1


def test_another_form_whose_piped_output_shows_another_error_is_no_fix(tmp_path: Path) -> None:
    """`npx eslint … | head -30` exited 0 (the pipe's status), printing its own crash: it did
    not work, so it is not what to use instead."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pnpm lint --fix src 2>&1 | head -50"),
            result("t1", "Exit code 1\nError: Cannot find module 'style-dictionary'", True),
            call("t2", "npx eslint --fix src 2>&1 | head -30"),
            result(
                "t2",
                "Oops! Something went wrong! :(\n\nESLint: 9.1.0\n\n"
                "Error: Cannot find module '@acme/eslint-config'",
            ),
        ],
    )
    assert episode.fix is None
    assert "npx eslint" not in lesson.text and lesson.fix is None


def test_a_rerun_whose_piped_output_opens_on_a_path_not_there_is_no_fix(tmp_path: Path) -> None:
    """`… | head -3` exited 0 (the pipe's status), though the program stopped at once on a
    path that is not there: the step before it did not make it work."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "./bin/serve.sh --check"),
            result(
                "t1",
                "Exit code 1\nserve.sh: line 7: conf/site.env: No such file or directory",
                True,
            ),
            call(
                "t2",
                "cp conf/site.env.sample /srv/site.env && ./bin/serve.sh --check 2>&1 | head -3",
            ),
            result("t2", "open /w/app/conf/site.env: no such file or directory"),
        ],
    )
    assert episode.fix is None
    assert "cp conf" not in lesson.text and lesson.fix is None


def test_a_hook_that_failed_is_told_of_the_commit_not_the_add(tmp_path: Path) -> None:
    """`git add x && git commit -m …` stops in husky's pre-commit hook: what failed is the
    commit (its hook), not `git add` of one file."""
    missing = (
        "Exit code 1\n.husky/pre-commit: line 5: .husky/_/husky.sh: No such file or directory\n"
        "husky - pre-commit hook exited with code 1 (error)"
    )
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git add src/pages/user/Dialog.vue && git commit -m 'Add the dialog'"),
            result("t1", missing, True),
        ],
    )
    assert lesson.text.startswith("`git commit` fails here")
    assert "Dialog.vue" not in lesson.text and "git add" not in lesson.text


@pytest.mark.parametrize(
    "refused",
    [
        "fatal: No configured push destination.",
        " ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs",
    ],
)
def test_a_push_refused_at_the_end_of_a_chain_is_told_of_the_push(
    tmp_path: Path, refused: str
) -> None:
    """`git add . && git commit -m … && git push` stopped at the remote: the push failed,
    not `git add`."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git add vercel.json && git commit -m 'Pin the runtime' && git push"),
            result("t1", f"[main 1a2b3c4] Pin the runtime\n{refused}", True),
        ],
    )
    assert lesson.text.startswith("`git push` fails here")


def test_a_subcommands_help_after_it_failed_is_no_fix(tmp_path: Path) -> None:
    """`--help` printed the usage: it did not do what the failed call was to do."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "shipit service"),
            result("t1", "Exit code 1\nFailed to prompt for options\n\nCaused by:\n  The input device is not a TTY", True),
            call("t2", "shipit service --help"),
            result("t2", "Manage services\n\nUsage: shipit service [OPTIONS] [SERVICE]"),
        ],
    )  # fmt: skip
    assert episode.fix is None
    assert "--help" not in lesson.text


_NO_PROMPT = "Exit code 1\nError: cannot prompt for the target folder: stdin is not interactive"


@pytest.mark.parametrize(
    ("retry", "output"),
    [
        ("npx -y @acme/setup migrate --help", "Usage: setup migrate [options]\n\nOptions:\n  -h, --help"),
        ("npx -y @acme/setup migrate -h", "Usage: setup migrate [options]\n\nOptions:\n  -h, --help"),
        ("npx -y @acme/setup migrate --dry-run", "Would move 3 files to ~/.acme/local (dry run)"),
    ],
)  # fmt: skip
def test_a_retry_that_only_asks_is_no_fix_of_a_call_meant_to_work(
    tmp_path: Path, retry: str, output: str
) -> None:
    """The migration could not prompt; the retry printed its usage or its plan and moved
    nothing: it is not the way to migrate."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx -y @acme/setup migrate"),
            result("t1", _NO_PROMPT, True),
            call("t2", retry),
            result("t2", output),
        ],
    )
    assert episode.fix is None
    assert retry not in lesson.text and "instead" not in lesson.text


@pytest.mark.parametrize("option", ["--yes", "--ci", "--non-interactive"])
def test_a_retry_that_adds_an_option_doing_the_work_is_still_the_way(
    tmp_path: Path, option: str
) -> None:
    """The control: the same migration told not to prompt moved the files."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx -y @acme/setup migrate"),
            result("t1", _NO_PROMPT, True),
            call("t2", f"npx -y @acme/setup migrate {option}"),
            result("t2", "Moved 3 files to ~/.acme/local"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert f"use `npx -y @acme/setup migrate {option}` instead" in lesson.text


_REJECTED_PUSH = (
    "Exit code 1\nTo https://github.com/acme/shop.git\n ! [rejected]        main -> main (fetch first)\n"
    "error: failed to push some refs to 'https://github.com/acme/shop.git'\n"
    "hint: Updates were rejected because the remote contains work that you do not\n"
    "hint: have locally. This is usually caused by another repository pushing to\n"
)
# git's two wordings of the hint: one names the pull outright, the other by example
_USE_PULL = "hint: the same ref. If you want to integrate the remote changes, use\nhint: 'git pull' before pushing again."
_PULL_FOR_EXAMPLE = "hint: the same ref. Integrate the remote changes (e.g.\nhint: 'git pull ...') before pushing again."


@pytest.mark.parametrize(
    ("hint", "step", "taught"),
    [
        (_USE_PULL, "git pull --rebase origin main", False),
        (_PULL_FOR_EXAMPLE, "git pull --rebase origin main", False),
        (_USE_PULL, "npm run sync-remote", True),
    ],
)
def test_a_pull_git_hinted_before_the_push_again_is_its_own_hint(
    tmp_path: Path, hint: str, step: str, taught: bool
) -> None:
    """git's hint names `git pull` for that day's remote: the pull that let the push through
    is nothing to teach; another step would be."""
    path = _write(
        tmp_path,
        [
            call("t1", "git push origin main"),
            result("t1", _REJECTED_PUSH + hint, True),
            call("t2", step),
            result("t2", "Successfully rebased and updated refs/heads/main."),
            call("t3", "git push origin main"),
            result("t3", "To https://github.com/acme/shop.git\n   1a2b3c4..5d6e7f8  main -> main"),
        ],
    )  # fmt: skip
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    lessons = RulesExtractor().extract(run, episodes, read_lines(path))
    assert [step.split()[-1] in lesson.text for lesson in lessons] == ([True] if taught else [])


# A push the remote's branch protection refused, as GitHub (rulesets, GH013; classic branch
# protection, GH006), GitLab, Bitbucket and Azure DevOps say it.
_RULES_REFUSED = (
    "Exit code 1\nremote: error: GH013: Repository rule violations found for refs/heads/main.\n"
    "remote: Review all repository rules at https://github.com/acme/shop/rules?ref=refs%2Fheads"
    "%2Fmain\nremote: \nremote: - Changes must be made through a pull request.\nremote: \n"
    "To https://github.com/acme/shop.git\n ! [remote rejected] main -> main (push declined due "
    "to repository rule violations)\nerror: failed to push some refs to "
    "'https://github.com/acme/shop.git'"
)
_PROTECTION_REFUSED = (
    "Exit code 1\nremote: error: GH006: Protected branch update failed for refs/heads/master.\n"
    "remote: error: At least 1 approving review is required by reviewers with write access.\n"
    " ! [remote rejected] master -> master (protected branch hook declined)\n"
    "error: failed to push some refs to 'github.com:acme/shop.git'"
)
_GITLAB_REFUSED = (
    "Exit code 1\nremote: GitLab: You are not allowed to push code to protected branches on "
    "this project.\nTo gitlab.example.com:team/shop.git\n ! [remote rejected] develop -> "
    "develop (pre-receive hook declined)\nerror: failed to push some refs"
)
_BRANCH_PUSHED = (
    "branch 'feat/cart-totals' set up to track 'origin/feat/cart-totals'.\nremote: \nremote: "
    "Create a pull request for 'feat/cart-totals' on GitHub by visiting:\nremote:      "
    "https://github.com/acme/shop/pull/new/feat/cart-totals\nremote: \n"
    "To https://github.com/acme/shop.git\n * [new branch]      feat/cart-totals -> "
    "feat/cart-totals"
)
_PR_WAY = "commit on a new branch, push it and open a pull request"


@pytest.mark.parametrize(
    "push",
    [
        "git push",
        "git push origin main",
        "git add src/cart.ts && git commit -m 'Round the totals' && git push",
    ],
)
def test_a_push_to_a_protected_branch_is_told_as_the_rule_whatever_the_command(
    tmp_path: Path, push: str
) -> None:
    """Branch protection refused the push, and a new branch pushed and a pull request opened
    got the work up: one wording whatever the push, the branch the remote protects named, the
    way the project takes said, and no name of that day's branch or file."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", push),
            result("t1", _RULES_REFUSED, True),
            call("t2", "git checkout -b feat/cart-totals && git push -u origin feat/cart-totals"),
            result("t2", _BRANCH_PUSHED),
            call("t3", "gh pr create --title 'Round the totals' --body 'Rounds the cart totals'"),
            result("t3", "https://github.com/acme/shop/pull/12"),
        ],
    )
    assert lesson.text.startswith("`main` is protected on the remote: pushes to it are refused")
    assert "Changes must be made through a pull request" in lesson.text
    assert _PR_WAY in lesson.text
    assert "cart" not in lesson.text and "fails here" not in lesson.text
    assert episode.fix is not None and lesson.fix is not None
    assert "cart" not in lesson.fix


def test_a_protected_branch_pushed_round_by_a_reset_chain_is_told_the_same(
    tmp_path: Path,
) -> None:
    """The commit moved onto a new branch in one chain (`git reset --soft HEAD~1 && git
    checkout -b … && git commit … && git push -u origin …`): the same lesson, not that chain."""
    moved = (
        "git reset --soft HEAD~1 && git checkout -b fix/cart-copy && git add src/cart.ts && "
        "git commit -m 'Fix the copy' && git push -u origin fix/cart-copy"
    )
    records = [
        call("t1", "git add src/cart.ts && git commit -m 'Fix the copy' && git push"),
        result("t1", _RULES_REFUSED, True),
        call("t2", moved),
        result(
            "t2",
            "[fix/cart-copy 1a2b3c4] Fix the copy\n * [new branch]      fix/cart-copy "
            "-> fix/cart-copy",
        ),
    ]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.text.startswith("`main` is protected on the remote")
    assert "reset" not in lesson.text and "fix/cart-copy" not in lesson.text
    assert lesson.fix is not None and "fix/cart-copy" not in lesson.fix


def test_a_protected_branch_with_no_other_push_seen_has_no_fix(tmp_path: Path) -> None:
    """The run stopped at the refusal (or pushed the same branch again once the user lifted
    the rule): the cause is told, no way counted as seen."""
    refused = [call("t1", "git push origin main"), result("t1", _RULES_REFUSED, True)]
    ((episode, lesson),) = _failures(
        tmp_path, [*refused, call("t2", "git status"), result("t2", "On branch main")]
    )
    assert lesson.text.startswith("`main` is protected on the remote")
    assert episode.fix is None and lesson.fix is None
    again = [call("t2", "git push origin main"), result("t2", "   1a2b3c4..5d6e7f8  main -> main")]
    ((_, lesson),) = _failures(tmp_path, [*refused, *again])
    assert lesson.text.startswith("`main` is protected on the remote") and lesson.fix is None


@pytest.mark.parametrize(
    ("refused", "branch", "said"),
    [
        (_PROTECTION_REFUSED, "master", "approving review is required"),
        (_GITLAB_REFUSED, "develop", "You are not allowed to push code to protected branches"),
    ],
)
def test_branch_protection_of_other_forges_is_the_same_rule(
    tmp_path: Path, refused: str, branch: str, said: str
) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", f"git push origin {branch}"),
            result("t1", refused, True),
            call("t2", "git switch -c chore/deps && git push -u origin HEAD"),
            result("t2", " * [new branch]      HEAD -> chore/deps"),
        ],
    )
    assert lesson.text.startswith(f"`{branch}` is protected on the remote")
    assert said in lesson.text and _PR_WAY in lesson.text
    assert lesson.fix is not None


@pytest.mark.parametrize(
    "refused",
    [
        # GitHub's push protection found a secret: a rule violation, but no branch's protection
        "Exit code 1\nremote: error: GH013: Repository rule violations found for refs/heads/main."
        "\nremote: - GITHUB PUSH PROTECTION\nremote:   Resolve the following violations before "
        "pushing again\nremote:   - Push cannot contain secrets\n ! [remote rejected] main -> "
        "main (push declined due to repository rule violations)",
        # a force-push the protection refused: its lesson is not to force, not a pull request
        "Exit code 1\nremote: error: GH006: Protected branch update failed for refs/heads/main."
        "\nremote: error: Cannot force-push to this branch\n ! [remote rejected] main -> main "
        "(protected branch hook declined)",
    ],
)
def test_other_refusals_of_a_push_are_not_the_protected_branch_rule(
    tmp_path: Path, refused: str
) -> None:
    ((_, lesson),) = _failures(
        tmp_path, [call("t1", "git push origin main"), result("t1", refused, True)]
    )
    assert "is protected on the remote" not in lesson.text
    assert "pull request" not in lesson.text


def test_a_merge_refused_for_want_of_a_review_is_no_refused_push(tmp_path: Path) -> None:
    """`gh pr merge` refused by the same protection: the pull request exists, nothing was
    pushed; not the push rule."""
    refused = (
        "Exit code 1\nGraphQL: At least 1 approving review is required by reviewers with write "
        "access. (mergePullRequest)"
    )
    ((_, lesson),) = _failures(
        tmp_path, [call("t1", "gh pr merge 12 --squash"), result("t1", refused, True)]
    )
    assert "is protected on the remote" not in lesson.text


def _shell_call(command: str) -> Event:
    return Event(
        0, "assistant", EventKind.TOOL_CALL, command, SourceRef("f.jsonl", 1, 1), tool_name="Bash"
    )


def test_a_push_output_of_blank_lines_is_read_in_one_pass() -> None:
    """Runs of blank lines in a push's output: the updated refs are read line by line, no
    pattern that lets whitespace cross newlines twice (which takes minutes on 4,000)."""
    blank = "\n" * 40_000
    assert _UPDATED.findall(blank) == [] == _UPDATED.findall(f"+{blank.replace(chr(10), ' ')}")
    pushed = _shell_call("git push origin main")
    assert not pushed_elsewhere(
        "main", pushed, f"To https://example.com/acme/shop.git\n{blank}done"
    )
    refused = f"remote:{blank[:3000]}remote: - Changes must be made through a pull request."
    assert protected_refusal(pushed, refused) is not None
    forced = " + 1a2b3c4...5d6e7f8 feat/cart -> feat/cart (forced update)"
    assert pushed_elsewhere("main", _shell_call("git push -f origin feat/cart"), forced)


@pytest.mark.parametrize(
    ("push", "output"),
    [
        # a tag, by its name, its full ref or `tag <name>`: no branch's work went up
        ("git push origin v1.2.0", " * [new tag]         v1.2.0 -> v1.2.0"),
        ("git push origin refs/tags/v1.2.0", " * [new tag]         v1.2.0 -> v1.2.0"),
        ("git push origin tag v1.2.0", " + 1a2b3c4...5d6e7f8 v1.2.0 -> v1.2.0 (forced update)"),
        # an option's value is no remote and no branch: the same protected branch pushed again
        ("git push -o ci.skip origin main", "   1a2b3c4..5d6e7f8  main -> main"),
        ("git push --push-option ci.skip origin main", "   1a2b3c4..5d6e7f8  main -> main"),
        ("git push --receive-pack /opt/git/receive origin main", "Everything up-to-date"),
        ("git push origin HEAD:refs/heads/main", "   1a2b3c4..5d6e7f8  HEAD -> main"),
        # a branch deleted, or a dry run: nothing of the work pushed
        ("git push origin --delete feat/old", " - [deleted]         feat/old"),
        ("git push origin :feat/old", " - [deleted]         feat/old"),
        ("git push --dry-run -u origin feat/cart", " * [new branch]      feat/cart -> feat/cart"),
    ],
)
def test_a_tag_or_an_option_value_pushed_is_no_other_branch(
    tmp_path: Path, push: str, output: str
) -> None:
    """After the refusal, a push that put no other branch up is no way seen."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git push origin main"),
            result("t1", _RULES_REFUSED, True),
            call("t2", push),
            result("t2", f"To https://github.com/acme/shop.git\n{output}"),
        ],
    )
    assert lesson.text.startswith("`main` is protected on the remote")
    assert episode.fix is None and lesson.fix is None


@pytest.mark.parametrize(
    "push",
    [
        "git push -o ci.skip -u origin feat/cart-totals",
        "git push --push-option=ci.skip origin v1.2.0 feat/cart-totals",
        "git push origin HEAD:refs/heads/feat/cart-totals",
    ],
)
def test_another_branch_pushed_with_options_or_a_tag_is_the_way(tmp_path: Path, push: str) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git push origin main"),
            result("t1", _RULES_REFUSED, True),
            call("t2", push),
            result("t2", f"{_BRANCH_PUSHED}\n * [new tag]         v1.2.0 -> v1.2.0"),
        ],
    )
    assert lesson.text.startswith("`main` is protected on the remote")
    assert episode.fix is not None and lesson.fix is not None


def test_a_secret_found_beside_the_pull_request_rule_is_not_the_rule(tmp_path: Path) -> None:
    """GitHub listed both rules the push broke; push protection's secret refuses a new
    branch too: the pull request is no way past it."""
    refused = (
        "Exit code 1\nremote: error: GH013: Repository rule violations found for refs/heads/main."
        "\nremote: \nremote: - Changes must be made through a pull request.\nremote: \n"
        "remote: - GITHUB PUSH PROTECTION\nremote:   Resolve the following violations before "
        "pushing again\nremote:   - Push cannot contain secrets\n ! [remote rejected] main -> "
        "main (push declined due to repository rule violations)"
    )
    ((_, lesson),) = _failures(
        tmp_path, [call("t1", "git push origin main"), result("t1", refused, True)]
    )
    assert "is protected on the remote" not in lesson.text
    assert protected_refusal(_shell_call("git push origin main"), refused) is None


def test_a_refusal_shown_by_a_call_that_pushed_nothing_is_not_the_rule(tmp_path: Path) -> None:
    """A file holding a refusal pasted from an earlier day, read by a call that then failed:
    no push was refused."""
    shown = (
        "Exit code 1\n# Notes\nThe last push said:\nremote: error: GH013: Repository rule "
        "violations found for refs/heads/main.\nremote: - Changes must be made through a pull "
        "request."
    )
    ((_, lesson),) = _failures(
        tmp_path, [call("t1", "cat NOTES.md && false"), result("t1", shown, True)]
    )
    assert "is protected on the remote" not in lesson.text
    assert protected_refusal(_shell_call("cat NOTES.md && false"), shown) is None
    for pushed in ("GIT_TERMINAL_PROMPT=0 git push", "git -C site push origin main 2>&1 | tail"):
        assert protected_refusal(_shell_call(pushed), shown) is not None


def test_a_push_through_another_folder_is_told_of_the_push(tmp_path: Path) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git -C site add -A && git -C site commit -m 'x' && git -C site push"),
            result("t1", "fatal: No configured push destination.", True),
        ],
    )
    assert lesson.text.startswith("`git push` fails here")  # git's `-C site` is where, not what


@pytest.mark.parametrize(
    "chain",
    [
        "git fetch origin && git rebase origin/main && git push",
        "git submodule update --init && git push",
        "git lfs pull && git push",
        "gh repo clone org/x && git push",
        "git remote add origin git@example.com:me/x.git && git push -u origin main",
    ],
)
def test_a_remote_another_step_reads_is_not_told_of_the_push(tmp_path: Path, chain: str) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [call("t1", chain), result("t1", "fatal: Could not read from remote repository.", True)],
    )
    assert not lesson.text.startswith("`git push")


def test_a_sudo_retry_that_could_not_run_is_no_fix(tmp_path: Path) -> None:
    """Permission denied, then `sudo` with no terminal to ask for the password: it never ran,
    so nothing "worked with sudo"."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "cat /var/log/app/error.log"),
            result("t1", "Exit code 1\ncat: /var/log/app/error.log: Permission denied", True),
            call("t2", "sudo cat /var/log/app/error.log"),
            result(
                "t2",
                "Exit code 1\nsudo: a terminal is required to read the password; either use "
                "the -S option to read from standard input or configure an askpass helper\n"
                "sudo: a password is required",
                True,
            ),
        ],
    )
    assert episode.fix is None and "sudo" not in lesson.text


def test_a_piped_run_of_tests_named_after_errors_did_work(tmp_path: Path) -> None:
    """`make check 2>&1 | tail -20` printing `=== RUN TestHandleError` and PASS worked: a
    test's name is no error."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "make check"),
            result("t1", "Exit code 2\nmake: *** [check] Error 2 (lock held)", True),
            call("t2", "make check 2>&1 | tail -20"),
            result(
                "t2",
                "=== RUN   TestHandleError\n--- PASS: TestHandleError (0.00s)\nPASS\n"
                "ok  \tshop/errors\t0.01s",
            ),
        ],
    )
    assert episode.fix is not None


def test_a_commit_between_red_and_green_prepared_nothing(tmp_path: Path) -> None:
    """Tests written first fail; the agent commits them, a subagent writes the code, the
    tests pass: neither the commit nor "run it first" is the lesson."""
    red = (
        "Exit code 1\nFAILED tests/test_cli.py::test_export - AssertionError\n2 failed, 764 passed"
    )
    records = [
        call("t1", "pytest -q --tb=no"),
        result("t1", red, True),
        call("t2", "git add tests/test_cli.py && git commit -m 'Red: export tests'"),
        result("t2", "[main 1a2b3c4] Red: export tests"),
        call("t3", "pytest -q --tb=no"),
        result("t3", "766 passed"),
    ]
    ((episode, lesson),) = _failures(tmp_path / "commit", records)
    assert episode.fix is None or episode.fix.kind is FixKind.RETRIED
    assert "git commit" not in lesson.text and "git add" not in lesson.text
    subagent = {
        "type": "assistant",
        "message": {"content": [{"type": "tool_use", "id": "t9", "name": "Agent",
                                 "input": {"description": "Implement the export command"}}]},
    }  # fmt: skip
    ((episode, lesson),) = _failures(tmp_path / "agent", [*records[:2], subagent, *records[4:]])
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


def test_a_package_looked_up_is_no_fix(tmp_path: Path) -> None:
    """`npx` of a package that does not exist, then `npm search` for it: the search worked,
    which shows what exists, not what to run."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx -y @acme/mcp-server-sqlite --help"),
            result(
                "t1",
                "npm error 404 Not Found - GET https://registry.npmjs.org/@acme%2fmcp-server-sqlite",
                True,
            ),
            call("t2", "npm search mcp-server-sqlite"),
            result("t2", "mcp-server-sqlite-npx | An MCP server for SQLite"),
        ],
    )
    assert episode.fix is None and "npm search" not in lesson.text


def test_a_probe_whether_a_module_imports_changes_nothing_between(tmp_path: Path) -> None:
    """`cv2` missing for `python`; the agent listed conda's environments and checked that
    `viv` imports it, then ran the script there: the environment is the fix, the probes
    between changed nothing."""
    missing = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'cv2'"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python decompose.py"),
            result("t1", missing, True),
            call("t2", "conda env list"),
            result("t2", "base  /opt/conda\nviv  /opt/conda/envs/viv"),
            call("t3", "conda run -n viv python -c \"import cv2; print('OK')\" 2>&1"),
            result("t3", "OK"),
            call("t4", "conda run -n viv python decompose.py"),
            result("t4", "processed 15 images"),
        ],
    )
    assert episode.fix is not None and episode.fix.call.text.endswith("python decompose.py")
    assert lesson.fix == "conda run -n viv python"


def test_a_one_liner_that_does_more_than_import_is_a_step(tmp_path: Path) -> None:
    missing = "ModuleNotFoundError: No module named 'cv2'"
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "python decompose.py"),
            result("t1", missing, True),
            call("t2", 'conda run -n viv python -c "import setup_env; setup_env.main()"'),
            result("t2", "done"),
            call("t3", "conda run -n viv python decompose.py"),
            result("t3", "processed 15 images"),
        ],
    )
    assert episode.fix is None


def test_a_run_with_its_steps_traced_is_no_fix(tmp_path: Path) -> None:
    """`bash -x ./install.sh | tail` shows where the script fails; its exit status hidden by
    the pipe, it mends nothing."""
    failed = (
        "Exit code 1\nstow: conflict: existing target is neither a link nor a directory: .zshrc"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "./install.sh"),
            result("t1", failed, True),
            call("t2", "bash -x ./install.sh 2>&1 | tail -100"),
            result("t2", "+ stow zsh\n+ echo done"),
        ],
    )
    assert episode.fix is None and "bash -x" not in lesson.text
    ((episode, _),) = _failures(
        tmp_path / "sudo",
        [
            call("t1", "sudo ./install.sh"),
            result("t1", failed, True),
            call("t2", "sudo bash -x ./install.sh 2>&1 | head -100"),
            result("t2", "+ stow zsh\n+ echo done"),
        ],
    )
    assert episode.fix is None


@pytest.mark.parametrize(
    "retry",
    [
        "GIT_TRACE=1 git stash 2>&1 | tail -10",
        "GIT_TRACE=1 GIT_CURL_VERBOSE=1 git stash",
        "env GIT_TRACE=1 git stash",
        "git stash --verbose",
        "git stash --debug 2>&1 | head -20",
    ],
)
def test_the_same_command_with_tracing_added_is_no_fix(tmp_path: Path, retry: str) -> None:
    """A setting or option that only makes the command say more (`GIT_TRACE=1`, `--verbose`)
    watches the failure; what it printed, behind a pipe or not, mends nothing."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git stash"),
            result("t1", "Exit code 1\nerror: could not write index", True),
            call("t2", retry),
            result("t2", "ok"),
        ],
    )
    assert episode.fix is None and lesson.fix is None and "instead" not in lesson.text


def test_a_rerun_as_verbose_as_the_failed_call_watched_nothing_more(tmp_path: Path) -> None:
    """Control: `-v` in both calls added no tracing; the edit between is the fix."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "pytest -v tests/test_cart.py"),
            result(
                "t1", "Exit code 1\nFAILED tests/test_cart.py::test_total - assert 3 == 4", True
            ),
            edit("t2", "cart.py", "return a + b", "return a + b + 1"),
            result("t2", "The file cart.py has been updated."),
            call("t3", "pytest -v tests/test_cart.py 2>&1 | tail -5"),
            result("t3", "tests/test_cart.py::test_total PASSED\n1 passed in 0.02s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


@pytest.mark.parametrize(
    "retry",
    [
        "RUST_BACKTRACE=1 cargo build --release",
        "cargo build --release -vv 2>&1 | tail -30",
    ],
)
def test_a_traced_rerun_then_a_real_change_keeps_the_change(tmp_path: Path, retry: str) -> None:
    """The traced rerun is passed over; the form that changed what ran is still the way."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "cargo build --release"),
            result("t1", "Exit code 101\nerror: linker `cc` not found", True),
            call("t2", retry),
            result("t2", "Compiling app v0.1.0"),
            call("t3", "cargo build --release --target x86_64-unknown-linux-musl 2>&1 | tail -3"),
            result("t3", "    Finished `release` profile [optimized] target(s) in 9.20s"),
        ],
    )
    assert episode.fix is not None and "--target" in episode.fix.call.text
    assert "use `cargo build --release --target x86_64-unknown-linux-musl` instead" in lesson.text


@pytest.mark.parametrize(
    ("failed", "error", "asked", "said"),
    [
        ("git stash", "error: could not write index", "git stash list", "stash@{0}: WIP on main"),
        ("brew services", "Error: Permission denied @ rb_sysopen", "brew services list", "ok"),
    ],
)
def test_the_failed_command_asked_what_is_there_is_no_fix(
    tmp_path: Path, failed: str, error: str, asked: str, said: str
) -> None:
    """A subcommand that only asks, added to the failed command's words, looks at the
    state the failed call was to change; it does none of its work."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", f"{asked} 2>&1"),
            result("t2", said),
        ],
    )
    assert episode.fix is None and lesson.fix is None and "instead" not in lesson.text


_LINT_FINDINGS = (
    "Exit code 1\nsrc/app/main_test.go:495:6: Error return value of `w.Write` is not checked"
    " (errcheck)\n\tw.Write(body)\n\t^\n2 issues:\n* errcheck: 2"
)


@pytest.mark.parametrize(
    "counted",
    [
        "grep: invalid option -- P\nusage: grep [-abcdDEFGHhIiJLlMmnOopqRSsUVvwXxZz] [pattern]",
        "  2 (errcheck)\n  1 (wrapcheck)",
    ],
)
def test_the_failed_command_piped_into_filters_is_no_fix(tmp_path: Path, counted: str) -> None:
    """`lint ./... | grep -o '(\\w+)' | sort | uniq -c` counts the same findings: its status is
    the last filter's, and what it printed (the findings tallied, or the filter's own error)
    shows no work done."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "golangci-lint run --timeout=30m ./... 2>&1"),
            result("t1", _LINT_FINDINGS, True),
            call(
                "t2",
                "golangci-lint run --timeout=30m ./... 2>&1 | grep -oP '\\(\\w+\\)$'"
                " | sort | uniq -c | sort -rn",
            ),
            result("t2", counted),
        ],
    )
    assert episode.fix is None and lesson.fix is None and "grep" not in lesson.text


def test_the_failed_command_filtered_after_edits_that_says_it_worked_shows_the_edits(
    tmp_path: Path,
) -> None:
    """Control: the code mended, the same lint piped into `grep` says no issue is left."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "golangci-lint run --timeout=30m ./... 2>&1"),
            result("t1", _LINT_FINDINGS, True),
            edit("t2", "src/app/main_test.go", "w.Write(body)", "_, _ = w.Write(body)"),
            result("t2", "The file src/app/main_test.go has been updated."),
            call("t3", "golangci-lint run --timeout=30m ./... 2>&1 | grep -v '^level='"),
            result("t3", "0 issues."),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


def test_a_changed_command_piped_into_tail_that_says_it_worked_is_the_fix(
    tmp_path: Path,
) -> None:
    """Control: a real change whose output, cut by `tail`, says the work was done."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "golangci-lint run --timeout=30m ./... 2>&1"),
            result("t1", _LINT_FINDINGS, True),
            call("t2", "golangci-lint run --timeout=30m --fix ./... 2>&1 | tail -5"),
            result("t2", "0 issues."),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert "use `golangci-lint run --timeout=30m --fix ./...` instead" in lesson.text


def test_a_call_that_moved_to_another_folder_first_shows_no_fix(tmp_path: Path) -> None:
    """The shell still stood in `apps/api` from an earlier `cd`; the call that worked moved
    back to the root first: the folder may be all that changed."""
    missing = 'undefined\n ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL  Command "build:packages" not found'
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pnpm build:packages 2>&1 | tail -10"),
            result("t1", f"Exit code 1\n{missing}", True),
            call("t2", "cd /w/shop && pnpm --filter='./packages/*' build 2>&1 | tail"),
            result("t2", "Done"),
        ],
    )
    assert episode.fix is None and "instead" not in lesson.text
    assert "ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL" in lesson.text


@pytest.mark.parametrize(
    ("said", "fixed"),
    [
        ("did it not update? I pushed the fix to the dotfiles repo", False),
        # the user ran the check themselves: that names no step of the agent's
        ("<bash-input>nix flake check</bash-input>", False),
        ("run nix flake update first, the lock is old", True),
    ],
)
def test_a_step_taken_after_the_user_spoke_is_the_fix_only_if_they_named_it(
    tmp_path: Path, said: str, fixed: bool
) -> None:
    """The user mended something outside the run, then the agent updated the lock and the
    check passed: the update alone is not shown to be the fix, unless the user asked for it."""
    error = "error: function 'anonymous lambda' called without required argument 'lib'"
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "nix flake check"),
            result("t1", error, True),
            say("user", said),
            call("t2", "nix flake update"),
            result("t2", "• Updated input 'dotfiles'"),
            call("t3", "nix flake check"),
            result("t3", "checking flake output 'nixosModules'..."),
        ],
    )
    assert episode.teachable_fix is fixed  # else the user's step, unseen


@pytest.mark.parametrize(
    ("proposed", "said", "fixed"),
    [
        # the user only said yes to the step the agent named: the agent's step is the fix
        ("go.sum lacks the new module. Shall I run `go mod tidy` first?", "ok", True),
        ("go.sum lacks the new module; I can run go mod tidy. Go ahead?", "Yes, please.", True),
        ("go.sum lacks the new module. Shall I run `go mod tidy` first?", "はい", True),
        # the agent asked the user to act: their "ok" may stand for what they did, unseen
        ("Could you pull the vendor branch on your side? Then I'll retry.", "ok", False),
        # more than a yes: what else the user did or knows is unseen
        ("Shall I run `go mod tidy` first?", "ok, I also bumped the proxy settings", False),
    ],
)
def test_a_yes_to_the_step_the_agent_proposed_keeps_that_step_the_fix(
    tmp_path: Path, proposed: str, said: str, fixed: bool
) -> None:
    """The agent proposed a step and the user approved it, adding nothing: the step the agent
    then took, and the call working after it, are as shown as with no word in between."""
    error = "Exit code 1\nmain.go:4:2: missing go.sum entry for module providing package x.org/kit"
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "go test ./..."),
            result("t1", error, True),
            say("assistant", proposed),
            say("user", said),
            call("t2", "go mod tidy"),
            result("t2", "go: downloading x.org/kit v1.2.0"),
            call("t3", "go test ./..."),
            result("t3", "ok  \tx.org/app\t0.012s"),
        ],
    )
    assert episode.teachable_fix is fixed  # else the user's step, unseen
    if fixed:
        assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED


def test_a_folder_a_call_between_moved_to_is_where_the_rerun_ran(tmp_path: Path) -> None:
    """Claude Code's shell keeps its folder: after `cd sub && nix flake update`, the check
    that passed ran on the sub-flake, not the one that failed."""
    error = "error: function 'anonymous lambda' called without required argument 'lib'"
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "nix flake check"),
            result("t1", error, True),
            call("t2", "cd lib/users/brojo && nix flake update"),
            result("t2", "• Updated input 'dotfiles'"),
            call("t3", "nix flake check"),
            result("t3", "checking flake output 'homeConfigurations'..."),
        ],
    )
    assert episode.fix is None


def test_a_long_script_given_to_python_is_read_in_linear_time(tmp_path: Path) -> None:
    """A multi-line `python3 -c` script of prints that ends on an assignment is no import
    probe, and saying so does not try every way to split it (it once took hours)."""
    body = "import sys\n" + "".join(f"print(sys.path[{i}])\n" for i in range(40)) + "x = 1\n"
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 127\nbash: pytest: command not found", True),
            call("t2", f'python3 -c "\n{body}"'),
            result("t2", "/usr/lib/python3"),
            call("t3", "python3 -m pytest -q"),
            result("t3", "3 passed"),
        ],
    )
    assert episode.fix is None  # no probe: a step between, which may have mattered


def test_a_move_to_another_folder_is_no_fix_on_any_path(tmp_path: Path) -> None:
    """`uv run pytest` could not spawn pytest; in `backend/` the other form ran and found a
    failing test: the folder may be all that changed, whatever the tests said."""
    spawn = "Exit code 2\nerror: Failed to spawn: `pytest`\n  Caused by: No such file or directory"
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "uv run pytest -q"),
            result("t1", spawn, True),
            call("t2", "cd backend && uv run python -m pytest -q"),
            result("t2", "FAILED tests/test_api.py::test_x - assert 1 == 2\n1 failed", True),
        ],
    )
    assert episode.fix is None and "instead" not in lesson.text


_SPAWN = "Exit code 2\nerror: Failed to spawn: `pytest`\n  Caused by: No such file or directory"


@pytest.mark.parametrize(
    ("failed", "error", "retry", "fixed"),
    [
        # the form brings the program itself
        ("uv run pytest -q", _SPAWN, "uv run --with pytest pytest -q", True),
        (
            "ruff check src",
            "Exit code 127\nbash: ruff: command not found",
            "uvx ruff check src",
            True,
        ),
        # the sync between may be what let it run
        ("uv run pytest -q", _SPAWN, "uv run python -m pytest -q", False),
        # another package: no pytest brought
        ("uv run pytest -q", _SPAWN, "uv run --with pytest-cov pytest -q", False),
    ],
)
def test_a_form_that_fetches_the_missing_program_is_the_fix_whatever_ran_between(
    tmp_path: Path, failed: str, error: str, retry: str, fixed: bool
) -> None:
    """The program could not be found; a sync and an edit later, the form that adds it to its
    own run did its work: that form, not the steps between, is what let it start."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", error, True),
            call("t2", "uv sync"),
            result("t2", "Resolved 14 packages in 2ms\nAudited 12 packages in 0.3ms"),
            edit("e1", "src/app/routes.py"),
            result("e1", "The file src/app/routes.py has been updated."),
            call("t3", retry),
            result(
                "t3",
                "Exit code 1\nsrc/app/routes.py:3:1: F401 `os` imported but unused\n1 failed",
                True,
            ),
        ],
    )
    assert (episode.fix is not None) is fixed
    if fixed:
        assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
        assert episode.fix.call.text == retry and "instead" in lesson.text
    else:
        assert "instead" not in lesson.text


def test_a_one_word_step_is_named_only_as_a_command(tmp_path: Path) -> None:
    """ "make sure the server starts" names no `make`: what the user changed may be the fix."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "./scripts/start.sh"),
            result("t1", "Exit code 1\nError: DATABASE_URL is not set", True),
            say("user", "I fixed the .env on my side, make sure the server starts now"),
            call("t2", "make"),
            result("t2", "built"),
            call("t3", "./scripts/start.sh"),
            result("t3", "listening on :3000"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.STEPPED_IN


@pytest.mark.parametrize(
    "steps",
    [
        [call("t2", "sleep 2 && tk dep remove a b"), result("t2", "Removed")],
        [call("t2", "sleep 2"), result("t2", ""), call("t3", "tk dep remove a b"), result("t3", "ok")],
    ],
)  # fmt: skip
def test_a_call_that_worked_after_a_wait_was_retried_not_prepared(
    tmp_path: Path,
    steps: list[dict],  # type: ignore[type-arg]
) -> None:
    """A lock held by another process: `sleep 2` is no step to run first, only time."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "tk dep remove a b"),
            result("t1", "Exit code 1\nError: sqlite3: database is locked", True),
            *steps,
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert "sleep" not in lesson.text


_LOCKED = "Exit code 1\nError: cannot drop link: sqlite3: database is locked"


def test_a_step_between_a_lock_and_its_rerun_is_no_fix(tmp_path: Path) -> None:
    """The tracker's database was locked while a read ran beside the write; a command of
    another tool ran, then the same write passed: the lock let go, that command mended
    nothing (a line "run it first" would teach a step that has nothing to do with it)."""
    write = "tk link drop T-2 T-1 && tk set T-2 --owner=me"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", write),
            call("t2", "tk view T-2"),
            result("t1", _LOCKED, True),
            result("t2", "T-2 · Wake idle workers [open]"),
            call("t3", "crew nudge-waiting"),
            result("t3", "Nothing waiting"),
            call("t4", write),
            result("t4", "Dropped link: T-2 no longer waits on T-1\nUpdated T-2"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert lesson.fix is None
    assert "nudge" not in lesson.text and "first" not in lesson.text


def test_git_steps_between_a_held_index_lock_and_the_rerun_are_no_fix(tmp_path: Path) -> None:
    held = (
        "Exit code 128\nfatal: Unable to create '/w/.git/index.lock': File exists.\n\n"
        "Another git process seems to be running in this repository"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", 'git commit -m "Add the export page"'),
            result("t1", held, True),
            call("t2", "git add src/export.ts"),
            result("t2", "(Bash completed with no output)"),
            call("t3", 'git commit -m "Add the export page"'),
            result("t3", "[main 1a2b3c4] Add the export page\n 1 file changed"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert lesson.fix is None and "git add" not in lesson.text


# Nix's refusal of a file git does not track, with its own hint on the lines after "run:".
_UNTRACKED_FOR_NIX = (
    "Exit code 1\nwarning: Git tree '/srv/fleet' is dirty\n"
    "error: Path 'hosts/lab.nix' in the repository \"/srv/fleet\" is not tracked by Git.\n\n"
    "       To make it visible to Nix, run:\n\n"
    '       git -C "/srv/fleet" add "hosts/lab.nix"'
)
# A flake's copy in the store lacking a module that was never staged.
_NOT_IN_FLAKE_SOURCE = (
    "Exit code 1\nwarning: Git tree '/srv/fleet' is dirty\nerror:\n"
    "       … while checking flake output 'nixosConfigurations'\n\n"
    "       error: path '/nix/store/q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3-source/modules/shell.nix' "
    "does not exist"
)
_FLAKE_CHECKED = "evaluating flake...\nchecking flake output 'nixosConfigurations'..."


@pytest.mark.parametrize(
    ("error", "staged"),
    [
        (_UNTRACKED_FOR_NIX, "git add hosts/lab.nix flake.nix"),
        (_NOT_IN_FLAKE_SOURCE, "git add modules/"),
    ],
)
def test_files_staged_for_a_flake_are_its_fix_not_a_rerun(
    tmp_path: Path, error: str, staged: str
) -> None:
    """Nix flakes read only the files git tracks: the new files staged, the same check
    passed. `git add` is the fix (the error itself asked for it); "passed when run again"
    would teach a blind rerun. Told as the rule, not this run's file."""
    for said in ("(Bash completed with no output)", ""):  # (an older harness's silent call)
        ((episode, lesson),) = _failures(
            tmp_path,
            [
                call("t1", "nix flake check"),
                result("t1", error, True),
                call("t2", staged),
                result("t2", said),
                call("t3", "nix flake check"),
                result("t3", _FLAKE_CHECKED),
            ],
        )
        assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
        assert "passed when run again" not in lesson.text
        assert lesson.text == NIX_UNTRACKED_TEXT
        assert lesson.fix is not None and "git add" in lesson.fix


def test_a_flake_check_rerun_with_nothing_between_is_still_a_retry(tmp_path: Path) -> None:
    """A download that failed once and went through on the plain rerun: a true retry."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "nix flake check"),
            result(
                "t1", "Exit code 1\nerror: unable to download 'https://x.test/a': HTTP 502", True
            ),
            call("t2", "nix flake check"),
            result("t2", _FLAKE_CHECKED),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert "passed when run again" in lesson.text


def test_an_untracked_file_nix_refused_is_told_as_the_rule_without_a_fix_seen(
    tmp_path: Path,
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "sudo nixos-rebuild switch --flake .#lab"),
            result("t1", _UNTRACKED_FOR_NIX, True),
        ],
    )
    assert episode.fix is None
    assert lesson.text == NIX_UNTRACKED_TEXT and lesson.fix is None


def test_a_hooks_changes_staged_before_it_ran_again_are_its_fix(tmp_path: Path) -> None:
    """pre-commit checks what is staged: the formatter's changes staged, the hooks passed."""
    modified = "Exit code 1\nblack....Failed\n- hook id: black\n- files were modified by this hook"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pre-commit run"),
            result("t1", modified, True),
            call("t2", "git add -u"),
            result("t2", "(Bash completed with no output)"),
            call("t3", "pre-commit run"),
            result("t3", "black....Passed"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert "passed when run again" not in lesson.text and lesson.fix == "git add -u"


@pytest.mark.parametrize(
    ("error", "step"),
    [
        (
            "Exit code 1\nrelease: CHANGELOG.md has changes not staged; "
            "run `git add CHANGELOG.md` first",
            "git add CHANGELOG.md",
        ),
        (
            "Exit code 1\nrelease: the version bump is not committed. To record it, run:\n\n"
            "    git commit -am 'Bump the version'",
            "git commit -am 'Bump the version'",
        ),
        (
            "Exit code 1\nrelease: unable to acquire the workspace lock; run `ws unlock --stale` "
            "and try again",
            "ws unlock --stale",
        ),
    ],
)
def test_a_step_the_error_asked_for_is_the_fix_not_a_rerun(
    tmp_path: Path, error: str, step: str
) -> None:
    """The script said which step to run; it ran, then the script passed: that step is the
    fix, git's bookkeeping or not, a lock held or not."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "./scripts/release.sh 1.4.0"),
            result("t1", error, True),
            call("t2", step),
            result("t2", "(Bash completed with no output)"),
            call("t3", "./scripts/release.sh 1.4.0"),
            result("t3", "Tagged v1.4.0"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert "passed when run again" not in lesson.text
    assert lesson.fix == step


@pytest.mark.parametrize(
    ("error", "step"),
    [
        (
            "Exit code 1\nrelease: the checkout lags its remote. Try "
            "'git reset --hard origin/main' and rerun.",
            "git reset --hard origin/main",
        ),
        (
            "Exit code 1\nrelease: the tool's cache looks stale. Try `rm -rf ~/.cache/relkit`",
            "rm -rf ~/.cache/relkit ~/.config/relkit",
        ),
        (
            "Exit code 1\nrelease: 2 stashed change sets would be lost. "
            "Run `git stash drop` to discard them.",
            "git stash drop",
        ),
        (
            "Exit code 1\nrelease: the last commit is a fixup; run `git reset --soft HEAD~1`",
            "git reset --hard HEAD~3",
        ),
        (
            "Exit code 1\nrelease: the hooks are out of date. To bypass them, run:\n\n"
            "    git commit --no-verify -m 'Release'",
            "git commit --no-verify -m 'Release'",
        ),
    ],
)
def test_a_destructive_step_the_error_asked_for_is_never_taught_as_the_fix(
    tmp_path: Path, error: str, step: str
) -> None:
    """A step that deletes, resets, discards, forces or runs what it fetched is no rule to
    run first because the error suggested it; the agent's step must also be the very step
    asked (not `git reset --hard HEAD~3` for `git reset --soft HEAD~1`)."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "./scripts/release.sh 1.4.0"),
            result("t1", error, True),
            call("t2", step),
            result("t2", "(Bash completed with no output)"),
            call("t3", "./scripts/release.sh 1.4.0"),
            result("t3", "Tagged v1.4.0"),
        ],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.PREPARED
    assert lesson.fix != step and f"`{step}` first" not in lesson.text
    assert step.split()[1] not in (lesson.fix or "")


def test_a_step_a_network_error_asked_for_does_not_pass_its_check(tmp_path: Path) -> None:
    """npm timed out and suggested cleaning its cache: the network came back, not the fix."""
    timeout = (
        "Exit code 1\nnpm ERR! code ETIMEDOUT\nnpm ERR! network request to "
        "https://registry.npmjs.org/left-pad failed, reason: connect ETIMEDOUT\n"
        "npm ERR! If the problem persists, run `npm cache clean --force`"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm install"),
            result("t1", timeout, True),
            call("t2", "npm cache clean --force"),
            result("t2", "npm WARN using --force"),
            call("t3", "npm install"),
            result("t3", "added 12 packages in 3s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert "cache clean" not in lesson.text and lesson.fix is None


@pytest.mark.parametrize(
    "error",
    [
        "release: test run: 3 failed",
        "release: steps executed during the run: npm ci",
        "Error: unknown flag: --tag\nRun 'relctl tag --help' for usage.",
        "relctl: no such command. Try `relctl help`",
        "release: the build failed. Run:\n\nThe notes say why.",
        "release: the build failed. Run:\n\n  42 retries left",
        "relkit is too old. To upgrade, run:\n\n    curl -sL https://relkit.test/get | sh",
        "relkit: the index is corrupt; run `relkit index --prune` and retry",
        "release: files left over; try `git clean -fdx`",
        "release: local edits; run `git checkout -- .` to throw them away",
        "release: permission denied; try running `sudo relkit setup`",
    ],
)
def test_words_that_only_look_like_a_step_asked_or_a_destructive_one_are_no_ask(
    error: str,
) -> None:
    """A count, a list of what ran, help for usage, a sentence after "Run:": nothing asked;
    nor a step that deletes, discards, forces, raises itself or runs what it fetched."""
    assert asked_steps(error) == frozenset()


def test_the_steps_an_error_asks_for_are_its_own_words() -> None:
    nix = 'To make it visible to Nix, run:\n\n       git -C "/x" add "a.nix"'
    assert asked_steps(nix) == {'git -C "/x" add "a.nix"'}
    assert asked_steps("To record it, run:\n\n    git commit -am 'Bump'") == {
        "git commit -am 'Bump'"
    }
    assert asked_steps("stale lock; run `ws unlock --stale` and try again") == {"ws unlock --stale"}


def test_a_step_that_stopped_the_locks_holder_is_still_the_fix(tmp_path: Path) -> None:
    """The dev server held the folder open; stopping it is what let the install through."""
    busy = "Exit code 1\nnpm ERR! code EBUSY\nnpm ERR! EBUSY: resource busy or locked, rmdir"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm install"),
            result("t1", busy, True),
            call("t2", 'pkill -f "next dev"'),
            result("t2", "(Bash completed with no output)"),
            call("t3", "npm install"),
            result("t3", "added 12 packages in 3s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == 'pkill -f "next dev"'


def test_a_rerun_piped_into_a_filter_shows_no_fix(tmp_path: Path) -> None:
    """`rspec x | grep -A10 Expected` exits with grep's status: the tests may still fail."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "bundle exec rspec spec/chats_spec.rb"),
            result(
                "t1",
                "Exit code 1\n" + "  a passing example\n" * 400 + "3 examples, 1 failure",
                True,
            ),
            call("t2", "bundle exec rspec spec/chats_spec.rb:42 2>&1 | grep -A10 Expected"),
            result("t2", "Expected: true\n got: false"),
        ],
    )
    assert episode.fix is None or episode.fix.call.text.find("grep") < 0


# A Playwright run's report cut in its middle: failing tests marked, no tally left to read;
# the marks as its list reporter prints them (`✘`; `x` on Windows' console).
def _playwright_report(mark: str, retry: bool = False) -> str:
    lines = [
        "  ok  1 [chromium] › tests/login.spec.ts:8:5 › Login › shows the form (410ms)",
        f"  {mark}   2 [chromium] › tests/login.spec.ts:15:5 › Login › rejects a bad password (290ms)",
        "  ok  3 [chromium] › tests/cart.spec.ts:4:5 › Cart › adds an item (380ms)",
        f"  {mark}   4 [chromium] › tests/cart.spec.ts:22:5 › Cart › applies a coupon (510ms)",
    ]
    if retry:
        return "\n".join(lines)
    attachment = "    attachment #1: screenshot (image/png) " + "─" * 60 + "\n"
    return (
        "Exit code 1\n\nRunning 4 tests using 2 workers\n\n"
        + "\n".join(lines)
        + (
            "\n\n  1) [chromium] › tests/login.spec.ts:15:5 › Login › rejects a bad password\n\n"
            + "    Error: expect(locator).toBeVisible() failed\n"
            + attachment * 80
        )
    )


@pytest.mark.parametrize("mark", ["✘", "x"])
@pytest.mark.parametrize(
    "retry",
    [
        'npx playwright test 2>&1 | grep -E "(ok|x |✘)" | head -40',
        "npx playwright test 2>&1 | tail -30",
        "npx playwright test 2>&1 | grep -v attachment",
    ],
)
def test_a_rerun_piped_into_a_filter_still_showing_failing_tests_is_no_fix(
    tmp_path: Path, mark: str, retry: str
) -> None:
    """The same tests still fail in the rerun whose status is a filter's: a look at the
    failures, no way to run them (the failure's own output long, its tally cut off)."""
    (episode, lesson), _ = _failures(
        tmp_path,
        [
            call("t1", "npx playwright test 2>&1"),
            result("t1", _playwright_report(mark), True),
            call("t2", retry),
            result("t2", _playwright_report(mark, retry=True)),
            edit("t3", "tests/login.spec.ts", "'.feedback'", "'.error'"),
            result("t3", "The file tests/login.spec.ts has been updated successfully."),
            call("t4", "npx playwright test 2>&1"),
            result("t4", _playwright_report(mark), True),
        ],
    )
    assert episode.fix is None
    assert lesson.fix is None and "instead" not in lesson.text


def test_reruns_of_the_failing_tests_are_no_steps_that_prepared_them(tmp_path: Path) -> None:
    """Between the suite's failure and its pass only its failing spec was run again, piped to
    grep, to read why: those looks changed nothing, and what did (an edit unseen) is the day's
    work: no "run X first", and no line."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", 'npm run test:unit 2>&1 | grep -E "Tests:|FAIL"'),
            result("t1", "FAIL test/invoice.spec.ts\nTests:       1 failed, 52 passed, 53 total"),
            call("t2", 'npx jest test/invoice.spec.ts --verbose 2>&1 | grep -B 2 -A 12 "●"'),
            result(
                "t2",
                "  ● Invoice › totals › rounds the tax\n\n    Expected: 3\n    Received: 4",
            ),
            call("t3", "npx vitest run test/invoice.spec.ts | grep -A 8 'rounds the tax'"),
            result("t3", "  ✓ rounds the tax (2 ms)\n\n Test Files  1 passed (1)"),
            call("t4", 'npm run test:unit 2>&1 | grep -E "Tests:|FAIL"'),
            result("t4", "Tests:       53 passed, 53 total"),
        ],
    )
    assert episode.fix is None or (episode.fix.kind is FixKind.RETRIED and not episode.fix.steps)
    assert lesson.fix is None and "first" not in lesson.text
    assert held_back(_seen_once(lesson)) is HeldBack.WORK_OF_THE_DAY


def test_the_failed_test_script_read_again_through_a_filter_is_a_look(tmp_path: Path) -> None:
    """The project's `test:` script run again with more output, piped to grep to read why:
    no step that prepared the pass."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", 'npm run test:unit 2>&1 | grep -E "Tests:|FAIL"'),
            result("t1", "FAIL test/invoice.spec.ts\nTests:       1 failed, 52 passed, 53 total"),
            call("t2", 'npm run test:unit -- --verbose 2>&1 | grep -A 3 "FAIL\\|rounds the"'),
            result("t2", "  ● Invoice › totals › rounds the tax\n    Expected: 3"),
            call("t3", 'npm run test:unit 2>&1 | grep -E "Tests:|FAIL"'),
            result("t3", "Tests:       53 passed, 53 total"),
        ],
    )
    assert "first" not in lesson.text and lesson.fix is None


@pytest.mark.parametrize(
    "prepared",
    [
        "npm run test:db:migrate",  # a script of the `test:` family that sets things up
        "UPDATE_GOLDEN=1 npx jest tests/golden.spec.ts",  # the files compared with, rewritten
        "npx jest -u tests/golden.spec.ts | tail -3",
        "npm test",  # a test run read whole: its `pretest` may have built
        "npm run test:db:seed -- --reset",
    ],
)
def test_a_test_run_that_may_set_things_up_is_still_a_step(tmp_path: Path, prepared: str) -> None:
    """Only a test run read through a filter is a look: one of the `test:` family, one that
    writes what the tests compare with, or one read whole may have prepared the pass."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm run test:e2e"),
            result("t1", 'Exit code 1\nerror: relation "users" does not exist\n  1 failed', True),
            call("t2", prepared),
            result("t2", "done"),
            call("t3", "npm run test:e2e"),
            result("t3", "  12 passed (3.1s)"),
        ],
    )
    assert episode.fix is not None and episode.fix.steps, lesson.text
    assert "passed when run again" not in lesson.text


def test_a_step_between_two_test_runs_is_still_a_step(tmp_path: Path) -> None:
    """A build run between the failure and the pass prepared it; another spec run beside it
    only looked, and is no step to name."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx jest test/api.test.js"),
            result("t1", "Exit code 1\nCannot find module '../dist/index.js'", True),
            call("t2", "npx jest test/db.test.js 2>&1 | tail -3"),
            result("t2", "Tests:       3 passed, 3 total"),
            call("t3", "npm run build"),
            result("t3", "> tsc -p .\n"),
            call("t4", "npx jest test/api.test.js"),
            result("t4", "Tests:       9 passed, 9 total"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "npm run build"


def test_a_long_command_that_worked_instead_is_given_whole(tmp_path: Path) -> None:
    """Cut inside its quoted script, the command that worked could not be run as written."""
    retry = (
        'sudo -u deploy bash -c \'export PNPM_HOME="$HOME/.local/share/pnpm"; '
        'export PATH="$PNPM_HOME:$PATH"; pm2 status\''
    )
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "sudo -u deploy pm2 status"),
            result("t1", "Error: Cannot find module '/usr/local/lib/pnpm/pm2/bin/pm2'", True),
            call("t2", retry),
            result("t2", "│ id │ name │ status │"),
        ],
    )
    assert lesson.text == (
        "`sudo -u deploy pm2 status` fails here (“Error: Cannot find module …”); "
        f"use `{retry}` instead."
    )


def test_a_limit_of_minutes_the_call_set_is_not_called_short(tmp_path: Path) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            _at(_timed("t1", "pnpm build", 120000), 0),
            _at(result("t1", "Command timed out after 2m 0.0s", True), 120),
            _at(_timed("t2", "pnpm build", 300000), 130),
            _at(result("t2", "Build complete"), 400),
        ],
    )
    assert lesson.text == (
        "`pnpm build` timed out under the time limit the call set itself and passed once given "
        "300 s; give it 300 s or more."
    )


def test_an_inline_script_written_again_is_no_remedy(tmp_path: Path) -> None:
    """`python -c` failing on a path, then another `python -c` script working: the script was
    the day's code, written again (here from another folder): no command to use instead."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python -c \"import yaml; yaml.safe_load(open('app/conf/config.yaml'))\""),
            result(
                "t1",
                "Exit code 1\nFileNotFoundError: [Errno 2] No such file or directory: "
                "'app/conf/config.yaml'",
                True,
            ),
            call(
                "t2",
                "python -c \"\nimport yaml\ncfg = yaml.safe_load(open('conf/config.yaml'))\n\"",
            ),
            result("t2", "OK"),
        ],
    )
    assert lesson.fix is None and "instead" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "error", "text"),
    [
        # rg missing: another searcher on the same pattern is the way here
        ('rg -n "aider" scripts', "bash: rg: command not found",
         "`rg` is not on the PATH here (“rg: command not found”); use `grep -R …` instead."),
        # rg there but refusing the pattern: grep working is no rule of this machine
        ('rg -n "aider(" scripts', "rg: regex parse error:\n    aider(\n         ^\nerror: unclosed group",
         None),
    ],
)  # fmt: skip
def test_another_searcher_on_the_same_pattern_stands_in_for_a_missing_one(
    tmp_path: Path, failed: str, error: str, text: str | None
) -> None:
    pattern = failed.split()[2]
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 127\n{error}" if text else f"Exit code 2\n{error}", True),
            call("t2", f"grep -R {pattern} -n scripts"),
            result("t2", "scripts/run.sh:3:aider --yes"),
        ],
    )
    if text is None:
        assert lesson.fix is None
    else:
        assert lesson.text == text and lesson.fix == "grep -R"


@pytest.mark.parametrize(
    ("failed", "retry"),
    [
        # rg's alternation written again in grep's basic regex (`\|`), one word left out
        ('rg -n "parse_row|RowReader|row reader" lib -S -g \'!build\'',
         'grep -RIn "parse_row\\|row reader" lib || true'),
        # one file searched: the same alternatives, one spelt without its leading underscore
        ('rg -n "_load_theme|dark-mode|palette" ui/app.py',
         'grep -n "load_theme\\|dark-mode\\|palette" ui/app.py'),
    ],
)  # fmt: skip
def test_another_searcher_on_some_of_the_same_alternatives_stands_in_for_a_missing_one(
    tmp_path: Path, failed: str, retry: str
) -> None:
    """The pattern given to `rg` is an alternation; the search done with grep instead names
    some of the same alternatives in grep's own syntax: the same search, and it worked. `rg`
    searches folders on its own: its stand-in is named `grep -R`, whatever one run needed."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", "Exit code 127\nbash: line 1: rg: command not found", True),
            call("t2", retry),
            result("t2", "lib/rows.py:12:def parse_row(line):"),
        ],
    )
    assert episode.fix is not None and lesson.fix == "grep -R"
    assert lesson.text == (
        "`rg` is not on the PATH here (“rg: command not found”); use `grep -R …` instead."
    )


@pytest.mark.parametrize(
    ("retry", "output", "failed"),
    [
        # other words searched for
        ('grep -Rn "TODO\\|FIXME" lib', "lib/rows.py:3:# TODO: speed", False),
        # the same search, and grep failed on its own: it ran, but did not do the search
        ('grep -Rn "parse_row" libs', "Exit code 2\ngrep: libs: No such file or directory", True),
    ],
)  # fmt: skip
def test_a_search_that_is_not_shown_to_do_the_job_of_a_missing_searcher_is_no_way(
    tmp_path: Path, retry: str, output: str, failed: bool
) -> None:
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", 'rg -n "parse_row|RowReader" lib'),
            result("t1", "Exit code 127\nbash: line 1: rg: command not found", True),
            call("t2", retry),
            result("t2", output, failed),
        ],
    )
    assert episode.fix is None and lesson.fix is None and "grep" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "retry", "output", "text"),
    [
        # the recipe's own command run with the tool it wraps, and it worked
        ("cd api && just test", "cd api && cargo test --all-features",
         "test result: ok. 12 passed; 0 failed; 0 ignored",
         "`just` is not on the PATH here (“just: command not found”); run `cargo test …` in "
         "place of `just test` (that worked)."),
        ("make test", "go test ./...", "ok  \texample.com/shop/cart\t0.21s",
         "`make` is not on the PATH here (“make: command not found”); run `go test …` in place "
         "of `make test` (that worked)."),
        # the tool ran and failed too: it got past the missing runner, but nothing worked
        ("just fmt", "cargo fmt --all",
         "Exit code 101\nerror: process didn't exit successfully: `rustfmt --edition 2021` "
         "(exit status: 1)", None),
        ("just fmt", "cargo fmt --all",
         "Exit code 1\nerror: could not create temp file /home/u/.rustup/tmp/x: Operation not "
         "permitted (os error 1)", None),
    ],
)  # fmt: skip
def test_a_task_runners_recipe_run_with_the_tool_it_wraps_stands_in_for_the_runner(
    tmp_path: Path, failed: str, retry: str, output: str, text: str | None
) -> None:
    """`just` (or `make`) is not installed; the call right after ran a command of the recipe's
    name with the tool it wraps (`cargo test` for `just test`): the way here, when it worked."""
    runner = failed.split("&& ")[-1].split()[0]
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 127\nbash: line 1: {runner}: command not found", True),
            call("t2", retry),
            result("t2", output, text is None),
        ],
    )
    if text is None:
        assert episode.fix is None and lesson.fix is None and "cargo" not in lesson.text
    else:
        assert episode.fix is not None and lesson.text == text


@pytest.mark.parametrize(
    ("failed", "retry", "output"),
    [
        # another program's subcommand of the same name: not the recipe's tool, and it deletes
        ("make clean", "git clean -fdx", "Removing build/\nRemoving dist/"),
        ("cd web && just clean", "cd web && git clean -fd", "Removing out/"),
        # ... or it sends the work away: git is no toolchain a recipe mirrors
        ("make push", "git push", "To example.org:team/shop.git\n   1a2b3c4..5d6e7f8  main -> main"),
        ("make status", "git status", "On branch main\nnothing to commit, working tree clean"),
        # a toolchain, but a recipe of that name need not do what its subcommand does
        ("make install", "npm install", "added 12 packages in 2s"),
        ("just publish", "cargo publish", "Uploading shop v0.1.0"),
        ("make release", "cargo release", "Publishing shop v0.1.0"),
        # the toolchain, but run with a check the advice counts dangerous turned off
        ("make e2e", "npm run e2e -- --no-sandbox", "12 passing (3s)"),
        ("make test", "NODE_TLS_REJECT_UNAUTHORIZED=0 npm test", "12 passing (3s)"),
    ],
)  # fmt: skip
def test_a_subcommand_of_the_recipes_name_is_no_stand_in_unless_the_tool_mirrors_the_recipe(
    tmp_path: Path, failed: str, retry: str, output: str
) -> None:
    """`make` is not installed and the call after it ran a command of the recipe's name: only a
    toolchain whose subcommands a task runner's recipes wrap (`cargo`, `go`, `npm run` …) shows
    the recipe's way; `git clean -fdx` is not `make clean`, and no line teaches it in its place
    (nor a recipe that installs, publishes or deploys: the names match, the acts need not; nor
    a step with a safety check off)."""
    runner = failed.split("&& ")[-1].split()[0]
    program = retry.split("&& ")[-1].split()[0]
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 127\nbash: line 1: {runner}: command not found", True),
            call("t2", retry),
            result("t2", output),
        ],
    )
    assert recipe_instead(failed, retry, runner) is None
    assert f"`{program}" not in lesson.text and "in place of" not in lesson.text
    assert lesson.fix is None or program not in lesson.fix


@pytest.mark.parametrize(
    ("failed", "retry", "stand_in"),
    [
        ("make lint", "npm run lint", "npm run lint"),
        ("just test", "pnpm test -- --run", "pnpm test"),
        ("make build", "./gradlew build", "./gradlew build"),
        ("make check", "mix check", "mix check"),
    ],
)  # fmt: skip
def test_a_toolchain_that_mirrors_the_recipes_stands_in_for_the_runner(
    tmp_path: Path, failed: str, retry: str, stand_in: str
) -> None:
    """A package manager's scripts (`npm run lint`) and a build tool's tasks mirror a task
    runner's recipes: the recipe's name run with them, working, is the recipe's way here."""
    runner = failed.split()[0]
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 127\nbash: line 1: {runner}: command not found", True),
            call("t2", retry),
            result("t2", "done in 1.2s"),
        ],
    )
    assert recipe_instead(failed, retry, runner) == (failed, stand_in)
    assert episode.fix is not None and lesson.text == (
        f"`{runner}` is not on the PATH here (“{runner}: command not found”); run "
        f"`{stand_in} …` in place of `{failed}` (that worked)."
    )


def test_a_searcher_that_timed_out_in_place_of_a_missing_one_is_no_way(tmp_path: Path) -> None:
    """`rg` is not installed; `grep -R` over the whole tree ran into the time limit: it never
    showed it does the search, so "use `grep -R`" is not taught."""
    ((episode, lesson), *_) = _failures(
        tmp_path,
        [
            call("t1", 'rg -n "widget" -C2'),
            result("t1", "Exit code 127\nbash: rg: command not found", True),
            call("t2", 'grep -R "widget" -n'),
            result("t2", "Command timed out after 2m 0.0s", True),
        ],
    )
    assert episode.fix is None and lesson.fix is None and "grep" not in lesson.text


@pytest.mark.parametrize(
    ("command", "output", "kept"),
    [
        # standard error sent nowhere: the line left is what the command printed
        ("ls -la services/ && ls -la services/v3/ 2>/dev/null", "Exit code 2\ntotal 256\n-rw a.py", False),
        # a search's failure quoted by a line it found
        ('rg "AI" feicc', "Exit code 2\nfeicc/x/verify.sh: ((FAILED++))", False),
        # the search's own error, and an error said in words with stderr dropped, stay
        ('rg "AI(" feicc', "Exit code 2\nrg: regex parse error: unclosed group", True),
        ("cat a.txt 2>/dev/null || npm run build", "Exit code 1\nError: Cannot find module 'vite'", True),
    ],
)  # fmt: skip
def test_a_line_that_is_no_error_is_never_quoted_as_one(
    tmp_path: Path, command: str, output: str, kept: bool
) -> None:
    path = _write(tmp_path, [call("t1", command), result("t1", output, True)])
    run = parse_file(path, path.parent)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert bool(found) is kept


def test_where_a_missing_program_is_asked_runs_nothing(tmp_path: Path) -> None:
    """`which pyright || which npx` after "pyright: command not found" only looks; `npx
    pyright .` running it is the way here."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pyright ."),
            result("t1", "Exit code 127\n(eval):1: command not found: pyright", True),
            call("t2", "which pyright || which npx"),
            result("t2", "pyright not found\n/opt/homebrew/bin/npx"),
            call("t3", "npx pyright ."),
            result("t3", "0 errors, 0 warnings, 0 informations"),
        ],
    )
    assert lesson.fix == "npx" and "which" not in lesson.text


def test_another_program_on_the_same_words_is_named_without_them(tmp_path: Path) -> None:
    """`docker compose -f x.yml logs` refused, `docker-compose` with the same words working:
    the lesson is the program, not that run's file and flags."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "sudo docker compose -f deploy/stack.prod.yml logs --tail=50"),
            result(
                "t1", "Exit code 125\nunknown shorthand flag: 'f' in -f\nSee 'docker --help'.", True
            ),
            call("t2", "sudo docker-compose -f deploy/stack.prod.yml logs --tail=50"),
            result("t2", "web_1  | listening on :8080"),
        ],
    )
    assert lesson.text == (
        "`docker compose …` fails here (“unknown shorthand flag: 'f' in -f”); use "
        "`docker-compose …` instead."
    )
    assert lesson.fix == "docker-compose"


def test_another_program_without_the_failed_calls_trailing_flag_is_named_alone(
    tmp_path: Path,
) -> None:
    """`npm install a b --legacy-peer-deps` broken, `pnpm install a b` working: the program
    changed; the flag the other program did without is no argument of the lesson."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npm install left-pad right-pad --legacy-peer-deps"),
            result("t1", "Exit code 1\nnpm error Cannot read properties of null", True),
            call("t2", "pnpm install left-pad right-pad"),
            result("t2", "Packages: +2\nDone in 1.2s"),
        ],
    )
    assert lesson.text == (
        "`npm …` fails here (“npm error Cannot read properties of null”); use `pnpm …` instead."
    )


@pytest.mark.parametrize(
    ("failed", "error", "retry"),
    [
        # the flag's own error: the driver its value asked for, the install it refused
        (
            "python train.py --device=cuda",
            "RuntimeError: Found no NVIDIA driver",
            "python3 train.py",
        ),
        (
            "pip install -r requirements.txt --user",
            "ERROR: Can not perform a '--user' install. User site-packages are not visible",
            "pip3 install -r requirements.txt",
        ),
    ],
)
def test_a_flag_the_error_is_about_is_not_left_out_for_the_other_program(
    tmp_path: Path, failed: str, error: str, retry: str
) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", retry),
            result("t2", "done"),
        ],
    )
    assert "…` instead" not in lesson.text  # no "use `python3 …` instead"


def test_a_missing_program_asked_its_version_is_answered_by_the_other_name(
    tmp_path: Path,
) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python --version"),
            result("t1", "Exit code 127\n/bin/bash: line 1: python: command not found", True),
            call("t2", "python3 --version"),
            result("t2", "Python 3.12.3"),
        ],
    )
    assert episode.fix is not None
    assert lesson.text.startswith("`python` is not on the PATH here") and lesson.fix == "python3"


def test_a_documents_name_bash_ran_is_no_missing_program(tmp_path: Path) -> None:
    """A patch's text sent to bash: its backticked `AGENTS.md` ran as a command."""
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "*** Begin Patch\n+See `AGENTS.md` for the rules.\n*** End Patch"),
            result("t1", "Exit code 127\nbash: line 2: AGENTS.md: command not found", True),
        ],
    )
    assert "not on the PATH" not in lesson.text


LOCKED = (
    "Exit code 1\nError: A `brew install --cask font-maple` process has already locked "
    "/c/downloads/maple.zip.incomplete. Please wait for it to finish or terminate it."
)


@pytest.mark.parametrize(
    ("retry", "kind"),
    [
        # a check run after the command, once it worked, cannot be why it worked
        ("brew install --cask font-maple && ghostty +list-fonts | rg -i maple", FixKind.RETRIED),
        # and with `;` or `||` the retry's exit is the check's, not the command's
        ("brew install --cask font-maple; ghostty +list-fonts | rg -i maple", None),
        ("brew install --cask font-maple || brew reinstall --cask font-maple", None),
    ],
)
def test_a_step_after_the_command_prepared_nothing(
    tmp_path: Path, retry: str, kind: FixKind | None
) -> None:
    records = [
        call("t1", "brew install --cask font-maple"),
        result("t1", LOCKED, True),
        call("t2", "sleep 5"),
        result("t2", ""),
        call("t3", retry),
        result("t3", "==> Installing Cask font-maple\nfont-maple was successfully installed!"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert (episode.fix.kind if episode.fix is not None else None) is kind
    assert lesson.fix is None and "ghostty" not in lesson.text and "first" not in lesson.text


def test_a_way_that_differs_past_what_a_line_shows_is_not_told(tmp_path: Path) -> None:
    """The retry's difference lies deep in a long script: "use X instead" would name the
    failed command itself."""
    head = "if [ -d specs/001-todo-daily-focus/checklists ]; then for f in specs/001-todo-daily-focus/checklists/*.md; do "
    records = [
        call("t1", head + 'python3 tools/count.py "$f"; done; fi'),
        result(
            "t1",
            "Exit code 2\nusage: count.py [-h] --format FORMAT file\ncount.py: error: the "
            "following arguments are required: --format",
            True,
        ),
        call("t2", head + 'python3 tools/count.py --format md "$f"; done; fi'),
        result("t2", "specs/001-todo-daily-focus/checklists/ux.md 12"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.fix is None and "instead" not in lesson.text


def test_what_ran_between_is_the_way_when_the_retry_only_adds_steps_after(
    tmp_path: Path,
) -> None:
    create = 'bd create --id=cr-witness --title="Witness" --type=agent --force'
    records = [
        call("t1", create),
        result("t1", "Exit code 1\nError: validation failed: invalid issue type: agent", True),
        call("t2", 'bd config set types.custom "agent,role,rig"'),
        result("t2", "Set types.custom = agent,role,rig"),
        call("t3", f'{create} && bd create --id=cr-refinery --title="Refinery" --type=agent'),
        result("t3", "✓ Created issue: cr-witness\n✓ Created issue: cr-refinery"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == 'bd config set types.custom "agent,role,rig"'
    assert "cr-refinery" not in lesson.text


def test_files_taken_back_from_git_are_an_edit_and_a_listing_no_step(tmp_path: Path) -> None:
    records = [
        call("t1", "npm run build"),
        result(
            "t1", "Exit code 1\n> Build error occurred\nModule not found: ./lib/encryption", True
        ),
        call("t2", 'git ls-tree -r 47f62f9 --name-only | grep -i "encryption"'),
        call("t3", "git checkout 47f62f9 -- lib/encryption"),
        result("t2", "lib/encryption/tokenVault.ts"),
        call("t4", "npm run build"),
        result("t4", "✓ Compiled successfully"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert lesson.fix is None and "ls-tree" not in lesson.text


def test_only_a_step_before_the_command_is_run_first(tmp_path: Path) -> None:
    records = [
        call("t1", "npm run build"),
        result(
            "t1", "Exit code 1\nError: Cannot find module '/w/node_modules/.prisma/client'", True
        ),
        call("t2", "npx prisma generate && npm run build && npm run deploy:staging"),
        result("t2", "✔ Generated Prisma Client\n✓ Compiled successfully\nDeployed to staging"),
    ]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.fix == "npx prisma generate" and "deploy" not in lesson.text


def test_a_harness_notice_between_two_edits_is_no_new_request(tmp_path: Path) -> None:
    """A background task's notice, written by the harness as a user text, between the refused
    edit and the one that worked after a read: the fix stands."""
    notice = "<task-notification>\n<task-id>b1</task-id>\n<status>completed</status>\n</task-notification>"
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            edit("e1", "src/app.py", "x = 1", "x = 2"),
            result(
                "e1",
                "<tool_use_error>String to replace not found in file.\nString: x = 1</tool_use_error>",
                True,
            ),
            say("user", notice),
            read("r1", "src/app.py"),
            result("r1", "1\tx  =  1"),
            edit("e2", "src/app.py", "x  =  1", "x = 2"),
            result("e2", "The file src/app.py has been updated successfully."),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED


def test_a_commit_message_reworded_through_a_heredoc_is_still_a_retry(tmp_path: Path) -> None:
    def commit(message: str) -> str:
        return f"git commit -m \"$(cat <<'EOF'\n{message}\nEOF\n)\""

    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", commit("fix: handle empty cart")),
            result(
                "t1",
                "Exit code 128\nfatal: Unable to create '/w/.git/index.lock': File exists.",
                True,
            ),
            call("t2", commit("fix: handle an empty cart")),
            result("t2", "[main 1a2b3c4] fix: handle an empty cart\n 1 file changed"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED


def test_an_installer_that_will_not_run_here_is_not_the_way(tmp_path: Path) -> None:
    """`uv pip install` after pip was missing stopped on having no environment: it got past
    nothing, and is no way to install here."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "python3 -m pip install -q -r requirements.txt"),
            result("t1", "Exit code 1\n/usr/bin/python3: No module named pip", True),
            call("t2", "uv pip install -r requirements.txt"),
            result(
                "t2",
                "Exit code 2\nerror: No virtual environment found; run `uv venv` to create an "
                "environment, or pass `--system` to install into a non-virtual environment",
                True,
            ),
        ],
    )
    assert lesson.fix is None and "uv pip install" not in lesson.text


def test_a_failed_retry_after_an_installer_refused_is_no_way(tmp_path: Path) -> None:
    """pip refused an externally managed Python; `pip3 install --user` then failed on its own:
    that is no way past it."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pip install requests"),
            result("t1", "Exit code 1\nerror: externally-managed-environment", True),
            call("t2", "pip3 install --user requests"),
            result(
                "t2",
                "Exit code 1\nERROR: Could not find a version that satisfies the requirement requests",
                True,
            ),
        ],
    )
    assert lesson.fix is None and "instead" not in lesson.text


def test_steps_run_first_keep_the_joiner_they_were_given(tmp_path: Path) -> None:
    """`a; b; cmd`: the steps are shown with `;` (Windows PowerShell 5.1 has no `&&`)."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "make build"),
            result("t1", "Exit code 2\nmake: *** No rule to make target 'gen/api.h'.  Stop.", True),
            call("t2", "npm ci; npm run gen; make build"),
            result("t2", "gen/api.h written\nbuild ok"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert "`npm ci; npm run gen`" in lesson.text and "&&" not in lesson.text


def test_a_long_script_that_writes_the_file_at_its_end_is_an_edit(tmp_path: Path) -> None:
    """An inline script whose write comes after a long replaced block (its `write_text` past
    the first few thousand characters) edited the code: the test passing after it is no step
    to run first."""
    block = "".join(
        f"    value_{n} = compute({n})  # the block as it should be indented\n" for n in range(80)
    )
    script = f"from pathlib import Path\np = Path('pkg/plot.py')\nnew = '''\n{block}'''\np.write_text(new)\n"
    assert script.index("write_text") > 4000
    records = [
        call("t1", "pytest tests/test_plot.py -q"),
        result(
            "t1", "Exit code 2\nE   IndentationError: expected an indented block\n1 error", True
        ),
        call("t2", "git add pkg/plot.py && git commit -m 'wip'"),
        result("t2", "[main 1a2b3c4] wip"),
        call("t3", f"python - <<'PY'\n{script}PY"),
        result("t3", ""),
        call("t4", "pytest tests/test_plot.py -q"),
        result("t4", "1 passed in 0.4s"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert "first" not in lesson.text and "git add" not in lesson.text


def test_a_script_that_catches_the_same_error_and_exits_0_is_no_fix(tmp_path: Path) -> None:
    """The other way of running it printed the same exception's message (its handler caught
    `EOFError` and went on): exit 0, but the error is not gone."""
    crashed = (
        'Exit code 1\nTraceback (most recent call last):\n  File "scrape.py", line 592, in main\n'
        "    choice = input('choose: ')\nEOFError: EOF when reading a line"
    )
    caught = "Starting the browser...\n[X] browser start failed: EOF when reading a line\n[OK] browser closed"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "python scrape.py"),
            result("t1", crashed, True),
            call("t2", 'python -c "from scrape import Scraper; Scraper(headless=False).run()"'),
            result("t2", caught),
        ],
    )
    assert episode.fix is None
    assert lesson.fix is None and "instead" not in lesson.text


def test_a_scripts_own_failure_mark_is_its_error_and_again_is_no_fix(tmp_path: Path) -> None:
    """`❌ No __NEXT_DATA__ found` under progress lines is what the script said went wrong;
    printed again after an edit (`| head` hiding the exit status), nothing was mended."""
    said = "Fetching: https://example.com/scores/149757\nStatus: 200\n\u274c No __NEXT_DATA__ found"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "uv run extract.py"),
            result("t1", f"Exit code 1\n{said}", True),
            edit("t2", "/p/extract.py", "a", "b"),
            result("t2", "The file /p/extract.py has been updated."),
            call("t3", "uv run extract.py 2>&1 | head -100"),
            result("t3", said.replace("149757", "149757/kkr")),
        ],
    )
    assert episode.fix is None
    assert (
        lesson.text
        == "`uv run extract.py` fails here: “\u274c No __NEXT_DATA__ found” (no fix seen)."
    )


def test_a_folder_made_before_the_same_command_is_what_mended_it(tmp_path: Path) -> None:
    """`mkdir -p .squads && cp -r …` after `cp -r …` failed for want of `.squads`: the folder
    made first is the fix, not a plain second try."""
    missing = "Exit code 1\ncp: cannot create directory '.squads/copy': No such file or directory"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "cp -r ../hub/.squads/copy .squads/copy"),
            result("t1", missing, True),
            call("t2", "mkdir -p .squads && cp -r ../hub/.squads/copy .squads/copy"),
            result("t2", "(Bash completed with no output)"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "mkdir -p .squads" and "passed when run again" not in lesson.text


_CRASHED = "Exit code 1\nRunning the docs build\nException occurred:\n  IndentationError: unexpected indent"


_PATCH_WRITTEN = [call("t0", "cat <<'EOF' > patch_it.py\nprint('x')\nEOF"), result("t0", "")]


@pytest.mark.parametrize(
    ("before", "between"),
    [
        (_PATCH_WRITTEN, [call("t3", "python3 patch_it.py"), result("t3", "patched 1 file")]),
        ([], [call("t3", "git checkout src/app/core.py"), result("t3", "Updated 1 path")]),
    ],
)
def test_a_script_of_the_days_or_files_put_back_are_no_step_to_run_first(
    tmp_path: Path,
    before: list[dict],  # type: ignore[type-arg]
    between: list[dict],  # type: ignore[type-arg]
) -> None:
    """The agent's own edit broke the build; its own patch script, written earlier (or a
    `git checkout` of the file), mended the code: the next session has neither the script
    nor the broken edit."""
    pairs = _failures(
        tmp_path,
        [
            *before,
            call("t1", "cd docs && ./build.sh"),
            result("t1", _CRASHED, True),
            *between,
            call("t4", "cd docs && ./build.sh"),
            result("t4", "build succeeded"),
        ],
    )
    ((episode, lesson),) = [(e, c) for e, c in pairs if "build.sh" in e.call.text]  # type: ignore[union-attr]
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert lesson.fix is None and "first" not in lesson.text


def test_a_script_the_session_did_not_write_is_still_a_step_to_run_first(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "cd docs && ./build.sh"),
            result("t1", "Exit code 1\nerror: generated/api.json: No such file or directory", True),
            call("t3", "python3 tools/gen_api.py"),
            result("t3", "wrote generated/api.json"),
            call("t4", "cd docs && ./build.sh"),
            result("t4", "build succeeded"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED


def test_pnpms_workspace_root_check_overridden_is_no_fix(tmp_path: Path) -> None:
    """`-w` gets past pnpm's check that a dependency belongs to one of the workspace's
    packages: no line teaches it as the way."""
    root = "ERR_PNPM_ADDING_TO_ROOT  Running this command will add the dependency to the root"
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pnpm add zod"),
            result("t1", f"Exit code 1\n{root}", True),
            call("t2", "pnpm add -w zod"),
            result("t2", "dependencies:\n+ zod 3.23.8"),
        ],
    )
    assert lesson.fix is None and "-w" not in lesson.text and "ask first" in lesson.text


def test_a_program_npx_had_to_fetch_is_this_machines_not_the_projects(tmp_path: Path) -> None:
    """`npx vercel` worked, but npm said it fetched vercel: no dependency of the project, so
    the line says the program is not installed here, not that the project runs it by npx."""
    from metis_distill.extract.rules import FETCHED_NOT_A_DEPENDENCY

    fetched = (
        "npm warn exec The following package was not found and will be installed: vercel@50.2.1"
    )
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "vercel --prod"),
            result("t1", "Exit code 127\nbash: vercel: command not found", True),
            call("t2", "npx vercel --prod"),
            result("t2", f"{fetched}\nProduction: https://site.example [12s]"),
        ],
    )
    assert lesson.fix == "npx" and FETCHED_NOT_A_DEPENDENCY in lesson.text
    assert "`npx vercel …` fetches it" in lesson.text


# pip's refusal of a Python the system manages (PEP 668), as its first line says it.
PEP668 = (
    "Exit code 1\nerror: externally-managed-environment\n\n× This environment is externally managed"
)
# pip at its work, stopped on a requirement of the package that no index has.
UNMET = (
    "Exit code 1\nERROR: Could not find a version that satisfies the requirement labtools-core "
    "(from mypkg) (from versions: none)"
)


def test_an_install_the_system_refused_got_past_by_a_new_environments_own_pip(
    tmp_path: Path,
) -> None:
    """pip refused the system's Python; a virtual environment was made, activating it did not
    help (the shell still ran the system's pip), and its own pip, called by its path, got to
    its work (resolving the package's requirements): that is the way past, steps and all."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pip install -e ."),
            result("t1", PEP668, True),
            call("t2", "python3 -m venv .venv"),
            result("t2", ""),
            call("t3", "source .venv/bin/activate && pip install -e ."),
            result("t3", PEP668, True),
            call("t4", ".venv/bin/pip install -e ."),
            result("t4", UNMET, True),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.OWN_ENVIRONMENT
    assert episode.fix.call.tool_use_id == "t4"
    assert lesson.fix == "python3 -m venv .venv && .venv/bin/pip install -e ."
    assert lesson.text == (
        "`pip install -e .` fails here (“error: externally-managed-environment”); install into "
        "a virtual environment, calling its own pip by its path: "
        "`python3 -m venv .venv && .venv/bin/pip install -e .`."
    )
    assert lesson.evidence.shows_fix  # the span runs from the refusal to the install


def test_no_pip_on_the_path_got_past_by_a_new_environments_own_pip(tmp_path: Path) -> None:
    """No pip on the PATH at all (bash saying so in Portuguese); the session made a virtual
    environment and installed with its pip by its path: the lesson is the environment, not
    "use that folder's pip instead" as if it were the machine's."""
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pip install openai-whisper"),
            result("t1", "Exit code 127\nbash: pip: comando não encontrado", True),
            call("t2", "python3 -m venv ~/.whisper_env"),
            result("t2", ""),
            call("t3", "~/.whisper_env/bin/pip install openai-whisper"),
            result("t3", "Collecting openai-whisper\nSuccessfully installed openai-whisper"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.OWN_ENVIRONMENT
    assert lesson.text == (
        "`pip` is not on the PATH here (“pip: command not found”); install into a virtual "
        "environment, calling its own pip by its path: "
        "`python3 -m venv ~/.whisper_env && ~/.whisper_env/bin/pip install openai-whisper`."
    )


@pytest.mark.parametrize(
    ("made", "retry", "output"),
    [
        # the environment's pip refused too: nothing got past
        ("python3 -m venv env", "env/bin/pip install -e .", PEP668),
        # no environment made in the session: whose pip that is, and how it came, is unseen
        ("ls", ".venv/bin/pip install -e .", UNMET),
        # the environment made elsewhere than the pip called
        ("python3 -m venv /tmp/scratch", ".venv/bin/pip install -e .", UNMET),
        # another package installed: another intent
        ("python3 -m venv .venv", ".venv/bin/pip install numpy", "Successfully installed numpy"),
        # the code run from its sources: no install at all
        ("python3 -m venv .venv", "PYTHONPATH=src python -m pytest -q", "3 passed in 0.2s"),
    ],
)
def test_a_refused_install_is_got_past_only_by_an_environment_made_and_its_own_pip(
    tmp_path: Path, made: str, retry: str, output: str
) -> None:
    (episode, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", "pip install -e ."),
            result("t1", PEP668, True),
            call("t2", made),
            result("t2", ""),
            call("t3", retry),
            result("t3", output, output.startswith("Exit code")),
        ],
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.OWN_ENVIRONMENT
    assert lesson.fix is None and "(no fix seen)" in lesson.text


def test_a_script_that_runs_bash_itself_gets_no_bash_fix_from_a_rewrite(tmp_path: Path) -> None:
    """The failed script ran bash on files itself (`bash "$f"`); its rewrite, run by zsh again,
    holds `bash "$f"` too: that is no hand-over of the script to bash."""
    failed = 'for f in scripts/*.sh; do [[ $f == *test* ]] && bash "$f" || echo skip; done'
    retry = 'for f in scripts/*.sh; do case "$f" in *test*) bash "$f";; *) echo skip;; esac; done'
    records = [call("t1", failed), result("t1", _UNPARSED, True)]
    records += [call("t2", retry), result("t2", "ok")]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.text == ZSH_PARSE_TEXT and lesson.fix is None


def test_a_command_left_running_since_the_step_is_no_change_after_it() -> None:
    """Codex: a server started, a second one left running beside it (its result read while
    it ran), then a check refused: the first start had run, the second changed nothing seen."""
    from metis_distill.mine.fixes import _ran_before
    from metis_distill.models import Event, EventKind, SourceRef

    def shell(seq: int, role: str, text: str, **kw: object) -> Event:
        kind = EventKind.TOOL_CALL if role == "assistant" else EventKind.TOOL_RESULT
        ref = SourceRef("r.jsonl", seq + 1, seq + 1)
        return Event(seq, role, kind, text, ref, tool_name="exec_command", **kw)  # type: ignore[arg-type]

    serve = "python -m uvicorn app:api --port 7300"
    events = (
        shell(0, "assistant", serve, tool_use_id="a"),
        shell(1, "tool", "ERROR: [Errno 98] address already in use", tool_use_id="a", exit_code=1),
        shell(2, "assistant", "npm run dev -- --port 5173", tool_use_id="b"),
        shell(3, "tool", "VITE ready in 300 ms", tool_use_id="b", unfinished=True),
        shell(4, "assistant", "curl -sS http://127.0.0.1:7300/health", tool_use_id="c"),
    )
    assert _ran_before(events, events[4], serve, "exec_command")
    done = (*events[:3], shell(3, "tool", "VITE ready in 300 ms", tool_use_id="b"), events[4])
    assert not _ran_before(done, done[4], serve, "exec_command")


def _codex_exec(call_id: str, command: str) -> dict:  # type: ignore[type-arg]
    arguments = json.dumps({"cmd": command, "yield_time_ms": 60000})
    payload = {"type": "function_call", "name": "exec_command", "arguments": arguments}
    payload["call_id"] = call_id
    return {"timestamp": "2026-03-02T08:00:00Z", "type": "response_item", "payload": payload}


def _codex_exit(call_id: str, code: int, printed: str) -> dict:  # type: ignore[type-arg]
    output = f"Chunk ID: 0a{call_id}\nWall time: 1.2 seconds\nProcess exited with code {code}\n"
    output += f"Original token count: 40\nOutput:\n{printed}"
    payload = {"type": "function_call_output", "call_id": call_id, "output": output}
    return {"timestamp": "2026-03-02T08:00:02Z", "type": "response_item", "payload": payload}


def _codex_failures(
    tmp_path: Path,
    records: list[dict],  # type: ignore[type-arg]
) -> list[tuple[Episode, LessonCandidate]]:
    meta = {"id": "s9", "timestamp": "2026-03-02T08:00:00Z", "cwd": "/w", "cli_version": "0.104.0"}
    head = {"timestamp": "2026-03-02T08:00:00Z", "type": "session_meta", "payload": meta}
    path = tmp_path / "rollout-2026-03-02T08-00-00-s9.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [head, *records]) + "\n")
    run = parse_codex(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    found = RulesExtractor().extract(run, episodes, read_lines(path))
    return list(zip(episodes, found, strict=True))


# the type check tripped over a file the bundler beside it had written and already removed
_RACED = (
    "> web@1.0.0 typecheck\n> tsc --noEmit -p .\n\nError: ENOENT: no such file or directory, "
    "open '/w/rollup.config.bundled-88a1c.mjs'"
)


def test_a_codex_call_run_beside_the_failed_one_is_no_step_that_prepared_it(
    tmp_path: Path,
) -> None:
    """Codex runs the shell calls of one batch at the same time (each issued before any
    output came back): the bundle and the tests run beside the failed type check are no step
    that prepared it ("run the tests first"); but the bundle wrote files, maybe before the
    retry: what let the type check through is not seen, no fix and no "run again"."""
    records = [
        _codex_exec("b1", "npm run bundle"),
        _codex_exec("k1", "npm run typecheck"),
        _codex_exec("u1", "npm run unit"),
        _codex_exit("b1", 0, "built dist/app.js in 812ms"),
        _codex_exit("k1", 2, _RACED),
        _codex_exit("u1", 0, "Test Files  4 passed (4)"),
        _codex_exec("k2", "npm run typecheck"),
        _codex_exit("k2", 0, "> web@1.0.0 typecheck\n> tsc --noEmit -p ."),
    ]
    ((episode, lesson),) = _codex_failures(tmp_path, records)
    assert episode.call is not None and episode.call.tool_use_id == "k1"  # its own call
    assert episode.fix is None
    assert "npm run unit" not in lesson.text and " first" not in lesson.text
    assert "run again" not in lesson.text


def _codex_lessons(
    tmp_path: Path,
    records: list[dict],  # type: ignore[type-arg]
) -> tuple[list[Episode], list[LessonCandidate]]:
    meta = {"id": "s8", "timestamp": "2026-03-02T08:00:00Z", "cwd": "/w", "cli_version": "0.104.0"}
    head = {"timestamp": "2026-03-02T08:00:00Z", "type": "session_meta", "payload": meta}
    path = tmp_path / "rollout-2026-03-02T08-00-00-s8.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [head, *records]) + "\n")
    run = parse_codex(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return episodes, RulesExtractor().extract(run, episodes, read_lines(path))


def test_a_codex_install_sent_beside_the_failed_call_may_have_been_its_fix(
    tmp_path: Path,
) -> None:
    """The dependencies installed in the batch of the failed test run (both under way at
    once): the install may have finished before the test run that passed, or not. No fix is
    told, no "run again", and no program missing here: the same tests ran it next."""
    records = [
        _codex_exec("t1", "npm test"),
        _codex_exec("i1", "npm install"),
        _codex_exit("i1", 0, "added 97 packages in 6s"),
        _codex_exit("t1", 127, "> shop@0.3.0 test\n> jest --ci\n\nsh: 1: jest: not found"),
        _codex_exec("t2", "npm test"),
        _codex_exit("t2", 0, "Tests: 31 passed, 31 total"),
    ]
    (episode,), lessons = _codex_lessons(tmp_path, records)
    assert episode.fix is None
    assert not any("PATH" in x.text or "run again" in x.text for x in lessons)


def test_a_codex_generator_sent_beside_the_failed_check_tells_no_retry(tmp_path: Path) -> None:
    records = [
        _codex_exec("c1", "make check"),
        _codex_exec("p1", "make protos"),
        _codex_exit("p1", 0, "protoc --go_out=. api/v1/*.proto"),
        _codex_exit("c1", 2, "api/server.go:14:2: package example.com/app/api/v1 is not in std"),
        _codex_exec("c2", "make check"),
        _codex_exit("c2", 0, "ok  example.com/app/api 0.41s"),
    ]
    ((episode, lesson),) = _codex_failures(tmp_path, records)
    assert episode.fix is None
    assert "run again" not in lesson.text and "make protos" not in lesson.text


def test_a_codex_look_sent_beside_the_failed_call_is_still_no_step(tmp_path: Path) -> None:
    # a listing beside the failed check changed nothing: the check alone again is a retry
    records = [
        _codex_exec("c1", "make check"),
        _codex_exec("l1", "ls api/v1"),
        _codex_exit("l1", 0, "service.proto"),
        _codex_exit("c1", 2, "api/server.go:14:2: package example.com/app/api/v1 is not in std"),
        _codex_exec("c2", "make check"),
        _codex_exit("c2", 0, "ok  example.com/app/api 0.41s"),
    ]
    ((episode, _),) = _codex_failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED


def test_a_program_said_missing_that_the_same_command_then_ran_is_no_lesson(
    tmp_path: Path,
) -> None:
    """The same test run, run again with nothing between, passed: the runner it said was
    missing was there; no "not on the PATH here"."""
    records = [
        _codex_exec("t1", "npm test"),
        _codex_exit("t1", 127, "> shop@0.3.0 test\n> jest --ci\n\nsh: 1: jest: not found"),
        _codex_exec("t2", "npm test"),
        _codex_exit("t2", 0, "Tests: 31 passed, 31 total"),
    ]
    _, lessons = _codex_lessons(tmp_path, records)
    assert not any("PATH" in x.text for x in lessons)


def test_a_codex_form_whose_approval_was_declined_is_no_fix(tmp_path: Path) -> None:
    declined = {
        "type": "function_call_output",
        "call_id": "t2",
        "output": "exec command rejected by user",
    }
    records = [
        _codex_exec("t1", "npm test"),
        _codex_exit("t1", 127, "> shop@0.3.0 test\n> jest --ci\n\nsh: 1: jest: not found"),
        _codex_exec("t2", "npx jest --ci"),
        {"timestamp": "2026-03-02T08:00:02Z", "type": "response_item", "payload": declined},
    ]
    ((episode, lesson),) = _codex_failures(tmp_path, records)
    assert episode.fix is None and lesson.fix is None


def test_a_codex_step_run_after_the_failure_came_back_still_prepared_it(tmp_path: Path) -> None:
    # the same step, issued on its own once the error was read: it ran between the two
    records = [
        _codex_exec("k1", "npm run typecheck"),
        _codex_exit("k1", 2, "error TS2307: Cannot find module './generated/api' or its types."),
        _codex_exec("g1", "npm run codegen"),
        _codex_exit("g1", 0, "wrote src/generated/api.ts"),
        _codex_exec("k2", "npm run typecheck"),
        _codex_exit("k2", 0, "> tsc --noEmit -p ."),
    ]
    ((episode, _),) = _codex_failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert [s.text for s in episode.fix.steps] == ["npm run codegen"]


# a package manager refusing every script of the project until its install is run
_STALE_DEPS = (
    " ERR_PNPM_OUTDATED_NODE_MODULES  The modules directory of /w does not match the lockfile."
    '\n\nRun "pnpm install"\n'
)


def _stopped_batch(*scripts: str) -> list[dict]:  # type: ignore[type-arg]
    """The scripts sent in one batch, each stopped by the stale install."""
    issued = [_codex_exec(f"{n}1", f"pnpm run {script}") for n, script in enumerate(scripts)]
    refused = [_codex_exit(f"{n}1", 1, _STALE_DEPS) for n in range(len(scripts))]
    return issued + refused


def _passing_batch(*scripts: str) -> list[dict]:  # type: ignore[type-arg]
    issued = [_codex_exec(f"{n}2", f"pnpm run {script}") for n, script in enumerate(scripts)]
    passed = [_codex_exit(f"{n}2", 0, f"> app@1.0.0 {s}\n") for n, s in enumerate(scripts)]
    return issued + passed


def test_siblings_rerun_beside_the_retry_are_no_step_of_its_fix(tmp_path: Path) -> None:
    """Three checks stopped by one cause, the install between, the three run again: the
    install is each one's fix; the other two, rerun before the last, are no step to run
    first (never "run `pnpm run typecheck && pnpm run test` first")."""
    records = [
        *_stopped_batch("typecheck", "test", "format:check"),
        _codex_exec("i1", "pnpm install --frozen-lockfile"),
        _codex_exit("i1", 0, "Lockfile is up to date\nDone in 196ms"),
        *_passing_batch("typecheck", "test", "format:check"),
    ]
    found = _codex_failures(tmp_path, records)
    assert len(found) == 3
    for episode, lesson in found:
        assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
        assert [s.text for s in episode.fix.steps] == ["pnpm install --frozen-lockfile"]
        assert lesson.fix == "pnpm install --frozen-lockfile"
        assert "typecheck &&" not in lesson.text and "test &&" not in lesson.text


def test_the_install_alone_between_still_prepared_the_check(tmp_path: Path) -> None:
    """The control: one check stopped, the install, the check again: the install is told."""
    records = [
        *_stopped_batch("format:check"),
        _codex_exec("i1", "pnpm install --frozen-lockfile"),
        _codex_exit("i1", 0, "Lockfile is up to date\nDone in 196ms"),
        *_passing_batch("format:check"),
    ]
    ((episode, lesson),) = _codex_failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.text.endswith("; run `pnpm install --frozen-lockfile` first.")


def test_checks_alone_run_before_the_retry_prepared_nothing(tmp_path: Path) -> None:
    """Only the type check and the tests ran between: checks read the code, prepare
    nothing; what let the format check through is unseen."""
    records = [
        *_stopped_batch("format:check"),
        _codex_exec("k1", "pnpm run typecheck"),
        _codex_exit("k1", 0, "> app@1.0.0 typecheck\n> tsc --noEmit"),
        _codex_exec("l1", "npx tsc --noEmit -p ."),
        _codex_exit("l1", 0, ""),
        *_passing_batch("format:check"),
    ]
    ((episode, lesson),) = _codex_failures(tmp_path, records)
    assert episode.fix is None and lesson.fix is None
    assert " first." not in lesson.text


# a linter's finding in a file the agent had just edited
_LINE_TOO_LONG = (
    "Exit code 1\nSummary: 6 issues in 2 files\n"
    "docs/setup.md:11:121 error MD013/line-length Line length [Expected: 120; Actual: 134]"
)


@pytest.mark.parametrize(
    "retry",
    [
        "git stash && npx markdownlint-cli2 docs/*.md 2>&1 | tail -5; git stash pop",
        "git -C /w stash push -u && npx markdownlint-cli2 docs/*.md",
        "git checkout -- . && npx markdownlint-cli2 docs/*.md",
    ],
)
def test_a_rerun_with_the_edits_set_aside_is_no_fix(tmp_path: Path, retry: str) -> None:
    """The lint run again on the tree without the day's edits (stashed, or thrown away): a
    look at the baseline, never "run `git stash` first"."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx markdownlint-cli2 docs/*.md"),
            result("t1", _LINE_TOO_LONG, True),
            call("t2", retry),
            result("t2", "Saved working directory and index state WIP on main: 1a2b3c4 docs"),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "git stash" not in lesson.text and "checkout" not in lesson.text


def test_a_stash_between_the_lint_and_its_rerun_is_no_fix(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx markdownlint-cli2 docs/*.md"),
            result("t1", _LINE_TOO_LONG, True),
            call("s1", "git stash"),
            result("s1", "Saved working directory and index state WIP on main: 1a2b3c4 docs"),
            call("t2", "npx markdownlint-cli2 docs/*.md"),
            result("t2", "Summary: 0 issues in 2 files"),
        ],
    )
    assert episode.fix is None and "git stash" not in lesson.text


def test_git_refusing_the_trees_changes_is_mended_by_a_stash(tmp_path: Path) -> None:
    """Control: git itself refused the day's edits ("commit or stash them"): setting them
    aside is the way, not a look at the baseline."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git pull --rebase origin main"),
            result("t1", "error: cannot pull with rebase: You have unstaged changes.\nerror: please commit or stash them.", True),
            call("t2", "git stash && git pull --rebase origin main && git stash pop"),
            result("t2", "Successfully rebased and updated refs/heads/main.\nDropped refs/stash@{0}"),
        ],
    )  # fmt: skip
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "git stash"


def test_a_check_script_run_with_fix_prepared_the_rerun(tmp_path: Path) -> None:
    """`yarn lint --fix` mends what `yarn lint` found: no check that only reads the code."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "yarn lint"),
            result("t1", "[warn] src/app.ts\n[warn] Code style issues found in the above file.", True),
            call("t2", "yarn lint --fix && yarn lint"),
            result("t2", "Done in 2.1s."),
        ],
    )  # fmt: skip
    assert episode.fix is not None and lesson.fix == "yarn lint --fix"


def test_a_step_put_before_the_lint_that_makes_its_files_still_prepared_it(
    tmp_path: Path,
) -> None:
    """The control: the docs generated first, then the same lint passed: that step is told."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "npx markdownlint-cli2 docs/*.md"),
            result("t1", "Exit code 1\nError: ENOENT: no such file or directory, open 'docs/api.md'", True),
            call("t2", "npm run docs:gen && npx markdownlint-cli2 docs/*.md"),
            result("t2", "Summary: 0 issues in 3 files"),
        ],
    )  # fmt: skip
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.text.endswith("; run `npm run docs:gen` first.")


def test_a_claude_code_failure_is_paired_with_its_own_call_of_a_parallel_batch(
    tmp_path: Path,
) -> None:
    """A search and a file lookup sent in one message; the lookup's empty answer came back
    first, then the search's time-out: the time-out is the search's, by its id."""
    batch = [
        {"type": "tool_use", "id": "g1", "name": "Grep", "input": {"pattern": "zorblax", "path": "/home/u"}},
        {"type": "tool_use", "id": "f1", "name": "Glob", "input": {"pattern": "**/*zorblax*", "path": "/home/u"}},
    ]  # fmt: skip
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("f1", "No files found"),
        result("g1", "Ripgrep search timed out after 20 seconds.", True),
    ]
    ((episode, _),) = _failures(tmp_path, records)
    assert episode.call is not None and episode.call.tool_use_id == "g1"
    assert episode.call.tool_name == "Grep"


def test_a_claude_code_call_sent_beside_the_failed_one_is_no_step_when_it_ran_beside_it(
    tmp_path: Path,
) -> None:
    """Claude Code runs the calls of one message that only read together; a state-changing
    call issued beside the failed one ran after it, in turn (the install case in
    `test_held_out`): only the first prepared nothing."""
    batch = [
        {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "make check"}},
        {"type": "tool_use", "id": "l1", "name": "Bash", "input": {"command": "ls build"}},
    ]
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("t1", "make: *** No rule to make target 'gen/schema.h', needed by 'check'.", True),
        result("l1", "main.o"),
        call("t2", "make check"),
        result("t2", "all 12 checks passed"),
    ]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert " first" not in lesson.text


def test_a_folder_moved_into_by_an_earlier_codex_call_leaves_a_step_already_run(
    tmp_path: Path,
) -> None:
    """Codex starts each call in a shell of its own: a `cd` call since the install changed
    nothing for the build, so the install run again is no step the build lacked."""
    records = [
        _codex_exec("a", "npm ci --no-audit"),
        _codex_exit("a", 0, "added 412 packages in 9s"),
        _codex_exec("b", "cd web && ls"),
        _codex_exit("b", 0, "build.js"),
        _codex_exec("c", "node build.js"),
        _codex_exit("c", 1, "Error: Cannot find module 'rollup'"),
        _codex_exec("d", "npm ci --no-audit"),
        _codex_exit("d", 0, "added 412 packages in 8s"),
        _codex_exec("e", "node build.js"),
        _codex_exit("e", 0, "built dist/app.js"),
    ]
    ((episode, lesson),) = _codex_failures(tmp_path, records)
    assert episode.fix is None or episode.fix.kind is not FixKind.PREPARED
    assert "first." not in lesson.text


def test_steps_put_before_a_whole_chain_that_failed_prepared_it(tmp_path: Path) -> None:
    """The failed call was a chain (`bin/migrate && bin/seed`); the call that worked is a new
    step and then that very chain: the step prepared it, nothing in the chain was replaced,
    and the line says to run the step first, not to run the longer chain instead."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "bin/migrate && bin/seed"),
            result("t1", 'Exit code 1\nerror: database "shop_dev" does not exist', True),
            call("t2", "createdb shop_dev && bin/migrate && bin/seed"),
            result("t2", "migrated 14 tables\nseeded 3 users"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "createdb shop_dev"
    assert "instead" not in lesson.text and "; run `createdb" in lesson.text
    assert lesson.text.endswith(" first.") and "seed` first" not in lesson.text


_SQUASH_BLOCKED = (
    "Exit code 1\nerror: Your local changes to the following files would be overwritten by "
    "merge:\n\tnotes/todo.md\nPlease commit your changes or stash them before you merge.\n"
    "Aborting"
)


@pytest.mark.parametrize(
    "first",
    [
        "git stash push -m 'park todo' -- notes/todo.md",
        "git commit -am 'wip: todo'",
    ],
)
def test_a_step_the_error_itself_offered_put_before_the_chain_is_nothing_to_teach(
    tmp_path: Path, first: str
) -> None:
    """git said what to do ("commit your changes or stash them"), and the agent put that step
    before the same merge: git's own hint, that day's files and branch, no lesson to render
    (neither "use `git stash … && git merge …` instead" nor "run `git stash …` first")."""
    chain = "git merge --squash topic/cleanup && git commit -m 'squash cleanup'"
    path = _write(
        tmp_path,
        [
            call("t1", chain),
            result("t1", _SQUASH_BLOCKED, True),
            call("t2", f"{first} && {chain}"),
            result("t2", "Squash commit -- not updating HEAD\n[main 1a2b3c4] squash cleanup"),
        ],
    )
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    lessons = RulesExtractor().extract(run, episodes, read_lines(path))
    assert not any("git stash" in c.text or "git commit -am" in c.text for c in lessons)
    assert not any(c.fix for c in lessons)


@pytest.mark.parametrize(
    ("failed", "retry", "same"),
    [
        # the same word, quoted otherwise: the same argument
        ('rg -n "--upgrade" src/core.py', "rg -n -- '--upgrade' src/core.py", True),
        ("grep -rn 'TODO' src", 'grep -rn "TODO" src', True),
        ('rg -n "--upgrade" src/core.py', "rg -n -- '--downgrade' src/core.py", False),
    ],
)
def test_an_argument_quoted_otherwise_is_the_same_argument(
    failed: str, retry: str, same: bool
) -> None:
    from metis_distill.mine.intent import same_intent

    assert same_intent(failed, retry) is same


@pytest.mark.parametrize(
    ("failed", "retry", "same"),
    [
        # a program's plugin under its own name, or named as the program's subcommand
        ("docker-compose up -d", "docker compose up -d", True),
        ("docker compose up --build", "docker-compose up --build", True),
        ("docker-compose up -d", "docker compose down", False),
        ("docker-compose up -d", "docker up -d", False),
    ],
)
def test_a_program_spelled_apart_is_the_same_program(failed: str, retry: str, same: bool) -> None:
    from metis_distill.mine.intent import same_intent

    assert same_intent(failed, retry) is same


_MANY_WORKSPACES = "Exit code 2\nforge: error F101: more than one workspace file in this folder"


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("Build @app.ws from now on.", True),  # the file, as Claude Code mentions it
        ("Please use `forge build app.ws`.", True),  # the command as written
        ("The workspace is APP.WS, build that one.", True),
        ("Build the app workspace.", False),  # no file named
        ("Build @core.ws from now on.", False),  # another file
        ("", False),
    ],
)
def test_the_way_past_a_failure_is_asked_for_when_the_persons_words_name_it(
    tmp_path: Path, said: str, asked: bool
) -> None:
    records = [call("t1", "forge build"), result("t1", _MANY_WORKSPACES, True)]
    records += [say("user", said)] if said else []
    records += [call("t2", "forge build app.ws"), result("t2", "Built 12 of 12 targets.")]
    ((episode, lesson),) = _failures(tmp_path, records)
    assert lesson.fix == "forge build app.ws" and lesson.asked is asked
    assert (
        lesson.key
        == "`forge build` fails here (“forge: error F101: more than one workspace file in this folder”)"
    )


def test_a_file_the_failed_call_named_already_is_not_the_way_asked_for(tmp_path: Path) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "forge build app.ws"),
            result("t1", _MANY_WORKSPACES, True),
            say("user", "Build app.ws with its lock, please."),
            call("t2", "forge build app.ws --wait-for-lock"),
            result("t2", "Built 12 of 12 targets."),
        ],
    )
    assert lesson.fix is not None and not lesson.asked


def test_a_failure_without_a_way_past_it_has_no_key(tmp_path: Path) -> None:
    ((_, lesson),) = _failures(
        tmp_path, [call("t1", "forge build"), result("t1", _MANY_WORKSPACES, True)]
    )
    assert lesson.fix is None and lesson.key is None


_HELD = "Permission for this action was denied by the Claude Code auto mode classifier."


@pytest.mark.parametrize(
    "answer",
    [
        result("t2", _HELD, True),  # the harness held it back: the user refused nothing
        result("t2", "Exit code 137\n[Request interrupted by user for tool use]", True),
    ],
)
def test_a_way_held_back_or_stopped_mid_run_then_run_again_is_the_fix(
    tmp_path: Path,
    answer: dict,  # type: ignore[type-arg]
) -> None:
    """Only the user's turning a way down speaks against it: the harness's hold, or a run
    stopped because it was slow, is followed by words that allow it ("I allowed uvx")."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "ruff check src/"),
            result("t1", "Exit code 127\n" + _NO_RUFF, True),
            call("t2", "uvx ruff check src/"),
            answer,
            say("user", "I allowed uvx in settings, let it finish this time"),
            call("t3", "uvx ruff check src/"),
            result("t3", "All checks passed!"),
        ],
    )
    assert episode.fix is not None and "`uvx ruff …`" in lesson.text


def test_an_output_quoting_the_rejection_words_ran(tmp_path: Path) -> None:
    passed = "\n  Wallet\n    ✓ shows an error when User rejected the request\n\n  1 passing (1s)\n"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "hardhat test"),
            result("t1", "Exit code 127\nbash: hardhat: command not found", True),
            call("t2", "npx hardhat test"),
            result("t2", passed),
        ],
    )
    assert episode.fix is not None and "`npx hardhat …`" in lesson.text


def test_an_option_only_a_quoted_text_names_is_no_asking(tmp_path: Path) -> None:
    """The retry's body mentions `--dry-run`; it was given no such option: it did the work."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", 'gh pr create --title "Add sync command"'),
            result(
                "t1",
                "Exit code 1\nmust provide `--title` and `--body` (or `--fill`) when not "
                "running interactively",
                True,
            ),
            call(
                "t2",
                'gh pr create --title "Add sync command" --body "Try it with --dry-run first."',
            ),
            result("t2", "https://github.com/acme/app/pull/42"),
        ],
    )
    assert episode.fix is not None


def test_the_missing_program_run_on_the_default_path_is_still_the_way(tmp_path: Path) -> None:
    """`command -p make` runs `make` found on the system's default PATH: no question asked."""
    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "make build"),
            result("t1", "Exit code 127\nbash: line 1: make: command not found", True),
            call("t2", "command -p make build"),
            result("t2", "gcc -o app main.c"),
        ],
    )
    assert episode.fix is not None
