"""Every rendered line scored: good, wrong fix, invented fix, one-off; unlabeled lines refused."""

from __future__ import annotations

import pytest

from metis_distill.evaluate.block import (
    RenderedLesson,
    UnlabeledEvidence,
    block_scores,
    check_labeled,
    judge_lines,
)
from metis_distill.evaluate.gold import GoldFix, GoldLesson


def words(a: str, b: str) -> float:
    """A plain word-overlap similarity, enough for hand-made texts."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / len(wa | wb)


A, B = "codex/a.jsonl", "claude-code/b.jsonl"
GOLDS = [
    GoldLesson(
        A,
        "failure",
        "npm test fails with jest not found; npx jest passed right after",
        ("jest: not found", "npx jest"),
        ((10, 14),),
        GoldFix("npx jest", ("npx jest",), ("on a later try",)),
    ),
    GoldLesson(
        A,
        "failure",
        "deploy.sh is not executable; the run leaves it unfixed",
        ("deploy.sh", "permission denied"),
        ((30, 31),),
        GoldFix(None),
    ),
    GoldLesson(B, "decision", "keep money as integer cents", ("integer cents",), ((2, 2),)),
    GoldLesson(
        B, "gotcha", "sqlite ignores foreign keys without the pragma", ("foreign_keys",), ((9, 9),)
    ),
]


def line(
    text: str, kind: str = "failure", spans: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (),
    support: int = 1,
) -> RenderedLesson:  # fmt: skip
    return RenderedLesson(text[:10], kind, text, support, spans)


GOOD_FIX = line(
    "`npm test` fails (“jest: not found”); use `npx jest` instead.", spans=((A, ((10, 12),)),)
)
WRONG_FIX = line(
    "`npm test` failed with “jest: not found”; it passed on a later try.", spans=((A, ((10, 12),)),)
)
INVENTED = line(
    "`./deploy.sh` fails (“permission denied”); use `sudo ./deploy.sh` instead.",
    spans=((A, ((30, 30),)),),
)
ONE_OFF = line("Expect `./deploy.sh` to fail here: “permission denied”.", spans=((A, ((30, 30),)),))
RECURRING = line(
    "Expect `make` to fail: “no rule”.", spans=((A, ((50, 50),)), (B, ((40, 40),))), support=2
)
DECISION = line("Keep money as integer cents, never floats.", "decision", spans=((B, ((2, 2),)),))


def test_a_wrong_fix_is_a_false_positive_and_counted() -> None:
    [result] = judge_lines(GOLDS, [WRONG_FIX], words)
    assert not result.good and result.matched == () and result.wrong
    scores = block_scores(GOLDS, [result])["failure"]
    assert (scores.lines, scores.good, scores.wrong_fix, scores.found) == (1, 0, 1, 0)


def test_a_fix_invented_where_the_run_shows_none_is_wrong() -> None:
    [result] = judge_lines(GOLDS, [INVENTED], words)
    assert not result.good
    assert [v.value for _, v in result.wrong] == ["invented"]


def test_the_right_fix_and_a_plain_warning_are_good() -> None:
    results = judge_lines(GOLDS, [GOOD_FIX, ONE_OFF, DECISION], words)
    assert [r.good for r in results] == [True, True, True]
    overall = block_scores(GOLDS, results)["overall"]
    assert (overall.lines, overall.good, overall.wrong_fix, overall.found, overall.gold) == (
        3,
        3,
        0,
        3,
        4,
    )
    assert overall.precision == 1.0 and overall.recall == 0.75


def test_one_off_share() -> None:
    """Support 1 and neither a remedy nor a rule: only the plain warning seen once."""
    lines = [GOOD_FIX, ONE_OFF, RECURRING, DECISION]
    assert [x.one_off for x in lines] == [False, True, False, False]
    overall = block_scores(GOLDS, judge_lines(GOLDS, lines, words))["overall"]
    assert overall.one_off == 1 and overall.one_off_share == 0.25


def test_a_line_from_an_unlabeled_transcript_is_refused() -> None:
    stray = line("Use `uv run` here.", spans=((A, ((1, 1),)), ("aider/unlabeled.md", ((5, 6),))))
    with pytest.raises(UnlabeledEvidence, match="aider/unlabeled.md"):
        check_labeled((p for p, _ in stray.spans), {A, B})
    check_labeled((p for p, _ in GOOD_FIX.spans), {A, B})  # labeled: no error
