from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.other_file import another_file
from metis_distill.models import Event, EventKind, SourceRef
from tests.mine.test_episodes import call, episodes_of, failure_lessons, read, result

_REFUSED = "EACCES: permission denied, open '/srv/www/report.html'"


def _refused_then(later: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [read("r1", "/srv/www/report.html"), result("r1", _REFUSED, True), *later]


def test_a_read_of_another_file_is_no_way_to_the_refused_one(tmp_path: Path) -> None:
    """The copy the site is built from read in place of the served file refused: the served
    file is still refused, and no line teaches the copy's path as its way."""
    records = _refused_then(
        [read("r2", "/home/ana/site/public/report.html"), result("r2", "     1→<html>")]
    )
    (episode,) = episodes_of(tmp_path, records)
    assert episode.fix is None
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.fix is None and "instead" not in lesson.text


def test_the_refused_file_read_once_let_in_keeps_its_step(tmp_path: Path) -> None:
    """The control: the same file read once a step let the agent in; the step is the way."""
    records = _refused_then(
        [
            call("c1", "sudo chmod o+r /srv/www/report.html"),
            result("c1", ""),
            read("r2", "/srv/www/report.html"),
            result("r2", "     1→<html>"),
        ]
    )
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text.endswith("; run `sudo chmod o+r …` first.")


def _read(path: str) -> Event:
    ref = SourceRef(path="s.jsonl", line_start=1, line_end=1)
    return Event(0, "assistant", EventKind.TOOL_CALL, path, ref, None, tool_name="Read")


@pytest.mark.parametrize(
    ("first", "then", "other"),
    [
        ("/srv/www/report.html", "/home/ana/site/public/report.html", True),
        ("/srv/www/report.html", "/srv/www/report.html", False),
        ("site/report.html", "/home/ana/site/report.html", False),
        ("C:\\work\\app\\a.md", "c:/work/app/a.md", False),
    ],
)
def test_the_same_file_written_otherwise_is_no_other_file(
    first: str, then: str, other: bool
) -> None:
    assert another_file(_read(first), _read(then)) is other
