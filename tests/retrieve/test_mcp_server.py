"""`metis mcp`, started as a subprocess and driven by the MCP SDK's own stdio client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.provenance import resolve
from metis_distill.retrieve.mcp_server import build_server
from metis_distill.retrieve.retriever import Retriever
from tests.retrieve.test_search import copy_of_ledger

pytestmark = pytest.mark.slow
METIS = str(Path(sys.executable).parent / "metis")


def server(data: Path, home: Path, ledger_url: str | None = None) -> StdioServerParameters:
    """The real command line; settings come from the flag (and `ledger_url` from the
    environment), never from the user's config."""
    env = {"XDG_CONFIG_HOME": str(home / "config"), "HOME": str(home)}
    if "PYTHONPATH" in os.environ:  # the code under test, as this process imports it
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if ledger_url:
        env["METIS_LEDGER_URL"] = ledger_url
    return StdioServerParameters(
        command=METIS, args=["mcp", "--data-dir", str(data)], env=env, cwd=str(home)
    )


def session(
    data: Path,
    home: Path,
    calls: list[tuple[str, dict[str, Any]]],
    ledger_url: str | None = None,
) -> dict[str, Any]:
    """List the tools and make the calls in one session; what came back, by tool name."""

    async def main() -> dict[str, Any]:
        async with Client(server(data, home, ledger_url), read_timeout_seconds=120) as client:
            listed = await client.list_tools()
            answers: dict[str, Any] = {"tools": {t.name: t for t in listed.tools}}
            for name, arguments in calls:
                answers[name] = await client.call_tool(name, arguments)
            return answers

    return anyio.run(main)


def test_the_three_tools_answer_with_the_expected_lesson(sample_data: Path, tmp_path: Path) -> None:
    calls = [
        ("search_lessons", {"query": "the python interpreter is missing", "limit": 3}),
        ("context_for_task", {"task": "run the ledgerline python tests", "budget": 300}),
    ]
    first = session(sample_data, tmp_path, calls)
    tools = first["tools"]
    assert set(tools) == {"search_lessons", "get_lesson", "context_for_task"}
    assert all(t.annotations.read_only_hint for t in tools.values())
    assert all(t.description and "  " not in t.description for t in tools.values())
    assert "\n" not in tools["search_lessons"].description
    assert "query" in tools["search_lessons"].input_schema["properties"]

    found = first["search_lessons"]
    assert not found.is_error
    lessons = found.structured_content["lessons"]
    assert lessons[0]["text"].startswith("`python` is not on the PATH")
    assert lessons[0]["support"] == 2 and len(lessons) <= 3
    assert json.loads(found.content[0].text)["lessons"][0]["id"] == lessons[0]["id"]

    brief = first["context_for_task"]
    text = brief.content[0].text
    assert f"[{lessons[0]['id']}]" in text and len(text) / 4 <= 300

    second = session(sample_data, tmp_path, [("get_lesson", {"lesson_id": lessons[0]["id"]})])
    lesson = second["get_lesson"].structured_content
    assert lesson["id"] == lessons[0]["id"] and lesson["evidence_count"] == 2
    evidence = lesson["all_evidence"]
    assert len(evidence) == 2 and len({e["session"] for e in evidence}) == 2
    assert all("python: command not found" in e["quote"] for e in evidence)
    assert all(resolve(e["link"], e["quote"], Path("/")) for e in evidence)


def test_errors_come_back_as_tool_errors(sample_data: Path, tmp_path: Path) -> None:
    calls = [
        ("get_lesson", {"lesson_id": "0000000000"}),
        ("search_lessons", {"query": "cents", "kind": "opinion"}),
    ]
    answers = session(sample_data, tmp_path, calls)
    missing = answers["get_lesson"]
    assert missing.is_error and "no lesson with id '0000000000'" in missing.content[0].text
    assert answers["search_lessons"].is_error  # not a kind: refused by the schema


def test_the_server_reads_the_configured_ledger(sample_data: Path, tmp_path: Path) -> None:
    ledger = copy_of_ledger(sample_data, tmp_path / "shared" / "metis.sqlite")
    data = tmp_path / "data"
    data.mkdir()
    calls = [("search_lessons", {"query": "the python interpreter is missing", "limit": 1})]
    found = session(data, tmp_path, calls, f"sqlite:///{ledger}")["search_lessons"]
    assert not found.is_error, found.content
    assert found.structured_content["lessons"][0]["text"].startswith("`python` is not on")


def test_no_data_dir_is_a_clear_error_before_serving(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["mcp", "--data-dir", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no data dir" in result.output


def in_process(data: Path, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The server of `build_server` asked in this process: its version and the answers."""

    async def main() -> dict[str, Any]:
        with Retriever.at(data) as retriever:
            async with Client(build_server(retriever)) as client:
                info = client.server_info
                answers: dict[str, Any] = {"version": info.version if info else None}
                for n, (name, arguments) in enumerate(calls):
                    answers[f"{n}"] = await client.call_tool(name, arguments)
                return answers

    return anyio.run(main)


def test_arguments_are_checked_as_the_cli_checks_them(sample_data: Path) -> None:
    calls = [
        ("search_lessons", {"query": "python", "limit": 0}),
        ("search_lessons", {"query": "python", "limit": -5}),
        ("search_lessons", {"query": "python", "limit": 51}),
        ("search_lessons", {"query": "   "}),
        ("context_for_task", {"task": "run the tests", "budget": 5}),
        ("search_lessons", {"query": "python", "limit": 1}),
        ("search_lessons", {"kind": "failure", "limit": 50}),
        ("search_lessons", {"query": "python", "kind": "failure", "limit": 50}),
    ]
    answers = in_process(sample_data, calls)
    assert answers["version"] == version("metis-distill")
    for n in range(5):
        text = answers[f"{n}"].content[0].text
        assert answers[f"{n}"].is_error, text
        assert "pydantic" not in text and "\n" not in text, text
    assert "limit: Input should be greater than or equal to 1" in answers["0"].content[0].text
    assert "give words to look for" in answers["3"].content[0].text
    assert "too small" in answers["4"].content[0].text
    assert len(answers["5"].structured_content["lessons"]) == 1
    listed = answers["6"].structured_content["lessons"]  # no words: the kind's every lesson
    assert not answers["6"].is_error and {x["kind"] for x in listed} == {"failure"}
    supports = [x["support"] for x in listed]
    assert supports == sorted(supports, reverse=True)
    found = answers["7"].structured_content["lessons"]
    assert len(listed) >= len(found) and {x["id"] for x in found} <= {x["id"] for x in listed}


def test_a_line_that_is_no_request_gets_json_rpc_s_error_reply(
    sample_data: Path, tmp_path: Path
) -> None:
    params = server(sample_data, tmp_path)
    lines = 'not json\n{"a": 1}\n{"jsonrpc": "2.0", "id": 7, "method": "ping"}\n'
    env = {**os.environ, **(params.env or {})}
    with subprocess.Popen(
        [params.command, *params.args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=params.cwd,
    ) as running:
        assert running.stdin is not None and running.stdout is not None
        watchdog = threading.Timer(60, running.kill)
        watchdog.start()
        running.stdin.write(lines)
        running.stdin.flush()  # kept open until the replies are read: none is in flight
        replies = [json.loads(running.stdout.readline() or "null") for _ in range(3)]
        running.stdin.close()
        watchdog.cancel()
    assert [(r["id"], r.get("error", {}).get("code")) for r in replies if r] == [
        (None, -32700),
        (None, -32600),
        (7, None),
    ]


def test_requests_in_flight_when_stdin_closes_are_answered(
    sample_data: Path, tmp_path: Path
) -> None:
    """`printf '…' | metis mcp`: stdin ends right after the last request; its answer still
    comes, before the server stops (the SDK alone cancelled it)."""
    params = server(sample_data, tmp_path)
    client = {"name": "t", "version": "1"}
    hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": client}
    ask = {"name": "search_lessons", "arguments": {"query": "python command not found"}}
    lines = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ask},
    ]
    env = {**os.environ, **(params.env or {})}
    done = subprocess.run(
        [params.command, *params.args],
        input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        cwd=params.cwd,
        timeout=120,
    )
    replies = {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert done.returncode == 0 and sorted(replies) == [1, 2] and "result" in replies[1]
    found = json.loads(replies[2]["result"]["content"][0]["text"])["lessons"]
    assert found[0]["text"].startswith("`python` is not on the PATH")


def test_a_request_the_client_cancelled_is_waited_for_no_more() -> None:
    """The protocol forbids answering a cancelled request: draining at stdin's end does not
    wait for it (it waited the whole drain before)."""
    import anyio
    from mcp.shared.message import SessionMessage
    from mcp.types import JSONRPCNotification, JSONRPCRequest

    from metis_distill.retrieve.mcp_server import InFlight

    async def drain() -> bool:
        in_flight = InFlight()
        in_flight.asked(SessionMessage(JSONRPCRequest(jsonrpc="2.0", id=2, method="tools/call")))
        cancel = {"requestId": 2, "reason": "the user stopped it"}
        note = JSONRPCNotification(jsonrpc="2.0", method="notifications/cancelled", params=cancel)
        in_flight.asked(SessionMessage(note))
        with anyio.move_on_after(10) as waited:  # a guard against a hang, not a timing
            await in_flight.drained()
        return not waited.cancelled_caught and not in_flight.ids

    assert anyio.run(drain)
