"""`metis eval` on a labeled archive, `metis replay` on any archive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from metis_distill.cli.common import (
    console,
    err,
    friendly,
    shown,
)
from metis_distill.cli.run import Extractor
from metis_distill.config import BudgetSettings, load_settings

SECTION_LINES = BudgetSettings().per_section


@friendly
def replay(
    archive: Annotated[
        Path | None,
        typer.Option(help=f"Folder of runs {shown('default: the configured archive')}."),
    ] = None,
    steps: Annotated[int, typer.Option(help="Slices of time in the growth curve.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    budget: Annotated[int, typer.Option(help="Lines at most per section.")] = SECTION_LINES,
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


@friendly
def eval_(
    gold: Annotated[
        Path | None,
        typer.Option(
            help="Folder of gold labels (*.yaml) " + shown("default: eval/gold of this checkout")
        ),
    ] = None,
    corpus: Annotated[Path, typer.Option(help="The archive the labels were made on.")] = Path(
        "../shared/corpus"
    ),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    budget: Annotated[int, typer.Option(help="Lines at most per section.")] = SECTION_LINES,
    extractor: Annotated[
        Extractor,
        typer.Option(
            help="rules (offline), or claude: its lessons scored against the same gold "
            "(needs ANTHROPIC_API_KEY; costs what a distill of the corpus costs)."
        ),
    ] = Extractor.rules,
) -> None:
    """Distil a labeled archive and score the lessons against gold."""
    import tempfile

    from metis_distill.embeddings import MiniLMEmbedder
    from metis_distill.evaluate.gold import default_gold
    from metis_distill.evaluate.run import evaluate

    gold = gold or default_gold()
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="metis-eval-") as data:
        embedder = MiniLMEmbedder(settings.model_dir)
        claude = settings.extract if extractor is Extractor.claude else None
        report = evaluate(gold, corpus, Path(data), embedder, budget=budget, claude=claude)
    result = report.as_dict()
    if json_path is not None:
        from metis_distill.textio import atomic_write_text

        atomic_write_text(json_path, json.dumps(result, indent=2, default=str) + "\n")
    _print_eval(result)
    if result["provenance_share"] < 1 or result["secrets_leaked"]:
        raise typer.Exit(1)


def _print_eval(result: dict[str, Any]) -> None:
    table = Table(
        "kind", "precision", "recall", "F1", "tp", "fp", "fn",
        title=f"lessons vs gold ({result['extractor']} extractor)",
    )  # fmt: skip
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
    usage = result["extraction"]
    if usage:
        cost = usage.get("estimated_cost_usd")
        facts.add_row(
            "claude extractor calls / tokens in+out / cost",
            f"{usage['extract_requests']} / {usage['tokens_in']:,}+{usage['tokens_out']:,} / "
            + (f"~${cost:.2f}" if cost is not None else "unknown"),
        )
    shown = result["claude_input"]
    facts.add_row(
        "gold lessons the Claude extractor's input shows",
        f"{shown['shown']}/{shown['gold']} (excerpts {shown['excerpts']}, "
        f"session outlines {shown['outlines']})",
    )
    facts.add_row(
        "secrets leaked",
        f"{result['secrets_leaked']} (of {result['secrets_known']} in the archive)",
    )
    console.print(facts, soft_wrap=False)
    for leak in result["leaks"]:
        err.print(f"[bold red]leak:[/] {escape(leak)}")


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
