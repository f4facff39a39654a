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
    _Lines,
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


# A password said and a key's body (the rules found where their words start), what changes a
# line before them (a URL's password, a key), their words in other scripts and split by lines
_WORDED = st.sampled_from(
    [*redact.STARTING_WORDS["said_password"], *redact.STARTING_WORDS["key_material"]]
    + ["password", "Passwort", "passwd", "bypass", "PASS", " is ", ": ", "=", "\uff1a", " "]
    + ["Abc123Xyz987", "Zt4mWq9rLp2xVb", "hunter2hunter2", "Qk9" * 14, "MIIB" + "Qk9" * 14]
    + ["https://u:Tr0ub4dor-and-3@db", "sk-ant-api03-" + "Zq9" * 30, "[REDACTED:x]", "x"]
    + ["\u00e9", "\u043f\u0430\u0440\u043e\u043b\u044c", "\U0001f600", '"', "\\n", "\n"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(_WORDED, max_size=8).map("".join), min_size=1, max_size=10))
@example(["x", "user root pass Zt4mWq9rLp2xVb", "y"])
@example(["https://u:Tr0ub4dor-and-3@db pass Zt4mWq9rLp2xVb", "\u00e9 Pass Abc123Xyz987"])
@example(["caf\u00e9", "\u00e9\u00e9 MIIB" + "Qk9" * 14, "pwd hunter2hunter2"])
def test_words_found_in_a_files_bytes_note_what_the_screens_lines_note(lines: list[str]) -> None:
    """The rules of `STARTING_WORDS` tried on the lines where one scan of the file's bytes
    finds their words (and those of the lines changed since) in place of the lines the screen
    names: the values the reference notes, in its order."""
    data = "\n".join(lines).encode("utf-8", "replace")
    assert _noted(data) == _noted_reference(data)


def test_words_are_found_in_the_files_bytes_for_lines_changed_or_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path is taken, and reads the words of the lines as read from the file's bytes:
    a password said on the third line, after characters outside ASCII, and one on a line that
    a URL's password changed first."""
    data = "caf\u00e9 \u2192\nplain\nthe root pass is Zt4mWq9rLp2xVb\n".encode()
    data += b"https://u:Tr0ub4dor-and-3@db pass Abc123Xyz987\n"
    scanned: list[bytes] = []

    def spy(kind: str, whole: bytes) -> list[int] | None:
        scanned.append(whole)
        return word_byte_starts(kind, whole)

    word_byte_starts = redact.word_byte_starts
    monkeypatch.setattr(redact, "word_byte_starts", spy)
    noted = [v for v, _ in _noted(data)[1]]
    assert scanned == [data]
    assert noted == [v for v, _ in _noted_reference(data)[1]]
    assert "Zt4mWq9rLp2xVb" in noted
    assert "Abc123Xyz987" in noted


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES | st.sampled_from(_ENDS), max_size=6).map("".join), max_size=8))
@example(["DB_PASSWORD=hunter2hunter2", "token", "= abcdefgh12"])
def test_the_lines_an_assignment_may_run_on_from_are_kept_as_lines_change(
    lines: list[str],
) -> None:
    """The lines read once for both assignment rules are those read anew after the rules ran
    (a line a rule changed read again), from bytes and from text."""
    data = "\n".join(lines).encode("utf-8", "replace")
    screen = redact.active_screen()
    if screen is None:
        pytest.skip("no screen here")
    raw = data.split(b"\n")
    for base, given_data in ((Utf8Lines(raw), data), (lines, None)):
        copies = [scanned_copy(line) for line in base]
        may = screen.scan(b"\n".join(copies))
        with secret_memory.reading():
            lined = _Lines(screen, base, lambda c=copies: c, may, given_data)
            lined._crossing_lines()  # read before any rule runs
            lined.note()
        fresh = {n for n in range(len(lined.base)) if lined._may_cross(n)}
        assert lined._crossing_lines() == fresh
