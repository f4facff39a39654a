"""`metis status`: the last distill, its outcome, the work waiting, the tokens spent this
month, whether a proposal waits for review, and the time to recovery per failure class in the
target's project. Reads only: the ledger and file stats."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from metis_distill import pipeline
from metis_distill.config import Settings
from metis_distill.ledger import DistillRunRow, DistillStatus, ExtractRunRow, Ledger, ProposalRow
from metis_distill.listing import list_files
from metis_distill.mine.recovery import metrics
from metis_distill.pipeline.discover import not_copied
from metis_distill.publish import target_scope
from metis_distill.review.notes import ProposalNotes, Recovery, notes_of
from metis_distill.unchanged import ARCHIVE

SPEND_DAYS = 14  # days of spend shown, today included


@dataclass(frozen=True)
class DaySpend:
    """What the extract runs started on one UTC day spent (the curator's calls included)."""

    day: date
    runs: int
    tokens: int
    usd: float


@dataclass(frozen=True)
class Status:
    target: str | None  # the one named, else the last run's
    last_run: DistillRunRow | None
    to_archive: int  # source files new or grown since they were last copied into the archive
    to_distill: int  # archive files new or changed since they were last read
    tokens_this_month: int
    month: str  # "2026-11"
    proposals: tuple[ProposalRow, ...]  # waiting for review (every target's if none named)
    recovery: tuple[Recovery, ...] = ()  # per failure class, the classes costing most first
    spend_by_day: list[DaySpend] = field(default_factory=list)  # days with spend, oldest first

    @property
    def proposal(self) -> ProposalRow | None:
        """The newest proposal waiting."""
        return self.proposals[-1] if self.proposals else None

    @property
    def pending(self) -> int:
        return self.to_archive + self.to_distill

    @property
    def outcome(self) -> str | None:
        """The last run's outcome; `interrupted` for one on record as running whose process
        is dead (the next distill records it so)."""
        if self.last_run is None:
            return None
        return DistillStatus.INTERRUPTED if self.last_run.holder_gone() else self.last_run.status

    @property
    def outcome_detail(self) -> str | None:
        run = self.last_run
        if run is not None and run.holder_gone():
            return f"its process ({run.host}:{run.pid}) is gone; the next distill starts afresh"
        return run.message if run else None


def status(
    settings: Settings,
    ledger: Ledger,
    *,
    today: datetime | None = None,
    archive_named: bool = True,
) -> Status:
    """What `metis status` shows. Files waiting to be archived are counted in the settings'
    archive when one was named (`archive_named`), else in the one the last run used. With no
    target named, the last run of any target is shown, with every proposal waiting."""
    target = str(settings.target.expanduser().resolve()) if settings.target else None
    moment = today or datetime.now(UTC)
    start = month_start(moment)
    proposals = ledger.pending_proposals(target)
    last_run = ledger.last_distill_run(target)
    roots = settings.source_roots() if archive_named else last_sources(settings, last_run)
    return Status(
        target=target or (last_run.target if last_run is not None else None),
        last_run=last_run,
        to_archive=unarchived(roots, ledger),
        to_distill=undistilled(settings.archive_dir, ledger),
        tokens_this_month=ledger.tokens_since(start),
        month=start.strftime("%Y-%m"),
        proposals=tuple(proposals),
        recovery=recovery(settings, ledger),
        spend_by_day=spend_by_day(ledger, moment),
    )


def recovery(settings: Settings, ledger: Ledger) -> tuple[Recovery, ...]:
    """Time to recovery per failure class, in the runs of the target's project (all runs
    with no target or `all_projects`), each timed on its own session's clock."""
    target = settings.target.expanduser() if settings.target else None
    scope = target_scope(target, settings.all_projects, settings.aliases) if target else None
    rows = [r for r in ledger.recoveries() if scope is None or scope.accepts_cwd(r.cwd)]
    return notes_of(ProposalNotes.model_validate({"recovery": metrics(rows)})).recovery


def spend_by_day(ledger: Ledger, moment: datetime, days: int = SPEND_DAYS) -> list[DaySpend]:
    """Tokens and dollars of the last `days` days (UTC), each run on the day it started."""
    first = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first -= timedelta(days=days - 1)
    runs: dict[date, list[ExtractRunRow]] = defaultdict(list)
    for run in ledger.extract_runs_since(first):
        runs[run.started_at.astimezone(UTC).date()].append(run)
    return [
        DaySpend(
            day, len(rows), sum(r.tokens for r in rows), round(sum(r.cost_usd for r in rows), 4)
        )
        for day, rows in sorted(runs.items())
    ]


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def last_sources(settings: Settings, last_run: DistillRunRow | None) -> list[Path]:
    """The folders the last run archived from: its archive (the served `--archive`, say) and
    the settings' other sources; the settings' archive when no run recorded one."""
    recorded = last_run.summary.get(ARCHIVE) if last_run is not None else None
    if not isinstance(recorded, str) or not recorded:
        return settings.source_roots()
    return settings.model_copy(update={"archive": Path(recorded)}).source_roots()


def unarchived(roots: list[Path], ledger: Ledger) -> int:
    """Files of the source roots that the next distill would copy in (one stat each)."""
    copies = ledger.copies()
    count = 0
    for root in roots:
        if not root.exists():
            continue
        count += sum(not_copied(p, copies.get(str(p))) for p in list_files(root.resolve()).files)
    return count


def undistilled(archive_dir: Path, ledger: Ledger) -> int:
    if not archive_dir.is_dir():
        return 0
    return len(pipeline.changed_files(archive_dir.resolve(), ledger).changed)
