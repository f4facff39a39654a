"""`pkill -f` stops the shell the call runs in: one lesson, whatever the pattern, that tells
the cause and no fix (no run showed the pattern that cannot match itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.own_shell import OWN_SHELL_TEXT
from tests.mine.test_episodes import call, failure_lessons, result

STOPPED = 'pkill -f qemu-system 2>/dev/null; sleep 1; ps -ef | grep -v grep || echo "none"'


def test_the_steps_after_pkill_run_alone_show_no_fix(tmp_path: Path) -> None:
    """The rest worked on its own: that shows the rest was fine, not how to kill safely."""
    found = failure_lessons(
        tmp_path,
        [
            call("t1", STOPPED),
            result("t1", "Exit code 144", True),
            call("t2", 'ps -ef | grep -v grep || echo "none"'),
            result("t2", "none"),
        ],
    )
    assert [(c.text, c.fix) for c in found] == [(OWN_SHELL_TEXT, None)]
    assert found[0].evidence.quote == "Exit code 144"


@pytest.mark.parametrize(
    ("command", "output", "lesson"),
    [
        (STOPPED, "Exit code 143", True),
        (f"sudo pkill -9 -f 'node server' && {STOPPED}", "Exit code 137", True),
        # Claude Code's wrapper shell outlives the command: alone, or last, it is stopped too
        ("pkill -f qemu-system", "Exit code 144", True),
        ("sleep 1; pkill -f qemu-system", "Exit code 144", True),
        # without -f only process names are matched, never the shell's command line
        ("pkill qemu-system; sleep 1; ps -ef", "Exit code 144", False),
        # something printed: not the shell stopped with nothing said
        (STOPPED, "Exit code 143\nps: fatal: bad option", False),
        # pkill's own answer: nothing matched
        ("pkill -f qemu-system", "Exit code 1", False),
    ],
)
def test_only_a_shell_stopped_by_its_own_pkill_is_told(
    tmp_path: Path, command: str, output: str, lesson: bool
) -> None:
    found = failure_lessons(tmp_path, [call("t1", command), result("t1", output, True)])
    told = [c for c in found if c.text == OWN_SHELL_TEXT]
    assert len(told) == (1 if lesson else 0)
    assert all(c.fix is None for c in told)
