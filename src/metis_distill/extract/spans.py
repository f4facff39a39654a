"""What goes to the model for one episode: its events, the agent's reasoning and the user's
words around them, edits with their diffs, cut to a token budget (langchain-text-splitters)
around the error lines, redacted again. Never a whole transcript.

Tokens are estimated as characters / 4 on both sides of every ratio (contract 9).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from metis_distill.config import ExtractSettings
from metis_distill.extract.edits import edit_diff
from metis_distill.mine.episodes import Episode
from metis_distill.mine.fixes import FixKind
from metis_distill.mine.signals import EDIT_TOOLS
from metis_distill.models import Event, EventKind, Run
from metis_distill.provenance import Lines
from metis_distill.redact import shareable

CHARS_PER_TOKEN = 4
DEFAULT_SPAN_TOKENS = ExtractSettings().span_tokens
MAX_BETWEEN = 8  # events between the failed call and its fix, at most
REACH = 8  # events searched before and after the episode for the agent's and user's words
CONTEXT_BEFORE = 2  # events kept right before the episode whatever they are
CONTEXT_AFTER = 1
MAX_LINE = 400  # characters of one line of a cut output
WINDOWS = ((3, 5), (2, 3), (1, 1), (0, 0))  # lines kept before/after an error line, widest first
CUT = "[…]"
PASTED_LOG_LINES = 3  # stack frames or error lines that make a person's message a pasted log
_ERROR_MARK = re.compile(
    r"\b(?:error|exception|traceback|failed|failure|fatal|panic|denied|refused|timed out|"
    r"not found|no such file|cannot|can't|unable to)\b|^E\s{2,}|^FAILED\b|##\[error\]",
    re.I,
)
_LOG_LINE = re.compile(
    r"^\s*(?:at\s+\S+\(|File \"|Traceback\b)|\b\w*(?:Error|Exception)\b:|^E\s{2,}|##\[error\]",
    re.M,
)
# Lines that say what went wrong, rather than that something did ("1 failed", "exit code 1").
_ERROR_CAUSE = re.compile(
    r"^E\s{2,}|^>\s|\b\w*(?:Error|Exception)\b:|Traceback|\berror(?:\[\w+\])?:|fatal:|"
    r"not found|no such file|denied|##\[error\]",
    re.I,
)


def estimate_tokens(text: str | int) -> int:
    """Characters / 4, rounded up (contract 9)."""
    chars = text if isinstance(text, int) else len(text)
    return -(-chars // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class SpanEvent:
    """One event as sent: its text cut to fit, and where it lives in the file."""

    event: Event
    text: str

    @property
    def view(self) -> dict[str, object]:
        e = self.event
        return {
            "role": e.role,
            "kind": e.kind.value,
            "tool": e.tool_name,
            "exit_code": e.exit_code,
            "mid_turn": e.mid_turn,
            "text": self.text,
        }


@dataclass(frozen=True)
class Span:
    """The excerpt of one or more episodes over the same events."""

    run: Run
    events: tuple[SpanEvent, ...]
    hints: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(e.text for e in self.events)

    @property
    def tokens(self) -> int:
        return estimate_tokens(sum(len(e.text) for e in self.events))

    @property
    def seqs(self) -> tuple[int, ...]:
        return tuple(e.event.seq for e in self.events)


def build_spans(
    run: Run,
    episodes: Sequence[Episode],
    budget_tokens: int = DEFAULT_SPAN_TOKENS,
    lines: Lines | None = None,
) -> list[Span]:
    """One span per distinct set of events; episodes over the same events share one. With the
    file's `lines`, edit calls carry their diff."""
    by_events: dict[tuple[int, ...], tuple[list[SpanEvent], list[str]]] = {}
    for episode in episodes:
        events = cut(_events_of(run, episode), budget_tokens * CHARS_PER_TOKEN, lines)
        key = tuple(e.event.seq for e in events)
        hints = by_events.setdefault(key, (events, []))[1]
        hint = _hint(episode)
        if hint not in hints:
            hints.append(hint)
    return [Span(run, tuple(events), tuple(hints)) for events, hints in by_events.values()]


def span_sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class Part(IntEnum):
    """Why an event is in an excerpt, in the order the budget is spent."""

    CORE = 0  # the failure, its call, the fix and its result; the statement itself
    WORDS = 1  # what a person said, and the agent's reasoning around the failure
    EDIT = 2  # an edit call, shown with its diff
    CONTEXT = 3  # anything else near the episode


def _core(episode: Episode) -> set[int]:
    found = (episode.trigger, episode.call, episode.fix_call, episode.fix_result)
    return {e.seq for e in found if e is not None}


def part_of(event: Event) -> Part:
    if event.kind is EventKind.INTERRUPT or (
        event.kind is EventKind.TEXT and event.role in ("user", "assistant")
    ):
        return Part.WORDS
    if event.kind is EventKind.TOOL_CALL and event.tool_name in EDIT_TOOLS:
        return Part.EDIT
    return Part.CONTEXT


def _events_of(run: Run, episode: Episode) -> list[tuple[Event, Part]]:
    """(event, part) in run order: the core events, the most telling ones between them, the
    agent's reasoning and the user's words just before and after, and the nearest neighbours."""
    core = _core(episode)
    lo, hi = min(core), max(core)
    events = run.events
    session = episode.trigger.session

    def usable(i: int) -> bool:
        return (
            0 <= i < len(events) and events[i].session == session and bool(events[i].text.strip())
        )

    chosen = {i: Part.CORE for i in core}
    between = sorted(
        (i for i in range(lo + 1, hi) if i not in core and usable(i)),
        key=lambda i: (part_of(events[i]), i),
    )
    chosen.update((i, part_of(events[i])) for i in between[:MAX_BETWEEN])
    for step in episode.fix.steps if episode.fix is not None else ():  # what prepared the fix
        if step.seq not in core and usable(step.seq):
            chosen[step.seq] = min(chosen.get(step.seq, Part.EDIT), Part.EDIT)
    before = [i for i in range(lo - 1, lo - 1 - REACH, -1) if usable(i)]
    after = [i for i in range(hi + 1, hi + 1 + REACH) if usable(i)]
    for nearby, neighbours in ((before, CONTEXT_BEFORE), (after, CONTEXT_AFTER)):
        for role in ("assistant", "user"):
            found = next((i for i in nearby if _says(events[i], role)), None)
            if found is not None:
                chosen.setdefault(found, Part.WORDS)
        chosen.update((i, Part.CONTEXT) for i in nearby[:neighbours] if i not in chosen)
    return [(events[i], chosen[i]) for i in sorted(chosen)]


def _says(event: Event, role: str) -> bool:
    """A message of `role` (a person's interrupt counts as the user's)."""
    return event.role == role and part_of(event) is Part.WORDS


def cut(events: Sequence[tuple[Event, Part]], budget: int, lines: Lines | None) -> list[SpanEvent]:
    """Events' texts cut to `budget` characters: core events first (a third of the budget each
    at most), then words, edits and context, each with a smaller share."""
    cores = sum(1 for _, part in events if part is Part.CORE)
    caps = {
        Part.CORE: max(200, budget // max(3, cores)),
        Part.WORDS: budget // 6,
        Part.EDIT: budget // 6,
        Part.CONTEXT: budget // 10,
    }
    kept: dict[int, SpanEvent] = {}
    left = budget
    for event, part in sorted(events, key=lambda pair: (pair[1], pair[0].seq)):
        text = trim(event_text(event, lines), min(caps[part], left), around_errors=is_output(event))
        if not text:
            continue
        kept[event.seq] = SpanEvent(event, text)
        left -= len(text)
        if left < 80:
            break
    return [kept[seq] for seq in sorted(kept)]


def event_text(event: Event, lines: Lines | None) -> str:
    """The event's text as it may be sent (`redact.shareable`); an edit call's with its diff
    under it."""
    text = shareable(event.text)
    diff = edit_diff(event, lines)
    return f"{text}\n{diff}" if diff else text


def is_output(event: Event) -> bool:
    """A tool's output, an error, or a log a person pasted into their message: text whose
    error lines matter more than its ends."""
    if event.role == "tool" or event.kind is EventKind.ERROR:
        return True
    return event.role == "user" and len(_LOG_LINE.findall(event.text)) >= PASTED_LOG_LINES


def trim(text: str, cap: int, *, around_errors: bool = False) -> str:
    """The text whole when it fits; a tool's output cut to its first line, the lines around
    its first and last error line, and its last line; any other text to its first and last
    pieces. Cuts are marked `[…]`."""
    text = text.strip()
    if len(text) <= cap:
        return text
    if cap < 80:
        return ""
    if around_errors:
        lines = text.split("\n")
        marks = [i for i, line in enumerate(lines) if _is_error_line(line)]
        if marks:
            causes = [i for i in marks if _ERROR_CAUSE.search(lines[i])] or marks
            focus = sorted({marks[0], causes[0], causes[-1], marks[-1]})
            for before, after in WINDOWS:
                kept = _windows(lines, focus, before, after)
                if len(kept) <= cap:
                    return kept
            return _ends(_around_error(lines[focus[-1]], cap), cap)
    return _ends(text, cap)


def _is_error_line(line: str) -> bool:
    """A line that says something went wrong; a cause's own words count ("ModuleNotFoundError:
    No module named …" holds no error word)."""
    return bool(_ERROR_MARK.search(line) or _ERROR_CAUSE.search(line))


def _windows(lines: list[str], focus: list[int], before: int, after: int) -> str:
    keep = {0, len(lines) - 1}
    for i in focus:
        keep.update(range(max(0, i - before), min(len(lines), i + after + 1)))
    pieces: list[str] = []
    previous = -1
    for i in sorted(keep):
        if i > previous + 1:
            pieces.append(CUT)
        pieces.append(_around_error(lines[i], MAX_LINE))
        previous = i
    return "\n".join(pieces)


def _around_error(line: str, cap: int) -> str:
    """A long line cut to `cap` characters around its error mark (or its start)."""
    if len(line) <= cap:
        return line
    mark = _ERROR_MARK.search(line)
    start = 0 if mark is None else max(0, mark.start() - cap // 3)
    piece = line[start : start + cap - 2 * len(CUT)]
    return (CUT if start else "") + piece + CUT


def _ends(text: str, cap: int) -> str:
    """The first and last pieces of a text (errors and conclusions sit at the end)."""
    if len(text) <= cap:
        return text
    pieces = _splitter(max(40, (cap - len(CUT) - 2) // 2)).split_text(text)
    if len(pieces) == 1:
        return pieces[0][: cap - len(CUT) - 1] + CUT
    return f"{pieces[0]}\n{CUT}\n{pieces[-1]}"


@lru_cache(maxsize=64)
def _splitter(size: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=size, chunk_overlap=0, separators=["\n\n", "\n", ". ", " ", ""]
    )


# What the miner saw between the failure and the same call working (mine/fixes.py's kinds).
_FIX_HINTS = {
    FixKind.REPLACED: ", then another form of the call worked",
    FixKind.PREPARED: ", then the same call worked once a step ran before it",
    FixKind.EDITED: ", then the same call worked after files were edited (a code fix, or a "
    "weakened test: judge the diff)",
    FixKind.RETRIED: ", then the same call worked with nothing changed (a flaky retry: no fix)",
    FixKind.STEPPED_IN: ", then the same call worked after the user wrote in between (their "
    "step, unseen, may be the fix)",
    FixKind.HINTED: ", then the same call worked once what the error said to run was run",
    FixKind.INSTALLED: ", then the same call worked once the missing module was installed",
    FixKind.UNFLAGGED: ", then the same call worked without the flag the error said was unknown",
    FixKind.FIXER: ", then the same check passed once its own fixer ran (a lint or format "
    "script's fix, or the tool's fix flag)",
    FixKind.SECRET_GIVEN: ", then it worked only once given a password or secret (no way to "
    "teach: the next agent has none to give)",
}


def _hint(episode: Episode) -> str:
    what = {"failure": "a failure", "decision": "a decision", "gotcha": "a gotcha"}
    hint = f"{what[episode.kind.value]} ({episode.signal})"
    if episode.sentence:
        hint += f": “{episode.sentence[:200]}”"
    if episode.fix is not None:
        hint += _FIX_HINTS.get(episode.fix.kind, ", with a later call that worked")
    elif episode.fix_call is not None:
        hint += ", with a later call that worked"
    return hint
