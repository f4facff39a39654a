"""The Claude extractor on a real archive, against the tests' fake Messages API server on
127.0.0.1 with a simulated latency (never the network): the share of transcript tokens sent
(episode excerpts and session outlines), requests per run, a re-run's requests, and wall time by
concurrency; then `--batch`.

    .venv/bin/python bench/claude_extract.py [ARCHIVE] [--latency 0.2] [--concurrency 1 4 8]

The stages are called directly (no Prefect): parse, mine and extract every file of ARCHIVE
(all formats) with a fresh ledger per setting.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fakes

from tests.fakes.anthropic_server import fake_anthropic

from metis_distill import pipeline
from metis_distill.extract.base import ExtractStats
from metis_distill.extract.batch import BatchClaudeExtractor
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.ledger import Ledger

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def run(archive: Path, ledger: Ledger, make: object) -> tuple[float, ExtractStats]:
    found = pipeline.changed_files(archive, ledger)
    stats = ExtractStats()
    start = time.perf_counter()
    for group in pipeline.batches(found.changed):
        extractor = make()  # type: ignore[operator]
        result = pipeline.extract_batch(archive, group, extractor)
        stats.add(result.extract)
    return time.perf_counter() - start, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("archive", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    archive = args.archive.resolve()
    print(f"archive: {archive}; fake API latency {args.latency} s")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(
        "| setting | excerpts | outlines | requests | re-run requests "
        "| sent / transcript tokens | s |"
    )
    print("|---|---|---|---|---|---|---|")
    with fake_anthropic(latency=args.latency) as fake:
        for concurrency in args.concurrency:
            config = ClaudeConfig(base_url=fake.url, concurrency=concurrency, max_retries=0)
            with tempfile.TemporaryDirectory() as tmp:
                ledger = Ledger.at(Path(tmp))
                make = partial(ClaudeExtractor, config, ledger, api_key="k")
                seconds, stats = run(archive, ledger, make)
                _, again = run(archive, ledger, make)
                ledger.close()
            print(
                f"| concurrency {concurrency} | {stats.spans - stats.outlines} | "
                f"{stats.outlines} | {stats.requests} | {again.requests} | "
                f"{stats.span_fraction:.2%} | {seconds:.2f} |"
            )
        config = ClaudeConfig(base_url=fake.url, batch=True, poll_interval=0.05, max_retries=0)
        with tempfile.TemporaryDirectory() as tmp:
            ledger = Ledger.at(Path(tmp))
            creates = len(fake.batch_creates)

            def queue() -> BatchClaudeExtractor:
                return BatchClaudeExtractor(config, ledger, mode="queue", api_key="k")

            start = time.perf_counter()
            _, queued = run(archive, ledger, queue)
            submit = BatchClaudeExtractor(config, ledger, api_key="k")
            submit.process()
            seconds, cached = run(
                archive,
                ledger,
                lambda: BatchClaudeExtractor(config, ledger, mode="cache", api_key="k"),
            )
            seconds = time.perf_counter() - start
            ledger.close()
        print(
            f"| --batch ({len(fake.batch_creates) - creates} batch) | "
            f"{queued.spans - queued.outlines} | {queued.outlines} | {submit.stats.requests} | "
            f"0 | {queued.span_fraction:.2%} | {seconds:.2f} |"
        )
        assert cached.pending == 0


if __name__ == "__main__":
    main()
