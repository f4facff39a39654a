"""A call turned down with a program's name for a reason, then that program run and working:
the user's choice of program, as a decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, result

REJECTED = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
    "was a file edit, the new_string was NOT written to the file). The user provided the "
    "following reason for the rejection:  {reason}"
)


def decisions(
    tmp_path: Path, reason: str, retry: str, output: str, error: bool = False
) -> list[str]:
    records = [
        call("t1", "pnpm dev > /tmp/dev.log 2>&1"),
        result("t1", REJECTED.format(reason=reason), True),
        call("t2", retry),
        result("t2", output, error),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.DECISION]
    return [c.text for c in RulesExtractor().extract(run, episodes, read_lines(path))]


def test_the_program_named_as_the_reason_and_working_is_the_users_choice(tmp_path: Path) -> None:
    assert decisions(tmp_path, "npm", "npm run dev > /tmp/dev.log 2>&1", "✓ Ready in 2.7s") == [
        "Use `npm` here, not `pnpm`: the user turned down `pnpm dev` saying “npm”, and "
        "`npm run dev` worked."
    ]


@pytest.mark.parametrize(
    ("reason", "retry", "output", "error"),
    [
        ("npm", "npm run dev", "Error: Cannot find module 'next'", True),  # it did not work
        ("npm", "yarn dev", "ready", False),  # another program run: the reason said more
        ("pnpm", "pnpm dev --port 4000", "ready", False),  # the same program: no switch
        ("use npm, the lockfile is npm's", "npm run dev", "ready", False),  # a sentence
    ],
)
def test_no_choice_unless_the_named_program_ran_next_and_worked(
    tmp_path: Path, reason: str, retry: str, output: str, error: bool
) -> None:
    assert decisions(tmp_path, reason, retry, output, error) == []


@pytest.mark.parametrize(
    ("rejected", "reason", "retry", "text"),
    [
        ("sudo apt-get install -y jq", "brew", "brew install jq",
         "Use `brew` here, not `apt-get`: the user turned down `sudo apt-get install -y jq` "
         "saying “brew”, and `brew install jq` worked."),
        ("NODE_ENV=development pnpm dev", "npm", "npm run dev",
         "Use `npm` here, not `pnpm`: the user turned down `NODE_ENV=development pnpm dev` "
         "saying “npm”, and `npm run dev` worked."),
        ("rm -rf build", "ls", "ls build", None),  # another thing done, not the same another way
    ],
)  # fmt: skip
def test_the_program_is_read_past_sudo_and_settings_and_must_do_the_same_job(
    tmp_path: Path, rejected: str, reason: str, retry: str, text: str | None
) -> None:
    records = [
        call("t1", rejected),
        result("t1", REJECTED.format(reason=reason), True),
        call("t2", retry),
        result("t2", "done"),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.DECISION]
    found = [c.text for c in RulesExtractor().extract(run, episodes, read_lines(path))]
    assert found == ([text] if text else [])
