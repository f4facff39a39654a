"""Reading archive files as lines, per contract 1: 1-based physical lines split on `\\n`
after encoding detection (UTF-8, UTF-8 with BOM, UTF-16 LE/BE)."""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_encoding(head: bytes) -> tuple[str, int]:
    """The codec of a file from its first bytes, and the length of its BOM."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return "utf-8", 0


def decode(data: bytes) -> str:
    codec, bom = detect_encoding(data[:4])
    return data[bom:].decode(codec.removesuffix("-sig"), errors="replace")


def read_lines(path: Path) -> list[str]:
    """The file's physical lines, 1-based index = list index + 1; `\\r` kept out."""
    return [line.removesuffix("\r") for line in decode(path.read_bytes()).split("\n")]


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) for every physical line of the file, in order."""
    yield from enumerate(read_lines(path), start=1)


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
