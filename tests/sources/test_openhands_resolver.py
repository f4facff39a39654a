"""OpenHands' GitHub resolver output: one record whose `history` holds flat events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metis_distill import sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, Run
from metis_distill.provenance import quote_in_span
from metis_distill.sources.trajectory import parse_file
from metis_distill.sources.trajectory.openhands_resolver import is_flat_event
from metis_distill.textio import read_lines
from tests.conftest import FIXTURES

ROOT = FIXTURES / "trajectory"
RESOLVER = ROOT / "openhands_resolver_output.jsonl"


@pytest.fixture(scope="module")
def run() -> Run:
    return parse_file(RESOLVER, ROOT)


def test_the_resolver_output_is_a_trajectory_of_the_issue(run: Run) -> None:
    assert sources.detect(RESOLVER).format is sources.by_name("trajectory")
    assert run.session_id == "acme/tally#12" and run.cwd == "/workspace"
    assert run.stats.unknown_lines == 0 and run.stats.corrupt_lines == 0


def test_flat_actions_and_observations_are_read_in_turn(run: Run) -> None:
    shown = [(e.kind, e.role, e.text.splitlines()[0]) for e in run.events]
    assert shown == [
        (
            EventKind.TEXT,
            "user",
            "Please fix the following issue for the repository in /workspace.",
        ),
        (EventKind.TOOL_CALL, "assistant", "cd /workspace && npm test"),
        (EventKind.ERROR, "tool", "> tally@1.0.0 test"),
        (
            EventKind.TEXT,
            "assistant",
            "jest is a dev dependency that is not installed yet; install the dependencies first.",
        ),
        (EventKind.TOOL_CALL, "assistant", "cd /workspace && npm ci && npm test"),
        (EventKind.ERROR, "tool", "added 212 packages in 4s"),
        (EventKind.TOOL_CALL, "assistant", "/workspace/src/total.js"),
        (EventKind.TOOL_RESULT, "tool", "The file /workspace/src/total.js has been edited."),
        (EventKind.TEXT, "assistant", "Should the total also skip refunded items?"),
        (
            EventKind.TEXT,
            "user",
            "Please continue working on the task on whatever approach you think is suitable.",
        ),
        (EventKind.TOOL_CALL, "assistant", "cd /workspace && npm test"),
        (EventKind.TOOL_RESULT, "tool", "Tests:       8 passed, 8 total"),
        (EventKind.SUMMARY, "assistant", "Fixed the off-by-one in src/total.js; the tests pass."),
    ]


def test_an_observation_answers_the_call_before_it(run: Run) -> None:
    calls = {e.tool_use_id: e.text for e in run.events if e.kind is EventKind.TOOL_CALL}
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert [(calls[e.tool_use_id], e.tool_name, e.exit_code) for e in errors] == [
        ("cd /workspace && npm test", "Bash", 127),
        ("cd /workspace && npm ci && npm test", "Bash", 1),
    ]


def test_the_resolver_outputs_failure_becomes_a_lesson(run: Run) -> None:
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(RESOLVER))
    assert found
    for candidate in found:
        ref = candidate.evidence.ref
        assert quote_in_span(
            ROOT / ref.path, ref.line_start, ref.line_end, candidate.evidence.quote
        )
    assert any("jest" in c.text for c in found)


@pytest.mark.parametrize(
    ("record", "flat"),
    [
        ({"action": "run", "command": "ls", "thought": ""}, True),
        ({"observation": "run", "content": "", "metadata": {"exit_code": 0}}, True),
        ({"action": "run", "source": "agent", "args": {"command": "ls"}}, False),
        ({"observation": "run", "extras": {"command": "ls"}, "content": ""}, False),
        ({"action": "ls", "observation": "a.txt", "thought": "look"}, False),  # SWE-agent step
        ({"role": "user", "content": "hi"}, False),
    ],
)
def test_a_flat_event_is_told_from_other_formats_records(record: Any, flat: bool) -> None:
    assert is_flat_event(record) is flat


def test_a_resolver_output_of_several_issues_says_why_it_is_not_read(tmp_path: Path) -> None:
    record = RESOLVER.read_text(encoding="utf-8")
    compact = json.dumps(json.loads(record), separators=(",", ":")) + "\n"
    for name, text in (("output.jsonl", record * 2), ("compact.jsonl", compact * 3)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        detected = sources.detect(path)
        assert detected.format is None
        assert "OpenHands resolver output" in detected.reason
        assert "one file per line" in detected.reason


@pytest.mark.parametrize(
    "lines",
    [
        ['{"issue": 1, "history": []}', '{"issue": 2, "history": []}'],
        [
            '{"issue": {"number": 1}, "history": [{"action": "run", "source": "agent", '
            '"args": {"command": "ls"}}]}',
            '{"issue": {"number": 2}, "history": []}',
        ],
    ],
    ids=["no events", "nested events"],
)
def test_other_json_lines_stay_unknown(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "output.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert sources.detect(path).reason == "unknown format"
