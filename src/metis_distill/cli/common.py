"""What the commands share: the consoles, the options every command takes, errors turned
into one message and an exit code, the ledger opened for reading or writing."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from metis_distill.config import Settings
from metis_distill.errors import MetisError, disk_error

if TYPE_CHECKING:  # the pipeline and the ledger: imported only by the commands using them
    from metis_distill.ledger import Ledger


# Messages are never wrapped: a path broken by a newline cannot be copied (tables still fit
# the width: they pass soft_wrap=False).
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
P = ParamSpec("P")
R = TypeVar("R")


def shown(note: str) -> str:
    """`[note]` as help text: Rich reads a bare `[` as markup, and the note vanished."""
    return escape(f"[{note}]")


def counted(n: int, word: str, many: str | None = None) -> str:
    """ "1 file", "2 files": a count and its noun, singular or plural."""
    return f"{n} {word if n == 1 else many or word + 's'}"


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Ledger, index and proposals "
        + shown("default: the user data dir; env METIS_DATA_DIR")
        + ".",
    ),
]


Archive = Annotated[
    Path | None,
    typer.Option("--archive", "-a", help=f"Folder of runs {shown('default: ~/.claude/projects')}."),
]


Target = Annotated[
    Path | None, typer.Option("--target", "-t", help="The context file, e.g. repo/CLAUDE.md.")
]


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into one clear message and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MetisError as e:
            _say(e)
            raise typer.Exit(e.exit_code) from e
        except Exception as e:
            disk = disk_error(e)  # a read-only or full disk met on the way: one line too
            if disk is None:
                raise
            _say(disk)
            raise typer.Exit(disk.exit_code) from e

    return wrapper


def _say(error: MetisError) -> None:
    # soft_wrap: a path in a message must stay whole when there is no terminal
    label = "[bold red]error:[/]" if error.exit_code else "[yellow]note:[/]"
    err.print(f"{label} {escape(str(error))}", soft_wrap=True)
    if error.hint:
        err.print(f"[dim]hint:[/] {escape(error.hint)}", soft_wrap=True)


def quiet_prefect() -> None:
    """Offline by default: Prefect's ephemeral server (on 127.0.0.1, for this process only)
    must not try to send telemetry. A user's own Prefect settings still win."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    _check_prefect_home()


def _check_prefect_home() -> None:
    """Prefect keeps its database in its home (`PREFECT_HOME`, else `~/.prefect`): one that
    cannot be made leaves its server unable to start, and Prefect says only that it timed
    out, 90 s later. Said at once instead."""
    from metis_distill.errors import ConfigError

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(
            f"Prefect's home {home} cannot be made: {e.strerror or e}",
            hint="set PREFECT_HOME to a folder you can write (or HOME to an existing one)",
        ) from e


def check_target(settings: Settings) -> None:
    from metis_distill.errors import ConfigError

    if settings.target is None:
        raise ConfigError("no target given", hint="pass --target path/to/repo/CLAUDE.md")
    folder = settings.target.expanduser().resolve().parent
    if not folder.is_dir():
        raise ConfigError(
            f"the target's folder does not exist: {folder}",
            hint="point --target into an existing repository",
        )
    from metis_distill.placement.files import context_file
    from metis_distill.review.target import read_target

    target = settings.target = context_file(settings.target.expanduser())  # a folder: its file
    read_target(target)  # non-UTF-8 text fails here, early
    if target.exists():
        return
    if target.suffix.lower() != ".md":  # a folder's name mistyped would become a file
        raise ConfigError(
            f"the target {target} does not exist, and is not named as a Markdown file (.md)",
            hint=f"name a Markdown file, e.g. {folder / 'CLAUDE.md'} (or AGENTS.md, "
            "CLAUDE.local.md, any .md), or an existing folder",
        )


def writing(settings: Settings) -> Ledger:
    """The ledger, for a command that changes it (its schema upgraded first, its paths
    re-pointed into a data dir that was moved)."""
    from metis_distill.ledger import Ledger

    check_data_dir_writable(settings)
    return _following(Ledger(settings.ledger_url), settings, record=True)


def check_data_dir_writable(settings: Settings) -> None:
    """A command that writes says at once when its data dir cannot be written (a read-only
    copy shared with a team, a disk mounted read-only); the reading commands work there."""
    import os

    from metis_distill.errors import ConfigError
    from metis_distill.ledger.where import writable

    data_dir = settings.data_dir.expanduser()
    folder = next(p for p in (data_dir, *data_dir.parents) if p.exists())
    if writable(folder):
        return
    read_only = os.statvfs(folder).f_flag & os.ST_RDONLY
    why = "is on a read-only filesystem" if read_only else "cannot be written (permission denied)"
    raise ConfigError(
        f"the data dir {data_dir} {why}: this command writes its ledger",
        hint="pass --data-dir (or set METIS_DATA_DIR to) a writable folder; search, context, "
        "status, review, history and show read this one as it is",
    )


def _following(ledger: Ledger, settings: Settings, *, record: bool) -> Ledger:
    from metis_distill.ledger.moves import follow_move, recorded_data_dir
    from metis_distill.ledger.where import sqlite_file

    here = settings.data_dir.expanduser().resolve()
    try:
        if not record and sqlite_file(ledger.url) and recorded_data_dir(ledger) != str(here):
            # a command that reads never writes: the paths of a data dir that was moved or
            # copied (a backup, a read-only snapshot) are re-pointed in a copy in memory
            copy = ledger.copied()
            ledger.close()
            ledger = copy
        was = follow_move(ledger, settings.data_dir, record=record)
    except BaseException:
        ledger.close()
        raise
    if was is not None:
        said = (
            f"its ledger now points into {here}"
            if record
            else "its paths are read as if there (the next `metis distill` re-points them "
            "in its ledger)"
        )
        err.print(
            f"note: the data dir was moved or copied from {was}; {said}",
            markup=False,
            soft_wrap=True,
        )
    return ledger


def follow_data_dir(settings: Settings) -> None:
    """For a command that reads the SQLite ledger's file as it is (search, context, mcp): a
    data dir that was moved or copied is said, its evidence paths shown as recorded (one
    quick look when it was not)."""
    from metis_distill.ledger.glance import serves
    from metis_distill.ledger.where import sqlite_file

    if sqlite_file(settings.ledger_url) and not serves(settings.ledger_url, settings.data_dir):
        err.print(
            "note: this data dir's ledger was written from another data dir (moved or copied):"
            " its evidence paths are shown as recorded (the next `metis distill` re-points them)",
            markup=False,
            soft_wrap=True,
        )


def check_data_dir_made(settings: Settings) -> None:
    """A command that only reports on a data dir says when there is none there (as `search`
    does), rather than an empty report. A ledger elsewhere (a URL) is still read."""
    from metis_distill.ledger.where import sqlite_file

    ledger = sqlite_file(settings.ledger_url)
    if settings.data_dir.exists() or ledger is None or ledger.exists():
        return
    raise MetisError(
        f"no data dir at {settings.data_dir}",
        hint="run `metis distill` first, or pass the --data-dir it used",
    )


def reading(settings: Settings) -> Ledger:
    """The ledger, for a command that only reads it: never created or migrated, and written
    only to re-point it into a data dir that was moved."""
    from metis_distill.ledger import Ledger
    from metis_distill.ledger.core import MEMORY

    ledger = Ledger.reading(settings.ledger_url)
    if ledger.url == MEMORY:  # no ledger yet
        return ledger
    return _following(ledger, settings, record=False)
