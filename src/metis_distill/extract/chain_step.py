"""Which step of a command line failed, when its error says so: the step whose program
speaks the error line (`mkdir: cannot create directory …` of `mkdir -p x && ls x`), or the
one whose words the error quotes (`'conda activate'`). A chain joined by `&&` stops at the
first step that fails, so a step after the one the error names never ran. And which later
step of a chain ran a program, after the steps that prepared it (`rbenv local 3.1.7 &&
rbenv exec pod install`)."""

from __future__ import annotations

import re

from metis_distill.mine.signals import only_looks
from metis_distill.mine.text import (
    STEP_SPLIT,
    file_name,
    script_steps,
    split_heredocs,
    split_outside_quotes,
    unwrapped,
)

# The program an error line is spoken by: `mkdir: …`, `/usr/bin/cp: …`, `tar.exe: …`,
# `make[1]: …`, and a shell's own line about a program it ran (`bash: line 1: cd: …`,
# `/bin/sh: 1: foo: not found`), which is about that program.
_SPEAKER = re.compile(
    r"^(?:(?:[\w.~-]*/)*(?:ba|da|k|z)?sh(?:\.exe)?: (?:line \d+: |\d+: )?)?"
    r"(?:[\w.~:-]*[/\\])*(?P<program>[\w.+-]+?)(?:\.exe)?(?:\[\d+\])?: "
)
# Words that run the program after them, each of them a speaker too (`sudo: a password is
# required`); the options of theirs that take a value (`sudo -u www-data ls`).
_RUNNERS = frozenset({"sudo", "doas", "env", "time", "nohup", "command", "exec", "xargs"})
_RUNNER_VALUED = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-U"})
_SETTING = re.compile(r"^[A-Za-z_]\w*=")


def named_step(command: str, signature: str) -> str | None:
    """The one step of a command line of several that its error line names, by the program
    that speaks it or by the words it quotes; None when it names none, or several alike."""
    return speaking_step(command, signature) or quoted_step(command, signature)


def speaking_step(command: str, signature: str) -> str | None:
    """The one step (between `&&`, `||`, `;`, `|` and lines) whose program speaks the
    error line, when the command has several steps; None when no step's, or several do."""
    speaker = _SPEAKER.match(signature)
    if speaker is None:
        return None
    program = speaker["program"].lower()
    steps = script_steps(split_heredocs(command)[0])
    if len(steps) < 2:
        return None
    named = {step for step in steps if program in _programs(step)}
    if len(named) != 1:
        return None
    step = named.pop()
    before = steps[: steps.index(step)]
    if any(_runs_others(earlier) for earlier in before):
        return None  # `./build.sh && cp …`: "cp: …" may be the script's, the `cp` never ran
    return step


# Programs that run programs of their own: a script, a build, a package manager.
_RUNS_OTHERS = frozenset(
    {"bash", "sh", "zsh", "make", "npm", "pnpm", "yarn", "npx", "makepkg", "yay", "paru", "just"}
)


def _runs_others(step: str) -> bool:
    words = unwrapped(step).split()
    script = bool(words) and ("/" in words[0] or words[0].endswith((".sh", ".ps1")))
    return script or bool(_programs(step) & _RUNS_OTHERS)


def _programs(step: str) -> set[str]:
    """The programs a step runs, by name: its program and the words running it (`sudo`)."""
    words = [word for word in unwrapped(step).split() if not _SETTING.match(word)]
    names: set[str] = set()
    at = 0
    while at < len(words):
        name = file_name(words[at].strip("\"'")).lower().removesuffix(".exe")
        names.add(name)
        if name not in _RUNNERS:
            break
        at += 1
        while at < len(words) and words[at].startswith("-"):  # the runner's own options
            at += 2 if words[at] in _RUNNER_VALUED else 1
    return names


def quoted_step(command: str, signature: str) -> str | None:
    """The one step of a chain whose program and first word the error quotes (`'conda
    activate'`), when it is not the last: the chain stopped there, before the rest ran."""
    steps = split_outside_quotes(command, STEP_SPLIT)
    quoted = {" ".join(q.split()) for q in _QUOTED.findall(signature)}
    named = [s for s in steps[:-1] if " ".join(unwrapped(s).split()[:2]) in quoted]
    return named[0].strip() if len(named) == 1 else None


# A text an error quotes: 'x y', "x y", `x y`, ‘x y’, of two words at least.
_QUOTED = re.compile(r"['\"`‘“]([\w.-]+(?:\s+[\w.-]+)+)['\"`’”]")


def chained_run(command: str, program: str, joiner: str = " && ") -> tuple[str, str] | None:
    """How a later step of a chain ran `program`: the words before its name in that step
    (`rbenv exec` of `rbenv exec pod install`, none when it runs bare), and the way to tell,
    that step up to the name after the short steps before it that prepared it (`rbenv local
    3.1.7 && rbenv exec pod`); None when no step after the first names it."""
    found = running_step(command, program)
    if found is None:
        return None
    before, step = found
    words = unwrapped(step).split()
    runner = " ".join(words[: words.index(program)])
    prepared = [unwrapped(earlier) for earlier in before if _prepares(earlier, runner)]
    kept = prepared if len(joiner.join(prepared)) <= _MAX_PREPARED else []
    return runner, joiner.join([*kept, f"{runner} {program}".lstrip()])


def running_step(command: str, program: str) -> tuple[list[str], str] | None:
    """The step of a chain, past its first, that runs `program`, its words naming it
    (`rbenv exec pod install`, `npx jest`; not `which pod`), with the steps before it; None
    when the first runs it or none does."""
    steps = split_outside_quotes(command, STEP_SPLIT)
    at = next(
        (i for i, step in enumerate(steps) if program in unwrapped(step).split() and _acts(step)),
        None,
    )
    return (steps[:at], steps[at]) if at else None


def _acts(step: str) -> bool:
    """A step that may run or prepare a program (a version chosen, a tool enabled), not one
    that only moves to a folder, prints or looks (`cd ios`, `which pod`)."""
    words = unwrapped(step).split()
    return bool(words) and words[0] not in _ACTS_ON_NOTHING and not only_looks(words)


def _prepares(step: str, runner: str) -> bool:
    """A step that readies the program's environment: the runner's own tool (`rbenv local`
    before `rbenv exec`), or a shell's or a version manager's setup (`source`, `export`,
    `nvm use`); never a checkout, a removal or a build of something else."""
    words = unwrapped(step).split()
    return _acts(step) and (words[0] in _SETS_UP or words[:1] == runner.split()[:1])


_SETS_UP = frozenset(
    {"source", ".", "export", "eval", "set", "nvm", "fnm", "volta", "corepack", "pyenv",
     "rbenv", "rvm", "asdf", "mise", "sdk", "conda", "mamba", "micromamba", "module"}
)  # fmt: skip
_ACTS_ON_NOTHING = frozenset(
    {"cd", "pushd", "popd", "which", "where", "type", "echo", "printf", "pwd", "sleep"}
)
# The preparing steps told before the step that ran the program, at most (in characters):
# beyond it, the step alone (`rbenv exec pod …`).
_MAX_PREPARED = 40
