"""`metis search`: hybrid search over the sample's lessons, through the CLI, read-only."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.provenance import resolve
from metis_distill.retrieve.search import Query, SearchIndex, clauses, terms
from metis_distill.retrieve.store import LessonStore
from metis_distill.retrieve.vectors import VectorCache
from tests.conftest import REPO
from tests.retrieve.conftest import fingerprint

runner = CliRunner()
GOLDEN = REPO / "tests" / "golden" / "search_permission_denied.json"
PYTHON_LESSON = "`python` is not on the PATH"
MANY = "money, cart cookie, form validation, lint, python tests, migrations"


def hits(data: Path, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["search", *args, "--json", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_paraphrase_finds_the_planted_lesson_first(sample_data: Path) -> None:
    # F4/F6 of the sample: `python: command not found`, fixed with `uv run` (two sessions)
    found = hits(sample_data, "the python interpreter is missing when I run the test suite")
    assert found[0]["text"].startswith(PYTHON_LESSON)
    assert found[0]["kind"] == "failure" and found[0]["support"] == 2
    assert found[0]["similarity"] > found[1]["similarity"]


def test_an_exact_error_string_is_a_keyword_hit(sample_data: Path) -> None:
    found = hits(sample_data, "error TS2339")
    assert "error TS2339" in found[0]["text"]
    assert found[0]["keyword"] == 1.0 and found[0]["matched"] == ["error ts2339"]
    path = hits(sample_data, "web/lib/cart.ts")  # a path named in one lesson only
    assert "web/lib/cart.ts" in path[0]["text"] and path[0]["keyword"] == 1.0
    assert all(h["keyword"] < 1.0 for h in path[1:])


def test_each_hit_carries_what_a_reader_needs(sample_data: Path) -> None:
    hit = hits(sample_data, "python command not found", "-n", "1")[0]
    assert re.fullmatch(r"[0-9a-f]{10}", hit["id"])
    assert hit["last_seen"].startswith("2026-11-13")  # the later of the two sessions
    with LessonStore.at(sample_data) as store:
        lesson = store.snapshot().get(hit["id"])
    assert lesson is not None
    # the evidence link is contract 2's, made absolute; it resolves to its quote
    assert resolve(hit["evidence"], lesson.evidence[0].quote, Path("/"))


def test_filters_by_kind_and_project(sample_data: Path) -> None:
    decisions = hits(sample_data, MANY, "--kind", "decision", "-n", "20")
    assert len(decisions) == 4 and {h["kind"] for h in decisions} == {"decision"}
    both = hits(sample_data, "tests fail", "-k", "gotcha", "-k", "failure", "-n", "20")
    assert {h["kind"] for h in both} == {"gotcha", "failure"}

    with LessonStore.at(sample_data) as store:
        snapshot = store.snapshot()

    def cwds(hit: dict[str, Any]) -> set[str]:
        lesson = snapshot.get(hit["id"])
        assert lesson is not None
        return {e.cwd or "" for e in lesson.evidence}

    ledgerline = hits(sample_data, MANY, "--project", "ledgerline", "-n", "20")
    assert ledgerline and all(
        any(c.startswith("/home/dev/src/ledgerline") for c in cwds(h)) for h in ledgerline
    )
    by_path = hits(sample_data, MANY, "-p", "/home/dev/src/shopfront", "-n", "20")
    assert by_path and all(
        any(c.startswith("/home/dev/src/shopfront") for c in cwds(h)) for h in by_path
    )
    assert not {h["id"] for h in by_path} & {h["id"] for h in ledgerline}
    assert hits(sample_data, MANY, "--project", "nowhere") == []
    assert len(hits(sample_data, MANY, "-n", "2")) == 2
    assert len(by_path) + len(ledgerline) == len(hits(sample_data, MANY, "-n", "20"))


def test_retired_and_rejected_lessons_only_when_asked(sample_data: Path, tmp_path: Path) -> None:
    import shutil

    from metis_distill.ledger import Ledger

    data = tmp_path / "copy"
    shutil.copytree(sample_data, data)
    query = "Permission denied, python: command not found"
    first, second = (h["id"] for h in hits(data, query, "-n", "2"))
    ledger = Ledger.at(data)
    ledger.set_status([first], "retired")
    ledger.set_status([second], "rejected")
    ledger.close()
    assert not {first, second} & {h["id"] for h in hits(data, query, "-n", "20")}
    again = {h["id"]: h["status"] for h in hits(data, query, "--include-retired", "-n", "2")}
    assert again == {first: "retired", second: "rejected"}


def test_json_output_is_stable(sample_data: Path) -> None:
    """Byte for byte against a golden file (the data dir's path replaced by a placeholder)."""
    result = runner.invoke(
        app, ["search", "Permission denied", "-n", "2", "--json", "--data-dir", str(sample_data)]
    )
    assert result.exit_code == 0
    # where the archive mirrors the sample depends on where the repository lies
    text = re.sub(r'"[^"]*/archive/[^"]*?/projects/', '"<archive>/projects/', result.stdout)
    again = runner.invoke(
        app, ["search", "Permission denied", "-n", "2", "--json", "--data-dir", str(sample_data)]
    )
    assert again.stdout == result.stdout
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_search_never_writes_the_ledger_or_the_index(sample_data: Path) -> None:
    before = fingerprint(sample_data)
    hits(sample_data, "python command not found")
    runner.invoke(app, ["context", "run the tests", "--data-dir", str(sample_data)])
    after = fingerprint(sample_data)
    assert "ledger.sqlite" in before and any(k.startswith("index/") for k in before)
    stores = {k: v for k, v in before.items() if not k.startswith("cache/")}
    assert {k: v for k, v in after.items() if not k.startswith("cache/")} == stores
    # the one file a query may write: the lesson vectors, derived, beside the stores
    assert {k for k in after if k.startswith("cache/")} == {"cache/vectors-minilm-l6-int8.npz"}


def test_human_output_and_clear_errors(sample_data: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "Permission denied", "--data-dir", str(sample_data)])
    assert result.exit_code == 0
    assert "[failure]" in result.stdout and "evidence: " in result.stdout
    assert "support 1" in result.stdout
    missing = runner.invoke(app, ["search", "x", "--data-dir", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no data dir" in missing.output
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["context", "x", "--data-dir", str(tmp_path / "empty")])
    assert empty.exit_code == 1 and "no ledger" in empty.output
    assert not (tmp_path / "empty" / "ledger.sqlite").exists()  # nothing created
    bad = runner.invoke(app, ["search", "x", "--kind", "opinion"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("query", ["", "   "])
def test_a_query_of_no_words_is_a_usage_error(sample_data: Path, query: str) -> None:
    result = runner.invoke(app, ["search", query, "--data-dir", str(sample_data)])
    assert result.exit_code == 2 and "give words to look for" in result.output
    assert "No lesson matches" not in result.output


def copy_of_ledger(data: Path, to: Path) -> Path:
    """The data dir's ledger copied whole into `to` (SQLite's backup: its log included), as a
    ledger no data dir has used yet (a ledger that serves another data dir is refused)."""
    to.parent.mkdir(parents=True)
    with sqlite3.connect(data / "ledger.sqlite") as source, sqlite3.connect(to) as copy:
        source.backup(copy)
        copy.execute("DELETE FROM meta WHERE key = 'data_dir'")
    return to


def test_search_and_context_read_the_configured_ledger(
    sample_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger_url` names the ledger for every command, as for distill: not the data dir's
    ledger.sqlite, which is not there."""
    ledger = copy_of_ledger(sample_data, tmp_path / "shared" / "metis.sqlite")
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("METIS_LEDGER_URL", f"sqlite:///{ledger}")
    assert hits(data, "python command not found")[0]["text"].startswith(PYTHON_LESSON)
    brief = runner.invoke(app, ["context", "run the python tests", "--data-dir", str(data)])
    assert brief.exit_code == 0, brief.output
    assert "not on the PATH" in brief.stdout
    assert not (data / "ledger.sqlite").exists()


def test_query_words_and_clauses() -> None:
    assert terms("Run `uv run pytest` in web/lib/cart.ts") == [
        "run",
        "uv",
        "run",
        "pytest",
        "web/lib/cart.ts",
    ]
    assert terms("the migrations") == ["migration"]
    assert clauses("fix the failing tests, then add a new migration") == [
        "fix the failing tests, then add a new migration",
        "fix the failing tests",
        "add a new migration",
    ]


def test_empty_query_finds_nothing(sample_data: Path, embedder: Any) -> None:
    with LessonStore.at(sample_data) as store:
        assert SearchIndex(store.snapshot(), VectorCache(embedder)).search(Query("   ")) == []


def test_no_words_with_a_kind_lists_every_lesson_of_it_most_sessions_first(
    sample_data: Path,
) -> None:
    everything = hits(sample_data, "--kind", "failure", "-n", "500")
    with LessonStore.at(sample_data) as store:
        failures = [
            v for v in store.snapshot().lessons if v.kind == "failure" and v.status == "active"
        ]
    assert len(everything) == len(failures) > 1
    assert {h["id"] for h in everything} == {v.id for v in failures}
    supports = [h["support"] for h in everything]
    assert supports == sorted(supports, reverse=True)
    assert everything[0]["text"].startswith(PYTHON_LESSON)  # two sessions, the most here
    assert len(hits(sample_data, "--kind", "failure", "-n", "2")) == 2
    assert hits(sample_data, "--project", "no-such-project") == []
