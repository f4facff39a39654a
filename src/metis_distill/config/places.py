"""Where things are by default: the config files, the data dir, the archive, the time zone."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

LOCAL_TOML = Path("metis.toml")


def user_toml() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "metis" / "metis.toml"


def default_data_dir() -> Path:
    return Path(user_data_dir("metis-distill", appauthor=False))


def default_archive() -> Path:
    return Path.home() / ".claude" / "projects"


def sqlite_url(data_dir: Path) -> str:
    """The default ledger: a SQLite file in the data dir."""
    return f"sqlite:///{data_dir / 'ledger.sqlite'}"


def lock_path(archive_root: Path) -> Path:
    """The archive's writer lock: in the data dir's `locks/`, beside the archive."""
    return archive_root.parent / "locks" / f"{archive_root.name}.lock"


def local_timezone() -> str:
    """This machine's IANA zone name: $TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name and Path("/etc/timezone").is_file():
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    if not name and Path("/etc/localtime").is_symlink():
        name = str(Path("/etc/localtime").resolve()).partition("zoneinfo/")[2]
    try:
        return check_timezone(name) if name else "UTC"
    except ValueError:
        return "UTC"


def check_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {name!r} (an IANA name, e.g. Europe/Paris)") from e
    return name
