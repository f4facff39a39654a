from __future__ import annotations

from metis_distill.extract.pricing import estimated_cost


def test_cost_of_known_and_unknown_models() -> None:
    assert estimated_cost("claude-haiku-4-5", 1_000_000, 0) == 1.0
    assert estimated_cost("claude-haiku-4-5-20251001", 0, 200_000) == 1.0
    assert estimated_cost("claude-sonnet-4-6", 100_000, 10_000, cache_read=1_000_000) == 0.75
    assert estimated_cost("some-other-model", 10, 10) is None
