"""Read-only and safe: queries during a distill see one committed state; no secret gets out."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow, now
from metis_distill.retrieve.retriever import Retriever
from metis_distill.retrieve.search import Query
from tests.conftest import FIXTURES, REPO, SAMPLE
from tests.retrieve.conftest import distill_into
from tests.retrieve.test_mcp_server import session

runner = CliRunner()
WRITER = """
import sys
from pathlib import Path
from metis_distill.embeddings import MiniLMEmbedder
from tests.retrieve.conftest import distill_into
distill_into(Path(sys.argv[1]), Path(sys.argv[2]), MiniLMEmbedder())
"""
# a made-up key in the shape of a GitHub token, planted where no redaction stopped it
SECRET = "ghp_" + "Zq8Xw3Rt6Yu9Io1Pa4Sd7Fg0Hj2Kl5Mn8Bv"


@pytest.mark.slow
def test_queries_during_a_distill_see_one_committed_state(tmp_path: Path, embedder: Any) -> None:
    data = tmp_path / "data"
    distill_into(SAMPLE, data, embedder)
    with Retriever(data, embedder) as retriever:
        before = _state(retriever)
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(FIXTURES), str(data)], cwd=REPO
        )
        seen, during = [], 0
        while True:  # at least one query, the first while the writer starts
            running = writer.poll() is None
            seen.append(_state(retriever))
            hits = retriever.search(Query("command not found", limit=5))
            assert hits and all(h.lesson.evidence for h in hits)
            during += running
            if not running:
                break
        assert writer.wait() == 0
        after = _state(retriever)
    assert during >= 1
    assert after[0] > before[0] and after[1] > before[1]  # the distill added lessons
    # lessons and their evidence are committed together: never half of the new state
    assert set(seen) <= {before, after}


def _state(retriever: Retriever) -> tuple[int, int]:
    snapshot = retriever.store.snapshot()
    assert all(v.evidence for v in snapshot.lessons)  # no lesson without its evidence
    return len(snapshot.lessons), sum(len(v.evidence) for v in snapshot.lessons)


def plant_secret(data: Path) -> str:
    """A lesson whose text and quote hold a token (as a ledger written before a redaction
    rule existed would): the read path must redact it on the way out."""
    ledger = Ledger.at(data)
    with ledger.session() as db:
        db.add(
            LessonRow(
                id="5ec4e75ec4",
                kind="gotcha",
                text=f"The deploy script needs GITHUB_TOKEN {SECRET} exported first.",
                status="active",
                severity=2,
                scope=[],
                extractor="rules",
                first_seen=now(),
                last_seen=now(),
                created_at=now(),
            )
        )
        db.add(
            EvidenceRow(
                id="5ec4e75e01",
                lesson_id="5ec4e75ec4",
                archive_root=str(data / "archive"),
                path="p/s.jsonl",
                line_start=3,
                line_end=3,
                quote=f"export GITHUB_TOKEN {SECRET}",
                session_id="s",
                cwd="/home/dev/src/shopfront",
                timestamp=now(),
            )
        )
    ledger.close()
    return "5ec4e75ec4"


@pytest.mark.slow
def test_no_secret_in_search_context_or_mcp(sample_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_data, data)
    lesson_id = plant_secret(data)
    query = "deploy script needs the GitHub token exported"
    outputs = [
        runner.invoke(app, ["search", query, "--json", "--data-dir", str(data)]).stdout,
        runner.invoke(app, ["search", query, "--data-dir", str(data)]).stdout,
        runner.invoke(app, ["search", SECRET, "--json", "--data-dir", str(data)]).stdout,
        runner.invoke(app, ["context", query, "--data-dir", str(data)]).stdout,
        # the sample's fake Anthropic key sits in the archive, on the line of an `env` call
        runner.invoke(
            app, ["search", "ANTHROPIC_API_KEY env grep", "--data-dir", str(data)]
        ).stdout,
    ]
    answers = session(
        data,
        tmp_path,
        [
            ("search_lessons", {"query": query}),
            ("get_lesson", {"lesson_id": lesson_id}),
            ("context_for_task", {"task": query}),
        ],
    )
    outputs += [answers[name].content[0].text for name in ("search_lessons", "get_lesson")]
    outputs.append(answers["context_for_task"].content[0].text)
    assert f"[{lesson_id}]" in outputs[3] and lesson_id in outputs[0]  # the lesson was found
    for text in outputs:
        assert SECRET not in text and SECRET[4:20] not in text
        assert "sk-ant-api03" not in text
    assert "[REDACTED:" in outputs[0] and "[REDACTED:" in outputs[-2]
