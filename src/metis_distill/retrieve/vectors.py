"""Lesson vectors for the search, by text: embedded once, kept in memory and in a cache file.

The search does not open chromadb: its PersistentClient writes to its folder when it opens
it, and does not see what another process adds later (chroma issues #1438 and #3792), so a
reader beside a running distill would both write the index and read a stale one. Vectors
come from the same offline embedder instead, keyed by a hash of the text, and are kept in
`<data_dir>/cache/vectors-<embedder id>.npz`: a derived file (never the ledger, never the
index) that any process may rebuild, replaced atomically, skipped when it cannot be written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


class Embedder(Protocol):
    id: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "replace")).digest()


def cache_file(data_dir: Path, embedder: Embedder) -> Path:
    return data_dir / "cache" / f"vectors-{embedder.id}.npz"


class VectorCache:
    """Unit vectors of texts; `path` (optional) keeps them between processes."""

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self.embedder = embedder
        self.path = path
        self._vectors: dict[bytes, Matrix] = _load(path) if path else {}

    def matrix(self, texts: Sequence[str]) -> Matrix:
        """One row per text, in order; texts not seen before are embedded (and saved)."""
        keys = [text_key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}
        if missing:
            vectors = self.embedder.embed(list(missing.values()))
            for key, vector in zip(missing, vectors, strict=True):
                self._vectors[key] = np.asarray(vector, dtype=np.float32)
            self._save()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def query(self, texts: Sequence[str]) -> Matrix:
        """Vectors of query texts: not kept (a query is asked once)."""
        return np.asarray(self.embedder.embed(list(texts)), dtype=np.float32)

    def _save(self) -> None:
        if self.path is None:
            return
        keys = np.array(list(self._vectors), dtype="S32")
        matrix = np.stack(list(self._vectors.values()))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
        except OSError:
            return  # a read-only data dir: the vectors are simply embedded again next time
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=keys, vectors=matrix)
            os.replace(temp, self.path)  # readers see the old file or the new, never half
        except OSError:
            Path(temp).unlink(missing_ok=True)


def _load(path: Path) -> dict[bytes, Matrix]:
    """The cached vectors; an unreadable or damaged cache is no cache."""
    try:
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    if len(keys) != len(vectors):
        return {}
    return {bytes(k): np.asarray(v, dtype=np.float32) for k, v in zip(keys, vectors, strict=True)}
