"""The stages end to end, as plain functions: the Prefect flow and the tests both call these.

discover -> changed files -> batches -> mine_batch (parse, mine, extract) -> curate -> propose.
Batches carry paths in and candidates and counts out, never transcript text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from metis_distill.curate.merge import CurateStats, curate
from metis_distill.curate.select import Scope, budgeted, lessons_for
from metis_distill.errors import ConfigError, SourceError
from metis_distill.extract.rules import RulesExtractor
from metis_distill.index import LessonIndex
from metis_distill.ledger import FileRecord, Ledger
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate
from metis_distill.review.proposal import make_plan, save_plan
from metis_distill.sources import claude_code
from metis_distill.targets import repository_root
from metis_distill.textio import read_lines

MAX_BATCH_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class FileInfo:
    path: str  # relative to the archive root
    size: int
    mtime_ns: int
    sha256: str


@dataclass
class BatchResult:
    """What one batch of files yielded: candidates and counts, no transcript text."""

    candidates: list[LessonCandidate] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    events: int = 0
    episodes: int = 0
    corrupt_lines: int = 0
    unknown_lines: int = 0
    failed_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalOutcome:
    status: str  # created | unchanged | nothing
    proposal_id: int | None
    folder: str | None
    added: int
    removed: int
    lessons_shown: int


def check_archive(archive_root: Path) -> Path:
    root = archive_root.expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"archive folder not found: {root}",
            hint="pass --archive (e.g. ~/.claude/projects) or set METIS_ARCHIVE",
        )
    return root.resolve()


def discover(archive_root: Path) -> list[Path]:
    """Claude Code transcripts under the archive root, sniffed by content, in a stable order."""
    found = []
    for path in sorted(archive_root.rglob("*.jsonl")):
        if path.is_file() and claude_code.looks_like(_head(path)):
            found.append(path)
    return found


def _head(path: Path, size: int = 4096) -> str:
    with path.open("rb") as handle:
        return handle.read(size).decode("utf-8", errors="replace")


def file_info(path: Path, archive_root: Path) -> FileInfo:
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    rel = path.relative_to(archive_root).as_posix()
    return FileInfo(rel, stat.st_size, stat.st_mtime_ns, digest.hexdigest())


def changed_files(archive_root: Path, ledger: Ledger) -> tuple[list[FileInfo], int]:
    """Files new or changed since last read (size and mtime first, then the hash); unchanged n."""
    seen = ledger.file_rows(str(archive_root))
    changed, unchanged = [], 0
    for path in discover(archive_root):
        rel = path.relative_to(archive_root).as_posix()
        row = seen.get(rel)
        stat = path.stat()
        if row is not None and (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            unchanged += 1
            continue
        info = file_info(path, archive_root)
        if row is not None and row.sha256 == info.sha256:
            unchanged += 1
            continue
        changed.append(info)
    return changed, unchanged


def batches(
    files: Sequence[FileInfo], max_files: int = 50, max_bytes: int = MAX_BATCH_BYTES
) -> list[list[FileInfo]]:
    """Groups of ~max_files files or ~max_bytes bytes, whichever comes first."""
    groups: list[list[FileInfo]] = []
    size = 0
    for info in files:
        if not groups or len(groups[-1]) >= max_files or size + info.size > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(info)
        size += info.size
    return groups


def mine_batch(archive_root: Path, files: Iterable[FileInfo]) -> BatchResult:
    """Parse, mine and extract each file; a file that cannot be read is reported, not fatal."""
    result = BatchResult()
    extractor = RulesExtractor()
    for info in files:
        path = archive_root / info.path
        try:
            run = claude_code.parse_file(path, archive_root)
        except (OSError, SourceError) as e:
            result.failed_files.append(f"{info.path}: {e}")
            continue
        episodes = list(find_episodes(run))
        result.candidates.extend(extractor.extract(run, episodes, read_lines(path)))
        result.events += run.stats.events
        result.episodes += len(episodes)
        result.corrupt_lines += run.stats.corrupt_lines
        result.unknown_lines += run.stats.unknown_lines
        result.files.append(
            FileRecord(
                archive_root=str(archive_root),
                path=info.path,
                size=info.size,
                mtime_ns=info.mtime_ns,
                sha256=info.sha256,
                source_format=run.source_format,
                session_id=run.session_id,
                cwd=run.cwd,
                lines=run.stats.lines,
                events=run.stats.events,
                corrupt_lines=run.stats.corrupt_lines,
                unknown_lines=run.stats.unknown_lines,
            )
        )
    return result


def curate_batches(
    results: Sequence[BatchResult],
    ledger: Ledger,
    index: LessonIndex,
    *,
    archive_root: Path,
    max_distance: float,
) -> CurateStats:
    """Merge every batch's candidates into the ledger, then mark the files as read."""
    candidates = [c for r in results for c in r.candidates]
    stats = curate(
        candidates, ledger, index, archive_root=str(archive_root), max_distance=max_distance
    )
    ledger.record_files(row for r in results for row in r.files)
    return stats


def target_scope(target: Path, all_projects: bool, aliases: Sequence[str]) -> Scope:
    if all_projects:
        return Scope(None)
    return Scope(str(repository_root(target)), tuple(aliases))


def propose(
    target: Path,
    ledger: Ledger,
    proposals_dir: Path,
    *,
    scope: Scope,
    budget: int,
    summary: dict[str, object],
) -> ProposalOutcome:
    """Render the target from the ledger's lessons and store the change as a proposal."""
    chosen = budgeted(lessons_for(ledger, scope), budget)
    shown = sum(len(v) for v in chosen.values())
    plan = make_plan(target, chosen)
    if plan is None:
        return ProposalOutcome("nothing", None, None, 0, 0, shown)
    row, created = save_plan(plan, ledger, proposals_dir, summary)
    added = sum(i.change == "added" for i in plan.items)
    return ProposalOutcome(
        "created" if created else "unchanged",
        row.id,
        row.folder,
        added,
        len(plan.items) - added,
        shown,
    )
