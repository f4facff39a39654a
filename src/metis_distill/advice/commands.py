"""Dangerous shell advice, judged on parsed commands: what runs, with which options, fed by
what. Prose read as a command line puts the program anywhere in its words ("then run rm -rf ~
to clean up"), so a program is looked for at every word, and its arguments are the words after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath

from metis_distill.advice.kinds import Danger, Finding
from metis_distill.advice.shell import Command, Script, parse

FETCHERS = frozenset(
    {"curl", "wget", "fetch", "http", "https", "xh", "aria2c", "iwr", "irm"}
    | {"invoke-webrequest", "invoke-restmethod"}
)
SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "fish", "ash", "mksh", "csh", "tcsh"})
INTERPRETERS = SHELLS | frozenset(
    {"python", "python2", "python3", "node", "nodejs", "deno", "bun", "perl", "ruby", "php"}
    | {"pwsh", "powershell", "iex", "invoke-expression", "source", ".", "eval", "exec"}
)
WRAPPERS = frozenset({"sudo", "doas", "env", "nice", "nohup", "time", "command", "exec", "xargs"})
_VERSIONED = re.compile(r"^(python|pip|node|perl|ruby|php)[\d.]*$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_TRIM = ".,:!?)\"'’“”"


def clean(word: str) -> str:
    """A word without the punctuation of the sentence around it."""
    return word.lstrip("\"'“‘(").rstrip(_TRIM) or word


def name(word: str) -> str:
    """A program's name as written anywhere: `/usr/bin/python3.12` -> python."""
    base = clean(word).rsplit("/", 1)[-1].lower().removesuffix(".exe")
    versioned = _VERSIONED.match(base)
    return versioned.group(1) if versioned else base


def program(words: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The program a command line runs and its arguments, past `sudo -E`, `env X=1` and
    assignments."""
    rest = list(words)
    while rest and (_ASSIGNMENT.match(rest[0]) or name(rest[0]) in WRAPPERS):
        wrapper = name(rest.pop(0))
        while rest and rest[0].startswith("-") and wrapper in WRAPPERS:
            rest.pop(0)
    if not rest:
        return "", ()
    return name(rest[0]), tuple(clean(w) for w in rest[1:])


def at_each_word(command: Command) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(program, arguments) for each word taken as the start of a command line: what
    `program(command.words[start:])` reads. Where each start's program stands is found from the
    last word back, once per word: walking forward from every start read a long run of
    assignments (`A=1 B=2 …`) in its length squared."""
    words = command.words
    names = [name(w) for w in words]
    cleaned = tuple(clean(w) for w in words)
    for at in _program_positions(words, names):
        yield ("", ()) if at == len(words) else (names[at], cleaned[at + 1 :])


def _program_positions(words: Sequence[str], names: Sequence[str]) -> list[int]:
    """For each start, the index of the word `program` would run (len(words) when none): past
    assignments, and past wrappers with their options."""
    end = len(words)
    positions = [end] * (end + 1)
    past_options = end
    for at in range(end - 1, -1, -1):
        if _ASSIGNMENT.match(words[at]) or names[at] in WRAPPERS:
            after = past_options if names[at] in WRAPPERS else at + 1
            positions[at] = positions[after]
        else:
            positions[at] = at
        if not words[at].startswith("-"):
            past_options = at
    return positions[:end]


def all_commands(script: Script) -> Iterator[Command]:
    """Every command, and those of the scripts that `sh -c`, `eval` and the like run."""
    for command in script.commands():
        yield command
        for source in _script_arguments(command):
            yield from all_commands(parse(source))


def _script_arguments(command: Command) -> list[str]:
    found = []
    for prog, args in at_each_word(command):
        if prog in ("eval", "iex", "invoke-expression"):
            found.append(" ".join(args))
        elif prog in SHELLS | {"pwsh", "powershell"}:
            found += [
                args[i + 1] for i, a in enumerate(args[:-1]) if a.lower() in ("-c", "-command")
            ]
    return found


def _fetches(command: Command) -> bool:
    return any(name(w) in FETCHERS for w in command.words) or any(
        _script_fetches(s) for s in command.inner
    )


def _script_fetches(script: Script) -> bool:
    return any(_fetches(c) for c in all_commands(script))


def remote_code(script: Script) -> list[Finding]:
    """What the network sends, run by an interpreter: piped, substituted, or saved and run."""
    found = [*_piped(script), *_substituted(script), *_saved_then_run(script)]
    return found[:1]


def _piped(script: Script) -> Iterator[Finding]:
    for pipeline in _pipelines(script):
        fetched = False
        for command in pipeline:
            prog, _ = program(command.words)
            if fetched and prog in INTERPRETERS:
                yield Finding(Danger.REMOTE_CODE, " | ".join(shown(c) for c in pipeline))
                break
            fetched = fetched or _fetches(command)


def _pipelines(script: Script) -> Iterator[tuple[Command, ...]]:
    yield from script.pipelines
    for command in script.commands():
        for source in _script_arguments(command):
            yield from _pipelines(parse(source))
        for inner in (*command.inner, *command.files):
            yield from _pipelines(inner)


def _substituted(script: Script) -> Iterator[Finding]:
    for command in all_commands(script):
        for prog, _ in at_each_word(command):
            if prog not in INTERPRETERS:
                continue
            if any(_script_fetches(s) for s in (*command.inner, *command.files)):
                yield Finding(Danger.REMOTE_CODE, shown(command))
                return


def _saved_then_run(script: Script) -> Iterator[Finding]:
    saved: set[str] = set()
    for command in all_commands(script):
        if _fetches(command):
            saved |= _saved_files(command)
            continue
        if saved & _files_run(command):
            yield Finding(Danger.REMOTE_CODE, shown(command))
            return


def _files_run(command: Command) -> set[str]:
    """Files a command runs: as its program (`./s.sh`), or given to an interpreter."""
    prog, _ = program(command.words)
    ran = {prog}
    for prog, args in at_each_word(command):
        if prog in INTERPRETERS:
            ran |= {_base(a) for a in args}
    return ran


def _saved_files(command: Command) -> set[str]:
    """Files a download writes: `-o F`, `-O F`, `> F`, or the URL's own name (`curl -O`)."""
    words = command.words
    files = {_base(w) for w in command.writes}
    for i, word in enumerate(words):
        if word in ("-o", "-O", "--output", "--output-document", "-OutFile") and i + 1 < len(words):
            nxt = words[i + 1]
            files.add(_base(nxt if not nxt.startswith("http") else nxt.rsplit("/", 1)[-1]))
        if word.startswith("http") and "/" in word:
            files.add(_base(word.rsplit("/", 1)[-1]))
    return {f for f in files if f and f != "-"}


def shown(command: Command) -> str:
    """A command as written, its process substitutions included."""
    files = [f"<({render(script)})" for script in command.files]
    return " ".join((*command.words, *files))


def render(script: Script) -> str:
    return " ; ".join(" | ".join(shown(c) for c in pipeline) for pipeline in script.pipelines)


def _base(path: str) -> str:
    return PurePosixPath(clean(path)).name.lower()
