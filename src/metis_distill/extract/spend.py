"""What a run may still spend: its tokens and dollars so far (the ledger's run row, which every
batch and the curator add to), against the caps of the settings — tokens per run, US dollars
per run and per day (UTC, a run counting on the day it started)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from metis_distill.errors import ConfigError
from metis_distill.extract.pricing import estimated_cost, price_of
from metis_distill.ledger import ExtractionRow, Ledger


@dataclass(frozen=True)
class Spend:
    tokens: int = 0
    usd: float = 0.0

    def __add__(self, other: Spend) -> Spend:
        return Spend(self.tokens + other.tokens, self.usd + other.usd)


NOTHING = Spend()


@dataclass(frozen=True)
class Caps:
    tokens: int | None = None
    usd_per_run: float | None = None
    usd_per_day: float | None = None

    @property
    def in_usd(self) -> bool:
        return self.usd_per_run is not None or self.usd_per_day is not None


class Purse:
    """One run's spending under its caps. Without a run row (a bare extractor), what the
    extractor itself counted (`own`) is the run's spend."""

    def __init__(
        self,
        caps: Caps,
        model: str,
        ledger: Ledger,
        run_id: int | None,
        own: Callable[[], Spend],
    ) -> None:
        if caps.in_usd and price_of(model) is None:
            raise ConfigError(
                f"no price is known for {model}: a USD cap cannot be kept",
                hint="use a listed model (extract/pricing.py) or drop max_usd_per_run/day",
            )
        self.caps, self.model, self.ledger, self.run_id, self.own = caps, model, ledger, run_id, own

    def cost(self, row: ExtractionRow, *, batch: bool = False) -> float:
        """The dollars of one call's tokens (0 for a model without a listed price)."""
        usd = estimated_cost(
            self.model,
            row.input_tokens,
            row.output_tokens,
            row.cache_read_tokens,
            row.cache_write_tokens,
            batch=batch,
        )
        return usd or 0.0

    def spent(self) -> Spend:
        if self.run_id is None:
            return self.own()
        row = self.ledger.extract_run(self.run_id)
        return Spend(row.tokens, row.cost_usd) if row is not None else NOTHING

    def reached(self, more: Spend = NOTHING) -> bool:
        """True when the run's spend and `more` (calls in flight, or about to be sent) meet
        a cap: what is left waits for the next run."""
        caps = self.caps
        total = self.spent() + more
        if caps.tokens is not None and total.tokens >= caps.tokens:
            return True
        if caps.usd_per_run is not None and total.usd >= caps.usd_per_run:
            return True
        return caps.usd_per_day is not None and self._today() + more.usd >= caps.usd_per_day

    def _today(self) -> float:
        midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        today = self.ledger.cost_since(midnight)
        return today if self.run_id is not None else today + self.own().usd


def estimate(model: str, tokens_in: int, tokens_out: int, *, batch: bool) -> float:
    """Dollars of a call not made yet (0 for a model without a listed price)."""
    return estimated_cost(model, tokens_in, tokens_out, batch=batch) or 0.0
