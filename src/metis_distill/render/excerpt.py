"""A bounded excerpt of an evidence span: the lines a teammate reads in the evidence file
committed beside a context file.

The lines are the span's own (already redacted), so JSON lines stay JSON. A long span keeps
its first and last lines and the lines that hold the quote; a long value is cut around the
quote. Whatever is cut, the excerpt still holds the quote (else the span is kept whole).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.provenance import LINE_WINDOW, json_unescape, quote_in_lines

MAX_LINES = 24  # a longer span keeps its ends and the quote's lines
EDGE_LINES = 2  # lines kept at each end of a long span
MAX_VALUE = 600  # characters of a string value (or a plain line) kept whole
AROUND = 240  # characters kept on each side of the quote in a cut value
HEAD, TAIL = 320, 160  # characters kept of a cut value that does not hold the quote
DROPPED_KEYS = frozenset({"encrypted_content", "signature"})
# Characters that some readers take for line breaks: an excerpt line must stay one line.
_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Excerpt:
    lines: tuple[str, ...]
    shown: int  # lines of the span shown
    total: int  # lines of the span


def excerpt(span: Sequence[str], first_line: int, quote: str) -> Excerpt:
    """The lines of a span (redacted text of lines `first_line`…), bounded, holding the quote."""
    kept = _kept_lines(span, quote)
    lines: list[str] = []
    previous = -1
    for index in kept:
        if index > previous + 1:
            lines.append(_gap(first_line + previous + 1, first_line + index - 1))
        lines.append(_bounded_line(span[index], quote))
        previous = index
    if previous < len(span) - 1:
        lines.append(_gap(first_line + previous + 1, first_line + len(span) - 1))
    if not quote_in_lines(lines, 1, len(lines), quote):
        lines = [_one_line(s[: 2 * LINE_WINDOW]) for s in span]  # cut too much: the span whole
    return Excerpt(tuple(lines), len(kept), len(span))


def _gap(a: int, b: int) -> str:
    count = b - a + 1
    return f"… {count} line{'s' if count > 1 else ''} of the run left out (L{a}-L{b}) …"


def _kept_lines(span: Sequence[str], quote: str) -> list[int]:
    if len(span) <= MAX_LINES:
        return list(range(len(span)))
    window = _quote_window(span, quote)
    edges = {*range(EDGE_LINES), *range(len(span) - EDGE_LINES, len(span))}
    if window is not None:
        a, b = window
        edges |= set(range(max(a - 1, 0), min(b + 2, len(span))))
    return sorted(edges)


def _quote_window(span: Sequence[str], quote: str, widest: int = 4) -> tuple[int, int] | None:
    """The fewest consecutive lines (up to `widest`) that hold the quote."""
    for width in range(widest):
        for a in range(len(span) - width):
            if quote_in_lines(span, a + 1, a + 1 + width, quote):
                return a, a + width
    return None


def _bounded_line(line: str, quote: str) -> str:
    if len(line) <= MAX_VALUE:
        return _one_line(line)
    try:
        value = json.loads(line)
    except ValueError:
        return _one_line(_cut(line, quote))
    if not isinstance(value, dict | list):
        return _one_line(_cut(line, quote))
    return _one_line(json.dumps(_shortened(value, quote), ensure_ascii=False))


def _shortened(value: object, quote: str) -> object:
    """A JSON value with its long strings cut (around the quote where they hold it), and
    opaque blobs (encrypted reasoning, signatures, images) dropped."""
    if isinstance(value, str):
        return _cut(value, quote) if len(value) > MAX_VALUE else value
    if isinstance(value, list):
        return [_shortened(v, quote) for v in value]
    if isinstance(value, dict):
        if value.get("type") == "image" or value.get("type") == "base64":
            return {"type": value.get("type"), "dropped": "image"}
        return {
            k: "[dropped]" if k in DROPPED_KEYS else _shortened(v, quote) for k, v in value.items()
        }
    return value


def _cut(text: str, quote: str) -> str:
    found = _find(text, quote)
    if found is None:
        left = len(text) - HEAD - TAIL
        return f"{text[:HEAD]}[… {left} characters cut …]{text[-TAIL:]}"
    a, b = max(found[0] - AROUND, 0), min(found[1] + AROUND, len(text))
    before = f"[… {a} characters cut …]" if a else ""
    after = f"[… {len(text) - b} characters cut …]" if b < len(text) else ""
    return f"{before}{text[a:b]}{after}"


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Where the quote lies in the text, its spaces matching any run of whitespace (or of
    escaped whitespace, in text that still carries JSON escapes)."""
    words = json_unescape(quote).split()
    if not words:
        return None
    space = r"(?:\s|\\[nrt])+"
    pattern = re.compile(space.join(re.escape(w) for w in words))
    match = pattern.search(text)
    return (match.start(), match.end()) if match else None


def _one_line(text: str) -> str:
    return _BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
