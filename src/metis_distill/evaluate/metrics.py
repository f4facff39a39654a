"""Precision, recall and F1 of predicted lessons against gold, per kind and overall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.evaluate.gold import GoldLesson
from metis_distill.evaluate.match import Prediction

KINDS = ("failure", "decision", "gotcha")


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def scores(
    golds: Sequence[GoldLesson], preds: Sequence[Prediction], matched: Sequence[tuple[int, int]]
) -> dict[str, Score]:
    """Per kind and `overall`: a matched pair is a true positive, an unmatched prediction a
    false positive, an unmatched gold lesson a false negative."""
    gold_hit = {i for i, _ in matched}
    pred_hit = {j for _, j in matched}
    result = {}
    for kind in (*KINDS, "overall"):
        tp = sum(1 for i, _ in matched if _counts(kind, golds[i].kind))
        fp = sum(1 for j, p in enumerate(preds) if _counts(kind, p.kind) and j not in pred_hit)
        fn = sum(1 for i, g in enumerate(golds) if _counts(kind, g.kind) and i not in gold_hit)
        result[kind] = Score(tp, fp, fn)
    return result


def _counts(row: str, kind: str) -> bool:
    return row in ("overall", kind)


def recall_by(
    golds: Sequence[GoldLesson], matched: Sequence[tuple[int, int]], group: dict[str, str]
) -> dict[str, tuple[int, int]]:
    """(found, total) gold lessons per group of transcripts (their format, say)."""
    hit = {i for i, _ in matched}
    out: dict[str, tuple[int, int]] = {}
    for i, gold in enumerate(golds):
        name = group.get(gold.path, "?")
        found, total = out.get(name, (0, 0))
        out[name] = (found + (i in hit), total + 1)
    return out


@dataclass(frozen=True)
class BlockScore:
    """The rendered block against gold: `good` of `lines` were right (precision), `found` of
    `gold` lessons were rendered by a good line (recall)."""

    lines: int
    good: int
    wrong_fix: int
    one_off: int
    found: int
    gold: int

    @property
    def precision(self) -> float:
        return self.good / self.lines if self.lines else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def one_off_share(self) -> float:
        return self.one_off / self.lines if self.lines else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "lines": self.lines,
            "good": self.good,
            "wrong_fix": self.wrong_fix,
            "one_off": self.one_off,
            "found": self.found,
            "gold": self.gold,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "one_off_share": round(self.one_off_share, 4),
        }
