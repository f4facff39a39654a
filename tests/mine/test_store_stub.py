"""`python` that is the Microsoft Store's placeholder: exit 49 and nothing said, whatever
the script: one machine lesson, told by the program and the exit alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.store_stub import STORE_STUB_TEXT
from tests.mine.test_episodes import call, failure_lessons, result

STUB_PATH = "C:\\Users\\a\\AppData\\Local\\Microsoft\\WindowsApps\\python3.exe"


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
    assert [c.text == STORE_STUB_TEXT for c in found].count(True) == (1 if told else 0)
    assert all(c.fix is None for c in found if c.text == STORE_STUB_TEXT)


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
    assert lesson.text != STORE_STUB_TEXT and lesson.fix is not None
