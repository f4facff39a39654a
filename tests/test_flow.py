"""The distill flow itself under Prefect: states, task runs, the summary artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.distill import distill_flow
from metis_distill.config import Settings
from metis_distill.ledger import Ledger
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]


def test_flow_runs_and_publishes_its_summary(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    target = tmp_path / "CLAUDE.md"
    settings = Settings(
        archive=FIXTURES / "claude_code",
        target=target,
        all_projects=True,
        data_dir=tmp_path / "data",
    )
    state = distill_flow(settings, return_state=True)
    assert state.is_completed()
    report = state.result()
    assert report.files_read == 1 and report.corrupt_lines == 1
    assert report.lines_still_being_written == 1  # the unterminated last line waits
    assert report.lessons_new == 4 and report.proposal.status == "created"

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs()
        names = {
            r.name.rsplit("-", 1)[0]
            for r in runs
            if r.flow_run_id == state.state_details.flow_run_id
        }
        assert {"archive", "discover", "extract", "curate", "publish"} <= names
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["distill-summary"]))
        )
        assert any("lessons_new | 4" in (a.data or "") for a in artifacts)


def test_a_night_with_nothing_new_runs_no_task(tmp_path: Path) -> None:
    """The served nightly asks `nothing_new` first: the second run returns None, no task run."""
    from prefect.client.orchestration import get_client

    settings = Settings(
        archive=FIXTURES / "claude_code",
        target=tmp_path / "CLAUDE.md",
        all_projects=True,
        data_dir=tmp_path / "data",
    )
    assert distill_flow(settings) is not None
    state = distill_flow(settings, return_state=True)
    assert state.is_completed() and state.result() is None
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs()
    assert not [r for r in runs if r.flow_run_id == state.state_details.flow_run_id]
    with Ledger.reading(settings.ledger_url) as ledger:  # `metis status` shows it as the last
        last = ledger.last_distill_run(str(settings.target))
    assert last is not None and last.status == "nothing new"
    assert last.flow_run_id == str(state.state_details.flow_run_id)
