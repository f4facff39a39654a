"""The session pass's input: one condensed outline per session, so that Claude can find the
lessons the miner's episodes missed (a rule said in passing, a failure the miner did not flag,
a root cause confirmed much later).

An outline keeps, by priority: what a person said (messages, interrupts), each failure with
the call that failed, the agent's last message, the agent's words right after a failure, and the
next call after it with its result. It is cut to a small share of the session's own size, so
that the pass stays within the token aim; subagent runs get none (their "user" is the parent
agent, whose words are no user's rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from metis_distill.extract.spans import (
    CHARS_PER_TOKEN,
    Span,
    SpanEvent,
    event_text,
    is_output,
    trim,
)
from metis_distill.mine import signals
from metis_distill.models import Event, EventKind, Run
from metis_distill.provenance import Lines

HINT = "the whole session, condensed"
SHARE = 0.03  # of the session's size in the file
MIN_TOKENS = 500
MAX_TOKENS = 3000
AFTER_FAILURE = 6  # events after a failure searched for the agent's words and its next call
_HARNESS = ("<", "Caveat:", "This session is being continued")


class Item(IntEnum):
    """What an event is in an outline, in the order the budget is spent."""

    SAID = 0  # a person's message or interrupt
    FAILURE = 1  # a failed call's output
    CALL = 2  # the call that failed
    OUTCOME = 3  # the agent's last message
    REASONING = 4  # the agent's words right after a failure
    NEXT = 5  # the next call after a failure, and its result
    AGENT = 6  # the agent's other messages (plans, findings, summaries)


CAPS = {
    Item.SAID: 800,
    Item.FAILURE: 700,
    Item.CALL: 300,
    Item.OUTCOME: 600,
    Item.REASONING: 400,
    Item.NEXT: 300,
    Item.AGENT: 300,
}


def build_outlines(run: Run, lines: Lines | None) -> list[Span]:
    """One outline per session of the run that has a person's words or a failure in it."""
    if run.is_subagent:
        return []
    sessions: dict[str | None, list[Event]] = {}
    for event in run.events:
        sessions.setdefault(event.session, []).append(event)
    found = (_outline(run, events, lines) for events in sessions.values())
    return [span for span in found if span is not None]


def _outline(run: Run, events: Sequence[Event], lines: Lines | None) -> Span | None:
    picks = _picks(events)
    if not any(item in (Item.SAID, Item.FAILURE) for item in picks.values()):
        return None
    left = _budget(events, lines)
    kept: dict[int, SpanEvent] = {}
    for index, item in sorted(picks.items(), key=lambda pair: (pair[1], pair[0])):
        event = events[index]
        text = trim(event_text(event, lines), min(CAPS[item], left), around_errors=is_output(event))
        if not text:
            continue
        kept[index] = SpanEvent(event, text)
        left -= len(text)
        if left < 80:
            break
    if not kept:
        return None
    return Span(run, tuple(kept[i] for i in sorted(kept)), (HINT,))


def _picks(events: Sequence[Event]) -> dict[int, Item]:
    """Index in the session -> why it is in the outline (the strongest reason)."""
    position = {e.seq: i for i, e in enumerate(events)}
    calls = {e.tool_use_id: i for i, e in enumerate(events) if _is_call(e) and e.tool_use_id}
    found: list[tuple[int, Item]] = []
    for index, event in enumerate(events):
        if _said(event):
            found.append((index, Item.SAID))
        elif _agent_says(event):
            found.append((index, Item.AGENT))
        elif signals.is_failure(event) or _harness_error(event):
            found.append((index, Item.FAILURE))
            call = calls.get(event.tool_use_id or "")
            if call is not None:
                found.append((call, Item.CALL))
            found.extend(_after_failure(events, index, position))
    last = next((i for i in range(len(events) - 1, -1, -1) if _agent_says(events[i])), None)
    if last is not None:
        found.append((last, Item.OUTCOME))
    picks: dict[int, Item] = {}
    for index, item in found:
        picks[index] = min(item, picks.get(index, item))
    return picks


def _after_failure(
    events: Sequence[Event], index: int, position: dict[int, int]
) -> list[tuple[int, Item]]:
    """The agent's first words after a failure, and its next call with that call's result."""
    found: dict[int, Item] = {}
    window = range(index + 1, min(len(events), index + 1 + AFTER_FAILURE))
    words = next((i for i in window if _agent_says(events[i])), None)
    if words is not None:
        found[words] = Item.REASONING
    call = next((i for i in window if _is_call(events[i])), None)
    if call is not None:
        found[call] = Item.NEXT
        result = next(
            (e for e in events[call + 1 :] if e.tool_use_id == events[call].tool_use_id), None
        )
        if result is not None and events[call].tool_use_id:
            found[position[result.seq]] = Item.NEXT
    return [(i, item) for i, item in found.items() if i != index]


def _said(event: Event) -> bool:
    """A person's words: a message that is not text the harness injected, or an interrupt."""
    if event.role != "user":
        return False
    if event.kind is EventKind.INTERRUPT:
        return True
    return event.kind is EventKind.TEXT and not event.text.lstrip().startswith(_HARNESS)


def _harness_error(event: Event) -> bool:
    """An error of the agent's harness itself (aider's model or API errors), not noise: the
    miner's episodes hold only failed calls, so only the outline shows these."""
    return event.role == "system" and event.kind is EventKind.ERROR and not signals.is_noise(event)


def _agent_says(event: Event) -> bool:
    return event.role == "assistant" and event.kind is EventKind.TEXT


def _is_call(event: Event) -> bool:
    return event.kind is EventKind.TOOL_CALL


def _budget(events: Sequence[Event], lines: Lines | None) -> int:
    """Characters the outline may use: a share of the session's lines in the file (of its
    events' texts when the lines are not at hand), within fixed bounds."""
    numbers = {n for e in events for n in range(e.ref.line_start, e.ref.line_end + 1)}
    if lines is None:
        size = sum(len(e.text) for e in events)
    elif isinstance(lines, Sequence):
        size = sum(len(lines[n - 1]) for n in numbers if 0 < n <= len(lines))
    else:
        size = sum(len(lines.get(n, "")) for n in numbers)
    tokens = min(MAX_TOKENS, max(MIN_TOKENS, int(size / CHARS_PER_TOKEN * SHARE)))
    return tokens * CHARS_PER_TOKEN
