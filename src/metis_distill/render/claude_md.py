"""The managed block of a context file, and splicing it into the file's human text.

Contract 2: `- {text} [{support}](.metis/{file}/{id}.txt#La-Lb)`: the link opens the line's
evidence file (see `render.evidence`), whose name is the lesson's id. Blocks written before
carry `([evidence](…)) <!-- metis:{id} -->`; their ids are read too.
Contract 8: the begin marker carries a hash of the block's content, so hand edits show.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from metis_distill.templating import environment
from metis_distill.terminal import printable

BEGIN = "<!-- metis:begin"
END = "<!-- metis:end -->"
SECTION_TITLES = {"gotcha": "Gotchas", "failure": "Failures to avoid", "decision": "Decisions"}
_BLOCK = re.compile(
    r"<!--\s*metis:begin(?P<attrs>[^>]*)-->(?P<body>.*?)<!--\s*metis:end\s*-->", re.S
)
_BEGIN_MARK = re.compile(r"<!--\s*metis:begin[^>]*-->")
_END_MARK = re.compile(r"<!--\s*metis:end\s*-->")
_HASH = re.compile(r"sha=(?P<sha>[0-9a-f]+)")
_ID = re.compile(
    r"<!--\s*metis:(?P<id>[0-9a-f]{10})\s*-->"  # the id marker of blocks written before
    r"|\]\((?:[^)\s]*/)?(?P<note>[0-9a-f]{10})\.txt#L\d+(?:-L?\d+)?\)"
)
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


def line_id(line: str) -> str | None:
    """The lesson id a line of a block carries (its evidence file's name, or an old marker)."""
    match = _ID.search(line)
    return (match["id"] or match["note"]) if match else None


def safe_text(text: str) -> str:
    """One line of Markdown that cannot close our comments or break the list, and holds no
    terminal escape or other control character (whatever the extractor let through)."""
    text = printable(text)
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
    ids = tuple(i for i in map(line_id, body.splitlines()) if i is not None)
    return ExistingBlock(match.start(), match.end(), body, ids, edited)


def marker_problem(text: str) -> str | None:
    """What a hand edit broke in the block's markers, said with how to mend it; None for one
    whole block or none. A file so broken gets no block written: `splice` would add a second
    one, or take the person's text below the first begin marker into the block."""
    begins = [m.start() for m in _BEGIN_MARK.finditer(text)]
    ends = [m.start() for m in _END_MARK.finditer(text)]
    if len(begins) > len(ends):
        return (
            f"a `{BEGIN} -->` marker has no `{END}` after it: put `{END}` back where the "
            "managed block ends"
        )
    if len(ends) > len(begins):
        return f"a `{END}` marker has no `{BEGIN} -->` before it: delete it or put the begin back"
    if len(begins) > 1:
        return f"{len(begins)} managed blocks where metis keeps one: delete all but one"
    if begins and ends[0] < begins[0]:
        return f"the `{END}` marker comes before `{BEGIN} -->`: swap them back"
    return None


def line_end(text: str) -> str:
    """The file's own line end: a block is written and taken out with it."""
    return "\r\n" if "\r\n" in text else "\n"


def splice(current: str, block: str) -> str:
    """The file with its managed block replaced or appended; all other bytes kept as they are."""
    newline = line_end(current)
    block = block.replace("\n", newline)  # a CRLF file gets a CRLF block
    existing = find_block(current)
    if existing is not None:
        return current[: existing.start] + block + current[existing.end :]
    if not current:
        return block + newline
    separator = newline if current.endswith("\n") else newline * 2
    return current + separator + block + newline


def without_block(current: str) -> str:
    """The file with its managed block taken out, and the line end and blank line `splice`
    adds around a block it appends; every other byte kept as it is."""
    existing = find_block(current)
    if existing is None:
        return current
    newline = line_end(current)
    before = current[: existing.start]
    after = current[existing.end :].removeprefix(newline)
    if not after and before.endswith(newline * 2):
        before = before.removesuffix(newline)
    return before + after
