"""Caps in tokens and US dollars, per run and per day: the Claude extractor (real `anthropic`
SDK, fake Messages API on 127.0.0.1) sends a call only when the most it may cost fits under
every cap, with the calls in flight held too, and leaves the rest pending; a Message Batch's
calls cost half."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from metis_distill.errors import ConfigError
from metis_distill.extract.batch import BatchClaudeExtractor
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.extract.pricing import BATCH_DISCOUNT, estimated_cost
from metis_distill.extract.spend import NOTHING, Caps, Purse, Spend
from metis_distill.ledger import ExtractRunRow, Ledger, now
from tests.extract.demo import SPANS, extract, request_bounds
from tests.fakes.anthropic_server import FakeAnthropic, at_full_cost, quoting_answer

MODEL = "claude-haiku-4-5"
CALL = 100 * 1e-6 + 50 * 5e-6  # one fake answer: 100 tokens in, 50 out, at haiku's price


def extractor(fake: FakeAnthropic, ledger: Ledger, run_id: int, **caps: Any) -> ClaudeExtractor:
    config = ClaudeConfig(base_url=fake.url, model=MODEL, max_retries=0, concurrency=1, **caps)
    return ClaudeExtractor(config, ledger, api_key="test-key", run_id=run_id)


def new_run(ledger: Ledger) -> int:
    return ledger.start_extract_run("claude", MODEL, None)


def test_one_call_is_priced_as_listed() -> None:
    assert estimated_cost(MODEL, 100, 50) == pytest.approx(CALL)
    assert estimated_cost(MODEL, 100, 50, batch=True) == pytest.approx(CALL * BATCH_DISCOUNT)


def test_the_run_cap_stops_midway_and_the_next_run_finishes(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.responder = at_full_cost(quoting_answer)
    cap = 2 * max(b.usd for b in request_bounds(MODEL))
    first_run = new_run(ledger)
    first = extractor(fake, ledger, first_run, max_usd_per_run=cap)
    extract(first)  # a third call might cross the cap: it is not sent
    assert first.stats.requests == 2 and first.stats.pending == SPANS - 2
    row = ledger.extract_run(first_run)
    assert row is not None and 0 < row.cost_usd <= cap
    second = extractor(fake, ledger, new_run(ledger), max_usd_per_run=1.0)
    found = extract(second)
    assert second.stats.requests == SPANS - 2 and second.stats.pending == 0
    assert len(found) == SPANS and len(fake.requests) == SPANS  # nothing asked twice


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("cap", ["max_tokens_per_run", "max_usd_per_run", "max_usd_per_day"])
def test_no_cap_is_overrun_by_the_call_about_to_go_out(
    fake: FakeAnthropic, ledger: Ledger, cap: str, concurrency: int
) -> None:
    fake.responder = at_full_cost(quoting_answer)  # every call costs what it may at most
    bounds = request_bounds(MODEL)
    in_tokens = cap == "max_tokens_per_run"
    limit = 2.5 * max(b.tokens if in_tokens else b.usd for b in bounds)
    run_id = new_run(ledger)
    config = ClaudeConfig(
        base_url=fake.url, model=MODEL, max_retries=0, concurrency=concurrency, **{cap: limit}
    )
    ex = ClaudeExtractor(config, ledger, api_key="test-key", run_id=run_id)
    extract(ex)
    row = ledger.extract_run(run_id)
    assert row is not None and 0 < ex.stats.requests < SPANS
    assert (row.tokens if in_tokens else row.cost_usd) <= limit
    assert (row.reserved_tokens, row.reserved_usd) == (0, pytest.approx(0))  # all given back


def test_a_hold_is_seen_by_every_purse_of_the_run(ledger: Ledger) -> None:
    run_id = new_run(ledger)
    caps = Caps(tokens=1000)
    one, other = (Purse(caps, MODEL, ledger, run_id, lambda: NOTHING) for _ in range(2))
    assert one.reserve(Spend(700, 0.0))  # a call in flight in one batch...
    assert not other.reserve(Spend(400, 0.0))  # ...leaves another batch 300 tokens
    assert other.reserve(Spend(300, 0.0))
    one.release(Spend(700, 0.0))
    assert other.fits(Spend(700, 0.0)) and not other.fits(Spend(701, 0.0))


def test_the_day_cap_counts_every_run_of_the_day(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.responder = at_full_cost(quoting_answer)
    day_cap = {"max_usd_per_day": 2 * max(b.usd for b in request_bounds(MODEL))}
    extract(extractor(fake, ledger, new_run(ledger), **day_cap))
    assert len(fake.requests) == 2
    later = extractor(fake, ledger, new_run(ledger), **day_cap)
    extract(later)  # the same day: the first run's spend counts
    assert later.stats.requests == 0 and later.stats.pending == SPANS - 2
    assert len(fake.requests) == 2


def test_yesterdays_spend_does_not_count_today(fake: FakeAnthropic, ledger: Ledger) -> None:
    fake.responder = at_full_cost(quoting_answer)
    old = new_run(ledger)
    extract(
        extractor(fake, ledger, old, max_usd_per_day=2 * max(b.usd for b in request_bounds(MODEL)))
    )
    with ledger.session() as db:
        yesterday = now() - timedelta(days=1)
        db.execute(
            update(ExtractRunRow).where(ExtractRunRow.id == old).values(started_at=yesterday)
        )
    today = extractor(fake, ledger, new_run(ledger), max_usd_per_day=1.0)
    extract(today)
    assert today.stats.requests == SPANS - 2 and today.stats.pending == 0


def test_a_message_batch_costs_half(fake: FakeAnthropic, ledger: Ledger) -> None:
    run_id = new_run(ledger)
    config = ClaudeConfig(base_url=fake.url, model=MODEL, batch=True, poll_interval=0.01)
    batch = BatchClaudeExtractor(config, ledger, api_key="test-key", run_id=run_id)
    extract(batch)
    row = ledger.extract_run(run_id)
    assert row is not None and row.requests == SPANS
    assert row.cost_usd == pytest.approx(SPANS * CALL * BATCH_DISCOUNT)


def test_a_batch_queues_no_more_than_the_run_cap_allows(
    fake: FakeAnthropic, ledger: Ledger
) -> None:
    fake.responder = at_full_cost(quoting_answer)
    cap = 2.5 * max(b.usd for b in request_bounds(MODEL, batch=True))
    run_id = new_run(ledger)
    config = ClaudeConfig(
        base_url=fake.url, model=MODEL, batch=True, poll_interval=0.01, max_usd_per_run=cap
    )
    batch = BatchClaudeExtractor(config, ledger, api_key="test-key", run_id=run_id)
    extract(batch)
    sent = len(fake.batch_creates[0]["requests"])
    assert sent == 2 and batch.stats.pending == SPANS - sent
    row = ledger.extract_run(run_id)
    assert row is not None and 0 < row.cost_usd <= cap  # each request at its most: still under


def test_a_usd_cap_on_a_model_without_a_price_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ConfigError, match="no price is known"):
        Purse(Caps(usd_per_run=1.0), "some-other-model", ledger, None, lambda: NOTHING)
    Purse(Caps(tokens=10), "some-other-model", ledger, None, lambda: NOTHING)  # tokens: fine


def test_the_purse_without_a_run_counts_its_own_spend_and_holds(ledger: Ledger) -> None:
    own = Spend(100, 0.5)
    purse = Purse(Caps(usd_per_run=1.0), MODEL, ledger, None, lambda: own)
    assert purse.fits(Spend(0, 0.5)) and not purse.fits(Spend(0, 0.51))
    assert purse.reserve(Spend(0, 0.3)) and not purse.reserve(Spend(0, 0.3))
    purse.release(Spend(0, 0.3))
    assert purse.reserve(Spend(0, 0.3))
    assert not Purse(Caps(usd_per_day=0.4), MODEL, ledger, None, lambda: own).fits(NOTHING)
