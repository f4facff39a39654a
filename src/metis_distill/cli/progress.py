"""The progress bar of long work, on stderr and only on a terminal: the library reports
(`metis_distill.progress`), this shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from metis_distill import progress

LABELS = {
    "archive": "archiving new runs",
    "discover": "finding what changed",
    "extract": "reading and mining files",
    "submit-batch": "waiting for the Message Batch",
    "curate": "curating lessons",
    "publish": "writing the proposal",
}


class Bar:
    """One line: the step under way, and its files done when it counts them."""

    def __init__(self, shown: Progress) -> None:
        self.shown = shown
        self.task: TaskID | None = None

    def begin(self, what: str, total: int | None = None) -> None:
        if self.task is not None:  # a new line for each step: its own count, or none
            self.shown.remove_task(self.task)
        self.task = self.shown.add_task(LABELS.get(what, what), total=total)

    def advance(self, done: int) -> None:
        if self.task is not None:
            self.shown.advance(self.task, done)


@contextmanager
def progress_bar(console: Console | None) -> Iterator[None]:
    """A bar on `console` while the block runs, when it is a terminal; else nothing."""
    if console is None or not console.is_terminal:
        yield
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as shown, progress.showing(Bar(shown)):
        yield
