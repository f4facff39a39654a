"""Parse throughput per format over ../shared/corpus (or a folder given): MB/s, best of N.

.venv/bin/python bench/parse_formats.py [ROOT] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from metis_distill import sources
from metis_distill.pipeline import walk

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    by_format: dict[str, list[Path]] = defaultdict(list)
    for path in walk(args.root):
        detected = sources.detect(path)
        if detected.format is not None:
            by_format[detected.format.name].append(path)
    print("| format | files | MB | events | best s | MB/s |\n|---|---|---|---|---|---|")
    for name, files in sorted(by_format.items()):
        source = sources.by_name(name)
        size = sum(f.stat().st_size for f in files) / 1e6
        best, events = float("inf"), 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            events = sum(len(source.parse_file(f, args.root).events) for f in files)
            best = min(best, time.perf_counter() - start)
        print(f"| {name} | {len(files)} | {size:.2f} | {events} | {best:.3f} | {size / best:.1f} |")


if __name__ == "__main__":
    main()
