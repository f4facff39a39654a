"""One distill, end to end: the only place the sequence of stages is written. The nightly flow,
`metis distill`, `metis eval`, `metis replay`, the benchmarks and the tests all call `distill`.

archive -> discover -> extract (per batch; with --batch: queue, one Message Batch, extract
again from the cache) -> curate -> publish. The run is recorded in the ledger with its outcome.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from metis_distill import interrupt, progress, redact
from metis_distill.archive import ArchiveResult
from metis_distill.config import Settings
from metis_distill.errors import ConfigError
from metis_distill.extract.base import BatchMode, ExtractStats
from metis_distill.index import Embedder
from metis_distill.ledger import DistillStatus, Ledger
from metis_distill.pipeline.discover import (
    Discovery,
    FileInfo,
    batches,
    check_archive,
    skipped_records,
)
from metis_distill.pipeline.extraction import BatchResult
from metis_distill.pipeline.extractors import start_extraction
from metis_distill.pipeline.memory import give_back
from metis_distill.pipeline.preload import INDEX_MODULES, MINING_MODULES, Preload
from metis_distill.pipeline.runner import BatchJob, Log, Runner, Stage
from metis_distill.pipeline.steps import (
    Curated,
    archive_step,
    curate_step,
    discover_step,
    extract_job,
    publish_step,
    submit_batch_step,
)
from metis_distill.pipeline.usage import ExtractTotals, claude_usage, finish_extraction
from metis_distill.placement.files import context_file
from metis_distill.run_report import RunReport, RunSummary
from metis_distill.statuses import PublishStatus
from metis_distill.unchanged import ARCHIVE, STAMP, run_stamp

T = TypeVar("T")


PARALLEL_BYTES = 64 * 1024 * 1024  # a first read (or evidence to check) this large: every core


class LocalRunner:
    """Every stage in this process; the batches one after the other, or, for a large first
    read with the rules extractor, on a pool of processes (one per core); so are the files
    of a publish's evidence when they are large."""

    flow_run_id: str | None = None
    workers: int | None = None  # processes for a large first read (default: one per core)
    parallel_bytes = PARALLEL_BYTES  # from this many bytes to read on, the pool is used

    def log(self) -> Log:
        return logging.getLogger("metis_distill")

    def stage(self, stage: Stage, step: Callable[[], T]) -> T:  # noqa: ARG002
        return step()

    def map_batches(self, jobs: Sequence[BatchJob]) -> list[BatchResult]:
        workers = min(self.processes(_to_read(jobs)), len(jobs))
        if workers < 2 or not _spreadable(jobs):
            return [extract_job(job, self.log()) for job in jobs]
        redact.prepare()  # compiled once here, shared with the workers
        context = multiprocessing.get_context("fork")
        # gc.freeze in each worker: its collections leave what it inherited alone (not
        # walked, and its pages not copied on write by the walk)
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=gc.freeze
        ) as pool:
            return list(pool.map(_extract_here, jobs))

    def processes(self, size: int) -> int:
        """One per core (or `workers`) from `parallel_bytes` of work on, where fork exists."""
        if size < self.parallel_bytes or "fork" not in multiprocessing.get_all_start_methods():
            return 1
        return self.workers or os.cpu_count() or 1


def _to_read(jobs: Sequence[BatchJob]) -> int:
    return sum(f.size - f.offset for job in jobs for f in job.files)


def _spreadable(jobs: Sequence[BatchJob]) -> bool:
    """The claude extractor has threads, a budget and a cache of its own: not spread."""
    return all(job.settings.extractor == "rules" and job.mode == "inline" for job in jobs)


def _extract_here(job: BatchJob) -> BatchResult:
    return extract_job(job, logging.getLogger("metis_distill"))


def distill_target(settings: Settings) -> Path:
    if settings.target is None:
        raise ConfigError("distill needs a target", hint="pass --target path/to/repo/CLAUDE.md")
    return context_file(settings.target.expanduser().resolve())


def distill(
    settings: Settings,
    *,
    runner: Runner | None = None,
    embedder: Embedder | None = None,
    only: Collection[str] | None = None,
) -> RunReport:
    """Distil the archive's new runs into a proposal for the target; never edits the target.

    `runner` runs the stages (default: in this process); `embedder` is the index's (default:
    the offline model of the settings); `only` limits what is read this time to these archive
    paths (replay feeds the runs one by one; the others wait for a later call)."""
    from metis_distill.ledger.moves import follow_move

    runner = runner or LocalRunner()
    target = distill_target(settings)
    with Ledger(settings.ledger_url) as ledger:
        moved_from = follow_move(ledger, settings.data_dir, record=True)
        run = ledger.start_distill_run(str(target), runner.flow_run_id)
    if moved_from is not None:
        runner.log().info("the data dir was moved from %s: its ledger re-pointed", moved_from)
    try:
        report = _stages(settings, target, runner, embedder, only)
    except BaseException as e:
        _finish(settings, run, DistillStatus.of_error(e), message=f"{type(e).__name__}: {e}")
        raise
    outcome, message = _outcome(report)
    stamp = run_stamp(settings, target)  # the next run may find nothing new against it
    proposal_id = report.proposal.proposal_id
    _finish(
        settings, run, outcome, message=message, proposal_id=proposal_id, report=report, stamp=stamp
    )
    return report


def _outcome(report: RunReport) -> tuple[DistillStatus, str | None]:
    """How a run that went to its end stands, and why when work is left."""
    usage = report.extraction
    if usage is not None and usage.extract_errors:
        said = f"{usage.extract_errors} Claude calls failed, the first: {usage.first_failure}"
        return DistillStatus.CALLS_FAILED, said
    if report.extract_pending:
        return DistillStatus.BUDGET_REACHED, None
    if report.proposal.status == PublishStatus.MARKERS_BROKEN:
        return DistillStatus.BLOCK_UNREADABLE, "; ".join(report.proposal.warnings) or None
    return DistillStatus.COMPLETED, None


def _finish(
    settings: Settings,
    run: int,
    outcome: DistillStatus,
    *,
    message: str | None = None,
    proposal_id: int | None = None,
    report: RunReport | None = None,
    stamp: str | None = None,
) -> None:
    summary = report.scalars() if report is not None else {}
    summary[ARCHIVE] = str(settings.archive.expanduser().resolve())  # for `metis status`
    if stamp is not None:
        summary[STAMP] = stamp
    with Ledger(settings.ledger_url) as ledger:
        ledger.finish_distill_run(
            run, outcome, message=message, proposal_id=proposal_id, summary=summary
        )


def _stages(
    settings: Settings,
    target: Path,
    runner: Runner,
    embedder: Embedder | None,
    only: Collection[str] | None,
) -> RunReport:
    source = check_archive(settings.archive)
    settings.archive_dir.mkdir(parents=True, exist_ok=True)
    archived, found = _archived_and_found(settings, source, runner)
    chosen = _chosen(found, only)
    summary = _read_and_curated(settings, runner, embedder, archived, found, chosen)
    give_back()  # the batches' results and curation's garbage, before publish
    outcome = _staged(
        runner,
        Stage.PUBLISH,
        lambda: publish_step(settings, target, summary, runner.log(), runner.processes),
    )
    return RunReport(**dict(summary), proposal=outcome)


def _archived_and_found(
    settings: Settings, source: Path, runner: Runner
) -> tuple[ArchiveResult, Discovery]:
    """The archive copy and the discovery, mostly waiting on the disk: what the miners and
    curate import (the text splitter, chromadb) is imported meanwhile in a thread, joined
    before the extraction forks its pool."""
    later = Preload(MINING_MODULES + INDEX_MODULES)
    try:
        archived = _staged(
            runner, Stage.ARCHIVE, lambda: archive_step(settings, source, runner.log())
        )
        archive = settings.archive_dir.resolve()
        found = _staged(
            runner, Stage.DISCOVER, lambda: discover_step(settings, archive, runner.log())
        )
    finally:
        later.wait()
    return archived, found


def _read_and_curated(
    settings: Settings,
    runner: Runner,
    embedder: Embedder | None,
    archived: ArchiveResult,
    found: Discovery,
    chosen: Discovery,
) -> RunSummary:
    """Extract and curate; the batches' results are dropped when this returns. Memory is given
    back between the stages, so that each starts low however large the archive."""
    archive = settings.archive_dir.resolve()
    with Ledger(settings.ledger_url) as ledger:
        run_id = start_extraction(settings, ledger)
    results, sent = _extract_all(runner, settings, archive, chosen.changed, run_id)
    give_back()
    curated = _staged(
        runner,
        Stage.CURATE,
        lambda: curate_step(
            settings,
            archive,
            results,
            skipped=skipped_records(archive, found),
            stale=chosen.rewritten_paths + archived.superseded,  # their old evidence goes
            run_id=run_id,
            embedder=embedder,
            log=runner.log(),
        ),
    )
    return _summary(settings, archived, found, chosen, results, curated, run_id, sent, runner.log())


def _staged(runner: Runner, stage: Stage, step: Callable[[], T]) -> T:
    interrupt.hold_if_stopping()  # Ctrl-C: no new stage while the process ends
    progress.report().begin(stage)
    return runner.stage(stage, step)


def _mapped(runner: Runner, jobs: Sequence[BatchJob]) -> list[BatchResult]:
    """The batches extracted; each file is reported done as it is read (in this process:
    on Dask workers nobody is told)."""
    interrupt.hold_if_stopping()
    progress.report().begin(Stage.EXTRACT, sum(len(job.files) for job in jobs))
    return runner.map_batches(jobs)


def _chosen(found: Discovery, only: Collection[str] | None) -> Discovery:
    if only is None:
        return found
    return replace(
        found,
        changed=[f for f in found.changed if f.path in only],
        rewritten_paths=[p for p in found.rewritten_paths if p in only],
    )


def _extract_all(
    runner: Runner, settings: Settings, archive: Path, files: list[FileInfo], run_id: int
) -> tuple[list[BatchResult], ExtractStats | None]:
    """Extract every batch; with `--batch`, queue first, send one Message Batch, then extract
    again the batches whose excerpts were queued, answered from the cache by now."""
    groups = batches(files, settings.scale.batch_files)
    if not groups:
        return [], None
    batching = settings.extract.batch and settings.extractor == "claude"
    mode: BatchMode = "queue" if batching else "inline"
    jobs = [
        BatchJob(str(archive), tuple(group), settings, run_id, number, mode)
        for number, group in enumerate(groups)
    ]
    results = _mapped(runner, jobs)
    if not batching:
        return results, None
    sent = _staged(
        runner, Stage.SUBMIT_BATCH, lambda: submit_batch_step(settings, run_id, runner.log())
    )
    again = [i for i, r in enumerate(results) if r.pending_files]
    if again:
        redone = _mapped(runner, [replace(jobs[i], mode="cache") for i in again])
        for i, result in zip(again, redone, strict=True):
            results[i] = result
    return results, sent


def _summary(
    settings: Settings,
    archived: ArchiveResult,
    found: Discovery,
    chosen: Discovery,
    results: list[BatchResult],
    curated: Curated,
    run_id: int,
    sent: ExtractStats | None,
    log: Log,
) -> RunSummary:
    totals = ExtractTotals.of(results, sent)
    spent = finish_extraction(settings, run_id, totals)
    judged = curated.judged.requests if curated.judged is not None else 0
    claude = settings.extractor == "claude"
    usage = claude_usage(settings, totals, spent, judged) if claude else None
    if usage is not None:
        log.info(
            "extract: %d requests, %d tokens this run, %d excerpts pending for the next run",
            usage.extract_requests,
            usage.tokens_run,
            usage.extract_pending,
        )
    stats = curated.stats
    files_read = len(chosen.changed)
    return RunSummary(
        extractor=settings.extractor,
        archived_new=archived.copied,
        archived_appended=archived.appended,
        archived_versions=archived.versions,
        files_read=files_read,
        files_resumed=found.resumed,
        files_unchanged=found.unchanged,
        files_skipped=len(found.skipped) + len(archived.skipped),
        bytes_read=sum(r.bytes_read for r in results),
        lines_read=sum(r.lines_read for r in results),
        events=sum(r.events for r in results),
        episodes=sum(r.episodes for r in results),
        candidates=stats.candidates,
        lessons_new=stats.new,
        lessons_merged=stats.merged,
        merged_into_new=stats.merged_into_new,
        duplicates_judged=curated.judged,
        suppressed=stats.suppressed,
        corrupt_lines=sum(r.corrupt_lines for r in results),
        lines_still_being_written=sum(r.partial_lines for r in results),
        unknown_lines=sum(r.unknown_lines for r in results),
        failed_files=[f for r in results for f in r.failed_files],
        corrupt_where=[c for r in results for c in r.corrupt],
        skipped_files=[f"{path}: {reason}" for path, reason in archived.skipped]
        + [f"{path}: {reason}" for path, reason in found.skipped],
        extraction=usage,
        failure_candidates=stats.failures,
    )
