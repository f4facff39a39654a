"""`metis serve` refuses a bad schedule before serving anything (the served deployment
itself is tested against a real Prefect server in tests/flows/test_nightly.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.config import Settings, local_timezone


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cron", "61 3 * * *"], "not a cron schedule: '61 3 * * *'"),
        (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_serve_refuses_a_bad_schedule(tmp_path: Path, flags: list[str], message: str) -> None:
    target = tmp_path / "CLAUDE.md"
    result = CliRunner().invoke(app, ["serve", "--target", str(target), *flags])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_the_nightly_defaults_to_three_in_the_morning_in_the_local_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert local_timezone() == "America/New_York"
    settings = Settings()
    assert settings.scale.nightly_cron == "0 3 * * *"
    assert settings.scale.nightly_timezone == "America/New_York"
    monkeypatch.setenv("TZ", "Not/AZone")
    assert local_timezone() == "UTC"  # an unknown $TZ falls back to UTC, not a crash


def test_the_ledger_is_a_sqlite_file_in_the_data_dir_unless_a_url_is_given(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).ledger_url == f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    url = "postgresql+psycopg://metis@db.internal/metis"
    assert Settings(data_dir=tmp_path, ledger_url=url).ledger_url == url


def test_prefect_yaml_deploys_the_distill_flow_on_a_zoned_cron() -> None:
    import yaml
    from prefect.flows import load_flow_from_entrypoint

    from tests.conftest import REPO

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    (nightly,) = spec["deployments"]
    assert nightly["name"] == "nightly"
    (schedule,) = nightly["schedules"]
    assert schedule["cron"] == "0 3 * * *" and schedule["timezone"]
    flow = load_flow_from_entrypoint(str(REPO / nightly["entrypoint"]))
    assert flow.name == "distill"  # so the deployment is `distill/nightly`
    assert set(nightly["parameters"]) <= set(flow.parameters.properties)


def test_each_target_is_served_as_a_deployment_of_its_own(tmp_path: Path) -> None:
    """Two serves of two targets never share one deployment (the second's parameters would
    replace the first's); two of one target share it."""
    from flows.serve import nightly

    def served(repo: str) -> Any:
        (tmp_path / repo).mkdir(exist_ok=True)
        return nightly(Settings(data_dir=tmp_path / "data", target=tmp_path / repo / "CLAUDE.md"))

    shop, blog = served("shop"), served("blog")
    assert shop.name.startswith("nightly-shop-CLAUDE.md-")
    assert blog.name.startswith("nightly-blog-CLAUDE.md-")
    assert shop.name != blog.name and served("shop").name == shop.name
    assert shop.parameters["target"] == str(tmp_path / "shop" / "CLAUDE.md")
    assert blog.parameters["target"] == str(tmp_path / "blog" / "CLAUDE.md")
    (tmp_path / "my repo & co").mkdir()
    odd = nightly(Settings(target=tmp_path / "my repo & co" / "CLAUDE.md"))
    assert odd.name.startswith("nightly-my-repo-co-CLAUDE.md-")
