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
    return decided(tmp_path, records)


def decided(tmp_path: Path, records: list[dict[str, object]]) -> list[str]:
    """The decisions the rules extractor finds in a transcript of `records`."""
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
    ("reason", "said"),
    [("use npm", "use npm"), ("Use NPM instead.", "Use NPM instead."), ("try `npm`", "try `npm`")],
)
def test_a_reason_telling_to_use_the_program_is_the_same_choice(
    tmp_path: Path, reason: str, said: str
) -> None:
    assert decisions(tmp_path, reason, "npm run dev > /tmp/dev.log 2>&1", "✓ Ready in 2.7s") == [
        f"Use `npm` here, not `pnpm`: the user turned down `pnpm dev` saying “{said}”, and "
        "`npm run dev` worked."
    ]


@pytest.mark.parametrize(
    ("reason", "retry", "output", "error"),
    [
        ("npm", "npm run dev", "Error: Cannot find module 'next'", True),  # it did not work
        ("use the npm script", "npm run dev", "ready", False),  # more than a program's name
        ("don't use npm", "npm run dev", "ready", False),
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
        ("python manage.py check", "use uv run", "uv run python manage.py check",
         "Use `uv` here, not `python`: the user turned down `python manage.py check` saying "
         "“use uv run”, and `uv run python manage.py check` worked."),
        ("source .env || true; python manage.py check 2>&1", "use uv run",
         "source .env || true; uv run python manage.py check 2>&1",
         "Use `uv` here, not `python`: the user turned down `python manage.py check` saying "
         "“use uv run”, and `uv run python manage.py check` worked."),
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
    assert decided(tmp_path, records) == ([text] if text else [])


def test_the_reason_in_the_newer_wording_is_read_as_well(tmp_path: Path) -> None:
    said = (
        "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. "
        "if it was a file edit, the new_string was NOT written to the file). To tell you how "
        "to proceed, the user said:\nuse uv run"
    )
    records = [
        call("t1", "python -m pytest -q tests/test_api.py"),
        result("t1", said, True),
        call("t2", "uv run python -m pytest -q tests/test_api.py"),
        result("t2", "3 passed in 0.41s"),
    ]
    assert decided(tmp_path, records) == [
        "Use `uv` here, not `python`: the user turned down `python -m pytest -q "
        "tests/test_api.py` saying “use uv run”, and `uv run python -m pytest -q "
        "tests/test_api.py` worked."
    ]
