"""What every source format shares: times, event drafts, counts and JSON lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from metis_distill.models import Event, EventKind, ParseStats, SourceRef
from metis_distill.redact import redact
from metis_distill.textio import RawLine, line_text


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO time as aware UTC; a naive time is local time (contract 11); anything else None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError, OSError):  # not a time, or out of range once in UTC
        return None


def clock_time(value: str, zone: str | None = None) -> datetime | None:
    """A written `YYYY-MM-DD[T ]hh:mm:ss[.,fraction]` time in UTC: `zone` is `Z` or `±hh[:]mm`;
    without one it is local time (contract 11). Digits past microseconds are dropped."""
    head, sep, fraction = value.replace(",", ".").partition(".")
    text = head.replace(" ", "T") + (sep + fraction[:6] if fraction else "")
    if zone:
        text += "+00:00" if zone == "Z" else zone
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass
class TimeSpan:
    """The first and last time seen in a run."""

    first: datetime | None = None
    last: datetime | None = None

    def note(self, ts: datetime | None) -> None:
        if ts is not None:
            self.first = ts if self.first is None else min(self.first, ts)
            self.last = ts if self.last is None else max(self.last, ts)


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


MAX_EVENT_CHARS = 50_000
_SECRET_MARGIN = 8_192  # longer than any secret we know (private-key blocks included)


def event_text(text: str) -> str:
    """An event's text as stored: redacted first, then cut to MAX_EVENT_CHARS, so that a
    secret across the cut cannot leave a piece of itself behind."""
    return redact(text[: MAX_EVENT_CHARS + _SECRET_MARGIN])[:MAX_EVENT_CHARS]


@dataclass
class Draft:
    """An event before its sequence number is known; its text not yet redacted."""

    role: str
    kind: EventKind
    text: str
    start: int
    end: int
    timestamp: datetime | None = None
    native_id: str | None = None
    tool_name: str | None = None
    tool_use_id: str | None = None
    exit_code: int | None = None
    is_sidechain: bool = False
    session: str | None = None
    mid_turn: bool = False
    timeout_ms: int | None = None
    ran_ms: int | None = None
    escalated: bool = False
    offline: bool = False
    in_place: bool = True
    unfinished: bool = False
    rejected: bool = False
    hooked: bool = False

    def event(self, seq: int, rel_path: str) -> Event:
        return Event(
            seq=seq,
            role=self.role,
            kind=self.kind,
            text=event_text(self.text),
            ref=SourceRef(rel_path, self.start, self.end, self.native_id),
            timestamp=self.timestamp,
            tool_name=self.tool_name,
            tool_use_id=self.tool_use_id,
            exit_code=self.exit_code,
            is_sidechain=self.is_sidechain,
            session=self.session,
            mid_turn=self.mid_turn,
            timeout_ms=self.timeout_ms,
            ran_ms=self.ran_ms,
            escalated=self.escalated,
            offline=self.offline,
            in_place=self.in_place,
            unfinished=self.unfinished,
            rejected=self.rejected,
            hooked=self.hooked,
        )


def events_of(rel_path: str, drafts: Sequence[Draft]) -> tuple[Event, ...]:
    """The drafts as events, numbered in the order given."""
    return tuple(draft.event(seq, rel_path) for seq, draft in enumerate(drafts))


def in_file_order(drafts: Sequence[Draft]) -> list[Draft]:
    """The drafts by their first line; drafts of one line keep the order they were made in."""
    return [d for _, d in sorted(enumerate(drafts), key=lambda pair: (pair[1].start, pair[0]))]


_VERSION = re.compile(r"@[0-9a-f]{8}(?=\.[^./]+$|$)")


def unversioned(name: str) -> str:
    """A file name without the archive's `@{sha8}` version mark: all versions of a run are
    one session (`s.jsonl` and `s@1a2b3c4d.jsonl`)."""
    return _VERSION.sub("", name)


@dataclass
class Tally:
    """What a reader counts as it goes: lines with text, damaged ones, unknown records."""

    lines: int = 0
    corrupt: list[int] = field(default_factory=list)
    unknown: int = 0
    images: int = 0

    def stats(self, events: int) -> ParseStats:
        corrupt = tuple(sorted(set(self.corrupt)))
        return ParseStats(
            lines=self.lines,
            events=events,
            corrupt_lines=len(corrupt),
            unknown_lines=self.unknown,
            skipped_images=self.images,
            corrupt_line_numbers=corrupt,
        )


def loads(text: str | bytes) -> Any:
    """One JSON value: orjson, or the standard library where orjson refuses what it accepts
    (lone surrogates, NaN, nesting past 1,024). Integers past 64 bits come back as floats."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def json_objects(
    lines: Iterable[tuple[int, RawLine]], tally: Tally
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of numbered lines. A line that does not parse (cut short, nested past
    the parser's depth) is counted corrupt, a value that is not an object unknown; blank lines
    are no lines. Nothing is raised: the rest of the file is still read. A line given as UTF-8
    bytes is parsed as it is; decoded (`line_text`) only when orjson refuses it (not UTF-8,
    blank outside ASCII...), then read as its text would be."""
    for line_no, raw in lines:
        if not raw or raw.isspace():
            continue
        record: Any = _UNREAD
        if isinstance(raw, bytes):
            try:
                record = orjson.loads(raw)  # valid UTF-8: the value its text parses to
            except orjson.JSONDecodeError:
                raw = line_text(raw)
                if raw.isspace():
                    continue
        tally.lines += 1
        if record is _UNREAD:
            try:
                record = loads(raw)
            except (ValueError, RecursionError):
                tally.corrupt.append(line_no)
                continue
        if isinstance(record, dict):
            yield line_no, record
        else:
            tally.unknown += 1


_UNREAD = object()  # a line not parsed yet
