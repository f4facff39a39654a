"""The per-batch stage of a distill: each file of a batch parsed (sources/), its episodes mined
(mine/) and lesson candidates extracted from them (extract/). Paths in, candidates and counts
out, never transcript text (contract 7)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from metis_distill import progress, secret_memory, sources
from metis_distill.errors import MetisError, SourceError
from metis_distill.extract.base import Extractor, ExtractStats
from metis_distill.extract.rules import RulesExtractor
from metis_distill.faults import checkpoint
from metis_distill.ledger import FileRecord
from metis_distill.mine import signals
from metis_distill.mine.episodes import Episode, find_episodes
from metis_distill.mine.ran import ProgramsRan, programs_ran
from metis_distill.mine.recovery import Recovery, recoveries
from metis_distill.models import LessonCandidate, Run
from metis_distill.pipeline.discover import FileInfo
from metis_distill.textio import (
    RawLine,
    Segment,
    TextLines,
    has_text,
    last_line_before,
    line_text,
    read_before,
    read_segment,
    tail_sha256,
)


@dataclass
class BatchResult:
    """What one batch of files yielded: candidates and counts, no transcript text."""

    candidates: list[LessonCandidate] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    lines_read: int = 0
    bytes_read: int = 0
    events: int = 0
    episodes: int = 0
    corrupt_lines: int = 0
    unknown_lines: int = 0
    failed_files: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)  # "path: lines 8, 19"
    partial_lines: int = 0  # last lines still being written, to be read once complete
    extract: ExtractStats = field(default_factory=ExtractStats)
    pending_files: list[str] = field(default_factory=list)  # to read again: work left
    recoveries: list[Recovery] = field(default_factory=list)  # failures and their fixes
    secret_digests: set[str] = field(default_factory=set)  # keyed hashes, never a value
    ran: list[ProgramsRan] = field(default_factory=list)  # per run, the programs that worked


def extract_batch(
    archive_root: Path, files: Iterable[FileInfo], extractor: Extractor | None = None
) -> BatchResult:
    """Parse, mine and extract each file; a file that cannot be read is reported, not fatal.
    A file whose episodes are not all extracted (budget reached, failed calls) is not marked
    as read: the next run reads it again, and what was answered comes from the cache."""
    extractor = extractor or RulesExtractor()
    result = BatchResult()
    memory = secret_memory.memory_beside(archive_root)
    for info in files:
        try:
            with secret_memory.reading(memory) as found:
                _extract_file(archive_root, info, result, extractor)
            result.secret_digests |= found.digests()
        except MetisError as e:
            if not isinstance(e, SourceError):
                raise  # a halted extraction stops the run; it is not one bad file
            result.failed_files.append(f"{info.path}: {e}")
        except Exception as e:  # noqa: BLE001 (one unreadable file must not stop the rest)
            result.failed_files.append(f"{info.path}: {type(e).__name__}: {e}")
        progress.report().advance(1)
    result.extract = extractor.stats
    return result


def _extract_file(
    archive_root: Path, info: FileInfo, result: BatchResult, extractor: Extractor
) -> None:
    checkpoint("extract:file")
    path = archive_root / info.path
    run, segment, lines = _parsed(path, info)
    if info.offset and info.session_id:
        run = replace(run, session_id=info.session_id, cwd=run.cwd or info.cwd)
    if run.cwd is None and info.origin:
        # an aider history sits at its repository's root: where it came from is its cwd
        run = replace(run, cwd=str(Path(info.origin).parent))
    # Episodes are mined with the context (a failure before the offset meets its fix after
    # it), but only what reaches the new lines is new.
    new = info.first_line if info.offset else 1
    failed = signals.failures(run.events)  # read once for both miners
    episodes = [e for e in find_episodes(run, failed) if _last_line(e) >= new]
    unfinished = extractor.stats.unfinished
    found = extractor.extract(run, episodes, lines)
    result.recoveries.extend(recoveries(run, failed))  # stored by key: the context's are upserted
    result.candidates.extend(c for c in found if c.evidence.ref.line_end >= new)
    ran = programs_ran(run, new)  # what a lesson of a program missing here may be out of date by
    if ran is not None:
        result.ran.append(ran)
    if extractor.stats.unfinished > unfinished:
        result.pending_files.append(info.path)
    events = sum(1 for e in run.events if e.ref.line_start >= new)
    corrupt = [n for n in run.stats.corrupt_line_numbers if n >= new]
    if segment.partial_line in corrupt:
        corrupt.remove(segment.partial_line)  # still being written: read again once complete
        result.partial_lines += 1
    result.lines_read += len(segment.lines)
    result.bytes_read += segment.end_offset - info.offset
    result.events += events
    result.episodes += len(episodes)
    result.corrupt_lines += len(corrupt)
    if corrupt:
        numbers = ", ".join(map(str, corrupt[:20]))
        more = "…" if len(corrupt) > 20 else ""
        result.corrupt.append(f"{info.path}: line {numbers}{more}")
    result.unknown_lines += run.stats.unknown_lines
    if info.path in result.pending_files:
        return  # not marked as read
    end = segment.end_offset if segment.resumable else info.size
    result.files.append(
        FileRecord(
            archive_root=str(archive_root),
            path=info.path,
            size=info.size,
            mtime_ns=info.mtime_ns,
            sha256=None,
            offset=end,
            next_line=segment.next_line,
            tail_sha256=tail_sha256(path, end),
            source_format=run.source_format,
            session_id=run.session_id,
            cwd=run.cwd,
            lines=info.prior_lines + sum(1 for _, t in segment.lines if has_text(t)),
            events=info.prior_events + events,
            corrupt_lines=info.prior_corrupt + len(corrupt),
            unknown_lines=run.stats.unknown_lines,
        )
    )


def _parsed(path: Path, info: FileInfo) -> tuple[Run, Segment, TextLines]:
    """The file's run from its new lines (and the context before them), the segment read, and
    the lines by number, decoded when an extractor reads one. A format that parses UTF-8 bytes
    (JSON lines) gets them undecoded."""
    source = sources.by_name(info.format)
    raw = source.parse_raw is not None
    segment = read_segment(path, info.offset, info.first_line, raw=raw)
    context = read_before(path, info.offset, info.first_line, raw=raw) if info.offset else []
    if info.offset and source.carried is not None:
        context = _carried_in(path, info, source.carried, context, raw)
    numbered = [*context, *segment.lines]
    if source.parse_raw is not None:
        run = source.parse_raw(info.path, numbered)
    else:
        run = source.parse_lines(info.path, [(n, line_text(line)) for n, line in numbered])
    return _hidden(run), segment, TextLines(numbered)


def _carried_in(
    path: Path, info: FileInfo, carried: str, context: list[tuple[int, RawLine]], raw: bool
) -> list[tuple[int, RawLine]]:
    """The context of a resumed read, with the last record of the `carried` type before it
    when the context holds none (a long turn's sandbox policy, written at its start): the
    file read whole or resumed gives the same run."""
    marker = f'"{carried}"'.encode()

    def wanted(line: bytes) -> bool:
        try:
            record = json.loads(line)
        except ValueError:
            return False
        return isinstance(record, dict) and record.get("type") == carried

    found = last_line_before(path, info.offset, info.first_line, marker, wanted)
    if found is None or (context and found[0] >= context[0][0]):
        return context  # none, or read with the context already
    number, line = found
    return [(number, line if raw else line_text(line)), *context]


def _last_line(episode: Episode) -> int:
    """The last line an episode touches (a fix after the failure counts)."""
    events = (episode.trigger, episode.call, episode.fix_call, episode.fix_result)
    return max(e.ref.line_end for e in events if e is not None)


def _hidden(run: Run) -> Run:
    """A secret found late in the run is hidden in the events before it too."""
    found = secret_memory.current()
    if found is None or not found.values:
        return run
    events = tuple(replace(e, text=found.hide(e.text)) for e in run.events)
    return replace(run, events=events)
