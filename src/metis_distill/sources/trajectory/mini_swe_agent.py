"""mini-SWE-agent trajectories (`*.traj.json`): `messages`, the chat with the model, and `info`.

The first user message is the task; each assistant message holds one shell command, in a
```bash block of its text (1.x) or as `tool_calls` (2.x, the commands also in
`extra.actions`); its output comes back as the next user (1.x) or `tool` (2.x) message,
`<returncode>N</returncode>` then `<output>…</output>`. Any other message after the task is the
harness's (a format error, a timeout, the step limit) unless nothing marks it so.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from metis_distill.mine.text import quotes_masked, split_heredocs
from metis_distill.models import EventKind
from metis_distill.sources.common import as_str
from metis_distill.sources.trajectory.positioned import Node
from metis_distill.sources.trajectory.state import (
    State,
    content_nodes,
    id_of,
    string_node,
    tool_output,
)

Call = tuple[str, str | None]  # a call's id and its tool

_BASH_BLOCK = re.compile(r"```(?:bash|sh)\s*\n(.*?)\n```", re.S)
_RETURNCODE = re.compile(r"\A\s*<returncode>(-?\d+)</returncode>\s*")
_OUTPUT = re.compile(r"<output>\n?(.*?)\n?</output>", re.S)
# The harness's own words after the task: its format-error and timeout templates.
_TIMED_OUT_TEXT = r"The last command .{0,2000}? timed out and has been killed"
_HARNESS = re.compile(
    r"\A\s*(?:Please always provide EXACTLY ONE action|No tool calls found in the response"
    rf"|{_TIMED_OUT_TEXT})",
    re.S,
)
_TIMED_OUT = re.compile(rf"\A\s*{_TIMED_OUT_TEXT}", re.S)
# What the interactive agent (1.x) sends back as a person's words after the submit.
_PERSON_AFTER_SUBMIT = ("The user added a new task", "Interrupted by user")
# The command that ends the run: what the harness sends back after it is the submission.
_SUBMITS = re.compile(r"\b(?:COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT|MINI_SWE_AGENT_FINAL_OUTPUT)\b")
# The task as mini-SWE-agent's templates wrap it: the issue text is between these.
_TASK_OPENERS = ("<pr_description>\nConsider the following PR description:\n", "<pr_description>")
_TASK_CLOSERS = ("\n</pr_description>", "\n\nYou can execute bash commands and edit files")
# What makes a command's exit code another's than the program whose output shows: a pipe
# (`pytest | tail`), a list (`;`, a new line, `||`), a command sent to the background.
_HIDES_EXIT = re.compile(r"[|;\n]|(?<![&>])&(?![&>])")


def mini_messages(state: State, messages: list[Node], info: Node | None) -> None:
    _environment(state, info)
    pending: Call | None = None  # the last call, for a 1.x observation
    seen_assistant = submitted = False
    for node in messages:
        message, members = node.value, node.members or {}
        role = message.get("role") if isinstance(message, dict) else None
        if not isinstance(message, dict) or not isinstance(role, str):
            state.unknown += 1
            continue
        ts = _timestamp(message.get("extra"))
        state.span.note(ts)
        if role in ("system", "exit"):  # the prompt; the submission, in `info` too
            continue
        if role == "assistant":
            seen_assistant = True
            submitted = _SUBMITS.search(str(message.get("content"))) is not None
            pending = _assistant(state, message, members, ts) or pending
        elif role == "tool":
            call_id = as_str(message.get("tool_call_id"))
            known = (call_id, "Bash") if call_id is not None else pending
            call = state.calls.get(call_id or "", known)
            _observation(state, members, call, ts)
        elif role == "user" and not seen_assistant:
            _task(state, members, ts)
        elif role == "user":
            pending = _user_after_task(state, message, members, pending, ts, submitted)
            submitted = False
        else:
            state.unknown += 1


def _task(state: State, members: dict[str, Node], ts: datetime | None) -> None:
    found = content_nodes(state, members.get("content"))
    if found is None:
        return
    node, text = found
    for opener in _TASK_OPENERS:
        if text.lstrip().startswith(opener):
            text = text.lstrip()[len(opener) :]
            break
    for closer in _TASK_CLOSERS:
        text = text.split(closer, 1)[0]
    state.add(node, role="user", kind=EventKind.TEXT, text=text.strip(), timestamp=ts)


def _assistant(
    state: State, message: dict[str, Any], members: dict[str, Node], ts: datetime | None
) -> Call | None:
    """The thought, then the command(s): `extra.actions` (2.x) or the ```bash block (1.x)."""
    found = content_nodes(state, members.get("content"))
    text = found[1] if found is not None else ""
    block = _BASH_BLOCK.search(text)
    if found is not None:
        thought = text[: block.start()] if block else text
        state.add(found[0], role="assistant", kind=EventKind.TEXT, text=thought.strip())
    calls = _extra_actions(state, members)
    if calls:
        last: Call | None = None
        for command_node, call_id in calls:
            last = _call(state, command_node, command_node.value, call_id, ts)
        return last
    if block is not None and found is not None:
        call_id = f"L{state.doc.line(found[0].start)}"
        return _call(state, found[0], block.group(1), call_id, ts)
    return _tool_calls(state, message, members, ts)


def _extra_actions(state: State, members: dict[str, Node]) -> list[tuple[Node, str]]:
    """2.x keeps each command once more, unescaped once, in `extra.actions`: its lines quote."""
    extra = members.get("extra")
    if extra is None or not isinstance(extra.value, dict):
        return []
    actions = (state.doc.children(extra).members or {}).get("actions")
    if actions is None or not isinstance(actions.value, list):
        return []
    found = []
    for item in state.doc.walk(actions.value_start, 2).items or []:
        item_members = item.members or {}
        command = string_node(item_members.get("command"))
        if command is None:
            continue
        native = item.value.get("tool_call_id") if isinstance(item.value, dict) else None
        call_id = id_of(native)
        found.append((command, call_id or f"L{state.doc.line(command.start)}"))
    return found


def _tool_calls(
    state: State, message: dict[str, Any], members: dict[str, Node], ts: datetime | None
) -> Call | None:
    """2.x without `extra.actions`: the command from each call's JSON arguments."""
    calls, node = message.get("tool_calls"), members.get("tool_calls")
    if not isinstance(calls, list) or node is None:
        return None
    last = None
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        arguments = as_str(function.get("arguments")) if isinstance(function, dict) else None
        try:
            parsed = json.loads(arguments) if arguments else None
        except (ValueError, RecursionError):
            parsed = None
        command = as_str(parsed.get("command")) if isinstance(parsed, dict) else None
        call_id = id_of(call.get("id")) or f"L{state.doc.line(node.start)}"
        if command is not None:
            last = _call(state, node, command, call_id, ts)
    return last


def _call(state: State, node: Node, command: str, call_id: str, ts: datetime | None) -> Call | None:
    if not command.strip():
        return None
    state.add_call(node, text=command, tool="Bash", call_id=call_id, known_as=call_id, timestamp=ts)
    return call_id, "Bash"


def _user_after_task(
    state: State,
    message: dict[str, Any],
    members: dict[str, Node],
    pending: Call | None,
    ts: datetime | None,
    submitted: bool = False,
) -> Call | None:
    """A command's output (1.x), the harness's feedback (the submission sent back after the
    command that ends the run), or a person's message (interactive)."""
    found = content_nodes(state, members.get("content"))
    if found is None:
        return pending
    node, text = found
    if _RETURNCODE.match(text):
        _observation(state, members, pending, ts)
        return None
    if _TIMED_OUT.match(text) and pending is not None:
        state.add(
            node,
            role="tool",
            kind=EventKind.ERROR,
            text=text,
            tool_use_id=pending[0],
            tool_name=pending[1],
            timestamp=ts,
        )
        return None
    extra = message.get("extra")
    harness = isinstance(extra, dict) and "interrupt_type" in extra
    # what came back after the submit is the harness's, unless a person gave a new task
    sent_back = submitted and not text.lstrip().startswith(_PERSON_AFTER_SUBMIT)
    role = "system" if harness or sent_back or _HARNESS.match(text) else "user"
    state.add(node, role=role, kind=EventKind.TEXT, text=text.strip(), timestamp=ts)
    return pending


def _observation(
    state: State,
    members: dict[str, Node],
    call: Call | None,
    ts: datetime | None,
) -> None:
    """`<returncode>N</returncode>` and the `<output>`: an ERROR when N is not 0, or when the
    output shows a failure and a pipe or a list may have hidden its exit code (a command
    alone that exited 0 succeeded, whatever it printed: a script catching its own error)."""
    found = content_nodes(state, members.get("content"))
    if found is None:
        return
    node, text = found
    code_match = _RETURNCODE.match(text)
    exit_code = int(code_match.group(1)) if code_match else None
    body = text[code_match.end() :] if code_match else text
    output = _OUTPUT.search(body)
    body = output.group(1) if output else body
    call_id, tool = call if call is not None else (None, None)
    tool_output(
        state,
        node,
        body,
        call_id,
        tool or "Bash",
        exit_code=exit_code,
        orphan_role="system",
        exit_told=call_id is not None and _exit_is_its_own(_command_of(state, call_id)),
        timestamp=ts,
    )


def _command_of(state: State, call_id: str) -> str | None:
    calls = (d for d in reversed(state.drafts) if d.kind is EventKind.TOOL_CALL)
    return next((d.text for d in calls if d.tool_use_id == call_id), None)


def _exit_is_its_own(command: str | None) -> bool:
    """The command's exit code is its program's: no pipe, list or background job outside
    quotes and here-documents (`cd /testbed && python - <<'PY'` … `PY` is one)."""
    if command is None:
        return False
    own = quotes_masked(split_heredocs(command.strip())[0])
    return _HIDES_EXIT.search(own.strip()) is None


def _environment(state: State, info: Node | None) -> None:
    """The working directory from the run's config: `info.config.environment.cwd`."""
    config = info.value.get("config") if info is not None and isinstance(info.value, dict) else None
    environment = config.get("environment") if isinstance(config, dict) else None
    if isinstance(environment, dict) and state.cwd is None:
        state.cwd = as_str(environment.get("cwd"))


def _timestamp(extra: Any) -> datetime | None:
    value = extra.get("timestamp") if isinstance(extra, dict) else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None
