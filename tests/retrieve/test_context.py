"""`metis context`: the brief stays within its budget and ranks by relevance, then support."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.retrieve.context import (
    MIN_BUDGET,
    MIN_RELEVANCE,
    NOTHING,
    brief,
    estimate_tokens,
    order,
    project_of,
)
from metis_distill.retrieve.search import Hit, Query, SearchIndex, in_project
from metis_distill.retrieve.store import Evidence, Lesson, LessonStore, Snapshot
from metis_distill.retrieve.vectors import VectorCache

runner = CliRunner()
TASK = "Add an alembic migration to ledgerline and run its python tests"


def lesson(
    id: str, text: str, sessions: int, kind: str = "failure", fix: str | None = None
) -> Lesson:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    evidence = tuple(
        Evidence(
            id=f"{id[:8]}{n:02d}",
            lesson_id=id,
            archive_root="/archive",
            path=f"p/{id}-{n}.jsonl",
            line_start=1,
            line_end=2,
            quote="python: command not found",
            native_id=None,
            session_id=f"session-{n}",
            cwd="/home/dev/src/ledgerline",
            timestamp=when,
        )
        for n in range(sessions)
    )
    return Lesson(id, kind, text, "active", 1, when, when, evidence, ("Bash:python",), fix)


@pytest.mark.parametrize("budget", [MIN_BUDGET, 60, 120, 250, 600, 5000])
def test_the_brief_stays_within_its_budget(sample_data: Path, budget: int) -> None:
    result = runner.invoke(
        app, ["context", TASK, "--budget", str(budget), "--data-dir", str(sample_data)]
    )
    assert result.exit_code == 0, result.output
    assert estimate_tokens(result.stdout) <= budget
    if budget >= 250:
        assert "`python` is not on the PATH" in result.stdout
        assert "(seen in 2 sessions)" in result.stdout


def test_a_bigger_budget_shows_more_in_the_same_order(sample_data: Path, embedder: Any) -> None:
    with LessonStore.at(sample_data) as store:
        snapshot = store.snapshot()
    index = SearchIndex(snapshot, VectorCache(embedder))
    small, large = (brief(index, TASK, b) for b in (120, 5000))
    assert 1 <= len(small.hits) < len(large.hits)
    assert [h.lesson.id for h in large.hits[: len(small.hits)]] == [h.lesson.id for h in small.hits]
    assert large.left_out == 0 and small.left_out == len(large.hits) - len(small.hits)
    for hit in large.hits:
        assert f"[{hit.lesson.id}]" in large.markdown


def test_relevance_first_then_support(embedder: Any) -> None:
    text = "`python` is not on the PATH here; use `uv run pytest` instead."
    snapshot = Snapshot(
        (
            lesson("aaaaaaaaaa", text, sessions=1, fix="uv run"),
            lesson("bbbbbbbbbb", text, sessions=3, fix="uv run"),  # as relevant, better supported
            lesson("cccccccccc", "Vitest runs in node unless told jsdom.", 9, "gotcha"),
            lesson("dddddddddd", "Keep money as integer cents.", 9, "decision"),
        )
    )
    index = SearchIndex(snapshot, VectorCache(embedder))
    shown = brief(index, "python: command not found when running pytest")
    ids = [h.lesson.id for h in shown.hits]
    assert ids[:2] == ["bbbbbbbbbb", "aaaaaaaaaa"]  # same relevance: support decides
    assert "dddddddddd" not in ids  # does not bear on the task, whatever its support
    assert shown.markdown.index("[bbbbbbbbbb]") < shown.markdown.index("[aaaaaaaaaa]")


def test_the_brief_holds_the_bar_of_a_context_file(embedder: Any) -> None:
    """A one-off failure with no fix is found by search, never put in a brief; with no cause
    known either, seen in a third session it has earned its place."""
    text = "`make deploy-preview` fails here: “error: preview quota exceeded” (no fix seen)."
    once = lesson("aaaaaaaaaa", text, sessions=1)
    index = SearchIndex(Snapshot((once,)), VectorCache(embedder))
    task = "deploy the preview with make deploy-preview"
    assert [h.lesson.id for h in index.search(Query(task))] == ["aaaaaaaaaa"]
    assert brief(index, task).hits == () and NOTHING in brief(index, task).markdown
    twice = lesson("aaaaaaaaaa", text, sessions=2)
    index = SearchIndex(Snapshot((twice,)), VectorCache(embedder))
    assert brief(index, task).hits == ()
    thrice = lesson("aaaaaaaaaa", text, sessions=3)
    index = SearchIndex(Snapshot((thrice,)), VectorCache(embedder))
    assert [h.lesson.id for h in brief(index, task).hits] == ["aaaaaaaaaa"]


def test_the_brief_leaves_out_a_warning_a_lesson_of_the_same_failure_answers(
    embedder: Any,
) -> None:
    """As the rendered block does: "no fix seen", beside a lesson showing the way past the
    same failure, says less than that lesson; alone, it is shown."""
    error = "“error: preview quota exceeded”"
    warning = lesson("aaaaaaaaaa", f"`make deploy-preview` fails here: {error} (no fix seen).", 3)
    fixed = lesson(
        "bbbbbbbbbb",
        f"`make deploy-preview` fails here ({error}); run `make prune-previews` first.",
        sessions=2,
        fix="make prune-previews",
    )
    task = "deploy the preview with make deploy-preview"
    both = SearchIndex(Snapshot((warning, fixed)), VectorCache(embedder))
    assert {h.lesson.id for h in both.search(Query(task))} == {"aaaaaaaaaa", "bbbbbbbbbb"}
    assert [h.lesson.id for h in brief(both, task).hits] == ["bbbbbbbbbb"]
    alone = SearchIndex(Snapshot((warning,)), VectorCache(embedder))
    assert [h.lesson.id for h in brief(alone, task).hits] == ["aaaaaaaaaa"]


def test_order_bands_relevance_by_tenths() -> None:
    def hit(id: str, score: float, sessions: int) -> Hit:
        return Hit(lesson(id, id, sessions), score, score, 0.0)

    hits = [hit("a", 0.71, 1), hit("b", 0.68, 3), hit("c", 0.45, 9), hit("d", 0.74, 1)]
    assert [h.lesson.id for h in order(hits)] == ["b", "a", "d", "c"]


def test_nothing_relevant_says_so(sample_data: Path) -> None:
    result = runner.invoke(
        app, ["context", "Paint the garden shed blue", "--data-dir", str(sample_data)]
    )
    assert result.exit_code == 0
    assert "No lesson from past runs bears on this task." in result.stdout


def test_the_task_can_come_from_stdin(sample_data: Path) -> None:
    """As a hook passes it: `jq -r .prompt | metis context -`."""
    args = ["context", "-", "--budget", "300", "--data-dir", str(sample_data)]
    piped = runner.invoke(app, args, input=TASK)
    given = runner.invoke(app, ["context", TASK, "--budget", "300", "--data-dir", str(sample_data)])
    assert piped.exit_code == 0 and piped.stdout == given.stdout
    assert "`python` is not on the PATH" in piped.stdout


def test_the_current_project_s_lessons_come_first(embedder: Any) -> None:
    text = "`python` is not on the PATH here; use `uv run pytest` instead."
    elsewhere = lesson("aaaaaaaaaa", text, sessions=5, fix="uv run")  # better supported
    here = lesson("bbbbbbbbbb", text, sessions=1, fix="uv run")
    moved = tuple(replace(e, cwd="/home/dev/src/shopfront/web") for e in here.evidence)
    here = replace(here, evidence=moved)
    index = SearchIndex(Snapshot((elsewhere, here)), VectorCache(embedder))
    task = "python: command not found when running pytest"
    assert [h.lesson.id for h in brief(index, task).hits] == ["aaaaaaaaaa", "bbbbbbbbbb"]
    mine = brief(index, task, project="/home/dev/src/shopfront")
    assert [h.lesson.id for h in mine.hits] == ["bbbbbbbbbb", "aaaaaaaaaa"]
    assert "this project's first" in mine.markdown
    other = brief(index, task, project="/home/dev/src/elsewhere")
    assert [h.lesson.id for h in other.hits] == ["aaaaaaaaaa", "bbbbbbbbbb"]
    assert "this project's first" not in other.markdown


def test_the_project_is_the_repository_of_the_folder(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    (repo / "web" / "app").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert project_of(repo / "web" / "app") == str(repo)
    assert project_of(tmp_path) == str(tmp_path)  # no repository: the folder itself


def test_context_ranks_the_project_it_runs_in_first(
    sample_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = "Run the tests: python is not found, npm test fails, the alembic migration is empty"
    args = ["context", task, "--budget", "5000", "--data-dir", str(sample_data)]
    ranked = {}
    for project in ("shopfront", "ledgerline"):
        shown = runner.invoke(app, [*args, "--project", f"/home/dev/src/{project}"])
        assert shown.exit_code == 0, shown.output
        ranked[project] = re.findall(r"\[([0-9a-f]{10})\]", shown.stdout)
    both = set(ranked["shopfront"]) & set(ranked["ledgerline"])
    in_both = {p: [i for i in ids if i in both] for p, ids in ranked.items()}
    assert len(both) >= 3 and in_both["shopfront"] != in_both["ledgerline"]  # another order
    with LessonStore.at(sample_data) as store:
        lessons = {v.id: v for v in store.snapshot().lessons}
    for project, ids in ranked.items():
        where = [in_project(lessons[i], f"/home/dev/src/{project}") for i in ids]
        assert where == sorted(where, reverse=True), project  # the project's own, then others
    monkeypatch.chdir(sample_data)  # no repository: a folder of no project, relevance alone
    plain = runner.invoke(app, args)
    assert "this project's first" not in plain.stdout


class Ranked:
    """An index whose scores are given: `rank` answers as `SearchIndex.rank` does."""

    def __init__(self, *hits: Hit) -> None:
        self.hits = hits
        self.lessons = tuple(h.lesson for h in hits)

    def rank(self, query: Query, min_score: float = 0.0) -> list[Hit]:
        return [h for h in self.hits if h.score >= min_score]


def seen_in(project: str, id: str, text: str, score: float) -> Hit:
    taught = lesson(id, text, sessions=3, fix="uv run")
    moved = tuple(replace(e, cwd=f"/home/dev/src/{project}") for e in taught.evidence)
    return Hit(replace(taught, evidence=moved), score, score, 0.0)


def test_a_project_s_own_lesson_bears_on_its_task_at_a_lower_score() -> None:
    below = MIN_RELEVANCE - 0.05
    index = Ranked(
        seen_in("ledgerline", "aaaaaaaaaa", "Alembic autogenerate skips CHECK rules.", below),
        seen_in("shopfront", "bbbbbbbbbb", "Run vitest through pnpm, not npm.", below),
        seen_in("shopfront", "cccccccccc", "Run the tests with `uv run pytest`.", 0.6),
    )
    task = "Add a migration to ledgerline and run its tests"
    mine = brief(index, task, project="/home/dev/src/ledgerline")  # type: ignore[arg-type]
    assert [h.lesson.id for h in mine.hits] == ["aaaaaaaaaa", "cccccccccc"]
    assert "this project's first" in mine.markdown
    plain = brief(index, task)  # type: ignore[arg-type]
    assert [h.lesson.id for h in plain.hits] == ["cccccccccc"]


def test_no_lesson_of_another_project_takes_the_place_of_the_project_s_own() -> None:
    index = Ranked(
        seen_in("ledgerline", "aaaaaaaaaa", "Generate a new alembic revision.", 0.5),
        seen_in("ledgerline", "bbbbbbbbbb", "Alembic autogenerate skips CHECK rules. " * 10, 0.4),
        seen_in("shopfront", "cccccccccc", "Run the tests with `uv run pytest`.", 0.9),
    )
    task = "Add a migration to ledgerline and run its tests"
    mine = brief(index, task, 100, project="/home/dev/src/ledgerline")  # type: ignore[arg-type]
    assert [h.lesson.id for h in mine.hits] == ["aaaaaaaaaa"] and mine.left_out == 2
    assert mine.tokens <= 100
    plain = brief(index, task, 100)  # type: ignore[arg-type]
    assert [h.lesson.id for h in plain.hits] == ["cccccccccc", "aaaaaaaaaa"]


def test_the_least_budget_holds_the_message_whole(sample_data: Path) -> None:
    args = ["context", "run shell scripts", "--data-dir", str(sample_data)]
    least = runner.invoke(app, [*args, "--budget", str(MIN_BUDGET)])
    assert least.exit_code == 0, least.output
    message = least.stdout.rstrip("\n").rsplit("\n", 1)[-1]
    assert least.stdout.endswith("\n") and message.endswith(" tokens.")
    smaller = runner.invoke(app, [*args, "--budget", str(MIN_BUDGET - 1)])
    assert smaller.exit_code == 2 and "--budget" in smaller.output
