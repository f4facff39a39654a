"""Codex's messages: what the model said, what a person typed, what the harness injected."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.codex.state import State
from metis_distill.sources.common import as_str

_HARNESS_TAG = re.compile(r"^<([A-Za-z_][\w -]*)>.*</\1>$", re.S)
_HARNESS_PREFIXES = ("# AGENTS.md instructions for", "<user_instructions>", "<environment_context>")
_ENV_CWD = re.compile(r"<cwd>(?P<cwd>[^<\n]{1,1000})</cwd>")
_IDE_PREFIX = "# Context from my IDE setup"
_IDE_REQUEST = "## My request for Codex:"


def message(state: State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> None:
    role = as_str(item.get("role")) or ""
    text = content_text(state, item.get("content"))
    native = as_str(item.get("id"))
    if role == "assistant":
        state.working = False  # a turn ends with the model's message; commentary is a guess
        state.messages[("assistant", text.strip())] += 1
        state.add(line_no, ts, role="assistant", kind=EventKind.TEXT, text=text, native_id=native)
    elif role == "user" and not is_harness(text):
        state.messages[("user", text.strip())] += 1
        state.add(
            line_no,
            ts,
            role="user",
            kind=EventKind.TEXT,
            text=person_text(text),
            native_id=native,
            mid_turn=state.working,
        )
    else:  # developer/system messages and harness-injected user context
        cwd = _ENV_CWD.search(text) if text.lstrip().startswith("<environment_context>") else None
        if cwd is not None:  # the only place the oldest rollouts name their folder
            state.turn_cwd = state.turn_cwd or cwd["cwd"].strip()
        state.add(line_no, ts, role="system", kind=EventKind.SUMMARY, text=text, native_id=native)


def content_text(state: State, content: Any) -> str:
    """The text parts of a content list joined (images counted and skipped), or the string."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts: list[str] = []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") in ("input_image", "image", "output_image"):
            state.tally.images += 1
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
    return "\n".join(texts)


def is_harness(text: str) -> bool:
    """Context the harness puts in a user message: environment, AGENTS.md, instructions."""
    stripped = text.strip()
    if stripped.startswith(_HARNESS_PREFIXES):
        return True
    if stripped.startswith(_IDE_PREFIX):
        return _IDE_REQUEST not in stripped
    return bool(_HARNESS_TAG.match(stripped))


def person_text(text: str) -> str:
    """The request under the IDE extension's context block, or the whole text."""
    if text.lstrip().startswith(_IDE_PREFIX) and _IDE_REQUEST in text:
        return text.split(_IDE_REQUEST, 1)[1].strip()
    return text
