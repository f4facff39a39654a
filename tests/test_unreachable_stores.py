"""A configured store whose server does not answer (a nightly while it is down) is an ordinary
event: one `error:` line naming the store and its URL, and what to do; no traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
runner = CliRunner()


def port_nobody_listens_on() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def commands(tmp_path: Path) -> dict[str, list[str]]:
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text("# Shop\n")
    (tmp_path / "data").mkdir()
    data = ["--data-dir", str(tmp_path / "data")]
    return {
        "distill": ["distill", "--archive", str(SAMPLE), "--target", str(target),
                    "--all-projects", *data],
        "status": ["status", "--target", str(target), *data],
        "review": ["review", "--target", str(target), *data],
        "search": ["search", "python", *data],
    }  # fmt: skip


def said_in_one_line(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("error: "), result.output
    assert len(result.output.splitlines()) == 2, result.output  # the error and its hint
    return result.output


@pytest.mark.parametrize("command", ["distill", "status", "review", "search"])
def test_a_database_server_that_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    port = port_nobody_listens_on()
    monkeypatch.setenv("METIS_LEDGER_URL", f"postgresql+psycopg://metis:secret@127.0.0.1:{port}/m")
    out = said_in_one_line(commands(tmp_path)[command])
    assert f"cannot reach the ledger at postgresql+psycopg://metis:***@127.0.0.1:{port}/m" in out
    assert "start its database server, or correct ledger_url" in out
    assert "secret" not in out


def test_a_chroma_server_that_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = port_nobody_listens_on()
    monkeypatch.setenv("METIS_INDEX_URL", f"http://127.0.0.1:{port}")
    out = said_in_one_line(commands(tmp_path)["distill"])
    assert f"cannot reach the lesson index's Chroma server at http://127.0.0.1:{port}" in out
    assert "chroma run" in out and "METIS_INDEX_URL" in out
