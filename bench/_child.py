"""One measured step in its own process, so that its peak memory is its own.

    python bench/_child.py parse ARCHIVE
    python bench/_child.py distill SOURCE DATA_DIR
    python bench/_child.py raw ARCHIVE          (run with the bench venv's python: orjson)

Prints one JSON line: seconds and counts (the parent reads peak RSS from wait4).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path


def raw(archive: Path) -> dict[str, object]:
    """The floor: read every byte of every JSONL file and parse each line as JSON."""
    try:
        import orjson

        loads, parser = orjson.loads, "orjson"
    except ImportError:
        loads, parser = json.loads, "json"
    start = time.perf_counter()
    lines = 0
    for path in sorted(archive.rglob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            if line.strip():
                with contextlib.suppress(ValueError):
                    loads(line)
                lines += 1
    return {"seconds": time.perf_counter() - start, "lines": lines, "parser": parser}


def parse(archive: Path) -> dict[str, object]:
    from metis_distill import pipeline, sources

    start = time.perf_counter()
    events = 0
    for path in pipeline.discover(archive):
        found = sources.detect(path).format
        if found is not None:
            events += len(found.parse_file(path, archive).events)
    return {"seconds": time.perf_counter() - start, "events": events}


def distill(source: Path, data: Path) -> dict[str, object]:
    sys.path.insert(0, str(Path(__file__).parent))
    from _stages import distill_once

    from metis_distill.embeddings import MiniLMEmbedder

    (data / "repo").mkdir(parents=True, exist_ok=True)
    embedder = MiniLMEmbedder()
    embedder.embed(["warm up"])  # the model load is not timed
    seconds, counts = distill_once(source, data, embedder)
    return {"seconds": seconds, **counts}


def main() -> None:
    step, *args = sys.argv[1:]
    paths = [Path(a) for a in args]
    result = {"raw": raw, "parse": parse, "distill": distill}[step](*paths)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
