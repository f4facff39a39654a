"""A managed block read back: its sections, metis's lines, and the lines people changed.

Metis's own heading and intro are regenerated; every other line inside a section is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metis_distill.render.claude_md import line_id

LINE = re.compile(
    r"^- (?P<text>.*) \[(?P<support>\d+)\]"
    r"\((?P<link>(?:[^)\s]*/)?(?P<id>[0-9a-f]{10})\.txt#L\d+-L\d+)\)\s*$"
)
OLD_LINE = re.compile(  # the line of blocks written before evidence files
    r"^- (?P<text>.*) \(\[evidence\]\((?P<link>[^)\s]*)\)"
    r"(?:, seen in (?P<support>\d+) sessions)?\) <!-- metis:(?P<id>[0-9a-f]{10}) -->\s*$"
)
_ID = re.compile(r"<!--\s*metis:(?P<id>[0-9a-f]{10})\s*-->")
_LINK = re.compile(r"\s*\(\[evidence\]\([^)]*\)[^)]*\)\s*|\s*\[\d+\]\([^)\s]*\.txt#L[^)\s]*\)\s*$")


@dataclass(frozen=True)
class BlockLine:
    raw: str  # the line as it stands in the file
    id: str | None  # None: a line a person added
    text: str  # the lesson's words; "" when the line no longer follows the contract
    link: str = ""  # its evidence link, when it follows the contract


@dataclass(frozen=True)
class BlockSection:
    title: str
    lines: tuple[BlockLine, ...]


def parse_line(raw: str) -> BlockLine:
    match = LINE.match(raw.rstrip()) or OLD_LINE.match(raw.rstrip())
    if match is not None:
        return BlockLine(raw.rstrip(), match["id"], match["text"], match["link"])
    return BlockLine(raw.rstrip(), line_id(raw), "")


def words_of(line: BlockLine) -> str:
    """What a line says, without its list dash, evidence link and id marker."""
    if line.text:
        return line.text
    text = _ID.sub("", line.raw).strip()
    return _LINK.sub(" ", text.removeprefix("- ")).strip()


def parse_block(body: str) -> list[BlockSection]:
    """The sections of a block body, in order; blank lines and metis's intro are left out."""
    sections: list[BlockSection] = []
    title: str | None = None
    lines: list[BlockLine] = []
    for raw in body.splitlines():
        stripped = raw.strip()
        if stripped.startswith("### "):
            if title is not None:
                sections.append(BlockSection(title, tuple(lines)))
            title, lines = stripped[4:].strip(), []
        elif title is not None and stripped:
            lines.append(parse_line(raw))
    if title is not None:
        sections.append(BlockSection(title, tuple(lines)))
    return sections
