"""Claude Code's Bash tool keeps the folder an earlier call moved into: a `cd` into it again,
or a path from the project root, fails. One lesson, the cause known, no way invented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metis_distill.mine.kept_cwd import KEPT_CWD_TEXT
from tests.mine.test_episodes import call, failure_lessons, result

MOVED = [call("t1", "cd insight && python train.py --epochs 1"), result("t1", "epoch 1 done")]


def grep(tool_id: str, path: str) -> dict[str, Any]:
    inputs = {"pattern": "def mel", "path": path, "output_mode": "content"}
    block = {"type": "tool_use", "id": tool_id, "name": "Grep", "input": inputs}
    return {"type": "assistant", "message": {"content": [block]}}


@pytest.mark.parametrize(
    "records",
    [
        [
            call("t2", "cd insight && python test_checkpoint.py"),
            result("t2", "Exit code 1\nbash: line 1: cd: insight: No such file or directory", True),
        ],
        [  # zsh says it the other way round
            call("t2", "cd insight && ls"),
            result("t2", "Exit code 1\n(eval):cd:1: no such file or directory: insight", True),
        ],
        [
            grep("t2", "insight/dsp_frontend.py"),
            result(
                "t2",
                "<tool_use_error>Path does not exist: insight/dsp_frontend.py. Note: your "
                "current working directory is /teamspace/studio/insight.</tool_use_error>",
                True,
            ),
        ],
    ],
)
def test_the_folder_an_earlier_call_moved_into_is_the_cause(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    lessons = failure_lessons(tmp_path, [*MOVED, *records])
    assert [(c.text, c.fix) for c in lessons] == [(KEPT_CWD_TEXT, None)]


@pytest.mark.parametrize(
    "records",
    [
        # no earlier call moved there: the folder is missing
        [
            call("t2", "cd web && npm test"),
            result("t2", "Exit code 1\nbash: line 1: cd: web: No such file or directory", True),
        ],
        # the harness notes its folder, which no call moved into: the project's own subfolder
        [
            grep("t2", "myapp/dates.py"),
            result(
                "t2",
                "<tool_use_error>Path does not exist: myapp/dates.py. Note: your current "
                "working directory is /w/myapp.</tool_use_error>",
                True,
            ),
        ],
        # the last move was elsewhere
        [
            call("t2", "cd /w && git status"),
            result("t2", "On branch main"),
            call("t3", "cd insight && ls"),
            result("t3", "Exit code 1\nbash: line 1: cd: insight: No such file or directory", True),
        ],
    ],
)
def test_a_folder_no_earlier_call_stood_in_is_not_this_cause(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    said = records[0]["message"]["content"][0]["input"]
    moved = [] if "web" in said.get("command", "") or "myapp" in said.get("path", "") else MOVED
    lessons = failure_lessons(tmp_path, [*moved, *records])
    assert all(c.text != KEPT_CWD_TEXT for c in lessons)


def _openhands_call(first: int, command: str, output: str, exit_code: int) -> list[dict[str, Any]]:
    call_id = f"toolu_{first}"
    return [
        {
            "id": first,
            "timestamp": f"2025-03-02T10:00:{first:02d}",
            "source": "agent",
            "message": f"Running command: {command}",
            "action": "run",
            "tool_call_metadata": {"function_name": "execute_bash", "tool_call_id": call_id},
            "args": {"command": command},
        },
        {
            "id": first + 1,
            "timestamp": f"2025-03-02T10:00:{first + 1:02d}",
            "source": "agent",
            "message": f"Command `{command}` executed with exit code {exit_code}.",
            "cause": first,
            "observation": "run",
            "content": output,
            "tool_call_metadata": {"function_name": "execute_bash", "tool_call_id": call_id},
            "extras": {"command": command, "metadata": {"exit_code": exit_code}},
        },
    ]


def test_another_agents_kept_folder_is_said_of_its_own_shell(tmp_path: Path) -> None:
    """OpenHands keeps one shell for the run too: the lesson is its own, not "Claude Code's
    Bash tool", and it is placed in no other agent's file."""
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.mine.episodes import find_episodes
    from metis_distill.mine.kept_cwd import KEPT_CWD_ELSEWHERE
    from metis_distill.placement.agents import _OWN_WAYS
    from metis_distill.sources.trajectory import parse_file
    from metis_distill.textio import read_lines

    missing = "bash: cd: backend: No such file or directory"
    events = [
        *_openhands_call(0, "cd backend && pytest -q", "3 passed", 0),
        *_openhands_call(2, "cd backend && pytest -q test_feed.py", missing, 1),
    ]
    path = tmp_path / "session.json"
    path.write_text(json.dumps(events))
    run = parse_file(path, tmp_path)
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert [c.text for c in lessons] == [KEPT_CWD_ELSEWHERE]
    assert "Claude Code" not in KEPT_CWD_ELSEWHERE and _OWN_WAYS.search(KEPT_CWD_ELSEWHERE)


def test_codex_runs_each_command_in_a_fresh_shell_so_no_folder_is_kept(tmp_path: Path) -> None:
    """`cd web` failing after an earlier `cd web && …` worked is no kept folder under Codex:
    each of its commands starts where the session started."""
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.mine.episodes import find_episodes
    from metis_distill.mine.kept_cwd import KEPT_CWD_ELSEWHERE
    from metis_distill.sources.codex import parse_file as parse_codex
    from metis_distill.textio import read_lines
    from tests.sources.test_codex import _exec, _rollout, _unified

    ran = _unified("cd web && npm ci", "Process exited with code 0", "added 3 packages\n")
    missing = "zsh:cd:1: no such file or directory: web\n"
    failed = _unified("cd web && npm test", "Process exited with code 1", missing)
    records = [
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
        *_exec("c1", "exec_command", {"cmd": "cd web && npm ci"}, ran),
        *_exec("c2", "exec_command", {"cmd": "cd web && npm test"}, failed),
    ]
    path = _rollout(tmp_path, records, "2026-03-23T00:00:00Z")
    run = parse_codex(path, tmp_path)
    lessons = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert lessons and all(c.text not in (KEPT_CWD_TEXT, KEPT_CWD_ELSEWHERE) for c in lessons)
