"""The distill flow: Prefect wires the library's stages; all the logic lives in metis_distill.

discover -> mine (mapped over batches of files) -> curate -> propose.
Tasks take paths and return candidates and counts, never transcript text (contract 7).
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.context import TaskRunContext
from prefect.runtime import flow_run

from flows.guard import inject_fault, target_guard
from metis_distill import pipeline
from metis_distill.archive import archive_from
from metis_distill.config import Settings, load_settings, sqlite_url
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.errors import ConfigError, MetisError
from metis_distill.extract.base import BatchMode, ExtractStats
from metis_distill.extract.pricing import cache_note, estimated_cost
from metis_distill.index import open_for_writing
from metis_distill.ledger import FileRecord, Ledger
from metis_distill.review.report import artifact_markdown
from metis_distill.textio import tail_sha256


def worker() -> str:
    """Where a task runs (with Dask: another process, maybe another machine)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _code_version() -> str:
    """A hash of the library's code: a new parser, miner or redaction rule makes every
    cached batch stale."""
    package = Path(pipeline.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


@task(name="archive")
def archive_task(source: str, settings: Settings) -> dict[str, Any]:
    ledger = Ledger(settings.ledger_url)
    try:
        roots = [Path(source), *settings.source_roots()[1:]]
        result = archive_from(roots, settings.archive_dir, ledger)
    finally:
        ledger.close()
    get_run_logger().info(
        "archive: %d new files, %d appended, %d new versions, %d unchanged (%d bytes copied)",
        result.copied,
        result.appended,
        result.versions,
        result.unchanged,
        result.bytes_copied,
    )
    return asdict(result)


@task(name="discover")
def discover_task(archive: str, settings: Settings) -> pipeline.Discovery:
    ledger = Ledger(settings.ledger_url)
    try:
        found = pipeline.changed_files(Path(archive), ledger)
    finally:
        ledger.close()
    logger = get_run_logger()
    logger.info(
        "discover: %d files to read (%d resumed from their last offset), %d unchanged, %d skipped",
        len(found.changed),
        found.resumed,
        found.unchanged,
        len(found.skipped),
    )
    for path, reason in found.skipped[:20]:
        logger.info("skipped %s: %s", path, reason)
    return found


def _retry_unless_ours(task: Any, task_run: Any, state: Any) -> bool:  # noqa: ARG001
    """Retry what may pass a second time (I/O); never our own errors, which would repeat (a
    halted extraction would send its failing calls again)."""
    try:
        state.result()
    except MetisError:
        return False
    except Exception:  # noqa: BLE001
        return True
    return True


def _mine_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:  # noqa: ARG001
    """A batch's key is its files' content: path, size, offset and a hash of the bytes up to
    the end, so a batch read before (e.g. by a run that crashed before curating) is not read
    again. Claude batches are not cached here: their answers are cached in the ledger, and a
    batch left partial by the token budget must be redone."""
    settings: Settings = parameters["settings"]
    if settings.extractor != "rules":
        return None
    archive = Path(parameters["archive"])
    digest = hashlib.sha256(f"mine:{CODE_VERSION}:{archive}".encode())
    for info in parameters["files"]:
        fingerprint = tail_sha256(archive / info.path, info.size)
        digest.update(f"\n{info!r}:{fingerprint}".encode())
    return digest.hexdigest()


@task(
    name="mine",
    retries=1,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_unless_ours,
    cache_key_fn=_mine_cache_key,
    cache_expiration=timedelta(days=7),
)
def mine_task(
    archive: str,
    files: list[pipeline.FileInfo],
    settings: Settings,
    run_id: int,
    batch_no: int = 0,
    batch_mode: BatchMode = "inline",
) -> pipeline.BatchResult:
    inject_fault("mine", batch_no)
    ledger = Ledger(settings.ledger_url)
    try:
        extractor = pipeline.make_extractor(settings, ledger, run_id, batch_mode)
        result = pipeline.mine_batch(Path(archive), files, extractor)
    finally:
        ledger.close()
    logger = get_run_logger()
    logger.info(
        "mine: %d files, %d events, %d episodes, %d candidates, %d corrupt lines skipped "
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
        logger.info(
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


@task(name="submit-batch")
def batch_task(settings: Settings, run_id: int) -> ExtractStats:
    """The run's one Message Batch: everything the mine tasks queued, submitted, polled and
    collected into the cache (`--batch`)."""
    from metis_distill.extract.batch import BatchClaudeExtractor  # anthropic: only when used

    ledger = Ledger(settings.ledger_url)
    try:
        extractor = pipeline.make_extractor(settings, ledger, run_id, "inline")
        if not isinstance(extractor, BatchClaudeExtractor):
            raise TypeError("the batch step needs the claude extractor with --batch")
        extractor.process()
    finally:
        ledger.close()
    logger = get_run_logger()
    if extractor.submitted:
        logger.info("batch: submitted %s", ", ".join(extractor.submitted))
    if extractor.waiting:
        logger.warning(
            "batch: %s still running after %.0f s; the next run collects it",
            ", ".join(extractor.waiting),
            settings.batch_max_wait,
        )
    if extractor.batch_error:
        logger.warning("batch: not submitted (%s); the next run tries again", extractor.batch_error)
    stats = extractor.stats
    stats.transcript_tokens = stats.span_tokens = 0  # counted by the mine tasks
    return stats


def _mine_all(
    archive: str, groups: list[list[pipeline.FileInfo]], settings: Settings, run_id: int
) -> tuple[list[pipeline.BatchResult], ExtractStats | None]:
    """Mine every group; with `--batch`, queue first, send one batch, then mine again the
    groups whose excerpts were queued, answered from the cache by now."""
    if not groups:
        return [], None
    batching = settings.batch and settings.extractor == "claude"
    mode: BatchMode = "queue" if batching else "inline"
    numbers = range(len(groups))
    mapped = mine_task.map(
        unmapped(archive), groups, unmapped(settings), unmapped(run_id), numbers, unmapped(mode)
    )
    results = list(mapped.result())
    if not batching:
        return results, None
    sent = batch_task(settings, run_id)
    again = [i for i, r in enumerate(results) if r.pending_files]
    if again:
        redo = [groups[i] for i in again]
        cached = mine_task.map(
            unmapped(archive), redo, unmapped(settings), unmapped(run_id), again, unmapped("cache")
        )
        for i, result in zip(again, cached.result(), strict=True):
            results[i] = result
    return results, sent


@task(name="curate", retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_unless_ours)
def curate_task(
    results: list[pipeline.BatchResult],
    archive: str,
    settings: Settings,
    skipped: list[FileRecord],
    rewritten: list[str],
    run_id: int | None = None,
) -> dict[str, Any]:
    ledger = Ledger(settings.ledger_url)
    embedder = MiniLMEmbedder(settings.model_dir)
    try:
        with open_for_writing(settings.index_url, settings.index_dir, embedder) as index:
            added, removed = index.reconcile({r.id: (r.kind, r.text) for r in ledger.lessons()})
            if added or removed:
                get_run_logger().info("index: reconciled with the ledger (+%d -%d)", added, removed)
            judge = pipeline.make_judge(settings, ledger, run_id)
            stats = pipeline.curate_batches(
                results,
                ledger,
                index,
                archive_root=Path(archive),
                max_distance=settings.dedupe_distance,
                skipped=skipped,
                rewritten=rewritten,
                extractor=settings.extractor or "rules",
                settings=settings,
                judge=judge,
                judge_distance=settings.judge_distance,
            )
    finally:
        ledger.close()
    get_run_logger().info(
        "curate: %d candidates -> %d new lessons, %d merged, %d suppressed (rejected before)",
        stats.candidates,
        stats.new,
        stats.merged,
        stats.suppressed,
    )
    judged = getattr(judge, "stats", None)
    if judged is not None:
        get_run_logger().info(
            "curate: %d near-duplicates put to the curator prompt, %d judged the same "
            "(%d requests, %d cached, %d failed)",
            judged.asked,
            judged.same,
            judged.requests,
            judged.cached,
            judged.failed,
        )
    return {**asdict(stats), **({"judge": asdict(judged)} if judged is not None else {})}


@task(name="propose", retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_unless_ours)
def propose_task(
    target: str, settings: Settings, summary: dict[str, Any]
) -> pipeline.ProposalOutcome:
    inject_fault("propose")
    ledger = Ledger(settings.ledger_url)
    try:
        scope = pipeline.target_scope(Path(target), settings.all_projects, settings.aliases)
        outcome = pipeline.propose(
            Path(target),
            ledger,
            settings.proposals_dir,
            scope=scope,
            budget=settings.section_budget,
            summary=summary,
            locks_dir=settings.locks_dir,
            settings=settings,
        )
    finally:
        ledger.close()
    get_run_logger().info(
        "propose: %s (%d added, %d removed, %d lessons shown)",
        outcome.status,
        outcome.added,
        outcome.removed,
        outcome.lessons_shown,
    )
    return outcome


@flow(name="distill")
def distill_flow(
    settings: Settings | None = None,
    archive: str | None = None,
    target: str | None = None,
    extractor: str | None = None,
    max_tokens: int | None = None,
    all_projects: bool | None = None,
    data_dir: str | None = None,
    section_budget: int | None = None,
) -> dict[str, Any]:
    """Distil the archive's new runs into a proposal for the target. Never edits the target.

    In-process (`metis distill`) the CLI passes its settings; a deployment run passes plain
    parameters, read over the settings of the process that serves it (env, metis.toml)."""
    given = {
        "archive": archive,
        "target": target,
        "extractor": extractor,
        "max_tokens_per_run": max_tokens,
        "all_projects": all_projects,
        "data_dir": data_dir,
        "section_budget": section_budget,
    }
    settings = _settings(settings, {k: v for k, v in given.items() if v is not None})
    if settings.target is None:
        raise ConfigError("distill needs a target", hint="pass target=path/to/repo/CLAUDE.md")
    target_path = settings.target.expanduser().resolve()
    with target_guard(settings, target_path):
        return _guarded_run(settings, str(target_path))


def _settings(settings: Settings | None, given: dict[str, Any]) -> Settings:
    if settings is None:
        return load_settings(**given)
    current = settings.model_dump()
    if current["ledger_url"] == sqlite_url(settings.data_dir):
        current["ledger_url"] = ""  # the default ledger follows the data dir
    return Settings(**{**current, **given})


def _guarded_run(settings: Settings, target: str) -> dict[str, Any]:
    """One distill under the target's guard, recorded in the ledger with its outcome."""
    ledger = Ledger(settings.ledger_url)
    try:
        run = ledger.start_distill_run(target, str(flow_run.id) if flow_run.id else None)
    finally:
        ledger.close()
    try:
        report = _distill(settings, target)
    except BaseException as e:
        code = getattr(e, "exit_code", 1)
        outcome = {3: "needs a human", 4: "budget reached"}.get(code, "failed")
        _finish(settings, run, outcome, message=f"{type(e).__name__}: {e}")
        raise
    outcome = "budget reached" if report.get("extract_pending") else "completed"
    _finish(settings, run, outcome, proposal_id=report["proposal"]["proposal_id"], report=report)
    return report


def _finish(settings: Settings, run: int, outcome: str, **fields: Any) -> None:
    report = fields.pop("report", None)
    summary = {k: v for k, v in (report or {}).items() if isinstance(v, int | float | str)}
    ledger = Ledger(settings.ledger_url)
    try:
        ledger.finish_distill_run(run, outcome, summary=summary, **fields)
    finally:
        ledger.close()


def _distill(settings: Settings, target: str) -> dict[str, Any]:
    source = str(pipeline.check_archive(settings.archive))
    settings.archive_dir.mkdir(parents=True, exist_ok=True)
    archived = archive_task(source, settings)
    archive = str(settings.archive_dir.resolve())
    found = discover_task(archive, settings)
    groups = pipeline.batches(found.changed, settings.batch_files)
    run_id = _start_extraction(settings)
    results, sent = _mine_all(archive, groups, settings, run_id)
    skipped = pipeline.skipped_records(Path(archive), found)
    stale = found.rewritten_paths + archived["superseded"]  # their old evidence goes
    curated = curate_task(list(results), archive, settings, skipped, stale, run_id)
    summary = {
        **_summary(settings, archived, found, results, curated),
        **_extraction(settings, run_id, results, sent),
    }
    outcome = propose_task(target, settings, summary)
    report = {**summary, "proposal": asdict(outcome)}
    create_markdown_artifact(
        key="distill-summary",
        markdown=_markdown(report) + artifact_markdown(outcome.folder),
        description="metis-distill run summary",
    )
    return report


def _start_extraction(settings: Settings) -> int:
    ledger = Ledger(settings.ledger_url)
    try:
        return pipeline.start_extraction(settings, ledger)
    finally:
        ledger.close()


def _extraction(
    settings: Settings,
    run_id: int,
    results: list[pipeline.BatchResult],
    sent: ExtractStats | None = None,
) -> dict[str, Any]:
    """The extraction part of the run summary; stored with the run's token use."""
    stats = pipeline.extract_summary(results, sent)
    ledger = Ledger(settings.ledger_url)
    try:
        row = ledger.finish_extract_run(run_id, stats)
    finally:
        ledger.close()
    if settings.extractor != "claude":
        return {}
    summary = {
        "model": settings.anthropic_model,
        "extract_requests": stats["requests"],
        "extract_cached": stats["cached"],
        "extract_pending": stats["pending"],
        "extract_failed": stats["failures"],
        "extract_errors": stats["errors"],
        "quotes_dropped": stats["quotes_dropped"],
        "lessons_dropped": stats["lessons_dropped"],
        "tokens_run": row.tokens if row is not None else 0,
        "tokens_in": stats["input_tokens"],
        "tokens_out": stats["output_tokens"],
        "tokens_cache_read": stats["cache_read_tokens"],
        "tokens_cache_write": stats["cache_write_tokens"],
        "excerpt_tokens": stats["span_tokens"],
        "transcript_tokens": stats["transcript_tokens"],
        "excerpt_fraction": stats["span_fraction"],
        "estimated_cost_usd": estimated_cost(
            settings.anthropic_model,
            stats["input_tokens"],
            stats["output_tokens"],
            stats["cache_read_tokens"],
            stats["cache_write_tokens"],
        ),
    }
    cost = summary["estimated_cost_usd"]
    summary["usage_note"] = (
        f"{settings.anthropic_model}: {stats['requests']} requests ({stats['cached']} answered "
        f"from the cache), {summary['tokens_run']:,} tokens"
        + (f", about ${cost:.2f}" if cost is not None else "")
        + f"; excerpts were {stats['span_fraction']:.1%} of the transcripts' tokens."
    )
    from metis_distill.extract.claude import cached_prefix_tokens  # anthropic: only when used

    note = cache_note(settings.anthropic_model, cached_prefix_tokens())
    if note is not None:
        summary["cache_note"] = note
    if stats["pending"]:
        summary["pending_note"] = (
            f"{stats['pending']} excerpts were not extracted in this run (token budget reached "
            "or calls failed): this proposal is partial, and the next run does them."
        )
    get_run_logger().info(
        "extract: %d requests, %d tokens this run, %d excerpts pending for the next run",
        summary["extract_requests"],
        summary["tokens_run"],
        summary["extract_pending"],
    )
    return summary


def _summary(
    settings: Settings,
    archived: dict[str, Any],
    found: pipeline.Discovery,
    results: list[pipeline.BatchResult],
    curated: dict[str, Any],
) -> dict[str, Any]:
    return {
        "extractor": settings.extractor,
        "archived_new": archived["copied"],
        "archived_appended": archived["appended"],
        "archived_versions": archived["versions"],
        "files_read": len(found.changed),
        "files_resumed": found.resumed,
        "files_unchanged": found.unchanged,
        "files_skipped": len(found.skipped) + len(archived["skipped"]),
        "bytes_read": sum(r.bytes_read for r in results),
        "lines_read": sum(r.lines_read for r in results),
        "events": sum(r.events for r in results),
        "episodes": sum(r.episodes for r in results),
        "candidates": curated["candidates"],
        "lessons_new": curated["new"],
        "lessons_merged": curated["merged"],
        **({"duplicates_judged": curated["judge"]} if "judge" in curated else {}),
        "suppressed": curated["suppressed"],
        "corrupt_lines": sum(r.corrupt_lines for r in results),
        "lines_still_being_written": sum(r.partial_lines for r in results),
        "unknown_lines": sum(r.unknown_lines for r in results),
        "failed_files": [f for r in results for f in r.failed_files],
        "corrupt_where": [c for r in results for c in r.corrupt],
        "skipped_files": [f"{path}: {reason}" for path, reason in archived["skipped"]]
        + [f"{path}: {reason}" for path, reason in found.skipped],
    }


def _markdown(report: dict[str, Any]) -> str:
    rows = "\n".join(f"| {k} | {v} |" for k, v in report.items() if k != "proposal")
    proposal = report["proposal"]
    return (
        "# metis-distill run\n\n| stage count | value |\n|---|---|\n"
        + rows
        + f"\n\nProposal: **{proposal['status']}** (+{proposal['added']} / "
        f"-{proposal['removed']}), folder `{proposal['folder']}`\n"
    )
