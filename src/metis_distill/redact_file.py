"""A whole file redacted as `redact` redacts it joined into one text, with each rule run only
on the lines that may hold one of its matches. Provenance redacts every file that holds
evidence whole, to learn its secrets (contract 10); most of its lines hold none.

- A rule is *line-bound* when no match of it can hold a newline and nothing it asserts looks
  past one: no part of it, lookarounds included, accepts `\\n`; no `^`, `$`, `\\A`, `\\Z`; it
  cannot match empty (`line_bound`). Its matches in the joined text are then the matches in
  each line alone, in the same order, so it runs on the lines the screen names it for, one
  Hyperscan scan per line.
- The assignment rules cross a newline only through their `\\s*` around `:`/`=`: a match
  that crosses one starts on a line that ends (blanks aside) as a name or a `:`/`=` does
  (`_may_cross`). With no such line, each runs on the lines the screen names it for, where
  names start; else it is tried where names start on those lines and on such lines, in the
  joined text, so that a match that crosses is found as `sub` finds it.
- Any other rule the file's screen names runs on the joined text, as `redact` runs it.

The rules run in `redact`'s order, so the values are noted in the same order, and a line
that a rule changed is screened again, as `redact` screens the text again.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cache
from itertools import accumulate, chain
from typing import Any

from metis_distill import redact
from metis_distill.secret_screen import Screen, characters_at, scanned_copy, scanned_copy_of_utf8
from metis_distill.textio import (
    ASCII_BLANKS,
    ENCODING_HEAD,
    Utf8Lines,
    detect_encoding,
    read_lines_of,
)

_BOUNDARIES = ("AT_BOUNDARY", "AT_NON_BOUNDARY")  # \b, \B: a newline is no word character


def redact_lines(lines: Sequence[str]) -> str:
    """`redact`'s rules applied to `"\\n".join(lines)` (without the run's remembered values):
    the same text, the same values noted, in the same order."""
    return _redacted(list(lines), "\n".join(lines), None)


def read_and_redact(data: bytes) -> tuple[list[str], str]:
    """A file's lines (as `textio.read_lines_of` reads them) and `redact_lines` of them. A file
    of valid UTF-8 with no BOM and no CR is its joined text already, and the screen's copy is
    made from its bytes: the same bytes `scanned_copy` makes of the text (one per character),
    without joining the lines again and encoding the text back."""
    if detect_encoding(data[:ENCODING_HEAD]) != ("utf-8", 0) or b"\r" in data:
        return _of_lines(read_lines_of(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # read with replacements: its copy is made from the text
        return _of_lines(read_lines_of(data))
    lines = text.split("\n")
    return lines, _redacted(list(lines), text, scanned_copy_of_utf8(data))


def read_and_note(data: bytes) -> Sequence[str]:
    """A file's lines, as `read_and_redact` gives them, having noted the values that
    `redact_lines` of them notes, in the same order; without the redacted text (what a check of
    the file's spans needs: its secrets). A UTF-8 file's lines are decoded when read, but for
    the lines the rules named by its screen read, and those outside ASCII (`Utf8Lines`)."""
    screen = redact.active_screen()
    if screen is None or detect_encoding(data[:ENCODING_HEAD]) != ("utf-8", 0) or b"\r" in data:
        return read_and_redact(data)[0]
    try:
        lines = Utf8Lines(data.split(b"\n"))
    except UnicodeDecodeError:  # read with replacements, as `read_and_redact` reads it
        return read_and_redact(data)[0]
    copy = scanned_copy_of_utf8(data)
    may = screen.scan(copy)
    if may:
        _Lines(screen, lines, lambda: copy.split(b"\n"), may, data).note()
    return lines


def _of_lines(lines: list[str]) -> tuple[list[str], str]:
    return lines, redact_lines(lines)


def _redacted(lines: list[str], text: str, copy: bytes | None) -> str:
    """`redact_lines` of `lines`, joined as `text`, whose scanned copy `copy` is if given."""
    screen = redact.active_screen()
    if screen is None:
        return redact.by_rules(text)
    copy = copy if copy is not None else scanned_copy(text)
    may = screen.scan(copy)
    if not may:
        return text
    copies = copy.split(b"\n")  # a newline is the only character copied as one
    if len(copies) != len(lines):  # lines that hold newlines themselves
        copies = [scanned_copy(line) for line in lines]
    lined = _Lines(screen, lines, lambda: copies, may)
    lined.note()
    return "\n".join(lined.all_lines())


class _Lines:
    """The file's lines as the rules change them (the lines as read, `base`, and the lines
    changed since, `edits`), their scanned copies, what the screen names for each line and for
    the joined text (scanned again once a change makes it stale). The gates are read in the
    text as it was, as `redact.by_rules` reads them. A line no rule reads is not read (of
    `Utf8Lines`: not decoded).

    The copies are split and each line is screened when a rule first asks (`copies`,
    `per_line`): a rule of `redact.STARTING_WORDS` does not, in a file read from its bytes
    (`data`), which one scan finds its words in (`_worded`)."""

    def __init__(
        self,
        screen: Screen,
        lines: Sequence[str],
        copies: Callable[[], list[bytes]],
        may: set[int],
        data: bytes | None = None,
    ) -> None:
        self.screen = screen
        self.original = lines
        self.base = lines
        self.edits: dict[int, str] = {}
        self._copies_of = copies
        self._copies: list[bytes] | None = None
        self._per_line: list[set[int]] | None = None
        self.may: set[int] | None = may
        self.gates: dict[str, bool] = {}
        self.data = data  # the bytes `base` was split from (a `Utf8Lines`), if at hand
        self._offsets: list[int] | None = None
        self._crossing: set[int] | None = None  # `_may_cross` lines, kept as lines change

    @property
    def copies(self) -> list[bytes]:
        """Each line's scanned copy."""
        if self._copies is None:
            self._copies = self._copies_of()
        return self._copies

    @property
    def per_line(self) -> list[set[int]]:
        """What the screen names for each line."""
        if self._per_line is None:
            self._per_line = [self.screen.scan(copy) for copy in self.copies]
        return self._per_line

    def note(self) -> None:
        """Every rule run, in order: the values noted, the lines changed."""
        for index, (kind, pattern) in enumerate(redact.rules()):
            replace = redact.replacer(kind, pattern)
            if line_bound(pattern):
                self._on_lines(index, kind, pattern, replace)
            elif pattern in redact.ASSIGNMENTS:
                self._assignments(index, kind, pattern, replace)
            elif index in self._whole_may() and self._gate(kind, []):
                self._on_text(pattern, replace)

    def line(self, number: int) -> str:
        return self.edits[number] if number in self.edits else self.base[number]

    def all_lines(self) -> list[str]:
        lines = list(self.base)
        for number, line in self.edits.items():
            lines[number] = line
        return lines

    def _whole_may(self) -> set[int]:
        if self.may is None:
            self.may = self.screen.scan(b"\n".join(self.copies))
        return self.may

    def _gate(self, kind: str, first: list[int]) -> bool:
        """Does the text as it was hold the kind's gate? The lines named first are read first."""
        if kind not in self.gates:
            # `first` only orders the search: once a rule on the joined text has split a line
            # holding newlines, its numbers may run past the lines as they were
            known = len(self.original)
            order = chain((n for n in first if n < known), range(known))
            self.gates[kind] = any(redact.gate_open(kind, self.original[n].lower()) for n in order)
        return self.gates[kind]

    def _on_lines(self, index: int, kind: str, pattern: re.Pattern[str], replace: Any) -> None:
        if self.may is not None and index not in self.may:
            return
        worded = kind in redact.STARTING_WORDS  # tried where its words start, as by_rules does
        words = self._worded(kind) if worded else None
        if words is not None:
            named = sorted(words)
        else:
            named = [n for n, may in enumerate(self.per_line) if index in may]
        if not named or not self._gate(kind, named):
            return
        for number in named:
            line = self.line(number)
            at = words.get(number) if words is not None else None
            if at is not None and isinstance(self.base, Utf8Lines):  # found in the file's bytes
                starts = characters_at(self.base.raw[number], len(line), at)
                changed = redact.sub_at(pattern, line, starts, replace)
            elif worded:
                changed = redact.sub_at_words(kind, pattern, line, replace, self._raw(number))
            else:
                changed = pattern.sub(replace, line)
            if changed != line:
                self._line_changed(number, changed)

    def _worded(self, kind: str) -> dict[int, list[int] | None] | None:
        """The lines where one of the words of a rule of `redact.STARTING_WORDS` starts (None
        if the file is not at hand as bytes), in place of the lines the screen names for it:
        of each line as read, the places (bytes into the line) its words start; of a line
        changed since, None (its words are found in it). Either way each line that holds a
        match is tried, where its words start, in order: a match starts with a word (tried only
        there), and the screen names each line a rule matches in; a line of either kind but not
        of the other holds no match. The words of the lines as read are found in one scan of
        the file's bytes: a word holds no newline, and is found where it is whatever surrounds
        it (the scan of a line alone finds the same places)."""
        if self.data is None or not isinstance(self.base, Utf8Lines):
            return None
        starts = redact.word_byte_starts(kind, self.data)
        if starts is None:
            return None
        if self._offsets is None:  # where each line starts in the bytes
            self._offsets = list(accumulate((len(line) + 1 for line in self.base.raw), initial=0))
        offsets = self._offsets
        found: dict[int, list[int] | None] = {}
        for at in starts:  # ascending: so are each line's places
            number = bisect_right(offsets, at) - 1
            places = found.setdefault(number, [])
            if places is not None:
                places.append(at - offsets[number])
        for number, line in self.edits.items():
            found.pop(number, None)
            if redact.word_starts(kind, line):
                found[number] = None
        return found

    def _raw(self, number: int) -> bytes | None:
        """The line's UTF-8 bytes as read, unless a rule has changed it."""
        if number in self.edits or not isinstance(self.base, Utf8Lines):
            return None
        return self.base.raw[number]

    def _assignments(self, index: int, kind: str, pattern: re.Pattern[str], replace: Any) -> None:
        if self.may is not None and index not in self.may:
            return
        named = [n for n, may in enumerate(self.per_line) if index in may]
        crossing = sorted(self._crossing_lines())
        tried = sorted({*named, *crossing})
        if not tried or not self._gate(kind, tried):
            return
        if crossing:  # a match may run on into the next line: try them in the joined text
            self._assignments_joined(pattern, tried, replace)
            return
        for number in named:  # each match within its line
            line = self.line(number)
            changed = redact.sub_at(pattern, line, redact.name_starts(pattern, line), replace)
            if changed != line:
                self._line_changed(number, changed)

    def _crossing_lines(self) -> set[int]:
        """The lines an assignment may run on from (`_may_cross`): read once, and again for a
        line when it changes (both assignment rules ask)."""
        if self._crossing is None:
            self._crossing = {n for n in range(len(self.base)) if self._may_cross(n)}
        return self._crossing

    def _may_cross(self, number: int) -> bool:
        if number in self.edits or not isinstance(self.base, Utf8Lines):
            return _may_cross(self.line(number))
        crosses = _may_cross_bytes(self.base.raw[number])
        return crosses if crosses is not None else _may_cross(self.base[number])

    def _assignments_joined(self, pattern: re.Pattern[str], tried: list[int], replace: Any) -> None:
        lines = self.all_lines()
        offsets = list(accumulate((len(line) + 1 for line in lines), initial=0))
        starts = [offsets[n] + at for n in tried for at in redact.name_starts(pattern, lines[n])]
        text = "\n".join(lines)
        self._changed(text, redact.sub_at(pattern, text, starts, replace))

    def _on_text(self, pattern: re.Pattern[str], replace: Any) -> None:
        text = "\n".join(self.all_lines())
        self._changed(text, pattern.sub(replace, text))

    def _changed(self, text: str, changed: str) -> None:
        if changed == text:
            return
        lines = changed.split("\n")
        if len(lines) != len(self.base):  # a key block over many lines became one
            self.base, self.edits = lines, {}
            self._copies_of = lambda: [scanned_copy(line) for line in lines]
            self._copies = self._per_line = None
            self._crossing = None
            self.may = None
            return
        for number, (old, new) in enumerate(zip(self.all_lines(), lines, strict=True)):
            if new != old:
                self._line_changed(number, new)

    def _line_changed(self, number: int, line: str) -> None:
        self.edits[number] = line
        self.copies[number] = scanned_copy(line)
        if self._per_line is not None:  # else screened when first asked, as it is now
            self._per_line[number] = self.screen.scan(self.copies[number])
        if self._crossing is not None:
            if self._may_cross(number):
                self._crossing.add(number)
            else:
                self._crossing.discard(number)
        self.may = None


def _may_cross(line: str) -> bool:
    """Could an assignment that starts on this line go on past its end? Only through `\\s*`
    after a name, a quote, a backslash or the `:`/`=` (str.isspace is re's `\\s`)."""
    tail = line.rstrip()
    if not tail:
        return False  # a match starts with a name: not on a blank line
    last = tail[-1]
    return last.isalnum() or last in '_"\\:=' or not last.isascii()


def _may_cross_bytes(raw: bytes) -> bool | None:
    """`_may_cross` of a UTF-8 line read from its bytes; None when its last character (blanks
    aside) is outside ASCII: a space there (U+00A0) is stripped by `str.rstrip`, so decode."""
    tail = raw.rstrip(ASCII_BLANKS)  # what `str.rstrip` strips that is ASCII
    if not tail:
        return False
    last = tail[-1]
    if last >= 0x80:
        return None
    return chr(last).isalnum() or chr(last) in '_"\\:='


@cache
def line_bound(pattern: re.Pattern[str]) -> bool:
    """No match of the rule holds a newline or depends on what lies past one (see the module's
    docstring); unknown constructs count as not bound."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import sre_parse

    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    if parsed.getwidth()[0] == 0:
        return False
    return _bound(parsed.data, bool(pattern.flags & re.DOTALL))


def _bound(items: list[tuple[Any, Any]], dotall: bool) -> bool:
    return all(_item_bound(str(op), value, dotall) for op, value in items)


def _item_bound(op: str, value: Any, dotall: bool) -> bool:
    if op == "LITERAL":
        return bool(value != ord("\n"))
    if op == "NOT_LITERAL":
        return bool(value == ord("\n"))
    if op == "ANY":
        return not dotall
    if op == "IN":
        return not _class_has_newline(value)
    if op == "AT":
        return str(value) in _BOUNDARIES
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return _bound(list(value[2]), dotall)
    if op == "SUBPATTERN":
        group, add, remove, body = value
        on = (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL
        return _bound(list(body), on)
    if op == "BRANCH":
        return all(_bound(list(branch), dotall) for branch in value[1])
    if op in ("ASSERT", "ASSERT_NOT"):
        return _bound(list(value[1]), dotall)
    if op == "ATOMIC_GROUP":
        return _bound(list(value), dotall)
    return False  # back references, conditionals: not worth knowing


_NEWLINE_CATEGORIES = frozenset({"CATEGORY_SPACE", "CATEGORY_NOT_DIGIT", "CATEGORY_NOT_WORD"})
_OTHER_CATEGORIES = frozenset({"CATEGORY_NOT_SPACE", "CATEGORY_DIGIT", "CATEGORY_WORD"})


def _class_has_newline(items: list[tuple[Any, Any]]) -> bool:
    negated = bool(items) and str(items[0][0]) == "NEGATE"
    listed = False
    for op, value in items[1:] if negated else items:
        kind = str(op)
        if kind == "LITERAL":
            listed = listed or value == ord("\n")
        elif kind == "RANGE":
            listed = listed or value[0] <= ord("\n") <= value[1]
        elif kind == "CATEGORY" and str(value) in _NEWLINE_CATEGORIES:
            listed = True
        elif kind != "CATEGORY" or str(value) not in _OTHER_CATEGORIES:
            return True  # not known: as if it held \n
    return listed != negated
