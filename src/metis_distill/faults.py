"""Kill points for the crash tests and `bench/kill9.py`: a no-op unless METIS_KILL_AT names
the point (optionally `name@N`: at its N-th pass, counting from 1).

A kill -9 there is what a power cut or an OOM kill does to a run: nothing gets to clean up.
When this process leads its process group (started with `setsid`), the whole group goes, as
`kill -9 -- -PGID` would take Prefect's ephemeral server with it.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

KILL_ENV = "METIS_KILL_AT"
_passes: Counter[str] = Counter()


def checkpoint(name: str) -> None:
    wanted = os.environ.get(KILL_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _passes[name] += 1
    if _passes[name] == int(nth or 1):
        _kill()


def _kill() -> None:
    if os.getpgid(0) == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
