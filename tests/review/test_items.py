"""Review item by item: accept some, reject others, and hand edits inside the block win."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from metis_distill.errors import ProposalError, TargetChangedError
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow
from metis_distill.render.claude_md import find_block
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import accept, reject, save_plan
from tests.review.test_proposal import _plan, evidence_files_needed, files_beside

GOTCHA, FAILURE, DECISION = "0000000000", "0000000001", "0000000002"


def save_proposal(ledger: Ledger, target: Path, tmp: Path, summary: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    """A proposal saved with these notes (as a proposal's stored summary holds them)."""
    plan = _plan(ledger, target)
    assert plan is not None
    row, _ = save_plan(plan, ledger, tmp / "proposals", ProposalNotes.read(summary or {}))
    return plan, row


def ids_in(target: Path) -> tuple[str, ...]:
    block = find_block(target.read_text())
    return block.ids if block else ()


def add_lesson(ledger: Ledger, lesson_id: str, kind: str, text: str, line: int) -> None:
    archive = Path(ledger.evidence_of([GOTCHA])[GOTCHA][0].archive_root)
    with ledger.session() as db:
        db.add(
            LessonRow(
                id=lesson_id,
                kind=kind,
                text=text,
                status="active",
                severity=1,
                scope=[],
                extractor="rules",
                created_at=datetime.now(UTC),
            )
        )
        db.add(
            EvidenceRow(
                id=f"e{lesson_id[1:]}",
                lesson_id=lesson_id,
                archive_root=str(archive),
                path="p/s.jsonl",
                line_start=line,
                line_end=line,
                quote=f"quote number {line}",
                session_id="s2",
                cwd="/home/dev/src/demo",
                timestamp=datetime(2026, 11, 3, tzinfo=UTC),
            )
        )


def test_items_are_numbered_in_the_plan_and_the_ledger(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    plan, row = save_proposal(ledger, target, tmp)
    assert [(i.number, i.change, i.id) for i in plan.items] == [
        (1, "added", GOTCHA),
        (2, "added", FAILURE),
        (3, "added", DECISION),
    ]
    stored = ledger.proposal_items(row.id)
    assert [(i.number, i.lesson_id, i.decision) for i in stored] == [
        (1, GOTCHA, "pending"),
        (2, FAILURE, "pending"),
        (3, DECISION, "pending"),
    ]
    report = Path(row.folder, "report.md").read_text()
    assert "### 2. added · failure" in report and "metis accept 1 3" in report


def test_accepting_a_subset_writes_only_those_changes(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    human = target.read_text()
    save_proposal(ledger, target, tmp)
    decision = accept(ledger, tmp / "locks", target, [1, 3])
    assert decision.written and decision.remaining == 1 and decision.numbers == (1, 3)
    text = target.read_text()
    assert text.startswith(human)
    assert ids_in(target) == (GOTCHA, DECISION)
    assert "is missing; use `uv run python`" not in text
    assert decision.row.status == "pending"  # item 2 still waits

    # the report now says what is decided, and the diff shows only what waits
    (row,) = ledger.pending_proposals()
    report = Path(row.folder, "report.md").read_text()
    assert "### 1. added · gotcha · `0000000000` · **accepted**" in report
    diff = Path(row.folder, "diff.patch").read_text()
    assert "+- `python` is missing" in diff and "+- Vitest" not in diff

    decision = reject(ledger, tmp / "locks", target, [2])
    assert decision.remaining == 0 and decision.row.status == "accepted"
    assert target.read_text() == text  # a rejection never writes the target
    # all decided: the report says so instead of showing an empty diff
    report = Path(decision.row.folder, "report.md").read_text()
    assert "Nothing left to apply" in report and "```diff" not in report
    assert ledger.lesson(FAILURE).status == "rejected"  # type: ignore[union-attr]
    assert _plan(ledger, target) is None  # the refused line is not proposed again


def test_reject_first_then_accept_the_rest(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    human = target.read_text()
    save_proposal(ledger, target, tmp)
    decision = reject(ledger, tmp / "locks", target, [2])
    assert not decision.written and decision.remaining == 2
    assert target.read_text() == human
    decision = accept(ledger, tmp / "locks", target)  # no numbers: every item still waiting
    assert decision.numbers == (1, 3) and decision.row.status == "accepted"
    assert ids_in(target) == (GOTCHA, DECISION)
    versions = ledger.versions(str(target.resolve()))
    assert [v.reason for v in versions] == ["before", "accepted"]
    assert versions[-1].content == target.read_text()


def test_accepting_everything_writes_the_reviewed_file_byte_for_byte(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, row = save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target, [1])
    accept(ledger, tmp / "locks", target, [2, 3])  # in two steps, as one
    assert target.read_bytes() == Path(row.folder, "proposed.md").read_bytes()


def test_bad_numbers_are_refused_clearly(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    with pytest.raises(ProposalError, match=r"has no item 7 \(its items are 1-3\)"):
        accept(ledger, tmp / "locks", target, [7])
    reject(ledger, tmp / "locks", target, [1])
    with pytest.raises(ProposalError, match=r"already decided: item 1 \(rejected\)"):
        accept(ledger, tmp / "locks", target, [1, 2])
    assert not find_block(target.read_text())  # nothing was written by the refused calls


def test_a_target_changed_between_two_accepts_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target, [1])
    target.write_text(target.read_text() + "\nA note added meanwhile.\n")
    with pytest.raises(TargetChangedError):
        accept(ledger, tmp / "locks", target, [2])
    assert target.read_text().endswith("A note added meanwhile.\n")


def test_hand_edits_inside_the_block_are_kept_and_learned(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    text = target.read_text()
    edited = text.replace(
        "- Vitest runs in node.", "- Vitest runs in node; set `environment: jsdom` per file."
    ).replace(
        "### Failures to avoid\n",
        "### Failures to avoid\n- Ask Ana before touching the billing tests.\n",
    )
    assert edited != text
    target.write_text(edited)
    assert find_block(edited).hand_edited  # type: ignore[union-attr]
    add_lesson(ledger, "00000000aa", "gotcha", "Ports below 1024 need root.", 5)

    plan, row = save_proposal(ledger, target, tmp)
    assert [(i.change, i.id) for i in plan.items] == [("added", "00000000aa")]
    assert plan.learned == ((GOTCHA, "Vitest runs in node; set `environment: jsdom` per file."),)
    assert "- Vitest runs in node; set `environment: jsdom` per file. [1](" in plan.proposed
    assert "- Ask Ana before touching the billing tests.\n" in plan.proposed
    # the ledger learned the new wording, and remembers the old one
    assert ledger.lesson(GOTCHA).text.endswith("per file.")  # type: ignore[union-attr]
    (wording,) = ledger.wordings(GOTCHA)
    assert (wording.before, wording.how) == ("Vitest runs in node.", "hand-edit")
    assert "Kept your edits" in Path(row.folder, "report.md").read_text()

    accept(ledger, tmp / "locks", target)
    after = target.read_text()
    assert "set `environment: jsdom` per file." in after and "Ask Ana" in after
    assert "Ports below 1024 need root." in after
    assert not find_block(after).hand_edited  # type: ignore[union-attr]
    assert _plan(ledger, target) is None  # settled: nothing more to propose


def test_a_hand_edit_alone_makes_a_proposal_without_items(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    target.write_text(target.read_text().replace("integer cents.", "integer cents, always."))
    plan, _ = save_proposal(ledger, target, tmp)
    assert plan.items == () and plan.learned == ((DECISION, "Money is integer cents, always."),)
    decision = accept(ledger, tmp / "locks", target)
    assert decision.row.status == "accepted"
    assert "integer cents, always." in target.read_text()
    assert _plan(ledger, target) is None


def test_a_rewording_is_an_item_and_refusing_it_keeps_the_old_words(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    with ledger.session() as db:
        db.get(LessonRow, FAILURE).text = "`python` is absent: run `uv run python`."  # type: ignore[union-attr]
    plan, _ = save_proposal(ledger, target, tmp)
    (item,) = plan.items
    assert (item.change, item.before, item.text) == (
        "reworded",
        "`python` is missing; use `uv run python`.",
        "`python` is absent: run `uv run python`.",
    )
    reject(ledger, tmp / "locks", target, [1])
    assert ledger.lesson(FAILURE).text == "`python` is missing; use `uv run python`."  # type: ignore[union-attr]
    assert _plan(ledger, target) is None


def test_a_retired_line_is_an_item_with_its_evidence(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    ledger.set_status([FAILURE], "retired")
    _, row = save_proposal(ledger, target, tmp)
    (item,) = ledger.proposal_items(row.id)
    assert (item.change, item.lesson_id) == ("retired", FAILURE)
    report = Path(row.folder, "report.md").read_text()
    assert "### 1. retired · failure" in report and "quote number 2" in report
    reject(ledger, tmp / "locks", target, [1])
    assert FAILURE in ids_in(target)  # refused: the line stays
    assert ledger.lesson(FAILURE).status == "active"  # type: ignore[union-attr]
    assert _plan(ledger, target) is None  # and is not proposed for retirement again


def test_a_line_deleted_by_hand_stays_deleted(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    text = target.read_text()
    line = next(x for x in text.splitlines() if f"/{FAILURE}.txt#" in x)
    target.write_text(text.replace(line + "\n", ""))
    add_lesson(ledger, "00000000aa", "gotcha", "Ports below 1024 need root.", 5)
    plan, row = save_proposal(ledger, target, tmp)
    # the deleted line is not proposed again; the other change is item 1
    assert [(i.number, i.lesson_id) for i in ledger.proposal_items(row.id)] == [(1, "00000000aa")]
    assert FAILURE not in Path(row.folder, "proposed.md").read_text()
    assert ledger.lesson(FAILURE).status == "rejected"  # type: ignore[union-attr]
    assert "Kept your deletions" in Path(row.folder, "report.md").read_text()
    accept(ledger, tmp / "locks", target, [1])
    assert set(ids_in(target)) == {"00000000aa", GOTCHA, DECISION}
    assert _plan(ledger, target) is None
    assert files_beside(target) == evidence_files_needed(target)  # its evidence file went too


def test_a_hand_edit_with_odd_spacing_settles_after_one_proposal(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    target.write_text(target.read_text().replace("integer cents.", "integer   cents,  always."))
    plan, _ = save_proposal(ledger, target, tmp)
    assert plan.learned == ((DECISION, "Money is integer cents, always."),)
    accept(ledger, tmp / "locks", target)
    assert "integer   cents,  always." in target.read_text()  # as the person wrote it
    assert _plan(ledger, target) is None  # and no rewording proposed afterwards


def test_a_secret_typed_into_the_block_is_not_learned_or_reported(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    key = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
    text = target.read_text().replace("integer cents.", f"integer cents ({key}).")
    target.write_text(text.replace("### Decisions\n", "### Decisions\n- A note by hand.\n"))
    _, row = save_proposal(ledger, target, tmp)
    assert "([REDACTED:github_token])" in Path(row.folder, "report.html").read_text()
    assert ledger.lesson(DECISION).text == "Money is integer cents ([REDACTED:github_token])."  # type: ignore[union-attr]
    for name in ("report.md", "report.html", "proposal.json"):
        assert key not in Path(row.folder, name).read_text()
