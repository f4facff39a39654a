"""One committed CLAUDE.md, two people, two data dirs: neither one's `distill` removes the
other's lines or evidence files (through the CLI, in a real git repository and its clone)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from metis_distill.ledger import Ledger
from metis_distill.render.claude_md import find_block
from metis_distill.render.evidence import notes_folder
from tests.conftest import SAMPLE
from tests.test_cli_e2e import HUMAN, distill, metis

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
IDENTITY = ["-c", "user.name=Ana", "-c", "user.email=ana@example.invalid"]


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *IDENTITY, *args], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def archive_of(project: str, where: Path) -> Path:
    """An archive holding one project of the sample's."""
    shutil.copytree(SAMPLE / "projects" / project, where / "projects" / project)
    return where


def lines_of(target: Path) -> list[str]:
    block = find_block(target.read_text())
    assert block is not None
    return [x for x in block.body.splitlines() if x.startswith("- ")]


def evidence_of(target: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in notes_folder(target).iterdir()}


def test_a_teammates_distill_keeps_the_committed_block(tmp_path: Path) -> None:
    ana_repo, ana_data = tmp_path / "ana" / "repo", tmp_path / "ana" / "data"
    ana_repo.mkdir(parents=True)
    git(ana_repo, "init", "-q", "-b", "main")
    target = ana_repo / "CLAUDE.md"
    target.write_text(HUMAN)
    anas_archive = archive_of("-home-dev-src-ledgerline", tmp_path / "ana-archive")
    distill(anas_archive, target, ana_data)
    metis("accept", "--target", str(target), "--data-dir", str(ana_data))
    git(ana_repo, "add", "-A")
    git(ana_repo, "commit", "-q", "-m", "lessons")
    anas_lines, anas_evidence = lines_of(target), evidence_of(target)
    assert anas_lines

    bo_repo, bo_data = tmp_path / "bo" / "repo", tmp_path / "bo" / "data"
    git(tmp_path, "clone", "-q", str(ana_repo), str(bo_repo))
    theirs = bo_repo / "CLAUDE.md"
    said = distill(archive_of("-home-dev-src-shopfront", tmp_path / "bo-archive"), theirs, bo_data)

    kept = f"{len(anas_lines)} lines of the block come from another ledger: kept as they are"
    assert "0 removed" in said and kept in metis("review", "--data-dir", str(bo_data))
    ledger = Ledger.at(bo_data)
    (row,) = ledger.pending_proposals(str(theirs.resolve()))
    assert {i.change for i in ledger.proposal_items(row.id)} == {"added"}
    ledger.close()
    metis("accept", "--target", str(theirs), "--data-dir", str(bo_data))
    assert set(anas_lines) < set(lines_of(theirs))
    assert evidence_of(theirs).items() >= anas_evidence.items()  # Ana's files, byte for byte
    git(bo_repo, "add", "-A")
    git(bo_repo, "commit", "-q", "-m", "bo's lessons")
    both = lines_of(theirs)

    git(ana_repo, "pull", "-q", "--ff-only", str(bo_repo), "main")
    again = distill(anas_archive, target, ana_data)
    assert "No change to propose" in again
    assert lines_of(target) == both
    assert git(ana_repo, "status", "--porcelain") == ""
