"""Item-by-item review through the CLI and the real flow: hand edits survive the next distill."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import Ledger
from metis_distill.render.claude_md import find_block
from metis_distill.render.parse import parse_block
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
runner = CliRunner()
HUMAN = "# Shop\n\nWritten by people: keep it.\n"


def metis(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def distill(target: Path, data: Path) -> str:
    return metis(
        "distill", "--archive", str(SAMPLE), "--target", str(target), "--all-projects",
        "--data-dir", str(data),
    )  # fmt: skip


def lines_of(target: Path) -> dict[str, str]:
    block = find_block(target.read_text())
    assert block is not None
    return {x.id: x.text for s in parse_block(block.body) for x in s.lines if x.id}


def test_review_by_item_and_hand_edits_survive_the_next_distill(tmp_path: Path) -> None:
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    target.write_text(HUMAN)
    data = tmp_path / "data"
    distill(target, data)
    ledger = Ledger.at(data)
    (row,) = ledger.pending_proposals()
    items = ledger.proposal_items(row.id)
    assert len(items) >= 10 and {i.change for i in items} == {"added"}

    shown = metis("review", "--data-dir", str(data))
    assert "1. added" in shown and "Evidence" in shown and "metis accept 1 3" in shown
    assert metis("review", "--html", "--data-dir", str(data)).strip().endswith("report.html")

    assert "Rejected item 2 of proposal" in metis("reject", "2", "--data-dir", str(data))
    out = metis("accept", "1", "3", "--data-dir", str(data))
    assert "Accepted items 1, 3" in out and "still wait" in out
    assert set(lines_of(target)) == {items[0].lesson_id, items[2].lesson_id}
    metis("accept", "4", "--all", "--data-dir", str(data), code=2)  # numbers or --all
    metis("accept", "--all", "--data-dir", str(data))
    shown_ids = set(lines_of(target))
    assert items[1].lesson_id not in shown_ids  # refused, so never written
    assert shown_ids == {i.lesson_id for i in items} - {items[1].lesson_id}
    assert target.read_text().startswith(HUMAN)

    # a person rewords one line inside the block: the next distill keeps it, and learns it
    first = items[0].lesson_id
    old = lines_of(target)[first]
    mine = "Checked by hand: " + old
    target.write_text(target.read_text().replace(f"- {old} [", f"- {mine} ["))
    assert "still waits" not in distill(target, data)
    assert lines_of(Path(ledger.pending_proposals()[0].folder, "proposed.md"))[first] == mine
    assert ledger.lesson(first).text == mine  # type: ignore[union-attr]
    metis("accept", "--data-dir", str(data))
    assert lines_of(target)[first] == mine
    assert "No change to propose" in distill(target, data)
    assert items[1].lesson_id not in lines_of(target)
