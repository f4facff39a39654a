"""Secrets leaked: the secrets an archive holds, searched for in everything we wrote.

The needles are found by redacting the archive's raw lines (the same `redact` as everywhere)
and taking what each `[REDACTED:kind]` replaced; a leak is a needle found in an output file,
or any text an output still holds that `redact` would change.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from metis_distill.redact import REDACTION_MARK, redact
from metis_distill.textio import read_lines

MIN_NEEDLE = 8


def needles_of_line(line: str) -> set[str]:
    """What redaction removes from one line (empty when the line holds no secret)."""
    redacted = redact(line)
    if redacted == line:
        return set()
    pieces = REDACTION_MARK.split(redacted)
    pattern = "(.+?)".join(re.escape(p) for p in pieces)
    found = re.fullmatch(pattern, line, re.S)
    if found is None:
        return set()
    return {g for g in found.groups() if _secret_like(g)}


def _secret_like(value: str) -> bool:
    """A needle worth searching for: long enough, not a plain word (an assignment rule may
    redact `password = Configuration` in place, but the word alone is no secret)."""
    return len(value) >= MIN_NEEDLE and not value.isalpha() and "***" not in value


def archive_needles(files: Iterable[Path]) -> set[str]:
    needles: set[str] = set()
    for path in files:
        for line in read_lines(path):
            needles |= needles_of_line(line)
    return needles


@dataclass(frozen=True)
class Leak:
    path: str
    what: str  # "known secret" | "secret pattern"


def scan(outputs: Iterable[Path], needles: set[str]) -> list[Leak]:
    """Leaks in the output files (binary files are searched as bytes for the needles)."""
    raw = [n.encode("utf-8") for n in needles]
    leaks = []
    for path in outputs:
        data = path.read_bytes()
        if any(n in data for n in raw):
            leaks.append(Leak(str(path), "known secret"))
            continue
        if path.suffix in (".md", ".txt", ".json", ".html") and _has_pattern(path, data):
            leaks.append(Leak(str(path), "secret pattern"))
    return leaks


def _has_pattern(path: Path, data: bytes) -> bool:
    text = data.decode("utf-8", "replace")
    if path.suffix == ".html":
        # the text as a reader sees it: an entity such as `&#39;C:` is no `user:password`
        text = html.unescape(text)
    return redact(text) != text


def output_files(*roots: Path) -> list[Path]:
    """Every file under the roots, except the archive copy (it keeps secrets by design)."""
    found = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        for path in root.rglob("*"):
            if path.is_file() and "archive" not in path.relative_to(root).parts[:1]:
                found.append(path)
    return sorted(found)
