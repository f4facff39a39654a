from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from metis_distill.mine.signals import is_failure, is_rejection
from metis_distill.models import Event, EventKind
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES

ROOT = FIXTURES / "claude_code"


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    return parse_file(DEMO_FILE, ROOT)


def test_run_metadata_comes_from_the_lines(run) -> None:  # type: ignore[no-untyped-def]
    assert run.session_id == "0f3c2a9e-5b1d-4c7e-9a2f-7d6e5c4b3a21"
    assert run.project == "-home-dev-src-demo"
    assert run.cwd == "/home/dev/src/demo"
    assert run.git_branch == "main"
    assert run.path == f"-home-dev-src-demo/{DEMO_FILE.name}"
    assert run.started_at is not None and run.ended_at is not None
    assert run.started_at < run.ended_at
    assert not run.is_subagent


def test_corrupt_and_truncated_lines_are_skipped_and_counted(run) -> None:  # type: ignore[no-untyped-def]
    assert run.stats.corrupt_line_numbers == (8, 19)
    after = [e for e in run.events if e.ref.line_start > 8]
    assert len(after) >= 6, "lines after the corrupt one must still yield events"


def test_unknown_types_images_and_metadata(run) -> None:  # type: ignore[no-untyped-def]
    assert run.stats.unknown_lines == 1
    assert run.stats.skipped_images == 1
    assert all(e.ref.line_start != 1 for e in run.events)  # permission-mode is metadata


def test_the_mode_bridge_and_backup_lines_of_recent_versions_are_metadata(tmp_path: Path) -> None:
    sid = "70fa8c66-0000-4000-8000-000000000001"
    lines = [
        {"type": "mode", "mode": "normal", "sessionId": sid},
        {"type": "bridge-session", "sessionId": sid, "bridgeSessionId": "cse_01", "lastSequenceNum": 0},
        {"type": "file-history-delta", "messageId": "m1", "trackingPath": "/work/app/run.sh",
         "backup": {"backupFileName": "98c8@v1", "version": 1}},
        {"type": "user", "sessionId": sid, "uuid": "u1", "timestamp": "2026-05-01T10:00:00Z",
         "cwd": "/work/app", "message": {"role": "user", "content": "run the tests"}},
    ]  # fmt: skip
    path = tmp_path / "p" / f"{sid}.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    parsed = parse_file(path, tmp_path)
    assert parsed.stats.unknown_lines == 0
    assert [e.ref.line_start for e in parsed.events] == [4]


def test_event_kinds_and_refs(run) -> None:  # type: ignore[no-untyped-def]
    kinds = Counter(e.kind for e in run.events)
    assert kinds[EventKind.TOOL_CALL] == 4
    assert kinds[EventKind.ERROR] == 2
    assert kinds[EventKind.INTERRUPT] == 1
    assert kinds[EventKind.SUMMARY] == 1
    error = next(e for e in run.events if e.kind is EventKind.ERROR)
    assert error.exit_code == 127 and error.tool_name == "Bash"
    assert (error.ref.line_start, error.ref.line_end, error.ref.native_id) == (4, 4, "u-003")
    call = next(
        e for e in run.events if e.tool_use_id == "toolu_2" and e.kind is EventKind.TOOL_CALL
    )
    assert call.text == "uv run pytest -q"


def test_secrets_are_redacted_at_read_time(run) -> None:  # type: ignore[no-untyped-def]
    texts = "\n".join(e.text for e in run.events)
    assert "sk-ant-api03" not in texts
    assert "[REDACTED:anthropic_key]" in texts


def test_every_event_text_is_quotable_from_its_line(run) -> None:  # type: ignore[no-untyped-def]
    for event in run.events:
        snippet = event.text.split("\n")[0][:60]
        assert quote_in_span(
            ROOT / event.ref.path, event.ref.line_start, event.ref.line_end, snippet
        ), event


def test_the_archive_is_not_written(tmp_path: Path) -> None:
    before = DEMO_FILE.stat().st_mtime_ns, DEMO_FILE.read_bytes()
    parse_file(DEMO_FILE, ROOT)
    assert (DEMO_FILE.stat().st_mtime_ns, DEMO_FILE.read_bytes()) == before


def test_subagent_files_are_marked(tmp_path: Path) -> None:
    folder = tmp_path / "proj" / "abc" / "subagents"
    folder.mkdir(parents=True)
    path = folder / "agent-a1.jsonl"
    path.write_text(
        '{"type":"user","isSidechain":true,"agentId":"a1","sessionId":"abc","cwd":"/w",'
        '"uuid":"x","message":{"role":"user","content":"look around"}}\n'
    )
    run = parse_file(path, tmp_path)
    assert run.is_subagent and run.project == "proj" and run.session_id == "abc"


@pytest.mark.corpus
def test_every_corpus_transcript_parses(corpus: Path) -> None:
    files = sorted((corpus / "claude-code").glob("*.jsonl"))
    assert len(files) >= 10
    total_events = 0
    for path in files:
        run = parse_file(path, corpus)
        line_count = len([x for x in read_lines(path) if x.strip()])
        assert run.stats.lines == line_count
        assert all(
            1 <= e.ref.line_start <= e.ref.line_end <= len(read_lines(path)) for e in run.events
        )
        total_events += len(run.events)
    assert total_events > 1000


@pytest.mark.parametrize("mark", ["", "@1a2b3c4d"])
def test_a_line_carried_over_from_the_last_session_does_not_name_the_file(
    tmp_path: Path, mark: str
) -> None:
    """A plan accepted in one session starts the next with a line of the old one: the file is
    the session it is named by, which its other lines carry."""
    old, new = "aaaa1111-0000-4000-8000-000000000001", "bbbb2222-0000-4000-8000-000000000002"
    lines = [
        '{"type":"file-history-snapshot","messageId":"m","snapshot":{}}',
        f'{{"type":"user","sessionId":"{old}","cwd":"/w","uuid":"u1",'
        '"message":{"role":"user","content":"[Request interrupted by user for tool use]"}}',
        f'{{"type":"user","sessionId":"{new}","cwd":"/w","uuid":"u2",'
        '"message":{"role":"user","content":"Implement the plan"}}',
    ]
    path = tmp_path / "proj" / f"{new}{mark}.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n")
    assert parse_file(path, tmp_path).session_id == new


@pytest.mark.corpus
def test_file_name_is_not_the_session_id(corpus: Path) -> None:
    path = next((corpus / "claude-code").glob("CaptainRandom00__*.jsonl"))
    run = parse_file(path, corpus)
    assert run.session_id.startswith("d32a8ce8") and "d32a8ce8" not in path.name


def test_a_copy_named_after_its_session_keeps_it_whatever_line_two_says(tmp_path: Path) -> None:
    """A session continued from a plan carries the plan's id on its first message; the file
    is named by its own (`<prefix>__<session id>.jsonl` when copied under another name)."""
    own, plan = "67739a9e-f6ee-4e51-95a9-efddce02b2ce", "b5ebdb23-d653-4f59-9172-19f857855402"
    lines = [
        {"type": "user", "sessionId": plan, "uuid": "u0", "timestamp": "2026-02-27T08:26:44Z",
         "cwd": "/work/app", "message": {"role": "user", "content": "Implement the plan"}},
        {"type": "user", "sessionId": own, "uuid": "u1", "timestamp": "2026-02-27T08:26:45Z",
         "cwd": "/work/app", "message": {"role": "user", "content": "run the tests"}},
    ]  # fmt: skip
    path = tmp_path / f"someone__repo__{own}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert parse_file(path, tmp_path).session_id == own


def _turned_down(tmp_path: Path, tool: str, said: str, **record: object) -> Event:
    """A call and its error result as Claude Code 2.0 wrote them: `record` adds to (or, None,
    takes from) the records; the result's `toolUseResult` is "Error: " and the text."""
    inputs = {"command": "make test"} if tool == "Bash" else {"file_path": "/w/a.py"}
    use = {"type": "tool_use", "id": "t1", "name": tool, "input": inputs}
    block = {"type": "tool_result", "tool_use_id": "t1", "content": said, "is_error": True}
    version = record.pop("version", "2.0.4")
    base = {"sessionId": "s1", "cwd": "/w", "version": version, "timestamp": "2026-01-02T10:00:00Z"}
    answer = {**base, "type": "user", "uuid": "u2", "message": {"role": "user", "content": [block]},
              "toolUseResult": "Error: " + said.removeprefix("Error: ")}  # fmt: skip
    answer = {k: v for k, v in {**answer, **record}.items() if v is not None}
    lines = [{**base, "type": "assistant", "uuid": "u1", "message": {"content": [use]}}, answer]
    path = tmp_path / "p" / "s.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (event,) = [e for e in parse_file(path, tmp_path).events if e.role == "tool"]
    return event


@pytest.mark.parametrize(
    ("tool", "said"),
    [
        ("Bash", 'Use "make unit NAME=<the test>" to run one test, not make test'),
        ("Edit", "I renamed the column myself already.  Just run the migration again"),
        ("Write", "Should we keep the old loader?  Maybe wrap it rather than replace it?"),
        ("Edit", "No.  Can you leave the generated client alone and change the caller?"),
        ("Edit", "Error: Please don't touch the fixtures, we regenerate them"),  # "Error: " twice
    ],
)
def test_a_call_turned_down_with_words_in_claude_code_2_0_is_a_rejection(
    tmp_path: Path, tool: str, said: str
) -> None:
    """Claude Code 2.0 (its VS Code extension) answered a call the user turned down with
    words of theirs by an error holding only the words: the user's rejection, not a failure."""
    event = _turned_down(tmp_path, tool, said)
    assert event.kind is EventKind.ERROR and event.rejected and is_rejection(event)
    assert not is_failure(event)


def test_the_words_are_a_rejection_in_a_copy_a_resumed_session_made(tmp_path: Path) -> None:
    """The copy of the lines a resumed session begins with has no `toolUseResult`."""
    said = "I fixed the seed data by hand.  Try the import again without changes"
    assert _turned_down(tmp_path, "Edit", said, toolUseResult=None).rejected


@pytest.mark.parametrize(
    ("tool", "said", "record"),
    [
        ("Bash", "ls: cannot access 'my notes': No such file or directory", {}),
        ("Bash", "fatal: I don't handle protocol 'gitx'", {}),
        ("Bash", "Error", {}),
        ("Bash", "Usage Error: Couldn't find a script named \"test:all\".\n\n$ yarn run <name>", {}),
        ("Bash", "We moved the docs.\nUse the new site instead", {}),  # a program's lines
        ("Edit", "File has been unexpectedly modified. Read it again before writing to it.", {}),
        ("Read", "File content (31000 tokens) exceeds maximum allowed tokens (25000). Please "
                 "use offset and limit parameters to read specific portions of the file.", {}),
        ("WebFetch", "Request failed with status code 404", {}),
        # an MCP server's own advice, worded as a person would tell it
        ("mcp__files__read", "Use the absolute path instead of a relative one", {}),
        ("Bash", "Use make unit NAME=the-test instead of make test", {"version": "2.1.30"}),
        ("Bash", "Use make unit NAME=the-test instead of make test", {"version": "1.0.44"}),
        ("Bash", "Use make unit NAME=the-test instead of make test",
         {"toolUseResult": {"stdout": "", "stderr": "x"}}),
    ],
)  # fmt: skip
def test_a_tool_error_of_claude_code_2_0_is_no_rejection(
    tmp_path: Path, tool: str, said: str, record: dict[str, object]
) -> None:
    """The same record says a program's or the harness's error: not said by a person (one
    line, no `name: ` of a program, no error's words), another version, another result."""
    event = _turned_down(tmp_path, tool, said, **record)
    assert event.kind is EventKind.ERROR and not event.rejected and not is_rejection(event)


@pytest.mark.parametrize(
    ("tool", "said", "version"),
    [
        # the harness's own words for a hook's refusal, whatever its version
        ("Bash", "PreToolUse:Bash hook error: [python3 ~/.hooks/guard.py]: Blocked: pushing "
                 "to main needs a review first", "2.1.120"),
        ("Write", "PreToolUse:Write hook error: [node check.js]: vendored files stay as they are",
         "1.0.88"),
        ("Bash", "Hook PreToolUse:Bash denied this tool", "2.1.143"),
        # from 2.1 on, the hook's reason alone, as the error of one of Claude Code's own tools
        ("Edit", "[Review Gate]\n\nBefore changing /w/a.py, name the modules that import it.\n\n"
                 "Then send the same edit again.", "2.1.140"),
        ("Write", "STOP: files under fixtures/ are generated; change the generator.", "2.1.92"),
        ("Bash", "Risky command held back by the team's guard: matched 'git reset --hard'",
         "2.1.126"),
        ("PowerShell", "[Review Gate]\n\nBefore the first command, say what you mean to do.",
         "2.1.140"),
    ],
)  # fmt: skip
def test_a_call_a_hook_of_the_user_refused_is_no_failure(
    tmp_path: Path, tool: str, said: str, version: str
) -> None:
    """A PreToolUse hook of the user's turned the call down before it ran: neither the tool
    nor the command failed, and no person said no."""
    event = _turned_down(tmp_path, tool, said, version=version)
    assert event.kind is EventKind.ERROR and event.hooked and not event.rejected
    assert not is_failure(event) and not is_rejection(event)


@pytest.mark.parametrize(
    ("tool", "said", "record"),
    [
        ("Bash", "Exit code 1\nnpm error Missing script: test", {"version": "2.1.140"}),
        ("Edit", "<tool_use_error>String to replace not found in file.\nString: x</tool_use_error>",
         {"version": "2.1.140"}),
        ("Bash", "Command timed out after 2m 0.0s", {"version": "2.1.140"}),
        ("Bash", "cd to '/srv/other' was blocked. For security, Claude Code may only change "
                 "directories to the allowed working directories for this session.",
         {"version": "2.1.140"}),
        # before 2.1 Claude Code's own tools said their errors bare
        ("Edit", "File has been unexpectedly modified. Read it again before writing to it.",
         {"version": "2.0.65"}),
        ("MultiEdit", "String not found in file. Failed to apply edit.", {"version": "1.0.35"}),
        # tools whose own errors are bare in every version
        ("Read", "File does not exist. Note: your current working directory is /w.",
         {"version": "2.1.140"}),
        ("WebFetch", "Request failed with status code 404", {"version": "2.1.140"}),
        # the tool ran: its result is the tool's own
        ("Bash", "Something broke on the way", {"version": "2.1.140", "toolUseResult": {"stdout": ""}}),
    ],
)  # fmt: skip
def test_an_error_of_the_tool_itself_is_no_hooks(
    tmp_path: Path, tool: str, said: str, record: dict[str, object]
) -> None:
    event = _turned_down(tmp_path, tool, said, **record)
    assert event.kind is EventKind.ERROR and not event.hooked


def test_a_refusal_of_the_users_in_2_1_is_still_theirs(tmp_path: Path) -> None:
    said = "The user doesn't want to proceed with this tool use. The tool use was rejected."
    event = _turned_down(tmp_path, "Edit", said, version="2.1.140")
    assert is_rejection(event) and not event.hooked
    said = (
        "Permission to use Write has been denied because Claude Code is running in don't ask mode."
    )
    assert not _turned_down(tmp_path, "Write", said, version="2.1.140").hooked
