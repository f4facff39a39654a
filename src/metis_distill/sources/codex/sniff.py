"""Is a file a Codex rollout? Its envelope lines, or an older rollout's header."""

from __future__ import annotations

import json
import re
from typing import Any

from metis_distill.sources.common import as_str

ENVELOPE_TYPES = frozenset(
    {"session_meta", "turn_context", "response_item", "event_msg", "compacted"}
)
_ENVELOPE_HEAD = re.compile(
    r'^\{\s*"timestamp"\s*:\s*"[^"]*"\s*,\s*"type"\s*:\s*"(?:session_meta|turn_context|'
    r'response_item|event_msg|compacted)"\s*,\s*"payload"\s*:\s*\{'
)
_LEGACY_HEAD = re.compile(r'^\{\s*"id"\s*:\s*"[^"]*"\s*,\s*"timestamp"\s*:\s*"[^"]*"\s*,\s*"instr')
_SNIFF_LINES = 20


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """Content sniffing: lines in Codex's `{"timestamp","type","payload"}` envelope, or the
    header of an older rollout (`{"id","timestamp","instructions"}`, `record_type` lines)."""
    if head.lstrip()[:1] != "{":
        return False
    lines = [line for line in head.splitlines() if line.strip()][:_SNIFF_LINES]
    for index, line in enumerate(lines):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            # The first line can be longer than the head (session_meta with instructions).
            if _ENVELOPE_HEAD.match(line) or (index == 0 and _LEGACY_HEAD.match(line)):
                return True
            continue
        if not isinstance(record, dict):
            continue
        if as_str(record.get("type")) in ENVELOPE_TYPES and isinstance(record.get("payload"), dict):
            return True
        if index == 0 and is_legacy_meta(record):
            return True
        if record.get("record_type") == "state":
            return True
    return False


def is_legacy_meta(record: dict[str, Any]) -> bool:
    """The header line of a rollout written before the envelope."""
    return (
        "type" not in record
        and isinstance(record.get("id"), str)
        and isinstance(record.get("timestamp"), str)
        and "instructions" in record
    )
