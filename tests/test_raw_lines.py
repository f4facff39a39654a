"""Lines read as UTF-8 bytes (`raw`) are the lines read as text, decoded one by one: every
reader gives the same numbers, the same text once decoded, the same offsets; and the formats
that parse JSON lines from bytes (`SourceFormat.parse_raw`) give the same runs as from text
on the fixtures, the sample, the planted-secret runs, the corpus and damaged lines."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill import sources
from metis_distill.sources.base import SourceFormat
from metis_distill.textio import (
    TextLines,
    has_text,
    line_text,
    numbered_lines,
    numbered_raw_lines,
    read_before,
    read_segment,
)
from tests.conftest import FIXTURES, SAMPLE
from tests.leaks import runs

# Bytes that make decoding interesting: cut and invalid sequences, blanks in and outside
# ASCII, CR, BOMs, NUL, a lone-surrogate escape in JSON.
_PIECES = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\x1c",
        b"\x0b",
        b"\xc2\xa0",  # no-break space
        b"\xe2\x80\x83",  # em space
        b"\xe2\x86\x92",  # the Read tool's arrow
        b"\xe2\x86",  # cut short
        b"\xff",
        b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
        b"\xef\xbb\xbf",
        b"\x00",
        b'{"type":"user","message":{"content":"hi \\ud800"}}',
        b'{"a":1}',
        b"[1,2]",
        b"{",
        b"x",
    ]
)
_BYTES = st.lists(_PIECES | st.binary(max_size=6), max_size=30).map(b"".join)


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    return path


def _decoded(lines: list[tuple[int, str | bytes]]) -> list[tuple[int, str]]:
    return [(n, line_text(line)) for n, line in lines]


@settings(max_examples=300, deadline=None)
@given(_BYTES)
def test_raw_lines_decode_to_the_lines_of_the_decoded_file(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = _file(Path(folder), data)
        assert _decoded(numbered_raw_lines(path)) == list(numbered_lines(path))
        for offset, first in _starts(data):
            text, raw = read_segment(path, offset, first), read_segment(path, offset, first, True)
            assert _decoded(raw.lines) == text.lines
            assert (raw.end_offset, raw.next_line, raw.resumable, raw.partial_line) == (
                text.end_offset,
                text.next_line,
                text.resumable,
                text.partial_line,
            )
            before = read_before(path, offset, first, max_bytes=7)
            assert _decoded(read_before(path, offset, first, max_bytes=7, raw=True)) == before


def _starts(data: bytes) -> Iterator[tuple[int, int]]:
    """Offsets where lines start, with their numbers (as a resumed read gets them)."""
    yield 0, 1
    line = 1
    for at, byte in enumerate(data):
        if byte == ord("\n"):
            line += 1
            yield at + 1, line


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + '{"a": 1}\n\u00e9\n'.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + '{"a": 1}\r\n'.encode("utf-16-be"),
        codecs.BOM_UTF8 + b'{"a": 1}\r\n\xc2\xa0\n',
    ],
    ids=["utf16le", "utf16be", "utf8-bom"],
)
def test_files_with_a_bom_read_the_same(tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, data)
    assert _decoded(numbered_raw_lines(path)) == list(numbered_lines(path))
    assert _decoded(read_segment(path, raw=True).lines) == read_segment(path).lines


@settings(max_examples=300, deadline=None)
@given(_BYTES)
def test_has_text_is_stripped_text(line: bytes) -> None:
    line = line.replace(b"\n", b"")
    assert has_text(line) == bool(line_text(line).strip())
    assert has_text(line_text(line)) == bool(line_text(line).strip())


def test_text_lines_decode_each_line_when_read() -> None:
    lines = TextLines([(3, b"caf\xc3\xa9"), (4, "text"), (5, b"\xff")])
    assert lines[3] == "café"
    assert lines[5] == "\ufffd"
    assert 4 in lines and 6 not in lines
    assert list(lines) == [3, 4, 5]
    assert dict(lines) == {3: "café", 4: "text", 5: "\ufffd"}
    assert lines.get(6, "") == ""


def _raw_formats() -> list[SourceFormat]:
    found = [f for f in sources.formats() if f.parse_raw is not None]
    assert {f.name for f in found} >= {"claude_code", "codex"}
    return found


def _same_runs(path: Path) -> None:
    for source in _raw_formats():
        from_text = source.parse_lines("f.jsonl", numbered_lines(path))
        assert source.parse_file(path, path.parent) == from_text, (source.name, path)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=30).map(b"".join))
def test_damaged_json_lines_read_to_the_same_runs(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _same_runs(_file(Path(folder), data))


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in sorted(root.rglob("*")) if p.is_file()]


def _same_runs_in(roots: list[Path]) -> int:
    checked = 0
    for path in _files(*roots):
        found = sources.detect(path).format
        if found is None or found.parse_raw is None:
            continue
        from_text = found.parse_lines(path.name, numbered_lines(path))
        assert found.parse_raw(path.name, numbered_raw_lines(path)) == from_text, path
        checked += 1
    return checked


def test_fixtures_sample_and_planted_secrets_read_the_same(tmp_path: Path) -> None:
    runs.write_all(tmp_path / "planted")
    assert _same_runs_in([FIXTURES, SAMPLE, tmp_path / "planted"]) > 10


def test_the_corpus_reads_the_same(corpus: Path) -> None:
    assert _same_runs_in([corpus]) > 20
