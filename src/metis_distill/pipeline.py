"""The stages end to end, as plain functions: the Prefect flow and the tests both call these.

discover -> changed files -> batches -> mine_batch (parse, mine, extract) -> curate -> propose.
Batches carry paths in and candidates and counts out, never transcript text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from metis_distill import sources
from metis_distill.config import Settings
from metis_distill.curate.merge import (
    DEFAULT_JUDGE_DISTANCE,
    DEFAULT_MAX_DISTANCE,
    CurateStats,
    DuplicateJudge,
    curate,
)
from metis_distill.curate.retire import (
    resolve_contradictions,
    retire_stale,
)
from metis_distill.curate.select import Budget, Scope
from metis_distill.errors import ConfigError, MetisError, SourceError
from metis_distill.extract.base import BatchMode, Extractor, ExtractStats
from metis_distill.extract.rules import RulesExtractor
from metis_distill.faults import checkpoint
from metis_distill.index import LessonIndex
from metis_distill.ledger import FileRecord, FileRow, Ledger, RecoveryRow
from metis_distill.listing import list_files, unreadable
from metis_distill.mine.episodes import Episode, find_episodes
from metis_distill.mine.recovery import Recovery, recoveries
from metis_distill.models import LessonCandidate
from metis_distill.publish import RUN_CURATED, Curation, ProposalOutcome, propose_targets
from metis_distill.targets import repository_root
from metis_distill.textio import read_before, read_segment, tail_sha256

if TYPE_CHECKING:  # anthropic is imported only when the claude extractor runs
    from metis_distill.extract.claude import ClaudeConfig

MAX_BATCH_BYTES = 32 * 1024 * 1024
# Formats whose files only ever grow by whole lines: a grown file is read from where we stopped.
APPEND_ONLY = frozenset({"claude_code", "codex"})


@dataclass(frozen=True)
class FileInfo:
    """A file to read, and from where: `offset` > 0 resumes an append-only file."""

    path: str  # relative to the archive root
    size: int
    mtime_ns: int
    format: str
    offset: int = 0
    first_line: int = 1
    session_id: str | None = None  # known from an earlier read (a resumed file may not say)
    cwd: str | None = None
    origin: str | None = None  # where `metis archive` copied it from
    prior_lines: int = 0  # counts of the part read before (a resumed file adds to them)
    prior_events: int = 0
    prior_corrupt: int = 0


@dataclass
class Discovery:
    changed: list[FileInfo] = field(default_factory=list)
    unchanged: int = 0
    resumed: int = 0
    rewritten_paths: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def rewritten(self) -> int:
        return len(self.rewritten_paths)


@dataclass
class BatchResult:
    """What one batch of files yielded: candidates and counts, no transcript text."""

    candidates: list[LessonCandidate] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    lines_read: int = 0
    bytes_read: int = 0
    events: int = 0
    episodes: int = 0
    corrupt_lines: int = 0
    unknown_lines: int = 0
    failed_files: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)  # "path: lines 8, 19"
    partial_lines: int = 0  # last lines still being written, to be read once complete
    extract: ExtractStats = field(default_factory=ExtractStats)
    pending_files: list[str] = field(default_factory=list)  # to read again: work left
    recoveries: list[Recovery] = field(default_factory=list)  # failures and their fixes


def check_archive(archive_root: Path) -> Path:
    root = archive_root.expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"archive folder not found: {root}",
            hint="pass --archive (e.g. ~/.claude/projects) or set METIS_ARCHIVE",
        )
    return root.resolve()


def walk(archive_root: Path) -> list[Path]:
    """Every file under the archive root, in a stable order (git folders and temp files left
    out)."""
    return list_files(archive_root).files


def discover(archive_root: Path) -> list[Path]:
    """The files under the archive root that hold runs in a format we read."""
    return [p for p in walk(archive_root) if sources.detect(p).format is not None]


def changed_files(archive_root: Path, ledger: Ledger) -> Discovery:
    """What to read: new files whole, grown append-only files from where we stopped, and
    files changed otherwise whole again; unchanged files cost one stat (contract 4)."""
    seen = ledger.file_rows(str(archive_root))
    found = Discovery()
    listing = list_files(archive_root)
    for folder, why in listing.unreadable:
        found.skipped.append((folder.relative_to(archive_root).as_posix(), why))
    for path in listing.files:
        rel = path.relative_to(archive_root).as_posix()
        row, stat = seen.get(rel), path.stat()
        if row is not None and (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            found.unchanged += 1
        elif row is not None and row.source_format.startswith("skipped"):
            _first_read(found, path, rel, stat, rewritten=False)
        elif row is not None and _same_prefix(path, row, stat.st_size):
            _resume(found, rel, stat, row)
        else:
            _first_read(found, path, rel, stat, rewritten=row is not None)
    origins = ledger.origins()
    found.changed = [replace(f, origin=origins.get(f.path)) for f in found.changed]
    return found


def _same_prefix(path: Path, row: FileRow, size: int) -> bool:
    return size >= row.offset and tail_sha256(path, row.offset) == row.tail_sha256


def _resume(found: Discovery, rel: str, stat: os.stat_result, row: FileRow) -> None:
    if stat.st_size == row.size:
        found.unchanged += 1  # touched only: the same bytes as last time
        return
    appendable = row.source_format in APPEND_ONLY
    found.changed.append(
        FileInfo(
            rel,
            stat.st_size,
            stat.st_mtime_ns,
            row.source_format,
            offset=row.offset if appendable else 0,
            first_line=row.next_line if appendable else 1,
            session_id=row.session_id,
            cwd=row.cwd,
            prior_lines=row.lines if appendable else 0,
            prior_events=row.events if appendable else 0,
            prior_corrupt=row.corrupt_lines if appendable else 0,
        )
    )
    found.resumed += appendable


def _first_read(
    found: Discovery, path: Path, rel: str, stat: os.stat_result, *, rewritten: bool
) -> None:
    detected = sources.detect(path)
    if detected.format is None:
        found.skipped.append((rel, detected.reason))
        return
    found.changed.append(FileInfo(rel, stat.st_size, stat.st_mtime_ns, detected.format.name))
    if rewritten:
        found.rewritten_paths.append(rel)


def batches(
    files: Sequence[FileInfo], max_files: int = 50, max_bytes: int = MAX_BATCH_BYTES
) -> list[list[FileInfo]]:
    """Groups of ~max_files files or ~max_bytes bytes, whichever comes first."""
    groups: list[list[FileInfo]] = []
    size = 0
    for info in files:
        to_read = info.size - info.offset
        if not groups or len(groups[-1]) >= max_files or size + to_read > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(info)
        size += to_read
    return groups


def mine_batch(
    archive_root: Path, files: Iterable[FileInfo], extractor: Extractor | None = None
) -> BatchResult:
    """Parse, mine and extract each file; a file that cannot be read is reported, not fatal.
    A file whose episodes are not all extracted (budget reached, failed calls) is not marked
    as read: the next run reads it again, and what was answered comes from the cache."""
    extractor = extractor or RulesExtractor()
    result = BatchResult()
    for info in files:
        try:
            _mine_file(archive_root, info, result, extractor)
        except MetisError as e:
            if not isinstance(e, SourceError):
                raise  # a halted extraction stops the run; it is not one bad file
            result.failed_files.append(f"{info.path}: {e}")
        except Exception as e:  # noqa: BLE001 (one unreadable file must not stop the rest)
            result.failed_files.append(f"{info.path}: {type(e).__name__}: {e}")
    result.extract = extractor.stats
    return result


def _mine_file(
    archive_root: Path, info: FileInfo, result: BatchResult, extractor: Extractor
) -> None:
    checkpoint("mine:file")
    path = archive_root / info.path
    segment = read_segment(path, info.offset, info.first_line)
    context = read_before(path, info.offset, info.first_line) if info.offset else []
    run = sources.by_name(info.format).parse_lines(info.path, [*context, *segment.lines])
    if info.offset and info.session_id:
        run = replace(run, session_id=info.session_id, cwd=run.cwd or info.cwd)
    if run.cwd is None and info.origin:
        # an aider history sits at its repository's root: where it came from is its cwd
        run = replace(run, cwd=str(Path(info.origin).parent))
    # Episodes are mined with the context (a failure before the offset meets its fix after
    # it), but only what reaches the new lines is new.
    new = info.first_line if info.offset else 1
    episodes = [e for e in find_episodes(run) if _last_line(e) >= new]
    unfinished = extractor.stats.unfinished
    found = extractor.extract(run, episodes, dict([*context, *segment.lines]))
    result.recoveries.extend(recoveries(run))  # stored by key: the context's are upserted
    result.candidates.extend(c for c in found if c.evidence.ref.line_end >= new)
    if extractor.stats.unfinished > unfinished:
        result.pending_files.append(info.path)
    events = sum(1 for e in run.events if e.ref.line_start >= new)
    corrupt = [n for n in run.stats.corrupt_line_numbers if n >= new]
    if segment.partial_line in corrupt:
        corrupt.remove(segment.partial_line)  # still being written: read again once complete
        result.partial_lines += 1
    result.lines_read += len(segment.lines)
    result.bytes_read += segment.end_offset - info.offset
    result.events += events
    result.episodes += len(episodes)
    result.corrupt_lines += len(corrupt)
    if corrupt:
        numbers = ", ".join(map(str, corrupt[:20]))
        more = "…" if len(corrupt) > 20 else ""
        result.corrupt.append(f"{info.path}: line {numbers}{more}")
    result.unknown_lines += run.stats.unknown_lines
    if info.path in result.pending_files:
        return  # not marked as read
    end = segment.end_offset if segment.resumable else info.size
    result.files.append(
        FileRecord(
            archive_root=str(archive_root),
            path=info.path,
            size=info.size,
            mtime_ns=info.mtime_ns,
            sha256=None,
            offset=end,
            next_line=segment.next_line,
            tail_sha256=tail_sha256(path, end),
            source_format=run.source_format,
            session_id=run.session_id,
            cwd=run.cwd,
            lines=info.prior_lines + sum(1 for _, t in segment.lines if t.strip()),
            events=info.prior_events + events,
            corrupt_lines=info.prior_corrupt + len(corrupt),
            unknown_lines=run.stats.unknown_lines,
        )
    )


def _last_line(episode: Episode) -> int:
    """The last line an episode touches (a fix after the failure counts)."""
    events = (episode.trigger, episode.call, episode.fix_call, episode.fix_result)
    return max(e.ref.line_end for e in events if e is not None)


def start_extraction(settings: Settings, ledger: Ledger) -> int:
    """A run row in the ledger that sums the run's token use (the budget reads it)."""
    claude = settings.extractor == "claude"
    return ledger.start_extract_run(
        settings.extractor or "rules",
        settings.anthropic_model if claude else None,
        settings.max_tokens_per_run if claude else None,
    )


def make_extractor(
    settings: Settings,
    ledger: Ledger,
    run_id: int | None = None,
    batch_mode: BatchMode = "inline",
) -> Extractor:
    """The extractor the settings ask for (the rules when none is named and no key is set).
    `batch_mode` (with `--batch`): "queue", "cache" or "inline", see `extract.batch`."""
    if settings.extractor != "claude":
        return RulesExtractor()
    from metis_distill.extract.claude import ClaudeExtractor

    key = _api_key(settings)
    config = _claude_config(settings)
    if config.batch:
        from metis_distill.extract.batch import BatchClaudeExtractor

        return BatchClaudeExtractor(config, ledger, api_key=key, run_id=run_id, mode=batch_mode)
    return ClaudeExtractor(config, ledger, api_key=key, run_id=run_id)


def _api_key(settings: Settings) -> str:
    key = settings.api_key()
    if key is None:
        raise ConfigError(
            "the claude extractor needs an Anthropic API key",
            hint="set ANTHROPIC_API_KEY (or METIS_ANTHROPIC_API_KEY), or pass --extractor rules",
        )
    return key


def _claude_config(settings: Settings) -> ClaudeConfig:
    from metis_distill.extract.claude import ClaudeConfig

    return ClaudeConfig(
        model=settings.anthropic_model,
        base_url=settings.anthropic_base_url,
        concurrency=settings.anthropic_concurrency,
        max_retries=settings.anthropic_max_retries,
        timeout=settings.anthropic_timeout,
        max_tokens_per_run=settings.max_tokens_per_run,
        max_failed_fraction=settings.max_failed_fraction,
        span_tokens=settings.span_tokens,
        batch=settings.batch,
        poll_interval=settings.batch_poll_interval,
        batch_max_wait=settings.batch_max_wait,
    )


def make_judge(
    settings: Settings, ledger: Ledger, run_id: int | None = None
) -> DuplicateJudge | None:
    """The curator prompt's judge of near-duplicates: with the claude extractor only."""
    if settings.extractor != "claude":
        return None
    from metis_distill.extract.curator import ClaudeCurator

    config = _claude_config(settings)
    return ClaudeCurator(config, ledger, api_key=_api_key(settings), run_id=run_id)


def extract_summary(
    results: Sequence[BatchResult], sent: ExtractStats | None = None
) -> dict[str, object]:
    """The extraction counts of a run, summed over its batches (and its Message Batch, whose
    answers the mine tasks then found in the cache: not counted as cached twice)."""
    total = ExtractStats()
    for r in results:
        total.add(r.extract)
    if sent is not None:
        total.add(sent)
        total.cached = max(0, total.cached - sent.requests)
    summary: dict[str, object] = dict(asdict(total))
    summary["span_fraction"] = round(total.span_fraction, 5)
    summary["pending_files"] = sorted({p for r in results for p in r.pending_files})
    return summary


def skipped_records(archive_root: Path, found: Discovery) -> list[FileRecord]:
    """Files we cannot read, remembered so that they are not sniffed again every night; not
    those unreadable now (permissions), tried again next time."""
    records = []
    for rel, reason in found.skipped:
        path = archive_root / rel
        if unreadable(path):
            continue
        stat = path.stat()
        records.append(
            FileRecord(
                archive_root=str(archive_root),
                path=rel,
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                sha256=None,
                offset=stat.st_size,
                next_line=1,
                tail_sha256=tail_sha256(path, stat.st_size),
                source_format=f"skipped: {reason}",
                session_id=None,
                cwd=None,
                lines=0,
                events=0,
                corrupt_lines=0,
                unknown_lines=0,
            )
        )
    return records


def curate_batches(
    results: Sequence[BatchResult],
    ledger: Ledger,
    index: LessonIndex,
    *,
    archive_root: Path,
    max_distance: float,
    skipped: Sequence[FileRecord] = (),
    rewritten: Sequence[str] = (),
    extractor: str = "rules",
    settings: Settings | None = None,
    judge: DuplicateJudge | None = None,
    judge_distance: float = DEFAULT_JUDGE_DISTANCE,
) -> CurateStats:
    """Merge every batch's candidates into the ledger, then mark the files as read. Evidence
    from `rewritten` files (changed other than by appending) points at lines that now say
    something else: it is dropped first, and what the files say now is found again.
    Then contradicted decisions and lessons not seen for long are retired (never deleted)."""
    config = Curation.of(settings) if settings is not None else Curation()
    ledger.drop_evidence(str(archive_root), rewritten)
    ledger.drop_recoveries(str(archive_root), rewritten)
    candidates = [c for r in results for c in r.candidates]
    stats = curate(
        candidates,
        ledger,
        index,
        archive_root=str(archive_root),
        extractor=extractor,
        max_distance=max_distance,
        paraphrase_distance=config.paraphrase_distance,
        judge=judge,
        judge_distance=judge_distance,
    )
    checkpoint("curate:merged")
    contradicted = resolve_contradictions(ledger, stats.touched_ids)
    stale = retire_stale(ledger, config.retire_after_days)
    stats.retired_contradicted = len(contradicted.contradicted)
    stats.retired_stale = len(stale.stale)
    stats.revived = len(contradicted.revived) + len(stale.revived)
    ledger.record_recoveries(_recovery_rows(str(archive_root), results))
    ledger.record_files([*skipped, *(row for r in results for row in r.files)])
    ledger.set_meta(RUN_CURATED, {"failures": stats.failures, "candidates": stats.candidates})
    checkpoint("curate:recorded")
    return stats


def _recovery_rows(archive_root: str, results: Sequence[BatchResult]) -> list[RecoveryRow]:
    return [
        RecoveryRow(
            archive_root=archive_root,
            path=r.path,
            line=r.line,
            session_id=r.session_id,
            cwd=r.cwd,
            failure_class=r.failure_class,
            command=r.command,
            failed_at=r.failed_at,
            recovered_at=r.recovered_at,
            seconds=r.seconds,
        )
        for result in results
        for r in result.recoveries
    ]


def read_and_curate(
    archive_root: Path, ledger: Ledger, index: LessonIndex
) -> tuple[Discovery, list[BatchResult]]:
    """The stages up to curation called directly, without Prefect (the eval, the tests'
    fixtures): every changed file mined with the rules, then curated with the defaults."""
    found = changed_files(archive_root, ledger)
    results = [mine_batch(archive_root, group) for group in batches(found.changed)]
    curate_batches(
        results,
        ledger,
        index,
        archive_root=archive_root,
        max_distance=DEFAULT_MAX_DISTANCE,
        skipped=skipped_records(archive_root, found),
    )
    return found, results


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
    budget: int | Budget,
    summary: dict[str, object],
    locks_dir: Path,
    settings: Settings | None = None,
) -> ProposalOutcome:
    """Render the target from the ledger's lessons and store the change as a proposal (one
    that needs a human when a tripwire trips). With routes configured (in `settings`), the
    routes' files get their own proposals too; the target's outcome is returned (call
    `publish.propose_targets` for all of them)."""
    return propose_targets(
        target,
        ledger,
        proposals_dir,
        scope=scope,
        summary=summary,
        locks_dir=locks_dir,
        curation=_curation(settings, budget),
    )[0]


def _curation(settings: Settings | None, budget: int | Budget) -> Curation:
    if settings is not None:
        return Curation.of(settings)
    return Curation(budget=budget if isinstance(budget, Budget) else Budget(per_section=budget))
