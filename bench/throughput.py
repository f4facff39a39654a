"""Distill throughput on ../shared/corpus/claude-code (or any folder): MB of transcripts per
second, per stage, best of N.

    .venv/bin/python bench/throughput.py [ARCHIVE] [--repeat N]

Stages are called directly (no Prefect) on a fresh data dir each time; the embedding text
cache is cold in each end-to-end run (the model load is not timed).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import tempfile
import time
from pathlib import Path

from _stages import distill_once

from metis_distill import pipeline, sources
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.ledger import Ledger

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "claude-code"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("archive", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    archive = args.archive.resolve()
    files = pipeline.discover(archive)
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"archive: {archive} ({len(files)} files, {size_mb:.2f} MB)")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")

    def parse() -> None:
        for f in files:
            sources.detect(f).format.parse_file(f, archive)  # type: ignore[union-attr]

    scratch = Path(tempfile.mkdtemp(prefix="metis-bench-"))
    changed = pipeline.changed_files(archive, Ledger.at(scratch)).changed
    rows = [
        ("parse (with redaction)", best_of(args.repeat, parse)),
        (
            "parse + mine + extract",
            best_of(args.repeat, lambda: pipeline.extract_batch(archive, changed)),
        ),
    ]
    full, noop = [], []
    for _ in range(args.repeat):
        data = Path(tempfile.mkdtemp(prefix="metis-bench-"))
        (data / "repo").mkdir()
        embedder = MiniLMEmbedder()
        embedder.embed(["warm up"])
        full.append(distill_once(archive, data, embedder)[0])
        noop.append(distill_once(archive, data, embedder)[0])
        shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    rows += [
        ("end to end, fresh data dir (archive, embed, index, propose)", min(full)),
        ("no-op re-run", min(noop)),
    ]
    print("\n| stage | seconds | MB/s |\n|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {size_mb / seconds:.1f} |")


def best_of(repeat: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    main()
