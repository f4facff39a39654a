"""One measured step in its own process, so that its peak memory is its own.

    python bench/_child.py raw ARCHIVE          (the floor: orjson over every line, one core)
    python bench/_child.py parse ARCHIVE        (detect + parse + redact, every core)
    python bench/_child.py distill SOURCE DATA_DIR
    python bench/_child.py noop SOURCE DATA_DIR (the check a run with nothing new makes)
    python bench/_child.py prefect              (Prefect's fixed start-up: an empty flow run)

Prints one JSON line: seconds and counts (the parent reads peak RSS from GNU time or wait4).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def raw(archive: Path) -> dict[str, object]:
    """The floor: read every byte of every JSONL file and parse each line as JSON."""
    import orjson

    start = time.perf_counter()
    lines = 0
    for path in sorted(archive.rglob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            if line.strip():
                with contextlib.suppress(ValueError):
                    orjson.loads(line)
                lines += 1
    return {"seconds": time.perf_counter() - start, "lines": lines, "parser": "orjson"}


def parse(archive: Path) -> dict[str, object]:
    """Every file detected, parsed and redacted, the files shared out over every core."""
    from metis_distill import pipeline, redact, sources

    start = time.perf_counter()
    paths = pipeline.walk(archive)
    redact.prepare()  # compiled once, before the workers fork
    sources.formats()  # imported once, too
    workers = os.cpu_count() or 1
    shares: list[list[Path]] = [[] for _ in range(workers)]
    sizes = [0] * workers  # each share's bytes so far (summing them anew per file was O(n²))
    for size, path in sorted(((p.stat().st_size, p) for p in paths), reverse=True):
        least = sizes.index(min(sizes))
        shares[least].append(path)
        sizes[least] += size
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        events = sum(pool.map(_parse_share, [(archive, share) for share in shares]))
    return {"seconds": time.perf_counter() - start, "events": events, "workers": workers}


def _parse_share(work: tuple[Path, list[Path]]) -> int:
    from metis_distill import sources

    archive, paths = work
    events = 0
    for path in paths:
        found = sources.detect(path).format
        if found is not None:
            events += len(found.parse_file(path, archive).events)
    return events


def distill(source: Path, data: Path) -> dict[str, object]:
    sys.path.insert(0, str(Path(__file__).parent))
    from _stages import distill_once

    from metis_distill.embeddings import MiniLMEmbedder

    (data / "repo").mkdir(parents=True, exist_ok=True)
    embedder = MiniLMEmbedder()
    embedder.embed(["warm up"])  # the model load is not timed
    seconds, counts = distill_once(source, data, embedder)
    return {"seconds": seconds, **counts}


def noop(source: Path, data: Path) -> dict[str, object]:
    sys.path.insert(0, str(Path(__file__).parent))
    from _stages import bench_settings

    from metis_distill.unchanged import nothing_new

    settings = bench_settings(source, data)
    start = time.perf_counter()
    found = nothing_new(settings)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "nothing_new": found is not None, "files": found and found.files}


def prefect() -> dict[str, object]:
    """Import Prefect and run one empty flow on its ephemeral server: what `metis distill`
    pays before any work."""
    start = time.perf_counter()
    from prefect import flow

    @flow(name="bench-empty")
    def empty() -> int:
        return 1

    empty()
    return {"seconds": time.perf_counter() - start}


def main() -> None:
    step, *args = sys.argv[1:]
    paths = [Path(a) for a in args]
    steps = {"raw": raw, "parse": parse, "distill": distill, "noop": noop, "prefect": prefect}
    print(json.dumps(steps[step](*paths)))


if __name__ == "__main__":
    main()
