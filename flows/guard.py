"""One distill per target at a time, and a fault injection point for the crash tests.

Two locks: a file lock in the data dir (it holds on this machine whatever Prefect's mode, and
the OS frees it when its process dies) and, with a Prefect server, a global concurrency limit
named after the target (it holds across every machine that talks to that server; a killed
holder's lease expires after LEASE_SECONDS). Without a server (Prefect's ephemeral mode) the
limit is not taken: its lease would live in the ephemeral server that dies with the run, and
the slot would stay taken for good. A second distill waits `distill_wait` seconds for the
first, then stops with a clear message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout
from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import MissingContextError, ObjectAlreadyExists, ObjectNotFound
from prefect.settings import get_current_settings

from metis_distill.config import Settings
from metis_distill.errors import BusyError
from metis_distill.faults import checkpoint
from metis_distill.review.proposal import target_key

FAULT_ENV = "METIS_FAULT_INJECT"  # tests only: "extract:1" fails batch 1, "publish" a stage
LEASE_SECONDS = 60  # a crashed holder's slot frees itself after this long


def limit_name(target: Path) -> str:
    return f"metis-distill-{target_key(target)}"


@contextmanager
def target_guard(settings: Settings, target: Path) -> Iterator[None]:
    """Hold the target's Prefect limit and file lock for the length of the run."""
    name = limit_name(target)
    served = get_current_settings().api.url is not None
    if served:
        _ensure_limit(name)
    busy = BusyError(
        f"another distill of {target} is still running after {settings.scale.distill_wait:g} s",
        hint="wait for it to finish (see `metis status` or the Prefect UI), or raise "
        "scale.distill_wait",
    )
    with ExitStack() as stack:
        try:
            if served:
                stack.enter_context(
                    concurrency(
                        name,
                        occupy=1,
                        timeout_seconds=settings.scale.distill_wait,
                        strict=True,
                        lease_duration=LEASE_SECONDS,
                    )
                )
        except TimeoutError as e:
            raise busy from e
        settings.locks_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(settings.locks_dir / f"{target_key(target)}.distill.lock"))
        try:
            stack.enter_context(lock.acquire(timeout=settings.scale.distill_wait))
        except Timeout as e:
            raise busy from e
        with suppress(MissingContextError):  # outside a flow run, nobody to tell
            get_run_logger().info("holding %s: no other distill of this target runs now", name)
        checkpoint("distill:locked")
        yield


def _ensure_limit(name: str) -> None:
    """A limit of one slot named after the target (created by the first run that needs it)."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):  # another run created it a moment ago
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )


def inject_fault(stage: str, batch_no: int | None = None) -> None:
    """Raise where the tests ask for a crash; a no-op unless METIS_FAULT_INJECT is set."""
    wanted = os.environ.get(FAULT_ENV, "")
    here = stage if batch_no is None else f"{stage}:{batch_no}"
    if wanted and wanted == here:
        raise RuntimeError(f"fault injected at {here} ({FAULT_ENV})")
