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
from metis_distill.errors import MetisError

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
            # soft_wrap: a path in a message must stay whole when there is no terminal
            label = "[bold red]error:[/]" if e.exit_code else "[yellow]note:[/]"
            err.print(f"{label} {escape(str(e))}", soft_wrap=True)
            if e.hint:
                err.print(f"[dim]hint:[/] {escape(e.hint)}", soft_wrap=True)
            raise typer.Exit(e.exit_code) from e

    return wrapper


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

    return _following(Ledger(settings.ledger_url), settings, record=True)


def _following(ledger: Ledger, settings: Settings, *, record: bool) -> Ledger:
    from sqlalchemy.exc import OperationalError

    from metis_distill.ledger.moves import follow_move

    try:
        was = follow_move(ledger, settings.data_dir, record=record)
    except OperationalError as e:
        if record or "readonly" not in str(e).replace("read-only", "readonly"):
            ledger.close()
            raise
        # a read-only copy (a backup, a snapshot) is read as it is, its paths not re-pointed
        err.print(
            "note: this data dir's ledger cannot be written; its paths are read as recorded",
            markup=False,
            soft_wrap=True,
        )
        return ledger
    except BaseException:
        ledger.close()
        raise
    if was is not None:
        err.print(
            f"note: the data dir was moved from {was}; its ledger now points into "
            f"{settings.data_dir.expanduser().resolve()}",
            markup=False,
            soft_wrap=True,
        )
    return ledger


def follow_data_dir(settings: Settings) -> None:
    """For a command that reads the ledger without SQLAlchemy: a data dir that was moved is
    re-pointed first (one quick look when it was not)."""
    from metis_distill.ledger.glance import serves
    from metis_distill.ledger.where import sqlite_file

    # only a SQLite ledger is read that way
    if sqlite_file(settings.ledger_url) and not serves(settings.ledger_url, settings.data_dir):
        reading(settings).close()


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
