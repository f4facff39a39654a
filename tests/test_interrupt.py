"""Ctrl-C during `metis distill`, as a terminal sends it (SIGINT to the process group): the
run stops within seconds, sends no new paid call, says one line, leaves no process running and
exits 130; the next run resumes and asks only what was not answered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.extract.demo import SPANS, demo_archive, demo_target
from tests.fakes.anthropic_server import FakeAnthropic, fake_anthropic

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("model_dir")]

LATENCY = 2.0  # seconds each fake call takes: Ctrl-C comes while one is in flight
STOPPED_WITHIN = 12.0  # seconds from Ctrl-C to the exit (in-flight answer, children ended)


def metis_env(tmp_path: Path, fake: FakeAnthropic) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "ANTHROPIC_API_KEY": "test-key",
        "METIS_ANTHROPIC_BASE_URL": fake.url,
        "METIS_EXTRACT__CONCURRENCY": "1",
    }


def distill_args(tmp_path: Path) -> list[str]:
    metis = Path(sys.executable).parent / "metis"
    archive, target = demo_archive(tmp_path), demo_target(tmp_path)
    return [str(metis), "distill", "--archive", str(archive), "--target", str(target)]


@pytest.mark.parametrize("to_group", [True, False], ids=["ctrl-c", "sigint-to-metis-alone"])
def test_ctrl_c_stops_the_run_at_once_and_the_next_run_resumes(
    tmp_path: Path, to_group: bool
) -> None:
    with fake_anthropic(latency=LATENCY) as fake:
        env, args = metis_env(tmp_path, fake), [*distill_args(tmp_path), "--all-projects"]
        run = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        while not fake.arrived:  # the first excerpt is on its way to the API
            assert run.poll() is None, run.communicate()
            time.sleep(0.05)
        time.sleep(0.3)
        started = psutil.Process(run.pid).children(recursive=True)  # Prefect's server
        pressed = time.time()
        if to_group:
            os.killpg(run.pid, signal.SIGINT)  # as Ctrl-C on a terminal
        else:
            run.send_signal(signal.SIGINT)  # as `kill -INT`: Prefect's server not told
        try:
            out, errors = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for process in [*started, psutil.Process(run.pid)]:
                process.kill()
            raise
        took = time.time() - pressed
        assert run.returncode == 130, errors.decode()
        assert took < STOPPED_WITHIN
        assert [t for t in fake.arrived if t > pressed] == []  # no new paid call
        said = errors.decode().strip().splitlines()
        assert len(said) == 1 and said[0].startswith("interrupted: ") and "resumes" in said[0]
        assert out == b""
        assert started and not [p for p in started if _running(p)]  # nothing left behind
        if not to_group:
            return
        again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert "Proposal #1" in again.stdout
        prompts = [b["messages"][0]["content"] for b in fake.requests]
        assert len(prompts) == len(set(prompts)) == SPANS  # the answer in flight was kept


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
