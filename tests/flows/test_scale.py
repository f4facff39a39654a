"""The same distill, three ways, gives the same proposal: on a Dask local cluster, with the
index in a `chroma run` server, and after a crash mid-run followed by a re-run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from flows.distill import distill_flow
from flows.guard import FAULT_ENV
from flows.runners import with_task_runner
from metis_distill.config import Settings
from metis_distill.ledger import EvidenceRow, Ledger
from metis_distill.pipeline.steps import worker
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]


def settings_in(folder: Path, **extra: Any) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    return Settings(
        archive=SAMPLE / "projects",
        target=folder / "CLAUDE.md",
        all_projects=True,
        data_dir=folder / "data",
        batch_files=1,  # one file per mapped task: several tasks to spread and to crash
        **extra,
    )


def distil(settings: Settings) -> Any:
    state = with_task_runner(distill_flow, settings)(settings, return_state=True)
    assert state.is_completed(), state
    return state


def proposed(settings: Settings) -> str:
    with Ledger(settings.ledger_url) as ledger:
        (row,) = ledger.pending_proposals()
        return Path(row.folder, "proposed.md").read_text(encoding="utf-8")


def contents(settings: Settings) -> tuple[dict[str, int], list[tuple[str, str, int, int]]]:
    """The ledger's counts and every piece of evidence (lesson, file, lines), sorted."""
    with Ledger(settings.ledger_url) as ledger:
        with ledger.session() as db:
            rows = db.execute(
                select(EvidenceRow.lesson_id, EvidenceRow.path, EvidenceRow.line_start)
                .add_columns(EvidenceRow.line_end)
                .order_by(EvidenceRow.id)
            ).all()
            assert db.scalar(select(func.count(func.distinct(EvidenceRow.id)))) == len(rows)
        return ledger.counts(), sorted(tuple(r) for r in rows)


@pytest.fixture(scope="module")
def plain(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None, model_dir: Path
) -> tuple[str, Any]:
    """The proposal and the ledger of one plain run (default runner, embedded index)."""
    settings = settings_in(tmp_path_factory.mktemp("plain"))
    distil(settings)
    return proposed(settings), contents(settings)


def test_the_dask_runner_gives_the_proposal_of_the_default_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: tuple[str, Any]
) -> None:
    from typer.testing import CliRunner

    from metis_distill.cli import app

    expected, stored = plain
    dask = settings_in(tmp_path / "dask")
    monkeypatch.setenv("METIS_BATCH_FILES", "1")
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "INFO")  # the workers' logs reach the API
    args = ["distill", "--archive", str(dask.archive), "--target", str(dask.target), "--json"]
    args += ["--data-dir", str(dask.data_dir), "--all-projects", "--task-runner", "dask"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert proposed(dask) == expected
    assert contents(dask) == stored
    # the six mapped tasks ran in the local cluster's worker processes, not in this one, and
    # their logs reached the Prefect API before the workers stopped
    ledger = Ledger(dask.ledger_url)
    last = ledger.last_distill_run()
    ledger.close()
    assert last is not None and last.flow_run_id is not None
    workers = re.findall(r"\(worker (\S+)\)", logs_of(last.flow_run_id))
    assert len(workers) == 6
    assert worker() not in workers


def logs_of(flow_run_id: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(flow_run_id)])))
    return "\n".join(log.message for log in logs)


def test_the_dask_runner_starts_a_local_cluster_unless_given_a_scheduler() -> None:
    from flows.runners import dask_runner

    local = dask_runner(Settings(task_runner="dask", dask_workers=3))
    assert local.address is None and local.cluster_kwargs["n_workers"] == 3
    remote = dask_runner(Settings(task_runner="dask", dask_address="tcp://127.0.0.1:8786"))
    assert remote.address == "tcp://127.0.0.1:8786"


def test_the_index_in_a_chroma_server_and_the_ledger_at_a_url_give_the_same_proposal(
    tmp_path: Path, chroma_server: str, plain: tuple[str, Any]
) -> None:
    import chromadb

    expected, stored = plain
    ledger_url = f"sqlite:///{tmp_path / 'elsewhere' / 'ledger.db'}"  # any SQLAlchemy URL
    served = settings_in(tmp_path / "served", index_url=chroma_server, ledger_url=ledger_url)
    distil(served)
    assert proposed(served) == expected
    assert contents(served) == stored
    assert (tmp_path / "elsewhere" / "ledger.db").is_file()
    assert not (served.data_dir / "ledger.sqlite").exists()
    assert not served.index_dir.exists()  # nothing embedded on the side
    host, port = chroma_server.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    (collection,) = client.list_collections()
    assert collection.count() == stored[0]["lessons"]


@pytest.mark.parametrize("fault", ["extract:1", "publish"])
def test_a_crash_mid_run_then_a_rerun_gives_the_proposal_of_an_uninterrupted_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, plain: tuple[str, Any]
) -> None:
    from prefect.client.orchestration import get_client

    expected, stored = plain
    crashed = settings_in(tmp_path / "crashed")
    monkeypatch.setenv(FAULT_ENV, fault)
    state = distill_flow(crashed, return_state=True)
    assert state.is_failed()
    monkeypatch.delenv(FAULT_ENV)
    again = distil(crashed)

    assert proposed(crashed) == expected
    assert contents(crashed) == stored  # no duplicate lesson or evidence
    ledger = Ledger(crashed.ledger_url)
    last = ledger.last_distill_run()
    ledger.close()
    assert last is not None and last.status == "completed"
    if fault.startswith("extract"):
        # the batch extracted before the crash came from Prefect's cache, keyed by its content
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs()
        mine = [r for r in runs if r.flow_run_id == again.state_details.flow_run_id]
        assert any(r.name.startswith("extract") and r.state_name == "Cached" for r in mine)
