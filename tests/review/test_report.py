"""The report's templates and its side-by-side diff."""

from __future__ import annotations

import pytest
from jinja2 import meta

from metis_distill.review.plan import Item
from metis_distill.review.report import View, _html_environment, side_by_side
from metis_distill.templating import environment


@pytest.mark.parametrize(
    ("name", "env"),
    [("report.md.j2", environment), ("report.html.j2", _html_environment)],
)
def test_every_variable_a_report_template_uses_is_provided(name, env) -> None:  # type: ignore[no-untyped-def]
    source = env().loader.get_source(env(), name)[0]
    used = meta.find_undeclared_variables(env().parse(source))
    assert used and used <= set(View.__dataclass_fields__)


def test_side_by_side_pairs_lines_and_names_their_items() -> None:
    before = "a\nb\n- old <!-- metis:0000000001 -->\nc\n"
    after = "a\nb\n- new <!-- metis:0000000001 -->\n- more <!-- metis:0000000002 -->\nc\n"
    items = (
        Item(1, "reworded", "0000000001", "gotcha", "new", 1, (), "old"),
        Item(2, "added", "0000000002", "gotcha", "more", 1, ()),
    )
    rows = side_by_side(before, after, items)
    changed = [(r.kind, r.left, r.right, r.item) for r in rows if r.kind != "same"]
    assert changed == [
        ("change", "- old <!-- metis:0000000001 -->", "- new <!-- metis:0000000001 -->", 1),
        ("add", "", "- more <!-- metis:0000000002 -->", 2),
    ]
    assert [r.left_no for r in rows if r.kind == "same"] == [1, 2, 4]


def test_curation_notes_reach_the_markdown_report(world) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from metis_distill.review.proposal import accept
    from tests.review.test_items import FAILURE, propose
    from tests.review.test_report_html import CURATION_NOTES

    ledger, target, tmp = world
    propose(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    ledger.set_status([FAILURE], "retired")
    tripped = {**CURATION_NOTES, "tripwires": ["the proposal removes 33% of the block"]}
    _, row = propose(ledger, target, tmp, tripped)
    report = Path(row.folder, "report.md").read_text()
    assert "> - the proposal removes 33% of the block" in report
    assert "### 1. retired (stale) · failure" in report
    assert "## Lessons not working" in report and "2 sessions since it was accepted" in report
    assert "| command_not_found | 4 | 3 | 95 s | 1 | 3 | `python -m pytest` |" in report


def test_malformed_notes_are_left_out() -> None:
    from metis_distill.review.notes import notes_of

    notes = notes_of({"recovery": "oops", "lessons_not_working": [{"id": "x"}], "retired": []})
    assert notes.recovery == () and notes.retired == {}
    assert notes.not_working[0].recurrences == 0
