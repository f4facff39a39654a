"""The evidence a lesson's line links to: the one showing its quoted words, then its fix."""

from __future__ import annotations

from typing import NamedTuple

from metis_distill.linked_evidence import strongest


class Piece(NamedTuple):
    name: str
    quote: str
    shows_fix: bool = False


def test_the_first_piece_when_none_shows_the_fix_and_the_line_quotes_nothing() -> None:
    pieces = (Piece("a", "x"), Piece("b", "y"))
    assert strongest("Run `make gen` before `make test`.", pieces).name == "a"


def test_the_piece_that_shows_the_fix_is_linked_before_an_earlier_one() -> None:
    pieces = (Piece("a", "jest: not found"), Piece("b", "jest: not found", shows_fix=True))
    assert (
        strongest("`npm test` fails here (“jest: not found”); use `npx jest`.", pieces).name == "b"
    )


def test_only_pieces_holding_the_quoted_words_count_even_cut_or_with_a_folded_count() -> None:
    pieces = (
        Piece("a", "error: script exited", shows_fix=True),
        Piece("b", "Found 3 errors in 2 files."),
    )
    assert strongest("`bun lint` fails (“Found N errors…”).", pieces).name == "b"
    assert strongest("`bun lint` fails (“No such words”).", pieces).name == "a"
