"""The vector cache: a second process embeds only its query, a damaged cache is no cache."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from metis_distill.retrieve.retriever import Retriever
from metis_distill.retrieve.search import Query
from metis_distill.retrieve.vectors import VectorCache, cache_file


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder: Any) -> None:
        self.inner, self.id, self.texts = embedder, embedder.id, 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts += len(texts)
        result: list[list[float]] = self.inner.embed(texts)
        return result


def ranked(retriever: Retriever) -> list[tuple[str, float]]:
    return [(h.lesson.id, round(h.score, 5)) for h in retriever.search(Query("python not found"))]


def test_lesson_vectors_are_embedded_once_across_processes(
    sample_data: Path, tmp_path: Path, embedder: Any
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_data, data, ignore=shutil.ignore_patterns("cache"))
    first = Counting(embedder)
    with Retriever(data, first) as retriever:
        lessons = len(retriever.store.snapshot().lessons)
        hits = ranked(retriever)
    assert first.texts == lessons + 1  # every lesson, then the query
    assert cache_file(data, embedder).is_file()

    second = Counting(embedder)
    with Retriever(data, second) as retriever:
        assert ranked(retriever) == hits
    assert second.texts == 1  # the query alone

    cache_file(data, embedder).write_bytes(b"not an npz file")
    third = Counting(embedder)
    with Retriever(data, third) as retriever:
        assert ranked(retriever) == hits
    assert third.texts == lessons + 1
    assert VectorCache(embedder, cache_file(data, embedder)).matrix(["x"]).shape == (1, 384)
