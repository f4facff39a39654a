"""The chromadb collection of lesson embeddings: derived from the ledger, rebuilt at will.

The collection name carries the embedder's id, so vectors of two models never mix. We pass
embeddings ourselves (batched, cached) instead of letting chroma call a model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

from filelock import FileLock

from metis_distill.errors import ConfigError, IndexStoreError


class Embedder(Protocol):
    id: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@runtime_checkable
class RowEmbedder(Embedder, Protocol):
    """An embedder that also gives many vectors compactly: a sequence whose rows are made
    lists when read (`MiniLMEmbedder.rows`)."""

    def rows(self, texts: Sequence[str]) -> Sequence[list[float]]: ...


def embed_many(embedder: Embedder, texts: Sequence[str]) -> Sequence[Sequence[float]]:
    """`embedder.embed(texts)`, held compactly when the embedder can."""
    if isinstance(embedder, RowEmbedder):
        return embedder.rows(texts)
    return embedder.embed(texts)


@dataclass(frozen=True)
class Neighbour:
    id: str
    distance: float  # cosine distance: 0 is the same direction


class LessonIndex:
    """One chromadb collection of lesson texts, keyed by lesson id."""

    def __init__(self, path: Path, embedder: Embedder, *, client: Any | None = None) -> None:
        import chromadb  # slow import: only where the index is used
        from chromadb.config import Settings as ChromaSettings

        self.embedder = embedder
        self._client = client or chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.collection = self._client.get_or_create_collection(
            self.collection_name(embedder),
            metadata={"hnsw:space": "cosine"},
            embedding_function=None,
        )

    @staticmethod
    def collection_name(embedder: Embedder) -> str:
        return f"lessons-{embedder.id}"

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        kinds: Sequence[str],
        embeddings: Sequence[Sequence[float]] | None = None,
    ) -> None:
        if not ids:
            return
        vectors = list(embeddings) if embeddings is not None else self.embedder.embed(texts)
        self.collection.upsert(
            ids=list(ids),
            documents=list(texts),
            embeddings=cast(Any, [list(v) for v in vectors]),
            metadatas=[{"kind": kind} for kind in kinds],
        )

    def nearest(self, embedding: Sequence[float], kind: str, k: int = 3) -> list[Neighbour]:
        if self.collection.count() == 0:
            return []
        result = self.collection.query(
            query_embeddings=cast(Any, [list(embedding)]),
            n_results=k,
            where={"kind": kind},
            include=["distances"],
        )
        ids, distances = result["ids"][0], cast(Any, result["distances"])[0]
        return [Neighbour(i, float(d)) for i, d in zip(ids, distances, strict=True)]

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.collection.delete(ids=list(ids))

    def reconcile(self, lessons: dict[str, tuple[str, str]]) -> tuple[int, int]:
        """Make the collection hold exactly `lessons` (id -> (kind, text)); (added, removed)."""
        present = self.ids()
        missing = [i for i in lessons if i not in present]
        extra = sorted(present - set(lessons))
        self.delete(extra)
        for start in range(0, len(missing), 256):
            chunk = missing[start : start + 256]
            self.upsert(chunk, [lessons[i][1] for i in chunk], [lessons[i][0] for i in chunk])
        return len(missing), len(extra)


def chroma_client(index_url: str | None, path: Path) -> Any:
    """A Chroma server's client when a URL is configured (several workers share one index),
    else the embedded client on `path`. Telemetry off either way."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    quiet = ChromaSettings(anonymized_telemetry=False)
    if not index_url:
        return chromadb.PersistentClient(path=str(path), settings=quiet)
    from urllib.parse import urlsplit

    url = urlsplit(index_url if "://" in index_url else f"http://{index_url}")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(
            f"index_url is not an http(s) URL: {index_url!r}",
            hint='e.g. index_url = "http://127.0.0.1:8000" (a server started by `chroma run`)',
        )
    https = url.scheme == "https"
    try:
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if https else 80), ssl=https, settings=quiet
        )
    except ValueError as e:  # how chromadb says that no server answered
        raise unreachable(index_url) from e


def unreachable(index_url: str) -> IndexStoreError:
    """A Chroma server that does not answer (a nightly while it is down): said in one line."""
    return IndexStoreError(
        f"cannot reach the lesson index's Chroma server at {index_url}",
        hint="start it (`chroma run --host … --port …`), or correct index_url (METIS_INDEX_URL);"
        " unset, the index is kept in the data dir",
    )


def lock_path(index_dir: Path) -> Path:
    """The embedded index's writer lock: in the data dir's `locks/`, beside the index."""
    return index_dir.parent / "locks" / f"{index_dir.name}.lock"


@contextmanager
def open_for_writing(
    index_url: str | None, index_dir: Path, embedder: Embedder
) -> Iterator[LessonIndex]:
    """The index, one writer at a time. An embedded index is locked from its opening to its
    closing: two distills on one data dir (for different targets) take turns, and each opens
    what the other wrote (chroma's embedded client neither shares its folder between processes
    nor sees what another wrote after it opened). A server serializes its clients itself.
    Chroma's own errors become an `IndexStoreError` that says what to do."""
    from chromadb.errors import ChromaError

    with ExitStack() as stack:
        if not index_url:
            lock = lock_path(index_dir)
            lock.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(FileLock(str(lock)))
        try:
            client = chroma_client(index_url, index_dir)
            stack.callback(client.close)
            yield LessonIndex(index_dir, embedder, client=client)
        except ChromaError as e:
            if "disk is full" in str(e):  # chroma's own SQLite said it
                raise IndexStoreError(
                    f"cannot write the lesson index {index_dir}: its disk is full",
                    hint="free some space there, then run `metis distill` again",
                ) from e
            raise IndexStoreError(
                f"the lesson index failed: {type(e).__name__}: {e}",
                hint=f"the index is derived from the ledger: remove {index_dir} and run "
                "`metis distill` again to rebuild it",
            ) from e
