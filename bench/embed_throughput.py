"""Throughput of the offline embedder on ~1,000 varied sentences (docs/s, cold cache).

    .venv/bin/python bench/embed_throughput.py [--count 1000]

For comparison it runs chromadb's own `ONNXMiniLM_L6_V2` on the *same* model files (so the
difference is only the batching: chroma pads every text to 256 tokens and keeps input order,
we sort by length and pad each batch to its longest text). Chroma's class is pointed at our
files by its `DOWNLOAD_PATH`, and its download step is replaced by a no-op, so nothing is
fetched from the network; when that is impossible the comparison is skipped with a note.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from metis_distill.embeddings import MiniLMEmbedder, fetch_model

SUBJECTS = [
    "the test suite",
    "pytest",
    "the Prefect flow",
    "the chroma index",
    "the ledger migration",
    "ruff",
    "mypy --strict",
    "the nightly deployment",
    "uv sync",
    "the tokenizer",
    "the archive fingerprint",
    "the redaction pass",
    "a subagent",
    "the review command",
]
VERBS = [
    "fails on",
    "times out waiting for",
    "silently skips",
    "needs",
    "breaks after upgrading",
    "rejects",
    "is much faster with",
    "must run before",
    "double counts",
    "cannot find",
]
OBJECTS = [
    "the statsforecast module",
    "a UTF-16 transcript",
    "an unterminated last line",
    "the lock file in data/locks",
    "a naive aider timestamp",
    "the SQLAlchemy URL",
    "an empty cwd",
    "a Windows path like C:\\Users\\dev\\repo",
    "the 256-token limit",
    "a stale proposal",
    "the managed block marker",
    "pydantic v1 validators",
]
TAILS = [
    "",
    "when run in CI",
    "so pin it in pyproject.toml",
    "unless the cache is cleared first",
    "and the fix is to set PYTHONPATH=src before running the tests",
    "which only shows up on the second run after an append to the archive file",
]


def sentences(count: int, seed: int = 7) -> list[str]:
    """Lesson-like sentences from a few words to a long paragraph (~5% past 256 tokens)."""
    rng = random.Random(seed)

    def one() -> str:
        return " ".join(
            [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS)]
        ).strip()

    out = []
    for i in range(count):
        parts = rng.choice([1, 1, 1, 2, 3, 5, 8]) if i % 20 else 40  # a few very long ones
        out.append(f"{i}. " + ". ".join(one() for _ in range(parts)) + ".")
    return out


def timed(label: str, embed: Callable[[list[str]], Any], texts: list[str]) -> Any:
    start = time.perf_counter()
    result = embed(texts)
    seconds = time.perf_counter() - start
    print(f"{label:<48} {len(texts) / seconds:8.1f} docs/s  ({seconds:.2f} s)")
    return result


def chroma_embed(model_dir: Path, tmp: Path) -> Callable[[list[str]], Any] | None:
    """chromadb's ONNXMiniLM_L6_V2 reading our local files, or None (with a note)."""
    try:
        from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2
    except ImportError as e:
        print(f"note: chroma comparison skipped: {e}")
        return None
    onnx_dir = tmp / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME
    onnx_dir.mkdir()
    for name in ("model.onnx", "tokenizer.json"):  # the only two files chroma reads
        (onnx_dir / name).symlink_to(model_dir / name)

    class LocalChroma(ONNXMiniLM_L6_V2):
        DOWNLOAD_PATH = tmp

        def _download_model_if_not_exists(self) -> None:
            """The files are local: never download."""

    return LocalChroma(preferred_providers=["CPUExecutionProvider"])


def compare(ours: Sequence[Sequence[float]], theirs: Sequence[Any]) -> None:
    diff = np.abs(np.array(ours, dtype=np.float32) - np.array(theirs, dtype=np.float32)).max()
    print(f"max |ours - chroma| over all vectors: {diff:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    model_dir = fetch_model()
    texts = sentences(args.count)
    print(f"{len(texts)} sentences, {sum(map(len, texts)) / len(texts):.0f} chars on average")

    embedder = MiniLMEmbedder(model_dir)
    start = time.perf_counter()
    embedder.embed(["warm up: load the session and the tokenizer"])
    print(f"model load: {time.perf_counter() - start:.2f} s")
    ours = timed("metis MiniLMEmbedder (sorted, dynamic padding)", embedder.embed, texts)
    timed("metis MiniLMEmbedder, again (all cached)", embedder.embed, texts)

    with tempfile.TemporaryDirectory(prefix="metis-bench-") as tmp:
        chroma = chroma_embed(model_dir, Path(tmp))
        if chroma is not None:
            chroma(["warm up"])
            theirs = timed("chromadb ONNXMiniLM_L6_V2 (pad to 256)", chroma, texts)
            compare(ours, theirs)


if __name__ == "__main__":
    main()
