"""`metis`: parse arguments, call the library, print. No logic of its own, no Prefect import
at module level (only `distill` loads it, lazily)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from metis_distill.config import Settings, load_settings, origins
from metis_distill.errors import MetisError
from metis_distill.statuses import ProposalState, PublishStatus

if TYPE_CHECKING:  # the pipeline and the ledger: imported only by the commands using them
    from metis_distill.ledger import Ledger
    from metis_distill.run_report import ProposalOutcome, RunReport

app = typer.Typer(
    name="metis",
    help="Distil the archived runs of AI coding agents into reviewed context files.",
    no_args_is_help=True,
    add_completion=False,
)
# Messages are never wrapped: a path broken by a newline cannot be copied (tables still fit
# the width: they pass soft_wrap=False).
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
P = ParamSpec("P")
R = TypeVar("R")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Ledger, index and proposals [env METIS_DATA_DIR]."),
]


class Extractor(StrEnum):
    rules = "rules"
    claude = "claude"


Archive = Annotated[
    Path | None,
    typer.Option("--archive", "-a", help="Folder of runs [default ~/.claude/projects]."),
]
Target = Annotated[
    Path | None, typer.Option("--target", "-t", help="The context file, e.g. repo/CLAUDE.md.")
]


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


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into one clear message and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MetisError as e:
            # soft_wrap: a path in a message must stay whole when there is no terminal
            err.print(f"[bold red]error:[/] {escape(str(e))}", soft_wrap=True)
            if e.hint:
                err.print(f"[dim]hint:[/] {escape(e.hint)}", soft_wrap=True)
            raise typer.Exit(e.exit_code) from e

    return wrapper


@app.command()
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
        section_budget=section_budget,
        extractor=extractor.value if extractor else None,
        max_tokens_per_run=max_tokens,
        batch=batch,
        task_runner=task_runner.value if task_runner else None,
        dask_address=dask_address,
    )
    _check_target(settings)
    if _said_nothing_new(settings, as_json):
        return
    from metis_distill.pipeline import check_archive

    check_archive(settings.archive)
    _quiet_prefect()
    from flows.console import brief_console
    from flows.distill import distill_flow  # Prefect is imported only here
    from flows.runners import api_for_workers, with_task_runner

    brief_console()
    with api_for_workers(settings):
        report = with_task_runner(distill_flow, settings)(settings)
    if report is None:  # the flow found nothing new either
        _said_nothing_new(settings, as_json)
        return
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


def _said_nothing_new(settings: Settings, as_json: bool) -> bool:
    """Say so when nothing is new since the target's last run: one stat a file, before
    Prefect, the embedding model or the index is loaded."""
    from metis_distill.unchanged import nothing_new

    quiet = nothing_new(settings)
    if quiet is None:
        return False
    if as_json:
        sys.stdout.write(json.dumps({"nothing_new": True, "files_unchanged": quiet.files}))
    else:
        console.print(f"Nothing new: {quiet.files} files unchanged since the last run.")
    return True


def _stop_if_tripped(proposal: ProposalOutcome) -> None:
    """Exit code 3: a tripwire stopped the proposal; a human looks before anything goes on."""
    if proposal.status != PublishStatus.NEEDS_HUMAN:
        return
    err.print(f"[bold yellow]needs a human:[/] proposal #{proposal.proposal_id} was stopped")
    for reason in proposal.reasons:
        err.print(f"  - {reason}")
    err.print(f"[dim]look at {proposal.folder}/report.md before letting it through[/]")
    raise typer.Exit(3)


def _quiet_prefect() -> None:
    """Offline by default: Prefect's ephemeral server (on 127.0.0.1, for this process only)
    must not try to send telemetry. A user's own Prefect settings still win."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _check_target(settings: Settings) -> None:
    from metis_distill.errors import ConfigError

    if settings.target is None:
        raise ConfigError("no target given", hint="pass --target path/to/repo/CLAUDE.md")
    folder = settings.target.expanduser().resolve().parent
    if not folder.is_dir():
        raise ConfigError(
            f"the target's folder does not exist: {folder}",
            hint="point --target into an existing repository",
        )
    from metis_distill.review.proposal import read_target

    read_target(settings.target.expanduser())  # a folder or non-UTF-8 text fails here, early


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


@app.command()
@friendly
def review(
    target: Target = None,
    data_dir: DataDir = None,
    diff_only: Annotated[bool, typer.Option("--diff", help="Print only the unified diff.")] = False,
    html: Annotated[
        bool, typer.Option("--html", help="Print only the path of the HTML report.")
    ] = False,
) -> None:
    """Show the pending proposal: each numbered change (added, reworded, removed) with its
    evidence, then the diff. Decide with `metis accept 1 3` / `metis reject 2`."""
    from metis_distill.ledger import Ledger
    from metis_distill.review.proposal import choose_for_review, recover_accepts

    settings = load_settings(data_dir=data_dir)
    with _reading(settings) as ledger:
        interrupted = bool(ledger.accept_intents())
    if interrupted:  # an accept a crash stopped is finished first: the one write of a review
        with Ledger(settings.ledger_url) as writer:
            recover_accepts(writer, settings.locks_dir)
    with _reading(settings) as ledger:
        row = choose_for_review(ledger, target or settings.target)
    folder = Path(row.folder)
    if row.status == ProposalState.NEEDS_HUMAN:
        _say_stopped(row)
    if html:
        sys.stdout.write(f"{folder / 'report.html'}\n")
        return
    diff = (folder / "diff.patch").read_text(encoding="utf-8")
    if diff_only:
        sys.stdout.write(diff)
        return
    report = (folder / "report.md").read_text(encoding="utf-8")
    console.print(Markdown(report.partition("\n## Diff\n")[0]))
    console.rule("diff")
    if console.is_terminal:
        console.print(Syntax(diff, "diff", word_wrap=True))
    else:
        sys.stdout.write(diff)  # piped: the plain diff, no wrapping or cutting
    console.print(f"[dim]report: {folder / 'report.md'} (HTML: {folder / 'report.html'})[/]")


def _say_stopped(row: Any) -> None:
    """A stopped proposal is shown, never silently: why, and how to let it through."""
    from metis_distill.review.proposal import RELEASE_HINT

    err.print(f"[bold yellow]stopped by a tripwire:[/] proposal #{row.id} is not pending")
    for reason in row.summary.get("tripwires", []):
        err.print(f"  - {reason}", markup=False)
    err.print(f"[dim]hint:[/] {RELEASE_HINT}")


ItemNumbers = Annotated[
    list[int] | None,
    typer.Argument(help="Item numbers, as `metis review` shows them (default: all waiting)."),
]
AllItems = Annotated[bool, typer.Option("--all", help="Every item still waiting.")]


def _items_wanted(items: list[int] | None, all_items: bool) -> list[int]:
    if items and all_items:
        raise typer.BadParameter("give item numbers or --all, not both")
    return [] if all_items else list(items or [])


def _said(decision: Any, verb: str) -> str:
    numbers = ", ".join(map(str, decision.numbers))
    what = f"item{'s' if len(decision.numbers) != 1 else ''} {numbers}" if numbers else "it"
    rest = (
        f"; {decision.remaining} item{'s' if decision.remaining != 1 else ''} still wait "
        "(`metis review`)"
        if decision.remaining
        else ""
    )
    return f"{verb} {what} of proposal #{decision.row.id}{rest}"


@app.command()
@friendly
def accept(
    items: ItemNumbers = None,
    all_items: AllItems = False,
    target: Target = None,
    data_dir: DataDir = None,
) -> None:
    """Apply the chosen items of the pending proposal to the target atomically (all of them when
    none are named): the file gets exactly the changes accepted."""
    from metis_distill.review.proposal import accept as accept_proposal

    wanted = _items_wanted(items, all_items)
    settings = load_settings(data_dir=data_dir)
    with _writing(settings) as ledger:
        decision = accept_proposal(ledger, settings.locks_dir, target or settings.target, wanted)
    wrote = f": wrote {decision.row.target}" if decision.written else ": the target is unchanged"
    finished = " (finished: a crash had stopped this accept after its write)"
    said = _said(decision, "Accepted") + wrote + (finished if decision.recovered else "")
    console.print(said, soft_wrap=True)


@app.command()
@friendly
def reject(
    items: ItemNumbers = None,
    all_items: AllItems = False,
    target: Target = None,
    data_dir: DataDir = None,
) -> None:
    """Refuse the chosen items of the pending proposal (all of them when none are named): a
    refused new line is remembered and not proposed again; a refused rewording keeps the old."""
    from metis_distill.review.proposal import reject as reject_proposal

    wanted = _items_wanted(items, all_items)
    settings = load_settings(data_dir=data_dir)
    with _writing(settings) as ledger:
        decision = reject_proposal(ledger, settings.locks_dir, target or settings.target, wanted)
    console.print(_said(decision, "Rejected") + "; remembered.", soft_wrap=True)


@app.command()
@friendly
def archive(
    sources: Annotated[
        list[Path] | None,
        typer.Option("--from", help="A folder or file of runs to copy in (repeatable)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Copy runs into the permanent archive: new files whole, grown files by their new bytes,
    rewritten files as a new version beside the old. Never deletes, never touches the sources."""
    from metis_distill.archive import archive_from

    settings = load_settings(data_dir=data_dir)
    with _writing(settings) as ledger:
        result = archive_from(sources or settings.source_roots(), settings.archive_dir, ledger)
    console.print(
        f"archived into {settings.archive_dir}: {result.copied} new, {result.appended} appended, "
        f"{result.versions} new versions, {result.unchanged} unchanged "
        f"({result.bytes_copied:,} bytes copied)",
        soft_wrap=True,
    )
    for path, reason in result.skipped:
        err.print(f"[dim]skipped[/] {path}: {reason}")


@app.command(name="sources")
@friendly
def sources_(
    archive: Annotated[
        Path | None, typer.Option("--archive", "-a", help="Folder to look at [default: archive].")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """What an archive holds, per format: files, runs, events, skipped lines."""
    from metis_distill.inventory import inventory

    settings = load_settings(data_dir=data_dir)
    root = archive or settings.archive_dir
    rows, skipped = inventory(root.expanduser())
    table = Table(
        "format", "files", "runs", "events", "corrupt lines", "unknown lines", "MB", title=str(root)
    )
    for row in rows:
        table.add_row(
            row.format,
            str(row.files),
            str(row.runs),
            str(row.events),
            str(row.corrupt_lines),
            str(row.unknown_lines),
            f"{row.bytes / 1e6:.2f}",
        )
    console.print(table, soft_wrap=False)
    for path, reason in skipped:
        err.print(f"[dim]skipped[/] {path}: {reason}")


@app.command()
@friendly
def config(data_dir: DataDir = None) -> None:
    """Show the effective settings and where each value comes from."""
    settings = load_settings(data_dir=data_dir)
    where = origins()
    if data_dir is not None:
        where["data_dir"] = "flag"
    table = Table("setting", "value", "from")
    for name, value in settings.model_dump().items():
        table.add_row(name, str(value), where[name])
    console.print(table, soft_wrap=False)


@app.command()
@friendly
def release(target: Target = None, data_dir: DataDir = None) -> None:
    """Let through a proposal a tripwire stopped (exit code 3), once you have read why: it
    becomes the pending proposal, for `metis review` and `metis accept` as usual."""
    from metis_distill.publish import release as release_proposal
    from metis_distill.review.notes import ProposalNotes

    settings = load_settings(data_dir=data_dir)
    with _writing(settings) as ledger:
        row = release_proposal(ledger, target or settings.target)
    for reason in ProposalNotes.read(row.summary).tripwires:
        console.print(f"[yellow]tripped:[/] {reason}")
    console.print(f"Proposal #{row.id} is pending: `metis review`, then accept or reject it.")


# history, rewind, show, propose --git (issue 5, review) ---------------------------------


@app.command()
@friendly
def history(
    target: Target = None,
    data_dir: DataDir = None,
    lessons: Annotated[
        bool, typer.Option("--lessons/--no-lessons", help="List each version's lessons.")
    ] = True,
) -> None:
    """Every version of each target that metis wrote or found, with the lessons it held."""
    from metis_distill.review.history import history as versions_of

    settings = load_settings(data_dir=data_dir)
    with _reading(settings) as ledger:
        found = versions_of(ledger, target or settings.target)
    if not found:
        console.print("No version recorded yet: `metis accept` records each one.")
        return
    for name, versions in found.items():
        console.rule(name)
        for v in versions:
            made = f"proposal #{v.proposal_id}" if v.proposal_id else "-"
            when = v.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            console.print(
                f"[bold]v{v.id}[/]  {when}  {v.reason:<8}  {made}  "
                f"{len(v.lessons)} lessons  sha {v.sha256[:12]}",
                soft_wrap=True,
                highlight=False,
            )
            for lesson_id, words in v.lessons if lessons else ():
                console.print(f"    {lesson_id}  {words}", soft_wrap=True, markup=False)


@app.command()
@friendly
def rewind(
    to: Annotated[
        str, typer.Option("--to", help="A version (v3, from `metis history`) or a date (UTC).")
    ],
    target: Target = None,
    data_dir: DataDir = None,
) -> None:
    """Propose the target as it was at a version or a date: a pending proposal, reviewed and
    accepted like any other (accepting all of it restores the file byte for byte)."""
    from metis_distill.review.history import only_target
    from metis_distill.review.history import rewind as rewind_target

    settings = load_settings(data_dir=data_dir)
    with _writing(settings) as ledger:
        chosen = target or settings.target or only_target(ledger)
        row, version = rewind_target(
            ledger, chosen.expanduser(), to, settings.proposals_dir, settings.locks_dir
        )
        items = len(ledger.proposal_items(row.id))
    console.print(
        f"Proposal #{row.id}: {chosen} as it was at v{version.id} "
        f"({version.created_at:%Y-%m-%d %H:%M} UTC), {items} items. "
        "Next: `metis review`, then `metis accept` or `metis reject`.",
        soft_wrap=True,
    )


@app.command()
@friendly
def show(
    lesson: Annotated[str, typer.Argument(help="A lesson id (the ID of `<!-- metis:ID -->`).")],
    data_dir: DataDir = None,
) -> None:
    """A lesson with all its evidence (quotes, spans, sessions), wordings and decisions."""
    from metis_distill.review.history import show as lesson_detail

    with _reading(load_settings(data_dir=data_dir)) as ledger:
        d = lesson_detail(ledger, lesson)
    seen = " to ".join(f"{t:%Y-%m-%d}" for t in (d.first_seen, d.last_seen) if t)
    console.print(f"{d.id} {d.kind} · {d.status} · severity {d.severity}", markup=False)
    console.print(d.text, soft_wrap=True, highlight=False, markup=False)
    console.print(f"seen in {d.support} sessions" + (f", {seen}" if seen else ""), highlight=False)
    console.rule(f"evidence ({len(d.evidence)})")
    for e in d.evidence:
        console.print(
            f"{e['where']}  session {e['session']}  {e['when']}  cwd {e['cwd']}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
        console.print(f"  {e['file']}", soft_wrap=True, highlight=False, markup=False)
        console.print(f"  “{e['quote']}”", soft_wrap=True, highlight=False, markup=False)
    if d.wordings:
        console.rule("wordings")
        for when, how, before in d.wordings:
            console.print(f"{when} ({how}), was: {before}", soft_wrap=True, markup=False)
    if d.decisions:
        console.rule("decisions")
        for line in d.decisions:
            console.print(line, highlight=False)


@app.command()
@friendly
def propose(
    git: Annotated[
        bool, typer.Option("--git", help="Commit the pending proposal on a new branch.")
    ] = False,
    branch: Annotated[
        str | None,
        typer.Option("--branch", help="The new branch [default: metis/proposal-ID]."),
    ] = None,
    target: Target = None,
    data_dir: DataDir = None,
) -> None:
    """Write the pending proposal as a commit on a new branch of the target's repository,
    ready for a pull request. The current branch, the index and the working tree are never
    touched; an existing branch is never moved."""
    if not git:
        raise typer.BadParameter("only `metis propose --git` exists for now", param_hint="--git")
    from metis_distill.review.git import commit_on_branch

    settings = load_settings(data_dir=data_dir)
    with _reading(settings) as ledger:
        made = commit_on_branch(ledger, target or settings.target, branch)
    console.print(
        f"Committed {made.path} on branch {made.branch} ({made.commit[:12]}) in {made.repo}; "
        f"your branch and files are as they were. Next: `git push -u origin {made.branch}` "
        "and open a pull request.",
        soft_wrap=True,
        markup=False,
    )
    console.print(made.message.splitlines()[0], markup=False, highlight=False)


@app.command()
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
        nightly_cron=cron,
        nightly_timezone=timezone,
        task_runner=task_runner.value if task_runner else None,
        dask_address=dask_address,
    )
    _check_target(settings)
    _quiet_prefect()
    from flows.serve import check_cron  # Prefect is imported only here
    from flows.serve import serve as serve_nightly

    check_cron(settings.nightly_cron)
    api = os.environ.get("PREFECT_API_URL")
    err.print(
        f"serving distill/nightly: {settings.nightly_cron} ({settings.nightly_timezone}), "
        f"target {settings.target}; Prefect API: {api or 'none (ephemeral: no UI)'}"
    )
    serve_nightly(settings)


@app.command()
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
    with _reading(settings) as ledger:
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


def _writing(settings: Settings) -> Ledger:
    """The ledger, for a command that changes it (its schema upgraded first)."""
    from metis_distill.ledger import Ledger

    return Ledger(settings.ledger_url)


def _reading(settings: Settings) -> Ledger:
    """The ledger, for a command that only reads it: never created, migrated or written."""
    from metis_distill.ledger import Ledger

    return Ledger.reading(settings.ledger_url)


# --- retrieve: search, context, mcp (issue 8) -------------------------------------------


class SearchKind(StrEnum):
    failure = "failure"
    decision = "decision"
    gotcha = "gotcha"


def _retriever(data_dir: Path | None) -> Any:
    from metis_distill.retrieve.retriever import Retriever

    settings = load_settings(data_dir=data_dir)
    return Retriever.at(settings.data_dir.expanduser(), settings.model_dir)


@app.command()
@friendly
def search(
    query: Annotated[str, typer.Argument(help="What to look for: words, a command, an error.")],
    kind: Annotated[
        list[SearchKind] | None, typer.Option("--kind", "-k", help="Only lessons of this kind.")
    ] = None,
    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="Only lessons seen in this project (name or path)."),
    ] = None,
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, help="Lessons at most.")] = 10,
    include_retired: Annotated[
        bool, typer.Option("--include-retired", help="Retired and rejected lessons too.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """The lessons closest to QUERY (meaning and exact words), best first. Read-only."""
    from rich.markup import escape

    from metis_distill.retrieve.records import hit_record
    from metis_distill.retrieve.search import Query

    wanted = Query(query, tuple(k.value for k in kind or ()), project, limit, include_retired)
    with _retriever(data_dir) as retriever:
        hits = retriever.search(wanted)
    records = [hit_record(h) for h in hits]
    if as_json:
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return
    if not records:
        console.print("No lesson matches.")
    for n, record in enumerate(records, start=1):
        seen = (record["last_seen"] or "?")[:10]
        console.print(f"{n}. [bold]\\[{record['kind']}][/] {escape(record['text'])}")
        console.print(
            f"   [dim]{record['id']} · support {record['support']} · last seen {seen}"
            f" · {record['status']} · score {record['score']:.2f}[/]"
        )
        console.print(f"   evidence: {record['evidence']}", markup=False, soft_wrap=True)


@app.command()
@friendly
def context(
    task: Annotated[
        str, typer.Argument(help="The task at hand, in a sentence or a paragraph; - reads stdin.")
    ],
    budget: Annotated[
        int, typer.Option("--budget", min=20, help="Tokens at most (estimated as chars / 4).")
    ] = 600,
    data_dir: DataDir = None,
) -> None:
    """A markdown brief of the lessons that bear on TASK, within a token budget: ready to paste
    into a prompt or to be read by a hook. Read-only."""
    if task == "-":
        task = sys.stdin.read()
    with _retriever(data_dir) as retriever:
        brief = retriever.context(task, budget)
    sys.stdout.write(brief.markdown)


@app.command()
@friendly
def mcp(data_dir: DataDir = None) -> None:
    """Serve the lessons to agents over MCP (stdio): search_lessons, get_lesson,
    context_for_task. Read-only. Add it to Claude Code with
    `claude mcp add metis -- metis mcp --data-dir DIR`."""
    from metis_distill.retrieve.mcp_server import serve  # the MCP SDK is imported only here

    settings = load_settings(data_dir=data_dir)
    serve(settings.data_dir.expanduser(), settings.model_dir)


# --- evaluation (issue 7): `metis eval` on a labeled archive, `metis replay` on any archive ---


@app.command()
@friendly
def replay(
    archive: Annotated[
        Path | None, typer.Option(help="Folder of runs [default: the configured archive].")
    ] = None,
    steps: Annotated[int, typer.Option(help="Slices of time in the growth curve.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    budget: Annotated[int, typer.Option(help="Lines at most per section.")] = 12,
) -> None:
    """Would it have helped? Replay the runs in time order; for each failure, did the context
    file made from the runs before it already hold a lesson covering it?"""
    import tempfile

    from metis_distill.embeddings import MiniLMEmbedder
    from metis_distill.evaluate.replay import replay as run_replay

    settings = load_settings()
    if steps < 1:
        raise typer.BadParameter("--steps must be at least 1")
    with tempfile.TemporaryDirectory(prefix="metis-replay-") as data:
        embedder = MiniLMEmbedder(settings.model_dir)
        report = run_replay(
            archive or settings.archive, Path(data), embedder, steps=steps, budget=budget
        )
    result = report.as_dict()
    if as_json:
        console.print_json(json.dumps(result))
        return
    table = Table(
        "runs before", "runs", "failures", "covered by context", "by any lesson", "coverage"
    )
    for s in result["steps"]:
        table.add_row(
            str(s["runs_before"]), str(s["runs"]), str(s["failures"]),
            str(s["covered_by_context"]), str(s["covered_by_any_lesson"]), f"{s['coverage']:.0%}",
        )  # fmt: skip
    console.print(table, soft_wrap=False)
    console.print(
        f"{result['runs']} runs, {result['failures']} failures: "
        f"{result['covered_by_context']} ({result['coverage']:.0%}) were covered by the context "
        "file made from the runs before them."
    )


@app.command(name="eval")
@friendly
def eval_(
    gold: Annotated[Path, typer.Option(help="Folder of gold labels (*.yaml).")] = Path("eval/gold"),
    corpus: Annotated[Path, typer.Option(help="The archive the labels were made on.")] = Path(
        "../shared/corpus"
    ),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    budget: Annotated[int, typer.Option(help="Lines at most per section.")] = 12,
) -> None:
    """Distil a labeled archive (rules extractor) and score the lessons against gold."""
    import tempfile

    from metis_distill.embeddings import MiniLMEmbedder
    from metis_distill.evaluate.run import evaluate

    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="metis-eval-") as data:
        embedder = MiniLMEmbedder(settings.model_dir)
        report = evaluate(gold, corpus, Path(data), embedder, budget=budget)
    result = report.as_dict()
    if json_path is not None:
        from metis_distill.textio import atomic_write_text

        atomic_write_text(json_path, json.dumps(result, indent=2, default=str) + "\n")
    _print_eval(result)
    if result["provenance_share"] < 1 or result["secrets_leaked"]:
        raise typer.Exit(1)


def _print_eval(result: dict[str, Any]) -> None:
    table = Table("kind", "precision", "recall", "F1", "tp", "fp", "fn", title="lessons vs gold")
    for kind, s in result["scores"].items():
        table.add_row(
            kind, f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}",
            str(s["tp"]), str(s["fp"]), str(s["fn"]),
        )  # fmt: skip
    console.print(table, soft_wrap=False)
    _print_blocks(result)
    facts = Table("measure", "value", title="the rendered block")
    facts.add_row(
        "gold transcripts / lessons", f"{result['gold_files']} / {result['gold_lessons']}"
    )
    facts.add_row("false positives repeating a matched gold lesson", str(result["redundant"]))
    facts.add_row("provenance resolves", f"{result['provenance_ok']}/{result['rendered_lines']}")
    facts.add_row(
        "duplicates (exact / near)", f"{result['exact_duplicates']} / {result['near_duplicates']}"
    )
    facts.add_row("block size", f"{result['block_lines']} lines, ~{result['block_tokens']} tokens")
    facts.add_row(
        "secrets leaked",
        f"{result['secrets_leaked']} (of {result['secrets_known']} in the archive)",
    )
    console.print(facts, soft_wrap=False)
    for leak in result["leaks"]:
        err.print(f"[bold red]leak:[/] {leak}")


def _print_blocks(result: dict[str, Any]) -> None:
    """The rendered block scored line by line, at the default budget and with none; then
    every line whose remedy contradicts the run."""
    titles = {"budget": f"budget {result['budget']}/section", "no_budget": "no budget"}
    for name, rows in result["block"].items():
        table = Table(
            "kind", "lines", "P", "R", "F1", "found", "wrong fix", "one-off",
            title=f"rendered lines vs gold, {titles.get(name, name)}",
        )  # fmt: skip
        for kind, s in rows.items():
            table.add_row(
                kind, str(s["lines"]), f"{s['precision']:.2f}", f"{s['recall']:.2f}",
                f"{s['f1']:.2f}", f"{s['found']}/{s['gold']}", str(s["wrong_fix"]),
                f"{s['one_off']} ({s['one_off_share']:.0%})",
            )  # fmt: skip
        console.print(table, soft_wrap=False)
    wrong: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for name, lines in result["judged_lines"].items():
        for line in lines:
            if line["wrong_fix"]:
                wrong.setdefault(line["id"], (line, []))[1].append(titles.get(name, name))
    for line, blocks in wrong.values():
        text = escape(line["text"])
        console.print(f"[bold red]wrong fix[/] ({', '.join(blocks)}): {text}", soft_wrap=True)
        for gold in line["wrong_fix"]:
            fix = escape(str(gold["fix"]))
            console.print(f"  [dim]the run: {fix} ({gold['verdict']})[/]", soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
