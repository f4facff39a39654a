"""A script made executable and its mode committed in the same session is a repair the
repository keeps: no lesson for the next agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.extract.test_rules import extract
from tests.mine.test_episodes import _write, call, result

DENIED = "Exit code 126\n/bin/bash: line 1: bin/install.sh: Permission denied"


@pytest.mark.parametrize(
    ("after", "kept"),
    [
        ([], True),  # made executable, never committed: the next clone fails the same way
        (["git add bin/install.sh && git commit -m 'make install executable'"], False),
        (["git add -A", "git commit -m 'install'"], False),
        (["git commit -am 'install'"], False),
        (["git add README.md && git commit -m 'docs'"], True),  # another file committed
    ],
)
def test_a_mode_committed_in_the_session_is_no_lesson(
    tmp_path: Path, after: list[str], kept: bool
) -> None:
    steps = []
    for number, command in enumerate(after):
        steps += [call(f"g{number}", command), result(f"g{number}", "[main 1a2b3c4] done")]
    path = _write(
        tmp_path,
        [
            call("s1", "bin/install.sh"),
            result("s1", DENIED, True),
            call("s2", "chmod +x bin/install.sh && bin/install.sh"),
            result("s2", "installed"),
            *steps,
        ],
    )
    lessons = [c.text for c in extract(path, path.parent)]
    assert bool(lessons) is kept, lessons
