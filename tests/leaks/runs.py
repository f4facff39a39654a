"""Authored runs in the five formats, each carrying every planted secret in four places: a
command, its output, the user's words and the agent's words. One run also repeats a secret
in plain text ("the token … is rejected") and quotes a private key's body without its BEGIN
line: the values a rule found elsewhere in the run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.test_leaks import NEEDLES, SECRETS

PASSWORD = "S3cret-Pw!9"
KEY_BODY = "MIIEowIBAAKCAQEAx8kA9f3mQe2b7Vt0Zr5pYw1u6nLh3sG4dJ0aXcq8Tb2vKfR1"
KEY_BODY_2 = "Qw8e4mZ9p2LrT6yUa3sDk5fGh7jJl0nBv1cXz4q9W8eR2tY6uI3oP5aS7dF0gH2j"
PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n{KEY_BODY_2}\n-----END RSA PRIVATE KEY-----"
REPEATED = {"repeated_password": PASSWORD, "key_body": KEY_BODY, "key_body_line_2": KEY_BODY_2}
ALL_NEEDLES = {**NEEDLES, **REPEATED}
PLACES = ("command", "tool output", "user text", "assistant text")


def said(kind: str, secret: str) -> tuple[str, str, str, str]:
    """The four places of one secret: command, output, user's words, agent's words."""
    one_line = secret.replace("\n", " ")
    return (
        f"deploy --check {kind} --credential '{one_line}'",
        f"error: rejected credential {secret} for {kind}",
        f"Always rotate the {kind} secret {one_line} before deploying.",
        f"Turns out the {kind} credential {one_line} was revoked, so deploys fail.",
    )


def steps() -> list[tuple[str, str, str, str]]:
    found = [said(kind, secret) for kind, secret in SECRETS.items()]
    found.append(
        (
            "psql postgres://admin:" + PASSWORD + "@db/prod -c 'select 1'",
            f"FATAL: password authentication failed\n{PEM}",
            f"Always remember the token {PASSWORD} is rejected by prod.",
            f"Turns out the token {PASSWORD} is rejected; the key body {KEY_BODY} and "
            f"{KEY_BODY_2} are stale, so the deploy fails.",
        )
    )
    return found


def claude_code(root: Path) -> None:
    base = {"sessionId": "leak-cc", "cwd": "/home/dev/src/leaky", "isSidechain": False}
    rows: list[dict[str, Any]] = []

    def add(kind: str, content: Any) -> None:
        stamp = f"2026-11-20T10:{len(rows) // 60:02d}:{len(rows) % 60:02d}Z"
        message = {"role": kind, "content": content}
        rows.append(
            {**base, "uuid": f"u{len(rows)}", "timestamp": stamp, "type": kind, "message": message}
        )

    for n, (command, output, user, agent) in enumerate(steps()):
        add("user", user)
        call = {
            "type": "tool_use",
            "id": f"toolu_{n}",
            "name": "Bash",
            "input": {"command": command},
        }
        add("assistant", [call])
        result = {"type": "tool_result", "tool_use_id": f"toolu_{n}", "is_error": True}
        add("user", [{**result, "content": f"Exit code 1\n{output}"}])
        add("assistant", [{"type": "text", "text": agent}])
    _write_jsonl(root / "claude" / "-home-dev-src-leaky" / "leak-cc.jsonl", rows)


def codex(root: Path) -> None:
    rows: list[dict[str, Any]] = []

    def add(kind: str, payload: dict[str, Any]) -> None:
        stamp = f"2026-11-20T11:{len(rows) // 60:02d}:{len(rows) % 60:02d}.000Z"
        rows.append({"timestamp": stamp, "type": kind, "payload": payload})

    add(
        "session_meta",
        {"id": "leak-codex-1", "cwd": "/home/dev/src/leaky", "cli_version": "0.50.0"},
    )
    for n, (command, output, user, agent) in enumerate(steps()):
        add("response_item", _codex_message("user", "input_text", user))
        arguments = json.dumps({"command": ["bash", "-lc", command]})
        add(
            "response_item",
            {"type": "function_call", "name": "shell", "arguments": arguments, "call_id": f"c{n}"},
        )
        result = json.dumps({"output": output, "metadata": {"exit_code": 1}})
        add("response_item", {"type": "function_call_output", "call_id": f"c{n}", "output": result})
        add("response_item", _codex_message("assistant", "output_text", agent))
    _write_jsonl(
        root / "codex" / "2026" / "11" / "20" / "rollout-2026-11-20T11-00-00-leak.jsonl", rows
    )


def _codex_message(role: str, part: str, text: str) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": [{"type": part, "text": text}]}


def aider(root: Path) -> None:
    lines = ["", "# aider chat started at 2026-11-20 12:00:00", "", "> Aider v0.82.1  "]
    lines.append("> Cur working dir: /home/dev/src/leaky  ")
    for command, output, user, agent in steps():
        lines += ["", f"#### {user}  ", "", agent, "", f"#### /run {command}  "]
        lines += [f"> {line}  " for line in output.splitlines()]
        lines += ["> Add 0.1k tokens of command output to the chat? (Y)es/(N)o [Yes]: y  "]
    path = root / "aider" / "leaky" / ".aider.chat.history.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def openhands(root: Path) -> None:
    events: list[dict[str, Any]] = []

    def add(source: str, **fields: Any) -> None:
        stamp = f"2026-11-20T13:{len(events) // 60:02d}:{len(events) % 60:02d}.000000"
        events.append({"id": len(events), "timestamp": stamp, "source": source, **fields})

    for command, output, user, agent in steps():
        add("user", message=user, action="message", args={"content": user})
        add("agent", message=f"Running command: {command}", action="run", args={"command": command})
        extras = {
            "command": command,
            "metadata": {"exit_code": 1, "working_dir": "/home/dev/src/leaky"},
        }
        add(
            "agent",
            message="exit code 1",
            cause=len(events) - 1,
            observation="run",
            content=output,
            extras=extras,
        )
        add("agent", message=agent, action="message", args={"content": agent})
    path = root / "openhands" / "leaky.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(events, indent=1), encoding="utf-8")


def terminal_log(root: Path) -> None:
    lines = []
    for command, output, _, _ in steps():
        lines += [f"$ {command}", *output.splitlines(), "Process exited with code 1"]
    path = root / "logs" / "leaky-terminal.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


FORMATS: dict[str, Callable[[Path], None]] = {
    "claude_code": claude_code,
    "codex": codex,
    "aider": aider,
    "trajectory": openhands,
    "logs": terminal_log,
}


def write_all(root: Path) -> None:
    for make in FORMATS.values():
        make(root)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
