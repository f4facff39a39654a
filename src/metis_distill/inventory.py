"""`metis sources`: what an archive holds, per format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metis_distill import sources
from metis_distill.errors import ConfigError
from metis_distill.listing import list_files


@dataclass
class FormatCount:
    format: str
    files: int = 0
    runs: int = 0
    events: int = 0
    corrupt_lines: int = 0
    unknown_lines: int = 0
    bytes: int = 0


def inventory(root: Path) -> tuple[list[FormatCount], list[tuple[str, str]]]:
    """Counts per format of every file under `root`, and the files skipped with a reason."""
    if not root.is_dir():
        raise ConfigError(f"no such folder: {root}", hint="pass --archive or run `metis archive`")
    counts: dict[str, FormatCount] = {}
    listing = list_files(root)
    skipped = [(p.relative_to(root).as_posix(), why) for p, why in listing.passed_over()]
    for path in listing.files:
        detected = sources.detect(path)
        if detected.format is None:
            skipped.append((path.relative_to(root).as_posix(), detected.reason))
            continue
        try:
            run = detected.format.parse_file(path, root)
        except Exception as e:  # noqa: BLE001 (one unreadable file must not hide the rest)
            skipped.append((path.relative_to(root).as_posix(), f"could not be read: {e}"))
            continue
        row = counts.setdefault(detected.format.name, FormatCount(detected.format.name))
        row.files += 1
        row.runs += 1
        row.events += run.stats.events
        row.corrupt_lines += run.stats.corrupt_lines
        row.unknown_lines += run.stats.unknown_lines
        row.bytes += path.stat().st_size
    return sorted(counts.values(), key=lambda c: c.format), skipped
