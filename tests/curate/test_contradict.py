"""Which decisions contradict each other: the same subject, the opposite choice."""

from __future__ import annotations

import pytest

from metis_distill.curate.contradict import choice, contradicts
from metis_distill.curate.ids import anchor_overlap, anchors


@pytest.mark.parametrize(
    ("text", "chosen", "rejected"),
    [
        ("Use pnpm instead of npm because the lockfile is pnpm's.", {"pnpm"}, {"npm"}),
        ("Don't use npm, use pnpm.", {"pnpm"}, {"npm"}),
        ("Always use npm for installs.", {"npm"}, set()),
        ("Never use npm here.", set(), {"npm"}),
        ("We switched from SQLite to Postgres for concurrent writes.", {"postgres"}, {"sqlite"}),
        ("Replace moment with date-fns.", {"date-fns"}, {"moment"}),
        ("Avoid moment, it is huge.", set(), {"moment"}),
        ("Prefer `uv run pytest` over `pytest`.", {"uv run pytest"}, {"pytest"}),
        ("Do not run the migrations by hand.", set(), set()),
        ("Keep money as integer cents because floats broke the totals.", set(), set()),
    ],
)
def test_the_choice_a_decision_states(text: str, chosen: set[str], rejected: set[str]) -> None:
    found = choice(text)
    assert (set(found.chosen), set(found.rejected)) == (chosen, rejected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Always use npm for installs.", "Use pnpm instead of npm.", True),
        ("Stick with SQLite because the data is small.", "We moved from SQLite to Postgres.", True),
        ("Use moment for dates.", "Avoid moment, it is huge.", True),
        ("Use pnpm instead of npm.", "Don't use npm, use pnpm.", False),  # the same choice
        ("Use pnpm for installs.", "Use ruff for linting.", False),  # other subjects
        ("Never use npm here.", "Never commit generated files.", False),
    ],
)
def test_contradictions_are_symmetric(a: str, b: str, expected: bool) -> None:
    assert contradicts(a, b) is expected and contradicts(b, a) is expected


def test_anchors_are_the_precise_names_of_a_text() -> None:
    text = "Pytest needs PYTHONPATH=src; without it `uv run pytest` raises ModuleNotFoundError."
    assert anchors(text) == {"pythonpath=src", "uv run pytest", "modulenotfounderror"}
    assert anchors("Run the tests before you push.") == frozenset()
    assert anchor_overlap("set PYTHONPATH=src", "PYTHONPATH=src is needed") == 1.0
    assert anchor_overlap("set PYTHONPATH=src", "set MYPYPATH=src") == 0.0
