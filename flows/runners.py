"""Where the mapped parse/mine tasks run: Prefect's default thread pool, or Dask."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from prefect import Flow

from metis_distill.config import Settings


def dask_runner(settings: Settings) -> Any:
    """prefect-dask's DaskTaskRunner: a running cluster's scheduler when an address is set,
    else a local cluster of `dask_workers` single-threaded processes on 127.0.0.1."""
    from flows.dask import MetisDaskTaskRunner as DaskTaskRunner

    if settings.scale.dask_address:
        return DaskTaskRunner(address=settings.scale.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.scale.dask_workers,
            "threads_per_worker": 1,
            "processes": True,
            "host": "127.0.0.1",
            "dashboard_address": "127.0.0.1:0",  # a free port, never a public one
        }
    )


P = ParamSpec("P")
R = TypeVar("R")


def with_task_runner(flow: Flow[P, R], settings: Settings) -> Flow[P, R]:
    if settings.scale.task_runner == "dask":
        return flow.with_options(task_runner=dask_runner(settings))
    return flow


@contextmanager
def api_for_workers(settings: Settings) -> Iterator[None]:
    """Dask workers are other processes: without a Prefect server configured, each would start
    its own temporary one (~10 s each). Start one here, on 127.0.0.1, that they all share."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if settings.scale.task_runner != "dask" or get_current_settings().api.url:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one Prefect's ephemeral mode would use
    server.start()  # stopped at exit, after Prefect has sent its last logs (atexit)
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield
