"""The extractor and the duplicate judge a run's settings ask for, and the ledger row that
sums the run's token use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from metis_distill.config import Settings
from metis_distill.curate.merge import DuplicateJudge
from metis_distill.extract.base import BatchMode, Extractor
from metis_distill.extract.ready import api_key
from metis_distill.extract.rules import RulesExtractor
from metis_distill.ledger import Ledger

if TYPE_CHECKING:  # anthropic is imported only when the claude extractor runs
    from metis_distill.extract.claude import ClaudeConfig


def start_extraction(settings: Settings, ledger: Ledger) -> int:
    """A run row in the ledger that sums the run's token use (the budget reads it)."""
    claude = settings.extractor == "claude"
    return ledger.start_extract_run(
        settings.extractor,
        settings.extract.model if claude else None,
        settings.budgets.max_tokens_per_run if claude else None,
    )


def make_extractor(
    settings: Settings,
    ledger: Ledger,
    run_id: int | None = None,
    batch_mode: BatchMode = "inline",
) -> Extractor:
    """The extractor the settings ask for (the rules when none is named and no key is set).
    `batch_mode` (with `--batch`): "queue", "cache" or "inline", see `extract.batch`."""
    if settings.extractor != "claude":
        return RulesExtractor()
    from metis_distill.extract.claude import ClaudeExtractor

    key = api_key(settings)
    config = claude_config(settings)
    if config.batch:
        from metis_distill.extract.batch import BatchClaudeExtractor

        return BatchClaudeExtractor(config, ledger, api_key=key, run_id=run_id, mode=batch_mode)
    return ClaudeExtractor(config, ledger, api_key=key, run_id=run_id)


def claude_config(settings: Settings) -> ClaudeConfig:
    from metis_distill.extract.claude import ClaudeConfig

    return ClaudeConfig(
        model=settings.extract.model,
        base_url=settings.extract.base_url,
        concurrency=settings.extract.concurrency,
        max_retries=settings.extract.max_retries,
        timeout=settings.extract.timeout,
        max_tokens_per_run=settings.budgets.max_tokens_per_run,
        max_usd_per_run=settings.budgets.max_usd_per_run,
        max_usd_per_day=settings.budgets.max_usd_per_day,
        max_failed_fraction=settings.extract.max_failed_fraction,
        span_tokens=settings.extract.span_tokens,
        batch=settings.extract.batch,
        poll_interval=settings.extract.batch_poll_interval,
        batch_max_wait=settings.extract.batch_max_wait,
    )


def make_judge(
    settings: Settings, ledger: Ledger, run_id: int | None = None
) -> DuplicateJudge | None:
    """The curator prompt's judge of near-duplicates: with the claude extractor only."""
    if settings.extractor != "claude":
        return None
    from metis_distill.extract.curator import ClaudeCurator

    config = claude_config(settings)
    return ClaudeCurator(config, ledger, api_key=api_key(settings), run_id=run_id)
