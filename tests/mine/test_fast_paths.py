"""The miners' fast paths answer as the plain computations they stand for (hypothesis-built
inputs): a search done once for a command failing again and
again, a similarity bounded before it is computed, a short prose not given to the
splitter."""

from __future__ import annotations

from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill.mine import fixes, recovery, signals
from metis_distill.mine import text as text_module
from metis_distill.models import Event, EventKind, SourceRef

_COMMANDS = ["pytest -q", "uv run pytest -q", "npm test", "ls", "python3 - <<'PY'\nprint(1)\nPY"]
_OUTPUTS = ["ok", "4 passed", "1 failed, 3 passed", "Traceback (most recent call last)"]


Steps = list[tuple[int, int, bool, str, int]]


def _run(steps: Steps) -> tuple[Event, ...]:
    """A call and its result per step: (command, output, error, tool, session)."""
    events: list[Event] = []
    for n, (command, output, error, tool, session) in enumerate(steps):
        ref = SourceRef("f.jsonl", 2 * n + 1, 2 * n + 1)
        common = {"tool_use_id": f"t{n % 7}", "session": f"s{session}"}
        text = _COMMANDS[command]
        events.append(
            Event(
                len(events), "assistant", EventKind.TOOL_CALL, text, ref, tool_name=tool, **common
            )
        )
        kind = EventKind.ERROR if error else EventKind.TOOL_RESULT
        events.append(Event(len(events), "tool", kind, _OUTPUTS[output], ref, **common))
    return tuple(events)


_STEPS = st.lists(
    st.tuples(
        st.integers(0, len(_COMMANDS) - 1),
        st.integers(0, len(_OUTPUTS) - 1),
        st.booleans(),
        st.sampled_from(["Bash", "Bash", "Edit"]),
        st.integers(0, 1),
    ),
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(_STEPS)
def test_a_search_kept_for_a_call_finds_what_a_fresh_search_finds(steps: Steps) -> None:
    events = _run(steps)
    calls = {e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL}
    results = {e.tool_use_id: e for e in events if e.role == "tool" and e.tool_use_id}
    searched: dict[tuple[str | None, str | None, str], tuple[int, int | None]] = {}
    for index, failed in enumerate(signals.failures(events)):
        call = calls.get(events[index].tool_use_id) if failed else None
        if call is None:
            continue
        fresh = recovery._next_success(events, index, call, results)
        assert recovery._next_success(events, index, call, results, searched) is fresh


_SCRIPT = st.text(alphabet="ab \n()=x", max_size=300)


@settings(max_examples=400, deadline=None)
@given(_SCRIPT, _SCRIPT)
def test_alike_scripts_answers_as_the_ratio_does(a: str, b: str) -> None:
    plain = (
        not a.strip() and not b.strip()
        if not a.strip() or not b.strip()
        else SequenceMatcher(None, a[: fixes.SCRIPT_CHARS], b[: fixes.SCRIPT_CHARS]).ratio()
        >= fixes.SAME_SCRIPT
    )
    assert fixes._alike_scripts.__wrapped__(a, b) == plain
    assert fixes._alike_scripts(a, b) == plain


def test_alike_scripts_on_long_and_repeated_scripts() -> None:
    body = "import os\nprint(os.getcwd())\n" * 300  # past SCRIPT_CHARS, every line popular
    for other in (body, body.replace("getcwd", "listdir", 1), "x" * 5000, body[::-1]):
        plain = (
            SequenceMatcher(None, body[: fixes.SCRIPT_CHARS], other[: fixes.SCRIPT_CHARS]).ratio()
            >= fixes.SAME_SCRIPT
        )
        assert fixes._alike_scripts.__wrapped__(body, other) == plain


def _sentences_split_whole(text: str) -> list[str]:
    """`text.sentences` with every prose given to the splitter."""
    prose = text_module._CODE_FENCE.sub("\n", text)
    found: list[str] = []
    for chunk in text_module._splitter().split_text(prose):
        found.extend(s.strip() for s in text_module._SENTENCE_END.split(chunk) if s.strip())
    return [s for s in found if len(s) <= text_module.MAX_SENTENCE]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["word ", "Word. ", "x", "\n", "\n\n", " ", ". ", "```py\nx\n```", "。"]),
        max_size=400,
    ).map("".join)
)
def test_short_prose_is_cut_as_the_splitter_cuts_it(text: str) -> None:
    assert text_module.sentences(text) == _sentences_split_whole(text)


@pytest.mark.parametrize("size", [0, 1, 1198, 1199, 1200, 1201, 2500])
@pytest.mark.parametrize("tail", ["", " ", "\n\n", "x"])
def test_prose_at_the_chunk_size_is_cut_as_the_splitter_cuts_it(size: int, tail: str) -> None:
    for body in ("a" * size, ("Word one. " * size)[:size], ("line\n" * size)[:size]):
        text = body + tail
        assert text_module.sentences(text) == _sentences_split_whole(text)
