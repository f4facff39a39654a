"""The progress bar of long work, on stderr and only on a terminal: the library reports
(`metis_distill.progress`), this shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from metis_distill import progress

STARTING = "start"
LABELS = {
    STARTING: "starting the flow (Prefect)",
    "archive": "archiving new runs",
    "discover": "finding what changed",
    "extract": "reading and mining files",
    "submit-batch": "waiting for the Message Batch",
    "curate": "curating lessons",
    "publish": "writing the proposal",
}


_showing: list[Progress] = []  # the bar on the terminal, while one is


class Counted(ProgressColumn):
    """`12/32 files` for a step that counts them; nothing for one that does not."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        return Text(f"{task.completed:.0f}/{task.total:.0f} files", style="progress.download")


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
        Counted(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as shown, progress.showing(Bar(shown)):
        _showing.append(shown)
        try:
            yield
        finally:
            _showing.remove(shown)


def stop_bars() -> None:
    """Take the bar off the terminal now (Ctrl-C: the process ends without unwinding)."""
    for shown in list(_showing):
        shown.stop()
