"""Which lessons have earned a line in a context file: precision before recall.

A noisy context file makes agents worse, so a lesson is rendered only when its evidence earns
it. A failure earns its line when a run showed its fix causing success, or when it recurs in
several sessions (then as a warning with its error, never with an invented fix). Decisions and
gotchas are earned at extraction (only durable rules and confirmed facts become lessons).
Everything else stays in the ledger, where search finds it.
"""

from __future__ import annotations

from metis_distill.ledger import LessonView
from metis_distill.models import LessonKind

RECURRING_SESSIONS = 2


def earned(lesson: LessonView) -> bool:
    if lesson.kind != LessonKind.FAILURE:
        return True
    return lesson.fix is not None or lesson.support >= RECURRING_SESSIONS
