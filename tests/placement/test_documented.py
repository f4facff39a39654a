"""Already documented is not proposed: the repository's context files (outside their managed
blocks), its rules and its READMEs are read, and a lesson they state is left out, said so."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.placement.documented import already_documented, documents, statements, states
from metis_distill.review.proposal import accept_waiting
from tests.placement.test_locality import lesson
from tests.placement.test_routing import CENTS, VITE, VITE_2, publish, shop  # noqa: F401

PYTHON = "`python` is not on the PATH here (“python: command not found”); use `python3 …` instead."
CENTS_TEXT = "Money is integer cents, never floats."


@pytest.mark.parametrize(
    ("document", "text", "stated"),
    [
        ("There is no `python` on our machines: use `python3` for every script.", PYTHON, True),
        ("Create the venv with `python3 -m venv .venv`.", PYTHON, False),  # python3 only
        ("- Keep money in integer cents; floats are never allowed.", CENTS_TEXT, True),
        ("- Money goes through the billing service.", CENTS_TEXT, False),
        (  # most of its words: the detail the lesson adds (VAT) changes nothing
            "Keep money in integer cents, never floats: rounding broke totals before.",
            "Keep money as integer cents, never floats, because rounding broke the totals "
            "before (the VAT mess in the summer).",
            True,
        ),
        (  # most of the words, but another program: the key terms decide
            "`python` is not on the PATH here; use `python3` instead.",
            "`node` is not on the PATH here; use `nodejs` instead.",
            False,
        ),
        ("| Accessibility | WCAG 2.1 level AA |", "Accessibility level: WCAG 2.1 Level AA.", True),
        ("We aim for WCAG 2.2 AA.", "Accessibility level: WCAG 2.1 Level AA.", False),
        ("```\nuse python3, never python\n```", PYTHON, False),  # code blocks state nothing
    ],
)
def test_a_statement_states_a_lesson(
    tmp_path: Path, document: str, text: str, stated: bool
) -> None:
    (tmp_path / "README.md").write_text(f"# Shop\n\n{document}\n")
    known = statements(tmp_path, documents(tmp_path))
    assert any(states(s, text) for s in known) == stated


def test_the_managed_block_states_nothing(tmp_path: Path) -> None:
    block = "<!-- metis:begin sha=0 -->\n### Decisions\n- Money is integer cents, never floats. [1](.metis/CLAUDE/00000000c1.txt#L7-L8)\n<!-- metis:end -->\n"
    (tmp_path / "CLAUDE.md").write_text(f"# Shop\n\n{block}\nMore notes.\n")
    known = statements(tmp_path, documents(tmp_path))
    assert not already_documented([lesson(CENTS_TEXT)], known)
    assert [s.where for s in known] == ["CLAUDE.md:8"]  # line numbers as in the file

    (tmp_path / "CLAUDE.md").write_text(f"# Shop\n\n{block.replace('<!-- metis:end -->', '')}")
    known = statements(tmp_path, documents(tmp_path))  # its end deleted: metis's lines still
    assert not already_documented([lesson(CENTS_TEXT)], known)


def test_a_documented_lesson_is_left_out_and_the_report_says_so(shop) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ledger, root, tmp = shop
    claude = root / "CLAUDE.md"
    claude.write_text(
        "# Shop\n\nWritten by people.\n\n- Keep money in integer cents: floats are never allowed.\n"
    )
    rules = root / ".claude" / "rules"
    rules.mkdir(parents=True)
    (rules / "frontend.md").write_text("# Front end\n\nVite reads VITE_PORT, not PORT.\n")
    first, *_ = publish(ledger, root, tmp)
    assert first.status == "nothing"  # the team's one lesson is in CLAUDE.md already
    assert set(first.already_documented) == {
        f"{CENTS} (CLAUDE.md:5)",
        f"{VITE} (.claude/rules/frontend.md:3)",
    }
    assert "2 lessons left out, already documented" in (first.documented_said() or "")
    (web,) = [o for o in first.others if o.why == "tree"]
    assert web.added == 1  # the other Vite lesson is not stated anywhere
    folder = Path(ledger.proposal(web.proposal_id).folder)  # type: ignore[arg-type,union-attr]
    report = (folder / "report.md").read_text()
    assert "## Already documented" in report
    assert f"`{CENTS}` Money is integer cents" in report and "stated in `CLAUDE.md:5`" in report
    assert "Already documented" in (folder / "report.html").read_text()
    assert VITE not in (folder / "proposed.md").read_text() and VITE_2 in report

    accept_waiting(ledger, tmp / "data" / "locks")
    stated = "- Keep money in integer cents: floats are never allowed.\n"
    claude.write_text(claude.read_text().replace(stated, ""))
    again, *_ = publish(ledger, root, tmp)  # a person removed the statement: now it is proposed
    assert again.already_documented == (f"{VITE} (.claude/rules/frontend.md:3)",)
    assert again.added == 1 and CENTS in Path(again.folder or "", "proposed.md").read_text()
