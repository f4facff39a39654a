"""Every planted secret, in every place of a run and in all five formats, stays in the archive:
after distill, review (and --html), accept, show, search, context, history, status and the MCP
tools, none is found in the data dir (but `archive/`), Prefect's home, the target's folder or
anything printed (contract 10)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill import secret_memory
from metis_distill.cli import app
from metis_distill.redact import redact
from tests.leaks.runs import ALL_NEEDLES, FORMATS, KEY_BODY, PASSWORD, PEM, PLACES, write_all
from tests.retrieve.test_mcp_server import session
from tests.test_leaks import SECRETS

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
runner = CliRunner()


def test_a_value_found_anywhere_in_a_run_is_hidden_everywhere_in_it() -> None:
    later = f"the token {PASSWORD} is rejected; the body {KEY_BODY}"
    assert PASSWORD in redact(later)  # alone, nothing says it is a secret
    with secret_memory.reading() as found:
        redact(f"psql postgres://admin:{PASSWORD}@db/prod\n{PEM}")
        hidden = redact(later)
    assert PASSWORD not in hidden and KEY_BODY not in hidden
    assert found.values[PASSWORD] == "url_password"
    assert KEY_BODY not in redact(f"quoted alone: {KEY_BODY}")  # key material on its own


def test_no_planted_secret_gets_out_anywhere(tmp_path: Path) -> None:
    source, data = tmp_path / "runs", tmp_path / "data"
    write_all(source)
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    printed = [cli("distill", "--archive", str(source), "--target", str(target), "--all-projects")]
    printed += [cli("review"), cli("review", "--html"), cli("accept"), cli("status")]
    ids = re.findall(r"/([0-9a-f]{10})\.txt#L", target.read_text())
    assert len(ids) >= 10
    printed += [cli("show", lesson) for lesson in ids]
    printed += [cli("history"), cli("search", "credential revoked deploys fail")]
    printed += [cli("search", "rotate the secret", "--json"), cli("context", "rotate secrets")]
    printed += [cli("sources"), cli("config")]
    mcp = session(
        data,
        tmp_path,
        [
            ("search_lessons", {"query": "credential revoked", "limit": 20}),
            ("get_lesson", {"lesson_id": ids[0]}),
            ("context_for_task", {"task": "rotate the deploy secrets", "budget": 2000}),
        ],
    )
    printed += [str(answer) for answer in mcp.values()]

    places = haystacks(data, target.parent, Path(os.environ["PREFECT_HOME"]), printed)
    assert "ledger.sqlite" in places and any(p.startswith("index") for p in places)
    assert any(p.startswith("repo/.metis/CLAUDE/") for p in places)  # committed evidence
    leaks = [
        f"{kind} in {place}"
        for kind, needle in ALL_NEEDLES.items()
        for place, content in places.items()
        if needle.encode() in content
    ]
    assert leaks == []
    assert len(SECRETS) >= 12 and len(FORMATS) == 5 and len(PLACES) == 4
    archived = b"".join(p.read_bytes() for p in (data / "archive").rglob("*") if p.is_file())
    assert PASSWORD.encode() in archived  # the archive keeps the raw bytes


def cli(*args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", os.environ["METIS_DATA_DIR"]])
    assert result.exit_code == 0, result.output
    return result.output


def haystacks(data: Path, repo: Path, prefect: Path, printed: list[str]) -> dict[str, bytes]:
    found = {"printed": "\n".join(printed).encode()}
    for root, label in ((data, ""), (repo, "repo/"), (prefect, "prefect/")):
        for path in root.rglob("*"):
            inside = path.relative_to(root).parts
            if path.is_file() and not (root == data and inside[0] == "archive"):
                found[label + "/".join(inside)] = path.read_bytes()
    return found
