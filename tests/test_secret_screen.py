"""The screen in front of the redaction rules changes nothing: with it and without it, every
file of the fixtures, the sample, the planted-secret runs and the corpus reads to the same
runs, and every line and every string in them redacts to the same text."""

from __future__ import annotations

import contextlib
import json
import platform
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill import redact, sources
from metis_distill.models import Run
from metis_distill.secret_screen import _folded, scanned_copy, widen
from tests.conftest import FIXTURES, SAMPLE
from tests.leaks import runs
from tests.test_leaks import SECRETS


def _files(*roots: Path) -> Iterator[tuple[Path, Path]]:
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            yield root, path


def _runs(root: Path, path: Path) -> Run | None:
    found = sources.detect(path).format
    return found.parse_file(path, root) if found is not None else None


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _texts(path: Path) -> Iterator[str]:
    """Every line of the file, and every string of every JSON line or document in it."""
    text = path.read_bytes().decode("utf-8", "replace")
    yield text
    for line in text.splitlines():
        yield line
        try:
            yield from _strings(json.loads(line))
        except ValueError:
            continue
    with contextlib.suppress(ValueError):
        yield from _strings(json.loads(text))


def _same_both_ways(roots: list[Path]) -> int:
    checked = 0
    for root, path in _files(*roots):
        screened = _runs(root, path)
        with redact.unscreened():
            assert _runs(root, path) == screened, path
        for text in _texts(path):
            with redact.unscreened():
                full = redact.redact(text)
            assert redact.redact(text) == full, (path, text[:200])
            checked += 1
    return checked


def test_the_screen_is_in_use_where_hyperscan_is() -> None:
    if platform.machine() in ("x86_64", "AMD64"):
        assert redact.screen_active()


def test_fixtures_sample_and_planted_secrets_read_the_same(tmp_path: Path) -> None:
    runs.write_all(tmp_path / "planted")
    assert _same_both_ways([FIXTURES, SAMPLE, tmp_path / "planted"]) > 1000


def test_the_corpus_reads_the_same(corpus: Path) -> None:
    assert _same_both_ways([corpus]) > 1000


_AROUND = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["", " ", "\n", "=", ":", '"', "token=", "Bearer ", "://u:", "-u ", "\x1c"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_AROUND, st.sampled_from(sorted(SECRETS.values()))), max_size=4), _AROUND)
def test_secrets_in_any_surroundings_redact_the_same(
    pieces: list[tuple[str, str]], tail: str
) -> None:
    text = "".join(before + secret for before, secret in pieces) + tail
    with redact.unscreened():
        full = redact.redact(text)
    assert redact.redact(text) == full


_NAME_PIECES = st.sampled_from(
    ["TOKEN", "token", "Secret", "PASSWD", "password", "api_key", "PWD", "PASS", "AUTH_KEY", "_"]
    + [
        "DB",
        "x",
        "9",
        "\u00e9",
        "\u212a",
        "\u017fecret",
        "\u0131",
        "\u0130",
        "ToKeN",
        "Pa\u017f\u017f",
    ]
    + [" ", "=", ":", '"', "'", "\\"]
    + ["(", "[", ",", "\n", "${X}", "abcdefgh1", "Zq9Zq9Zq9Zq9Zq9Zq9", "hunter22", "[REDACTED:x]"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_NAME_PIECES, max_size=24))
def test_assignments_redact_the_same_wherever_their_names_start(pieces: list[str]) -> None:
    """The two assignment rules are tried only where a run of name characters holding a
    secret word starts (`_sub_at_names`): names glued to letters, to non-ASCII letters and
    to each other, several words in one run, values running into the next name."""
    text = "".join(pieces)
    with redact.unscreened():
        full = redact.redact(text)
    assert redact.redact(text) == full


def test_lower_casing_reads_names_as_the_case_insensitive_rule_does() -> None:
    """The assignment rule's words and runs are found in the lower-cased text (U+017F and
    U+0131 read as s and i): every character but U+0130 lowers to one character, and a
    character lowers to a name character exactly when `(?i)[A-Z0-9_]` matches it."""
    name = re.compile(r"(?i)[A-Z0-9_]")
    fold = {"\u017f": "s", "\u0131": "i"}
    for code in range(0x110000):
        char = chr(code)
        lowered = char.lower()
        if len(lowered) != 1:
            assert char == "\u0130"
            continue
        lowered = fold.get(lowered, lowered)
        assert (name.fullmatch(char) is not None) == (lowered in _NAME_CHARS), hex(code)
        if lowered.isascii() and lowered.isalpha():
            assert re.fullmatch("(?i)" + lowered, char), hex(code)


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def test_many_words_in_one_run_and_many_runs_redact_the_same() -> None:
    text = "TOKEN" * 400 + "=" + "Zq9" * 10 + " x_token_y_" * 300 + "=abcdefgh12"
    with redact.unscreened():
        full = redact.redact(text)
    assert redact.redact(text) == full
    assert full.endswith("[REDACTED:assigned_secret]")


def test_the_scanned_copy_keeps_what_the_rules_see() -> None:
    assert scanned_copy("ab\x1c\u00e9\u0663 \u2003\u212a\u00bd\U0001d7ce\U0001f600") == (
        b"ab a0  ka0~"  # ab, \x1c, e-acute, Arabic 3, spaces, Kelvin, one half, bold 0, emoji
    )


@pytest.mark.parametrize(
    ("pattern", "widened"),
    [
        (r"(?<=://)[^/\s:@]*:[^/\s@]+(?=@)", (r"(?:://)[^/\s:@]*:[^/\s@]+(?:@)", False)),
        (r"(?i)(?<=bearer )[\w.]{20,}", (r"(?:bearer )[\w.]{20,}", True)),
        (r"glimt-[A-Za-z0-9_\-]{25}(?!\w)", (r"glimt-[A-Za-z0-9_\-]{25}", False)),
        (r"(?:(?<=\W)|(?<=^))key[:=](?P<v>\S+)", (r"(?:(?:\W)|(?:^))key[:=](?:\S+)", False)),
        (r"[^~]+", None),  # `~` would not stand for every other character there
        (r"a(?m)b", None),  # a flag in the middle: not understood, not screened
    ],
)
def test_widening(pattern: str, widened: tuple[str, bool] | None) -> None:
    assert widen(pattern) == widened


def test_the_scanned_copy_is_each_character_folded_alone() -> None:
    codes = [*range(0x10000), *range(0x10000, 0x110000, 97)]  # lone surrogates, astral planes
    assert scanned_copy("".join(map(chr, codes))) == bytes(map(_folded, codes))
    long_run = "\u00e9\u2003\u0663\U0001f600" * 100  # past the runs that are kept
    assert scanned_copy(f"a{long_run}b") == b"a" + b"a 0~" * 100 + b"b"
