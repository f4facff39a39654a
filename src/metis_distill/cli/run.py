"""`metis distill`, `metis serve`, `metis status`: run the flow now, on a cron, and what the
last run left. Prefect is imported only inside `distill` and `serve`."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from metis_distill.cli.common import (
    Archive,
    DataDir,
    Target,
    check_target,
    console,
    err,
    friendly,
    quiet_prefect,
    reading,
)
from metis_distill.config import load_settings
from metis_distill.statuses import PublishStatus

if TYPE_CHECKING:  # the pipeline and the ledger: imported only by the commands using them
    from metis_distill.run_report import ProposalOutcome, RunReport


class Extractor(StrEnum):
    rules = "rules"
    claude = "claude"


class Runner(StrEnum):
    default = "default"
    dask = "dask"


TaskRunner = Annotated[
    Runner | None,
    typer.Option(
        "--task-runner", help="Run the mapped parse/mine tasks on Prefect's threads or Dask."
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
        typer.Option("--all-projects/--this-project", help="Use runs of every project."),
    ] = None,
    section_budget: Annotated[int | None, typer.Option(help="Lines at most per section.")] = None,
    extractor: Annotated[
        Extractor | None,
        typer.Option(
            "--extractor",
            help="rules (offline) or claude (default: claude when an API key is set).",
        ),
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option("--max-tokens", min=1, help="Token budget of this run (claude extractor)."),
    ] = None,
    batch: Annotated[
        bool | None,
        typer.Option(
            "--batch/--no-batch", help="Claude calls as one Message Batch (cheaper, slower)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    task_runner: TaskRunner = None,
    dask_address: DaskAddress = None,
) -> None:
    """Run the distill flow now (Prefect, in-process): archive -> lessons -> a proposal.
    Exit code 4: the token budget was reached and work is left for the next run."""
    settings = load_settings(
        archive=archive,
        target=target,
        data_dir=data_dir,
        all_projects=all_projects,
        extract={"extractor": extractor.value if extractor else None, "batch": batch},
        budgets={"per_section": section_budget, "max_tokens_per_run": max_tokens},
        scale={
            "task_runner": task_runner.value if task_runner else None,
            "dask_address": dask_address,
        },
    )
    check_target(settings)
    from metis_distill.pipeline import check_archive

    check_archive(settings.archive)
    quiet_prefect()
    from flows.console import brief_console
    from flows.distill import distill_flow  # Prefect is imported only here
    from flows.runners import api_for_workers, with_task_runner

    brief_console()
    with api_for_workers(settings):
        report = with_task_runner(distill_flow, settings)(settings)
    if as_json:
        sys.stdout.write(report.to_json())
    else:
        _print_report(report)
    _stop_if_tripped(report.proposal)
    pending = report.extract_pending
    if pending:
        err.print(
            f"[yellow]{pending} excerpts left for the next run[/] (token budget reached or "
            "calls failed); run `metis distill` again to finish them."
        )
        raise typer.Exit(4)


def _stop_if_tripped(proposal: ProposalOutcome) -> None:
    """Exit code 3: a tripwire stopped the proposal; a human looks before anything goes on."""
    if proposal.status != PublishStatus.NEEDS_HUMAN:
        return
    err.print(f"[bold yellow]needs a human:[/] proposal #{proposal.proposal_id} was stopped")
    for reason in proposal.reasons:
        err.print(f"  - {reason}")
    err.print(f"[dim]look at {proposal.folder}/report.md before letting it through[/]")
    raise typer.Exit(3)


def _nothing_message(proposal: ProposalOutcome) -> str:
    if proposal.lessons_known == 0:
        return "No lessons found yet in the archive's runs: nothing to propose."
    waiting = proposal.lessons_waiting
    if proposal.lessons_shown == 0 and proposal.lessons_active > 0 and not waiting:
        return (
            f"{proposal.lessons_active} lessons known, none from runs in this target's "
            "repository (their cwd is elsewhere): nothing to propose. Use --all-projects, or "
            "add the old checkout paths as `aliases` in metis.toml."
        )
    if waiting:
        return (
            "No change to propose: the target already says all we know; "
            f"{waiting} more lessons wait in the ledger until their evidence earns them a line "
            "(`metis search` finds them)."
        )
    return "No change to propose: the target already says all we know."


def _print_report(report: RunReport) -> None:
    table = Table(title="distill", show_header=False)
    for label, value in report.table_rows():
        table.add_row(label, value)
    console.print(table, soft_wrap=False)
    for failed in report.failed_files:
        err.print(f"[yellow]could not read[/] {failed}")
    for where in report.corrupt_where:
        err.print(f"[yellow]skipped corrupt or truncated[/] {where}")
    skipped = report.skipped_files
    for line in skipped[:10]:
        err.print(f"[dim]skipped[/] {line}")
    if len(skipped) > 10:
        err.print(f"[dim]... and {len(skipped) - 10} more skipped files[/]")
    proposal = report.proposal
    for warning in proposal.warnings:
        err.print(f"[yellow]warning:[/] {warning}")
    if proposal.status == PublishStatus.NOTHING:
        console.print(_nothing_message(proposal))
    elif proposal.status == PublishStatus.NEEDS_HUMAN:
        console.print(f"Proposal #{proposal.proposal_id} needs a human (a tripwire tripped).")
    elif proposal.status == PublishStatus.UNCHANGED:
        console.print(
            f"Nothing new: proposal #{proposal.proposal_id} still waits for review "
            "(`metis review`)."
        )
    else:
        console.print(
            f"Proposal #{proposal.proposal_id}: {proposal.added} lessons added, "
            f"{proposal.removed} removed. Next: `metis review`, then `metis accept` "
            "or `metis reject`."
        )


@friendly
def serve(
    archive: Archive = None,
    target: Target = None,
    data_dir: DataDir = None,
    cron: Annotated[
        str | None, typer.Option("--cron", help="When to run [default 0 3 * * *].")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA zone of the cron [default: this machine's]."),
    ] = None,
    task_runner: TaskRunner = None,
    dask_address: DaskAddress = None,
) -> None:
    """Serve the distill flow as the Prefect deployment `distill/nightly` on a cron, until
    stopped. Trigger a run by hand with `prefect deployment run 'distill/nightly'`."""
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
    quiet_prefect()
    from flows.serve import check_cron  # Prefect is imported only here
    from flows.serve import serve as serve_nightly

    check_cron(settings.scale.nightly_cron)
    api = os.environ.get("PREFECT_API_URL")
    scale = settings.scale
    err.print(
        f"serving distill/nightly: {scale.nightly_cron} ({scale.nightly_timezone}), "
        f"target {settings.target}; Prefect API: {api or 'none (ephemeral: no UI)'}"
    )
    serve_nightly(settings)


@friendly
def status(
    archive: Archive = None,
    target: Target = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """The last distill and its outcome, work pending, tokens spent this month, and whether
    a proposal waits for review."""
    from metis_distill.status import status as read_status

    settings = load_settings(archive=archive, target=target, data_dir=data_dir)
    with reading(settings) as ledger:
        found = read_status(settings, ledger)
    if as_json:
        sys.stdout.write(json.dumps(_status_dict(found), default=str, indent=2) + "\n")
        return
    table = Table(title="metis status", show_header=False)
    for key, value in _status_dict(found).items():
        table.add_row(key.replace("_", " "), "—" if value is None else str(value))
    console.print(table, soft_wrap=False)


def _status_dict(found: Any) -> dict[str, Any]:
    run, proposal = found.last_run, found.proposal
    return {
        "target": found.target,
        "last_run": run.started_at.isoformat(timespec="seconds") if run else None,
        "outcome": found.outcome,
        "outcome_detail": found.outcome_detail,
        "pending_to_archive": found.to_archive,
        "pending_to_distill": found.to_distill,
        f"tokens_{found.month}": found.tokens_this_month,
        "proposal_waiting": f"#{proposal.id} ({proposal.folder})" if proposal else None,
    }
