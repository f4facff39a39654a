"""Candidate episodes: the places in a run worth learning from."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from metis_distill.homes import home_folder
from metis_distill.mine import not_failures, phrases, signals
from metis_distill.mine.cancelled import LESSON as CANCELLED_LESSON
from metis_distill.mine.cancelled import CancelledBatch, earned_batches
from metis_distill.mine.co_author import unsigned_commits
from metis_distill.mine.drive_paths import drive_shown
from metis_distill.mine.empty_variable import empty_variable
from metis_distill.mine.fixes import Fix, FixKind, fails_on_its_own, find_fix
from metis_distill.mine.harness_text import injected
from metis_distill.mine.intent import family
from metis_distill.mine.kept_cwd import kept_cwd
from metis_distill.mine.misplaced import misplaced
from metis_distill.mine.piped_rewrite import rewritten_words
from metis_distill.mine.questions import (
    answer_text,
    answers,
    is_answer,
)
from metis_distill.mine.rejections import Switch, named_program
from metis_distill.mine.rereads import Rereads, refused_rereads
from metis_distill.mine.shells import QUOTING_LESSON, backslashes_eaten, lost_variable_marks
from metis_distill.mine.statements import (
    PersonsSeen,
    built_on,
    memory_entry,
    statements,
)
from metis_distill.mine.taken_back import revisited, taken_back, undone
from metis_distill.mine.text import sentences, shell_steps
from metis_distill.models import Event, EventKind, LessonKind, Run
from metis_distill.terminal import without_escapes

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
    fix: Fix | None = None  # what made the failure go away, and of what kind
    quote: str = ""  # what to quote when the sentence is not verbatim in the run
    context: tuple[Event, ...] = ()  # other events the evidence must cover

    @property
    def teachable_fix(self) -> bool:
        return self.fix is not None and self.fix.teachable


def find_episodes(run: Run, failed: Sequence[bool] | None = None) -> Iterator[Episode]:
    """Every candidate episode of a run, in the order of the run (`failed`: the run's
    `signals.failures`, when the caller has them)."""
    failed = signals.failures(run.events) if failed is None else failed
    events = _as_read(run.events, failed)
    calls: dict[str | None, Event] = {
        e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL and e.tool_use_id
    }
    corrected: set[int] = set()
    batches = {batch.cancelled[0].seq: batch for batch in earned_batches(events, calls)}
    quoting = lost_variable_marks(events, calls)
    found_rereads = refused_rereads(events)
    rereads = {r.refusals[0].seq: r for r in found_rereads if r.refusals}
    told = {e.seq for r in found_rereads for e in r.all_refusals}  # one lesson, or none, for all
    banners = not_failures.banner_lines(events)
    persons = PersonsSeen(events)
    at_home = _in_home_folder(run.cwd)  # no project: its answers decide nothing for one
    together = run.source_format == "codex"  # a batch's shell calls run at the same time
    # a file may hold a stretch of the conversation twice (the same tool ids again): a result
    # answers the call with its id that came last before it
    latest: dict[str | None, Event] = {}
    fixes: set[int] = set()  # results shown as an earlier failure's fix: no failure of their own
    for index, event in enumerate(events):
        if event.kind is EventKind.TOOL_CALL and event.tool_use_id:
            latest[event.tool_use_id] = event
        if event.kind is EventKind.SUMMARY:
            continue
        if event.seq in batches:
            yield _cancelled(batches[event.seq])
            continue
        if event.seq in quoting:  # its cause is known: one gotcha, not a failure each
            yield _lost_variables(event, *quoting[event.seq])
            continue
        if event.seq in told:
            if event.seq in rereads:
                yield _reread(rereads[event.seq])
            continue
        if is_answer(event):
            if not undone(events, index) and not at_home:
                yield from _answered(events, index, latest.get(event.tool_use_id or ""))
            continue
        if failed[index]:
            call = latest.get(event.tool_use_id or "")
            if event.seq in fixes or not_failures.answers_no(call, event):
                continue
            if (
                not_failures.stopped_on_purpose(call, event)
                or not_failures.wrote_into_no_folder(call, event)
                or not_failures.missed_own_scratch(call, event)  # `/tmp/t/.env` before any mkdir
            ):
                continue
            # a look at nothing is how an agent explores, unless where the shell stood was
            # not where the agent thought
            if (
                not not_failures.looked_for_nothing(call, event)
                or kept_cwd(events, index, call)
                or drive_shown(events, index, call)  # a Git Bash path to a file tool, on Windows
                or misplaced(
                    events, index, call, run.cwd, fresh_shells=run.source_format == "codex"
                )
                is not None  # then found elsewhere
                or (call is not None and backslashes_eaten(call, event.text))  # bash ate `\\`
                or (call is not None and empty_variable(call, event.text) is not None)
                or rewritten_words(call, event.text)  # the harness made `2>` an argument
            ):
                for episode in _failure(events, index, call, banners, together):
                    if _server_not_up_yet(call, event, episode.fix):
                        continue  # asked before the server was up: waiting was all it took
                    if episode.fix is not None and not fails_on_its_own(episode.fix):
                        fixes.add(episode.fix.result.seq)
                    yield episode
            continue
        rejected = signals.is_rejection(event)
        switch = (
            named_program(events, index, latest.get(event.tool_use_id or "")) if rejected else None
        )
        if switch is not None:
            yield _switched(event, switch)
            continue
        if event.kind is EventKind.INTERRUPT or rejected or event.mid_turn:
            # a message typed mid-turn corrects what the agent was doing: it is read as the
            # correction of the call before it
            if event.mid_turn:
                correction = _correction_after(events, max(index - 1, 0), phrases.OBJECTION)
            elif signals.rejection_words(event) is not None:
                # the user's words alone: the message that corrects the call turned down
                call = latest.get(event.tool_use_id or "") or event
                correction = _correction(events, index, event, phrases.CORRECTION, call)
            else:
                correction = _correction_after(events, index)
            if correction is not None and correction.trigger.seq not in corrected:
                corrected.add(correction.trigger.seq)
                yield correction
        if _is_statement_text(events, index, corrected):
            yield from _statements(events, index, persons)


def _as_read(events: tuple[Event, ...], failed: Sequence[bool]) -> tuple[Event, ...]:
    """The run's events, each failure's output without its terminal escapes (PowerShell 7
    colours its error record, a test runner its report): what its signature and the regexes
    of known causes read. Its place (`ref`) is kept: the evidence is the archive's line."""
    if not any(failed[n] and "\x1b" in event.text for n, event in enumerate(events)):
        return events
    return tuple(
        replace(event, text=without_escapes(event.text))
        if failed[n] and "\x1b" in event.text
        else event
        for n, event in enumerate(events)
    )


def _failure(
    events: tuple[Event, ...],
    index: int,
    call: Event | None,
    banners: frozenset[str],
    together: bool = False,
) -> Iterator[Episode]:
    event = _without_banners(events[index], banners)
    if event is None:
        return  # nothing but what the shell prints before every command
    fix = find_fix(events, index, call, together=together)
    yield Episode(
        kind=LessonKind.FAILURE,
        signal=_failure_signal(event),
        trigger=event,
        call=call,
        fix_call=fix.call if fix else None,
        fix_result=fix.result if fix else None,
        fix=fix,
    )


def _without_banners(event: Event, banners: frozenset[str]) -> Event | None:
    """The failure's output without the lines printed before every command's output (what
    remains is still verbatim, line by line), or None when nothing else is left."""
    if not banners:
        return event
    lines = event.text.splitlines()
    kept = [line for line in lines if line.strip() not in banners]
    if len(kept) == len(lines):
        return event
    if not any(line.strip() and not signals.is_exit_line(line) for line in kept):
        return None
    return replace(event, text="\n".join(kept))


def _cancelled(batch: CancelledBatch) -> Episode:
    return Episode(
        kind=LessonKind.GOTCHA,
        signal="parallel_cancel",
        trigger=batch.cancelled[0],
        call=batch.failed_call,
        sentence=CANCELLED_LESSON,
        quote=batch.quote,
        context=batch.events,
    )


def _switched(rejection: Event, switch: Switch) -> Episode:
    return Episode(
        kind=LessonKind.DECISION,
        signal="named_program",
        trigger=rejection,
        call=switch.rejected_call,
        sentence=switch.sentence,
        quote=switch.quote,
        context=(switch.rejected_call, switch.call),
    )


def _reread(found: Rereads) -> Episode:
    return Episode(
        kind=LessonKind.GOTCHA,
        signal="refused_reread",
        trigger=found.refusals[0],
        sentence=found.sentence,
        quote=found.quote,
        context=found.events,
    )


def _lost_variables(result: Event, call: Event, mark: str) -> Episode:
    return Episode(
        kind=LessonKind.GOTCHA,
        signal="shell_quoting",
        trigger=result,
        call=call,
        sentence=QUOTING_LESSON,
        quote=mark,
        context=(call,),
    )


def _answered(events: Sequence[Event], index: int, call: Event | None) -> Iterator[Episode]:
    """One decision per lasting answer to the agent's questions, unless taken back or reopened
    later."""
    if not built_on(events, index):
        return
    found = answers(events[index], call.text if call is not None else "")
    said_later = _said_later(events, index) if found else []
    for answer in found:
        if taken_back(answer.choice, said_later[:TAKEN_BACK_TURNS]) or revisited(
            answer.question, said_later
        ):
            continue
        yield Episode(
            kind=LessonKind.DECISION,
            signal="answer",
            trigger=events[index],
            call=call,
            sentence=answer_text(answer),
            quote=answer.quote,
            context=(call,) if call is not None else (),
        )


def _in_home_folder(cwd: str | None) -> bool:
    """The session ran in the user's home folder itself (`C:\\Users\\ana`, `/Users/ana`),
    which holds many projects and is none: what was chosen there was for a throw-away."""
    if not cwd:
        return False
    folder = cwd.rstrip("/\\")
    return home_folder(folder) == folder


TAKEN_BACK_TURNS = 5  # the user's next messages in which a choice may be taken back


def _said_later(events: Sequence[Event], index: int) -> list[str]:
    """What the user typed after the event at `index`, in its session."""
    said = []
    for later in range(index + 1, len(events)):
        event = events[later]
        if event.session != events[index].session:
            break
        if event.role == "user" and event.kind is EventKind.TEXT and not injected(events, later):
            said.append(event.text)
    return said


def _failure_signal(event: Event) -> str:
    if "Traceback (most recent call last)" in event.text:
        return "traceback"
    if event.exit_code not in (None, 0):
        return "exit_code"
    return "tool_error" if event.kind is EventKind.ERROR else "failing_tests"


# A sentence that only stops the agent: what it should do instead comes next, if at all.
_FILLER = re.compile(
    r"^(?:(?:wait|hold on|hang on|hmm+|stop|no|nope|ok(?:ay)?|actually|sorry|oh|uh)[\s,.!]*)+$",
    re.I,
)


def _correction_after(
    events: tuple[Event, ...], index: int, lead: re.Pattern[str] = phrases.CORRECTION
) -> Episode | None:
    """A user message right after an interrupt or a rejected call that tells what to do (or,
    typed mid-turn, objects to what the agent is doing)."""
    for later in events[index + 1 : index + 1 + CORRECTION_LOOKAHEAD]:
        if later.session != events[index].session:
            return None
        if later.role != "user" or later.kind is not EventKind.TEXT:
            continue
        return _correction(events, index, later, lead, events[index])
    return None


def _correction(
    events: tuple[Event, ...], index: int, message: Event, lead: re.Pattern[str], call: Event
) -> Episode | None:
    """The message's first sentence, when it tells what to do (`lead`) about the stop at
    `index`."""
    if unsigned_commits(message.text) is not None:
        return None  # the agent's signature asked away: the standing rule, read as a statement
    said = sentences(signals.rejection_words(message) or message.text)
    first = said[0] if said else ""
    if first and _FILLER.match(first):  # "Wait, hold on." says what to do next, if anything
        first = said[1] if len(said) > 1 else ""
    if first and lead.match(first) and 12 <= len(first) <= 300 and not _resent(events, message):
        if not _answers_the_stop(events, events[index], message.text):
            return None  # the next task, after a stop that stopped nothing of it
        return Episode(
            kind=LessonKind.FAILURE,
            signal="correction",
            trigger=message,
            call=call,
            sentence=first,
        )
    return None


def _server_not_up_yet(call: Event | None, result: Event, fix: Fix | None) -> bool:
    """A local server refused a request, and nothing was shown mending it but asking again:
    it was still starting (a step that started it, or the sandbox let out, is a lesson)."""
    unshown = fix is None or fix.kind in (FixKind.RETRIED, FixKind.STEPPED_IN)
    return not_failures.refused_locally(call, result) and unshown


def _answers_the_stop(events: tuple[Event, ...], stop: Event, said: str) -> bool:
    """The message can be about what was stopped: aider's suggested shell command declined
    ("Run shell command? … n") is corrected by words naming its program ("always run the
    tests with uv run pytest"), not by the next task; a Ctrl-C before the agent did anything
    (at aider's start) stopped nothing."""
    if stop.kind is not EventKind.INTERRUPT:
        return True
    if _CTRL_C_ALONE.match(stop.text):
        return _agent_spoke_before(events, stop)
    declined = _DECLINED_COMMAND.match(stop.text)
    if declined is None or _REFUSES.match(said):
        return True  # "no! use pnpm install instead" answers whatever was declined
    named = {family(p) for p in _programs(declined["command"])}
    return any(family(word) in named for word in re.findall(r"[\w.-]+", said.lower()))


def _programs(command: str) -> list[str]:
    """The programs a command's steps run, and the module a `-m` names (`python -m pytest`)."""
    found = []
    for step in shell_steps(command):
        words = step.split()
        found.append(words[0].rsplit("/", 1)[-1].lower())
        if len(words) > 2 and words[1] == "-m":
            found.append(words[2].lower())
    return found


# A reply that opens by turning the declined step down: it is about that step.
_REFUSES = re.compile(r"^\s*(?:no\b|nope\b|don'?t\b|do not\b|never\b|stop\b|instead\b)", re.I)


def _agent_spoke_before(events: tuple[Event, ...], stop: Event) -> bool:
    """The agent said or did something in the stop's session before it."""
    for earlier in reversed(events[: stop.seq]):
        if earlier.session != stop.session:
            return False
        if earlier.role == "assistant":
            return True
    return False


_CTRL_C_ALONE = re.compile(r"^\s*\^C (?:again to exit|again to quit|KeyboardInterrupt)\s*$")
_DECLINED_COMMAND = re.compile(r"^\s*(?P<command>\S[^\n]*)\n\s*Run shell commands?\?")


RESENT = 0.8  # likeness at which a message is the one before it sent again


def _resent(events: tuple[Event, ...], message: Event) -> bool:
    """The message is the user's previous one sent again, perhaps with a value changed ("No,
    in cells AF39 …", stopped, "No, in cells AF40 …"): the task restated, not corrected."""
    for earlier in reversed(events[: message.seq]):
        if earlier.session != message.session:
            return False
        if earlier.role == "user" and earlier.kind is EventKind.TEXT:
            if injected(events, earlier.seq):
                continue
            alike = SequenceMatcher(None, earlier.text[:2000], message.text[:2000])
            return alike.quick_ratio() >= RESENT and alike.ratio() >= RESENT
    return False


def _is_statement_text(events: tuple[Event, ...], index: int, corrected: set[int]) -> bool:
    """Prose a person or the agent wrote, not already taken as a correction."""
    event = events[index]
    if event.kind is not EventKind.TEXT or event.seq in corrected:
        return False
    return not injected(events, index) or memory_entry(event.text) is not None


def _statements(events: tuple[Event, ...], index: int, persons: PersonsSeen) -> Iterator[Episode]:
    """Decisions and gotchas stated in prose, as far as they are earned."""
    for found in statements(events, index, persons):
        yield Episode(
            found.kind,
            found.signal,
            events[index],
            sentence=found.sentence,
            quote=found.quote,
            context=found.context,
        )
