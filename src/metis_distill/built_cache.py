"""Things slow to build from installed code, kept on disk between runs: the secret screen's
compiled Hyperscan database (~0.3 s to compile) and the rules read out of detect-secrets
(~0.15 s to import). Every process that redacts pays them at start-up, a hook's capture and
a small distill included.

An entry is named by a hash of everything it is built from (the rules' text, the packages'
files and versions, this machine's processor), so a change anywhere finds no entry and
builds anew. An entry that cannot be read or loaded is built anew and written over; a cache
folder that cannot be written is left alone: slower, never different.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Iterable
from pathlib import Path

from platformdirs import user_cache_dir

CACHE_ENV = "METIS_CACHE_DIR"


def cache_dir() -> Path:
    """$METIS_CACHE_DIR, else the user's cache folder for metis-distill."""
    chosen = os.environ.get(CACHE_ENV)
    return Path(chosen) if chosen else Path(user_cache_dir("metis-distill", appauthor=False))


def entry(kind: str, parts: Iterable[bytes]) -> Path:
    """Where the entry built from `parts` lives (it may not exist)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return cache_dir() / f"{kind}-{digest.hexdigest()[:32]}"


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(path: Path, data: bytes) -> None:
    """Write the entry whole or not at all (a temp file renamed over it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)


def files_stamp(folder: Path, suffix: str = ".py") -> bytes:
    """The names, sizes and change times of a folder's files of one suffix: what an entry
    built from them is keyed by."""
    try:
        found = sorted(p for p in folder.iterdir() if p.name.endswith(suffix))
        return b"\n".join(
            f"{p.name} {p.stat().st_size} {p.stat().st_mtime_ns}".encode() for p in found
        )
    except OSError:
        return b"unreadable"


def processor() -> bytes:
    """This machine's processor: its architecture and the features a compiled database may use."""
    flags = b""
    try:
        with open("/proc/cpuinfo", "rb") as info:
            flags = next((line for line in info if line.startswith(b"flags")), b"")
    except OSError:
        pass
    return platform.machine().encode() + b"\n" + flags
