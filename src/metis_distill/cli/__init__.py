"""`metis`: parse arguments, call the library, print. No logic of its own, no Prefect import
at module level (only `distill` and `serve` load it, lazily). One module per group of
commands; they are registered here, in the order `metis --help` lists them."""

from __future__ import annotations

import typer

from metis_distill.cli import evaluate, history, hooks, retrieve, review, run, setup

app = typer.Typer(
    name="metis",
    help="Distil the archived runs of AI coding agents into reviewed context files.",
    no_args_is_help=True,
    add_completion=False,
)

app.command()(run.distill)
app.command()(review.review)
app.command()(review.accept)
app.command()(review.reject)
app.command()(setup.archive)
app.command(name="sources")(setup.sources_)
app.command()(setup.config)
app.command()(review.release)
app.command()(history.history)
app.command()(history.rewind)
app.command()(history.show)
app.command()(review.propose)
app.command()(run.serve)
app.command()(run.status)
app.command()(retrieve.search)
app.command()(retrieve.context)
app.command()(retrieve.mcp)
app.command()(evaluate.replay)
app.command(name="eval")(evaluate.eval_)
app.add_typer(hooks.app, name="hooks")


def main() -> None:
    app()
