"""`metis review`, `accept`, `reject`, `release`, `propose --git`: the pending proposal, decided
item by item."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from metis_distill.cli.common import (
    DataDir,
    Target,
    console,
    counted,
    err,
    friendly,
    reading,
    shown,
    writing,
)
from metis_distill.config import load_settings
from metis_distill.statuses import ProposalState


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
    from metis_distill.review.choose import waiting_for_review
    from metis_distill.review.proposal import recover_accepts

    settings = load_settings(data_dir=data_dir)
    with reading(settings) as ledger:
        interrupted = bool(ledger.accept_intents())
    if interrupted:  # an accept a crash stopped is finished first: the one write of a review
        with Ledger(settings.ledger_url) as writer:
            recover_accepts(writer, settings.locks_dir)
    with reading(settings) as ledger:
        rows = waiting_for_review(ledger, target or settings.target)
    for row in rows:  # several: a distill's lessons placed in several context files
        _review_one(row, diff_only=diff_only, html=html)


def _review_one(row: Any, *, diff_only: bool, html: bool) -> None:
    folder = Path(row.folder)
    if row.status == ProposalState.NEEDS_HUMAN:
        _say_stopped(row)
    _say_stale(row)
    if html:
        sys.stdout.write(f"{folder / 'report.html'}\n")
        return
    diff = (folder / "diff.patch").read_text(encoding="utf-8")
    if diff_only:
        sys.stdout.write(diff)
        return
    report = (folder / "report.md").read_text(encoding="utf-8")
    from rich.syntax import Syntax  # Pygments: loaded only to print a proposal

    from metis_distill.cli.markdown import LiteralMarkdown

    console.print(LiteralMarkdown(report.partition("\n## Diff\n")[0]))
    console.rule("diff")
    if console.is_terminal:
        console.print(Syntax(diff, "diff", word_wrap=True))
    else:
        sys.stdout.write(diff)  # piped: the plain diff, no wrapping or cutting
    paths = escape(f"report: {folder / 'report.md'} (HTML: {folder / 'report.html'})")
    console.print(f"[dim]{paths}[/]")


def _say_stopped(row: Any) -> None:
    """A stopped proposal is shown, never silently: why, and how to let it through."""
    from metis_distill.review.choose import RELEASE_HINT

    err.print(f"[bold yellow]stopped by a tripwire:[/] proposal #{row.id} is not pending")
    for reason in row.summary.get("tripwires", []):
        err.print(f"  - {reason}", markup=False)
    err.print(f"[dim]hint:[/] {RELEASE_HINT}")


def _say_stale(row: Any) -> None:
    """A proposal made before the target changed cannot be accepted: said, with the ways out."""
    from metis_distill.errors import ProposalError
    from metis_distill.review.proposal import STALE_HINT
    from metis_distill.review.target import read_target, sha256_text

    try:
        if sha256_text(read_target(Path(row.target))) == row.base_sha256:
            return
    except (ProposalError, OSError, ValueError):
        return  # a target that cannot be read now: `metis accept` says why
    err.print(
        f"[bold yellow]stale:[/] {escape(row.target)} changed since proposal #{row.id} was made; "
        "`metis accept` will refuse it"
    )
    err.print(f"[dim]hint:[/] {escape(STALE_HINT)}")


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
    if not numbers:  # a proposal without numbered changes, decided as a whole
        return f"{verb} proposal #{decision.row.id} (no numbered changes)"
    what = f"item{'s' if len(decision.numbers) != 1 else ''} {numbers}"
    rest = (
        f"; {counted(decision.remaining, 'item')} still wait (`metis review`)"
        if decision.remaining
        else ""
    )
    return f"{verb} {what} of proposal #{decision.row.id}{rest}"


@friendly
def accept(
    items: ItemNumbers = None,
    all_items: AllItems = False,
    target: Target = None,
    data_dir: DataDir = None,
) -> None:
    """Apply the chosen items of the pending proposal to the target atomically (all of them when
    none are named): the file gets exactly the changes accepted."""
    from metis_distill.review.proposal import accept_waiting as accept_proposal

    wanted = _items_wanted(items, all_items)
    settings = load_settings(data_dir=data_dir)
    with writing(settings) as ledger:
        decisions = accept_proposal(ledger, settings.locks_dir, target or settings.target, wanted)
    for decision in decisions:
        wrote = f": wrote {decision.row.target}" if decision.written else ": target unchanged"
        finished = " (finished: a crash had stopped this accept after its write)"
        said = _said(decision, "Accepted") + wrote + (finished if decision.recovered else "")
        console.print(said, soft_wrap=True, markup=False)


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
    with writing(settings) as ledger:
        decision = reject_proposal(ledger, settings.locks_dir, target or settings.target, wanted)
    console.print(_said(decision, "Rejected") + "; remembered.", soft_wrap=True, markup=False)
    for line in _never_again(decision.refused):
        console.print(line, soft_wrap=True, markup=False, highlight=False)


def _never_again(refused: Any) -> list[str]:
    """What a reject means for later proposals: lessons refused everywhere, or for this file
    only (another file keeps them)."""
    if refused is None:
        return []
    said = []
    if refused.everywhere:
        everywhere = counted(len(refused.everywhere), "lesson")
        said.append(f"{everywhere} will never be proposed again, for any file.")
    if refused.here_only:
        kept = ", ".join(refused.kept_in)
        said.append(
            f"{counted(len(refused.here_only), 'lesson')} will never be proposed again for "
            f"{refused.target} (still accepted in {kept})."
        )
    return said


@friendly
def release(target: Target = None, data_dir: DataDir = None) -> None:
    """Let through a proposal a tripwire stopped (exit code 3), once you have read why: it
    becomes the pending proposal, for `metis review` and `metis accept` as usual."""
    from metis_distill.publish import release as release_proposal
    from metis_distill.review.notes import ProposalNotes

    settings = load_settings(data_dir=data_dir)
    with writing(settings) as ledger:
        row = release_proposal(ledger, target or settings.target)
    for reason in ProposalNotes.read(row.summary).tripwires:
        console.print(f"[yellow]tripped:[/] {escape(reason)}")
    console.print(f"Proposal #{row.id} is pending: `metis review`, then accept or reject it.")


@friendly
def propose(
    git: Annotated[
        bool, typer.Option("--git", help="Commit the pending proposal on a new branch.")
    ] = False,
    branch: Annotated[
        str | None,
        typer.Option("--branch", help=f"The new branch {shown('default: metis/proposal-ID')}."),
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
    with reading(settings) as ledger:
        made = commit_on_branch(ledger, target or settings.target, branch)
    console.print(
        f"Committed {made.path} on branch {made.branch} ({made.commit[:12]}) in {made.repo}; "
        f"your branch and files are as they were. Next: `git push -u origin {made.branch}` "
        "and open a pull request.",
        soft_wrap=True,
        markup=False,
    )
    console.print(made.message.splitlines()[0], markup=False, highlight=False)
