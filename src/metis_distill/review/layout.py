"""A proposal's block as lines that each know what they were and what they would become.

Rendering the layout with a set of accepted item numbers gives the target with exactly those
changes: an accepted item shows its new line, any other item its old one (or none).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from metis_distill.render.claude_md import RenderedLine, Section, render_block, splice
from metis_distill.render.parse import BlockLine, BlockSection


@dataclass(frozen=True)
class Entry:
    id: str | None  # None: a line a person added inside the block
    before: RenderedLine | None  # the line in the target now (None: a new line)
    after: RenderedLine | None  # the line proposed (None: the line goes)
    item: int | None = None  # the numbered change deciding between the two; None: no choice


@dataclass(frozen=True)
class LayoutSection:
    title: str
    entries: tuple[Entry, ...]


Layout = tuple[LayoutSection, ...]


def chosen_line(entry: Entry, accepted: Collection[int]) -> RenderedLine | None:
    if entry.item is None or entry.item in accepted:
        return entry.after
    return entry.before


def block_of(layout: Layout, accepted: Collection[int]) -> str:
    sections = []
    for section in layout:
        lines = (chosen_line(e, accepted) for e in section.entries)
        sections.append(Section(section.title, tuple(x for x in lines if x is not None)))
    return render_block(sections)


def apply(current: str, layout: Layout, accepted: Collection[int], preamble: str = "") -> str:
    """The target with the accepted items applied; every byte outside the block kept. A file
    that does not exist yet starts with `preamble`."""
    return splice(current or preamble, block_of(layout, accepted))


def without(layout: Layout, dropped: Collection[int]) -> Layout:
    """The layout with some items taken back (their lines stay as they are now) and the
    others numbered again from 1, in order."""
    kept = [n for n in numbers(layout) if n not in dropped]
    renumber = {old: new for new, old in enumerate(kept, start=1)}
    return tuple(
        LayoutSection(
            s.title,
            tuple(
                Entry(e.id, e.before, e.before, None)
                if e.item in dropped
                else Entry(e.id, e.before, e.after, renumber.get(e.item or 0))
                for e in s.entries
            ),
        )
        for s in layout
    )


def numbers(layout: Layout) -> list[int]:
    return sorted({e.item for s in layout for e in s.entries if e.item is not None})


def build(
    proposed: Sequence[tuple[str, Sequence[RenderedLine]]],
    base: Sequence[BlockSection],
    number: dict[str, int],
    foreign: Collection[str] = (),
) -> Layout:
    """The layout of a proposed block against the block the target holds (`base`): each
    proposed line with the line it replaces, and the target's other lines where they stood
    (a line metis wrote becomes a removal, numbered in `number`; a person's line stays, and
    so does a line of the `foreign` lesson ids, which another ledger wrote)."""
    old = {line.id: line for s in base for line in s.lines if line.id}
    sections: dict[str, list[Entry]] = {}
    entry_of: dict[str, Entry] = {}
    for title, lines in proposed:
        sections[title] = []
        for new in lines:
            lesson = new.id or None
            entry = Entry(lesson, before_of(old.get(new.id)), new, number.get(new.id))
            if lesson is not None:
                entry_of[lesson] = entry
            sections[title].append(entry)
    for section in base:
        anchor: Entry | None = None
        for line in section.lines:
            if line.id in entry_of:
                anchor = entry_of[line.id]
                continue
            was = before_of(line)
            mine = line.id is not None and line.id not in foreign
            entry = Entry(line.id, was, None if mine else was, number.get(line.id or ""))
            anchored(sections, section.title, anchor, entry)
            anchor = entry
    return sections_of(list(sections.items()))


def before_of(line: BlockLine | None) -> RenderedLine | None:
    """A line of the target as it stands, kept byte for byte when rendered again."""
    return None if line is None else RenderedLine(line.id or "", line.text, "", 0, raw=line.raw)


def anchored(
    sections: dict[str, list[Entry]], title: str, anchor: Entry | None, entry: Entry
) -> None:
    """Put a line that only the target has right after the line it followed there."""
    if anchor is not None:
        for entries in sections.values():
            for i, existing in enumerate(entries):
                if existing is anchor:
                    entries.insert(i + 1, entry)
                    return
    sections.setdefault(title, []).insert(0, entry)


def to_json(layout: Layout) -> list[Any]:
    return [asdict(s) for s in layout]


def from_json(data: Iterable[Any]) -> Layout:
    return tuple(LayoutSection(s["title"], tuple(_entry(e) for e in s["entries"])) for s in data)


def _entry(data: dict[str, Any]) -> Entry:
    return Entry(data["id"], _line(data["before"]), _line(data["after"]), data["item"])


def _line(data: dict[str, Any] | None) -> RenderedLine | None:
    return None if data is None else RenderedLine(**data)


def sections_of(titled: Sequence[tuple[str, list[Entry]]]) -> Layout:
    return tuple(LayoutSection(title, tuple(entries)) for title, entries in titled)
