"""Files made durable together: one flush of their file system, not an fsync each.

`flush(folder, paths)` returns once every path (files written, folders whose entries changed)
is on disk. Many paths: Linux's `syncfs` of the file system holding `folder`, one journal
commit for all of them. It also writes whatever else is dirty on that file system, which is
why a few paths (a hook's one transcript, a nightly's appends) are fsync-ed each instead, as
they are where there is no `syncfs` (macOS, whose `sync` returns before the disk has the data).
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Callable, Collection
from pathlib import Path

FEW = 16


def flush(folder: Path, paths: Collection[Path]) -> None:
    syncfs = _syncfs() if len(paths) > FEW else None
    if syncfs is None:
        for path in paths:
            _fsync(path)
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)  # a folder too
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    try:
        call: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    return call
