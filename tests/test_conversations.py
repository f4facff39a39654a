"""A lesson's support counts conversations: a resumed session and the one it resumes are one."""

from __future__ import annotations

from typing import NamedTuple

from metis_distill.conversations import support

EVENT = "0b6f3c1e-2d4a-4c8b-9e7f-1a2b3c4d5e6f"
OTHER = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"


class Piece(NamedTuple):
    session_id: str
    native_id: str | None


def test_distinct_sessions_count_once_each() -> None:
    pieces = [Piece("a", None), Piece("a", EVENT), Piece("b", OTHER), Piece("c", None)]
    assert support(pieces) == 3


def test_sessions_holding_one_event_are_one_conversation() -> None:
    # b resumed a (its file begins with a copy of a's events), c resumed b: one conversation
    pieces = [Piece("a", EVENT), Piece("b", EVENT.upper()), Piece("b", OTHER), Piece("c", OTHER)]
    assert support(pieces) == 1
    assert support([*pieces, Piece("d", None)]) == 2


def test_ids_that_are_not_uuids_never_join_sessions() -> None:
    # OpenHands numbers its events from 0 in every run: event 5 of two runs is two events
    assert support([Piece("run-1", "5"), Piece("run-2", "5")]) == 2


def test_no_evidence_is_no_support() -> None:
    assert support([]) == 0
