"""A message the user types while Codex works is read as typed mid-turn (`Event.mid_turn`), as
Claude Code's `queued_command` attachments are: Codex records it into the running turn (no new
turn, no `turn_context` or `turn_aborted` before it), right after a tool call or its output."""

from __future__ import annotations

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, LessonKind
from metis_distill.sources.codex import parse_file
from metis_distill.textio import read_lines
from tests.conftest import FIXTURES

ROOT = FIXTURES / "codex"
STEERED = (
    ROOT / "steered" / "rollout-2025-02-10T14-00-00-0195f00d-0000-7000-8000-00000000c0de.jsonl"
)
OBJECTION = "no, don't add axios-retry here; always use the built-in fetch with a loop instead"


def test_a_message_after_a_tool_output_is_typed_mid_turn() -> None:
    run = parse_file(STEERED, ROOT)
    typed = [(e.ref.line_start, e.text, e.mid_turn) for e in run.events if e.role == "user"]
    assert typed == [
        (3, "Add a retry to the forecast fetch.", False),  # the turn's prompt
        (8, OBJECTION, True),  # typed while `npm install` ran
        (15, "Thanks. Now add a test for it.", False),  # after the model's answer
        (19, "interrupted", False),  # the turn was aborted...
        (20, "Use the node test runner, not vitest.", False),  # ...so this starts a new one
        (25, "and keep the timeout at five seconds", True),  # only its UI event is left
    ]
    assert run.events[[e.ref.line_start for e in run.events].index(19)].kind is (
        EventKind.INTERRUPT
    )


def test_a_mid_turn_objection_becomes_a_correction() -> None:
    run = parse_file(STEERED, ROOT)
    episodes = list(find_episodes(run))
    found = RulesExtractor().extract(run, episodes, read_lines(STEERED))
    (correction,) = [c for c in found if c.evidence.ref.line_start <= 8 <= c.evidence.ref.line_end]
    assert correction.kind is LessonKind.FAILURE
    assert correction.text == (
        "User correction: Don't add axios-retry here; always use the built-in fetch with a loop"
        " instead."
    )
    assert correction.evidence.ref.line_start == 7  # the tool output it objected to
