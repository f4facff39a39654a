"""Replay ("would it have helped"): distil an archive's runs in time order and, at each cut,
ask of every failure still to come whether the context file of that moment already held a
lesson covering it.

A lesson covers a failure when it has the same error signature: the signatures, folded
(numbers, quotes, paths and case), share at least `SAME_SIGNATURE` of their words with the
quote of one of the lesson's evidence (for failures the quote is the error line), or the
lesson's text holds the folded signature; or when the signature's embedding is close to one
of those quotes (cosine >= `COVER_COSINE`; MiniLM scores `python: command not found` and
`pytest: command not found` at 0.77, so only near-identical errors pass).
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
from metis_distill.config import Settings
from metis_distill.curate.select import DEFAULT_PER_SECTION, Scope, lessons_for
from metis_distill.evaluate.run import eval_settings, proposals, source_paths
from metis_distill.index import Embedder
from metis_distill.ledger import Ledger, LessonView
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.signals import error_signature
from metis_distill.mine.text import command_head, shorten
from metis_distill.models import LessonKind, Run
from metis_distill.render.claude_md import find_block

COVER_COSINE = 0.85
SAME_SIGNATURE = 0.8
MIN_SIGNATURE = 12
_PATH = re.compile(r"\S*/\S+|\b[A-Za-z]:\\\S*")  # POSIX or drive-letter paths
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
    hits: list[str] = field(default_factory=list)  # "path#Ln: lesson" of each covered failure

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
            "hits": self.hits,
        }


def fold(signature: str) -> str:
    """A signature with numbers, quotes and spacing folded (a line number is no difference)."""
    return _WS.sub(" ", _NOISE.sub("", _DIGITS.sub("#", signature.lower()))).strip()


def same_signature(a: str, b: str) -> bool:
    """Do two error lines say the same, paths and numbers aside? The first word (the program
    or prefix that speaks) must be the same: `dir: cannot access` is not `ls: cannot access`."""
    first_a, first_b = _first(a), _first(b)
    if first_a is None or first_a != first_b:
        return False
    wa, wb = _words(a), _words(b)
    if len(wa | wb) < 3:
        return False
    return len(wa & wb) / len(wa | wb) >= SAME_SIGNATURE


def _first(signature: str) -> str | None:
    words = fold(_PATH.sub("<path>", signature)).split()
    return words[0] if words else None


def _words(signature: str) -> set[str]:
    return set(fold(_PATH.sub("<path>", signature)).split())


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
    return covering(failure, lessons, cosines) is not None


def covering(
    failure: Failure, lessons: Sequence[LessonView], cosines: dict[str, float]
) -> LessonView | None:
    """The first lesson that covers the failure, or None."""
    sig = fold(failure.signature)
    for lesson in lessons:
        if cosines.get(lesson.id, 0.0) >= COVER_COSINE:
            return lesson
        if len(sig) >= MIN_SIGNATURE and sig in fold(lesson.text):
            return lesson
        if any(same_signature(failure.signature, e.quote) for e in lesson.evidence):
            return lesson
    return None


def replay(
    archive: Path,
    data_dir: Path,
    embedder: Embedder,
    *,
    steps: int = 5,
    budget: int = DEFAULT_PER_SECTION,
) -> ReplayReport:
    """Runs oldest first; each run's failures are measured against the context file the
    nightly would have proposed from every run before it, then the run is distilled (the
    nightly's own `pipeline.distill`, reading that run only). `steps` slices of time show
    the growth."""
    root = pipeline.check_archive(archive)
    settings = eval_settings(root, data_dir, budget)
    pipeline.distill(settings, embedder=embedder, only=())  # archived, nothing read yet
    archive_dir = settings.archive_dir.resolve()
    with Ledger(settings.ledger_url) as ledger:
        runs = runs_in_order(archive_dir, pipeline.changed_files(archive_dir, ledger).changed)
        names = source_paths(ledger, root)
    report = ReplayReport(len(runs), sum(len(r.failures) for r in runs))
    bounds = sorted({round(k * len(runs) / steps) for k in range(steps + 1)})
    context = _Context(settings, embedder, names)
    for start, end in zip(bounds, bounds[1:], strict=False):
        step = context.slice(runs[start:end], start, report.hits)
        report.steps.append(step)
        report.covered_by_context += step.covered_by_context
        report.covered_by_any_lesson += step.covered_by_any_lesson
    return report


class _Context:
    """The lessons known and the block proposed so far, grown one distilled run at a time."""

    def __init__(self, settings: Settings, embedder: Embedder, names: dict[str, str]) -> None:
        self.settings = settings
        self.embedder = embedder
        self.names = names  # archive path -> as the user named it (relative to the archive)
        self.block: frozenset[str] = frozenset()  # lesson ids of the last proposed block

    def slice(self, runs: Sequence[RunInfo], start: int, hits: list[str]) -> ReplayStep:
        in_context = in_any = failures = shown = 0
        for i, run in enumerate(runs):
            with Ledger(self.settings.ledger_url) as ledger:
                every = lessons_for(ledger, Scope(None))
            context = [v for v in every if v.id in self.block]
            shown = len(context) if i == 0 else shown
            cosines = _cosines(self.embedder, list(run.failures), every)
            for failure, cos in zip(run.failures, cosines, strict=True):
                failures += 1
                where = f"{self.names.get(failure.path, failure.path)}#L{failure.line}"
                shown_hit, any_hit = _check(where, failure, context, every, cos, hits)
                in_context += shown_hit
                in_any += any_hit
            self._distil(run.path)
        return ReplayStep(start, len(runs), failures, in_context, in_any, shown)

    def _distil(self, path: str) -> None:
        report = pipeline.distill(self.settings, embedder=self.embedder, only={path})
        with Ledger.reading(self.settings.ledger_url) as ledger:
            found = proposals(ledger, report.proposal)  # every file the agent would read
        if found:  # none: the run proposed nothing, the files stay as they were
            blocks = (find_block(p.text) for p in found)
            self.block = frozenset(i for block in blocks if block for i in block.ids)


def _check(
    where: str,
    failure: Failure,
    context: Sequence[LessonView],
    every: Sequence[LessonView],
    cosines: dict[str, float],
    hits: list[str],
) -> tuple[bool, bool]:
    """(covered by the block, covered by any lesson); each hit is noted for the report."""
    lesson = covering(failure, context, cosines)
    if lesson is not None:
        hits.append(f"{where}: {lesson.text}")
        return True, True
    other = covering(failure, every, cosines)
    if other is not None:
        hits.append(f"{where}: (outside the block) {other.text}")
    return False, other is not None


def _cosines(
    embedder: Embedder, failures: list[Failure], lessons: list[LessonView]
) -> list[dict[str, float]]:
    """Per failure, per lesson: the best cosine between the failure's signature and the
    quotes of the lesson's evidence."""
    quotes = sorted({e.quote for v in lessons for e in v.evidence})
    if not failures or not quotes:
        return [{} for _ in failures]
    a = np.array(embedder.embed([f.signature for f in failures]))
    b = np.array(embedder.embed(quotes))
    sims = a @ b.T
    column = {q: j for j, q in enumerate(quotes)}
    return [
        {
            v.id: max(float(sims[i, column[e.quote]]) for e in v.evidence)
            for v in lessons
            if v.evidence
        }
        for i in range(len(failures))
    ]
