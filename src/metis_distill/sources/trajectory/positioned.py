"""A tolerant reader of one pretty-printed JSON document: where every record and every
key/value starts and ends, bad records skipped and counted, the walk resumed after them."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

RECORD_DEPTH = 2  # record arrays are walked down to their records' members
DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_INDENT = re.compile(r"[ \t]*")


class Corrupt(Exception):
    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


@dataclass
class Node:
    """A decoded value and where it sits: `start` is its key's offset for an object member."""

    value: Any
    start: int
    end: int
    value_start: int
    members: dict[str, Node] | None = None
    items: list[Node] | None = None


@dataclass
class Doc:
    """The document's text, its line table and what went wrong while walking it."""

    text: str
    starts: list[int]
    numbers: list[int]
    corrupt: list[int] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def of(cls, lines: Iterable[tuple[int, str]]) -> tuple[Doc, int]:
        parts: list[str] = []
        starts: list[int] = []
        numbers: list[int] = []
        offset = nonblank = 0
        for number, line in lines:
            starts.append(offset)
            numbers.append(number)
            parts.append(line)
            offset += len(line) + 1
            nonblank += bool(line.strip())
        return cls("\n".join(parts), starts or [0], numbers or [1]), nonblank

    def line(self, offset: int) -> int:
        return self.numbers[max(0, bisect_right(self.starts, max(offset, 0)) - 1)]

    def mark_corrupt(self, offset: int) -> None:
        """Count the line of a break; a break at the end (or in blanks) is the last line with
        text before it, not the empty line after the final newline."""
        if offset >= len(self.text) or self.text[offset].isspace():
            offset = max(len(self.text[:offset].rstrip()) - 1, 0)
        self.corrupt.append(self.line(offset))

    def lines(self, node: Node) -> tuple[int, int]:
        """The first and last line a node spans."""
        return self.line(node.start), self.line(max(node.end - 1, node.start))

    def walk(self, pos: int, depth: int, records: bool = False) -> Node:
        """The value at `pos` (after blanks), its containers walked `depth` levels down.
        Arrays walked with `records` skip a bad item and go on with the next one."""
        text = self.text
        pos = skip(text, pos)
        head = text[pos : pos + 1]
        if depth > 0 and head == "{":
            return self._object(pos, depth)
        if depth > 0 and head == "[":
            return self._array(pos, depth, records)
        value, end = decode(text, pos)
        return Node(value, pos, end, pos)

    def children(self, node: Node) -> Node:
        """The node walked one level further (it decoded already, so this cannot fail)."""
        if node.members is not None or node.items is not None:
            return node
        if not isinstance(node.value, dict | list):
            return node
        walked = self.walk(node.value_start, 1)
        return Node(node.value, node.start, node.end, node.value_start, walked.members)

    def _object(self, pos: int, depth: int) -> Node:
        text = self.text
        members: dict[str, Node] = {}
        value: dict[str, Any] = {}
        i = skip(text, pos + 1)
        if text[i : i + 1] == "}":
            return Node(value, pos, i + 1, pos, members)
        while True:
            if text[i : i + 1] != '"':
                raise Corrupt(i)
            key_start = i
            key, i = decode(text, i)
            i = skip(text, i)
            if text[i : i + 1] != ":":
                raise Corrupt(i)
            child = self.walk(i + 1, depth - 1, records=depth == RECORD_DEPTH + 1)
            child.start = key_start
            members[key], value[key] = child, child.value
            if self.truncated:
                return Node(value, pos, child.end, pos, members)
            i = skip(text, child.end)
            if text[i : i + 1] == ",":
                i = skip(text, i + 1)
            elif text[i : i + 1] == "}":
                return Node(value, pos, i + 1, pos, members)
            else:
                raise Corrupt(i)

    def _array(self, pos: int, depth: int, records: bool) -> Node:
        text, items = self.text, list[Node]()
        i = skip(text, pos + 1)
        if text[i : i + 1] == "]":
            return Node([], pos, i + 1, pos, items=items)
        while True:
            try:
                item = self.walk(i, depth - 1)
                after = skip(text, item.end)
                if text[after : after + 1] not in (",", "]"):
                    raise Corrupt(after)
            except Corrupt:
                if not records:
                    raise
                self.mark_corrupt(i)
                resume = self._resync(pos, i)
                if resume is None:
                    self.truncated = True
                    return Node([n.value for n in items], pos, len(text), pos, items=items)
                if text[resume] == "]":
                    return Node([n.value for n in items], pos, resume + 1, pos, items=items)
                i = resume
                continue
            items.append(item)
            if text[after] == "]":
                return Node([n.value for n in items], pos, after + 1, pos, items=items)
            i = skip(text, after + 1)

    def _resync(self, array_pos: int, bad: int) -> int | None:
        """Where to go on after a bad item: the next line that starts a value at the bad item's
        column, or the array's closing bracket at the column of the line that opened it."""
        text = self.text
        item_col = bad - (text.rfind("\n", 0, bad) + 1)
        open_line = text.rfind("\n", 0, array_pos) + 1
        close_col = _end(_INDENT, text, open_line) - open_line
        line_start = text.find("\n", bad)
        while line_start != -1:
            line_start += 1
            first = _end(_INDENT, text, line_start)
            col, char = first - line_start, text[first : first + 1]
            if col == item_col and char in ("{", "[", '"'):
                return first
            if col == close_col and char == "]":
                return first
            line_start = text.find("\n", first)
        return None


def decode(text: str, pos: int) -> tuple[Any, int]:
    try:
        return DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError) as e:
        raise Corrupt(getattr(e, "pos", pos)) from e


def skip(text: str, pos: int) -> int:
    return _end(_WS, text, pos)


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a pattern that always matches (`[...]*`) stops matching from `pos`."""
    match = pattern.match(text, pos)
    return match.end() if match else pos


def read_root(doc: Doc) -> Node | None:
    """The document walked to its records' members; None (and one corrupt line) if unreadable."""
    text = doc.text.lstrip("\ufeff")
    start = skip(doc.text, len(doc.text) - len(text))
    head = doc.text[start : start + 1]
    if head not in ("{", "["):
        if doc.text.strip():
            _read_scalar(doc, start)
        return None
    try:
        root = doc.walk(start, RECORD_DEPTH + 1, records=True)
    except Corrupt as e:
        doc.mark_corrupt(e.pos)
        salvaged = _salvage_object(doc, start) if head == "{" else None
        if salvaged is None:
            return None
        root = salvaged
    if doc.truncated:
        doc.truncated = False  # later walks (of values that decoded) start afresh
    else:
        rest = skip(doc.text, root.end)
        if rest < len(doc.text):  # a second document (JSON lines?) is not read
            doc.mark_corrupt(rest)
    return root


def _read_scalar(doc: Doc, start: int) -> None:
    try:
        doc.walk(start, 0)
    except Corrupt as e:
        doc.mark_corrupt(e.pos)


def _salvage_object(doc: Doc, start: int) -> Node | None:
    """A top-level object broken outside its record arrays (the caller counted the break):
    the members read before the break."""
    text = doc.text
    members: dict[str, Node] = {}
    value: dict[str, Any] = {}
    i = skip(text, start + 1)
    while text[i : i + 1] == '"' and not doc.truncated:
        key_start = i
        try:
            key, i = decode(text, i)
            i = skip(text, i)
            if text[i : i + 1] != ":":
                break
            child = doc.walk(i + 1, RECORD_DEPTH, records=True)
        except Corrupt:
            break
        child.start = key_start
        members[key], value[key] = child, child.value
        i = skip(text, child.end)
        if text[i : i + 1] != ",":
            break
        i = skip(text, i + 1)
    if not members:
        return None
    return Node(value, start, len(text), start, members)
