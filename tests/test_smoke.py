"""One real subprocess, as a user runs it: `metis distill` then `metis accept`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Proposal #1" in out.stdout
    logs = out.stdout + out.stderr
    assert "publish: created" in logs  # the flow logs counts per stage, at INFO
    assert "sk-ant-api03" not in logs  # the sample's fake key stays out of the logs
    accepted = subprocess.run([str(metis), "accept"], env=env, capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stderr
    assert target.read_text().startswith("# Notes\n") and "<!-- metis:end -->" in target.read_text()
