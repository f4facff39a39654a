"""Precision, recall and F1 on a tiny hand-made gold/prediction pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.errors import ConfigError
from metis_distill.evaluate.gold import GoldFix, GoldLesson, load_gold
from metis_distill.evaluate.match import Prediction, match
from metis_distill.evaluate.metrics import recall_by, scores


def words(a: str, b: str) -> float:
    """A plain word-overlap similarity, enough for hand-made texts."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / len(wa | wb)


GOLDS = [
    GoldLesson("a.jsonl", "failure", "ruff is missing use uv run ruff", ("ruff",), ((3, 5),)),
    GoldLesson("a.jsonl", "decision", "one shared queue for jobs", ("queue",), ((9, 9),)),
    GoldLesson(
        "b.jsonl", "gotcha", "the cli ignores its language setting", ("language",), ((2, 4),)
    ),
]
PREDS = [
    Prediction("1", "a.jsonl", "failure", "`ruff` is not on the PATH; use uv run ruff", ((4, 4),)),
    Prediction("2", "a.jsonl", "failure", "Expect `ls` to fail here", ((20, 21),)),
    Prediction(
        "3", "b.jsonl", "gotcha", "Note that the cli ignores the language setting", ((3, 3),)
    ),
]


def test_scores_per_kind_and_overall() -> None:
    matched = match(GOLDS, PREDS, words)
    assert matched == [(0, 0), (2, 2)]
    s = scores(GOLDS, PREDS, matched)
    assert (s["failure"].tp, s["failure"].fp, s["failure"].fn) == (1, 1, 0)
    assert s["failure"].precision == 0.5 and s["failure"].recall == 1.0
    assert s["failure"].f1 == pytest.approx(2 / 3)
    assert (s["decision"].tp, s["decision"].fp, s["decision"].fn) == (0, 0, 1)
    assert s["decision"].f1 == 0.0
    assert (s["overall"].tp, s["overall"].fp, s["overall"].fn) == (2, 1, 1)
    assert s["overall"].precision == pytest.approx(2 / 3)
    assert s["overall"].recall == pytest.approx(2 / 3)


def test_recall_by_format() -> None:
    matched = match(GOLDS, PREDS, words)
    by = recall_by(GOLDS, matched, {"a.jsonl": "claude_code", "b.jsonl": "codex"})
    assert by == {"claude_code": (1, 2), "codex": (1, 1)}


def test_gold_files_load_and_bad_ones_are_named(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(
        "transcript: x/run.jsonl\nformat: codex\nlessons:\n"
        "  - kind: failure\n    gist: g\n    terms: [t]\n    evidence: [[1, 2], [5, 5]]\n"
        "    fix: use uv run\n    fix_terms: [uv run]\n    wrong_fix_terms: [pip install]\n"
    )
    [gold] = load_gold(tmp_path)
    assert gold.lessons[0].spans == ((1, 2), (5, 5))
    assert gold.lessons[0].fix == GoldFix("use uv run", ("uv run",), ("pip install",))
    (tmp_path / "bad.yaml").write_text(
        "transcript: x/run.jsonl\nlessons:\n  - kind: lesson\n    gist: g\n    evidence: [[1, 2]]\n"
    )
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_gold(tmp_path)


def test_the_repository_gold_is_valid() -> None:
    gold = load_gold(Path(__file__).parents[2] / "eval" / "gold")
    assert len(gold) >= 32  # every transcript of the corpus, an empty label included
    assert len({g.format for g in gold}) >= 2


@pytest.mark.parametrize(
    "fix",
    [
        "",  # a failure must say what fixed it, or `fix: null`
        "    fix: use uv run\n",  # a fix without the words that tell it from a wrong one
    ],
)
def test_a_failure_states_its_fix(tmp_path: Path, fix: str) -> None:
    (tmp_path / "f.yaml").write_text(
        "transcript: x/run.jsonl\nlessons:\n"
        f"  - kind: failure\n    gist: g\n    evidence: [[1, 2]]\n{fix}"
    )
    with pytest.raises(ConfigError, match="f.yaml"):
        load_gold(tmp_path)


def test_the_repository_gold_labels_every_failure_fix() -> None:
    gold = load_gold(Path(__file__).parents[2] / "eval" / "gold")
    failures = [lesson for g in gold for lesson in g.lessons if lesson.kind == "failure"]
    assert failures and all(lesson.fix is not None for lesson in failures)
