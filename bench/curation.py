"""Curation on the corpus: how many lessons the paraphrase check merges, and what curation,
retirement and publishing cost. `python bench/curation.py [corpus]` (`pipeline.distill`, each
stage timed; the corpus is archived first, as the nightly does)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _stages import bench_settings, timed_distill

from metis_distill.embeddings import MiniLMEmbedder, default_model_dir
from metis_distill.ledger import Ledger
from metis_distill.mine.recovery import metrics
from metis_distill.pipeline import Stage


def run(corpus: Path, paraphrase_distance: float, embedder: MiniLMEmbedder) -> None:
    data = Path(tempfile.mkdtemp()) / "data"
    settings = bench_settings(corpus, data, curate={"paraphrase_distance": paraphrase_distance})
    _, report, seconds = timed_distill(settings, embedder)
    with Ledger(settings.ledger_url) as ledger:
        incidents = sum(m["failures"] for m in metrics(ledger.recoveries()).values())
    print(
        f"| {paraphrase_distance} | {report.candidates} | {report.lessons_new} | "
        f"{report.lessons_merged} | {incidents} | {seconds[Stage.EXTRACT]:.2f} | "
        f"{seconds[Stage.CURATE]:.2f} | {seconds[Stage.PUBLISH]:.2f} | "
        f"{report.proposal.lessons_shown} |"
    )


def main() -> None:
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus").resolve()
    embedder = MiniLMEmbedder(default_model_dir())
    print(
        "| paraphrase distance | candidates | lessons | merged | failure incidents |"
        " extract s | curate s | publish s | shown |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for distance in (0.0, 0.35):
        run(corpus, distance, embedder)


if __name__ == "__main__":
    main()
