"""What a run may still spend: its tokens and dollars so far (the ledger's run row, which every
batch and the curator add to), against the caps of the settings — tokens per run, US dollars
per run and per day (UTC, a run counting on the day it started).

A cap is a ceiling: before a call goes out, the most it may cost (`upper_bound`) is held
against the caps with the calls already in flight, in the ledger's run row, so threads,
parallel batches and processes of one run share it; the call's real cost replaces the hold
when it returns."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from metis_distill.errors import ConfigError
from metis_distill.extract.pricing import estimated_cost, price_of
from metis_distill.ledger import ExtractionRow, Ledger, SpendCaps

CHARS_PER_TOKEN_AT_MOST = 3  # a request's characters per token, generous (4 is usual)


@dataclass(frozen=True)
class Spend:
    tokens: int = 0
    usd: float = 0.0

    def __add__(self, other: Spend) -> Spend:
        return Spend(self.tokens + other.tokens, self.usd + other.usd)

    def __sub__(self, other: Spend) -> Spend:
        return Spend(self.tokens - other.tokens, self.usd - other.usd)


NOTHING = Spend()
Caps = SpendCaps


class Purse:
    """One run's spending under its caps. Without a run row (a bare extractor), what the
    extractor itself counted (`own`) is the run's spend, and holds are kept here."""

    def __init__(
        self,
        caps: Caps,
        model: str,
        ledger: Ledger,
        run_id: int | None,
        own: Callable[[], Spend],
    ) -> None:
        in_usd = caps.usd_per_run is not None or caps.usd_per_day is not None
        if in_usd and price_of(model) is None:
            raise ConfigError(
                f"no price is known for {model}: a USD cap cannot be kept",
                hint="use a listed model (extract/pricing.py) or drop max_usd_per_run/day",
            )
        self.caps, self.model, self.ledger, self.run_id, self.own = caps, model, ledger, run_id, own
        self._held = NOTHING  # without a run row only
        self._lock = threading.Lock()

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

    def reserve(self, call: Spend) -> bool:
        """Hold `call` (the most a call about to go out may cost) when it fits under every
        cap with what is spent and held; False: it waits for the next run."""
        if self.run_id is not None:
            held = (call.tokens, call.usd)
            return self.ledger.reserve(self.run_id, held, self.caps, _midnight())
        with self._lock:
            if not self.fits(call):
                return False
            self._held += call
            return True

    def settle(self, usage: ExtractionRow, cost: float, held: Spend) -> None:
        """A call returned: its real tokens and `cost` are spent, what was held is given back
        (one UPDATE: the cap never sees the call twice, nor not at all)."""
        if self.run_id is not None:
            self.ledger.add_usage(self.run_id, usage, cost, (held.tokens, held.usd))
            return
        with self._lock:
            self._held -= held

    def release(self, held: Spend) -> None:
        """Give back what was held for calls that were not made (or are settled already)."""
        if self.run_id is not None:
            self.ledger.release(self.run_id, (held.tokens, held.usd))
            return
        with self._lock:
            self._held -= held

    def fits(self, more: Spend) -> bool:
        """True when the run's spend, what it holds and `more` stay within every cap (a check
        only: nothing is held)."""
        caps, held = self.caps, self._held_now()
        total = self.spent() + held + more
        if caps.tokens is not None and total.tokens > caps.tokens:
            return False
        if caps.usd_per_run is not None and total.usd > caps.usd_per_run:
            return False
        return caps.usd_per_day is None or self._today() + held.usd + more.usd <= caps.usd_per_day

    def _held_now(self) -> Spend:
        if self.run_id is None:
            return self._held
        row = self.ledger.extract_run(self.run_id)
        return Spend(row.reserved_tokens, row.reserved_usd) if row is not None else NOTHING

    def _today(self) -> float:
        today = self.ledger.cost_since(_midnight())
        return today if self.run_id is not None else today + self.own().usd


def _midnight() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def upper_bound(model: str, request: Mapping[str, Any], *, batch: bool = False) -> Spend:
    """The most one Messages API request may cost: its whole body (system prompt, tools and
    messages) at `CHARS_PER_TOKEN_AT_MOST`, every input token priced as a cache write (the
    dearest input), and `max_tokens` of answer."""
    chars = len(json.dumps(request))
    tokens_in = -(-chars // CHARS_PER_TOKEN_AT_MOST)
    tokens_out = int(request["max_tokens"])
    usd = estimated_cost(model, 0, tokens_out, cache_write=tokens_in, batch=batch) or 0.0
    return Spend(tokens_in + tokens_out, usd)
