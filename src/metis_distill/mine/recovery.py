"""Recovery metrics: how long a failure took to fix (from the failure to the next success of
the same command or test, in the same session), per class of failure, and how often a class
comes back. Only a session whose events carry their own times is timed: a format with one
time per session (aider's history) says a fix came, not how long it took."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from metis_distill.homes import hide_homes
from metis_distill.mine import not_failures, signals
from metis_distill.mine.intent import same_intent
from metis_distill.mine.text import command_head, shorten
from metis_distill.models import Event, EventKind, Run

# First match wins: the more telling classes come first.
CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I | re.M))
    for name, pattern in (
        (
            "missing program",
            rf"command not found|not found in PATH|{'|'.join(signals.CMD_NOT_A_COMMAND)}"
            # (Ubuntu's handler: `Command 'x' not found, but can be installed with:`)
            r"|^Command '[\w.+-]+' not found, (?:but |did you mean:)",
        ),
        ("missing module", r"ModuleNotFoundError|No module named|Cannot find module|ImportError"),
        ("failing tests", r"\b\d+ failed\b|^FAILED |Tests?:\s+\d+ failed|AssertionError"),
        ("type errors", r"error TS\d+|Found \d+ errors? in \d+ files?|: error: .*\[[\w-]+\]$"),
        ("syntax error", r"SyntaxError|Parse error|Unexpected token|IndentationError"),
        ("dependency resolution", r"ERESOLVE|ResolutionImpossible|version solving failed"),
        ("permission denied", r"Permission denied|EACCES|Operation not permitted"),
        ("network", r"Could not resolve host|ECONNREFUSED|Connection refused|ENOTFOUND"),
        ("timeout", r"timed out|ETIMEDOUT|Timeout"),
        ("file not found", r"No such file or directory|ENOENT|does not exist"),
        ("git", r"^fatal: |^error: (?:failed to push|pathspec|Your local changes)"),
    )
)


# Every match of each class's pattern, in an ASCII text, lower-cased, holds one of its words:
# an ASCII head without them is not searched (`(?i)` reads no ASCII letter as another).
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "missing program": (
        "command not found",
        "not found in path",
        "' not found, ",
        *signals.CMD_NOT_A_COMMAND_WORDS,
    ),
    "missing module": (
        "modulenotfounderror",
        "no module named",
        "cannot find module",
        "importerror",
    ),
    "failing tests": ("failed", "assertionerror"),
    "type errors": ("error ts", "found ", ": error: "),
    "syntax error": ("syntaxerror", "parse error", "unexpected token", "indentationerror"),
    "dependency resolution": ("eresolve", "resolutionimpossible", "version solving failed"),
    "permission denied": ("permission denied", "eacces", "operation not permitted"),
    "network": ("could not resolve host", "econnrefused", "connection refused", "enotfound"),
    "timeout": ("timed out", "etimedout", "timeout"),
    "file not found": ("no such file or directory", "enoent", "does not exist"),
    "git": ("fatal: ", "error: "),
}


@dataclass(frozen=True)
class Recovery:
    """One failure incident of a run and its recovery (`recovered_at` None: none seen)."""

    path: str
    line: int
    session_id: str
    cwd: str | None
    failure_class: str
    command: str
    failed_at: datetime | None
    recovered_at: datetime | None
    clocked: bool = True  # the session's events carry their own times

    @property
    def seconds(self) -> float | None:
        if self.failed_at is None or self.recovered_at is None or not self.clocked:
            return None
        return max((self.recovered_at - self.failed_at).total_seconds(), 0.0)


def classify(event: Event) -> str:
    """The class of a failure, from its output (and the tool, for edits)."""
    if event.tool_name in signals.EDIT_TOOLS:
        return "edit did not apply"
    head = event.text[:20_000]
    lowered = head.lower() if head.isascii() else None  # any other text: every class searched
    for name, pattern in CLASSES:
        if lowered is not None and not any(word in lowered for word in CLASS_WORDS[name]):
            continue
        if pattern.search(head):
            return name
    return "non-zero exit" if event.exit_code not in (None, 0) else "tool error"


def recoveries(run: Run, failed: Sequence[bool] | None = None) -> list[Recovery]:
    """Every failure incident of the run: a failure, and the failures of the same command
    that follow it before it works, are one incident, timed to the first success
    (`failed`: the run's `signals.failures`, when the caller has them)."""
    events = run.events
    failed = signals.failures(events) if failed is None else failed
    calls = {e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL and e.tool_use_id}
    results = {e.tool_use_id: e for e in events if e.role == "tool" and e.tool_use_id}
    found: list[Recovery] = []
    incidents: list[tuple[Event, int]] = []  # (failed call, seq of the success that ended it)
    clocked = clocked_sessions(events)
    searched: dict[tuple[str | None, str | None, str], tuple[int, int | None]] = {}
    for index, event in enumerate(events):
        if not failed[index]:
            continue
        call = calls.get(event.tool_use_id or "")
        if call is None or _no_failure(call, event):
            continue
        success = _next_success(events, index, call, results, searched)
        key = success.seq if success is not None else -1
        if any(k == key and same_intent(c.text, call.text) for c, k in incidents):
            continue  # a retry that failed again: the same incident
        incidents.append((call, key))
        found.append(_record(run, event, call, success, clocked))
    return found


def _no_failure(call: Event, result: Event) -> bool:
    """An exit the miners do not take for a failure either: a search that found nothing
    (`rg`, `grep` exit 1), files that differ (`diff`), a run the call bounded itself."""
    return not_failures.answers_no(call, result) or not_failures.stopped_on_purpose(call, result)


def clocked_sessions(events: Sequence[Event]) -> set[str]:
    """The sessions whose events carry times of their own (two distinct times at least)."""
    times: dict[str, set[datetime]] = {}
    for event in events:
        if event.timestamp is not None:
            times.setdefault(event.session or "", set()).add(event.timestamp)
    return {session for session, seen in times.items() if len(seen) > 1}


def _next_success(
    events: Sequence[Event],
    index: int,
    call: Event,
    results: dict[str, Event],
    searched: dict[tuple[str | None, str | None, str], tuple[int, int | None]] | None = None,
) -> Event | None:
    """The first later result, in the same session, of a call of the same tool and intent
    that worked. `searched` keeps, per call (tool, session, text), where the last search
    started and the position of the call it found (None: none): a later failure of the same
    call finds the same one when it lies after it (a command failing again and again is
    searched once, not once per failure)."""
    key = (call.tool_name, call.session, call.text)
    if searched is not None and key in searched:
        start, at = searched[key]
        if start <= index and (at is None or at > index):
            return None if at is None else results.get(events[at].tool_use_id or "")
    for at, other in enumerate(events[index + 1 :], index + 1):
        if other.kind is not EventKind.TOOL_CALL or other.tool_name != call.tool_name:
            continue
        if other.session != call.session or not same_intent(call.text, other.text):
            continue
        result = results.get(other.tool_use_id or "")
        if result is not None and signals.is_success(result):
            if searched is not None:
                searched[key] = (index, at)
            return result
    if searched is not None:
        searched[key] = (index, None)
    return None


def _record(
    run: Run, failure: Event, call: Event, success: Event | None, clocked: set[str]
) -> Recovery:
    tool = call.tool_name or "tool"
    head = command_head(call.text) if tool == "Bash" else f"{tool} {call.text.strip()[:80]}"
    return Recovery(
        path=run.path,
        line=failure.ref.line_start,
        session_id=failure.session or run.session_id,
        cwd=run.cwd,
        failure_class=classify(failure),
        command=shorten(head, 120),
        failed_at=failure.timestamp,
        recovered_at=success.timestamp if success is not None else None,
        clocked=(failure.session or "") in clocked,
    )


class Timed(Protocol):
    """A recovery record as stored (the ledger's rows have these fields)."""

    @property
    def session_id(self) -> str: ...
    @property
    def failure_class(self) -> str: ...
    @property
    def command(self) -> str: ...
    @property
    def failed_at(self) -> datetime | None: ...
    @property
    def recovered_at(self) -> datetime | None: ...
    @property
    def seconds(self) -> float | None: ...


def metrics(records: Iterable[Timed]) -> dict[str, dict[str, Any]]:
    """Per failure class: incidents, how many recovered, mean time to recovery (seconds),
    recurrences (incidents after the class had already been recovered once) and sessions;
    the classes that cost the most time first."""
    ordered = sorted(records, key=lambda r: (r.failed_at is None, r.failed_at or datetime.max))
    classes: dict[str, dict[str, Any]] = {}
    for record in ordered:
        entry = classes.setdefault(
            record.failure_class,
            {
                "failures": 0,
                "recovered": 0,
                "timed": [],
                "recurrences": 0,
                "sessions": set(),
                "commands": {},
                "first_fix": None,
            },
        )
        entry["failures"] += 1
        entry["sessions"].add(record.session_id)
        entry["commands"][record.command] = entry["commands"].get(record.command, 0) + 1
        fixed_before = entry["first_fix"]
        if (
            fixed_before is not None
            and record.failed_at is not None
            and record.failed_at > fixed_before
        ):
            entry["recurrences"] += 1
        if record.recovered_at is not None:
            entry["recovered"] += 1
            if entry["first_fix"] is None or record.recovered_at < entry["first_fix"]:
                entry["first_fix"] = record.recovered_at
            # same time to the microsecond: a row stored before sessions were checked for a
            # clock of their own (one time per session), not a recovery in no time
            if record.seconds is not None and record.failed_at != record.recovered_at:
                entry["timed"].append(record.seconds)
    return dict(sorted(((k, _summary(v)) for k, v in classes.items()), key=_cost))


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    timed: list[float] = entry["timed"]
    top = max(entry["commands"].items(), key=lambda kv: (kv[1], kv[0]))[0]
    return {
        "failures": entry["failures"],
        "recovered": entry["recovered"],
        "mean_seconds_to_recovery": round(sum(timed) / len(timed), 1) if timed else None,
        "seconds_lost": round(float(sum(timed)), 1),
        "recurrences": entry["recurrences"],
        "sessions": len(entry["sessions"]),
        "top_command": hide_homes(top),  # shown in reports: no person's home folder
    }


def _cost(item: tuple[str, dict[str, Any]]) -> tuple[float, str]:
    return (-item[1]["seconds_lost"], item[0])


@dataclass(frozen=True)
class Span:
    """Where a lesson's evidence lies: a file of the archive and a line range."""

    archive_root: str
    path: str
    line_start: int
    line_end: int


class Located(Timed, Protocol):
    @property
    def archive_root(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...


def per_lesson(
    spans: Mapping[str, Sequence[Span]], records: Iterable[Located], limit: int = 10
) -> list[dict[str, Any]]:
    """The failure incidents each lesson was taught by (the incident's failure lies in one of
    the lesson's evidence spans) and the time they cost: the lessons that can save the most
    time first."""
    by_file: dict[tuple[str, str], list[Located]] = {}
    for record in records:
        by_file.setdefault((record.archive_root, record.path), []).append(record)
    found: list[dict[str, Any]] = []
    for lesson_id, where in spans.items():
        hits = {
            (r.path, r.line): r
            for s in where
            for r in by_file.get((s.archive_root, s.path), ())
            if s.line_start <= r.line <= s.line_end
        }
        timed = [r.seconds for r in hits.values() if r.seconds is not None]
        if hits:
            found.append(
                {
                    "id": lesson_id,
                    "incidents": len(hits),
                    "recovered": sum(r.recovered_at is not None for r in hits.values()),
                    "mean_seconds_to_recovery": round(sum(timed) / len(timed), 1)
                    if timed
                    else None,
                    "seconds_lost": round(float(sum(timed)), 1),
                }
            )
    found.sort(key=lambda f: (-f["seconds_lost"], -f["incidents"], f["id"]))
    return found[:limit]
