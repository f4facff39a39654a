"""Estimated cost of a run's tokens, in US dollars (list prices per million tokens; an
estimate for the report, not a bill). Unknown models cost None rather than a guess."""

from __future__ import annotations

# model id prefix -> (input, output) dollars per million tokens
PRICES: dict[str, tuple[float, float]] = {
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-sonnet-4-6": (3.0, 15.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-opus-4": (5.0, 25.0),
}
CACHE_READ = 0.1  # cached input tokens cost a tenth of fresh ones
CACHE_WRITE = 1.25  # writing the cache costs a quarter more


def estimated_cost(
    model: str, tokens_in: int, tokens_out: int, cache_read: int = 0, cache_write: int = 0
) -> float | None:
    price = next((p for prefix, p in PRICES.items() if model.startswith(prefix)), None)
    if price is None:
        return None
    per_in, per_out = price[0] / 1e6, price[1] / 1e6
    total = tokens_in * per_in + tokens_out * per_out
    total += cache_read * per_in * CACHE_READ + cache_write * per_in * CACHE_WRITE
    return round(total, 4)
