"""What the eval's worst misses taught the miner and the rules extractor (issue 7):
choices users state mid-sentence, and errors whose cause the error itself tells."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonKind
from metis_distill.provenance import quote_in_lines
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, result, say


@pytest.mark.parametrize(
    "said",
    [
        "I want everything, not just subagents but skills, plugins and hooks, into globally.",
        "We want the exporter to write not only CSV but JSON as well for this report.",
        # "just" after "is" says "merely": the session's aim, no choice between options
        "We want to turn the tutorial into a game somehow..this is just a brainstorming session",
        "We want it to feel playful, it's just a first sketch of the idea.",
        # where the work is to end up: its aim, no choice that stands today
        "Ultimately I want to be able to port the env to a Dockerfile instead of the whole image.",
        # the user unsure of what they want: thinking aloud, no choice
        "Idkk i dont want it to read like a war story..the plot just isnt landing idk",
    ],
)
def test_not_just_or_not_only_is_no_choice(tmp_path: Path, said: str) -> None:
    """ "not just X but Y" includes, where "just X" would have chosen."""
    run = parse_file(_write(tmp_path, [say("user", said)]), tmp_path)
    assert [e.signal for e in find_episodes(run) if e.kind is LessonKind.DECISION] == []


def test_user_choices_are_decisions(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            say("user", "I want one shared queue instead of a queue per worker, it is simpler."),
            say("user", "I want to update my spec to remove the sharding and just have one queue."),
            say(
                "user",
                "The forms use UIkit instead of Bootstrap, can you confirm and save the preference",
            ),
            say("user", "I want that reviewed by a person first."),  # no choice between options
            say("user", "We want the export to be just the CSV, no JSON."),
            say("user", "We prefer that each endpoint is just one file, no shared helpers."),
            say("assistant", "Only supports the predefined actions, so it can't launch apps."),
            say("user", "Yes, add it to the window manager's config instead."),
        ],
    )
    run = parse_file(path, path.parent)
    found = [(e.kind, e.signal) for e in find_episodes(run)]
    # "I want to update my spec …" is today's task, and "can you confirm and save the
    # preference" asks: neither decides
    assert found == [
        (LessonKind.DECISION, "user_choice"),
        (LessonKind.DECISION, "user_choice"),
        (LessonKind.DECISION, "user_choice"),
        (LessonKind.GOTCHA, "gotcha"),
    ]


@pytest.mark.parametrize(
    ("first", "second", "fragment"),
    [
        (
            ("./a.sh --json", "/usr/bin/env: ‘bash\\r’: No such file or directory"),
            ("bash b.sh", "b.sh: line 2: $'\\r': command not found"),
            "CRLF",
        ),
        (
            (".specify/x/a.sh", "(eval):1: permission denied: .specify/x/a.sh"),
            (".specify/x/b.sh --json", "(eval):1: permission denied: .specify/x/b.sh"),
            "not executable",
        ),
    ],
)
def test_known_causes_get_one_wording_whatever_the_command(
    tmp_path: Path, first: tuple[str, str], second: tuple[str, str], fragment: str
) -> None:
    path = _write(
        tmp_path,
        [
            call("t1", first[0]),
            result("t1", f"Exit code 1\n{first[1]}", error=True),
            call("t2", second[0]),
            result("t2", f"Exit code 1\n{second[1]}", error=True),
        ],
    )
    run = parse_file(path, path.parent)
    lines = read_lines(path)
    found = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert len(found) == 2
    assert found[0].text == found[1].text  # one lesson, two pieces of evidence
    assert fragment in found[0].text
    ref = found[0].evidence.ref
    assert quote_in_lines(lines, ref.line_start, ref.line_end, found[0].evidence.quote)
