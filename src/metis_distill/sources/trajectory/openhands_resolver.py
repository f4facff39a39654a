"""OpenHands' GitHub resolver output (`output.jsonl`): one record of the issue it worked on and
its `history`, each event written flat by `dataclasses.asdict`. An action's arguments and an
observation's extras are keys of the event itself, and there is no `id`, `cause`, `source` nor
`timestamp`: an observation answers the call just before it, and a message's sender is told by
`wait_for_response` (the agent's replies wait for an answer; the instruction and the resolver's
stand-in replies do not)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.common import as_str
from metis_distill.sources.trajectory.openhands import (
    OH_CALLS,
    OH_QUIET_ACTIONS,
    OH_QUIET_OBSERVATIONS,
    OH_RESULTS,
    exit_code_of,
)
from metis_distill.sources.trajectory.positioned import Node
from metis_distill.sources.trajectory.state import State, shows_failure, string_node

# The keys of the event list formats that are not flat (`openhands`): where they are, it is not.
_NESTED_KEYS = frozenset({"source", "args", "extras", "kind"})
_FAILED_OBSERVATIONS = frozenset({"error", "user_rejected"})


@dataclass(frozen=True)
class _Call:
    use_id: str
    tool: str


def is_flat_event(record: Any) -> bool:
    """An OpenHands event as `dataclasses.asdict` writes it: a string `action` or
    `observation` (not both: a SWE-agent step has both), and none of the nested formats' keys."""
    if not isinstance(record, dict) or _NESTED_KEYS & record.keys():
        return False
    action, observation = record.get("action"), record.get("observation")
    return isinstance(action, str) != isinstance(observation, str)


def several_records(name: str, head: str) -> str | None:  # noqa: ARG001 (content decides)
    """Why a resolver output of several records (one line an issue) is not read: a file is
    one run, and each record is a run of its own."""
    lines = [line for line in head.lstrip("\ufeff").splitlines() if line.strip()]
    if len(lines) < 2 or not _resolver_line(lines[0]):
        return None
    return (
        "an OpenHands resolver output with a record per issue: only a file of one record is "
        "read; split it into one file per line"
    )


def _resolver_line(line: str) -> bool:
    """A resolver record: an object with an `issue` and a `history` of flat events."""
    try:
        record = json.loads(line)
    except ValueError:  # longer than the head: its first event's keys decide
        events = _HISTORY.search(line)
        rest = line[events.end() :] if events else ""
        return _ISSUE_FIRST.match(line) is not None and _flat_keys(rest)
    history = record.get("history") if isinstance(record, dict) else None
    return (
        isinstance(record, dict)
        and "issue" in record
        and isinstance(history, list)
        and bool(history)
        and is_flat_event(history[0])
    )


_ISSUE_FIRST = re.compile(r'^\{\s*"issue"\s*:\s*\{')
_HISTORY = re.compile(r'"history"\s*:\s*\[\s*(?=\{)')


# Keys, not text: a quote inside a JSON string is escaped (`\"`), so these match keys only.
_EVENT_KIND_KEY = re.compile(r'"(?:action|observation)"\s*:\s*"')
_NESTED_KEY = re.compile(r'"(?:source|args|extras|kind)"\s*:')


def _flat_keys(events: str) -> bool:
    """The head of a history's events: actions or observations, none of them nested."""
    return _EVENT_KIND_KEY.search(events) is not None and _NESTED_KEY.search(events) is None


def resolver_session(issue: Any) -> str | None:
    """`owner/repo#number` of the issue or pull request the resolver worked on."""
    if not isinstance(issue, dict):
        return None
    owner, repo, number = issue.get("owner"), issue.get("repo"), issue.get("number")
    if isinstance(owner, str) and isinstance(repo, str) and isinstance(number, int):
        return f"{owner}/{repo}#{number}"
    return None


def resolver_history(state: State, items: list[Node]) -> None:
    call: _Call | None = None
    for index, node in enumerate(items):
        event = node.value
        if not is_flat_event(event):
            state.unknown += 1
        elif isinstance(event.get("action"), str):
            call = _action(state, node, index)
        else:
            _observation(state, node, call)


def _action(state: State, node: Node, index: int) -> _Call | None:
    """Reads one action; the call it makes, if it is one."""
    event, members = node.value, node.members or {}
    action = event["action"]
    if action == "message":
        role = "assistant" if event.get("wait_for_response") is True else "user"
        _add_text(state, members.get("content"), role, EventKind.TEXT)
    elif action == "finish":
        final = string_node(members.get("final_thought"))
        chosen = final if final is not None and final.value.strip() else members.get("thought")
        _add_text(state, chosen, "assistant", EventKind.SUMMARY)
    elif action == "think":
        _add_text(state, members.get("thought"), "assistant", EventKind.TEXT)
    elif action == "reject":
        _add_text(state, members.get("reason"), "assistant", EventKind.SUMMARY)
    elif action in OH_CALLS:
        return _call(state, node, index)
    elif action not in OH_QUIET_ACTIONS:
        state.unknown += 1
    return None


def _add_text(state: State, node: Node | None, role: str, kind: EventKind) -> None:
    text = string_node(node)
    if text is not None and text.value.strip():
        state.add(text, role=role, kind=kind, text=text.value.strip())


def _call(state: State, node: Node, index: int) -> _Call:
    members = node.members or {}
    tool, keys = OH_CALLS[node.value["action"]]
    call = _Call(f"oh-history-{index}", tool)
    _add_text(state, members.get("thought"), "assistant", EventKind.TEXT)
    target = next((string_node(members.get(k)) for k in keys if string_node(members.get(k))), None)
    if target is not None:
        state.add_call(target, text=target.value, tool=tool, call_id=call.use_id)
    return call


def _observation(state: State, node: Node, call: _Call | None) -> None:
    event, members = node.value, node.members or {}
    kind = event["observation"]
    if kind in OH_QUIET_OBSERVATIONS:
        return
    if kind not in OH_RESULTS and kind not in _FAILED_OBSERVATIONS:
        state.unknown += 1
        return
    metadata = event.get("metadata")
    if state.cwd is None and isinstance(metadata, dict):
        state.cwd = as_str(metadata.get("working_dir"))
    content = string_node(members.get("content"))
    if content is None:
        return
    text, exit_code = content.value, exit_code_of(event, content.value)
    use_id, tool = (call.use_id, call.tool) if call is not None else (None, None)
    failed = kind in _FAILED_OBSERVATIONS or exit_code not in (None, 0)
    state.add_result(
        content,
        failed=failed or shows_failure(text, tool),
        text=text,
        tool_use_id=use_id,
        tool_name=tool,
        exit_code=exit_code,
    )
