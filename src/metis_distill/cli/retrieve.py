"""`metis search`, `context`, `mcp`: the lessons, read-only, for people and agents."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from metis_distill.cli.common import (
    DataDir,
    console,
    follow_data_dir,
    friendly,
    shown,
)
from metis_distill.config import load_settings


class SearchKind(StrEnum):
    failure = "failure"
    decision = "decision"
    gotcha = "gotcha"


def _retriever(data_dir: Path | None) -> Any:
    from metis_distill.retrieve.retriever import Retriever

    settings = load_settings(data_dir=data_dir)
    follow_data_dir(settings)
    return Retriever.at(settings.data_dir.expanduser(), settings.model_dir, settings.ledger_url)


@friendly
def search(
    query: Annotated[
        str,
        typer.Argument(
            help="What to look for: words, a command, an error. Left out with --kind or "
            "--project, the lessons they keep are listed, most sessions first, up to --limit."
        ),
    ] = "",
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
    """The lessons closest to QUERY (meaning and exact words), best first; with no QUERY,
    every lesson of a --kind or --project. Read-only."""
    if not query.strip() and not kind and project is None:
        raise typer.BadParameter(
            "give words to look for, or --kind / --project to list their lessons",
            param_hint="QUERY",
        )

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


@friendly
def context(
    task: Annotated[
        str, typer.Argument(help="The task at hand, in a sentence or a paragraph; - reads stdin.")
    ],
    budget: Annotated[
        # min: `retrieve.context.MIN_BUDGET`, not imported before a command runs
        int, typer.Option("--budget", min=30, help="Tokens at most (estimated as chars / 4).")
    ] = 600,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="Its lessons first " + shown("default: this folder's repository") + ".",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """A markdown brief of the lessons that bear on TASK, within a token budget: ready to paste
    into a prompt or to be read by a hook. Read-only."""
    from metis_distill.retrieve.context import project_of

    if task == "-":
        task = sys.stdin.read()
    with _retriever(data_dir) as retriever:
        brief = retriever.context(task, budget, project_of((project or Path.cwd()).resolve()))
    sys.stdout.write(brief.markdown)


@friendly
def mcp(data_dir: DataDir = None) -> None:
    """Serve the lessons to agents over MCP (stdio): search_lessons, get_lesson,
    context_for_task. Read-only. Add it to Claude Code with
    `claude mcp add metis -- metis mcp --data-dir DIR`."""
    from metis_distill.retrieve.mcp_server import serve  # the MCP SDK is imported only here

    settings = load_settings(data_dir=data_dir)
    follow_data_dir(settings)
    serve(settings.data_dir.expanduser(), settings.model_dir, settings.ledger_url)
