"""A compact markdown brief of the lessons that bear on a task, within a token budget.

The brief goes into an agent's context as a context file does, so it holds the same bar: only
lessons that have earned a line (`curate.earned`), less the warnings another lesson already
answers (`curate.answered`), as the rendered block; the rest are found by search alone.

Tokens are estimated as characters / 4 (design contract 9). The lessons of the current
project (seen in runs inside its repository) come first, at a lower bar of relevance, and none
is left out for another project's; then the most relevant first, and lessons of about the same
relevance (the same tenth of the score) by support, then by severity and recency. A lesson
that does not fit is left out and the next, shorter one tried.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from metis_distill.curate.answered import without_answered_warnings
from metis_distill.curate.earned import earned
from metis_distill.redact import shareable
from metis_distill.render.claude_md import safe_text
from metis_distill.retrieve.search import SHOWN_STATUSES, Hit, Query, SearchIndex, in_project
from metis_distill.retrieve.store import Lesson, RetrieveError
from metis_distill.targets import repository_root

MIN_RELEVANCE = 0.25  # a lesson scoring less does not bear on the task
# ... unless it is one of the task's own project: that is a sign of bearing on it too
PROJECT_MIN_RELEVANCE = 0.15
DEFAULT_BUDGET = 600
# The least budget that holds the title and any message said instead of lessons, whole.
MIN_BUDGET = 30
TITLE = "## What past agent runs taught about this task"
INTRO = "Lessons distilled by metis from earlier runs, most relevant first; `[id]` names a lesson."
INTRO_PROJECT = (
    "Lessons distilled by metis from earlier runs, this project's first, then the most "
    "relevant; `[id]` names a lesson."
)
NOTHING = "No lesson from past runs bears on this task."


@dataclass(frozen=True)
class Brief:
    markdown: str
    tokens: int
    hits: tuple[Hit, ...]  # the lessons shown, in order
    left_out: int  # relevant lessons that did not fit the budget


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def project_of(folder: Path) -> str:
    """The project a command runs in: the git repository holding the folder (else the
    folder itself)."""
    return str(repository_root(folder / "CLAUDE.md"))


def order(hits: Sequence[Hit], project: str | None = None) -> list[Hit]:
    """The project's lessons first; then relevance (in tenths), support, severity, recency;
    ids break ties."""

    def key(hit: Hit) -> tuple[bool, int, int, int, float, str]:
        lesson = hit.lesson
        last = lesson.last_seen.timestamp() if lesson.last_seen else 0.0
        elsewhere = project is None or not in_project(lesson, project)
        relevance = -round(hit.score * 10)
        return (elsewhere, relevance, -lesson.support, -lesson.severity, -last, lesson.id)

    return sorted(hits, key=key)


def line(hit: Hit) -> str:
    lesson = hit.lesson
    sessions = "session" if lesson.support == 1 else "sessions"
    text = safe_text(shareable(lesson.text))
    return f"- **{lesson.kind}**: {text} (seen in {lesson.support} {sessions}) [{lesson.id}]"


def brief(
    index: SearchIndex, task: str, budget: int = DEFAULT_BUDGET, project: str | None = None
) -> Brief:
    """The brief for `task`, never longer than `budget` estimated tokens; the lessons of
    `project` (a repository's path) first."""
    if budget < MIN_BUDGET:
        raise RetrieveError(
            f"a budget of {budget} tokens is too small for a brief",
            hint=f"give a budget of {MIN_BUDGET} tokens or more",
        )
    ranked = index.rank(Query(task), min_score=PROJECT_MIN_RELEVANCE if project else MIN_RELEVANCE)
    shown_ids = _shown(index.lessons)
    relevant = [hit for hit in ranked if hit.lesson.id in shown_ids and _bears(hit, project)]
    if not relevant:
        return _said(NOTHING, 0)
    ranked = order(relevant, project)
    mine = project is not None and in_project(ranked[0].lesson, project)
    head = f"{TITLE}\n\n{INTRO_PROJECT if mine else INTRO}\n\n"
    shown = _fitting(ranked, budget - estimate_tokens(head), project)
    if not shown:
        too_long = f"{len(relevant)} lessons bear on this task; none fits in {budget} tokens."
        return _said(too_long, len(relevant))
    markdown = head + "".join(line(hit) + "\n" for hit in shown)
    return Brief(markdown, estimate_tokens(markdown), tuple(shown), len(relevant) - len(shown))


def _shown(lessons: Sequence[Lesson]) -> set[str]:
    """The ids of the lessons a context file would show, of every project: active, earned,
    and not a warning another active lesson answers."""
    active = [v for v in lessons if v.status in SHOWN_STATUSES]
    return {v.id for v in without_answered_warnings([v for v in active if earned(v)], among=active)}


def _bears(hit: Hit, project: str | None) -> bool:
    """Does the lesson bear on the task? One of the project's own at a lower score."""
    if hit.score >= MIN_RELEVANCE:
        return True
    return project is not None and in_project(hit.lesson, project)


def _fitting(ranked: Sequence[Hit], budget: int, project: str | None) -> list[Hit]:
    """The lessons whose lines fit the budget, in order, a longer one left out for a shorter
    one; but never one of another project in the place of one of the project's own."""
    shown: list[Hit] = []
    size = 0
    own_left_out = False
    for hit in ranked:
        own = project is not None and in_project(hit.lesson, project)
        if own_left_out and not own:
            continue
        more = len(line(hit)) + 1
        if size + more <= budget * 4:
            shown.append(hit)
            size += more
        else:
            own_left_out = own_left_out or own
    return shown


def _said(message: str, left_out: int) -> Brief:
    """A brief of no lesson, the message said instead."""
    markdown = f"{TITLE}\n\n{message}\n"
    return Brief(markdown, estimate_tokens(markdown), (), left_out)
