"""A file redacted line by line (`redact_lines`) gives what `redact`'s rules give on the joined
text, and notes the same values, of the same kinds, in the same order: on the fixtures, the
sample, the planted secrets, the corpus and on text built to cross lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metis_distill import redact, secret_memory
from metis_distill.redact_file import (
    _may_cross,
    _may_cross_bytes,
    line_bound,
    read_and_note,
    read_and_redact,
    redact_lines,
)
from metis_distill.secret_screen import scanned_copy, scanned_copy_of_utf8
from metis_distill.textio import (
    ASCII_BLANKS,
    Utf8Lines,
    detect_encoding,
    read_lines,
    read_lines_of,
)
from tests.conftest import FIXTURES, SAMPLE
from tests.leaks import runs
from tests.test_leaks import SECRETS


def _both(lines: Sequence[str]) -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    """(text, values noted in order) by lines and by the joined text."""
    with secret_memory.reading() as by_lines:
        lined = redact_lines(lines)
    with secret_memory.reading() as joined:
        whole = redact.by_rules("\n".join(lines))
    return (lined, list(by_lines.values.items())), (whole, list(joined.values.items()))


def _same_for_files(*roots: Path) -> int:
    checked = 0
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            by_lines, joined = _both(read_lines(path))
            assert by_lines == joined, path
            assert _from_bytes(path.read_bytes()) == by_lines, path
            assert _noted(path.read_bytes()) == _noted_reference(path.read_bytes()), path
            checked += 1
    return checked


def _from_bytes(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """`read_and_redact` of a file's bytes: its lines are `read_lines_of`'s; (text, values)."""
    with secret_memory.reading() as found:
        lines, text = read_and_redact(data)
    assert lines == read_lines_of(data)
    return text, list(found.values.items())


def _noted(data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """`read_and_note` of a file's bytes: (its lines, the values noted in order)."""
    with secret_memory.reading() as found:
        lines = read_and_note(data)
    return list(lines), list(found.values.items())


def _noted_reference(data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    with secret_memory.reading() as found:
        lines, _ = read_and_redact(data)
    return lines, list(found.values.items())


def test_fixtures_sample_and_planted_secrets_redact_the_same(tmp_path: Path) -> None:
    runs.write_all(tmp_path / "planted")
    assert _same_for_files(FIXTURES, SAMPLE, tmp_path / "planted") > 40


def test_the_corpus_redacts_the_same(corpus: Path) -> None:
    assert _same_for_files(corpus) > 30


_KEY = "sk-ant-api03-" + "Zq9" * 30


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        f'{{"token": "{_KEY}"}}\nplain\n'.encode(),
        f"caf\u00e9 \u2192 api_key={_KEY}\n".encode(),
        f"api_key={_KEY}\r\nnext\r\n".encode(),  # CR: read as the lines are
        b"\xef\xbb\xbf" + f"password: {_KEY}\n".encode(),  # a BOM
        f"secret = {_KEY} \xff broken\n".encode("latin-1"),  # not UTF-8: replaced
        f"token: {_KEY}\n".encode("utf-16"),
        b"lone \xed\xa0\x80 surrogate\n",
    ],
)
def test_a_files_bytes_redact_as_its_lines(data: bytes) -> None:
    """The lines and their redaction from the bytes, the screen's copy made from them when
    they are plain UTF-8: the same text and values as `redact_lines` of `read_lines_of`."""
    with secret_memory.reading() as found:
        lined = redact_lines(read_lines_of(data))
    assert _from_bytes(data) == (lined, list(found.values.items()))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        f'{{"token": "{_KEY}"}}\nplain\n'.encode(),
        f"caf\u00e9 \u2192 api_key={_KEY}\n".encode(),
        f"api_key={_KEY}\r\nnext\r\n".encode(),
        b"\xef\xbb\xbf" + f"password: {_KEY}\n".encode(),
        f"secret = {_KEY} \xff broken\n".encode("latin-1"),
        f"token: {_KEY}\n".encode("utf-16"),
        b"lone \xed\xa0\x80 surrogate\n",
        "password\u00a0\n  = hunter2hunter2x9\n".encode(),  # a space outside ASCII ends it
        "API_KEY\u3000\n=hunter2hunter2x9\n".encode(),
        f"-----BEGIN RSA PRIVATE KEY-----\nMIIB{'Qk9' * 14}\n-----END RSA PRIVATE KEY-----\n".encode(),
    ],
)
def test_a_files_secrets_are_noted_from_its_bytes_as_from_its_lines(data: bytes) -> None:
    """`read_and_note` (the lines decoded when read, no redacted text) gives the lines that
    `read_and_redact` gives, and notes the same values in the same order."""
    assert _noted(data) == _noted_reference(data)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_may_cross_read_from_bytes_is_may_cross(line: str) -> None:
    """A line's last character read from its bytes (a space outside ASCII: decoded), and
    `Utf8Lines` reading each line as `read_lines_of` does."""
    data = line.encode("utf-8", "replace")
    text = data.decode("utf-8")
    assert _may_cross_bytes(data) in (None, _may_cross(text))
    assert _may_cross_bytes(data) is not None or data.rstrip(ASCII_BLANKS)[-1] >= 0x80
    if detect_encoding(data[:4]) == ("utf-8", 0) and b"\r" not in data:  # as read_and_note
        assert list(Utf8Lines(data.split(b"\n"))) == read_lines_of(data)


def test_ascii_blanks_are_what_str_strip_strips_in_ascii() -> None:
    assert set(ASCII_BLANKS) == {c for c in range(128) if chr(c).isspace()}


def test_utf8_lines_index_as_a_list_does() -> None:
    lines = Utf8Lines([b"a", b"caf\xc3\xa9", b""])
    assert (lines[-1], lines[-2], lines[0:2], len(lines)) == (
        "",
        "caf\u00e9",
        ["a", "caf\u00e9"],
        3,
    )
    with pytest.raises(IndexError):
        lines[-4]
    with pytest.raises(UnicodeDecodeError):
        Utf8Lines([b"ok", b"\xff"])


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_copy_of_utf8_bytes_is_the_copy_of_their_text(text: str) -> None:
    data = text.encode("utf-8", "replace")  # lone surrogates are no valid UTF-8
    assert scanned_copy_of_utf8(data) == scanned_copy(data.decode("utf-8"))


def test_a_file_with_no_secret_is_itself() -> None:
    lines = ['{"a": 1}', "", "plain words"]
    assert redact_lines(lines) == "\n".join(lines)


_PIECES = st.sampled_from(
    sorted(SECRETS.values())
    + ["TOKEN", "password", "api_key", "DB_PASS", "\u017fecret", "\u0130", "\u212a", "x"]
    + ["=", ":", " ", "\t", '"', "'", "\\", "\u2003", "}", "{", ",", "(", "@", "://"]
    + ["abcdefgh12", "Zq9Zq9Zq9Zq9Zq9", "user:pa55w0rd", "-u ", "--user ", "Bearer ", "basic "]
    + ["-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "MIIB" + "Qk9" * 14]
    + ["AKC" + "a1" * 6, "APA12345678", "cloudant_password=", "npm_", "//r/:_authToken="]
    + ["[REDACTED:x]", "\u00e9"]
)


_SPLIT_BY_A_KEY_BLOCK = [
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
    "-----END OPENSSH PRIVATE KEY----------BEGIN RSA PRIVATE KEY-----[REDACTED:x]"
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
    "-----END OPENSSH PRIVATE KEY-----AIzaSyD-9tSrke72PouQMnMX7a7eZSW0jkFMBWY"
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=6).map("".join), max_size=8))
@example(_SPLIT_BY_A_KEY_BLOCK)  # a rule on the joined text splits a line that holds newlines
def test_text_across_lines_redacts_the_same(lines: list[str]) -> None:
    """Assignments whose `:`/`=` or value is on the next line, key blocks over many lines,
    rules anchored at the start of the text or looking behind at a line's start."""
    by_lines, joined = _both(lines)
    assert by_lines == joined


@pytest.mark.parametrize(
    ("pattern", "bound"),
    [
        (r"sk-[A-Za-z0-9_\-]{20,}", True),
        (r"\bhf_\w{30,}\b", True),
        (r"(?<=://)[^/\s:@]*:[^/\s@]+(?=@)", True),
        (r"(?i)(?<=bearer )[\w.]{20,}", True),
        (r"aws.{0,20}?key", True),
        (re.compile(r"BEGIN.*?END", re.S), False),  # `.` takes a newline
        (r"(?<=\s-u )\S+", False),  # looks behind at a newline
        (r"(?:\s|^)AKC\w{10,}", False),
        (r"\w+(?:\s|$)", False),
        (r"\AKEY", False),
        (r"[^a]+", False),
        (r"\W\w+", False),
        (r"key\s*=\s*\w+", False),
        (r"x*", False),  # matches empty
        (r"(a)\1", False),  # a back reference: not looked into
    ],
)
def test_line_bound(pattern: str | re.Pattern[str], bound: bool) -> None:
    assert line_bound(re.compile(pattern)) is bound


_ENDS = ["\u00a0", "\u3000", "\x1c", "\u00e9"]  # spaces outside ASCII, one inside, a letter


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.lists(_PIECES | st.sampled_from(_ENDS), max_size=6).map("".join),
        max_size=8,
    )
)
@example(_SPLIT_BY_A_KEY_BLOCK)
def test_secrets_noted_from_bytes_across_lines_are_the_same(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "replace")
    assert _noted(data) == _noted_reference(data)
