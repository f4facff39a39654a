"""Refusing a line for one target never takes it out of another target that keeps it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.curate.select import Scope, budgeted, lessons_for, not_refused
from metis_distill.ledger import Ledger
from metis_distill.review.history import show
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import Plan, accept, make_plan, reject, save_plan
from tests.review.test_items import DECISION, FAILURE, GOTCHA, add_lesson, ids_in

ALL = {GOTCHA, FAILURE, DECISION}


def plan_for(ledger: Ledger, target: Path) -> Plan | None:
    """The target's plan as a publish chooses its lessons (the target's refusals left out)."""
    lessons = not_refused(lessons_for(ledger, Scope(None)), ledger, target)
    return make_plan(target, budgeted(lessons, 10))


def propose(ledger: Ledger, target: Path, tmp: Path) -> list[tuple[str, str]]:
    """The target's proposal saved: its items, (change, lesson) as stored."""
    plan = plan_for(ledger, target)
    assert plan is not None
    row, _ = save_plan(plan, ledger, tmp / "proposals", ProposalNotes())
    return [(i.change, i.lesson_id) for i in ledger.proposal_items(row.id)]


def statuses(ledger: Ledger) -> set[str]:
    return {ledger.lesson(i).status for i in ALL}  # type: ignore[union-attr]


def test_rejecting_for_a_mistyped_target_keeps_the_lines_of_the_other(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    typo = target.with_name("typo.md")
    propose(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    propose(ledger, typo, tmp)

    decision = reject(ledger, tmp / "locks", typo)

    assert statuses(ledger) == {"active"}  # CLAUDE.md keeps them: not rejected everywhere
    assert decision.refused is not None and decision.refused.everywhere == ()
    assert {i for i, _ in decision.refused.here_only} == ALL
    assert decision.refused.kept_in == (str(target.resolve()),)
    assert plan_for(ledger, target) is None  # nothing to remove from CLAUDE.md
    assert plan_for(ledger, typo) is None  # and never proposed again for typo.md
    assert show(ledger, GOTCHA).refused == (f"rejected for {typo.resolve()}",)


def test_rejecting_a_line_no_target_keeps_rejects_it_everywhere(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    typo = target.with_name("typo.md")
    propose(ledger, target, tmp)
    decision = reject(ledger, tmp / "locks", target)
    assert statuses(ledger) == {"rejected"}
    assert decision.refused is not None and set(decision.refused.everywhere) == ALL
    assert plan_for(ledger, typo) is None


def test_accepting_a_lesson_again_lifts_its_refusal_for_that_target(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    typo = target.with_name("typo.md")
    propose(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    propose(ledger, typo, tmp)
    reject(ledger, tmp / "locks", typo)
    ledger.unrefuse(str(typo.resolve()), [GOTCHA])  # as an accept of its added line does
    assert ledger.refused_for(str(typo.resolve())) == {FAILURE, DECISION}


def test_a_line_deleted_by_hand_stays_in_the_other_target(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    agents = target.with_name("AGENTS.md")
    for where in (target, agents):
        propose(ledger, where, tmp)
        accept(ledger, tmp / "locks", where)
    text = target.read_text()
    line = next(x for x in text.splitlines() if f"/{FAILURE}.txt#" in x)
    target.write_text(text.replace(line + "\n", ""))
    add_lesson(ledger, "00000000aa", "gotcha", "Ports below 1024 need root.", 5)

    items = propose(ledger, target, tmp)

    assert items == [("added", "00000000aa")]
    assert ledger.lesson(FAILURE).status == "active"  # type: ignore[union-attr]
    accept(ledger, tmp / "locks", target)
    assert FAILURE not in ids_in(target)
    assert plan_for(ledger, target) is None  # still deleted after the accept
    plan = plan_for(ledger, agents)  # AGENTS.md keeps the line: only the new lesson is added
    assert plan is not None and [(i.change, i.id) for i in plan.items] == [("added", "00000000aa")]
    assert show(ledger, FAILURE).refused == (f"deleted by hand from {target.resolve()}",)


def test_reject_says_what_it_will_never_propose_again(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    monkeypatch.setenv("HOME", str(tmp / "home"))
    typo = target.with_name("typo.md")
    propose(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    propose(ledger, typo, tmp)
    data = str(tmp / "data")

    said = CliRunner().invoke(app, ["reject", "--target", str(typo), "--data-dir", data])

    assert said.exit_code == 0, said.output
    assert (
        f"3 lessons will never be proposed again for {typo.resolve()} "
        f"(still accepted in {target.resolve()})."
    ) in " ".join(said.output.split())
    shown = CliRunner().invoke(app, ["show", GOTCHA, "--data-dir", data])
    assert f"gotcha · rejected for {typo.resolve()} ·" in shown.output
