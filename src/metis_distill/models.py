"""Plain records that flow between the stages. Frozen: a stage never edits its input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# How a format reader writes the questions of an agent's question call into the call's text
# (Claude Code's AskUserQuestion): each question, then its topic (the call's `header`, "Auth
# method") on a line of its own, then one line per option, `- label` and, when the option has
# one, a tab and its description. A tab, not ": ", since a label may hold a colon ("Option A:
# Redis"); a label's own whitespace is written as one space.
TOPIC_LINE = "topic: "
OPTION_LINE = "- "
OPTION_REASON = "\t"


class EventKind(StrEnum):
    TEXT = "text"
    TOOL_CALL = "tool_call"
    TOOL_RESULT = "tool_result"
    ERROR = "error"
    SUMMARY = "summary"
    INTERRUPT = "interrupt"


class LessonKind(StrEnum):
    GOTCHA = "gotcha"
    FAILURE = "failure"
    DECISION = "decision"


@dataclass(frozen=True)
class SourceRef:
    """Where an event lives: a file relative to its archive root, 1-based physical lines."""

    path: str
    line_start: int
    line_end: int
    native_id: str | None = None

    def span(self, other: SourceRef) -> SourceRef:
        """The smallest ref covering both (same file); keeps this ref's native id."""
        return SourceRef(
            self.path,
            min(self.line_start, other.line_start),
            max(self.line_end, other.line_end),
            self.native_id,
        )

    @property
    def fragment(self) -> str:
        return f"#L{self.line_start}-L{self.line_end}"


@dataclass(frozen=True)
class Event:
    """One normalized thing that happened in a run. `text` is already redacted."""

    seq: int
    role: str  # user | assistant | system
    kind: EventKind
    text: str
    ref: SourceRef
    timestamp: datetime | None = None
    tool_name: str | None = None
    tool_use_id: str | None = None
    exit_code: int | None = None
    is_sidechain: bool = False
    session: str | None = None  # for files holding several sessions (aider launches...)
    mid_turn: bool = False  # a user message typed while the agent was working
    timeout_ms: int | None = None  # the time limit a tool call set itself (Bash, Codex shell)
    ran_ms: int | None = None  # how long a tool result's command ran, as the harness said
    escalated: bool = False  # run outside the sandbox, with the user's leave (Codex)
    offline: bool = False  # run inside a sandbox that keeps the network out (Codex)
    # An edit that changes the file's text in place; not a patch that adds or deletes whole
    # files or only inserts lines (what it did is no retry of a replacement that failed).
    in_place: bool = True
    # A command's result read while it still ran, whose end the run never showed (Codex's
    # "Process running with session ID …", the user speaking before it ended): no verdict.
    unfinished: bool = False
    # A call the user turned down, said by the format otherwise than in the words of a
    # rejection (Claude Code 2.0's error holding only what the user typed): no failure.
    rejected: bool = False
    # A call a hook of the user's refused before it ran (Claude Code's PreToolUse hook): no
    # failure of the tool or of the command, nor a person's no.
    hooked: bool = False


@dataclass(frozen=True)
class ParseStats:
    lines: int = 0
    events: int = 0
    corrupt_lines: int = 0
    unknown_lines: int = 0
    skipped_images: int = 0
    corrupt_line_numbers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Run:
    """One archive file, read. The file name is not the session id (contract 3)."""

    path: str  # relative to the archive root
    source_format: str
    session_id: str
    project: str
    cwd: str | None
    git_branch: str | None
    started_at: datetime | None
    ended_at: datetime | None
    is_subagent: bool
    events: tuple[Event, ...]
    stats: ParseStats = field(default_factory=ParseStats)


@dataclass(frozen=True)
class Evidence:
    """A span of the archive that supports a lesson, with a short verbatim quote from it."""

    ref: SourceRef
    quote: str
    session_id: str
    timestamp: datetime | None = None
    shows_fix: bool = False  # the span covers the failure and the fix that made it go away


@dataclass(frozen=True)
class LessonCandidate:
    """What the extractor proposes; curation turns it into (or merges it with) a lesson."""

    kind: LessonKind
    text: str
    evidence: Evidence
    severity: int = 1  # 1 low .. 3 high
    scope: tuple[str, ...] = ()
    cwd: str | None = None
    fix: str | None = None  # a failure's remedy, only when the run shows it causing success
    # the one fact the candidate is an instance of, when each run words it by its own way past
    # it (a program off the PATH; one command failing with one error): the candidates of one
    # key are one lesson
    key: str | None = None
    asked: bool = False  # its fix is the way the person's own words asked for
