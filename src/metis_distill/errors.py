"""One error hierarchy: the CLI turns these into one clear message and an exit code."""

from __future__ import annotations

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
