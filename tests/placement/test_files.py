"""The conventions of Claude Code and Codex: which file of a repository takes which lesson."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.placement.files import (
    TreeFiles,
    codex_size_warning,
    context_file,
    personal_file,
    tree_file,
    tree_part,
)
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
