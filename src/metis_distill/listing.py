"""The files under a folder, as every stage walks them (source roots, the archive, status).

Git folders and our own temp files are left out; a sub-folder that cannot be listed is
reported with the reason, never passed over in silence.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from metis_distill.textio import is_temp


@dataclass
class Listing:
    files: list[Path] = field(default_factory=list)  # sorted
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (folder, reason)
    stats: dict[Path, os.stat_result] = field(default_factory=dict)  # each file's, when listed


def list_files(root: Path) -> Listing:
    """Every regular file under `root` (or `root` itself when it is a file), in a stable order."""
    if root.is_file():
        return Listing([root], stats={root: root.stat()})
    listing = Listing()
    if not root.exists():
        return listing

    def failed(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        listing.unreadable.append((where, f"unreadable folder: {error.strerror or error}"))

    for folder, dirs, names in os.walk(root, onerror=failed):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in names:
            path = Path(folder, name)
            if is_temp(path):
                continue
            try:
                found = path.stat()
            except OSError:  # vanished, or a broken link: not a file, as `is_file` says
                continue
            if stat.S_ISREG(found.st_mode):
                listing.files.append(path)
                listing.stats[path] = found
    listing.files.sort()
    return listing


def unreadable(path: Path) -> str | None:
    """Why a file cannot be opened for reading now (permissions, a vanished file), or None."""
    try:
        with path.open("rb"):
            return None
    except OSError as e:
        return f"unreadable: {e.strerror or e}"
