"""Contradicting decisions: the same subject, the opposite choice ("use X" / "don't use X",
"use Y instead of X"). Plain parsing of the choice a decision states; no model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ARTICLE = r"(?:(?:the|a|an)\s+)?"
_THING = r"(`[^`]+`|[\w][\w.+@/:=-]*)"
_USE = (
    r"(?:use|using|uses|prefer|choose|pick|go with|switch to|stick (?:with|to)|keep using|"
    r"move to|migrate to|rely on)"
)
_NEGATION = r"(?:don't|do not|never|stop|no longer|not|shouldn't|mustn't|won't)"
_INSTEAD = re.compile(
    rf"\b{_USE}\s+{_ARTICLE}{_THING}\s+(?:instead of|rather than|over|not)\s+(?:using\s+)?"
    rf"{_ARTICLE}{_THING}",
    re.I,
)
_REPLACE = re.compile(
    rf"\breplac(?:e|ed|ing)\s+{_ARTICLE}{_THING}\s+with\s+{_ARTICLE}{_THING}", re.I
)
_FROM_TO = re.compile(
    r"\b(?:switch(?:ed|ing)?|mov(?:e|ed|ing)|migrat(?:e|ed|ing))\s+"
    rf"from\s+{_ARTICLE}{_THING}\s+to\s+{_ARTICLE}{_THING}",
    re.I,
)
_AGAINST = re.compile(rf"\b{_NEGATION}\s+{_USE}\s+{_ARTICLE}{_THING}", re.I)
_AVOID = re.compile(rf"\bavoid(?:ing)?\s+{_ARTICLE}{_THING}", re.I)
_FOR = re.compile(rf"\b{_USE}\s+{_ARTICLE}{_THING}", re.I)
# Words that follow a verb without naming a thing ("use it", "run this").
_VAGUE = frozenset(
    {"it", "this", "that", "them", "these", "those", "something", "anything", "one", "to", "of"}
    | {"and", "or", "for", "in", "on", "with", "by", "the", "a", "an", "all", "any", "same"}
)


@dataclass(frozen=True)
class Choice:
    """What a decision is for and against (subjects lowercased, backticks dropped)."""

    chosen: frozenset[str]
    rejected: frozenset[str]


def _subject(raw: str) -> str | None:
    name = raw.strip("`").strip().strip(".,;:").lower()
    return None if not name or name in _VAGUE else name


@lru_cache(maxsize=4096)  # every touched decision is read against every other
def choice(text: str) -> Choice:
    """What a decision chooses and rejects: "use Y instead of X", "replace X with Y",
    "switch from X to Y", "don't use X", "avoid X", "use X"."""
    chosen: set[str] = set()
    rejected: set[str] = set()
    rest = text
    for pattern, order in ((_INSTEAD, (1, 2)), (_REPLACE, (2, 1)), (_FROM_TO, (2, 1))):
        for match in pattern.finditer(rest):
            good, bad = _subject(match.group(order[0])), _subject(match.group(order[1]))
            chosen |= {good} if good else set()
            rejected |= {bad} if bad else set()
        rest = pattern.sub(" ", rest)
    for pattern in (_AGAINST, _AVOID):
        for match in pattern.finditer(rest):
            bad = _subject(match.group(1))
            rejected |= {bad} if bad else set()
        rest = pattern.sub(" ", rest)
    for match in _FOR.finditer(rest):
        good = _subject(match.group(1))
        chosen |= {good} if good else set()
    return Choice(frozenset(chosen - rejected), frozenset(rejected))


def contradicts(a: str, b: str) -> bool:
    """Does one text choose what the other rejects?"""
    ca, cb = choice(a), choice(b)
    return bool(ca.chosen & cb.rejected or ca.rejected & cb.chosen)
