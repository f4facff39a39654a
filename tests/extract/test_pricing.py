from __future__ import annotations

from metis_distill.extract.claude import DEFAULT_MODEL, cached_prefix_tokens
from metis_distill.extract.pricing import cache_minimum, cache_note, estimated_cost


def test_cost_of_known_and_unknown_models() -> None:
    assert estimated_cost("claude-haiku-4-5", 1_000_000, 0) == 1.0
    assert estimated_cost("claude-haiku-4-5-20251001", 0, 200_000) == 1.0
    assert estimated_cost("claude-sonnet-4-6", 100_000, 10_000, cache_read=1_000_000) == 0.75
    assert estimated_cost("some-other-model", 10, 10) is None


def test_cache_minimum_by_model_prefix() -> None:
    assert cache_minimum("claude-haiku-4-5-20251001") == 4096
    assert cache_minimum("claude-sonnet-4-6") == 2048
    assert cache_minimum("some-other-model") is None


def test_cache_note_only_below_the_minimum() -> None:
    assert cache_note("claude-sonnet-4-6", 2048) is None
    note = cache_note("claude-haiku-4-5", 1500)
    assert note is not None and "4096" in note and "no effect" in note
    assert cache_note("unknown-model", 10) is None


def test_the_default_models_prefix_is_long_enough_to_be_cached() -> None:
    """Shrinking the system prompt below the default model's minimum would silently turn
    prompt caching off: every request would pay the full prefix."""
    minimum = cache_minimum(DEFAULT_MODEL)
    assert minimum is not None
    assert cached_prefix_tokens() >= minimum
