"""Routing lessons to the repository's context files: a pure function of scope and routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.targets import LessonScope, Route, lesson_scope, route, unmatched_aliases

ROOT = Path("/home/dev/src/shop")
ROUTES = (
    Route("web/CLAUDE.md"),
    Route("web/admin/CLAUDE.md"),
    Route("docs/AGENTS.md", paths=("docs", "site")),
    Route("AGENTS.md", commands=("cargo",), tools=("apply_patch",)),
)


def scope_of(*entries: str, cwds: tuple[str, ...] = (str(ROOT),)) -> LessonScope:
    return lesson_scope(entries, cwds, ROOT)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (scope_of("Edit:/home/dev/src/shop/web/src/App.tsx"), "web/CLAUDE.md"),
        (scope_of("Edit:/home/dev/src/shop/web/admin/users.tsx"), "web/admin/CLAUDE.md"),
        (scope_of("Write:site/index.md"), "docs/AGENTS.md"),
        (scope_of("Bash:npm", cwds=("/home/dev/src/shop/web",)), "web/CLAUDE.md"),
        (scope_of("Bash:cargo"), "AGENTS.md"),
        (scope_of("apply_patch:*** Begin Patch"), "AGENTS.md"),
        (scope_of("Bash:pytest"), None),  # about the whole repository: the root file
        (scope_of(), None),
        (scope_of("Edit:/home/dev/src/shop/api/app.py", "Edit:/home/dev/src/shop/web/a.ts"), None),
        (scope_of("Edit:/elsewhere/web/a.ts"), None),  # not in this repository
    ],
)
def test_a_lesson_goes_to_the_deepest_file_that_covers_it(
    scope: LessonScope, expected: str | None
) -> None:
    assert route(scope, ROUTES) == expected


def test_no_routes_keep_everything_in_the_target() -> None:
    assert route(scope_of("Edit:/home/dev/src/shop/web/src/App.tsx"), ()) is None


def test_windows_paths_are_read_as_windows_paths() -> None:
    scope = lesson_scope(["Edit:C:\\src\\shop\\web\\a.ts"], [], Path("C:\\src\\shop"))
    assert scope.paths == ("web/a.ts",)


def test_an_alias_no_run_lies_under_is_reported() -> None:
    cwds = ["/home/dev/src/shopfront/api", "C:\\Users\\dev\\shop"]
    aliases = ["/home/dev/src/shopfront", "/home/dev/src/shop-front", "C:\\Users\\dev"]
    assert unmatched_aliases(aliases, cwds) == ["/home/dev/src/shop-front"]
