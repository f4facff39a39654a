from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from metis_distill.models import EventKind
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
