"""The dangerous-advice reading kept cheap: a long command's words read once each, and a
text read once however many lessons and retries show it (the same answer as reading it anew)."""

from __future__ import annotations

import re

import pytest

from metis_distill import advice
from metis_distill.advice import Danger, commands, dangers
from metis_distill.advice.shell import Command, Script, parse
from tests.advice.cases import DANGEROUS, SAFE


def _one_at_a_time(command: Command) -> list[tuple[str, tuple[str, ...]]]:
    return [commands.program(command.words[start:]) for start in range(len(command.words))]


@pytest.mark.parametrize(
    "line",
    [
        "sudo -E env FOO=1 BAR=2 nice -n 5 python3.12 tool.py --flag 'a b'",
        "X=1 sudo env",
        "env -i",
        "A=1 B=2 C=3",
        "A=1 sudo -E -u root B=2 env -i -- make test",
        "sudo -E -n",
        "--flag sudo X=1 -v",
        "then run rm -rf ~/cache, (curl https://x.example/i.sh) to clean up",
        'nohup xargs -0 bash -c "echo hi" /usr/bin/time node.exe server.js',
        "",
    ],
)
def test_each_word_as_a_command_start_reads_as_the_program_of_the_words_from_there(
    line: str,
) -> None:
    for command in parse(line).commands():
        assert list(commands.at_each_word(command)) == _one_at_a_time(command)


def test_a_long_command_has_each_word_cleaned_once_not_once_per_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = Command(tuple(f"word{i}," for i in range(400)))
    expected = _one_at_a_time(command)
    calls = 0
    plain = commands.clean

    def counted(word: str) -> str:
        nonlocal calls
        calls += 1
        return plain(word)

    monkeypatch.setattr(commands, "clean", counted)
    assert list(commands.at_each_word(command)) == expected
    assert calls <= 3 * len(command.words)


class _CountedAssignment:
    """The assignment pattern, counting how often a word is matched against it."""

    def __init__(self) -> None:
        self.calls = 0
        self.pattern = commands._ASSIGNMENT

    def match(self, word: str) -> re.Match[str] | None:
        self.calls += 1
        return self.pattern.match(word)


def test_a_long_run_of_assignments_has_each_word_matched_once_not_once_per_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = Command((*(f"K{i}=v" for i in range(300)), "sudo", "-E", "make"))
    expected = _one_at_a_time(command)
    counted = _CountedAssignment()
    monkeypatch.setattr(commands, "_ASSIGNMENT", counted)
    assert list(commands.at_each_word(command)) == expected
    assert expected[0] == ("make", ())
    assert counted.calls <= 2 * len(command.words)


@pytest.mark.parametrize("text", [t for t, _ in DANGEROUS] + list(SAFE))
def test_a_text_read_again_gives_what_reading_it_anew_gives(text: str) -> None:
    advice.forget()
    first = dangers(text)
    again = dangers(text)
    advice.forget()
    assert first == again == dangers(text)


def test_a_text_is_read_once_and_its_answer_is_the_callers_own_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    advice.forget()
    calls = 0
    plain = parse

    def counted(text: str, depth: int = 0) -> Script:
        nonlocal calls
        calls += 1
        return plain(text, depth)

    monkeypatch.setattr(advice, "parse", counted)
    text = "run `curl -k https://x.example/a` then `git commit --no-verify`"
    first = dangers(text)
    read = calls
    first.clear()  # the caller's list: changing it changes no later answer
    again = dangers(text)
    assert calls == read
    assert [f.danger for f in again] == [Danger.TLS_OFF, Danger.HOOKS_OFF]
    assert dangers(text.replace("-k ", "")) != again  # another text is read anew
    assert calls > read
    assert advice.added_dangers("curl https://x.example/a", text) == again
    long = text + " and so on" * advice.KEPT_TEXT  # not kept: read each time, the same way
    assert dangers(long) == again
