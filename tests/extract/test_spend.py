"""Caps in US dollars, per run and per day: the Claude extractor (real `anthropic` SDK, fake
Messages API on 127.0.0.1) stops when one is reached and leaves the rest pending; a Message
Batch's calls cost half."""

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
from tests.extract.demo import SPANS, extract
from tests.fakes.anthropic_server import FakeAnthropic

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
    first_run = new_run(ledger)
    first = extractor(fake, ledger, first_run, max_usd_per_run=1.5 * CALL)
    extract(first)  # the second call crosses the cap: nothing more is sent
    assert first.stats.requests == 2 and first.stats.pending == SPANS - 2
    row = ledger.extract_run(first_run)
    assert row is not None and row.cost_usd == pytest.approx(2 * CALL)
    second = extractor(fake, ledger, new_run(ledger), max_usd_per_run=1.0)
    found = extract(second)
    assert second.stats.requests == SPANS - 2 and second.stats.pending == 0
    assert len(found) == SPANS and len(fake.requests) == SPANS  # nothing asked twice


def test_the_day_cap_counts_every_run_of_the_day(fake: FakeAnthropic, ledger: Ledger) -> None:
    day_cap = {"max_usd_per_day": 1.5 * CALL}
    extract(extractor(fake, ledger, new_run(ledger), **day_cap))
    assert len(fake.requests) == 2
    later = extractor(fake, ledger, new_run(ledger), **day_cap)
    extract(later)  # the same day: the first run's spend counts
    assert later.stats.requests == 0 and later.stats.pending == SPANS - 2
    assert len(fake.requests) == 2


def test_yesterdays_spend_does_not_count_today(fake: FakeAnthropic, ledger: Ledger) -> None:
    old = new_run(ledger)
    extract(extractor(fake, ledger, old, max_usd_per_day=1.5 * CALL))
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
    run_id = new_run(ledger)
    # a queued request is reserved at its estimate (the prompt + a typical answer), about
    # 2,500 tokens in and 300 out at half of haiku's price: under a cent each
    config = ClaudeConfig(
        base_url=fake.url, model=MODEL, batch=True, poll_interval=0.01, max_usd_per_run=0.002
    )
    batch = BatchClaudeExtractor(config, ledger, api_key="test-key", run_id=run_id)
    extract(batch)
    sent = len(fake.batch_creates[0]["requests"])
    assert 0 < sent < SPANS and batch.stats.pending == SPANS - sent


def test_a_usd_cap_on_a_model_without_a_price_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ConfigError, match="no price is known"):
        Purse(Caps(usd_per_run=1.0), "some-other-model", ledger, None, lambda: NOTHING)
    Purse(Caps(tokens=10), "some-other-model", ledger, None, lambda: NOTHING)  # tokens: fine


def test_the_purse_without_a_run_counts_its_own_spend(ledger: Ledger) -> None:
    own = Spend(100, 0.5)
    purse = Purse(Caps(usd_per_run=1.0), MODEL, ledger, None, lambda: own)
    assert not purse.reached()
    assert purse.reached(Spend(0, 0.5))
    assert Purse(Caps(usd_per_day=0.4), MODEL, ledger, None, lambda: own).reached()
