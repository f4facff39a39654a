"""`metis serve`: the distill flow as a deployment of its target, `distill/nightly-<repo>-<file
key>`, on a cron in the user's time zone, served by this process until it is stopped (Ctrl-C).
Each target has a deployment of its own: two serves of two targets would otherwise share one,
each registering its parameters over the other's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from prefect import serve as prefect_serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.schedules import Cron

from flows.distill import distill_flow
from flows.runners import with_task_runner
from metis_distill.config import Settings
from metis_distill.errors import ConfigError
from metis_distill.review.proposal import target_key

DEPLOYMENT = "nightly"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")  # Prefect refuses '/', '%', '&', '<', '>' in names


def deployment_name(settings: Settings) -> str:
    """`nightly-<the target's folder>-<its file>-<a hash of its path>`: one per target."""
    target = Path(parameters(settings)["target"])
    return _UNSAFE.sub("-", f"{DEPLOYMENT}-{target.parent.name}-{target_key(target)}")


def parameters(settings: Settings) -> dict[str, Any]:
    """What each scheduled or manual run distils, fixed when the deployment is served."""
    if settings.target is None:
        raise ConfigError("no target given", hint="pass --target path/to/repo/CLAUDE.md")
    return {
        "archive": str(settings.archive.expanduser().resolve()),
        "target": str(settings.target.expanduser().resolve()),
        "extractor": settings.extractor,
        "max_tokens": settings.budgets.max_tokens_per_run,
        "all_projects": settings.all_projects,
        "data_dir": str(settings.data_dir.expanduser().resolve()),
    }


def nightly(settings: Settings) -> Any:
    """The target's nightly deployment: a cron with a time zone (Prefect's bare `cron=`
    would run in UTC)."""
    check_cron(settings.scale.nightly_cron)
    flow = with_task_runner(distill_flow, settings)
    return flow.to_deployment(
        name=deployment_name(settings),
        schedules=[Cron(settings.scale.nightly_cron, timezone=settings.scale.nightly_timezone)],
        parameters=parameters(settings),
        description="metis-distill: distil new agent runs into a proposal for review.",
        tags=["metis-distill"],
    )


def check_cron(cron: str) -> None:
    try:
        CronSchedule(cron=cron)
    except ValueError as e:
        raise ConfigError(
            f"not a cron schedule: {cron!r}",
            hint="five fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *'",
        ) from e


def serve(settings: Settings) -> None:
    """Register the deployment with the Prefect API and run its flow runs until stopped."""
    prefect_serve(nightly(settings))
