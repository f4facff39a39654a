"""What an error asks the agent to run, in its own words, and whether a step does it.

"run `npm install`", "try 'make clean'", Nix's "run:" followed by the command, git's advice in
prose ("Please commit your changes or stash them before you merge") and in its `hint:` lines.
A step that deletes, resets, discards or forces is never taken as asked for. And whether the
way past a failure is one the person asked for in their own words ("Build @app.sln").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.mine import signals
from metis_distill.mine.harness_text import injected
from metis_distill.mine.text import file_name, shell_steps
from metis_distill.models import Event, EventKind

# What an error asks to run, in its own words: "run `npm install`", "try 'make clean'", or
# the command on the lines after "run:" (Nix: "To make it visible to Nix, run:\n\n  git -C
# "/x" add "a.nix""), that line starting with a program's name (not "test run: 3 failed",
# nor "during the run: npm ci" on the same line).
_ASKED = re.compile(
    r"\b(?:run|execute|try(?:\s+running)?)\b(?:[ \t]*:[ \t]*\n\s*"
    r"(?!(?:the|a|an|this|it|then|and|or|to|please|again)\b)"
    r"(?P<line>(?:\.{0,2}/)?(?-i:[a-z])[\w.+/-]*(?:[ \t][^\n]{1,200})?)"
    r"|\s+(?P<quoted>`[^`\n]{2,120}`|'[^'\n]{2,120}'))",
    re.I,
)


# A step that deletes, resets, discards or forces, or runs what it fetched: never taught as
# the fix because an error asked for it (`git reset --hard origin/main`, `rm -rf ~/.cache/x`,
# `git stash drop`, `npm cache clean --force`, `git commit --no-verify`, `curl … | sh`).
UNSAFE_STEP = re.compile(
    r"(?:(?:^|[;&|(]\s*)(?:\w+=\S*\s+)*|\bxargs\s+(?:-\S+\s+)*|\s-exec\s+)"
    r"(?:sudo|doas|rm|rmdir|unlink|shred|dd|truncate|mkfs[\w.]*)(?=\s|$)"
    r"|(?:^|\s)(?:--force[\w-]*|-[a-zA-Z]*f[a-zA-Z]*|--hard|--no-verify|--prune[\w-]*"
    r"|--?delete|-D)(?=[\s=]|$)"
    r"|\bgit\s+rm\b(?!.*\s--cached\b)"
    r"|\b(?:prune|drop|purge|wipe|destroy|nuke|clear|discard)\b"
    r"|\bgit\s+(?:\S+\s+)*?(?:clean|restore)\b|\bgit\s+checkout\b.*\s--(?:\s|$)"
    r"|\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b"
)


# Help asked (Cobra's "Run 'kubectl get --help' for usage"): no step to take.
_HELP_ASKED = re.compile(r"\s(?:--help|-h|help)$")


# git's index steps: what the error names and what the agent stages may be other files.
_INDEX_STEP = re.compile(r"^git\s+(?:add|commit|rm\s+(?:\S+\s+)*?--cached)\b")


def asked_steps(error: str) -> frozenset[str]:
    """The steps an error asks to run, whitespace made single spaces; none that deletes,
    resets, discards or forces (`UNSAFE_STEP`), nor help asked."""
    asked = set()
    for found in _ASKED.finditer(error[:4000]):
        command = " ".join((found["line"] or found["quoted"][1:-1]).split())
        if command and not _HELP_ASKED.search(command) and not UNSAFE_STEP.search(command):
            asked.add(command)
    return frozenset(asked)


# git's own advice in prose, before what it guards ("Please commit your changes or stash
# them before you merge."): the subcommands it names are steps it offers for that day's state.
_ADVISED = re.compile(r"\bPlease,?\s+(?P<said>[^.\n]{2,120}?)\s+before\b")


# ... or in its `hint:` lines ("Integrate the remote changes (e.g. 'git pull ...') before
# pushing again.", "If you want to integrate the remote changes, use 'git pull' before pushing
# again."), the lines it wraps joined first.
_HINT_WRAP = re.compile(r"\n\s*hint:\s*")


_HINTED_EXAMPLE = re.compile(
    r"(?:\(e\.g\.,?|\buse)\s+'git (?P<subcommand>[\w-]+)[^']*'\)?\s+before\b"
)


def offered_by_error(error: str, steps: Sequence[str]) -> bool:
    """Every step is a git subcommand the error's own advice names (`git stash push …` after
    "commit your changes or stash them"): git's hint about that day's files, nothing to teach.
    (A step a script asks for by name, "run `git add X` first", is the project's and taught.)"""
    advised = {w.lower() for m in _ADVISED.finditer(error[:4000]) for w in m["said"].split()}
    hints = _HINT_WRAP.sub(" ", error[:4000])
    advised |= {m["subcommand"].lower() for m in _HINTED_EXAMPLE.finditer(hints)}

    def offered(step: str) -> bool:
        words = step.split()
        while len(words) > 2 and words[0] == "git" and words[1] in ("-C", "-c"):
            words = [words[0], *words[3:]]
        return len(words) > 1 and words[0] == "git" and words[1] in advised

    return bool(advised) and bool(steps) and all(offered(step) for step in steps)


def _index_key(step: str) -> tuple[str, str] | None:
    """git's index step (`git add`, `git commit`, `git rm --cached`) as git and its
    subcommand (git's `-C <folder>` and `-c <setting>` left out); None for any other step."""
    words = [w.strip("\"'") for w in step.split()]
    while len(words) > 2 and words[0] == "git" and words[1] in ("-C", "-c"):
        words = [words[0], *words[3:]]
    plain = " ".join(words)
    return ("git", words[1]) if _INDEX_STEP.match(plain) else None


def does_asked(event: Event, asked: frozenset[str]) -> bool:
    """A step of the shell call is one the error asked for: the same text (whitespace aside),
    or, for git's index steps, the same step naming other files; never a step that deletes,
    resets, discards or forces."""
    if not asked or event.tool_name not in signals.SHELL_TOOLS:
        return False
    keys = {_index_key(a) for a in asked} - {None}
    for step in shell_steps(event.text):
        said = " ".join(step.split())
        if UNSAFE_STEP.search(said):
            continue
        if said in asked or (keys and _index_key(said) in keys):
            return True
    return False


# A file's name with its extension (`app.sln`), the last part of a path.
_FILE_NAME = re.compile(r"^[\w.-]*\w\.[A-Za-z]\w{0,9}$")
# What wraps a file a person names in a sentence: `@app.sln` (Claude Code's mention), quotes,
# backticks, brackets, and the sentence's own stops.
_WRAPPING = "@`'\"()[]{}<>"
_STOPS = ".,;:!?"


def user_asked_way(events: Sequence[Event], failed: Event, worked: Event) -> bool:
    """Between the failed call and the call that worked, the person's own words (not the
    harness's) named that call's way: the command as written, or a file it names that the
    failed call did not ("Build @app.sln when you build", then `make -f app.sln`)."""
    said = [
        e.text
        for e in events[failed.seq + 1 : worked.seq]
        if e.role == "user" and e.kind is EventKind.TEXT and not injected(events, e.seq)
    ]
    if not said:
        return False
    command = " ".join(worked.text.split())
    new_files = _named_files(worked.text) - _named_files(failed.text)
    return any(command in " ".join(text.split()) or new_files & _named_files(text) for text in said)


def _named_files(text: str) -> set[str]:
    """The files the words of a text name (`core/app.sln`, `@app.sln`): their names with an
    extension, in lower case."""
    words = (w.strip(_WRAPPING).rstrip(_STOPS).strip(_WRAPPING) for w in text[:4000].split())
    names = (file_name(w).lower() for w in words)
    return {name for name in names if _FILE_NAME.match(name)}
