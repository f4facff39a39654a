"""How far a long piece of work has gone: stages begun, files done. The library reports; a
sink set by whoever shows it (the CLI's progress bar) receives; nothing is shown otherwise.

One sink per process: the stages and batches report from the thread that runs the flow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Progress(Protocol):
    def begin(self, what: str, total: int | None = None) -> None:
        """A step starts: what it does, and how many units it has (None: unknown)."""

    def advance(self, done: int) -> None:
        """`done` more units of the current step are finished."""


class _Silent:
    def begin(self, what: str, total: int | None = None) -> None:
        pass

    def advance(self, done: int) -> None:
        pass


_sink: Progress = _Silent()


def report() -> Progress:
    """Where progress goes now (by default, nowhere)."""
    return _sink


@contextmanager
def showing(sink: Progress) -> Iterator[None]:
    """Send progress to `sink` for the duration."""
    global _sink
    saved, _sink = _sink, sink
    try:
        yield
    finally:
        _sink = saved
