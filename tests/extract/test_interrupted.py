"""After Ctrl-C (`metis_distill.interrupt`) the Claude extractor sends nothing more: what it
has not asked waits for the next run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metis_distill import interrupt
from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.ledger import Ledger
from tests.extract.demo import SPANS, extract
from tests.fakes.anthropic_server import FakeAnthropic


@pytest.fixture
def interrupted() -> Iterator[None]:
    interrupt.request()
    yield
    interrupt.clear()


@pytest.mark.usefixtures("interrupted")
def test_no_call_is_sent_after_ctrl_c(fake: FakeAnthropic, ledger: Ledger) -> None:
    config = ClaudeConfig(base_url=fake.url, concurrency=1)
    ex = ClaudeExtractor(config, ledger, api_key="test-key")
    assert extract(ex) == []
    assert fake.requests == [] and ex.stats.pending == SPANS
    assert interrupt.wait_settled(0)  # nothing in flight holds the exit back
