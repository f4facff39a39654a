"""Parallel tool calls cancelled because one of them failed: a harness fact worth knowing.

Claude Code runs a batch of tool calls together and, when one of them errors, cancels the
rest ("Sibling tool call errored", "Cancelled: parallel tool call … errored"). The cancelled
calls did nothing: edits are not written, probes not run. An agent that batches a probe that
may exit non-zero (`which`, a `grep` that finds nothing, a command new to the machine) with
other work loses the whole batch. The fact is confirmed by the harness's own message; it
becomes a lesson when the run shows it more than once, or shows a cancelled call working once
run on its own. Only a call that ran and failed teaches it: one a hook, a permission rule or
the user refused would have failed alone as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from metis_distill.mine import signals
from metis_distill.models import Event, EventKind

CANCELLED = re.compile(r"Sibling tool call errored|Cancelled: parallel tool call", re.I)
RERUN_WINDOW = 12  # events after a batch within which a cancelled call may be run again
LESSON = (
    "When one of several parallel tool calls fails, the others are cancelled and do nothing; "
    "run calls that may exit non-zero (a probe such as `which`, a command new to this "
    "machine) one at a time, not batched with the rest."
)


@dataclass(frozen=True)
class CancelledBatch:
    """One failed call and the siblings it cancelled; `rerun` is a cancelled call that
    worked when run again on its own."""

    failed_call: Event | None
    failed: Event
    cancelled: tuple[Event, ...]
    rerun: Event | None = None

    @property
    def quote(self) -> str:
        found = CANCELLED.search(self.cancelled[0].text)
        return found[0] if found else "Sibling tool call errored"

    @property
    def events(self) -> tuple[Event, ...]:
        """What the evidence must cover, in order."""
        found = [e for e in (self.failed_call, self.failed) if e is not None]
        found += self.cancelled
        if self.rerun is not None:
            found.append(self.rerun)
        return tuple(found)


def is_cancelled(event: Event) -> bool:
    return event.kind is EventKind.ERROR and bool(CANCELLED.search(event.text[:300]))


def cancelled_batches(
    events: Sequence[Event], calls: Mapping[str | None, Event]
) -> Iterator[CancelledBatch]:
    """Every batch of a run whose failure cancelled siblings, in order (`calls`: the run's
    tool calls by id)."""
    index = 0
    while index < len(events):
        if not is_cancelled(events[index]):
            index += 1
            continue
        failed = _ran_and_failed(_named_failure(events, index) or _failed_sibling(events, index))
        end = _batch_end(events, index)
        failed_call = calls.get(failed.tool_use_id or "") if failed is not None else None
        # a failed edit cancels its siblings too, but its lesson is the edit's (read first)
        if failed is not None and failed_call is not None and _runs_commands(failed_call):
            cancelled = tuple(e for e in events[index:end] if is_cancelled(e))
            yield CancelledBatch(
                failed_call=failed_call,
                failed=failed,
                cancelled=cancelled,
                rerun=_rerun(events, end, [calls.get(e.tool_use_id or "") for e in cancelled]),
            )
        index = end


def earned_batches(
    events: Sequence[Event], calls: Mapping[str | None, Event]
) -> list[CancelledBatch]:
    """The batches that teach the lesson: all of them when the run shows it twice or shows a
    cancelled call working on its own, else none."""
    batches = list(cancelled_batches(events, calls))
    if len(batches) >= 2 or any(b.rerun is not None for b in batches):
        return batches
    return []


_NAMED = re.compile(r"Cancelled: parallel tool call (?P<tool>\w+)\((?P<head>.*?)…?\) errored")


def _runs_commands(call: Event) -> bool:
    return call.tool_name in signals.SHELL_TOOLS


def _ran_and_failed(failed: Event | None) -> Event | None:
    """The failure, when its call ran: one a hook, a permission rule or the user refused fails
    alone as well, so running it apart from the batch would not have helped."""
    return None if failed is None or signals.never_ran(failed) else failed


def _named_failure(events: Sequence[Event], index: int) -> Event | None:
    """The failed result a cancellation names ("… Bash(which gh…) errored"), wherever the
    batch lists it: a sibling still running may be cancelled before the failure is written."""
    named = _NAMED.search(events[index].text[:400])
    if named is None:
        return None
    start, end = index, index
    while start > 0 and events[start - 1].kind is not EventKind.TEXT:
        start -= 1
    while end < len(events) and events[end].kind is not EventKind.TEXT:
        end += 1
    batch = events[start:end]
    head = named["head"].rstrip("…")
    for call in batch:
        if call.kind is not EventKind.TOOL_CALL or call.tool_name != named["tool"]:
            continue
        if not call.text.startswith(head):
            continue
        for result in batch:
            if result.role == "tool" and result.tool_use_id == call.tool_use_id:
                return None if is_cancelled(result) else result
    return None


def _failed_sibling(events: Sequence[Event], index: int) -> Event | None:
    """The failed result the cancellation answers: the nearest earlier result of the same
    batch (no prose in between)."""
    for event in reversed(events[:index]):
        if event.kind is EventKind.TEXT:
            return None
        if event.role == "tool" and not is_cancelled(event):
            failed = signals.is_failure(event) or event.kind is EventKind.ERROR
            return event if failed else None
    return None


def _batch_end(events: Sequence[Event], index: int) -> int:
    """The index after the batch's last cancellation."""
    end = index + 1
    for i in range(index + 1, len(events)):
        event = events[i]
        if event.kind is EventKind.TEXT:
            break
        if is_cancelled(event):
            end = i + 1
        elif event.role == "tool":
            break
    return end


def _rerun(events: Sequence[Event], start: int, cancelled: list[Event | None]) -> Event | None:
    """A later success of a call the batch cancelled, run again with the same input."""
    wanted = {(c.tool_name, c.text.strip()) for c in cancelled if c is not None}
    window = events[start : start + RERUN_WINDOW]
    calls = {e.tool_use_id: e for e in window if e.kind is EventKind.TOOL_CALL and e.tool_use_id}
    for event in window:
        if event.role != "tool" or not signals.is_success(event):
            continue
        call = calls.get(event.tool_use_id) if event.tool_use_id else None
        if call is not None and _same(call, wanted):
            return event
    return None


def _same(call: Event, wanted: set[tuple[str | None, str]]) -> bool:
    text = call.text.strip()
    return any(
        tool == call.tool_name and (text == other or _stripped(text) == _stripped(other))
        for tool, other in wanted
    )


_QUIET = re.compile(r"\s*2>(?:&1|/dev/null)")


def _stripped(command: str) -> str:
    """A command without its stderr redirections (`ls x 2>/dev/null` is rerun as `ls x`)."""
    return " ".join(_QUIET.sub("", command).split())
