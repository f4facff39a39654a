"""The body of each stage of a distill: opens what it needs (each may run as a task of its own,
in another thread or process), does its work, logs one line of counts, returns plain data."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from metis_distill.archive import ArchiveResult, archive_from
from metis_distill.config import Settings
from metis_distill.curate.merge import CurateStats, JudgeStats
from metis_distill.extract.base import ExtractStats
from metis_distill.index import Embedder, embed_many, open_for_writing
from metis_distill.ledger import FileRecord, Ledger
from metis_distill.pipeline.curation import candidates, curate_batches
from metis_distill.pipeline.discover import Discovery, changed_files
from metis_distill.pipeline.extraction import BatchResult, extract_batch
from metis_distill.pipeline.extractors import make_extractor, make_judge
from metis_distill.pipeline.runner import BatchJob, Log
from metis_distill.provenance import Spread
from metis_distill.publish import Curation, publish_targets, target_scope
from metis_distill.run_report import ProposalOutcome, RunSummary


def worker() -> str:
    """Where a task runs (with Dask: another process, maybe another machine)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def archive_step(settings: Settings, source: Path, log: Log) -> ArchiveResult:
    """Copy the source and the extra sources into the permanent archive."""
    with Ledger(settings.ledger_url) as ledger:
        roots = [source, *settings.source_roots()[1:]]
        result = archive_from(roots, settings.archive_dir, ledger)
    log.info(
        "archive: %d new files, %d appended, %d new versions, %d unchanged (%d bytes copied)",
        result.copied,
        result.appended,
        result.versions,
        result.unchanged,
        result.bytes_copied,
    )
    return result


def discover_step(settings: Settings, archive: Path, log: Log) -> Discovery:
    with Ledger(settings.ledger_url) as ledger:
        found = changed_files(archive, ledger)
    log.info(
        "discover: %d files to read (%d resumed from their last offset), %d unchanged, %d skipped",
        len(found.changed),
        found.resumed,
        found.unchanged,
        len(found.skipped),
    )
    for path, reason in found.skipped[:20]:
        log.info("skipped %s: %s", path, reason)
    return found


def extract_job(job: BatchJob, log: Log) -> BatchResult:
    """One batch of files parsed, mined and extracted, with the extractor the settings ask for."""
    with Ledger(job.settings.ledger_url) as ledger:
        extractor = make_extractor(job.settings, ledger, job.run_id, job.mode)
        result = extract_batch(Path(job.archive), job.files, extractor)
    log.info(
        "extract: %d files, %d events, %d episodes, %d candidates, %d corrupt lines skipped "
        "(worker %s)",
        len(result.files),
        result.events,
        result.episodes,
        len(result.candidates),
        result.corrupt_lines,
        worker(),
    )
    stats = result.extract
    if extractor.name == "claude":
        log.info(
            "extract (claude): %d excerpts, %d requests, %d cached, %d pending, %d failed, "
            "%d errors; tokens in %d, out %d, cache read %d, cache write %d",
            stats.spans,
            stats.requests,
            stats.cached,
            stats.pending,
            stats.failures,
            stats.errors,
            stats.input_tokens,
            stats.output_tokens,
            stats.cache_read_tokens,
            stats.cache_write_tokens,
        )
    return result


def submit_batch_step(settings: Settings, run_id: int, log: Log) -> ExtractStats:
    """The run's one Message Batch: everything the extraction tasks queued, submitted, polled
    and collected into the cache (`--batch`)."""
    from metis_distill.extract.batch import BatchClaudeExtractor  # anthropic: only when used

    with Ledger(settings.ledger_url) as ledger:
        extractor = make_extractor(settings, ledger, run_id, "inline")
        if not isinstance(extractor, BatchClaudeExtractor):
            raise TypeError("the batch step needs the claude extractor with --batch")
        extractor.process()
    if extractor.submitted:
        log.info("batch: submitted %s", ", ".join(extractor.submitted))
    if extractor.waiting:
        log.warning(
            "batch: %s still running after %.0f s; the next run collects it",
            ", ".join(extractor.waiting),
            settings.extract.batch_max_wait,
        )
    if extractor.batch_error:
        log.warning("batch: not submitted (%s); the next run tries again", extractor.batch_error)
    stats = extractor.stats
    stats.transcript_tokens = stats.span_tokens = 0  # counted by the extraction tasks
    return stats


@dataclass(frozen=True)
class Curated:
    stats: CurateStats
    judged: JudgeStats | None  # what the duplicate judge did (claude extractor only)


def curate_step(
    settings: Settings,
    archive: Path,
    results: list[BatchResult],
    *,
    skipped: list[FileRecord],
    stale: list[str],
    run_id: int,
    embedder: Embedder | None,
    log: Log,
) -> Curated:
    """The index reconciled with the ledger (the ledger is the truth), then the batches
    curated; `stale` files' old evidence goes first. The candidates are embedded before
    chromadb loads: the model's working memory (its int8 weights made float for each run,
    ~90 MB) and chromadb's are not held at once, which was a distill's peak."""
    model = _embedder(settings, embedder)
    texts = [c.text for c in candidates(results)]
    vectors = embed_many(model, texts) if texts else []
    with (
        Ledger(settings.ledger_url) as ledger,
        open_for_writing(settings.index_url, settings.index_dir, model) as index,
    ):
        added, removed = index.reconcile({r.id: (r.kind, r.text) for r in ledger.lessons()})
        if added or removed:
            log.info("index: reconciled with the ledger (+%d -%d)", added, removed)
        judge = make_judge(settings, ledger, run_id)
        stats = curate_batches(
            results,
            ledger,
            index,
            archive_root=archive,
            settings=settings,
            skipped=skipped,
            rewritten=stale,
            judge=judge,
            vectors=vectors,
        )
    log.info(
        "curate: %d candidates -> %d new lessons, %d merged (%d into lessons of this run), "
        "%d suppressed (rejected before)",
        stats.candidates,
        stats.new,
        stats.merged,
        stats.merged_into_new,
        stats.suppressed,
    )
    judged = judge.stats if judge is not None else None
    if judged is not None:
        log.info(
            "curate: %d near-duplicates put to the curator prompt, %d judged the same "
            "(%d requests, %d cached, %d failed)",
            judged.asked,
            judged.same,
            judged.requests,
            judged.cached,
            judged.failed,
        )
    return Curated(stats, judged)


def _embedder(settings: Settings, embedder: Embedder | None) -> Embedder:
    if embedder is not None:
        return embedder
    from metis_distill.embeddings import MiniLMEmbedder

    return MiniLMEmbedder(settings.model_dir)


def publish_step(
    settings: Settings, target: Path, run: RunSummary, log: Log, processes: Spread
) -> ProposalOutcome:
    """The target's proposal (and its routes' own), checked by the tripwires; the evidence
    checked in `processes(its bytes)` processes."""
    with Ledger(settings.ledger_url) as ledger:
        outcome = publish_targets(
            target,
            ledger,
            settings.proposals_dir,
            scope=target_scope(target, settings.all_projects, settings.aliases),
            run=run,
            locks_dir=settings.locks_dir,
            curation=Curation.of(settings),
            processes=processes,
        )[0]
    log.info(
        "publish: %s (%d added, %d removed, %d lessons shown)",
        outcome.status.value,
        outcome.added,
        outcome.removed,
        outcome.lessons_shown,
    )
    for warning in outcome.warnings:
        log.warning(warning)
    return outcome
