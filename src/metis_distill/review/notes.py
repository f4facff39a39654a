"""What a proposal says beside its diff: the run's notes (extractor, usage, work pending), the
tripwires that stopped it, why lines were retired, lessons not working, time to recovery.

`ProposalNotes` is stored with the proposal (in the ledger and in proposal.json); a field that
an older proposal lacks or holds malformed is left at its default rather than failing the
report. `Notes` is what the reports show; text from runs is redacted again on the way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, ValidationError

from metis_distill.redact import redact
from metis_distill.run_report import RunSummary


class Retirement(BaseModel):
    reason: str | None = None  # stale | contradicted | ran later
    retired_by: str | None = None  # the lesson that replaced it


class NotWorkingLesson(BaseModel):
    """An accepted failure lesson whose failure was seen again after its acceptance."""

    id: str = ""
    text: str = ""
    accepted_at: str = ""
    recurrences: int = 0
    last_seen: str = ""
    sessions: list[str] = Field(default_factory=list)


class RecoveryClass(BaseModel):
    """The failures of one class in the target's runs, and how long recovering took."""

    failures: int = 0
    recovered: int = 0
    mean_seconds_to_recovery: float | None = None
    seconds_lost: float = 0.0
    recurrences: int = 0
    sessions: int = 0
    top_command: str = ""


class LessonRecovery(BaseModel):
    """The failure incidents that taught one lesson and the time they cost."""

    id: str
    incidents: int = 0
    recovered: int = 0
    mean_seconds_to_recovery: float | None = None
    seconds_lost: float = 0.0


class DocumentedLesson(BaseModel):
    """A lesson left out because a document of the repository already states it."""

    lesson_id: str = ""
    text: str = ""
    where: str = ""  # "README.md:12"


class ProposalNotes(BaseModel):
    """What a proposal keeps for its review, beside the counts of the run that made it."""

    extractor: str | None = None  # rules | claude | rewind
    rewind_note: str | None = None
    usage_note: str | None = None
    pending_note: str | None = None
    tripwires: list[str] = Field(default_factory=list)  # why a human is needed
    retired: dict[str, Retirement] = Field(default_factory=dict)
    lessons_not_working: list[NotWorkingLesson] = Field(default_factory=list)
    recovery: dict[str, RecoveryClass] = Field(default_factory=dict)
    recovery_by_lesson: list[LessonRecovery] = Field(default_factory=list)
    already_documented: list[DocumentedLesson] = Field(default_factory=list)

    @classmethod
    def read(cls, stored: Mapping[str, object]) -> ProposalNotes:
        """From a proposal's stored summary: the fields that do not validate are left out."""
        data = {k: v for k, v in stored.items() if k in cls.model_fields}
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            bad = {error["loc"][0] for error in e.errors() if error["loc"]}
            return cls.model_validate({k: v for k, v in data.items() if k not in bad})

    def stored(self, run: RunSummary | None = None) -> dict[str, object]:
        """As the proposal keeps it: the run's counts, then these notes."""
        counts = run.model_dump(mode="json") if run is not None else {}
        notes = {k: v for k, v in self.model_dump(mode="json").items() if v is not None}
        return {**counts, **notes}


@dataclass(frozen=True)
class NotWorking:
    id: str
    text: str
    recurrences: int
    last_seen: str


@dataclass(frozen=True)
class Recovery:
    failure_class: str
    failures: int
    recovered: int
    mean_to_recovery: str  # "42 s", "3.5 min", or "-" when never timed
    recurrences: int
    sessions: int
    top_command: str


@dataclass(frozen=True)
class Notes:
    """The notes as the reports show them."""

    tripwires: tuple[str, ...] = ()
    not_working: tuple[NotWorking, ...] = ()
    recovery: tuple[Recovery, ...] = ()
    retired: dict[str, str] = field(default_factory=dict)  # lesson id -> why
    documented: tuple[tuple[str, str, str], ...] = ()  # (lesson id, its words, where stated)


def notes_of(notes: ProposalNotes) -> Notes:
    return Notes(
        tripwires=tuple(redact(r) for r in notes.tripwires),
        not_working=tuple(
            NotWorking(x.id, redact(x.text), x.recurrences, x.last_seen[:16].replace("T", " "))
            for x in notes.lessons_not_working
        ),
        recovery=tuple(
            Recovery(
                name,
                r.failures,
                r.recovered,
                _duration(r.mean_seconds_to_recovery),
                r.recurrences,
                r.sessions,
                redact(r.top_command),
            )
            for name, r in notes.recovery.items()
        ),
        retired={k: _why(v) for k, v in notes.retired.items()},
        documented=tuple(
            (d.lesson_id, redact(d.text), redact(d.where)) for d in notes.already_documented
        ),
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _why(retirement: Retirement) -> str:
    reason = retirement.reason or ""
    by = retirement.retired_by
    return f"{reason}, replaced by {by}" if by else reason
