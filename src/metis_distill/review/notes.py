"""What curation says beside the diff, read from the proposal's summary for the reports:
tripwires that stopped it, why lines were retired, lessons not working, time to recovery.

The summary is JSON written by the curation stage; anything missing or malformed is left out
rather than failing the report. Text from runs is redacted again on the way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metis_distill.redact import redact


@dataclass(frozen=True)
class NotWorking:
    id: str
    text: str
    recurrences: int
    last_seen: str


@dataclass(frozen=True)
class Recovery:
    failure_class: str
    failures: int
    recovered: int
    mean_to_recovery: str  # "42 s", "3.5 min", or "-" when never timed
    recurrences: int
    sessions: int
    top_command: str


@dataclass(frozen=True)
class Notes:
    tripwires: tuple[str, ...] = ()
    not_working: tuple[NotWorking, ...] = ()
    recovery: tuple[Recovery, ...] = ()
    retired: dict[str, str] = field(default_factory=dict)  # lesson id -> why


def notes_of(summary: Mapping[str, object]) -> Notes:
    return Notes(
        tripwires=tuple(redact(str(r)) for r in _list(summary.get("tripwires"))),
        not_working=tuple(_not_working(x) for x in _list(summary.get("lessons_not_working"))),
        recovery=tuple(
            _recovery(name, data) for name, data in _dict(summary.get("recovery")).items()
        ),
        retired={k: _why(v) for k, v in _dict(summary.get("retired")).items()},
    )


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _dict(value: object) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _not_working(data: object) -> NotWorking:
    d = _dict(data)
    return NotWorking(
        str(d.get("id", "")),
        redact(str(d.get("text", ""))),
        _int(d.get("recurrences")),
        str(d.get("last_seen", ""))[:16].replace("T", " "),
    )


def _recovery(name: str, data: object) -> Recovery:
    d = _dict(data)
    return Recovery(
        name,
        _int(d.get("failures")),
        _int(d.get("recovered")),
        _duration(d.get("mean_seconds_to_recovery")),
        _int(d.get("recurrences")),
        _int(d.get("sessions")),
        redact(str(d.get("top_command", ""))),
    )


def _duration(seconds: object) -> str:
    if not isinstance(seconds, int | float):
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _why(data: object) -> str:
    d = _dict(data)
    reason = str(d.get("reason") or "")
    by = d.get("retired_by")
    return f"{reason}, replaced by {by}" if by else reason
