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
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from metis_distill.retrieve.store import Lesson, Snapshot
from metis_distill.retrieve.vectors import VectorCache
from metis_distill.targets import as_path

VECTOR_WEIGHT = 0.6
KEYWORD_WEIGHT = 0.4
MIN_SIMILARITY = 0.25  # below this, and with no keyword, a lesson is not a hit at all
SHOWN_STATUSES = frozenset({"active"})

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
    """One snapshot made ready for queries: documents, their terms, the lesson vectors."""

    def __init__(self, snapshot: Snapshot, vectors: VectorCache) -> None:
        self.snapshot = snapshot
        self.vectors = vectors
        self.lessons = snapshot.lessons
        self.documents = [haystack(v) for v in self.lessons]
        self.terms = [frozenset(terms(d)) for d in self.documents]
        self.frequency = Counter(t for found in self.terms for t in found)
        self.matrix = vectors.matrix([v.text for v in self.lessons])

    def rank(self, query: Query) -> list[Hit]:
        """Every lesson that passes the filters and bears on the query at all, best first."""
        pool = [i for i, v in enumerate(self.lessons) if _passes(v, query)]
        if not pool or not query.text.strip():
            return []
        asked = self.vectors.query(clauses(query.text))
        similarity = (self.matrix[pool] @ asked.T).max(axis=1).tolist()
        keywords = KeywordScorer(query.text, self.frequency, len(self.lessons))
        hits = []
        for i, sim in zip(pool, similarity, strict=True):
            kw, matched = keywords.score(self.documents[i], self.terms[i])
            if kw > 0 or sim >= MIN_SIMILARITY:
                score = VECTOR_WEIGHT * max(sim, 0.0) + KEYWORD_WEIGHT * kw
                hits.append(Hit(self.lessons[i], score, sim, kw, matched))
        return sorted(hits, key=lambda h: (-h.score, h.lesson.id))

    def search(self, query: Query) -> list[Hit]:
        """The best `query.limit` lessons for the query, best first (ties broken by id)."""
        return self.rank(query)[: query.limit]


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

    def __init__(self, query: str, frequency: Counter[str], documents: int) -> None:
        self.phrases = phrases(query)
        self.terms = list(dict.fromkeys(terms(query)))
        self.weights = {
            t: math.log(1 + documents / (1 + frequency[t])) * (2.0 if code_like(t) else 1.0)
            for t in self.terms
        }
        self.total = sum(self.weights.values())

    def score(self, document: str, words: frozenset[str]) -> tuple[float, tuple[str, ...]]:
        exact = [p for p in self.phrases if p in document]
        if exact:
            return 1.0, tuple(exact)
        matched = tuple(t for t in self.terms if t in words or (code_like(t) and t in document))
        if not self.total:
            return 0.0, ()
        return sum(self.weights[t] for t in matched) / self.total, matched
