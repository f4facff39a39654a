"""Fixtures of the extractor tests: the fake Messages API and a ledger in a temp dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metis_distill.ledger import Ledger
from tests.fakes.anthropic_server import FakeAnthropic, fake_anthropic


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with fake_anthropic() as server:
        yield server


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = Ledger.at(tmp_path / "data")
    yield ledger
    ledger.close()
