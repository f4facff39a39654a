"""A screen in front of the redaction rules: one multi-pattern scan (Hyperscan) tells whether
any rule could match a text, so the ~50 regex passes run only on the few texts that may hold
a secret. It must never say "clean" where a rule would match: every rule is compiled as a
superset of itself, on a copy of the text in which each character keeps what the rules can
see of it.

- Lookarounds become plain groups (`(?<=://)x` -> `(?:://)x`, `(?=@)` -> `(?:@)`); negative
  ones and word boundaries (`\\b`, `\\B`) are dropped: each change only widens what matches. A
  rule Hyperscan cannot compile exactly is compiled in its prefilter mode, documented to match
  at least as much.
- A rule that cannot match the text cannot match it once other rules have replaced secrets
  in it either: a replacement adds only `[REDACTED:kind]`, and every rule leaves a match that
  holds one as it is. So only the rules the scan names run, in their order.
- The scanned copy is one byte per character: ASCII as it is (the separators Python reads as
  `\\s`, `\\x1c`-`\\x1f` and `\\v`, become spaces), every other character the byte 0x80 (its
  UTF-8 encoding with the lead byte translated and the continuation bytes deleted: C speed,
  whatever the text). In the rules, each part that can match a character outside ASCII is
  widened to match 0x80 too: `\\w`, `\\s`, `\\d` and the classes holding them, and under
  `(?i)` the letters i, s and k and the classes holding them (Python matches U+0130, U+0131,
  U+017F and U+212A with them); `.`, negated classes, `\\W`, `\\S` and `\\D` match 0x80 as
  they are. Counts stay counts of characters.

Without Hyperscan (not installed for this machine), or when a rule cannot be screened, every
text goes through the rules, as before.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from metis_distill import built_cache

_OTHER = 0x80  # what every character outside ASCII becomes in the scanned copy
_TABLE = bytes(
    0x20 if code in (0x0B, 0x1C, 0x1D, 0x1E, 0x1F) else code if code < 0x80 else _OTHER
    for code in range(256)
)
_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8's continuation bytes: dropped


def scanned_copy(text: str) -> bytes:
    """The copy of `text` the screen scans (see the module's docstring): as many bytes as
    `text` has characters. Lone surrogates (JSON's `\\ud800`) count as characters too."""
    if text.isascii():
        return text.encode("ascii").translate(_TABLE)
    return text.encode("utf-8", "surrogatepass").translate(_TABLE, _CONTINUATION)


def scanned_copy_of_utf8(data: bytes) -> bytes:
    """`scanned_copy` of the text that `data`, valid UTF-8, holds: made from the bytes as
    they are, without decoding them and encoding the text back."""
    if data.isascii():
        return data.translate(_TABLE)
    return data.translate(_TABLE, _CONTINUATION)


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


class Words:
    """Where some words start in a text, found in one Hyperscan scan of its UTF-8 bytes (a
    `str.find` per word is a pass over the text per word)."""

    def __init__(self, database: Any, hyperscan: Any, sizes: list[int]) -> None:
        self._db = database
        self._hs = hyperscan
        self._sizes = sizes  # each word's length in bytes
        self._local = threading.local()

    def starts(self, text: str, raw: bytes | None = None) -> list[int]:
        """Every place (a character's index) one of the words starts in `text`, ascending,
        overlaps kept; `raw` is `text` as UTF-8 if at hand. A word's bytes start on a
        character's first byte: UTF-8 never starts a character with a byte that continues
        one."""
        data = raw if raw is not None else text.encode("utf-8", "surrogatepass")
        return characters_at(data, len(text), self.byte_starts(data))

    def byte_starts(self, data: bytes) -> list[int]:
        """Every place (a byte's offset) one of the words starts in `data`, ascending, each
        place once."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._hs.Scratch(self._db)
        ends: list[tuple[int, int]] = []
        self._db.scan(data, match_event_handler=_note_end, context=ends, scratch=scratch)
        sizes = self._sizes
        return sorted({end - sizes[word] for word, end in ends})


def _note_end(word: int, start: int, end: int, flags: int, ends: list[tuple[int, int]]) -> bool:  # noqa: ARG001 (Hyperscan's callback)
    ends.append((word, end))
    return False


def characters_at(data: bytes, length: int, offsets: list[int]) -> list[int]:
    """Byte offsets (ascending) of UTF-8 `data`, a text of `length` characters, as the
    characters' indexes (they are when each character is one byte)."""
    if not offsets or len(data) == length:
        return offsets
    return _characters_before(data, offsets)


def _characters_before(data: bytes, offsets: list[int]) -> list[int]:
    """Each byte offset (ascending) of UTF-8 `data` as the number of characters before it."""
    found: list[int] = []
    characters = done = 0
    for offset in offsets:
        characters += len(data[done:offset].translate(None, _CONTINUATION))
        done = offset
        found.append(characters)
    return found


def words(spelled: Iterable[str]) -> Words | None:
    """The words compiled into a `Words`; None without Hyperscan."""
    try:
        import hyperscan
    except ImportError:
        return None
    encoded = [word.encode("utf-8") for word in spelled]
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[b"".join(b"\\x%02x" % byte for byte in word) for word in encoded],
        ids=list(range(len(encoded))),
        elements=len(encoded),
        flags=[0] * len(encoded),
    )
    return Words(database, hyperscan, [len(word) for word in encoded])


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
    kept = _kept_entry(hyperscan, expressions, flags)
    database = _loaded(hyperscan, built_cache.read(kept))
    if database is None:
        database = _compiled(hyperscan, expressions, flags)
        built_cache.write(kept, hyperscan.dumpb(database))
    return Screen(database, hyperscan)


def _compiled(hyperscan: Any, expressions: list[bytes], flags: list[int]) -> Any:
    try:
        return _database(hyperscan, expressions, flags)
    except hyperscan.HyperscanError:  # one rule is past exact compilation: widen that one
        flags = [
            f | _prefilter_if_needed(hyperscan, e, f)
            for e, f in zip(expressions, flags, strict=True)
        ]
        return _database(hyperscan, expressions, flags)


def _kept_entry(hyperscan: Any, expressions: list[bytes], flags: list[int]) -> Path:
    """The cache entry of the database compiled from these expressions, here."""
    parts = [hyperscan.__version__.encode(), built_cache.processor(), *expressions]
    return built_cache.entry("secret-screen", [*parts, repr(flags).encode()])


def _loaded(hyperscan: Any, data: bytes | None) -> Any:
    """The database a cache entry holds, None when there is none or it does not load and scan
    here (damaged, or built for another Hyperscan)."""
    if data is None:
        return None
    try:
        database = hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
        database.scan(
            b"a", match_event_handler=_note, context=set(), scratch=hyperscan.Scratch(database)
        )
    except (hyperscan.HyperscanError, TypeError, ValueError):
        return None
    return database


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
    widened = widen(rule.pattern, bool(rule.flags & re.IGNORECASE))
    if widened is None:
        return None
    pattern, caseless = widened
    flags = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    if caseless:
        flags |= hyperscan.HS_FLAG_CASELESS
    if rule.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    if rule.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    return pattern.encode("ascii"), int(flags)


_LOOKAROUNDS = {"(?<=": "keep", "(?=": "keep", "(?<!": "drop", "(?!": "drop"}
_WIDENED_ESCAPES = frozenset("wsd")  # can match a character outside ASCII; 0x80 they do not
_KEPT_ESCAPES = frozenset("WSD")  # match 0x80 as they are
_CASE_LETTERS = frozenset("iskISK")  # (?i): Python also matches U+0130, U+0131, U+017F, U+212A


def widen(pattern: str, caseless: bool = False) -> tuple[str, bool] | None:
    """A pattern that matches in the scanned copy wherever `pattern` matches in the text,
    without lookarounds or word boundaries, and whether it is case-insensitive (`caseless`,
    or a leading `(?i)`); None for what this does not understand (a non-ASCII pattern, flags
    other than a leading `(?i)`, an escape other than `\\w`, `\\s`, `\\d`, their negations,
    `\\b`, `\\B`, `\\uXXXX` outside a class and escaped punctuation, a negated class that
    keeps 0x80 out)."""
    if pattern.startswith("(?i)"):
        caseless, pattern = True, pattern[4:]
    if not pattern.isascii():
        return None
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("\\u", i) and _HEX4.fullmatch(pattern, i + 2, i + 6):
            out.append(_code_point(int(pattern[i + 2 : i + 6], 16)))
            i += 6
        elif char == "\\":
            escape = _escape(pattern[i : i + 2])
            if escape is None:
                return None
            out.append(escape)
            i += 2
        elif char == "[":
            end = _class_end(pattern, i)
            widened = None if end is None else _widen_class(pattern[i:end], caseless)
            if end is None or widened is None:
                return None
            out.append(widened)
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
            out.append(f"[{char}\\x80]" if caseless and char in _CASE_LETTERS else char)
            i += 1
    return "".join(out), caseless


_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


def _code_point(code: int) -> str:
    """A `\\uXXXX` escape outside a class: a character outside ASCII is 0x80 in the copy (a
    rule spells such words this way to stay ASCII), one inside it is itself."""
    return "\\x80" if code >= _OTHER else re.escape(chr(code))


def _escape(escape: str) -> str | None:
    """An escape outside a class, widened; None for one this does not understand."""
    name = escape[1:]
    if not name:
        return None
    if name in ("b", "B"):
        return ""  # a boundary next to a character outside ASCII is not one next to 0x80
    if name in _WIDENED_ESCAPES:
        return f"[{escape}\\x80]"
    if name in _KEPT_ESCAPES or not name.isalnum():
        return escape
    return None  # \x.., \u...., \A, \Z, a back-reference...: not screened


# One character of each kind a class of ASCII text can tell apart outside ASCII: a letter, a
# digit, a space, a symbol, a lone surrogate, and the four that (?i) reads as i, s and k.
_SAMPLES = "\u00e9\u0663\u2003\u2192\ud800\u0130\u0131\u017f\u212a"


def _widen_class(cls: str, caseless: bool) -> str | None:
    """A `[...]` class that also matches 0x80 when Python's matches a character outside ASCII
    with it; None when it cannot be widened (an escape not understood, a negated class)."""
    negated = cls.startswith("[^")
    j = 2 if negated else 1
    while j < len(cls) - 1:
        if cls[j] == "\\":
            name = cls[j + 1]
            if name.isalnum() and name not in _WIDENED_ESCAPES | _KEPT_ESCAPES:
                return None
            j += 2
        else:
            j += 1
    flags = re.IGNORECASE if caseless else 0
    compiled = re.compile(cls, flags)
    if not any(compiled.fullmatch(char) for char in _SAMPLES):
        return cls
    if re.fullmatch(cls.encode("ascii"), bytes([_OTHER]), flags):  # as Hyperscan reads it
        return cls
    if negated:
        return None
    at = 2 if cls.startswith("[]") else 1
    return cls[:at] + "\\x80" + cls[at:]


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
