"""A secret seen in one run is hidden in the later runs too: remembered as a keyed hash
beside the archive, never as the value."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
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


KILLED_AFTER_RECORDING = """
import sys
from pathlib import Path
from metis_distill.embeddings import MiniLMEmbedder
from tests.curate.sessions import distil
archive, data, target, model = map(Path, sys.argv[1:5])
distil(archive, data, MiniLMEmbedder(model), target)
"""


def test_a_run_killed_once_its_files_are_recorded_has_remembered_their_secrets(
    tmp_path: Path, model_dir: Path
) -> None:
    """Once its files are recorded as read, no later run reads them again: the secrets they
    held must be remembered by then, or never."""
    archive, data, target = tmp_path / "archive", tmp_path / "data", tmp_path / "CLAUDE.md"
    login = Bash(f"psql postgres://admin:{PASSWORD}@db/prod", "FATAL: auth failed", failed=True)
    write_session(archive, "a0000001", START, [login])
    env = {**os.environ, "METIS_KILL_AT": "curate:recorded"}
    args = [sys.executable, "-c", KILLED_AFTER_RECORDING, str(archive), str(data), str(target)]
    killed = subprocess.run(
        [*args, str(model_dir)], env=env, capture_output=True, start_new_session=True, check=False
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert (data / "secrets" / "digests").read_text().strip()


def test_a_temp_file_of_a_killed_write_is_removed_by_the_next(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    archive, data, target = tmp_path / "archive", tmp_path / "data", tmp_path / "CLAUDE.md"
    write_session(archive, "a0000001", START, [Say("user", "Always run the tests with -q.")])
    distil(archive, data, embedder, target)
    left = data / "secrets" / ".digests.zyxf1x69.metis-tmp"  # as a kill before the rename
    left.write_text("half")
    write_session(archive, "a0000002", START + timedelta(days=1), [Say("user", "Thanks.")])
    distil(archive, data, embedder, target)
    assert not left.exists()
