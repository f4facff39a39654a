"""The evidence file committed beside a context file: a bounded, redacted excerpt that still
holds the quote, a header that names the archive span, and a link that resolves from it."""

from __future__ import annotations

import json
from pathlib import Path

from metis_distill.provenance import quote_in_lines, resolve, resolve_line
from metis_distill.render.evidence import (
    HEADER_LINES,
    EvidenceNote,
    link_id,
    note_link,
    notes_folder,
    read_header,
)
from metis_distill.render.excerpt import MAX_LINES, MAX_VALUE, excerpt


def _json(text: str, **more: object) -> str:
    return json.dumps({"type": "tool_result", "content": text, **more})


def test_a_short_span_is_kept_whole() -> None:
    span = [_json("$ pytest"), _json("bash: pytest: command not found")]
    shown = excerpt(span, 40, "pytest: command not found")
    assert shown.lines == tuple(span) and (shown.shown, shown.total) == (2, 2)


def test_a_long_span_keeps_its_ends_and_the_quote() -> None:
    span = [_json(f"step {i}") for i in range(200)]
    span[120] = _json("ERROR: tasks.md not found in specs/")
    shown = excerpt(span, 1000, "ERROR: tasks.md not found")
    assert len(shown.lines) < MAX_LINES
    assert span[0] in shown.lines and span[-1] in shown.lines and span[120] in shown.lines
    assert "… 117 lines of the run left out (L1002-L1118) …" in shown.lines
    assert quote_in_lines(shown.lines, 1, len(shown.lines), "ERROR: tasks.md not found")


def test_a_long_value_is_cut_around_the_quote_and_stays_json() -> None:
    noise = "x" * 50_000
    line = _json(f"{noise} Traceback: ModuleNotFoundError: No module named 'yaml' {noise}")
    shown = excerpt([line], 7, "ModuleNotFoundError: No module named 'yaml'")
    (kept,) = shown.lines
    assert len(kept) < 3 * MAX_VALUE
    value = json.loads(kept)["content"]
    assert "No module named 'yaml'" in value and "characters cut" in value
    assert quote_in_lines(shown.lines, 1, 1, "ModuleNotFoundError: No module named 'yaml'")


def test_opaque_blobs_are_dropped_and_an_excerpt_line_stays_one_line() -> None:
    line = json.dumps(
        {"content": "ok\u2028done " + "y" * 900, "encrypted_content": "Z" * 900},
        ensure_ascii=False,
    )
    (kept,) = excerpt([line], 1, "ok done").lines
    assert "Z" * 50 not in kept and "[dropped]" in kept
    assert len(kept.splitlines()) == 1  # \u2028 would be a line break for some readers


def _note(lines: tuple[str, ...]) -> EvidenceNote:
    from metis_distill.render.excerpt import Excerpt

    return EvidenceNote(
        lesson_id="0a1b2c3d4e",
        kind="failure",
        support=2,
        archive_path="claude_code/proj/s.jsonl",
        line_start=40,
        line_end=41,
        span_sha256="ab" * 32,
        session="s1",
        when="2026-11-02 14:03 UTC",
        quote="pytest: command not found",
        excerpt=Excerpt(lines, len(lines), len(lines)),
    )


def test_the_link_covers_the_excerpt_and_resolves_from_the_file_alone(tmp_path: Path) -> None:
    note = _note((_json("$ pytest"), _json("bash: pytest: command not found")))
    target = tmp_path / "clone" / "CLAUDE.md"
    link = note.link(target.name)
    assert link == ".metis/CLAUDE/0a1b2c3d4e.txt#L7-L8" and link_id(link) == "0a1b2c3d4e"
    folder = notes_folder(target)
    folder.mkdir(parents=True)
    (folder / "0a1b2c3d4e.txt").write_text(note.text(), encoding="utf-8")
    assert len(note.text().splitlines()) == HEADER_LINES + 2
    source = read_header(note.text())
    assert source is not None
    assert (source.archive_path, source.line_start, source.line_end) == (
        "claude_code/proj/s.jsonl",
        40,
        41,
    )
    assert resolve(link, source.quote, target.parent) and resolve_line(link, target.parent)
    assert not resolve_line(note_link(target.name, "0a1b2c3d4e", 9), target.parent)  # no L15
    assert not resolve_line(".metis/CLAUDE/ffffffffff.txt#L7-L8", target.parent)
