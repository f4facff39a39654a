"""Which runs feed which context file (contract 3)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
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
    return PureWindowsPath(cwd) if _WINDOWS.match(cwd) else PurePosixPath(cwd)


def feeds(cwd: str | None, root: Path, aliases: Sequence[str] = ()) -> bool:
    """Does a run started in `cwd` belong to the repository at `root` (or one of its aliases)?"""
    if not cwd:
        return False
    path = as_path(cwd)
    for prefix in (str(root), *aliases):
        base = as_path(prefix)
        if type(base) is type(path) and (path == base or path.is_relative_to(base)):
            return True
    return False
