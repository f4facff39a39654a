"""The session pass: one outline per session, sent after the episodes, through the real SDK to
the fake Messages API; its quotes verified like an excerpt's, its answers cached and budgeted,
and the lessons its answer does not earn never emitted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.ledger import Ledger
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.extract import transcripts as t
from tests.extract.demo import EXCERPTS, request_bounds
from tests.extract.demo import extract as extract_demo
from tests.fakes.anthropic_server import FakeAnthropic, Reply, answer, lesson, quoting_answer

GOTCHA = "Open the dev server at `/app/`; the root URL answers 404 (base path in `vite.config.ts`)."


def extractor(fake: FakeAnthropic, ledger: Ledger, **config: Any) -> ClaudeExtractor:
    run_id = config.pop("run_id", None)
    options = {"base_url": fake.url, "max_retries": 0, "concurrency": 1, **config}
    return ClaudeExtractor(ClaudeConfig(**options), ledger, api_key="test-key", run_id=run_id)


def extract(ex: ClaudeExtractor, path: Path, root: Path) -> list[LessonCandidate]:
    run = parse_file(path, root)
    return ex.extract(run, list(find_episodes(run)), read_lines(path))


def on_outline(*lessons: dict[str, Any]) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        if "session outline" in body["messages"][0]["content"]:
            return answer(*lessons)
        return quoting_answer(body)

    return respond


def test_the_session_pass_finds_a_lesson_the_miner_missed(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    path = t.write(tmp_path, t.base_path_session())
    assert list(find_episodes(parse_file(path, tmp_path))) == []  # curl exits 0 on a 404
    fake.responder = on_outline(lesson(GOTCHA, t.BASE_PATH, kind="gotcha"))
    ex = extractor(fake, ledger)
    (found,) = extract(ex, path, tmp_path)
    (body,) = fake.requests
    assert "session outline" in body["messages"][0]["content"]
    assert "Check that the landing page renders." in body["messages"][0]["content"]
    assert found.kind is LessonKind.GOTCHA and found.text == GOTCHA and found.fix is None
    ref = found.evidence.ref
    assert (ref.line_start, ref.line_end) == (8, 8)
    assert quote_in_span(tmp_path / ref.path, ref.line_start, ref.line_end, t.BASE_PATH)
    assert ex.stats.outlines == 1 and ex.stats.spans == 1


def test_a_quote_not_in_the_outline_sent_is_dropped(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    path = t.write(tmp_path, t.base_path_session())
    fake.responder = on_outline(
        lesson(GOTCHA, "the dev server serves everything at the root", kind="gotcha"),
        lesson(GOTCHA, "404 Not Found", kind="gotcha"),  # in the file, but not in the outline
    )
    ex = extractor(fake, ledger)
    assert extract(ex, path, tmp_path) == []
    assert ex.stats.quotes_dropped == 2 and ex.stats.lessons_dropped == 2


def test_a_second_run_answers_the_session_pass_from_the_cache(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    path = t.write(tmp_path, t.base_path_session())
    fake.responder = on_outline(lesson(GOTCHA, t.BASE_PATH, kind="gotcha"))
    first = extract(extractor(fake, ledger), path, tmp_path)
    again = extractor(fake, ledger)
    assert extract(again, path, tmp_path) == first and len(first) == 1
    assert len(fake.requests) == 1 and again.stats.requests == 0 and again.stats.cached == 1


def test_the_token_budget_stops_the_session_pass_and_the_next_run_sends_it(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    # every fake answer costs 150 tokens: room for each episode's call at its most, after the
    # ones before it, not for the outline's (sent last)
    *episodes, outline = request_bounds("claude-sonnet-4-6")
    budget = 150 * (EXCERPTS - 1) + max(b.tokens for b in episodes)
    assert 150 * EXCERPTS + outline.tokens > budget
    run = ledger.start_extract_run("claude", "claude-sonnet-4-6", budget)
    first = extractor(fake, ledger, run_id=run, max_tokens_per_run=budget)
    extract_demo(first)
    prompts = [b["messages"][0]["content"] for b in fake.requests]
    assert len(prompts) == EXCERPTS and not any("session outline" in p for p in prompts)
    assert first.stats.pending == 1
    second = extractor(fake, ledger, run_id=ledger.start_extract_run("claude", None, 10_000))
    extract_demo(second)
    assert second.stats.requests == 1 and second.stats.cached == EXCERPTS
    assert "session outline" in fake.requests[-1]["messages"][0]["content"]


UNEARNED = [
    lesson("Check that the landing page renders.", t.BASE_PATH, kind="decision", support="one_off"),
    lesson(
        "The base path is why pages 404 here.", t.BASE_PATH, kind="gotcha", support="unconfirmed"
    ),
    lesson("The root URL probably answers 404 here.", t.BASE_PATH, kind="gotcha"),  # hedged
    lesson("Serve the app under `/app/`.", t.BASE_PATH, kind="decision", support="confirmed"),
    lesson("On `feat/landing-404` open `/app/`, not the root.", t.BASE_PATH, kind="gotcha"),
]


@pytest.mark.parametrize("unearned", UNEARNED, ids=lambda d: d["text"][:24])
def test_lessons_the_answer_does_not_earn_are_not_emitted(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path, unearned: dict[str, Any]
) -> None:
    path = t.write(tmp_path, t.base_path_session(), branch="feat/landing-404")
    dirty = f"Set\u202a the base path in `{t.CWD}/vite.config.ts`, not in `/home/ana/notes.md`."
    fake.responder = on_outline(unearned, lesson(dirty, t.BASE_PATH, kind="gotcha"))
    ex = extractor(fake, ledger)
    (kept,) = extract(ex, path, tmp_path)
    assert kept.text == "Set the base path in `vite.config.ts`, not in `~/notes.md`."
    assert ex.stats.lessons_unearned == 1 and ex.stats.lessons_dropped == 0
