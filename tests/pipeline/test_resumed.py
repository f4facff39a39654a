"""A Codex rollout read again from its resume point gives the run the whole file gives: the
turn's sandbox policy, written at the turn's start far before the context read, still holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metis_distill import textio
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonKind
from metis_distill.pipeline.discover import FileInfo
from metis_distill.pipeline.extraction import _parsed
from metis_distill.textio import last_line_before, numbered_raw_lines

_AT = "2026-04-11T21:30:00Z"


def _record(kind: str, payload: dict) -> str:  # type: ignore[type-arg]
    return json.dumps({"timestamp": _AT, "type": kind, "payload": payload})


def _exec(call_id: str, command: str) -> str:
    arguments = json.dumps({"cmd": command})
    item = {"type": "function_call", "name": "exec_command", "arguments": arguments}
    return _record("response_item", {**item, "call_id": call_id})


def _exit(call_id: str, code: int, printed: str) -> str:
    output = f"Chunk ID: 1b\nWall time: 0.4 seconds\nProcess exited with code {code}\n"
    output += f"Original token count: 30\nOutput:\n{printed}"
    item = {"type": "function_call_output", "call_id": call_id, "output": output}
    return _record("response_item", item)


def _rollout(tmp_path: Path) -> tuple[Path, int, int]:
    """A long turn in a sandbox without network: many files read (more than the context a
    resumed read takes), then, after the resume point, a pull that found no host."""
    meta = {"id": "r7", "timestamp": _AT, "cwd": "/srv/shop", "cli_version": "0.104.0"}
    policy = {"type": "workspace-write", "network_access": False}
    night = [
        _record("session_meta", meta),
        _record("turn_context", {"cwd": "/srv/shop", "sandbox_policy": policy}),
    ]
    for n in range(70):
        night += [
            _exec(f"c{n}", f"cat lib/part{n}.rb"),
            _exit(f"c{n}", 0, "def total; end\n" * 300),
        ]
    later = [
        _exec("p1", "git pull --rebase"),
        _exit(
            "p1",
            1,
            "ssh: Could not resolve hostname gitlab.example.org: Name or service not known\n"
            "fatal: Could not read from remote repository.",
        ),
    ]
    first = "\n".join(night) + "\n"
    path = tmp_path / "rollout-2026-04-11T21-30-00-r7.jsonl"
    path.write_text(first + "\n".join(later) + "\n")
    return path, len(first.encode()), len(night) + 1


def _lessons(path: Path, info: FileInfo) -> list[str]:
    run, _, lines = _parsed(path, info)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return [c.text for c in RulesExtractor().extract(run, episodes, lines)]


@pytest.mark.parametrize("chunk", [1 << 20, 4096])
def test_a_resumed_codex_read_keeps_the_turns_sandbox_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(textio, "_BACK_CHUNK", chunk)
    path, offset, first_line = _rollout(tmp_path)
    assert offset > textio.CONTEXT_BYTES  # the policy is out of the context read before
    size = path.stat().st_size
    whole = _lessons(path, FileInfo(path.name, size, 0, "codex"))
    resumed = FileInfo(
        path.name, size, 0, "codex", offset, first_line, session_id="r7", cwd="/srv/shop"
    )
    assert whole and "no network" in whole[0]
    assert _lessons(path, resumed) == whole


def test_the_last_line_before_an_offset_is_found_with_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textio, "_BACK_CHUNK", 64)
    path, offset, first_line = _rollout(tmp_path)
    numbered = dict(numbered_raw_lines(path))
    found = last_line_before(path, offset, first_line, b"turn_context", lambda line: True)
    assert found is not None and found == (2, numbered[2])
    found = last_line_before(path, offset, first_line, b'"c69"', lambda line: True)
    assert found is not None and found == (first_line - 1, numbered[first_line - 1])
    assert last_line_before(path, offset, first_line, b"nowhere", lambda line: True) is None
