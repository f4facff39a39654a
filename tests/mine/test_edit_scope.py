"""The folder a user's message keeps the agent's edits to, as the project names it, and the
words that say so."""

from __future__ import annotations

import time

import pytest

from metis_distill.mine.edit_scope import EditScope, edit_scope


@pytest.mark.parametrize(
    ("said", "scope"),
    [
        (
            "Never touch files outside of packages/web.",
            ("packages/web", "outside of packages/web."),
        ),
        ("Only work inside ./web-app/ from here on.", ("web-app", "Only work inside ./web-app/")),
        ("DO NOT WRITE outside shop-v2", ("shop-v2", "DO NOT WRITE outside shop-v2")),
        ("Work exclusively in the firmware folder.", ("firmware", "in the firmware folder")),
        # an absolute path: its last part, and the quote stops before it (a home names a person)
        ("only edit files in: /home/ana/work/shop-v2.", ("shop-v2", "only edit files in:")),
        (
            "Only work inside this directory:\n  `C:\\Users\\ana\\shop-v2\\`",
            ("shop-v2", "directory:"),
        ),
    ],
)
def test_the_folder_is_named_as_the_project_names_it(said: str, scope: tuple[str, str]) -> None:
    found = edit_scope(said)
    assert isinstance(found, EditScope)
    assert found.folder == scope[0] and found.quote.endswith(scope[1])


@pytest.mark.parametrize(
    "said",
    [
        "Only change the header in index.html.",  # a file: today's edit
        "Only edit files in ../other-service for the shared types.",  # outside the project
        "Never write anything outside the working directory.",  # the whole of it
        "Only work on the release-2 branch.",  # how to work, not where
        "Should I only edit files in shop-v2/?",  # asked
        "Only edit files in shop-v2/ for now.",  # today's
        "Only modify code in $APP_DIR.",  # a variable's value is not known here
    ],
)
def test_no_folder_of_the_project_is_kept_to(said: str) -> None:
    assert edit_scope(said) is None


def test_a_long_line_of_many_scopes_is_read_in_linear_time() -> None:
    started = time.perf_counter()
    assert edit_scope("only edit files in " * 10_000) is None
    assert time.perf_counter() - started < 5
