"""Edit calls shown with their diffs, recovered from their own line of the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metis_distill.extract.edits import edit_diff
from metis_distill.models import Event, EventKind, SourceRef
from metis_distill.sources.claude_code import parse_file
from metis_distill.sources.codex import parse_lines as parse_codex
from metis_distill.textio import read_lines
from tests.extract import transcripts as t


def edit_event(path: Path, root: Path) -> Event:
    run = parse_file(path, root)
    return next(e for e in run.events if e.kind is EventKind.TOOL_CALL and e.tool_name != "Bash")


@pytest.mark.parametrize(
    ("name", "tool_input", "expected"),
    [
        (
            "Edit",
            {"old_string": "a = 1\nb = 2", "new_string": "a = 1\nb = 3"},
            ["-b = 2", "+b = 3"],
        ),
        (
            "MultiEdit",
            {
                "edits": [
                    {"old_string": "x", "new_string": "y"},
                    {"old_string": "p", "new_string": "q"},
                ]
            },
            ["-x", "+y", "-p", "+q"],
        ),
        ("Write", {"content": "line one\nline two"}, ["+line one", "+line two"]),
        ("NotebookEdit", {"new_source": "print(1)"}, ["+print(1)"]),
    ],
)
def test_claude_code_edits_show_what_changed(
    tmp_path: Path, name: str, tool_input: dict[str, Any], expected: list[str]
) -> None:
    records = [t.tool("e1", name, file_path=f"{t.CWD}/a.py", **tool_input), t.output("e1", "ok")]
    path = t.write(tmp_path, records)
    diff = edit_diff(edit_event(path, tmp_path), read_lines(path)).split("\n")
    assert [line for line in diff if line[:1] in "+-"] == expected


PATCH = (
    "*** Begin Patch\n*** Update File: src/app.py\n@@\n-DEBUG = True\n+DEBUG = False\n*** End Patch"
)


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "custom_tool_call", "name": "apply_patch", "call_id": "c1", "input": PATCH},
        {
            "type": "function_call",
            "name": "shell",
            "call_id": "c1",
            "arguments": json.dumps(
                {"command": ["bash", "-lc", f"apply_patch <<'EOF'\n{PATCH}\nEOF"]}
            ),
        },
    ],
    ids=["tool", "heredoc"],
)
def test_codex_patches_show_the_patch(payload: dict[str, Any]) -> None:
    line = json.dumps(
        {"timestamp": "2026-11-03T09:00:00.000Z", "type": "response_item", "payload": payload}
    )
    run = parse_codex("r.jsonl", [(1, line)])
    (call,) = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert call.tool_name == "apply_patch"
    assert edit_diff(call, {1: line}) == PATCH


def test_a_diff_is_redacted_and_bounded(tmp_path: Path) -> None:
    secret = "sk-ant-api03-" + "Q" * 40
    content = f"API_KEY = '{secret}'\n" + "\n".join(f"row_{i} = {i}" for i in range(2000))
    path = t.write(tmp_path, [t.tool("e1", "Write", file_path="cfg.py", content=content)])
    diff = edit_diff(edit_event(path, tmp_path), read_lines(path), limit=500)
    assert secret not in diff and "[REDACTED:" in diff
    assert len(diff) <= 500 and diff.endswith("[…]")


def test_no_diff_for_other_calls_or_lines_that_are_not_there(tmp_path: Path) -> None:
    path = t.write(
        tmp_path, [t.tool("e1", "Edit", file_path="a.py", old_string="a", new_string="b")]
    )
    event = edit_event(path, tmp_path)
    assert edit_diff(event, None) == ""
    assert edit_diff(event, {}) == ""  # the line was not read (a file read from an offset)
    bash = Event(0, "assistant", EventKind.TOOL_CALL, "ls", SourceRef("a", 1, 1), tool_name="Bash")
    assert edit_diff(bash, read_lines(path)) == ""
