"""Replay ("would it have helped"): distil an archive's runs in time order and, at each cut,
ask of every failure still to come whether the context file of that moment already held a
lesson covering it.

A lesson covers a failure when it has the same error signature (the failure's signature,
folded, equals or contains the quote of one of the lesson's evidence, or the lesson's text
holds it), or when their embeddings are close (cosine >= `COVER_COSINE`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from metis_distill import pipeline, sources
from metis_distill.curate.select import Scope, budgeted, lessons_for
from metis_distill.index import Embedder, LessonIndex
from metis_distill.ledger import Ledger, LessonView
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.signals import error_signature
from metis_distill.mine.text import command_head, shorten
from metis_distill.models import LessonKind, Run

COVER_COSINE = 0.6
MIN_SIGNATURE = 12
_DIGITS = re.compile(r"\d+")
_NOISE = re.compile(r"[\"'`“”‘’]")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Failure:
    path: str
    line: int
    signature: str
    text: str  # what was run and how it failed, for the embedding


@dataclass(frozen=True)
class RunInfo:
    path: str
    started: datetime
    failures: tuple[Failure, ...]


@dataclass(frozen=True)
class ReplayStep:
    """The runs of one slice of time, each measured against the lessons of all runs before it."""

    runs_before: int  # runs distilled when the slice starts
    runs: int
    failures: int
    covered_by_context: int
    covered_by_any_lesson: int
    lessons_in_context: int  # when the slice starts

    @property
    def coverage(self) -> float:
        return self.covered_by_context / self.failures if self.failures else 0.0


@dataclass
class ReplayReport:
    runs: int = 0
    failures: int = 0
    covered_by_context: int = 0
    covered_by_any_lesson: int = 0
    steps: list[ReplayStep] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.covered_by_context / self.failures if self.failures else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "failures": self.failures,
            "covered_by_context": self.covered_by_context,
            "covered_by_any_lesson": self.covered_by_any_lesson,
            "coverage": round(self.coverage, 4),
            "steps": [{**s.__dict__, "coverage": round(s.coverage, 4)} for s in self.steps],
        }


def fold(signature: str) -> str:
    """A signature with numbers, quotes and spacing folded (a line number is no difference)."""
    return _WS.sub(" ", _NOISE.sub("", _DIGITS.sub("#", signature.lower()))).strip()


def runs_in_order(root: Path, infos: Sequence[pipeline.FileInfo]) -> list[RunInfo]:
    """Every run with its failures, oldest first (a run without times goes by its mtime)."""
    runs = []
    for info in infos:
        try:
            run = sources.by_name(info.format).parse_file(root / info.path, root)
        except Exception:  # noqa: BLE001 (an unreadable file is left out, as distill does)
            continue
        started = run.started_at or datetime.fromtimestamp(info.mtime_ns / 1e9, UTC)
        runs.append(RunInfo(info.path, started, tuple(_failures(run))))
    return sorted(runs, key=lambda r: (r.started, r.path))


def _failures(run: Run) -> list[Failure]:
    found = []
    for episode in find_episodes(run):
        if episode.kind is not LessonKind.FAILURE or episode.call is None:
            continue
        if episode.signal == "correction":
            continue
        signature = error_signature(episode.trigger.text)
        if not signature:
            continue
        head = shorten(command_head(episode.call.text), 120)
        text = f"{episode.call.tool_name or 'tool'} {head} failed: {shorten(signature, 200)}"
        found.append(Failure(run.path, episode.trigger.ref.line_start, signature, text))
    return found


def covered(failure: Failure, lessons: Sequence[LessonView], cosines: dict[str, float]) -> bool:
    """Is the failure covered by one of the lessons (same signature, or close embedding)?"""
    sig = fold(failure.signature)
    for lesson in lessons:
        if cosines.get(lesson.id, 0.0) >= COVER_COSINE:
            return True
        if len(sig) >= MIN_SIGNATURE and sig in fold(lesson.text):
            return True
        for evidence in lesson.evidence:
            quote = fold(evidence.quote)
            if len(quote) >= MIN_SIGNATURE and (quote == sig or quote in sig or sig in quote):
                return True
    return False


def replay(
    archive: Path, data_dir: Path, embedder: Embedder, *, steps: int = 5, budget: int = 12
) -> ReplayReport:
    """Runs oldest first; each run's failures are measured against the context file made of
    every run before it, then the run is distilled. `steps` slices of time show the growth."""
    root = pipeline.check_archive(archive)
    ledger = Ledger.at(data_dir)
    try:
        index = LessonIndex(data_dir / "index", embedder)
        found = pipeline.changed_files(root, ledger)
        by_path = {info.path: info for info in found.changed}
        runs = runs_in_order(root, found.changed)
        report = ReplayReport(len(runs), sum(len(r.failures) for r in runs))
        bounds = sorted({round(k * len(runs) / steps) for k in range(steps + 1)})
        for start, end in zip(bounds, bounds[1:], strict=False):
            step = _slice(root, ledger, index, embedder, runs, start, end, by_path, budget)
            report.steps.append(step)
            report.covered_by_context += step.covered_by_context
            report.covered_by_any_lesson += step.covered_by_any_lesson
        return report
    finally:
        ledger.close()


def _slice(
    root: Path,
    ledger: Ledger,
    index: LessonIndex,
    embedder: Embedder,
    runs: Sequence[RunInfo],
    start: int,
    end: int,
    by_path: dict[str, pipeline.FileInfo],
    budget: int,
) -> ReplayStep:
    in_context = in_any = failures = 0
    shown = 0
    for i in range(start, end):
        run = runs[i]
        every = lessons_for(ledger, Scope(None))
        context = [v for views in budgeted(every, budget).values() for v in views]
        if i == start:
            shown = len(context)
        cosines = _cosines(embedder, list(run.failures), every)
        for failure, cos in zip(run.failures, cosines, strict=True):
            failures += 1
            in_context += covered(failure, context, cos)
            in_any += covered(failure, every, cos)
        _distil(root, ledger, index, [by_path[run.path]])
    return ReplayStep(start, end - start, failures, in_context, in_any, shown)


def _distil(root: Path, ledger: Ledger, index: LessonIndex, infos: list[pipeline.FileInfo]) -> None:
    results = [pipeline.mine_batch(root, b) for b in pipeline.batches(infos)]
    pipeline.curate_batches(results, ledger, index, archive_root=root, max_distance=0.12)


def _cosines(
    embedder: Embedder, failures: list[Failure], lessons: list[LessonView]
) -> list[dict[str, float]]:
    if not failures or not lessons:
        return [{} for _ in failures]
    a = np.array(embedder.embed([f.text for f in failures]))
    b = np.array(embedder.embed([v.text for v in lessons]))
    sims = a @ b.T
    return [{v.id: float(sims[i, j]) for j, v in enumerate(lessons)} for i in range(len(failures))]
