"""What every extractor does: turn a run's episodes into lesson candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal, Protocol

from metis_distill.errors import MetisError
from metis_distill.mine.episodes import Episode
from metis_distill.models import LessonCandidate, Run
from metis_distill.provenance import Lines

# How a `--batch` extractor treats excerpts not in the cache (see extract/batch.py)
BatchMode = Literal["inline", "queue", "cache"]


@dataclass
class ExtractStats:
    """Counts of one extractor over the runs it saw (plain data: a task result)."""

    spans: int = 0  # distinct excerpts built
    requests: int = 0  # API calls made (a malformed answer's retry counts)
    cached: int = 0  # spans answered from the ledger's cache
    pending: int = 0  # spans left for the next run (budget reached, or the call failed)
    failures: int = 0  # answers malformed twice, recorded as failed
    errors: int = 0  # calls that failed after the SDK's retries
    quotes_dropped: int = 0  # quotes not verbatim in the span sent or not in the file
    lessons_dropped: int = 0  # lessons left without a quote, or with too little confidence
    lessons_unearned: int = 0  # lessons the answer marks unconfirmed or one-off, or hedged
    outlines: int = 0  # session outlines built (the session pass), counted in spans too
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    span_tokens: int = 0  # estimated (chars / 4) tokens of the excerpts built
    sent_tokens: int = 0  # estimated tokens of the excerpts actually sent
    transcript_tokens: int = 0  # estimated tokens of the lines read
    batches_waiting: int = 0  # Message Batches still running when the wait ran out
    cost_usd: float = 0.0  # list price of the calls made (a Message Batch's at half)
    first_failure: str = ""  # why the first failed call failed ("HTTP 429 rate_limit_error: …")
    first_failure_hint: str = ""  # what to do about it

    def add(self, other: ExtractStats) -> None:
        """Counts summed; the first failure kept (this one's, else the other's)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            setattr(self, f.name, (mine or theirs) if isinstance(mine, str) else mine + theirs)

    @property
    def unfinished(self) -> int:
        """Spans whose lessons are not known yet: their file must be read again."""
        return self.pending

    @property
    def span_fraction(self) -> float:
        return self.span_tokens / self.transcript_tokens if self.transcript_tokens else 0.0


class ExtractionHalted(MetisError):
    """Too many model calls failed: the run stops rather than write a thin proposal."""

    exit_code = 3


class Extractor(Protocol):
    name: str
    stats: ExtractStats

    def extract(self, run: Run, episodes: Sequence[Episode], lines: Lines) -> list[LessonCandidate]:
        """Candidates whose every quote resolves in `lines` (the run's file, as read)."""
        ...
