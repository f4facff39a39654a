"""The files under a folder, as every stage walks them (source roots, the archive, status).

Git folders and our own temp files are left out; a sub-folder that cannot be listed, and a
symbolic link in a loop (to itself, to another that leads back, to a folder it is in), a broken
link and a file that is no regular file (a named pipe, a socket, a device) are reported with the
reason, never passed over in silence. Links to folders are not followed.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from metis_distill.textio import is_temp

LOOP = "a loop of symbolic links: not followed"
BROKEN_LINK = "a broken symbolic link: it leads to nothing"
_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass
class Listing:
    files: list[Path] = field(default_factory=list)  # sorted
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (folder, reason)
    loops: list[Path] = field(default_factory=list)  # links in a loop: they hide no file
    not_files: list[tuple[Path, str]] = field(default_factory=list)  # broken links, pipes...

    def passed_over(self) -> list[tuple[Path, str]]:
        """Every path the listing could not take, with its reason."""
        return [*self.unreadable, *((path, LOOP) for path in self.loops), *self.not_files]


@dataclass
class FileStats:
    """The regular files under a folder, by path (a string: no `Path` built per file), each
    with the one `stat` that found it a regular file."""

    files: dict[str, os.stat_result] = field(default_factory=dict)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (folder, reason)
    loops: list[Path] = field(default_factory=list)
    not_files: list[tuple[Path, str]] = field(default_factory=list)


def list_files(root: Path) -> Listing:
    """Every regular file under `root` (or `root` itself when it is a file), in a stable order."""
    if root.is_file():
        return Listing([root])
    found = stat_files(root)
    return Listing(
        sorted(map(Path, found.files)),
        found.unreadable,
        sorted(found.loops),
        sorted(found.not_files),
    )


def stat_files(root: Path) -> FileStats:
    """The files `list_files` lists, unordered, each with its stat."""
    if root.is_file():
        return FileStats({str(root): root.stat()})
    found = FileStats()
    if not root.exists():
        return found

    def failed(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        found.unreadable.append((where, f"unreadable folder: {error.strerror or error}"))

    for folder, dirs, names in os.walk(root, onerror=failed):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        found.loops.extend(_links_back(folder, dirs))
        for name in names:
            # every temp file's name starts with a dot: the others need no `Path` to tell
            if name.startswith(".") and is_temp(Path(folder, name)):
                continue
            path = os.path.join(folder, name)
            try:
                stats = os.stat(path)
            except OSError as e:  # vanished, a broken link or a loop: not a file
                if e.errno == errno.ELOOP:
                    found.loops.append(Path(path))
                elif os.path.islink(path):
                    found.not_files.append((Path(path), BROKEN_LINK))
                continue
            if stat.S_ISREG(stats.st_mode):
                found.files[path] = stats
            else:
                found.not_files.append((Path(path), _not_read(stats.st_mode)))
    return found


def _links_back(folder: str, dirs: list[str]) -> list[Path]:
    """The links among a folder's sub-folders that lead to it or to a folder it is in (the
    walk does not follow links, but one followed there would never end)."""
    links = [os.path.join(folder, d) for d in dirs if os.path.islink(os.path.join(folder, d))]
    if not links:
        return []
    here = os.path.realpath(folder)
    return [Path(link) for link in links if _inside(here, os.path.realpath(link))]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def unreadable(path: Path) -> str | None:
    """Why a file cannot be opened for reading now (permissions, a vanished file, no regular
    file: a named pipe would block the open), or None."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            return _not_read(mode)
        with path.open("rb"):
            return None
    except OSError as e:
        return f"unreadable: {e.strerror or e}"


def _not_read(mode: int) -> str:
    """Why a file that is no regular file is not read: what it is."""
    return f"{_NOT_REGULAR.get(stat.S_IFMT(mode), 'not a regular file')}: not read"
