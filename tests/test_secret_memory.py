"""A run's remembered secrets hidden in its text: each distinct token of the run hashed once,
and the text the same as replacing every token whose digest is remembered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill import secret_memory
from metis_distill.redact import redact
from metis_distill.secret_memory import _TOKEN, Memory, RunSecrets

_KEY = b"k" * 32
_REMEMBERED = ["S3cret-Pw!x", "hunter2hunter2"]


@dataclass(frozen=True)
class CountingMemory(Memory):
    """A memory that counts the digests it computes."""

    counted: list[str] = field(default_factory=list)

    def digest(self, value: str) -> str:
        self.counted.append(value)
        return super().digest(value)


def _memory() -> CountingMemory:
    plain = Memory(Path("unused"), _KEY, frozenset())
    digests = frozenset(plain.digest(v) for v in _REMEMBERED)
    return CountingMemory(Path("unused"), _KEY, digests)


def _reference(memory: Memory, text: str) -> str:
    """Every token whose digest is remembered replaced (the memory's rule)."""
    return _TOKEN.sub(
        lambda m: (
            "[REDACTED:remembered_secret]"
            if memory.digest(m.group(0)) in memory.digests
            else m.group(0)
        ),
        text,
    )


_PIECES = st.sampled_from(
    [*_REMEMBERED, " ", "\n", "=", ":", '"', "/", "path/to/file.py", "ordinary", "x" * 12, "é"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=5))
def test_remembered_tokens_are_hidden_as_the_rule_says(texts: list[str]) -> None:
    memory = _memory()
    found = RunSecrets(memory)
    for text in texts:
        assert found.hide(text) == _reference(memory, text)


def test_each_distinct_token_of_a_run_is_hashed_once() -> None:
    memory = _memory()
    found = RunSecrets(memory)
    texts = ["run pytest tests/unit now", "pytest tests/unit failed", "hunter2hunter2 again"]
    for _ in range(3):
        assert [found.hide(t) for t in texts][2] == "[REDACTED:remembered_secret] again"
    tokens = {t for text in texts for t in _TOKEN.findall(text)}
    assert sorted(memory.counted) == sorted(tokens)  # "tests/unit" and the others once each


_BODY = [
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz",
    "c2gtZWQyNTUxOQAAACBAPYCgBr5TRWK8",
]


def test_a_key_blocks_body_is_hidden_wherever_it_is_repeated() -> None:
    block = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + "\n".join(_BODY)
        + "\n-----END OPENSSH PRIVATE KEY-----"
    )
    with secret_memory.reading() as found:
        redact(f"cat ~/.ssh/id_ed25519\n{block}")
        assert sorted(found.values) == sorted(_BODY)
        assert _BODY[1] not in redact(f"the key's second line {_BODY[1]} again")


def test_a_key_printed_without_its_body_hides_nothing_that_followed() -> None:
    """`head -1` of key files: the BEGIN line, then another file's name and, in a transcript's
    raw line, its own fields; the rule hides all of it there, but none of it is a value."""
    printed = (
        '"content":"=== SSH KEYS ===\\n--- /home/ana/.ssh/id_ed25519 ---\\n-----BEGIN OPENSSH '
        "PRIVATE KEY-----\\n--- /home/ana/.ssh/git_work_legacy ---\\n-----BEGIN OPENSSH PRIVATE "
        'KEY-----\\n","sessionId":"95ca87c9-2e04-49c8-9438-ad9af035b030","cache_read_input_tokens"'
    )
    with secret_memory.reading() as found:
        assert "95ca87c9" not in redact(printed)  # hidden where the block runs on
        assert found.values == {}
        later = "ssh -o StrictHostKeyChecking=no -i ~/.ssh/git_work_legacy ana@95ca87c9-2e04"
        assert redact(later) == later


_PEM = [
    "-----BEGIN PRIVATE KEY-----",
    _BODY[0],
    _BODY[0][::-1],
    "-----END PRIVATE KEY-----",
]


@pytest.mark.parametrize(
    "printed",
    [
        "\n".join(f"{n}:{line}" for n, line in enumerate(_PEM, 1)),  # grep -n
        "\n".join(f"{line}$" for line in _PEM),  # cat -A
        "\n".join(f'    "{line}\\n"' for line in _PEM),  # a string literal per line, in source
        "\\\\n".join(_PEM),  # a JSON file's key (`\n` in its string) inside a transcript's JSON
        "\\n".join(f"{n:6}\\u2192{line}" for n, line in enumerate(_PEM, 1)),  # Read, `→` escaped
    ],
)
def test_a_key_blocks_body_is_found_in_the_forms_tools_print(printed: str) -> None:
    with secret_memory.reading():
        redact(printed)
        assert _PEM[2] not in redact(f"the second line alone: {_PEM[2]}")


def test_a_word_after_a_key_printed_without_its_body_is_no_body() -> None:
    """`head -1` of the key, then ssh's config: `StrictHostKeyChecking no` is no base64 body."""
    printed = "-----BEGIN OPENSSH PRIVATE KEY-----\nStrictHostKeyChecking no\nUser git\n"
    with secret_memory.reading() as found:
        redact(printed)
        assert found.values == {}
