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
from metis_distill.redact_file import line_bound, redact_lines
from metis_distill.textio import read_lines
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
            checked += 1
    return checked


def test_fixtures_sample_and_planted_secrets_redact_the_same(tmp_path: Path) -> None:
    runs.write_all(tmp_path / "planted")
    assert _same_for_files(FIXTURES, SAMPLE, tmp_path / "planted") > 40


def test_the_corpus_redacts_the_same(corpus: Path) -> None:
    assert _same_for_files(corpus) > 30


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
