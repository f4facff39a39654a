"""The aider chat-history reader: authored fixtures, the shared corpus, and fuzzing."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import Event, EventKind, LessonKind, Run
from metis_distill.provenance import quote_in_lines, quote_in_span
from metis_distill.sources import detect
from metis_distill.sources.aider import FORMAT, SOURCE, looks_like, parse_file, parse_lines
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES

ROOT = FIXTURES / "aider"
CALC = ROOT / "calc" / ".aider.chat.history.md"
DAMAGED = ROOT / "damaged" / "damaged.aider.chat.history.md"


@pytest.fixture(scope="module")
def calc() -> Run:
    return parse_file(CALC, ROOT)


def at(run: Run, line: int) -> Event:
    """The event that starts on this line."""
    (event,) = [e for e in run.events if e.ref.line_start == line]
    return event


def span(event: Event) -> tuple[int, int]:
    return event.ref.line_start, event.ref.line_end


def lines_of(texts: list[str]) -> list[tuple[int, str]]:
    return list(enumerate(texts, start=1))


def check_verbatim(run: Run, lines: list[str] | dict[int, str]) -> None:
    """Every event covers lines of its own (no overlap) and every line of its text is quotable
    from its span, the way the review resolves evidence."""
    used: set[int] = set()
    for event in run.events:
        a, b = span(event)
        assert 1 <= a <= b
        assert not used & set(range(a, b + 1)), event
        used |= set(range(a, b + 1))
        for text in event.text.split("\n"):
            if text.strip():
                assert quote_in_lines(lines, a, b, text), (event.ref, text)


# -- the authored fixtures ---------------------------------------------------------------


def test_run_metadata_and_sessions(calc: Run) -> None:
    assert calc.source_format == FORMAT == SOURCE.name == "aider"
    assert calc.path == "calc/.aider.chat.history.md"
    assert calc.session_id == "calc/.aider.chat.history@2024-05-14T09:30:00"
    assert calc.cwd == "/home/dev/src/calc/app" and calc.project == "calc"
    assert calc.started_at == datetime(2024, 5, 14, 9, 30).astimezone(UTC)
    assert calc.ended_at == datetime(2024, 5, 15, 14, 0, 5).astimezone(UTC)
    assert calc.started_at is not None and calc.started_at.tzinfo is not None
    sessions = Counter(e.session for e in calc.events)
    assert set(sessions) == {
        "calc/.aider.chat.history@2024-05-14T09:30:00",
        "calc/.aider.chat.history@2024-05-15T14:00:05",
    }
    assert at(calc, 194).timestamp == calc.ended_at
    assert calc.stats.corrupt_lines == calc.stats.unknown_lines == 0
    assert calc.stats.events == len(calc.events)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
def test_naive_launch_times_are_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        run = parse_file(CALC, ROOT)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert run.started_at == datetime(2024, 5, 14, 13, 30, tzinfo=UTC)  # 09:30 EDT


def test_user_messages_commands_and_the_ask_echo(calc: Run) -> None:
    message = at(calc, 17)
    assert (message.role, message.kind, span(message)) == ("user", EventKind.TEXT, (17, 18))
    assert message.text == "make add() reject strings\nand keep the old behaviour for floats"
    add = at(calc, 14)
    assert (add.kind, add.tool_name, add.text) == (EventKind.TOOL_CALL, "aider", "/add calc/ops.py")
    assert at(calc, 15).tool_use_id == add.tool_use_id == "L14"
    # `/ask X` is logged twice by aider: one question, covering both inputs.
    ask = at(calc, 216)
    assert (ask.kind, span(ask), ask.text) == (
        EventKind.TEXT,
        (216, 218),
        "why does add() check for str?",
    )
    assert not [e for e in calc.events if e.ref.line_start == 218]


def test_reply_keeps_its_own_quotes_and_headings(calc: Run) -> None:
    reply = at(calc, 20)
    assert (reply.role, reply.kind, span(reply)) == ("assistant", EventKind.TEXT, (20, 24))
    assert "#### Plan" in reply.text and "A quoted remark inside the reply" in reply.text


def test_failed_search_replace_is_paired_with_the_retry_that_applied(calc: Run) -> None:
    first, error, retry, applied = at(calc, 26), at(calc, 44), at(calc, 68), at(calc, 82)
    assert (first.kind, first.tool_name, first.text, span(first)) == (
        EventKind.TOOL_CALL,
        "Edit",
        "calc/ops.py",
        (26, 37),
    )
    assert (error.role, error.kind, error.tool_name) == ("tool", EventKind.ERROR, "Edit")
    assert span(error) == (44, 64) and error.text.startswith("# 1 SEARCH/REPLACE block failed")
    assert error.tool_use_id == first.tool_use_id == "L26"
    assert retry.tool_use_id == applied.tool_use_id == "L68"
    assert (applied.kind, applied.text) == (EventKind.TOOL_RESULT, "Applied edit to calc/ops.py")
    # "The LLM did not conform..." and its URL are aider's preamble, not the error itself.
    assert at(calc, 39).role == "system"
    episode = next(e for e in find_episodes(calc) if e.trigger.ref.line_start == 44)
    assert episode.call is first and episode.fix_call is retry and episode.fix_result is applied


def test_shell_commands_and_their_output(calc: Run) -> None:
    run_call, failed = at(calc, 90), at(calc, 91)
    assert (run_call.role, run_call.kind, run_call.tool_name) == (
        "user",
        EventKind.TOOL_CALL,
        "Bash",
    )
    assert run_call.text == "uv run pytest -q"
    assert (failed.kind, failed.tool_name, failed.tool_use_id, span(failed)) == (
        EventKind.ERROR,
        "Bash",
        "L90",
        (91, 96),
    )
    passed = at(calc, 118)
    assert (passed.kind, passed.tool_use_id, span(passed)) == (
        EventKind.TOOL_RESULT,
        "L117",
        (118, 119),
    )
    # /test adds its output to the chat only when the command failed.
    test_call, test_failed = at(calc, 122), at(calc, 123)
    assert test_call.text == "uv run mypy calc" and test_failed.kind is EventKind.ERROR
    assert test_failed.tool_use_id == "L122"
    git = at(calc, 211)
    assert (git.tool_name, git.text) == ("Bash", "git status")
    assert (at(calc, 212).kind, span(at(calc, 212))) == (EventKind.TOOL_RESULT, (212, 213))
    episode = next(e for e in find_episodes(calc) if e.trigger.ref.line_start == 91)
    assert episode.fix_call is at(calc, 117) and episode.fix_result is passed


def test_declined_commands_interrupts_and_undo(calc: Run) -> None:
    declined = at(calc, 84)
    assert (declined.role, declined.kind, span(declined)) == ("user", EventKind.INTERRUPT, (84, 85))
    assert at(calc, 140).kind is EventKind.INTERRUPT  # ^C mid-launch: the user typed on
    undo = at(calc, 148)
    assert (undo.kind, undo.text) == (EventKind.INTERRUPT, "/undo")
    # The ^C that only quit aider is its chatter, not an interrupt of the agent.
    last = next(e for e in calc.events if e.ref.line_start <= 185 <= e.ref.line_end)
    assert (last.role, last.kind) == ("system", EventKind.TEXT)
    corrections = [e for e in find_episodes(calc) if e.signal == "correction"]
    assert [e.trigger.ref.line_start for e in corrections] == [88, 142, 153]
    assert corrections[0].call is declined


def test_tracebacks_api_errors_and_lint(calc: Run) -> None:
    traceback = at(calc, 131)
    assert (traceback.role, traceback.kind, span(traceback)) == (
        "tool",
        EventKind.ERROR,
        (131, 135),
    )
    assert traceback.text.endswith(
        "ValueError: usage report is not available\nusage report is not available"
    )
    api = at(calc, 136)
    assert (api.role, api.kind, span(api)) == ("system", EventKind.ERROR, (136, 137))
    lint_call, lint = at(calc, 169), at(calc, 171)
    assert lint_call.tool_name == "Bash" and lint_call.text.startswith("/usr/bin/python3 -m flake8")
    assert (lint.kind, lint.tool_use_id, span(lint)) == (EventKind.ERROR, "L169", (171, 176))


def test_whole_file_edits(calc: Run) -> None:
    edit, applied = at(calc, 198), at(calc, 208)
    assert (edit.kind, edit.tool_name, edit.text, span(edit)) == (
        EventKind.TOOL_CALL,
        "Edit",
        "README.md",
        (198, 203),
    )
    assert applied.tool_use_id == edit.tool_use_id


def test_planted_secret_is_redacted(calc: Run) -> None:
    texts = "\n".join(e.text for e in calc.events)
    assert "sk-ant-api03" not in texts and "[REDACTED:anthropic_key]" in texts
    assert quote_in_span(CALC, 126, 126, at(calc, 126).text)


def test_every_fixture_event_is_verbatim_and_disjoint() -> None:
    for path in (CALC, DAMAGED):
        run = parse_file(path, ROOT)
        check_verbatim(run, read_lines(path))
        for event in run.events:
            snippet = event.text.split("\n")[0][:60]
            assert quote_in_span(path, event.ref.line_start, event.ref.line_end, snippet)


def test_lessons_from_the_fixture(calc: Run) -> None:
    episodes = list(find_episodes(calc))
    lessons = RulesExtractor().extract(calc, episodes, read_lines(CALC))
    for lesson in lessons:
        ref = lesson.evidence.ref
        assert quote_in_span(CALC, ref.line_start, ref.line_end, lesson.evidence.quote), lesson
    texts = [lesson.text for lesson in lessons]
    assert any("isinstance check instead of a try/except" in t for t in texts)
    # one wording whatever the file, the count or aider's version: no path, no number
    assert any(
        t.startswith("Edit failed with “SEARCH/REPLACE block failed to match”") for t in texts
    )
    assert any(t.startswith("`uv run pytest -q` failed with") for t in texts)
    assert "User correction: Always run the tests with uv run pytest so the venv is used." in texts
    # the agent's last words, a claim nobody answered: not a confirmed fact
    assert not any("bool is a subclass of int" in t for t in texts)
    assert any("F821 undefined name 'Decimal'" in t for t in texts)


def test_damaged_file_is_read_around_the_damage() -> None:
    run = parse_file(DAMAGED, ROOT)
    # Line 9 has bytes that are not UTF-8; line 18 is a launch header with a broken time.
    assert run.stats.corrupt_line_numbers == (9, 18) and run.stats.corrupt_lines == 2
    assert run.stats.unknown_lines == 2  # `>stray...` and `####oops` outside any reply
    assert run.session_id == "damaged.aider.chat.history@2024-06-01T08:00:00"
    sessions = [e.session for e in run.events]
    assert "damaged.aider.chat.history@L18" in sessions
    # The reply cut off inside its SEARCH/REPLACE block is prose, not an edit.
    cut = at(run, 11)
    assert (cut.kind, span(cut)) == (EventKind.TEXT, (11, 16))
    assert not [e for e in run.events if e.tool_name == "Edit" and e.ref.line_start < 30]
    limit = at(run, 23)
    assert (limit.role, limit.kind) == ("system", EventKind.ERROR)
    edit, applied = at(run, 38), at(run, 47)
    assert edit.tool_use_id == applied.tool_use_id and applied.session == edit.session
    assert applied.session == "damaged.aider.chat.history@2024-06-02T10:00:00"


def test_utf16_and_bom_copies_read_the_same(tmp_path: Path, calc: Run) -> None:
    text = CALC.read_text(encoding="utf-8")
    for encoding in ("utf-16", "utf-8-sig"):
        copy = tmp_path / "calc" / f"{encoding}.aider.chat.history.md"
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(text.encode(encoding))
        run = parse_file(copy, tmp_path)
        assert [(e.kind, span(e), e.text) for e in run.events] == [
            (e.kind, span(e), e.text) for e in calc.events
        ]


def test_looks_like(tmp_path: Path) -> None:
    head = CALC.read_text(encoding="utf-8")
    assert looks_like("renamed.txt", head)  # content decides
    assert looks_like(".aider.chat.history.md", head[head.index("> Aider") :])  # no header
    assert not looks_like(".aider.chat.history.md", "# Notes\n\n#### Heading  \n> quote  \n")
    assert not looks_like("x.md", "#### Heading  \n> a quote with a hard break  \n")
    assert not looks_like("s.jsonl", DEMO_FILE.read_text(encoding="utf-8"))
    assert not looks_like("log.txt", '{"text": "# aider chat started at 2024-01-01 10:00:00"}')
    renamed = tmp_path / "history.log"
    renamed.write_bytes(CALC.read_bytes())
    found = detect(renamed).format
    assert found is not None and found.name == "aider"


def test_other_edit_formats_and_output_shapes() -> None:
    texts = [
        "# aider chat started at 2024-07-01 12:00:00",
        "",
        "> Main model: gpt-4 with udiff edit format  ",
        "",
        "#### rename the helper  ",
        "",
        "```diff",
        "--- src/util.py",
        "+++ src/util.py",
        "@@ ... @@",
        "-def helper():",
        "+def assist():",
        "```",
        "",
        "> Applied edit to src/util.py  ",
        "",
        "#### /run python -m util  ",
        "> Traceback (most recent call last):  ",
        '> File "util.py", line 3, in <module>  ',
        "> helper()  ",
        "> NameError: name 'helper' is not defined  ",
        "> Add 0.1k tokens of command output to the chat? (Y)es/(N)o [Yes]: n  ",
        "",
        "fixing both blocks",
        "",
        "src/a.py",
        "<<<<<<< SEARCH",
        "x = 1",
        "=======",
        "x = 2",
        ">>>>>>> REPLACE",
        "",
        "src/b.py",
        "<<<<<<< SEARCH",
        "y = 1",
        "=======",
        "y = 2",
        ">>>>>>> REPLACE",
        "",
        "> # 2 SEARCH/REPLACE blocks failed to match!",
        "",
        "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in src/a.py",
        "x = 1",
        "",
        "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in src/b.py",
        "y = 1",
        "",
        "The SEARCH section must exactly match an existing block of lines  ",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    edit, applied = at(run, 7), at(run, 15)
    assert (edit.tool_name, edit.text, span(edit)) == ("Edit", "src/util.py", (7, 13))
    assert applied.tool_use_id == edit.tool_use_id
    # A traceback in a command's output stays an error, with its lines.
    failed = at(run, 18)
    assert (failed.kind, failed.tool_name, failed.tool_use_id, span(failed)) == (
        EventKind.ERROR,
        "Bash",
        "L17",
        (18, 21),
    )
    # Two failed blocks in one message: one error each, paired with its own file.
    a, b = at(run, 26), at(run, 33)
    first, second = at(run, 40), at(run, 45)
    assert (span(first), first.tool_use_id) == ((40, 43), a.tool_use_id)
    assert (span(second), second.tool_use_id) == ((45, 48), b.tool_use_id)
    check_verbatim(run, dict(lines_of(texts)))


def test_whole_format_examples_and_nameless_blocks_stay_prose() -> None:
    texts = [
        "# aider chat started at 2024-07-01 12:00:00",
        "",
        "> Main model: o1 with architect edit format  ",
        "> Editor model: gpt-4o with editor-whole edit format  ",
        "",
        "#### add a script  ",
        "",
        "Run this first:",
        "```bash",
        "npm install",
        "```",
        "",
        "scripts/build.sh",
        "```bash",
        "npm run build",
        "```",
        "",
        "<<<<<<< SEARCH",
        "a",
        "=======",
        "b",
        ">>>>>>> REPLACE",
        "",
        "> Applied edit to scripts/build.sh  ",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    assert (at(run, 8).kind, span(at(run, 8))) == (EventKind.TEXT, (8, 11))
    # A block with no file name of its own edits the file named before it, as aider reads it:
    # with only blank lines between, it is more of the same edit.
    edit = at(run, 13)
    assert (edit.tool_name, edit.text, span(edit)) == ("Edit", "scripts/build.sh", (13, 22))
    assert at(run, 24).tool_use_id == edit.tool_use_id
    check_verbatim(run, dict(lines_of(texts)))
    # With prose between, or no file named before it, the block stays the reply's prose.
    apart = parse_lines("p/h.md", lines_of([*texts[:17], "and then:", *texts[17:22]]))
    assert [(e.kind, span(e)) for e in apart.events][-1] == (EventKind.TEXT, (18, 23))
    alone = parse_lines("p/h.md", lines_of(texts[:7] + texts[17:22]))
    assert [(e.kind, span(e)) for e in alone.events][-1] == (EventKind.TEXT, (8, 12))


def test_an_unfinished_fence_does_not_swallow_aider_output() -> None:
    texts = [
        "# aider chat started at 2024-07-01 12:00:00",
        "",
        "#### change the logo  ",
        "",
        "components/logo.tsx",
        "```tsx",
        "<<<<<<< SEARCH",
        "<svg>",
        "",
        "> litellm.RateLimitError: AnthropicException - rate limited  ",
        "> Retrying in 0.2 seconds...  ",
        ">  ",
        "> ^C again to exit  ",
        "",
        "#### try again  ",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    assert span(at(run, 5)) == (5, 8) and at(run, 5).kind is EventKind.TEXT
    assert (at(run, 10).kind, span(at(run, 10))) == (EventKind.ERROR, (10, 11))
    assert at(run, 13).kind is EventKind.INTERRUPT
    assert at(run, 15).text == "try again"


# -- shapes from held-out histories (authored copies of their form) -------------------------


def test_reasoning_closed_by_a_bare_tag_is_not_the_reply() -> None:
    # DeepSeek-R1 distills: the chat template writes `<think>`, so the reply holds only the
    # reasoning, a bare `</think>`, then the answer. The reasoning is no part of the reply.
    texts = [
        "# aider chat started at 2025-03-01 09:00:00",
        "",
        "> Model: openai/deepseek-r1-distill-qwen-7b with diff edit format  ",
        "",
        "#### split the report step in two  ",
        "",
        "Okay, the user wants the report step split. Let me break down how I approached it.",
        "",
        "I decided to create a new file, report_b.py, to hold the second half.",
        "</think>",
        "",
        "Yes, the report step can be split. First the loader:",
        "",
        "report.py",
        "```python",
        "<<<<<<< SEARCH",
        "def report(rows):",
        "=======",
        "def report_a(rows):",
        ">>>>>>> REPLACE",
        "```",
        "",
        "> Tokens: 2.1k sent, 310 received.  ",
        "> Applied edit to report.py  ",
        "",
        "#### and the tests?  ",
        "",
        "<think>",
        "The tests call report(), so I decided to rename them too.",
        "</think>",
        "",
        "The tests still call `report`: rename them with it.",
        "",
        "> Tokens: 2.4k sent, 80 received.  ",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    answer, edit = at(run, 12), at(run, 14)
    assert (answer.role, answer.kind, span(answer)) == ("assistant", EventKind.TEXT, (12, 12))
    assert (edit.tool_name, edit.text, span(edit)) == ("Edit", "report.py", (14, 21))
    assert at(run, 24).tool_use_id == edit.tool_use_id
    assert (at(run, 32).kind, span(at(run, 32))) == (EventKind.TEXT, (32, 32))
    reasoning = {*range(7, 11), *range(28, 31)}
    assert not [
        e for e in run.events if reasoning & set(range(e.ref.line_start, e.ref.line_end + 1))
    ]
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), texts)
    assert not [x for x in lessons if "decided" in x.text or "report_b" in x.text]
    check_verbatim(run, dict(lines_of(texts)))


def test_a_message_the_user_declined_to_send_over_the_context_limit_is_not_theirs() -> None:
    # aider asks before sending a chat larger than the model's window; "n" sends nothing
    rule = "From now on, always run the tests with uv run pytest so the venv is used."
    texts = [
        "# aider chat started at 2025-03-01 09:00:00",
        "",
        f"#### {rule}  ",
        "> Your estimated chat context of 301,220 tokens exceeds the 128,000 token limit!  ",
        "> To reduce the chat context:  ",
        "> - Use /drop to remove unneeded files from the chat  ",
        "> Try to proceed anyway? (Y)es/(N)o [Yes]: n  ",
        "",
        "#### /drop docs/  ",
        "> Removed docs/notes.md from the chat  ",
        "",
        f"#### {rule}  ",
        "",
        "Understood: I will run the tests with uv run pytest.",
        "",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    unsent, sent = at(run, 3), at(run, 12)
    assert (unsent.role, unsent.kind) == ("system", EventKind.TEXT)
    assert (sent.role, sent.kind, sent.text) == ("user", EventKind.TEXT, rule)
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), texts)
    assert {x.evidence.ref.line_start for x in lessons if "uv run pytest" in x.text} == {12}
    check_verbatim(run, dict(lines_of(texts)))
    # said "yes", the message went to the model
    texts[6] = "> Try to proceed anyway? (Y)es/(N)o [Yes]: y  "
    assert at(parse_lines("p/h.md", lines_of(texts)), 3).role == "user"


def test_the_models_header_of_aider_0_37_to_0_50_gives_the_edit_format() -> None:
    texts = [
        "# aider chat started at 2024-06-10 09:00:00",
        "",
        "> Aider v0.37.0  ",
        "> Models: gpt-4o with whole edit format, weak model gpt-3.5-turbo  ",
        "> Git repo: .git with 12 files  ",
        "",
        "#### add a greeting  ",
        "",
        "hello.py",
        "```python",
        "print('hello')",
        "```",
        "",
        "> Applied edit to hello.py  ",
        "",
        "# aider chat started at 2024-08-20 14:00:00",
        "",
        "> Aider v0.50.1  ",
        "> Models: claude-3-5-sonnet-20240620 with ♾️ udiff edit format, weak model "
        "claude-3-haiku-20240307  ",
        "",
        "#### say bye too  ",
        "",
        "```diff",
        "--- hello.py",
        "+++ hello.py",
        "@@ ... @@",
        " print('hello')",
        "+print('bye')",
        "```",
        "",
        "> Applied edit to hello.py  ",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    whole, udiff = at(run, 9), at(run, 23)
    assert (whole.tool_name, whole.text, span(whole)) == ("Edit", "hello.py", (9, 12))
    assert (udiff.tool_name, udiff.text, span(udiff)) == ("Edit", "hello.py", (23, 29))
    assert at(run, 14).tool_use_id == whole.tool_use_id
    assert at(run, 31).tool_use_id == udiff.tool_use_id
    assert (at(run, 3).role, span(at(run, 3))) == ("system", (3, 5))
    check_verbatim(run, dict(lines_of(texts)))
    # and it tells an aider history without its launch header
    assert looks_like("h.md", "\n".join([texts[18], "> Applied edit to hello.py  "]))


def test_source_fences_are_edits() -> None:
    # When a file in the chat holds triple backticks, aider fences with `<source>`: architect
    # mode's editor-whole replies, and SEARCH/REPLACE blocks (`<source>tsx` as models write it).
    texts = [
        "# aider chat started at 2025-08-01 10:00:00",
        "",
        "> Model: openrouter/some-model with architect edit format  ",
        "> Editor model: openrouter/some-model with editor-whole edit format  ",
        "",
        "#### add a health endpoint  ",
        "",
        "Add a /health route to api/app.py and document it in README.md.",
        "",
        "> Tokens: 1.0k sent, 200 received.  ",
        "",
        "#### Add a /health route to api/app.py and document it in README.md.  ",
        "",
        "api/app.py",
        "<source>",
        "from fastapi import FastAPI",
        "",
        "app = FastAPI()",
        "",
        '@app.get("/health")',
        "def health() -> dict[str, str]:",
        '    return {"status": "ok"}',
        "</source>",
        "README.md",
        "<source>",
        "# API",
        "",
        "```bash",
        "curl localhost:8000/health",
        "```",
        "</source>",
        "",
        "> Tokens: 1.5k sent, 300 received.  ",
        "> Applied edit to README.md  ",
        "> Applied edit to api/app.py  ",
        "",
        "# aider chat started at 2025-08-02 10:00:00",
        "",
        "> Model: some-model with diff edit format  ",
        "",
        "#### drop the old import  ",
        "",
        "web/header.tsx",
        "<source>tsx",
        "<<<<<<< SEARCH",
        "import {Old} from './old';",
        "=======",
        ">>>>>>> REPLACE",
        "</source>",
        "",
        "> Applied edit to web/header.tsx  ",
    ]
    run = parse_lines("p/h.md", lines_of(texts))
    app, readme, header = at(run, 14), at(run, 24), at(run, 43)
    assert (app.tool_name, app.text, span(app)) == ("Edit", "api/app.py", (14, 23))
    assert (readme.tool_name, readme.text, span(readme)) == ("Edit", "README.md", (24, 31))
    assert (header.tool_name, header.text, span(header)) == ("Edit", "web/header.tsx", (43, 49))
    assert at(run, 34).tool_use_id == readme.tool_use_id
    assert at(run, 35).tool_use_id == app.tool_use_id
    assert at(run, 51).tool_use_id == header.tool_use_id
    check_verbatim(run, dict(lines_of(texts)))


REWRITTEN = [
    # A launch as a Markdown formatter rewrote it: no two spaces at a paragraph's end, `> `
    # before each line of a message, blank lines after `#### ` lines and around fences.
    "# aider chat started at 2024-08-20 14:08:19",
    "",
    "> Aider v0.50.1  ",
    "> Models: claude-3-5-sonnet-20240620 with ♾️ diff edit format, weak model "
    "claude-3-haiku-20240307  ",
    "> Git repo: .git with 116 files  ",
    '> Use /help <question> for help, run "aider --help" to see cmd line args',
    "",
    "#### /add notes.md",
    "",
    "> Added /home/dev/shop/notes.md to the chat",
    "",
    "#### follow the steps in notes.md one by one, and after each step",
    "",
    "#### mark it done in notes.md",
    "",
    "> Initial repo scan can be slow in larger repos, but only happens once.",
    "",
    "Let us start with the colours.",
    "",
    "app/styles/app.css",
    "",
    "```css",
    "<<<<<<< SEARCH",
    ":root {",
    "  --color-accent: #e22120;",
    "}",
    "=======",
    ":root {",
    "  --color-accent: #8a2be2;",
    "}",
    ">>>>>>> REPLACE",
    "```",
    "",
    "Is this change all right?",
    "",
    "> Tokens: 10,332 sent, 439 received. Cost: $0.04 message, $0.04 session.  ",
    "> The LLM did not conform to the edit format.  ",
    "> https://aider.chat/docs/troubleshooting/edit-errors.html",
    ">",
    "> # 1 SEARCH/REPLACE block failed to match!",
    ">",
    "> ## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in "
    "app/styles/app.css",
    "> <<<<<<< SEARCH  ",
    "> :root {  ",
    ">  --color-accent: #e22120;  ",
    "> }  ",
    "> =======  ",
    "> :root {  ",
    ">  --color-accent: #8a2be2;  ",
    "> }  ",
    "> > > > > > > > REPLACE",
    ">",
    "> The SEARCH section must exactly match an existing block of lines including all white space",
    "",
    "Sorry, the file has other colours. The block again:",
    "",
    "app\\styles\\app.css",
    "",
    "<source>css",
    "<<<<<<< SEARCH",
    ":root {",
    "  --color-accent: #ff0000;",
    "}",
    "=======",
    ":root {",
    "  --color-accent: #8a2be2;",
    "}",
    "> > > > > > > REPLACE",
    "",
    "</source>",
    "",
    "> Tokens: 7,919 sent, 413 received. Cost: $0.03 message, $0.07 session.",
    "> Applied edit to app\\styles\\app.css",
    "",
    "#### /clear",
    "",
    "#### /drop",
    "",
    "> Dropping all files from the chat session.",
    "",
    # a later launch, appended as aider writes it
    "# aider chat started at 2024-08-26 16:36:00",
    "",
    "> Aider v0.52.1  ",
    "> Main model: claude-3-5-sonnet-20240620 with diff edit format, infinite output  ",
    "",
    "#### which file shows the products?  ",
    "",
    "app/routes/collections.tsx shows them.",
    "",
    "> Tokens: 3.6k sent, 141 received. Cost: $0.01 message, $0.01 session.  ",
    "> app\\routes\\collections.tsx  ",
    "> Add these files to the chat? [Y/n] y  ",
    "",
    "Thanks, I can see the grid now.",
    "",
    "#### /clear  ",
]


def test_a_history_rewritten_by_a_markdown_formatter() -> None:
    texts = REWRITTEN
    run = parse_lines("p/h.md", lines_of(texts))
    line = {text: n for n, text in lines_of(texts)}
    first, retry = at(run, line["app/styles/app.css"]), at(run, line["app\\styles\\app.css"])
    assert (first.tool_name, span(first)) == ("Edit", (20, 32))
    assert (retry.tool_name, span(retry)) == ("Edit", (57, 70))
    failed = at(run, line["> # 1 SEARCH/REPLACE block failed to match!"])
    assert (failed.kind, failed.tool_name, failed.tool_use_id) == (
        EventKind.ERROR,
        "Edit",
        first.tool_use_id,
    )
    assert span(failed) == (40, 53) and "SearchReplaceNoExactMatch" in failed.text
    applied = at(run, line["> Applied edit to app\\styles\\app.css"])
    assert (applied.kind, applied.tool_use_id) == (EventKind.TOOL_RESULT, retry.tool_use_id)
    # one input over two `#### ` lines; commands each their own
    asked = at(run, 12)
    assert (asked.role, asked.kind, span(asked)) == ("user", EventKind.TEXT, (12, 14))
    assert asked.text == "follow the steps in notes.md one by one, and after each step\n" + (
        "mark it done in notes.md"
    )
    commands = [e.text for e in run.events if e.tool_name == "aider"]
    assert commands == ["/add notes.md", "/clear", "/drop", "/clear"]
    prose = [span(e) for e in run.events if e.role == "assistant" and e.kind is EventKind.TEXT]
    assert prose == [(18, 18), (34, 34), (55, 55), (88, 88), (94, 94)]
    assert (at(run, 90).role, span(at(run, 90))) == ("system", (90, 92))
    check_verbatim(run, dict(lines_of(texts)))


# -- fuzzing -------------------------------------------------------------------------------

VALID = CALC.read_text(encoding="utf-8").split("\n")
_PIECES = [
    "# aider chat started at 2024-01-02 03:04:05",
    "# aider chat started at 2024-1",
    "> ",
    "#### ",
    "#### /run ",
    "#### /ask ",
    "#### /undo",
    "<<<<<<< SEARCH",
    "=======",
    ">>>>>>> REPLACE",
    "```",
    "```python",
    "calc/ops.py",
    "> Main model: x with whole edit format",
    "> Main model: x with udiff edit format",
    "+++ ",
    "> Applied edit to ",
    "> # 1 SEARCH/REPLACE block failed to match!",
    "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in ",
    "> Running ",
    "> ## Running: ",
    "> Traceback (most recent call last):",
    "> litellm.APIError: ",
    "> ^C again to exit",
    "> Run shell command? (Y)es/(N)o [Yes]: n",
    "> Added 3 lines of output to the chat.",
    "<thinking-content-abc>",
    "</thinking-content-abc>",
    "</think>",
    "<source>",
    "</source>",
    "> > > > > > > REPLACE",
    "> Models: x with ♾️ diff edit format, weak model y",
    "",
]
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children) | st.dictionaries(_text, children),
    max_leaves=10,
)
aider_lines = st.builds(
    lambda piece, tail, brk: piece + tail + ("  " if brk else ""),
    st.sampled_from(_PIECES),
    _text,
    st.booleans(),
)
lines = st.one_of(_text, aider_lines, st.sampled_from(_PIECES), json_values.map(json.dumps))


def _check(texts: list[str]) -> Run:
    numbered = lines_of(texts)
    run = parse_lines("p/.aider.chat.history.md", numbered)
    nonblank = sum(1 for t in texts if t.strip())
    stats = run.stats
    assert stats.lines == nonblank and stats.events == len(run.events)
    assert len(stats.corrupt_line_numbers) == stats.corrupt_lines
    assert len(run.events) + stats.corrupt_lines + stats.unknown_lines <= nonblank
    assert [e.seq for e in run.events] == list(range(len(run.events)))
    for event in run.events:
        assert 1 <= event.ref.line_start <= event.ref.line_end <= len(texts)
        assert event.text.strip()
    check_verbatim(run, dict(numbered))
    return run


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, max_size=40))
def test_any_lines_parse_and_counts_add_up(texts: list[str]) -> None:
    _check(texts)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(VALID)), st.integers(0, len(VALID)), st.integers(0, 80))
def test_truncated_fixtures_parse(a: int, b: int, cut: int) -> None:
    texts = VALID[min(a, b) : max(a, b)]
    if texts:
        texts[-1] = texts[-1][:cut]
    _check(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values.map(json.dumps), max_size=20))
def test_json_lines_are_not_aider_but_do_not_break_it(texts: list[str]) -> None:
    _check(texts)
    assert not looks_like("x.jsonl", "\n".join(texts)) or not texts


# -- the shared corpus -----------------------------------------------------------------

# Counted by hand with grep/awk on each file, independently of the parser:
#   sessions: grep -c '^# aider chat started at'
#   inputs:   awk '/^#### /{if(!u)n++;u=1;next}{u=0}END{print n}' (blocks of `#### ` lines),
#             less the blocks that are only `#### <blank>`, less the `/ask X` echoes (aider logs
#             `#### X` again right after `#### /ask X`; Andreas: 94 blocks - 2 blank - 10 echoes)
#   edits:    `>>>>>>> REPLACE` lines outside aider's failure messages:
#             awk '/^> # [0-9]+ SEARCH\/REPLACE block/{f=1} f&&/  $/&&!/^> #/{f=0;next}
#                  /^>>>>>>> REPLACE/&&!f{n++} END{print n}'
#   failed:   grep -n '^> # [0-9]* SEARCH/REPLACE blocks\? failed to match' (line numbers)
#   applied:  grep -c '^> Applied edit to'
#   running:  grep -c '^> Running '
#   tracebacks: grep -n '^> Traceback'
CORPUS: dict[str, dict[str, object]] = {
    "Akash-Modi104__trading-bot__aider.chat.history.md": {
        "sessions": 5,
        "inputs": 3,
        "edits": 0,
        "failed": [],
        "applied": 0,
        "running": 0,
        "tracebacks": [],
    },
    "AndreasDebel__HaaV-CatalogService__aider.chat.history.md": {
        "sessions": 4,
        "inputs": 82,
        "edits": 43,
        "failed": [],
        "applied": 26,
        "running": 3,
        "tracebacks": [],
    },
    "Aquaticat__Monochromatic__aider.chat.history.md": {
        "sessions": 19,
        "inputs": 26,
        "edits": 42,
        "failed": [1326, 1565, 2806, 2881, 3366, 3579, 3638],
        "applied": 20,
        "running": 0,
        "tracebacks": [142],
    },
    "BorisHrzenjak__QuickDraw__aider.chat.history.md": {
        "sessions": 2,
        "inputs": 7,
        "edits": 5,
        "failed": [],
        "applied": 2,
        "running": 2,
        "tracebacks": [],
    },
}


def corpus_runs(corpus: Path) -> Iterator[tuple[Path, Run]]:
    files = sorted((corpus / "aider").glob("*aider.chat.history.md"))
    assert sorted(p.name for p in files) == sorted(CORPUS)
    for path in files:
        yield path, parse_file(path, corpus)


def _input_starts(texts: list[str]) -> set[int]:
    return {
        n
        for n, t in enumerate(texts, start=1)
        if t.startswith("#### ") and (n == 1 or not texts[n - 2].startswith("#### "))
    }


@pytest.mark.corpus
def test_corpus_files_parse_with_hand_counted_events(corpus: Path) -> None:
    for path, run in corpus_runs(corpus):
        want = CORPUS[path.name]
        texts = read_lines(path)
        found = detect(path).format
        assert found is not None and found.name == FORMAT, path.name
        assert run.source_format == FORMAT and run.stats.corrupt_lines == 0
        assert run.stats.lines == sum(1 for t in texts if t.strip())
        assert len({e.session for e in run.events}) == want["sessions"], path.name
        assert run.session_id == run.events[0].session
        assert run.started_at is not None and run.started_at.tzinfo is not None
        starts = _input_starts(texts)
        inputs = [e for e in run.events if e.ref.line_start in starts]
        assert len(inputs) == want["inputs"] and {e.role for e in inputs} == {"user"}, path.name
        kinds = Counter((e.kind, e.tool_name) for e in run.events)
        assert kinds[(EventKind.TOOL_CALL, "Edit")] == want["edits"], path.name
        assert kinds[(EventKind.TOOL_RESULT, "Edit")] == want["applied"], path.name
        running = [e for e in run.events if e.kind is EventKind.TOOL_CALL and e.tool_name == "Bash"]
        assert len(running) == want["running"], path.name
        assert all(texts[e.ref.line_start - 1] == f"> Running {e.text}  " for e in running)
        failed = [e for e in run.events if e.kind is EventKind.ERROR and e.tool_name == "Edit"]
        assert [e.ref.line_start for e in failed] == want["failed"], path.name
        calls = {e.tool_use_id: e for e in run.events if e.kind is EventKind.TOOL_CALL}
        for event in failed + [e for e in run.events if e.kind is EventKind.TOOL_RESULT]:
            call = calls[event.tool_use_id]  # every edit result and error has its call
            assert call.seq < event.seq and call.tool_name == event.tool_name
        tracebacks = [e for e in run.events if e.text.startswith("Traceback (most recent")]
        assert [e.ref.line_start for e in tracebacks] == want["tracebacks"]
        assert all(e.kind is EventKind.ERROR and e.role == "tool" for e in tracebacks)


@pytest.mark.corpus
def test_corpus_events_are_verbatim_and_failures_where_sources_md_says(corpus: Path) -> None:
    for path, run in corpus_runs(corpus):
        texts = read_lines(path)
        check_verbatim(run, texts)
        for event in run.events:
            assert event.ref.path == f"aider/{path.name}"
            snippet = event.text.split("\n")[0][:60]
            assert quote_in_span(path, event.ref.line_start, event.ref.line_end, snippet)
    runs = dict(corpus_runs(corpus))
    by_name = {p.name: r for p, r in runs.items()}
    # Aquaticat: 10 "failed to match" lines (7 failure headers, 3 "Just reply with fixed
    # versions of the block above that failed to match.") all inside Edit errors, a Traceback.
    aquaticat = by_name["Aquaticat__Monochromatic__aider.chat.history.md"]
    path = corpus / "aider" / "Aquaticat__Monochromatic__aider.chat.history.md"
    lines = [n for n, t in enumerate(read_lines(path), 1) if "failed to match" in t]
    errors = [e for e in aquaticat.events if e.kind is EventKind.ERROR and e.tool_name == "Edit"]
    assert len(lines) == 10
    assert all(any(e.ref.line_start <= n <= e.ref.line_end for e in errors) for n in lines)
    assert span(at(aquaticat, 142)) == (142, 154)  # through the TypeError and its echo
    # Akash: the model server was not loading: Ollama connection errors, as system errors.
    akash = by_name["Akash-Modi104__trading-bot__aider.chat.history.md"]
    api = [span(e) for e in akash.events if e.kind is EventKind.ERROR]
    assert api == [(69, 85), (100, 115)] and {
        e.role for e in akash.events if e.kind is EventKind.ERROR
    } == {"system"}
    # Boris: shell-command suggestions run by aider ("> Running npm install").
    boris = by_name["BorisHrzenjak__QuickDraw__aider.chat.history.md"]
    assert [e.text for e in boris.events if e.tool_name == "Bash"] == ["npm install", "npm run dev"]


@pytest.mark.corpus
def test_corpus_episodes_and_lessons_resolve(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed = 0
    for path, run in corpus_runs(corpus):
        episodes = list(find_episodes(run))
        lessons = RulesExtractor().extract(run, episodes, read_lines(path))
        with capsys.disabled():
            print(f"\n{path.name}: {len(episodes)} episodes, {len(lessons)} lessons")
            for lesson in lessons:
                ref = lesson.evidence.ref
                print(f"  [{lesson.kind.value}] {lesson.text}  (L{ref.line_start}-L{ref.line_end})")
        for lesson in lessons:
            ref = lesson.evidence.ref
            assert quote_in_span(path, ref.line_start, ref.line_end, lesson.evidence.quote), lesson
            assert lesson.evidence.session_id in {run.session_id} | {e.session for e in run.events}
        fixed += sum(
            1 for e in episodes if e.kind is LessonKind.FAILURE and e.fix_result is not None
        )
    assert fixed >= 3  # Aquaticat: failed edits whose retry applied (1565, 3366, 3638)
