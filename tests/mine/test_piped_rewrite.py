"""Claude Code's Bash tool rewriting a piped command: a stderr redirect reaches the program as
an argument `2`, a glob as the word `glob`. One lesson, the harness's, whatever the command;
its way the same program run without the pipe, or without what the rewrite mangles."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from metis_distill.curate.earned import HeldBack, held_back
from metis_distill.mine.piped_rewrite import LEFT_OUT_FIX, NO_PIPE_FIX, PIPE_REWRITE_TEXT
from metis_distill.models import LessonCandidate
from tests.mine.test_episodes import call, failure_lessons, result


def _judged(lesson: LessonCandidate, sessions: int) -> SimpleNamespace:
    return SimpleNamespace(
        kind=lesson.kind, text=lesson.text, scope=lesson.scope, fix=lesson.fix, support=sessions
    )


@pytest.mark.parametrize(
    ("command", "output", "quote"),
    [
        (
            "grep -rn 'TODO' src/ lib/ 2>/dev/null | head -5",
            "grep: 2: No such file or directory",
            "grep: 2: No such file or directory",
        ),
        (
            "ls -la ~/.cache/tool/ 2>/dev/null | head -20",
            "ls: cannot access '2': No such file or directory",
            "ls: cannot access '2': No such file or directory",
        ),
        (
            "cargo metadata --format-version 1 2>&1 | jq .workspace_root",
            "error: unexpected argument '2' found\n\nUsage: cargo metadata [OPTIONS]",
            "error: unexpected argument '2' found",
        ),
        (  # the tool resolves the argument against the folder; what it parsed printed first
            "nix-instantiate --parse default.nix 2>&1 | head -40",
            "({ pkgs, ... }: { }) \nerror: path '/w/2' does not exist",
            "error: path '/w/2' does not exist",
        ),
        (
            "cat logs/*.log | grep -c ERROR",
            "cat: glob: No such file or directory\n0",
            "cat: glob: No such file or directory",
        ),
    ],
)  # fmt: skip
def test_a_redirect_or_glob_the_program_got_as_a_word_is_the_harness_s_lesson(
    tmp_path: Path, command: str, output: str, quote: str
) -> None:
    """The pipe's last program exited 0: the output alone says the program got a word the
    command gave only as a redirect's fd or a glob."""
    (lesson,) = failure_lessons(tmp_path, [call("t1", command), result("t1", output)])
    assert (lesson.text, lesson.fix) == (PIPE_REWRITE_TEXT, None)
    assert lesson.evidence.quote == quote


@pytest.mark.parametrize(
    ("retry", "fix"),
    [
        ("ls -la ~/.cache/tool/", NO_PIPE_FIX),
        ("ls -la ~/.cache/ | grep tool", LEFT_OUT_FIX),
        ("ls -la ~/.cache/tool/ 2>&1 | head -20", None),  # the redirect kept: mangled again
        ("ls -la ~/.cache/t* | head -20", None),  # a glob given in its place
        ("du -sh ~/.cache/tool/", None),  # another program
    ],
)
def test_the_same_program_without_the_pipe_or_the_redirect_is_the_way(
    tmp_path: Path, retry: str, fix: str | None
) -> None:
    lessons = failure_lessons(
        tmp_path,
        [
            call("t1", "ls -la ~/.cache/tool/ 2>/dev/null | head -20"),
            result("t1", "ls: cannot access '2': No such file or directory"),
            call("t2", retry),
            result("t2", "total 8\n-rw-r--r-- 1 ana ana 12 Nov  1 10:00 state.json"),
        ],
    )
    assert lessons[0].text == PIPE_REWRITE_TEXT
    assert lessons[0].fix == fix


def test_another_subcommand_of_the_program_is_no_way(tmp_path: Path) -> None:
    """`nix path-info` working says nothing of `nix why-depends`."""
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", "nix why-depends /run/current-system nixpkgs.openssl 2>&1 | head -20"),
            result("t1", "error: unexpected argument '2'\nTry 'nix --help' for more information."),
            call("t2", "nix path-info -r /run/current-system | grep openssl"),
            result("t2", "/nix/store/0abc-openssl-3.0.14"),
        ],
    )
    assert (lesson.text, lesson.fix) == (PIPE_REWRITE_TEXT, None)


def test_the_same_mangled_error_again_and_again_is_no_banner(tmp_path: Path) -> None:
    """Outputs that open with the same line are taken for a shell's banner; the rewrite's
    error, repeated in every piped command of the session, is a failure each time."""
    records = []
    for n, folder in enumerate(("a", "b", "c")):
        records += [
            call(f"t{n}", f"ls -la ~/.config/{folder}* 2>/dev/null | head -20"),
            result(
                f"t{n}",
                "ls: cannot access 'glob': No such file or directory\n"
                "ls: cannot access '2': No such file or directory",
            ),
        ]
    lessons = failure_lessons(tmp_path, records)
    assert [c.text for c in lessons] == [PIPE_REWRITE_TEXT] * 3


@pytest.mark.parametrize(
    ("command", "output"),
    [
        # the command gave `2` itself: a look at a folder that is not there
        ("ls -la results/2 2>/dev/null | head", "ls: cannot access 'results/2': No such file"),
        ("ls 2 | head", "ls: cannot access '2': No such file or directory"),
        # no pipe: bash had the redirect
        ("grep -rn TODO src/ 2>&1", "Exit code 2\ngrep: 2: No such file or directory"),
        # the word `glob` is the command's own
        ("python3 -c 'import glob' | cat", "ModuleNotFoundError: No module named 'glob'"),
        # the redirect is in a script handed to bash, whose own it is
        ("bash -c 'ls x 2>/dev/null' | head", "ls: cannot access '2': No such file or directory"),
    ],
)  # fmt: skip
def test_a_word_the_command_gave_itself_is_no_rewrite(
    tmp_path: Path, command: str, output: str
) -> None:
    lessons = failure_lessons(tmp_path, [call("t1", command), result("t1", output, True)])
    assert all(c.text != PIPE_REWRITE_TEXT for c in lessons)


def test_a_missing_program_behind_a_redirect_and_a_pipe_is_still_its_own_lesson(
    tmp_path: Path,
) -> None:
    """The control: an error the program really met, through the same `2>&1 | tail`, keeps
    its lesson."""
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", "tsc --noEmit 2>&1 | tail -5"),
            result("t1", "/bin/bash: line 1: tsc: command not found"),
            call("t2", "npx tsc --noEmit 2>&1 | tail -5"),
            result("t2", "Found 0 errors."),
        ],
    )
    assert lesson.text != PIPE_REWRITE_TEXT and "`tsc`" in lesson.text
    assert lesson.fix == "npx"


def test_the_lesson_renders_with_a_way_or_from_two_sessions(tmp_path: Path) -> None:
    (alone,) = failure_lessons(
        tmp_path,
        [
            call("t1", "grep -rn x src/ 2>/dev/null | head"),
            result("t1", "grep: 2: No such file or directory"),
        ],
    )
    with_way = failure_lessons(
        tmp_path,
        [
            call("t1", "grep -rn x src/ 2>/dev/null | head"),
            result("t1", "grep: 2: No such file or directory"),
            call("t2", "grep -rn x src/"),
            result("t2", "src/a.py:3:x = 1"),
        ],
    )[0]
    assert held_back(_judged(alone, sessions=1)) is HeldBack.ONE_SESSION
    assert held_back(_judged(alone, sessions=2)) is None
    assert with_way.fix == NO_PIPE_FIX and held_back(_judged(with_way, sessions=1)) is None


@pytest.mark.parametrize(
    ("command", "output"),
    [
        ("kubectl scale deploy/web --replicas=2 2>&1 | tail -1",
         "error: invalid value '2' for replicas"),
        ("python tools/report.py --level=2 2>&1 | tail -5",
         "report.py: error: argument --level: invalid choice: '2' (choose from '0', '1')"),
    ],
)  # fmt: skip
def test_a_value_2_the_command_gave_an_option_is_no_rewrite(
    tmp_path: Path, command: str, output: str
) -> None:
    """The program turned down the `2` the call gave as `--opt=2`: its own failure."""
    lessons = failure_lessons(tmp_path, [call("t1", command), result("t1", output)])
    assert all(lesson.text != PIPE_REWRITE_TEXT for lesson in lessons)
