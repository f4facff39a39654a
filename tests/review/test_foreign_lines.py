"""A block another ledger wrote (a teammate's data dir, committed with the file): its lines
stay as they are, with their evidence files; this ledger changes only the lines it owns."""

from __future__ import annotations

from pathlib import Path

from metis_distill.curate.select import Scope, budgeted, lessons_for
from metis_distill.ledger import Ledger, LessonStatus
from metis_distill.render.claude_md import (
    SECTION_TITLES,
    RenderedLine,
    Section,
    find_block,
    render_block,
    splice,
)
from metis_distill.render.evidence import note_link, note_name, notes_folder
from metis_distill.review.git import commit_on_branch
from metis_distill.review.plan import foreign_ids
from metis_distill.review.proposal import accept, make_plan
from metis_distill.statuses import Change, PublishStatus
from tests.review.test_git import git
from tests.review.test_hand_edit_summary import publish
from tests.review.test_items import DECISION, FAILURE, GOTCHA, ids_in

# What a teammate's ledger rendered: (lesson id, kind, words); ids this ledger never made.
TEAMMATE = (
    ("a1b2c3d4e5", "gotcha", "The dev server listens on port 5173, not 3000."),
    ("b2c3d4e5f6", "decision", "Dates are stored as UTC ISO strings."),
)


def note_text(lesson_id: str) -> str:
    return f"lesson {lesson_id}\nkind gotcha\narchive x.jsonl#L1-L2\nsha 0\nsession s\nquote q\nq\n"


def teammates_block(target: Path, lessons: tuple[tuple[str, str, str], ...] = TEAMMATE) -> None:
    """The target as the teammate committed it: their block, and their evidence files."""
    sections = [
        Section(
            title,
            tuple(
                RenderedLine(i, words, note_link(target.name, i, 1), 2)
                for i, kind, words in lessons
                if SECTION_TITLES[kind] == title
            ),
        )
        for title in SECTION_TITLES.values()
    ]
    target.write_text(splice(target.read_text(), render_block(sections)))
    folder = notes_folder(target)
    folder.mkdir(parents=True, exist_ok=True)
    for lesson_id, _, _ in lessons:
        (folder / note_name(lesson_id)).write_text(note_text(lesson_id))


def teammate_lines(target: Path) -> list[str]:
    ours = {i for i, _, _ in TEAMMATE}
    return [x for x in target.read_text().splitlines() if any(f"/{i}.txt#" in x for i in ours)]


def test_foreign_ids_are_the_ids_of_the_block_this_ledger_holds_no_lesson_of(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, _ = world
    teammates_block(target, (*TEAMMATE, (GOTCHA, "gotcha", "Vitest runs in node.")))
    assert foreign_ids(ledger, target.read_text()) == {i for i, _, _ in TEAMMATE}
    assert foreign_ids(ledger, "# no block\n") == frozenset()


def test_a_teammates_lines_are_kept_and_never_an_item(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, _ = world
    teammates_block(target)
    theirs = teammate_lines(target)
    chosen = budgeted(lessons_for(ledger, Scope(None)), 10)

    plan = make_plan(target, chosen, foreign=foreign_ids(ledger, target.read_text()))

    assert plan is not None
    assert [i.change for i in plan.items] == [Change.ADDED] * 3  # ours added, none removed
    assert {i.id for i in plan.items} == {GOTCHA, FAILURE, DECISION}
    assert set(plan.foreign) == set(theirs)
    assert all(line in plan.proposed.splitlines() for line in theirs)  # byte for byte


def test_a_block_of_only_another_ledgers_lines_gets_no_proposal(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, _ = world
    teammates_block(target)
    assert make_plan(target, {}, foreign=foreign_ids(ledger, target.read_text())) is None


def test_a_fresh_ledger_proposes_nothing_for_a_teammates_block(tmp_path: Path) -> None:
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    target.write_text("# Repo\n")
    teammates_block(target)
    before = target.read_text()
    ledger = Ledger.at(tmp_path / "fresh")

    made = publish(ledger, target, tmp_path)

    assert (made.status, made.removed) == (PublishStatus.NOTHING, 0)
    assert target.read_text() == before


def test_this_ledgers_retired_line_goes_and_the_teammates_stay(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    teammates_block(target)
    publish(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    ledger.set_status([DECISION], LessonStatus.RETIRED)

    made = publish(ledger, target, tmp)

    assert made.proposal_id is not None and made.removed == 1
    items = ledger.proposal_items(made.proposal_id)
    assert [(i.change, i.lesson_id) for i in items] == [(Change.RETIRED, DECISION)]
    accept(ledger, tmp / "locks", target)
    assert set(ids_in(target)) == {GOTCHA, FAILURE, *(i for i, _, _ in TEAMMATE)}


def test_accept_keeps_the_teammates_lines_and_evidence_files_and_says_so(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    teammates_block(target)
    theirs = teammate_lines(target)
    folder = notes_folder(target)
    notes_before = {p.name: p.read_bytes() for p in folder.iterdir()}

    made = publish(ledger, target, tmp)
    assert made.proposal_id is not None and (made.added, made.removed) == (3, 0)
    report = Path(made.folder or "", "report.md").read_text()
    said = "2 lines of the block come from another ledger: kept as they are"
    assert said in report
    assert said in Path(made.folder or "", "report.html").read_text()
    accept(ledger, tmp / "locks", target, [1])  # one item only: the rest of the block as it is

    assert all(line in target.read_text().splitlines() for line in theirs)
    for name, data in notes_before.items():
        assert (folder / name).read_bytes() == data
    accept(ledger, tmp / "locks", target)
    assert all(line in target.read_text().splitlines() for line in theirs)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in notes_before} == (
        notes_before
    )
    assert len(ids_in(target)) == 5
    assert publish(ledger, target, tmp).proposal_id is None  # settled


def test_a_large_teammates_block_does_not_trip_the_removal_tripwire(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    many = tuple((f"c{n:09d}", "gotcha", f"Teammate's gotcha number {n}.") for n in range(8))
    teammates_block(target, many)

    made = publish(ledger, target, tmp)

    assert made.status == PublishStatus.CREATED and not made.reasons
    assert (made.added, made.removed) == (3, 0)
    block = find_block(Path(made.folder or "", "proposed.md").read_text())
    assert block is not None and set(block.ids) >= {i for i, _, _ in many}


def test_a_pull_request_keeps_the_teammates_lines_and_evidence_files(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    root = target.parent
    teammates_block(target)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the team's block")
    made = publish(ledger, target, tmp)
    assert made.proposal_id is not None

    branch = commit_on_branch(ledger, target).branch

    committed = git(root, "show", f"{branch}:CLAUDE.md").splitlines()
    assert all(line in committed for line in teammate_lines(target))
    changed = git(root, "diff", "--name-status", "main", branch).splitlines()
    assert not [x for x in changed if not x.startswith("A") and "CLAUDE.md" not in x]
    for lesson_id, _, _ in TEAMMATE:
        note = f".metis/CLAUDE/{note_name(lesson_id)}"
        assert git(root, "show", f"{branch}:{note}") + "\n" == note_text(lesson_id)
