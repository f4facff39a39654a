"""OpenHands event lists: actions (`action`, `args`) and observations (`observation`,
`content`, `extras`) linked by `cause` -> action `id`; the SDK's events (`kind`) are read by
`openhands_sdk`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.common import as_str, parse_timestamp
from metis_distill.sources.trajectory.openhands_sdk import sdk_event
from metis_distill.sources.trajectory.positioned import Node
from metis_distill.sources.trajectory.state import State, id_of, shows_failure, string_node

_EXIT_SUFFIX = re.compile(r"\[The command completed with exit code (-?\d+)\.\]")
# OpenHands: how each action is read, and which events carry nothing to learn from.
OH_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "run": ("Bash", ("command",)),
    "run_ipython": ("IPython", ("code",)),
    "read": ("Read", ("path",)),
    "write": ("Write", ("path",)),
    "edit": ("Edit", ("path",)),
    "browse": ("Browse", ("url",)),
    "browse_interactive": ("BrowseInteractive", ("browser_actions",)),
    "delegate": ("Task", ("agent",)),
    "mcp": ("MCP", ("name",)),
    "call_tool_mcp": ("MCP", ("name",)),
}
OH_QUIET_ACTIONS = frozenset(
    {"system", "recall", "change_agent_state", "null", "condensation", "condensation_request"}
    | {"task_tracking"}  # the agent's own task list
)
OH_QUIET_OBSERVATIONS = frozenset(
    {"agent_state_changed", "null", "recall", "condense", "condensation", "think", "success"}
    | {"task_tracking"}
)
OH_RESULTS = frozenset(
    {"run", "run_ipython", "read", "write", "edit", "browse", "delegate", "mcp", "download"}
)


def openhands(state: State, records: Iterable[Node]) -> None:
    for node in records:
        event = node.value
        if not isinstance(event, dict):
            state.unknown += 1
            continue
        ts = parse_timestamp(event.get("timestamp"))
        state.span.note(ts)
        if isinstance(event.get("action"), str):
            _oh_action(state, node, event, ts)
        elif isinstance(event.get("observation"), str):
            _oh_observation(state, node, event, ts)
        elif isinstance(event.get("kind"), str):
            sdk_event(state, node, event, ts)
        else:
            state.unknown += 1


def _oh_action(state: State, node: Node, event: dict[str, Any], ts: datetime | None) -> None:
    action, members = event["action"], node.members or {}
    native = id_of(event.get("id"))
    args = state.doc.children(members["args"]) if "args" in members else None
    arg = (args.members or {}) if args is not None else {}
    source = as_str(event.get("source"))
    role = "user" if source == "user" else "system" if source == "environment" else "assistant"
    common: dict[str, Any] = {"native_id": native, "timestamp": ts}
    if action == "message":
        text_node = string_node(arg.get("content")) or string_node(members.get("message"))
        if text_node is not None:
            state.add(text_node, role=role, kind=EventKind.TEXT, text=text_node.value, **common)
    elif action == "finish":
        candidates = (arg.get("final_thought"), arg.get("thought"), members.get("message"))
        text_node = next((n for n in map(string_node, candidates) if n and n.value.strip()), None)
        if text_node is not None:
            state.add(text_node, role=role, kind=EventKind.SUMMARY, text=text_node.value, **common)
    elif action in ("think", "reject"):
        key = "thought" if action == "think" else "reason"
        text_node = string_node(arg.get(key))
        if text_node is not None:
            kind = EventKind.TEXT if action == "think" else EventKind.SUMMARY
            state.add(text_node, role=role, kind=kind, text=text_node.value, **common)
    elif action in OH_CALLS:
        _oh_call(state, event, members, arg, role, common)
    elif action not in OH_QUIET_ACTIONS:
        state.unknown += 1


def _oh_call(
    state: State,
    event: dict[str, Any],
    members: dict[str, Node],
    arg: dict[str, Node],
    role: str,
    common: dict[str, Any],
) -> None:
    tool, keys = OH_CALLS[event["action"]]
    thought = string_node(arg.get("thought"))
    if thought is not None:
        state.add(thought, role=role, kind=EventKind.TEXT, text=thought.value.strip(), **common)
    metadata = event.get("tool_call_metadata")
    native_call = as_str(metadata.get("tool_call_id")) if isinstance(metadata, dict) else None
    target = next((string_node(arg.get(k)) for k in keys if string_node(arg.get(k))), None)
    if target is None:
        target = string_node(members.get("message"))
    line = state.doc.line(members["action"].start)
    call_id = native_call or (f"oh-{common['native_id']}" if common["native_id"] else f"L{line}")
    if common["native_id"] is not None:
        state.calls[common["native_id"]] = (call_id, tool)
    if target is not None:
        state.add_call(target, text=target.value, tool=tool, call_id=call_id, role=role, **common)


def _oh_observation(state: State, node: Node, event: dict[str, Any], ts: datetime | None) -> None:
    kind, members = event["observation"], node.members or {}
    if kind in OH_QUIET_OBSERVATIONS:
        return
    if kind not in OH_RESULTS and kind not in ("error", "user_rejected"):
        state.unknown += 1
        return
    cause = id_of(event.get("cause"))
    call_id, tool = state.calls.get(cause or "", (None, None))
    raw_extras = event.get("extras")
    extras: dict[str, Any] = raw_extras if isinstance(raw_extras, dict) else {}
    if call_id is None and cause is not None:
        call_id = f"oh-{cause}"
        tool = _call_from_extras(state, members, call_id, ts)
    if state.cwd is None:
        meta = extras.get("metadata")
        state.cwd = as_str(meta.get("working_dir")) if isinstance(meta, dict) else None
    content = string_node(members.get("content")) or string_node(members.get("message"))
    if content is None:
        return
    text, exit_code = content.value, exit_code_of(extras, content.value)
    failed = kind in ("error", "user_rejected") or event.get("success") is False
    state.add_result(
        content,
        failed=failed or exit_code not in (None, 0) or shows_failure(text, tool),
        text=text,
        tool_use_id=call_id,
        tool_name=tool,
        exit_code=exit_code,
        native_id=id_of(event.get("id")),
        timestamp=ts,
    )


def _call_from_extras(
    state: State, members: dict[str, Node], call_id: str, ts: datetime | None
) -> str | None:
    """The command an observation repeats (`extras.command`), when its action is not in this
    file (an event store keeps each event in a file of its own)."""
    extras = state.doc.children(members["extras"]) if "extras" in members else None
    command = string_node((extras.members or {}).get("command")) if extras is not None else None
    if command is None or not command.value.strip():
        return None
    state.add_call(command, text=command.value, tool="Bash", call_id=call_id, timestamp=ts)
    return "Bash"


def exit_code_of(extras: dict[str, Any], text: str) -> int | None:
    meta = extras.get("metadata")
    for holder in (meta if isinstance(meta, dict) else {}, extras):
        value = holder.get("exit_code")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    match = _EXIT_SUFFIX.search(text[-200:])
    return int(match.group(1)) if match else None
