"""The ledger on a real PostgreSQL, through the same SQLAlchemy URL: a distill, an accept and a
rewind. The test starts its own cluster (initdb, pg_ctl) on 127.0.0.1 in a temp folder; it is
skipped when PostgreSQL is not installed, except under CI=true (.ci/run installs it)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import CopyRow, FileRow, Ledger
from tests.conftest import SAMPLE
from tests.retrieve.test_mcp_server import session

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
runner = CliRunner()


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return installed[-1].parent if installed else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh cluster, stopped and removed at the end. Root cannot run PostgreSQL: then the
    cluster belongs to the `postgres` user (Debian's package makes it) or `nobody`."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="metis-pg-"))
    user = None
    if os.geteuid() == 0:
        names = {p.pw_name for p in pwd.getpwall()}
        owner = pwd.getpwnam("postgres" if "postgres" in names else "nobody")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        user = owner.pw_name
    cluster, port = base / "cluster", _free_port()

    def pg(*args: str) -> None:
        subprocess.run(args, user=user, cwd=base, check=True, capture_output=True)

    pg(
        str(bin_dir / "initdb"),
        "-D",
        str(cluster),
        "-U",
        "metis",
        "--auth=trust",
        "--no-sync",
        "--no-locale",
        "-E",
        "UTF8",
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
    pg(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(cluster),
        "-l",
        str(base / "log"),
        "-w",
        "-o",
        options,
        "start",
    )
    try:
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "metis", "ledger")
        yield f"postgresql+psycopg://metis@127.0.0.1:{port}/ledger"
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(cluster), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def metis(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def assert_the_lessons_are_retrieved(data: Path, home: Path, ledger_url: str) -> None:
    """search, context and mcp read the database, as distill wrote it."""
    found = json.loads(
        metis("search", "python command not found", "--json", "--data-dir", str(data))
    )
    assert found[0]["text"].startswith("`python` is not on the PATH")
    assert found[0]["support"] == 2
    assert "not on the PATH" in metis("context", "run the python tests", "--data-dir", str(data))
    calls = [("get_lesson", {"lesson_id": found[0]["id"]})]
    lesson = session(data, home, calls, ledger_url)["get_lesson"]
    assert not lesson.is_error, lesson.content
    assert lesson.structured_content["evidence_count"] == 2


def test_distill_accept_and_rewind_on_postgresql(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METIS_LEDGER_URL", postgres_url)
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    target.write_text("# Shop\n\nWritten by people.\n")
    data = tmp_path / "data"
    common = ["--target", str(target), "--data-dir", str(data)]
    said = metis("distill", "--archive", str(SAMPLE), "--all-projects", *common)
    assert "Proposal #1" in said
    assert not (data / "ledger.sqlite").exists()  # the ledger is the database
    assert_the_lessons_are_retrieved(data, tmp_path, postgres_url)
    metis("accept", *common)
    accepted = target.read_text()
    assert "<!-- metis:end -->" in accepted
    metis("rewind", "--to", "v1", *common)  # the file before metis
    metis("accept", *common)
    assert target.read_text() == "# Shop\n\nWritten by people.\n"

    ledger = Ledger(postgres_url)
    with ledger.session() as db:
        times = list(db.scalars(select(CopyRow.mtime_ns))) + list(
            db.scalars(select(FileRow.mtime_ns))
        )
    assert times and min(times) > 2**31  # nanosecond times: 64-bit columns
    assert [v.reason for v in ledger.versions(str(target.resolve()))] == [
        "before",
        "accepted",
        "accepted",
    ]
    assert ledger.counts()["lessons"] > 0
    ledger.close()
