"""Claude Code on Windows: its file tools take `D:\\…` paths, not Git Bash's `/d/…`."""

from __future__ import annotations

from pathlib import Path

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.drive_paths import DRIVE_PATH_TEXT
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate
from metis_distill.placement.agents import agents_of
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, read, result
from tests.placement.test_agents import lesson as placed


def _lessons(tmp_path: Path, later: str) -> list[LessonCandidate]:
    path = _write(
        tmp_path,
        [
            read("r1", "/d/work/app/backend/pom.xml"),
            result("r1", "<tool_use_error>File does not exist.</tool_use_error>", True),
            read("r2", later),
            result("r2", "1\t<project>"),
        ],
    )
    run = parse_file(path, path.parent)
    return RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))


def test_a_git_bash_path_to_a_file_tool_is_one_lesson_with_its_way(tmp_path: Path) -> None:
    (lesson,) = _lessons(tmp_path, "D:\\work\\app\\backend\\pom.xml")
    assert lesson.text == DRIVE_PATH_TEXT and lesson.fix is not None


def test_with_no_drive_path_seen_working_it_is_a_look_as_before(tmp_path: Path) -> None:
    """`/w/…` may be a folder of one letter on any machine: only the same file found with its
    drive letter shows this is Windows and the path's form the fault."""
    assert _lessons(tmp_path, "D:\\work\\app\\README.md") == []


def test_a_missing_file_by_a_windows_path_is_a_look_as_before(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            read("r1", "D:\\work\\app\\NOTES.md"),
            result("r1", "<tool_use_error>File does not exist.</tool_use_error>", True),
        ],
    )
    run = parse_file(path, path.parent)
    assert RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path)) == []


def test_the_lesson_is_claude_codes_alone() -> None:
    assert agents_of(placed(DRIVE_PATH_TEXT, ("Read:/d/a",), {"claude_code"})) == {"claude_code"}
