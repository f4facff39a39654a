"""prefect-dask's runner, with the task logs of its workers delivered before they stop.

A worker process of a local cluster is stopped with the flow's cluster; the log lines its tasks
queued for the Prefect API in the last second or two would go with it. A worker plugin sends
them on teardown, so the UI shows every `mine` task's log."""

from __future__ import annotations

import inspect
from typing import Any

from distributed import Worker, WorkerPlugin
from prefect_dask import DaskTaskRunner


class DeliverPrefectLogs(WorkerPlugin):
    name = "metis-deliver-prefect-logs"

    async def teardown(self, worker: Worker) -> None:  # noqa: ARG002
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        for pending in (APILogWorker.drain_all(timeout=10), EventsWorker.drain_all(timeout=10)):
            if inspect.isawaitable(pending):
                await pending


class MetisDaskTaskRunner(DaskTaskRunner):  # type: ignore[misc]
    def __enter__(self) -> Any:
        runner = super().__enter__()
        self.client.register_plugin(DeliverPrefectLogs())
        return runner
