"""An assistant reply cut into prose, edit blocks (SEARCH/REPLACE, whole files, udiffs)
and reasoning to skip."""

from __future__ import annotations

import re

from metis_distill.sources.aider.lexer import (
    FENCE,
    XML_CLOSE,
    XML_FENCE,
    closes_fence,
    fence_marker,
)

_SEARCH = re.compile(r"^<{5,9} SEARCH>?\s*$")
_DIVIDER = re.compile(r"^={5,9}\s*$")
# `> > > > > > > REPLACE`: the same line in a history rewritten by a Markdown formatter, which
# took it for nested quotes (inside `<source>`, which it does not know as code).
_REPLACE = re.compile(r"^(?:> ?){5,9}REPLACE\s*$")
_THINK_OPEN = re.compile(r"^<(?P<tag>thinking-content-[0-9a-f]+|think|thinking|reasoning)>\s*$")
# A closing tag alone: models whose chat template writes the opening `<think>` (DeepSeek-R1
# distills) reply with their reasoning, `</think>`, then the answer.
_THINK_CLOSE = re.compile(r"</(?:think|thinking|reasoning)>\s*$")
_FENCED_EDIT_FORMATS = frozenset({"whole", "editor-whole", "udiff", "udiff-simple"})
_BARE_NAMES = frozenset({"Makefile", "Dockerfile", "Procfile", "Gemfile", "Rakefile", "Justfile"})


def segments(
    lines: list[tuple[int, str]], edit_format: str
) -> list[tuple[str, int, int, str | None]]:
    """A reply cut into prose, edit blocks and skipped reasoning: (kind, first, last, path)."""
    texts = [t for _, t in lines]
    fenced_edits = edit_format in _FENCED_EDIT_FORMATS
    cuts: list[tuple[str, int, int, str | None]] = []
    k = floor = 0
    if (reasoning := _reasoning_end(texts)) is not None:
        cuts.append(("skip", 0, reasoning, None))
        k = floor = reasoning + 1
    while k < len(texts):
        found = _search_replace(texts, k, floor) if _SEARCH.match(texts[k]) else None
        if found is not None and found[2] is None:
            # No file name of its own: aider applies it to the file named before. It reads as
            # more of that edit when nothing but blank lines stands between them.
            last = cuts[-1] if cuts else None
            if last and last[0] == "edit" and not any(t.strip() for t in texts[last[2] + 1 : k]):
                cuts[-1] = ("edit", last[1], found[1], last[3])
                k = floor = found[1] + 1
                continue
            found = None
        marker = fence_marker(texts[k]) if fenced_edits and found is None else None
        close = _closing_fence(texts, k, marker) if marker else None
        if close is not None:
            found = _fenced_edit(texts, k, close, floor, edit_format)
            if found is None and not any(_SEARCH.match(t) for t in texts[k + 1 : close]):
                k = close + 1  # an example in the reply, not an edit: skip over it whole
                continue
        if found is not None and found[2]:
            start, end, path = found
            cuts.append(("edit", start, end, path))
            k = floor = end + 1
            continue
        think = _THINK_OPEN.match(texts[k])
        if think:
            close_tag = f"</{think.group('tag')}>"
            stop = next(
                (j for j in range(k + 1, len(texts)) if texts[j].strip() == close_tag), None
            )
            if stop is not None:
                cuts.append(("skip", k, stop, None))
                k = floor = stop + 1
                continue
        k += 1
    segments: list[tuple[str, int, int, str | None]] = []
    position = 0
    for cut in cuts:
        segments.extend(_prose(texts, position, cut[1] - 1))
        segments.append(cut)
        position = cut[2] + 1
    segments.extend(_prose(texts, position, len(texts) - 1))
    return segments


def _reasoning_end(texts: list[str]) -> int | None:
    """The line that closes the reasoning a reply opens with, when only its closing tag was
    written: everything up to it is reasoning, as aider itself strips it. None when the reply
    has no such line, or opens its reasoning with a tag of its own (read in `segments`)."""
    for j, text in enumerate(texts):
        if _THINK_OPEN.match(text):
            return None
        if _THINK_CLOSE.search(text):
            return j
    return None


def _prose(texts: list[str], a: int, b: int) -> list[tuple[str, int, int, str | None]]:
    while a <= b and not texts[a].strip():
        a += 1
    while b >= a and not texts[b].strip():
        b -= 1
    return [("text", a, b, None)] if a <= b else []


def _fenced_edit(
    texts: list[str], k: int, close: int, floor: int, edit_format: str
) -> tuple[int, int, str | None] | None:
    """A whole-file block (`path` line, then the fence) or a udiff fence: (first, last, file)."""
    if "udiff" in edit_format:
        path = next((t[4:].strip() for t in texts[k + 1 : close] if t.startswith("+++ ")), "")
        return (k, close, path) if path and path != "/dev/null" else None
    name = _filename(texts[k - 1]) if k - 1 >= floor else None
    return (k - 1, close, name) if name else None


def _search_replace(texts: list[str], k: int, floor: int) -> tuple[int, int, str | None] | None:
    """A SEARCH/REPLACE block whose SEARCH line is k: (first, last, its own file name or None)."""
    divider = replace = None
    for j in range(k + 1, len(texts)):
        if _SEARCH.match(texts[j]):
            return None
        if divider is None and _DIVIDER.match(texts[j]):
            divider = j
        elif divider is not None and _REPLACE.match(texts[j]):
            replace = j
            break
    if replace is None:
        return None
    start, path = k, None
    before = k - 1
    if before >= floor and _is_open_fence(texts[before]):
        start = before
        named = before - 1
        if named - 1 >= floor and not texts[named].strip():
            named -= 1  # a blank line after the name: a Markdown formatter put it there
        if named >= floor and (name := _filename(texts[named])):
            start, path = named, name
    elif before >= floor and (name := _filename(texts[before])):
        start, path = before, name
        if before - 1 >= floor and _is_open_fence(texts[before - 1]):
            start = before - 1
    end = replace
    if end + 1 < len(texts) and not texts[end + 1].strip() and start < k:
        end += 1  # opened with a fence: a formatter may put a blank line before its closing one
    if end + 1 < len(texts) and _is_close_fence(texts[end + 1]):
        return start, end + 1, path
    return start, replace, path


def _is_open_fence(text: str) -> bool:
    fence = FENCE.match(text)
    if fence is not None:
        return " " not in fence.group("info").strip()
    return XML_FENCE.match(text) is not None


def _is_close_fence(text: str) -> bool:
    fence = FENCE.match(text)
    if fence is not None:
        return not fence.group("info").strip()
    return XML_CLOSE.match(text) is not None


def _closing_fence(texts: list[str], k: int, marker: str) -> int | None:
    return next((j for j in range(k + 1, len(texts)) if closes_fence(texts[j], marker)), None)


def _filename(text: str) -> str | None:
    """The file name on a line before an edit block, as aider reads it (a substring of it)."""
    name = text.strip()
    if not name or name == "..." or len(name) > 250 or fence_marker(name) or XML_CLOSE.match(name):
        return None
    if name.startswith(("<<<<<<<", "=======", ">>>>>>>")):
        return None
    name = name.rstrip(":").lstrip("#").strip().strip("`*").strip()
    if not name or name.endswith((".", ",", ";", "!", "?", ")")):
        return None
    separators = "/" in name or "\\" in name
    if " " in name and (not separators or name.count(" ") > 2):
        return None
    return name if separators or "." in name or name in _BARE_NAMES else None
