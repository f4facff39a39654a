"""A program the harness runs before each shell call, missing from the shell: every command
fails alike. One lesson about the shell, not one per command."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from metis_distill.curate.earned import HeldBack, held_back
from metis_distill.mine.shell_helper import missing_helper_text
from tests.mine.test_episodes import call, failure_lessons, result

NO_HELPER = (
    "Command failed: cygpath -u 'C:\\Users\\ana\\AppData\\Local\\Temp'\n"
    "/usr/bin/bash: line 1: cygpath: command not found"
)


def test_every_command_failing_on_the_harness_s_step_is_one_lesson(tmp_path: Path) -> None:
    lessons = failure_lessons(
        tmp_path,
        [
            call("t1", "python scripts/report.py"),
            result("t1", NO_HELPER, True),
            call("t2", "cd docs && ls"),
            result("t2", NO_HELPER, True),
            call("t3", "where git"),
            result("t3", NO_HELPER, True),
        ],
    )
    assert {(c.text, c.fix) for c in lessons} == {(missing_helper_text("cygpath"), None)}
    judged = SimpleNamespace(kind=lessons[0].kind, text=lessons[0].text, scope=(), fix=None)
    assert held_back(SimpleNamespace(**vars(judged), support=1)) is HeldBack.ONE_SESSION
    assert held_back(SimpleNamespace(**vars(judged), support=2)) is None


def test_a_program_the_command_itself_ran_keeps_its_own_lesson(tmp_path: Path) -> None:
    """The control: the agent's own `cygpath` missing is that program's lesson."""
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", "cygpath -w /c/Users/ana/app"),
            result("t1", "Command failed: cygpath -w /c/Users/ana/app\nbash: cygpath: command not found", True),
        ],
    )  # fmt: skip
    assert lesson.text != missing_helper_text("cygpath") and lesson.text.startswith("`cygpath")
