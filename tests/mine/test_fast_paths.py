"""The miners' fast paths answer as the plain computations they stand for (hypothesis-built
inputs, the fixtures and the corpus): a search done once for a command failing again and
again, a similarity bounded before it is computed, a pattern searched only in a text holding
one of its words, a short prose not given to the splitter, the results of calls read from
the end."""

from __future__ import annotations

import re
import string
import sys
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill import sources
from metis_distill.mine import fixes, intent, phrases, recovery, signals, statements
from metis_distill.mine import text as text_module
from metis_distill.models import Event, EventKind, SourceRef
from tests.mine.test_signals import _cased

FIXTURES = Path(__file__).parents[1] / "fixtures"

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
        else SequenceMatcher(None, a[: intent.SCRIPT_CHARS], b[: intent.SCRIPT_CHARS]).ratio()
        >= intent.SAME_SCRIPT
    )
    assert intent._alike_scripts.__wrapped__(a, b) == plain
    assert intent._alike_scripts(a, b) == plain


def test_alike_scripts_on_long_and_repeated_scripts() -> None:
    body = "import os\nprint(os.getcwd())\n" * 300  # past SCRIPT_CHARS, every line popular
    for other in (body, body.replace("getcwd", "listdir", 1), "x" * 5000, body[::-1]):
        plain = (
            SequenceMatcher(None, body[: intent.SCRIPT_CHARS], other[: intent.SCRIPT_CHARS]).ratio()
            >= intent.SAME_SCRIPT
        )
        assert intent._alike_scripts.__wrapped__(body, other) == plain


# The words every match of DECISION, GOTCHA, HEDGE and an error line holds, lower-cased (`signals.may_hold`).
_WORDED = [
    (phrases.DECISION, phrases.DECISION_WORDS),
    (phrases.GOTCHA, phrases.GOTCHA_WORDS),
    (phrases.HEDGE, phrases.HEDGE_WORDS),
    (signals.ERROR_LINE, signals.ERROR_WORDS),
    (fixes._UNKNOWN_FLAG, fixes._UNKNOWN_FLAG_WORDS),
    (signals._RUNNER_FOOTER, signals._RUNNER_WORDS),
]


@pytest.mark.parametrize(
    ("pattern", "words"),
    _WORDED,
    ids=["decision", "gotcha", "hedge", "error", "unknown-flag", "runner"],
)
@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_every_match_holds_one_of_the_words(
    pattern: re.Pattern[str], words: tuple[str, ...], data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(pattern))
    assert signals.may_hold(text, words), text


def test_the_letters_ignorecase_reads_as_ascii_are_lowered_to_them_or_searched() -> None:
    """`(?i)` matches U+0130, U+0131, U+017F and U+212A with i, i, s, k; a text holding one
    that `str.lower` does not lower to its letter is searched whatever its words."""
    letters = re.compile("[a-z]", re.I)
    for c in map(chr, range(0x80, sys.maxunicode + 1)):
        if letters.fullmatch(c):
            (letter,) = (a for a in string.ascii_lowercase if re.fullmatch(a, c, re.I))
            assert c.lower() == letter or c in signals._FOLDED, hex(ord(c))


_PIECES = [
    *phrases.DECISION_WORDS,
    *phrases.GOTCHA_WORDS,
    *phrases.HEDGE_WORDS,
    *signals.ERROR_WORDS,
    "I'll use uv",
    "we decided to",
    "instead of",
    "the issue was",
    "turns",
    " out",
    " ",
    ".",
    "x",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=8).map("".join),
    st.lists(st.integers(min_value=0, max_value=500), max_size=6),
)
def test_a_text_without_the_words_is_matched_by_none(text: str, flips: list[int]) -> None:
    text = _cased(text, flips)
    for pattern, words in _WORDED:
        if not signals.may_hold(text, words):
            assert pattern.search(text) is None, (pattern.pattern[:30], text)


def _statements_both_ways(events: tuple[Event, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each prose event's statements as found, and with every look before a search let
    through (the searches alone decide)."""
    texts = [i for i, e in enumerate(events) if e.kind is EventKind.TEXT]
    found = [list(statements.statements(events, i)) for i in texts]
    with monkeypatch.context() as patched:
        patched.setattr(signals, "may_hold", lambda text, words: True)
        assert [list(statements.statements(events, i)) for i in texts] == found


def _prose(texts: list[tuple[str, str]]) -> tuple[Event, ...]:
    return tuple(
        Event(n, role, EventKind.TEXT, text, SourceRef("f.jsonl", n + 1, n + 1), session="s")
        for n, (role, text) in enumerate(texts)
    )


_SENTENCE = st.lists(st.sampled_from([*_PIECES, "Yes, that worked.", "\n", "- "]), max_size=10)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["user", "assistant", "system", "tool"]), _SENTENCE),
        max_size=6,
    )
)
def test_statements_are_found_as_the_searches_alone_find_them(
    texts: list[tuple[str, list[str]]],
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _statements_both_ways(_prose([(role, "".join(t)) for role, t in texts]), monkeypatch)


def test_the_corpus_statements_are_found_as_the_searches_alone_find_them(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for root in (FIXTURES, corpus):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            found = sources.detect(path).format
            if found is not None:
                _statements_both_ways(found.parse_file(path, root).events, monkeypatch)


def test_no_sentence_of_another_role_is_a_statement() -> None:
    """`statements` reads no prose but the user's and the agent's: `_classify` finds nothing
    in a system note or a tool's output, whatever it says."""
    for role in ("system", "tool"):
        event = _prose([(role, "")])[0]
        for sentence in [*_PIECES, "We decided to use uv because pip is slow.", "Turns out x."]:
            assert statements._classify(event, sentence) is None


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


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*_PIECES, "Exit code 1", "\n", "E   ValueError: x", "0 errors"]))
    .map("".join)
    .filter(str.strip)
)
def test_an_error_signature_is_the_line_the_searches_alone_pick(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        found = signals.error_signature(text)
        monkeypatch.setattr(signals, "may_hold", lambda text, words: True)
        assert signals.read_signature(text) == found  # read anew, not as kept


_OUTPUTS_OF_FAILURES = [
    "bash: jest: command not found",
    "zsh: command not found: pnpm",
    "'npx' is not recognized as an internal or external command",
    "sh: 1: 2: not found",
    "error: unrecognized arguments: --fast",
    "Unknown option: --x",
    "-q: invalid option",
    "ls: illegal option -- z",
    "flag provided but not defined: -v",
    "not found",
    " ",
    "\n",
    ":",
    "x",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_OUTPUTS_OF_FAILURES), max_size=6).map("".join),
    st.lists(st.integers(min_value=0, max_value=500), max_size=4),
)
def test_missing_programs_and_unknown_flags_are_read_as_the_searches_alone_read_them(
    text: str, flips: list[int]
) -> None:
    text = _cased(text, flips)
    plain_program = next(
        (
            str(p)
            for m in signals._MISSING_PROGRAM.finditer(text[:4000])
            if (p := m["program"] or m["zsh"] or m["cmd"]).lower() not in signals._NOT_PROGRAMS
            and not p[0].isdigit()
            and p[0] not in "-+"  # a flag the shell took for a command
            and not signals._DOCUMENT.search(p)
        ),
        None,
    )
    assert signals.missing_program(text) == plain_program
    found = fixes._UNKNOWN_FLAG.finditer(text[:2000])
    plain_flags = frozenset(m["flag"] or m["before"] or f"-{m['letter']}" for m in found)
    assert fixes.unknown_flags(text) == plain_flags


@settings(max_examples=300, deadline=None)
@given(_STEPS)
def test_results_keep_the_first_result_of_each_call(steps: Steps) -> None:
    events = _run(steps)
    for start in range(len(events) + 1):
        plain: dict[str, Event] = {}
        for event in events[start:]:
            if event.role == "tool" and event.tool_use_id:
                plain.setdefault(event.tool_use_id, event)
        found = fixes.results_by_call(events[start:])
        assert found == plain
        assert all(found[k] is plain[k] for k in plain)


# The patterns as one alternation each, as they were written before being cut into parts: the
# parts must join into them (the plain computation the tests below compare with).
_FAILING_TESTS = (
    r"\b[1-9][\d,]* failed\b|^FAILED |Tests?:\s+[1-9]\d* failed|\bERR_PNPM_|npm ERR!|"
    r"^npm error (?!For a full report see|A complete log of this run|Log files were not"
    r"|[^\n]*[/\\]_logs[/\\])|error TS\d+|^E\s+\w+Error|Test Files\s+[1-9]\d* failed"
    r"|\b\d+ examples?, (?:[1-9]\d* failures?|\d+ failures?, [1-9]\d* errors?)"
    r"|\b\d+ (?:runs|tests), \d+ assertions, (?:[1-9]|\d+ failures, [1-9])"
    r"|^Tests: \d+, Assertions: \d+, (?:[\w ]+: \d+, )*(?:Errors|Failures): [1-9]"
    r"|^\s*[1-9]\d* failing$|^[ \t]*[1-9]\d* fail$"
)
_BUILD_FAILED = (
    r"^\s*(?:\S*ELIFECYCLE\s+|error )?Command failed with exit code [1-9]\d*\.?\s*$"
    r"|^Failed to compile\.?$|^> Build failed because\b"
)
_FAILED_PIECES = [
    "3 failed", "1,200 failed", "\u0663 failed", "FAILED tests/x.py", "Tests:  2 failed",
    "Test Files  1 failed", "ERR_PNPM_X", "xERR_PNPM_", "npm ERR! code", "error TS2345",
    "npm error code", "npm error", "npm error For a full report see:",
    "npm error A complete log of this run can be found in: /r/_logs/x.log",
    "E   ValueError", "E\tKeyError", "Command failed with exit code 1.", "npm ELIFECYCLE  ",
    "error ", "Failed to compile.", "> Build failed because x", "Traceback (most recent call last)",
    "failed", "1 passed", "\n", " ", "x", "E", "0", ",", "Error", "\u00e9",
    "5 examples, 2 failures", "1 example, 0 failures, 1 error", "3 runs, 3 assertions, 1",
    "Tests: 3, Assertions: 3, Failures: 1", "  1 failing", "0 failing", " 1 fail", "0 fail",
]  # fmt: skip


def test_the_parts_join_into_the_patterns_they_were() -> None:
    assert signals._FAILING_TESTS.pattern == _FAILING_TESTS
    assert signals._BUILD_FAILED.pattern == _BUILD_FAILED
    assert signals._FAILING_TESTS.flags & re.M and signals._BUILD_FAILED.flags & re.M


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_match_of_a_part_holds_its_word(data: st.DataObject) -> None:
    for word, part in (*signals._FAILING_PARTS, *signals._BUILD_PARTS):
        before = data.draw(st.sampled_from(["", "\n", "x ", "1"]))
        text = before + data.draw(st.from_regex(part, fullmatch=True))
        for match in part.finditer(text):
            if word is None:  # the pytest line: where `_shows_failure` looks for one
                assert "Error" in text and (text.startswith("E") or "\nE" in text), text
            else:
                assert word in match.group(0), (word, text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_FAILED_PIECES), max_size=8).map("".join))
def test_a_failure_shown_is_found_as_the_whole_searches_find_it(head: str) -> None:
    searched = (
        signals._TRACEBACK.search(head)
        or re.search(_BUILD_FAILED, head, re.M)
        or re.search(_FAILING_TESTS, head, re.M)
    )
    assert signals.shows_failure(head) == bool(searched), head


@pytest.mark.parametrize(
    ("name", "pattern"), recovery.CLASSES, ids=[n for n, _ in recovery.CLASSES]
)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_ascii_match_of_a_failure_class_holds_its_words(
    name: str, pattern: re.Pattern[str], data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(pattern))
    match = pattern.search(text)
    assert match is not None
    if match.group(0).isascii():
        lowered = match.group(0).lower()
        assert any(word in lowered for word in recovery.CLASS_WORDS[name]), text


def _classified_plainly(event: Event) -> str:
    """`recovery.classify` as written before its words: every class searched in turn."""
    if event.tool_name in signals.EDIT_TOOLS:
        return "edit did not apply"
    for name, pattern in recovery.CLASSES:
        if pattern.search(event.text[:20_000]):
            return name
    return "non-zero exit" if event.exit_code not in (None, 0) else "tool error"


_CLASS_PIECES = [
    *(word for words in recovery.CLASS_WORDS.values() for word in words),
    *(p.pattern.split("|")[0] for _, p in recovery.CLASSES),
    "3 failed", "FAILED tests/x.py", "Tests: 2 failed", "error TS2304", "Found 2 errors in 1 file",
    "x.py:1: error: bad [misc]", "fatal: not a git repository", "error: pathspec 'x'",
    "\n", " ", "x", "E", "0", ":", "\u00e9", "\u0131",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(_CLASS_PIECES), max_size=6).map("".join),
    st.lists(st.integers(min_value=0, max_value=500), max_size=6),
    st.sampled_from([None, 0, 1]),
)
def test_a_failure_is_classed_as_every_search_classes_it(
    text: str, flips: list[int], exit_code: int | None
) -> None:
    event = Event(
        0, "tool", EventKind.ERROR, _cased(text, flips), SourceRef("f", 1, 1), exit_code=exit_code
    )
    assert recovery.classify(event) == _classified_plainly(event), event.text


def test_the_corpus_failures_are_classed_as_every_search_classes_them(corpus: Path) -> None:
    classed = 0
    for path in sorted(corpus.rglob("*.jsonl")):
        found = sources.detect(path).format
        if found is None:
            continue
        run = found.parse_file(path, corpus)
        for event, failed in zip(run.events, signals.failures(run.events), strict=True):
            if failed:
                assert recovery.classify(event) == _classified_plainly(event), event.text[:200]
                classed += 1
    assert classed > 50


# `text._SENTENCE_END` as written before its first look-behind: each alternative tried alone.
_SENTENCE_END_PLAIN = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z`*\"'(\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])"
    r"|(?:(?<=[.!?][.!?])|(?<=\u2026))\s+"
    r"|(?<=[\u3002\uff01\uff1f])\s*|\n+"
)
_SENTENCE_PIECES = [
    ".", "!", "?", "\u2026", "\u3002", "\uff01", "\uff1f", " ", "  ", "\n", "\t", "\u3000",
    "A", "a", "`", "*", '"', "'", "(", "x", "\u00e9", "Done", "e.g", "\u6587", "\u3042",
    "\ud55c",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_PIECES) | st.text(max_size=2), max_size=14).map("".join))
def test_prose_is_split_where_the_plain_pattern_splits_it(text: str) -> None:
    assert text_module._SENTENCE_END.split(text) == _SENTENCE_END_PLAIN.split(text)


def test_the_corpus_prose_is_split_where_the_plain_pattern_splits_it(corpus: Path) -> None:
    split = 0
    for path in sorted(corpus.rglob("*.jsonl")):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert text_module._SENTENCE_END.split(text) == _SENTENCE_END_PLAIN.split(text), path
        split += 1
    assert split > 20


def test_an_error_output_is_read_once_and_another_output_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signals._kept_signature.cache_clear()
    output = "Collecting widgets\nerror: could not find a version that satisfies widgets==9"
    calls = 0
    plain = signals._without_finished_build_steps

    def counted(lines: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        return plain(lines)

    monkeypatch.setattr(signals, "_without_finished_build_steps", counted)
    first = signals.error_signature(output)
    assert signals.error_signature(output) == first == signals.read_signature(output)
    assert calls == 2  # once kept, once read anew on purpose
    other = output.replace("widgets==9", "gadgets==2")
    assert signals.error_signature(other) == first.replace("widgets==9", "gadgets==2")
    assert calls == 3
    huge = output + "\n" + "x" * signals.KEPT_OUTPUT  # not kept: read each time
    assert signals.error_signature(huge) == signals.error_signature(huge)
    assert calls == 5
