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
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.table import Table

from metis_distill.config import Settings, load_settings, origins
from metis_distill.errors import MetisError

app = typer.Typer(
    name="metis",
    help="Distil the archived runs of AI coding agents into reviewed context files.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Ledger, index and proposals [env METIS_DATA_DIR]."),
]


class Extractor(StrEnum):
    rules = "rules"
    claude = "claude"


Target = Annotated[
    Path | None, typer.Option("--target", "-t", help="The context file, e.g. repo/CLAUDE.md.")
]


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into one clear message and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MetisError as e:
            err.print(f"[bold red]error:[/] {e}")
            if e.hint:
                err.print(f"[dim]hint:[/] {e.hint}")
            raise typer.Exit(e.exit_code) from e

    return wrapper


@app.command()
@friendly
def distill(
    archive: Annotated[
        Path | None,
        typer.Option("--archive", "-a", help="Folder of runs [default ~/.claude/projects]."),
    ] = None,
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
    )
    _check_target(settings)
    from metis_distill.pipeline import check_archive

    check_archive(settings.archive)
    _quiet_prefect()
    from flows.distill import distill_flow  # Prefect is imported only here

    report = distill_flow(settings)
    if as_json:
        sys.stdout.write(json.dumps(report, default=str, indent=2) + "\n")
    else:
        _print_report(report)
    pending = int(report.get("extract_pending", 0))
    if pending:
        err.print(
            f"[yellow]{pending} excerpts left for the next run[/] (token budget reached or "
            "calls failed); run `metis distill` again to finish them."
        )
        raise typer.Exit(4)


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


def _nothing_message(proposal: dict[str, Any]) -> str:
    if proposal["lessons_known"] == 0:
        return "No lessons found yet in the archive's runs: nothing to propose."
    if proposal["lessons_shown"] == 0 and proposal["lessons_active"] > 0:
        return (
            f"{proposal['lessons_active']} lessons known, none from runs in this target's "
            "repository (their cwd is elsewhere): nothing to propose. Use --all-projects, or "
            "add the old checkout paths as `aliases` in metis.toml."
        )
    return "No change to propose: the target already says all we know."


def _print_report(report: dict[str, Any]) -> None:
    table = Table(title="distill", show_header=False)
    for key, value in report.items():
        if key not in ("proposal", "failed_files", "skipped_files", "corrupt_where"):
            table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    for failed in report.get("failed_files", []):
        err.print(f"[yellow]could not read[/] {failed}")
    for where in report.get("corrupt_where", []):
        err.print(f"[yellow]skipped corrupt or truncated[/] {where}")
    skipped = report.get("skipped_files", [])
    for line in skipped[:10]:
        err.print(f"[dim]skipped[/] {line}")
    if len(skipped) > 10:
        err.print(f"[dim]... and {len(skipped) - 10} more skipped files[/]")
    proposal = report["proposal"]
    if proposal["status"] == "nothing":
        console.print(_nothing_message(proposal))
    elif proposal["status"] == "unchanged":
        console.print(
            f"Nothing new: proposal #{proposal['proposal_id']} still waits for review "
            "(`metis review`)."
        )
    else:
        console.print(
            f"Proposal #{proposal['proposal_id']}: {proposal['added']} lessons added, "
            f"{proposal['removed']} removed. Next: `metis review`, then `metis accept` "
            "or `metis reject`."
        )


@app.command()
@friendly
def review(
    target: Target = None,
    data_dir: DataDir = None,
    diff_only: Annotated[bool, typer.Option("--diff", help="Print only the unified diff.")] = False,
) -> None:
    """Show the pending proposal: each added line with its evidence, then the diff."""
    from metis_distill.review.proposal import choose_pending

    settings, ledger = _open(data_dir)
    row = choose_pending(ledger, target or settings.target)
    folder = Path(row.folder)
    if diff_only:
        sys.stdout.write((folder / "diff.patch").read_text(encoding="utf-8"))
        return
    report = (folder / "report.md").read_text(encoding="utf-8")
    body, _, diff = report.partition("\n## Diff\n")
    console.print(Markdown(body))
    console.rule("diff")
    diff = (folder / "diff.patch").read_text(encoding="utf-8")
    if console.is_terminal:
        console.print(Syntax(diff, "diff", word_wrap=True))
    else:
        sys.stdout.write(diff)  # piped: the plain diff, no wrapping or cutting
    console.print(f"[dim]report: {folder / 'report.md'}[/]")


@app.command()
@friendly
def accept(target: Target = None, data_dir: DataDir = None) -> None:
    """Apply the pending proposal to the target atomically."""
    from metis_distill.review.proposal import accept as accept_proposal

    settings, ledger = _open(data_dir)
    row = accept_proposal(ledger, settings.locks_dir, target or settings.target)
    console.print(f"Accepted proposal #{row.id}: wrote {row.target}")


@app.command()
@friendly
def reject(target: Target = None, data_dir: DataDir = None) -> None:
    """Discard the pending proposal; its lessons will not be proposed again."""
    from metis_distill.review.proposal import reject as reject_proposal

    settings, ledger = _open(data_dir)
    row = reject_proposal(ledger, settings.locks_dir, target or settings.target)
    console.print(
        f"Rejected proposal #{row.id}: {len(row.lesson_ids)} lessons remembered as rejected."
    )


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

    settings, ledger = _open(data_dir)
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
    console.print(table)
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
    console.print(table)


def _open(data_dir: Path | None) -> tuple[Settings, Any]:
    from metis_distill.ledger import Ledger

    settings = load_settings(data_dir=data_dir)
    return settings, Ledger(settings.ledger_url)


# --- evaluation (issue 7): `metis eval` on a labeled archive, `metis replay` on any archive ---


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
    console.print(table)
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
    console.print(facts)
    for leak in result["leaks"]:
        err.print(f"[bold red]leak:[/] {leak}")


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
    console.print(table)
    console.print(
        f"{result['runs']} runs, {result['failures']} failures: "
        f"{result['covered_by_context']} ({result['coverage']:.0%}) were covered by the context "
        "file made from the runs before them."
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
