"""Claude Code's background commands: how a command started with `run_in_background` ended is
told by the poll that waited on it (authored transcripts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metis_distill.models import EventKind, Run
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from tests.mine.test_episodes import failure_lessons

Record = dict[str, Any]
TASK = "b0de493"
STARTED = (
    f"Command running in background with ID: {TASK}. Output is being written to: "
    f"/tmp/claude/-w/tasks/{TASK}.output"
)
JEST_MISSING = "> shop@1.0.0 test\n> jest\n\nsh: 1: jest: not found"


def call(tool_id: str, name: str, **tool_input: Any) -> Record:
    block = {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}
    return {"type": "assistant", "message": {"content": [block]}}


def result(tool_id: str, text: str, tool_use_result: Any = None) -> Record:
    block = {"type": "tool_result", "tool_use_id": tool_id, "content": text, "is_error": False}
    record: Record = {"type": "user", "message": {"content": [block]}}
    if tool_use_result is not None:
        record["toolUseResult"] = tool_use_result
    return record


def background(tool_id: str, command: str) -> list[Record]:
    """A command sent to the background, and the answer that it was."""
    started = {"stdout": "", "stderr": "", "backgroundTaskId": TASK}
    return [
        call(tool_id, "Bash", command=command, run_in_background=True),
        result(tool_id, STARTED, started),
    ]


def task_output(status: str, code: int | None, output: str) -> str:
    """A `TaskOutput` result as Claude Code 2.1 writes it."""
    parts = [
        "<retrieval_status>success</retrieval_status>",
        f"<task_id>{TASK}</task_id>",
        "<task_type>local_bash</task_type>",
        f"<status>{status}</status>",
    ]
    if code is not None:
        parts.append(f"<exit_code>{code}</exit_code>")
    parts.append(f"<output>\n{output}\n</output>")
    return "\n\n".join(parts)


def bash_output(code: int, stdout: str, stderr: str) -> str:
    """A `BashOutput` result as Claude Code 2.0 writes it."""
    return (
        f"<status>completed</status>\n\n<exit_code>{code}</exit_code>\n\n"
        f"<stdout>\n{stdout}\n</stdout>\n\n<stderr>\n{stderr}\n</stderr>\n\n"
        "<timestamp>2026-11-01T10:01:00.000Z</timestamp>"
    )


def parse(tmp_path: Path, records: list[Record]) -> tuple[Run, Path]:
    path = tmp_path / "p" / "s.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    base = {"sessionId": "s1", "cwd": "/w", "timestamp": "2026-11-01T10:00:00Z"}
    lines = [json.dumps({**base, "uuid": f"u{n}", **r}) for n, r in enumerate(records, 1)]
    path.write_text("\n".join(lines) + "\n")
    return parse_file(path, tmp_path), path


def results(run: Run) -> list[tuple[str | None, EventKind, str, int | None]]:
    return [(e.tool_name, e.kind, e.text, e.exit_code) for e in run.events if e.role == "tool"]


def test_the_poll_that_waited_tells_how_the_command_ended(tmp_path: Path) -> None:
    output = f"[Truncated. Full output: /tmp/claude/-w/tasks/{TASK}.output]\n\n{JEST_MISSING}"
    run, path = parse(
        tmp_path,
        [
            *background("t1", "npm test"),
            {"type": "assistant", "message": {"content": [{"type": "text", "text": "Waiting."}]}},
            call("t2", "TaskOutput", task_id=TASK, block=True, timeout=180000),
            result("t2", task_output("failed", 1, output)),
        ],
    )
    assert results(run) == [("Bash", EventKind.ERROR, JEST_MISSING, 1)]
    (failed,) = [e for e in run.events if e.role == "tool"]
    assert (failed.ref.line_start, failed.ref.line_end) == (2, 5)
    assert quote_in_span(path, 2, 5, "jest: not found")


def test_bash_output_of_claude_code_2_0_is_read_the_same(tmp_path: Path) -> None:
    run, _ = parse(
        tmp_path,
        [
            *background("t1", "pnpm build"),
            call("t2", "Bash", command="sleep 30"),
            result("t2", ""),
            call("t3", "BashOutput", bash_id=TASK),
            result("t3", bash_output(2, "building…", "Error: Cannot find module 'vite'")),
        ],
    )
    assert results(run) == [
        ("Bash", EventKind.ERROR, "building…\nError: Cannot find module 'vite'", 2)
    ]


def test_a_task_still_running_is_finished_by_a_later_poll(tmp_path: Path) -> None:
    still = task_output("running", None, "compiling…").replace("success", "timeout")
    run, _ = parse(
        tmp_path,
        [
            *background("t1", "cargo build"),
            call("t2", "TaskOutput", task_id=TASK, block=True, timeout=30000),
            result("t2", still),
            call("t3", "Read", file_path=f"/tmp/claude/-w/tasks/{TASK}.output"),
            result("t3", "     1→compiling…"),
            call("t4", "TaskOutput", task_id=TASK, block=True),
            result("t4", task_output("completed", 0, "Finished dev profile")),
        ],
    )
    bash = [r for r in results(run) if r[0] == "Bash"]
    assert bash == [("Bash", EventKind.TOOL_RESULT, "Finished dev profile", 0)]
    assert [r[0] for r in results(run)] == ["Bash", "TaskOutput", "Read"]


@pytest.mark.parametrize(
    "between",
    [
        [call("t5", "Edit", file_path="a.ts", old_string="a", new_string="b"), result("t5", "ok")],
        [call("t5", "Bash", command="curl localhost:3000"), result("t5", "<html>")],
    ],
)
def test_a_task_left_running_while_the_agent_worked_gets_no_verdict(
    tmp_path: Path, between: list[Record]
) -> None:
    """A dev server started in the background, then other work: its end, read later, is no
    verdict on the command that started it."""
    run, _ = parse(
        tmp_path,
        [
            *background("t1", "npm run dev"),
            *between,
            call("t2", "TaskOutput", task_id=TASK, block=False),
            result("t2", task_output("failed", 1, "Error: listen EADDRINUSE :::3000")),
        ],
    )
    bash = [r for r in results(run) if r[0] == "Bash" and r[2] == STARTED]
    assert bash == [("Bash", EventKind.TOOL_RESULT, STARTED, None)]
    assert any(r[0] == "TaskOutput" for r in results(run))


def test_a_task_killed_is_no_verdict(tmp_path: Path) -> None:
    run, _ = parse(
        tmp_path,
        [
            *background("t1", "npm run watch"),
            call("t2", "TaskOutput", task_id=TASK, block=True),
            result("t2", task_output("killed", None, "watching…")),
        ],
    )
    assert [r[2] for r in results(run)] == [STARTED, task_output("killed", None, "watching…")]


def test_a_background_failure_and_the_fix_after_it_make_a_lesson(tmp_path: Path) -> None:
    lessons = failure_lessons(
        tmp_path,
        [
            *background("t1", "npm test"),
            call("t2", "TaskOutput", task_id=TASK, block=True),
            result("t2", task_output("failed", 1, JEST_MISSING)),
            call("t3", "Bash", command="npx jest"),
            result("t3", "Tests: 12 passed, 12 total"),
        ],
    )
    (lesson,) = lessons
    assert lesson.fix == "npx jest" and "`npx jest" in lesson.text
    assert "jest: " in lesson.text


def test_an_output_that_prints_the_tag_is_read_whole(tmp_path: Path) -> None:
    printed = "rendering <output> templates\n</output> closed early\nError: template not found"
    run, _ = parse(
        tmp_path,
        [
            *background("t1", "npm run render"),
            call("t2", "TaskOutput", task_id=TASK, block=True),
            result("t2", task_output("failed", 1, printed)),
        ],
    )
    assert results(run) == [("Bash", EventKind.ERROR, printed, 1)]


def test_an_output_that_prints_the_status_tag_keeps_the_verdict(tmp_path: Path) -> None:
    printed = "<health><status>DOWN</status></health>\nsh: 1: jest: not found"
    run, _ = parse(
        tmp_path,
        [
            *background("t1", "npm test"),
            call("t2", "TaskOutput", task_id=TASK, block=True),
            result("t2", task_output("failed", 1, printed)),
        ],
    )
    assert results(run) == [("Bash", EventKind.ERROR, printed, 1)]
