"""Which piece of a lesson's evidence its line links to: the first that shows the fix, if any.

When the line quotes an error, only evidence whose quote holds it counts, if any does: a
lesson merged from runs that failed with different words took one run's words, and the link
must open a span that shows them. The rendered block, the review's evidence notes, `metis
search --json` and the MCP tools all link the same span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar


class Quoted(Protocol):
    """A piece of evidence as the choice reads it."""

    @property
    def quote(self) -> str: ...

    @property
    def shows_fix(self) -> bool: ...


E = TypeVar("E", bound=Quoted)

# An error a line quotes (“…”); a quote shortened or cut is in parts around its "…"
_QUOTED = re.compile(r"“([^”]+)”")
_CUT = "…"
# A count the line's words folded (`Found N errors.`, `N:N error`): any number in the quote.
_FOLDED = re.compile(r"\bN\b")


def strongest(text: str, evidence: Sequence[E]) -> E:
    """The evidence the line `text` links to (`evidence` earliest first, not empty)."""
    quotes = _quoted_parts(text)
    showing = [e for e in evidence if _holds(e.quote, quotes)] or list(evidence)
    return next((e for e in showing if e.shows_fix), showing[0])


def _quoted_parts(text: str) -> list[list[re.Pattern[str]]]:
    """The parts of each quote of a lesson's text, as patterns (a folded count any number)."""
    return [
        [_part(p) for part in quote.split(_CUT) if (p := " ".join(part.split()))]
        for quote in _QUOTED.findall(text)
    ]


def _part(words: str) -> re.Pattern[str]:
    return re.compile(_FOLDED.sub(r"(?:N|\\d+)", re.escape(words)))


def _holds(quote: str, quotes: list[list[re.Pattern[str]]]) -> bool:
    """The evidence's quote holds one of the line's quotes, its parts in order (True when the
    line quotes nothing)."""
    said = " ".join(quote.split())
    return not quotes or any(_in_order(said, parts) for parts in quotes)


def _in_order(said: str, parts: list[re.Pattern[str]]) -> bool:
    at = 0
    for part in parts:
        found = part.search(said, at)
        if found is None:
            return False
        at = found.end()
    return True
