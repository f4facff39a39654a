"""`metis history`, `rewind`, `show`: every version written, a past one proposed again, a
lesson with all its evidence."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from metis_distill.cli.common import (
    DataDir,
    Target,
    check_data_dir_made,
    console,
    counted,
    friendly,
    reading,
    writing,
)
from metis_distill.config import load_settings


@friendly
def history(
    target: Target = None,
    data_dir: DataDir = None,
    lessons: Annotated[
        bool, typer.Option("--lessons/--no-lessons", help="List each version's lessons.")
    ] = True,
) -> None:
    """Every version of each target that metis wrote or found, with the lessons it held."""
    from metis_distill.review.git import merged_waiting, record_merged
    from metis_distill.review.history import history as versions_of

    settings = load_settings(data_dir=data_dir)
    check_data_dir_made(settings)
    with reading(settings) as ledger:
        merged = merged_waiting(ledger)
    if merged:  # a `propose --git` branch merged since: recorded as accepted first
        with writing(settings) as ledger:
            record_merged(ledger, settings.locks_dir)
    with reading(settings) as ledger:
        found = versions_of(ledger, target or settings.target)
    if not found:
        console.print("No version recorded yet: `metis accept` records each one.")
        return
    for name, versions in found.items():
        console.rule(escape(name))
        for v in versions:
            made = f"proposal #{v.proposal_id}" if v.proposal_id else "-"
            when = v.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            console.print(
                f"[bold]v{v.id}[/]  {when}  {escape(f'{v.reason:<8}')}  {made}  "
                f"{counted(len(v.lessons), 'lesson')}  sha {v.sha256[:12]}",
                soft_wrap=True,
                highlight=False,
            )
            for lesson_id, words in v.lessons if lessons else ():
                console.print(f"    {lesson_id}  {words}", soft_wrap=True, markup=False)


@friendly
def rewind(
    to: Annotated[
        str, typer.Option("--to", help="A version (v3, from `metis history`) or a date (UTC).")
    ],
    target: Target = None,
    data_dir: DataDir = None,
) -> None:
    """Propose the target's block as it was at a version or a date: a pending proposal,
    reviewed and accepted like any other. Your text outside the block is kept as it is now."""
    from metis_distill.review.git import record_merged
    from metis_distill.review.history import only_target, parse_when
    from metis_distill.review.history import rewind as rewind_target

    parse_when(to)  # an argument that cannot be parsed: exit 2, before the ledger is opened
    settings = load_settings(data_dir=data_dir)
    with writing(settings) as ledger:
        record_merged(ledger, settings.locks_dir)  # a `propose --git` branch merged since
        chosen = target or settings.target or only_target(ledger)
        row, version = rewind_target(
            ledger, chosen.expanduser(), to, settings.proposals_dir, settings.locks_dir
        )
        items = len(ledger.proposal_items(row.id))
    console.print(
        f"Proposal #{row.id}: {chosen} as it was at v{version.id} "
        f"({version.created_at:%Y-%m-%d %H:%M} UTC), {counted(items, 'item')}. "
        "Next: `metis review`, then `metis accept` or `metis reject`.",
        soft_wrap=True,
    )


@friendly
def show(
    lesson: Annotated[
        str,
        typer.Argument(
            help="A lesson id: a line's evidence file names it (`.metis/…/ID.txt`); "
            "`metis review` lists them."
        ),
    ],
    data_dir: DataDir = None,
) -> None:
    """A lesson with all its evidence (quotes, spans, sessions), wordings and decisions."""
    from metis_distill.review.history import show as lesson_detail

    with reading(load_settings(data_dir=data_dir)) as ledger:
        d = lesson_detail(ledger, lesson)
    seen = " to ".join(f"{t:%Y-%m-%d}" for t in (d.first_seen, d.last_seen) if t)
    status = d.status if d.status != "active" or not d.refused else "; ".join(d.refused)
    console.print(f"{d.id} {d.kind} · {status} · severity {d.severity}", markup=False)
    console.print(d.text, soft_wrap=True, highlight=False, markup=False)
    sessions = counted(d.support, "session")
    console.print(f"seen in {sessions}" + (f", {seen}" if seen else ""), highlight=False)
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
    if d.decisions or d.refused:
        console.rule("decisions")
        for line in (*d.decisions, *(f"{r}: never proposed there again" for r in d.refused)):
            console.print(line, highlight=False, markup=False)
