"""How a distill's stages are run: in this process by default (`run.LocalRunner`); the Prefect
flow passes a runner of its own that makes each stage a task (retries, logs in the UI) and maps
the extraction over batches on Prefect's threads or Dask. The sequence itself is written once,
in `run.py`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from metis_distill.config import Settings
from metis_distill.extract.base import BatchMode
from metis_distill.pipeline.discover import FileInfo
from metis_distill.pipeline.extraction import BatchResult
from metis_distill.textio import tail_sha256
from metis_distill.unchanged import code_version

T = TypeVar("T")


class Stage(StrEnum):
    """The stages of a distill, in their order (the Prefect task names)."""

    ARCHIVE = "archive"  # copy the sources into the permanent archive
    DISCOVER = "discover"  # the archive's files new or changed since last read
    EXTRACT = "extract"  # per batch of files: parse, mine episodes, extract candidates
    SUBMIT_BATCH = "submit-batch"  # with --batch: the run's one Message Batch
    CURATE = "curate"  # candidates into lessons; retire; record the files read
    PUBLISH = "publish"  # render, check the tripwires, store the proposal


class Log(Protocol):
    """A logger: the standard library's, or Prefect's run logger."""

    def info(self, msg: str, /, *args: object) -> None: ...

    def warning(self, msg: str, /, *args: object) -> None: ...


@dataclass(frozen=True)
class BatchJob:
    """The work of one extraction task: paths and settings, never transcript text."""

    archive: str
    files: tuple[FileInfo, ...]
    settings: Settings
    run_id: int  # the ledger's extract run, which sums the token use
    number: int  # the batch's place in the run
    mode: BatchMode = "inline"

    def content_key(self) -> str | None:
        """The batch's files' content (path, size, offset and a hash of the bytes up to the
        end) and the library's code: a batch read before, e.g. by a run that crashed before
        curating, need not be read again. None with the claude extractor: its answers are
        cached in the ledger, and a batch left partial by the token budget must be redone."""
        if self.settings.extractor != "rules":
            return None
        archive = Path(self.archive)
        digest = hashlib.sha256(f"extract:{code_version()}:{archive}".encode())
        for info in self.files:
            digest.update(f"\n{info!r}:{tail_sha256(archive / info.path, info.size)}".encode())
        return digest.hexdigest()


class Runner(Protocol):
    """Runs the stages `distill` names, and maps the extraction over batches."""

    @property
    def flow_run_id(self) -> str | None: ...

    def log(self) -> Log: ...

    def stage(self, stage: Stage, step: Callable[[], T]) -> T: ...

    def map_batches(self, jobs: Sequence[BatchJob]) -> list[BatchResult]: ...

    def processes(self, size: int) -> int:
        """Forked processes a stage of this process may share `size` bytes of work out to
        (1: none)."""
        ...
