"""OpenHands software-agent-SDK events: each a `kind` (MessageEvent, ActionEvent,
ObservationEvent, …) with `source`; an action's `action` and an observation's `observation`
are objects with a `kind` of their own (TerminalAction / TerminalObservation with its
`exit_code`, FileEditorAction, …), linked by `tool_call_id`; text is a list of text blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.common import as_int, as_str
from metis_distill.sources.trajectory.positioned import Node
from metis_distill.sources.trajectory.state import (
    State,
    content_nodes,
    id_of,
    string_node,
    tool_output,
)

# Actions that only say something: the field holding it, and what it is.
_PROSE_ACTIONS = {
    "ThinkAction": ("thought", EventKind.TEXT),
    "FinishAction": ("message", EventKind.SUMMARY),
}
# Events with nothing to learn from: the prompt, the state of the conversation, condensation.
_QUIET_EVENTS = frozenset(
    {
        "SystemPromptEvent",
        "ConversationStateUpdateEvent",
        "PauseEvent",
        "Condensation",
        "CondensationRequest",
        "CondensationSummaryEvent",
        "TokenEvent",
    }
)
# Tool results that only acknowledge: a logged thought, the finish, the task list.
_QUIET_OBSERVATIONS = frozenset({"ThinkObservation", "FinishObservation", "TaskTrackerObservation"})


def sdk_event(state: State, node: Node, event: dict[str, Any], ts: datetime | None) -> None:
    kind, members = event["kind"], node.members or {}
    common: dict[str, Any] = {"native_id": id_of(event.get("id")), "timestamp": ts}
    if kind in _QUIET_EVENTS:
        return
    if kind == "MessageEvent":
        _message(state, event, members, common)
    elif kind == "ActionEvent" and isinstance(event.get("action"), dict):
        _action(state, event, members, common)
    elif kind == "ObservationEvent" and isinstance(event.get("observation"), dict):
        _observation(state, event, members, common)
    elif kind in ("AgentErrorEvent", "UserRejectObservation"):
        _failure(state, event, members, common)
    else:
        state.unknown += 1


def _message(
    state: State, event: dict[str, Any], members: dict[str, Node], common: dict[str, Any]
) -> None:
    found = _text_of(state, members.get("llm_message"), "content")
    if found is None:
        return
    role = "user" if event.get("source") == "user" else "assistant"
    state.add(found[0], role=role, kind=EventKind.TEXT, text=found[1].strip(), **common)


def _action(
    state: State, event: dict[str, Any], members: dict[str, Node], common: dict[str, Any]
) -> None:
    thought = content_nodes(state, members.get("thought"))
    if thought is not None:
        state.add(
            thought[0], role="assistant", kind=EventKind.TEXT, text=thought[1].strip(), **common
        )
    action = state.doc.children(members["action"]).members or {}
    kind = as_str(event["action"].get("kind"))
    if kind in _PROSE_ACTIONS:
        field, prose_kind = _PROSE_ACTIONS[kind]
        text_node = string_node(action.get(field))
        if text_node is not None:
            text = text_node.value.strip()
            state.add(text_node, role="assistant", kind=prose_kind, text=text, **common)
        return
    tool, target = _call_target(kind, event["action"], action)
    if target is None:
        if kind != "TaskTrackerAction":
            state.unknown += 1
        return
    call_id = as_str(event.get("tool_call_id")) or f"oh-{common['native_id']}"
    state.add_call(
        target, text=target.value, tool=tool, call_id=call_id, known_as=call_id, **common
    )


def _call_target(
    kind: str | None, action: dict[str, Any], members: dict[str, Node]
) -> tuple[str, Node | None]:
    """The tool a call is read as and the text that says what it does."""
    if kind == "TerminalAction":
        return "Bash", string_node(members.get("command"))
    if kind == "FileEditorAction":
        tool = "Read" if action.get("command") == "view" else "Edit"
        return tool, string_node(members.get("path"))
    return kind or "?", None


def _observation(
    state: State, event: dict[str, Any], members: dict[str, Node], common: dict[str, Any]
) -> None:
    observation = event["observation"]
    kind = as_str(observation.get("kind"))
    if kind in _QUIET_OBSERVATIONS:
        return
    call_id = as_str(event.get("tool_call_id"))
    _, tool = state.calls.get(call_id or "", (call_id, None))
    inner = state.doc.children(members["observation"]).members or {}
    _note_cwd(state, observation)
    found = content_nodes(state, inner.get("content"))
    if found is None:
        return
    node, text = found
    text = _without_echo(text, as_str(observation.get("command")))
    exit_code = as_int(observation.get("exit_code"))
    if exit_code == -1:  # the command had not finished (no output for a while): no status
        exit_code = None
    tool_output(
        state,
        node,
        text,
        call_id,
        tool,
        exit_code=exit_code,
        error=observation.get("is_error") is True,
        orphan_role="system",
        **common,
    )


def _without_echo(text: str, command: str | None) -> str:
    """The terminal's output after its echo of the command, which it wraps at its width (the
    whitespace differs): the output alone is what went wrong."""
    wanted = "".join((command or "").split())
    if not wanted:
        return text
    seen, offset = "", 0
    for line in text.split("\n"):
        seen += "".join(line.split())
        if not wanted.startswith(seen):
            return text
        offset += len(line) + 1
        if seen == wanted:
            return text[offset:]
    return text


def _failure(
    state: State, event: dict[str, Any], members: dict[str, Node], common: dict[str, Any]
) -> None:
    """The agent's error about a call (bad arguments…) or the user's rejection of it."""
    text_node = string_node(members.get("error")) or string_node(members.get("rejection_reason"))
    if text_node is None:
        return
    call_id = as_str(event.get("tool_call_id"))
    _, tool = state.calls.get(call_id or "", (call_id, None))
    state.add(
        text_node,
        role="tool" if call_id is not None else "system",
        kind=EventKind.ERROR,
        text=text_node.value,
        tool_use_id=call_id,
        tool_name=tool,
        **common,
    )


def _text_of(state: State, holder: Node | None, key: str) -> tuple[Node, str] | None:
    if holder is None or not isinstance(holder.value, dict):
        return None
    return content_nodes(state, (state.doc.children(holder).members or {}).get(key))


def _note_cwd(state: State, observation: dict[str, Any]) -> None:
    metadata = observation.get("metadata")
    if state.cwd is None and isinstance(metadata, dict):
        state.cwd = as_str(metadata.get("working_dir"))
