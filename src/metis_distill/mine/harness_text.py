"""Text the agent harness wrote into the user's turn (caveats, command echoes, reminders,
skill files, IDE context, a slash command's expansion), not a person's."""

from __future__ import annotations

from collections.abc import Sequence

from metis_distill.models import Event, EventKind

_HARNESS_PREFIXES = (
    "<",
    "Caveat:",
    "This session is being continued",
    "Base directory for this skill:",
    "Contents of ",
    "# Context from my IDE setup",
    "Warning: apply_patch was requested via",  # Codex's own note, sent as the user's
)


def is_harness_text(text: str) -> bool:
    """Text the agent harness injects (caveats, command echoes, reminders, skill files,
    IDE context), not a person's."""
    return text.lstrip()[:200].startswith(_HARNESS_PREFIXES)


def injected(events: Sequence[Event], index: int) -> bool:
    """A user text the harness wrote: a slash command's expansion follows its
    `<command-name>` line, a continued session starts with its summary."""
    event = events[index]
    if event.role != "user":
        return False
    if is_harness_text(event.text):
        return True
    before = previous_user_text(events, index)
    return before is not None and "<command-name>" in before.text[:400]


def previous_user_text(events: Sequence[Event], index: int) -> Event | None:
    for event in reversed(events[:index]):
        if event.role == "user" and event.kind is EventKind.TEXT:
            return event
        if event.role == "assistant":
            return None
    return None
