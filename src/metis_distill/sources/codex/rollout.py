"""One rollout read into a Run: the envelope's record types, dispatched line by line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from metis_distill.models import EventKind, Run
from metis_distill.sources.codex.calls import (
    CALL_TYPES,
    OUTPUT_TYPES,
    call,
    keeps_network_out,
    output,
)
from metis_distill.sources.codex.echoes import event_msg, resolve_echoes
from metis_distill.sources.codex.messages import message
from metis_distill.sources.codex.sniff import ENVELOPE_TYPES, is_legacy_meta
from metis_distill.sources.codex.state import State
from metis_distill.sources.common import (
    as_str,
    events_of,
    in_file_order,
    json_objects,
    parse_timestamp,
    unversioned,
)
from metis_distill.targets import as_path
from metis_distill.textio import RawLine

FORMAT = "codex"

# Response items that carry nothing to learn from (or only encrypted reasoning).
_SKIPPED_ITEMS = frozenset(
    {"reasoning", "ghost_snapshot", "compaction", "compaction_summary"}
    | {"tool_search_call", "tool_search_output"}  # the model looking up the tools it has
)
_RESPONSE_ITEMS = (
    CALL_TYPES | OUTPUT_TYPES | _SKIPPED_ITEMS | {"message", "web_search_call", "other"}
)
_UUID_TAIL = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)


def parse_lines(rel_path: str, lines: Iterable[tuple[int, RawLine]]) -> Run:
    """A Run from numbered lines (text, or UTF-8 bytes) of the file at `rel_path` (relative to
    its archive root)."""
    state = State(rel_path=rel_path)
    for line_no, record in json_objects(lines, state.tally):
        try:
            known = _dispatch(state, line_no, record)
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError):
            known = False  # a record of a shape no version wrote: counted, never fatal
        if not known:
            state.tally.unknown += 1
    return _finish(state)


def _dispatch(state: State, line_no: int, record: dict[str, Any]) -> bool:
    """Read one record; False when it is of no type we know."""
    ts = parse_timestamp(record.get("timestamp"))
    kind, payload = as_str(record.get("type")), record.get("payload")
    if kind in ENVELOPE_TYPES and isinstance(payload, dict):
        state.span.note(ts)
        if kind in ("session_meta", "turn_context", "compacted"):
            state.working = False  # a session, a model request or a summary starts afresh
        if kind == "session_meta":
            _session_meta(state, payload)
        elif kind == "turn_context":
            state.turn_cwd = state.turn_cwd or as_str(payload.get("cwd"))
            cwd = as_str(payload.get("cwd")) or state.cwd
            state.offline = keeps_network_out(payload.get("sandbox_policy"), cwd)
            state.network_granted = False  # a grant lasts for the turn it was asked in
        elif kind == "response_item":
            return _response_item(state, line_no, ts, payload)
        elif kind == "event_msg":
            return event_msg(state, line_no, ts, payload)
        else:  # compacted
            state.add(
                line_no, ts, role="system", kind=EventKind.SUMMARY, text=payload.get("message")
            )
        return True
    if kind == "world_state" and isinstance(payload, dict):
        state.span.note(ts)  # what the model is shown of its environment: no event
        return True
    # Older rollouts: a header without envelope, state lines, bare response items.
    if "payload" not in record and is_legacy_meta(record):
        state.span.note(ts)
        state.working = False
        _session_meta(state, record)
        return True
    if "payload" not in record and record.get("record_type") == "state":
        return True
    if "payload" not in record and kind in _RESPONSE_ITEMS:
        return _response_item(state, line_no, ts, record)
    return False


def _session_meta(state: State, payload: dict[str, Any]) -> None:
    # a thread a session spawned (`source.subagent.thread_spawn`) is part of its parent's
    # work: one session with it, as Claude Code's subagent files share their parent's id
    session_id = _parent_thread(payload.get("source")) or as_str(payload.get("id"))
    if session_id:
        state.session = session_id
        if session_id not in state.sessions:
            state.sessions.append(session_id)
    state.cwd = state.cwd or as_str(payload.get("cwd"))
    git = payload.get("git")
    branch = as_str(git.get("branch")) if isinstance(git, dict) else None
    if branch and branch != "HEAD":
        state.git_branch = state.git_branch or branch
    source = payload.get("source")
    state.subagent = state.subagent or (isinstance(source, dict) and "subagent" in source)
    state.span.note(parse_timestamp(payload.get("timestamp")))


def _parent_thread(source: object) -> str | None:
    """The id of the session that spawned this thread, if it names one."""
    subagent = source.get("subagent") if isinstance(source, dict) else None
    spawn = subagent.get("thread_spawn") if isinstance(subagent, dict) else None
    return as_str(spawn.get("parent_thread_id")) if isinstance(spawn, dict) else None


def _response_item(state: State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> bool:
    itype = as_str(item.get("type"))
    if itype == "message":
        message(state, line_no, ts, item)
    elif itype in CALL_TYPES:
        call(state, line_no, ts, item)
    elif itype in OUTPUT_TYPES:
        output(state, line_no, ts, item)
    elif itype == "web_search_call":
        action = item.get("action")
        query = action.get("query") if isinstance(action, dict) else None
        state.add(
            line_no,
            ts,
            role="assistant",
            kind=EventKind.TOOL_CALL,
            text=query,
            tool_name="WebSearch",
            tool_use_id=as_str(item.get("id")) or f"L{line_no}",
            native_id=as_str(item.get("id")),
        )
    return itype in _RESPONSE_ITEMS


def _finish(state: State) -> Run:
    resolve_echoes(state)
    drafts = in_file_order(state.drafts)
    several = len(state.sessions) > 1
    first = state.sessions[0] if state.sessions else None
    for draft in drafts:
        draft.is_sidechain = state.subagent
        draft.session = (draft.session or first) if several else None
    rel = PurePosixPath(state.rel_path)
    cwd = state.cwd or state.turn_cwd
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=first or _id_from_name(unversioned(rel.stem)),
        project=_project(cwd) or rel.parent.name,
        cwd=cwd,
        git_branch=state.git_branch,
        started_at=state.span.first,
        ended_at=state.span.last,
        is_subagent=state.subagent,
        events=events_of(state.rel_path, drafts),
        stats=state.tally.stats(len(drafts)),
    )


def _id_from_name(stem: str) -> str:
    """Rollout names end with the session id; other names stand for themselves."""
    match = _UUID_TAIL.search(stem)
    return match.group(1) if match else stem


def _project(cwd: str | None) -> str:
    if not cwd:
        return ""
    return as_path(cwd).name
