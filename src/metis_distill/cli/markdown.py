"""Markdown printed as written, whole lines when unwrapped: the review's report on the
terminal. Its own module so that only `metis review` loads markdown-it and Rich's Markdown."""

from __future__ import annotations

from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.containers import Renderables
from rich.markdown import BlockQuote, ListItem, Markdown, MarkdownElement
from rich.segment import Segment
from rich.style import Style


def _lines(
    console: Console, elements: Renderables, options: ConsoleOptions, style: Style
) -> list[list[Segment]]:
    """The lines of a list item or quote. Rich cuts them at the width even when the console
    prints unwrapped (soft wrap, as every command here does): an evidence link lost its end
    (`#L4082-L5368` printed as `#L4082-L53`) and its quote. Unwrapped, they stay whole, as
    long as they are, like the paths the other commands print; wrapped, Rich's own lines."""
    if not options.no_wrap:
        return console.render_lines(elements, options, style=style)
    rendered = Segment.apply_style(console.render(elements, options), style)
    return list(Segment.split_lines(rendered))


def _marked(lines: list[list[Segment]], first: Segment, rest: Segment) -> RenderResult:
    for number, line in enumerate(lines):
        yield first if number == 0 else rest
        yield from line
        yield Segment.line()


class _WholeItem(ListItem):
    """A list item whose lines are never cut (see `_lines`)."""

    def render_bullet(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not options.no_wrap:
            yield from super().render_bullet(console, options)
            return
        lines = _lines(
            console, self.elements, options.update(width=options.max_width - 3), self.style
        )
        bullet = console.get_style("markdown.item.bullet", default="none")
        yield from _marked(lines, Segment(" • ", bullet), Segment("   ", bullet))

    def render_number(
        self, console: Console, options: ConsoleOptions, number: int, last_number: int
    ) -> RenderResult:
        if not options.no_wrap:
            yield from super().render_number(console, options, number, last_number)
            return
        width = len(str(last_number)) + 2
        lines = _lines(
            console, self.elements, options.update(width=options.max_width - width), self.style
        )
        style = console.get_style("markdown.item.number", default="none")
        numeral = Segment(f"{number}".rjust(width - 1) + " ", style)
        yield from _marked(lines, numeral, Segment(" " * width, style))


class _WholeQuote(BlockQuote):
    """A block quote whose lines are never cut (see `_lines`)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not options.no_wrap:
            yield from super().__rich_console__(console, options)
            return
        lines = _lines(
            console, self.elements, options.update(width=options.max_width - 4), self.style
        )
        padding = Segment("▌ ", self.style)
        yield from _marked(lines, padding, padding)


class LiteralMarkdown(Markdown):
    """Markdown whose `<…>` prints as written: Rich drops what the parser takes for HTML, and
    a lesson about `Promise<ReadonlyRequestCookies>` lost its type. Printed unwrapped, its list
    items and quotes are whole (`_lines`)."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "list_item_open": _WholeItem,
        "blockquote_open": _WholeQuote,
    }

    def __init__(self, markup: str) -> None:
        super().__init__(markup)
        no_html = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")
        self.parsed = no_html.parse(markup)
