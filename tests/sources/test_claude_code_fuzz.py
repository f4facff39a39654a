"""Random and truncated lines never break the Claude Code reader, and its counts add up."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill.sources.claude_code import parse_lines
from tests.conftest import DEMO_FILE

VALID = [line for line in DEMO_FILE.read_text(encoding="utf-8").split("\n") if line.strip()]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
records = st.fixed_dictionaries(
    {"type": st.sampled_from(["user", "assistant", "system", "summary", "progress", "x"])},
    optional={
        "message": json_values,
        "sessionId": json_values,
        "cwd": json_values,
        "timestamp": st.one_of(st.text(), st.just("2026-11-01T10:00:00Z"), json_values),
        "toolUseResult": json_values,
        "isSidechain": json_values,
    },
)
lines = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    records.map(json.dumps),
    st.builds(lambda line, cut: line[:cut], st.sampled_from(VALID), st.integers(0, 400)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, max_size=30))
def test_any_lines_parse_and_counts_add_up(texts: list[str]) -> None:
    numbered = list(enumerate(texts, start=1))
    run = parse_lines("p/s.jsonl", numbered)
    nonblank = sum(1 for t in texts if t.strip())
    assert run.stats.lines == nonblank
    assert run.stats.corrupt_lines + run.stats.unknown_lines <= nonblank
    assert len(run.stats.corrupt_line_numbers) == run.stats.corrupt_lines
    for event in run.events:
        assert 1 <= event.ref.line_start <= event.ref.line_end <= len(texts)
        assert isinstance(event.text, str) and event.text.strip()


def test_a_secret_across_the_cut_leaves_nothing_behind() -> None:
    from metis_distill.sources.common import MAX_EVENT_CHARS, event_text

    key = "sk-ant-api03-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz" * 3
    text = "x" * (MAX_EVENT_CHARS - 20) + " " + key + " tail"
    kept = event_text(text)
    assert len(kept) <= MAX_EVENT_CHARS
    assert "Zx9Qw8" not in kept and "sk-ant" not in kept


def test_deeply_nested_json_is_a_corrupt_line() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    run = parse_lines("p/s.jsonl", [(1, deep), (2, VALID[1])])
    assert run.stats.corrupt_line_numbers == (1,) and run.events


def test_versions_of_a_file_are_one_session() -> None:
    from metis_distill.sources.common import unversioned

    assert unversioned("s@1a2b3c4d.jsonl") == "s.jsonl"
    assert unversioned(".aider.chat.history@0badf00d.md") == ".aider.chat.history.md"
    assert unversioned("notes@home.md") == "notes@home.md"
    run = parse_lines("p/abc@1a2b3c4d.jsonl", [(1, '{"type":"user","message":{"content":"hi"}}')])
    assert run.session_id == "abc"
