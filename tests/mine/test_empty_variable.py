"""A path built on a variable the shell does not have starts at the root: the variable is
the cause, one lesson whatever the command or the file below it."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.empty_variable import empty_variable
from metis_distill.models import Event, EventKind, SourceRef
from tests.mine.test_episodes import call, result
from tests.mine.test_fixes import _failures


def _call(command: str) -> Event:
    return Event(
        seq=0,
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=command,
        ref=SourceRef(path="run.jsonl", line_start=1, line_end=1),
        tool_name="Bash",
    )


@pytest.mark.parametrize(
    ("command", "error", "found"),
    [
        (  # printed first, empty (an `echo` of it is no assignment)
            "echo DATA_ROOT=$DATA_ROOT && ls -la $DATA_ROOT/jobs/nightly",
            "DATA_ROOT=\nls: /jobs/nightly: No such file or directory",
            "DATA_ROOT",
        ),
        (
            'cat "${CACHE_DIR}/notes/today.md"',
            "cat: /notes/today.md: No such file or directory",
            "CACHE_DIR",
        ),
        # in single quotes: no variable of this shell (an awk program's field, a remote one)
        ("awk -F, '{print $NF/data}' x.csv && ls /data", "ls: /data: No such file", None),
        ("ssh prod 'ls $APP_HOME/logs'", "ls: /logs: No such file or directory", None),
        # an apostrophe inside double quotes opens no single quote
        (
            'echo "Let\'s look"; ls $DATA_ROOT/jobs/daily; echo "that\'s it"',
            "ls: /jobs/daily: No such file or directory",
            "DATA_ROOT",
        ),
        # a loop's variable, given its value by `read`
        (
            "find . -name '*.md' | while IFS= read -r f; do wc -l $f/x; done",
            "wc: /x: No such file or directory",
            None,
        ),
        ("for d in a b; do ls $d/src; done", "ls: /src: No such file or directory", None),
        # the variable had a value: the error names the whole path
        (
            "ls $DATA_ROOT/jobs",
            "ls: /srv/data/jobs: No such file or directory",
            None,
        ),
        # set in the command itself: not the shell's lack
        (
            "DATA_ROOT=/srv && ls $DATA_ROOT/jobs",
            "ls: /jobs: No such file or directory",
            None,
        ),
        (
            "export DATA_ROOT=/srv; ls $DATA_ROOT/jobs",
            "ls: /jobs: No such file or directory",
            None,
        ),
        # a file missing under a variable that is set
        ("ls $HOME/jobs", "ls: /jobs: No such file or directory", None),
    ],
)
def test_the_empty_variable_is_the_one_whose_path_the_error_names_from_the_root(
    command: str, error: str, found: str | None
) -> None:
    assert empty_variable(_call(command), error) == found


def test_one_lesson_for_the_variable_whatever_the_folder_below_it(tmp_path: Path) -> None:
    """Two paths built on the same unset variable, two commands: one wording, no file named,
    and the machine's (the shell's setup), not the team's."""
    texts = set()
    for n, (command, missing) in enumerate(
        [
            ("ls -la $DATA_ROOT/jobs/nightly", "/jobs/nightly"),
            ("cat $DATA_ROOT/report.json", "/report.json"),
        ]
    ):
        ((_, lesson),) = _failures(
            tmp_path / str(n),
            [
                call("t1", command),
                result("t1", f"Exit code 1\nls: {missing}: No such file or directory", True),
            ],
        )
        texts.add(lesson.text)
    assert texts == {
        "`$DATA_ROOT` is not set in the shell here: a path built on it starts at the root "
        "(`$DATA_ROOT/…` became `/…`); write the folder out instead."
    }
