"""What is kept while one rollout is read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from metis_distill.sources.common import Draft, Tally, TimeSpan


@dataclass
class Echo:
    """An `event_msg` that repeats a message or a tool result, kept in case it is alone."""

    line: int
    kind: str
    text: str
    timestamp: datetime | None
    session: str | None
    call_id: str | None = None
    exit_code: int | None = None
    failed: bool = False
    mid_turn: bool = False


@dataclass
class State:
    """Mutable bookkeeping while one file is read. Drafts are put in file order at the end
    (echoes resolved), so each keeps the line it came from."""

    rel_path: str
    drafts: list[Draft] = field(default_factory=list)
    echoes: list[Echo] = field(default_factory=list)
    messages: Counter[tuple[str, str]] = field(default_factory=Counter)
    tool_names: dict[str, str] = field(default_factory=dict)
    results: dict[str, Draft] = field(default_factory=dict)
    # Unified exec: a `write_stdin` call's process session, and the result of the command
    # whose process is still running in a session (what later polls read is added to it).
    polls: dict[str, str] = field(default_factory=dict)
    running: dict[str, Draft] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)  # sessions left running in the background
    sessions: list[str] = field(default_factory=list)
    session: str | None = None
    cwd: str | None = None
    turn_cwd: str | None = None
    git_branch: str | None = None
    offline: bool = False  # the turn's sandbox keeps the network out
    # `request_permissions` calls (Codex 0.12x+) awaiting their answer, and whether one
    # granted the network for the rest of the turn: the calls after it run with it.
    asked: set[str] = field(default_factory=set)
    network_granted: bool = False
    subagent: bool = False
    # The agent is at work: a tool call or its output came last, and no turn has started or
    # ended since. A person's message now was typed mid-turn (Codex "steers" the running
    # turn with it: no new turn, no `turn_context` before it).
    working: bool = False
    span: TimeSpan = field(default_factory=TimeSpan)
    tally: Tally = field(default_factory=Tally)

    def add(
        self, line_no: int, ts: datetime | None, *, keep_empty: bool = False, **kwargs: Any
    ) -> Draft | None:
        """A draft event; empty text is dropped unless asked (a silent tool output is kept:
        an empty success is what shows that a retry worked)."""
        text = kwargs["text"]
        if not isinstance(text, str) or not (text.strip() or keep_empty):
            return None
        draft = Draft(start=line_no, end=line_no, timestamp=ts, session=self.session, **kwargs)
        self.drafts.append(draft)
        return draft
