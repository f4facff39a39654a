"""Is a file a trajectory? One JSON document of steps, messages or OpenHands events."""

from __future__ import annotations

import re
from typing import Any

from metis_distill.sources.trajectory.positioned import DECODER, skip


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """One JSON document: an object with a `trajectory`/`history` array of steps or messages
    (or mini-SWE-agent's `messages` beside its `info`), or an array of OpenHands events
    (objects with `action`/`observation` and `source`, or the SDK's `kind` and `source`)."""
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return _looks_like_events(text)
    if text.startswith("{"):
        return _looks_like_traj(text) or _looks_like_one_event(text)
    return False


def _looks_like_one_event(text: str) -> bool:
    """One OpenHands event on its own: a file of its event store (`events/N.json`)."""
    try:
        event, _ = DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        chunk = text[:4096]  # the event runs past the head: its keys decide
        return '"id"' in chunk and _event_keys(chunk)
    return isinstance(event, dict) and "id" in event and is_openhands_event(event)


def _looks_like_events(text: str) -> bool:
    pos = skip(text, 1)
    if text[pos : pos + 1] == "[":  # old OpenHands history: [[action, observation], ...]
        pos = skip(text, pos + 1)
    if text[pos : pos + 1] != "{":
        return False
    try:
        first, _ = DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError):
        chunk = text[pos : pos + 4096]  # the first event runs past the head: its keys decide
        return _event_keys(chunk)
    return isinstance(first, dict) and is_openhands_event(first)


# The SDK's first event, its system prompt and tools, often runs past the head.
_EVENT_KEYS = ('"action"', '"observation"', '"system_prompt"')


def _event_keys(chunk: str) -> bool:
    return '"source"' in chunk and any(key in chunk for key in _EVENT_KEYS)


def _looks_like_traj(text: str) -> bool:
    """The top-level keys, read until the head ends; JSON lines (a second value) are not ours."""
    pos, keys = skip(text, 1), set[str]()
    while pos < len(text) and text[pos] == '"':
        try:
            key, pos = DECODER.raw_decode(text, pos)
        except ValueError:
            break
        pos = skip(text, pos)
        if text[pos : pos + 1] != ":":
            return False
        pos = skip(text, pos + 1)
        if key in ("trajectory", "history", "messages") and _first_item_ok(text, pos):
            keys.add(key)
        try:
            value, pos = DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            if key == "info" and _agent_info(text[pos:]):
                keys.add("mini")  # mini-SWE-agent's info, longer than the head
            break  # the value runs past the head
        if (key == "info" and isinstance(value, dict)) or _mini_format(key, value):
            keys.add("info")
        pos = skip(text, pos)
        if text[pos : pos + 1] == ",":
            pos = skip(text, pos + 1)
        elif text[pos : pos + 1] == "}":
            rest = text[skip(text, pos + 1) :]
            return _traj_keys(keys) and not rest
        else:
            return False
    return _traj_keys(keys)


# mini-SWE-agent's `info` opens with the run's end: its exit status, then the submitted diff,
# which can run for megabytes before `mini_version`.
_RUN_END = re.compile(r'\{\s*"exit_status"\s*:\s*(?:"[^"\\]*"|null)\s*,\s*"submission"\s*:')


def _agent_info(info: str) -> bool:
    """The head of an `info` object cut by the head's end: mini-SWE-agent's own."""
    return '"mini_version"' in info or bool(_RUN_END.match(info))


def _traj_keys(keys: set[str]) -> bool:
    """SWE-agent's arrays; a `messages` chat only beside an `info` object or mini-SWE-agent's
    `trajectory_format` (a bare `messages` list is any chat export or API request)."""
    return bool({"trajectory", "history", "mini"} & keys) or {"messages", "info"} <= keys


def _mini_format(key: str, value: Any) -> bool:
    return key == "trajectory_format" and isinstance(value, str) and value.startswith("mini-swe")


_STEP_KEYS = ('"role"', '"action"', '"observation"', '"thought"')


def _first_item_ok(text: str, pos: int) -> bool:
    """An array whose first item is a step or a chat message (or an empty array)."""
    if text[pos : pos + 1] != "[":
        return False
    pos = skip(text, pos + 1)
    if text[pos : pos + 1] in ("]", ""):
        return True
    if text[pos : pos + 1] != "{":
        return False
    try:
        first, _ = DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError):
        return any(k in text[pos : pos + 4096] for k in _STEP_KEYS)  # runs past the head
    return isinstance(first, dict) and bool({"role", "action", "observation"} & first.keys())


def is_openhands_event(record: dict[str, Any]) -> bool:
    """An event of OpenHands: a string `action`/`observation` (the first format), or an SDK
    event, `kind` and `source` (its `action`/`observation` an object, or neither)."""
    kind = record.get("action", record.get("observation"))
    if isinstance(kind, str):
        return "source" in record or "args" in record or "extras" in record
    return is_sdk_event(record)


def is_sdk_event(record: dict[str, Any]) -> bool:
    kind = record.get("kind")
    return isinstance(kind, str) and isinstance(record.get("source"), str) and "id" in record
