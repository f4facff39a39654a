"""Reading archive files as lines, per contract 1: 1-based physical lines split on `\\n`
after encoding detection (UTF-8, UTF-8 with BOM, UTF-16 LE/BE)."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from metis_distill.faults import checkpoint

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# The bytes `detect_encoding` reads: a BOM, a first line, and enough of the next.
ENCODING_HEAD = 512
_UTF16_NEWLINE = {"utf-16-le": b"\n\x00", "utf-16-be": b"\x00\n"}


def detect_encoding(head: bytes) -> tuple[str, int]:
    """The codec of a file from its first bytes (up to ENCODING_HEAD), and the length of its
    BOM. UTF-16 without a BOM is told by its first two characters (text starts with ASCII:
    `{`, `#`, a letter). A UTF-16 BOM and first line before UTF-8 text is UTF-8 with a damaged
    first line: a Windows shell made the file (`"" > f`), then a program appended to it."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            if codec.startswith("utf-16") and _utf8_after_first_line(head, codec):
                return "utf-8", len(bom)  # the BOM's bytes left out, as a UTF-8 BOM's are
            return codec, len(bom)
    if len(head) >= 4 and head[0] and head[2] and not head[1] and not head[3]:
        return "utf-16-le", 0
    if len(head) >= 4 and head[1] and head[3] and not head[0] and not head[2]:
        return "utf-16-be", 0
    return "utf-8", 0


def _utf8_after_first_line(head: bytes, codec: str) -> bool:
    """After the first UTF-16 line break (or the BOM, when the head holds none), UTF-8 text:
    it decodes as UTF-8 and holds next to no control byte. UTF-16 puts a NUL in every ASCII
    character and line break, and its Cyrillic, Greek or Arabic letters a control byte beside
    each letter (0x04 …); its Chinese or Japanese ones do not decode as UTF-8. A UTF-16 line
    break pasted into the UTF-8 text is two NULs, and allowed."""
    newline = _UTF16_NEWLINE[codec]
    end = next((i for i in range(2, len(head) - 1, 2) if head[i : i + 2] == newline), None)
    rest = head[end + 2 :] if end is not None else head[2:]  # or a BOM alone (`$null > f`)
    if len(rest) < 16 or len(_CONTROL.findall(rest)) * 64 > len(rest):
        return False
    try:  # the head may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(rest, final=False)
    except UnicodeDecodeError:
        return False
    return True


# Bytes no UTF-8 text holds but UTF-16 puts beside each letter of most alphabets (Greek 0x03,
# Cyrillic 0x04, Hebrew and Armenian 0x05, Arabic 0x06 …): C0 controls but tab, line feed,
# form feed, carriage return and escape (a coloured log's).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes) -> str:
    codec, bom = detect_encoding(data[:ENCODING_HEAD])
    return data[bom:].decode(codec.removesuffix("-sig"), errors="replace")


# A physical line as read: UTF-8 bytes not decoded yet (`line_text` decodes them as the whole
# file's decoding would), or text (UTF-16 files are decoded whole).
RawLine = str | bytes


def line_text(line: RawLine) -> str:
    """The line as text: the same characters as decoding the whole file, then splitting it."""
    return line if isinstance(line, str) else line.decode("utf-8", errors="replace")


# What `str.strip` strips that is ASCII: a line of these alone (and of spaces outside ASCII,
# which `has_text` decodes to tell) holds no text.
ASCII_BLANKS = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def has_text(line: RawLine) -> bool:
    """`line_text(line).strip() != ""`, decoding only a line that starts (blanks aside) with
    a character outside ASCII."""
    if isinstance(line, str):
        return bool(line.strip())
    rest = line.lstrip(ASCII_BLANKS)
    if not rest:
        return False
    return rest[0] < 0x80 or bool(line_text(rest).strip())


class TextLines(Mapping[int, str]):
    """Numbered raw lines as a mapping of line number to text, each decoded when asked for
    (a run's lines are held for the few an extractor quotes)."""

    def __init__(self, numbered: Iterable[tuple[int, RawLine]]) -> None:
        self._lines = dict(numbered)

    def __getitem__(self, number: int) -> str:
        return line_text(self._lines[number])

    def __contains__(self, number: object) -> bool:
        return number in self._lines

    def __iter__(self) -> Iterator[int]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


class Utf8Lines(Sequence[str]):
    """A UTF-8 file's lines (split on `\\n`, no BOM, no CR: `read_lines_of`'s reading), each
    decoded when read. Those outside ASCII are decoded at once: that is the check that the
    file is UTF-8 (`UnicodeDecodeError` if not; a newline is never part of a character, so the
    file is UTF-8 when each line is)."""

    def __init__(self, raw: list[bytes]) -> None:
        self.raw = raw
        self._text = {n: line.decode("utf-8") for n, line in enumerate(raw) if not line.isascii()}

    def __len__(self) -> int:
        return len(self.raw)

    def __iter__(self) -> Iterator[str]:
        text = self._text
        for number, line in enumerate(self.raw):
            yield text[number] if number in text else line.decode("ascii")

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self.raw)))]
        if index < 0:
            index += len(self.raw)
            if index < 0:
                raise IndexError(index)
        text = self._text.get(index)
        return text if text is not None else self.raw[index].decode("ascii")


def read_lines(path: Path) -> list[str]:
    """The file's physical lines, 1-based index = list index + 1; `\\r` kept out."""
    return read_lines_of(path.read_bytes())


TAIL_BYTES = 4096


@dataclass(frozen=True)
class Segment:
    """Lines read from a byte offset on. `end_offset` stops after the last complete line, so an
    unterminated last line (a run still being written) is read now and read again later."""

    lines: list[tuple[int, RawLine]]  # text, or bytes when read with raw=True
    end_offset: int
    next_line: int
    resumable: bool  # False for UTF-16: always read whole

    @property
    def partial_line(self) -> int | None:
        """The number of an unterminated last line (still being written), if there is one."""
        return self.next_line if self.lines and self.lines[-1][0] == self.next_line else None


def read_segment(path: Path, offset: int = 0, first_line: int = 1, raw: bool = False) -> Segment:
    """Numbered lines from `offset` (a line start, as returned before) to the end of the file;
    `raw`: a UTF-8 file's lines as bytes, not decoded (`line_text`)."""
    with path.open("rb") as handle:
        head = handle.read(ENCODING_HEAD)
        codec, bom = detect_encoding(head)
        if codec.startswith("utf-16"):
            handle.seek(0)
            data = handle.read()
            lines: list[tuple[int, RawLine]] = list(enumerate(read_lines_of(data), start=1))
            return Segment(_drop_final_empty(lines), len(data), len(lines) + 1, False)
        handle.seek(max(offset, bom))
        data = handle.read()
    start = max(offset, bom)
    last_newline = data.rfind(b"\n")
    complete = data[: last_newline + 1]
    tail = data[last_newline + 1 :]
    numbered = _numbered(complete, first_line, raw)
    next_line = first_line + len(numbered)
    if tail.strip():
        last = tail.rstrip(b"\r")
        numbered.append((next_line, last if raw else line_text(last)))
    return Segment(numbered, start + len(complete), next_line, True)


def _numbered(complete: bytes, first_line: int, raw: bool) -> list[tuple[int, RawLine]]:
    """The lines of UTF-8 `complete` (each ended by `\\n`, `\\r` kept out), numbered."""
    if raw:
        pieces = complete.split(b"\n")[:-1]
        if b"\r" in complete:
            pieces = [p.removesuffix(b"\r") for p in pieces]
        return [(first_line + i, piece) for i, piece in enumerate(pieces)]
    texts = complete.decode("utf-8", errors="replace").split("\n")[:-1]
    return [(first_line + i, t.removesuffix("\r")) for i, t in enumerate(texts)]


CONTEXT_BYTES = 256 * 1024


def read_before(
    path: Path, offset: int, first_line: int, max_bytes: int = CONTEXT_BYTES, raw: bool = False
) -> list[tuple[int, RawLine]]:
    """The whole lines in the `max_bytes` before `offset` (where line `first_line` starts):
    context for a resumed read, so a failure just before it can meet its fix just after."""
    start = max(0, offset - max_bytes)
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(offset - start)
    if start > 0:
        data = data[data.find(b"\n") + 1 :] if b"\n" in data else b""
    if start == 0 and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    numbered = _numbered(data[: data.rfind(b"\n") + 1], 0, raw)
    first = first_line - len(numbered)
    return [(first + n, line) for n, line in numbered]


def last_line_before(
    path: Path, offset: int, first_line: int, marker: bytes, wanted: Callable[[bytes], bool]
) -> tuple[int, bytes] | None:
    """The last whole line before `offset` (where line `first_line` starts) holding `marker`
    that `wanted` takes, numbered; read back a chunk at a time, so a resumed read finds the
    record whose settings still hold however far back it was written."""
    passed = 0  # the whole lines read so far, from `offset` back
    tail = b""  # the start of the line the previous chunk cut, up to its line break
    end = offset
    with path.open("rb") as handle:
        while end > 0:
            start = max(0, end - _BACK_CHUNK)
            handle.seek(start)
            data = handle.read(end - start) + tail
            pieces = data.split(b"\n")  # (`data` ends on a line break: the last piece is empty)
            first = 1 if start > 0 else 0
            if marker in data:
                for k in range(len(pieces) - 2, first - 1, -1):
                    line = pieces[k].removesuffix(b"\r")
                    if marker in line and wanted(line):
                        return first_line - passed - (len(pieces) - 1 - k), line
            passed += len(pieces) - 1 - first
            tail = pieces[0] + b"\n" if start > 0 else b""
            end = start
    return None


_BACK_CHUNK = 1 << 20


def read_lines_of(data: bytes) -> list[str]:
    lines = decode(data).split("\n")
    if b"\r" not in data:  # no CR byte, in UTF-8 or UTF-16: no line ends in one
        return lines
    return [line.removesuffix("\r") for line in lines]


def _drop_final_empty(lines: list[tuple[int, RawLine]]) -> list[tuple[int, RawLine]]:
    return lines[:-1] if lines and lines[-1][1] == "" else lines


def tail_sha256(path: Path, end: int) -> str:
    """Fingerprint of a file up to `end`: the hash of its last TAIL_BYTES before `end`."""
    with path.open("rb") as handle:
        start = max(0, end - TAIL_BYTES)
        handle.seek(start)
        return hashlib.sha256(handle.read(end - start)).hexdigest()


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) for every physical line of the file, in order."""
    yield from enumerate(read_lines(path), start=1)


def numbered_raw_lines(path: Path) -> list[tuple[int, RawLine]]:
    """`numbered_lines`, but a UTF-8 file's lines as bytes, not decoded (`line_text`)."""
    data = path.read_bytes()
    codec, bom = detect_encoding(data[:ENCODING_HEAD])
    if codec.startswith("utf-16"):
        return list(enumerate(read_lines_of(data), start=1))
    lines = data[bom:].split(b"\n")
    if b"\r" in data:
        lines = [line.removesuffix(b"\r") for line in lines]
    return [(number, line) for number, line in enumerate(lines, start=1)]


TEMP_SUFFIX = ".metis-tmp"
# Temp files of earlier versions: `.name.XXXXXXXX` (archive copies) and `.name.XXXXXXXX.tmp`.
_OLD_TEMP = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}(?:\.tmp)?$")


def make_temp(path: Path) -> tuple[int, Path]:
    """An open temp file beside `path` (`.name.XXXX.metis-tmp`), to be renamed onto it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    return fd, Path(tmp)


def is_temp(path: Path) -> bool:
    """A temp file of ours, left mid-write (by a killed process) or being written: never a
    run to read. An older version's temp file counts only beside the file it was for."""
    name = path.name
    if name.startswith(".") and name.endswith(TEMP_SUFFIX):
        return True
    old = _OLD_TEMP.match(name)
    return old is not None and (path.parent / old["name"]).is_file()


def remove_temps(folder: Path, name: str | None = None) -> list[Path]:
    """Delete the temp files under `folder` (those for the file `name` only, when given);
    the paths removed. Call it only under the lock of whoever writes there."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    found = folder.iterdir() if name else folder.rglob(".*")
    for path in found:
        if name and not path.name.startswith(f".{name}."):
            continue
        if path.is_file() and is_temp(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def file_in_the_way(folder: Path) -> Path | None:
    """The file at `folder` or above it that keeps it from being a folder (a regular file, a
    broken link); None when it is one, or when it can be made (as far as names go)."""
    for place in (folder, *folder.parents):
        if place.is_dir():
            return None
        if place.exists() or place.is_symlink():
            return place
    return None


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
    fd, tmp = make_temp(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600; keep the file's own mode
        checkpoint("write:renaming")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
