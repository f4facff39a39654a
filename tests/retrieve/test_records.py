"""What `--json` and the MCP tools return for a lesson: the span its rendered line links."""

from __future__ import annotations

from pathlib import Path

from metis_distill.retrieve.records import lesson_record
from metis_distill.retrieve.store import Evidence, Lesson, LessonStore

TEXT = "`npm test` fails here (“jest: not found”); use `npx jest` instead."


def _evidence(n: int, quote: str, shows_fix: bool) -> Evidence:
    return Evidence(
        f"e{n}", "L1", "/archive", f"p/run-{n}.jsonl", n, n + 1, None, quote, f"s{n}", None,
        None, shows_fix,
    )  # fmt: skip


def test_the_record_links_the_evidence_the_rendered_line_links_not_the_first() -> None:
    said = (
        _evidence(1, "npm ERR! missing script", False),
        _evidence(2, "sh: 1: jest: not found", False),
        _evidence(3, "sh: 1: jest: not found", True),
    )
    lesson = Lesson("L1", "failure", TEXT, "active", 1, None, None, said)
    assert lesson.strongest == said[2]
    assert lesson_record(lesson)["evidence"] == "/archive/p/run-3.jsonl#L3-L4"


def test_a_lesson_without_evidence_links_nothing() -> None:
    lesson = Lesson("L1", "failure", TEXT, "active", 1, None, None, ())
    assert lesson.strongest is None and lesson_record(lesson)["evidence"] is None


def test_the_store_reads_which_evidence_shows_the_fix(sample_data: Path) -> None:
    snapshot = LessonStore.at(sample_data).snapshot()
    read = [e.shows_fix for lesson in snapshot.lessons for e in lesson.evidence]
    assert True in read and False in read
