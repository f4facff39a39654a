"""One data dir's lessons, ready to be asked: what the CLI commands and the MCP tools call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.retrieve.context import DEFAULT_BUDGET, Brief, brief
from metis_distill.retrieve.search import Hit, Query, SearchIndex
from metis_distill.retrieve.store import Lesson, LessonStore, RetrieveError
from metis_distill.retrieve.vectors import Embedder, VectorCache, cache_file


class Retriever:
    """Read-only on the ledger and the index: every question looks at the ledger's latest
    committed state, so a long-lived server sees what a distill adds (and re-reads only
    after a commit). Lesson vectors are kept by text, in memory and in the vector cache."""

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        *,
        ledger_url: str | None = None,
        keep_vectors: bool = True,
    ) -> None:
        """`ledger_url`: the configured ledger; None, the data dir's own SQLite file."""
        if not data_dir.is_dir():
            raise RetrieveError(
                f"no data dir at {data_dir}",
                hint="run `metis distill` first, or pass the --data-dir it used",
            )
        self.store = LessonStore(ledger_url) if ledger_url else LessonStore.at(data_dir)
        path = cache_file(data_dir, embedder) if keep_vectors else None
        self.vectors = VectorCache(embedder, path)
        self._index: SearchIndex | None = None

    @classmethod
    def at(
        cls, data_dir: Path, model_dir: Path | None = None, ledger_url: str | None = None
    ) -> Retriever:
        return cls(data_dir, MiniLMEmbedder(model_dir), ledger_url=ledger_url)

    def index(self) -> SearchIndex:
        """The search index of the latest snapshot (built again only when that changed)."""
        snapshot = self.store.snapshot()
        if self._index is None or self._index.snapshot is not snapshot:
            self._index = SearchIndex(snapshot, self.vectors)
        return self._index

    def search(self, query: Query) -> list[Hit]:
        return self.index().search(query)

    def context(self, task: str, budget: int = DEFAULT_BUDGET, project: str | None = None) -> Brief:
        return brief(self.index(), task, budget, project)

    def lesson(self, lesson_id: str) -> Lesson:
        """A lesson by id (any status); a unique prefix of 4 or more characters will do."""
        wanted = lesson_id.strip().lower()
        lessons = self.store.snapshot().lessons
        found = [v for v in lessons if v.id == wanted]
        if not found and len(wanted) >= 4:
            found = [v for v in lessons if v.id.startswith(wanted)]
        if len(found) != 1:
            what = "no lesson" if not found else f"{len(found)} lessons"
            raise RetrieveError(
                f"{what} with id {lesson_id!r}", hint="ids are shown by `metis search`"
            )
        return found[0]

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Retriever:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()
