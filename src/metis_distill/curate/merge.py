"""Candidates into lessons: an exact or near duplicate merges its evidence, never duplicates."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from metis_distill.config import CurateSettings
from metis_distill.curate.contradict import contradicts
from metis_distill.curate.ids import (
    anchor_overlap,
    anchors,
    evidence_id,
    lesson_id,
    mostly_non_latin,
    quoted,
    word_overlap,
)
from metis_distill.extract.settings import values_cut, values_outside
from metis_distill.extract.wording import PASSED_AGAIN, UNTIL_EDITED
from metis_distill.index import LessonIndex, embed_many
from metis_distill.ledger import Curating, Evidence, Ledger, LessonRow, LessonStatus, now
from metis_distill.mine.misplaced import told_place
from metis_distill.mine.off_path import lasting
from metis_distill.models import LessonCandidate, LessonKind

_CURATE = CurateSettings()  # the defaults, as the settings say
DEFAULT_MAX_DISTANCE = _CURATE.dedupe_distance
DEFAULT_JUDGE_DISTANCE = _CURATE.judge_distance  # closer and not merged by the rule: ask
MIN_WORD_OVERLAP = 0.5
# Text in another script than Latin, its vector blind to it: one word swapped for another
# (简体/繁体, 한국어/일본어) still leaves most words or pairs of characters shared, so nearly
# all must be.
MIN_UNSPACED_OVERLAP = 0.8
# Paraphrases sit further apart in the vector space; they merge only when they also name
# the same precise things (anchors: PYTHONPATH=src, `uv run`, ModuleNotFoundError).
DEFAULT_PARAPHRASE_DISTANCE = _CURATE.paraphrase_distance
MIN_ANCHOR_OVERLAP = 0.5
NEIGHBOURS = 5
# A lesson further than the paraphrase distance may still be near one of its other wordings
# (the quotes of its evidence): those within this much more are checked against them too.
WORDING_REACH = 0.15
MAX_WORDINGS = 20
# "`npm …` fails here (“…”); use `pnpm …` instead.": the program taken for another is the
# lesson; the error it failed with is one of its symptoms
_SWAP = re.compile(r"^(`[^`]+ …`) \w+ here \(“.+”\); (use `[^`]+ …` instead)\.$")


@dataclass
class JudgeStats:
    """What the duplicate judge did in one run."""

    asked: int = 0  # pairs put to the judge
    requests: int = 0
    cached: int = 0
    same: int = 0
    failed: int = 0  # malformed twice, or an API error
    skipped: int = 0  # the token budget was spent


class DuplicateJudge(Protocol):
    """Says which known lesson (id, text) a new lesson repeats, if any (the curator prompt);
    what it writes to the ledger waits for `flush()`, after curation's transaction."""

    stats: JudgeStats

    def __call__(self, kind: str, text: str, known: Sequence[tuple[str, str]]) -> str | None: ...

    def flush(self) -> None: ...


@dataclass
class CurateStats:
    candidates: int = 0
    new: int = 0
    merged: int = 0
    merged_into_new: int = 0  # of `merged`, those into a lesson this same call made
    known_evidence: int = 0
    suppressed: int = 0
    new_ids: list[str] = field(default_factory=list)
    touched_ids: list[str] = field(default_factory=list)  # lessons that got new evidence
    failures: int = 0  # failure candidates of this run (the tripwires compare runs)
    retired_contradicted: int = 0
    retired_stale: int = 0
    retired_ran_later: int = 0  # a program said missing here, run in a later run here
    revived: int = 0  # retired lessons seen again


def curate(
    candidates: Sequence[LessonCandidate],
    ledger: Ledger,
    index: LessonIndex,
    *,
    archive_root: str,
    extractor: str = "rules",
    max_distance: float = DEFAULT_MAX_DISTANCE,
    paraphrase_distance: float = DEFAULT_PARAPHRASE_DISTANCE,
    judge: DuplicateJudge | None = None,
    judge_distance: float = DEFAULT_JUDGE_DISTANCE,
    vectors: Sequence[Sequence[float]] | None = None,
) -> CurateStats:
    """Record candidates as lessons and evidence; a rejected lesson's near twins are suppressed.
    With a `judge`, a near lesson the word-overlap rule does not merge is put to it.
    `vectors` are the candidates' embeddings when made already (else the index's embedder
    makes them)."""
    stats = CurateStats(candidates=len(candidates))
    stats.failures = sum(c.kind.value == "failure" for c in candidates)
    limits = (max_distance, max(max_distance, paraphrase_distance))
    if not candidates:
        return stats
    if vectors is None:
        vectors = embed_many(index.embedder, [c.text for c in candidates])
    near = _Near(limits, judge, judge_distance)
    chosen = _chosen_ways(candidates)
    made: set[str] = set()  # the lessons this curation made
    with ledger.curating() as lessons:
        ids = _prefetch(lessons, candidates, archive_root)
        for candidate, vector, own_id in zip(candidates, vectors, ids, strict=True):
            target = lessons.lesson(own_id)
            if target is None:
                target = near.twin(lessons, index, candidate, vector)
            created = target is None
            if target is None:
                target = _new_lesson(candidate, extractor)
                lessons.add_lesson(target)
                index.upsert([target.id], [target.text], [target.kind], [vector])
                stats.new_ids.append(target.id)
                made.add(target.id)
            better = not created and _says_a_better_value(candidate, target)
            if better and not lessons.hand_worded(target.id):
                _reword(index, target, candidate, vector)
            fresh = target.id in made
            shown = _shows_told_way(candidate, target, chosen, fresh)
            added = _add_evidence(lessons, target, candidate, archive_root, shown)
            if (
                added
                and (target.text, target.fix) != (candidate.text, candidate.fix)
                and _takes_words(candidate, target, chosen, fresh)
                and not lessons.hand_worded(target.id)
            ):
                _reword(index, target, candidate, vector)
            if added and target.id not in stats.touched_ids:
                stats.touched_ids.append(target.id)
            if created:
                stats.new += 1
            elif target.status == LessonStatus.REJECTED:
                stats.suppressed += 1
            elif added:
                stats.merged += 1
                stats.merged_into_new += target.id in stats.new_ids
            else:
                stats.known_evidence += 1
    if judge is not None:
        judge.flush()
    return stats


def _reword(
    index: LessonIndex, lesson: LessonRow, candidate: LessonCandidate, vector: Sequence[float]
) -> None:
    """The lesson takes the candidate's words and fix, in the ledger and the index."""
    lesson.text, lesson.fix = candidate.text, candidate.fix
    index.upsert([lesson.id], [lesson.text], [lesson.kind], [vector])


def own_id(candidate: LessonCandidate) -> str:
    """The id of the lesson the candidate is: of its key when it has one, else of its text."""
    return lesson_id(candidate.kind, candidate.key or candidate.text)


def _prefetch(lessons: Curating, candidates: Sequence[LessonCandidate], root: str) -> list[str]:
    """The candidates' own lessons and their evidence under them, read at once (a twin found
    by the index is read when found); the candidates' own lesson ids, in order."""
    ids = [own_id(c) for c in candidates]
    lessons.prefetch(
        ids, (evidence_id(i, c.evidence, root) for i, c in zip(ids, candidates, strict=True))
    )
    return ids


@dataclass(frozen=True)
class _Near:
    limits: tuple[float, float]  # (words must overlap under it, paraphrases under it)
    judge: DuplicateJudge | None
    judge_distance: float

    def twin(
        self,
        lessons: Curating,
        index: LessonIndex,
        candidate: LessonCandidate,
        vector: Sequence[float],
    ) -> LessonRow | None:
        """The known lesson the candidate repeats: close by vector and passing `is_twin`, or
        close by vector and so judged by the curator prompt."""
        unsure: list[tuple[str, str]] = []
        judging = self.judge_distance if self.judge is not None else 0.0
        reach = max(self.limits[1] + WORDING_REACH, judging)
        for neighbour in index.nearest(vector, candidate.kind.value, k=NEIGHBOURS):
            if neighbour.distance > reach:
                break
            row = lessons.lesson(neighbour.id)
            if row is None or _fix_into_none(candidate, row) or _other_way(candidate, row):
                continue
            if _found_elsewhere(candidate, row):
                continue
            distance = neighbour.distance
            if distance > self.limits[1]:  # maybe near another wording of the lesson seen before
                distance = min(distance, _nearest_wording(lessons, index, row, vector))
            if _same_swap(row.text, candidate.text) or (
                distance <= self.limits[1]
                and is_twin(row.text, candidate.text, distance, self.limits[0])
            ):
                return row
            if distance <= judging and not contradicts(row.text, candidate.text):
                unsure.append((row.id, row.text))
        if self.judge is None or not unsure:
            return None
        same = self.judge(candidate.kind.value, candidate.text, unsure)
        return lessons.lesson(same) if same is not None else None


def _chosen_ways(candidates: Sequence[LessonCandidate]) -> dict[str, LessonCandidate]:
    """For each key, the candidate whose words its lesson takes: of the way the person's own
    words asked for, else of the way that lasts (a program's full path over a PATH step,
    either over none), else of the way seen in the most sessions, else the first."""
    sessions: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    asked: set[tuple[str, str | None]] = set()
    for c in candidates:
        if c.key is not None:
            sessions[c.key, c.fix].add(c.evidence.session_id)
            if c.asked:
                asked.add((c.key, c.fix))
    chosen: dict[str, LessonCandidate] = {}
    ranks: dict[str, tuple[bool, int, int]] = {}
    for c in candidates:
        if c.key is None:
            continue
        way = (c.key, c.fix)
        rank = (way in asked, lasting(c.fix), len(sessions[way]))
        if c.key not in ranks or rank > ranks[c.key]:
            chosen[c.key], ranks[c.key] = c, rank
    return chosen


def _shows_told_way(
    candidate: LessonCandidate, lesson: LessonRow, chosen: dict[str, LessonCandidate], fresh: bool
) -> bool:
    """The candidate's span shows the fix its lesson tells once curated (the span of another
    way past the same failure shows another fix)."""
    if not candidate.evidence.shows_fix:
        return False
    if candidate.key is None or lesson.id != own_id(candidate):
        return True
    best = chosen[candidate.key]
    told = best.fix if fresh or _outranks(best, lesson) else lesson.fix
    return candidate.fix == told


def _takes_words(
    candidate: LessonCandidate, lesson: LessonRow, chosen: dict[str, LessonCandidate], fresh: bool
) -> bool:
    """The candidate is the chosen instance of the lesson's key (`_chosen_ways`): a lesson
    made by this curation takes its words, one known before only when it `_outranks` it."""
    if candidate.key is None or lesson.id != own_id(candidate):
        return False
    if lesson.status == LessonStatus.REJECTED or chosen[candidate.key] is not candidate:
        return False
    return fresh or _outranks(candidate, lesson)


def _outranks(candidate: LessonCandidate, lesson: LessonRow) -> bool:
    """The candidate's way was asked for, or holds longer than the way a lesson known before
    tells (how many sessions showed that way is not kept)."""
    return (candidate.asked, lasting(candidate.fix)) > (False, lasting(lesson.fix))


def _fix_into_none(candidate: LessonCandidate, row: LessonRow) -> bool:
    """A failure with a fix never joins one whose words say no fix was seen (a rule keeps
    its words as its "fix": said with or without them, it is one rule)."""
    failure = candidate.kind is LessonKind.FAILURE and row.fix is None
    return failure and candidate.fix not in (None, candidate.text)


def _other_way(candidate: LessonCandidate, row: LessonRow) -> bool:
    """A failure whose run showed another way past it (another fix, a plain rerun, an edit)
    never joins one whose fix it does not show: its evidence would count for that fix."""
    if candidate.kind is not LessonKind.FAILURE or row.fix in (None, row.text):
        return False
    if candidate.fix not in (None, candidate.text):
        return candidate.fix != row.fix
    return PASSED_AGAIN in candidate.text or UNTIL_EDITED in candidate.text


def _found_elsewhere(candidate: LessonCandidate, row: LessonRow) -> bool:
    """Two lines of where a file was found, and not the same place: runs that each found it
    somewhere else show no layout, and their sessions never count for one line."""
    ours, theirs = told_place(candidate.text), told_place(row.text)
    return ours is not None and theirs is not None and ours != theirs


def _nearest_wording(
    lessons: Curating, index: LessonIndex, lesson: LessonRow, vector: Sequence[float]
) -> float:
    """The cosine distance from a candidate to the closest of the lesson's recent quotes: a
    lesson paraphrased in many runs is known by all of its wordings, not only its first."""
    quotes = lessons.recent_quotes(lesson.id, MAX_WORDINGS)
    if not quotes:
        return 1.0
    return min(_cosine_distance(vector, other) for other in index.embedder.embed(quotes))


def _cosine_distance(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return 1.0 - dot / norm if norm else 1.0


def is_twin(a: str, b: str, distance: float, max_distance: float) -> bool:
    """The check after vector similarity: close and mostly the same words, or a paraphrase
    that names the same precise things and quotes the same error; never opposite choices,
    nor errors of other classes."""
    if contradicts(a, b):
        return False
    named_a, named_b = anchors(a), anchors(b)
    if named_a and named_b and not named_a & named_b:
        return False  # the same sentence about other things (TOOL1_HOME, TOOL2_HOME)
    if _other_error_classes(quoted(a), quoted(b)):
        return False  # however alike the rest: a module missing is no attribute missing
    needed = (
        MIN_UNSPACED_OVERLAP if mostly_non_latin(a) or mostly_non_latin(b) else MIN_WORD_OVERLAP
    )
    if distance <= max_distance and word_overlap(a, b) >= needed:
        return True
    if needed > MIN_WORD_OVERLAP:
        return False  # their vectors tell nothing, nor their anchors (`pnpm` in two rules)
    qa, qb = quoted(a), quoted(b)
    if qa and qb and word_overlap(qa, qb) < MIN_WORD_OVERLAP:
        return False  # the same command failing with another error is another lesson
    return anchor_overlap(a, b) >= MIN_ANCHOR_OVERLAP


# The class of an exception or error, as a quoted error names it (`ModuleNotFoundError`,
# `AttributeError`, `NullPointerException`).
_ERROR_CLASS = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception)\b")


def _other_error_classes(quoted_a: str, quoted_b: str) -> bool:
    """Both quoted errors name their classes, no class is in both, and neither's message is
    told by the other's: other failures (the same message under another class is one failure
    told by another layer or version: `NoClassDefFoundError: org/x/Y` and
    `ClassNotFoundException: org.x.Y`, `RuntimeError: CUDA out of memory` and
    `torch.cuda.OutOfMemoryError: CUDA out of memory`)."""
    named_a, named_b = set(_ERROR_CLASS.findall(quoted_a)), set(_ERROR_CLASS.findall(quoted_b))
    if not (named_a and named_b) or named_a & named_b:
        return False
    said_a, said_b = _message_words(quoted_a), _message_words(quoted_b)
    return not (said_a and said_b and (said_a <= said_b or said_b <= said_a))


def _message_words(quoted_error: str) -> set[str]:
    """The words of a quoted error but its classes (a bare class says none)."""
    return {w for w in re.findall(r"[a-z0-9]+", _ERROR_CLASS.sub(" ", quoted_error).lower())}


def _same_swap(a: str, b: str) -> bool:
    """One program taken for the same other program, whatever each run's error was."""
    swap_a, swap_b = _SWAP.match(a), _SWAP.match(b)
    return swap_a is not None and swap_b is not None and swap_a.groups() == swap_b.groups()


def _new_lesson(candidate: LessonCandidate, extractor: str) -> LessonRow:
    seen = candidate.evidence.timestamp
    return LessonRow(
        id=own_id(candidate),
        kind=candidate.kind.value,
        text=candidate.text,
        status=LessonStatus.ACTIVE,
        severity=candidate.severity,
        scope=list(candidate.scope),
        extractor=extractor,
        first_seen=seen,
        last_seen=seen,
        created_at=now(),
        fix=candidate.fix,
    )


def _says_a_better_value(candidate: LessonCandidate, lesson: LessonRow) -> bool:
    """The candidate says the lesson's own words with another value for the setting they run
    the command with, one pointing outside the workspace where the lesson's writes into the
    project (`/tmp/pycache`, not `Shared/.pycache`): the line should give that one."""
    return (
        lesson.status != LessonStatus.REJECTED
        and candidate.text != lesson.text
        and values_cut(candidate.text) == values_cut(lesson.text)
        and values_outside(candidate.text) > values_outside(lesson.text)
    )


def _add_evidence(
    lessons: Curating,
    lesson: LessonRow,
    candidate: LessonCandidate,
    archive_root: str,
    shows_fix: bool,
) -> bool:
    """Attach the candidate's evidence to the lesson (`shows_fix`: its span shows the fix the
    lesson tells); False when it was already there."""
    evidence = candidate.evidence
    row_id = evidence_id(lesson.id, evidence, archive_root)
    if lessons.has_evidence(row_id):
        return False
    ref = evidence.ref
    lessons.add_evidence(
        Evidence(
            id=row_id,
            lesson_id=lesson.id,
            archive_root=archive_root,
            path=ref.path,
            line_start=ref.line_start,
            line_end=ref.line_end,
            native_id=ref.native_id,
            quote=evidence.quote,
            session_id=evidence.session_id,
            cwd=candidate.cwd,
            timestamp=evidence.timestamp,
            shows_fix=shows_fix,
        )
    )
    lesson.severity = max(lesson.severity, candidate.severity)
    if lesson.fix is None and candidate.text == lesson.text:
        # a fix comes with its words: a line saying "no fix seen" never carries one
        lesson.fix = candidate.fix
    if not set(candidate.scope) <= set(lesson.scope or ()):
        lesson.scope = sorted({*(lesson.scope or ()), *candidate.scope})  # a new list: tracked
    if evidence.timestamp is not None:
        seen = evidence.timestamp
        lesson.first_seen = seen if lesson.first_seen is None else min(lesson.first_seen, seen)
        lesson.last_seen = seen if lesson.last_seen is None else max(lesson.last_seen, seen)
    return True
