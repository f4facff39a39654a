"""Edits refused right after a Read of the same `C:/…` path, twice in a session: one gotcha of
the machine, its remedy told only when a command rewrote a refused file and worked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from metis_distill.extract.rules import RulesExtractor
from metis_distill.ledger import LessonView
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.rereads import AGAIN, BACKSLASHED, LESSON, NO_WAY_SEEN, REWRITTEN
from metis_distill.models import LessonKind
from metis_distill.placement.agents import agents_of
from metis_distill.placement.locality import Locality, locality
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, edit, result

STALE = "File has been unexpectedly modified. Read it again before attempting to write it."
SERVER = "C:/Users/ana/shop/server.js"
MODEL = "C:/Users/ana/shop/models/order.js"


def read(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    block = {"type": "tool_use", "id": tool_id, "name": "Read", "input": {"file_path": path}}
    return {"type": "assistant", "message": {"content": [block]}}


def refused_after_read(n: int, path: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        read(f"r{n}", path),
        result(f"r{n}", "     1→import express from 'express';"),
        edit(f"e{n}", path),
        result(f"e{n}", STALE, True),
    ]


def gotchas(tmp_path: Path, records: list[dict]) -> list[str]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.GOTCHA]
    return [c.text for c in RulesExtractor().extract(run, episodes, read_lines(path))]


def test_twice_refused_after_a_read_is_one_gotcha_with_the_command_that_worked(
    tmp_path: Path,
) -> None:
    rewrite = f"node -e \"const fs=require('fs'); fs.writeFileSync('{MODEL}', s)\""
    records = [
        *refused_after_read(1, SERVER),
        *refused_after_read(2, MODEL),
        call("b1", rewrite),
        result("b1", "written"),
    ]
    (text,) = gotchas(tmp_path, records)
    assert text == LESSON + REWRITTEN
    view = LessonView("id", "gotcha", text, "active", 2, None, None, (), (), None)
    assert locality(view, Path("/w")) is Locality.MACHINE
    assert agents_of(replace(view, formats=frozenset({"claude_code"}))) == {"claude_code"}


def test_without_a_command_that_worked_no_remedy_is_told(tmp_path: Path) -> None:
    records = [*refused_after_read(1, SERVER), *refused_after_read(2, SERVER)]
    assert gotchas(tmp_path, records) == [LESSON + AGAIN + NO_WAY_SEEN]


def test_once_or_with_the_file_touched_between_is_no_lesson(tmp_path: Path) -> None:
    """Once may be another program writing the file; a formatter run between the Read and
    the Edit did touch it."""
    once = refused_after_read(1, SERVER)
    assert gotchas(tmp_path / "a", once) == []
    touched = [
        read("r2", SERVER),
        result("r2", "     1→import express from 'express';"),
        call("f2", f"npx prettier --write {SERVER}"),
        result("f2", "server.js 40ms"),
        edit("e2", SERVER),
        result("e2", STALE, True),
    ]
    assert gotchas(tmp_path / "b", [*once, *touched]) == []


def test_a_path_of_another_system_is_no_lesson_of_this_one(tmp_path: Path) -> None:
    """On Linux or macOS the file was changed by something (a watcher): no tool bug."""
    records = [
        *refused_after_read(1, "/home/ana/shop/a.js"),
        *refused_after_read(2, "/home/ana/shop/a.js"),
    ]
    assert gotchas(tmp_path, records) == []


def test_every_refusal_of_the_session_is_told_by_the_one_gotcha(tmp_path: Path) -> None:
    records = [
        *refused_after_read(1, SERVER),
        *refused_after_read(2, SERVER),
        *refused_after_read(3, MODEL),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, tmp_path)
    episodes = list(find_episodes(run))
    assert [e.kind for e in episodes] == [LessonKind.GOTCHA]


def test_a_command_between_the_read_and_the_edit_may_have_touched_the_file(
    tmp_path: Path,
) -> None:
    """`npx eslint --fix src` between them rewrote the file: no bug of the tool's."""
    records = [
        record
        for n in (1, 2)
        for record in (
            read(f"r{n}", SERVER),
            result(f"r{n}", "     1→import express from 'express';"),
            call(f"f{n}", "npx eslint --fix src"),
            result(f"f{n}", ""),
            edit(f"e{n}", SERVER),
            result(f"e{n}", STALE, True),
        )
    ]
    assert gotchas(tmp_path, records) == []


def test_the_same_file_edited_by_its_backslashed_path_is_the_way(tmp_path: Path) -> None:
    backslashed = MODEL.replace("/", "\\")
    records = [
        *refused_after_read(1, SERVER),
        *refused_after_read(2, MODEL),
        edit("e3", backslashed),
        result("e3", f"The file {backslashed} has been updated."),
    ]
    assert gotchas(tmp_path, records) == [LESSON + BACKSLASHED]
    refused_again = [*records[:-1], result("e3", STALE, True)]
    assert gotchas(tmp_path / "again", refused_again) == [LESSON + NO_WAY_SEEN]


def test_reading_again_is_said_not_to_help_only_when_the_run_shows_it(tmp_path: Path) -> None:
    """Two files refused once each, neither read again: whether a fresh Read helps is not
    shown; one refused again after a fresh Read shows it."""
    two_files = [*refused_after_read(1, SERVER), *refused_after_read(2, MODEL)]
    assert gotchas(tmp_path / "a", two_files) == [LESSON + NO_WAY_SEEN]
    read_again = [*two_files, *refused_after_read(3, MODEL)]
    assert gotchas(tmp_path / "b", read_again) == [LESSON + AGAIN + NO_WAY_SEEN]


def test_a_fresh_read_that_let_the_edit_through_is_no_gotcha(tmp_path: Path) -> None:
    """Each refusal answered by reading the file again, then the same edit working: the
    tool's own advice worked, whatever the path's slashes; no failure of each either."""
    for form, (first, second) in {
        "forward": (SERVER, MODEL),
        "back": (SERVER.replace("/", "\\"), MODEL.replace("/", "\\")),
    }.items():
        records = [
            record
            for n, path in ((1, first), (2, second))
            for record in (
                *refused_after_read(n, path),
                read(f"again{n}", path),
                result(f"again{n}", "     1→import express from 'express';"),
                edit(f"ok{n}", path),
                result(f"ok{n}", f"The file {path} has been updated."),
            )
        ]
        path = _write(tmp_path / form, records)
        assert list(find_episodes(parse_file(path, tmp_path / form))) == []


def test_backslashes_are_the_way_only_when_the_refused_path_had_forward_ones(
    tmp_path: Path,
) -> None:
    """Refused with `C:\\…` already, the same path working later is no change of form; a Read
    between the last refusal and the backslashed edit that worked may be what mended it."""
    back = SERVER.replace("/", "\\")
    same_form = [
        *refused_after_read(1, back),
        *refused_after_read(2, back),
        edit("e3", back),
        result("e3", f"The file {back} has been updated."),
    ]
    said = LESSON.replace("`C:/…`", "`C:\\…`") + AGAIN + NO_WAY_SEEN
    assert gotchas(tmp_path / "a", same_form) == [said]
    read_between = [
        *refused_after_read(1, SERVER),
        *refused_after_read(2, SERVER),
        *refused_after_read(3, SERVER),
        read("r4", back),
        result("r4", "     1→import express from 'express';"),
        edit("e4", back),
        result("e4", f"The file {back} has been updated."),
    ]
    assert gotchas(tmp_path / "b", read_between) == [LESSON + AGAIN + NO_WAY_SEEN]
    read_before_another_refusal = [
        *refused_after_read(1, SERVER),
        *refused_after_read(2, SERVER),
        read("r3", SERVER),
        result("r3", "     1→import express from 'express';"),
        *refused_after_read(4, MODEL),
        edit("e5", back),
        result("e5", f"The file {back} has been updated."),
    ]
    said = LESSON + AGAIN + NO_WAY_SEEN
    assert gotchas(tmp_path / "c", read_before_another_refusal) == [said]


API = "C:/Users/ana/shop/api/index.js"
WEB = "C:/Users/ana/shop/web/index.js"


def test_files_of_one_name_in_two_folders_are_two_files(tmp_path: Path) -> None:
    """Each refused after its own first Read: no file was read again, whatever the names."""
    two_files = [*refused_after_read(1, API), *refused_after_read(2, WEB)]
    assert gotchas(tmp_path / "a", two_files) == [LESSON + NO_WAY_SEEN]
    # a new file of the same name, written with backslashes, mends none of the refused ones
    other = "C:\\Users\\ana\\shop\\test\\index.js"
    written = [*two_files, edit("e3", other), result("e3", f"The file {other} has been updated.")]
    assert gotchas(tmp_path / "b", written) == [LESSON + NO_WAY_SEEN]
    # the refused file itself, its drive and letters in another case, is the same file
    same = "c:\\users\\ana\\shop\\web\\index.js"
    mended = [*two_files, edit("e3", same), result("e3", f"The file {same} has been updated.")]
    assert gotchas(tmp_path / "c", mended) == [LESSON + BACKSLASHED]


def test_backslashes_are_no_way_when_forward_slashes_worked_first(tmp_path: Path) -> None:
    """The refused file edited as `C:/…` and working before its backslashed edit: the form
    of the path is not what let the edit through."""
    back = MODEL.replace("/", "\\")
    records = [
        *refused_after_read(1, SERVER),
        *refused_after_read(2, MODEL),
        edit("e3", MODEL),
        result("e3", f"The file {MODEL} has been updated."),
        edit("e4", back),
        result("e4", f"The file {back} has been updated."),
    ]
    assert gotchas(tmp_path, records) == [LESSON + NO_WAY_SEEN]


def write(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    block = {
        "type": "tool_use",
        "id": tool_id,
        "name": "Write",
        "input": {"file_path": path, "content": "import express from 'express';\n"},
    }
    return {"type": "assistant", "message": {"content": [block]}}


def test_a_command_is_no_way_when_the_tool_itself_got_a_refused_file_written_first(
    tmp_path: Path,
) -> None:
    """The Edits refused, then a Write of the same file working: the tool got through, so a
    command rewriting a refused file later is not what worked (nor is the line's claim that
    nothing else touched the file more than no call between touching it)."""
    rewrite = f"node -e \"const fs=require('fs'); fs.writeFileSync('{MODEL}', s)\""
    refused = [*refused_after_read(1, SERVER), *refused_after_read(2, SERVER)]
    written = [write("w3", SERVER), result("w3", f"The file {SERVER} has been updated.")]
    later = [*refused_after_read(4, MODEL), call("b5", rewrite), result("b5", "written")]
    (text,) = gotchas(tmp_path / "a", [*refused, *written, *later])
    assert text == LESSON + AGAIN + NO_WAY_SEEN
    assert "nothing else touching" not in text
    # the Write refused too, the command is what worked
    still = [write("w3", SERVER), result("w3", STALE, True)]
    assert gotchas(tmp_path / "b", [*refused, *still, *later]) == [LESSON + AGAIN + REWRITTEN]


def test_the_span_that_shows_the_way_is_the_one_a_line_links_to(tmp_path: Path) -> None:
    """A session whose command rewrote the file shows the way; one that saw no way does not:
    a line joining both links to the first (`shows_fix`)."""
    rewrite = f"node -e \"const fs=require('fs'); fs.writeFileSync('{MODEL}', s)\""
    refused = [*refused_after_read(1, SERVER), *refused_after_read(2, MODEL)]
    for name, records, way in [
        ("way", [*refused, call("b1", rewrite), result("b1", "written")], True),
        ("none", refused, False),
    ]:
        path = _write(tmp_path / name, records)
        run = parse_file(path, tmp_path / name)
        episodes = [e for e in find_episodes(run) if e.kind is LessonKind.GOTCHA]
        (found,) = RulesExtractor().extract(run, episodes, read_lines(path))
        assert found.evidence.shows_fix is way
