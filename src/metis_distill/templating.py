"""The one jinja2 environment: strict about undefined variables, tidy about whitespace."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "render" / "templates"


@cache
def environment(folder: Path = TEMPLATES) -> Environment:
    made = Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown out, not HTML
    )
    made.filters["code_span"] = code_span
    return made


def code_span(text: str) -> str:
    """`text` as a Markdown code span, which every renderer shows verbatim: as plain Markdown,
    a quote's `bin\\..\\usr` lost its backslashes and its `*x*` became emphasis."""
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = text.startswith(("`", " ")) or text.endswith(("`", " "))
    pad = " " if padded and text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
