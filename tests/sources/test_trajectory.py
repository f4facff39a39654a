from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metis_distill import sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, Run
from metis_distill.provenance import quote_in_span
from metis_distill.sources.trajectory import SOURCE, looks_like, parse_file, parse_lines
from metis_distill.textio import decode, read_lines
from tests.conftest import FIXTURES

ROOT = FIXTURES / "trajectory"
SWE = ROOT / "swe_agent_demo.traj"
OPENHANDS = ROOT / "openhands_events.json"
FUNCTION_CALLING = ROOT / "swe_agent_function_calling.traj"
MINI = ROOT / "mini_swe_agent.traj.json"
MINI_TOOL_CALLS = ROOT / "mini_swe_agent_tool_calls.traj.json"
SDK = ROOT / "openhands_sdk_events.json"


def _parse_text(tmp_path: Path, text: str, name: str = "run.json") -> Run:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path, tmp_path)


def _snippet(text: str) -> str:
    """A quote from an event's text: its start, cut before any backslash (provenance.normalize
    unescapes the quote too, so a literal `\\n` in decoded text would not match)."""
    return text.strip().split("\\", 1)[0][:80]


def _assert_quotable(path: Path, run: Run) -> None:
    count = len(read_lines(path))
    for event in run.events:
        assert 1 <= event.ref.line_start <= event.ref.line_end <= count, event
        snippet = _snippet(event.text)
        if snippet.strip():
            assert quote_in_span(path, event.ref.line_start, event.ref.line_end, snippet), event


# --- SWE-agent fixture ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def swe() -> Run:
    return parse_file(SWE, ROOT)


def test_swe_agent_run_metadata(swe: Run) -> None:
    assert swe.source_format == "trajectory"
    assert swe.path == "swe_agent_demo.traj"
    assert swe.session_id == "swe_agent_demo"  # the format has no session id
    assert swe.cwd == "/demo__widgets"  # from the steps' `state`
    assert swe.started_at is None and swe.ended_at is None  # the 2024 schema has no times
    assert not swe.is_subagent


def test_swe_agent_corrupt_step_is_skipped_and_later_steps_read(swe: Run) -> None:
    assert swe.stats.corrupt_line_numbers == (11,)  # the step whose observation is cut short
    assert swe.stats.corrupt_lines == 1
    assert swe.stats.unknown_lines == 1  # the stray string in `trajectory`
    later = [e for e in swe.events if e.ref.line_start > 16]
    assert len(later) >= 15


def test_swe_agent_steps_become_thought_call_and_result(swe: Run) -> None:
    kinds = Counter(e.kind for e in swe.events)
    # 6 readable steps: thought + action + observation each; the task; exit status + submission
    assert kinds == {
        EventKind.TEXT: 7,
        EventKind.TOOL_CALL: 6,
        EventKind.TOOL_RESULT: 4,
        EventKind.ERROR: 2,
        EventKind.SUMMARY: 2,
    }
    calls = {e.text: e for e in swe.events if e.kind is EventKind.TOOL_CALL}
    assert calls["ls -F"].tool_name == "Bash"
    assert calls["edit 3:3\nimport json\nend_of_edit"].tool_name == "edit"
    assert calls["submit"].tool_name == "submit"
    missing = next(e for e in swe.events if "command not found" in e.text)
    assert missing.kind is EventKind.ERROR and missing.role == "tool"
    assert missing.tool_use_id == calls["pytest -q tests"].tool_use_id
    assert (missing.ref.line_start, missing.ref.line_end) == (20, 20)
    assert calls["pytest -q tests"].ref.line_start == 19
    traceback = next(e for e in swe.events if e.text.startswith("Traceback"))
    assert traceback.kind is EventKind.ERROR and traceback.tool_name == "Bash"
    summaries = [e.text for e in swe.events if e.kind is EventKind.SUMMARY]
    assert summaries[0] == "submitted" and summaries[1].startswith("diff --git")


def test_swe_agent_task_is_kept_without_the_harness_template(swe: Run) -> None:
    users = [e for e in swe.events if e.role == "user"]
    assert len(users) == 1 and "yaml is missing" in users[0].text
    texts = "\n".join(e.text for e in swe.events)
    assert "Always start by trying" not in texts  # SWE-agent's INSTRUCTIONS template
    assert "Always run the tests first" not in texts  # a demonstration
    assert "SETTING:" not in texts  # the system prompt


def test_swe_agent_secret_is_redacted(swe: Run) -> None:
    texts = "\n".join(e.text for e in swe.events)
    assert "sk-proj-Zq8" not in texts
    assert "[REDACTED:openai_key]" in texts


def test_every_fixture_event_is_quotable_from_its_lines() -> None:
    for path in (SWE, OPENHANDS, FUNCTION_CALLING):
        run = parse_file(path, ROOT)
        assert run.events
        _assert_quotable(path, run)


def test_fixture_lessons_resolve() -> None:
    texts = []
    for path in (SWE, OPENHANDS, FUNCTION_CALLING):
        run = parse_file(path, ROOT)
        lines = read_lines(path)
        for candidate in RulesExtractor().extract(run, list(find_episodes(run)), lines):
            ref = candidate.evidence.ref
            assert quote_in_span(path, ref.line_start, ref.line_end, candidate.evidence.quote)
            texts.append(candidate.text)
    joined = "\n".join(texts)
    assert "`pytest` is not on the PATH" in joined
    assert "Never push to main" in joined


# --- OpenHands fixture ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openhands() -> Run:
    return parse_file(OPENHANDS, ROOT)


def test_openhands_run_metadata(openhands: Run) -> None:
    assert openhands.session_id == "openhands_events"
    assert openhands.cwd == "/workspace/widgets"  # extras.metadata.working_dir
    # naive times are local times, stored in UTC
    assert openhands.started_at == datetime(2025, 3, 2, 10, 0, 0).astimezone(UTC)
    assert openhands.ended_at == datetime(2025, 3, 2, 10, 0, 25).astimezone(UTC)
    assert openhands.started_at is not None and openhands.started_at.tzinfo is not None


def test_openhands_corrupt_and_unknown_events_are_counted(openhands: Run) -> None:
    assert openhands.stats.corrupt_line_numbers == (85,)  # `git push` with a cut string
    assert openhands.stats.unknown_lines == 2  # an object without action/observation, "teleport"
    assert any(e.ref.native_id == "11" for e in openhands.events)  # read after the bad one


def test_openhands_actions_and_observations(openhands: Run) -> None:
    kinds = Counter(e.kind for e in openhands.events)
    assert kinds == {
        EventKind.TEXT: 3,
        EventKind.TOOL_CALL: 3,
        EventKind.TOOL_RESULT: 2,
        EventKind.ERROR: 2,
        EventKind.SUMMARY: 1,
    }
    by_id = {(e.ref.native_id, e.kind): e for e in openhands.events}
    call = by_id[("2", EventKind.TOOL_CALL)]
    assert (call.text, call.tool_name, call.tool_use_id) == ("pytest -q", "Bash", "toolu_demo_01")
    error = by_id[("3", EventKind.ERROR)]
    assert (error.exit_code, error.tool_use_id, error.role) == (127, "toolu_demo_01", "tool")
    assert (error.ref.line_start, error.ref.line_end) == (49, 49)
    result = by_id[("5", EventKind.TOOL_RESULT)]
    assert (
        result.exit_code == 0
        and result.tool_use_id == by_id[("4", EventKind.TOOL_CALL)].tool_use_id
    )
    old_style = by_id[("9", EventKind.TOOL_RESULT)]  # extras.exit_code (pre-metadata)
    assert old_style.exit_code == 0
    timeout = by_id[("10", EventKind.ERROR)]  # an `error` observation caused by the call
    assert timeout.tool_name == "Bash"
    user = by_id[("0", EventKind.TEXT)]
    assert user.role == "user" and user.text.startswith("Make the test suite pass")
    finish = by_id[("11", EventKind.SUMMARY)]
    assert finish.text.startswith("All 10 tests pass now;")  # final_thought


def test_openhands_secret_is_redacted(openhands: Run) -> None:
    texts = "\n".join(e.text for e in openhands.events)
    assert "ghp_Q7r2" not in texts
    assert "[REDACTED:github_token]" in texts


def test_function_calling_history(tmp_path: Path) -> None:
    run = parse_file(FUNCTION_CALLING, ROOT)
    assert run.cwd == "/repo/gadgets"  # from "(Current directory: ...)"
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [(c.text, c.tool_name, c.tool_use_id) for c in calls] == [
        ("make lint", "Bash", "call_demo_lint_1"),
        ('open "Makefile"', "open", "call_demo_open_2"),
    ]
    error = next(e for e in run.events if e.kind is EventKind.ERROR)
    assert error.tool_use_id == "call_demo_lint_1" and error.text.startswith("make: ruff:")
    assert (error.ref.line_start, error.ref.line_end) == (43, 43)  # the text block's line
    task = next(e for e in run.events if e.role == "user")
    assert task.text == "Please make `make lint` pass in /repo/gadgets."


def test_old_history_only_trajectory(tmp_path: Path) -> None:
    """No `trajectory` and no message types: user messages after the first action are the
    observations of that action."""
    doc = {
        "history": [
            {"role": "system", "content": "SETTING: demo"},
            {"role": "user", "content": "Fix the build."},
            {
                "role": "assistant",
                "content": "Build it.",
                "thought": "Build it.",
                "action": "make\n",
            },
            {
                "role": "user",
                "content": "make: *** No rule to make target 'all'.  Stop.\nbash: cc: command not found",
            },
            {
                "role": "assistant",
                "content": "Open it.",
                "thought": "Open it.",
                "action": "open Makefile",
            },
            {"role": "user", "content": "[File: Makefile (1 lines total)]"},
        ]
    }
    run = _parse_text(tmp_path, json.dumps(doc, indent=2), "old.traj")
    kinds = [(e.role, e.kind, e.tool_name) for e in run.events]
    assert kinds == [
        ("user", EventKind.TEXT, None),
        ("assistant", EventKind.TEXT, None),
        ("assistant", EventKind.TOOL_CALL, "Bash"),
        ("tool", EventKind.ERROR, "Bash"),
        ("assistant", EventKind.TEXT, None),
        ("assistant", EventKind.TOOL_CALL, "open"),
        ("tool", EventKind.TOOL_RESULT, "open"),
    ]
    assert run.events[3].tool_use_id == run.events[2].tool_use_id
    _assert_quotable(tmp_path / "old.traj", run)


def test_a_shown_file_is_no_failure_but_the_tools_own_error_is(tmp_path: Path) -> None:
    """Shell output fails on a traceback anywhere; SWE-agent's `open` only on its own message."""
    steps = [
        {"action": "open log.txt", "observation": "[File: log.txt]\n1:Traceback (most recent call last)\n2:3 failed", "thought": "a"},
        {"action": "open missing.py", "observation": "File missing.py not found", "thought": "b"},
        {"action": "cat log.txt", "observation": "Traceback (most recent call last)\n3 failed", "thought": "c"},
    ]  # fmt: skip
    run = _parse_text(tmp_path, json.dumps({"trajectory": steps}, indent=2), "t.traj")
    outputs = [e.kind for e in run.events if e.role == "tool"]
    assert outputs == [EventKind.TOOL_RESULT, EventKind.ERROR, EventKind.ERROR]


def test_openhands_pairs_and_wrapped_lists(tmp_path: Path) -> None:
    action = {
        "id": 1,
        "source": "agent",
        "action": "run",
        "args": {"command": "ls /nope", "thought": ""},
    }
    observation = {
        "id": 2,
        "source": "agent",
        "cause": 1,
        "observation": "run",
        "content": "ls: cannot access '/nope': No such file or directory",
        "extras": {"exit_code": 2},
    }
    for name, doc in (
        ("pairs.json", [[action, observation]]),  # old OpenHands `history`
        ("wrapped.json", {"trajectory": [action, observation]}),
    ):
        run = _parse_text(tmp_path, json.dumps(doc, indent=2), name)
        assert [(e.kind, e.exit_code) for e in run.events] == [
            (EventKind.TOOL_CALL, None),
            (EventKind.ERROR, 2),
        ], name
        assert run.events[0].tool_use_id == run.events[1].tool_use_id == "oh-1"
        _assert_quotable(tmp_path / name, run)


# --- documents that do not parse ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "corrupt_line"),
    [
        ("this is not JSON at all\nnor is this\n", 1),
        ("[1, 2,\n", 1),
        ('{"trajectory": [\n', 1),
        ('{\n  "history": [],\n  oops\n}\n', 3),
        ("{\n", 1),
    ],
)
def test_a_document_that_does_not_parse_is_one_corrupt_line(
    tmp_path: Path, text: str, corrupt_line: int
) -> None:
    run = _parse_text(tmp_path, text)
    assert run.events == ()
    assert run.stats.corrupt_line_numbers == (corrupt_line,)


def test_valid_json_of_another_shape_is_unknown(tmp_path: Path) -> None:
    for text in ('{"name": "pkg", "version": "1.0"}', "42", '"a string"', "[]"):
        run = _parse_text(tmp_path, text)
        assert run.events == () and run.stats.corrupt_lines == 0
    assert _parse_text(tmp_path, '{"a": 1}').stats.unknown_lines == 1


def test_empty_file(tmp_path: Path) -> None:
    run = _parse_text(tmp_path, "")
    assert run.events == () and run.stats.lines == 0 and run.stats.corrupt_lines == 0


def test_truncated_document_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    lines = OPENHANDS.read_text().splitlines()
    run = _parse_text(tmp_path, "\n".join(lines[:60]))  # cut inside event 4's record
    assert [e.ref.native_id for e in run.events] == ["0", "2", "2", "3"]
    assert run.stats.corrupt_line_numbers == (60,)  # where event 4 starts


def test_the_archive_is_not_written() -> None:
    before = SWE.stat().st_mtime_ns, SWE.read_bytes()
    parse_file(SWE, ROOT)
    assert (SWE.stat().st_mtime_ns, SWE.read_bytes()) == before


# --- sniffing ---------------------------------------------------------------------------------


def _head(path: Path) -> str:
    return path.read_text(encoding="utf-8")[: 64 * 1024]


def test_looks_like_reads_content_not_the_name() -> None:
    for path in (SWE, OPENHANDS, FUNCTION_CALLING):
        assert looks_like(path.name, _head(path))
        assert looks_like("renamed.txt", _head(path))
    assert SOURCE.name == "trajectory"


@pytest.mark.parametrize(
    "head",
    [
        # Claude Code and Codex JSON lines
        '{"type":"user","sessionId":"abc","uuid":"u1","message":{"role":"user","content":"hi"}}\n'
        '{"type":"assistant","sessionId":"abc","uuid":"u2"}\n',
        '{"timestamp":"2025-09-01T00:00:00Z","type":"session_meta","payload":{"cwd":"/w"}}\n',
        # JSON lines whose objects happen to have a `history` key
        '{"history": [{"role": "user", "content": "a"}]}\n{"history": []}\n',
        # other JSON documents
        '{\n  "name": "pkg",\n  "history": ["1.0", "1.1"]\n}\n',
        '{"trajectory": 3}',
        '[\n  {"name": "a"},\n  {"name": "b"}\n]\n',
        "[1, 2, 3]",
        # logs and markdown
        "[2025-01-01 10:00:00] INFO starting\n[2025-01-01 10:00:01] ERROR boom\n",
        "# aider chat started at 2025-01-01 10:00:00\n\n#### fix the bug\n",
        "",
    ],
)
def test_looks_like_refuses_other_content(head: str) -> None:
    assert not looks_like("run.traj", head)


def test_looks_like_a_head_cut_inside_the_first_record() -> None:
    big = {"history": [{"role": "system", "content": "x" * 100_000}], "info": {}}
    assert looks_like("a.traj", json.dumps(big, indent=2)[: 64 * 1024])
    events = [{"id": 0, "source": "system", "action": "system", "args": {"content": "y" * 99_999}}]
    assert looks_like("a.json", json.dumps(events, indent=2)[: 64 * 1024])


# --- the corpus -------------------------------------------------------------------------------

# Expected numbers, counted with jq on the raw files (not with this parser):
#   jq '.trajectory | length' / '[.history[].role] | group_by(.)' / '.info | keys'
#   jq '[.[] | (.action // ("obs:" + .observation))]' and '[.[] | select(.args.thought) | .id]'
# SWE-agent with `trajectory`: 3 events per step (every step has a non-empty thought, an action
# and an observation, kept even when empty) + the task message + exit_status + submission.
# function_calling_simple (history only): 1 task + 5 assistant messages x (thought + action)
# + 5 tool messages; the system prompt is skipped.
# OpenHands: user message 1, each tool action 2 (thought + call), each observation 1, finish 1.
# Errors: grep -c '"observation": "Traceback (most recent call last)' -> 1 (pydicom) and
# grep -c '"observation": "Your proposed edit has introduced new syntax error' -> 3 (pydicom);
# OpenHands: jq '[.[] | .extras.metadata.exit_code? // empty]' -> [0] (wrong_initial_state).
CORPUS_COUNTS: dict[str, dict[str, Any]] = {
    "swe-agent/SWE-agent__SWE-agent__pydicom__pydicom-1458.traj": {
        "events": 12 * 3 + 1 + 2,
        "calls": 12,
        "errors": 4,
        "summaries": 2,
        "cwd": "/pydicom__pydicom",
    },
    "swe-agent/SWE-agent__SWE-agent__networking_1.traj": {
        "events": 4 * 3 + 1 + 2,
        "calls": 4,
        "errors": 0,
        "summaries": 2,
        "cwd": "/__Users__talora__LLM_CTF_Dataset_Dev__2013__CSAW-Quals__misc__Networking-1",
    },
    "swe-agent/SWE-agent__SWE-agent__function_calling_simple.traj": {
        "events": 1 + 5 * 2 + 5,
        "calls": 5,
        "errors": 0,
        "summaries": 0,
        "cwd": "/SWE-agent__test-repo",
    },
    "openhands/All-Hands-AI__OpenHands__basic.json": {
        "events": 1 + 2 + 1 + 1,
        "calls": 1,
        "errors": 0,
        "summaries": 1,
        "cwd": None,  # no `run` observation, so no working_dir
    },
    # The "error path" of this file is at replay time (its initial state does not match the
    # sandbox); the recorded run itself succeeded: `mv` exit code 0, no error observation.
    "openhands/All-Hands-AI__OpenHands__wrong_initial_state.json": {
        "events": 1 + 3 * 2 + 3 + 1,
        "calls": 3,
        "errors": 0,
        "summaries": 1,
        "cwd": "/workspace",
    },
}


@pytest.mark.corpus
def test_every_corpus_trajectory_parses(corpus: Path) -> None:
    files = sorted(
        p.relative_to(corpus).as_posix()
        for pattern in ("swe-agent/*.traj", "openhands/*.json")
        for p in corpus.glob(pattern)
    )
    assert files == sorted(CORPUS_COUNTS)
    for rel, expected in CORPUS_COUNTS.items():
        path = corpus / rel
        run = parse_file(path, corpus)
        kinds = Counter(e.kind for e in run.events)
        assert run.stats.corrupt_lines == 0 and run.stats.unknown_lines == 0, rel
        assert run.stats.lines == len([x for x in read_lines(path) if x.strip()]), rel
        assert len(run.events) == expected["events"], rel
        assert kinds[EventKind.TOOL_CALL] == expected["calls"], rel
        assert kinds[EventKind.ERROR] == expected["errors"], rel
        assert kinds[EventKind.SUMMARY] == expected["summaries"], rel
        assert run.cwd == expected["cwd"], rel
        results = {e.tool_use_id for e in run.events if e.role == "tool"}
        calls = {e.tool_use_id for e in run.events if e.kind is EventKind.TOOL_CALL}
        assert calls == results, rel  # every call has its result
        _assert_quotable(path, run)


@pytest.mark.corpus
def test_corpus_errors_are_where_they_happened(corpus: Path) -> None:
    path = corpus / "swe-agent/SWE-agent__SWE-agent__pydicom__pydicom-1458.traj"
    run = parse_file(path, corpus)
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    calls = {e.tool_use_id: e for e in run.events if e.kind is EventKind.TOOL_CALL}
    assert [calls[e.tool_use_id].text.split()[0] for e in errors] == [
        "python",
        "edit",
        "edit",
        "edit",
    ]
    assert errors[0].text.startswith("Traceback (most recent call last)")
    assert all(e.text.startswith("Your proposed edit has introduced") for e in errors[1:])
    raw = read_lines(path)
    for error in errors:  # the observation's own line, right after its action's line
        call = calls[error.tool_use_id]
        assert error.ref.line_start == error.ref.line_end == call.ref.line_end + 1
        assert raw[error.ref.line_start - 1].lstrip().startswith('"observation": ')


@pytest.mark.corpus
def test_corpus_sniffing(corpus: Path) -> None:
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "SOURCES.md"):
        ours = path.parent.name in ("swe-agent", "openhands")
        head = path.read_bytes()[: sources.HEAD_BYTES]
        assert looks_like(path.name, decode(head)) == ours, path
        if ours:
            detected = sources.detect(path).format
            assert detected is not None and detected.name == "trajectory", path


@pytest.mark.corpus
def test_corpus_lessons_resolve(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    produced = []
    for rel in CORPUS_COUNTS:
        path = corpus / rel
        run = parse_file(path, corpus)
        episodes = list(find_episodes(run))
        candidates = RulesExtractor().extract(run, episodes, read_lines(path))
        for candidate in candidates:
            ref = candidate.evidence.ref
            assert quote_in_span(path, ref.line_start, ref.line_end, candidate.evidence.quote), (
                candidate
            )
            produced.append(f"{rel}{ref.fragment} [{candidate.kind}] {candidate.text}")
    with capsys.disabled():
        print("\n" + "\n".join(produced))
    assert any("reproduce_bug.py" in line for line in produced)  # the pydicom traceback


# --- fuzz -------------------------------------------------------------------------------------

_KEYS = [
    "action", "observation", "thought", "response", "state", "source", "id", "cause", "args",
    "extras", "content", "message", "timestamp", "role", "tool_calls", "tool_call_ids",
    "is_demo", "command", "exit_code", "metadata", "success", "text", "type", "final_thought",
    "path", "working_dir", "function", "name", "exit_status", "submission",
    "messages", "info", "extra", "actions", "tool_call_id", "trajectory_format", "kind",
    "llm_message", "is_error", "error", "system_prompt", "config", "environment", "cwd",
]  # fmt: skip
_WORDS = ["run", "message", "finish", "read", "edit", "error", "user", "agent", "assistant",
          "tool", "system", "think", "bash", "2025-01-01T00:00:00", "0001-01-01T00:00:00",
          "Traceback (most recent call last)", "x: command not found",
          "ActionEvent", "ObservationEvent", "MessageEvent", "SystemPromptEvent",
          "TerminalAction", "TerminalObservation", "FileEditorAction", "ThinkAction",
          "FinishAction", "AgentErrorEvent", "environment", "mini-swe-agent-1", "exit",
          "<returncode>1</returncode>\n<output>\nx\n</output>", "THOUGHT: x\n```bash\nls\n```",
          "No tool calls found in the response."]  # fmt: skip
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 300)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(_WORDS)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=25,
)
_record = st.dictionaries(st.sampled_from(_KEYS), _json, max_size=8)
_documents = st.one_of(
    st.lists(_record | _json, max_size=6),
    st.lists(st.lists(_record, max_size=2), max_size=4),
    st.fixed_dictionaries(
        {},
        optional={
            "trajectory": st.lists(_record | _json, max_size=5),
            "history": st.lists(_record, max_size=5),
            "messages": st.lists(_record | _json, max_size=6),
            "info": st.dictionaries(st.sampled_from(_KEYS), _json, max_size=3),
            "environment": _json,
        },
    ),
    _json,
)


def _check(run: Run, line_count: int) -> None:
    assert run.stats.events == len(run.events)
    assert run.stats.corrupt_lines == len(run.stats.corrupt_line_numbers)
    assert all(1 <= n <= max(line_count, 1) for n in run.stats.corrupt_line_numbers)
    for index, event in enumerate(run.events):
        assert event.seq == index
        assert 1 <= event.ref.line_start <= event.ref.line_end <= line_count
        assert len(event.text) <= 50_000 + 100  # capped (redaction may lengthen a little)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=60), max_size=30))
def test_fuzz_random_text_lines(lines: list[str]) -> None:
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    run = parse_lines("fuzz/run.json", enumerate(lines, start=1))
    _check(run, len(lines))
    assert len(run.events) <= len(lines)
    looks_like("run.json", "\n".join(lines))


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([SWE, OPENHANDS, FUNCTION_CALLING, MINI, MINI_TOOL_CALLS, SDK]),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=120),
    st.booleans(),
)
def test_fuzz_truncated_fixtures(path: Path, keep: int, cut: int, drop_a_line: bool) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    keep = min(keep, len(lines))
    if drop_a_line and keep < len(lines):
        variant = lines[:keep] + lines[keep + 1 :]
    else:
        variant = lines[:keep]
        if variant:
            variant[-1] = variant[-1][: min(cut, len(variant[-1]))]
    run = parse_lines("fuzz/run.json", enumerate(variant, start=1))
    _check(run, len(variant))
    nonblank = len([x for x in variant if x.strip()])
    # pretty-printed: every event, skipped record and corrupt record has lines of its own
    assert len(run.events) + run.stats.unknown_lines + run.stats.corrupt_lines <= nonblank
    assert run.stats.lines == nonblank


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents, st.sampled_from([None, 2]))
def test_fuzz_random_json_documents(doc: Any, indent: int | None) -> None:
    text = json.dumps(doc, indent=indent)
    lines = text.split("\n")
    run = parse_lines("fuzz/run.json", enumerate(lines, start=1))
    _check(run, len(lines))
    assert run.stats.corrupt_lines == 0  # valid JSON is never corrupt
    if indent is not None:
        assert len(run.events) + run.stats.unknown_lines <= len(lines)
    looks_like("run.json", text)


def test_openhands_task_lists_are_quiet_and_an_mcp_call_is_a_call(tmp_path: Path) -> None:
    """OpenHands' `task_tracking` (the agent's own task list) makes no event; `call_tool_mcp`
    is a call of an MCP tool, answered by its `mcp` observation."""
    events = [
        {"id": 27, "timestamp": "2025-10-07T00:03:06", "source": "agent",
         "message": "Managing 5 task items.", "action": "task_tracking",
         "args": {"command": "plan", "task_list": []}},
        {"id": 28, "timestamp": "2025-10-07T00:03:07", "source": "agent", "cause": 27,
         "observation": "task_tracking", "content": "Task list has been updated with 5 items.",
         "extras": {"command": "plan"}},
        {"id": 281, "timestamp": "2025-10-07T00:44:00", "source": "agent",
         "message": "I am interacting with the MCP server", "action": "call_tool_mcp",
         "args": {"name": "create_pr", "arguments": {"title": "fix"}}},
        {"id": 282, "timestamp": "2025-10-07T00:44:02", "source": "agent", "cause": 281,
         "observation": "mcp", "content": "https://github.example/pull/103",
         "extras": {"name": "create_pr"}},
    ]  # fmt: skip
    run = _parse_text(tmp_path, json.dumps(events))
    assert run.stats.unknown_lines == 0
    assert [(e.kind, e.tool_name, e.text) for e in run.events] == [
        (EventKind.TOOL_CALL, "MCP", "create_pr"),
        (EventKind.TOOL_RESULT, "MCP", "https://github.example/pull/103"),
    ]
