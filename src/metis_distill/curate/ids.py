"""Stable ids from content: a re-run upserts instead of duplicating."""

from __future__ import annotations

import re
import uuid

from metis_distill.extract.settings import values_cut
from metis_distill.mine.text import one_spelling
from metis_distill.models import Evidence, LessonKind

_NAMESPACE = uuid.UUID("5b7f3c36-3c1e-4d8e-9a57-6d9e1c0b2f11")
_WS = re.compile(r"\s+")
# Chinese and Japanese write no spaces between words: their text is compared by pairs of
# characters, which hold most of its words; the words of other scripts (Korean, Cyrillic)
# stand between spaces, as English ones do.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]+")
_WORD = re.compile(r"[^\W\u3040-\u30ff\u3400-\u9fff]+")


def normalize_text(text: str) -> str:
    return _WS.sub(" ", text.strip().lower())


def lesson_id(kind: LessonKind | str, text: str) -> str:
    """The lesson's id from its words; a setting's value left out (a lesson whose way is a
    setting is one per program, error and setting, whichever value each run chose)."""
    return uuid.uuid5(_NAMESPACE, f"lesson:{kind}:{normalize_text(values_cut(text))}").hex[:10]


def evidence_id(lesson: str, evidence: Evidence, archive_root: str) -> str:
    ref = evidence.ref
    return span_id(lesson, archive_root, ref.path, ref.line_start, ref.line_end)


def span_id(lesson: str, archive_root: str, path: str, line_start: int, line_end: int) -> str:
    """A lesson's evidence at lines a..b of an archived file: the id its evidence row takes."""
    key = f"evidence:{lesson}:{archive_root}:{path}:{line_start}-{line_end}"
    return uuid.uuid5(_NAMESPACE, key).hex[:10]


def word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the words of two texts (the check after vector similarity)."""
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def mostly_non_latin(text: str) -> bool:
    """Most of the text's letters are of another script than Latin (Chinese, Japanese,
    Korean, Cyrillic): its vector, from an English model, tells little (one word swapped,
    简体 for 繁体, moves it nowhere)."""
    letters = [c for c in text if c.isalpha()]
    return sum(c > "\u024f" for c in letters) * 2 > len(letters)


def _words(text: str) -> set[str]:
    words = set(_WORD.findall(text.lower()))
    for run in _UNSPACED.findall(text):
        words.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return words


# Tokens that name something precise (a variable, a path, a flag, an error class): two texts
# about the same thing share them even when every other word differs.
_CODE = re.compile(r"`+([^`]+)`+")
_TOKEN_EDGES = "\"'“”‘’()[]{}<>,;:!?."
_ANCHOR = re.compile(
    r"\w[=_/.:@+-]\w|\d[a-z]|[a-z]\d|[a-z][A-Z]|^[A-Z][A-Z0-9]{2,}$|^--?[a-z]", re.ASCII
)
_QUOTED = re.compile(r"“([^”]+)”")


def anchors(text: str) -> frozenset[str]:
    """The precise names in a text: code spans and identifier-like tokens, lowercased."""
    found = {one_spelling(code.strip()).lower() for code in _CODE.findall(text) if code.strip()}
    for token in _CODE.sub(" ", text).split():
        token = token.strip(_TOKEN_EDGES)
        if len(token) >= 3 and _ANCHOR.search(token):
            found.add(token.lower())
    return frozenset(found)


def anchor_overlap(a: str, b: str) -> float:
    """Jaccard overlap of two texts' anchors; 0 when either has none."""
    wa, wb = anchors(a), anchors(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def quoted(text: str) -> str:
    """The quoted error text of a lesson (“…”), joined; "" when it quotes nothing."""
    return " ".join(_QUOTED.findall(text))
