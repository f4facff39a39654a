"""The distill flow: Prefect runs the library's `pipeline.distill`, whose sequence is written
once. This file adds what Prefect is for: each stage a task (logs in the UI, retries), the
extraction mapped over batches (threads or Dask) with a content-keyed cache, one distill per
target at a time, and the run's summary as an artifact. Tasks take paths and return ids and
counts, never transcript text (contract 7)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.runtime import flow_run

from flows.guard import inject_fault, target_guard
from metis_distill.config import Settings, load_settings, with_values
from metis_distill.errors import MetisError
from metis_distill.pipeline import BatchJob, BatchResult, Log, Stage, distill, distill_target
from metis_distill.pipeline.steps import extract_job
from metis_distill.review.artifact import artifact_markdown
from metis_distill.run_report import RunReport
from metis_distill.unchanged import nothing_new, record_quiet_run

T = TypeVar("T")


def _retry_unless_ours(task: Any, task_run: Any, state: Any) -> bool:  # noqa: ARG001
    """Retry what may pass a second time (I/O); never our own errors, which would repeat (a
    halted extraction would send its failing calls again)."""
    try:
        state.result()
    except MetisError:
        return False
    except Exception:  # noqa: BLE001
        return True
    return True


RETRIED = frozenset({Stage.CURATE, Stage.PUBLISH})  # a retry may pass where I/O failed once


def _extract_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:  # noqa: ARG001
    job: BatchJob = parameters["job"]
    return job.content_key()


@task(
    name=Stage.EXTRACT.value,
    retries=1,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_unless_ours,
    cache_key_fn=_extract_cache_key,
    cache_expiration=timedelta(days=7),
)
def extract_task(job: BatchJob) -> BatchResult:
    inject_fault(Stage.EXTRACT, job.number)
    return extract_job(job, get_run_logger())


class PrefectRunner:
    """Each stage a Prefect task of the flow run; the batches mapped on its task runner."""

    def __init__(self) -> None:
        self.flow_run_id = str(flow_run.id) if flow_run.id else None

    def log(self) -> Log:
        return get_run_logger()

    def stage(self, stage: Stage, step: Callable[[], T]) -> T:
        def run() -> T:
            inject_fault(stage)
            return step()

        retried = stage in RETRIED
        staged: Task[[], T] = task(
            name=stage.value,
            cache_policy=NO_CACHE,  # only the extraction is cached, by its files' content
            retries=1 if retried else 0,
            retry_delay_seconds=2,
            retry_condition_fn=_retry_unless_ours if retried else None,
        )(run)
        return staged()

    def map_batches(self, jobs: Sequence[BatchJob]) -> list[BatchResult]:
        return list(extract_task.map(jobs).result())

    def processes(self, size: int) -> int:  # noqa: ARG002
        """A task forks nothing: it runs beside the flow's threads (and maybe on Dask)."""
        return 1


@flow(name="distill")
def distill_flow(
    settings: Settings | None = None,
    archive: str | None = None,
    target: str | None = None,
    extractor: str | None = None,
    max_tokens: int | None = None,
    all_projects: bool | None = None,
    data_dir: str | None = None,
    section_budget: int | None = None,
) -> RunReport | None:
    """Distil the archive's new runs into a proposal for the target. Never edits the target.
    None, with no task run, when nothing is new since the target's last run.

    In-process (`metis distill`) the CLI passes its settings; a deployment run passes plain
    parameters, read over the settings of the process that serves it (env, metis.toml)."""
    given = {
        "archive": archive,
        "target": target,
        "all_projects": all_projects,
        "data_dir": data_dir,
        "extract": {"extractor": extractor},
        "budgets": {"max_tokens_per_run": max_tokens, "per_section": section_budget},
    }
    settings = load_settings(**given) if settings is None else with_values(settings, given)
    quiet = nothing_new(settings)
    if quiet is not None:
        get_run_logger().info(quiet.said())
        record_quiet_run(settings, quiet, str(flow_run.id) if flow_run.id else None)
        return None
    with target_guard(settings, distill_target(settings)):
        report = distill(settings, runner=PrefectRunner())
    create_markdown_artifact(
        key="distill-summary",
        markdown=report.markdown() + artifact_markdown(report.proposal),
        description="metis-distill run summary",
    )
    return report
