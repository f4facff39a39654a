"""Codex's UI events (`event_msg`): most repeat a response item and are used only for what
no response item said; a few (aborted turns, errors) are events of their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.codex.messages import is_harness, person_text
from metis_distill.sources.codex.state import Echo, State
from metis_distill.sources.common import Draft, as_int, as_str

_ECHO_EVENTS = {"user_message": "user", "agent_message": "assistant"}
# Where a turn starts or ends: a message after one of these is not typed mid-turn.
_TURN_BOUNDARIES = frozenset(
    {"task_started", "task_complete", "turn_started", "turn_complete", "turn_aborted"}
)
# UI events that repeat a response item, stream progress or count tokens.
_SKIPPED_EVENTS = frozenset(
    {
        "token_count",
        "agent_reasoning",
        "agent_reasoning_raw_content",
        "agent_reasoning_section_break",
        "task_started",
        "task_complete",
        "turn_started",
        "turn_complete",
        "exec_command_begin",
        "exec_command_output_delta",
        "patch_apply_begin",
        "mcp_tool_call_begin",
        "mcp_tool_call_end",
        "web_search_begin",
        "web_search_end",
        "view_image_tool_call",
        "turn_diff",
        "plan_update",
        "background_event",
        "stream_error",
        "warning",
        "entered_review_mode",
        "exited_review_mode",
        "context_compacted",
        "undo_started",
        "undo_completed",
        "session_configured",
        "shutdown_complete",
        "deprecation_notice",
        "item_started",
        "item_completed",
        "raw_response_item",
        # Codex 0.12x–0.14x: settings applied, the guardian's review of a command (its
        # refusal is the call's output), a subagent started and waited for (its own rollout)
        "thread_settings_applied",
        "thread_name_updated",
        "guardian_assessment",
        "collab_agent_spawn_begin",
        "collab_agent_spawn_end",
        "collab_waiting_begin",
        "collab_waiting_end",
    }
)


def event_msg(state: State, line_no: int, ts: datetime | None, payload: dict[str, Any]) -> bool:
    """Read one UI event; False when it is of no type we know."""
    etype = as_str(payload.get("type")) or ""
    if etype in _TURN_BOUNDARIES:
        state.working = False
        state.network_granted = False  # a grant lasts for the turn it was asked in
    if etype in _ECHO_EVENTS:
        text = payload.get("message")
        if isinstance(text, str):
            mid_turn = state.working and etype == "user_message"
            state.echoes.append(Echo(line_no, etype, text, ts, state.session, mid_turn=mid_turn))
    elif etype == "turn_aborted":
        reason = as_str(payload.get("reason")) or "turn_aborted"
        state.add(line_no, ts, role="user", kind=EventKind.INTERRUPT, text=reason)
    elif etype == "error":
        state.add(line_no, ts, role="system", kind=EventKind.ERROR, text=payload.get("message"))
    elif etype == "exec_command_end":
        text = next(
            (
                payload[k]
                for k in ("aggregated_output", "formatted_output", "stderr", "stdout")
                if isinstance(payload.get(k), str) and payload[k].strip()
            ),
            "",
        )
        code = as_int(payload.get("exit_code"))
        state.echoes.append(
            Echo(line_no, etype, text, ts, state.session, as_str(payload.get("call_id")), code)
        )
    elif etype == "patch_apply_end":
        ok = payload.get("success")
        text = payload.get("stderr") if ok is False else payload.get("stdout")
        state.echoes.append(
            Echo(
                line_no,
                etype,
                text if isinstance(text, str) else "",
                ts,
                state.session,
                as_str(payload.get("call_id")),
                failed=ok is False,
            )
        )
    elif etype not in _SKIPPED_EVENTS:
        return False
    return True


def resolve_echoes(state: State) -> None:
    """Use an event_msg only for what no response item said."""
    for echo in state.echoes:
        if echo.kind in _ECHO_EVENTS:
            role = _ECHO_EVENTS[echo.kind]
            key = (role, echo.text.strip())
            if state.messages[key] > 0:
                state.messages[key] -= 1
                continue
            if role == "user" and is_harness(echo.text):
                continue
            text = person_text(echo.text) if role == "user" else echo.text
            _add_echo(
                state, echo, role=role, kind=EventKind.TEXT, text=text, mid_turn=echo.mid_turn
            )
            continue
        failed = echo.failed or echo.exit_code not in (None, 0)
        result = state.results.get(echo.call_id or "")
        if result is not None:
            if result.unfinished:
                # left running while the agent went on, or stopped by it (Ctrl-C): how it
                # ended is no verdict on the command
                continue
            if result.exit_code is None and echo.exit_code is not None:
                result.exit_code = echo.exit_code
            if failed and result.kind is EventKind.TOOL_RESULT:
                result.kind = EventKind.ERROR
            continue
        call_id = echo.call_id or f"L{echo.line}"
        _add_echo(
            state,
            echo,
            role="tool",
            kind=EventKind.ERROR if failed else EventKind.TOOL_RESULT,
            text=echo.text,
            tool_name=state.tool_names.get(call_id),
            tool_use_id=call_id,
            exit_code=echo.exit_code,
        )


def _add_echo(state: State, echo: Echo, **kwargs: Any) -> None:
    if kwargs["text"].strip() or kwargs["role"] == "tool":  # silent outputs are kept
        state.drafts.append(
            Draft(
                start=echo.line,
                end=echo.line,
                timestamp=echo.timestamp,
                session=echo.session,
                **kwargs,
            )
        )
