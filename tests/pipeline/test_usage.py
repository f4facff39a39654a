"""The run summary's usage note: its request count covers the same calls as its tokens."""

from __future__ import annotations

from metis_distill.config import load_settings
from metis_distill.extract.base import ExtractStats
from metis_distill.extract.spend import Spend
from metis_distill.pipeline.usage import ExtractTotals, claude_usage


def test_the_duplicate_judges_calls_are_counted_apart_beside_the_tokens_they_used() -> None:
    totals = ExtractTotals(ExtractStats(requests=130, cached=4), ())
    usage = claude_usage(load_settings(), totals, Spend(21_450, 0.1), judge_requests=13)
    assert usage.extract_requests == 130 and usage.judge_requests == 13
    assert "130 requests (4 answered from the cache) and 13 to the duplicate judge" in (
        usage.usage_note
    )
    assert "21,450 tokens in all" in usage.usage_note


def test_no_judge_call_is_not_mentioned() -> None:
    totals = ExtractTotals(ExtractStats(requests=5), ())
    note = claude_usage(load_settings(), totals, Spend(750, 0.0)).usage_note
    assert "5 requests (0 answered from the cache), 750 tokens in all" in note
    assert "judge" not in note
