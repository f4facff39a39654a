"""A data dir distilled from the sample archive, built once by `pipeline.distill` (no
Prefect): the retrieve commands only read it, so the tests can share it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from metis_distill import pipeline
from metis_distill.config import default_settings
from tests.conftest import SAMPLE


def distill_into(source: Path, data: Path, embedder: Any) -> None:
    """Distil `source` into `data` (archive, ledger, index, a proposal), as the flow does."""
    settings = default_settings(
        archive=source, data_dir=data, target=data / "repo" / "CLAUDE.md", all_projects=True
    )
    pipeline.distill(settings, embedder=embedder)


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
