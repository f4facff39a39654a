"""Whether a retry asks what a failed call asked, and how it changed the call's flags.

The same command, the failed one wrapped (`uv run pytest -q` after `pytest -q`), or a program
of the same family on the same arguments is the same intent; a flag dropped asks for something
else (`docker ps` is not `docker ps -a`) unless the program said it does not know the flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from metis_distill.mine.text import STEP_SPLIT, command_head, split_heredocs, unplumbed

SAME_SCRIPT = 0.8  # similarity at which two scripts fed on stdin ask for the same thing


SCRIPT_CHARS = 4000  # of each script compared


# Programs that stand in for each other when a retry switches tools.
_FAMILIES = {
    "npm": "node",
    "pnpm": "node",
    "yarn": "node",
    "npx": "node",
    "bun": "node",
    "python": "python",
    "python3": "python",
    "py": "python",
    "uv": "python",
    "pip": "pip",
    "pip3": "pip",
}


SIMILAR_NAME = 0.75  # similarity at which a flag's new name is taken for its rename


def same_intent(failed: str, retry: str, droppable: frozenset[str] = frozenset()) -> bool:
    """The retry does what the failed call meant: the same command, the failed one wrapped
    (`uv run pytest -q` after `pytest -q`), or a program of the same family on the same
    arguments (`pnpm vitest run x` after `npm test x`). Every argument of the failed call
    must be there again, and with the same program every flag too (a flag dropped asks for
    something else: `docker ps` is not `docker ps -a`), except a flag the error said the
    program does not know."""
    if not _alike_scripts(split_heredocs(failed)[1], split_heredocs(retry)[1]):
        return False  # another script fed to the same interpreter is another intent
    # the plumbing of their output (`2>&1 | tail -5`) is no part of what the calls do
    a, b = _spelled_apart(unplumbed(failed).split(), unplumbed(retry).split())
    if not a or not b:
        return False
    if a == b or contains(b, a):
        return True
    if a[0] == b[0] and not _flags_kept(a, b, droppable):
        return False
    if family(a[0]) != family(b[0]):
        return False
    args_a = [t for t in a[1:] if not t.startswith("-")]
    args_b = [t for t in b[1:] if not t.startswith("-")]
    if not args_a:  # `pnpm --version`: `npm --version` asks the same, `npm create vite` not
        return not args_b and _flags_kept(a, b, droppable)
    return all(any(_alike(x, y) for y in args_b) for x in args_a)


def _spelled_apart(a: list[str], b: list[str]) -> tuple[list[str], list[str]]:
    """Both calls' words, the program named as one word in one (`docker-compose up`) split
    where the other names it as a program and its subcommand (`docker compose up`): the
    same program under its other spelling."""
    if a and len(b) >= 2 and a[0].split("-", 1) == b[:2]:
        return [*b[:2], *a[1:]], b
    if b and len(a) >= 2 and b[0].split("-", 1) == a[:2]:
        return a, [*a[:2], *b[1:]]
    return a, b


@lru_cache(maxsize=256)  # the same pairs are compared by the fix and by the recovery
def _alike_scripts(a: str, b: str) -> bool:
    """Two here-document bodies that say nearly the same (a line rewritten, an import dropped
    for the retry), or none on either side."""
    if not a.strip() or not b.strip():
        return not a.strip() and not b.strip()
    # `real_quick_ratio` and `quick_ratio` bound `ratio` from above, at a fraction of its cost
    similar = SequenceMatcher(None, a[:SCRIPT_CHARS], b[:SCRIPT_CHARS])
    return (
        similar.real_quick_ratio() >= SAME_SCRIPT
        and similar.quick_ratio() >= SAME_SCRIPT
        and similar.ratio() >= SAME_SCRIPT
    )


def _flags_kept(a: list[str], b: list[str], droppable: frozenset[str]) -> bool:
    """The same program asked the same way: every flag of the failed call is there again
    (how another program of the family is invoked may differ: `python -m pytest`, `uv run
    pytest`), or, once the program said it does not know a flag, there under a like name."""
    flags_b = flags_of(b)
    names_b = {flag_name(f) for f in flags_b}
    lost: list[str] = []
    for flag in flags_of(a[1:]):
        name = flag_name(flag)
        if name in droppable:
            continue
        if name not in names_b:
            lost.append(flag)
        # `--filter=a` and `--filter=b` ask for other things (a flag may come more than once)
        elif "=" in flag and flag not in flags_b:
            return False
    if not lost:
        return True
    # a program that rejects one flag may reject others the retry renamed (`--labels=x` is
    # `--label=x`); a flag dropped with no error about flags is another request
    names_a = {flag_name(f) for f in flags_of(a)}
    added = [f for f in flags_b if flag_name(f) not in names_a]
    return bool(droppable) and len(_renames(lost, added)) == len(lost)


def flags_of(words: list[str]) -> list[str]:
    """The flags among a command's words, as the program gets them (quotes gone); a bare
    `--` ends the options, it is none."""
    return [_unquoted(w) for w in words if w.startswith("-") and w != "--"]


def flag_name(flag: str) -> str:
    return flag.split("=", 1)[0]


def _unquoted(word: str) -> str:
    """A word as the program gets it: `--exclude='*.md'` is `--exclude=*.md`."""
    return word.replace("'", "").replace('"', "")


def _renames(lost: list[str], added: list[str]) -> list[tuple[str, str]]:
    """Each lost flag paired with the added flag that renames it, where one does."""
    pairs: list[tuple[str, str]] = []
    free = list(added)
    for flag in lost:
        new = next((f for f in free if _renamed(flag, f)), None)
        if new is not None:
            free.remove(new)
            pairs.append((flag, new))
    return pairs


def _renamed(old: str, new: str) -> bool:
    """`--label=x` for `--labels=x`: a like name, the same value."""
    old_name, _, old_value = old.partition("=")
    new_name, _, new_value = new.partition("=")
    similar = SequenceMatcher(None, old_name, new_name).ratio() >= SIMILAR_NAME
    return similar and old_value == new_value


@dataclass(frozen=True)
class FlagChanges:
    """How a retry that worked changed the failed call's flags."""

    program: str  # the program and its subcommand, as the failed call named them
    dropped: tuple[str, ...]  # flags left out, by name
    renamed: tuple[tuple[str, str], ...]  # (old, new) flags, values cut to `…`
    added: tuple[str, ...] = ()  # flags the retry gave that rename none, by name

    @property
    def remedy(self) -> str:
        parts = [f"with {new} for {old}" for old, new in self.renamed]
        parts += [f"without {name}" for name in self.dropped]
        return f"{self.program} {', '.join(parts)}"


def flag_changes(failed: str, retry: str, offered: frozenset[str] = frozenset()) -> FlagChanges:
    """The flags of the failed call the retry left out, those it gave another name (a like
    name, or the one flag the error's help `offered` that the retry gave where one was lost),
    and those it added."""
    before = flags_of(command_head(failed).split())
    after = flags_of(_steps_of(command_head(retry), _programs(command_head(failed))))
    names_before, names_after = {flag_name(f) for f in before}, {flag_name(f) for f in after}
    lost = [f for f in before if flag_name(f) not in names_after]
    new = [f for f in after if flag_name(f) not in names_before]
    renamed = _renames(lost, new)
    gone, given = {old for old, _ in renamed}, {n for _, n in renamed}
    unpaired = [f for f in lost if f not in gone]
    helped = [f for f in new if f not in given and flag_name(f) in offered]
    if len(unpaired) == 1 and len(helped) == 1:
        renamed.append((unpaired[0], helped[0]))
        gone, given = gone | {unpaired[0]}, given | {helped[0]}
    dropped = tuple(dict.fromkeys(flag_name(f) for f in lost if f not in gone))
    return FlagChanges(
        _flagged_program(command_head(failed), lost[0] if lost else ""),
        dropped,
        tuple((_valueless(old), _valueless(new)) for old, new in renamed),
        tuple(dict.fromkeys(flag_name(f) for f in new if f not in given)),
    )


def step_words(command: str) -> list[list[str]]:
    """The words of each step of a command (`&&`, `;`, pipes), settings left out."""
    steps = [p.split() for step in STEP_SPLIT.split(command) for p in step.split("|")]
    return [[w for w in step if not _SETTING.match(w)] for step in steps]


def _programs(command: str) -> set[str]:
    return {words[0] for words in step_words(command) if words}


def _steps_of(command: str, programs: set[str]) -> list[str]:
    """The words of the steps that run one of `programs`: a step the retry added after
    (`&& ls -la dst`) gives its own program no flag of the failed one's."""
    return [w for words in step_words(command) if words and words[0] in programs for w in words]


def _valueless(flag: str) -> str:
    """`--label=…` of `--label=cleanup`: the value is the instance's."""
    name, equals, _ = flag.partition("=")
    return f"{name}=…" if equals else name


# A subcommand: a plain word (`list`, `run-script`), no path, file or value.
_SUBCOMMAND = re.compile(r"^[a-z][a-z0-9-]*$")


_SETTING = re.compile(r"^\w+=")


MAX_SUBCOMMANDS = 2  # `docker compose`, `gh pr list`: more is an instance's arguments


def _flagged_program(command: str, flag: str) -> str:
    """The program and the subcommands before its first flag, in the step that has `flag`:
    `bd list` of `bd list --wisp`, `rsync` of `rsync -a src/ dst/ && ls dst`."""
    steps = step_words(command)
    words = next((s for s in steps if flag in map(_unquoted, s)), steps[0])
    if not words:
        return ""
    if "--" in words and flag in map(_unquoted, words[words.index("--") + 1 :]):
        # past `--` the words are the launched program's (`cargo run --bin tool -- exec
        # --prompt`: `tool exec` has no `--prompt`)
        launcher, launched = words[: words.index("--")], words[words.index("--") + 1 :]
        binary, subcommands = _bin_named(launcher), _named(["", *launched])[1:]
        program = [binary] if binary else [*_named(launcher), *(["--"] if subcommands else [])]
        return " ".join([*program, *subcommands])
    return " ".join(_named(words))


def _bin_named(launcher: list[str]) -> str | None:
    """The binary a launcher was told to run (`--bin tool`, `--bin=tool`), if any."""
    for i, word in enumerate(launcher):
        if word.startswith("--bin="):
            return word.removeprefix("--bin=")
        if word == "--bin" and i + 1 < len(launcher):
            return launcher[i + 1]
    return None


def _named(words: list[str]) -> list[str]:
    """A program and the subcommands before its first flag."""
    named = [words[0].rsplit("/", 1)[-1]]
    for word in words[1 : 1 + MAX_SUBCOMMANDS]:
        if not _SUBCOMMAND.match(word):
            break
        named.append(word)
    return named


def contains(outer: list[str], inner: list[str]) -> bool:
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))


def family(program: str) -> str:
    name = program.rsplit("/", 1)[-1].lower()
    return _FAMILIES.get(name, name)


def _alike(x: str, y: str) -> bool:
    """The same argument, in either case, whole words quoted either way (`"--a"`, `'--a'`)."""
    x, y = _outer_quotes_off(x.lower()), _outer_quotes_off(y.lower())
    return x == y or (len(x) >= 4 and x in y) or (len(y) >= 4 and y in x)


def _outer_quotes_off(word: str) -> str:
    """A shell word without the quotes around it whole (`"-x"` → `-x`; `'import` kept: a
    piece of a quoted script split at its spaces)."""
    quoted = len(word) >= 2 and word[0] == word[-1] and word[0] in "'\""
    return word[1:-1] if quoted else word
