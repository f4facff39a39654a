"""Small helpers every source format shares."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from metis_distill.redact import redact


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO time as aware UTC; a naive time is local time (contract 11); anything else None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError, OSError):  # not a time, or out of range once in UTC
        return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


MAX_EVENT_CHARS = 50_000
_SECRET_MARGIN = 8_192  # longer than any secret we know (private-key blocks included)


def event_text(text: str) -> str:
    """An event's text as stored: redacted first, then cut to MAX_EVENT_CHARS, so that a
    secret across the cut cannot leave a piece of itself behind."""
    return redact(text[: MAX_EVENT_CHARS + _SECRET_MARGIN])[:MAX_EVENT_CHARS]


_VERSION = re.compile(r"@[0-9a-f]{8}(?=\.[^./]+$|$)")


def unversioned(name: str) -> str:
    """A file name without the archive's `@{sha8}` version mark: all versions of a run are
    one session (`s.jsonl` and `s@1a2b3c4d.jsonl`)."""
    return _VERSION.sub("", name)


class Tally(Protocol):
    """What a JSON-lines reader counts as it goes."""

    lines: int
    corrupt: list[int]
    unknown: int


def json_objects(
    lines: Iterable[tuple[int, str]], tally: Tally
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of numbered lines. A line that does not parse (cut short, nested past
    the parser's depth) is counted corrupt, a value that is not an object unknown; blank lines
    are no lines. Nothing is raised: the rest of the file is still read."""
    for line_no, raw in lines:
        if not raw.strip():
            continue
        tally.lines += 1
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):
            tally.corrupt.append(line_no)
            continue
        if isinstance(record, dict):
            yield line_no, record
        else:
            tally.unknown += 1
