"""A data dir moved with `mv` between two commands: review, accept, search and the next distill
carry on from where it is now (no traceback, no dead link, nothing read or counted twice)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import EvidenceRow, FileRow, Ledger, MetaRow
from metis_distill.ledger.moves import DATA_DIR
from metis_distill.provenance import resolve_line
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
runner = CliRunner()
ARCHIVE = FIXTURES / "claude_code"
LINK = re.compile(r"\((\.metis/[^)]+)\)")


def metis(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def distill(target: Path, data: Path) -> str:
    return metis(
        "distill", "--archive", str(ARCHIVE), "--target", str(target), "--all-projects",
        "--data-dir", str(data),
    )  # fmt: skip


def evidence_roots(data: Path) -> dict[str, int]:
    with Ledger.at(data) as ledger, ledger.session() as db:
        roots = list(db.scalars(select(EvidenceRow.archive_root)))
        roots += list(db.scalars(select(FileRow.archive_root)))
    return {root: roots.count(root) for root in set(roots)}


def forget_data_dir(data: Path) -> None:
    """The ledger as a metis made it before it kept its data dir."""
    with Ledger.at(data) as ledger, ledger.session() as db:
        db.delete(db.get(MetaRow, DATA_DIR))


@pytest.mark.parametrize("made_before", [False, True], ids=["recorded", "made-before"])
def test_a_moved_data_dir_is_reviewed_accepted_and_distilled_again(
    tmp_path: Path, made_before: bool
) -> None:
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    target.write_text("# Repo\n")
    data, moved = tmp_path / "data", tmp_path / "data2"
    distill(target, data)
    counts = evidence_roots(data)
    if made_before:
        forget_data_dir(data)
    data.rename(moved)

    shown = metis("review", "--data-dir", str(moved), "--target", str(target))
    assert "1. added" in shown
    metis("accept", "1", "--data-dir", str(moved), "--target", str(target))
    links = LINK.findall(target.read_text())
    assert links and all(resolve_line(link, target.parent) for link in links), links

    found = json.loads(metis("search", "pytest", "--json", "--data-dir", str(moved)))
    assert found and all(f["evidence"].startswith(f"{moved}/archive/") for f in found)

    again = distill(target, moved)
    assert "No new runs to read" in again, again
    assert evidence_roots(moved) == {str(moved / "archive"): sum(counts.values())}
