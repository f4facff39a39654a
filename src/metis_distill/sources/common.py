"""Small helpers every source format shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


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
