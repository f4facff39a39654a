"""A data dir distilled from the sample archive, built once by the stages themselves (no
Prefect): the retrieve commands only read it, so the tests can share it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from metis_distill import pipeline
from metis_distill.archive import archive_from
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from tests.conftest import SAMPLE


def distill_into(source: Path, data: Path, embedder: Any) -> None:
    """Archive, read, mine and curate `source` into `data` (ledger + index), as the flow does."""
    ledger = Ledger.at(data)
    try:
        archive_from([source], data / "archive", ledger)
        root = (data / "archive").resolve()
        pipeline.read_and_curate(root, ledger, LessonIndex(data / "index", embedder))
    finally:
        ledger.close()


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    data = tmp_path_factory.mktemp("retrieve") / "data"
    distill_into(SAMPLE, data, embedder)
    return data


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, but for what a reader of a WAL database may
    create: the shared-memory index (-shm) and an empty write-ahead log (-wal)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not p.name.endswith("-shm")
        and not (p.name.endswith("-wal") and p.stat().st_size == 0)
    }
