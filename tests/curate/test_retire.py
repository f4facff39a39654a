"""Retirement on the project's own clock, and budgets, on a real ledger and index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from metis_distill.curate.merge import curate
from metis_distill.curate.retire import retire_stale, same_project
from metis_distill.curate.select import BLOCK_OVERHEAD_LINES, Budget, budgeted
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger, LessonView
from metis_distill.models import Evidence, LessonCandidate, LessonKind, SourceRef

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def seen(text: str, day: int, cwd: str, session: str) -> LessonCandidate:
    ref = SourceRef(f"p/{session}.jsonl", 1, 1)
    evidence = Evidence(ref, text[:20], session, T0 + timedelta(days=day))
    return LessonCandidate(LessonKind.GOTCHA, text, evidence, 2, (), cwd)


@pytest.fixture
def stores(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    ledger = Ledger.at(tmp_path / "data")
    yield ledger, LessonIndex(tmp_path / "data" / "index", embedder)
    ledger.close()


def test_stale_on_its_own_projects_clock_and_back_when_seen_again(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    old = "Turns out the CSV export uses semicolons as separators."
    quiet = "Turns out the legacy app only builds with Java 8."
    curate(
        [
            seen(old, 0, "/src/shop", "s1"),
            seen("Turns out the cart total rounds half up.", 300, "/src/shop", "s2"),
            seen(quiet, 0, "/src/legacy", "s3"),  # a project nobody touched since: kept
        ],
        ledger,
        index,
        archive_root="/a",
    )
    stats = retire_stale(ledger, days=180)
    assert [ledger.lesson(i).text for i in stats.stale] == [old]  # type: ignore[union-attr]
    row = ledger.lesson(stats.stale[0])
    assert row is not None and (row.status, row.retired_reason) == ("retired", "stale")
    assert len(ledger.lessons(status="active")) == 2

    curate([seen(old, 310, "/src/shop", "s4")], ledger, index, archive_root="/a")
    again = retire_stale(ledger, days=180)
    assert again.revived == stats.stale and len(ledger.lessons(status="active")) == 3
    assert retire_stale(ledger, days=400).stale == []


def test_same_project_means_one_cwd_inside_the_other() -> None:
    assert same_project(["/src/shop"], ["/src/shop/web"])
    assert not same_project(["/src/shop"], ["/src/legacy"])
    assert same_project([None], ["/src/legacy"])  # unknown: from anywhere


def view(i: int, kind: str, support: int, text: str = "x" * 40) -> LessonView:
    from metis_distill.ledger import EvidenceRow

    evidence = tuple(
        EvidenceRow(id=f"{i}-{s}", lesson_id=f"{i:010d}", session_id=f"s{s}")
        for s in range(support)
    )
    return LessonView(f"{i:010d}", kind, text, "active", 2, None, None, evidence)


def test_the_whole_block_has_a_line_budget_and_the_weakest_go() -> None:
    lessons = [view(i, ("gotcha", "failure", "decision")[i % 3], support=1 + i) for i in range(60)]
    chosen = budgeted(lessons, Budget(per_section=20, block_lines=BLOCK_OVERHEAD_LINES + 30))
    shown = [v for items in chosen.values() for v in items]
    assert len(shown) == 30
    assert min(v.support for v in shown) > max(v.support for v in lessons if v not in shown)


def test_a_token_budget_counts_the_length_of_lines() -> None:
    short = [view(i, "gotcha", 10 - i, "y" * 20) for i in range(5)]
    long = [view(10 + i, "gotcha", 5 - i, "z" * 400) for i in range(3)]
    budget = Budget(unit="tokens", per_section=200)
    taken = budgeted([*short, *long], budget)["gotcha"]
    assert [v.id for v in taken] == [v.id for v in short]  # 5 x 25 tokens; a long one is 120
    assert sum(budget.cost(v) for v in taken) <= 200
