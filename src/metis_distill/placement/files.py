"""The context files of a repository, by the conventions of Claude Code and Codex.

- Claude Code reads `CLAUDE.md` (and an `AGENTS.md` only as that `CLAUDE.md` imports it);
  path-scoped rules in `.claude/rules/*.md` whose `paths:` frontmatter says which files load
  them; a sub-folder's `CLAUDE.md` when it works there; `CLAUDE.local.md` (git-ignored) and
  `~/.claude/CLAUDE.md` for one person.
- Codex reads `AGENTS.md` from the repository root down to the folder it works in, and
  `~/.codex/AGENTS.md`; it stops at 32 KiB of them together (`project_doc_max_bytes`).
"""

from __future__ import annotations

import subprocess
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from metis_distill.targets import EDIT_SCOPES, relative

if TYPE_CHECKING:
    from metis_distill.ledger import LessonView

CLAUDE = "CLAUDE.md"
AGENTS = "AGENTS.md"
LOCAL = "CLAUDE.local.md"
RULES = Path(".claude") / "rules"
CODEX_MAX_BYTES = 32 * 1024  # Codex's project_doc_max_bytes default
CODEX_WARN_SHARE = 0.9
# Folders that hold the project's parts rather than being one: `packages/web` is the part.
CONTAINERS = frozenset(
    {"src", "lib", "libs", "app", "apps", "packages", "services", "modules", "crates", "cmd"}
    | {"internal", "pkg", "projects", "components", "plugins"}
)


class TreeFiles(StrEnum):
    """Where lessons about one part of the tree go."""

    RULES = "rules"  # .claude/rules/<part>.md with `paths:` frontmatter (Codex: <part>/AGENTS.md)
    SUBDIR = "subdir"  # <part>/CLAUDE.md (Codex: <part>/AGENTS.md)
    OFF = "off"  # the target, like any other lesson


def default_target(folder: Path) -> Path:
    """The context file of a repository that has none named: the one it has (`CLAUDE.md`,
    else `AGENTS.md`), or a new `CLAUDE.md`."""
    for name in (CLAUDE, AGENTS):
        if (folder / name).is_file():
            return folder / name
    return folder / CLAUDE


def context_file(path: Path) -> Path:
    """A target given as a folder means that folder's context file."""
    return default_target(path) if path.is_dir() else path


def is_codex(target: Path) -> bool:
    return target.name == AGENTS


def tree_part(lesson: LessonView, root: Path) -> str | None:
    """The part of the tree a lesson is about (`web`, `packages/api`), relative to the root:
    where all the files it touched lie (or, touching none, where its runs worked); None for
    the whole repository or a file outside it."""
    files = [h for t, _, h in (s.partition(":") for s in lesson.scope) if t in EDIT_SCOPES and h]
    places = [relative(f, root) for f in files]
    folders = [PurePosixPath(p).parent.parts for p in places if p is not None]
    if not files:
        read = {cwd: relative(cwd, root) for cwd in {e.cwd for e in lesson.evidence if e.cwd}}
        cwds = [read[e.cwd] for e in lesson.evidence if e.cwd]  # each cwd read once
        folders = [PurePosixPath(p).parts for p in cwds if p is not None]
        places = cwds
    if not folders or None in places:
        return None
    common: list[str] = []
    for parts in zip(*folders, strict=False):
        if len(set(parts)) != 1 or parts[0] in ("", ".", ".."):
            break
        common.append(parts[0])
    keep = 2 if common and common[0] in CONTAINERS else 1
    return "/".join(common[:keep]) or None


def tree_file(part: str, target: Path, root: Path, mode: TreeFiles) -> tuple[Path, str] | None:
    """The file for lessons about a part of the tree, and the text a new one starts with;
    None when they stay in the target (the mode is off, or the part is gone)."""
    if mode == TreeFiles.OFF or not (root / part).is_dir():
        return None
    if is_codex(target) or mode == TreeFiles.SUBDIR:
        return root / part / target.name, ""
    name = part.replace("/", "-").lstrip(".") or "root"
    return root / RULES / f"{name}.md", f'---\npaths:\n  - "{part}/**"\n---\n'


def personal_file(target: Path, root: Path, setting: str) -> Path:
    """Where facts of one machine or one person go: the setting (relative to the repository
    root, `~` for the home folder), else `CLAUDE.local.md` at the root (for Codex, whose only
    personal file is the user's own, `~/.codex/AGENTS.md`)."""
    if setting:
        chosen = Path(setting).expanduser()
        return chosen if chosen.is_absolute() else root / chosen
    if is_codex(target):
        return Path.home() / ".codex" / AGENTS
    return root / LOCAL


def is_user_level(path: Path, root: Path) -> bool:
    """A personal file outside the repository serves every project of this user."""
    return not path.resolve().is_relative_to(root.resolve())


def not_ignored_warning(path: Path, root: Path) -> str | None:
    """A personal file inside the repository that git would commit."""
    if is_user_level(path, root):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-q", "--", str(path)],
            capture_output=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 1:  # 0: ignored; 128: not a repository
        return None
    rel = path.relative_to(root).as_posix()
    return (
        f"{rel} holds facts of this machine and is not git-ignored: add `{rel}` to .gitignore "
        "(or .git/info/exclude) so it is never committed"
    )


def codex_size_warning(path: Path, text: str, root: Path) -> str | None:
    """Before Codex's limit is reached: the AGENTS.md files it reads on the way from the root
    to this file's folder, with this file as proposed, near or over 32 KiB."""
    if path.name != AGENTS:
        return None
    size = len(text.encode("utf-8"))
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        folder = folder.parent
        above = folder / AGENTS
        size += above.stat().st_size if above.is_file() else 0
    if size < CODEX_WARN_SHARE * CODEX_MAX_BYTES:
        return None
    where = "with the AGENTS.md files above it " if path.parent != root else ""
    return (
        f"{path.name} {where}would be {size / 1024:.1f} KiB: Codex reads at most "
        f"{CODEX_MAX_BYTES // 1024} KiB of AGENTS.md files (project_doc_max_bytes); lower "
        "`section_budget` or move lessons into sub-folders' AGENTS.md"
    )
