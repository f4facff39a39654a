"""The rendered block scored line by line against gold: what a user of the context file sees.

Every rendered line is scored. A line is good when one of its transcripts' evidence matches a
gold lesson (`match.score`) and no remedy it states contradicts a gold fix; it is a wrong fix
when its remedy contradicts the fix of a gold lesson about the same episode (`match.related`),
matched or not. A line whose evidence lies in a transcript without a gold file cannot be
scored: that is an error, not a line left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from metis_distill.errors import ConfigError
from metis_distill.evaluate.gold import GoldLesson, Span
from metis_distill.evaluate.match import Prediction, Similarity, match, related
from metis_distill.evaluate.metrics import KINDS, BlockScore
from metis_distill.evaluate.remedy import FixVerdict, stated_remedy
from metis_distill.models import LessonKind


class UnlabeledEvidence(ConfigError):
    """A rendered line's evidence lies in a transcript that has no gold file."""


@dataclass(frozen=True)
class RenderedLesson:
    """One line of the block: its lesson's kind, the text as rendered, the number of sessions
    behind it and its evidence spans per transcript."""

    lesson_id: str
    kind: str
    text: str
    support: int
    spans: tuple[tuple[str, tuple[Span, ...]], ...]  # (transcript, spans) pairs
    fix: str | None = None

    @property
    def one_off(self) -> bool:
        """Seen in one session, and neither a remedy nor a rule: nothing to act on next time."""
        if self.support > 1 or self.kind == LessonKind.DECISION:
            return False
        return self.fix is None and stated_remedy(self.text) is None

    def predictions(self) -> list[Prediction]:
        return [
            Prediction(self.lesson_id, path, self.kind, self.text, spans, self.fix)
            for path, spans in self.spans
        ]


@dataclass(frozen=True)
class LineResult:
    lesson: RenderedLesson
    matched: tuple[int, ...]  # the gold lessons it found
    wrong: tuple[tuple[int, FixVerdict], ...]  # the gold lessons whose fix it contradicts

    @property
    def good(self) -> bool:
        return bool(self.matched) and not self.wrong

    def as_dict(self, golds: Sequence[GoldLesson]) -> dict[str, object]:
        """The line and its verdict, for the eval's JSON."""
        return {
            "id": self.lesson.lesson_id,
            "kind": self.lesson.kind,
            "text": self.lesson.text,
            "support": self.lesson.support,
            "transcripts": [path for path, _ in self.lesson.spans],
            "good": self.good,
            "one_off": self.lesson.one_off,
            "matches": [golds[i].gist for i in self.matched],
            "wrong_fix": [
                {"gold": golds[i].gist, "fix": _fix_of(golds[i]), "verdict": v.value}
                for i, v in self.wrong
            ],
        }


def _fix_of(gold: GoldLesson) -> str | None:
    return gold.fix.fix if gold.fix is not None else None


def check_labeled(evidence_paths: Iterable[str], labeled: set[str]) -> None:
    """Refuse to score lessons with evidence in a transcript that has no gold file."""
    missing = sorted({p for p in evidence_paths if p not in labeled})
    if missing:
        raise UnlabeledEvidence(
            f"{len(missing)} transcript(s) holding evidence of lessons have no gold file: "
            + ", ".join(missing[:5]),
            hint="label every transcript of the archive (an empty `lessons: []` when there is "
            "nothing to learn from it)",
        )


def judge_lines(
    golds: Sequence[GoldLesson], lessons: Sequence[RenderedLesson], similarity: Similarity
) -> list[LineResult]:
    preds: list[Prediction] = []
    owner: list[int] = []
    for i, lesson in enumerate(lessons):
        for pred in lesson.predictions():
            preds.append(pred)
            owner.append(i)
    pairs = match(golds, preds, similarity)
    matched: list[list[int]] = [[] for _ in lessons]
    for gi, pj in pairs:
        matched[owner[pj]].append(gi)
    wrong: list[list[tuple[int, FixVerdict]]] = [[] for _ in lessons]
    for pj, pred in enumerate(preds):
        for gi, gold in enumerate(golds):
            verdict = pred.verdict(gold)
            if verdict.is_wrong and related(gold, pred, similarity):
                wrong[owner[pj]].append((gi, verdict))
    return [
        LineResult(lesson, tuple(matched[i]), tuple(wrong[i])) for i, lesson in enumerate(lessons)
    ]


def block_scores(
    golds: Sequence[GoldLesson], results: Sequence[LineResult]
) -> dict[str, BlockScore]:
    """Per kind and `overall`: the share of good lines (precision), of gold lessons a good
    line found (recall), wrong fixes and one-off lines."""
    found = {gi for r in results if r.good for gi in r.matched}
    out = {}
    for kind in (*KINDS, "overall"):
        rows = [r for r in results if kind in ("overall", r.lesson.kind)]
        gold = [i for i, g in enumerate(golds) if kind in ("overall", g.kind)]
        out[kind] = BlockScore(
            lines=len(rows),
            good=sum(r.good for r in rows),
            wrong_fix=sum(bool(r.wrong) for r in rows),
            one_off=sum(r.lesson.one_off for r in rows),
            found=sum(i in found for i in gold),
            gold=len(gold),
        )
    return out
