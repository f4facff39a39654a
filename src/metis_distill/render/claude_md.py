"""The managed block of a context file, and splicing it into the file's human text.

Contract 2: `- {text} ([evidence]({link_base}/{archive_path}#La-Lb)) <!-- metis:{id} -->`.
Contract 8: the begin marker carries a hash of the block's content, so hand edits show.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from metis_distill.templating import environment

BEGIN = "<!-- metis:begin"
END = "<!-- metis:end -->"
SECTION_TITLES = {"gotcha": "Gotchas", "failure": "Failures to avoid", "decision": "Decisions"}
_BLOCK = re.compile(
    r"<!--\s*metis:begin(?P<attrs>[^>]*)-->(?P<body>.*?)<!--\s*metis:end\s*-->", re.S
)
_HASH = re.compile(r"sha=(?P<sha>[0-9a-f]+)")
_ID = re.compile(r"<!--\s*metis:(?P<id>[0-9a-f]{10})\s*-->")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class RenderedLine:
    id: str
    text: str
    link: str
    support: int
    raw: str = ""  # a line kept as it is (a hand edit metis cannot parse), rendered verbatim


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[RenderedLine, ...]


@dataclass(frozen=True)
class ExistingBlock:
    start: int
    end: int
    body: str
    ids: tuple[str, ...]
    hand_edited: bool


def evidence_link(target: Path, archive_root: Path, archive_path: str, a: int, b: int) -> str:
    """Relative link from the target's folder to a span of an archive file."""
    base = Path(os.path.relpath(archive_root.resolve(), target.parent.resolve())).as_posix()
    return f"{quote(base)}/{quote(archive_path)}#L{a}-L{b}"


def safe_text(text: str) -> str:
    """One line of Markdown that cannot close our comments or break the list."""
    return _WS.sub(" ", text).replace("-->", "-- >").replace("<!--", "< !--").strip()


def render_block(sections: list[Section]) -> str:
    """The whole managed block, markers included; empty sections are left out."""
    shown = [s for s in sections if s.lines]
    body = environment().get_template("managed_block.md.j2").render(sections=shown)
    return f"{BEGIN} sha={block_hash(body)} -->\n{body}{END}"


def block_hash(body: str) -> str:
    return hashlib.sha256(body.replace("\r\n", "\n").strip().encode("utf-8")).hexdigest()[:12]


def find_block(text: str) -> ExistingBlock | None:
    match = _BLOCK.search(text)
    if match is None:
        return None
    body = match["body"].lstrip("\n")
    recorded = _HASH.search(match["attrs"])
    edited = recorded is not None and recorded["sha"] != block_hash(body)
    ids = tuple(m["id"] for m in _ID.finditer(body))
    return ExistingBlock(match.start(), match.end(), body, ids, edited)


def splice(current: str, block: str) -> str:
    """The file with its managed block replaced or appended; all other bytes kept as they are."""
    newline = "\r\n" if "\r\n" in current else "\n"
    block = block.replace("\n", newline)  # a CRLF file gets a CRLF block
    existing = find_block(current)
    if existing is not None:
        return current[: existing.start] + block + current[existing.end :]
    if not current:
        return block + newline
    separator = newline if current.endswith("\n") else newline * 2
    return current + separator + block + newline
