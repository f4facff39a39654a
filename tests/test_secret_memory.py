"""A run's remembered secrets hidden in its text: each distinct token of the run hashed once,
and the text the same as replacing every token whose digest is remembered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

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
