"""Hybrid search over the lessons: vector similarity plus keyword match.

The vector side compares the query with each lesson's text, embedded by the same offline
model as the index (see `vectors.py` for why chromadb is not opened here). The keyword side
looks for the commands, paths and error strings of the query in each lesson's text and
evidence quotes: an exact phrase counts most, rare terms more than common ones, code-like
terms twice. What a snapshot needs for every query (texts, terms, vectors) is computed once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import numpy.typing as npt

from metis_distill.retrieve.store import Lesson, Snapshot
from metis_distill.retrieve.vectors import VectorCache
from metis_distill.statuses import LessonStatus
from metis_distill.targets import as_path

VECTOR_WEIGHT = 0.6
KEYWORD_WEIGHT = 0.4
MIN_SIMILARITY = 0.25  # below this, and with no keyword, a lesson is not a hit at all
SHOWN_STATUSES = frozenset({LessonStatus.ACTIVE.value})

_TERM = re.compile(r"[\w][\w./:@+-]*[\w]|\w")
_QUOTED = re.compile(r"`([^`]+)`|\"([^\"]{3,})\"|“([^”]{3,})”|'([^']{4,})'")
_WS = re.compile(r"\s+")
_CLAUSE = re.compile(r"(?:[.;,!?\n]+\s+|\s+)(?:(?:and|then|but|also)\s+)+|[.;,!?\n]+\s+", re.I)
MAX_CLAUSES = 8
_STOP_WORDS = """a an and are as at be but by can do does for from has have how i in is it its me
my no not of on or our so that the their them then there this to up was we what when where which
while who why will with you your about into should would could"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Query:
    text: str
    kinds: tuple[str, ...] = ()
    project: str | None = None
    limit: int = 10
    include_retired: bool = False  # retired and rejected lessons too


@dataclass(frozen=True)
class Hit:
    lesson: Lesson
    score: float  # VECTOR_WEIGHT * similarity + KEYWORD_WEIGHT * keyword
    similarity: float  # cosine similarity of query and lesson text
    keyword: float  # 1.0 for an exact phrase, else the weighted share of terms found
    matched: tuple[str, ...] = ()


class SearchIndex:
    """One snapshot made ready for queries: documents, their terms (an inverted index), the
    lesson vectors. A query then costs one matrix product and a few array operations."""

    def __init__(self, snapshot: Snapshot, vectors: VectorCache) -> None:
        self.snapshot = snapshot
        self.vectors = vectors
        self.lessons = snapshot.lessons
        self.documents = [haystack(v) for v in self.lessons]
        self.terms = [frozenset(terms(d)) for d in self.documents]
        postings: dict[str, list[int]] = {}
        for i, found in enumerate(self.terms):
            for term in found:
                postings.setdefault(term, []).append(i)
        self.postings = {t: np.array(ix, dtype=np.int64) for t, ix in postings.items()}
        self.ids = np.array([v.id for v in self.lessons], dtype=str)
        self.kinds = np.array([v.kind for v in self.lessons], dtype=str)
        self.shown = np.array([v.status in SHOWN_STATUSES for v in self.lessons], dtype=bool)
        self.matrix = vectors.matrix([v.text for v in self.lessons])

    def rank(self, query: Query, limit: int | None = None, min_score: float = 0.0) -> list[Hit]:
        """The lessons that pass the filters and bear on the query at all (scoring at least
        `min_score`), best first (ties broken by id); the first `limit` of them when given."""
        mask = self._mask(query)
        if not mask.any() or not query.text.strip():
            return []
        asked = self.vectors.query(clauses(query.text))
        similarity = (self.matrix @ asked.T).max(axis=1)
        scorer = KeywordScorer(query.text, self._frequency, len(self.lessons))
        keyword = scorer.scores(self)
        score = VECTOR_WEIGHT * np.maximum(similarity, 0.0) + KEYWORD_WEIGHT * keyword
        keep = mask & ((keyword > 0) | (similarity >= MIN_SIMILARITY)) & (score >= min_score)
        chosen = np.flatnonzero(keep)
        chosen = chosen[np.lexsort((self.ids[chosen], -score[chosen]))][:limit]
        return [
            Hit(
                self.lessons[i],
                float(score[i]),
                float(similarity[i]),
                float(keyword[i]),
                scorer.matched(self.documents[i], self.terms[i]),
            )
            for i in chosen.tolist()
        ]

    def search(self, query: Query) -> list[Hit]:
        """The best `query.limit` lessons for the query, best first (ties broken by id); with
        no words, every lesson of the kinds or the project asked for, as `listed` orders them
        (and none when neither is asked)."""
        if not query.text.strip():
            return self.listed(query) if query.kinds or query.project is not None else []
        return self.rank(query, query.limit)

    def listed(self, query: Query) -> list[Hit]:
        """The lessons that pass the filters, with nothing to rank them by: the most sessions
        first, then the latest seen, then by id (score 0)."""
        kept = [self.lessons[i] for i in np.flatnonzero(self._mask(query)).tolist()]
        kept.sort(key=lambda v: v.id)
        kept.sort(key=lambda v: v.last_seen.timestamp() if v.last_seen else 0.0, reverse=True)
        kept.sort(key=lambda v: v.support, reverse=True)
        return [Hit(v, 0.0, 0.0, 0.0) for v in kept[: query.limit]]

    def _frequency(self, term: str) -> int:
        found = self.postings.get(term)
        return 0 if found is None else len(found)

    def _mask(self, query: Query) -> npt.NDArray[np.bool_]:
        mask = np.ones(len(self.lessons), dtype=bool)
        if not query.include_retired:
            mask &= self.shown
        if query.kinds:
            mask &= np.isin(self.kinds, list(query.kinds))
        if query.project is not None:
            project = query.project
            mask &= np.array([in_project(v, project) for v in self.lessons], dtype=bool)
        return mask


def clauses(text: str) -> list[str]:
    """The query, and each of its clauses when it has several (a task often names several
    things at once: each clause is compared on its own, and the best one counts)."""
    parts = [p.strip() for p in _CLAUSE.split(text) if len(p.split()) >= 3]
    return list(dict.fromkeys([text.strip(), *parts]))[:MAX_CLAUSES]


def _passes(lesson: Lesson, query: Query) -> bool:
    if not query.include_retired and lesson.status not in SHOWN_STATUSES:
        return False
    if query.kinds and lesson.kind not in query.kinds:
        return False
    return query.project is None or in_project(lesson, query.project)


def in_project(lesson: Lesson, project: str) -> bool:
    """Evidence from a run whose cwd is the project's folder (a path), or a folder of that
    name (a bare name such as `shopfront`), or one inside it."""
    wanted = as_path(project)
    for evidence in lesson.evidence:
        if not evidence.cwd:
            continue
        cwd = as_path(evidence.cwd)
        if len(wanted.parts) > 1 and type(cwd) is type(wanted):
            if cwd == wanted or cwd.is_relative_to(wanted):
                return True
        elif project in _names(cwd):
            return True
    return False


def _names(path: PurePath) -> tuple[str, ...]:
    return tuple(part for part in path.parts if part not in (path.anchor, ""))


def haystack(lesson: Lesson) -> str:
    """What the keyword side reads: the lesson, its evidence's quotes and projects' names."""
    projects = {as_path(e.cwd).name for e in lesson.evidence if e.cwd}
    parts = [lesson.text, *(e.quote for e in lesson.evidence), *sorted(projects)]
    return normalize(" \n ".join(parts))


def normalize(text: str) -> str:
    return _WS.sub(" ", text.lower().replace("’", "'")).strip()


def terms(text: str) -> list[str]:
    """Words and code-like tokens (`uv run`, `web/lib/cart.ts`, `TS2339`), stop words out."""
    found = (t.strip(".:,-") for t in _TERM.findall(normalize(text)))
    return [_stem(t) for t in found if t and t not in _STOP and (len(t) > 1 or t.isdigit())]


def _stem(term: str) -> str:
    """Plurals as singulars (`migrations` finds `migration`); code-like terms stay exact."""
    if len(term) > 3 and term.endswith("s") and not term.endswith("ss") and term.isalpha():
        return term[:-1]
    return term


def code_like(term: str) -> bool:
    """Paths, flags, dotted names, error codes: the terms that name one exact thing."""
    return any(c in term for c in "/._-:@") or (
        any(c.isdigit() for c in term) and any(c.isalpha() for c in term)
    )


def phrases(query: str) -> list[str]:
    """The exact strings to look for: the whole query, and anything quoted in it."""
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(query)]
    found = [normalize(query), *(normalize(q) for q in quoted)]
    return [p for p in dict.fromkeys(found) if len(p) >= 6]


class KeywordScorer:
    """Scores documents for one query: exact phrases first, then rare and code-like terms."""

    def __init__(self, query: str, frequency: Callable[[str], int], documents: int) -> None:
        self.phrases = phrases(query)
        self.terms = list(dict.fromkeys(terms(query)))
        self.weights = {
            t: math.log(1 + documents / (1 + frequency(t))) * (2.0 if code_like(t) else 1.0)
            for t in self.terms
        }
        self.total = sum(self.weights.values())

    def scores(self, index: SearchIndex) -> npt.NDArray[np.float64]:
        """1.0 where a phrase is found verbatim, else the weighted share of terms found."""
        found = np.zeros(len(index.documents), dtype=np.float64)
        for term, weight in self.weights.items():
            hits = index.postings.get(term)
            if code_like(term):  # a path or a flag may sit inside a longer token
                inside = [i for i, d in enumerate(index.documents) if term in d]
                hits = np.array(inside, dtype=np.int64)
            if hits is not None and len(hits):
                found[hits] += weight
        if self.total:
            found /= self.total
        for phrase in self.phrases:
            for i, document in enumerate(index.documents):
                if phrase in document:
                    found[i] = 1.0
        return found

    def matched(self, document: str, words: frozenset[str]) -> tuple[str, ...]:
        exact = tuple(p for p in self.phrases if p in document)
        if exact:
            return exact
        return tuple(t for t in self.terms if t in words or (code_like(t) and t in document))
