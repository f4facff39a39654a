"""Where the extraction's time goes, in one process: each file of an archive parsed, mined and
extracted as a worker does (`extraction.extract_batch`, rules extractor), the CPU seconds of
each piece summed over the files (`time.process_time`, each piece timed by a wrapper).

    .venv/bin/python bench/extract_pieces.py ARCHIVE [--plain]

`--plain` times the whole batch only (the wrappers cost a little). The pieces: `parse` (read,
decode, redact the events, hide the run's secrets), within it `redact` (the events' texts),
`failures` (`signals.failures`), `rules` (the rules extractor, its quote checks included),
`recoveries`, `tail` (the ledger's tail hash); the episodes are `all` less the others (a
generator, timed where it is consumed).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metis_distill import redact, sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.pipeline import extraction, walk
from metis_distill.pipeline.discover import FileInfo
from metis_distill.sources import common


def infos(root: Path) -> list[FileInfo]:
    """Every file the sources read, as a first read of it (no offset)."""
    found: list[FileInfo] = []
    for path in walk(root):
        detected = sources.detect(path).format
        if detected is not None:
            stat = path.stat()
            relative = str(path.relative_to(root))
            found.append(FileInfo(relative, stat.st_size, stat.st_mtime_ns, detected.name))
    return found


def timed(owner: Any, name: str, key: str, seconds: dict[str, float]) -> None:
    """`owner.name` replaced by itself timed into `seconds[key]`."""
    real: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            seconds[key] += time.process_time() - start

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("archive", type=Path)
    parser.add_argument("--plain", action="store_true", help="the whole batch only")
    args = parser.parse_args()
    files = infos(args.archive)
    redact.prepare()
    seconds: dict[str, float] = defaultdict(float)
    if not args.plain:
        timed(extraction, "_parsed", "parse", seconds)
        timed(common, "redact", "redact", seconds)
        timed(extraction.signals, "failures", "failures", seconds)
        timed(extraction, "recoveries", "recoveries", seconds)
        timed(RulesExtractor, "extract", "rules", seconds)
        timed(extraction, "tail_sha256", "tail", seconds)
    start = time.process_time()
    result = extraction.extract_batch(args.archive, files, RulesExtractor())
    seconds["all"] = time.process_time() - start
    if not args.plain:
        named = ("parse", "failures", "rules", "recoveries", "tail")
        seconds["episodes and the rest"] = seconds["all"] - sum(seconds[k] for k in named)
    size = sum(f.size for f in files) / 1e6
    print(f"{len(files)} files, {size:.1f} MB, {result.events} events, ", end="")
    print(f"{len(result.candidates)} candidates")
    print({key: round(value, 3) for key, value in seconds.items()})


if __name__ == "__main__":
    main()
