"""`metis`: parse arguments, call the library, print. No logic of its own, no Prefect import
at module level (only `distill` and `serve` load it, lazily). One module per group of
commands; they are registered here, in the order `metis --help` lists them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib.metadata import version
from typing import Annotated, Any

import typer

from metis_distill.cli import evaluate, history, hooks, retrieve, review, run, setup

app = typer.Typer(
    name="metis",
    help="Distil the archived runs of AI coding agents into reviewed context files.",
    no_args_is_help=True,
    add_completion=False,
)


def _command(function: Callable[..., Any], name: str | None = None) -> None:
    """Register a command; its help is its docstring with each paragraph on one line, for the
    help to wrap it to the terminal (a line break inside a paragraph would stay)."""
    text = inspect.cleandoc(function.__doc__ or "")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    app.command(name=name, help="\n\n".join(paragraphs))(function)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"metis-distill {version('metis-distill')}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Distil the archived runs of AI coding agents into reviewed context files."""


_command(run.distill)
_command(review.review)
_command(review.accept)
_command(review.reject)
_command(setup.archive)
_command(setup.sources_, "sources")
_command(setup.config)
_command(review.release)
_command(history.history)
_command(history.rewind)
_command(history.show)
_command(review.propose)
_command(run.serve)
_command(run.status)
_command(retrieve.search)
_command(retrieve.context)
_command(retrieve.mcp)
_command(evaluate.replay)
_command(evaluate.eval_, "eval")
app.add_typer(hooks.app, name="hooks")


def main() -> None:
    app()
