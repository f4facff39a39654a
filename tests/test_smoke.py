"""One real subprocess, as a user runs it: `metis distill` (after one killed -9) then
`metis accept`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from metis_distill.faults import KILL_ENV
from metis_distill.ledger import DistillRunRow, Ledger
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("model_dir")]


def test_metis_distill_as_a_subprocess(tmp_path: Path) -> None:
    metis = Path(sys.executable).parent / "metis"
    target = tmp_path / "CLAUDE.md"
    target.write_text("# Notes\n")
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "METIS_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    args = [
        str(metis),
        "distill",
        "--archive",
        str(SAMPLE),
        "--target",
        str(target),
        "--all-projects",
    ]
    # First a run killed -9 (with Prefect's ephemeral server: its process group) while it
    # holds the target's lock: the next run must not wait for it, nor need a human.
    kill = {KILL_ENV: "archive:file@1"}
    killed = subprocess.run(args, env={**env, **kill}, start_new_session=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    shown = subprocess.run([str(metis), "status", "--json"], env=env, capture_output=True)
    assert json.loads(shown.stdout)["outcome"] == "interrupted", shown.stderr
    wait = {"METIS_DISTILL_WAIT": "20"}
    out = subprocess.run(args, env={**env, **wait}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Proposal #1" in out.stdout
    terminal = out.stdout + out.stderr
    assert "INFO" not in terminal and "Beginning flow run" not in terminal  # quiet
    logs = (tmp_path / "data" / "logs" / "prefect.log").read_text()
    assert "publish: created" in logs  # the flow logs counts per stage, at INFO, in a file
    assert "sk-ant-api03" not in terminal + logs  # the sample's fake key stays out of both
    ledger = Ledger.at(tmp_path / "data")
    with ledger.session() as db:
        runs = [r.status for r in db.scalars(select(DistillRunRow).order_by(DistillRunRow.id))]
    ledger.close()
    assert runs == ["interrupted", "completed"]
    accepted = subprocess.run([str(metis), "accept"], env=env, capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stderr
    assert target.read_text().startswith("# Notes\n") and "<!-- metis:end -->" in target.read_text()
