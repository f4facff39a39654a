from __future__ import annotations

import os
from pathlib import Path

import pytest

from metis_distill.render.claude_md import (
    RenderedLine,
    Section,
    evidence_link,
    find_block,
    render_block,
    safe_text,
    splice,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SECTIONS = [
    Section(
        "Gotchas",
        (
            RenderedLine(
                "0a1b2c3d4e", "Vitest runs in node, not jsdom.", "../archive/p/s.jsonl#L4-L4", 1
            ),
        ),
    ),
    Section(
        "Failures to avoid",
        (
            RenderedLine(
                "1a2b3c4d5e",
                "`python` is not installed; use `uv run python` instead.",
                "../archive/p/s.jsonl#L10-L14",
                2,
            ),
        ),
    ),
    Section("Decisions", ()),
]


def test_block_matches_golden_file() -> None:
    block = render_block(SECTIONS)
    golden = GOLDEN / "managed_block.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(block + "\n", encoding="utf-8")
    assert block + "\n" == golden.read_text(encoding="utf-8")


def test_line_format_follows_the_contract() -> None:
    block = render_block(SECTIONS)
    assert (
        "- Vitest runs in node, not jsdom. ([evidence](../archive/p/s.jsonl#L4-L4)) <!-- metis:0a1b2c3d4e -->"
        in block
    )
    assert (
        "([evidence](../archive/p/s.jsonl#L10-L14), seen in 2 sessions) <!-- metis:1a2b3c4d5e -->"
        in block
    )
    assert "### Decisions" not in block  # empty sections are left out


HUMAN = "# My project\n\nHand-written notes.\n"


@pytest.mark.parametrize("ending", ["", "\n", "\n\n"])
def test_append_keeps_human_text_byte_for_byte(ending: str) -> None:
    current = HUMAN.rstrip("\n") + ending
    out = splice(current, render_block(SECTIONS))
    assert out.startswith(current)
    assert find_block(out) is not None


def test_replace_keeps_text_before_and_after_the_block() -> None:
    old = splice(HUMAN, render_block(SECTIONS[:1])) + "\n## Footer by a human\n"
    new = splice(old, render_block(SECTIONS))
    existing = find_block(old)
    assert existing is not None
    assert new.startswith(old[: existing.start])
    assert new.endswith(old[existing.end :])
    assert find_block(new).ids == ("0a1b2c3d4e", "1a2b3c4d5e")  # type: ignore[union-attr]


def test_hand_edit_inside_block_is_detected() -> None:
    text = splice(HUMAN, render_block(SECTIONS))
    assert not find_block(text).hand_edited  # type: ignore[union-attr]
    edited = text.replace("Vitest runs in node", "Vitest runs in node (checked by Ana)")
    assert find_block(edited).hand_edited  # type: ignore[union-attr]


def test_evidence_link_is_relative_and_quoted(tmp_path: Path) -> None:
    target = tmp_path / "repo" / "CLAUDE.md"
    archive = tmp_path / "data" / "archive"
    link = evidence_link(target, archive, "proj one/s.jsonl", 3, 9)
    assert link == "../data/archive/proj%20one/s.jsonl#L3-L9"


def test_safe_text_cannot_break_the_markup() -> None:
    assert safe_text("a --> b <!-- c\nd") == "a -- > b < !-- c d"
