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
BATCH_DISCOUNT = 0.5  # the Message Batches API bills every token at half price

# model id prefix -> the shortest prefix (tools + system) the API caches; below it a request
# still succeeds but caches nothing, silently. Sonnet 4.6 is listed at 1,024 by Anthropic and
# measured at 2,048 by others: the larger is kept.
CACHE_MINIMUM: dict[str, int] = {
    "claude-haiku-4-5": 4096,
    "claude-sonnet-4-6": 2048,
    "claude-sonnet-4-5": 1024,
    "claude-opus-4-8": 1024,
    "claude-opus-4-7": 2048,
    "claude-opus-4-6": 4096,
    "claude-opus-4-5": 4096,
    "claude-opus-4": 1024,
}


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) dollars per million tokens; None when the model is not listed."""
    return next((p for prefix, p in PRICES.items() if model.startswith(prefix)), None)


def estimated_cost(
    model: str,
    tokens_in: int,
    tokens_out: int,
    cache_read: int = 0,
    cache_write: int = 0,
    *,
    batch: bool = False,
) -> float | None:
    price = price_of(model)
    if price is None:
        return None
    per_in, per_out = price[0] / 1e6, price[1] / 1e6
    total = tokens_in * per_in + tokens_out * per_out
    total += cache_read * per_in * CACHE_READ + cache_write * per_in * CACHE_WRITE
    return round(total * (BATCH_DISCOUNT if batch else 1.0), 6)


def cache_minimum(model: str) -> int | None:
    """The model's minimum cacheable prefix in tokens; None when unknown."""
    return next((n for prefix, n in CACHE_MINIMUM.items() if model.startswith(prefix)), None)


def cache_note(model: str, prefix_tokens: int) -> str | None:
    """A warning when the cached prefix is too short for `model` to cache it at all."""
    minimum = cache_minimum(model)
    if minimum is None or prefix_tokens >= minimum:
        return None
    return (
        f"the cached prompt prefix (~{prefix_tokens} tokens) is below {model}'s minimum of "
        f"{minimum}: prompt caching has no effect with this model"
    )
