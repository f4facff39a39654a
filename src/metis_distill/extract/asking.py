"""Excerpts being asked in this process. Parallel batches of one run each have an extractor;
when two files hold the same conversation (`claude --resume` copies one into a new file), their
excerpts are the same: the first batch to need one asks it, the others wait for its answer in
the cache instead of paying again."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

Key = tuple[str, str, str, str]  # ledger url, excerpt sha256, prompt version, model

_lock = threading.Lock()
_asking: dict[Key, threading.Event] = {}


@contextmanager
def claimed(keys: Iterable[Key]) -> Iterator[tuple[set[Key], list[threading.Event]]]:
    """The keys this caller asks (none asks them meanwhile), and the events of those another
    caller is asking, set when its answers are in the cache (or it gave up on them). The
    caller's keys are released on leaving, even on an error."""
    mine: set[Key] = set()
    theirs: list[threading.Event] = []
    with _lock:
        for key in keys:
            if key in _asking:
                theirs.append(_asking[key])
            elif key not in mine:
                _asking[key] = threading.Event()
                mine.add(key)
    try:
        yield mine, theirs
    finally:
        with _lock:
            for key in mine:
                _asking.pop(key).set()
