"""Distill throughput on ../shared/corpus (or any folder): MB of transcripts per second.

    .venv/bin/python bench/throughput.py [ARCHIVE] [--repeat N]

Measures the stages without Prefect (parse, mine+extract, curate with the real embedder and
chromadb, propose) on a fresh data dir, then a no-op re-run. Prints one table; copy it into
docs/benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import tempfile
import time
from pathlib import Path

from metis_distill import pipeline
from metis_distill.curate.select import Scope
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from metis_distill.sources.claude_code import parse_file

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
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_version()}")

    parse_s = best_of(args.repeat, lambda: [parse_file(f, archive) for f in files])
    infos = [pipeline.file_info(f, archive) for f in files]
    mine_s = best_of(args.repeat, lambda: pipeline.mine_batch(archive, infos))
    full, noop = [], []
    for _ in range(args.repeat):
        embedder = MiniLMEmbedder()  # a cold text cache each time; the model load is not timed
        embedder.embed(["warm up"])
        f, n = end_to_end(archive, embedder)
        full.append(f)
        noop.append(n)
    rows = [
        ("parse", min(parse_s)),
        ("parse + mine + extract", min(mine_s)),
        ("end to end (fresh data dir)", min(full)),
        ("no-op re-run", min(noop)),
    ]
    print("\n| stage | seconds | MB/s |\n|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {size_mb / seconds:.1f} |")


def best_of(repeat: int, work) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def end_to_end(archive: Path, embedder: MiniLMEmbedder) -> tuple[float, float]:
    data = Path(tempfile.mkdtemp(prefix="metis-bench-"))
    target = data / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    try:
        runs = []
        for _ in range(2):
            start = time.perf_counter()
            ledger = Ledger.at(data)
            index = LessonIndex(data / "index", embedder)
            changed, _ = pipeline.changed_files(archive, ledger)
            results = [pipeline.mine_batch(archive, b) for b in pipeline.batches(changed)]
            pipeline.curate_batches(results, ledger, index, archive_root=archive, max_distance=0.12)
            pipeline.propose(
                target,
                ledger,
                data / "proposals",
                scope=Scope(None),
                budget=12,
                locks_dir=data / "locks",
                summary={},
            )
            ledger.close()
            runs.append(time.perf_counter() - start)
        return runs[0], runs[1]
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
