"""What one step does to the files and state a later call reads: whether it only looks
(`git status`, `npm view x`, `--help`, tests run again through a filter), only keeps books
(`git add && git commit`, a push), or changes something (an edit, a restore from git, a script
that writes). A step that only looks or keeps books prepared nothing, so it is never the fix of
a failure."""

from __future__ import annotations

import re
from itertools import dropwhile, takewhile

from metis_distill.mine import signals
from metis_distill.mine.text import (
    STEP_SPLIT,
    command_head,
    quotes_masked,
    shell_steps,
    split_outside_quotes,
    unwrapped,
)
from metis_distill.models import Event

_SHELLS = signals.SHELL_TOOLS


# Commands that only look: running them changes nothing a retry depends on.
_LOOKING = frozenset(
    {
        "ls", "cat", "head", "tail", "grep", "rg", "find", "pwd", "echo", "which", "type",
        "wc", "file", "stat", "env", "printenv", "tree", "du", "df", "ps", "less", "more",
        "whoami", "uname", "date", "sleep", "true", "dir", "where", "get-childitem",
        "get-content", "test", "[", "sed", "nl", "awk", "pgrep", "pidof", "lsof", "ss",
        "netstat", "get-command", "gcm", "where.exe",
    }
)  # fmt: skip


_LOOKING_TOOLS = frozenset(
    {"Read", "Glob", "Grep", "LS", "WebFetch", "WebSearch", "TodoWrite", "view"}
)


_VERSION_PROBE = re.compile(
    r"^\S+(?:\s+-\d[\d.]*)?(?:\s+-m\s+\S+)?\s+(?:--version|-V|--help|version)"
    r"(?:\s+[12]?>\s*/dev/null)?\s*$"
)


# A subcommand's help: `railway service --help`, `gh pr merge --help`, a program a runner
# names by its package's scope or its path (`npx -y @acme/cli migrate --help`).
_SUBCOMMAND_HELP = re.compile(r"^\S+(?:\s+[\w:./@-]+){1,4}\s+--help(?:\s+[12]?>\s*/dev/null)?\s*$")


def asks_version(command: str) -> bool:
    """`pytest --version`, `python3 -m pytest -V`, `node --help`, `railway service --help`: a
    probe, no work done (`df -h` is work: `-h` alone asks for human sizes as often as for
    help)."""
    asked = unwrapped(command)
    return bool(_VERSION_PROBE.match(asked) or _SUBCOMMAND_HELP.match(asked))


# Options that have a program say what it is or what it would do, and do none of it; `-h` and
# `-V` only as the call's last word (`mysql -h db.local` names a host), `-V` only with no other
# option (`acme migrate -V`; `ctest --test-dir build -V` runs the tests verbosely).
_ASKING_OPTIONS = frozenset({"--help", "--version", "--dry-run", "--dryrun", "--usage"})
_ASKING_LAST = frozenset({"-h", "-V"})


def retry_only_asks(failed: Event, retry: Event) -> bool:
    """The failed shell call was meant to do work, and every step of the retry only asks: a
    probe or a look, or a step given an option that only asks which the failed call lacked
    (`x migrate -h`, `x deploy --dry-run` after `x migrate`, `x deploy`). It printed a usage
    or a plan and did none of the work, so it is never that call's fix."""
    if failed.tool_name not in _SHELLS or retry.tool_name not in _SHELLS:
        return False  # an edit's text may name `--help`: no option it was given
    if all(step_asks(unwrapped(step)) for step in shell_steps(failed.text)):
        return False  # the failed call asked too (`claude --version`): asking was its work
    had = _asking_options(unwrapped(failed.text))
    steps = [unwrapped(step) for step in shell_steps(retry.text)]
    return bool(steps) and all(
        step_asks(step) or bool(_asking_options(step) - had) for step in steps
    )


def _asking_options(command: str) -> set[str]:
    """The options of the command that only ask, outside its quotes (a commit message's
    "add --dry-run" is none)."""
    words = quotes_masked(command).split()
    last = set(words[-1:]) & _ASKING_LAST
    if last == {"-V"} and any(word.startswith("-") for word in words[1:-1]):
        last = set()  # (`ctest -C Debug -V`: verbose)
    return {word for word in words if word in _ASKING_OPTIONS} | last


def step_asks(step: str) -> bool:
    """A step that only looks or asks (`rosnode list >/dev/null`, `sleep 2`, `ls`, `x
    --help`): each program of its pipeline (`echo pw | sudo -S chown …` changes an owner)."""
    if WRITES_FILES.search(step):
        return False
    if asks_version(step):
        return True
    return all(_program_asks(part.split()) for part in split_outside_quotes(step, signals.PIPE))


def _program_asks(words: list[str]) -> bool:
    program = words[0].rsplit("/", 1)[-1].lower()
    if program == "env":
        run = list(dropwhile(lambda w: w.startswith("-") or "=" in w, words[1:]))
        return not run or _program_asks(run)  # `env X=1 wrangler deploy` runs wrangler
    if program in _LOOKING:
        return True
    return len(words) > 1 and words[1] in QUERY_SUBCOMMANDS and program not in _FETCHING_GET


# PowerShell's writes of a file, as a step of the command (not a word a search names), and
# .NET's: what both patterns below count.
_CMDLET_AT_STEP = r"(?:^|[|;&\n{]\s*|-Command\s+[\"']\s*)"


_DOTNET_WRITE = r"\[(?:System\.)?IO\.File\]::(?:Write|Append)All"


_WRITES_SOURCE = re.compile(
    r"writeFile(?:Sync)?\(|\.write_text\("
    rf"|{_CMDLET_AT_STEP}(?i:Set-Content|Add-Content)\b|{_DOTNET_WRITE}"
)


# A step that writes files (`sed -i`, `fs.writeFileSync`, a redirect into a file): it changed
# the code or its data, so it is no step to run before the command every time.
WRITES_FILES = re.compile(
    r"\bsed\s+(?:-\w*\s+)*-i|\bperl\s+-\w*i|writeFile(?:Sync)?\b|\.write_text\(|"
    r"\bopen\([^)]*['\"][wa]\+?['\"]|\btee\b|(?<![<>&\d])>>?\s*(?!/dev/|&)[\w~./-]|"
    rf"{_CMDLET_AT_STEP}(?i:Set-Content|Add-Content|Out-File)\b|{_DOTNET_WRITE}"
)


# Files taken back from git (`git checkout 47f62f9 -- lib/x`, `git checkout src/a.py`, `git
# restore src/a.ts`): the working tree's files changed, as by an edit. (A file is told from a
# branch by its extension: `git checkout feature/login` is no edit.)
_RESTORES = re.compile(
    r"^git\s+(?:checkout\s+(?:(?:\S+\s+)?--\s+\S|(?!-)[\w./-]*\.[A-Za-z]\w{0,4}\s*$)"
    r"|restore\s+(?![^\n]*\s?(?:-S|--staged)\b))"
)


def silent_change(event: Event) -> bool:
    """A call that left no result and did more than look: an edit, or a shell command that
    changes state and prints nothing when it works (`git remote add`, `git config`, `mkdir`)."""
    return is_edit(event) or (event.tool_name in _SHELLS and not only_looks(event))


def is_edit(event: Event) -> bool:
    if event.tool_name in signals.EDIT_TOOLS or event.tool_name in _SUBAGENTS:
        return True  # a subagent may have written anything (the implementation, the fix)
    head = command_head(event.text)
    if head.startswith(("apply_patch", "sed -i", "perl -pi")) or _RESTORES.match(head):
        return True
    # a here-document written into a file (`cat <<'EOF' > src/x.go`), or a script that writes
    # (anywhere in it: a script replacing a long block writes at its end)
    return ("<<" in head and bool(WRITES_FILES.search(head))) or bool(
        _WRITES_SOURCE.search(event.text)
    )


def bookkeeping(event: Event, staged: bool = False) -> bool:
    """A commit of what is there (`git add x && git commit -m …`, a push): it changes no file
    a later call reads, so it prepares nothing; when the failed program reads what git
    stages (`staged`), a `git add` changed what it reads."""
    if event.tool_name not in _SHELLS:
        return False
    steps = [s.strip() for s in STEP_SPLIT.split(command_head(event.text)) if s.strip()]
    return bool(steps) and all(
        _GIT_RECORDS.match(s) and not (staged and _GIT_STAGES.match(s)) for s in steps
    )


_GIT_RECORDS = re.compile(r"^git\s+(?:-C\s+\S+\s+)?(?:add|commit|push|tag)\b")


_GIT_STAGES = re.compile(r"^git\s+(?:-C\s+\S+\s+)?add\b")


_SUBAGENTS = frozenset({"Task", "Agent"})


# A package manager asked what exists: a lookup, whatever it finds.
PACKAGE_LOOKUP = re.compile(
    r"^(?:npm|pnpm|yarn|bun)\s+(?:search|view|info|show|ls|list|outdated)\b"
    r"|^(?:pip3?|python3? -m pip|uv pip)\s+(?:show|list|search|index)\b"
    r"|^(?:brew|apt|apt-cache|dnf|winget|choco|gem|cargo)\s+(?:search|info|show|list)\b"
    r"|^conda\s+(?:env\s+list|info|list|search)\b"
)


# `python -c "import cv2; print('OK')"`, in an environment or not: whether a module imports,
# which changes nothing.
# Each statement an atomic group, its names a plain list, a print's arguments one line without
# parentheses: no way to split a long script twice (the search stays linear).
_IMPORT_PROBE = re.compile(
    r"^(?:(?:conda run -n \S+|uv run|poetry run|pipenv run)\s+)?python[\d.]*\s+-c\s+"
    r"(?P<q>[\"'])(?>\s*(?:import [\w.]+(?:\s*,\s*[\w.]+)*"
    r"|from [\w.]+ import [\w.]+(?:\s*,\s*[\w.]+)*|print\([^()\n;]*\))\s*;?)+(?P=q)\s*$"
)


def only_looks(event: Event) -> bool:
    if event.tool_name in _LOOKING_TOOLS:
        return True
    head = command_head(event.text)
    words = head.split()
    if not words:
        return True
    if WRITES_FILES.search(head):
        return False  # `cat <<'EOF' > f`, `sed -i`: it changed a file
    program = words[0].rsplit("/", 1)[-1].lower()
    if program == "git":
        return all(_git_looks(step.split()) for step in shell_steps(head))
    if event.tool_name in _SHELLS and looks_at_tests(head):
        return True  # `npx jest a.spec.ts | grep -A 20 ●`: the tests looked at again
    if (program in _LOOKING and program != "env") or PACKAGE_LOOKUP.match(head):
        return True
    if _IMPORT_PROBE.match(unwrapped(event.text)):  # `… print('OK')" 2>&1` as well
        return True
    return all(step_asks(step) for step in shell_steps(head))


def _git_looks(words: list[str]) -> bool:
    """One git step that only reads (`git status`, `git remote -v`, `git branch -a`); not
    one of those commands given an action (`git remote add`, `git branch -M main`)."""
    if len(words) < 2 or words[0].rsplit("/", 1)[-1].lower() != "git":
        return False
    if words[1] not in signals.LOOKING_GIT:
        return False
    rest = list(takewhile(lambda w: w != "|", words[2:]))
    if words[1] == "remote":
        return not rest or rest[0] not in _REMOTE_ACTIONS
    if words[1] == "branch":
        return not any(w in _BRANCH_ACTIONS for w in rest) and (not rest or rest[0][0] == "-")
    return True


# `git remote`'s actions, which change the remotes (`git remote -v`, `show`, `get-url` read).
_REMOTE_ACTIONS = frozenset(
    {"add", "remove", "rm", "rename", "set-url", "set-head", "set-branches", "prune", "update"}
)


# `git branch`'s options that move, copy, delete or track a branch (a name alone makes one).
_BRANCH_ACTIONS = frozenset(
    {"-m", "-M", "-c", "-C", "-d", "-D", "-f", "-u", "--move", "--copy", "--delete", "--force"}
    | {"--set-upstream-to", "--unset-upstream", "--edit-description", "--track"}
)


# A program run through the project's runner (`npx`, `uv run`, `python -m`), or not.
THROUGH_RUNNER = (
    r"^(?:(?:npx|bunx|pnpm(?:\s+exec)?|yarn|npm\s+exec|uv\s+run|poetry\s+run"
    r"|pipenv\s+run|bundle\s+exec|python[\d.]*\s+-m)\s+(?:--\s+)?)?"
)


# A step that runs tests, by their runner or the project's test scripts (`npx jest
# a.spec.ts`, `uv run pytest -x`, `npx playwright test`, `npm run test:api`); not a runner
# that builds first (`dotnet test`, `cargo test`). Read through a filter only: a script of
# the `test:` family run whole may set things up (`npm run test:db:migrate`).
RUNS_TESTS = re.compile(
    THROUGH_RUNNER
    + r"(?:jest|vitest|pytest|py\.test|mocha|rspec|phpunit|playwright\s+test)(?:\s|$)"
    r"|^(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test(?::[\w:.-]+)?(?:\s|$)"
)


# A test run that writes what the tests compare with (`jest -u`, `--update-snapshots`,
# `--force-regen`, `UPDATE_GOLDEN=1 pytest`), or sets anything up by a variable.
UPDATES_SNAPSHOTS = re.compile(
    r"\s(?:-u|-update|--update[\w-]*|--snapshot-update|--force-regen)(?=[\s=]|$)|^\w+="
)


# What a test run's output is piped into to read part of it.
OUTPUT_FILTER = re.compile(r"^(?:grep|egrep|rg|head|tail|sed\s+-n|less|more|cat)\b")


# A question of what a name is, never a run of it: where a program is (`which x`, `command -v
# x`, `type x`, `Get-Command x`), or an alias or a variable of the shell's (`alias x`,
# `declare -p X`). An alias defined (`alias x='…'`) is no question, nor `command -p x`, which
# runs `x` found on the default PATH.
_NAME_LOOKUP = re.compile(
    r"^(?:which|whereis|where(?:\.exe)?|type|whence|alias|get-command|gcm"
    r"|command\s+-[A-Za-z]*[vV]|(?:declare|typeset)\s+-[A-Za-z]*p)(?:\s+[^=\s]+)*\s*$",
    re.I,
)


def asks_what_name_is(command: str) -> bool:
    """Every step asks what a name is (`which rebuild`, `alias | grep rebuild`, `type -a x ||
    command -v x`), its output at most filtered: nothing was run by that name."""
    steps = [split_outside_quotes(step, signals.PIPE) for step in shell_steps(command)]
    return bool(steps) and all(
        _NAME_LOOKUP.match(parts[0].strip()) is not None
        and all(OUTPUT_FILTER.match(part.strip()) for part in parts[1:])
        for parts in steps
    )


def looks_at_tests(command: str) -> bool:
    """Every step of the command runs tests and reads part of their output through a filter
    (`npx jest a.spec.ts --verbose | grep -A 20 ●`): the tests looked at again; none writes
    the snapshots they compare with. (A test run of its own may set things up: its
    `pretest` script, a build.)"""
    steps = [split_outside_quotes(step, signals.PIPE) for step in shell_steps(command)]
    return bool(steps) and all(
        len(parts) > 1
        and RUNS_TESTS.match(parts[0].strip()) is not None
        and UPDATES_SNAPSHOTS.search(parts[0].strip()) is None
        and all(OUTPUT_FILTER.match(part.strip()) for part in parts[1:])
        for parts in steps
    )


# A program's subcommands that ask and change nothing (`rosnode list`, `kubectl get pods`,
# `docker ps`, `rosparam get /x`): no step that prepared a call.
QUERY_SUBCOMMANDS = frozenset(
    {"list", "get", "info", "show", "status", "describe", "ps", "inspect"}
)


_FETCHING_GET = frozenset({"go", "terraform"})  # their `get` downloads modules
