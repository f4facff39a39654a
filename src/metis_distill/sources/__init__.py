"""Run formats, detected from content. The most specific formats are tried first."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from metis_distill.sources.base import SourceFormat
from metis_distill.textio import UTF16_BOMS, decode, detect_encoding

HEAD_BYTES = 64 * 1024
# Module names under metis_distill.sources, in the order they are tried.
_MODULES = ("claude_code", "codex", "trajectory", "aider", "logs")


@dataclass(frozen=True)
class Detected:
    """A file's format, or why it is skipped."""

    path: Path
    format: SourceFormat | None
    reason: str = ""


@lru_cache(maxsize=1)
def formats() -> tuple[SourceFormat, ...]:
    found = []
    for name in _MODULES:
        try:
            module = importlib.import_module(f"metis_distill.sources.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"metis_distill.sources.{name}":
                raise
            continue
        found.append(module.SOURCE)
    return tuple(found)


def by_name(name: str) -> SourceFormat:
    for source in formats():
        if source.name == name:
            return source
    raise KeyError(name)


def detect(path: Path) -> Detected:
    """The format of one file from its content; a reason when it is not a run we can read."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as e:
        return Detected(path, None, f"unreadable: {e.strerror or e}")
    if not head.strip():
        return Detected(path, None, "empty file")
    if _is_binary(head):
        return Detected(path, None, "binary file")
    text = decode(head)
    for source in formats():
        if source.looks_like(path.name, text):
            replayed = source.replay(path, text) if source.replay is not None else None
            if replayed is not None:
                return Detected(path, None, replayed)
            return Detected(path, source)
    for source in formats():
        why = source.unread(path.name, text) if source.unread is not None else None
        if why is not None:
            return Detected(path, None, why)
    return Detected(path, None, "unknown format")


def _is_binary(head: bytes) -> bool:
    """NUL bytes above one in a thousand mean binary (random bytes hold one in 256); fewer in
    UTF-8 text are damaged lines, skipped and counted by the parser. UTF-16, BOM or not, is
    text."""
    if head[:2] in UTF16_BOMS:  # UTF-16, or UTF-8 after a UTF-16 start: its NULs are that
        return False
    if detect_encoding(head[:4])[0].startswith("utf-16"):
        return False
    return head.count(0) * 1000 > len(head)
