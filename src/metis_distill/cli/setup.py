"""`metis archive`, `sources`, `config`: what is kept, what an archive holds, what is set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from metis_distill.cli.common import (
    DataDir,
    console,
    err,
    friendly,
    shown,
    writing,
)
from metis_distill.config import load_settings


@friendly
def archive(
    sources: Annotated[
        list[Path] | None,
        typer.Option("--from", help="A folder or file of runs to copy in (repeatable)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Copy runs into the permanent archive: new files whole, grown files by their new bytes,
    rewritten files as a new version beside the old. Never deletes, never touches the sources."""
    from metis_distill.archive import archive_from

    settings = load_settings(data_dir=data_dir)
    with writing(settings) as ledger:
        result = archive_from(sources or settings.source_roots(), settings.archive_dir, ledger)
    console.print(
        f"archived into {settings.archive_dir}: {result.copied} new, {result.appended} appended, "
        f"{result.versions} new versions, {result.unchanged} unchanged "
        f"({result.bytes_copied:,} bytes copied)",
        soft_wrap=True,
        markup=False,
    )
    for path, reason in result.skipped:
        err.print(f"[dim]skipped[/] {escape(f'{path}: {reason}')}")


@friendly
def sources_(
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            "-a",
            help=f"Folder to look at {shown('default: the archive in the data dir')}.",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """What an archive holds, per format: files, runs, events, skipped lines."""
    from metis_distill.inventory import inventory

    settings = load_settings(data_dir=data_dir)
    root = archive or settings.archive_dir
    _check_folder(root.expanduser(), given=archive is not None)
    rows, skipped = inventory(root.expanduser())
    table = Table(
        "format", "files", "runs", "events", "corrupt lines", "unknown lines", "MB", title=str(root)
    )
    for row in rows:
        table.add_row(
            row.format,
            str(row.files),
            str(row.runs),
            str(row.events),
            str(row.corrupt_lines),
            str(row.unknown_lines),
            f"{row.bytes / 1e6:.2f}",
        )
    console.print(table, soft_wrap=False)
    for path, reason in skipped:
        err.print(f"[dim]skipped[/] {escape(f'{path}: {reason}')}")


def _check_folder(root: Path, *, given: bool) -> None:
    """The hint fits what was asked: a path given that is wrong, or no archive made yet."""
    from metis_distill.errors import ConfigError

    if root.exists() and not root.is_dir():
        raise ConfigError(
            f"{root} is a file, not a folder",
            hint="pass --archive a folder of runs, e.g. ~/.claude/projects",
        )
    if not root.exists() and given:
        raise ConfigError(
            f"no such folder: {root}", hint="check the path given to --archive: nothing is there"
        )
    if not root.exists():
        raise ConfigError(
            f"no archive in the data dir yet: {root}",
            hint="run `metis archive` first, or pass --archive a folder of runs",
        )


@friendly
def config(data_dir: DataDir = None) -> None:
    """Show the effective settings and where each value comes from."""
    from metis_distill.config.explain import effective

    settings = load_settings(data_dir=data_dir)
    rows = effective(settings, {"data_dir": data_dir})
    table = Table("setting", "value", "from")
    table.columns[1].overflow = "fold"  # a long path whole, over lines, never cut
    for row in rows:
        origin = f"{row.origin} (old name)" if row.flat else row.origin
        table.add_row(row.path, Text(row.shown), origin, style="yellow" if row.flat else None)
    console.print(table, soft_wrap=False)
    for row in rows:
        if row.flat:
            err.print(
                f"[yellow]deprecated:[/] {escape(row.flat.spelled)} ({escape(row.origin)}) is now "
                f"{escape(row.flat.instead)}",
                soft_wrap=True,
            )
