"""What the claude extractor cannot run without, checked before a run does any work: light
to import (the check of a run with nothing new loads no more than this)."""

from __future__ import annotations

from metis_distill.config import Settings
from metis_distill.errors import ConfigError
from metis_distill.extract.pricing import price_of


def api_key(settings: Settings) -> str:
    key = settings.api_key()
    if key is None:
        raise ConfigError(
            "the claude extractor needs an Anthropic API key",
            hint="set ANTHROPIC_API_KEY (or METIS_EXTRACT__API_KEY), or pass --extractor rules",
        )
    return key


def check_extraction(settings: Settings) -> None:
    """The settings a run cannot go without (the claude extractor's key, a price for a USD
    cap), checked before anything is archived or written."""
    if settings.extractor != "claude":
        return
    api_key(settings)
    budgets = settings.budgets
    in_usd = budgets.max_usd_per_run is not None or budgets.max_usd_per_day is not None
    if in_usd and price_of(settings.extract.model) is None:
        raise ConfigError(
            f"no price is known for {settings.extract.model}: a USD cap cannot be kept",
            hint="use a listed model (extract/pricing.py) or drop max_usd_per_run/day",
        )
