"""OpenHands software-agent-SDK event lists: `kind`ed events, object actions and observations."""

from __future__ import annotations

import json

from metis_distill import sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind
from metis_distill.provenance import quote_in_span
from metis_distill.sources.trajectory import looks_like, parse_file
from metis_distill.textio import read_lines
from tests.conftest import FIXTURES
from tests.sources.test_trajectory import _assert_quotable

ROOT = FIXTURES / "trajectory"
SDK = ROOT / "openhands_sdk_events.json"


def test_detected_though_the_first_event_has_no_action() -> None:
    detected = sources.detect(SDK)
    assert detected.format is not None and detected.format.name == "trajectory"


def test_commands_outputs_and_messages() -> None:
    run = parse_file(SDK, ROOT)
    assert run.cwd == "/workspace/report" and run.started_at is not None
    assert run.stats.unknown_lines == 1  # the event of a kind not known
    kinds = [(e.role, e.kind, e.tool_name, e.exit_code) for e in run.events]
    assert kinds == [
        ("user", EventKind.TEXT, None, None),
        ("assistant", EventKind.TEXT, None, None),
        ("assistant", EventKind.TOOL_CALL, "Bash", None),
        ("tool", EventKind.ERROR, "Bash", 127),
        ("assistant", EventKind.TOOL_CALL, "Bash", None),
        ("tool", EventKind.TOOL_RESULT, "Bash", 0),
        ("assistant", EventKind.TEXT, None, None),
        ("assistant", EventKind.TOOL_CALL, "Read", None),
        ("tool", EventKind.ERROR, "Read", None),  # is_error
        ("tool", EventKind.ERROR, None, None),  # AgentErrorEvent
        ("assistant", EventKind.TOOL_CALL, "Bash", None),
        ("tool", EventKind.TOOL_RESULT, "Bash", None),  # -1: still running, no status
        ("assistant", EventKind.SUMMARY, None, None),  # FinishAction
    ]
    texts = [e.text for e in run.events]
    assert texts[0] == "The report page hangs on load; fix it. Never push to main."
    assert texts[2] == "python -m pytest -q tests/test_server.py"
    assert texts[3] == "bash: python: command not found"  # the command's echo left out
    assert texts[11] == "> report@1.0.0 dev\n> vite --port 5173"
    calls = {e.tool_use_id for e in run.events if e.kind is EventKind.TOOL_CALL}
    assert calls == {"toolu_01", "toolu_02", "toolu_03", "toolu_06"}
    _assert_quotable(SDK, run)


def test_the_failure_is_mined_with_its_fix() -> None:
    run = parse_file(SDK, ROOT)
    candidates = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(SDK))
    for candidate in candidates:
        ref = candidate.evidence.ref
        assert quote_in_span(SDK, ref.line_start, ref.line_end, candidate.evidence.quote)
    texts = "\n".join(c.text for c in candidates)
    assert "`python` is not on the PATH" in texts and "use `python3 …` instead" in texts


def test_one_sdk_event_on_its_own_and_cut_heads() -> None:
    event = {"id": "e1", "source": "agent", "kind": "ActionEvent", "action": {"kind": "X"}}
    assert looks_like("e1.json", json.dumps(event, indent=2))
    first = {"id": "e0", "source": "agent", "system_prompt": {"text": "z" * 100_000}}
    assert looks_like("events.json", json.dumps([first], indent=2)[: 64 * 1024])
    assert not looks_like("x.json", json.dumps([{"id": 1, "kind": "Widget"}]))  # no source
    assert not looks_like("x.json", json.dumps([{"id": 1, "source": "a", "kind": 3}]))
