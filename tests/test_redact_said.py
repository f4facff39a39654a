"""A password said in a message (`said_password`) and a key's base64 body (`key_material`) are
looked for only where one of the rule's words starts: the same replacements as the rule's `sub`
over the whole text (hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill import redact, secret_screen

_KIND, _SAID = next((k, p) for k, p in redact.rules() if k == "said_password")
_WORDS = [  # as the rule spells them, written here apart from `_SAID_HEADS`
    "pass",
    "Pass",
    "PASSWORD",
    "pwd",
    "Pwd",
    "Passwort",
    "passwort",
    "mot de passe",
    "Mot de passe",
    "senha",
    "Senha",
    *redact._PASSWORD_ELSEWHERE,
]
_PIECES = [
    *_WORDS,
    "password",
    "Passwort",
    "passwd",
    "PASS",
    "passed",
    "bypass",
    " is ",
    ": ",
    "=",
    "\uff1a",
    " ",
    "\n",
    "Abc123Xyz987",
    "hunter2hunter2",
    "[REDACTED:x]",
    "x",
    "-",
]


@settings(max_examples=500, deadline=None)
@given(st.from_regex(_SAID, fullmatch=True), st.sampled_from(["", " ", "x", "\n"]))
def test_every_match_starts_where_a_word_of_the_rule_starts(said: str, before: str) -> None:
    text = before + said
    starts = set(redact.word_starts(_KIND, text))
    assert len(before) in starts, text
    for match in _SAID.finditer(text):
        assert match.start() in starts, (text, match.start())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_said_passwords_are_replaced_as_the_rule_replaces_them(text: str) -> None:
    replace = redact.replacer(_KIND, _SAID)
    assert redact.sub_at(_SAID, text, redact.word_starts(_KIND, text), replace) == _SAID.sub(
        replace, text
    )
    with redact.unscreened():
        plain = redact.by_rules(text)
    assert redact.by_rules(text) == plain


def test_the_rule_reads_case_as_written() -> None:
    """No `(?i)`: the words' spellings are the places to look (else every case would be)."""
    assert not _SAID.flags & re.IGNORECASE


def test_each_word_of_the_rule_is_a_place_to_look() -> None:
    for word in _WORDS:
        for said in (f"{word} Abc123Xyz987", f"{word}: Abc123Xyz987", f"x {word} is Abc123Xyz987"):
            match = _SAID.search(said)
            assert match is not None and match.start() in redact.word_starts(_KIND, said), said


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join), max_size=6))
def test_an_evidence_files_said_passwords_are_noted_as_the_rule_finds_them(
    lines: list[str],
) -> None:
    """The publish's check of an evidence file notes the values the rule's own `sub` notes
    (the screened path tries only where a word of the rule starts)."""
    from metis_distill import secret_memory
    from metis_distill.redact_file import read_and_note

    data = "\n".join(lines).encode()
    with secret_memory.reading() as found:
        read_and_note(data)
    with redact.unscreened(), secret_memory.reading() as plain:
        read_and_note(data)
    assert list(found.values.items()) == list(plain.values.items())


# characters of each width a `str` stores (1, 2 and 4 bytes), a lone surrogate (JSON's
# `\ud800`), and the characters the words outside ASCII are made of
_OTHERS = ["\u00e9", "\u00f1", "\u2500", "\U0001f600", "\ud800", "\u5bc6", "\u043f", "\u1eadt"]


def _finds(text: str, words: list[str]) -> list[int]:
    """Where each word starts, a `str.find` after another: the plain computation."""
    return sorted({at for word in words for at in range(len(text)) if text.startswith(word, at)})


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, *_OTHERS]), max_size=14).map("".join))
def test_one_scan_finds_where_each_word_of_the_rule_starts(text: str) -> None:
    """`word_starts` (one Hyperscan scan of the UTF-8 bytes, offsets counted back into
    characters) against a search per word, given the bytes or not."""
    pytest.importorskip("hyperscan")
    expected = _finds(text, _WORDS)
    assert redact.word_starts_plain(_KIND, text) == expected
    assert redact.word_starts(_KIND, text) == expected
    if "\ud800" not in text:  # a file's line as read: valid UTF-8
        assert redact.word_starts(_KIND, text, text.encode()) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from(["a", "b", "\u00e9", "\u5bc6"]), min_size=1, max_size=3),
             min_size=1, max_size=4),
    st.lists(st.sampled_from(["a", "b", "ab", "\u00e9", "\u5bc6", "\U0001f600", "x"]),
             max_size=16).map("".join),
)  # fmt: skip
def test_words_start_where_a_search_per_word_finds_them(words: list[str], text: str) -> None:
    found = secret_screen.words(words)
    if found is None:
        pytest.skip("no Hyperscan")
    assert found.starts(text) == _finds(text, words)
    assert found.starts(text, text.encode()) == _finds(text, words)


_KEY, _KEY_RULE = next((k, p) for k, p in redact.rules() if k == "key_material")
_KEY_WORDS = ["MII", "MC4CAQAw", "b3BlbnNzaC1rZXktdjE"]  # as the rule spells them
_KEY_PIECES = [*_KEY_WORDS, "MI", "AAAA" * 5, "ab+/", "=", "x", "_", " ", "\n", "\u00e9", "-"]


def test_the_key_rule_reads_case_as_written() -> None:
    assert not _KEY_RULE.flags & re.IGNORECASE


@settings(max_examples=500, deadline=None)
@given(st.from_regex(_KEY_RULE, fullmatch=True), st.sampled_from(["", " ", "=", "\n"]))
def test_every_key_match_starts_where_a_word_of_the_rule_starts(key: str, before: str) -> None:
    text = before + key
    starts = set(redact.word_starts(_KEY, text))
    for match in _KEY_RULE.finditer(text):
        assert match.start() in starts, (text, match.start())
    assert redact.word_starts(_KEY, text) == _finds(text, _KEY_WORDS)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_KEY_PIECES), max_size=16).map("".join))
def test_keys_are_replaced_as_the_rule_replaces_them(text: str) -> None:
    replace = redact.replacer(_KEY, _KEY_RULE)
    expected = _KEY_RULE.sub(replace, text)
    assert redact.sub_at_words(_KEY, _KEY_RULE, text, replace) == expected
    with redact.unscreened():
        plain = redact.by_rules(text)
    assert redact.by_rules(text) == plain


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_KEY_PIECES), max_size=10).map("".join), max_size=6))
def test_an_evidence_files_keys_are_noted_as_the_rule_finds_them(lines: list[str]) -> None:
    from metis_distill import secret_memory
    from metis_distill.redact_file import read_and_note

    data = "\n".join(lines).encode()
    with secret_memory.reading() as found:
        read_and_note(data)
    with redact.unscreened(), secret_memory.reading() as plain:
        read_and_note(data)
    assert list(found.values.items()) == list(plain.values.items())


# Texts where rules run before the said password and change the text it is then tried on
# (their replacements, `[REDACTED:…]`, name kinds spelt with `password`), and characters
# outside ASCII, which the screen reads as the rule's words in other scripts.
_BEFORE_SAID = [
    *_PIECES,
    *_OTHERS,
    "PASSWORD=Abc123Xyz987 ",
    "db_pass: hunter2hunter2 ",
    "sshpass -p 'Abc123Xyz987' ",
    "--password hunter2hunter2 ",
    "https://ana:Abc123Xyz987@example.com ",
    "Basic dXNlcjpwYXNzd29yZA== ",
    *(f"[REDACTED:{kind}]" for kind in redact.kinds()),
    "\u5bc6\u7801\u662f",
    "\u043f\u0430\u0440\u043e\u043b\u044c ",
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_BEFORE_SAID), max_size=14).map("".join))
def test_a_rule_tried_where_its_words_start_needs_no_gate(text: str) -> None:
    """`by_rules` reads no gate for the rules of `STARTING_WORDS`: the same text as every rule
    behind its gate (the gate read on the text as given)."""
    with redact.unscreened():
        plain = redact.by_rules(text)
    assert redact.by_rules(text) == plain
