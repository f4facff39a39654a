"""A failure told with "no fix seen" beside a lesson of the same failure whose run showed the
way past it.

Merging keeps them apart (`merge._fix_into_none`, `merge._other_way`): the runs that saw no fix
must not count for a fix they do not show. At selection the warning gives way: beside a fix
that renders, it says less than the fix; beside a run that passed once the project's files
were edited or when run again, "no fix seen" would be false (the failure was the code's own).
It stays in the ledger, where search finds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from metis_distill.curate.earned import Weighed
from metis_distill.extract.wording import NO_FIX_SEEN, PASSED_AGAIN, UNTIL_EDITED
from metis_distill.models import LessonKind

# The failure a line tells: the command it opens on, in its general form, and the error it
# quotes, up to where the line's own words go on (no fix seen, the way, the edits, the rerun).
_FAILURE = re.compile(
    r"^`(?P<command>[^`\n]+)` [^“`\n]*“(?P<error>.+?)”"
    rf"(?= {re.escape(NO_FIX_SEEN)}\.$|\); |; run | {UNTIL_EDITED}| {PASSED_AGAIN}\.$)"
)
_Failure = tuple[tuple[str, ...], str]


def answered_by_twin(shown: Sequence[Weighed], among: Iterable[Weighed]) -> set[str]:
    """The ids of the lessons of `shown` that say no fix was seen for a failure another lesson
    shows a way past: one of `shown` that tells its fix, or any of `among` that tells the
    failure passed once files were edited or when run again."""
    fixed = (x for x in shown if x.fix not in (None, x.text))
    passed = (x for x in among if UNTIL_EDITED in x.text or PASSED_AGAIN in x.text)
    ways: dict[str, set[_Failure]] = {}  # by their error: a twin's error is the same
    for x in (*fixed, *passed):
        if (way := _failure_of(x)) is not None:
            ways.setdefault(way[1], set()).add(way)
    return {
        x.id
        for x in shown
        if x.text.endswith(f" {NO_FIX_SEEN}.")
        and (failed := _failure_of(x)) is not None
        and any(_same_failure(failed, way) for way in ways.get(failed[1], ()))
    }


def _failure_of(lesson: Weighed) -> _Failure | None:
    """A failure lesson's command (its words) and quoted error; None for any other lesson."""
    told = _FAILURE.match(lesson.text) if lesson.kind == LessonKind.FAILURE else None
    return (tuple(told["command"].split()), told["error"]) if told is not None else None


def _same_failure(one: _Failure, other: _Failure) -> bool:
    """The same error from the same command, one of them perhaps in a more general form
    (`python -m pytest …` of `python -m pytest tests/unit/ -v`)."""
    return one[1] == other[1] and (_covers(one[0], other[0]) or _covers(other[0], one[0]))


def _covers(general: tuple[str, ...], command: tuple[str, ...]) -> bool:
    if general == command:
        return True
    opening = general[:-1]
    return general[-1:] == ("…",) and bool(opening) and command[: len(opening)] == opening
