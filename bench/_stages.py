"""One distill as the nightly runs it (`pipeline.distill`, no Prefect), timed, for the
benchmarks: the whole run, and each stage through a runner that times them."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from metis_distill.config import Settings, default_settings
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.pipeline import BatchJob, BatchResult, LocalRunner, Stage, distill
from metis_distill.run_report import RunReport

T = TypeVar("T")


class TimedRunner(LocalRunner):
    """The stages in this process, each one's seconds kept in `seconds`."""

    def __init__(self) -> None:
        self.seconds: dict[Stage, float] = {}

    def stage(self, stage: Stage, step: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return step()
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    def map_batches(self, jobs: Sequence[BatchJob]) -> list[BatchResult]:
        return self.stage(Stage.EXTRACT, lambda: LocalRunner.map_batches(self, jobs))


def bench_settings(source: Path, data: Path, **values: Any) -> Settings:
    """The defaults (rules extractor, every project), the target in `data`/repo."""
    given = {
        "target": data / "repo" / "CLAUDE.md",
        "all_projects": True,
        "extract": {"extractor": "rules"},
    }
    return default_settings(archive=source, data_dir=data, **{**given, **values})


def timed_distill(
    settings: Settings, embedder: MiniLMEmbedder
) -> tuple[float, RunReport, dict[Stage, float]]:
    """(seconds, the run's report, seconds per stage)."""
    runner = TimedRunner()
    start = time.perf_counter()
    report = distill(settings, runner=runner, embedder=embedder)
    return time.perf_counter() - start, report, runner.seconds


def distill_once(
    source: Path, data: Path, embedder: MiniLMEmbedder
) -> tuple[float, dict[str, float]]:
    """One distill of `source` into `data`: (seconds, counts and each stage's seconds)."""
    seconds, report, stages = timed_distill(bench_settings(source, data), embedder)
    return seconds, {
        "files_read": report.files_read,
        "bytes_read": report.bytes_read,
        "lessons_new": report.lessons_new,
        **{f"{stage.value}_seconds": round(s, 3) for stage, s in stages.items()},
    }
