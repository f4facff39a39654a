"""A compact markdown brief of the lessons that bear on a task, within a token budget.

The brief goes into an agent's context as a context file does, so it holds the same bar: only
lessons that have earned a line (`curate.earned`); the rest are found by search alone.

Tokens are estimated as characters / 4 (design contract 9). The lessons of the current
project (seen in runs inside its repository) come first; then the most relevant first, and
lessons of about the same relevance (the same tenth of the score) by support, then by
severity and recency. A lesson that does not fit is left out and the next, shorter one tried.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from metis_distill.curate.earned import earned
from metis_distill.redact import redact
from metis_distill.render.claude_md import safe_text
from metis_distill.retrieve.search import Hit, Query, SearchIndex, in_project
from metis_distill.targets import repository_root

MIN_RELEVANCE = 0.25  # a lesson scoring less does not bear on the task
DEFAULT_BUDGET = 600
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
    text = safe_text(redact(lesson.text))
    return f"- **{lesson.kind}**: {text} (seen in {lesson.support} {sessions}) [{lesson.id}]"


def brief(
    index: SearchIndex, task: str, budget: int = DEFAULT_BUDGET, project: str | None = None
) -> Brief:
    """The brief for `task`, never longer than `budget` estimated tokens; the lessons of
    `project` (a repository's path) first."""
    ranked = index.rank(Query(task), min_score=MIN_RELEVANCE)
    relevant = [hit for hit in ranked if earned(hit.lesson)]
    mine = project is not None and any(in_project(h.lesson, project) for h in relevant)
    head = f"{TITLE}\n\n{INTRO_PROJECT if mine else INTRO}\n\n"
    if not relevant:
        return _fit(f"{TITLE}\n\n{NOTHING}\n", budget, (), 0)
    shown: list[Hit] = []
    body = head
    for hit in order(relevant, project):
        candidate = body + line(hit) + "\n"
        if estimate_tokens(candidate) <= budget:
            body = candidate
            shown.append(hit)
    if not shown:
        too_long = f"{len(relevant)} lessons bear on this task; none fits in {budget} tokens."
        return _fit(f"{TITLE}\n\n{too_long}\n", budget, (), len(relevant))
    return _fit(body, budget, tuple(shown), len(relevant) - len(shown))


def _fit(markdown: str, budget: int, hits: tuple[Hit, ...], left_out: int) -> Brief:
    """The text cut to the budget (only a budget smaller than the title needs it)."""
    if estimate_tokens(markdown) > budget:
        markdown = markdown[: budget * 4]
    return Brief(markdown, estimate_tokens(markdown), hits, left_out)
