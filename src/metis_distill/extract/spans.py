"""What goes to the model for one episode: its events and a little context, cut to a token
budget (langchain-text-splitters), redacted again. Never a whole transcript.

Tokens are estimated as characters / 4 on both sides of every ratio (contract 9).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from metis_distill.mine.episodes import Episode
from metis_distill.models import Event, Run
from metis_distill.redact import redact

CHARS_PER_TOKEN = 4
DEFAULT_SPAN_TOKENS = 1200
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 1
MAX_BETWEEN = 6  # events between the failed call and its fix, at most
CUT = "[…]"


def estimate_tokens(text: str | int) -> int:
    """Characters / 4, rounded up (contract 9)."""
    chars = text if isinstance(text, int) else len(text)
    return -(-chars // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class SpanEvent:
    """One event as sent: its text cut to fit, and where it lives in the file."""

    event: Event
    text: str

    @property
    def view(self) -> dict[str, object]:
        e = self.event
        return {
            "role": e.role,
            "kind": e.kind.value,
            "tool": e.tool_name,
            "exit_code": e.exit_code,
            "text": self.text,
        }


@dataclass(frozen=True)
class Span:
    """The excerpt of one or more episodes over the same events."""

    run: Run
    events: tuple[SpanEvent, ...]
    hints: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(e.text for e in self.events)

    @property
    def tokens(self) -> int:
        return estimate_tokens(sum(len(e.text) for e in self.events))

    @property
    def seqs(self) -> tuple[int, ...]:
        return tuple(e.event.seq for e in self.events)


def build_spans(
    run: Run, episodes: Sequence[Episode], budget_tokens: int = DEFAULT_SPAN_TOKENS
) -> list[Span]:
    """One span per distinct set of events; episodes over the same events share one."""
    by_events: dict[tuple[int, ...], tuple[list[SpanEvent], list[str]]] = {}
    for episode in episodes:
        events = _cut(_events_of(run, episode), budget_tokens * CHARS_PER_TOKEN)
        key = tuple(e.event.seq for e in events)
        hints = by_events.setdefault(key, (events, []))[1]
        hint = _hint(episode)
        if hint not in hints:
            hints.append(hint)
    return [Span(run, tuple(events), tuple(hints)) for events, hints in by_events.values()]


def span_sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _core(episode: Episode) -> set[int]:
    found = (episode.trigger, episode.call, episode.fix_call, episode.fix_result)
    return {e.seq for e in found if e is not None}


def _events_of(run: Run, episode: Episode) -> list[tuple[Event, bool]]:
    """(event, is_core) in run order: the core events, a few between them, context around."""
    core = _core(episode)
    lo, hi = min(core), max(core)
    events = run.events
    chosen = set(core)
    between = [e.seq for e in events[lo + 1 : hi] if e.seq not in core]
    chosen.update(between[:MAX_BETWEEN])
    chosen.update(range(max(0, lo - CONTEXT_BEFORE), lo))
    chosen.update(range(hi + 1, min(len(events), hi + 1 + CONTEXT_AFTER)))
    session = episode.trigger.session
    return [
        (events[i], i in core)
        for i in sorted(chosen)
        if events[i].text.strip() and events[i].session == session
    ]


def _cut(events: list[tuple[Event, bool]], budget: int) -> list[SpanEvent]:
    """Core events first (a third of the budget each at most), context with what is left."""
    cores = [e for e, is_core in events if is_core]
    others = [e for e, is_core in events if not is_core]
    core_cap = max(200, budget // max(3, len(cores)))
    kept: dict[int, SpanEvent] = {}
    left = budget
    for event, cap in [(e, core_cap) for e in cores] + [(e, budget // 10) for e in others]:
        text = _trim(redact(event.text), min(cap, left))
        if not text:
            continue
        kept[event.seq] = SpanEvent(event, text)
        left -= len(text)
        if left < 80:
            break
    return [kept[seq] for seq in sorted(kept)]


def _trim(text: str, cap: int) -> str:
    """The text whole when it fits, else its first and last pieces (errors sit at the end)."""
    text = text.strip()
    if len(text) <= cap:
        return text
    if cap < 80:
        return ""
    pieces = _splitter(max(40, (cap - len(CUT) - 2) // 2)).split_text(text)
    if len(pieces) == 1:
        return pieces[0][: cap - len(CUT) - 1] + CUT
    return f"{pieces[0]}\n{CUT}\n{pieces[-1]}"


@lru_cache(maxsize=64)
def _splitter(size: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=size, chunk_overlap=0, separators=["\n\n", "\n", ". ", " ", ""]
    )


def _hint(episode: Episode) -> str:
    what = {"failure": "a failure", "decision": "a decision", "gotcha": "a gotcha"}
    hint = f"{what[episode.kind.value]} ({episode.signal})"
    if episode.sentence:
        hint += f": “{episode.sentence[:200]}”"
    if episode.fix_call is not None:
        hint += ", with a later call that worked"
    return hint
