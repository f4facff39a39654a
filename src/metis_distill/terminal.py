"""What a terminal reads but a file must not keep: colour and title escapes, control characters."""

from __future__ import annotations

import re

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    """The text without terminal escapes and control characters (tabs and newlines kept)."""
    if _CONTROL.search(text) is None:  # an escape starts with ESC, a control character too
        return text
    return _CONTROL.sub("", ESCAPES.sub("", text))


def without_escapes(text: str) -> str:
    """The text without terminal escapes (colours, titles); every other character kept."""
    return ESCAPES.sub("", text) if "\x1b" in text else text
