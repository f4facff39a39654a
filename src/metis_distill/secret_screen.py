"""A screen in front of the redaction rules: one multi-pattern scan (Hyperscan) tells whether
any rule could match a text, so the ~50 regex passes run only on the few texts that may hold
a secret. It must never say "clean" where a rule would match: every rule is compiled as a
superset of itself, on a copy of the text in which each character keeps what the rules can
see of it.

- Lookarounds become plain groups (`(?<=://)x` -> `(?:://)x`, `(?=@)` -> `(?:@)`); negative
  ones are dropped: each change only widens what matches. A rule Hyperscan cannot compile
  exactly is compiled in its prefilter mode, documented to match at least as much.
- A rule that cannot match the text cannot match it once other rules have replaced secrets
  in it either: a replacement adds only `[REDACTED:kind]`, and every rule leaves a match that
  holds one as it is. So only the rules the scan names run, in their order.
- The scanned copy is ASCII: a character outside ASCII becomes one that every class of the
  rules treats alike (`\\w` -> `a`, `\\d` -> `0`, `\\s` -> space, anything else -> `~`, which
  no negated class of the rules lists), and the four non-ASCII letters that Python's
  case-insensitive ASCII ranges match become those letters. ASCII separators Python reads as
  `\\s` (`\\x1c`-`\\x1f`, `\\v`) become spaces.

Without Hyperscan (not installed for this machine), or when a rule cannot be screened, every
text goes through the rules, as before.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

_OTHER = "~"  # what a character that is neither \w, \d nor \s becomes in the scanned copy
_FOLDED = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_ASCII_SPACES = bytes.maketrans(b"\x0b\x1c\x1d\x1e\x1f", b"     ")


def _folded(code: int) -> int:
    """What the character `code` becomes in the scanned copy (an ASCII code)."""
    char = chr(code)
    if code < 128:
        return ord(" ") if char in "\x0b\x1c\x1d\x1e\x1f" else code
    if char in _FOLDED:
        return ord(_FOLDED[char])
    if char.isspace():
        return ord(" ")
    if char.isdecimal():
        return ord("0")
    if char.isalnum():
        return ord("a")
    return ord(_OTHER)


def _fold_error(error: UnicodeError) -> tuple[str, int]:
    """A run of non-ASCII characters as the scanned copy has it; short runs repeat (`…`, `—`,
    emoji) and are kept."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    folded = _folded_short(run) if len(run) <= _KEPT_RUN else "".join(map(_folded_char, run))
    return folded, error.end


_KEPT_RUN = 32


@lru_cache(maxsize=4096)
def _folded_short(run: str) -> str:
    return "".join(map(_folded_char, run))


@cache
def _folded_char(char: str) -> str:
    return chr(_folded(ord(char)))


_FOLD_ERRORS = "metis_distill.secret_screen.fold"
codecs.register_error(_FOLD_ERRORS, _fold_error)


def scanned_copy(text: str) -> bytes:
    """The ASCII copy of `text` the screen scans (see the module's docstring). The ASCII
    encoder hands each run of other characters to `_fold_error`: cheap for mostly-ASCII text."""
    return text.encode("ascii", _FOLD_ERRORS).translate(_ASCII_SPACES)


class Screen:
    """The compiled rules and one scratch space per thread (Hyperscan's is not shared)."""

    def __init__(self, database: Any, hyperscan: Any) -> None:
        self._db = database
        self._hs = hyperscan
        self._local = threading.local()

    def candidates(self, text: str) -> set[int]:
        """The rules (by their place in the list screened) that may match `text`; no other
        rule can. Empty for most text."""
        return self.scan(scanned_copy(text))

    def scan(self, copy: bytes) -> set[int]:
        """`candidates` of the text whose `scanned_copy` this is."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._hs.Scratch(self._db)
        found: set[int] = set()
        self._db.scan(copy, match_event_handler=_note, context=found, scratch=scratch)
        return found


def _note(rule: int, start: int, end: int, flags: int, found: set[int]) -> bool:  # noqa: ARG001 (Hyperscan's callback)
    found.add(rule)
    return False  # go on: the other rules' first matches too


def screen(rules: Iterable[re.Pattern[str]]) -> Screen | None:
    """The rules compiled into one screen; None without Hyperscan or for a rule the screen
    cannot stand in for (then every text must go through the rules)."""
    try:
        import hyperscan
    except ImportError:
        return None
    compiled = [_expression(hyperscan, rule) for rule in rules]
    if any(c is None for c in compiled):
        return None
    expressions = [c[0] for c in compiled if c is not None]
    flags = [c[1] for c in compiled if c is not None]
    try:
        database = _database(hyperscan, expressions, flags)
    except hyperscan.HyperscanError:  # one rule is past exact compilation: widen that one
        flags = [
            f | _prefilter_if_needed(hyperscan, e, f)
            for e, f in zip(expressions, flags, strict=True)
        ]
        database = _database(hyperscan, expressions, flags)
    return Screen(database, hyperscan)


def _database(hyperscan: Any, expressions: list[bytes], flags: list[int]) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=flags,
    )
    return database


def _prefilter_if_needed(hyperscan: Any, expression: bytes, flags: int) -> int:
    try:
        _database(hyperscan, [expression], [flags])
    except hyperscan.HyperscanError:
        return int(hyperscan.HS_FLAG_PREFILTER)  # documented to match at least as much
    return 0


def _expression(hyperscan: Any, rule: re.Pattern[str]) -> tuple[bytes, int] | None:
    """The rule as a Hyperscan expression and flags that match at least what it matches."""
    widened = widen(rule.pattern)
    if widened is None:
        return None
    pattern, caseless = widened
    flags = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    if caseless or rule.flags & re.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if rule.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    if rule.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    return pattern.encode("ascii"), int(flags)


_LOOKAROUNDS = {"(?<=": "keep", "(?=": "keep", "(?<!": "drop", "(?!": "drop"}


def widen(pattern: str) -> tuple[str, bool] | None:
    """A pattern that matches wherever `pattern` does, without lookarounds, and whether a
    leading `(?i)` made it case-insensitive; None for what this does not understand (a
    non-ASCII pattern, flags other than a leading `(?i)`, a negated class that lists `~`)."""
    caseless = pattern.startswith("(?i)")
    if caseless:
        pattern = pattern[4:]
    if not pattern.isascii():
        return None
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif char == "[":
            end = _class_end(pattern, i)
            if end is None or (pattern[i + 1 : i + 2] == "^" and _lists_other(pattern[i:end])):
                return None
            out.append(pattern[i:end])
            i = end
        elif char == "(" and pattern.startswith("(?", i):
            group = _group(pattern, i)
            if group is None:
                return None
            opener, kind = group
            if kind == "drop":
                close = _close(pattern, i)
                if close is None:
                    return None
                i = close + 1
                continue
            out.append("(?:")
            i += len(opener)
        else:
            out.append(char)
            i += 1
    return "".join(out), caseless


def _group(pattern: str, i: int) -> tuple[str, str] | None:
    """The opener of the group at `i` and what to do with it: keep its contents as a plain
    group, or drop it; None for an inline flag or an unknown group."""
    for opener, kind in _LOOKAROUNDS.items():
        if pattern.startswith(opener, i):
            return opener, kind
    if pattern.startswith("(?:", i):
        return "(?:", "keep"
    named = re.match(r"\(\?P<\w+>", pattern[i:])
    return (named.group(0), "keep") if named else None


def _class_end(pattern: str, i: int) -> int | None:
    """The index after the `]` that closes the class opened at `i`."""
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while j < len(pattern):
        if pattern[j] == "\\":
            j += 2
        elif pattern[j] == "]":
            return j + 1
        else:
            j += 1
    return None


def _lists_other(negated: str) -> bool:
    """Does a negated class exclude `~` (then `~` would not stand for every other char)?"""
    return re.fullmatch(negated, _OTHER) is None


def _close(pattern: str, i: int) -> int | None:
    """The index of the `)` closing the group opened at `i`."""
    depth, j = 0, i
    while j < len(pattern):
        char = pattern[j]
        if char == "\\":
            j += 2
            continue
        if char == "[":
            end = _class_end(pattern, j)
            if end is None:
                return None
            j = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None
