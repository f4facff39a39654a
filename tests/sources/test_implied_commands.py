"""Nothing silently ignored: a failed CI log with no shell command in it still teaches (the
failing step is the command), and OpenHands' own event store (`sessions/<id>/events/N.json`,
one event a file) is read, not skipped as unknown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metis_distill import pipeline, sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, Run
from metis_distill.provenance import quote_in_span
from metis_distill.textio import read_lines
from tests.conftest import FIXTURES

LOGS = FIXTURES / "logs"
STORE = FIXTURES / "trajectory" / "openhands_store"
SESSION = "5b0e7c1a-2d4f-4e8a-9c61-0f3a7d2e9b14"


def lessons(path: Path, root: Path) -> tuple[Run, list[str]]:
    found = sources.detect(path)
    assert found.format is not None, found.reason
    run = found.format.parse_file(path, root)
    candidates = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    for c in candidates:
        assert quote_in_span(
            path, c.evidence.ref.line_start, c.evidence.ref.line_end, c.evidence.quote
        )
    return run, [c.text for c in candidates]


@pytest.mark.parametrize(
    ("name", "command", "words"),
    [
        ("bare_pytest_output.txt", "pytest", "DID NOT RAISE"),
        ("traceback_only.txt", "python nightly_export.py", "no such column: updated_at"),
        ("gh_run_view_sbt.txt", "Compile", "Not Found Error"),
    ],
)
def test_a_failed_log_without_a_shell_command_still_teaches(
    name: str, command: str, words: str
) -> None:
    run, texts = lessons(LOGS / name, LOGS)
    (call,) = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert call.text == command
    (text,) = texts
    assert f"`{command}`" in text and words in text


def test_a_traceback_a_library_printed_names_no_script() -> None:
    """A harness logging an exception its own code caught: the first frame is a library's
    (`httpx/_transports/default.py`), no script that was run."""
    run, texts = lessons(LOGS / "library_traceback.txt", LOGS)
    assert not any("default.py" in e.text for e in run.events if e.kind is EventKind.TOOL_CALL)
    assert not any("`python default.py`" in t for t in texts)


def test_the_openhands_event_store_is_read_one_event_a_file() -> None:
    files = pipeline.walk(STORE)
    assert len(files) == 6
    found = [lessons(path, STORE) for path in files]
    assert {run.session_id for run, _ in found} == {SESSION}
    texts = [t for _, texts in found for t in texts]
    assert any("pytest` is not on the PATH" in t for t in texts)  # the observation's own command
    assert "Always run the tests with uv run pytest, never plain pytest." in texts
    assert any("silently drops rows" in t for t in texts)


def _chunk(first: int) -> str:
    events = [
        {
            "id": first,
            "timestamp": "2025-10-07T00:22:58",
            "source": "agent",
            "message": "Running command: pytest -q",
            "action": "run",
            "args": {"command": "pytest -q"},
        }
    ]
    return json.dumps(events)


@pytest.mark.parametrize(
    ("names", "sessions"),
    [
        (  # as OpenHands keeps them: the session's folder names it
            [
                "sessions/aaaa1111/event_cache/0-25.json",
                "sessions/aaaa1111/event_cache/25-50.json",
                "sessions/bbbb2222/event_cache/0-25.json",
            ],
            ["aaaa1111", "aaaa1111", "bbbb2222"],
        ),
        (  # copied out under names of their own
            [
                "repo__aaaa1111__0-25.json",
                "repo__aaaa1111__25-50.json",
                "repo__bbbb2222__0-25.json",
            ],
            ["repo__aaaa1111", "repo__aaaa1111", "repo__bbbb2222"],
        ),
        (  # dated names: no range of events, each file its own session
            ["run-2025-01-15.json", "run-2025-02-15.json", "run-1-2.json"],
            ["run-2025-01-15", "run-2025-02-15", "run-1-2"],
        ),
    ],
)
def test_the_chunks_of_an_openhands_event_cache_are_one_session_each(
    tmp_path: Path, names: list[str], sessions: list[str]
) -> None:
    """Each chunk of 25 events is a file: counted as sessions of their own, one run's failure
    would recur (and every session's `0-25.json` would be one)."""
    for name, first in zip(names, (0, 25, 0), strict=True):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(_chunk(first))
    runs = [lessons(tmp_path / name, tmp_path)[0] for name in names]
    assert [run.session_id for run in runs] == sessions
