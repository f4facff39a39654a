"""A failed Claude call is said with its cause: the HTTP status and the API's own message, a
timeout, or a malformed answer; a refused key stops the run at its first call."""

from __future__ import annotations

from typing import Any

import pytest

from metis_distill.extract import claude
from metis_distill.extract.base import ExtractionHalted
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.ledger import Ledger
from tests.extract.demo import extract
from tests.fakes.anthropic_server import (
    FakeAnthropic,
    Reply,
    fake_anthropic,
    malformed,
    message,
    overloaded,
    rate_limited,
    server_error,
)


def extractor(fake: FakeAnthropic, ledger: Ledger, **config: Any) -> ClaudeExtractor:
    options = {"base_url": fake.url, "max_retries": 0, "concurrency": 1, **config}
    return ClaudeExtractor(ClaudeConfig(**options), ledger, api_key="test-key")


def refused_key() -> Reply:
    error = {"type": "authentication_error", "message": "invalid x-api-key"}
    return Reply(401, {"type": "error", "error": error})


def html_bad_gateway() -> Reply:
    return Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")


def no_tool_call() -> Reply:
    reply = message({})
    reply["content"] = [{"type": "text", "text": "I cannot help with that."}]
    reply["stop_reason"] = "end_turn"
    return Reply(200, reply)


def halted_by(fake: FakeAnthropic, ledger: Ledger, **config: Any) -> str:
    with pytest.raises(ExtractionHalted) as stopped:
        extract(extractor(fake, ledger, **config))
    return f"{stopped.value} | hint: {stopped.value.hint}"


@pytest.mark.parametrize(
    ("reply", "said", "hinted"),
    [
        (rate_limited, "HTTP 429 rate_limit_error: slow down", "concurrency"),
        (overloaded, "HTTP 529 overloaded_error: busy", "overloaded"),
        (server_error, "HTTP 500 api_error: boom", "service status"),
        (html_bad_gateway, "HTTP 502 <html><body><h1>502 Bad Gateway", "service status"),
        (malformed, "malformed answer, twice: the tool's input broke its schema", "model"),
        (no_tool_call, "no record_lessons tool call (stop reason: end_turn)", "model"),
    ],
)
def test_the_halt_names_the_first_failure_and_what_to_do(
    fake: FakeAnthropic,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    reply: Any,
    said: str,
    hinted: str,
) -> None:
    monkeypatch.setattr(claude, "MIN_CALLS_TO_HALT", 2)
    fake.responder = lambda body: reply()
    shown = halted_by(fake, ledger)
    assert said in shown.split("the first: ")[1] and hinted in shown.split("hint:")[1]


def test_a_refused_key_stops_at_the_first_call(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.responder = lambda body: refused_key()
    shown = halted_by(fake, ledger, max_retries=2)
    assert "HTTP 401 authentication_error: invalid x-api-key" in shown
    assert "ANTHROPIC_API_KEY" in shown
    assert len(fake.requests) == 1  # not retried, and no further excerpt sent


def test_a_timeout_is_said_with_its_limit(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claude, "MIN_CALLS_TO_HALT", 1)
    with fake_anthropic(latency=1.0) as slow:
        shown = halted_by(slow, ledger, timeout=0.2)
    assert (
        "the first: a call timed out after 0.2 s" in shown and "timeout" in shown.split("hint:")[1]
    )


def test_a_failed_call_below_the_halt_is_kept_in_the_stats(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.play(rate_limited())  # the first call only; the rest are answered
    ex = extractor(fake, ledger)
    extract(ex)
    assert ex.stats.errors == 1 and ex.stats.pending == 1
    assert ex.stats.first_failure == "HTTP 429 rate_limit_error: slow down"
    assert "concurrency" in ex.stats.first_failure_hint
