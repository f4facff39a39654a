"""The pipeline's own circuit breakers: pure checks over a proposal's before and after and the
run's counts. A tripped check turns the proposal into one that needs a human, with the reason.

Also here: "lesson not working", a failure seen again after a lesson about it was accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from metis_distill.conversations import support


class Thresholds(BaseModel):
    """When a proposal stops for a human (exit code 3): the `[tripwires]` settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_removed_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of the block's lessons removed or reworded at once.",
    )
    min_block_lessons: int = Field(
        default=6, ge=1, description="Blocks smaller than this may change wholesale."
    )
    jump_factor: float = Field(
        default=4.0, gt=1.0, description="New lessons or failures per event vs the previous run."
    )
    jump_min: int = Field(
        default=30, ge=1, description="Fewer new lessons or failures than this is never a jump."
    )
    jump_floor_rate: float = Field(
        default=0.02,
        ge=0.0,
        description="A quiet previous run counts as at least this many per event.",
    )
    max_error_rate: float = Field(
        default=0.25,
        ge=0.0,
        le=1.0,
        description="Share of failed extractions (or unreadable files) of those tried.",
    )
    min_errors: int = Field(default=3, ge=1, description="Fewer errors than this is never a spike.")


@dataclass(frozen=True)
class RunStats:
    """The counts of one distill run that the tripwires compare."""

    events: int = 0
    lessons_new: int = 0
    failures: int = 0  # failure candidates found in the run
    files_read: int = 0
    files_failed: int = 0
    extract_requests: int = 0
    extract_errors: int = 0  # calls that failed or answered malformed


def removed_share(before: Sequence[str], after: Iterable[str], t: Thresholds) -> list[str]:
    """The proposal removes or rewrites (a new wording is a new id) too much of the block."""
    if len(before) < t.min_block_lessons:
        return []
    gone = set(before) - set(after)
    share = len(gone) / len(set(before))
    if share <= t.max_removed_share:
        return []
    return [
        f"the proposal removes or rewrites {len(gone)} of the block's {len(set(before))} "
        f"lessons ({share:.0%}, more than {t.max_removed_share:.0%})"
    ]


def jumps(current: RunStats, previous: RunStats | None, t: Thresholds) -> list[str]:
    """Sudden jumps in new lessons or failures per event read, against the previous run."""
    if previous is None:
        return []  # the first run reads everything: there is nothing to compare with
    reasons = []
    for label, now_count, before_count in (
        ("new lessons", current.lessons_new, previous.lessons_new),
        ("failures", current.failures, previous.failures),
    ):
        if now_count < t.jump_min:
            continue
        rate = now_count / max(current.events, 1)
        before = max(before_count / max(previous.events, 1), t.jump_floor_rate)
        if rate > t.jump_factor * before:
            reasons.append(
                f"a jump in {label}: {now_count} in {current.events} events "
                f"({rate * 1000:.1f} per 1000), the previous run had {before_count} in "
                f"{previous.events} ({before_count / max(previous.events, 1) * 1000:.1f} per 1000)"
            )
    return reasons


def error_spike(current: RunStats, t: Thresholds) -> list[str]:
    """Too many extractions failed, or too many files could not be read."""
    reasons = []
    for label, errors, tried in (
        ("extractor calls failed", current.extract_errors, current.extract_requests),
        ("files could not be read", current.files_failed, current.files_read),
    ):
        if errors >= t.min_errors and errors / max(tried, 1) > t.max_error_rate:
            reasons.append(
                f"an error spike: {errors} of {tried} {label} (more than {t.max_error_rate:.0%})"
            )
    return reasons


def dangerous(lessons: Mapping[str, str]) -> list[str]:
    """Lessons (id -> text) that would have the agent run what the network sends, delete
    broadly, turn a verification or a safety check off, or obey text: one reason per lesson,
    naming each danger it shows."""
    from metis_distill import advice  # ~60 patterns compiled: not for every command's settings

    reasons = []
    for lesson_id, text in lessons.items():
        found = advice.dangers(text)
        if found:
            shown = "; ".join(f"{f.danger.value}: “{f.shown_by.strip()}”" for f in found)
            reasons.append(f"lesson {lesson_id} {shown}")
    return reasons


def check(
    *,
    before: Sequence[str],
    after: Sequence[str],
    added: Mapping[str, str],
    current: RunStats,
    previous: RunStats | None,
    thresholds: Thresholds,
) -> list[str]:
    """Every reason to stop for a human; empty when the proposal may go out as usual."""
    return [
        *removed_share(before, after, thresholds),
        *jumps(current, previous, thresholds),
        *error_spike(current, thresholds),
        *dangerous(added),
    ]


@dataclass(frozen=True)
class Sighting:
    """One piece of evidence of a lesson: which session saw it, and when."""

    session_id: str
    timestamp: datetime | None
    native_id: str | None = None  # the event's own id: a resumed session repeats it


@dataclass(frozen=True)
class Recurring:
    """A lesson in the file whose failure the agents still run into."""

    id: str
    text: str
    accepted_at: str  # ISO times, as the proposal stores them
    recurrences: int  # sessions that saw it again after the acceptance
    last_seen: str
    sessions: list[str]


def not_working(
    accepted: Mapping[str, datetime],
    sightings: Mapping[str, Sequence[Sighting]],
    texts: Mapping[str, str],
) -> list[Recurring]:
    """Lessons (accepted at the given time) whose failure was seen again, in sessions after
    the acceptance: the lesson is in the file and the agents still fail. Most recurrences
    first."""
    flagged = []
    for lesson_id, when in accepted.items():
        after = [s for s in sightings.get(lesson_id, ()) if s.timestamp and s.timestamp > when]
        sessions = sorted({s.session_id for s in after})
        if sessions:
            last = max(s.timestamp for s in after if s.timestamp)
            flagged.append(
                Recurring(
                    id=lesson_id,
                    text=texts.get(lesson_id, ""),
                    accepted_at=when.isoformat(),
                    recurrences=support(after),  # a resumed session counts once
                    last_seen=last.isoformat(),
                    sessions=sessions[:10],
                )
            )
    return sorted(flagged, key=lambda f: (-f.recurrences, f.id))
