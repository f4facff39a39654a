"""A secret seen in one run is hidden in the later runs too: remembered as a keyed hash
beside the archive, never as the value."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from metis_distill.ledger import Ledger
from tests.curate.sessions import Bash, Say, distil, proposed_lines, write_session
from tests.leaks.runs import PASSWORD

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_a_later_run_repeating_a_remembered_secret_does_not_leak_it(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    archive, data, target = tmp_path / "archive", tmp_path / "data", tmp_path / "CLAUDE.md"
    login = Bash(f"psql postgres://admin:{PASSWORD}@db/prod", "FATAL: auth failed", failed=True)
    write_session(archive, "a0000001", START, [login])
    distil(archive, data, embedder, target)
    memory = data / "secrets"  # beside the data dir's archive
    assert stat.S_IMODE((memory / "key").stat().st_mode) == 0o600
    digests = (memory / "digests").read_bytes()
    assert digests.strip() and PASSWORD.encode() not in digests

    later = f"Always remember that the token {PASSWORD} is rejected by prod."
    write_session(archive, "a0000002", START + timedelta(days=1), [Say("user", later)])
    outcome = distil(archive, data, embedder, target)
    shown = proposed_lines(outcome)  # its provenance resolves: the line is rendered
    assert any("[REDACTED:remembered_secret] is rejected" in line for line in shown)
    ledger = Ledger.at(data)
    texts = [lesson.text for lesson in ledger.lessons()]
    quotes = [
        e.quote
        for rows in ledger.evidence_of([r.id for r in ledger.lessons()]).values()
        for e in rows
    ]
    ledger.close()
    assert any("[REDACTED:remembered_secret] is rejected" in t for t in texts), texts
    assert not any(PASSWORD in t for t in texts + quotes)
