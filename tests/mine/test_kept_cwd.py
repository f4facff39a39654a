"""Claude Code's Bash tool keeps the folder an earlier call moved into: a `cd` into it again,
or a path from the project root, fails. One lesson, the cause known, no way invented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metis_distill.mine.kept_cwd import KEPT_CWD_TEXT
from tests.mine.test_episodes import call, failure_lessons, result

MOVED = [call("t1", "cd insight && python train.py --epochs 1"), result("t1", "epoch 1 done")]


def grep(tool_id: str, path: str) -> dict[str, Any]:
    inputs = {"pattern": "def mel", "path": path, "output_mode": "content"}
    block = {"type": "tool_use", "id": tool_id, "name": "Grep", "input": inputs}
    return {"type": "assistant", "message": {"content": [block]}}


@pytest.mark.parametrize(
    "records",
    [
        [
            call("t2", "cd insight && python test_checkpoint.py"),
            result("t2", "Exit code 1\nbash: line 1: cd: insight: No such file or directory", True),
        ],
        [  # zsh says it the other way round
            call("t2", "cd insight && ls"),
            result("t2", "Exit code 1\n(eval):cd:1: no such file or directory: insight", True),
        ],
        [
            grep("t2", "insight/dsp_frontend.py"),
            result(
                "t2",
                "<tool_use_error>Path does not exist: insight/dsp_frontend.py. Note: your "
                "current working directory is /teamspace/studio/insight.</tool_use_error>",
                True,
            ),
        ],
    ],
)
def test_the_folder_an_earlier_call_moved_into_is_the_cause(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    lessons = failure_lessons(tmp_path, [*MOVED, *records])
    assert [(c.text, c.fix) for c in lessons] == [(KEPT_CWD_TEXT, None)]


@pytest.mark.parametrize(
    "records",
    [
        # no earlier call moved there: the folder is missing
        [
            call("t2", "cd web && npm test"),
            result("t2", "Exit code 1\nbash: line 1: cd: web: No such file or directory", True),
        ],
        # the harness notes its folder, which no call moved into: the project's own subfolder
        [
            grep("t2", "myapp/dates.py"),
            result(
                "t2",
                "<tool_use_error>Path does not exist: myapp/dates.py. Note: your current "
                "working directory is /w/myapp.</tool_use_error>",
                True,
            ),
        ],
        # the last move was elsewhere
        [
            call("t2", "cd /w && git status"),
            result("t2", "On branch main"),
            call("t3", "cd insight && ls"),
            result("t3", "Exit code 1\nbash: line 1: cd: insight: No such file or directory", True),
        ],
    ],
)
def test_a_folder_no_earlier_call_stood_in_is_not_this_cause(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    said = records[0]["message"]["content"][0]["input"]
    moved = [] if "web" in said.get("command", "") or "myapp" in said.get("path", "") else MOVED
    lessons = failure_lessons(tmp_path, [*moved, *records])
    assert all(c.text != KEPT_CWD_TEXT for c in lessons)
