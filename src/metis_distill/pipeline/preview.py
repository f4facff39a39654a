"""`metis distill --dry-run`: what the next distill would read, the excerpts it would send to
Claude and what they would cost, with nothing sent and nothing written (the ledger is opened
to read; nothing is archived; the target is not touched).

The files are those the next distill reads: the archive's new or changed files, from where it
stopped, and the source files not copied into the archive yet, counted whole. The excerpts are
built by the Claude extractor itself, up to the call; those already answered (the ledger's
cache) cost nothing. The cost is at list price, the prompt cache counted as the API bills it,
and at half with `--batch`; the curator's judging of near-duplicates is not included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anthropic

from metis_distill.config import Settings
from metis_distill.extract.claude import (
    EXPECTED_ANSWER,
    ClaudeConfig,
    ClaudeExtractor,
    Job,
    cached_prefix_tokens,
)
from metis_distill.extract.pricing import cache_minimum, estimated_cost
from metis_distill.extract.schema import LessonDrafts
from metis_distill.extract.spans import estimate_tokens
from metis_distill.ledger import Ledger
from metis_distill.listing import list_files
from metis_distill.pipeline.discover import FileInfo, changed_files, check_archive, not_copied
from metis_distill.pipeline.extraction import extract_batch
from metis_distill.pipeline.extractors import claude_config

SAMPLES = 3  # excerpts whose text is shown
SAMPLE_CHARS = 1500


@dataclass(frozen=True)
class PreviewFile:
    path: str  # relative to its root
    root: str  # the archive, or a source folder whose file is not archived yet
    bytes: int  # to read
    archived: bool
    excerpts: int = 0  # to send (not answered from the cache)


@dataclass(frozen=True)
class Excerpt:
    path: str
    lines: str  # "12-40", of the file in its root
    tokens: int  # estimated tokens of the prompt, the system prompt left out
    text: str | None = None  # the prompt as it would be sent, cut; only for the samples


@dataclass(frozen=True)
class Preview:
    extractor: str  # the extractor the settings pick (the rules send nothing)
    model: str
    batch: bool
    files: list[PreviewFile]
    excerpts: list[Excerpt]  # every excerpt that would be sent
    cached: int  # excerpts already answered: sent again never
    input_tokens: int  # estimated, the cached prefix of every request included
    output_tokens: int  # estimated: a typical answer per excerpt
    usd: float | None  # None for a model without a listed price
    caps: dict[str, float | int | None] = field(default_factory=dict)


class _Recorder(ClaudeExtractor):
    """The Claude extractor up to the call: what it would send is recorded, nothing is."""

    def __init__(self, config: ClaudeConfig, ledger: Ledger) -> None:
        unused = anthropic.Anthropic(api_key="dry run: nothing is sent", max_retries=0)
        super().__init__(config, ledger, client=unused)
        self.asked: list[Job] = []

    def _call_all(self, todo: list[Job], found: dict[str, LessonDrafts]) -> None:  # noqa: ARG002
        self.asked.extend(todo)
        self.stats.pending += len(todo)


def preview(settings: Settings) -> Preview:
    """What `metis distill` would read, send and spend now; sends and writes nothing."""
    config = claude_config(settings)
    source = check_archive(settings.archive)
    with Ledger.reading(settings.ledger_url) as ledger:
        recorder = _Recorder(config, ledger)
        files = _archived(settings, ledger, recorder)
        files += _not_archived(settings, source, ledger, recorder)
    asked = recorder.asked
    tokens_in, usd = _cost(config, [job.prompt for job in asked], settings.extract.batch)
    budgets = settings.budgets
    return Preview(
        extractor=settings.extractor,
        model=config.model,
        batch=settings.extract.batch,
        files=files,
        excerpts=[_excerpt(job, n < SAMPLES) for n, job in enumerate(asked)],
        cached=recorder.stats.cached,
        input_tokens=tokens_in,
        output_tokens=EXPECTED_ANSWER * len(asked),
        usd=usd,
        caps={
            "max_tokens_per_run": budgets.max_tokens_per_run,
            "max_usd_per_run": budgets.max_usd_per_run,
            "max_usd_per_day": budgets.max_usd_per_day,
        },
    )


def _archived(settings: Settings, ledger: Ledger, recorder: _Recorder) -> list[PreviewFile]:
    """The archive's files new or changed since the ledger read them, from where it stopped."""
    archive = settings.archive_dir
    if not archive.is_dir():
        return []
    root = archive.resolve()
    return _read(root, changed_files(root, ledger).changed, recorder, archived=True)


def _not_archived(
    settings: Settings, source: Path, ledger: Ledger, recorder: _Recorder
) -> list[PreviewFile]:
    """The source files that the next distill would copy into the archive first, read whole."""
    copies = ledger.copies()
    found: list[PreviewFile] = []
    for root in dict.fromkeys([source, *(r.resolve() for r in settings.source_roots()[1:])]):
        if not root.is_dir() or root == settings.archive_dir.resolve():
            continue
        new = {str(p) for p in list_files(root).files if not_copied(p, copies.get(str(p)))}
        infos = [f for f in changed_files(root, ledger).changed if str(root / f.path) in new]
        found += _read(root, infos, recorder, archived=False)
    return found


def _read(
    root: Path, infos: Sequence[FileInfo], recorder: _Recorder, *, archived: bool
) -> list[PreviewFile]:
    """The files parsed, mined and extracted up to the call; each with its excerpts to send."""
    before = len(recorder.asked)
    extract_batch(root, infos, recorder)
    per_file = Counter(job.span.run.path for job in recorder.asked[before:])
    return [
        PreviewFile(f.path, str(root), f.size - f.offset, archived, per_file[f.path]) for f in infos
    ]


def _cost(config: ClaudeConfig, prompts: Sequence[str], batch: bool) -> tuple[int, float | None]:
    """Estimated input tokens (the cached prefix of every request included) and dollars: the
    prefix written to the prompt cache once and read by the other requests, when it is long
    enough to be cached (contract 9: characters / 4)."""
    if not prompts:
        return 0, 0.0 if estimated_cost(config.model, 0, 0) is not None else None
    fresh = sum(estimate_tokens(len(p)) for p in prompts)
    prefix, n = cached_prefix_tokens(config.prompts_dir), len(prompts)
    out = EXPECTED_ANSWER * n
    minimum = cache_minimum(config.model)
    if minimum is not None and prefix >= minimum:
        usd = estimated_cost(config.model, fresh, out, prefix * (n - 1), prefix, batch=batch)
    else:
        usd = estimated_cost(config.model, fresh + prefix * n, out, batch=batch)
    return fresh + prefix * n, usd


def _excerpt(job: Job, sample: bool) -> Excerpt:
    refs = [e.event.ref for e in job.span.events]
    lines = f"{min(r.line_start for r in refs)}-{max(r.line_end for r in refs)}" if refs else ""
    text = job.prompt[:SAMPLE_CHARS] + ("…" if len(job.prompt) > SAMPLE_CHARS else "")
    return Excerpt(
        job.span.run.path, lines, estimate_tokens(len(job.prompt)), text if sample else None
    )
