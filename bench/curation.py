"""Curation on the corpus: how many lessons the paraphrase check merges, and what curation,
retirement and proposing cost. `python bench/curation.py [corpus]` (stages called directly)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from metis_distill import pipeline
from metis_distill.config import Settings
from metis_distill.curate.select import Scope
from metis_distill.embeddings import MiniLMEmbedder, default_model_dir
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from metis_distill.mine.recovery import metrics


def run(corpus: Path, paraphrase_distance: float, embedder: MiniLMEmbedder) -> None:
    data = Path(tempfile.mkdtemp()) / "data"
    ledger = Ledger.at(data)
    found = pipeline.changed_files(corpus, ledger)
    start = time.perf_counter()
    results = [pipeline.mine_batch(corpus, b) for b in pipeline.batches(found.changed)]
    mined = time.perf_counter() - start
    settings = Settings(paraphrase_distance=paraphrase_distance, data_dir=data)
    start = time.perf_counter()
    stats = pipeline.curate_batches(
        results,
        ledger,
        LessonIndex(data / "index", embedder),
        archive_root=corpus,
        max_distance=0.12,
        settings=settings,
    )
    curated = time.perf_counter() - start
    start = time.perf_counter()
    outcome = pipeline.propose(
        data / "repo" / "CLAUDE.md",
        ledger,
        data / "proposals",
        scope=Scope(None),
        budget=12,
        summary={},
        locks_dir=data / "locks",
        settings=settings,
    )
    proposed = time.perf_counter() - start
    incidents = sum(m["failures"] for m in metrics(ledger.recoveries()).values())
    print(
        f"| {paraphrase_distance} | {stats.candidates} | {stats.new} | {stats.merged} | "
        f"{incidents} | {mined:.2f} | {curated:.2f} | {proposed:.2f} | {outcome.lessons_shown} |"
    )


def main() -> None:
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus").resolve()
    embedder = MiniLMEmbedder(default_model_dir())
    print(
        "| paraphrase distance | candidates | lessons | merged | failure incidents |"
        " mine s | curate s | propose s | shown |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for distance in (0.0, 0.35):
        run(corpus, distance, embedder)


if __name__ == "__main__":
    main()
