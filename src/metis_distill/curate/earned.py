"""Which lessons have earned a line in a context file: precision before recall.

A noisy context file makes agents worse, so a lesson is rendered only when its evidence earns
it. A failure earns its line when a run showed its fix causing success, or when it recurs in
several sessions (then as a warning with its error, never with an invented fix). Decisions and
gotchas are earned at extraction (only durable rules and confirmed facts become lessons).
Everything else stays in the ledger, where search finds it.
"""

from __future__ import annotations

from metis_distill.ledger import LessonView
from metis_distill.mine.signals import EDIT_TOOLS
from metis_distill.models import LessonKind

RECURRING_SESSIONS = 2
_EDIT_SCOPES = tuple(f"{tool}:" for tool in sorted(EDIT_TOOLS))


def earned(lesson: LessonView) -> bool:
    if lesson.kind != LessonKind.FAILURE:
        return True
    if lesson.fix is not None:
        return True
    return lesson.support >= RECURRING_SESSIONS and not _only_refused_edits(lesson)


def _only_refused_edits(lesson: LessonView) -> bool:
    """Edits refused with no fix seen: that an edit can miss the file's text, every agent
    knows; the line would tell it nothing to do."""
    return bool(lesson.scope) and all(s.startswith(_EDIT_SCOPES) for s in lesson.scope)
