"""The nightly against a real `prefect server start` on loopback: `metis serve` registers
its target's `distill/nightly-…` with its cron and time zone (a second target: one of its own), a run triggered by hand through the API
completes and publishes its artifact, two concurrent triggers of one target do the work of
one, and `metis status` reports the outcome."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import DistillRunRow, Ledger
from tests.conftest import FIXTURES
from tests.flows.conftest import PrefectServer, start, stop

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("model_dir")]
ARCHIVE = FIXTURES / "claude_code"
CRON, ZONE = "5 4 * * 1-5", "Europe/Paris"


@pytest.fixture(scope="module")
def nightly(
    prefect_server: PrefectServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """`metis serve` in a subprocess, until the deployment is registered."""
    work = tmp_path_factory.mktemp("serve")
    server, deployment = serve(work, "repo", prefect_server)
    try:
        yield deployment
    finally:
        stop(server)
        print((work / "serve-repo.log").read_text()[-5000:])


def serve(work: Path, repo: str, prefect_server: PrefectServer) -> tuple[Any, Any]:
    """`metis serve` of `work/<repo>/CLAUDE.md` started, and its deployment once registered."""
    from prefect.client.orchestration import get_client

    from flows.serve import deployment_name
    from metis_distill.config import Settings

    target = work / repo / "CLAUDE.md"
    target.parent.mkdir()
    name = f"distill/{deployment_name(Settings(target=target))}"
    env = {
        **{
            k: v
            for k, v in prefect_server.env.items()
            if not k.startswith("METIS_") or k == "METIS_MODEL_DIR"
        },
        "XDG_CONFIG_HOME": str(work / "config"),  # no user metis.toml
        "XDG_DATA_HOME": str(work / "xdg-data"),  # never the user's default data dir
    }
    args = [sys.executable, "-m", "metis_distill.cli", "serve", "--archive", str(ARCHIVE)]
    args += ["--data-dir", str(work / "data")]  # a flag, not the env: the runs must follow it
    args += ["--target", str(target), "--cron", CRON, "--timezone", ZONE]
    log = work / f"serve-{repo}.log"
    server = start(args, env, log, work)
    deadline = time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while True:
            try:
                deployment = client.read_deployment_by_name(name)
                break
            except Exception:  # noqa: BLE001 (not registered yet)
                if server.poll() is not None or time.monotonic() > deadline:
                    stop(server)
                    pytest.fail(f"metis serve did not register:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
    time.sleep(1)  # the runner polls for work once it has registered
    return server, deployment


def trigger(nightly: Any, tmp_path: Path, **extra: Any) -> Any:
    from prefect.deployments import run_deployment

    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    parameters = {
        "archive": str(ARCHIVE),
        "target": str(target),
        "data_dir": str(tmp_path / "data"),
        "all_projects": True,
        **extra,
    }
    return run_deployment(f"distill/{nightly.name}", parameters=parameters, timeout=0)


def wait(flow_run_id: Any, seconds: float = 240) -> Any:
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(flow_run_id)
            if run.state is not None and run.state.is_final():
                return run
            time.sleep(0.5)
    pytest.fail(f"flow run {flow_run_id} did not finish in {seconds} s")


def artifact_of(flow_run_id: Any) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return "\n".join(a.data or "" for a in found)


def proposal_text(data: Path) -> str:
    with Ledger.at(data) as ledger:
        (row,) = ledger.pending_proposals()
        return Path(row.folder, "proposed.md").read_text(encoding="utf-8")


def test_serve_registers_the_nightly_schedule_with_its_time_zone(nightly: Any) -> None:
    (schedule,) = nightly.schedules
    assert schedule.schedule.cron == CRON
    assert schedule.schedule.timezone == ZONE
    assert schedule.active
    assert nightly.parameters["archive"] == str(ARCHIVE)
    assert nightly.parameters["target"].endswith("repo/CLAUDE.md")


def test_a_second_target_is_served_as_a_deployment_of_its_own(
    nightly: Any, prefect_server: PrefectServer, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    other, deployment = serve(tmp_path, "other", prefect_server)
    try:
        assert deployment.id != nightly.id
        assert deployment.parameters["target"] == str(tmp_path / "other" / "CLAUDE.md")
        with get_client(sync_client=True) as client:
            first = client.read_deployment(nightly.id)
        assert first.parameters == nightly.parameters  # the first target's, as it served them
    finally:
        stop(other)


def test_a_run_triggered_by_hand_completes_and_publishes_its_artifact(
    nightly: Any, tmp_path: Path
) -> None:
    run = wait(trigger(nightly, tmp_path).id)
    assert run.state.is_completed(), run.state
    assert run.deployment_id == nightly.id
    assert "lessons_new | 4" in artifact_of(run.id)
    ledger = Ledger.at(tmp_path / "data")
    last = ledger.last_distill_run()
    assert last is not None and last.status == "completed" and last.flow_run_id == str(run.id)
    ledger.close()

    status = CliRunner().invoke(app, ["status", "--data-dir", str(tmp_path / "data"), "--json"])
    assert status.exit_code == 0, status.output
    shown = json.loads(status.stdout)
    assert shown["outcome"] == "completed"
    assert shown["proposal_waiting"].startswith(f"#{last.proposal_id} ")
    assert shown["pending_to_distill"] == 0


def test_a_run_writes_into_the_data_dir_given_to_serve(nightly: Any) -> None:
    from prefect.deployments import run_deployment

    data = Path(nightly.parameters["target"]).parent.parent / "data"  # as served
    run = wait(
        run_deployment(f"distill/{nightly.name}", parameters={"all_projects": True}, timeout=0).id
    )
    assert run.state.is_completed(), run.state
    status = CliRunner().invoke(app, ["status", "--data-dir", str(data), "--json"])
    assert status.exit_code == 0, status.output
    shown = json.loads(status.stdout)
    assert shown["outcome"] == "completed" and shown["last_run"] is not None


def test_two_concurrent_triggers_of_one_target_do_the_work_of_one(
    nightly: Any, tmp_path: Path
) -> None:
    first, second = trigger(nightly, tmp_path), trigger(nightly, tmp_path)
    runs = [wait(first.id), wait(second.id)]
    assert all(r.state.is_completed() for r in runs), [r.state for r in runs]
    ledger = Ledger.at(tmp_path / "data")
    with ledger.session() as db:
        done = list(db.scalars(select(DistillRunRow).order_by(DistillRunRow.started_at)))
    # the target's limit let one in at a time: the second started after the first finished,
    # or (picked up once the first was done) found nothing new, on record as such
    assert [r.status for r in done] in (["completed", "completed"], ["completed", "nothing new"])
    if len(done) == 2:
        assert done[0].finished_at is not None and done[0].finished_at <= done[1].started_at
    assert {r.flow_run_id for r in done} <= {str(first.id), str(second.id)}
    counts = ledger.counts()
    statuses = sorted(str(p.status) for p in ledger.pending_proposals())
    ledger.close()
    assert statuses == ["pending"]  # one proposal, not one per run

    once = tmp_path / "once"
    single = wait(trigger(nightly, once).id)
    assert single.state.is_completed()
    assert proposal_text(tmp_path / "data") == proposal_text(once / "data")
    ledger = Ledger.at(once / "data")
    assert ledger.counts() == counts  # no duplicate lesson or evidence
    ledger.close()


def test_a_second_distill_that_may_not_wait_is_refused_clearly(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    from flows.distill import distill_flow
    from flows.guard import target_guard
    from metis_distill.config import Settings

    target = tmp_path / "CLAUDE.md"
    settings = Settings(
        archive=ARCHIVE, target=target, all_projects=True, data_dir=tmp_path / "data"
    )
    with target_guard(settings, target.resolve()):
        quick = settings.scale.model_copy(update={"distill_wait": 0.5})
        busy = settings.model_copy(update={"scale": quick})
        state = distill_flow(busy, return_state=True)
    assert state.is_failed()
    message = str(state.message) + repr(state.result(raise_on_failure=False))
    assert "another distill of" in message and "still running" in message
    ledger = Ledger.at(tmp_path / "data")
    assert ledger.counts()["lessons"] == 0  # refused before reading anything
    ledger.close()
