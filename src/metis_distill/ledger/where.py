"""Where a SQLite ledger's file is, and the newest revision of the schema read from the
migrations' files: without SQLAlchemy or alembic, for the check a run with nothing new makes."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

MIGRATIONS = Path(__file__).parents[1] / "migrations"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases, or SQLite in memory)."""
    path = url.removeprefix("sqlite:///")
    return Path(path) if url.startswith("sqlite:///") and path else None


def writable(folder: Path) -> bool:
    """False for a folder on a read-only filesystem (even for root) or one this user may not
    write; True when it cannot be told (the write itself will say)."""
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return True
    return not read_only and os.access(folder, os.W_OK)


def read_only_uri(path: Path) -> str:
    """A `file:` URI opening the SQLite file to read only. In a folder that cannot be written
    SQLite cannot make the WAL's `-shm` file, and nothing else can write the ledger there:
    it is read as immutable (unless a `-wal` file holds commits still to be read through it)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    return uri if writable(path.parent) or pending else uri + "&immutable=1"


_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(?:\"([^\"]*)\"|None)\s*$", re.M)


@cache
def head_revision() -> str | None:
    """The newest revision of the migrations, read from their files: alembic's own reading
    imports ~0.6 s of modules that a run with nothing new does not need. A chain this does
    not read as one line of revisions is left to alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {m.group(1): m.group(2) for m in _REVISION.finditer(path.read_text("utf-8"))}
        if not found.get("revision") or "down_revision" not in found:
            return _alembic_head()
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else _alembic_head()


def _alembic_head() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()
