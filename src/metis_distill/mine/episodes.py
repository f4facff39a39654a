"""Candidate episodes: the places in a run worth learning from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from metis_distill.mine import signals
from metis_distill.mine.text import command_head, sentences
from metis_distill.models import Event, EventKind, LessonKind, Run

FIX_LOOKAHEAD = 40  # events after a failure in which a fix counts as the fix of it
CORRECTION_LOOKAHEAD = 4


@dataclass(frozen=True)
class Episode:
    """A failure (with its call and, when shown, its fix), a decision, or a gotcha."""

    kind: LessonKind
    signal: str  # tool_error | exit_code | traceback | failing_tests | correction | decision | ...
    trigger: Event
    call: Event | None = None
    fix_call: Event | None = None
    fix_result: Event | None = None
    sentence: str = ""


def find_episodes(run: Run) -> Iterator[Episode]:
    """Every candidate episode of a run, in the order of the run."""
    events = run.events
    calls = {e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL and e.tool_use_id}
    corrected: set[int] = set()
    for index, event in enumerate(events):
        if event.kind is EventKind.SUMMARY:
            continue
        if signals.is_failure(event):
            yield _failure(events, index, calls.get(event.tool_use_id or ""))
        elif event.kind is EventKind.INTERRUPT or signals.is_rejection(event):
            correction = _correction_after(events, index)
            if correction is not None and correction.trigger.seq not in corrected:
                corrected.add(correction.trigger.seq)
                yield correction
        elif _is_statement_text(event, corrected):
            yield from _statements(event)


def _failure(events: tuple[Event, ...], index: int, call: Event | None) -> Episode:
    event = events[index]
    fix_call, fix_result = _find_fix(events, index, call)
    return Episode(
        kind=LessonKind.FAILURE,
        signal=_failure_signal(event),
        trigger=event,
        call=call,
        fix_call=fix_call,
        fix_result=fix_result,
    )


def _failure_signal(event: Event) -> str:
    if "Traceback (most recent call last)" in event.text:
        return "traceback"
    if event.exit_code not in (None, 0):
        return "exit_code"
    return "tool_error" if event.kind is EventKind.ERROR else "failing_tests"


def _find_fix(
    events: tuple[Event, ...], index: int, call: Event | None
) -> tuple[Event | None, Event | None]:
    """A later call of the same tool on the same thing whose result shows it worked."""
    if call is None:
        return None, None
    results = {e.tool_use_id: e for e in events[index + 1 :] if e.role == "tool" and e.tool_use_id}
    for later in events[index + 1 : index + 1 + FIX_LOOKAHEAD]:
        if later.kind is not EventKind.TOOL_CALL or later.tool_name != call.tool_name:
            continue
        if later.session != call.session:
            continue  # another session (a job of a matrix, another aider launch) proves nothing
        if not _same_intent(call.text, later.text):
            continue
        result = results.get(later.tool_use_id or "")
        if result is None:
            continue
        if signals.is_success(result):
            return later, result
        same_call = later.text == call.text and call.tool_name not in signals.EDIT_TOOLS
        if signals.is_failure(result) and same_call:
            return None, None  # the same call failed again: whatever came between was no fix
    return None, None


# Programs that stand in for each other when a retry switches tools.
_FAMILIES = {
    "npm": "node",
    "pnpm": "node",
    "yarn": "node",
    "npx": "node",
    "bun": "node",
    "python": "python",
    "python3": "python",
    "py": "python",
    "uv": "python",
    "pip": "pip",
    "pip3": "pip",
}


def _same_intent(failed: str, retry: str) -> bool:
    """The retry does what the failed call meant: the same command, the failed one wrapped
    (`uv run pytest -q` after `pytest -q`), or a program of the same family on the same
    arguments (`pnpm vitest run x` after `npm test x`): every argument of the failed call
    must be there again, so `cp a b` then `cp c b` is no fix."""
    a, b = command_head(failed).split(), command_head(retry).split()
    if not a or not b:
        return False
    if a == b or _contains(b, a):
        return True
    if _family(a[0]) != _family(b[0]):
        return False
    args_a = [t for t in a[1:] if not t.startswith("-")]
    args_b = [t for t in b[1:] if not t.startswith("-")]
    return all(any(_alike(x, y) for y in args_b) for x in args_a)


def _contains(outer: list[str], inner: list[str]) -> bool:
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))


def _family(program: str) -> str:
    name = program.rsplit("/", 1)[-1].lower()
    return _FAMILIES.get(name, name)


def _alike(x: str, y: str) -> bool:
    x, y = x.lower(), y.lower()
    return x == y or (len(x) >= 4 and x in y) or (len(y) >= 4 and y in x)


def _correction_after(events: tuple[Event, ...], index: int) -> Episode | None:
    """A user message right after an interrupt or a rejected call that tells what to do."""
    for later in events[index + 1 : index + 1 + CORRECTION_LOOKAHEAD]:
        if later.session != events[index].session:
            return None
        if later.role != "user" or later.kind is not EventKind.TEXT:
            continue
        first = next(iter(sentences(later.text)), "")
        if first and signals.CORRECTION.match(first) and 12 <= len(first) <= 300:
            return Episode(
                kind=LessonKind.FAILURE,
                signal="correction",
                trigger=later,
                call=events[index],
                sentence=first,
            )
        return None
    return None


def _is_statement_text(event: Event, corrected: set[int]) -> bool:
    """Prose a person or the agent wrote, not already taken as a correction."""
    return (
        event.kind is EventKind.TEXT
        and event.seq not in corrected
        and not _is_harness_text(event.text)
    )


def _is_harness_text(text: str) -> bool:
    """Text the agent harness injects (caveats, command echoes, reminders), not a person's."""
    head = text.lstrip()[:200]
    return head.startswith(("<", "Caveat:", "This session is being continued"))


def _statements(event: Event) -> Iterator[Episode]:
    """Decisions and gotchas stated in prose; user rules."""
    for sentence in sentences(event.text):
        if len(sentence) < 25 or sentence.endswith("?"):
            continue
        if event.role == "user" and signals.USER_RULE.match(sentence):
            yield Episode(LessonKind.DECISION, "user_rule", event, sentence=sentence)
        elif event.role == "user" and signals.USER_CHOICE.search(sentence):
            yield Episode(LessonKind.DECISION, "user_choice", event, sentence=sentence)
        elif event.role in ("assistant", "user") and signals.DECISION.search(sentence):
            yield Episode(LessonKind.DECISION, "decision", event, sentence=sentence)
        elif event.role == "assistant" and signals.GOTCHA.search(sentence):
            yield Episode(LessonKind.GOTCHA, "gotcha", event, sentence=sentence)
