"""The extractor and the duplicate judge a run's settings ask for, and the ledger row that
sums the run's token use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from metis_distill.config import Settings
from metis_distill.curate.merge import DuplicateJudge
from metis_distill.errors import ConfigError
from metis_distill.extract.base import BatchMode, Extractor
from metis_distill.extract.pricing import price_of
from metis_distill.extract.rules import RulesExtractor
from metis_distill.ledger import Ledger

if TYPE_CHECKING:  # anthropic is imported only when the claude extractor runs
    from metis_distill.extract.claude import ClaudeConfig


def check_extraction(settings: Settings) -> None:
    """The settings a run cannot go without (the claude extractor's key, a price for a USD
    cap), checked before anything is archived or written."""
    if settings.extractor != "claude":
        return
    _api_key(settings)
    budgets = settings.budgets
    in_usd = budgets.max_usd_per_run is not None or budgets.max_usd_per_day is not None
    if in_usd and price_of(settings.extract.model) is None:
        raise ConfigError(
            f"no price is known for {settings.extract.model}: a USD cap cannot be kept",
            hint="use a listed model (extract/pricing.py) or drop max_usd_per_run/day",
        )


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

    key = _api_key(settings)
    config = claude_config(settings)
    if config.batch:
        from metis_distill.extract.batch import BatchClaudeExtractor

        return BatchClaudeExtractor(config, ledger, api_key=key, run_id=run_id, mode=batch_mode)
    return ClaudeExtractor(config, ledger, api_key=key, run_id=run_id)


def _api_key(settings: Settings) -> str:
    key = settings.api_key()
    if key is None:
        raise ConfigError(
            "the claude extractor needs an Anthropic API key",
            hint="set ANTHROPIC_API_KEY (or METIS_EXTRACT__API_KEY), or pass --extractor rules",
        )
    return key


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
    return ClaudeCurator(config, ledger, api_key=_api_key(settings), run_id=run_id)
