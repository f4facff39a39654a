"""zsh's own `status` is read-only: a script that assigns it stops. One lesson, the shell's,
with another name for the variable its way."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.zsh_read_only import RENAME_FIX, read_only_text
from tests.mine.test_episodes import call, failure_lessons, result

CHECK = (
    'for f in specs/001-todo/checklists/*.md; do total=$(grep -c "^- \\[" "$f"); '
    'status="✓ PASS"; echo "$f $total $status"; done'
)
REFUSED = "Exit code 1\nzsh:11: read-only variable: status"


def test_the_script_with_another_name_is_the_way(tmp_path: Path) -> None:
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", CHECK),
            result("t1", REFUSED, True),
            call("t2", CHECK.replace("status", "row_status")),
            result("t2", "specs/001-todo/checklists/ux.md 12 ✓ PASS"),
        ],
    )
    assert (lesson.text, lesson.fix) == (read_only_text("status"), RENAME_FIX)
    assert "specs/" not in lesson.text


@pytest.mark.parametrize(
    ("retry", "output"),
    [
        (CHECK, "Exit code 1\nzsh:11: read-only variable: status"),  # assigned again
        (CHECK.replace("status", "row_status"), "Exit code 1\ngrep: specs: No such file"),
    ],
)
def test_no_way_is_told_unless_the_renamed_script_worked(
    tmp_path: Path, retry: str, output: str
) -> None:
    lessons = failure_lessons(
        tmp_path,
        [
            call("t1", CHECK),
            result("t1", REFUSED, True),
            call("t2", retry),
            result("t2", output, True),
        ],
    )
    assert {(c.text, c.fix) for c in lessons if "read-only" in c.text} == {
        (read_only_text("status"), None)
    }


def test_a_read_only_variable_the_script_did_not_assign_is_no_such_lesson(
    tmp_path: Path,
) -> None:
    lessons = failure_lessons(
        tmp_path,
        [
            call("t1", "readonly LIMIT=3; ./bump.sh"),
            result("t1", "Exit code 1\n./bump.sh: line 4: LIMIT: readonly variable", True),
        ],
    )
    assert all("zsh" not in c.text for c in lessons)


def test_a_name_the_script_made_read_only_is_not_zshs(tmp_path: Path) -> None:
    lessons = failure_lessons(
        tmp_path,
        [
            call("t1", "readonly VERSION=1.4.2; ./build.sh; VERSION=1.4.3 ./build.sh --tag"),
            result("t1", "Exit code 1\nbuilt 1.4.2\nzsh:3: read-only variable: VERSION", True),
        ],
    )
    assert all("zsh" not in c.text for c in lessons)


def test_another_command_that_worked_is_no_rename(tmp_path: Path) -> None:
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", CHECK),
            result("t1", REFUSED, True),
            call("t2", "ls specs/001-todo/checklists"),
            result("t2", "ux.md"),
        ],
    )
    assert (lesson.text, lesson.fix) == (read_only_text("status"), None)
