"""What Claude sees of an episode, as the fake Messages API received it: the edit's diff, the
error line from the middle of a long output, the agent's reasoning before and after the
failure, the user's message in the middle of the turn; and the `fix` of its answer, which
reaches the candidate only when the quotes show the error and the success."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.extract.spans import CHARS_PER_TOKEN, CUT, DEFAULT_SPAN_TOKENS
from metis_distill.ledger import Ledger
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.extract import transcripts as t
from tests.fakes.anthropic_server import FakeAnthropic, Reply, answer, excerpt_texts, lesson

FIX_LESSON = "Declare `price_cents` on `LineItem` before computing cart totals in cents."


def run_extractor(
    fake: FakeAnthropic, ledger: Ledger, path: Path, root: Path, **config: Any
) -> tuple[ClaudeExtractor, list[LessonCandidate]]:
    options = {"base_url": fake.url, "max_retries": 0, "concurrency": 1, **config}
    ex = ClaudeExtractor(ClaudeConfig(**options), ledger, api_key="test-key")
    run = parse_file(path, root)
    return ex, ex.extract(run, list(find_episodes(run)), read_lines(path))


def episode_prompts(fake: FakeAnthropic) -> list[str]:
    prompts = [b["messages"][0]["content"] for b in fake.requests]
    return [p for p in prompts if "session outline" not in p]


def test_the_excerpt_shows_the_diff_the_error_the_reasoning_and_the_users_words(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    path = t.write(tmp_path, t.cents_session())
    run_extractor(fake, ledger, path, tmp_path)
    (prompt,) = [p for p in episode_prompts(fake) if t.PASSED in p]  # the failure and its fix
    # the error sits in the middle of an output far longer than an excerpt: kept, with its cut
    failing = next(e.text for e in parse_file(path, tmp_path).events if t.PRICE_ERROR in e.text)
    assert len(failing) > DEFAULT_SPAN_TOKENS * CHARS_PER_TOKEN
    assert t.PRICE_ERROR in prompt and "tests/test_cart.py:41: AttributeError" in prompt
    assert "1 failed, 311 passed" in prompt and CUT in prompt
    assert f"+    {t.ADDED}" in prompt and "     price: float" in prompt  # the edit's diff
    assert t.BEFORE in prompt and t.AFTER in prompt  # the agent's reasoning around it
    assert f'mid_turn="true">\n{t.MIDTURN}' in prompt  # typed while the agent worked
    assert prompt.index(t.BEFORE) < prompt.index(t.PRICE_ERROR) < prompt.index(t.AFTER)
    assert prompt.index(t.AFTER) < prompt.index(t.ADDED) < prompt.index(t.PASSED)


def fix_answer(
    *quotes: str, support: str = "fix_shown", fix: str = "add `price_cents` to `LineItem`"
) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        texts = excerpt_texts(body)
        if any(t.PRICE_ERROR in text for text in texts) and any(t.PASSED in x for x in texts):
            return answer(lesson(FIX_LESSON, *quotes, support=support, fix=fix))
        return answer()

    return respond


def test_a_shown_fix_flows_into_the_candidate_with_evidence_over_both_events(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    path = t.write(tmp_path, t.cents_session())
    fake.responder = fix_answer("has no attribute 'price_cents'", t.PASSED)
    _, found = run_extractor(fake, ledger, path, tmp_path)
    (candidate,) = {c.text: c for c in found}.values()  # the excerpt and the outline agree
    assert candidate.kind is LessonKind.FAILURE
    assert candidate.fix == "add `price_cents` to `LineItem`"
    ref = candidate.evidence.ref
    assert (ref.line_start, ref.line_end) == (4, 10)  # the error's line to the passing run's
    assert candidate.evidence.shows_fix
    assert quote_in_span(tmp_path / ref.path, ref.line_start, ref.line_end, t.PASSED)
    assert quote_in_span(
        tmp_path / ref.path, ref.line_start, ref.line_end, candidate.evidence.quote
    )


def test_a_fix_claimed_without_a_quote_of_the_success_is_not_emitted_and_none_is_invented(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    path = t.write(tmp_path, t.cents_session())
    fake.responder = fix_answer("has no attribute 'price_cents'")
    ex, found = run_extractor(fake, ledger, path, tmp_path)
    assert found == [] and ex.stats.lessons_unearned == 1
    fake.responder = fix_answer("has no attribute 'price_cents'", t.PASSED, support="failure_seen")
    _, found = run_extractor(fake, ledger, path, tmp_path, model="another-model")
    assert found and all(c.fix is None for c in found)


def test_a_fix_that_gives_a_password_is_not_emitted(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    """The answer names a way that pipes the user's password to sudo: no agent can run it."""
    path = t.write(tmp_path, t.cents_session())
    piped = "`echo [REDACTED:sudo_password] | sudo -S pytest`"
    fake.responder = fix_answer("has no attribute 'price_cents'", t.PASSED, fix=piped)
    ex, found = run_extractor(fake, ledger, path, tmp_path)
    assert found == [] and ex.stats.lessons_unearned == 1


def test_a_fix_in_prose_that_pipes_a_password_is_not_emitted(
    fake: FakeAnthropic, ledger: Ledger, tmp_path: Path
) -> None:
    """`sudo -S` in backticks, as an answer writes it, is the password's way all the same."""
    path = t.write(tmp_path, t.cents_session())
    fix = "pipe the password to `sudo -S`"
    fake.responder = fix_answer("has no attribute 'price_cents'", t.PASSED, fix=fix)
    ex, found = run_extractor(fake, ledger, path, tmp_path)
    assert found == [] and ex.stats.lessons_unearned == 1
