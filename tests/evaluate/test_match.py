"""The matching rule: cases that must match and cases that must not (real embeddings)."""

from __future__ import annotations

import pytest

from metis_distill.evaluate.gold import GoldFix, GoldLesson
from metis_distill.evaluate.match import Prediction, match, overlaps, related, score, term_share
from metis_distill.evaluate.run import cosine_of

PATH = "claude-code/run.jsonl"
GOLD = GoldLesson(
    PATH,
    "failure",
    "The spec-kit scripts are not executable; chmod +x them before running.",
    ("permission denied", "chmod"),
    ((14, 17), (87, 90)),
)


def pred(text: str, kind: str = "failure", spans=((15, 16),), path: str = PATH) -> Prediction:  # type: ignore[no-untyped-def]
    return Prediction("abc", path, kind, text, tuple(spans))


MUST_MATCH = [
    # the extractor's own wording, about the same lines
    pred(
        "`.specify/scripts/bash/check.sh --json` fails here (“permission denied: .specify/x.sh”); use `chmod +x …` instead."
    ),
    # another place of the same lesson in the file
    pred("Scripts under .specify are not executable: run chmod +x first.", spans=((88, 88),)),
    # close meaning, no term in common
    pred(
        "The spec kit shell scripts lack the executable bit, so make them executable before you run them."
    ),
]
MUST_NOT_MATCH = [
    # the right words, the wrong kind
    pred("Permission denied on the scripts: chmod +x them.", kind="gotcha"),
    # the right words, lines that do not overlap
    pred("Permission denied on the scripts: chmod +x them.", spans=((30, 40),)),
    # the right words, another transcript
    pred("Permission denied on the scripts: chmod +x them.", path="codex/other.jsonl"),
    # the same lines, a different lesson
    pred("Use Google Analytics for the site's analytics."),
]


@pytest.mark.parametrize("prediction", MUST_MATCH)
def test_must_match(prediction: Prediction, embedder) -> None:  # type: ignore[no-untyped-def]
    assert score(GOLD, prediction, cosine_of(embedder)) is not None


@pytest.mark.parametrize("prediction", MUST_NOT_MATCH)
def test_must_not_match(prediction: Prediction, embedder) -> None:  # type: ignore[no-untyped-def]
    assert score(GOLD, prediction, cosine_of(embedder)) is None


def test_overlap_is_inclusive() -> None:
    assert overlaps([(10, 12)], [(12, 20)])
    assert not overlaps([(10, 12)], [(13, 20)])


def test_term_share_folds_case_and_space() -> None:
    assert term_share(("Permission  Denied", "chmod"), "permission denied, no chmod") == 1.0
    assert term_share(("chmod", "sudo"), "use chmod") == 0.5
    assert term_share((), "anything") == 0.0


def test_matching_is_one_to_one(embedder) -> None:  # type: ignore[no-untyped-def]
    twice = [MUST_MATCH[0], MUST_MATCH[1]]
    pairs = match([GOLD], twice, cosine_of(embedder))
    assert len(pairs) == 1  # the second prediction is a false positive, not a second hit


def test_a_generalized_prediction_finds_each_instance_once(embedder) -> None:  # type: ignore[no-untyped-def]
    dir_gold = GoldLesson(
        PATH,
        "failure",
        "`dir /B` in Git Bash takes /B as a path; use ls.",
        ("dir /b", "ls"),
        ((5, 6),),
    )
    tree_gold = GoldLesson(
        PATH,
        "failure",
        "tree and Get-ChildItem are not found in Git Bash; use POSIX commands.",
        ("tree", "get-childitem"),
        ((9, 9),),
    )
    general = pred(
        "Shell commands here run in bash: `dir /B`, `tree /F` or `Get-ChildItem` fail; use `ls`.",
        spans=((5, 6), (9, 9)),
    )
    again = pred("`dir /B` fails in Git Bash; use `ls` instead.", spans=((5, 6),))
    pairs = match([dir_gold, tree_gold], [general, again], cosine_of(embedder))
    assert sorted(i for i, _ in pairs) == [0, 1]  # both instances found, each once
    assert len(pairs) == 2
    alone = match([dir_gold, tree_gold], [general], cosine_of(embedder))
    assert alone == [(0, 0), (1, 0)]  # the one line covers both


# The words of a gold lesson are no credit when the line's remedy contradicts the run.
TASKS_GOLD = GoldLesson(
    PATH,
    "failure",
    "The implement step stops when tasks.md is missing; run /kit.tasks first to write it.",
    ("tasks.md", "kit.tasks"),
    ((40, 48),),
    GoldFix("run /kit.tasks, which wrote tasks.md", ("kit.tasks",), ("check.sh --json` instead",)),
)
JEST_GOLD = GoldLesson(
    PATH,
    "failure",
    "`npm test` fails with jest: not found; `npx jest` passed right after.",
    ("jest: not found", "npx jest"),
    ((60, 63),),
    GoldFix("npx jest", ("npx jest",)),
)
NO_FIX_GOLD = GoldLesson(
    PATH,
    "failure",
    "The sync script is not executable (permission denied); the run leaves it unfixed.",
    ("permission denied", "sync.sh"),
    ((70, 71),),
    GoldFix(None),
)
TASKS_FAIL = (
    "`check.sh --json --require-tasks` fails here (“tasks.md not found. Run /kit.tasks first.”)"
)
WRONG_FIXES = [
    # the term rule alone would match: tasks.md and kit.tasks are in the quoted error
    (TASKS_GOLD, pred(TASKS_FAIL + "; use `check.sh --json` instead.", spans=((40, 44),))),
    (
        JEST_GOLD,
        pred(
            "`npm test` failed with “jest: not found”; it passed on a later try.", spans=((60, 63),)
        ),
    ),
    (
        NO_FIX_GOLD,
        pred(
            "`./sync.sh` fails (“permission denied”); use `sudo ./sync.sh` instead.",
            spans=((70, 70),),
        ),
    ),
]
RIGHT_FIXES = [
    (TASKS_GOLD, pred(TASKS_FAIL + "; run `/kit.tasks` first.", spans=((40, 44),))),
    (
        JEST_GOLD,
        pred(
            "`npm test` fails here (“jest: not found”); use `npx jest` instead.", spans=((60, 63),)
        ),
    ),
    (NO_FIX_GOLD, pred("Expect `./sync.sh` to fail here: “permission denied”.", spans=((70, 70),))),
]


@pytest.mark.parametrize(("gold", "prediction"), WRONG_FIXES)
def test_a_wrong_fix_is_no_match(gold: GoldLesson, prediction: Prediction, embedder) -> None:  # type: ignore[no-untyped-def]
    similarity = cosine_of(embedder)
    assert score(gold, prediction, similarity) is None
    assert related(gold, prediction, similarity)  # still about that episode: a wrong fix


@pytest.mark.parametrize(("gold", "prediction"), RIGHT_FIXES)
def test_the_right_fix_matches(gold: GoldLesson, prediction: Prediction, embedder) -> None:  # type: ignore[no-untyped-def]
    assert score(gold, prediction, cosine_of(embedder)) is not None
