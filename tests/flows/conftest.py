"""Real servers on 127.0.0.1 for the nightly's tests: `prefect server start` (one per test
module), a served `distill/nightly-…` deployment, and `chroma run`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "INFO",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def start(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )


@dataclass
class PrefectServer:
    api_url: str
    home: Path
    env: dict[str, str]  # what a process needs to talk to this server


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real `prefect server start` on a free loopback port; this process's Prefect client
    (and the Dask workers it starts) talk to it for the length of the module."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    env = {**os.environ, **QUIET, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    log = home / "server.log"
    bin_dir = Path(sys.executable).parent
    server = start(
        [str(bin_dir / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        + ["--no-ui", "--analytics-off"],
        env,
        log,
        home,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_http(f"{api}/health", server, log, 90)
        client_env = {**QUIET, "PREFECT_API_URL": api, "PREFECT_HOME": str(home)}
        from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

        saved = {k: os.environ.get(k) for k in client_env}
        os.environ.update(client_env)
        try:
            with temporary_settings({PREFECT_API_URL: api, PREFECT_HOME: str(home)}):
                yield PrefectServer(api, home, {**env, **client_env})
                drain_prefect_workers()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    finally:
        stop(server)


def drain_prefect_workers() -> None:
    """Send the logs and events still queued, and end Prefect's log and event workers: they
    keep the client of the server they started with, which is about to stop (the harness of
    the next module would otherwise wait on them forever)."""
    import inspect

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        for result in (APILogWorker.drain_all(), EventsWorker.drain_all()):
            if inspect.isawaitable(result):
                await result

    run_coro_as_sync(drain())


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` (the CLI that comes with chromadb) on a free loopback port."""
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    log = path / "chroma.log"
    bin_dir = Path(sys.executable).parent
    server = start(
        [str(bin_dir / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port)]
        + ["--path", str(path / "data")],
        env,
        log,
        path,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", server, log, 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)
