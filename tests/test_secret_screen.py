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
from metis_distill.secret_screen import _class_end, scanned_copy, widen
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
        b"ab \x80\x80 \x80\x80\x80\x80\x80"  # ASCII, \x1c a space, one byte for each other
    )


def test_the_scanned_copy_is_one_byte_per_character() -> None:
    codes = [*range(0x10000), *range(0x10000, 0x110000, 97)]  # lone surrogates, astral planes
    spaces = {0x0B, 0x1C, 0x1D, 0x1E, 0x1F}
    expected = bytes(0x20 if c in spaces else c if c < 0x80 else 0x80 for c in codes)
    assert scanned_copy("".join(map(chr, codes))) == expected
    assert scanned_copy("plain ascii\x1f") == b"plain ascii "


@pytest.mark.parametrize(
    ("pattern", "widened"),
    [
        (r"(?<=://)[^/\s:@]*:[^/\s@]+(?=@)", (r"(?:://)[^/\s:@]*:[^/\s@]+(?:@)", False)),
        (r"(?i)(?<=bearer )[\w.]{20,}", (r"(?:bearer )[\x80\w.]{20,}", True)),
        (r"glimt-[A-Za-z0-9_\-]{25}(?!\w)", (r"glimt-[A-Za-z0-9_\-]{25}", False)),
        (r"(?:(?<=\W)|(?<=^))key[:=](?P<v>\S+)", (r"(?:(?:\W)|(?:^))key[:=](?:\S+)", False)),
        (r"(?i)\bask\s=\d", (r"a[s\x80][k\x80][\s\x80]=[\d\x80]", True)),
        (r"[]a-z]+", (r"[]a-z]+", False)),  # outside ASCII it matches nothing: as it is
        (r"(?i)[]a-z]+", (r"[]\x80a-z]+", True)),  # (?i) reads U+017F as s
        (r"[^~]+", (r"[^~]+", False)),
        (r"[^\W]+", None),  # matches letters outside ASCII, would keep 0x80 out
        (r"a\x41", None),  # an escape not understood: not screened
        (r"a(?m)b", None),  # a flag in the middle: not understood, not screened
        # a word outside ASCII spelled as escapes: each character 0x80 in the copy
        (r"\u043f\u0430s:", (r"\x80\x80s:", False)),
        (r"\u0041b", (r"Ab", False)),
    ],
)
def test_widening(pattern: str, widened: tuple[str, bool] | None) -> None:
    assert widen(pattern) == widened


_TOKEN = re.compile(r"\\u[0-9A-Fa-f]{4}|\\.|\(\?P<\w+>|\(\?<?[:=!]|\{\d*,?\d*\}|.", re.S)


def _atoms(pattern: str) -> Iterator[str]:
    """Each part of a rule that matches one character: escapes, classes, `.`, letters."""
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            end = _class_end(pattern, i)
            assert end is not None
            yield pattern[i:end]
            i = end
            continue
        token = _TOKEN.match(pattern, i)
        assert token is not None
        text = token.group(0)
        if (
            text in (".",)
            or (text.startswith("\\") and text not in ("\\b", "\\B"))
            or len(text) == 1
            and text.isalnum()
        ):
            yield text
        i = token.end()


_OUTSIDE_ASCII = "".join(chr(c) for c in range(0x80, 0x110000))


def test_each_part_of_each_rule_matches_the_copy_where_it_matches_the_text() -> None:
    """What makes the screen a superset: a part of a rule that matches a character of the text
    matches that character's byte in the scanned copy, as Hyperscan compiles it (every
    character outside ASCII checked, through the one byte they all become)."""
    hyperscan = pytest.importorskip("hyperscan")
    checked = 0
    for _, rule in redact.rules():
        caseless = bool(rule.flags & re.IGNORECASE)
        body = rule.pattern.removeprefix("(?i)")
        for atom in set(_atoms(body)):
            widened = widen(atom, caseless)
            assert widened is not None, atom
            flags = hyperscan.HS_FLAG_ALLOWEMPTY | (hyperscan.HS_FLAG_CASELESS if caseless else 0)
            if rule.flags & re.DOTALL:
                flags |= hyperscan.HS_FLAG_DOTALL
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(expressions=[widened[0].encode()], ids=[0], elements=1, flags=[flags])
            ascii_chars = "".join(map(chr, range(0x80)))
            copy = scanned_copy(ascii_chars) + b"\x80"
            seen: set[int] = set()
            database.scan(copy, match_event_handler=_ends, context=seen)
            python = re.compile(atom, rule.flags)
            wanted = {c for c in range(0x80) if python.fullmatch(chr(c))}
            if python.search(_OUTSIDE_ASCII):
                wanted.add(0x80)
            assert wanted <= seen, (rule.pattern, atom, sorted(wanted - seen))
            checked += 1
    assert checked > 100


def _ends(_id: int, _start: int, end: int, _flags: int, seen: set[int]) -> None:
    seen.add(end - 1)  # one character each: the byte it ends on


def test_every_gate_word_lowers_to_itself() -> None:
    """So a gate's word as written (`redact.written_gate`) is a word of the lowered text."""
    for kind, words in redact._GATES.items():
        for word in words:
            assert all(char.lower() == char for char in word), (kind, word)


_GATE_PIECES = st.sampled_from(
    sorted({word for words in redact._GATES.values() for word in words})
    + ["SK-", "Sk-", "BASIC ", "Bearer ", "\u0130", "\u0131", "\u017f", "\u212a", " ", "x", "-"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_GATE_PIECES | st.text(max_size=3), max_size=8).map("".join))
def test_a_gate_word_as_written_opens_the_gate(text: str) -> None:
    lowered = text.lower()
    for kind in redact._GATES:
        if redact.written_gate(kind, text):
            assert redact.gate_open(kind, lowered), (kind, text)
