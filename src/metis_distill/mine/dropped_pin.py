"""A retry that dropped the version the error said could not be found, and got nothing new:
`pip install --pre x` answering "Requirement already satisfied: x … (1.3.1)" after `pip
install x==1.3.2` found no 1.3.2. The version asked for never arrived; the retry only showed
what was there before, so it is no way past the failure.
"""

from __future__ import annotations

import re

from metis_distill.mine.text import unwrapped

# A requirement pinned to one version: `x==1.3.2`, `x===1.3.2`, `x[extra]==1.3.2`, `x@1.3.2`,
# `@scope/x@1.3.2`, `example.com/mod@v1.3.2`.
_PINNED = re.compile(
    r"^(?P<name>@?[A-Za-z0-9][\w./-]*?)(?:\[[^\]]*\])?(?:===?|@)(?P<version>v?\d[\w.+!-]*)$"
)
# An installer saying it changed nothing: what was asked for is there already.
_NOTHING_NEW = re.compile(
    r"Requirement already satisfied|\balready installed\b|\bup[ -]to[ -]date\b"
    r"|\bNothing to (?:do|install)\b",
    re.I,
)
# An installer saying it put something in place (pip, npm, uv, poetry, gem).
_ARRIVED = re.compile(
    r"Successfully installed|\b(?:added|changed|Installed|Installing) \d+ packages?\b"
    r"|^[ \t]*\+ \S|^[ \t]*- Installing \S|^Fetching \S+-\d",
    re.M,
)


def dropped_pin(error: str, failed: str, retry: str, output: str) -> bool:
    """The failed call pinned a version the error names, the retry asks for the same package
    without that version, and its output says nothing new was installed."""
    head = error[:4000]
    pins = [pin for pin in map(_pin, unwrapped(failed).split()) if pin is not None]
    named = [(name, version) for name, version in pins if _names(head, version)]
    if not named:
        return False
    said = output[:20_000]
    asked = unwrapped(retry)
    return (
        any(_asks_for(asked, name) and not _names(asked, version) for name, version in named)
        and _NOTHING_NEW.search(said) is not None
        and _ARRIVED.search(said) is None
    )


def _pin(word: str) -> tuple[str, str] | None:
    pinned = _PINNED.match(word.strip("'\""))
    return (pinned["name"], pinned["version"]) if pinned is not None else None


def _names(text: str, version: str) -> bool:
    """The version stands in the text as itself (`1.3.2`, not `1.3.21`; a sentence's full
    stop may end it)."""
    return re.search(rf"(?<![\w.]){re.escape(version)}(?!\.?\w)", text) is not None


def _asks_for(command: str, name: str) -> bool:
    """The command names the package, bare or with another specifier (`x`, `x>=1.3`)."""
    wanted = _canonical(name)
    return any(_canonical(_bare(word)) == wanted for word in command.split())


def _bare(word: str) -> str:
    """A requirement's package name, its extras and specifier cut (`@scope/x` of
    `@scope/x@^2`)."""
    word = word.strip("'\"")
    scope = "@" if word.startswith("@") else ""
    return scope + re.split(r"[\[<>=!~@;]", word.removeprefix("@"), maxsplit=1)[0]


def _canonical(name: str) -> str:
    """A package's name as its index compares them: `Acme_Tools.core` is `acme-tools-core`."""
    return re.sub(r"[-_.]+", "-", name).lower()
