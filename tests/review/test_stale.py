"""A proposal made before a person changed the target is no dead end: review warns of it, the
accept error names both ways out, and a distill with nothing to propose closes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.cli.outcome import proposal_line
from metis_distill.errors import TargetChangedError
from metis_distill.ledger import Ledger
from metis_distill.review.proposal import accept
from tests.review.test_hand_edit_summary import publish
from tests.review.test_items import add_lesson


def stale_proposal(ledger: Ledger, target: Path, tmp: Path) -> int:
    """A pending proposal, then a hand edit of the target outside the block, and the lesson it
    added gone: nothing left to propose."""
    publish(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    add_lesson(ledger, "00000000aa", "gotcha", "Ports below 1024 need root.", 5)
    made = publish(ledger, target, tmp)
    assert made.proposal_id is not None and made.added == 1
    ledger.set_status(["00000000aa"], "retired")
    target.write_text(target.read_text() + "A note by hand.\n")
    return made.proposal_id


def test_a_distill_with_nothing_to_propose_closes_a_stale_proposal(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    stale = stale_proposal(ledger, target, tmp)
    with pytest.raises(TargetChangedError) as refused:
        accept(ledger, tmp / "locks", target)
    assert "metis distill" in refused.value.hint and "metis reject" in refused.value.hint

    made = publish(ledger, target, tmp)

    assert made.proposal_id is None and made.closed == (stale,)
    assert ledger.proposal(stale).status == "superseded"  # type: ignore[union-attr]
    assert ledger.pending_proposals() == []
    assert f"proposal #{stale} was made: closed (superseded)" in proposal_line(made)


def test_review_warns_that_the_target_changed(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    monkeypatch.setenv("HOME", str(tmp / "home"))
    stale = stale_proposal(ledger, target, tmp)
    data = str(tmp / "data")
    said = CliRunner().invoke(app, ["review", "--target", str(target), "--data-dir", data])
    assert said.exit_code == 0, said.output
    words = " ".join(said.output.split())
    assert f"stale: {target.resolve()} changed since proposal #{stale} was made" in words
    assert "or drop this one with `metis reject`" in words


def test_review_shows_a_proposal_whose_target_cannot_be_read_now(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A target no longer UTF-8: no stale warning to give, the proposal shown all the same."""
    ledger, target, tmp = world
    monkeypatch.setenv("HOME", str(tmp / "home"))
    stale_proposal(ledger, target, tmp)
    target.write_bytes(b"\xff\xfe\x00not text any more\x80")
    data = str(tmp / "data")
    said = CliRunner().invoke(app, ["review", "--target", str(target), "--data-dir", data])
    assert said.exit_code == 0, said.output
    assert "stale:" not in said.output and "diff" in said.output


def test_review_shows_a_proposal_whose_target_cannot_be_opened_now(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    monkeypatch.setenv("HOME", str(tmp / "home"))
    stale_proposal(ledger, target, tmp)

    def refused(path: Path) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("metis_distill.review.target.read_target", refused)
    data = str(tmp / "data")
    said = CliRunner().invoke(app, ["review", "--target", str(target), "--data-dir", data])
    assert said.exit_code == 0, said.output
    assert "stale:" not in said.output and "diff" in said.output
