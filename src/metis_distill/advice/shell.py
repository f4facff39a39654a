"""Shell commands read out of a lesson's text: its code spans, and its prose read as a command
line too (lessons often say "run curl … | sh" without backticks).

`shlex` splits the words and the operators; this module groups them into lists of pipelines of
commands, and opens what a command runs inside it: `$(…)` and backticks in its words,
`<(…)` process substitutions, and the script string of `sh -c`/`eval`. Being prose, the text is
not always valid shell: an unbalanced quote is dropped rather than failing the reading.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

_SPLIT = frozenset({"|", "|&"})  # within a pipeline
_LIST = frozenset({"&&", "||", ";", "&", ";;", "\n"})  # between pipelines
_REDIRECT_OUT = frozenset({">", ">>", "&>", ">|", "&>>"})
_CODE = re.compile(r"```[^\n]*\n(?P<block>.*?)```|`(?P<span>[^`\n]+)`", re.S)
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
MAX_DEPTH = 4  # substitutions nested deeper than this are not opened


@dataclass(frozen=True)
class Command:
    """One simple command: its words (quotes removed) and what runs inside it."""

    words: tuple[str, ...]
    inner: tuple[Script, ...] = ()  # `$(…)`, backticks and `-c` strings: their output or code
    files: tuple[Script, ...] = ()  # `<(…)`: a file whose content is another command's output
    writes: tuple[str, ...] = ()  # files its output is redirected to


@dataclass(frozen=True)
class Script:
    """Pipelines in the order written; each pipeline is its commands, left to right."""

    pipelines: tuple[tuple[Command, ...], ...] = ()

    def commands(self) -> Iterator[Command]:
        """Every command, those inside substitutions included, depth first."""
        for pipeline in self.pipelines:
            for command in pipeline:
                yield command
                for inner in (*command.inner, *command.files):
                    yield from inner.commands()


def snippets(text: str) -> list[str]:
    """What may hold a command: each code span and block, then the prose without them."""
    found = [m.group("block") or m.group("span") or "" for m in _CODE.finditer(text)]
    prose = _CODE.sub(" ; ", text)
    return [*found, prose]


def parse(text: str, depth: int = 0) -> Script:
    """Read `text` as a shell command line (lines are separate commands)."""
    pipelines: list[tuple[Command, ...]] = []
    for line in text.splitlines() or [text]:
        tokens = _tokens(line)
        pipelines.extend(_Reader(tokens, depth).pipelines())
    return Script(tuple(p for p in pipelines if p))


def _tokens(line: str) -> list[str]:
    words = _INNER_APOSTROPHE.sub("", line)  # "don't", "agent's": never shell quotes
    for attempt in (words, re.sub(r"[\"'’‘“”]", " ", words)):
        lexer = shlex.shlex(attempt, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        try:
            return list(lexer)
        except ValueError:  # an unbalanced quote in prose
            continue
    return line.split()


@dataclass
class _Reader:
    """Walks the tokens of one line, building commands."""

    tokens: list[str]
    depth: int
    at: int = 0
    words: list[str] = field(default_factory=list)
    inner: list[Script] = field(default_factory=list)
    files: list[Script] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)

    def pipelines(self) -> list[tuple[Command, ...]]:
        done: list[tuple[Command, ...]] = []
        current: list[Command] = []
        while self.at < len(self.tokens):
            token = self._next()
            if token in _SPLIT:
                current.append(self._command())
            elif token in _LIST:
                done.append((*current, self._command()))
                current = []
            elif token in ("<(", ">("):
                self.files.append(self._group())
            elif token == "(" and self.words and self.words[-1].endswith("$"):
                self.words[-1] = self.words[-1][:-1]
                self.inner.append(self._group())
            elif token in _REDIRECT_OUT and self.at < len(self.tokens):
                self.writes.append(self._next())
            elif token not in ("(", ")", "{", "}", "<", "<<", "<<<"):
                self._word(token)
        done.append((*current, self._command()))
        return [tuple(c for c in p if c.words or c.inner or c.files) for p in done]

    def _next(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _group(self) -> Script:
        """The tokens up to the matching `)`, read as a script of their own."""
        level, start = 1, self.at
        while self.at < len(self.tokens) and level:
            token = self._next()
            level += token.count("(") - token.count(")") if token in ("(", ")", "<(", ">(") else 0
        inner = self.tokens[start : self.at - 1 if level == 0 else self.at]
        if self.depth >= MAX_DEPTH:
            return Script()
        return Script(tuple(p for p in _Reader(inner, self.depth + 1).pipelines() if p))

    def _word(self, token: str) -> None:
        self.words.append(token)
        if self.depth >= MAX_DEPTH:
            return
        for inner in substitutions(token):
            self.inner.append(parse(inner, self.depth + 1))

    def _command(self) -> Command:
        command = Command(
            tuple(self.words), tuple(self.inner), tuple(self.files), tuple(self.writes)
        )
        self.words, self.inner, self.files, self.writes = [], [], [], []
        return command


def substitutions(word: str) -> list[str]:
    """The command lines inside `$(…)` and backticks of one word."""
    found = re.findall(r"`([^`]+)`", word)
    start = word.find("$(")
    while start >= 0:
        level, end = 0, start + 1
        for end in range(start + 1, len(word)):
            level += {"(": 1, ")": -1}.get(word[end], 0)
            if level == 0:
                break
        found.append(word[start + 2 : end])
        start = word.find("$(", end)
    return found
