"""Prefect's console log, as a user of `metis distill` reads it: in a log file unless asked
for (`--verbose`), and our own errors (a `MetisError`, which the CLI prints with its hint) with
their one-line message, not a traceback. The flow run's log in Prefect (API handler) keeps
everything, with the full traceback."""

from __future__ import annotations

import logging
import sys
from contextlib import suppress
from pathlib import Path

from prefect.logging.configuration import ensure_logging_setup
from prefect.logging.handlers import PrefectConsoleHandler

from metis_distill.errors import MetisError


class BriefOnOurErrors(logging.Formatter):
    """Formats as `inner` does, leaving out the traceback of a `MetisError`."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, MetisError):
            return self.inner.format(record)
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None  # other handlers get them back below
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text = saved


def brief_console() -> None:
    """Wrap the formatter of each of Prefect's console handlers (once)."""
    ensure_logging_setup()
    for handler in logging.getLogger().handlers:
        if not isinstance(handler, PrefectConsoleHandler):
            continue
        if isinstance(handler.formatter, BriefOnOurErrors):
            continue
        handler.setFormatter(BriefOnOurErrors(handler.formatter or logging.Formatter()))


class LogFile(logging.FileHandler):
    """Where Prefect's console lines go when `metis distill` runs quietly."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        """A line the file cannot take (a full or read-only disk) is dropped without a word:
        the run says what stopped it in one line, and logging's own report of each lost line
        would bury it."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handleError(record)

    def close(self) -> None:
        """Closed even when its last lines cannot be flushed (the disk still full): the next
        run of a served deployment, in the same process, opens its own."""
        with suppress(OSError):  # FileHandler.close has let go of the file before it raises
            super().close()


_STREAMS = (PrefectConsoleHandler, logging.StreamHandler)
_moved: dict[str, list[logging.Handler]] = {}  # logger name -> the console handlers set aside


def log_to_file(path: Path | None) -> None:
    """Prefect's console log into `path` (appended), or back on the terminal with None. The
    API log (the flow run's log in the UI) is kept either way."""
    ensure_logging_setup()
    for name, logger in _loggers():
        for handler in [h for h in logger.handlers if isinstance(h, LogFile)]:
            logger.removeHandler(handler)
            handler.close()
        for handler in _moved.pop(name, []):
            logger.addHandler(handler)
        if path is None:
            continue
        consoles = [h for h in logger.handlers if _is_console(h)]
        if not consoles:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = LogFile(path, encoding="utf-8", delay=True)
        shown = consoles[0].formatter
        # the file keeps every traceback: the terminal has the brief message already
        full = shown.inner if isinstance(shown, BriefOnOurErrors) else shown
        to_file.setFormatter(full or logging.Formatter())
        for handler in consoles:
            logger.removeHandler(handler)
        _moved[name] = consoles
        logger.addHandler(to_file)


def _is_console(handler: logging.Handler) -> bool:
    return isinstance(handler, _STREAMS) and not isinstance(handler, logging.FileHandler)


def _loggers() -> list[tuple[str, logging.Logger]]:
    named = logging.Logger.manager.loggerDict.items()
    return [("", logging.getLogger()), *((n, g) for n, g in named if isinstance(g, logging.Logger))]
