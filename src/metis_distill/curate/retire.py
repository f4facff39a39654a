"""Retirement: a decision contradicted by a newer one, a lesson not seen for a long time, or a
program said to be missing here that a later run here ran, leaves the context file but never
the ledger. A retired lesson seen again comes back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from metis_distill.config import CurateSettings
from metis_distill.curate.contradict import contradicts
from metis_distill.extract.wording import MISSING_PROGRAM_LESSON
from metis_distill.homes import home_folder
from metis_distill.ledger import Ledger, LessonRow, LessonStatus, RetiredReason, now
from metis_distill.ledger.lessons import Sighting
from metis_distill.mine.ran import ProgramsRan
from metis_distill.targets import as_path

DEFAULT_RETIRE_AFTER_DAYS = CurateSettings().retire_after_days
ACTIVE, RETIRED = LessonStatus.ACTIVE, LessonStatus.RETIRED
CONTRADICTED = RetiredReason.CONTRADICTED
RAN_LATER = RetiredReason.RAN_LATER
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class RetireStats:
    contradicted: list[tuple[str, str]] = field(default_factory=list)  # (retired, replaced by)
    stale: list[str] = field(default_factory=list)
    ran_later: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)


def same_project(a: Iterable[str | None], b: Iterable[str | None]) -> bool:
    """Do two lessons come from the same place (one cwd inside the other)? A lesson without
    any known cwd is taken to be from anywhere."""
    pa = [as_path(c) for c in a if c]
    pb = [as_path(c) for c in b if c]
    if not pa or not pb:
        return True
    return any(
        type(x) is type(y) and (x == y or x.is_relative_to(y) or y.is_relative_to(x))
        for x in pa
        for y in pb
    )


def resolve_contradictions(ledger: Ledger, touched: Sequence[str]) -> RetireStats:
    """Each touched decision against the decisions it contradicts (same project): the newer
    one (latest evidence) stays active, the older is retired with a link to the newer."""
    stats = RetireStats()
    with ledger.curating() as lessons:
        rivals = lessons.lessons_in((ACTIVE, RETIRED), kind="decision")
        rivals = [r for r in rivals if r.status == ACTIVE or r.retired_reason == CONTRADICTED]
        cwds = lessons.cwds([r.id for r in rivals])
        by_id = {r.id: r for r in rivals}
        for lesson_id in touched:
            lesson = by_id.get(lesson_id)
            if lesson is None:
                continue
            for other in rivals:
                if other.id == lesson.id or not contradicts(lesson.text, other.text):
                    continue
                if not same_project(cwds[lesson.id], cwds[other.id]):
                    continue
                newer, older = sorted((lesson, other), key=_recency, reverse=True)
                _replace(newer, older, stats)
    return stats


def _recency(lesson: LessonRow) -> tuple[datetime, datetime]:
    return (lesson.last_seen or _NEVER, lesson.created_at)


def _replace(newer: LessonRow, older: LessonRow, stats: RetireStats) -> None:
    if newer.status == RETIRED and newer.retired_reason == CONTRADICTED:
        _revive(newer, stats)
    if older.status == ACTIVE:
        older.status = RETIRED
        older.retired_reason = CONTRADICTED
        older.retired_by = newer.id
        older.retired_at = now()
        stats.contradicted.append((older.id, newer.id))
    elif older.retired_reason == CONTRADICTED and older.retired_by != newer.id:
        older.retired_by = newer.id


def _revive(lesson: LessonRow, stats: RetireStats) -> None:
    lesson.status = ACTIVE
    lesson.retired_reason = None
    lesson.retired_by = None
    lesson.retired_at = None
    stats.revived.append(lesson.id)


def retire_stale(ledger: Ledger, days: int = DEFAULT_RETIRE_AFTER_DAYS) -> RetireStats:
    """Retire active lessons not seen for `days`, measured on their project's own clock (the
    newest evidence from the same cwd), so that a project left alone for a year keeps its
    lessons; a lesson retired as stale that was seen again comes back."""
    stats = RetireStats()
    with ledger.curating() as known:
        lessons = known.lessons_in((ACTIVE, RETIRED))
        latest = known.latest_cwds()
        clocks: dict[str | None, datetime] = {}
        for lesson in lessons:
            cwd = latest.get(lesson.id)
            seen = lesson.last_seen or _NEVER
            clocks[cwd] = max(clocks.get(cwd, _NEVER), seen)
        window = timedelta(days=days)
        for lesson in lessons:
            if lesson.last_seen is None:
                continue
            stale = lesson.last_seen < clocks[latest.get(lesson.id)] - window
            if lesson.status == ACTIVE and stale:
                lesson.status = RETIRED
                lesson.retired_reason = RetiredReason.STALE
                lesson.retired_at = now()
                stats.stale.append(lesson.id)
            elif (
                lesson.status == RETIRED
                and lesson.retired_reason == RetiredReason.STALE
                and not stale
            ):
                _revive(lesson, stats)
    return stats


def retire_ran_later(
    ledger: Ledger, ran: Sequence[ProgramsRan], touched: Sequence[str] = ()
) -> RetireStats:
    """Retire a lesson of a program missing on a machine (“`rg` is not on the PATH here”) once a
    later run of that machine (the same home folder) ran the program and it worked: it has been
    installed since. Every machine its evidence comes from must have run it after its own last
    failure there, in another session; a success before the failure says nothing (the program
    may have been removed). Such a lesson seen failing again after that (`touched`) comes back.
    `ran`: the programs the runs read now ran and that worked, per run."""
    stats = RetireStats()
    worked = _worked_by_machine(ran)
    if not worked and not touched:
        return stats
    again = set(touched)
    with ledger.curating() as known:
        rows = [
            row
            for row in known.lessons_in((ACTIVE, RETIRED), kind="failure")
            if MISSING_PROGRAM_LESSON.match(row.text)
            and (row.status == ACTIVE or (row.retired_reason == RAN_LATER and row.id in again))
        ]
        sightings = known.sightings([row.id for row in rows])
        for row in rows:
            if row.status == RETIRED:
                newest = max((s.timestamp for s in sightings[row.id] if s.timestamp), default=None)
                if newest is None or row.retired_at is None or newest <= row.retired_at:
                    continue
                _revive(row, stats)
            match = MISSING_PROGRAM_LESSON.match(row.text)
            assert match is not None
            since = _working_since(match["program"], sightings[row.id], worked)
            if since is not None:
                row.status = RETIRED
                row.retired_reason = RAN_LATER
                row.retired_at = since  # when it was seen working: a failure after it revives
                stats.ran_later.append(row.id)
    return stats


# (machine, program): when each session last ran it and it worked
_Worked = dict[tuple[str, str], dict[str, datetime]]


def _worked_by_machine(ran: Sequence[ProgramsRan]) -> _Worked:
    worked: _Worked = {}
    for run in ran:
        machine = machine_of(run.cwd)
        if machine is None:
            continue
        for program, when in run.programs.items():
            sessions = worked.setdefault((machine, program), {})
            sessions[run.session_id] = max(when, sessions.get(run.session_id, _NEVER))
    return worked


def _working_since(program: str, sightings: Sequence[Sighting], worked: _Worked) -> datetime | None:
    """When the program was last seen working on the lesson's machines, each after its last
    failure there in a session of no failure; None unless every machine has."""
    failed: dict[str, datetime] = {}
    sessions = {s.session_id for s in sightings}
    for seen in sightings:
        machine = machine_of(seen.cwd)
        if machine is None or seen.timestamp is None:
            return None  # a failure of a machine, or a time, unknown: nothing to weigh it by
        failed[machine] = max(seen.timestamp, failed.get(machine, _NEVER))
    since: list[datetime] = []
    for machine, last_failure in failed.items():
        later = [
            when
            for session, when in worked.get((machine, program), {}).items()
            if session not in sessions and when > last_failure
        ]
        if not later:
            return None
        since.append(max(later))
    return min(since, default=None)


# Homes every container, devcontainer or CI runner of an image has (`/root`, `/home/node`,
# `/home/runner`): two runs in one of them may be on two machines, one that has a program and
# one that lacks it.
_SHARED_HOMES = frozenset(
    f"/home/{user}"
    for user in ("node", "runner", "vscode", "codespace", "gitpod", "coder", "ubuntu", "ec2-user")
)


def machine_of(cwd: str | None) -> str | None:
    """Which machine a run was on, as far as its folder tells: the home folder it is in; None
    for a home every container or CI runner of an image shares (`/root`, `/home/runner`)."""
    home = home_folder(cwd) if cwd else None
    return None if home is None or home in _SHARED_HOMES else home
