"""What `metis distill --dry-run` prints: the files the next distill would read, the excerpts
it would send to Claude (a count per file and a few samples), the estimated tokens and dollars."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from metis_distill.cli.common import console

if TYPE_CHECKING:
    from metis_distill.pipeline.preview import Preview

FILES_SHOWN = 30


def print_preview(found: Preview, *, as_json: bool, verbose: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(asdict(found), indent=2) + "\n")
        return
    console.print("[bold]dry run[/]: nothing is sent, nothing is written.")
    _files(found, verbose=verbose)
    _cost(found)
    for n, excerpt in enumerate(e for e in found.excerpts if e.text is not None):
        head = f"sample {n + 1} of {len(found.excerpts)}: {excerpt.path}#L{excerpt.lines}"
        console.print(Text(f"\n{head} ({excerpt.tokens:,} tokens)", style="bold"))
        console.print(Text(excerpt.text or ""), soft_wrap=True)


def _files(found: Preview, *, verbose: bool) -> None:
    files = found.files
    waiting = sum(not f.archived for f in files)
    note = f" ({waiting} not archived yet, counted whole)" if waiting else ""
    console.print(f"files to read: {len(files)}{note}")
    if not files:
        return
    table = Table(show_header=True, box=None, padding=(0, 2))
    for column in ("file", "bytes", "excerpts to send"):
        table.add_column(column, justify="left" if column == "file" else "right")
    shown = files if verbose else files[:FILES_SHOWN]
    for f in shown:
        table.add_row(Text(f.path), f"{f.bytes:,}", str(f.excerpts))
    console.print(table)
    if len(shown) < len(files):
        console.print(f"… and {len(files) - len(shown)} more (--verbose lists them all)")


def _cost(found: Preview) -> None:
    sent, cached = len(found.excerpts), found.cached
    console.print(f"excerpts to send: {sent:,} ({cached:,} already answered, from the cache)")
    usd = "no listed price" if found.usd is None else f"${found.usd:,.4f} at list price"
    batch = ", Message Batches at half price" if found.batch else ""
    console.print(
        Text(
            f"estimated: {found.input_tokens:,} tokens in, {found.output_tokens:,} out; "
            f"{usd}{batch} ({found.model}; the duplicate judge's calls not counted)"
        )
    )
    caps = ", ".join(f"{k} {v:,}" for k, v in found.caps.items() if v is not None)
    if caps:
        console.print(Text(f"caps: {caps}"))
    if found.extractor != "claude":
        console.print(
            "the rules extractor sends nothing: these are what `--extractor claude` would send."
        )
