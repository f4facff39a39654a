"""The curation stage of a distill: every batch's candidates merged into the ledger's lessons,
then contradicted and stale lessons retired (and programs said missing here that later ran
here), the failures' recoveries and the files read recorded."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from metis_distill import secret_memory
from metis_distill.config import Settings
from metis_distill.curate.merge import CurateStats, DuplicateJudge, curate
from metis_distill.curate.retire import resolve_contradictions, retire_ran_later, retire_stale
from metis_distill.faults import checkpoint
from metis_distill.index import LessonIndex
from metis_distill.ledger import FileRecord, Ledger, RecoveryRecord
from metis_distill.models import LessonCandidate
from metis_distill.pipeline.extraction import BatchResult


def curate_batches(
    results: Sequence[BatchResult],
    ledger: Ledger,
    index: LessonIndex,
    *,
    archive_root: Path,
    settings: Settings,
    skipped: Sequence[FileRecord] = (),
    rewritten: Sequence[str] = (),
    judge: DuplicateJudge | None = None,
    vectors: Sequence[Sequence[float]] | None = None,
) -> CurateStats:
    """Merge every batch's candidates into the ledger, then mark the files as read. Evidence
    from `rewritten` files (changed other than by appending) points at lines that now say
    something else: it is dropped first, and what the files say now is found again.
    Then contradicted decisions and lessons not seen for long are retired (never deleted).
    `vectors`: the embeddings of `candidates(results)`, when made already."""
    ledger.drop_evidence(str(archive_root), rewritten)
    ledger.drop_recoveries(str(archive_root), rewritten)
    stats = curate(
        candidates(results),
        ledger,
        index,
        archive_root=str(archive_root),
        extractor=settings.extractor,
        max_distance=settings.curate.dedupe_distance,
        paraphrase_distance=settings.curate.paraphrase_distance,
        judge=judge,
        judge_distance=settings.curate.judge_distance,
        vectors=vectors,
    )
    checkpoint("curate:merged")
    contradicted = resolve_contradictions(ledger, stats.touched_ids)
    stale = retire_stale(ledger, settings.curate.retire_after_days)
    # a program said missing here that a later run here ran (an extraction cached before
    # runs' programs were kept has none)
    worked = [p for r in results for p in getattr(r, "ran", ())]
    ran = retire_ran_later(ledger, worked, stats.touched_ids)
    stats.retired_contradicted = len(contradicted.contradicted)
    stats.retired_stale = len(stale.stale)
    stats.retired_ran_later = len(ran.ran_later)
    stats.revived = len(contradicted.revived) + len(stale.revived) + len(ran.revived)
    ledger.record_recoveries(_recovery_rows(str(archive_root), results))
    # the secrets first: once the files are recorded as read, no later run reads them again
    memory = secret_memory.memory_beside(archive_root)
    if memory is not None:
        memory.remember(d for r in results for d in r.secret_digests)
    ledger.record_files([*skipped, *(row for r in results for row in r.files)])
    checkpoint("curate:recorded")
    return stats


def candidates(results: Sequence[BatchResult]) -> list[LessonCandidate]:
    """Every batch's candidates, in the order curation takes them."""
    return [c for r in results for c in r.candidates]


def _recovery_rows(archive_root: str, results: Sequence[BatchResult]) -> list[RecoveryRecord]:
    return [
        RecoveryRecord(
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
