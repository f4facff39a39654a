"""Claude Code's compaction agent (`<session>/subagents/agent-acompact-….jsonl`) replays its
session: read once, in the session file."""

from __future__ import annotations

import shutil
from pathlib import Path

from metis_distill import sources
from metis_distill.inventory import inventory
from metis_distill.models import EventKind
from metis_distill.pipeline.discover import discover
from metis_distill.sources.claude_code import parse_file
from tests.conftest import FIXTURES

ROOT = FIXTURES / "claude_code_compaction"
SESSION_ID = "5e0b7c1d-2f4a-4b8e-9c3d-1a2b3c4d5e6f"
SESSION = ROOT / "-home-dev-src-tally" / f"{SESSION_ID}.jsonl"
REPLAY = SESSION.with_suffix("") / "subagents" / "agent-acompact-0f1e2d3c4b5a6978.jsonl"


def test_the_compaction_agents_file_is_skipped_as_a_replay_of_its_session() -> None:
    detected = sources.detect(REPLAY)
    assert detected.format is None
    assert "compaction agent" in detected.reason and SESSION.name in detected.reason
    assert sources.detect(SESSION).format is sources.by_name("claude_code")


def test_sources_counts_the_session_once_and_says_why_the_replay_is_left() -> None:
    counts, skipped = inventory(ROOT)
    assert [(c.format, c.runs) for c in counts] == [("claude_code", 1)]
    assert [where for where, _ in skipped] == [REPLAY.relative_to(ROOT).as_posix()]


def test_the_sessions_failure_is_read_once() -> None:
    assert discover(ROOT) == [SESSION]
    run = parse_file(SESSION, ROOT)
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert len(errors) == 1 and "Cannot find module 'vitest/config'" in errors[0].text


def test_a_replay_without_its_session_file_is_read(tmp_path: Path) -> None:
    """The archive holds no session file: the replay is the only copy of its records."""
    copy = tmp_path / REPLAY.relative_to(ROOT)
    copy.parent.mkdir(parents=True)
    shutil.copyfile(REPLAY, copy)
    assert sources.detect(copy).format is sources.by_name("claude_code")
    run = parse_file(copy, tmp_path)
    assert run.is_subagent and run.session_id == SESSION_ID
    assert any(e.kind is EventKind.ERROR for e in run.events)
