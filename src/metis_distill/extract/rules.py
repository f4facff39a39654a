"""The offline extractor: templates over the miner's episodes. No key, no network."""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.extract.base import ExtractStats
from metis_distill.mine.episodes import Episode
from metis_distill.mine.signals import EDIT_TOOLS, error_signature
from metis_distill.mine.text import clean, command_head, shorten
from metis_distill.models import (
    Event,
    EventKind,
    Evidence,
    LessonCandidate,
    LessonKind,
    Run,
    SourceRef,
)
from metis_distill.provenance import Lines, quote_in_lines

MAX_QUOTE = 200
MAX_EVIDENCE_LINES = 60
_LOW_VALUE_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "WebFetch", "WebSearch", "TodoWrite"})
_MISSING_PROGRAM = re.compile(
    r"(?:^|[\s:])(?P<program>[\w.+-]+): command not found|command not found: (?P<zsh>[\w.+-]+)"
)
_DECISION_LEAD = re.compile(
    r"^(?:so,?\s+|ok(?:ay)?,?\s+)?(?:I'll|I will|we'll|we will|let's|let us|we should|"
    r"I'm going to|we're going to)\s+",
    re.I,
)
_GOTCHA_LEAD = re.compile(r"^(?:so,?\s+)?(?:it\s+)?turns out(?: that)?,?\s+", re.I)
# Causes known from the error alone: one wording whatever the command, so that every
# instance (in one run or many) supports the same lesson instead of adding a line each.
_CRLF = re.compile(r"(?:\\r|\r)['’]|\$'\\r'")
_SCRIPT_DENIED = re.compile(
    r"permission denied:\s*(?P<script>\S+\.(?:sh|bash|py))\b"
    r"|(?P<script2>\S+\.(?:sh|bash|py)): permission denied",
    re.I,
)
_TIMED_OUT = re.compile(r"command timed out after \d+ ?(?:milliseconds|ms|seconds|s)\b", re.I)
# "No, use X" -> "Use X"; but "stop trying X" keeps its "stop", or the meaning flips.
_CORRECTION_LEAD = re.compile(r"^(?:(?:no|nope|wait|actually)\b[,.!]*|stop[,.!]+)\s+", re.I)


class RulesExtractor:
    """Deterministic lesson text from the episode's own words."""

    name = "rules"

    def __init__(self) -> None:
        self.stats = ExtractStats()

    def extract(self, run: Run, episodes: Sequence[Episode], lines: Lines) -> list[LessonCandidate]:
        found = (self._one(run, episode, lines) for episode in episodes)
        return [candidate for candidate in found if candidate is not None]

    def _one(self, run: Run, episode: Episode, lines: Lines) -> LessonCandidate | None:
        if episode.kind is LessonKind.FAILURE and episode.signal != "correction":
            return _failure(run, episode, lines)
        return _statement(run, episode, lines)


def _failure(run: Run, episode: Episode, lines: Lines) -> LessonCandidate | None:
    error, call = episode.trigger, episode.call
    signature = error_signature(error.text)
    if not signature or call is None:
        return None  # a failure we cannot tie to what was run teaches nothing actionable
    ref = error.ref if call is None else call.ref.span(error.ref)
    if episode.fix_result is not None and episode.fix_result.ref.line_end - ref.line_start <= (
        MAX_EVIDENCE_LINES
    ):
        ref = ref.span(episode.fix_result.ref)
    quote = _checked_quote(lines, ref, [signature])
    if quote is None:
        return None
    return LessonCandidate(
        kind=LessonKind.FAILURE,
        text=_failure_text(run, episode, signature),
        evidence=_evidence(run, ref, quote, error),
        severity=_failure_severity(episode),
        scope=_scope(call),
        cwd=run.cwd,
    )


def _failure_text(run: Run, episode: Episode, signature: str) -> str:
    call, sig = episode.call, shorten(signature, 140)
    if call is None:
        return f"A tool failed with “{sig}”."
    tool = call.tool_name or "tool"
    head = command_head(call.text) if tool == "Bash" else call.text.strip().split("\n")[0]
    what = _code(shorten(head, 80))
    subject = what if tool == "Bash" else f"{tool} {what}"
    known = _known_cause(signature)
    if known is not None:
        return known
    missing = _MISSING_PROGRAM.search(signature)
    if missing and tool == "Bash":
        program = missing.group("program") or missing.group("zsh")
        return _missing_program_text(program, call, episode.fix_call)
    if tool in EDIT_TOOLS:
        worked = " (a later edit with the file's exact text worked)" if episode.fix_call else ""
        return f"Re-read the file before {tool} on {what}: it failed with “{sig}”{worked}."
    fix = _code(shorten(command_head(episode.fix_call.text), 80)) if episode.fix_call else ""
    if episode.fix_call is not None and fix != what:
        return f"{subject} fails here (“{sig}”); use {fix} instead."
    if episode.fix_call is not None:
        edited = _files_edited_between(run, call, episode.fix_call)
        after = f" after editing {', '.join(edited)}" if edited else " on a later try"
        return f"{subject} failed with “{sig}”; it passed{after}."
    return f"Expect {subject} to fail here: “{sig}” (no working fix seen yet)."


def _known_cause(signature: str) -> str | None:
    """The lesson of an error whose cause the error itself tells, or None."""
    if _CRLF.search(signature):
        return (
            "Shell scripts here have Windows (CRLF) line endings, so running them fails "
            "(“bash\\r” / “$'\\r': command not found”); convert them to LF first "
            "(`sed -i 's/\\r$//'` or `dos2unix`), helper scripts they source included."
        )
    denied = _SCRIPT_DENIED.search(signature)
    if denied:
        script = (denied.group("script") or denied.group("script2")).removeprefix("./")
        folder = script.rsplit("/", 1)[0] + "/" if "/" in script else ""
        where = f"in `{folder}`" if folder else "here"
        return (
            f"Scripts {where} are not executable (“permission denied”); run them through "
            "`bash`, or make them executable (`chmod +x`) if the project agrees."
        )
    if _TIMED_OUT.search(signature):
        return (
            "Shell commands time out after a second or two by default here (“command timed "
            "out”); give slow commands (`git status`, `rg` over the repository) a longer timeout."
        )
    return None


def _missing_program_text(program: str, call: Event, fix_call: Event | None) -> str:
    """One wording for a program missing from PATH, whatever the arguments, so that every
    session that hits it supports the same lesson."""
    text = f"`{program}` is not on the PATH here (“{program}: command not found”)"
    if fix_call is None:
        return text + "; find the project's way to run it before retrying."
    failed = set(command_head(call.text).split())
    fix_tokens = command_head(fix_call.text).split()
    prefix = next((fix_tokens[:i] for i, t in enumerate(fix_tokens) if t in failed), fix_tokens)
    runner = " ".join(prefix[:3]) or fix_tokens[0]
    return text + f"; use `{runner} …` instead."


def _files_edited_between(run: Run, start: Event, end: Event) -> list[str]:
    """The files edited between a failure and its fix (when the edit names a file: SWE-agent's
    `edit 287:295` names only lines of the open file)."""
    files: list[str] = []
    for event in run.events[start.seq + 1 : end.seq]:
        if event.kind is not EventKind.TOOL_CALL or event.tool_name not in EDIT_TOOLS:
            continue
        first = event.text.strip().split("\n")[0] if event.text.strip() else ""
        if " " in first or not ("/" in first or "." in first):
            continue
        name = _code(first.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
        if name not in files:
            files.append(name)
    return files[:3]


def _failure_severity(episode: Episode) -> int:
    tool = episode.call.tool_name if episode.call else None
    if tool in _LOW_VALUE_TOOLS:
        return 1
    return 3 if episode.fix_call is not None else 2


def _statement(run: Run, episode: Episode, lines: Lines) -> LessonCandidate | None:
    sentence = episode.sentence
    ref = episode.trigger.ref
    if episode.signal == "correction" and episode.call is not None:
        ref = episode.call.ref.span(ref)
    quote = _checked_quote(lines, ref, [sentence])
    if quote is None:
        return None
    return LessonCandidate(
        kind=episode.kind,
        text=_statement_text(episode.signal, sentence),
        evidence=_evidence(run, ref, quote, episode.trigger),
        severity=3 if episode.signal in ("correction", "user_rule") else 2,
        scope=(),
        cwd=run.cwd,
    )


def _statement_text(signal: str, sentence: str) -> str:
    lead = {"decision": _DECISION_LEAD, "gotcha": _GOTCHA_LEAD, "correction": _CORRECTION_LEAD}
    pattern = lead.get(signal)
    text = clean(pattern.sub("", sentence) if pattern else sentence)
    if text and text[-1] not in ".!":
        text += "."
    return f"User correction: {text}" if signal == "correction" else text


def _checked_quote(lines: Lines, ref: SourceRef, texts: list[str]) -> str | None:
    """The first quote candidate that resolves in its span: no provenance is ever invented."""
    for text in texts:
        for quote in _quote_variants(text):
            if quote_in_lines(lines, ref.line_start, ref.line_end, quote):
                return quote
    return None


def _quote_variants(text: str) -> list[str]:
    base = text.strip()[:MAX_QUOTE].strip()
    variants = [base]
    if "\\" in base:
        variants.append(base.split("\\", 1)[0].strip())
    return [v for v in variants if len(v) >= 8]


def _evidence(run: Run, ref: SourceRef, quote: str, event: Event) -> Evidence:
    session = event.session or run.session_id  # a file may hold several sessions (contract 3)
    return Evidence(ref=ref, quote=quote, session_id=session, timestamp=event.timestamp)


def _scope(call: Event | None) -> tuple[str, ...]:
    if call is None or not call.text:
        return ()
    head = call.text.split()[0] if call.tool_name == "Bash" else call.text.splitlines()[0]
    return (f"{call.tool_name}:{head}"[:120],)


def _code(text: str) -> str:
    """Inline code that survives backticks inside it."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"
