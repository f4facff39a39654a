"""The lesson index takes one writer at a time: two distills on one data dir (for different
targets) take turns instead of failing inside chromadb, and chroma's errors are reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from metis_distill.errors import IndexStoreError
from metis_distill.index import open_for_writing
from tests.conftest import REPO

WRITER = """
import sys
from pathlib import Path
from metis_distill.embeddings import MiniLMEmbedder, default_model_dir
from metis_distill.index import open_for_writing
index_dir, tag = Path(sys.argv[1]), sys.argv[2]
embedder = MiniLMEmbedder(default_model_dir())
query = embedder.embed(["the importer needs a flag"])[0]
for round in range(ROUNDS):
    with open_for_writing(None, index_dir, embedder) as index:  # what one curate stage does
        for batch in range(BATCHES):
            ids = [f"{tag}{round}-{batch}-{i}" for i in range(LESSONS)]
            texts = [f"lesson {i}: the importer needs a flag" for i in ids]
            index.upsert(ids, texts, ["gotcha"] * LESSONS, embeddings=[query] * LESSONS)
            index.nearest(query, "gotcha")
        known = index.ids()
        index.reconcile({i: ("gotcha", i) for i in known})
"""
ROUNDS, BATCHES, LESSONS = 4, 6, 10


@pytest.mark.usefixtures("model_dir")
def test_two_writers_at_once_take_turns(tmp_path: Path) -> None:
    index_dir = tmp_path / "data" / "index"
    script = f"ROUNDS, BATCHES, LESSONS = {ROUNDS}, {BATCHES}, {LESSONS}\n{WRITER}"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(index_dir), tag],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err[-3000:]
    with open_for_writing(None, index_dir, _Embedder()) as index:
        assert len(index.ids()) == 2 * ROUNDS * BATCHES * LESSONS  # every lesson of both


class _Embedder:
    id = "minilm-l6-int8"

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[0.0] * 384 for _ in texts]


def test_a_chroma_error_is_reported_with_what_to_do(tmp_path: Path) -> None:
    index_dir = tmp_path / "data" / "index"
    writing = open_for_writing(None, index_dir, _Embedder())
    with pytest.raises(IndexStoreError) as caught, writing as index:
        index.upsert(["a"], ["a lesson"], ["gotcha"], embeddings=[[0.1] * 384])
        index.nearest([0.1, 0.2], "gotcha")  # a vector of another model's size
    assert "dimension" in str(caught.value)
    assert caught.value.hint is not None and str(index_dir) in caught.value.hint
