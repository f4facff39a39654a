"""`pkill -f` among other steps stops the shell that runs them: one lesson, whatever the
pattern, with the way shown when the steps after it worked in a call of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.fixes import FixKind
from metis_distill.mine.own_shell import OWN_SHELL_FIX, OWN_SHELL_TEXT
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, result

STOPPED = 'pkill -f qemu-system 2>/dev/null; sleep 1; ps -ef | grep -v grep || echo "none"'


def _lessons(tmp_path: Path, records: list[dict]) -> list[LessonCandidate]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return RulesExtractor().extract(run, episodes, read_lines(path))


def test_the_steps_after_pkill_run_alone_are_the_way(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            call("t1", STOPPED),
            result("t1", "Exit code 144", True),
            call("t2", 'ps -ef | grep -v grep || echo "none"'),
            result("t2", "none"),
        ],
    )
    run = parse_file(path, path.parent)
    (episode,) = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert episode.fix is not None and episode.fix.kind is FixKind.SPLIT
    (lesson,) = RulesExtractor().extract(run, [episode], read_lines(path))
    assert (lesson.text, lesson.fix) == (OWN_SHELL_TEXT, OWN_SHELL_FIX)
    assert lesson.evidence.quote == "Exit code 144"


@pytest.mark.parametrize(
    ("command", "output", "lesson"),
    [
        # no way seen after it: the cause is still told, with no fix
        (STOPPED, "Exit code 143", True),
        (f"sudo pkill -9 -f 'node server' && {STOPPED}", "Exit code 137", True),
        # alone, `pkill -f` leaves no shell to match: its exit says what it found
        ("pkill -f qemu-system", "Exit code 144", False),
        # without -f only process names are matched, never the shell's command line
        ("pkill qemu-system; sleep 1; ps -ef", "Exit code 144", False),
        # something printed: not the shell stopped with nothing said
        (STOPPED, "Exit code 143\nps: fatal: bad option", False),
        # pkill last: nothing after it was cut off
        ("sleep 1; pkill -f qemu-system", "Exit code 144", False),
    ],
)
def test_only_a_shell_stopped_by_its_own_pkill_is_told(
    tmp_path: Path, command: str, output: str, lesson: bool
) -> None:
    found = _lessons(tmp_path, [call("t1", command), result("t1", output, True)])
    told = [c for c in found if c.text == OWN_SHELL_TEXT]
    assert len(told) == (1 if lesson else 0)
    assert all(c.fix is None for c in told)


def test_a_next_call_of_other_steps_is_no_way(tmp_path: Path) -> None:
    found = _lessons(
        tmp_path,
        [
            call("t1", STOPPED),
            result("t1", "Exit code 144", True),
            call("t2", "make run"),
            result("t2", "started"),
        ],
    )
    assert [(c.text, c.fix) for c in found] == [(OWN_SHELL_TEXT, None)]
