"""mini-SWE-agent trajectories: the 1.x chat with ```bash blocks and the 2.x tool calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metis_distill import sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, Run
from metis_distill.provenance import quote_in_span
from metis_distill.sources.trajectory import looks_like, parse_file
from metis_distill.textio import read_lines
from tests.conftest import FIXTURES
from tests.sources.test_trajectory import _assert_quotable

ROOT = FIXTURES / "trajectory"
TEXT_FORMAT = ROOT / "mini_swe_agent.traj.json"
TOOL_CALLS = ROOT / "mini_swe_agent_tool_calls.traj.json"


def _events(run: Run) -> list[tuple[str, EventKind, str]]:
    return [(e.role, e.kind, e.text) for e in run.events]


@pytest.mark.parametrize("path", [TEXT_FORMAT, TOOL_CALLS], ids=["bash-block", "tool-calls"])
def test_detected_as_a_trajectory(path: Path) -> None:
    detected = sources.detect(path)
    assert detected.format is not None and detected.format.name == "trajectory"


def test_bash_blocks_become_calls_and_returncodes_exit_codes() -> None:
    run = parse_file(TEXT_FORMAT, ROOT)
    assert run.cwd == "/repo"
    assert run.stats.unknown_lines == run.stats.corrupt_lines == 0
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [c.text for c in calls][:2] == [
        "python -m pytest -q tests/test_ops.py",
        "python3 -m pytest -q tests/test_ops.py",
    ]
    assert {c.tool_name for c in calls} == {"Bash"}
    results = {e.tool_use_id: e for e in run.events if e.role == "tool"}
    assert {c.tool_use_id for c in calls} == set(results)  # every call has its output
    first, second = (results[c.tool_use_id] for c in calls[:2])
    assert (first.kind, first.exit_code, first.text) == (
        EventKind.ERROR,
        127,
        "/bin/sh: 1: python: not found",
    )
    assert second.kind is EventKind.ERROR and second.exit_code == 1
    assert results[calls[2].tool_use_id].kind is EventKind.TOOL_RESULT
    assert ("assistant", EventKind.TEXT, "THOUGHT: no python here, try python3.") in _events(run)


def test_the_task_is_the_issue_without_the_template() -> None:
    run = parse_file(TEXT_FORMAT, ROOT)
    users = [e.text for e in run.events if e.role == "user"]
    assert users == ["divide() in calc/ops.py returns an int for 7 / 2"]  # no <instructions>


def test_the_harness_feedback_is_not_the_users_word() -> None:
    for path in (TEXT_FORMAT, TOOL_CALLS):
        run = parse_file(path, ROOT)
        system = [e.text for e in run.events if e.role == "system" and e.kind is EventKind.TEXT]
        assert len(system) == 1 and ("EXACTLY ONE" in system[0] or "MUST" in system[0])


def test_the_submission_sent_back_after_the_last_command_is_no_persons_word(
    tmp_path: Path,
) -> None:
    # some runs get the diff back bare, without `<returncode>`: the harness's, not a person's
    diff = "diff --git a/calc/ops.py b/calc/ops.py\n--- a/calc/ops.py\n+++ b/calc/ops.py"
    run = _ending_on(tmp_path, diff)
    users = [e.text for e in run.events if e.role == "user"]
    assert users == ["divide() in calc/ops.py returns an int for 7 / 2"]
    assert ("system", EventKind.TEXT, diff) in _events(run)


@pytest.mark.parametrize(
    "sent_back",
    [
        "warning: in the working copy of 'a.py', CRLF will be replaced by LF\ndiff --git a/a.py",
        "--- a/calc/ops.py\n+++ b/calc/ops.py",
        "Summary: fixed division. Always run the suite with python3 -m pytest here.",
    ],
)
def test_whatever_else_comes_back_after_the_submit_is_the_harnesss(
    tmp_path: Path, sent_back: str
) -> None:
    run = _ending_on(tmp_path, sent_back)
    assert [e.text for e in run.events if e.role == "user"] == [
        "divide() in calc/ops.py returns an int for 7 / 2"
    ]


def test_a_new_task_the_person_gives_after_the_submission_is_theirs(tmp_path: Path) -> None:
    told = "The user added a new task: never use sed -i on the sources, use git apply."
    assert ("user", EventKind.TEXT, told) in _events(_ending_on(tmp_path, told))


def _ending_on(tmp_path: Path, last: str) -> Run:
    """The 1.x run, with `last` as what came back after the agent's submit command."""
    document = json.loads(TEXT_FORMAT.read_text())
    document["messages"][-1]["content"] = last
    path = tmp_path / "run.traj.json"
    path.write_text(json.dumps(document, indent=1))
    return parse_file(path, tmp_path)


def test_tool_calls_are_read_from_their_actions() -> None:
    run = parse_file(TOOL_CALLS, ROOT)
    assert run.cwd == "/testbed" and run.started_at is not None
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [c.tool_use_id for c in calls] == ["call_a1", "call_a2"]
    assert calls[1].text.startswith("PYTHONIOENCODING=utf-8 python3 - <<'PY'\n")
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert [(e.tool_use_id, e.exit_code) for e in errors] == [("call_a1", 1)]
    assert "UnicodeEncodeError" in errors[0].text
    summaries = [e.text for e in run.events if e.kind is EventKind.SUMMARY]
    assert summaries[0] == "Submitted" and len(summaries) == 2  # the `exit` message not twice


def test_events_quote_from_their_lines() -> None:
    for path in (TEXT_FORMAT, TOOL_CALLS):
        _assert_quotable(path, parse_file(path, ROOT))


def test_the_python_failure_is_mined() -> None:
    run = parse_file(TEXT_FORMAT, ROOT)
    candidates = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(TEXT_FORMAT))
    for candidate in candidates:
        ref = candidate.evidence.ref
        assert quote_in_span(TEXT_FORMAT, ref.line_start, ref.line_end, candidate.evidence.quote)
    assert any("`python` is not on the PATH" in c.text for c in candidates), candidates


@pytest.mark.parametrize(
    "doc",
    [
        {"messages": [{"role": "user", "content": "hi"}]},  # a chat export or an API request
        {"messages": [{"role": "user", "content": "hi"}], "model": "gpt-4o"},
        {"info": "x", "messages": [{"role": "user", "content": "hi"}]},
        {"info": {}, "messages": [1, 2]},
        {"trajectory_format": "other", "messages": [{"role": "user", "content": "a"}]},
    ],
)
def test_other_message_documents_are_not_trajectories(doc: object) -> None:
    assert not looks_like("run.json", json.dumps(doc, indent=2))


def test_a_head_cut_inside_info_or_messages() -> None:
    long_info = {"info": {"mini_version": "2.2.4", "config": "x" * 100_000}, "messages": []}
    assert looks_like("a.json", json.dumps(long_info, indent=2)[: 64 * 1024])
    long_messages = {"info": {}, "messages": [{"role": "system", "content": "y" * 100_000}]}
    assert looks_like("a.json", json.dumps(long_messages, indent=2)[: 64 * 1024])
    formatted = {"trajectory_format": "mini-swe-agent-1", "messages": [{"role": "user"}]}
    assert looks_like("a.json", json.dumps(formatted))


def test_a_head_cut_inside_the_submitted_diff() -> None:
    """mini-SWE-agent 1.17 writes the run's exit status and its submitted diff first in `info`;
    a diff of megabytes puts `mini_version` far past the head."""
    info = {"exit_status": "Submitted", "submission": "diff --git a/x b/x\n" * 50_000}
    run = {"info": {**info, "mini_version": "1.17.3"}, "messages": []}
    assert looks_like("a.json", json.dumps(run, indent=2)[: 64 * 1024])
    other = {"info": {"status": "ok", "submission": "x" * 100_000}, "messages": []}
    assert not looks_like("a.json", json.dumps(other, indent=2)[: 64 * 1024])


def _tool_calls_run(tmp_path: Path, steps: list[tuple[str, int, str]]) -> Run:
    """A 2.x run of the given (command, returncode, output) steps, each a tool call."""
    messages: list[dict[str, object]] = [
        {"role": "system", "content": "You can run shell commands."},
        {"role": "user", "content": "<pr_description>\nmean() of an empty cart\n</pr_description>"},
    ]
    for n, (command, returncode, output) in enumerate(steps):
        call_id = f"call_{n}"
        arguments = json.dumps({"command": command})
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "bash", "arguments": arguments},
                    }
                ],
                "extra": {"actions": [{"command": command, "tool_call_id": call_id}]},
            }
        )
        messages.append(
            {
                "role": "tool",
                "tool_call_id": call_id,
                "content": f"<returncode>{returncode}</returncode>\n<output>\n{output}\n</output>",
                "extra": {"raw_output": output, "returncode": returncode},
            }
        )
    document = {"info": {"mini_version": "2.2.4", "config": {}}, "messages": messages}
    path = tmp_path / "run.traj.json"
    path.write_text(json.dumps(document, indent=1))
    return parse_file(path, tmp_path)


def test_an_exit_code_of_0_is_a_success_unless_a_pipe_or_a_list_may_hide_one(
    tmp_path: Path,
) -> None:
    """mini-SWE-agent reports the command's exit code: one command that exited 0 did what
    it was asked, whatever its output says (a script catching its own exception and printing
    it); after a pipe or `;` the code is the last program's, and the output tells."""
    caught = (
        "python3 - <<'PY'\nfrom shop.cart import mean\ntry:\n    print(mean([]))\n"
        "except Exception as e:\n    print('ERROR:', type(e).__name__, e)\nPY"
    )
    steps = [
        (caught, 0, "ERROR: ZeroDivisionError division by zero"),
        ("cd /testbed && python3 -c \"print('Error: none; all good')\"", 0, "Error: none"),
        ("python -m pytest -q tests/test_cart.py | tail -n 2", 0, "1 failed, 3 passed in 0.12s"),
        ("python -m pytest -q tests; echo done", 0, "FAILED tests/test_cart.py::test_mean\ndone"),
        ("python3 -c 'import shop'", 1, "ERROR: shop needs SHOP_HOME"),
    ]
    run = _tool_calls_run(tmp_path, steps)
    outputs = {e.tool_use_id: e.kind for e in run.events if e.role == "tool"}
    assert outputs == {
        "call_0": EventKind.TOOL_RESULT,
        "call_1": EventKind.TOOL_RESULT,
        "call_2": EventKind.ERROR,
        "call_3": EventKind.ERROR,
        "call_4": EventKind.ERROR,
    }
