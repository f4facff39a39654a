"""The remedy a lesson states, read from its text, and its verdict against a gold fix."""

from __future__ import annotations

import pytest

from metis_distill.evaluate.gold import GoldFix
from metis_distill.evaluate.remedy import FixVerdict, judge_fix, mentions, stated_remedy

STATED = [
    ("`npm test` fails here (“jest: not found”); use `npx jest` instead.", "use npx jest instead"),
    ("`pytest` failed with “E1”; it passed after editing `test_x.py`.", "passed after editing"),
    ("`make` failed with “E2”; it passed on a later try.", "passed on a later try"),
    ("Re-read the file before Edit on `a.py`: it failed with “not found”.", "re-read the file"),
    ("User correction: Do not run commands here, answer with instructions.", "do not run"),
    ("The build broke on the cache. Fix: clear `~/.cache/x` first.", "clear ~/.cache/x"),
    ("Never pass `--force` to the deploy script.", "never pass --force"),
    ("If tasks.md is missing, rerun the check without the flag.", "rerun the check"),
]
NONE_STATED = [
    # the error message says what to do; the lesson does not
    "Expect `check.sh` to fail here: “tasks.md not found. Run /kit.tasks first.” (no working fix seen yet).",
    # a description that merely contains "instead of"
    "The issue is that the warning is about `ConfigureLogging` instead of `builder.Logging`.",
    "The CLI does not accept a flag like `--spec-file`.",
    "In Next.js 15, `cookies()` is async.",
]


@pytest.mark.parametrize(("text", "remedy"), STATED)
def test_stated_remedy(text: str, remedy: str) -> None:
    found = stated_remedy(text)
    assert found is not None and remedy in found


@pytest.mark.parametrize("text", NONE_STATED)
def test_no_remedy(text: str) -> None:
    assert stated_remedy(text) is None


def test_terms_start_at_a_word() -> None:
    assert mentions("S:", "moved the volume to S:/04")
    assert not mentions("S:", "browse https://localhost")
    assert not mentions("sed", "the script used perl")
    assert mentions("read", "re-read the file")
    assert mentions("docker ps` instead", "use `docker ps` instead")


TASKS = GoldFix(
    "run /kit.tasks, which wrote tasks.md",
    ("kit.tasks",),
    ("without --require-tasks", "check.sh --json` instead"),
)
FAILS = "`check.sh --json --require-tasks` fails here (“tasks.md not found. Run /kit.tasks first.”)"


@pytest.mark.parametrize(
    ("gold", "text", "fix", "verdict"),
    [
        (TASKS, FAILS + "; run `/kit.tasks` first.", None, FixVerdict.AGREES),
        # the remedy the run shows to be wrong: skip the check
        (TASKS, FAILS + "; use `check.sh --json` instead.", None, FixVerdict.WRONG),
        # a remedy with none of the fix's words (the error quote does not count)
        (TASKS, FAILS + "; it passed on a later try.", None, FixVerdict.WRONG),
        (TASKS, FAILS + " (no working fix seen yet).", None, FixVerdict.NONE_STATED),
        # the extractor's own fix field wins over the text
        (TASKS, FAILS + ".", "run /kit.tasks", FixVerdict.AGREES),
        (TASKS, FAILS + ".", "rerun it", FixVerdict.WRONG),
        # the run shows no fix: any remedy is invented
        (GoldFix(None), "`deploy.sh` fails (“E3”); use `sudo` instead.", None, FixVerdict.INVENTED),
        (GoldFix(None), "Expect `deploy.sh` to fail here: “E3”.", None, FixVerdict.NONE_STATED),
        (None, "Use Zod for validation.", None, FixVerdict.UNJUDGED),
    ],
)
def test_judge_fix(gold: GoldFix | None, text: str, fix: str | None, verdict: FixVerdict) -> None:
    assert judge_fix(gold, text, fix) is verdict
