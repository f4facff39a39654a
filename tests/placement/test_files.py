"""The conventions of Claude Code and Codex: which file of a repository takes which lesson."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill.ledger import Evidence, LessonView
from metis_distill.placement.files import (
    CONTAINERS,
    TreeFiles,
    codex_size_warning,
    context_file,
    personal_file,
    tree_file,
    tree_part,
)
from metis_distill.targets import lesson_scope, relative
from tests.placement.test_locality import lesson


@pytest.mark.parametrize(
    ("scope", "cwd", "part"),
    [
        (["Edit:{root}/web/src/App.tsx", "Read:{root}/web/vite.config.ts"], "{root}", "web"),
        (["Edit:{root}/packages/api/src/db.ts"], "{root}", "packages/api"),
        (["Edit:{root}/web/a.ts", "Edit:{root}/api/b.py"], "{root}", None),  # two parts
        (["Edit:{root}/pyproject.toml"], "{root}", None),  # the root itself
        (["Edit:/etc/hosts"], "{root}", None),  # outside the repository
        (["apply_patch:{root}/docs/guide.md"], "{root}", "docs"),  # Codex's edits too
        (["Bash:npm test"], "{root}/web", "web"),  # no file: where its runs worked
        (["Bash:npm test"], "{root}", None),
    ],
)
def test_the_part_of_the_tree_a_lesson_is_about(
    tmp_path: Path, scope: list[str], cwd: str, part: str | None
) -> None:
    root = tmp_path / "shop"
    where = Path(cwd.format(root=root))
    view = lesson("Some lesson.", scope=tuple(s.format(root=root) for s in scope), cwd=where)
    assert tree_part(view, root) == part


def test_a_part_goes_to_a_rules_file_with_paths_or_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    claude, agents = tmp_path / "CLAUDE.md", tmp_path / "AGENTS.md"
    path, preamble = tree_file("web", claude, tmp_path, TreeFiles.RULES)  # type: ignore[misc]
    assert path == tmp_path / ".claude" / "rules" / "web.md"
    assert preamble == '---\npaths:\n  - "web/**"\n---\n'
    assert tree_file("web", claude, tmp_path, TreeFiles.SUBDIR) == (tmp_path / "web/CLAUDE.md", "")
    assert tree_file("web", agents, tmp_path, TreeFiles.RULES) == (tmp_path / "web/AGENTS.md", "")
    assert tree_file("web", claude, tmp_path, TreeFiles.OFF) is None
    assert tree_file("gone", claude, tmp_path, TreeFiles.RULES) is None  # no such folder now


def test_the_default_target_follows_what_the_repository_has(tmp_path: Path) -> None:
    assert context_file(tmp_path) == tmp_path / "CLAUDE.md"
    (tmp_path / "AGENTS.md").write_text("# Codex\n")
    assert context_file(tmp_path) == tmp_path / "AGENTS.md"  # Claude Code reads it too
    (tmp_path / "CLAUDE.md").write_text("# Claude\n")
    assert context_file(tmp_path) == tmp_path / "CLAUDE.md"
    assert context_file(tmp_path / "AGENTS.md") == tmp_path / "AGENTS.md"  # named: kept


def test_the_personal_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "shop"
    assert personal_file(root / "CLAUDE.md", root, "") == root / "CLAUDE.local.md"
    codex = personal_file(root / "AGENTS.md", root, "")
    assert codex == tmp_path / "home" / ".codex" / "AGENTS.md"
    mine = personal_file(root / "CLAUDE.md", root, "~/.claude/CLAUDE.md")
    assert mine == tmp_path / "home" / ".claude" / "CLAUDE.md"


def test_codex_is_warned_of_before_its_32_kib(tmp_path: Path) -> None:
    agents = tmp_path / "AGENTS.md"
    assert codex_size_warning(agents, "x" * 20_000, tmp_path) is None
    said = codex_size_warning(agents, "x" * 30_000, tmp_path)
    assert said is not None and "29.3 KiB" in said and "32 KiB" in said
    (tmp_path / "AGENTS.md").write_text("y" * 20_000)  # the root file Codex reads first
    nested = tmp_path / "web" / "AGENTS.md"
    assert "with the AGENTS.md files above it" in (
        codex_size_warning(nested, "x" * 10_000, tmp_path) or ""
    )
    assert codex_size_warning(tmp_path / "CLAUDE.md", "x" * 40_000, tmp_path) is None


_ROOT = Path("/home/ana/src/shop")
_CWDS = st.sampled_from(
    [None, "", "/home/ana/src/shop", "/home/ana/src/shop/web", "/home/ana/src/shop/web/app"]
    + ["/home/ana/src/shop/packages/api", "/home/ana/src/other", "C:\\src\\shop", "web", "../x"]
)


def _tree_part_reference(view: LessonView, root: Path) -> str | None:
    """`tree_part` of a lesson that touched no file, each evidence's cwd read (as before)."""
    cwds = [relative(e.cwd, root) for e in view.evidence if e.cwd]
    folders = [PurePosixPath(p).parts for p in cwds if p is not None]
    if not folders or None in cwds:
        return None
    common: list[str] = []
    for parts in zip(*folders, strict=False):
        if len(set(parts)) != 1 or parts[0] in ("", ".", ".."):
            break
        common.append(parts[0])
    keep = 2 if common and common[0] in CONTAINERS else 1
    return "/".join(common[:keep]) or None


@settings(max_examples=300, deadline=None)
@given(st.lists(_CWDS, min_size=1, max_size=12))
def test_a_lessons_part_reads_each_cwd_once_as_each_evidence_did(cwds: list[str | None]) -> None:
    """The cwds of a lesson's evidence (hundreds, few of them distinct) read once each: the
    part of the tree and the lesson's scope are those read evidence by evidence."""
    first = lesson("Some lesson.", scope=("Bash:npm test",))
    rows = tuple(
        Evidence(f"e{n}", first.id, "/archive", "p/s.jsonl", 1, 2, None, "q", "s1", c, None, False)
        for n, c in enumerate(cwds)
    )
    view = replace(first, evidence=rows)
    assert tree_part(view, _ROOT) == _tree_part_reference(view, _ROOT)
    inside = {p for p in (relative(c, _ROOT) for c in cwds if c) if p is not None}
    assert lesson_scope((), cwds, _ROOT).paths == tuple(sorted(inside))
