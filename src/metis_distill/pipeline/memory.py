"""Memory given back between a distill's stages.

A stage's garbage (the batches' results, the ledger's rows, chromadb's and onnxruntime's
buffers) is freed into glibc's heap, which keeps the pages; the next stage then starts from
that high water, and from more of it the larger the archive. `give_back` collects Python's
cycles and asks glibc to return the free pages of every heap (`malloc_trim(0)`); elsewhere
(musl, macOS) only the collection is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable


def give_back() -> bool:
    """Collect, then trim glibc's heaps; whether a trim was asked for (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim
