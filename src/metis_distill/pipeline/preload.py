"""Modules a later stage needs, imported in a thread while the first stages wait on the disk.

Every distill's curate stage imports chromadb: 2–4 s of one core on a shared 2-core machine,
most of it the `overrides` package checking signatures as chromadb's classes are defined. The
archive copy (its flushes) and the discovery mostly wait for the disk, so the import is
done beside them, in a thread, and joined before the extraction, whose pool forks: a fork
while another thread holds an import lock would leave that lock held in the children.
"""

from __future__ import annotations

import contextlib
import importlib
import threading

THREAD_NAME = "metis-preload"
INDEX_MODULES = ("chromadb", "chromadb.config", "chromadb.errors")  # what `index` imports
# what the miners import on first use: once here, not once in every forked worker
MINING_MODULES = ("langchain_text_splitters",)


class Preload:
    """Modules imported in a thread from now until `wait`. A module that fails to import is
    left alone: the stage that needs it imports it again, and says what went wrong there."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self._thread = threading.Thread(
            target=_import_all, args=(modules,), name=THREAD_NAME, daemon=True
        )
        self._thread.start()

    def wait(self) -> None:
        self._thread.join()


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
