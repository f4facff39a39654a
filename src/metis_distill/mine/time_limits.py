"""The time a harness gave a call, the time it let a timed-out call run, and a command
without the time limit a rerun wrapped it in."""

from __future__ import annotations

import re

from metis_distill.mine.text import command_head, unwrapped
from metis_distill.models import Event

# Claude Code's Bash tool stops a call after two minutes unless the call sets its own limit.
_DEFAULT_LIMIT_MS = {"Bash": 120_000}


# A time limit a rerun may wrap around a command without changing what it does
# (`timeout 60 grep …`).
TIME_LIMIT = re.compile(r"^timeout\s+\d+[smh]?\s+")


def ran_past(call: Event, result: Event, limit: int) -> bool:
    """The rerun is seen to run longer than the limit that stopped the first call (the time
    the harness says it ran, else from its call to its result): only then did the longer
    limit make it pass. One that finished within that limit passed as a plain rerun would
    have; an unknown time is no proof."""
    if result.ran_ms is not None:
        return result.ran_ms > limit
    if call.timestamp is None or result.timestamp is None:
        return False
    ran = (result.timestamp - call.timestamp).total_seconds() * 1000
    return ran > limit


def limit_ms(call: Event) -> int | None:
    """The time the harness gave a call: the limit it set itself, else the tool's default."""
    return (
        call.timeout_ms
        if call.timeout_ms is not None
        else _DEFAULT_LIMIT_MS.get(call.tool_name or "")
    )


# The time the harness says it let the call run: "after 10043 milliseconds" (Codex), "after
# 2m 0.0s" (Claude Code's Bash).
_STOPPED_AFTER = re.compile(
    r"timed out after (?:(?P<ms>\d+) milliseconds|(?:(?P<m>\d+)m )?(?P<s>\d+(?:\.\d+)?)s)", re.I
)


def stopped_after(failure: str) -> int | None:
    """How long, in milliseconds, the harness let a call it timed out run (its own words),
    or None: what a call that set no limit of its own was given (Codex's shell: 10 s)."""
    said = _STOPPED_AFTER.search(failure[:400])
    if said is None:
        return None
    if said["ms"]:
        return int(said["ms"])
    return round((int(said["m"] or 0) * 60 + float(said["s"])) * 1000)


def without_limit(command: str) -> str:
    """The command's head without the `timeout N` around it nor what only cuts, merges or
    masks its output and exit status."""
    return unwrapped(TIME_LIMIT.sub("", command_head(command)))


def seconds(milliseconds: int) -> str:
    """`1 s`, `2.5 s`, `120 s`."""
    return f"{milliseconds / 1000:g} s"
