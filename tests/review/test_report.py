"""The report's templates and its side-by-side diff."""

from __future__ import annotations

import pytest
from jinja2 import meta
from markdown_it import MarkdownIt

from metis_distill.review.plan import Item
from metis_distill.review.report import View, _html_environment, side_by_side
from metis_distill.templating import code_span, environment


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
    from tests.review.test_items import FAILURE, save_proposal
    from tests.review.test_report_html import CURATION_NOTES

    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    ledger.set_status([FAILURE], "retired")
    tripped = {**CURATION_NOTES, "tripwires": ["the proposal removes 33% of the block"]}
    _, row = save_proposal(ledger, target, tmp, tripped)
    report = Path(row.folder, "report.md").read_text()
    assert "> - the proposal removes 33% of the block" in report
    assert "### 1. retired (stale) · failure" in report
    assert "## Lessons not working" in report and "2 sessions since it was accepted" in report
    assert "| command_not_found | 4 | 3 | 95 s | 1 | 3 | `python -m pytest` |" in report


def test_malformed_notes_are_left_out() -> None:
    from metis_distill.review.notes import ProposalNotes, notes_of

    stored = {"recovery": "oops", "lessons_not_working": [{"id": "x"}], "retired": []}
    notes = notes_of(ProposalNotes.read(stored))
    assert notes.recovery == () and notes.retired == {}
    assert notes.not_working[0].recurrences == 0


def test_markdown_report_matches_golden_file() -> None:
    import os
    from pathlib import Path

    from metis_distill.review.notes import ProposalNotes, notes_of
    from metis_distill.review.plan import EvidenceItem
    from metis_distill.review.report import ShownItem, markdown
    from tests.review.test_report_html import CURATION_NOTES

    evidence = (
        EvidenceItem("p/s.jsonl#L4-L4", "../archive/p/s.jsonl#L4-L4", "it ran in node", "s1"),
    )
    view = View(
        proposal_id=7,
        target="/home/dev/src/demo/CLAUDE.md",
        created="2026-11-24 09:00 UTC",
        origin="distill",
        extractor="rules",
        rewind_note="",
        counts="1 line added, 1 reworded, 1 retired",
        hand_edited=True,
        learned=(("0000000003", "Run `uv run pytest -q`, never bare pytest."),),
        kept=("- A note by hand.",),
        foreign=(),
        deleted=("0000000004",),
        items=(
            ShownItem(
                1,
                "added",
                "0000000000",
                "gotcha",
                "Vitest runs in node.",
                2,
                evidence,
                "",
                "pending",
            ),
            ShownItem(
                2,
                "reworded",
                "0000000001",
                "decision",
                "Money is integer cents.",
                1,
                (),
                "Money is cents.",
                "accepted",
            ),
            ShownItem(
                3,
                "retired",
                "0000000002",
                "failure",
                "`python` is missing.",
                1,
                (),
                "",
                "rejected",
                "stale",
            ),
        ),
        diff="--- a/CLAUDE.md\n+++ b/CLAUDE.md\n@@ -1 +1 @@\n-old\n+new\n",
        rows=(),
        usage_note="",
        pending_note="",
        notes=notes_of(ProposalNotes.read(CURATION_NOTES)),
    )
    golden = Path(__file__).resolve().parent.parent / "golden" / "report.md"
    text = markdown(view)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_counts_say_line_or_lines() -> None:
    from metis_distill.review.report import _counts

    def item(n: int, change: str) -> Item:
        return Item(n, change, f"000000000{n}", "gotcha", "words", 1, ())

    assert _counts((item(1, "added"),)) == "1 line added"
    many = tuple(item(n, "added") for n in range(1, 12)) + (item(12, "retired"),)
    assert _counts(many) == "11 lines added, 1 retired"
    assert _counts(()) == "no line added, reworded or removed"


@pytest.mark.parametrize(
    "quote",
    [
        r'C:\Program Files\Git\bin\..\usr\bin\bash.exe ("\??\C:")',
        "*not emphasis* and _not_ either <b>",
        "a `tick` inside",
        "`starts and ends with ticks`",
        " padded ",
        "``double``",
    ],
)
def test_a_quote_is_a_code_span_that_markdown_shows_verbatim(quote: str) -> None:
    inline = MarkdownIt("commonmark").parseInline(code_span(quote))[0].children or []
    assert [(t.type, t.content) for t in inline] == [("code_inline", quote)]
