from __future__ import annotations

import os
from pathlib import Path

import pytest

from metis_distill.render.claude_md import (
    RenderedLine,
    Section,
    find_block,
    line_id,
    render_block,
    safe_text,
    splice,
)
from metis_distill.render.parse import parse_line

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SECTIONS = [
    Section(
        "Gotchas",
        (
            RenderedLine(
                "0a1b2c3d4e",
                "Vitest runs in node, not jsdom.",
                ".metis/CLAUDE/0a1b2c3d4e.txt#L7-L7",
                1,
            ),
        ),
    ),
    Section(
        "Failures to avoid",
        (
            RenderedLine(
                "1a2b3c4d5e",
                "`python` is not installed; use `uv run python` instead.",
                ".metis/CLAUDE/1a2b3c4d5e.txt#L7-L11",
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
    assert "- Vitest runs in node, not jsdom. [1](.metis/CLAUDE/0a1b2c3d4e.txt#L7-L7)\n" in block
    assert "instead. [2](.metis/CLAUDE/1a2b3c4d5e.txt#L7-L11)\n" in block
    assert "### Decisions" not in block  # empty sections are left out


def test_link_and_id_cost_at_most_twelve_tokens() -> None:
    for section in SECTIONS:
        for line in section.lines:
            rendered = next(x for x in render_block(SECTIONS).splitlines() if line.text in x)
            overhead = rendered.removeprefix("- ").removeprefix(line.text)
            assert len(overhead) / 4 <= 12, overhead


def test_a_line_is_read_back_with_its_id_link_and_words() -> None:
    line = "- Vitest runs in node, not jsdom. [3](.metis/CLAUDE/0a1b2c3d4e.txt#L7-L9)"
    parsed = parse_line(line)
    assert (parsed.id, parsed.text) == ("0a1b2c3d4e", "Vitest runs in node, not jsdom.")
    assert parsed.link == ".metis/CLAUDE/0a1b2c3d4e.txt#L7-L9"
    old = "- Old words. ([evidence](../a/s.jsonl#L1-L2), seen in 2 sessions) <!-- metis:1a2b3c4d5e -->"
    assert (parse_line(old).id, parse_line(old).text) == ("1a2b3c4d5e", "Old words.")
    assert line_id("- a person's line [see](notes.md#L3)") is None


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


def test_safe_text_cannot_break_the_markup() -> None:
    assert safe_text("a --> b <!-- c\nd") == "a -- > b < !-- c d"
