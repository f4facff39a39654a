"""A failure told with "no fix seen" gives way to a lesson of the same failure whose run
showed the way past it; it stays in the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from metis_distill.curate.answered import without_answered_warnings
from metis_distill.curate.earned import earned
from metis_distill.ledger import LessonView
from tests.curate.test_retire import view

_UNFIXED = "`tk build web` fails here: “error: unknown target 'web'” (no fix seen)."
_FIXED = "`tk build web` fails here (“error: unknown target 'web'”); use `tk web build` instead."
_MODULE_UNFIXED = (
    "`python -m pytest tests/unit/ -v` fails here: “ModuleNotFoundError: No module named "
    "'ledgerkit'” (no fix seen)."
)
_MODULE_EDITED = (
    "`python -m pytest …` failed with “ModuleNotFoundError: No module named 'ledgerkit'” until "
    "files were edited (`conftest.py`)."
)
_MODULE_RERUN = (
    "`python -m pytest …` failed once with “ModuleNotFoundError: No module named 'ledgerkit'” "
    "and passed when run again."
)


def _shown(lessons: Sequence[LessonView]) -> list[LessonView]:
    """What a target renders of these active lessons (`select.lessons_for`)."""
    return without_answered_warnings([v for v in lessons if earned(v)], among=lessons)


def test_an_unfixed_failure_beside_its_fixed_twin_renders_only_the_fix() -> None:
    """Seven sessions saw no way past it, one saw the program's other spelling work: the fix
    is the line, with its own support; the others' evidence counts for nothing it shows."""
    unfixed = view(1, "failure", 7, _UNFIXED)
    fixed = replace(view(2, "failure", 1, _FIXED), fix="tk web build")
    assert _shown([unfixed, fixed]) == [fixed]
    assert fixed.support == 1


def test_an_unfixed_failure_beside_a_twin_mended_by_edits_renders_nothing() -> None:
    """Another run met the same error from the same command (told in its general form) and
    got past it by editing the project's files: the failure was the code's own, and "no fix
    seen" would be false. Neither renders."""
    unfixed = view(1, "failure", 2, _MODULE_UNFIXED)
    edited = view(2, "failure", 1, _MODULE_EDITED)
    assert earned(unfixed) and not earned(edited)
    assert _shown([unfixed, edited]) == []
    assert _shown([unfixed, view(3, "failure", 1, _MODULE_RERUN)]) == []


def test_an_unfixed_failure_with_no_twin_renders_as_before() -> None:
    """A module missing in two sessions, no run past it: the warning renders; a way past
    another error of the command, or past the same error of another command, answers nothing
    of it."""
    unfixed = view(1, "failure", 2, _MODULE_UNFIXED)
    assert _shown([unfixed]) == [unfixed]
    other_error = view(2, "failure", 1, _MODULE_EDITED.replace("'ledgerkit'", "'ledgerkit.io'"))
    other_command = view(3, "failure", 1, _MODULE_EDITED.replace("pytest …", "unittest …"))
    narrower = view(4, "failure", 1, _MODULE_EDITED.replace("pytest …", "pytest tests/e2e/ …"))
    assert _shown([unfixed, other_error, other_command, narrower]) == [unfixed]


def test_a_fix_held_back_answers_no_warning() -> None:
    """A fixed twin that has not earned its line (a check turned off) leaves the warning as
    it was: nothing would render in its place."""
    unfixed = view(1, "failure", 3, _UNFIXED)
    waived = replace(view(2, "failure", 1, _FIXED.replace("tk web build", "tk build web --insecure")),
                     fix="tk build web --insecure")  # fmt: skip
    assert not earned(waived)
    assert _shown([unfixed, waived]) == [unfixed]
