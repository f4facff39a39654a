"""Ctrl-C during `metis distill`: no new paid call and no new stage from that moment, the
answers in flight cached (a few seconds at most), one line said, the processes the run started
(Prefect's server, workers) ended with it, exit code 130. A second Ctrl-C ends it at once.

The process ends with `os._exit`, as a crash would: every write is atomic or a transaction,
so the next run resumes from what was kept, as after a kill -9 (`bench/kill9.py`)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import psutil

from metis_distill import interrupt
from metis_distill.cli.common import err
from metis_distill.cli.progress import stop_bars

INTERRUPTED = 130  # the shell's code for a process ended by SIGINT
GRACE = 4.0  # seconds the calls in flight get for their answers to be cached
CHILDREN_GRACE = 2.0  # seconds a child process gets to stop before it is killed
SAID = (
    "interrupted: the answers and files done so far are kept; "
    "the next `metis distill` resumes from there"
)

_hurry = threading.Event()  # a second Ctrl-C


@contextmanager
def ending_on_ctrl_c() -> Iterator[None]:
    """While inside, Ctrl-C (SIGINT) ends the run as the module says."""
    owner = os.getpid()
    ending = threading.Thread(target=_end, name="metis-interrupted", daemon=True)

    def on_sigint(_signum: int, _frame: FrameType | None) -> None:
        if os.getpid() != owner:  # a forked worker: the run ends it
            os._exit(INTERRUPTED)
        if interrupt.requested():
            _hurry.set()
            return
        interrupt.request()
        ending.start()  # the work is done in a thread: a handler must not take locks

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        if interrupt.requested():
            ending.join()  # it ends the process
        signal.signal(signal.SIGINT, previous)


def _end() -> None:
    stop_bars()
    err.print(SAID, markup=False, highlight=False, soft_wrap=True)
    _silence_output()
    _wait_for_answers()
    _end_children()
    if err.is_terminal:
        err.show_cursor(True)
    os._exit(INTERRUPTED)


def _silence_output() -> None:
    """What Prefect, its log worker and threads still write while the run ends (failed
    connections to a server the Ctrl-C stopped) is no use to the person who pressed it."""
    sys.stderr.flush()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    os.close(quiet)


def _wait_for_answers() -> None:
    waited = 0.0
    while waited < GRACE and not _hurry.is_set():
        if interrupt.wait_settled(0.1):
            return
        waited += 0.1


def _end_children() -> None:
    """Every process this one started, at any depth: asked to stop, then killed."""
    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(children, timeout=CHILDREN_GRACE)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            continue
