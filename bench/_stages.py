"""The distill stages end to end, called directly (no Prefect), for the benchmarks."""

from __future__ import annotations

import time
from pathlib import Path

from metis_distill import pipeline
from metis_distill.archive import archive_from
from metis_distill.curate.select import Scope
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger


def distill_once(
    source: Path, data: Path, embedder: MiniLMEmbedder
) -> tuple[float, dict[str, float]]:
    """One distill with the stages called directly: (seconds, counts, of which mine_seconds:
    the parse + mine + extract stage alone)."""
    start = time.perf_counter()
    ledger = Ledger.at(data)
    archive_root = data / "archive"
    archive_from([source], archive_root, ledger)
    root = archive_root.resolve()
    found = pipeline.changed_files(root, ledger)
    mine_start = time.perf_counter()
    results = [pipeline.mine_batch(root, b) for b in pipeline.batches(found.changed)]
    mine_seconds = time.perf_counter() - mine_start
    index = LessonIndex(data / "index", embedder)
    pipeline.curate_batches(
        results,
        ledger,
        index,
        archive_root=root,
        max_distance=0.12,
        skipped=pipeline.skipped_records(root, found),
    )
    pipeline.propose(
        data / "repo" / "CLAUDE.md",
        ledger,
        data / "proposals",
        scope=Scope(None),
        budget=12,
        summary={},
        locks_dir=data / "locks",
    )
    ledger.close()
    seconds = time.perf_counter() - start
    return seconds, {
        "files_read": len(found.changed),
        "bytes_read": sum(r.bytes_read for r in results),
        "mine_seconds": mine_seconds,
    }
