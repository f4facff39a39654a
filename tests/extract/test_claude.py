"""The Claude extractor through the real `anthropic` SDK against a fake Messages API on
127.0.0.1: provenance, cache, prompt versions, retries, malformed answers, budget, secrets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from metis_distill.extract import claude
from metis_distill.extract.base import ExtractionHalted
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.extract.prompts import default_prompts_dir
from metis_distill.extract.schema import TOOL_NAME, input_schema
from metis_distill.extract.spans import span_sha256
from metis_distill.ledger import Ledger
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonKind
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES
from tests.extract.demo import (
    EXCERPTS,
    SESSIONS,
    SPANS,
    UV_LESSON,
    extract,
    request_bounds,
    resolves,
)
from tests.fakes.anthropic_server import (
    FakeAnthropic,
    Reply,
    answer,
    at_full_cost,
    excerpt_texts,
    fake_anthropic,
    lesson,
    malformed,
    overloaded,
    quoting_answer,
    rate_limited,
    server_error,
)


def extractor(fake: FakeAnthropic, ledger: Ledger, **config: Any) -> ClaudeExtractor:
    run_id = config.pop("run_id", None)
    options = {"base_url": fake.url, "max_retries": 2, "concurrency": 1, **config}
    return ClaudeExtractor(ClaudeConfig(**options), ledger, api_key="test-key", run_id=run_id)


def test_lessons_from_tool_use_answers_carry_resolving_provenance(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.play(answer(lesson(UV_LESSON, "pytest: command not found", severity=3)))
    found = extract(extractor(fake, ledger))
    assert len(fake.requests) == SPANS
    uv = next(c for c in found if c.text == UV_LESSON)
    assert uv.kind is LessonKind.FAILURE and uv.severity == 3
    assert (uv.evidence.ref.line_start, uv.evidence.ref.line_end) == (4, 4)
    assert len(found) == SPANS  # the default answers quote the excerpt too
    assert all(resolves(c) for c in found)


def test_an_invented_quote_yields_no_lesson(fake: FakeAnthropic, ledger: Ledger) -> None:
    # one quote is invented; the other is in the file, but not in the excerpt it was sent
    fake.responder = lambda body: answer(
        lesson("Never do this again here.", "this text is in no transcript at all"),
        lesson("Generate migrations, never edit them.", "generate a new alembic revision"),
    )
    ex = extractor(fake, ledger)
    found = extract(ex)
    in_excerpt = [b for b in fake.requests if "generate a new alembic revision" in str(b)]
    assert len(in_excerpt) == 2  # the correction's excerpt and the outline: the quote is real
    assert [c.text for c in found] == ["Generate migrations, never edit them."] * 2
    assert ex.stats.quotes_dropped == 2 * SPANS - 2
    assert ex.stats.lessons_dropped == 2 * SPANS - 2


def test_a_second_run_sends_zero_requests(fake: FakeAnthropic, ledger: Ledger) -> None:
    first = extract(extractor(fake, ledger))
    assert len(fake.requests) == SPANS
    again = extractor(fake, ledger)
    second = extract(again)
    assert len(fake.requests) == SPANS
    assert again.stats.cached == SPANS and again.stats.requests == 0
    assert second == first


def _bumped(folder: Path, name: str) -> Path:
    """A copy of the prompts with `name`'s version raised by one."""
    shutil.copytree(default_prompts_dir(), folder)
    template = folder / name
    text = template.read_text(encoding="utf-8")
    version = int(text.split("version:", 1)[1].split("#}", 1)[0])
    bumped = text.replace(f"{{# version: {version} #}}", f"{{# version: {version + 1} #}}", 1)
    template.write_text(bumped, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("template", "resent"),
    [("extract_episode.md.j2", EXCERPTS), ("extract_session.md.j2", SESSIONS)],
)
def test_a_prompt_version_change_resends_that_prompts_work_only(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path, template: str, resent: int
) -> None:
    extract(extractor(fake, ledger))
    extract(extractor(fake, ledger))
    assert len(fake.requests) == SPANS
    bumped = extractor(fake, ledger, prompts_dir=_bumped(tmp_path / "v2", template))
    extract(bumped)
    assert len(fake.requests) == SPANS + resent
    assert bumped.stats.cached == SPANS - resent


def test_429_529_and_500_are_retried_by_the_sdk(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.play(
        rate_limited(0.05), overloaded(), answer(lesson(UV_LESSON, "pytest: command not found"))
    )
    ex = extractor(fake, ledger)
    found = extract(ex)
    assert UV_LESSON in {c.text for c in found}
    assert len(fake.requests) == SPANS + 2
    assert fake.requests[0] == fake.requests[2]  # the same request, sent again
    assert ex.stats.errors == 0 and ex.stats.pending == 0


def test_an_error_after_the_retries_leaves_the_excerpt_pending(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.play(server_error(), server_error(), server_error())  # max_retries=2: 3 tries
    ex = extractor(fake, ledger)
    extract(ex)
    assert ex.stats.errors == 1 and ex.stats.pending == 1
    again = extractor(fake, ledger)
    extract(again)
    assert again.stats.requests == 1 and again.stats.cached == SPANS - 1


def test_a_malformed_answer_is_retried_once_then_recorded(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    # first excerpt: malformed twice; second: a body that is no JSON, then a good answer
    fake.play(
        malformed(), malformed(), Reply(200, "{not json"), answer(lesson(UV_LESSON, "pytest -q"))
    )
    ex = extractor(fake, ledger)
    found = extract(ex)  # never raises
    assert ex.stats.failures == 1
    assert len(fake.requests) == SPANS + 2
    assert fake.requests[0] == fake.requests[1] and fake.requests[2] == fake.requests[3]
    rows = [ledger.extraction(k, v, ex.config.model) for k, v in _keys(fake, ex)]
    assert [r.status for r in rows if r is not None] == ["failed"] + ["ok"] * (SPANS - 1)
    assert UV_LESSON in {c.text for c in found}
    assert all(resolves(c) for c in found)
    again = extractor(fake, ledger)
    extract(again)
    assert again.stats.requests == 0  # a recorded failure is not asked again every night


def test_the_budget_stops_midway_and_the_next_run_finishes(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.responder = at_full_cost(quoting_answer)  # every answer costs what it may at most
    cap = 2 * max(b.tokens for b in request_bounds(claude.DEFAULT_MODEL))
    first_run = ledger.start_extract_run("claude", claude.DEFAULT_MODEL, cap)
    first = extractor(fake, ledger, run_id=first_run, max_tokens_per_run=cap)
    extract(first)  # a third call might cross the cap: it waits
    assert first.stats.requests == 2 and first.stats.pending == SPANS - 2
    assert 0 < ledger.extract_run(first_run).tokens <= cap  # type: ignore[union-attr]
    second_run = ledger.start_extract_run("claude", claude.DEFAULT_MODEL, 1_000_000)
    second = extractor(fake, ledger, run_id=second_run, max_tokens_per_run=1_000_000)
    found = extract(second)
    assert second.stats.requests == SPANS - 2 and second.stats.cached == 2
    assert second.stats.pending == 0 and len(found) == SPANS
    contents = [b["messages"][0]["content"] for b in fake.requests]
    assert len(contents) == len(set(contents)) == SPANS  # nothing twice


def test_no_request_carries_the_planted_secret(fake: FakeAnthropic, ledger: Ledger) -> None:
    assert "sk-ant-api03-" in DEMO_FILE.read_text(encoding="utf-8")
    extract(extractor(fake, ledger))
    assert fake.raw and not any(b"sk-ant-api03" in raw for raw in fake.raw)
    assert any("[REDACTED:anthropic_key]" in t for b in fake.requests for t in excerpt_texts(b))


PERSONS = FIXTURES / "persons"
ADDRESS = "ines.moraes@fastmail.test"
SHOWN_QUOTE = "would publish a private email address …@fastmail.test"


def test_no_request_names_a_person_as_the_evidence_files_do_not(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    (path,) = PERSONS.rglob("*.jsonl")
    assert ADDRESS in path.read_text(encoding="utf-8")
    fake.responder = lambda body: answer(
        lesson("GitHub declines a push of commits authored with a private address.", SHOWN_QUOTE)
    )
    run = parse_file(path, PERSONS)
    found = extractor(fake, ledger).extract(run, list(find_episodes(run)), read_lines(path))
    assert fake.raw and not any(ADDRESS.encode() in raw for raw in fake.raw)
    assert not any(b"/home/ines" in raw for raw in fake.raw)
    assert any(SHOWN_QUOTE in t for b in fake.requests for t in excerpt_texts(b))
    # a quote of the address as it was shown still resolves in the file
    assert found and {c.evidence.quote for c in found} == {SHOWN_QUOTE}
    ref = found[0].evidence.ref
    assert quote_in_span(PERSONS / ref.path, ref.line_start, ref.line_end, SHOWN_QUOTE)


def test_the_request_forces_the_tool_and_caches_the_system_prompt(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    extract(extractor(fake, ledger, model="claude-test-model"))
    body = fake.requests[0]
    assert body["model"] == "claude-test-model"
    (system,) = body["system"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert TOOL_NAME in system["text"]
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert body["tools"] == [
        json.loads(json.dumps({**body["tools"][0], "input_schema": input_schema()}))
    ]
    sent = fake.headers[0]
    assert "test-key" in (
        sent.get("x-api-key", ""),
        sent.get("authorization", "").removeprefix("Bearer "),
    )


def test_too_many_failed_calls_stop_the_run_for_a_human(
    fake: FakeAnthropic, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claude, "MIN_CALLS_TO_HALT", 2)
    fake.responder = lambda body: server_error()
    ex = extractor(fake, ledger, max_retries=0)
    with pytest.raises(ExtractionHalted) as stopped:
        extract(ex)
    assert stopped.value.exit_code == 3
    assert len(fake.requests) == 2  # stopped, not every excerpt tried
    assert ex.stats.errors == 2


def test_concurrency_keeps_several_calls_in_flight(ledger: Ledger) -> None:
    """Several calls are answered at once (counted by the fake server, not timed: a loaded
    machine slows both ways alike)."""
    with fake_anthropic(latency=0.3) as slow:
        extract(extractor(slow, ledger, concurrency=4))
    assert len(slow.requests) == SPANS
    assert slow.most_in_flight > 1  # one at a time never overlaps


def _keys(fake: FakeAnthropic, ex: ClaudeExtractor) -> list[tuple[str, str]]:
    """(span key, prompt version) of each distinct prompt, in the order it was first sent."""
    seen: dict[str, str] = {}
    for body in fake.requests:
        prompt = body["messages"][0]["content"]
        version = ex.session_version if "session outline" in prompt else ex.episode_version
        seen.setdefault(span_sha256(prompt), version)
    return list(seen.items())
