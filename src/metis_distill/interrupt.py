"""A run stopped by the person (Ctrl-C): no new paid call, no new stage, and the calls already
sent counted until their answers are cached, so the process can end without losing them.

The CLI sets the flag from its SIGINT handler (`cli/interrupt.py`) and ends the process; the
library only asks: `requested()` before a call, `hold_if_stopping()` before a stage."""

from __future__ import annotations

import threading
import time

_stop = threading.Event()
_unsettled = 0  # calls sent whose answer is not cached yet
_lock = threading.Condition()


def request() -> None:
    _stop.set()


def requested() -> bool:
    return _stop.is_set()


def clear() -> None:
    """For a process that runs several distills (the tests)."""
    _stop.clear()


def hold_if_stopping() -> None:
    """Start no new stage once stopped: wait here for the process to end."""
    while _stop.is_set():
        time.sleep(1)


def call_sent() -> None:
    global _unsettled
    with _lock:
        _unsettled += 1


def call_settled() -> None:
    global _unsettled
    with _lock:
        _unsettled -= 1
        _lock.notify_all()


def wait_settled(seconds: float) -> bool:
    """Wait up to `seconds` for the calls in flight to be answered and cached."""
    with _lock:
        return _lock.wait_for(lambda: _unsettled <= 0, timeout=seconds)
