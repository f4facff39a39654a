"""`python` that is the Microsoft Store's placeholder: exit 49 and nothing said, whatever
the script: one machine lesson, told by the program and the exit alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.models import LessonCandidate
from tests.mine.test_episodes import call, failure_lessons, result

STUB_PATH = "C:\\Users\\a\\AppData\\Local\\Microsoft\\WindowsApps\\python3.exe"


def _stub_lessons(found: list[LessonCandidate]) -> list[LessonCandidate]:
    return [c for c in found if "Microsoft Store's placeholder" in c.text]


@pytest.mark.parametrize(
    ("command", "output", "told"),
    [
        ("python3 << 'PYEOF'\nimport json\nprint(1)\nPYEOF", "Exit code 49", True),
        ('cat "C:/x/s.jsonl" | python', "Exit code 49", True),
        ('python3 -c "import openpyxl" 2>/dev/null', "Exit code 49", True),
        ("where python3; python3 --version", f"Exit code 49\n{STUB_PATH}", True),
        # the interpreter ran and said why it stopped: its own failure
        ("python3 app.py", "Exit code 49\nTraceback (most recent call last):\nSystemExit: 49",
         False),
        # another program's exit 49
        ('node -e "process.exit(49)"', "Exit code 49", False),
    ],
)  # fmt: skip
def test_only_a_silent_exit_49_of_python_is_the_placeholder(
    tmp_path: Path, command: str, output: str, told: bool
) -> None:
    found = failure_lessons(tmp_path, [call("t1", command), result("t1", output, True)])
    assert len(_stub_lessons(found)) == (1 if told else 0)
    assert all(c.fix is None for c in _stub_lessons(found))


@pytest.mark.parametrize(
    "real",
    [
        'py -3 -c "print(1)"',
        '/c/Users/a/AppData/Local/Programs/Python/Python312/python.exe -c "print(1)"',
    ],
)
def test_a_real_python_that_worked_is_the_way_not_the_placeholder(
    tmp_path: Path, real: str
) -> None:
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", 'python3 -c "print(1)"'),
            result("t1", "Exit code 49", True),
            call("t2", real),
            result("t2", "1"),
        ],
    )
    assert "there is no Python" not in lesson.text and lesson.fix is not None


# a script only a real interpreter prints "ok" for
_SCRIPT = "import json\nprint('ok')"
_NOTHING_WORKED = "there is no Python to run here"


@pytest.mark.parametrize(
    ("stub", "real", "told"),
    [
        ("python3", "python", "`python`"),
        ("python", "python3.12", "`python3.12`"),
        ("python3", 'PYTHONPATH="E:/w/lib" python', "`python`"),
        ("python3", ".venv/Scripts/python.exe", "`.venv/Scripts/python.exe`"),
        ("python", "py -3", "`py -3`"),
    ],
)
def test_the_placeholder_names_only_its_own_name_and_the_python_that_worked(
    tmp_path: Path, stub: str, real: str, told: str
) -> None:
    # one name is the Store's placeholder; another, tried next, runs the same script
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", f'{stub} -c "{_SCRIPT}"'),
            result("t1", "Exit code 49", True),
            call("t2", f'{real} -c "{_SCRIPT}"'),
            result("t2", "ok"),
        ],
    )
    assert f"`{stub}` is the Microsoft Store's placeholder" in lesson.text
    assert f"use {told}, which works" in lesson.text and lesson.fix is not None
    assert _NOTHING_WORKED not in lesson.text and "WindowsApps" not in lesson.text


def test_a_python_that_worked_later_in_the_run_is_told_though_not_next(tmp_path: Path) -> None:
    # the agent gave up on Python at first; much later a bare `python` ran a script fine
    others = []
    for n in range(12):
        others += [call(f"o{n}", f"ls dir{n}"), result(f"o{n}", f"file{n}.txt")]
    found = failure_lessons(
        tmp_path,
        [
            call("t1", f'python3 -c "{_SCRIPT}"'),
            result("t1", "Exit code 49", True),
            *others,
            call("t2", f'python -c "{_SCRIPT}"'),
            result("t2", "ok"),
        ],
    )
    (lesson,) = _stub_lessons(found)
    assert "`python3` is the Microsoft Store's placeholder" in lesson.text
    assert "`python` is" not in lesson.text and _NOTHING_WORKED not in lesson.text
    assert "use `python`, which works" in lesson.text


def test_no_python_is_told_only_when_no_name_ever_worked(tmp_path: Path) -> None:
    found = failure_lessons(
        tmp_path,
        [
            call("t1", f'python3 -c "{_SCRIPT}"'),
            result("t1", "Exit code 49", True),
            # the same placeholder again, and a probe whose answer came from node
            call("t2", f'python3 -c "{_SCRIPT}" && echo done'),
            result("t2", "Exit code 49", True),
            call("t3", "python --version 2>/dev/null || node --version"),
            result("t3", "v22.1.0"),
        ],
    )
    texts = {c.text for c in _stub_lessons(found)}
    (text,) = texts
    assert "`python3` is the Microsoft Store's placeholder" in text and _NOTHING_WORKED in text
    assert "`python`" not in text and "WindowsApps" not in text
