"""Recovery metrics on authored sessions whose times are known to the second."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from metis_distill import sources
from metis_distill.ledger import Ledger
from metis_distill.mine.recovery import classify, metrics, recoveries
from metis_distill.models import Event, EventKind, Run, SourceRef
from tests.curate.sessions import Bash, Say, distil, write_session

S = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
COMMAND_NOT_FOUND = "/bin/bash: line 1: python: command not found"


def authored(archive: Path) -> tuple[Path, Path]:
    first = write_session(
        archive,
        "d0000001",
        S,
        [
            Say("user", "Get the tests green, then migrate.", after=0),
            Bash("pytest -q", "1 failed, 3 passed in 0.4s", failed=True, after=30, took=5),
            Bash("pytest -q", "1 failed, 3 passed in 0.4s", failed=True, after=60, took=5),
            Bash("pytest -q", "4 passed in 0.4s", after=60, took=5),  # S+165: 130 s after
            Bash("python manage.py migrate", COMMAND_NOT_FOUND, failed=True, after=30, took=1),
            Bash("uv run python manage.py migrate", "Applied 3 migrations", after=20, took=4),
            Bash(
                "npm run lint", "Error: Cannot find module 'eslint'", failed=True, after=10, took=2
            ),
        ],
    )
    second = write_session(
        archive,
        "d0000002",
        S + timedelta(days=1),
        [
            Say("user", "Seed the database.", after=0),
            Bash("python scripts/seed.py", COMMAND_NOT_FOUND, failed=True, after=30, took=1),
            Bash("uv run python scripts/seed.py", "seeded 12 rows", after=15, took=5),
        ],
    )
    return first, second


EXPECTED = {
    "failing tests": {
        "failures": 1,
        "recovered": 1,
        "mean_seconds_to_recovery": 130.0,
        "seconds_lost": 130.0,
        "recurrences": 0,
        "sessions": 1,
        "top_command": "pytest -q",
    },
    "missing program": {
        "failures": 2,
        "recovered": 2,
        "mean_seconds_to_recovery": 22.0,  # 24 s, then 20 s the next day
        "seconds_lost": 44.0,
        "recurrences": 1,  # it came back after it had been fixed once
        "sessions": 2,
        "top_command": "python scripts/seed.py",
    },
    "missing module": {
        "failures": 1,
        "recovered": 0,
        "mean_seconds_to_recovery": None,
        "seconds_lost": 0.0,
        "recurrences": 0,
        "sessions": 1,
        "top_command": "npm run lint",
    },
}


def test_incidents_and_their_times(tmp_path: Path) -> None:
    first, _ = authored(tmp_path)
    run = sources.by_name("claude_code").parse_lines(
        first.name, list(enumerate(first.read_text().splitlines(), start=1))
    )
    found = recoveries(run)
    # the second failing `pytest -q` is the same incident as the first, not another one
    assert [(r.failure_class, r.command, r.seconds) for r in found] == [
        ("failing tests", "pytest -q", 130.0),
        ("missing program", "python manage.py migrate", 24.0),
        ("missing module", "npm run lint", None),
    ]
    assert found[0].failed_at == S + timedelta(seconds=35)


def test_metrics_per_class_reach_the_proposal(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    authored(archive)
    outcome = distil(archive, data, embedder, tmp_path / "CLAUDE.md")
    ledger = Ledger.at(data)
    assert metrics(ledger.recoveries()) == EXPECTED
    assert list(EXPECTED) == list(metrics(ledger.recoveries()))  # most time lost first
    (row,) = ledger.pending_proposals()
    assert outcome.proposal_id == row.id and row.summary["recovery"] == EXPECTED
    # the lessons taught by those failures that earned a line: `pytest -q` and `npm run lint`
    # failed once each with no fix shown, so they stay in the ledger, unrendered
    by_lesson = row.summary["recovery_by_lesson"]
    texts = {r.id: r.text for r in ledger.lessons()}
    assert [(texts[x["id"]][:20], x["incidents"], x["seconds_lost"]) for x in by_lesson] == [
        ("`python` is not on t", 2, 44.0),  # one lesson, both sessions' incidents
    ]

    # distilled again (nothing changed): the same incidents, not twice as many
    distil(archive, data, embedder, tmp_path / "CLAUDE.md")
    assert metrics(ledger.recoveries()) == EXPECTED


def test_recoveries_and_evidence_spans_are_read_as_tuples_of_the_rows(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """A publish reads the recoveries and its lessons' evidence spans as plain tuples, not ORM
    objects (thousands for a large archive): the same values as the rows."""
    from sqlalchemy import select

    from metis_distill.ledger import RecoveryRow

    archive, data = tmp_path / "archive", tmp_path / "data"
    authored(archive)
    distil(archive, data, embedder, tmp_path / "CLAUDE.md")
    ledger = Ledger.at(data)
    recovered = ledger.recoveries()
    with ledger.session() as db:
        rows = db.scalars(select(RecoveryRow).order_by(RecoveryRow.failed_at, RecoveryRow.path))
        names = RecoveryRow.__table__.columns.keys()
        assert [tuple(r) for r in recovered] == [tuple(getattr(r, n) for n in names) for r in rows]
    assert len(recovered) == 4 and not isinstance(recovered[0], RecoveryRow)
    ids = [r.id for r in ledger.lessons()]
    spans = ledger.evidence_spans(ids)
    assert spans == {
        i: [(e.archive_root, e.path, e.line_start, e.line_end) for e in found]
        for i, found in ledger.evidence_of(ids).items()
    }
    assert sum(map(len, spans.values())) >= len(ids) > 0


def test_a_session_with_one_time_for_every_event_is_not_timed(tmp_path: Path) -> None:
    """aider's history has one time per session: a fix came, but not 0 s after the failure."""
    path = write_session(
        tmp_path,
        "d0000009",
        S,
        [
            Say("user", "Get the tests green.", after=0),
            Bash("pytest -q", "1 failed, 3 passed in 0.4s", failed=True, after=0, took=0),
            Bash("pytest -q", "4 passed in 0.4s", after=0, took=0),
        ],
    )
    run = sources.by_name("claude_code").parse_lines(
        path.name, list(enumerate(path.read_text().splitlines(), start=1))
    )
    (found,) = recoveries(run)
    assert found.recovered_at is not None and found.seconds is None
    summary = metrics([found])["failing tests"]
    assert (summary["recovered"], summary["mean_seconds_to_recovery"]) == (1, None)
    assert summary["seconds_lost"] == 0.0


def test_the_command_reported_names_no_home_folder(tmp_path: Path) -> None:
    """The summary of a run (its artifact, `metis review`, `metis status`) shows each class's
    most frequent command: a home folder in it is the person's name."""
    path = write_session(
        tmp_path,
        "d0000010",
        S,
        [
            Say("user", "Get the tests green.", after=0),
            Bash("pytest /Users/ana/shop/tests", "1 failed in 0.4s", failed=True, after=5),
            Bash("pytest /Users/ana/shop/tests", "4 passed in 0.4s", after=30),
        ],
    )
    run = sources.by_name("claude_code").parse_lines(
        path.name, list(enumerate(path.read_text().splitlines(), start=1))
    )
    assert metrics(recoveries(run))["failing tests"]["top_command"] == "pytest ~/shop/tests"


def test_a_program_cmd_exe_cannot_find_is_a_missing_program_in_its_language() -> None:
    for said in (
        "'vite' is not recognized as an internal or external command,",
        '"vite" no se reconoce como un comando interno o externo,',
        "'vite' n'est pas reconnu en tant que commande interne",
    ):
        event = Event(0, "user", EventKind.TOOL_RESULT, said, SourceRef("a.jsonl", 1, 1))
        assert classify(event) == "missing program"


def test_a_program_ubuntus_handler_cannot_find_is_a_missing_program() -> None:
    said = (
        "Command 'docker-compose' not found, but can be installed with:\nsudo snap install docker"
    )
    event = Event(0, "user", EventKind.TOOL_RESULT, said, SourceRef("a.jsonl", 1, 1))
    assert classify(event) == "missing program"


def _claude_run(path: Path) -> Run:
    return sources.by_name("claude_code").parse_lines(
        path.name, list(enumerate(path.read_text().splitlines(), start=1))
    )


def test_a_search_that_found_nothing_is_no_failure_to_recover_from(tmp_path: Path) -> None:
    """`rg` and `grep` exit 1 when nothing matched, `diff` when the files differ: an answer,
    as `not_failures.answers_no` reads it, not a failure waiting for its fix."""
    path = write_session(
        tmp_path,
        "d0000011",
        S,
        [
            Say("user", "Find where the cart total is rounded.", after=0),
            Bash("rg -n 'round\\(' web/lib", "", failed=True, after=5),
            Bash("grep -rn total_cents src", "", failed=True, after=5),
            Bash("diff old.csv new.csv", "3c3\n< a\n---\n> b", failed=True, after=5),
            Bash("rg -n 'round\\(' src", "src/cart.py:12: round(total, 2)", after=20),
            Bash("pytest -q", "1 failed, 3 passed in 0.4s", failed=True, after=5),
        ],
    )
    found = recoveries(_claude_run(path))
    assert [r.command for r in found] == ["pytest -q"]


def test_a_rerun_the_user_rejected_is_no_recovery(tmp_path: Path) -> None:
    """Codex asks before it reruns a command outside its sandbox; the user's "no" is no
    success of the command, however soon it came."""
    refusal = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'
    records = [
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
        _codex_call("c1", "npm install", "2025-09-01T00:00:00Z"),
        _codex_output("c1", "Process exited with code 1\nnpm ERR! code EACCES", "2025-09-01T00:00:05Z"),
        _codex_call("c2", "npm install", "2025-09-01T00:00:30Z"),
        _codex_output("c2", refusal, "2025-09-01T00:00:44Z"),
    ]  # fmt: skip
    path = tmp_path / "rollout-x.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    (found,) = recoveries(sources.by_name("codex").parse_file(path, tmp_path))
    assert found.command == "npm install" and found.recovered_at is None


def _codex_call(call_id: str, command: str, when: str) -> dict[str, object]:
    arguments = json.dumps({"command": ["bash", "-lc", command]})
    payload = {"type": "function_call", "name": "shell", "call_id": call_id, "arguments": arguments}
    return {"timestamp": when, "type": "response_item", "payload": payload}


def _codex_output(call_id: str, output: str, when: str) -> dict[str, object]:
    payload = {"type": "function_call_output", "call_id": call_id, "output": output}
    return {"timestamp": when, "type": "response_item", "payload": payload}
