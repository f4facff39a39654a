"""A lesson's evidence file is committed with the context file: the excerpt and the quote it
shows name no person by their home folder or e-mail address, and its link still resolves; of a
lesson's evidence it shows a span holding the error its line quotes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from metis_distill.ledger import LessonView
from metis_distill.ledger.lessons import Evidence
from metis_distill.ledger.schema import EvidenceRow
from metis_distill.provenance import resolve, resolve_line, span_lines
from metis_distill.render.evidence import notes_folder
from metis_distill.review.evidence import note_for, span_sha256
from metis_distill.textio import read_lines

_LINES = [
    {"type": "user", "cwd": "/Users/ana/src/shop", "text": "run the tests"},
    {"type": "tool_use", "command": "pytest", "cwd": "C:\\Users\\ana\\src\\shop"},
    {"type": "tool_result", "content": "/home/ana/src/shop/run.sh: Permission denied"},
    {"type": "tool_result", "content": "fatal: empty ident name (for <ana@ana-mbp.local>)"},
]


def _lesson(archive: Path, quote: str) -> LessonView:
    path = archive / "claude_code" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in _LINES), encoding="utf-8")
    row = EvidenceRow(
        id="e000000001",
        lesson_id="0a1b2c3d4e",
        archive_root=str(archive),
        path="claude_code/s.jsonl",
        line_start=1,
        line_end=4,
        quote=quote,
        session_id="s1",
        timestamp=None,
        shows_fix=False,
    )
    return LessonView("0a1b2c3d4e", "failure", "t", "active", 2, None, None, (row,))


def test_the_evidence_file_shows_no_home_folder_and_resolves(tmp_path: Path) -> None:
    note = note_for(_lesson(tmp_path / "archive", "/home/ana/src/shop/run.sh: Permission denied"))
    assert note is not None
    text = note.text()
    assert "ana" not in text
    assert note.quote == "~/src/shop/run.sh: Permission denied"
    assert '"cwd": "~/src/shop"' in text and '"cwd": "~\\\\src\\\\shop"' in text
    assert "(for <…@…>)" in text
    target = tmp_path / "clone" / "CLAUDE.md"
    notes_folder(target).mkdir(parents=True)
    (notes_folder(target) / "0a1b2c3d4e.txt").write_text(text, encoding="utf-8")
    assert resolve_line(note.link(target.name), target.parent)


def test_a_quote_that_hiding_would_part_from_its_lines_is_kept_as_it_is(tmp_path: Path) -> None:
    # the quote starts inside the home folder's name: hidden, it would be found nowhere
    note = note_for(_lesson(tmp_path / "archive", "na/src/shop/run.sh: Permission denied"))
    assert note is not None
    assert note.quote == "na/src/shop/run.sh: Permission denied"
    assert "/home/ana/src/shop/run.sh" in note.text()


def test_the_quote_as_the_archive_has_it_resolves_in_the_evidence_file(tmp_path: Path) -> None:
    quote = "/home/ana/src/shop/run.sh: Permission denied"
    note = note_for(_lesson(tmp_path / "archive", quote))
    assert note is not None
    target = tmp_path / "clone" / "CLAUDE.md"
    notes_folder(target).mkdir(parents=True)
    (notes_folder(target) / "0a1b2c3d4e.txt").write_text(note.text(), encoding="utf-8")
    assert resolve(note.link(target.name), quote, target.parent)
    assert not resolve(note.link(target.name), "/home/bob/src/shop/run.sh: nope", target.parent)


def test_the_spans_sha256_reads_the_file_as_it_is_now(tmp_path: Path) -> None:
    """The lines hashed are the file's lines as `read_lines` reads them, shared with the span's
    check, and read again once the file changes."""
    path = tmp_path / "s.jsonl"
    path.write_text('{"a": "caf\u00e9"}\n{"b": 2}\n{"c": 3}\n', encoding="utf-8")

    def reference(a: int, b: int) -> str:
        return hashlib.sha256("\n".join(read_lines(path)[a - 1 : b]).encode()).hexdigest()

    assert span_sha256(path, 1, 2) == reference(1, 2)
    assert span_lines(path, 2, 3) is not None  # read for the excerpt: kept
    assert span_sha256(path, 2, 3) == reference(2, 3)
    path.write_text('{"a": "other"}\n{"b": 22}\n{"c": 3}\n', encoding="utf-8")
    assert span_sha256(path, 1, 2) == reference(1, 2)


_TWO_FAILURES = [
    {"type": "tool_use", "command": "python app.py"},
    {"type": "tool_result", "content": "ModuleNotFoundError: No module named 'flask'"},
    {"type": "tool_use", "command": "python app.py"},
    {"type": "tool_result", "content": "ModuleNotFoundError: No module named 'jinja2'"},
]


def _merged(archive: Path, text: str, shows_fix: tuple[bool, bool] = (False, False)) -> LessonView:
    """A lesson of two failures, oldest first, each quoting its own error."""
    path = archive / "claude_code" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in _TWO_FAILURES), encoding="utf-8")
    rows = tuple(
        EvidenceRow(
            id=f"e00000000{n}",
            lesson_id="0a1b2c3d4e",
            archive_root=str(archive),
            path="claude_code/s.jsonl",
            line_start=start,
            line_end=start + 1,
            quote=_TWO_FAILURES[start]["content"],
            session_id=f"s{n}",
            timestamp=None,
            shows_fix=fix,
        )
        for n, (start, fix) in enumerate(zip((1, 3), shows_fix, strict=True))
    )
    return LessonView("0a1b2c3d4e", "failure", text, "active", 2, None, None, rows)


@pytest.mark.parametrize(
    "said",
    [
        "ModuleNotFoundError: No module named 'jinja2'",
        "ModuleNotFoundError: No module named 'jin…",  # shortened as a line quotes it
    ],
)
def test_the_line_links_the_evidence_that_shows_the_error_it_quotes(
    tmp_path: Path, said: str
) -> None:
    """The words came from the later failure: the earlier one's span would not show them."""
    note = note_for(_merged(tmp_path / "archive", f"`python app.py` fails here: “{said}”."))
    assert note is not None
    assert (note.line_start, note.quote) == (3, "ModuleNotFoundError: No module named 'jinja2'")


@pytest.mark.parametrize(
    ("text", "shows_fix", "start"),
    [
        # the first evidence shows the words: linked as before
        (
            "`python app.py` fails here: “ModuleNotFoundError: No module named 'flask'”.",
            (False, False),
            1,
        ),
        # the words in no evidence's quote, or no words quoted: the first
        ("`python app.py` fails here: “No module named 'requests'”.", (False, False), 1),
        ("`python app.py` fails here; run it with `uv run`.", (False, False), 1),
        # of the evidence showing the words, the one that shows the fix
        ("`python app.py` fails here (“No module named …”); use `uv run`.", (False, True), 3),
    ],
)
def test_a_line_whose_first_evidence_shows_its_words_links_it_as_before(
    tmp_path: Path, text: str, shows_fix: tuple[bool, bool], start: int
) -> None:
    note = note_for(_merged(tmp_path / "archive", text, shows_fix))
    assert note is not None
    assert note.line_start == start


def test_a_line_whose_quote_folded_a_count_links_the_evidence_that_shows_it() -> None:
    """`Found N errors.` is the words of the run that found 3: its evidence is linked."""
    said, counted = (
        Evidence("e1", "L", "/a", "p", 1, 2, None, 'error: script "lint" exited', "s1", None, None, True),
        Evidence("e2", "L", "/a", "p", 5, 6, None, "Found 3 errors.", "s2", None, None, True),
    )  # fmt: skip
    text = "`bun lint` fails here (“Found N errors.”); run `bun lint:fix` first."
    lesson = LessonView("L", "failure", text, "active", 2, None, None, (said, counted))
    assert lesson.strongest == counted
