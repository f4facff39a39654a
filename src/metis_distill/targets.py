"""Which runs feed which context file (contract 3)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def repository_root(target: Path) -> Path:
    """The git work tree holding the target, or the target's folder when there is none."""
    folder = target.resolve().parent
    probe = folder
    while not probe.exists():
        probe = probe.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(probe), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return folder
    top = out.stdout.strip()
    return Path(top) if out.returncode == 0 and top and folder.is_relative_to(top) else folder


def as_path(cwd: str) -> PurePath:
    return PureWindowsPath(cwd) if on_windows(cwd) else PurePosixPath(cwd)


def on_windows(cwd: str) -> bool:
    """A Windows folder: a drive's (`C:\\…`, `c:/…`) or a share's (`\\\\host\\…`)."""
    return _WINDOWS.match(cwd) is not None


def feeds(cwd: str | None, root: Path, aliases: Sequence[str] = ()) -> bool:
    """Does a run started in `cwd` belong to the repository at `root` (or one of its aliases)?"""
    if not cwd:
        return False
    return any(_under(as_path(cwd), prefix) for prefix in (str(root), *aliases))


def _under(path: PurePath, prefix: str) -> bool:
    base = as_path(prefix)
    return type(base) is type(path) and (path == base or path.is_relative_to(base))


def unmatched_aliases(aliases: Sequence[str], cwds: Iterable[str]) -> list[str]:
    """The aliases no run's cwd lies under: a typo, or a path that never held a run."""
    paths = [as_path(c) for c in cwds if c]
    return [a for a in aliases if not any(_under(p, a) for p in paths)]


# Routing: which context file of a repository a lesson belongs in ------------------------
EDIT_SCOPES = frozenset(
    {"Edit", "MultiEdit", "Write", "NotebookEdit", "Read", "create", "edit", "apply_patch"}
)


@dataclass(frozen=True)
class Route:
    """A context file besides the root one, and the lessons it takes.

    `path` is relative to the repository root (`web/CLAUDE.md`, `AGENTS.md`). It takes the
    lessons about files under `paths` (default: its own folder, unless it sits at the root),
    and those about any of `tools` (Bash, Edit...) or `commands` (the program run: cargo, npm).
    """

    path: str
    paths: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if leaves_repository(self.path):
            raise ValueError(
                f"the route {self.path!r} lies outside the repository: routes send lessons to "
                "files of the target's repository; give a path relative to its root, "
                "e.g. web/CLAUDE.md"
            )

    def folders(self) -> tuple[str, ...]:
        if self.paths:
            return tuple(_folder(p) for p in self.paths)
        parent = PurePosixPath(self.path).parent.as_posix()
        return () if parent in ("", ".") else (_folder(parent),)


def leaves_repository(path: str) -> bool:
    """Is this path (read from the repository root) absolute, or does its `..` climb out?"""
    if _WINDOWS.match(path) or path.startswith(("/", "\\")):
        return True
    depth = 0
    for part in path.replace("\\", "/").split("/"):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return True
    return False


@dataclass(frozen=True)
class LessonScope:
    """What a lesson is about: files (relative to the repository root), tools, commands."""

    paths: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()


def _folder(path: str) -> str:
    return path.strip("/").replace("\\", "/") + "/"


def lesson_scope(scope: Sequence[str], cwds: Sequence[str | None], root: Path) -> LessonScope:
    """A lesson's scope strings (`Tool:head`, as the extractors write them) and the cwds of
    its runs, read against the repository root."""
    paths: list[str] = []
    tools: list[str] = []
    commands: list[str] = []
    for entry in scope:
        tool, _, head = entry.partition(":")
        tools.append(tool)
        if tool in EDIT_SCOPES and head:
            paths.append(head)
        elif head:
            commands.append(head.split()[0].rsplit("/", 1)[-1])
    if not paths:  # a lesson about no file is about where its runs worked
        paths = [c for c in cwds if c]
    inside = [relative(p, root) for p in dict.fromkeys(paths)]  # a run's cwd, read once
    return LessonScope(
        tuple(sorted({p for p in inside if p is not None})),
        tuple(sorted(set(tools))),
        tuple(sorted(set(commands))),
    )


def relative(path: str, root: Path) -> str | None:
    """`path` relative to the root ("" for the root itself); None when it is elsewhere."""
    pure, base = as_path(path), as_path(str(root))
    if not pure.is_absolute():
        return pure.as_posix()
    if type(pure) is not type(base) or not (pure == base or pure.is_relative_to(base)):
        return None
    rel = pure.relative_to(base).as_posix()
    return "" if rel == "." else rel


def route(scope: LessonScope, routes: Sequence[Route]) -> str | None:
    """The route (its `path`) a lesson renders into; None for the root context file.

    A lesson whose files all lie under one route's folder goes to the deepest such route;
    else the first route that names one of its commands or tools; else the root file."""
    files = [p for p in scope.paths if p]
    best: tuple[int, str] | None = None
    if files and len(files) == len(scope.paths):
        for candidate in routes:
            for folder in candidate.folders():
                if all((f + "/").startswith(folder) for f in files):
                    depth = folder.count("/")
                    if best is None or depth > best[0]:
                        best = (depth, candidate.path)
    if best is not None:
        return best[1]
    for candidate in routes:
        if set(scope.commands) & set(candidate.commands) or set(scope.tools) & set(candidate.tools):
            return candidate.path
    return None
