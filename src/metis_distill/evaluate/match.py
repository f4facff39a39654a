"""The matching rule between predicted and gold lessons (written down in docs/eval.md).

A prediction matches a gold lesson when all three hold:
1. the same kind (failure, decision, gotcha);
2. the same transcript, and one of the prediction's evidence spans overlaps one of the gold's
   line ranges (inclusive, at least one shared line);
3. similar text: the cosine similarity of the two texts' embeddings is at least
   `MIN_COSINE`, or at least `MIN_TERM_SHARE` of the gold lesson's terms occur in the
   prediction's text (case-insensitive, whitespace folded);
4. no wrong fix: the remedy the prediction states does not contradict the fix the gold label
   records (`remedy.judge_fix`): similar words with a wrong remedy are no credit.

Each gold lesson is found at most once. Candidate pairs are taken best score first (a term
share counts as much as a cosine), one to one, so a second prediction saying the same thing
again is a false positive; then a gold lesson still unfound goes to the best prediction that
matches it on its own (lines and text) although it found another: a lesson generalized over
instances of one cause that the gold lists apart finds them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from metis_distill.evaluate.gold import GoldLesson, Span
from metis_distill.evaluate.remedy import FixVerdict, judge_fix, mentions, unquoted

MIN_COSINE = 0.5
MIN_TERM_SHARE = 0.5
_WS = re.compile(r"\s+")

Similarity = Callable[[str, str], float]


@dataclass(frozen=True)
class Prediction:
    """A distilled lesson as seen in one transcript: its evidence spans in that file."""

    lesson_id: str
    path: str
    kind: str
    text: str
    spans: tuple[Span, ...]
    fix: str | None = None  # the remedy the extractor stated apart from the text, if any

    def verdict(self, gold: GoldLesson) -> FixVerdict:
        return judge_fix(gold.fix, self.text, self.fix)


def overlaps(a: Sequence[Span], b: Sequence[Span]) -> bool:
    return any(x0 <= y1 and y0 <= x1 for x0, x1 in a for y0, y1 in b)


def _fold(text: str) -> str:
    return _WS.sub(" ", text.lower()).strip()


def term_share(terms: Sequence[str], text: str) -> float:
    """The share of terms found in the text; 0 when there are no terms."""
    if not terms:
        return 0.0
    folded = _fold(text)
    return sum(_fold(t) in folded for t in terms) / len(terms)


def score(gold: GoldLesson, pred: Prediction, similarity: Similarity) -> float | None:
    """How well a prediction matches a gold lesson, or None when it does not match."""
    if gold.kind != pred.kind:
        return None
    found = _likeness(gold, pred, similarity)
    if found is None or pred.verdict(gold).is_wrong:
        return None
    return found


def related(gold: GoldLesson, pred: Prediction, similarity: Similarity) -> bool:
    """The prediction speaks of the gold lesson's episode, whatever its kind: the same lines
    and similar text, or the same lines and a remedy the label marks as wrong."""
    if gold.path != pred.path or not overlaps(gold.spans, pred.spans):
        return False
    if gold.fix is not None and any(mentions(t, unquoted(pred.text)) for t in gold.fix.wrong_terms):
        return True
    return _likeness(gold, pred, similarity) is not None


def _likeness(gold: GoldLesson, pred: Prediction, similarity: Similarity) -> float | None:
    """Rules 2 and 3: the same lines of the same transcript, similar text."""
    if gold.path != pred.path or not overlaps(gold.spans, pred.spans):
        return None
    terms = term_share(gold.terms, pred.text)
    cosine = similarity(gold.gist, pred.text)
    if cosine < MIN_COSINE and terms < MIN_TERM_SHARE:
        return None
    return max(cosine, terms)


def match(
    golds: Sequence[GoldLesson], preds: Sequence[Prediction], similarity: Similarity
) -> list[tuple[int, int]]:
    """(gold index, prediction index) pairs, best score first: one to one, then each gold
    lesson still unfound to the best prediction that matches it as well (each gold once)."""
    pairs = []
    for i, gold in enumerate(golds):
        for j, pred in enumerate(preds):
            found = score(gold, pred, similarity)
            if found is not None:
                pairs.append((found, i, j))
    ranked = sorted(pairs, key=lambda p: (-p[0], p[1], p[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matched = []
    for _, i, j in ranked:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            matched.append((i, j))
    for _, i, j in ranked:
        if i not in used_gold:
            used_gold.add(i)
            matched.append((i, j))
    return sorted(matched)
