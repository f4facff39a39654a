"""The eval reads every context file a run proposes: a lesson placed in CLAUDE.local.md (a
fact of one machine) or a rules file is still a rendered line, scored against gold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from metis_distill.evaluate.replay import replay
from metis_distill.evaluate.run import evaluate, proposals
from metis_distill.ledger import Ledger
from metis_distill.render.claude_md import find_block
from tests.curate.sessions import CWD, Bash, Say, write_session
from tests.placement.test_routing import CENTS, PYTHON, VITE, VITE_2, publish, shop  # noqa: F401

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
GOLD = """\
transcript: {transcript}
format: claude_code
lessons:
  - kind: failure
    gist: python is not on the PATH here; use python3.
    terms: [python: command not found, python3]
    fix: python3 manage.py check
    fix_terms: [python3]
    evidence: [[2, 5]]
"""


TURNS = [
    Say("user", "Check the project settings."),
    Bash("python manage.py check", "bash: line 1: python: command not found", True),
    Bash("python3 manage.py check", "System check identified no issues (0 silenced)."),
    Say("assistant", "The check passes with python3."),
]


def test_a_machine_fact_in_the_personal_file_is_scored(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, gold = tmp_path / "archive", tmp_path / "gold"
    path = write_session(archive, "aaaaaaaa", START, TURNS, cwd=CWD)
    gold.mkdir()
    (gold / "python.yaml").write_text(GOLD.format(transcript=path.relative_to(archive)))
    report = evaluate(gold, archive, tmp_path / "data", embedder)
    assert report.block["budget"]["overall"]["found"] == 1  # the line of CLAUDE.local.md
    assert report.block["no_budget"]["overall"]["found"] == 1
    assert report.rendered_lines == report.provenance_ok == 1
    assert report.block_lines > 0
    with Ledger.at(tmp_path / "data") as ledger:
        targets = {Path(p.target).relative_to(tmp_path) for p in ledger.pending_proposals()}
    assert Path("data/repo/CLAUDE.local.md") in targets  # routed there: none for CLAUDE.md
    assert Path("data/repo/CLAUDE.md") not in targets


def test_every_file_of_a_run_is_read(shop) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ledger, root, tmp = shop
    first, *_ = publish(ledger, root, tmp)
    found = proposals(ledger, first)
    ids = [frozenset(block.ids) for p in found if (block := find_block(p.text))]
    assert ids[0] == {CENTS}  # the target's first, then the rules file and the personal file
    assert set(ids[1:]) == {frozenset({VITE, VITE_2}), frozenset({PYTHON})}
    assert all((p.folder / "proposed.md").is_file() for p in found)


def test_replay_counts_the_personal_file_as_context(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """The second run's failure is covered by the lesson the first run put in
    CLAUDE.local.md: the agent reads that file too."""
    archive = tmp_path / "archive"
    write_session(archive, "aaaaaaaa", START, TURNS, cwd=CWD)
    write_session(archive, "bbbbbbbb", START + timedelta(days=1), TURNS, cwd=CWD)
    report = replay(archive, tmp_path / "data", embedder, steps=2)
    assert (report.runs, report.failures) == (2, 2)
    assert [s.covered_by_context for s in report.steps] == [0, 1]
    assert [s.lessons_in_context for s in report.steps] == [0, 1]
