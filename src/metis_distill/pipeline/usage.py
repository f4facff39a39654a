"""What the extractor spent in one run: the counts summed over the batches (and the run's
Message Batch), stored with the run's token use, and the claude extractor's usage and cost
for the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from metis_distill.config import Settings
from metis_distill.extract.base import ExtractStats
from metis_distill.extract.pricing import cache_note, price_of
from metis_distill.extract.spend import Spend
from metis_distill.ledger import Ledger
from metis_distill.pipeline.extraction import BatchResult
from metis_distill.run_report import ExtractionUsage


@dataclass(frozen=True)
class ExtractTotals:
    """The extraction counts of a run and the files left for the next run."""

    stats: ExtractStats
    pending_files: tuple[str, ...]

    @classmethod
    def of(cls, results: Sequence[BatchResult], sent: ExtractStats | None = None) -> ExtractTotals:
        """Summed over the batches and the Message Batch, whose answers the batches then found
        in the cache: those are not counted as cached twice."""
        total = ExtractStats()
        for r in results:
            total.add(r.extract)
        if sent is not None:
            total.add(sent)
            total.cached = max(0, total.cached - sent.requests)
        pending = tuple(sorted({p for r in results for p in r.pending_files}))
        return cls(total, pending)

    def stored(self) -> dict[str, object]:
        """As the ledger keeps them with the run's token use."""
        return {
            **asdict(self.stats),
            "span_fraction": round(self.stats.span_fraction, 5),
            "pending_files": list(self.pending_files),
        }


def finish_extraction(settings: Settings, run_id: int, totals: ExtractTotals) -> Spend:
    """Close the run's extract row with its counts; what the run spent (the curator's calls
    included)."""
    with Ledger(settings.ledger_url) as ledger:
        row = ledger.finish_extract_run(run_id, totals.stored())
    return Spend(row.tokens, row.cost_usd) if row is not None else Spend()


def claude_usage(
    settings: Settings, totals: ExtractTotals, spent: Spend, judge_requests: int = 0
) -> ExtractionUsage:
    """The claude extractor's calls, tokens, cost (each call at its price: a Message Batch's
    at half) and the notes the review shows. `spent` covers the duplicate judge's calls too
    (`judge_requests`), which the note counts apart."""
    s, model = totals.stats, settings.extract.model
    tokens_run = spent.tokens
    cost = round(spent.usd, 4) if price_of(model) is not None else None
    fraction = round(s.span_fraction, 5)
    from metis_distill.extract.claude import cached_prefix_tokens  # anthropic: only when used

    caching = cache_note(model, cached_prefix_tokens())
    usage_note = (
        f"{model}: {s.requests} requests ({s.cached} answered from the cache)"
        + (f" and {judge_requests} to the duplicate judge" if judge_requests else "")
        + f", {tokens_run:,} tokens in all"
        + (f", about ${cost:.2f}" if cost is not None else "")
        + f"; excerpts were {fraction:.1%} of the transcripts' tokens."
        + dropped_said(s)
        + (f" Note: {caching}." if caching else "")
    )

    return ExtractionUsage(
        model=model,
        extract_requests=s.requests,
        judge_requests=judge_requests,
        extract_cached=s.cached,
        extract_pending=s.pending,
        extract_failed=s.failures,
        extract_errors=s.errors,
        quotes_dropped=s.quotes_dropped,
        lessons_dropped=s.lessons_dropped,
        tokens_run=tokens_run,
        tokens_in=s.input_tokens,
        tokens_out=s.output_tokens,
        tokens_cache_read=s.cache_read_tokens,
        tokens_cache_write=s.cache_write_tokens,
        excerpt_tokens=s.span_tokens,
        transcript_tokens=s.transcript_tokens,
        excerpt_fraction=fraction,
        estimated_cost_usd=cost,
        usage_note=usage_note,
        cache_note=caching,
        pending_note=(
            f"{s.pending} excerpts were not extracted in this run (a token or dollar budget "
            "reached, or calls failed): this proposal is partial, and the next run does them."
            if s.pending
            else None
        ),
        first_failure=s.first_failure or None,
        first_failure_hint=s.first_failure_hint or None,
    )


def dropped_said(s: ExtractStats) -> str:
    """What the answers lost on the way: quotes not found verbatim, lessons left without one,
    answers malformed twice (the summary says it, not only `--json`)."""
    parts = []
    if s.quotes_dropped:
        parts.append(f"{s.quotes_dropped} quotes not found verbatim in their excerpts")
    if s.lessons_dropped:
        parts.append(f"{s.lessons_dropped} lessons dropped for want of a verified quote")
    if s.failures:
        parts.append(f"{s.failures} answers malformed twice")
    return f" Of the answers: {', '.join(parts)}." if parts else ""
