"""zsh keeps an unquoted `$VAR` of several words one word: the program names the whole list
as one missing file. One lesson, whatever the variable, with the words written inline its way."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.fixes import FixKind
from metis_distill.mine.word_split import WORD_SPLIT_FIX, WORD_SPLIT_TEXT
from metis_distill.models import LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, failure_lessons, result

SET = 'FILES="build.sh docs/guide.md README.md" && sed -i "s|old|new|g" $FILES'
ONE_NAME = (
    "Exit code 2\nsed: can't read build.sh docs/guide.md README.md: No such file or directory"
)


def test_the_words_written_in_the_call_are_the_way(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            call("t1", SET),
            result("t1", ONE_NAME, True),
            call("t2", 'sed -i "s|old|new|g" build.sh docs/guide.md README.md'),
            result("t2", "Exit code 2\nsed: can't read docs/guide.md: No such file or directory"),
        ],
    )
    run = parse_file(path, path.parent)
    (episode,) = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE][:1]
    assert episode.fix is not None and episode.fix.kind is FixKind.INLINED
    (lesson, *_) = RulesExtractor().extract(run, [episode], read_lines(path))
    assert (lesson.text, lesson.fix) == (WORD_SPLIT_TEXT, WORD_SPLIT_FIX)


@pytest.mark.parametrize(
    ("command", "output", "told"),
    [
        (SET, ONE_NAME, True),
        ("export FILES='a.md b.md'; for f in ${FILES}; do wc -l $f; done",
         "wc: 'a.md b.md': No such file or directory", True),
        # quoted on use: one word in any shell, the call's own doing
        ('FILES="build.sh docs/guide.md README.md" && sed -i "s|a|b|g" "$FILES"', ONE_NAME, False),
        # a name with a space that no variable held
        ('sed -i "s|a|b|g" "my notes.md"', "sed: can't read my notes.md: No such file or directory",
         False),
        # one path holding a space, really missing: no list of names
        ('CFG="/Users/me/Library/Application Support/Code/settings.json" && cat $CFG',
         "cat: /Users/me/Library/Application Support/Code/settings.json: No such file or directory",
         False),
        ('OUT="/Users/me/My Project/dist" && ls $OUT',
         "ls: /Users/me/My Project/dist: No such file or directory", False),
        # the words reached the program apart: one of them is missing, no zsh quirk
        (SET, "sed: can't read docs/guide.md: No such file or directory", False),
    ],
)  # fmt: skip
def test_only_a_whole_value_named_as_one_file_is_told(
    tmp_path: Path, command: str, output: str, told: bool
) -> None:
    found = failure_lessons(tmp_path, [call("t1", command), result("t1", output, True)])
    assert [c.text == WORD_SPLIT_TEXT for c in found].count(True) == (1 if told else 0)
