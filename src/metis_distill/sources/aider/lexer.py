"""The history cut into blocks: launch headers, user inputs, aider output, replies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from metis_distill.sources.aider.patterns import EDIT_FAILED

HEADER = re.compile(r"^# aider chat started at(?P<ts>.*)$")
FENCE = re.compile(r"^ {0,3}(?P<f>`{3,}|~{3,})(?P<info>.*)$")
# The fences aider falls back to when a file in the chat holds triple backticks: `<source>`
# (`<source>tsx` as models write it) to `</source>`, and so on.
_XML_TAGS = "source|code|pre|codeblock|sourcecode"
XML_FENCE = re.compile(rf"^ {{0,3}}<(?P<tag>{_XML_TAGS})>(?P<info>\S*)\s*$")
XML_CLOSE = re.compile(rf"^ {{0,3}}</(?P<tag>{_XML_TAGS})>\s*$")


def fence_marker(line: str) -> str | None:
    """The fence a line opens: its backtick or tilde run, or `<tag>`; None if it opens none."""
    if fence := FENCE.match(line):
        return fence.group("f")
    if fence := XML_FENCE.match(line):
        return f"<{fence.group('tag')}>"
    return None


def closes_fence(line: str, marker: str) -> bool:
    """Does the line close the fence opened with `marker`?"""
    if marker.startswith("<"):
        close = XML_CLOSE.match(line)
        return close is not None and f"<{close.group('tag')}>" == marker
    fence = FENCE.match(line)
    return (
        fence is not None
        and fence.group("f")[0] == marker[0]
        and len(fence.group("f")) >= len(marker)
        and not fence.group("info").strip()
    )


@dataclass
class Msg:
    """One aider output message: its lines as (line number, text without `> `, right-stripped)."""

    lines: list[tuple[int, str]]

    @property
    def head(self) -> str:
        return self.lines[0][1]

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][0]

    @property
    def blank(self) -> bool:
        return all(not text.strip() for _, text in self.lines)


@dataclass
class Block:
    kind: str  # header | user | tool | assistant
    lines: list[tuple[int, str]] = field(default_factory=list)
    msgs: list[Msg] = field(default_factory=list)
    glued: bool = False  # a tool block right under a user block: that input's output


class Lexer:
    """Cuts the lines into blocks: launch headers, user inputs, aider output, replies."""

    def __init__(self, convention: bool, rewritten: frozenset[int] = frozenset()) -> None:
        self.in_file = convention  # `> `/`#### ` lines end in two spaces in this file,
        self.rewritten_launches = rewritten  # but not in these (header lines; 0 before any)
        self.convention = self.rewritten = False
        self._launch(0)
        self.blocks: list[Block] = []
        self.mode = "none"  # none | assistant | multi
        self.prev = "blank"  # what the previous line was
        self.fence: str | None = None
        self.unknown = 0

    def feed(self, n: int, line: str) -> None:
        if not line.strip():
            self._blank(n)
        elif HEADER.match(line):
            self.mode, self.prev = "none", "header"
            self._launch(n)
            self.blocks.append(Block("header", [(n, line)]))
        elif self.mode == "multi":
            self.blocks[-1].msgs[-1].lines.append((n, line.rstrip()))
            if line.endswith("  "):
                self.mode = "none"
        elif line.startswith("> ") or line.rstrip() == ">":
            self._quote(n, line)
        elif line.startswith("#### ") or line.rstrip() == "####":
            self._user(n, line)
        else:
            self._bare(n, line)

    def _launch(self, n: int) -> None:
        self.rewritten = self.in_file and n in self.rewritten_launches
        self.convention = self.in_file and not self.rewritten

    def _blank(self, n: int) -> None:
        if self.mode == "multi":
            self.blocks[-1].msgs[-1].lines.append((n, ""))
            return
        if self.mode == "assistant":
            self.blocks[-1].lines.append((n, ""))
        self.prev = "blank"

    def _quote(self, n: int, line: str) -> None:
        ends = line.endswith("  ")
        if EDIT_FAILED.match(line[2:]):
            is_tool = True  # aider's report of failed edits, whatever stands before it
        elif self.convention:
            is_tool = ends or (self.mode != "assistant" and self.prev in ("tool", "user"))
        else:
            is_tool = not (self.mode == "assistant" and self.fence)
        if not is_tool:
            self._assistant(n, line)
            return
        self.mode = "multi" if self.convention and not ends else "none"
        msg = Msg([(n, line[2:].rstrip())])
        if self.prev == "tool":
            self.blocks[-1].msgs.append(msg)
        else:
            self.blocks.append(Block("tool", msgs=[msg], glued=self.prev == "user"))
        self.prev = "tool"

    def _user(self, n: int, line: str) -> None:
        if self.mode == "assistant" and self.convention and not line.endswith("  "):
            self._assistant(n, line)  # a markdown heading in the reply
            return
        self.mode = "none"
        content = (n, line[5:].rstrip())
        if self.prev == "user" or self._same_input(content[1]):
            self.blocks[-1].lines.append(content)
        else:
            self.blocks.append(Block("user", [content]))
        self.prev = "user"

    def _same_input(self, text: str) -> bool:
        """In a rewritten launch, one input's lines stand apart: the formatter read each
        `#### ` line as a heading and put a blank line after it. Commands stay apart."""
        if not (self.rewritten and self.prev == "blank" and self.blocks):
            return False
        if self.blocks[-1].kind != "user":
            return False
        return not any(t.startswith(("/", "!")) for t in (text, self.blocks[-1].lines[0][1]))

    def _bare(self, n: int, line: str) -> None:
        if self.mode == "assistant":
            self._assistant(n, line)
        elif self.prev == "tool":
            # The rest of the aider message above: written without the `> ` prefix.
            self.blocks[-1].msgs[-1].lines.append((n, line.rstrip()))
            if self.convention and not line.endswith("  "):
                self.mode = "multi"
        elif (line.startswith(">") and not line.startswith(">>>")) or (
            line.startswith("####") and not line.startswith("#####")
        ):
            self.unknown += 1
            self.prev = "unknown"
        else:
            self._assistant(n, line)

    def _assistant(self, n: int, line: str) -> None:
        if self.mode != "assistant":
            self.mode, self.fence = "assistant", None
            self.blocks.append(Block("assistant"))
        self.blocks[-1].lines.append((n, line.rstrip()))
        self.prev = "assistant"
        if self.fence is None:
            self.fence = fence_marker(line)
        elif closes_fence(line, self.fence):
            self.fence = None
