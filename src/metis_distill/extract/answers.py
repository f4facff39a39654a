"""From Claude's validated answer to lesson candidates: every quote checked against the excerpt
sent and the file, the lessons the answer does not earn dropped, the text cleaned.

A lesson is kept only when its `support` earns its kind (a failure seen or fixed, a confirmed
gotcha, a user's rule), its wording is no hedged guess, and its text names no branch of the run.
A failure that claims a fix is kept only with the fix named and quotes from two nearby events
(the error, then the sign that the fix worked); its evidence span covers both, and never with a
fix that gives a password or secret (`mine.given_secrets`). Any other answer's `fix` is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from metis_distill.extract.schema import MAX_FIX, MAX_QUOTE, MAX_TEXT, LessonDraft, Support
from metis_distill.extract.spans import Span, SpanEvent
from metis_distill.mine.given_secrets import given_secrets
from metis_distill.mine.text import scrub
from metis_distill.models import Evidence, LessonCandidate, LessonKind, Run
from metis_distill.provenance import Lines, normalize, quote_in_lines
from metis_distill.redact import redact

MIN_QUOTE = 8
MIN_CONFIDENCE = 0.5
MAX_EVIDENCE_LINES = 60  # a failure's evidence is widened to its fix only within this distance
EARNED: dict[LessonKind, frozenset[Support]] = {
    LessonKind.FAILURE: frozenset({Support.FIX_SHOWN, Support.FAILURE_SEEN, Support.RECURRING}),
    LessonKind.GOTCHA: frozenset({Support.CONFIRMED, Support.RECURRING, Support.FIX_SHOWN}),
    LessonKind.DECISION: frozenset({Support.USER_RULE}),
}
TRUNKS = frozenset({"main", "master", "develop", "dev", "trunk", "HEAD"})
_HEDGE = re.compile(
    r"\b(?:might|probably|perhaps|possibly|maybe|presumably|unlikely|likely|"
    r"I think|I guess|I suspect|I believe|seems to|appears to)\b",
    re.I,
)


class Drop(StrEnum):
    """Why a lesson of the answer was not kept."""

    NO_QUOTE = "no_quote"
    LOW_CONFIDENCE = "low_confidence"
    UNEARNED = "unearned"


@dataclass(frozen=True)
class Checked:
    """One draft judged: its candidate, or why there is none; quotes that did not verify."""

    candidate: LessonCandidate | None
    quotes_dropped: int
    drop: Drop | None = None


def check(run: Run, span: Span, draft: LessonDraft, lines: Lines) -> Checked:
    kind = LessonKind(draft.kind)
    found = [verified(run, span, quote, lines) for quote in draft.evidence]
    quotes = [q for q in found if q is not None]
    dropped = len(found) - len(quotes)
    if not quotes:
        return Checked(None, dropped, Drop.NO_QUOTE)
    if draft.confidence < MIN_CONFIDENCE:
        return Checked(None, dropped, Drop.LOW_CONFIDENCE)
    text = clean_text(draft.text, run)[:MAX_TEXT]
    if draft.support not in EARNED[kind] or _HEDGE.search(text) or _names_branch(text, run):
        return Checked(None, dropped, Drop.UNEARNED)
    evidence, fix = quotes[0], None
    if kind is LessonKind.FAILURE and draft.support is Support.FIX_SHOWN:
        fix = clean_text(draft.fix or "", run)[:MAX_FIX]
        evidence = _widened(evidence, quotes)
        if not fix or evidence.ref == quotes[0].ref:
            return Checked(None, dropped, Drop.UNEARNED)  # a fix claimed, not shown
    if given_secrets("", f"{text}\n{fix or ''}"):
        return Checked(None, dropped, Drop.UNEARNED)  # a password's way told: none to teach
    scope = (clean_text(s, run)[:120] for s in draft.scope)
    candidate = LessonCandidate(
        kind=kind,
        text=text,
        evidence=evidence,
        severity=draft.severity,
        scope=tuple(s for s in scope if s),
        cwd=run.cwd,
        fix=fix,
    )
    return Checked(candidate, dropped)


def verified(run: Run, span: Span, quote: str, lines: Lines) -> Evidence | None:
    """A quote that is verbatim in one event of the excerpt sent and resolves in that event's
    lines of the file; None otherwise (no provenance is ever invented)."""
    needle = normalize(quote)
    if len(needle) < MIN_QUOTE or len(quote) > MAX_QUOTE:
        return None
    for sent in span.events:
        if needle in normalize(sent.text) and _in_file(sent, quote, lines):
            ref = sent.event.ref
            session = sent.event.session or run.session_id
            return Evidence(ref, quote.strip(), session, sent.event.timestamp)
    return None


def _in_file(sent: SpanEvent, quote: str, lines: Lines) -> bool:
    ref = sent.event.ref
    return quote_in_lines(lines, ref.line_start, ref.line_end, quote)


def _widened(evidence: Evidence, quotes: list[Evidence]) -> Evidence:
    """The evidence span stretched over the other quotes of the same file nearby, so that it
    covers the failure and its fix (`shows_fix`); the quote stays the first one."""
    ref = evidence.ref
    for quote in quotes[1:]:
        other = quote.ref
        wider = ref.span(other)
        if other.path == ref.path and wider.line_end - wider.line_start <= MAX_EVIDENCE_LINES:
            ref = wider
    return Evidence(ref, evidence.quote, evidence.session_id, evidence.timestamp, shows_fix=True)


def clean_text(text: str, run: Run) -> str:
    """One line of text fit for a context file: redacted, paths under the run's directory made
    relative, then no home folder and nothing invisible (`mine.text.scrub`)."""
    flat = " ".join(redact(text).split())
    if run.cwd:
        root = run.cwd.rstrip("/\\")
        flat = flat.replace(root + "/", "").replace(root + "\\", "").replace(root, ".")
    return " ".join(scrub(flat).split())


def _names_branch(text: str, run: Run) -> bool:
    branch = run.git_branch
    if branch is None or branch in TRUNKS or len(branch) < 4:
        return False
    return branch in text
