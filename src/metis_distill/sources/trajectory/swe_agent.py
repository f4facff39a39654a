"""SWE-agent trajectories: `trajectory` steps of thought/action/observation, or only the
`history` of chat messages (demonstrations, function calling), and the `info` at the end."""

from __future__ import annotations

import json
import re
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.common import as_str
from metis_distill.sources.trajectory.positioned import Node
from metis_distill.sources.trajectory.state import State, content_nodes, tool_output

# SWE-agent's own commands (0.x default and EnIGMA bundles, 1.x tools): they keep their name;
# any other action is a shell command, `Bash`.
_SWE_COMMANDS = frozenset(
    {
        "open",
        "goto",
        "scroll_up",
        "scroll_down",
        "create",
        "search_dir",
        "search_file",
        "find_file",
        "edit",
        "insert",
        "append",
        "submit",
        "skip",
        "exit_forfeit",
        "filemap",
        "str_replace_editor",
        "view",
        "undo_edit",
        "decompile",
        "disassemble",
        "debug_start",
        "debug_add_breakpoint",
        "debug_continue",
        "debug_step",
        "debug_exec",
        "debug_stop",
        "connect_start",
        "connect_sendline",
        "connect_exec",
        "connect_stop",
    }
)
SHELL_TOOLS = frozenset({"bash", "execute_bash", "shell", "cmd_run", "run"})
_TEMPLATE_MARK = "\nINSTRUCTIONS:"  # where SWE-agent's instance template follows the task
_CURRENT_DIR = re.compile(r"^\(Current directory: (?P<cwd>[^\n)]+)\)$", re.M)


def swe_task(state: State, history: Node | None) -> None:
    """The task as given to the agent: the first user message of `history` (demos skipped)."""
    for node in (history.items or []) if history is not None else []:
        message = node.value
        if not isinstance(message, dict) or message.get("is_demo"):
            continue
        if message.get("role") == "assistant":
            return
        if message.get("role") == "user":
            _message_text(state, node, role="user", task=True)
            return


def swe_steps(state: State, steps: list[Node]) -> None:
    for node in steps:
        step, members = node.value, node.members or {}
        if not isinstance(step, dict) or not ({"action", "observation"} & step.keys()):
            state.unknown += 1
            continue
        _swe_cwd(state, step.get("state"))
        for key in ("thought", "response"):
            text = as_str(step.get(key))
            if text and text.strip():
                state.add(members[key], role="assistant", kind=EventKind.TEXT, text=text.strip())
                break
        action, call_id, tool = as_str(step.get("action")), None, None
        if action is not None and action.strip():
            call_id = f"L{state.doc.line(members['action'].start)}"
            tool = _swe_tool(action)
            state.add_call(members["action"], text=action, tool=tool, call_id=call_id)
        observation = as_str(step.get("observation"))
        if observation is not None:
            _swe_cwd_from_output(state, observation)
            tool_output(state, members["observation"], observation, call_id, tool)


def swe_history(state: State, messages: list[Node]) -> None:
    """A trajectory kept only as chat messages (demonstrations, function calling)."""
    pending: tuple[str, str | None] | None = None  # the last call, for old-style observations
    seen_assistant = False
    for node in messages:
        message, members = node.value, node.members or {}
        if not isinstance(message, dict):
            state.unknown += 1
            continue
        role = message.get("role")
        if message.get("is_demo") or role == "system":
            continue
        if message.get("message_type") in ("system_prompt", "demonstration"):
            continue
        if role == "assistant":
            seen_assistant = True
            pending = _swe_history_call(state, message, members)
        elif role == "tool" or (role == "user" and seen_assistant):
            call_id, tool = pending or (None, None)
            ids = message.get("tool_call_ids")
            if isinstance(ids, list) and ids and isinstance(ids[0], str):
                call_id, tool = state.calls.get(ids[0], (ids[0], tool))
            found = content_nodes(state, members.get("content"))
            if found is not None:
                text_node, text = found
                _swe_cwd_from_output(state, text)
                tool_output(state, text_node, text, call_id, tool)
            pending = None
        elif role == "user":
            _message_text(state, node, role="user", task=True)
        else:
            state.unknown += 1


def _swe_history_call(
    state: State, message: dict[str, Any], members: dict[str, Node]
) -> tuple[str, str | None] | None:
    thought = as_str(message.get("thought"))
    if thought is not None and thought.strip():
        state.add(members["thought"], role="assistant", kind=EventKind.TEXT, text=thought.strip())
    else:
        _message_text(state, Node(message, 0, 0, 0, members), role="assistant")
    action = as_str(message.get("action"))
    if action is None or not action.strip():
        return None
    native, tool = _first_tool_call(message.get("tool_calls"))
    tool = tool or _swe_tool(action)
    call_id = native or f"L{state.doc.line(members['action'].start)}"
    state.add_call(
        members["action"],
        text=action,
        tool=tool,
        call_id=call_id,
        known_as=native or None,
        native_id=native,
    )
    return call_id, tool


def _first_tool_call(calls: Any) -> tuple[str | None, str | None]:
    if not isinstance(calls, list) or not calls or not isinstance(calls[0], dict):
        return None, None
    function = calls[0].get("function")
    name = as_str(function.get("name")) if isinstance(function, dict) else None
    if name is not None:
        name = "Bash" if name.lower() in SHELL_TOOLS else name
    return as_str(calls[0].get("id")), name


def _message_text(state: State, node: Node, role: str, task: bool = False) -> None:
    """A chat message's text: its `content` string, or each text block of a content list.
    For the task message, SWE-agent's own INSTRUCTIONS (its template, not a person's words:
    "Always start by trying to replicate the bug...") are left out; the issue text stays."""
    members = node.members or {}
    content = members.get("content")
    if content is None:
        return
    if isinstance(content.value, str):
        text_nodes = [content]
    elif isinstance(content.value, list):
        walked = state.doc.walk(content.value_start, 2)
        blocks = [b.members or {} for b in walked.items or []]
        text_nodes = [block["text"] for block in blocks if "text" in block]
    else:
        return
    for text_node in text_nodes:
        if isinstance(text_node.value, str):
            text = text_node.value.split(_TEMPLATE_MARK, 1)[0] if task else text_node.value
            state.add(text_node, role=role, kind=EventKind.TEXT, text=text.strip())


def swe_info(state: State, info: dict[str, Node]) -> None:
    for key in ("exit_status", "submission"):
        node = info.get(key)
        if node is not None and isinstance(node.value, str):
            state.add(node, role="system", kind=EventKind.SUMMARY, text=node.value.strip())


def _swe_tool(action: str) -> str:
    words = action.split(None, 1)
    return words[0] if words and words[0] in _SWE_COMMANDS else "Bash"


def _swe_cwd(state: State, raw: Any) -> None:
    if state.cwd is not None:
        return
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return
    if isinstance(raw, dict):
        state.cwd = as_str(raw.get("working_dir"))


def _swe_cwd_from_output(state: State, text: str) -> None:
    if state.cwd is None:
        match = _CURRENT_DIR.search(text)
        state.cwd = match.group("cwd").strip() if match else None
