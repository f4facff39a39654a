"""One error hierarchy: the CLI turns these into one clear message and an exit code."""

from __future__ import annotations

import errno
from pathlib import Path


class MetisError(Exception):
    """Base of every error the user can act on. `hint` says what to do next."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(MetisError):
    """A setting is missing or invalid."""

    exit_code = 2


class UsageError(MetisError):
    """An argument cannot be parsed (exit code 2, as typer's own)."""

    exit_code = 2


class SourceError(MetisError):
    """An archive file cannot be read at all (not: a bad line, which is skipped and counted)."""

    def __init__(self, message: str, *, path: Path | str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}", hint=hint)
        self.path = str(path)


class ModelMissingError(MetisError):
    """The offline embedding model files are not installed."""


class ProposalError(MetisError):
    """A proposal cannot be shown, accepted or rejected as asked."""


class NothingProposed(ProposalError):
    """The target's last distill proposed nothing for it: nothing to accept, refuse or review
    is no error (exit code 0, said as a note), so `distill && accept --all` runs on."""

    exit_code = 0


class TargetChangedError(ProposalError):
    """The target file changed since the proposal was made."""


class BusyError(MetisError):
    """Another distill of the same target is running, and did not finish in time."""


class IndexStoreError(MetisError):
    """The lesson index (chromadb) could not be read or written."""


class DiskError(MetisError):
    """A file could not be written: a read-only filesystem, no permission, a full disk."""


_CANNOT_WRITE = {
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}
_FULL = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded"}


def disk_error(error: BaseException) -> DiskError | None:
    """The disk's refusal behind `error` (itself, or what it was raised from) as one message
    naming the path; None when the disk is not the cause."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        said = _said(cause)
        if said is not None:
            return said
        cause = cause.__cause__ or cause.__context__
    return None


def _said(error: BaseException) -> DiskError | None:
    if isinstance(error, OSError) and error.errno in _CANNOT_WRITE | _FULL:
        where = f" {error.filename}" if error.filename else ""  # a write() names no file
        if error.errno in _FULL:
            return DiskError(
                f"cannot write{where}: {_FULL[error.errno]}",
                hint="free some space (on the data dir's disk, or the target's), then run the "
                "command again",
            )
        found = DiskError(
            f"cannot write{where}: {_CANNOT_WRITE[error.errno]}",
            hint="make it writable (or point the command at a place that is), then run again",
        )
        found.exit_code = 2  # a path that cannot be right, as a data dir that is a file
        return found
    if type(error).__name__ == "OperationalError" and "database or disk is full" in str(error):
        return DiskError(
            "cannot write the ledger: the database or its disk is full",
            hint="free some space on the data dir's disk, then run the command again",
        )
    return None
