"""The pipeline's own circuit breakers: pure checks over a proposal's before and after and the
run's counts. A tripped check turns the proposal into one that needs a human, with the reason.

Also here: "lesson not working", a failure seen again after a lesson about it was accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Thresholds:
    """When to stop and ask. Every number can be set in the settings (`tripwire_*`)."""

    max_removed_share: float = 0.5  # of the block's lessons removed or reworded at once
    min_block_lessons: int = 6  # smaller blocks change wholesale without alarm
    jump_factor: float = 4.0  # new lessons (or failures) per event vs the previous run
    jump_min: int = 30  # fewer new lessons (or failures) than this is never a jump
    jump_floor_rate: float = 0.02  # a quiet previous run counts as at least this per event
    max_error_rate: float = 0.25  # failed extractions (or unreadable files) of those tried
    min_errors: int = 3


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


_PIPE_TO_SHELL = (
    r"\b(?:curl|wget|fetch|http|xh)\b[^|\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?"
    r"(?:ba|z|k|da|fi)?sh\b"
)
_PIPE_TO_INTERPRETER = r"\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:python3?|node|perl|ruby|php)\b"
DANGEROUS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.I))
    for reason, pattern in (
        ("runs a script fetched from the network", _PIPE_TO_SHELL),
        ("runs a script fetched from the network", _PIPE_TO_INTERPRETER),
        (
            "runs a script fetched from the network",
            r"\b(?:ba|z)?sh\s+(?:-c\s+)?[\"']?(?:<\(|\$\()\s*(?:curl|wget)\b",
        ),
        (
            "runs a script fetched from the network",
            r"\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString)\b[^\n]*"
            r"(?:\|\s*(?:iex|Invoke-Expression)\b)",
        ),
        (
            "runs a script fetched from the network",
            r"\b(?:iex|Invoke-Expression)\b[^\n]*\b(?:iwr|irm|Invoke-WebRequest|"
            r"Invoke-RestMethod|DownloadString|Net\.WebClient)\b",
        ),
        ("skips the git hooks (--no-verify)", r"(?<![\w-])--no-verify\b"),
        (
            "disables TLS certificate verification",
            r"(?:\b(?:curl|wget)\b[^\n]*\s(?:-k|--insecure|--no-check-certificate)\b)|"
            r"\bsslVerify\s*[= ]\s*false\b|\bGIT_SSL_NO_VERIFY\b|"
            r"\bNODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['\"]?0|\bPYTHONHTTPSVERIFY\s*=\s*['\"]?0|"
            r"\bverify\s*=\s*False\b|\bstrict-ssl\s*[= ]\s*false\b|--trusted-host\b|"
            r"\brejectUnauthorized\s*:\s*false\b|\bInsecureSkipVerify\s*:\s*true\b|"
            r"\bssl_verify\s*[:=]\s*(?:false|0)\b|--disable-ssl\b|--no-check-certificate\b",
        ),
        ("turns off stopping on errors (set +e)", r"(?<![\w-])set\s+\+e\b"),
        (
            "disables a safety check",
            r"--dangerously-skip-permissions\b|--no-sandbox\b|\bHUSKY\s*=\s*0\b|"
            r"--skip-checks?\b|--disable-safety\b|--unsafe-perm\b|--no-preflight\b",
        ),
    )
)


def dangerous(lessons: Mapping[str, str]) -> list[str]:
    """Lessons (id -> text) that tell the agent to run what the network sends, or to turn a
    safety check off."""
    reasons = []
    for lesson_id, text in lessons.items():
        for reason, pattern in DANGEROUS:
            match = pattern.search(text)
            if match:
                reasons.append(f"lesson {lesson_id} {reason}: “{match.group(0).strip()}”")
                break
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
                    recurrences=len(sessions),
                    last_seen=last.isoformat(),
                    sessions=sessions[:10],
                )
            )
    return sorted(flagged, key=lambda f: (-f.recurrences, f.id))
