"""The user's answers to the questions the agent asked with options (Claude Code's
AskUserQuestion tool): each answer is a choice the user made, told in the run itself.

A question about how to go on with today's work ("Should I commit?", "Which first?") or an
answer that only agrees or declines ("Yes", "Skip") decides nothing that lasts, and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.mine import signals
from metis_distill.models import Event, EventKind

ASK_TOOL = "AskUserQuestion"
MAX_QUESTION = 160  # characters of the question kept: its first sentence
MAX_ANSWER = 300
REPLY_LOOKAHEAD = 30  # events after an answer in which the user's next words are looked for
MIN_QUOTE = 8  # a shorter answer is not found in its file unambiguously: the question is quoted

_ANSWERED = "User has answered your questions:"
_PAIR = re.compile(r'"(?P<question>[^"]{3,600})"="(?P<answer>[^"]{1,600})"')
_NOTES = re.compile(r"^\s*user notes:\s*(?P<notes>.*?)\s*,?\s*$", re.S)
_QUESTION_END = re.compile(r"[?？]")
# How to go on with the task at hand, not a choice that stands ("Should we use Postgres or
# SQLite?" is one; "Should I commit now?" is not).
_ACT = (
    r"(?:go ahead|proceed|continue|start|stop|commit|push|merge|deploy|run|retry|try|apply|"
    r"delete|remove|move on|fix|open|close|create (?:the|a) (?:pr|pull request|commit|branch))\b"
)
_PROCESS = re.compile(
    rf"^(?:(?:should|shall|can|may) (?:I|we) {_ACT}|(?:do you want|would you like)(?: me)? to "
    rf"{_ACT}|(?:is (?:it|this|that) )?ok(?:ay)? to\b|is (?:it|this|that) ok|(?:are you )?ready\b|"
    r"how (?:should|do you want me to) (?:I |we )?proceed|what (?:should I|do you want me to) do|"
    r"what next|which\b.{0,60}\bfirst\b)",
    re.I,
)
_NO_CHOICE = re.compile(
    r"^(?:yes|no|ok|okay|sure|proceed|continue|go ahead|skip|cancel|later|not now|none|"
    r"stop|done)\b[\s.!]*$",
    re.I,
)
# An answer for today only: "skip it for now", "just this once".
_FOR_NOW = re.compile(
    r"\b(?:for now|this time|just this once|temporar(?:y|ily)|for the moment|later)\b", re.I
)
# The user's next words say the choice did not hold ("also conflicts with vscode"), beside
# `signals.STILL_BROKEN` ("does not work").
_UNDONE = re.compile(
    r"\b(?:conflicts?|clash(?:es)?|broken|revert|undo|go back|change it back|wrong)\b", re.I
)
_RECOMMENDED = re.compile(r"\s*[(（](?:recommended|推荐)[)）]\s*$", re.I)


@dataclass(frozen=True)
class Answer:
    question: str  # its first sentence, up to the question mark
    choice: str  # the option picked, or the user's own words
    quote: str  # words of the run that show it: the answer as written, or the question


def is_answer(event: Event) -> bool:
    return (
        event.kind is EventKind.TOOL_RESULT
        and event.tool_name == ASK_TOOL
        and event.text.startswith(_ANSWERED)
    )


def answers(event: Event) -> list[Answer]:
    """The lasting choices among the answers a result reports, in the order asked."""
    if not is_answer(event):
        return []
    body = event.text[len(_ANSWERED) :]
    pairs = list(_PAIR.finditer(body))
    found = []
    for i, pair in enumerate(pairs):
        between = body[pair.end() : pairs[i + 1].start() if i + 1 < len(pairs) else len(body)]
        answer = _choice(pair["answer"], _notes(between))
        question = _first_question(pair["question"])
        if answer is not None and _lasting(question, answer):
            written = pair["answer"].strip()
            found.append(
                Answer(question, answer, written if len(written) >= MIN_QUOTE else question)
            )
    return found


def _notes(between: str) -> str:
    """The user's notes on an answer: the text between it and the next question."""
    between = between.split(". You can now continue", 1)[0]
    match = _NOTES.match(between)
    return match["notes"].strip() if match else ""


def _choice(answer: str, notes: str) -> str | None:
    choice = _RECOMMENDED.sub("", answer.strip())
    if notes and notes != answer.strip():
        choice = f"{choice} ({notes})"
    choice = " ".join(choice.split())
    return choice if 0 < len(choice) <= MAX_ANSWER else None


def _first_question(question: str) -> str:
    end = _QUESTION_END.search(question)
    head = question[: end.end()] if end else question
    return " ".join(head.split())[:MAX_QUESTION].strip()


def _lasting(question: str, choice: str) -> bool:
    return not (_PROCESS.match(question) or _NO_CHOICE.match(choice) or _FOR_NOW.search(choice))


def answer_text(answer: Answer) -> str:
    """The decision as a line: the question, then what the user chose."""
    return f"Asked “{answer.question}”, the user chose “{answer.choice}”."


def undone(events: Sequence[Event], index: int) -> bool:
    """The user's next message after the answer at `index` says the choice did not hold."""
    answer = events[index]
    for later in events[index + 1 : index + 1 + REPLY_LOOKAHEAD]:
        if later.session != answer.session:
            return False
        if later.role == "user" and later.kind is EventKind.TEXT:
            said = later.text[:300]
            return bool(_UNDONE.search(said) or signals.STILL_BROKEN.search(said))
        if is_answer(later):
            return False  # answered again before saying anything: the next answer stands apart
    return False
