"""`metis distill`, `metis serve`, `metis status`: run the flow now, on a cron, and what the
last run left. Prefect is imported only inside `distill` and `serve`."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from metis_distill import progress
from metis_distill.cli.common import (
    Archive,
    DataDir,
    Target,
    check_data_dir_made,
    check_data_dir_writable,
    check_target,
    console,
    err,
    friendly,
    quiet_prefect,
    reading,
    shown,
)
from metis_distill.cli.outcome import exit_if_stopped, print_outcome
from metis_distill.cli.progress import STARTING, progress_bar
from metis_distill.config import BudgetSettings, ScaleSettings, Settings, load_settings

if TYPE_CHECKING:  # the pipeline and the ledger: imported only by the commands using them
    from metis_distill.run_report import RunReport


BUDGETS, SCALE = BudgetSettings(), ScaleSettings()  # their defaults, shown in --help


class Extractor(StrEnum):
    rules = "rules"
    claude = "claude"


class Runner(StrEnum):
    default = "default"
    dask = "dask"


TaskRunner = Annotated[
    Runner | None,
    typer.Option(
        "--task-runner",
        help="Run the mapped extract tasks on Prefect's threads or Dask "
        f"{shown(f'default: {SCALE.task_runner}')}.",
    ),
]


DaskAddress = Annotated[
    str | None,
    typer.Option("--dask-address", help="Scheduler of a Dask cluster (default: a local one)."),
]


@friendly
def distill(
    archive: Archive = None,
    target: Target = None,
    data_dir: DataDir = None,
    all_projects: Annotated[
        bool | None,
        typer.Option(
            "--all-projects/--this-project",
            help=f"Use runs of every project {shown('default: this project')}.",
        ),
    ] = None,
    section_budget: Annotated[
        int | None,
        typer.Option(help=f"Lines at most per section {shown(f'default: {BUDGETS.per_section}')}."),
    ] = None,
    extractor: Annotated[
        Extractor | None,
        typer.Option(
            "--extractor",
            help="rules (offline) or claude (default: claude when an API key is set).",
        ),
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-tokens",
            min=1,
            help="Token budget of this run (claude extractor) "
            f"{shown(f'default: {BUDGETS.max_tokens_per_run:,}')}.",
        ),
    ] = None,
    max_usd: Annotated[
        float | None,
        typer.Option(
            "--max-usd",
            help="Dollar budget of this run, at list price (claude extractor) "
            f"{shown('default: none')}.",
        ),
    ] = None,
    batch: Annotated[
        bool | None,
        typer.Option(
            "--batch/--no-batch",
            help=f"Claude calls as one Message Batch, half price, slower {shown('default: no')}.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the files, the excerpts Claude would get, estimated tokens and USD; "
            "send and write nothing.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Prefect's log on the terminal and every count in a table."
        ),
    ] = False,
    task_runner: TaskRunner = None,
    dask_address: DaskAddress = None,
) -> None:
    """Run the distill flow now (Prefect, in-process): archive -> lessons -> a proposal.
    Exit code 3: a tripwire stopped the proposal, or the target's markers are broken; 4: a
    token or dollar budget was reached and work is left for the next run;
    5: Claude calls failed past their retries (their work is left for the next run)."""
    settings = load_settings(
        archive=archive,
        target=target,
        data_dir=data_dir,
        all_projects=all_projects,
        extract={"extractor": extractor.value if extractor else None, "batch": batch},
        budgets={
            "per_section": section_budget,
            "max_tokens_per_run": max_tokens,
            "max_usd_per_run": max_usd,
        },
        scale={
            "task_runner": task_runner.value if task_runner else None,
            "dask_address": dask_address,
        },
    )
    if dry_run:
        from metis_distill.cli.preview import print_preview
        from metis_distill.pipeline.preview import preview

        print_preview(preview(settings), as_json=as_json, verbose=verbose)
        return
    check_target(settings)
    from metis_distill.extract.ready import check_extraction

    check_extraction(settings)  # before anything is archived or written
    check_data_dir_writable(settings)
    if _said_nothing_new(settings, as_json, record=True):
        return
    from metis_distill.pipeline import check_archive

    check_archive(settings.archive)
    from metis_distill.cli.interrupt import ending_on_ctrl_c

    with ending_on_ctrl_c():
        report = _run_flow(settings, verbose)
    if report is None:  # the flow found nothing new either, and put that on record
        _said_nothing_new(settings, as_json, record=False)
        return
    if as_json:
        sys.stdout.write(report.to_json())
    else:
        print_outcome(report, verbose=verbose, log_file=_log_file(settings, verbose))
    exit_if_stopped(report)


def _run_flow(settings: Settings, verbose: bool) -> RunReport | None:
    quiet_prefect()
    from flows.console import brief_console, log_to_file
    from flows.distill import distill_flow  # Prefect is imported only here
    from flows.runners import api_for_workers, with_task_runner

    brief_console()
    log_file = _log_file(settings, verbose)
    log_to_file(log_file)
    with api_for_workers(settings), progress_bar(err if not verbose else None):
        progress.report().begin(STARTING)  # Prefect's server takes seconds to start
        return with_task_runner(distill_flow, settings)(settings)


def _log_file(settings: Settings, verbose: bool) -> Path | None:
    """Prefect's log goes to a file unless --verbose shows it on the terminal."""
    return None if verbose else settings.data_dir / "logs" / "prefect.log"


def _said_nothing_new(settings: Settings, as_json: bool, *, record: bool) -> bool:
    """Say so when nothing is new since the target's last run: one stat a file, before
    Prefect, the embedding model or the index is loaded (and `record`: the run put on record
    for `metis status`)."""
    from metis_distill.unchanged import nothing_new, record_quiet_run

    quiet = nothing_new(settings)
    if quiet is None:
        return False
    if record:
        record_quiet_run(settings, quiet)
    if as_json:
        said = {"nothing_new": True, "files_unchanged": quiet.files}
        sys.stdout.write(json.dumps(said | {"sources": quiet.sources, "archived": quiet.archived}))
    else:
        console.print(quiet.said(), markup=False, highlight=False)
    return True


@friendly
def serve(
    archive: Archive = None,
    target: Target = None,
    data_dir: DataDir = None,
    cron: Annotated[
        str | None,
        typer.Option("--cron", help=f"When to run {shown(f'default: {SCALE.nightly_cron}')}."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="IANA zone of the cron " + shown("default: this machine's") + "."
        ),
    ] = None,
    task_runner: TaskRunner = None,
    dask_address: DaskAddress = None,
) -> None:
    """Serve the distill flow as the target's Prefect deployment, `distill/nightly-<repo>-<file
    key>` (printed at start), on a cron, until stopped. Trigger a run by hand with `prefect
    deployment run 'distill/<that name>'`."""
    settings = load_settings(
        archive=archive,
        target=target,
        data_dir=data_dir,
        scale={
            "nightly_cron": cron,
            "nightly_timezone": timezone,
            "task_runner": task_runner.value if task_runner else None,
            "dask_address": dask_address,
        },
    )
    check_target(settings)
    from metis_distill.extract.ready import check_extraction

    check_extraction(settings)
    quiet_prefect()
    from flows.serve import check_cron, deployment_name  # Prefect is imported only here
    from flows.serve import serve as serve_nightly

    check_cron(settings.scale.nightly_cron)
    api = os.environ.get("PREFECT_API_URL")
    scale = settings.scale
    name = deployment_name(settings)
    err.print(
        f"serving distill/{name}: {scale.nightly_cron} ({scale.nightly_timezone}), "
        f"target {settings.target}; Prefect API: {api or 'none (ephemeral: no UI)'}; "
        f"run it now: prefect deployment run 'distill/{name}'",
        markup=False,
    )
    serve_nightly(settings)


@friendly
def status(
    archive: Archive = None,
    target: Target = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """The last distill and its outcome, work pending, tokens spent this month, spend by day
    (tokens, USD) over two weeks, and whether a proposal waits for review."""
    from metis_distill.status import status as read_status

    flags = {"archive": archive, "target": target, "data_dir": data_dir}
    settings = load_settings(**flags)
    check_data_dir_made(settings)
    with reading(settings) as ledger:
        found = read_status(settings, ledger, archive_named=_named(settings, flags, "archive"))
    days = [asdict(day) for day in found.spend_by_day]
    if as_json:
        recovery = [asdict(r) for r in found.recovery]
        shown = {**_status_dict(found), "spend_by_day": days, "time_to_recovery": recovery}
        sys.stdout.write(json.dumps(shown, default=str, indent=2) + "\n")
        return
    table = Table(title="metis status", show_header=False)
    for key, value in _status_dict(found).items():
        table.add_row(key.replace("_", " "), Text("—" if value is None else str(value)))
    console.print(table, soft_wrap=False)
    if days:
        console.print(_spend_table(days), soft_wrap=False)
    if found.recovery:
        whose = "this project" if settings.target and not settings.all_projects else "all projects"
        console.print(_recovery_table(found.recovery, whose), soft_wrap=False)


def _named(settings: Settings, flags: dict[str, Any], name: str) -> bool:
    """The setting was given (a flag, METIS_* or metis.toml), not left to its default."""
    from metis_distill.config.explain import effective

    return any(e.path == name and e.origin != "default" for e in effective(settings, flags))


def _spend_table(days: list[dict[str, Any]]) -> Table:
    table = Table(title="spend by day (UTC; extract runs, the duplicate judge included)")
    for column in ("day", "runs", "tokens", "USD"):
        table.add_column(column, justify="left" if column == "day" else "right")
    for day in days:
        usd = f"{day['usd']:.4f}"
        table.add_row(str(day["day"]), str(day["runs"]), f"{day['tokens']:,}", usd)
    return table


def _recovery_table(rows: Any, whose: str) -> Table:
    """Time to recovery per failure class, each timed on its own session's clock."""
    from textwrap import shorten

    table = Table(title=f"time to recovery ({whose})")
    for column in ("failure class", "failures", "recovered", "mean time", "sessions", "command"):
        table.add_column(column)
    for r in rows:
        cells = (r.failure_class, r.failures, r.recovered, r.mean_to_recovery, r.sessions)
        table.add_row(*(Text(str(c)) for c in cells), Text(shorten(r.top_command, 40)))
    return table


def _status_dict(found: Any) -> dict[str, Any]:
    run = found.last_run
    waiting = "; ".join(f"#{p.id} ({p.folder})" for p in found.proposals)
    return {
        "target": found.target,
        "last_run": run.started_at.isoformat(timespec="seconds") if run else None,
        "outcome": found.outcome,
        "outcome_detail": found.outcome_detail,
        "pending_to_archive": found.to_archive,
        "pending_to_distill": found.to_distill,
        "month": found.month,
        "tokens_this_month": found.tokens_this_month,
        "proposal_waiting": waiting or None,
    }
