"""What `metis distill` prints when it is done: a short summary (the table of every count with
`--verbose`), what could not be read, and the exit code of a run that needs a human (3), left
work for the next run at a budget (4), or whose Claude calls failed (5). Every value from a
run is printed as written, never as markup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from metis_distill.cli.common import console, counted, err
from metis_distill.statuses import PublishStatus

if TYPE_CHECKING:  # the run's report pulls the ledger in: loaded only when a run is printed
    from metis_distill.run_report import ProposalOutcome, RunReport

SKIPPED_SHOWN = 10
CALLS_FAILED = 5  # exit code: Claude calls failed past their retries, their work left pending


def print_outcome(report: RunReport, *, verbose: bool, log_file: Path | None) -> None:
    if verbose:
        table = Table(title="distill", show_header=False)
        for label, value in report.table_rows():
            table.add_row(label, value)
        console.print(table, soft_wrap=False, markup=False)
    else:
        console.print(summary(report), markup=False, highlight=False)
    _print_problems(report)
    console.print(proposal_line(report.proposal), markup=False, highlight=False)
    proposal = report.proposal
    said = [
        *proposal.others_said(),
        proposal.documented_said() or "",
        proposal.other_agents_said() or "",
    ]
    for line in filter(None, said):
        console.print(line, markup=False, soft_wrap=True)
    target = Path(proposal.target) if proposal.target else None
    if proposal.status == PublishStatus.CREATED and target and not target.exists():
        err.print(
            f"[yellow]note:[/] {escape(str(target))} does not exist yet: accepting will create it",
            soft_wrap=True,
        )
    if log_file is not None and not verbose:
        err.print(f"[dim]Prefect's log: {escape(str(log_file))}[/]")


def summary(report: RunReport) -> str:
    """The run in a sentence or two: what was read, what it gave, what Claude cost."""
    archived = report.archived_new + report.archived_appended + report.archived_versions
    read = (
        f"Read {counted(report.files_read, 'file')} ({report.events:,} events)"
        if report.files_read
        else "No new runs to read"
    )
    found = (
        f": {counted(report.episodes, 'episode')}, {counted(report.candidates, 'candidate')} "
        f"-> {_lessons_said(report)}."
        if report.files_read
        else "."
    )
    archived_said = f"Archived {counted(archived, 'new or grown file')}. " if archived else ""
    line = archived_said + read + found
    usage = report.extraction
    if usage is not None:
        line += f"\n{usage.usage_note}"
    return line


def _lessons_said(report: RunReport) -> str:
    """New lessons, and the candidates merged: into lessons this run made (repeats), or into
    lessons the ledger knew before."""
    repeats = report.merged_into_new
    into_known = report.lessons_merged - repeats
    repeated = f" ({counted(repeats, 'repeat')} merged in)" if repeats else ""
    new = counted(report.lessons_new, "new lesson")
    return f"{new}{repeated}, {into_known} merged into known ones"


def proposal_line(proposal: ProposalOutcome) -> str:
    number = proposal.proposal_id
    if proposal.status == PublishStatus.NOTHING:
        return _nothing_message(proposal) + _closed_said(proposal.closed)
    if proposal.status == PublishStatus.NEEDS_HUMAN:
        return f"Proposal #{number} needs a human (a tripwire tripped)."
    if proposal.status == PublishStatus.MARKERS_BROKEN:
        return "No proposal: the target's managed block has broken markers (see the warning)."
    if proposal.status == PublishStatus.UNCHANGED:
        return f"Nothing new: proposal #{number} still waits for review (`metis review`)."
    following = "Next: `metis review`, then `metis accept` or `metis reject`."
    if not (proposal.added or proposal.removed or proposal.reworded):
        return (
            f"Proposal #{number}: no line added, reworded or removed; it records your edits "
            f"inside the block (accept it as a whole to settle them). {following}"
        )
    lessons = "lesson" if proposal.added == 1 else "lessons"
    reworded = f", {proposal.reworded} reworded" if proposal.reworded else ""
    return (
        f"Proposal #{number}: {proposal.added} {lessons} added{reworded}, "
        f"{proposal.removed} removed.{_waiting_said(proposal)} {following}"
    )


def _waiting_said(proposal: ProposalOutcome) -> str:
    """The lessons held back from the file, and why, most first."""
    waiting = proposal.lessons_waiting
    if not waiting:
        return ""
    wait = counted(waiting, "more lesson waits", "more lessons wait")
    return f" {wait} in the ledger, not earned yet{proposal.waiting_why_said()}."


def _closed_said(closed: tuple[int, ...]) -> str:
    if not closed:
        return ""
    numbers = ", ".join(f"#{n}" for n in closed)
    which = f"proposal {numbers} was" if len(closed) == 1 else f"proposals {numbers} were"
    return f" The target changed since {which} made: closed (superseded), nothing to accept."


def _where_runs_count(target: str | None) -> str:
    """The folder whose runs feed the target: its git repository, or its own folder."""
    if not target:
        return "this target's repository"
    from metis_distill.targets import repository_root

    root = repository_root(Path(target))
    if (root / ".git").exists():
        return f"this target's repository ({root})"
    return f"this target's folder ({root}; it is in no git repository)"


def _nothing_message(proposal: ProposalOutcome) -> str:
    if proposal.lessons_known == 0:
        return "No lessons found yet in the archive's runs: nothing to propose."
    waiting = proposal.lessons_waiting
    earns, them = (
        ("its evidence earns it", "it") if waiting == 1 else ("their evidence earns them", "them")
    )
    if proposal.lessons_shown == 0 and proposal.lessons_active > 0 and not waiting:
        return (
            f"{counted(proposal.lessons_active, 'lesson')} known, none from runs in "
            f"{_where_runs_count(proposal.target)} (their cwd is elsewhere): nothing to propose. "
            "Use --all-projects, or add the old checkout paths as `aliases` in metis.toml."
        )
    if waiting and proposal.lessons_shown == 0:
        return (
            "No change to propose: no lesson has earned a line in this target yet; "
            f"{counted(waiting, 'lesson waits', 'lessons wait')} in the ledger"
            f"{proposal.waiting_why_said()} until {earns} one "
            f"(`metis search` finds {them})."
        )
    if waiting:
        return (
            "No change to propose: the target already says all we know; "
            f"{counted(waiting, 'more lesson waits', 'more lessons wait')} in the ledger"
            f"{proposal.waiting_why_said()} until "
            f"{earns} a line (`metis search` finds {them})."
        )
    return "No change to propose: the target already says all we know."


def _print_problems(report: RunReport) -> None:
    for failed in report.failed_files:
        err.print(f"[yellow]could not read[/] {escape(failed)}")
    for where in report.corrupt_where:
        err.print(f"[yellow]skipped corrupt or truncated[/] {escape(where)}")
    skipped = report.skipped_files
    for line in skipped[:SKIPPED_SHOWN]:
        err.print(f"[dim]skipped[/] {escape(line)}")
    if len(skipped) > SKIPPED_SHOWN:
        more = counted(len(skipped) - SKIPPED_SHOWN, "more skipped file")
        err.print(f"[dim]... and {more}[/]")
    for warning in report.proposal.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")


def exit_if_stopped(report: RunReport) -> None:
    """Exit code 3: a tripwire stopped the proposal, or the target's markers are broken (no
    proposal until they are mended), a human looks before anything goes on; exit code 4: work
    is left for the next run."""
    proposal = report.proposal
    if proposal.status == PublishStatus.NEEDS_HUMAN:
        err.print(f"[bold yellow]needs a human:[/] proposal #{proposal.proposal_id} was stopped")
        for reason in proposal.reasons:
            err.print(f"  - {reason}", markup=False)
        err.print(
            f"[dim]look at {escape(str(proposal.folder))}/report.md before letting it through[/]"
        )
        raise typer.Exit(3)
    if proposal.status == PublishStatus.MARKERS_BROKEN:  # the warning says how to mend them
        err.print("[bold yellow]needs a human:[/] mend the markers, then run `metis distill` again")
        raise typer.Exit(3)
    pending = report.extract_pending
    usage = report.extraction
    if usage is not None and usage.extract_errors:
        err.print(
            f"[bold red]error:[/] {counted(usage.extract_errors, 'Claude call')} failed, the "
            f"first: {escape(usage.first_failure or 'unknown')}; "
            f"{counted(pending, 'excerpt')} left for the next run",
            soft_wrap=True,
        )
        what_to_do = usage.first_failure_hint or "check the API key and the service status"
        err.print(f"hint: {what_to_do}, then run `metis distill` again", markup=False)
        raise typer.Exit(CALLS_FAILED)
    if pending:
        err.print(
            f"[yellow]{counted(pending, 'excerpt')} left for the next run[/] (a token or dollar "
            "budget reached); run `metis distill` again to finish."
        )
        raise typer.Exit(4)
