from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metis_distill.curate.select import Scope, budgeted, lessons_for
from metis_distill.errors import ProposalError, TargetChangedError
from metis_distill.faults import KILL_ENV
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow
from metis_distill.provenance import resolve, resolve_line
from metis_distill.render.claude_md import find_block
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import accept, make_plan, reject, save_plan
from tests.conftest import REPO


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    archive = tmp_path / "archive"
    (archive / "p").mkdir(parents=True)
    session = archive / "p" / "s.jsonl"
    session.write_text(
        "\n".join(json.dumps({"n": i, "text": f"quote number {i}"}) for i in range(1, 30)) + "\n"
    )
    ledger = Ledger.at(tmp_path / "data")
    with ledger.session() as db:
        for i, (kind, text) in enumerate(
            [
                ("gotcha", "Vitest runs in node."),
                ("failure", "`python` is missing; use `uv run python`."),
                ("decision", "Money is integer cents."),
            ]
        ):
            lid = f"{i:010d}"
            db.add(
                LessonRow(
                    id=lid,
                    kind=kind,
                    text=text,
                    status="active",
                    severity=2,
                    scope=[],
                    extractor="rules",
                    created_at=datetime.now(UTC),
                    first_seen=datetime(2026, 11, 1, tzinfo=UTC),
                    last_seen=datetime(2026, 11, 2, tzinfo=UTC),
                    fix="uv run python" if kind == "failure" else None,  # earned: fix shown
                )
            )
            db.add(
                EvidenceRow(
                    id=f"e{i:09d}",
                    lesson_id=lid,
                    archive_root=str(archive),
                    path="p/s.jsonl",
                    line_start=i + 1,
                    line_end=i + 2,
                    quote=f"quote number {i + 1}",
                    session_id="s1",
                    cwd="/home/dev/src/demo",
                    timestamp=datetime(2026, 11, 1, tzinfo=UTC),
                )
            )
    repo = tmp_path / "repo"
    repo.mkdir()
    target = repo / "CLAUDE.md"
    target.write_text("# Demo\n\nHuman notes.\n")
    return ledger, target, tmp_path


def _plan(ledger: Ledger, target: Path):  # type: ignore[no-untyped-def]
    return make_plan(target, budgeted(lessons_for(ledger, Scope(None)), 10))


def files_beside(target: Path) -> list[str]:
    """Every file of the target's folder, relative to it: the target and its evidence files
    only, once an accept is done (no temp file, no evidence file that no line needs)."""
    return sorted(
        p.relative_to(target.parent).as_posix() for p in target.parent.rglob("*") if p.is_file()
    )


def evidence_files_needed(target: Path) -> list[str]:
    """CLAUDE.md and the evidence file of each line of its block, each resolving from the
    file alone (the quote named in its header, on the linked lines)."""
    block = find_block(target.read_text())
    ids = block.ids if block else ()
    for line in target.read_text().splitlines():
        for link in re.findall(r"\]\((\.metis/[^)]+)\)", line):
            assert resolve_line(link, target.parent), link
    return sorted([target.name, *(f".metis/{target.stem}/{i}.txt" for i in ids)])


def test_plan_links_resolve_and_human_text_stays(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, _ = world
    plan = _plan(ledger, target)
    assert plan is not None and plan.proposed.startswith("# Demo\n\nHuman notes.\n")
    assert [i.change for i in plan.items] == ["added"] * 3
    for item in plan.items:
        for ev in item.evidence:
            assert resolve(ev.link, ev.quote, target.parent)
    assert "+- Vitest runs in node." in plan.diff


def test_scope_filters_runs_of_other_projects(world) -> None:  # type: ignore[no-untyped-def]
    ledger, _, _ = world
    assert lessons_for(ledger, Scope("/home/dev/src/other")) == []
    assert len(lessons_for(ledger, Scope("/home/dev/src"))) == 3


def test_save_accept_and_rerun(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    row, created = save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    assert created and Path(row.folder, "report.md").is_file()
    again, created_again = save_plan(
        _plan(ledger, target), ledger, tmp / "proposals", ProposalNotes()
    )
    assert not created_again and again.id == row.id
    before = target.read_text()
    assert target.read_text() == before  # distill/propose never edits the target
    accept(ledger, tmp / "locks", target)
    text = target.read_text()
    assert text.startswith(before) and find_block(text) is not None
    assert [v.reason for v in ledger.versions(str(target.resolve()))] == ["before", "accepted"]
    assert _plan(ledger, target) is None  # nothing left to propose


def test_accept_refuses_a_target_changed_since(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    target.write_text("# Demo\n\nSomeone edited this meanwhile.\n")
    with pytest.raises(TargetChangedError):
        accept(ledger, tmp / "locks", target)
    assert target.read_text() == "# Demo\n\nSomeone edited this meanwhile.\n"


def test_crash_between_write_and_rename_leaves_target_intact(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    before = target.read_bytes()

    def crash(*_: object) -> None:
        raise OSError("disk yanked")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        accept(ledger, tmp / "locks", target)
    assert target.read_bytes() == before
    assert files_beside(target) == ["CLAUDE.md"]  # no temp file, no evidence file
    assert ledger.pending_proposals()  # still waits: nothing was decided


def test_reject_remembers_lessons(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    row = reject(ledger, tmp / "locks", target).row
    assert row.status == "rejected"
    assert sorted(row.lesson_ids) == ["0000000000", "0000000001", "0000000002"]
    assert {r.status for r in ledger.lessons()} == {"rejected"}
    assert _plan(ledger, target) is None
    with pytest.raises(ProposalError):
        reject(ledger, tmp / "locks", target)


def test_missing_target_is_created_only_with_content(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    new = target.parent / "sub" / "CLAUDE.md"
    assert make_plan(new, {"gotcha": [], "failure": [], "decision": []}) is None
    assert _plan(ledger, new) is not None


ACCEPT_IN_A_PROCESS = """
import sys
from pathlib import Path
from metis_distill.ledger import Ledger
from metis_distill.review.proposal import accept
data, target = map(Path, sys.argv[1:3])
accept(Ledger.at(data), data / "locks", target, [int(n) for n in sys.argv[3:]])
"""


def _killed_accept(data: Path, target: Path, point: str, numbers: list[int]) -> None:
    args = [sys.executable, "-c", ACCEPT_IN_A_PROCESS, str(data), str(target)]
    env = {**os.environ, KILL_ENV: point}
    done = subprocess.run([*args, *map(str, numbers)], cwd=REPO, env=env, capture_output=True)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]


@pytest.mark.parametrize("numbers", [[], [2]], ids=["whole", "one-item"])
@pytest.mark.parametrize("point", ["write:renaming", "accept:intent", "accept:renamed"])
def test_an_accept_killed_around_the_rename_is_finished_by_the_next_command(
    world,  # type: ignore[no-untyped-def]
    point: str,
    numbers: list[int],
) -> None:
    ledger, target, tmp = world
    row, _ = save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    _killed_accept(tmp / "data", target, point, numbers)
    renamed = point == "accept:renamed"
    assert (target.read_text() != "# Demo\n\nHuman notes.\n") == renamed
    decision = accept(ledger, tmp / "data" / "locks", target, numbers)  # the same, again
    assert decision.recovered == renamed and decision.written
    assert files_beside(target) == evidence_files_needed(target)  # no temp file
    versions = ledger.versions(str(target.resolve()))
    assert [v.reason for v in versions] == ["before", "accepted"]
    assert versions[-1].content == target.read_text()
    items = ledger.proposal_items(row.id)
    assert [i.number for i in items if i.decision == "accepted"] == (numbers or [1, 2, 3])
    if numbers:  # the rest still waits, on the file as written
        assert [p.id for p in ledger.pending_proposals()] == [row.id]
        assert accept(ledger, tmp / "data" / "locks", target).remaining == 0
    assert ledger.pending_proposals() == []
    assert {lesson.status for lesson in ledger.lessons()} == {"active"}
    assert files_beside(target) == evidence_files_needed(target)


def test_a_reject_after_an_interrupted_accept_does_not_undo_it(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    _killed_accept(tmp / "data", target, "accept:renamed", [])
    with pytest.raises(
        ProposalError, match="no pending proposal for .*: proposal #1 was accepted already"
    ):
        reject(ledger, tmp / "data" / "locks", target)  # nothing left to refuse: it was accepted
    assert {lesson.status for lesson in ledger.lessons()} == {"active"}
    assert [v.reason for v in ledger.versions(str(target.resolve()))] == ["before", "accepted"]


def test_no_proposal_for_this_file_names_the_one_waiting_for_another(world) -> None:  # type: ignore[no-untyped-def]
    """Distill proposed for the personal file only: the team file's `accept` names it."""
    ledger, target, tmp = world
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    other = target.with_name("AGENTS.md")
    with pytest.raises(
        ProposalError, match=r"no pending proposal for .*AGENTS\.md; waiting: #1 for .*"
    ) as told:
        accept(ledger, tmp / "data" / "locks", other)
    assert told.value.hint == "name it with --target FILE"
    assert str(target.resolve()) in str(told.value)
