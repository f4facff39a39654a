"""Claude Code's Bash tool rewriting a command that holds a pipe before bash runs it.

Some versions of the tool (seen from 1.0.69 to 1.0.110) quote a piped command again on its
way to bash, and what they quote wrong reaches the program as words of its own: a stderr redirect
(`2>/dev/null`, `2>&1`) as a literal argument `2`, an unquoted glob (`*.nix`) as the word
`glob`. The command as recorded is fine; the program's error names an argument it was never
given (“grep: 2: No such file or directory”, “ls: cannot access 'glob'”, “error: unexpected
argument '2'”, “path '…/2' does not exist”). The pipe's last program sets the exit, so the
output alone tells it failed. The cause is the harness's, whatever the command: one lesson.
Its way is the same program run again without the pipe, or with it and with no redirect or
glob left to mangle.
"""

from __future__ import annotations

import re

from metis_distill.mine.text import command_head, quotes_masked, split_heredocs
from metis_distill.models import Event, EventKind

# Only Claude Code's tool rewrites the command (Codex's and others' shells get it as written).
_TOOL = "Bash"
_PIPE = re.compile(r"(?<!\|)\|(?![|&])")
# A redirect of standard error, the fd written apart from it or not (`2>/dev/null`, `2>&1`,
# `2>>err.log`): the `2` is the word that reaches the program.
_FD_REDIRECT = re.compile(r"(?<![\w$&>])2>>?(?:&\d|&-)?\s*(?:[^\s;&|)]*)")
# An unquoted glob in the command (`~/.config/k*`, `a?.log`); not `$*`, `$?` or `\*`.
_GLOB = re.compile(r"(?<![$\\])[*?]")
# A subcommand-like first operand (`flake`, `why-depends`), no path, pattern or value.
_SUBCOMMAND = re.compile(r"^[a-z][a-z0-9-]*$")
# What the rewrite turns each into.
REDIRECT_WORD, GLOB_WORD = "2", "glob"
# A program's error naming one word it was given: after `prog: `, in quotes, or as a path's
# last part (nix resolves an argument against the folder: `'/home/a/nixos/2'`).
_NAMED = r"(?:: |['‘`\"]|/){}(?:['’\"]|: )"
# The words of an error about an argument: no file, no such path, not an argument it takes.
_ARGUMENT_ERROR = re.compile(
    r"no such file|cannot access|does not exist|unexpected argument|ambiguous argument"
    r"|must precede|not in the nix store|cannot open|unrecognized|invalid",
    re.I,
)
PIPE_REWRITE_TEXT = (
    "Claude Code's Bash tool here rewrites a command that holds a pipe before bash runs it: a "
    "stderr redirect (`2>/dev/null`, `2>&1`) reaches the program as an argument `2`, and a glob "
    "as the word `glob`; leave redirects and globs out of piped commands, or run the command "
    "without the pipe."
)
NO_PIPE_FIX = "run the command without the pipe"
LEFT_OUT_FIX = "leave redirects and globs out of the piped command"


def rewritten_words(call: Event | None, output: str) -> frozenset[str]:
    """The words (`2`, `glob`) the program's error names that the call's piped command gave
    only as a redirect's fd or as a glob: none when the call held no pipe, or held the word
    itself."""
    return frozenset(word for word, _ in _naming_lines(call, output))


def rewritten_line(call: Event | None, output: str) -> str | None:
    """The program's first error line that names a word the rewrite made."""
    return next((line for _, line in _naming_lines(call, output)), None)


def _naming_lines(call: Event | None, output: str) -> list[tuple[str, str]]:
    if call is None or call.tool_name != _TOOL:
        return []
    own = quotes_masked(split_heredocs(call.text)[0])
    if not _PIPE.search(own):
        return []
    given = {
        REDIRECT_WORD: _redirects(own) and not _gives_two(own),
        GLOB_WORD: _globs(own) and re.search(r"\bglob\b", call.text) is None,
    }
    said = f"{output[:4000]}\n{output[-2000:]}"  # (nix prints what it parsed, then the error)
    errors = [line.strip() for line in said.splitlines() if _ARGUMENT_ERROR.search(line)]
    return [
        (word, line)
        for line in errors
        for word, mangled in given.items()
        if mangled and re.search(_NAMED.format(word), line)
    ]


def _redirects(masked: str) -> bool:
    return _FD_REDIRECT.search(masked) is not None


def _gives_two(masked: str) -> bool:
    """The command gives `2` as an argument of its own, a path `…/2` or an option's value
    (`--replicas=2`)."""
    own = _FD_REDIRECT.sub(" ", masked)
    return re.search(r"(?:^|[\s=])(?:\S*/)?2(?=[\s;&|)]|$)", own) is not None


def _globs(masked: str) -> bool:
    return _GLOB.search(masked) is not None


def way_around(call: Event, later: Event) -> str | None:
    """How a later call of the same session ran the same program past the rewrite: without
    the pipe, or with it and with no redirect or glob left to mangle; None when it did
    neither."""
    if later.kind is not EventKind.TOOL_CALL or later.tool_name != _TOOL:
        return None
    if later.session != call.session or _program(later.text) != _program(call.text):
        return None
    own = quotes_masked(split_heredocs(later.text)[0])
    if not _PIPE.search(own):
        return NO_PIPE_FIX
    return None if _redirects(own) or _globs(own) else LEFT_OUT_FIX


def _program(command: str) -> tuple[str, str]:
    """The program a command runs, and its subcommand when its first operand is a bare word
    (`nix flake`, `git log`; not `ls ~/.config`)."""
    words = command_head(command).split()
    if not words:
        return "", ""
    operand = next((word for word in words[1:] if not word.startswith("-")), "")
    return words[0].rsplit("/", 1)[-1], operand if _SUBCOMMAND.match(operand) else ""
