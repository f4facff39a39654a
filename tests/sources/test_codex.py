from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metis_distill.extract.rules import RulesExtractor
from metis_distill.ledger import LessonView
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.signals import error_signature
from metis_distill.models import Event, EventKind, LessonCandidate, LessonKind, Run
from metis_distill.placement.agents import agents_of
from metis_distill.placement.locality import Locality, locality
from metis_distill.provenance import quote_in_span
from metis_distill.sources import detect
from metis_distill.sources.codex import SOURCE, looks_like, parse_file, parse_lines, rollout
from metis_distill.sources.codex.state import State
from metis_distill.sources.common import MAX_EVENT_CHARS
from metis_distill.textio import decode, read_lines
from tests.conftest import FIXTURES

ROOT = FIXTURES / "codex"
MAIN = (
    ROOT
    / "sessions/2025/01/02/rollout-2025-01-02T10-00-00-0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl"
)
RESUMED = (
    ROOT
    / "sessions/2025/01/03/rollout-2025-01-03T09-00-00-0194a1b2-0000-7000-8000-000000000001.jsonl"
)
LEGACY = ROOT / "legacy/rollout-2025-06-01T08-00-00-5f0c3a1e-2b4d-4c6e-8f00-112233445566.jsonl"


@pytest.fixture(scope="module")
def run() -> Run:
    return parse_file(MAIN, ROOT)


def _at(run: Run, line: int) -> Event:
    found = [e for e in run.events if e.ref.line_start == line]
    assert len(found) == 1, (line, found)
    return found[0]


# --- authored fixtures ---------------------------------------------------------------------


def test_run_metadata_comes_from_session_meta(run: Run) -> None:
    assert run.source_format == "codex"
    assert run.session_id == "0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    assert run.cwd == "/home/dev/src/widget"
    assert run.project == "widget"
    assert run.git_branch == "feature/cache"
    assert run.started_at is not None and run.started_at.utcoffset() is not None
    assert run.started_at.isoformat() == "2025-01-02T10:00:00.500000+00:00"
    assert run.ended_at is not None and run.ended_at.isoformat() == "2025-01-02T10:00:41+00:00"
    assert not run.is_subagent
    assert all(e.session is None for e in run.events)  # one session in the file


def test_corrupt_line_is_skipped_and_later_records_still_read(run: Run) -> None:
    assert run.stats.corrupt_line_numbers == (14,)
    assert run.stats.corrupt_lines == 1
    assert len([e for e in run.events if e.ref.line_start > 14]) >= 15


def test_unknown_records_are_counted(run: Run) -> None:
    # line 26 unknown envelope type, 27 unknown response item, 28 unknown event, 29 a JSON array
    assert run.stats.unknown_lines == 4
    assert run.stats.lines == 43
    assert run.stats.events == len(run.events) == 28


def test_secrets_are_redacted_at_read_time(run: Run) -> None:
    texts = "\n".join(e.text for e in run.events)
    assert "sk-proj-FAKE" not in texts and "ghp_FAKE" not in texts
    assert "[REDACTED:openai_key]" in _at(run, 5).text
    assert "[REDACTED:github_token]" in _at(run, 34).text


def test_messages_are_read_once_from_response_items(run: Run) -> None:
    users = [e for e in run.events if e.role == "user" and e.kind is EventKind.TEXT]
    assert [e.ref.line_start for e in users] == [5, 25, 41]  # echoes on 6 and 42 are not events
    assistants = [e for e in run.events if e.role == "assistant" and e.kind is EventKind.TEXT]
    # 10 echoes 11; 38 is an agent_message with no response item, so it stands in for one
    assert [e.ref.line_start for e in assistants] == [11, 38]
    assert not any(e.ref.line_start in (8, 9) for e in run.events)  # reasoning is dropped


def test_harness_context_is_a_system_summary(run: Run) -> None:
    for line in (2, 3, 4):  # AGENTS.md, environment_context, developer message
        event = _at(run, line)
        assert (event.role, event.kind) == ("system", EventKind.SUMMARY)
    assert _at(run, 40).kind is EventKind.SUMMARY  # compacted
    ide = _at(run, 41)
    assert ide.text == "please make sure the cache is cleared between tests"
    assert (ide.role, ide.kind) == ("user", EventKind.TEXT)


def test_calls_and_results_are_paired(run: Run) -> None:
    call, error = _at(run, 12), _at(run, 13)
    assert (call.kind, call.tool_name, call.text) == (EventKind.TOOL_CALL, "Bash", "pytest -q")
    assert (error.kind, error.role, error.exit_code) == (EventKind.ERROR, "tool", 4)
    assert error.tool_use_id == call.tool_use_id == "call_a1" and error.tool_name == "Bash"
    ok = _at(run, 16)
    assert (ok.kind, ok.exit_code, ok.tool_use_id) == (EventKind.TOOL_RESULT, 0, "call_a2")
    assert not any(e.ref.line_start == 17 for e in run.events)  # exec_command_end echo
    patch, failed = _at(run, 18), _at(run, 19)
    assert (patch.tool_name, patch.text) == ("apply_patch", "src/widget/loader.py")
    assert failed.kind is EventKind.ERROR and failed.exit_code is None
    search = _at(run, 30)
    assert (search.tool_name, search.text) == ("WebSearch", "python lru_cache maxsize default")


def test_codex_headers_are_cut_and_their_exit_code_kept(run: Run) -> None:
    freeform = _at(run, 21)  # "Exit code: 127\nWall time: ...\nOutput:\n..."
    assert freeform.text == "bash: line 1: python: command not found\n"
    assert (freeform.kind, freeform.exit_code) == (EventKind.ERROR, 127)
    assert _at(run, 20).text == "python scripts/bench.py"  # shell_command: a string command
    timeout = _at(run, 32)  # "Total output lines: 3\n\ncommand timed out after ..."
    assert timeout.text.startswith("command timed out after 1004 milliseconds\n")
    assert (timeout.kind, timeout.exit_code) == (EventKind.ERROR, 124)


def _rollout(tmp_path: Path, records: list[dict], when: str = "2025-09-01T00:00:00Z") -> Path:  # type: ignore[type-arg]
    """A rollout file of these records, each stamped `when`."""
    path = tmp_path / "rollout-x.jsonl"
    path.write_text("".join(json.dumps({"timestamp": when, **r}) + "\n" for r in records))
    return path


def _unified(command: str, ending: str, body: str, chunk: str = "Chunk ID: 1a2b3c\n") -> str:
    """A unified exec output of Codex 0.11x: the command first, then the headers."""
    return (
        f"Command: /bin/zsh -lc {json.dumps(command)}\n{chunk}Wall time: 0.2301 seconds\n"
        f"{ending}\nOriginal token count: 63\nOutput:\n{body}"
    )


@pytest.mark.parametrize("chunk", ["Chunk ID: 1a2b3c\n", ""])
def test_unified_exec_headers_after_the_command_are_cut(tmp_path: Path, chunk: str) -> None:
    """The command comes first, its script over several lines: the exit code is still read
    and the output is what follows `Output:`, not the command echoed."""
    command = "python - <<'PY'\nfrom app import app\nPY"
    error = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'dotenv'\n"
    output = _unified(command, "Process exited with code 1", error, chunk)
    (_, result) = _wrapped(tmp_path, command, output)
    assert (result.kind, result.exit_code, result.text) == (EventKind.ERROR, 1, error)
    (_, quiet) = _wrapped(tmp_path, "true", _unified("true", "Process exited with code 0", ""))
    assert (quiet.kind, quiet.exit_code, quiet.text) == (EventKind.TOOL_RESULT, 0, "")


def _polled(
    tmp_path: Path,
    outputs: list[tuple[str, str]],
    chars: str = "",
    other: bool = False,
    ended: int | None = None,
) -> list[Event]:
    """`exec_command` whose process is still running, then `write_stdin` calls on its
    session, each (session id, output), sending `chars`; `other`: the agent made another
    call before the polls; `ended`: Codex's `exec_command_end` of the command comes last,
    with that exit code."""
    first = _unified("make test", "Process running with session ID 7", "collecting\n")
    records = [
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "exec_command",
         "call_id": "c1", "arguments": json.dumps({"cmd": "make test"})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": first}},
    ]  # fmt: skip
    if other:
        records.append({"type": "response_item", "payload": {"type": "function_call",
                        "name": "exec_command", "call_id": "c9",
                        "arguments": json.dumps({"cmd": "git status"})}})  # fmt: skip
    for n, (session, output) in enumerate(outputs, start=2):
        arguments = json.dumps({"session_id": int(session), "chars": chars})
        records += [
            {"type": "response_item", "payload": {"type": "function_call", "name": "write_stdin",
             "call_id": f"c{n}", "arguments": arguments}},
            {"type": "response_item", "payload": {"type": "function_call_output",
             "call_id": f"c{n}", "output": output}},
        ]  # fmt: skip
    if ended is not None:
        records.append({"type": "event_msg", "payload": {"type": "exec_command_end",
                        "call_id": "c1", "exit_code": ended, "status": "failed",
                        "aggregated_output": "collecting\n^C"}})  # fmt: skip
    return list(parse_file(_rollout(tmp_path, records, "2026-03-23T00:00:00Z"), tmp_path).events)


def test_a_process_read_later_ends_in_the_result_of_its_command(tmp_path: Path) -> None:
    """What `write_stdin` reads of a running process, and how it exited, is the result of
    the command that started it, spanning the lines up to the last poll: the command failed,
    not the poll."""
    running = _unified("make test", "Process running with session ID 7", "3 passed\n")
    exited = _unified("make test", "Process exited with code 2", "1 failed\n")
    events = _polled(tmp_path, [("7", running), ("7", exited)])
    (result,) = [e for e in events if e.role == "tool"]
    assert (result.tool_use_id, result.tool_name) == ("c1", "Bash")
    assert (result.kind, result.exit_code) == (EventKind.ERROR, 2)
    assert result.text == "collecting\n\n3 passed\n\n1 failed\n"
    assert (result.ref.line_start, result.ref.line_end) == (3, 7)
    for part in ("collecting", "3 passed", "1 failed"):
        assert quote_in_span(tmp_path / "rollout-x.jsonl", 3, 7, part)


@pytest.mark.parametrize("ended", [None, 1])
@pytest.mark.parametrize(("chars", "other"), [("\u0003", False), ("", True), ("n\n", False)])
def test_a_process_stopped_or_left_running_is_no_verdict_on_its_command(
    tmp_path: Path, chars: str, other: bool, ended: int | None
) -> None:
    """Stopped by the agent's Ctrl-C, or left running while the agent went on (a server):
    how it ended later says nothing of whether the command worked, nor does Codex's own
    `exec_command_end` of it, written when it stopped."""
    exited = _unified("make test", "Process exited with code 130", "^C\n")
    events = _polled(tmp_path, [("7", exited)], chars=chars, other=other, ended=ended)
    started = next(e for e in events if e.role == "tool" and e.tool_use_id == "c1")
    assert (started.kind, started.exit_code, started.ref.line_end) == (
        EventKind.TOOL_RESULT,
        None,
        3,
    )
    poll = next(e for e in events if e.role == "tool" and e.tool_use_id == "c2")
    assert poll.tool_name == "write_stdin"  # its own result, tied to no command


def test_a_long_run_read_by_polls_keeps_its_end(tmp_path: Path) -> None:
    """Polls of a long build add up past what an event keeps: its end, where it says how it
    failed, is what is kept."""
    chunk = "".join(f"   Compiling crate{n} v0.{n}.0\n" for n in range(2500))
    running = _unified("make test", "Process running with session ID 7", chunk)
    exited = _unified("make test", "Process exited with code 101", "panicked at src/lib.rs:9\n")
    events = _polled(tmp_path, [("7", running), ("7", exited)])
    (result,) = [e for e in events if e.role == "tool"]
    assert result.exit_code == 101 and result.text.endswith("panicked at src/lib.rs:9\n")


def test_a_poll_of_another_session_is_its_own_result(tmp_path: Path) -> None:
    """A poll of a session no command here started stays a result of its own; the command
    still running has no exit code."""
    other = _unified("npm run dev", "Process exited with code 0", "ready\n")
    events = _polled(tmp_path, [("8", other)])
    results = [e for e in events if e.role == "tool"]
    assert [(e.tool_use_id, e.exit_code, e.ref.line_start) for e in results] == [
        ("c1", None, 3),
        ("c2", 0, 5),
    ]
    assert results[0].kind is EventKind.TOOL_RESULT


def test_interrupts_and_rejections(run: Run) -> None:
    rejected, aborted = _at(run, 23), _at(run, 24)
    assert (rejected.kind, rejected.role, rejected.tool_use_id) == (
        EventKind.INTERRUPT,
        "user",
        "call_a5",
    )
    assert (aborted.kind, aborted.text) == (EventKind.INTERRUPT, "interrupted")


def test_exec_command_end_stands_in_for_a_missing_output(run: Run) -> None:
    event = _at(run, 36)
    assert (event.kind, event.exit_code, event.tool_use_id, event.tool_name) == (
        EventKind.ERROR,
        1,
        "call_a8",
        "Bash",
    )
    assert _at(run, 39).kind is EventKind.ERROR and _at(run, 39).role == "system"


def test_event_kinds(run: Run) -> None:
    kinds = Counter(e.kind for e in run.events)
    assert kinds == {
        EventKind.TOOL_CALL: 9,
        EventKind.TOOL_RESULT: 2,
        EventKind.ERROR: 6,  # lines 13, 19, 21, 32, 36 (tool) and 39 (system)
        EventKind.TEXT: 5,
        EventKind.SUMMARY: 4,
        EventKind.INTERRUPT: 2,
    }
    assert [e.seq for e in run.events] == list(range(len(run.events)))
    assert [e.ref.line_start for e in run.events] == sorted(e.ref.line_start for e in run.events)


def test_every_fixture_event_is_quotable_from_its_line(run: Run) -> None:
    for event in run.events:
        snippet = _snippet(event)
        assert quote_in_span(MAIN, event.ref.line_start, event.ref.line_end, snippet), event


def test_fixture_lessons(run: Run) -> None:
    lines = read_lines(MAIN)
    candidates = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    for c in candidates:
        assert quote_in_span(
            MAIN, c.evidence.ref.line_start, c.evidence.ref.line_end, c.evidence.quote
        )
    texts = [c.text for c in candidates]
    assert any("use `uv run pytest -q` instead" in t for t in texts)
    assert any("python: command not found" in t for t in texts)
    corrections = [c for c in candidates if c.text.startswith("User correction")]
    assert len(corrections) == 1 and "make clean" in corrections[0].text
    assert corrections[0].evidence.ref.line_start == 23  # from the rejected call to the reply
    assert any(c.kind is LessonKind.GOTCHA and "silently drops" in c.text for c in candidates)


def test_a_resumed_file_holds_two_sessions() -> None:
    run = parse_file(RESUMED, ROOT)  # CRLF line endings, Windows cwd
    assert run.session_id == "0194a1b2-0000-7000-8000-000000000001"
    assert run.cwd == "C:\\Users\\dev\\widget" and run.project == "widget"
    assert [e.session[-1] for e in run.events if e.session] == ["1", "1", "2"]
    assert run.started_at is not None and run.started_at.isoformat().startswith("2025-01-03T09")
    assert run.ended_at is not None and run.ended_at.isoformat().startswith("2025-01-03T11")


def test_the_older_rollout_format_is_read() -> None:
    head = LEGACY.read_text(encoding="utf-8")
    assert looks_like(LEGACY.name, head)
    run = parse_file(LEGACY, ROOT)
    assert run.session_id == "5f0c3a1e-2b4d-4c6e-8f00-112233445566"
    assert run.stats.unknown_lines == 0 and run.git_branch == "main"
    kinds = [(e.role, e.kind) for e in run.events]
    assert kinds == [
        ("user", EventKind.TEXT),
        ("assistant", EventKind.TOOL_CALL),
        ("tool", EventKind.ERROR),
    ]
    assert run.events[1].text == "ls -la" and run.events[2].exit_code == 2


def test_subagent_rollouts_are_marked(tmp_path: Path) -> None:
    path = tmp_path / "rollout-x.jsonl"
    meta = {"id": "abc", "cwd": "/w", "source": {"subagent": "review"}}
    path.write_text(
        json.dumps({"timestamp": "2025-01-01T00:00:00Z", "type": "session_meta", "payload": meta})
        + "\n"
    )
    run = parse_file(path, tmp_path)
    assert run.is_subagent and run.session_id == "abc"


def test_a_thread_a_session_spawned_is_one_session_with_its_parent(tmp_path: Path) -> None:
    """A Codex thread spawned by a session (`thread_spawn`) is part of that session's work: it
    counts with it as one session, as Claude Code's subagent files do."""
    spawn = {"subagent": {"thread_spawn": {"parent_thread_id": "parent-1", "depth": 1}}}
    runs = []
    for name, meta in [
        ("rollout-a.jsonl", {"id": "parent-1", "cwd": "/w", "source": "cli"}),
        ("rollout-b.jsonl", {"id": "child-2", "cwd": "/w", "source": spawn}),
        ("rollout-c.jsonl", {"id": "child-3", "cwd": "/w", "source": {"subagent": "review"}}),
    ]:
        record = {"timestamp": "2025-01-01T00:00:00Z", "type": "session_meta", "payload": meta}
        (tmp_path / name).write_text(json.dumps(record) + "\n")
        runs.append(parse_file(tmp_path / name, tmp_path))
    assert [run.session_id for run in runs] == ["parent-1", "parent-1", "child-3"]
    assert [run.is_subagent for run in runs] == [False, True, True]


def _wrapped(tmp_path: Path, command: str, output: str, **arguments: object) -> tuple[Event, Event]:
    """The call and the result of one shell command whose output Codex wrapped."""
    path = tmp_path / "rollout-x.jsonl"
    records = [
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c1", "arguments": json.dumps({"command": ["bash", "-lc", command], **arguments})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": output}},
    ]  # fmt: skip
    stamp = {"timestamp": "2025-09-01T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
    (called, result) = parse_file(path, tmp_path).events
    return called, result


def test_the_sandbox_wrapper_is_cut_and_the_command_output_kept(tmp_path: Path) -> None:
    """Codex once wrapped every non-zero exit in "sandbox denied": the lesson must quote the
    command's own error (a failing test), not a sandbox refusal that never happened."""
    wrapped = (
        "failed in sandbox MacosSeatbelt with execution error: sandbox denied exec error, "
        "exit code: 1, stdout: .F  [100%]\nFAILED tests/test_a.py::test_b - AssertionError"
    )
    called, result = _wrapped(tmp_path, "pytest -q", wrapped, timeout_ms=5000)
    assert called.timeout_ms == 5000  # the limit the call set itself
    assert (result.kind, result.exit_code) == (EventKind.ERROR, 1)
    assert result.text.startswith(".F  [100%]") and "sandbox" not in result.text
    assert error_signature(result.text).startswith("FAILED tests/test_a.py::test_b")


@pytest.mark.parametrize(
    ("stderr", "kept"),
    [
        ("go: build failed: undefined: Foo", "go: build failed: undefined: Foo"),
        ("open /home/u/.cache/go-build/x: permission denied", "failed in sandbox"),
    ],
)
def test_an_empty_stdout_leaves_the_stderr_and_a_real_refusal_stays(
    tmp_path: Path, stderr: str, kept: str
) -> None:
    wrapped = (
        "failed in sandbox LinuxSeccomp with execution error: sandbox denied exec error, "
        f"exit code: 1, stdout: , stderr: {stderr}"
    )
    (_, result) = _wrapped(tmp_path, "go test ./...", wrapped)
    assert result.text.startswith(kept) and result.exit_code == 1


def _denied(exit_code: int, text: str) -> str:
    """Codex 0.4x's form of the wrapper: a Rust value holding the command's output."""
    stream = f"StreamOutput {{ text: {json.dumps(text)}, truncated_after_lines: None }}"
    return (
        "failed in sandbox LinuxSeccomp with execution error: Denied { output: "
        f"ExecToolCallOutput {{ exit_code: {exit_code}, stdout: {stream}, stderr: {stream}, "
        f"aggregated_output: {stream}, duration: 87.6ms, timed_out: false }} }}"
    )


@pytest.mark.parametrize(
    ("output", "kept"),
    [
        ("", ""),  # `rg` found nothing: no error to learn from
        (
            'tsc: error TS2304: Cannot find name "Foo".\n',
            'tsc: error TS2304: Cannot find name "Foo".',
        ),
        ("mkdir: /etc/x: Operation not permitted", "failed in sandbox"),  # a real refusal stays
    ],
)
def test_the_rust_form_of_the_wrapper_is_cut_too(tmp_path: Path, output: str, kept: str) -> None:
    (_, result) = _wrapped(tmp_path, "npm run build", _denied(1, output))
    assert result.exit_code == 1
    assert result.text.strip().startswith(kept) and (kept or result.text == "")


@pytest.mark.parametrize(
    ("output", "kept"),
    [
        ("error: could not compile `app`\n", "error: could not compile `app`"),
        ("fatal: Unable to create '/w/.git/index.lock': Operation not permitted\n", "exec_command"),
    ],
)
def test_the_create_process_form_of_the_wrapper_gives_its_exit_code(
    tmp_path: Path, output: str, kept: str
) -> None:
    """Codex 0.11x: the 0.4x value, inside a string of `CreateProcess`'s message."""
    inner = _denied(128, output).replace(
        "failed in sandbox LinuxSeccomp with execution error: ", "Codex(Sandbox("
    )
    wrapped = f"exec_command failed: CreateProcess {{ message: {json.dumps(inner + '))')} }}"
    (_, result) = _wrapped(tmp_path, "git commit -m x", wrapped)
    assert result.exit_code == 128 and result.text.strip().startswith(kept)


@pytest.mark.parametrize(
    ("output", "kept"),
    [
        ("error: could not compile `app`\n", "error: could not compile `app`"),
        ("[ERROR] <urlopen error [Errno 1] Operation not permitted>\n", "exec_command failed"),
    ],
)
def test_the_sandbox_denied_form_of_the_wrapper_is_a_failure(
    tmp_path: Path, output: str, kept: str
) -> None:
    """Codex 0.11x's other form: `SandboxDenied { message: "…", output: ExecToolCallOutput {
    exit_code: 1, … } }`; a refusal of the sandbox keeps its words."""
    stream = f"StreamOutput {{ text: {json.dumps(output)}, truncated_after_lines: None }}"
    wrapped = (
        f"exec_command failed: SandboxDenied {{ message: {json.dumps(output)}, output: "
        f"ExecToolCallOutput {{ exit_code: 1, stdout: {stream}, stderr: {stream}, "
        f"aggregated_output: {stream}, duration: 0ns, timed_out: false }} }}"
    )
    (_, result) = _wrapped(tmp_path, "python3 fetch.py", wrapped)
    assert result.exit_code == 1 and result.text.strip().startswith(kept)


def test_a_refusal_wrapped_in_create_process_is_the_users_interrupt(tmp_path: Path) -> None:
    """Codex 0.10x+ writes the user's "no" to an escalated rerun as a failed `CreateProcess`:
    no result of the command, and no success to learn a fix from."""
    wrapped = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'
    (_, result) = _wrapped(tmp_path, "git add README.md", wrapped)
    assert result.kind is EventKind.INTERRUPT and result.role == "user"


def test_without_session_meta_the_id_comes_from_the_rollout_name(tmp_path: Path) -> None:
    name = "rollout-2025-01-01T00-00-00-0194a1b2-aaaa-7bbb-8ccc-dddddddddddd.jsonl"
    path = tmp_path / name
    path.write_text('{"timestamp":"2025-01-01T00:00:00Z","type":"turn_context","payload":{}}\n')
    assert parse_file(path, tmp_path).session_id == "0194a1b2-aaaa-7bbb-8ccc-dddddddddddd"


def test_pathological_lines_are_counted_not_raised() -> None:
    lines = [
        "[" * 100_000,  # nested past the JSON parser's depth
        '{"timestamp":"9999-12-31T23:00:00-05:00","type":"event_msg","payload":{"type":"error",'
        '"message":"x"}}',  # a time out of range once in UTC
        '{"timestamp":1,"type":["response_item"],"payload":{"type":{"a":1}}}',
    ]
    run = parse_lines("x.jsonl", enumerate(lines, start=1))
    assert run.stats.corrupt_line_numbers == (1,)
    assert run.stats.unknown_lines == 1 and len(run.events) == 1


def test_the_archive_is_not_written() -> None:
    before = MAIN.stat().st_mtime_ns, MAIN.read_bytes()
    parse_file(MAIN, ROOT)
    assert (MAIN.stat().st_mtime_ns, MAIN.read_bytes()) == before


# --- sniffing ------------------------------------------------------------------------------


def test_looks_like_decides_on_content_not_name() -> None:
    head = MAIN.read_text(encoding="utf-8")
    assert looks_like("renamed.txt", head)
    assert not looks_like("rollout-2025-01-01T00-00-00-x.jsonl", "# aider chat started at\n")
    assert not looks_like("rollout-x.jsonl", '{"type":"user","sessionId":"s","message":{}}\n')
    assert not looks_like("rollout-x.jsonl", '{"timestamp":"t","type":"user","payload":"x"}\n')
    assert not looks_like("x.json", '{\n  "history": [],\n  "trajectory": []\n}\n')


def test_looks_like_a_first_line_cut_by_the_head() -> None:
    long_meta = json.dumps(
        {
            "timestamp": "2025-01-01T00:00:00Z",
            "type": "session_meta",
            "payload": {"id": "x", "instructions": "y" * 70_000},
        }
    )
    assert looks_like("a.jsonl", long_meta[: 64 * 1024])


@pytest.mark.corpus
def test_corpus_files_are_sniffed_as_codex_and_others_are_not(corpus: Path) -> None:
    for path in sorted((corpus / "codex").glob("*.jsonl")):
        assert detect(path).format is SOURCE, path.name
    others = [p for p in corpus.rglob("*") if p.is_file() and p.parent.name != "codex"]
    assert others
    for path in others:
        head = decode(path.read_bytes()[: 64 * 1024])
        assert not looks_like(path.name, head), path.name


# --- the corpus ----------------------------------------------------------------------------

# Counted by hand with jq/grep, independently of the parser, e.g. for a file F:
#   lines:     grep -c . F
#   calls:     jq -c 'select(.type=="response_item" and (.payload.type|test(
#                "^(function_call|custom_tool_call|web_search_call|local_shell_call)$")))' F | wc -l
#   outputs:   same with test("_output$") — every output is one event (empty ones included)
#   errors:    outputs whose JSON-string output has metadata.exit_code != 0
#              (jq '.payload.output | fromjson? | select(.metadata.exit_code != 0)'), plus plain
#              outputs starting "apply_patch verification failed" / "failed in sandbox"
#   rejected:  outputs equal to "exec command rejected by user" (INTERRUPT, not ERROR)
#   interrupt: event_msg turn_aborted lines + rejected
#   user/assistant text: response_item messages by role, minus the user messages that start
#              with <environment_context> / "# AGENTS.md instructions" (those are SUMMARY)
# Expected events = calls + outputs + turn_aborted + user + assistant + summary.
CORPUS_COUNTS: dict[str, dict[str, int]] = {
    "CodeGandee__": {"lines": 2, "events": 1, "summary": 1},
    "Monotoba__": {"lines": 2, "events": 1, "summary": 1},
    "Python-AI-Solutions__agentic-neurodata-conversion__rollout-2025-09-26T19": {
        "lines": 2,
        "events": 1,
        "summary": 1,
    },
    "ryoppippi__ccusage": {"lines": 3, "events": 0},  # turn_context + 2 token_count, no meta
    "Hoper-J__": {
        "lines": 326,
        "events": 120,
        "tool_call": 51,
        "tool_result": 50,
        "error": 1,  # line 282: "failed in sandbox MacosSeatbelt ... exit code: 1"
        "interrupt": 1,
        "user": 6,
        "assistant": 9,
        "summary": 2,
    },
    "MoonLadderStudios__MoonMind__rollout-2025-11-12": {
        "lines": 731,
        "events": 208,
        "tool_call": 97,  # 84 function_call + 13 custom_tool_call (apply_patch)
        "tool_result": 82,
        "error": 15,  # 14 non-zero exit codes + 1 "apply_patch verification failed"
        "interrupt": 1,
        "user": 6,
        "assistant": 5,
        "summary": 2,
    },
    "MoonLadderStudios__MoonMind__rollout-2025-11-13": {
        "lines": 309,
        "events": 88,
        "tool_call": 42,
        "tool_result": 35,
        "error": 7,
        "user": 1,
        "assistant": 1,
        "summary": 2,
    },
    "Python-AI-Solutions__agentic-neurodata-conversion__rollout-2025-09-26T17": {
        "lines": 202,
        "events": 64,
        "tool_call": 17,
        "tool_result": 8,
        "error": 4,  # exit 1 x4 (one with empty output: `rg` found nothing)
        "interrupt": 9,  # 4 turn_aborted + 5 "exec command rejected by user"
        "user": 14,  # every one behind "# Context from my IDE setup"
        "assistant": 10,
        "summary": 2,
    },
}
# Where SOURCES.md says the failures are: (line, exit code) of every ERROR event.
CORPUS_ERRORS: dict[str, list[tuple[int, int | None]]] = {
    "MoonLadderStudios__MoonMind__rollout-2025-11-12": [
        (19, 124),  # "command timed out after 1013 milliseconds" (934-line rg output)
        (116, 1),
        (123, 1),
        (174, 127),  # /usr/bin/env: 'bash\r' (CRLF scripts)
        (181, 2),
        (188, 127),  # python: command not found
        (202, 2),
        (216, 127),
        (230, 127),
        (265, 1),  # ERROR: Not on a feature branch
        (272, 124),  # git status timed out after 1005 ms
        (279, 124),  # ... and after 2005 ms
        (438, 127),
        (666, 127),
        (711, None),  # apply_patch verification failed
    ],
    "MoonLadderStudios__MoonMind__rollout-2025-11-13": [
        (20, 127),
        (27, 2),
        (34, 127),  # python: command not found
        (48, 127),
        (62, 1),
        (76, 128),  # fatal: a branch named ... already exists
        (181, 2),
    ],
    "Python-AI-Solutions__agentic-neurodata-conversion__rollout-2025-09-26T17": [
        (17, 1),
        (94, 1),  # Invoke-WebRequest : 404: Not Found
        (100, 1),
        (154, 1),
    ],
    "Hoper-J__": [(282, 1)],
}


def _corpus_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / "codex").glob("*.jsonl"))
    assert len(files) == 8
    return files


def _key(path: Path, table: dict[str, object]) -> str | None:
    keys = [k for k in table if path.name.startswith(k)]
    assert len(keys) <= 1, (path.name, keys)
    return keys[0] if keys else None


def _counts(run: Run) -> dict[str, int]:
    found = Counter(e.kind.value for e in run.events if e.kind is not EventKind.TEXT)
    found.update(e.role for e in run.events if e.kind is EventKind.TEXT)
    counts = {k: v for k, v in found.items() if v}
    return counts | {"lines": run.stats.lines, "events": len(run.events)}


@pytest.mark.corpus
def test_every_corpus_rollout_parses_to_the_counted_events(corpus: Path) -> None:
    for path in _corpus_files(corpus):
        run = parse_file(path, corpus)
        key = _key(path, CORPUS_COUNTS)
        assert key is not None, path.name
        assert _counts(run) == CORPUS_COUNTS[key], path.name
        assert run.stats.corrupt_lines == 0 and run.stats.unknown_lines == 0, path.name
        assert run.stats.lines == len([x for x in read_lines(path) if x.strip()])
        assert run.path == f"codex/{path.name}"
        assert run.started_at is not None and run.started_at.utcoffset() is not None


@pytest.mark.corpus
def test_corpus_errors_are_where_the_table_says(corpus: Path) -> None:
    for path in _corpus_files(corpus):
        run = parse_file(path, corpus)
        errors = [(e.ref.line_start, e.exit_code) for e in run.events if e.kind is EventKind.ERROR]
        key = _key(path, CORPUS_ERRORS)
        assert errors == (CORPUS_ERRORS[key] if key else []), path.name
        for event in run.events:
            if event.kind is EventKind.ERROR:
                call = [
                    e
                    for e in run.events
                    if e.kind is EventKind.TOOL_CALL and e.tool_use_id == event.tool_use_id
                ]
                assert len(call) == 1 and call[0].seq < event.seq, event


@pytest.mark.corpus
def test_corpus_details(corpus: Path) -> None:
    # Structural checks only: no words of the transcripts are copied into the repository.
    moon = parse_file(next((corpus / "codex").glob("MoonLadderStudios__*2025-11-12*")), corpus)
    assert moon.session_id.startswith("019a7ae6") and moon.project == "MoonMind"
    assert moon.cwd is not None and moon.cwd.startswith("/mnt/")
    timeout = next(e for e in moon.events if e.ref.line_start == 19)
    assert re.match(r"command timed out after \d+ milliseconds\n", timeout.text)  # header cut
    shell = next(e for e in moon.events if e.ref.line_start == 18)
    assert shell.tool_name == "Bash" and shell.text.startswith("rg ")  # no `bash -lc` wrapper
    assert any(e.tool_name == "apply_patch" for e in moon.events)
    ide = parse_file(next((corpus / "codex").glob("Python-AI-*T17-01*")), corpus)
    users = [e for e in ide.events if e.role == "user" and e.kind is EventKind.TEXT]
    assert not any("Context from my IDE setup" in e.text or "##" in e.text for e in users)
    assert next(e for e in users if e.ref.line_start == 187).text.startswith("stop ")
    assert ide.cwd is not None and ide.project == "agentic-neurodata-conversion-2"
    ps = next(e for e in ide.events if e.ref.line_start == 10)  # powershell.exe -Command X
    assert ps.tool_name == "Bash" and "powershell" not in ps.text.lower()


@pytest.mark.corpus
def test_corpus_refs_are_in_the_file_and_quotable(corpus: Path) -> None:
    for path in _corpus_files(corpus):
        run = parse_file(path, corpus)
        count = len(read_lines(path))
        for event in run.events:
            assert 1 <= event.ref.line_start <= event.ref.line_end <= count
            snippet = _snippet(event)
            assert snippet or event.text == "", event  # only empty outputs have none
            if snippet:
                assert quote_in_span(path, event.ref.line_start, event.ref.line_end, snippet), (
                    path.name,
                    event.ref.line_start,
                    snippet,
                )


@pytest.mark.corpus
def test_corpus_lessons_resolve(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found: dict[str, list[str]] = {}
    for path in _corpus_files(corpus):
        run = parse_file(path, corpus)
        candidates = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
        for c in candidates:
            ref = c.evidence.ref
            assert quote_in_span(path, ref.line_start, ref.line_end, c.evidence.quote), c
            assert c.evidence.session_id == run.session_id and c.cwd == run.cwd
        found[path.name] = [
            f"{c.kind.value} {c.evidence.ref.fragment}: {c.text}" for c in candidates
        ]
    with capsys.disabled():
        for name, lessons in found.items():
            print(f"\n{name[:70]}: {len(lessons)} lessons")
            for lesson in lessons:
                print(f"  - {lesson}")
    moon = next(v for k, v in found.items() if "2025-11-13" in k)
    assert any("python3" in lesson and "#L33-L" in lesson for lesson in moon)
    ide = next(v for k, v in found.items() if "T17-01" in k)
    assert any("#L178-L187" in lesson for lesson in ide)  # correction after the rejections
    assert sum(len(v) for v in found.values()) >= 20


# --- fuzz ----------------------------------------------------------------------------------

_ESCAPABLE = re.compile(r'["\\\x00-\x1f]')


def _snippet(event: Event) -> str:
    """A quotable piece of the event's text ("" for an empty tool output). Prose is read from
    one JSON string, so its first line quotes as is; tool calls and outputs are JSON inside a
    JSON string and provenance unescapes once, so the piece is the longest run between the
    characters JSON escapes."""
    if event.role == "tool" or event.kind is EventKind.TOOL_CALL:
        pieces = [p.strip() for p in _ESCAPABLE.split(event.text[:4000])]
        longest = max(pieces, key=len, default="")
        return longest[:60] if len(longest) >= 2 else ""
    return next((line[:60] for line in event.text.split("\n") if line.strip()), "")


def _check_invariants(run: Run, numbered: list[tuple[int, str]]) -> None:
    non_blank = [n for n, text in numbered if text.strip()]
    stats = run.stats
    assert stats.lines == len(non_blank)
    assert stats.events == len(run.events)
    assert stats.events + stats.corrupt_lines + stats.unknown_lines <= stats.lines
    assert set(stats.corrupt_line_numbers) <= set(non_blank)
    assert [e.seq for e in run.events] == list(range(len(run.events)))
    lines = set(non_blank)
    for event in run.events:
        assert event.ref.line_start in lines and event.ref.line_end in lines
        assert event.ref.line_start <= event.ref.line_end
        assert len(event.text) <= MAX_EVENT_CHARS + 200  # redaction may lengthen a bit
    for ts in (run.started_at, run.ended_at):
        assert ts is None or ts.utcoffset() is not None


_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_FIXTURE_LINES = read_lines(MAIN)

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_TYPES = [
    "session_meta",
    "turn_context",
    "response_item",
    "event_msg",
    "compacted",
    "message",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "web_search_call",
    "user_message",
    "agent_message",
    "turn_aborted",
    "exec_command_end",
    "patch_apply_end",
    "error",
]
_KEYS = [
    "type",
    "role",
    "content",
    "text",
    "message",
    "name",
    "arguments",
    "call_id",
    "output",
    "input",
    "id",
    "cwd",
    "timestamp",
    "source",
    "git",
    "action",
    "command",
    "exit_code",
    "success",
    "metadata",
    "instructions",
    "record_type",
]
_field = st.one_of(_json, st.sampled_from(_TYPES), st.just("exec command rejected by user"))
_payload = st.dictionaries(st.sampled_from(_KEYS), _field, max_size=6).map(
    lambda d: d | {"type": d.get("type", "message")}
)
_record = st.fixed_dictionaries(
    {"timestamp": st.one_of(st.text(max_size=30), st.just("2025-01-01T00:00:00Z"), _json)},
    optional={
        "type": st.one_of(st.sampled_from(_TYPES), _json),
        "payload": st.one_of(_payload, _json),
    },
)


@_FUZZ
@given(st.lists(st.text(max_size=80), max_size=20))
def test_fuzz_random_text_lines(texts: list[str]) -> None:
    numbered = list(enumerate(texts, start=1))
    _check_invariants(parse_lines("f.jsonl", numbered), numbered)
    looks_like("f.jsonl", "\n".join(texts))


@_FUZZ
@given(
    st.lists(
        st.integers(min_value=0, max_value=400),
        min_size=len(_FIXTURE_LINES),
        max_size=len(_FIXTURE_LINES),
    )
)
def test_fuzz_truncated_fixture_lines(cuts: list[int]) -> None:
    numbered = [
        (n, line[:cut]) for n, (line, cut) in enumerate(zip(_FIXTURE_LINES, cuts, strict=True), 1)
    ]
    run = parse_lines("f.jsonl", numbered)
    _check_invariants(run, numbered)


@_FUZZ
@given(st.lists(st.one_of(_json, _record, _payload), max_size=15))
def test_fuzz_random_json_values(values: list[object]) -> None:
    numbered = [(n, json.dumps(v)) for n, v in enumerate(values, start=1)]
    run = parse_lines("f.jsonl", numbered)
    _check_invariants(run, numbered)
    assert run.stats.corrupt_lines == 0
    looks_like("f.jsonl", "\n".join(text for _, text in numbered))


@_FUZZ
@given(st.lists(st.one_of(_record, _payload), max_size=10))
def test_fuzz_records_never_reach_the_safety_net(values: list[dict[str, object]]) -> None:
    """The parser's catch-all is for shapes no version wrote; the code must not need it."""
    state = State(rel_path="f.jsonl")
    for n, value in enumerate(values, start=1):
        rollout._dispatch(state, n, value)
    rollout._finish(state)


def test_a_rerun_outside_the_sandbox_is_the_fix_of_what_the_sandbox_stopped(
    tmp_path: Path,
) -> None:
    """Codex asks to run a call outside its sandbox (`with_escalated_permissions`, later
    `sandbox_permissions: require_escalated`): the same call working there is the fix."""
    eperm = "** (Mix) failed to open a TCP socket while acquiring a lock, reason: :eperm"
    lessons = []
    for n, leave in enumerate(
        [{"with_escalated_permissions": True}, {"sandbox_permissions": "require_escalated"}]
    ):
        path = tmp_path / f"rollout-{n}.jsonl"
        records = [
            {"type": "session_meta", "payload": {"id": f"s{n}", "cwd": "/w"}},
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": "c1", "arguments": json.dumps({"command": ["bash", "-lc", "mix deps.get"]})}},
            {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
             "output": json.dumps({"output": eperm, "metadata": {"exit_code": 1}})}},
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": "c2", "arguments": json.dumps({"command": ["bash", "-lc", "mix deps.get"], **leave})}},
            {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c2",
             "output": json.dumps({"output": "Resolving Hex dependencies...", "metadata": {"exit_code": 0}})}},
        ]  # fmt: skip
        stamp = {"timestamp": "2025-09-01T00:00:00Z"}
        path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
        run = parse_file(path, tmp_path)
        assert [e.escalated for e in run.events if e.kind is EventKind.TOOL_CALL] == [False, True]
        lessons += RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert {c.text for c in lessons} == {
        "`mix` fails inside Codex's sandbox here and works outside it; ask to run it with "
        "escalated permissions."
    }
    assert all(c.fix and c.evidence.shows_fix for c in lessons)


@pytest.mark.parametrize(
    ("cmd", "text"),
    [
        ("bash --noprofile --norc -lc 'source /opt/ros/melodic/setup.bash && rosrun a b'",
         "source /opt/ros/melodic/setup.bash && rosrun a b"),
        ("bash -lc 'echo '\\''hi'\\'' && ls'", "echo 'hi' && ls"),
        # more than a script handed to a shell: the command as written
        ("zsh -lc 'ls' && echo done", "zsh -lc 'ls' && echo done"),
        ("git log -1", "git log -1"),
    ],
)  # fmt: skip
def test_a_string_command_that_hands_a_script_to_a_shell_is_the_script(
    tmp_path: Path, cmd: str, text: str
) -> None:
    path = tmp_path / "rollout-x.jsonl"
    record = {"timestamp": "2026-06-10T00:00:00Z", "type": "response_item", "payload": {
        "type": "function_call", "name": "exec_command", "call_id": "c1",
        "arguments": json.dumps({"cmd": cmd})}}  # fmt: skip
    path.write_text(json.dumps(record) + "\n")
    (called,) = parse_file(path, tmp_path).events
    assert called.text == text


def test_a_call_run_again_outside_the_sandbox_was_let_out_not_lucky(tmp_path: Path) -> None:
    """The server refused its socket inside the sandbox worked when run again, with a check
    put before it, outside: it was let out ("passed when run again" tells a wrong cause)."""
    cmd = "rosrun slam_planner manager.py"
    refused = "ERROR: Unable to start XML-RPC server: [Errno 1] Operation not permitted"
    again = ["bash", "-lc", f"rosnode list >/dev/null && {cmd}"]
    records = [
        {"type": "session_meta", "payload": {"id": "s", "cwd": "/w"}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c1", "arguments": json.dumps({"command": ["bash", "-lc", cmd]})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": json.dumps({"output": refused, "metadata": {"exit_code": 1}})}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c2", "arguments": json.dumps(
             {"command": again, "sandbox_permissions": "require_escalated"})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c2",
         "output": json.dumps({"output": "[INFO] Waiting for live data",
                               "metadata": {"exit_code": 0}})}},
    ]  # fmt: skip
    path = _rollout(tmp_path, records)
    run = parse_file(path, tmp_path)
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert lesson.text == (
        "`rosrun` fails inside Codex's sandbox here and works outside it; ask to run it with "
        "escalated permissions."
    )


def test_a_step_that_did_work_added_before_the_call_let_out_is_no_sandbox_lesson(
    tmp_path: Path,
) -> None:
    """`pip install -r requirements.txt && pytest -q` run outside after `pytest -q` failed on
    a missing module: the install may be the fix; no rule that pytest needs escalation."""
    error = "ImportError while loading conftest\nE   ModuleNotFoundError: No module named 'httpx'"
    records = [
        {"type": "session_meta", "payload": {"id": "s", "cwd": "/w"}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c1", "arguments": json.dumps({"command": ["bash", "-lc", "pytest -q"]})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": json.dumps({"output": error, "metadata": {"exit_code": 1}})}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c2", "arguments": json.dumps(
             {"command": ["bash", "-lc", "pip install -r requirements.txt && pytest -q"],
              "sandbox_permissions": "require_escalated"})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c2",
         "output": json.dumps({"output": "12 passed in 1.2s", "metadata": {"exit_code": 0}})}},
    ]  # fmt: skip
    path = _rollout(tmp_path, records)
    run = parse_file(path, tmp_path)
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert not any("escalated permissions" in c.text for c in lessons)


def test_a_call_let_out_that_timed_out_shows_no_way(tmp_path: Path) -> None:
    """Run again outside the sandbox, the call timed out: it never got to its work, so being
    let out is not shown to be the way."""
    refused = "Error: listen EPERM: operation not permitted 127.0.0.1:3000"
    records = [
        {"type": "session_meta", "payload": {"id": "s", "cwd": "/w"}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c1", "arguments": json.dumps({"command": ["bash", "-lc", "npm run e2e"]})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": json.dumps({"output": refused, "metadata": {"exit_code": 1}})}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c2", "arguments": json.dumps(
             {"command": ["bash", "-lc", "npm run e2e"],
              "sandbox_permissions": "require_escalated"})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c2",
         "output": "command timed out after 10000 milliseconds"}},
    ]  # fmt: skip
    path = _rollout(tmp_path, records)
    run = parse_file(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert episodes and all(e.fix is None or not e.fix.teachable for e in episodes[:1])


def test_servers_out_of_the_sandboxs_reach_are_one_lesson(tmp_path: Path) -> None:
    """`git fetch` that could not resolve GitHub and a smoke test that could not reach
    localhost, both working once let out: the sandbox has no network, one lesson."""
    failures = [
        (
            "git fetch origin",
            "fatal: unable to access 'https://github.com/a/b/': Could not resolve host: github.com",
        ),
        (
            "./scripts/smoke_test.sh",
            "curl: (7) Failed to connect to localhost port 8000 after 0 ms",
        ),
    ]
    lessons = _let_out_lessons(
        tmp_path, [(command, _failed(error)) for command, error in failures], _ran("ok")
    )
    (text,) = {c.text for c in lessons}
    assert text.startswith("Codex's sandbox here has no network: calls that reach a server")
    assert "git fetch" not in text and "smoke_test" not in text
    assert all(c.fix and c.evidence.shows_fix for c in lessons)


def test_writes_under_git_stopped_by_the_sandbox_are_one_lesson(tmp_path: Path) -> None:
    """`git fetch` and a script that makes a branch both fail on `.git/` inside the sandbox:
    one cause, one lesson, whichever command met it."""
    failures = [
        ("git fetch --all", "error: cannot open '.git/FETCH_HEAD': Operation not permitted"),
        ("scripts/new-branch.sh csv", "fatal: Unable to create '/w/.git/refs/heads/csv.lock': "
         "Operation not permitted"),
    ]  # fmt: skip
    texts = set()
    for n, (command, error) in enumerate(failures):
        path = tmp_path / f"rollout-{n}.jsonl"
        args = {"command": ["bash", "-lc", command]}
        records = [
            {"type": "session_meta", "payload": {"id": f"s{n}", "cwd": "/w"}},
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": "c1", "arguments": json.dumps(args)}},
            {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
             "output": json.dumps({"output": error, "metadata": {"exit_code": 128}})}},
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": "c2", "arguments": json.dumps({**args, "with_escalated_permissions": True})}},
            {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c2",
             "output": json.dumps({"output": "", "metadata": {"exit_code": 0}})}},
        ]  # fmt: skip
        stamp = {"timestamp": "2025-09-01T00:00:00Z"}
        path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
        run = parse_file(path, tmp_path)
        texts |= {
            c.text
            for c in RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
        }
    (text,) = texts
    assert "cannot write under `.git/`" in text and "escalated permissions" in text


def test_a_write_refused_under_a_dot_folder_is_the_folder_not_the_command(
    tmp_path: Path,
) -> None:
    """`mkdir` under `.codex/` is refused and works escalated, while `mkdir` elsewhere works
    inside the sandbox: the lesson is the folder's, never "`mkdir` fails inside the sandbox"."""
    refused = _failed("mkdir: /w/.codex/skills/lint: Operation not permitted")
    calls = [
        ("mkdir -p specs/a", _ran("")),
        ("mkdir -p /w/.codex/skills/lint", refused),
        ("mkdir -p /w/.codex/skills/lint", _ran("")),
    ]
    run = _shell_run(tmp_path, calls, escalated=frozenset({2}))
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lesson.text.startswith("Codex's sandbox here cannot write under `.codex/`")
    assert "`mkdir`" not in lesson.text and lesson.fix is not None


@pytest.mark.parametrize(
    "said",
    [
        # git in a Chinese locale: the path, a full-width colon, no space, the refusal
        "fatal: 不能创建 '/w/.git/index.lock'：Operation not permitted",
        "error: 无法创建 '/w/.git/refs/heads/csv.lock'： Operation not permitted",
        # in a Japanese locale the verb stands between the path and the colon
        "fatal: '/w/.git/index.lock' を作成できません：Operation not permitted",
    ],
)
def test_a_write_under_git_refused_in_another_locale_is_the_folder(
    tmp_path: Path, said: str
) -> None:
    """git's words in the person's language still say the path first and the refusal after
    it, whatever colon stands between: the lesson is `.git/`'s, not "`git add` fails inside
    Codex's sandbox"."""
    (lesson,) = _let_out_lessons(tmp_path, [("git add .", _failed(said))], _ran(""))
    assert lesson.text.startswith("Codex's sandbox here cannot write under `.git/`")
    assert "`git add`" not in lesson.text


@pytest.mark.parametrize(
    ("command", "said"),
    [
        # Windows' sandbox: the file under `.git/` named, then a plain "Permission denied"
        ("git fetch origin", "error: cannot open '.git/FETCH_HEAD': Permission denied"),
        ("git add .", "fatal: Unable to create 'C:/w/.git/index.lock': Permission denied"),
    ],
)
def test_a_git_write_denied_under_git_and_passing_let_out_is_the_folder(
    tmp_path: Path, command: str, said: str
) -> None:
    """A denial of a file under `.git/` that passed once let out of the sandbox is the
    sandbox's refusal of `.git/`: one lesson for every git write, not "`git fetch` fails
    inside Codex's sandbox" beside it."""
    (lesson,) = _let_out_lessons(tmp_path, [(command, _failed(said))], _ran(""))
    assert lesson.text.startswith("Codex's sandbox here cannot write under `.git/`")
    assert f"`{command.split()[0]} {command.split()[1]}`" not in lesson.text


def test_a_git_write_denied_under_git_with_no_pass_let_out_claims_no_sandbox(
    tmp_path: Path,
) -> None:
    """The same denial never let out of the sandbox may be the files' owner (a `.git/` made by
    root): no sandbox lesson is told from it."""
    said = "error: cannot open '.git/FETCH_HEAD': Permission denied"
    run = _shell_run(tmp_path, [("git fetch origin", _failed(said))])
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert not any("cannot write under `.git/`" in c.text for c in lessons)


def test_a_shells_own_refusal_names_the_folder_after_it(tmp_path: Path) -> None:
    """zsh says the path after its refusal (`zsh:150: operation not permitted: .codex/x.md`):
    `cat >` into `docs/` works inside the sandbox, into `.codex/` it does not."""
    refused = _failed(
        "zsh:150: operation not permitted: .codex/MANUAL.md\nzsh:186: operation not permitted: .codex/policies/global.md"
    )
    calls = [
        ("cat > docs/index.md <<'EOF'\n# Docs\nEOF", _ran("")),
        ("cat > .codex/MANUAL.md <<'EOF'\n# Manual\nEOF", refused),
        ("cat > .codex/MANUAL.md <<'EOF'\n# Manual\nEOF", _ran("")),
    ]
    run = _shell_run(tmp_path, calls, escalated=frozenset({2}))
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lesson.text.startswith("Codex's sandbox here cannot write under `.codex/`")
    assert "`cat" not in lesson.text


def test_a_cache_the_sandbox_will_not_write_is_set_elsewhere(tmp_path: Path) -> None:
    """`go test` stops on its build cache, which the sandbox will not let it write; with
    `GOCACHE` in /tmp the same tests run (and fail on the code under work): the setting is
    the fix, inside Codex's sandbox."""
    denied = (
        "failed in sandbox: # ./...\npattern ./...: open "
        "/home/ana/.cache/go-build/be/be04-d: permission denied\nFAIL\t./... [setup failed]\n"
    )
    tests_ran = "--- FAIL: TestPlan (0.00s)\n    plan_test.go:12: expected 25m, got 45m\nFAIL\n"
    calls = [("go test ./...", denied), ("GOCACHE=/tmp/go-build go test ./...", _failed(tests_ran))]
    run = _shell_run(tmp_path, calls)
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    (lesson,) = [c for c in lessons if "permission denied" in c.text]
    assert lesson.text == (
        "`go test …` fails inside Codex's sandbox here (“pattern ./...: open …: permission "
        "denied”); run it with `GOCACHE=/tmp/go-build` set."
    )
    assert lesson.fix == "GOCACHE=/tmp/go-build go test ./..." and lesson.evidence.shows_fix


_LOG_REFUSED = (
    "failed in sandbox: ✘ [ERROR] Failed to write to log file Error: EPERM: operation not "
    "permitted, open '/home/ana/.config/.wrangler/logs/wrangler-1.log'\n"
)


@pytest.mark.parametrize("runner", ["", "env "])
def test_settings_pointed_at_one_runs_own_folders_are_told_by_name(
    tmp_path: Path, runner: str
) -> None:
    """The retry pointed the program's home and log folder into one experiment's temp
    folder: the line names the settings and what they point at, never that run's paths,
    nor a command cut short inside one of them (`env` before them, or not)."""
    retry = (
        f"{runner}HOME=/private/tmp/exp-7/home WRANGLER_LOG_PATH=/private/tmp/exp-7/logs "
        "WRANGLER_SEND_METRICS=false wrangler deploy --dry-run"
    )
    calls = [("wrangler deploy --dry-run", _LOG_REFUSED), (retry, _ran("Total Upload: 12 KiB"))]
    run = _shell_run(tmp_path, calls)
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lesson.text.endswith(
        "; run it with `HOME` and `WRANGLER_LOG_PATH` pointed at a writable folder and "
        "`WRANGLER_SEND_METRICS=false` set."
    )
    assert "exp-7" not in lesson.text and lesson.fix is not None and "exp-7" not in lesson.fix


def test_a_stand_in_the_sandbox_timed_out_is_no_way_past_a_missing_program(
    tmp_path: Path,
) -> None:
    """`rg` is not installed; `grep -R` on the same word was stopped by Codex's time limit and
    `find | xargs grep` could not be started: neither showed the search done, so no stand-in
    is taught."""
    missing = json.dumps(
        {"output": "zsh:1: command not found: rg\n", "metadata": {"exit_code": 127}}
    )
    calls = [
        ('rg -n "widget" -C2', missing),
        ('grep -R "widget" -n', "failed in sandbox MacosSeatbelt with execution error: command timed out"),
        ('find . -type f -print0 | xargs -0 grep -i "widget"', "execution error: No such file or directory (os error 2)"),
    ]  # fmt: skip
    run = _shell_run(tmp_path, calls)
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lessons and all(c.fix is None and "use `grep" not in c.text for c in lessons)


def test_a_cache_under_home_the_sandbox_refused_is_named_from_home(tmp_path: Path) -> None:
    """uv's cache in the home folder, refused: the folder is `~/.cache/`, not a folder of the
    repository's."""
    refused = _failed(
        "error: failed to open file ~/.cache/uv/sdists-v9/.git: Operation not permitted"
    )
    calls = [("uv run pytest -q", refused), ("uv run pytest -q", _ran("3 passed"))]
    run = _shell_run(tmp_path, calls, escalated=frozenset({1}))
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lesson.text.startswith("Codex's sandbox here cannot write under `~/.cache/`")


def test_docker_kept_out_by_the_sandbox_is_one_lesson_whatever_ran_it(tmp_path: Path) -> None:
    """`docker compose ps` and a make target that runs compose both meet Docker's socket
    refused, and both work let out: one lesson, the socket's, not "`make` fails"."""
    denied = (
        "permission denied while trying to connect to the Docker daemon socket at "
        'unix:///w/run/docker.sock: Get "http://%2Fw%2Frun%2Fdocker.sock/v1.47/containers/json"'
    )
    texts = set()
    for n, command in enumerate(("docker compose ps", "make compose-up")):
        folder = tmp_path / str(n)
        folder.mkdir()
        run = _shell_run(
            folder, [(command, _failed(denied)), (command, _ran("api  Up"))], frozenset({1})
        )
        lines = read_lines(folder / "rollout-x.jsonl")
        texts |= {c.text for c in RulesExtractor().extract(run, list(find_episodes(run)), lines)}
    (text,) = texts
    assert text.startswith("Codex's sandbox here keeps Docker's socket out of reach")


def test_a_rerun_let_out_that_fails_on_the_code_does_not_work_outside(tmp_path: Path) -> None:
    """Let out of the sandbox, the make target got past the socket and failed on a TypeScript
    error: nothing shows it works outside the sandbox, and no fix is claimed. (A shell
    profile's refused `ps` printed first, the sandbox's words, gone in the rerun.)"""
    denied = (
        "profile.sh: line 18: /bin/ps: Operation not permitted\n"
        "permission denied while trying to connect to the Docker daemon socket at unix:///w/d.sock"
    )
    built = (
        "docker compose up --build\nsrc/App.tsx(78,1): error TS1005: ')' expected.\n"
        "make: *** [compose-up] Error 1\n"
    )
    calls = [("make compose-up", _failed(denied)), ("make compose-up", _failed(built))]
    run = _shell_run(tmp_path, calls, escalated=frozenset({1}))
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lessons and all(c.fix is None and "works outside" not in c.text for c in lessons)


def test_a_write_under_git_refused_is_the_sandbox_even_with_no_rerun_seen(tmp_path: Path) -> None:
    """The escalated rerun was refused: the cause is still known from the error alone, and no
    fix is claimed."""
    error = "fatal: cannot lock ref 'refs/heads/csv': Unable to create '/w/.git/refs/heads/csv.lock': Operation not permitted"
    records = [
        {"type": "session_meta", "payload": {"id": "s1", "cwd": "/w"}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c1", "arguments": json.dumps({"command": ["bash", "-lc", "tools/branch.sh csv"]})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": json.dumps({"output": error, "metadata": {"exit_code": 128}})}},
    ]  # fmt: skip
    path = tmp_path / "rollout-0.jsonl"
    stamp = {"timestamp": "2025-09-01T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
    run = parse_file(path, tmp_path)
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert lesson.text.startswith("Codex's sandbox here cannot write under `.git/`")
    assert lesson.fix is None and not lesson.evidence.shows_fix


def test_the_oldest_rollouts_take_their_folder_from_the_environment_context(
    tmp_path: Path,
) -> None:
    """Rollouts of 2025 before `session_meta` name their folder only in the harness's
    `<environment_context>` message: the run's cwd and project come from it."""
    env = "<environment_context>\n  <cwd>D:\\work\\widget</cwd>\n  <shell>powershell.exe</shell>\n</environment_context>"
    records = [
        {"id": "s1", "timestamp": "2025-09-24T08:00:00.000Z", "instructions": None, "git": {}},
        {"record_type": "state"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": env}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Run the tests."}]},
    ]  # fmt: skip
    path = tmp_path / "rollout-2025-09-24T08-00-00-s1.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    run = parse_file(path, tmp_path)
    assert run.cwd == "D:\\work\\widget" and run.project == "widget"
    assert [e.text for e in run.events if e.role == "user"] == ["Run the tests."]


_PROFILE_BANNER = "/opt/tools/profile.d/env.sh: line 4: /bin/ps: Operation not permitted"


def _shell_run(
    tmp_path: Path,
    calls: list[tuple[str, str]],
    escalated: frozenset[int] = frozenset(),
    limits: dict[int, int] | None = None,
) -> Run:
    """A Codex 0.46 rollout of shell calls, each with its output as Codex wrote it (the calls
    numbered in `escalated` asked to run outside the sandbox; those in `limits` set their own
    `timeout_ms`)."""
    records: list[dict[str, object]] = [
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w", "cli_version": "0.46.0"}}
    ]
    for n, (command, output) in enumerate(calls):
        args: dict[str, object] = {"command": ["bash", "-lc", command]}
        if limits and n in limits:
            args["timeout_ms"] = limits[n]
        arguments = json.dumps(
            {**args, "with_escalated_permissions": True} if n in escalated else args
        )
        records += [
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": f"c{n}", "arguments": arguments}},
            {"type": "response_item", "payload": {"type": "function_call_output",
             "call_id": f"c{n}", "output": output}},
        ]  # fmt: skip
    path = tmp_path / "rollout-x.jsonl"
    stamp = {"timestamp": "2025-10-01T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
    return parse_file(path, tmp_path)


def _let_out_lessons(
    tmp_path: Path, failures: list[tuple[str, str]], passed: str
) -> list[LessonCandidate]:
    """The lessons of one rollout per failed call, each call then run again outside the
    sandbox with the output `passed`."""
    lessons = []
    for n, (command, output) in enumerate(failures):
        folder = tmp_path / str(n)
        folder.mkdir()
        run = _shell_run(folder, [(command, output), (command, passed)], frozenset({1}))
        lines = read_lines(folder / "rollout-x.jsonl")
        lessons += RulesExtractor().extract(run, list(find_episodes(run)), lines)
    return lessons


def _ran(output: str) -> str:
    return json.dumps({"output": output, "metadata": {"exit_code": 0}})


def _failed(output: str) -> str:
    return json.dumps({"output": output, "metadata": {"exit_code": 1}})


def test_the_failed_in_sandbox_words_are_cut_and_the_failure_kept(tmp_path: Path) -> None:
    failed = f"failed in sandbox: {_PROFILE_BANNER}\nsh: tsc: command not found\n"
    (_, result) = _shell_run(tmp_path, [("pnpm typecheck", failed)]).events
    assert (result.kind, result.exit_code) == (EventKind.ERROR, None)
    assert result.text == f"{_PROFILE_BANNER}\nsh: tsc: command not found\n"


def test_behind_the_banner_the_real_error_is_quoted_and_a_silent_search_is_no_failure(
    tmp_path: Path,
) -> None:
    """The profile's banner heads every output; the failed test run quotes its own error, and
    an `rg` whose only stderr is the banner found nothing."""
    run = _shell_run(
        tmp_path,
        [
            ("git status --short", _ran(f"{_PROFILE_BANNER}\n M src/a.ts\n")),
            ("ls src", _ran(f"{_PROFILE_BANNER}\na.ts\n")),
            ("pnpm test", f"failed in sandbox: {_PROFILE_BANNER}\nsh: vitest: command not found\n"),
            ('rg "denseRows" src', f"failed in sandbox: {_PROFILE_BANNER}\n"),
        ],
    )
    episodes = list(find_episodes(run))
    assert [(e.kind, e.call.text if e.call else "") for e in episodes] == [
        (LessonKind.FAILURE, "pnpm test")
    ]
    assert error_signature(episodes[0].trigger.text) == "sh: vitest: command not found"


def test_a_sandbox_that_cannot_start_is_one_lesson_of_the_machine(tmp_path: Path) -> None:
    """`gofmt -w` and `go mod tidy` both stopped by a sandbox that could not set its
    capabilities, both working once let out: the sandbox never started, one lesson of this
    machine whatever the command."""
    refused = "failed in sandbox: cannot set capabilities: Operation not permitted\n"
    commands = ["gofmt -w internal/db/migrator.go", "go mod tidy"]
    lessons = _let_out_lessons(tmp_path, [(c, refused) for c in commands], _ran(""))
    (text,) = {c.text for c in lessons}
    assert text.startswith("Codex's sandbox cannot start on this machine")
    assert "gofmt" not in text and "go mod" not in text
    assert all(c.fix and c.evidence.shows_fix for c in lessons)
    view = LessonView("id", "failure", text, "active", 2, None, None, (), (), lessons[0].fix)
    assert locality(view, Path("/w")) is Locality.MACHINE


def test_a_sandbox_that_ran_other_calls_did_start(tmp_path: Path) -> None:
    """`python3` worked inside the sandbox; only `go` met "cannot set capabilities" (a snap's
    confinement): the sandbox started, so the lesson is of some programs, not of all."""
    refused = "failed in sandbox: cannot set capabilities: Operation not permitted\n"
    run = _shell_run(
        tmp_path,
        [("python3 -c 'print(1)'", _ran("1")), ("go mod tidy", refused), ("go mod tidy", _ran(""))],
        frozenset({2}),
    )
    lessons = RulesExtractor().extract(
        run, list(find_episodes(run)), read_lines(tmp_path / "rollout-x.jsonl")
    )
    (text,) = {c.text for c in lessons}
    assert text.startswith("Some programs here (a snap's, for one) fail inside Codex's sandbox")
    view = LessonView("id", "failure", text, "active", 2, None, None, (), (), lessons[0].fix)
    assert locality(view, Path("/w")) is Locality.MACHINE


def test_a_program_the_sandbox_cannot_confine_is_a_lesson_for_codex_alone(
    tmp_path: Path,
) -> None:
    """A snap's `gofmt` stopped by the sandbox ("cannot set privileged capabilities"), another
    `gofmt` working inside it: true of Codex's sandbox only, so Claude Code's files never get it."""
    refused = "failed in sandbox: cannot set privileged capabilities: Operation not permitted\n"
    run = _shell_run(
        tmp_path,
        [("gofmt -w a.go", refused), ("/usr/local/go/bin/gofmt -w a.go", _ran(""))],
    )
    lessons = RulesExtractor().extract(
        run, list(find_episodes(run)), read_lines(tmp_path / "rollout-x.jsonl")
    )
    (lesson,) = lessons
    assert lesson.text.startswith("`gofmt` on the PATH fails inside Codex's sandbox here")
    assert lesson.fix == "/usr/local/go/bin/gofmt"
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert agents_of(replace(view, formats=frozenset({"codex"}))) == {"codex"}


def test_a_limit_given_after_codexs_default_stopped_a_call_is_its_fix(tmp_path: Path) -> None:
    """Codex's shell stops a call that set no limit after 10 s, whatever Claude Code's Bash
    would allow: the same command given `timeout_ms` and passing is the fix, not a retry."""
    timed_out = "Exit code: 124\nWall time: 10 seconds\nOutput:\ncommand timed out after 10043 milliseconds\n- Installing dependencies.\n"
    passed = "Exit code: 0\nWall time: 28.7 seconds\nOutput:\n✔ Created 2 files\n"
    command = "npx shadcn@latest add button card"
    run = _shell_run(tmp_path, [(command, timed_out), (command, passed)], limits={1: 120000})
    path = tmp_path / "rollout-x.jsonl"
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert lesson.text.startswith(
        "Codex's default time limit stops a shell call here unless the call sets `timeout_ms`"
    )
    assert lesson.fix == "a timeout of 120 s or more"
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert agents_of(replace(view, formats=frozenset({"codex"}))) == {"codex"}
    assert lesson.evidence.shows_fix


def test_every_command_codexs_default_limit_stopped_is_one_lesson(tmp_path: Path) -> None:
    """`npm install` and a build stopped at Codex's default limit, with no rerun seen: one
    lesson of the limit, no fix claimed; a `sudo` that timed out waited for a password."""
    stopped = json.dumps(
        {"output": "command timed out after 10010 milliseconds", "metadata": {"exit_code": 124}}
    )
    commands = ["npm install", "pnpm build", "sudo chown -R 501:20 node_modules"]
    run = _shell_run(tmp_path, [(command, stopped) for command in commands])
    lessons = RulesExtractor().extract(
        run, list(find_episodes(run)), read_lines(tmp_path / "rollout-x.jsonl")
    )
    limit = [c for c in lessons if c.text.startswith("Codex's default time limit")]
    assert len(limit) == 2 and len({c.text for c in limit}) == 1
    assert all(c.fix is None for c in limit)
    assert any(c.text.startswith("`sudo chown") for c in lessons)


def test_a_call_stopped_while_it_waited_for_an_answer_is_no_lesson_of_the_limit(
    tmp_path: Path,
) -> None:
    """`npx` asking "Ok to proceed? (y)" waits for a key no limit would give."""
    asked = json.dumps(
        {
            "output": "command timed out after 10043 milliseconds\nNeed to install create-vite\n"
            "Ok to proceed? (y) ",
            "metadata": {"exit_code": 124},
        }
    )
    run = _shell_run(tmp_path, [("npx create-vite@latest web", asked)])
    (lesson,) = RulesExtractor().extract(
        run, list(find_episodes(run)), read_lines(tmp_path / "rollout-x.jsonl")
    )
    assert not lesson.text.startswith("Codex's default time limit")


def test_an_inline_script_written_again_is_no_retry_in_codex(tmp_path: Path) -> None:
    """The here-document's script changed (an import added) and then ran: not "passed when
    run again", which would call it flaky."""
    body = "path = Path('specs/plan.md')\ntext = path.read_text()\ntext = text.replace('a', 'b')\npath.write_text(text)\n"
    script = f"python - <<'PY'\n{body}PY"
    fixed = f"python - <<'PY'\nfrom pathlib import Path\n{body}PY"
    crashed = "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\nNameError: name 'Path' is not defined\n"
    run = _shell_run(tmp_path, [(script, _failed(crashed)), (fixed, _ran("True"))])
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert "passed when run again" not in lesson.text and lesson.fix is None


def test_git_writes_refused_with_no_path_are_the_git_folders_lesson(tmp_path: Path) -> None:
    """`git add`, `git restore` and `git fetch` refused by the sandbox with no path named, each
    working let out: one lesson, `.git/`'s, not one per subcommand."""
    texts = set()
    for n, command in enumerate(
        ("git add app.js", "git restore --source HEAD -- app.js", "git fetch --all --prune")
    ):
        folder = tmp_path / str(n)
        folder.mkdir()
        refused = "failed in sandbox: Operation not permitted"
        run = _shell_run(folder, [(command, refused), (command, _ran(""))], frozenset({1}))
        lines = read_lines(folder / "rollout-x.jsonl")
        texts |= {c.text for c in RulesExtractor().extract(run, list(find_episodes(run)), lines)}
    (text,) = texts
    assert text.startswith("Codex's sandbox here cannot write under `.git/`")


def test_a_refusal_let_out_is_quoted_in_its_own_words(tmp_path: Path) -> None:
    """The server could not bind inside the sandbox, and a traceback of the shutdown followed:
    the quote is the refusal, not the traceback's last line."""
    crashed = (
        "ERROR: Unable to start XML-RPC server: Operation not permitted\n"
        'Traceback (most recent call last):\n  File "/usr/lib/python2.7/threading.py", line 801\n'
        "TypeError: 'NoneType' object is not callable\n"
    )
    calls = [
        ("rosrun nav manager.py", _failed(crashed)),
        ("rosrun nav manager.py", _ran("Waiting for data")),
    ]
    run = _shell_run(tmp_path, calls, escalated=frozenset({1}))
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert "fails inside Codex's sandbox" in lesson.text
    assert "Unable to start XML-RPC server" in lesson.evidence.quote


@pytest.mark.parametrize(
    ("command", "output", "later"),
    [
        # the network refused, not `.git/`
        (
            "git fetch origin",
            "fatal: unable to access 'https://github.com/o/r.git/': Failed to connect to "
            "github.com port 443 after 0 ms: Operation not permitted\n",
            _ran("Already up to date."),
        ),
        # a conflict, a profile's refused line above it
        (
            "git merge feature",
            "/etc/profile.d/x.sh: line 3: /usr/bin/renice: Operation not permitted\n"
            "CONFLICT (content): Merge conflict in src/app.ts\n"
            "Automatic merge failed; fix conflicts and then commit the result.\n",
            _ran("Merge made by the 'ort' strategy."),
        ),
        # a hook's test refused a socket: the commit's own failure
        (
            "git commit -m 'feat: x'",
            "E   PermissionError: [Errno 1] Operation not permitted\n"
            "FAILED tests/test_server.py::test_bind\nhusky - pre-commit hook exited with code 1\n",
            _ran("[main 1a2b3c] feat: x"),
        ),
    ],
)
def test_a_git_failure_that_is_not_a_refused_write_is_not_the_git_folders(
    tmp_path: Path, command: str, output: str, later: str
) -> None:
    run = _shell_run(tmp_path, [(command, _failed(output)), (command, later)], frozenset({1}))
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert all("cannot write under `.git/`" not in c.text for c in lessons)


def test_a_command_whose_end_the_run_never_shows_is_unfinished(tmp_path: Path) -> None:
    """Still running at its last poll (the user spoke, the file ends): no verdict, so it is
    no retry shown to work; one that exited later is finished."""
    running = _unified("make test", "Process running with session ID 7", "compiling\n")
    (started,) = [e for e in _polled(tmp_path, [("7", running)]) if e.role == "tool"]
    assert started.unfinished and started.exit_code is None
    exited = _unified("make test", "Process exited with code 0", "3 passed\n")
    (tmp_path / "b").mkdir()
    (ended,) = [e for e in _polled(tmp_path / "b", [("7", exited)]) if e.role == "tool"]
    assert not ended.unfinished and ended.exit_code == 0


def _exec(call_id: str, name: str, arguments: dict, output: str) -> list[dict]:  # type: ignore[type-arg]
    """One call of Codex's unified exec and its output, as rollout records."""
    return [
        {"type": "response_item", "payload": {"type": "function_call", "name": name,
         "call_id": call_id, "arguments": json.dumps(arguments)}},
        {"type": "response_item", "payload": {"type": "function_call_output",
         "call_id": call_id, "output": output}},
    ]  # fmt: skip


def _failures_of(tmp_path: Path, records: list[dict]) -> list:  # type: ignore[type-arg]
    from metis_distill.mine.episodes import find_episodes

    meta = {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}}
    run = parse_file(_rollout(tmp_path, [meta, *records], "2026-03-23T00:00:00Z"), tmp_path)
    return [e for e in find_episodes(run) if e.kind.value == "failure"]


def test_a_retry_still_running_when_the_user_spoke_is_no_fix(tmp_path: Path) -> None:
    failed = _unified("./gradlew build", "Process exited with code 1", "BUILD FAILED in 4s\n")
    running = _unified("./gradlew build", "Process running with session ID 9", "> Task :app\n")
    asked = {"type": "response_item", "payload": {"type": "message", "role": "user",
             "content": [{"type": "input_text", "text": "should the call go in LaunchedEffect?"}]}}  # fmt: skip
    records = [
        *_exec("c1", "exec_command", {"cmd": "./gradlew build"}, failed),
        *_exec("c2", "exec_command", {"cmd": "./gradlew build"}, running),
        asked,
    ]
    (failure,) = _failures_of(tmp_path, records)
    assert failure.fix is None  # not "passed when run again"


def test_another_form_still_running_at_its_last_poll_is_no_way(tmp_path: Path) -> None:
    traceback = (
        "Traceback (most recent call last):\nPermissionError: [Errno 1] Operation not permitted\n"
    )
    failed = _unified("python run.py", "Process exited with code 1", traceback)
    running = _unified("check && python run.py", "Process running with session ID 9", "")
    polled = _unified("check && python run.py", "Process running with session ID 9", "waiting\n")
    records = [
        *_exec("c1", "exec_command", {"cmd": "python run.py"}, failed),
        *_exec("c2", "exec_command", {"cmd": "check && python run.py"}, running),
        *_exec("c3", "write_stdin", {"session_id": 9, "chars": ""}, polled),
    ]
    failures = _failures_of(tmp_path, records)
    assert failures and all(e.fix is None for e in failures)


def test_the_records_of_codex_0_14x_are_known_and_make_no_event(tmp_path: Path) -> None:
    """What Codex 0.12x–0.14x writes beside the conversation (the environment the model is
    shown, settings applied, the guardian's review of a command, a subagent started and waited
    for, the model looking up its tools) is metadata: neither unknown nor an event."""
    records = [
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
        {"type": "world_state", "payload": {"full": True, "state": {"agents_md": {}}}},
        {"type": "event_msg", "payload": {"type": "thread_settings_applied",
         "thread_settings": {"model": "gpt-5.6", "approval_policy": "on-request"}}},
        {"type": "event_msg", "payload": {"type": "thread_name_updated", "name": "Fix it"}},
        {"type": "event_msg", "payload": {"type": "guardian_assessment", "status": "approved",
         "target_item_id": "c1", "risk_level": "low"}},
        {"type": "event_msg", "payload": {"type": "collab_agent_spawn_end", "call_id": "c2",
         "new_thread_id": "t2", "prompt": "Review the plan."}},
        {"type": "event_msg", "payload": {"type": "collab_waiting_end", "call_id": "c3",
         "agent_statuses": [{"thread_id": "t2", "status": {"completed": "Done."}}]}},
        {"type": "response_item", "payload": {"type": "tool_search_call", "call_id": "c4",
         "arguments": {"query": "job status", "limit": 8}}},
        {"type": "response_item", "payload": {"type": "tool_search_output", "call_id": "c4",
         "tools": []}},
    ]  # fmt: skip
    run = parse_file(_rollout(tmp_path, records, "2026-07-25T21:37:53Z"), tmp_path)
    assert run.stats.unknown_lines == 0 and run.events == ()


def test_a_socket_the_sandbox_refused_with_no_rerun_seen_is_the_sandboxs(tmp_path: Path) -> None:
    """`mix precommit` could not open its socket (`:eperm`) and the session went on without
    a rerun outside: no fix seen, but the line names Codex's sandbox, so it goes to Codex's
    personal file, never a project's file as a fault of the project's check."""
    refused = (
        "** (RuntimeError) failed to start Mix.PubSub, reason: failed to open a TCP socket in "
        "Mix.Sync.PubSub.subscribe/1, reason: :eperm"
    )
    run = _shell_run(tmp_path, [("mix precommit", _failed(refused))])
    lines = read_lines(tmp_path / "rollout-x.jsonl")
    (lesson,) = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert lesson.text.startswith("`mix precommit` fails inside Codex's sandbox here: “")
    assert lesson.fix is None
