"""Prefect's console log, as a user of `metis distill` reads it: our own errors (a `MetisError`,
which the CLI prints with its hint) show their one-line message, not a traceback. The flow
run's log in Prefect (API handler) keeps the full traceback."""

from __future__ import annotations

import logging

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
