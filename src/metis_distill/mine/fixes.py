"""What made a failure go away, and whether that is a remedy worth teaching.

A later success is a fix only when it does what the failed call meant (the same command, its
flags kept, or the missing program run another way) and comes right after it. When the failed
call could not run at all (a program or module missing), another form of it that did run is
its fix even if it then failed on the work itself (a test, a type error), but not when it
failed to start again (an import, its usage, a time limit, a kill). What changed
between the two says what kind of fix it was: another form of the call (`python3` for
`python`, `npx jest` for a missing `jest`), a step that prepared it (`chmod +x`, a branch
checked out), edits to files (the code's own bug: nothing to teach), or nothing at all (a
flaky retry: nothing to teach either). A call the user turned down, or the harness held back,
never ran: it is no fix of any kind, and a way the user turned down and then spoke against is
none when run later either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import takewhile

from metis_distill.advice import dangers
from metis_distill.mine import signals
from metis_distill.mine.asked import asked_steps, does_asked
from metis_distill.mine.bystanders import checks_by_script, reruns_a_fellow, sets_work_aside
from metis_distill.mine.drive_paths import mounted_path, written_with_drive
from metis_distill.mine.dropped_pin import dropped_pin
from metis_distill.mine.failed_units import failed_units, runs_failed_unit
from metis_distill.mine.fixers import fixed_nothing, mended_check, reruns_check
from metis_distill.mine.given_secrets import given_secrets
from metis_distill.mine.harness_text import injected
from metis_distill.mine.installed import install_unproven
from metis_distill.mine.intent import (
    contains,
    flag_changes,
    flag_name,
    flags_of,
    same_intent,
    step_words,
)
from metis_distill.mine.kept_cwd import kept_cwd
from metis_distill.mine.modules import environment, importing_step, installs
from metis_distill.mine.no_terminal import terminal_flags
from metis_distill.mine.other_file import another_file
from metis_distill.mine.own_shell import killed_own_shell
from metis_distill.mine.piped_rewrite import rewritten_words, way_around
from metis_distill.mine.protected import protected_refusal, pushed_elsewhere
from metis_distill.mine.shells import (
    broken_heredoc,
    changes_policy,
    does_same,
    doubled,
    eaten_path,
    escaped_bang,
    foreign_command,
    forward_slashed,
    heredoc_in_powershell,
    paren_in_path,
    passed_without_heredoc,
    quoted_path,
    refused_shim,
    runs_shim_cmd,
    switch_as_path,
)
from metis_distill.mine.ssh_https import gh_helpers_between, over_https, ssh_key_refused
from metis_distill.mine.step_effect import (
    OUTPUT_FILTER,
    PACKAGE_LOOKUP,
    QUERY_SUBCOMMANDS,
    RUNS_TESTS,
    THROUGH_RUNNER,
    UPDATES_SNAPSHOTS,
    WRITES_FILES,
    asks_version,
    asks_what_name_is,
    bookkeeping,
    is_edit,
    only_looks,
    retry_only_asks,
    silent_change,
    step_asks,
)
from metis_distill.mine.store_stub import ran_store_stub, runs_python, stub_names
from metis_distill.mine.text import (
    MASKED,
    SHELL_QUOTED,
    SHELL_WORD,
    STEP_SPLIT,
    command_head,
    feeds_interpreter,
    file_name,
    first_step,
    script_steps,
    shell_steps,
    split_heredocs,
    split_outside_quotes,
    step_joiner,
    unplumbed,
    unwrapped,
    writes_heredoc,
)
from metis_distill.mine.time_limits import (
    TIME_LIMIT,
    limit_ms,
    ran_past,
    seconds,
    stopped_after,
    without_limit,
)
from metis_distill.mine.watched import filter_failed, filtered_again, shows_work_done, watched
from metis_distill.mine.word_split import WORD_SPLIT_FIX, unsplit_variable, words_inline
from metis_distill.mine.zsh_parse import run_by_bash, zsh_parse_error
from metis_distill.mine.zsh_read_only import RENAME_FIX, read_only_name, renamed
from metis_distill.models import Event, EventKind

FIX_WINDOW = 8  # tool calls after a failure within which its fix must come
MAX_REPEATS = FIX_WINDOW  # the same failure's repeats followed to the fix of the last
MAX_STEPS = 2  # preparing steps named in a remedy
MIN_ERROR = 12  # characters of an error line specific enough to tell it came back


class FixKind(StrEnum):
    REPLACED = "replaced"  # another form of the call worked
    PREPARED = "prepared"  # the same call worked once a step ran before it
    EDITED = "edited"  # the same call worked after files were edited
    RETRIED = "retried"  # the same call worked with nothing changed in between
    # the same call worked after the user wrote in between: their step, unseen, may be the fix
    STEPPED_IN = "stepped_in"
    HINTED = "hinted"  # the error said what to run first, and it was run
    INSTALLED = "installed"  # the module the error said was missing was installed
    WAITED = "waited"  # the same call, timed out, worked with the longer limit it was given
    ESCALATED = "escalated"  # the same call worked outside the sandbox (Codex)
    NARROWED = "narrowed"  # a search the harness timed out worked on a folder of the tree
    UNFLAGGED = "unflagged"  # the call worked without the flag the error said was unknown
    INLINED = "inlined"  # the words an unsplit `$VAR` held, written in the call, got through
    RENAMED = "renamed"  # the script, its variable no longer one of zsh's read-only ones, ran
    # the install the system's Python refused, run by the pip of a virtual environment made
    OWN_ENVIRONMENT = "own_environment"
    # the same call worked run in a folder below the one where no manifest was found
    MOVED = "moved"
    # a lint or format check passed once its own fixer ran (`bun run lint:fix`, `ruff format`)
    FIXER = "fixer"
    # it worked once given a secret the failed call lacked (a password piped to `sudo -S`):
    # the secret did it, and the next agent has none to give
    SECRET_GIVEN = "secret_given"


TEACHABLE = frozenset(
    {
        FixKind.REPLACED,
        FixKind.PREPARED,
        FixKind.HINTED,
        FixKind.INSTALLED,
        FixKind.WAITED,
        FixKind.ESCALATED,
        FixKind.NARROWED,
        FixKind.UNFLAGGED,
        FixKind.INLINED,
        FixKind.RENAMED,
        FixKind.OWN_ENVIRONMENT,
        FixKind.MOVED,
        FixKind.FIXER,
    }
)


@dataclass(frozen=True)
class Fix:
    kind: FixKind
    call: Event
    result: Event
    # PREPARED: the steps; EDITED: the edits; REPLACED over HTTPS: gh made git's helper;
    # FIXER: the fixer's call
    steps: tuple[Event, ...] = ()
    hint: str = ""  # HINTED: what the error said to run
    installed: str = ""  # INSTALLED: the step of the call that installed the module
    offered: frozenset[str] = frozenset()  # UNFLAGGED: the flags the error's own help names

    @property
    def teachable(self) -> bool:
        return self.kind in TEACHABLE


# "Run /speckit.tasks first", "please run `npm install` before …", "hint: run git pull"
_HINT = re.compile(
    r"\b(?:please\s+)?(?:run|execute|try running)\s+(?P<command>`[^`\n]{2,60}`|/[\w.:-]+|"
    r"'[^'\n]{2,60}')\s+(?:first|before)\b",
    re.I,
)
# A flag the program said it does not know: "unknown flag: --x", "unrecognized option `--x'",
# "error: unexpected argument '--x' found", "flag provided but not defined: -x", openrsync's
# "--x: unknown option", getopt's "illegal option -- x" (the letter alone).
_UNKNOWN_FLAG = re.compile(
    r"(?:unrecognized (?:arguments?|option)|unknown (?:option|flag|argument)|no such option|"
    r"(?:invalid|illegal) option|unexpected argument|flag provided but not defined)"
    r"[:\s]+['\"`]?(?P<flag>--?\w[\w-]*)"
    r"|(?P<before>--?\w[\w-]*)['\"]?:\s+(?:unknown|unrecognized|invalid) option\b"
    r"|(?:invalid|illegal) option -- ['\"]?(?P<letter>\w)\b",
    re.I,
)
# Every match of _UNKNOWN_FLAG, lower-cased, holds one of these (`signals.may_hold`).
_UNKNOWN_FLAG_WORDS = (
    "unrecognized",
    "unknown",
    "no such option",
    "invalid",
    "illegal",
    "unexpected argument",
    "flag provided but not defined",
)


def unknown_flags(error: str) -> frozenset[str]:
    """The flags an error says the program does not know."""
    head = error[:2000]
    if not signals.may_hold(head, _UNKNOWN_FLAG_WORDS):
        return frozenset()
    found = _UNKNOWN_FLAG.finditer(head)
    return frozenset(m["flag"] or m["before"] or f"-{m['letter']}" for m in found)


def find_fix(
    events: tuple[Event, ...], index: int, call: Event | None, *, together: bool = False
) -> Fix | None:
    """What made the failure go away, right after it: the failed call done another way or
    prepared, what the error itself said to run, or the missing module installed; a way that
    worked only once given a secret is told as such (`SECRET_GIVEN`), never as a way.
    `together`: the harness runs the shell calls of one batch at the same time, each in a
    shell of its own (Codex)."""
    fix = _found_fix(events, index, call, together=together)
    if fix is not None and _never_ran(events, fix.call):
        return None  # the way found was turned down or held back: it did nothing
    if fix is not None and call is not None and retry_only_asks(call, fix.call):
        return None  # the way found only printed a usage or a plan: it did none of the work
    if fix is None or call is None or not fix.teachable:
        return fix
    if not given_secrets(call.text, way_taken(fix)):
        return fix
    return replace(fix, kind=FixKind.SECRET_GIVEN)


def way_taken(fix: Fix) -> str:
    """What ran from the failure to the call that worked: the steps in between and that
    call whole (its `export X=… &&` set-up included)."""
    return "\n".join([*(step.text for step in fix.steps), fix.call.text])


def _found_fix(
    events: tuple[Event, ...], index: int, call: Event | None, *, together: bool = False
) -> Fix | None:
    if call is None:
        return None
    if call.tool_name in _BUNDLED_SEARCH_TOOLS and signals.BUNDLED_SEARCH.search(
        events[index].text[:2000]
    ):
        return _searched_by_shell(events, index, call)
    if rewritten_words(call, events[index].text):  # the harness mangled the piped command
        return _first_working(events, index, lambda later: way_around(call, later) is not None)
    if escaped_bang(call, events[index].text):  # the code was fine; the way it was passed not
        return _run_from_file(events, index, call) or _retried(events, index, call, together)
    target = broken_heredoc(call, events[index].text)
    if target is not None:  # the body was fine; the way it was passed not
        return _written_whole(events, index, call, target)
    path = paren_in_path(call, events[index].text)
    if path is not None:  # `ls app/(auth)` in bash: the same path quoted fixes it
        return _first_working(events, index, lambda later: quoted_path(path, later))
    if heredoc_in_powershell(call, events[index].text):  # the code was fine; its passing not
        return _without_heredoc(events, index, call)
    foreign = foreign_command(call, events[index].text)
    if foreign is not None:  # `dir /B` in bash: only the POSIX way (or a harness tool) fixes it
        return _posix_form(events, index, foreign)
    switch = switch_as_path(call, events[index].text)
    if switch is not None:  # `taskkill /F` in Git Bash: the same call with `//F` fixes it
        return _doubled_switch(events, index, call, switch)
    eaten = eaten_path(call, events[index].text)
    if eaten is not None:  # `cat C:\\Users\\…` in bash: the same path with forward slashes
        return _first_working(events, index, lambda later: forward_slashed(call, eaten, later))
    shim = refused_shim(call, events[index].text)
    if shim is not None:  # PowerShell refused `npm.ps1`: `npm.cmd` working is the way (or the
        # execution policy changed, which is the user's to decide, never taught)
        return _first_working(
            events, index, lambda later: runs_shim_cmd(call, shim, later)
        ) or _first_working(events, index, lambda later: changes_policy(call, shim, later))
    if killed_own_shell(call, events[index]):  # the cause is known, its way never shown
        return None
    if kept_cwd(events, index, call):  # the shell stood in another folder: known, no way shown
        return None
    mounted = mounted_path(call, events[index].text)
    if mounted is not None:  # `/d/…` to a file tool: the same file with its drive letter
        fixed = written_with_drive(events, index, call, mounted)
        return Fix(FixKind.REPLACED, *fixed) if fixed is not None else None
    if ran_store_stub(call, events[index]):  # a real Python, by another name or path
        return _real_python(events, index, call)
    unsplit = unsplit_variable(call, events[index])
    if unsplit is not None:  # zsh kept `$FILES` one word: the words written in the call
        inline = words_inline(events, index, call, unsplit)
        return Fix(FixKind.INLINED, *inline) if inline is not None else None
    name = read_only_name(call, events[index])
    if name is not None:  # zsh's own `status`: the script with another name for it
        fixed = renamed(events, index, call, name)
        return Fix(FixKind.RENAMED, *fixed) if fixed is not None else None
    if zsh_parse_error(call, events[index]):  # zsh could not parse it: the script run by bash
        ran = run_by_bash(events, index, call, _window(events, index))
        return Fix(FixKind.REPLACED, *ran) if ran is not None else None
    refused = protected_refusal(call, events[index].text)
    if refused is not None:  # a branch only pull requests change: the way is the project's
        return _pushed_elsewhere(events, index, call, refused.branch)
    verb = ssh_key_refused(call, events[index].text)
    https = over_https(events, _window(events, index), call, verb) if verb else None
    if https is not None:  # no key for ssh: the same git command to an `https://` URL worked
        return Fix(FixKind.REPLACED, *https, gh_helpers_between(events, call, https[0]))
    found = _own_environment(events, index, call) or _retried(events, index, call, together)
    if found is not None and install_unproven(events, events[index], found.call):
        found = None  # the missing program installed, and nothing shows it then ran
    if found is not None and found.kind is not FixKind.STEPPED_IN:
        return found
    # a step of the agent's that the error asked for, or an install, still shows its fix
    return _followed_hint(events, index, call) or _installed(events, index, call) or found


# pip refusing a Python the system manages (PEP 668): nothing installed, nothing of it read.
_EXTERNALLY_MANAGED = re.compile(r"\bexternally-managed-environment\b")
# pip itself missing from the PATH (`bash: pip3: command not found`).
_NO_PIP = re.compile(r"pip[\d.]*(?:\.exe)?$")
# A step that makes a virtual environment in a folder (`python3 -m venv .venv`, `virtualenv
# env`, `uv venv .venv`).
_MAKES_VENV = re.compile(
    r"^(?:\S*python[\d.]*(?:\.exe)?\s+-m\s+venv|virtualenv|uv\s+venv)\s+(?:-\S+\s+)*"
    r"(?P<folder>[^\s;&|-]\S*)\s*$"
)
# The pip of a virtual environment called by its path (`.venv/bin/pip install …`,
# `env/bin/python -m pip install …`, `venv\Scripts\pip.exe install …`).
_OWN_PIP = re.compile(
    r"^[\"']?(?P<folder>[^\s\"']+?)[/\\](?:bin|Scripts)[/\\]"
    r"(?:pip[\d.]*(?:\.exe)?[\"']?|python[\d.]*(?:\.exe)?[\"']?\s+-m\s+pip)\s+install\b"
)


def _own_environment(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """pip refused the system's Python ("externally-managed-environment"), or no pip was on
    the PATH at all; the same install, run by the pip of a virtual environment the session
    made, called by its path (`python3 -m venv .venv`, then `.venv/bin/pip install -e .`), got
    past it: pip at its work (done, or stopped on the package's own requirements), the refusal
    gone. An environment made active is no such proof (a shell's alias may still run the
    system's pip), nor an environment the session did not make (whose it is, and how it came,
    is unseen)."""
    failed = events[index].text[:4000]
    if not _EXTERNALLY_MANAGED.search(failed) and not _NO_PIP.match(
        signals.missing_program(failed) or ""
    ):
        return None
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
            continue
        if later.tool_name != call.tool_name or not same_intent(call.text, later.text):
            continue
        pip = _OWN_PIP.match(command_head(later.text))
        result = results.get(later.tool_use_id or "")
        if pip is None or result is None:
            continue
        made = _made_environment(events, later, pip["folder"])
        if made is None:
            continue
        if result.unfinished or _EXTERNALLY_MANAGED.search(result.text[:4000]):
            return None  # still refused, or how it ended is unseen
        stuck = _could_not_run(result.text) or _stopped_before_work(result)
        if signals.is_success(result) or (not stuck and signals.error_signature(result.text)):
            return Fix(FixKind.OWN_ENVIRONMENT, later, result, (made,))
        return None
    return None


def _made_environment(events: tuple[Event, ...], later: Event, folder: str) -> Event | None:
    """The call of the session, before `later`, that made `folder` a virtual environment,
    and did not fail."""
    results = results_by_call(events[: later.seq])
    wanted = _as_folder(folder)
    for event in reversed(events[: later.seq]):
        if event.kind is not EventKind.TOOL_CALL or event.session != later.session:
            continue
        if event.tool_name not in signals.SHELL_TOOLS or _venv_step(event) is None:
            continue
        result = results.get(event.tool_use_id or "")
        made = _MAKES_VENV.match(_venv_step(event) or "")
        if made is not None and _as_folder(made["folder"]) == wanted:
            return event if result is None or signals.is_success(result) else None
    return None


def _venv_step(event: Event) -> str | None:
    """The step of a shell call that makes a virtual environment, if one does."""
    return next((step for step in shell_steps(event.text) if _MAKES_VENV.match(step)), None)


def _as_folder(path: str) -> str:
    return path.strip("\"'").removeprefix("./").rstrip("/\\")


_BUNDLED_SEARCH_TOOLS = frozenset({"Grep", "Glob"})
# Programs that search files' text, each standing in for another when one is not installed.
SEARCHERS = frozenset({"rg", "grep", "egrep", "ag", "ack"})
_SHELL_SEARCH = re.compile(rf"^(?:{'|'.join(sorted(SEARCHERS))}|find|git grep)\s")


def _searched_by_shell(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """The search the tool could not run, done through the shell and working."""
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
            continue
        if later.tool_name not in signals.SHELL_TOOLS:
            continue
        result = results.get(later.tool_use_id or "")
        if _SHELL_SEARCH.match(unwrapped(later.text)) and result and signals.is_success(result):
            return Fix(FixKind.REPLACED, later, result)
    return None


def _written_whole(events: tuple[Event, ...], index: int, call: Event, target: str) -> Fix | None:
    """The file the here-document was to write, written by the Write tool (or a server's
    write tool) instead, and written."""
    name = file_name(target)
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
            continue
        writes = later.tool_name == "Write" or (later.tool_name or "").endswith("write_file")
        if writes and file_name(later.text.strip()) == name:
            result = results.get(later.tool_use_id or "")
            if result is not None and result.kind is not EventKind.ERROR:
                return Fix(FixKind.REPLACED, later, result)
    return None


def _run_from_file(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """The code written to a file (the Write tool) and the file run through the shell,
    working: what an inline script could not do."""
    results = results_by_call(events[index + 1 :])
    written: dict[str, Event] = {}  # the files written, by name
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
            continue
        if later.tool_name == "Write" and later.text.strip():
            written[file_name(later.text.strip())] = later
        elif later.tool_name in signals.SHELL_TOOLS:
            run = [write for name, write in written.items() if name in later.text]
            result = results.get(later.tool_use_id or "")
            if run and result is not None and signals.is_success(result):
                return Fix(FixKind.REPLACED, later, result, (run[0],))
    return None


def _retried(
    events: tuple[Event, ...], index: int, call: Event, together: bool = False, repeats: int = 0
) -> Fix | None:
    """The later call that did what the failed `call` meant and worked (`repeats`: how many
    times the same failure was followed to get here)."""
    failure = events[index]
    if signals.HARNESS_STOPPED.match(failure.text):
        return _outlasted(events, index, call)
    results = results_by_call(events[index + 1 :])
    missing = signals.missing_program(failure.text)
    dropped = unknown_flags(failure.text)
    # flags the error refused: unknown to the program, or asking for a terminal it lacks
    refused = dropped | terminal_flags(failure.text, call.text)
    units = failed_units(failure.text)
    since = call  # the last time the call could not run: what ran before is shown no fix
    turned_down: dict[str, Event] = {}  # the ways the user turned down, by their command
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL:
            continue
        if later.session != call.session or later.tool_name != call.tool_name:
            continue
        if call.tool_name in signals.EDIT_TOOLS and not later.in_place:
            continue  # a file rewritten whole, or lines only added: no replacement that worked
        if another_file(call, later):
            continue  # another file read or written: the failed one is still as it was
        fixer = _fixer_then_passed(events, index, call, later)
        if fixer is not None:
            return fixer
        stands_in = _searches_instead(call.text, later.text, missing) or (
            recipe_instead(call.text, later.text, missing) is not None
        )
        runs_missing = stands_in or _runs(later.text, missing)
        if not (runs_missing or same_intent(call.text, later.text, refused)):
            continue
        if units and not runs_missing and not runs_failed_unit(units, call.text, later.text):
            # `mise run lint:fmt` after `[lint:deps] ERROR task failed`: the check skipped (the
            # missing program run another way, `npx vitest run` after `npm test`'s `vitest:
            # not found`, runs what the unit ran)
            continue
        if _flag_added_past_refusal(failure, call, later):
            continue  # `node app.js --init-only` after `listen EPERM`: the refused part skipped
        if _never_ran(events, later):
            if _turned_down(events, later):
                turned_down[unwrapped(later.text)] = later
            continue  # turned down or held back: it did nothing, no fix of any kind
        if _refused_way(events, turned_down, later):
            continue
        result = results.get(later.tool_use_id or "")
        if result is None:
            continue
        if stands_in and not _worked(later, result, failure):
            continue  # another program doing the job is shown only by its working
        if _status_hidden(failure, call, later, result):
            continue  # `rspec x | grep -A10 Expected`: the status is grep's; no pass shown
        if asks_version(later.text) and not (missing and asks_version(call.text)):
            # `x --version` working shows the program starts, not that it does the job; for a
            # program not found, asked its version, the other one found is the answer
            continue
        if retry_only_asks(call, later):
            continue  # `x migrate --help` after `x migrate`: the usage printed, nothing done
        if _only_prints(later.text) and not _only_prints(call.text):
            continue  # `X=1 bash -c 'echo "$X"'`: a probe of how the shell reads it, no work
        if PACKAGE_LOOKUP.match(unwrapped(later.text)) and not PACKAGE_LOOKUP.match(
            unwrapped(call.text)
        ):
            continue  # `npm search x` after `npx x` failed: what exists was looked up, no work
        if asks_what_name_is(later.text) and not asks_what_name_is(call.text):
            continue  # `which x`, `alias x` after `x` not found: what it is was asked, not run
        if _asks_instead(call.text, later.text):
            continue  # `git stash list` after `git stash`: what is there looked at, no work
        if watched(call.text, later.text):
            continue  # `bash -x ./install.sh | tail`, `GIT_TRACE=1 git stash`: only watched
        filtered = filtered_again(call.text, later.text)
        if filtered and not shows_work_done(result):
            continue  # `lint ./... | grep -o x | sort | uniq -c`: the filter's status, no work
        if _output_unseen(call.text, later.text):
            continue  # `cmd > log; rg x log`: what printed and exited was another program
        if dropped_pin(failure.text, call.text, later.text, result.text):
            continue  # `pip install x` "already satisfied" after no `x==1.3.2`: it never came

        if _worked(later, result, failure):
            if _ALREADY_DONE.search(result.text.lstrip().split("\n", 1)[0]):
                return None  # the failed call had done the work: the retry changed nothing
            fix = _classify(events, call, later, result, failure, together)
            if fix is None:
                return None
            if fix.kind is FixKind.RETRIED and _let_out_whole(call, later):
                return Fix(FixKind.ESCALATED, later, result)  # run again, outside the sandbox
            if fix.kind in _CHANGES and _NETWORK.search(failure.text[:4000]):
                return Fix(FixKind.RETRIED, later, result)  # the network came back
            if fix.kind in _CHANGES and _did_as_asked(fix, failure):
                return fix  # the step the error itself asked for ran: no rerun by chance
            if fix.kind in _CHANGES and _locked(failure.text) and not _let_go(call, fix):
                return Fix(FixKind.RETRIED, later, result)  # the lock was let go of
            if fix.kind is FixKind.RETRIED and _user_between(events, call, later):
                # the user had the word in between: what they changed is unseen
                return Fix(FixKind.STEPPED_IN, later, result)
            if fix.kind is FixKind.PREPARED and _user_between(events, call, later, fix.steps):
                # ... and told no step the agent then took: theirs may be the fix
                return Fix(FixKind.STEPPED_IN, later, result)
            if fix.kind is FixKind.REPLACED and _unflagged(call.text, later.text, dropped):
                return _unflagged_fix(failure.text, call, later, result, dropped)
            if fix.kind is FixKind.REPLACED and filtered:
                return Fix(FixKind.RETRIED, later, result)  # the same command, its output cut
            return fix
        if _let_out(failure, call, later, result) and not _ran_elsewhere(events, call, later):
            return Fix(FixKind.ESCALATED, later, result)
        if (
            not result.unfinished  # still running at its last poll: how far it got is unseen
            and _got_past(failure, later, result)
            and (
                _only_other_form(events, call, since, later)
                or _fetches_missing(failure, call, later)
            )
            and not _ran_elsewhere(events, call, later)
        ):
            return Fix(FixKind.REPLACED, later, result)
        same_call = later.text == call.text and call.tool_name not in signals.EDIT_TOOLS
        if signals.is_failure(result) and same_call:
            if _could_not_run(failure.text) and _could_not_run(result.text):
                since = later
                continue  # still could not run: another form of it may yet
            # the same call failed again: whatever came between was no fix; what mended
            # the failure repeated mends this one
            return _repeat_mended(events, failure, later, result, together, repeats)
    return None


def _never_ran(events: tuple[Event, ...], call: Event) -> bool:
    """The call's answer says it never ran: turned down, held back or refused by a hook."""
    answer = _answer(events, call)
    return answer is not None and signals.never_ran(answer)


def _turned_down(events: tuple[Event, ...], call: Event) -> bool:
    """The user turned the call down before it ran: not the harness or a hook holding it
    back, nor a run the user stopped (`Exit code 137`), which says nothing against the way."""
    answer = _answer(events, call)
    return (
        answer is not None
        and not answer.hooked
        and answer.exit_code is None
        and (answer.kind is EventKind.INTERRUPT or signals.is_rejection(answer))
    )


def _answer(events: tuple[Event, ...], call: Event) -> Event | None:
    """What answered the call (its result, Codex's declined approval), looked for up to the
    user's next words."""
    if call.kind is not EventKind.TOOL_CALL or not call.tool_use_id:
        return None
    for seq in range(call.seq + 1, len(events)):
        later = events[seq]
        if later.tool_use_id == call.tool_use_id and later.kind is not EventKind.TOOL_CALL:
            return later
        if later.session != call.session:
            return None
        if later.role == "user" and later.kind is EventKind.TEXT and not later.mid_turn:
            return None
    return None


def _refused_way(events: tuple[Event, ...], turned_down: dict[str, Event], later: Event) -> bool:
    """`later` runs a way the user turned down, and what they said since was more than a bare
    yes (a correction, another way): a refused way is no fix, whatever it did when run."""
    refused = turned_down.get(unwrapped(later.text))
    if refused is None:
        return False
    said = [
        signals.rejection_words(e) or e.text.strip()
        for e in events[refused.seq + 1 : later.seq]
        if (e.role == "user" and e.kind is EventKind.TEXT and not injected(events, e.seq))
        or signals.rejection_words(e)
    ]
    return any(not _APPROVAL.fullmatch(text) for text in said)


def _fixer_then_passed(
    events: tuple[Event, ...], index: int, call: Event, fixer: Event
) -> Fix | None:
    """The failed check's own fixer (`fixers.mended_check`), run with no edit before it and
    not saying it changed nothing, then the check passing within the fix window: the fixer is
    the way. Edits and failed checks between the fixer and the pass mended by hand what it
    left (the check's findings it cannot fix); the user's word between, theirs may be it."""
    failure = events[index]
    check = mended_check(call.text, fixer.text, failure.text)
    if check is None:
        return None
    before = events[index + 1 : fixer.seq]
    if any(is_edit(e) or _prepares(e, check) for e in before):
        return None  # an edit, or a step that did work (`npm install`): which one mended it?
    results = results_by_call(events[index + 1 :])
    fixed = results.get(fixer.tool_use_id or "")
    if fixed is None or fixed_nothing(fixed.text) or _never_ran(events, fixer):
        return None
    said = signals.error_signature(failure.text)
    if said and said in fixed.text:
        return None  # the fixer printed the same error: it did not mend that (`error TS2322`)
    for rerun in _window(events, index):
        if rerun.seq <= fixer.seq or rerun.kind is not EventKind.TOOL_CALL:
            continue
        if rerun.tool_name != call.tool_name or not reruns_check(check, rerun.text):
            continue
        result = results.get(rerun.tool_use_id or "")
        if result is None:
            continue
        if _worked(rerun, result, failure):
            if _user_between(events, call, rerun):
                return None
            return Fix(FixKind.FIXER, rerun, result, (fixer,))
    return None


def _prepares(event: Event, check: str) -> bool:
    """A shell call, not the check again, that did more than look (`npm install`)."""
    return (
        event.kind is EventKind.TOOL_CALL
        and event.tool_name in _SHELLS
        and not only_looks(event)
        and unwrapped(event.text) != check
    )


def _repeat_mended(
    events: tuple[Event, ...],
    failure: Event,
    again: Event,
    result: Event,
    together: bool,
    repeats: int,
) -> Fix | None:
    """What mended the same call's failure repeated with the same error (`result`, of the call
    `again`); None when it failed otherwise (another failure, another fix), or after
    MAX_REPEATS repeats (a polling loop: no recursion as deep as the loop, no quadratic walk)."""
    if repeats >= MAX_REPEATS:
        return None
    if signals.error_signature(result.text) != signals.error_signature(failure.text):
        return None
    return _retried(events, result.seq, again, together, repeats + 1)


# A retry told that what it asked for was done before it ("Pull request #22 was already
# merged"), as its first line: the failed call got that far, and its error came after the
# work (a test's name further down, "refunds an order that was already published", is none).
_ALREADY_DONE = re.compile(
    r"\b(?:was|is|has|have|were) already (?:been )?(?:merged|closed|deleted|published|pushed)\b",
    re.I,
)


def _searches_instead(failed: str, retry: str, missing: str | None) -> bool:
    """The missing program searched text, and the retry searches for the same pattern with
    another searcher (`grep -R -n "aider"` after `rg -n "aider"` found no `rg`), or for some
    of the same alternatives in its own syntax (`grep -Rn "a\\|b"` after `rg -n "a|b|c"`)."""
    if missing not in SEARCHERS:
        return False
    a, b = _words(command_head(failed)), _words(command_head(retry))
    if len(a) < 2 or not b or b[0] not in SEARCHERS or b[0] == missing:
        return False
    pattern = next((word for word in a[1:] if not word.startswith("-")), None)
    if pattern is None:
        return False
    if pattern in b[1:]:
        return True
    given = next((word for word in b[1:] if not word.startswith("-")), None)
    return given is not None and bool(_alternatives(pattern) & _alternatives(given))


def _words(command: str) -> list[str]:
    """A command's words, a quoted one whole (`"rate limit|quota"`)."""
    return re.findall(SHELL_WORD, command)


MIN_ALTERNATIVE = 4  # characters of an alternative specific enough to name the same search


def _alternatives(pattern: str) -> set[str]:
    """The words a search pattern looks for, `|` (or basic regex's `\\|`) between them, each
    without a leading or trailing `_` (`load_theme` of `_load_theme`)."""
    parts = re.split(r"\\?\|", pattern.strip("'\""))
    return {p.strip("_") for p in parts if len(p.strip("_")) >= MIN_ALTERNATIVE}


# Task runners: a recipe's name after them (`just fmt`, `make test`).
TASK_RUNNERS = frozenset({"just", "make", "task"})
# Toolchains whose subcommands (or scripts, after `run`) a task runner's recipes mirror:
# `cargo fmt` for `just fmt`, `npm run lint` for `make lint`. Another program's subcommand of
# the recipe's name is not the recipe (`git clean -fdx` for `make clean`).
RECIPE_TOOLS = frozenset(
    {"cargo", "go", "dotnet", "mix", "gradle", "./gradlew", "mvn", "./mvnw", "swift", "dune"}
    | {"stack", "cabal", "deno", "flutter", "dart", "npm", "pnpm", "yarn", "bun"}
)
# Recipes whose acts the tool's subcommand of the same name need not share: what they
# install, publish or push goes beyond the work tree (`npm install` is not `make install`).
_OUTWARD_RECIPES = frozenset({"install", "publish", "release", "deploy", "push", "upload"})


def recipe_instead(failed: str, retry: str, missing: str | None) -> tuple[str, str] | None:
    """The missing program was a task runner given a recipe (`just fmt`), and the retry ran
    a command of that name with a toolchain such recipes wrap (`cargo fmt --all`, `npm run
    lint`): (the runner's step, the tool's), as `just fmt` and `cargo fmt`. None for another
    program (`git clean` for `make clean`), a recipe reaching beyond the work tree (`install`,
    `publish`), or a step the advice checks count dangerous."""
    if missing not in TASK_RUNNERS:
        return None
    ran = next((w for w in step_words(command_head(failed)) if w[:1] == [missing]), None)
    recipe = next((w for w in (ran or [])[1:] if not w.startswith("-")), None)
    if ran is None or recipe is None or recipe in _OUTWARD_RECIPES:
        return None
    for words in step_words(command_head(retry)):
        if not words or words[0] not in RECIPE_TOOLS:
            continue
        named = words[1:2] if words[1:2] == [recipe] else words[1:3]
        if named[-1:] != [recipe] or named[0] not in (recipe, "run"):
            continue
        if dangers(retry):
            return None  # whatever the recipe runs, no line teaches a dangerous call for it
        return f"{missing} {recipe}", " ".join([words[0], *named])
    return None


# uv's words for a program that is not in the project's environment.
# uv could not start the program; Windows' launcher could not start the interpreter it names
_SPAWN_FAILED = re.compile(
    r"Failed to spawn: `?(?P<program>[\w.+-]+)`?|Unable to create process using "
)
# An installer that will not work in this environment: a retry that says so got past nothing.
_INSTALLER_REFUSED = re.compile(r"No virtual environment found|externally-managed-environment")


# A step that prints, sets a variable or does nothing; a shell given a script to run.
_PRINTS = re.compile(r"^(?:echo|printf|true|:)(?:\s|$)")
_ASSIGNMENTS = re.compile(r"^(?:(?:export\s+)?\w+=(?:'[^']*'|\"(?:\\.|[^\"\\])*\"|[^\s'\"]*)\s*)+")
_SHELL_SCRIPT = re.compile(r"^(?:ba|z)?sh\s+-l?c\s+(?P<quote>['\"])(?P<script>.*)(?P=quote)$", re.S)


def _only_prints(command: str) -> bool:
    """Printing text and setting variables, however wrapped in a shell: no work done."""
    steps = script_steps(command)
    return bool(steps) and all(_step_only_prints(step) for step in steps)


def _step_only_prints(step: str) -> bool:
    if "$(" in step or "`" in step:
        return False  # `echo "$(npm test)"`: the substitution runs a command
    rest = _ASSIGNMENTS.sub("", step)
    inner = _SHELL_SCRIPT.match(rest)
    if inner is not None:
        return _only_prints(inner["script"])
    writes = ">" in SHELL_QUOTED.sub("", rest)  # `echo x > .env` writes a file
    return not rest or (bool(_PRINTS.match(rest)) and not writes)


def _could_not_run(text: str) -> bool:
    """The error says the program or module could not be started at all, before it did any
    of its work."""
    head = text[:4000]
    return bool(
        signals.missing_program(head) or signals.missing_module(head) or _SPAWN_FAILED.search(head)
    )


# Interpreters known by other names (`python3` for `python`, `nodejs` for `node`): one of
# them starting is the way past another not found, whatever the script then lacks.
_INTERPRETER = re.compile(r"^(?:python[\d.]*|py|node(?:js)?|ruby[\d.]*|perl[\d.]*|php[\d.]*)$")


def fails_on_its_own(fix: Fix) -> bool:
    """The fix's call ran but could not do its work either (`python3 -m pytest` after no
    `python`: no pytest): it showed the way past one failure and is a failure of its own."""
    return signals.is_failure(fix.result) and _could_not_run(fix.result.text)


def _got_past(failure: Event, later: Event, result: Event) -> bool:
    """Another form of a call that could not run did run: its output no longer says so, and
    says something else (lint findings, a failing test: the program doing its work). A write
    refused counts too (`GOCACHE=/tmp/go-build go test` after the cache was not writable),
    unless the other form is `sudo`'s and it did not get to run (no password, no terminal).
    For a program not found, the other program starting is enough (`python3 -m pytest`
    saying it has no pytest shows `python3` is there, after `python` was not), unless what
    it lacks is the program that was not found (no `pytest`, by either name). Otherwise what
    fails next must be the work itself: another failure to start the same thing (an import,
    its usage, a time limit or a kill) shows no way past."""
    head = result.text[:4000]
    if signals.missing_module(failure.text[:4000]) and not signals.missing_program(failure.text):
        return _past_import(result)
    denied = bool(signals.WRITE_REFUSED.search(failure.text[:4000])) and not (
        _AS_ROOT.match(command_head(later.text)) or _NOT_AUTHORIZED.search(head)
    )
    missing = signals.missing_program(failure.text[:4000])
    if missing is not None and _INTERPRETER.match(missing):
        lacks = signals.missing_module(head)
        stuck = bool(
            signals.missing_program(head)
            or _SPAWN_FAILED.search(head)
            or (lacks is not None and lacks[0] == missing)
        )
    else:
        stuck = _could_not_run(result.text) or bool(_IMPORT_FAILED.search(head))
    stuck = stuck or bool(_INSTALLER_REFUSED.search(head)) or _stopped_before_work(result)
    return (
        (_could_not_run(failure.text) or denied)
        and not stuck
        and not signals.WRITE_REFUSED.search(head)
        and bool(signals.error_signature(result.text))
    )


def _past_import(result: Event) -> bool:
    """A missing module's other run got past the import: its output says no module is
    missing and no import failed (its traceback may pass through the module's files); what
    failed next (a write its sandbox refused) is its own failure."""
    head = result.text[:4000]
    stuck = _could_not_run(head) or bool(_IMPORT_FAILED.search(head))
    stuck = stuck or bool(_INSTALLER_REFUSED.search(head)) or _stopped_before_work(result)
    return not stuck and bool(signals.error_signature(head))


def _stopped_before_work(result: Event) -> bool:
    """The call stopped before its work was seen done: stopped by a time limit or killed,
    called the wrong way (its usage), or not started by the harness (Codex's `execution
    error: … (os error 2)`)."""
    head = result.text[:4000]
    return bool(
        result.exit_code in _KILLED
        or _TIMED_OUT.search(head[:400])
        or _USAGE_PRINTED.search(head)
        or unknown_flags(head)
        or _NOT_STARTED.match(head)
    )


# Python stopping at an import, whatever its cause (a relative import run as a script, a name
# the module lacks): the program never reached its work. (pytest's "ImportError while
# importing test module" is the runner at work: the code under test failing to import.)
_IMPORT_FAILED = re.compile(r"^(?:ImportError|ModuleNotFoundError):", re.M)
# A program's own usage printed on a call it could not take (`usage: sync.py [-h] …`).
_USAGE_PRINTED = re.compile(r"^\s*usage:\s", re.I | re.M)
# Codex's harness could not start the command at all.
_NOT_STARTED = re.compile(r"^(?:failed in sandbox\b.*?)?execution error: .*\(os error \d+\)")
_AS_ROOT = re.compile(r"^\s*(?:sudo|doas|runas|gsudo)\b")
_NOT_AUTHORIZED = re.compile(
    r"a terminal is required|a password is required|incorrect password|\bsudo:|"
    r"[Aa]uthentication (?:failed|failure)|not in the sudoers"
)


def _flag_added_past_refusal(failure: Event, call: Event, later: Event) -> bool:
    """The sandbox denied the call a socket or a write (`listen EPERM`) and the retry, still
    inside it, runs the command only with flags added (`node server.js --init-only`): a
    flag may skip the very step refused, so its pass shows no fix of the call."""
    if later.escalated and not call.escalated:
        return False
    if signals.SANDBOX_DENIED.search(failure.text[:4000]) is None:
        return False
    failed = without_limit(call.text).split()
    steps = [step.split() for step in script_steps(unwrapped(later.text))]
    if not failed or any(step == failed for step in steps):
        return False
    return any(
        contains(step, failed) and any(word.startswith("-") for word in step if word not in failed)
        for step in steps
    )


def _let_out(failure: Event, call: Event, later: Event, result: Event) -> bool:
    """The same command let out of the sandbox no longer met what the sandbox refused (a
    socket, a write, the network) and did its work, whatever its own status says
    (`mix hex.outdated` exits 1 when updates exist)."""
    head = result.text[:20_000]
    return (
        later.escalated
        and not call.escalated
        and without_limit(later.text) == without_limit(call.text)
        and signals.SANDBOX_REFUSAL.search(failure.text[:4000]) is not None
        and signals.SANDBOX_REFUSAL.search(head) is None
        and result.exit_code not in _KILLED
        and not _TIMED_OUT.search(head[:400])
        and not _could_not_run(result.text)
        and not _CRASHED.search(head)
    )


def _real_python(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """The next shell call that ran a Python by another name than the placeholders' that
    exited 49 (`python` after `python3`, `py -3`, a full path) and worked."""
    results = results_by_call(events[index + 1 :])
    stubs = stub_names(call)
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.tool_name != call.tool_name:
            continue
        result = results.get(later.tool_use_id or "")
        if later.session != call.session or result is None:
            continue
        if ran_store_stub(later, result):  # another name, a placeholder too
            stubs += [name for name in stub_names(later) if name not in stubs]
        elif _ran_python(later, stubs):
            return Fix(FixKind.REPLACED, later, result) if signals.is_success(result) else None
    return None


def python_here(events: tuple[Event, ...], call: Event) -> tuple[list[str], str | None]:
    """The placeholders of the Microsoft Store the run saw exit 49 in silence, `call`'s first,
    and the Python that ran a script in the run by another name, as written (None if none
    did): what the machine has, wherever in the run it showed."""
    results = results_by_call(events)
    stubs = stub_names(call)
    pythons = []
    for later in events:
        result = results.get(later.tool_use_id or "")
        if later.kind is not EventKind.TOOL_CALL or result is None:
            continue
        if ran_store_stub(later, result):
            stubs += [name for name in stub_names(later) if name not in stubs]
        elif signals.is_success(result):
            pythons.append(later)
    worked = (_ran_python(later, stubs) for later in pythons)
    return stubs, next((python for python in worked if python is not None), None)


def _ran_python(call: Event, stubs: list[str]) -> str | None:
    """The Python other than the placeholders `stubs` that the call ran work with, as written;
    not a call that only asked versions (`py -3 --version || node --version`: which runs
    here, asked)."""
    if call.tool_name not in signals.SHELL_TOOLS:
        return None
    if all(asks_version(step) for step in shell_steps(call.text)):
        return None
    return runs_python(call.text, stubs)


def _let_out_whole(call: Event, later: Event) -> bool:
    """`later` ran every step of the call, unchanged (a check maybe put before them), outside
    the sandbox the call ran in: what changed is where it ran."""
    steps = script_steps(unwrapped(later.text))
    failed = script_steps(unwrapped(call.text))
    added = [step for step in steps if step not in failed]
    return (
        later.escalated
        and not call.escalated
        and all(step in steps for step in failed)
        and all(step_asks(step) for step in added)  # `pip install … && pytest`: the install
    )


# What a call stopped by a time limit reports: it did not get to do its work.
_KILLED = frozenset({124, 137, 143})
_TIMED_OUT = re.compile(r"\btimed out\b|^Exit code:? 124\b", re.I | re.M)


def _only_other_form(events: tuple[Event, ...], call: Event, since: Event, later: Event) -> bool:
    """`later` is another form of the call, and nothing but looks ran since the call last
    failed (an install in between would be what let it run)."""
    if unwrapped(later.text) == unwrapped(call.text):
        return False
    between = _successful_calls(events, since, later)
    return all(only_looks(e) and not is_edit(e) for e in between)


def _fetches_missing(failure: Event, call: Event, later: Event) -> bool:
    """The failure said a program was not found or could not be started, and the other form
    fetches that very program for its own run (`uv run --with pytest pytest` after `uv run
    pytest` could not spawn it): whatever ran in between, the form is what let it run."""
    head = failure.text[:4000]
    spawn = _SPAWN_FAILED.search(head)
    missing = signals.missing_program(head) or (spawn["program"] if spawn else None)
    if not missing:
        return False
    name = missing.lower()
    return name in _fetched(unwrapped(later.text)) and name not in _fetched(unwrapped(call.text))


# Runners that fetch the tool they are given for that one run, whatever is installed; and
# the options of `uv run` and `npx` that add a package to the run.
_FETCHING_RUNNERS = (("uvx",), ("uv", "tool", "run"), ("pipx", "run"), ("pnpm", "dlx"))
_ADDS_PACKAGE = {("uv", "run"): ("--with",), ("npx",): ("-p", "--package")}
_VALUED = frozenset({"--from", "--with", "--python", "-p", "--spec", "--index", "--index-url"})
_PACKAGE_NAME = re.compile(r"@?[^@<>=!~\[;\s'\"]+")


def _fetched(command: str) -> set[str]:
    """The packages the command's first step fetches for its own run: `uv run --with x`,
    `npx -p x`, `uvx x` (or its `--from x`), `pipx run x`, `pnpm dlx x`."""
    steps = shell_steps(command)
    words = steps[0].split() if steps else []
    values: list[str] = []
    for runner, options in _ADDS_PACKAGE.items():
        if tuple(words[: len(runner)]) == runner:
            values += _option_values(words, options)
    for runner in _FETCHING_RUNNERS:
        if tuple(words[: len(runner)]) == runner:
            values += _option_values(words, ("--from", "--spec"))
            rest = words[len(runner) :]
            tool = next(
                (
                    w
                    for i, w in enumerate(rest)
                    if not w.startswith("-") and (i == 0 or rest[i - 1] not in _VALUED)
                ),
                None,
            )
            values += [tool] if tool else []
    names = (part for value in values for part in value.split(","))
    return {m[0].lower() for name in names if (m := _PACKAGE_NAME.match(name.strip("'\"")))}


def _option_values(words: list[str], options: tuple[str, ...]) -> list[str]:
    """The values given to `options`, as `--with x` or `--with=x`."""
    found = []
    for i, word in enumerate(words):
        if word in options and i + 1 < len(words):
            found.append(words[i + 1])
        elif word.startswith(tuple(f"{o}=" for o in options)):
            found.append(word.split("=", 1)[1])
    return found


def _posix_form(events: tuple[Event, ...], index: int, foreign: str) -> Fix | None:
    """The call that did what a cmd or PowerShell command meant, the POSIX way or with the
    harness's own tool, and worked. A POSIX command that worked may print nothing (`mkdir -p
    out`), and then leaves no result (an error always says something: its exit code): it
    worked when the session went on past it, a result or a word of the agent's after it."""
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        if not does_same(foreign, later):
            continue
        result = results.get(later.tool_use_id or "")
        if result is None and _went_on(events, later):
            return Fix(FixKind.REPLACED, later, later)  # no result to show: the call is its own
        if result is not None and signals.is_success(result):
            return Fix(FixKind.REPLACED, later, result)
    return None


def _went_on(events: tuple[Event, ...], call: Event) -> bool:
    """The session went on past a call: another call's result or the agent's words after it
    (a call issued beside it is no proof it ended)."""
    return any(
        later.session == call.session
        and (later.role == "tool" or (later.role == "assistant" and later.kind is EventKind.TEXT))
        for later in events[call.seq + 1 :]
    )


def _first_working(
    events: tuple[Event, ...], index: int, accepts: Callable[[Event], bool]
) -> Fix | None:
    """The first call after the failure that `accepts` takes, when it worked."""
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        result = results.get(later.tool_use_id or "")
        if accepts(later) and result is not None and signals.is_success(result):
            return Fix(FixKind.REPLACED, later, result)
    return None


def _pushed_elsewhere(
    events: tuple[Event, ...], index: int, call: Event, branch: str | None
) -> Fix | None:
    """A shell call of the same session that pushed another branch than the protected one,
    or opened a pull request, and worked."""
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        result = results.get(later.tool_use_id or "")
        if (
            later.kind is EventKind.TOOL_CALL
            and later.session == call.session
            and later.tool_name in signals.SHELL_TOOLS
            and result is not None
            and signals.is_success(result)
            and pushed_elsewhere(branch, later, result.text)
        ):
            return Fix(FixKind.REPLACED, later, result)
    return None


def _without_heredoc(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """The interpreter the here-document fed, given the code by `-c` or `-e` instead."""
    return _first_working(events, index, lambda later: passed_without_heredoc(call, later))


def _doubled_switch(events: tuple[Event, ...], index: int, call: Event, switch: str) -> Fix | None:
    """The same program run with the switch's slash doubled, its switch no longer read as a
    path: the program got the switch (what it then did, "no such process", is its own)."""
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        result = results.get(later.tool_use_id or "")
        if result is None or later.session != call.session or not doubled(call, switch, later):
            continue
        if switch_as_path(later, result.text) is None:
            return Fix(FixKind.REPLACED, later, result)
    return None


def _followed_hint(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """The error said what to run first ("Run /tasks first"), and the session ran it."""
    hint = _HINT.search(events[index].text[:4000])
    if hint is None:
        return None
    wanted = hint["command"].strip("`'\".")
    for later in _window(events, index):
        if later.session != call.session:
            continue
        ran = later.kind is EventKind.TOOL_CALL and command_head(later.text).startswith(wanted)
        typed = later.role == "user" and f"<command-name>{wanted}</command-name>" in later.text
        if ran or typed:
            return Fix(FixKind.HINTED, later, later, hint=wanted)
    return None


def _installed(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """The module an import error named was installed right after, into the environment the
    failed step ran in, and the import error did not come back in the session."""
    missing = signals.missing_module(events[index].text)
    if missing is None:
        return None
    module, error = missing
    where = _environment_of_failure(call.text, events[index].text)
    if where is None:
        return None
    results = results_by_call(events[index + 1 :])
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
            continue
        result = results.get(later.tool_use_id or "")
        step = next(
            (
                s
                for s in shell_steps(later.text)
                if installs(s, module) and environment(later.text, s) == where
            ),
            None,
        )
        if step is None or result is None:
            continue
        if signals.is_success(result) and not _comes_back(events, result.seq, error):
            return Fix(FixKind.INSTALLED, later, result, installed=step)
    return None


def _environment_of_failure(command: str, error: str) -> str | None:
    """Where the step that raised the import error ran; when the error does not say which
    step, where all of them ran, else None."""
    step = importing_step(command, error)
    if step is not None:
        return environment(command, step)
    places = {environment(command, s) for s in shell_steps(command)}
    return places.pop() if len(places) == 1 else None


def _window(events: tuple[Event, ...], index: int) -> list[Event]:
    """The events after a failure up to its `FIX_WINDOW`-th tool call."""
    found, calls = [], 0
    for later in events[index + 1 :]:
        if later.kind is EventKind.TOOL_CALL:
            calls += 1
            if calls > FIX_WINDOW:
                break
        found.append(later)
    return found


def _user_between(
    events: tuple[Event, ...], call: Event, later: Event, steps: Sequence[Event] = ()
) -> bool:
    """The user wrote between the two calls ("I switched the branch"): the second call may
    have worked because of what they did, outside the run; unless their words named one of
    the `steps` the agent then took, as a user would name it ("run npm install first"), or
    they only said yes ("ok", "go ahead") to the agent's proposal that named it."""
    between = events[call.seq + 1 : later.seq]
    said = [
        _approved(between[: i + 1]) if _APPROVAL.fullmatch(e.text.strip()) else e.text
        for i, e in enumerate(between)
        if e.role == "user" and e.kind is EventKind.TEXT
    ]
    if not said or not steps:
        return bool(said)
    # a step of one word ("make") is named only as a command (`make`, "run make"): as a word
    # of the sentence ("make sure") it names nothing
    told = {_told_as(s.text) for s in steps} - {""}
    return not any(_names_step(step, text) for step in told for text in said)


# A bare yes to what the agent proposed, adding nothing: no command, path or correction.
_APPROVAL = re.compile(
    r"(?i)(?:(?:ok(?:ay)?|yes|yeah|yep|sure|go ahead|go for it|please do|do it|proceed|please"
    r"|はい|お願いします|どうぞ|好的|好|对|是的|可以|行|oui|sí|si|ja|да|sim|vale|claro)"
    r"[\s,.!。、！]*)+"
)


def _approved(before: Sequence[Event]) -> str:
    """What a bare yes (the last of `before`) approved: the agent's last words before it,
    when they came after the failed call; else nothing."""
    for e in reversed(before[:-1]):
        if e.role == "user" and e.kind is EventKind.TEXT:
            return ""  # the user spoke before: their yes answers no proposal seen here
        if e.role == "assistant" and e.kind is EventKind.TEXT:
            return e.text
    return ""


def _asked_between(events: tuple[Event, ...], call: Event, later: Event) -> bool:
    """The person wrote between the two calls (not the harness: a task's notice, a reminder)."""
    return any(
        e.role == "user" and e.kind is EventKind.TEXT and not injected(events, e.seq)
        for e in events[call.seq + 1 : later.seq]
    )


def _names_step(step: str, text: str) -> bool:
    if " " in step:
        return re.search(rf"\b{re.escape(step)}\b", text) is not None
    return (
        re.search(rf"`{re.escape(step)}`|\b(?:run|use|try)\s+{re.escape(step)}\b", text) is not None
    )


def _told_as(command: str) -> str:
    """How a user would name a step: its program and subcommands, up to the first flag or
    argument that is a path (`nix flake update`, `npm install`)."""
    words = list(takewhile(lambda w: w.isalnum() or w in ("-", "_"), command_head(command).split()))
    return " ".join(words[:3])


def results_by_call(events: tuple[Event, ...]) -> dict[str, Event]:
    """Tool results by the id of the call they answer: the first one after it, should the
    file hold a stretch of the conversation twice."""
    # read from the end, so that an id's first result is the one kept (a comprehension costs
    # less than a loop of `setdefault` calls)
    return {e.tool_use_id: e for e in reversed(events) if e.role == "tool" and e.tool_use_id}


# A file tool refused by the file's owner or mode (Node's `EACCES`/`EPERM`, the OS's words).
_FILE_REFUSED = re.compile(r"\b(?:EACCES|EPERM)\b|permission denied|operation not permitted", re.I)


def _comes_back(events: tuple[Event, ...], after: int, error: str) -> bool:
    return any(error in e.text for e in events[after + 1 :] if e.role == "tool")


def _classify(
    events: tuple[Event, ...],
    call: Event,
    later: Event,
    result: Event,
    failure: Event,
    together: bool = False,
) -> Fix | None:
    """What the later call that worked shows of the failure's fix; None when it cannot tell
    (the call changed, and another step changed things in between: which mattered?)."""
    if call.tool_name in signals.EDIT_TOOLS:
        if _asked_between(events, call, later):
            return None  # the user asked anew in between: the later edit is that request's
        if _FILE_REFUSED.search(failure.text[:2000]):
            # the file's owner or mode was the cause: the shell step that changed them is how
            between = _successful_calls(events, call, later, result)
            changed = _state_changes(between, call, failure.text)
            steps = tuple(e for e in changed if e.tool_name in _SHELLS)
            if steps:
                return Fix(FixKind.PREPARED, later, result, steps[-MAX_STEPS:])
        return Fix(FixKind.REPLACED, later, result)  # the same file, edited with other text
    # (git's own refusal of the tree's changes, "commit or stash them", is mended by a stash)
    gits = _GIT_COMMAND.match(command_head(call.text)) is not None
    if (
        later.tool_name in _SHELLS
        and sets_work_aside(later.text)
        and not sets_work_aside(call.text)
        and not gits
    ):
        return None  # `git stash && lint; git stash pop`: the tree without its edits, looked at
    between = _successful_calls(events, call, later, result)
    edits = tuple(e for e in between if is_edit(e))
    if edits:  # files changed in between: the other form of the call is not shown to be why
        return Fix(FixKind.EDITED, later, result, edits)
    if _ran_elsewhere(events, call, later):
        # the folder may be all that changed: the way, when it is where the manifest lives
        return Fix(FixKind.MOVED, later, result) if _ran_below(call, later, failure) else None
    if later.escalated and not call.escalated:
        if without_limit(later.text) == without_limit(call.text) or _failed_inside(
            events, call, later, failure
        ):
            return Fix(FixKind.ESCALATED, later, result)  # the sandbox was what stopped it
        if _failed_inside(events, call, later):
            # its own failure inside was another: the rerun mended that one, and the change
            # got past this one to it (`git switch -c feat/x` clashing with a `feat` branch)
            return None
        return Fix(FixKind.RETRIED, later, result)  # changed and let out: which mattered?
    appended = _appended(call.text, later.text)
    if appended is not None and not appended.startswith("&&"):
        return None  # `x; check`, `x || y`: the retry's exit is not the command's
    if unwrapped(later.text) != unwrapped(call.text) and appended is None:
        extra = _extra_segments(call.text, later.text)
        if any(WRITES_FILES.search(step) or _deletes(step) for step in extra):
            return Fix(FixKind.EDITED, later, result)  # a step that changed files: an edit
        if extra and all(_WAIT.match(step) for step in extra):
            return Fix(FixKind.RETRIED, later, result)  # waited and ran again: it was transient
        if any(_changes_the_days_code(events, later, step) for step in extra):
            return Fix(FixKind.EDITED, later, result)
        if extra and all(
            _ran_before(events, call, step, later.tool_name, together) for step in extra
        ):
            return None  # each step it put first had run before the failure: none it lacked
        if extra and all(_checks(step) or step_asks(unwrapped(step)) for step in extra):
            # `tsc --noEmit && eslint .`, `x --help && x`: a check or a look put first reads,
            # prepares nothing
            return None
        if extra:
            return Fix(FixKind.PREPARED, later, result)
        # `npm install -D tailwindcss@3` between `npx tailwindcss init` and its `-p` form
        changed = _state_changes(between, call, failure.text)
        return None if changed else Fix(FixKind.REPLACED, later, result)
    beside = [e for e in between if _alongside(e, failure, together)]
    if _state_changes([e for e in beside if not _requests(e)], call, failure.text):
        return None  # a call of its batch changed things too, maybe before the retry: unseen
    changed = _state_changes([e for e in between if e not in beside], call, failure.text)
    # a check sent in its batch (the tests, the types) was not sent for its failure: no step
    checks = [e for e in changed if _checks_beside(e, failure)]
    # ... nor a check run since, nor a sibling the same error stopped, run again once mended
    checks += [e for e in changed if e not in checks and _no_step(events, e, failure)]
    steps = tuple(e for e in changed if e not in checks)
    if not gits and any(e.tool_name in _SHELLS and sets_work_aside(e.text) for e in steps):
        return None  # the day's edits set aside: what passed was the tree without them
    if any(_changes_the_days_code(events, step) for step in steps):
        return Fix(FixKind.EDITED, later, result, steps[-MAX_STEPS:])
    if steps:
        fresh = tuple(
            s for s in steps if not _ran_before(events, call, s.text, s.tool_name, together)
        )
        if not fresh:
            return None  # each step had run before the failure too: what changed is unseen
        return Fix(FixKind.PREPARED, later, result, fresh[-MAX_STEPS:])
    if checks:
        return None  # only the checks of its batch ran between (a test run may set things up)
    if split_heredocs(later.text)[1] != split_heredocs(call.text)[1]:
        if feeds_interpreter(call.text):
            return None  # the script it read was written again: the day's code, no retry
        if writes_heredoc(call.text):
            return Fix(FixKind.EDITED, later, result)  # the file it runs, written anew
    if _folders_made_first(call.text, later.text):
        return Fix(FixKind.PREPARED, later, result)  # the folder it missed, made first
    return Fix(FixKind.RETRIED, later, result)


def _ran_before(
    events: tuple[Event, ...], call: Event, step: str, tool: str | None, fresh_shells: bool = False
) -> bool:
    """The step had run already before the failed call, in its session: each of its commands
    run as written (its output cut or its status masked aside) and come to a success (or a
    server's start refused its port, `_PORT_TAKEN`: it ran, the port was held), among
    the `FIX_WINDOW` tool calls before it, with no file edited, no command since but ones that
    only read (`signals.only_reads`), no `cd` in a shell kept between calls (not Codex's), and
    no word from the person.
    Run again, it is no step the call lacked (it was run first): what changed is unseen (a
    server that stopped, a port another process still held). The same command only: a like
    one (`playwright install-deps` after `playwright install`) may be the step that was not.
    `fresh_shells`: the harness starts each call in a new shell (Codex)."""
    wanted = {unwrapped(part) for part in shell_steps(step)} - {""}
    if tool not in _SHELLS or not wanted or any(_shell_state(part) for part in wanted):
        return False  # `B=~/x`, `source .venv/bin/activate`: it ended with its call
    ran: set[str] = set()
    calls = 0
    for earlier in reversed(events[: call.seq]):
        if earlier.session != call.session:
            continue
        if earlier.role == "user" and earlier.kind is EventKind.TEXT:
            if not injected(events, earlier.seq):
                return False  # the person spoke: what they did since is unseen
            continue
        if earlier.kind is not EventKind.TOOL_CALL:
            continue
        calls += 1
        if calls > FIX_WINDOW or is_edit(earlier):
            return False
        if earlier.tool_name not in _SHELLS:
            continue
        parts = [unwrapped(part) for part in shell_steps(earlier.text)]
        if not wanted.intersection(parts):
            if (still := _result_of(events, earlier, call)) is not None and still.unfinished:
                continue  # a command left running (a server beside it): no change it saw end
            if not signals.only_reads(earlier.text):
                return False  # a command since changed things (`rm -rf node_modules`)
            if not fresh_shells and _moves_folder(earlier.text):
                return False  # the shell kept moved into another folder since
            continue
        last = max(i for i, part in enumerate(parts) if part in wanted)
        if any(p not in wanted and not signals.only_reads(p) for p in parts[last + 1 :]):
            return False  # the same call changed things after the step
        answer = _result_of(events, earlier, call)
        if answer is None or not (signals.is_success(answer) or _PORT_TAKEN.search(answer.text)):
            return False  # it failed, or was stopped, before its end: it had not run
        ran.update(parts)
        if wanted <= ran:
            return True
    return False


def _moves_folder(command: str) -> bool:
    return any(
        _MOVES_FOLDER.match(step.strip()) for step in script_steps(split_heredocs(command)[0])
    )


def _result_of(events: tuple[Event, ...], earlier: Event, call: Event) -> Event | None:
    """The result `earlier` got before `call` was made."""
    return next(
        (
            e
            for e in events[earlier.seq + 1 : call.seq]
            if e.role == "tool" and e.tool_use_id and e.tool_use_id == earlier.tool_use_id
        ),
        None,
    )


def _shell_state(step: str) -> bool:
    """The step sets only its own shell's state (a variable, an environment made active, a
    folder): in a harness whose every call is a new shell, that ends with the call."""
    return not _ASSIGNMENTS.sub("", step).strip() or _SETS_SHELL.match(step) is not None


_SETS_SHELL = re.compile(
    r"^(?:export|unset|source|\.|cd|pushd|set|alias|ulimit|nvm\s+use|conda\s+activate)\s"
)
_MOVES_FOLDER = re.compile(r"^(?:cd|pushd|popd)(?:\s|$)")
# A server that could not take its port: it ran, and something held the port (the unseen
# change), not a step left undone.
_PORT_TAKEN = re.compile(
    r"address (?:already )?in use|EADDRINUSE|Only one usage of each socket address", re.I
)


def _changes_the_days_code(events: tuple[Event, ...], call: Event, step: str = "") -> bool:
    """The call (or one step of it) runs a script the agent wrote earlier in the session
    (`python3 patch.py` after `cat <<'EOF' > patch.py`): it changed the day's code, no way to
    run things that the next session has."""
    if call.tool_name not in _SHELLS:
        return False
    for part in shell_steps(step or call.text):
        script = _RUNS_SCRIPT.match(part)
        if script is not None and _written_before(events, call, file_name(script["script"])):
            return True
    return False


def _written_before(events: tuple[Event, ...], call: Event, name: str) -> bool:
    """A call of the session before this one wrote the file `name`: the Write tool, or the
    shell (`cat > name`, `tee name`, `cat <<'EOF' > name`)."""
    writes = re.compile(rf"(?:>|\btee\s+(?:-a\s+)?)\s*[\"']?(?:[\w./~-]*/)?{re.escape(name)}\b")
    for event in events[: call.seq]:
        if event.kind is not EventKind.TOOL_CALL or event.session != call.session:
            continue
        if event.tool_name == "Write" and file_name(event.text.strip()) == name:
            return True
        if event.tool_name in _SHELLS and writes.search(split_heredocs(event.text)[0]):
            return True
    return False


# A step that runs a script file: `python3 fix.py`, `bash x.sh`, `./run.sh`, `node a.js`.
_RUNS_SCRIPT = re.compile(
    r"^(?:(?:python[\d.]*|node|bash|sh|zsh|ruby|perl|php|deno|bun)\s+(?:-\S+\s+)*)?"
    r"(?P<script>(?:\.{1,2}/)?[\w./-]*\.(?:py|sh|js|mjs|cjs|ts|rb|pl|php)|\./[\w.-]+)(?:\s|$)"
)


def _alongside(event: Event, failure: Event, together: bool) -> bool:
    """The call was issued beside the failed one (in its batch, before its error came back)
    and is no step of its fix: a request (it asks, sets nothing up), or any shell call when
    the harness runs a batch's shell calls at once (`together`: Codex): it ran neither
    surely before the failure nor after it. One of them that changed things (an install, a
    codegen, a build beside the lint that then missed its file) may have done so before the
    retry: `_classify` then tells no fix, nor a retry. Claude Code runs a batch's calls that
    change things in turn: an install sent beside the failed call ran after its failure (a
    look, run beside it, prepares nothing anyway)."""
    if event.seq > failure.seq:
        return False
    return _requests(event) or (together and event.tool_name in _SHELLS)


def _checks_beside(event: Event, failure: Event) -> bool:
    """A shell call sent beside the failed one (in its batch, before its error came back)
    that only checks the code: its tests run, its types or its style checked, nothing
    mended (`pytest -v`, `mypy .`, `ruff check .`, `black --check .`). Sent before the
    failure was seen, it was no answer to it, and it writes nothing the failed call reads
    (a test run's own set-up aside): no step of its fix. (An install sent beside it is one:
    Claude Code ran it after the failure, in turn.)"""
    if event.seq > failure.seq or event.tool_name not in _SHELLS:
        return False
    steps = [
        split_outside_quotes(step, signals.PIPE) for step in shell_steps(command_head(event.text))
    ]
    return bool(steps) and all(
        _only_checks(parts[0].strip()) and all(OUTPUT_FILTER.match(p.strip()) for p in parts[1:])
        for parts in steps
    )


def _no_step(events: tuple[Event, ...], event: Event, failure: Event) -> bool:
    """A shell call between the failure and the retry that prepared nothing: each of its
    steps only checks the code, or it ran again a command the failure's error had stopped."""
    if event.tool_name not in _SHELLS:
        return False
    return reruns_a_fellow(events, event, failure) or all(
        _checks(step) for step in shell_steps(event.text)
    )


def _checks(step: str) -> bool:
    """One command that only checks the code: a checker run itself, or a project's script
    named for a check (`pnpm run typecheck`)."""
    plain = unwrapped(step)
    return bool(plain) and (_only_checks(plain) or checks_by_script(plain))


def _only_checks(step: str) -> bool:
    """One command that runs the tests (no snapshots written) or checks the code without
    mending it."""
    if RUNS_TESTS.match(step):
        return UPDATES_SNAPSHOTS.search(step) is None and _BUILDS_FIRST.match(step) is None
    return _CHECKS_CODE.match(step) is not None and _MENDS.search(step) is None


# Tests run through the package manager's `test` script, which may build or set up first
# (its `pretest`): more than a check. (`pnpm exec vitest`, `yarn jest` run the tool itself.)
_BUILDS_FIRST = re.compile(
    r"^(?:\S+=\S*\s+)*(?:(?:npm|pnpm|yarn)\s+(?:run\s+)?|bun\s+run\s+)test(?::\S+)?(?:\s|$)"
)


def _requests(event: Event) -> bool:
    """A request to a server (`curl -I http://127.0.0.1:8501`): it asks, it sets nothing up."""
    return event.tool_name in _SHELLS and _REQUEST.match(command_head(event.text)) is not None


_REQUEST = re.compile(
    r"^(?:curl|http|https|xh)\s(?![^|;&]*(?:\s(?:-X\s*(?:POST|PUT|DELETE|PATCH)|--request|-d|--data"
    r"|-F|--form|-o|-O|--output|--remote-name)\b|\|\s*(?:sudo\s+)?(?:ba|z)?sh\b))"
    r"|^wget\s[^|;&]*--spider\b"
)
# A step that only waits (`sleep 2`, `Start-Sleep -Seconds 2`): what it prepares is time.
_WAIT = re.compile(
    r"^\s*(?:sleep\s+[\d.]+[smh]?|Start-Sleep\b[^;&|]*|timeout\s+/t\s+\d+)\s*$", re.I
)


# The folder a call moves to before it runs (`cd apps/api && …`).
_CD = re.compile(rf"^\s*cd\s+({SHELL_WORD})\s*(?:&&|;)")


def _ran_elsewhere(events: tuple[Event, ...], call: Event, later: Event) -> bool:
    """The later call moved to another folder first, or a Claude Code call between moved the
    shell there: it did not run where the failed call ran."""
    moved = _folder(later.text)
    if moved is not None:
        return moved != _folder(call.text)
    return _moved_between(events, call, later)


def _ran_below(call: Event, later: Event, failure: Event) -> bool:
    """The error said the project's manifest was not where the call ran (its `cd`), and the
    later call ran the same command in a folder below that one (`cd /w/apps/web && pnpm
    test` after `cd /w && pnpm test`): the project is there."""
    where, moved = _folder(call.text), _folder(later.text)
    return (
        bool(where)
        and moved is not None
        and moved.startswith(f"{where}/")
        and ".." not in moved.split("/")
        and unplumbed(call.text) == unplumbed(later.text)
        and signals.NO_MANIFEST.search(failure.text[:4000]) is not None
    )


def _moved_between(events: tuple[Event, ...], call: Event, later: Event) -> bool:
    """A call between the two moved Claude Code's shell (which keeps its folder from call to
    call) somewhere the failed call did not run."""
    where = _folder(call.text)
    return any(
        e.kind is EventKind.TOOL_CALL
        and e.tool_name == "Bash"
        and (moved := _folder(e.text)) is not None
        and moved != where
        for e in events[call.seq + 1 : later.seq]
    )


def _folder(command: str) -> str | None:
    """Where the call moves before it runs, as written; None when it runs where it stands."""
    moved = _CD.match(command)
    return moved.group(1).strip("\"'").rstrip("/") if moved else None


def _state_changes(between: Sequence[Event], call: Event, error: str) -> tuple[Event, ...]:
    """The calls in between that changed what the retry ran on: not looks (the failed
    command watched again among them), not deletions, not git's bookkeeping (unless git
    failed: what a push sends is what was committed; nor `git add` before a program that
    reads what git tracks or stages); a step the error asked for always counts."""
    records = unwrapped(call.text).startswith("git ")
    staged = records or _reads_index(call)
    asked = asked_steps(error)
    steps = tuple(
        e
        for e in between
        if not only_looks(e)
        and not _watched_again(call, e)
        and (records or does_asked(e, asked) or not bookkeeping(e, staged))
    )
    return tuple(
        e
        for e in steps
        if e.tool_name not in _SHELLS or not _deletes(e.text) or does_asked(e, asked)
    )


def _watched_again(call: Event, event: Event) -> bool:
    """The failed command run again only to look at it: traced, or piped into filters."""
    return event.tool_name == call.tool_name and (
        watched(call.text, event.text) or filtered_again(call.text, event.text)
    )


def _did_as_asked(fix: Fix, failure: Event) -> bool:
    """A step of the fix is one the error asked for."""
    asked = asked_steps(failure.text)
    return any(does_asked(step, asked) for step in fix.steps)


# Programs that read what git tracks or stages rather than the working tree: a flake's
# source is the files git tracks (`nix build`, `nixos-rebuild --flake`, `home-manager`), a
# pre-commit hook checks what is staged. A `git add` before them changed what they read.
_READS_INDEX = re.compile(
    r"^(?:sudo\s+)?(?:nix|nixos-rebuild|darwin-rebuild|home-manager|pre-commit|lint-staged"
    r"|npx\s+lint-staged)\b"
)


def _reads_index(call: Event) -> bool:
    return call.tool_name in _SHELLS and any(
        _READS_INDEX.match(step) for step in shell_steps(call.text)
    )


_BACKGROUND = re.compile(r"running in (?:the )?background", re.I)


def _outlasted(events: tuple[Event, ...], index: int, call: Event) -> Fix | None:
    """What made a call the harness timed out pass: the same command given a longer limit
    (and nothing edited in between), else nothing to teach. Piping it to `tail`, wrapping it
    in `timeout N` or starting it in the background is no remedy."""
    results = results_by_call(events[index + 1 :])
    bare = without_limit(call.text)
    for later in _window(events, index):
        if later.kind is not EventKind.TOOL_CALL or later.tool_name != call.tool_name:
            continue
        result = results.get(later.tool_use_id or "")
        if (
            later.session != call.session
            or result is None
            or not _worked(later, result, events[index])
        ):
            continue
        if without_limit(later.text) != bare:
            if _narrowed(call.text, later.text):
                return Fix(FixKind.NARROWED, later, result)
            continue
        if later.escalated and not call.escalated:
            return Fix(FixKind.ESCALATED, later, result)  # let out of the sandbox, it passed
        edited = any(is_edit(e) for e in _successful_calls(events, call, later))
        if edited:
            return Fix(FixKind.EDITED, later, result)
        given = stopped_after(events[index].text) or limit_ms(call) or 0
        longer = (limit_ms(later) or 0) > given and ran_past(later, result, given)
        return Fix(FixKind.WAITED if longer else FixKind.RETRIED, later, result)
    return None


# A path the search was pointed at instead of the whole tree: no flag, glob, pipe or variable.
_FOLDER = re.compile(r"^(?:\./)?[\w.-]+(?:[/\\][\w.-]+)*[/\\]?$")
_WHOLE_TREE = frozenset({".", "./", ".\\", "*"})


def _narrowed(failed: str, retry: str) -> bool:
    """The retry runs the failed command's first step on a folder of the tree instead of all
    of it (`Get-ChildItem backend -Recurse -File` after `Get-ChildItem -Recurse -File`, `find
    src -name x` after `find . -name x`); what it pipes into may differ."""
    a, b = first_step(failed).split(), first_step(retry).split()
    if len(a) < 2 or not b or a[0] != b[0] or not _searches(a):
        return False
    kept = [t for t in a if t not in _WHOLE_TREE]
    added = list(b)
    for token in kept:  # every word of the failed step is there again
        if token not in added:
            return False
        added.remove(token)
    return bool(added) and all(
        _FOLDER.match(t) and t not in _WHOLE_TREE and not t.startswith("-") for t in added
    )


# Programs that walk a tree to search or list it: a test suite run on one file instead of
# all of them (`php artisan dusk tests/Browser/LoginTest.php`) is no search narrowed.
_WALKERS = (
    SEARCHERS
    | {"fgrep", "find", "fd", "fdfind", "ls", "tree", "du"}
    | {"get-childitem", "gci", "dir", "select-string", "sls", "findstr"}  # any case
)


def _searches(words: list[str]) -> bool:
    words = TIME_LIMIT.sub("", " ".join(words).removeprefix("sudo ")).split()  # `timeout 60 grep`
    program = words[0].rsplit("/", 1)[-1].lower() if words else ""
    return program in _WALKERS or (program == "git" and words[1:2] in (["grep"], ["ls-files"]))


def _worked(later: Event, result: Event, failure: Event) -> bool:
    """A result that shows the call did its work (a background start has not yet), and not
    the failure's own error again (`cmd | head` and `cmd || true` hide the exit status of
    `cmd`)."""
    if not signals.is_success(result) or _BACKGROUND.search(result.text[:200]):
        return False
    if result.unfinished:
        return False  # still running when the run went on: how it ended is unseen
    seen = result.exit_code == 0 and not _masks_status(later.text)
    hidden = _masks_status(later.text) or signals.PIPE.search(command_head(later.text)) is not None
    if (
        not seen
        and hidden
        and (
            _CRASHED.search(result.text[:20_000])
            or _OPENS_NOT_THERE.match(result.text[:2_000])
            or filter_failed(result)
        )
    ):
        return False  # `cmd | head` exited 0 on another error ("Cannot find module …")
    error = " ".join(signals.error_signature(failure.text).split())
    if len(error) < MIN_ERROR or not signals.names_an_error(error):
        return True
    # the same error again, even under exit 0 (a script that catches it and goes on): whole,
    # or an exception's message printed by the handler that caught it
    said = " ".join(result.text[:20_000].split())
    caught = signals.EXCEPTION_LINE.match(error)
    message = (caught["message"] or "") if caught is not None else ""
    return error not in said and not (len(message) >= MIN_ERROR and message in said)


# Redirections after a command: stdout to a file (`> log`, `1>> log`, `&> log`, `>/dev/null`),
# stderr anywhere (`2> err`, `2>&1`).
_REDIRECTS = re.compile(r"(?:\s*(?:(?:[12]|&)?>>?\s*(?!&)[^\s;&|]+|\d?>&\d))+")
_TO_FILE = re.compile(r"(?:^|\s)(?:1|&)?>>?\s*(?!&)[^\s;&|]+")
# After a step: `;` or a pipe (not `||`), so the exit status is the next program's.
_THEN_ANOTHER = re.compile(r"\s*(?:;|\|(?!\|))")
_STEP_START = re.compile(r"(?:^|(?:;|&&|\|\|?)\s*)$")


def _failed_inside(
    events: tuple[Event, ...], call: Event, later: Event, failure: Event | None = None
) -> bool:
    """Between the failed call and the escalated one, the escalated one's very command
    failed inside the sandbox (with the same cause as `failure`, when given): leaving the
    sandbox is what made it work."""
    between = events[call.seq + 1 : later.seq]
    results = results_by_call(between)
    bare = without_limit(later.text)
    return any(
        e.kind is EventKind.TOOL_CALL
        and not e.escalated
        and without_limit(e.text) == bare
        and (found := results.get(e.tool_use_id or "")) is not None
        and signals.is_failure(found)
        and (failure is None or _same_cause(failure, found))
        for e in between
    )


def _same_cause(failure: Event, then: Event) -> bool:
    """Both outputs say the same error, whatever instance each names (a ref, a path, a
    number), or both a refusal of the sandbox's."""
    first, second = failure.text[:4000], then.text[:4000]
    if signals.SANDBOX_REFUSAL.search(first) and signals.SANDBOX_REFUSAL.search(second):
        return True
    return _error_shape(first) == _error_shape(second)


_INSTANCE = re.compile(r"'[^']*'|\"[^\"]*\"|\S*[/\\]\S*|\d+")


def _error_shape(output: str) -> str:
    return _INSTANCE.sub("…", signals.error_signature(output)).lower()


def _output_unseen(failed: str, retry: str) -> bool:
    """The retry runs the failed command with its output sent to a file, then another
    program after `;` or a pipe: neither its output nor its exit status shows in the result
    (`make docs &> build.log; grep -c warn build.log`)."""
    command = without_limit(failed)
    head = command_head(retry)
    if not command:
        return False
    start = head.find(command)
    while start >= 0:
        end = start + len(command)
        redirects = _REDIRECTS.match(head, end)
        after = redirects.end() if redirects else end
        if (
            _STEP_START.search(head[:start])
            and redirects is not None
            and _TO_FILE.search(redirects.group())
            and _THEN_ANOTHER.match(head, after)
        ):
            return True
        start = head.find(command, end)
    return False


# What a program that stopped prints, whatever it was doing (not a test named after errors,
# not `=== RUN TestHandleError`).
_CRASHED = re.compile(
    r"^(?:Error\b|ERROR\b|error:|fatal\b|FATAL\b|npm ERR!|Traceback \(most recent)|"
    r"\bCannot find (?:module|package)\b|\bcommand not found\b|Oops! Something went wrong|"
    # make's own report of a step that failed, a TypeScript error, a Docker build's
    r"^make(?:\[\d+\])?: \*\*\* .*\bError \d+|\berror TS\d+:|\bfailed to solve:",
    re.M,
)


# A program that stopped at once on a path not there: its first line says so (`stat
# cmd/app/main.go: no such file or directory`), whatever a pipe kept of the rest.
_OPENS_NOT_THERE = re.compile(r"\A\s*+[^\n]*(?:no such file or directory|\bENOENT\b)", re.I)


def _masks_status(command: str) -> bool:
    """The call exits 0 whatever its command did (`cmd || true`)."""
    return bool(MASKED.search(command_head(command)))


def remedy(call: Event, fix: Fix) -> str | None:
    """The remedy as a command, for a teachable fix: the new form of the call, or the
    steps that prepared it (their commands, joined)."""
    if fix.kind is FixKind.REPLACED:
        return MASKED.sub("", command_head(fix.call.text))
    if fix.kind is FixKind.INSTALLED:
        return fix.installed
    if fix.kind is FixKind.HINTED:
        return fix.hint
    if fix.kind is FixKind.FIXER:
        return unwrapped(fix.steps[0].text)
    if fix.kind is FixKind.WAITED:
        return f"a timeout of {seconds(limit_ms(fix.call) or 0)} or more"
    if fix.kind is FixKind.ESCALATED:
        return "run it with escalated permissions"
    if fix.kind is FixKind.NARROWED:
        return first_step(fix.call.text)
    if fix.kind is FixKind.MOVED:
        return f"cd {_folder(fix.call.text)} && {unplumbed(fix.call.text)}"
    if fix.kind is FixKind.UNFLAGGED:
        return flag_changes(call.text, fix.call.text, fix.offered).remedy
    if fix.kind is FixKind.INLINED:
        return WORD_SPLIT_FIX
    if fix.kind is FixKind.RENAMED:
        return RENAME_FIX
    if fix.kind is FixKind.OWN_ENVIRONMENT:
        made = _venv_step(fix.steps[0]) if fix.steps else None
        installed = MASKED.sub("", command_head(fix.call.text))
        return f"{made} && {installed}" if made else installed
    if fix.kind is not FixKind.PREPARED:
        return None
    extra = _extra_segments(call.text, fix.call.text) or _folders_made_first(
        call.text, fix.call.text
    )
    joiner = step_joiner(fix.call.text)  # the retry's own: PowerShell 5.1 has no `&&`
    # a step that only looked on the way (`x --help`, `git status`) made nothing work
    preparing = [unwrapped(step) for step in extra if not step_asks(unwrapped(step))]
    if preparing:
        return joiner.join(preparing)
    told = (_without_looks(unwrapped(step.text), joiner) for step in fix.steps)
    return joiner.join(step for step in told if step) or None


def _without_looks(command: str, joiner: str) -> str:
    """A chain without its steps that only look or ask (`x --help && x remove a`: the
    removal); the command as it is when it has none."""
    parts = split_outside_quotes(command, STEP_SPLIT)
    kept = [part for part in parts if not step_asks(unwrapped(part))]
    return command if len(kept) == len(parts) else joiner.join(kept)


# A network that failed once: whatever ran before the call worked again did not mend it (a
# sandbox without network is mended by leaving it: that fix is the sandbox's).
_NETWORK = re.compile(
    r"Could not resolve host|Failed to connect to (?!localhost|127\.|\[?::1)|"
    r"Connection (?:timed out|reset)|"
    r"\bETIMEDOUT\b|\bECONNRESET\b|\bEAI_AGAIN\b|Temporary failure in name resolution|"
    r"\bTLS handshake timeout\b|unable to access '[^']*': (?:Recv|Send|OpenSSL|GnuTLS)",
    re.I,
)
# A lock another process held (a database, git's index, the package manager's, a busy file):
# it lets go on its own, so a call that ran before the rerun worked did not mend it, unless
# that call stopped a process (the one holding it). What it teaches, if anything, is not to
# run two writers at once, or to run it again.
_LOCKED = re.compile(
    r"\bdatabase (?:table )?is (?:locked|busy)\b|\bSQLITE_BUSY\b"
    r"|\b(?:could not|unable to|failed to) (?:obtain|acquire|get) (?:an? |the )?"
    r"(?:[\w-]+ ){0,2}lock\b"
    r"|\bindex\.lock'?:? File exists\b|\bAnother git process seems to be running\b"
    r"|\bresource (?:is )?busy\b|\bEBUSY\b|\bwaiting for (?:file |cache )?lock\b"
    r"|\block (?:file )?(?:is )?(?:held|already taken)\b|\balready locked\b"
    r"|\bbeing used by another process\b",
    re.I,
)
# A step that stops a process or undoes a mount: what held the lock, let go.
_STOPS = re.compile(
    r"^(?:sudo\s+)?(?:kill|pkill|killall|taskkill|Stop-Process|umount|fuser\s+(?:-\w+\s+)*-\w*k)\b"
    r"|^(?:sudo\s+)?(?!echo\b|printf\b)[\w.-]+(?:\s+[\w.-]+)?\s+(?:stop|kill|killall|shutdown)\b",
    re.I,
)


def _locked(error: str) -> bool:
    """The call failed on a lock another process held (`database is locked`, git's
    `index.lock`, apt's `Could not get lock`, `EBUSY`)."""
    return _LOCKED.search(error[:4000]) is not None


def _let_go(call: Event, fix: Fix) -> bool:
    """A step of the fix (a call between, or one the retry put before the command) stopped a
    process or undid a mount: what held the lock, let go of it (`pkill -f next`, `docker stop
    db`)."""
    steps = [unwrapped(step.text) for step in fix.steps]
    steps += _extra_segments(call.text, fix.call.text)
    return any(_STOPS.match(part.strip()) for step in steps for part in STEP_SPLIT.split(step))


_CHANGES = frozenset({FixKind.PREPARED, FixKind.REPLACED})
_SHELLS = signals.SHELL_TOOLS
# A step that deletes files or throws work away: never a step to teach before a command.
_DELETES = re.compile(
    r"(?:^|[;&|]\s*)(?:sudo\s+)?(?:rm|rmdir|unlink|del|Remove-Item)\b"
    r"|\bgit\s+(?:clean\b|reset\s+--hard\b|checkout\s+(?:\S+\s+)?--\s|"
    r"restore\b(?!\s+--staged)|stash\s+drop\b)"
)


# What a build or an install makes again: deleting it loses nothing.
_REBUILDABLE = re.compile(
    r"^(?:node_modules|build|dist|target|out|\.next|\.venv|venv|\.cache|__pycache__|coverage|"
    r"\.pytest_cache|\.mypy_cache|\.ruff_cache|\.turbo|.*\.egg-info|package-lock\.json|"
    r"pnpm-lock\.yaml|yarn\.lock|/tmp/.*)/?$"
)


_REMOVED = re.compile(r"^(?:sudo\s+)?(?:rm|rmdir|unlink)\s+(?:-\w+\s+)*(?P<paths>[^;&|]+)$")


def _deletes(command: str) -> bool:
    """A step that deletes what no build makes again (`rm .tool/settings.json`, `git clean`),
    not `rm -rf node_modules`."""
    head = command_head(command)
    if not _DELETES.search(head):
        return False
    removed = re.match(
        r"^(?:sudo\s+)?(?:rm|rmdir|unlink)\s+((?:-\w+\s+)*)(?P<paths>[^;&|]+)$", head
    )
    if removed is None:
        return True
    paths = removed["paths"].split()
    return not paths or not all(
        _REBUILDABLE.match(p.strip("'\"").removeprefix("./")) for p in paths
    )


def _appended(failed: str, retry: str) -> str | None:
    """What the retry adds after the whole failed command (`brew install x && ghostty
    +list-fonts | rg x`), from its joiner on; None when it adds nothing there or anything
    before it. A step run after the command cannot be what made it work."""
    head, retry = unwrapped(failed), unwrapped(retry)
    if not head or head == retry or not retry.startswith(head):
        return None
    rest = retry[len(head) :].lstrip()
    return rest if rest.startswith(("&&", "||", ";")) else None


def _extra_segments(failed: str, retry: str) -> list[str]:
    """The parts of a compound retry (`chmod +x s.sh && ./s.sh`) that the failed call did not
    have, `cd` left out: the steps it added before doing the same thing."""
    if _appended(failed, retry) is not None:
        return []  # steps after the command: nothing run before it
    head, retry = unwrapped(failed), unwrapped(retry)
    if head == retry or head not in retry:
        return []
    # (split outside quotes: the `;` of PowerShell's `$env:Path += ';C:\Git\bin'` is the value's)
    parts = split_outside_quotes(retry, STEP_SPLIT)
    at = next((n for n, p in enumerate(parts) if unwrapped(p) == head), None)
    if at is None:  # a chain that failed whole (`a && b`), put after new steps: its steps in a row
        had = [unwrapped(p) for p in split_outside_quotes(head, STEP_SPLIT)]
        ran = [unwrapped(p) for p in parts]
        size = len(had)
        at = next(
            (n for n in range(1, len(ran) - size + 1) if size > 1 and ran[n : n + size] == had),
            None,
        )
    if at is None:
        return []
    # only what ran before the command can have prepared it (`npm run deploy` after the
    # build that failed is no step to run first)
    return [p for p in parts[:at] if not p.startswith("cd ")]


_MAKES_FOLDER = re.compile(r"^mkdir\s+(?:-\w+\s+)*-\w*p\w*\s")


def _folders_made_first(failed: str, retry: str) -> list[str]:
    """`mkdir -p out &&` that the retry put before the same command and the failed call did
    not have (a set-up step `command_head` leaves out, so the two read alike)."""
    had = {" ".join(step.split()) for step in STEP_SPLIT.split(split_heredocs(failed)[0])}
    steps = (" ".join(step.split()) for step in STEP_SPLIT.split(split_heredocs(retry)[0]))
    return [step for step in steps if _MAKES_FOLDER.match(step) and step not in had]


def _successful_calls(
    events: tuple[Event, ...], start: Event, end: Event, landed: Event | None = None
) -> list[Event]:
    """The calls between two events that did not fail; a call that printed nothing (a file
    written from a here-document, a `git add`, `git remote set-url`) may leave no result at
    all: one that did more than look counts as a change that worked. Given the result that
    `end` got, a call issued beside `end` (in parallel) whose result came first counts too."""
    stop = end.seq if landed is None else landed.seq
    window = events[start.seq + 1 : stop]
    results = results_by_call(window)
    return [
        event
        for event in window
        if event.kind is EventKind.TOOL_CALL
        and event.seq != end.seq
        and (
            signals.is_success(result)
            if (result := results.get(event.tool_use_id or "")) is not None
            else event.seq < end.seq and silent_change(event)
        )
    ]


_GIT_COMMAND = re.compile(r"^git\s")


# A check of the code by its type checker, linter or formatter, which reads it: `mypy .`,
# `pyright`, `tsc --noEmit`, `ruff check .`, `flake8`, `eslint src`, `ruff format --check .`,
# `black --check .`, `prettier --check .` (unless `_MENDS`).
_CHECKS_CODE = re.compile(
    THROUGH_RUNNER + r"(?:mypy|pyright|flake8|pylint|ruff\s+check|eslint"
    r"|tsc(?=\s.*--noEmit\b)|(?:ruff\s+format|black|prettier)(?=\s.*--check\b))(?:\s|$)"
)
# A linter or formatter told to mend what it finds (`ruff check --fix`, `prettier --write`).
_MENDS = re.compile(r"\s(?:--fix|--fix-only|--unsafe-fixes|--write|-w)(?=[\s=]|$)")


def _asks_instead(failed: str, retry: str) -> bool:
    """The retry's first step is the failed one with a subcommand added that only asks
    (`git stash list` after `git stash`): it looked at what is there, and did none of the
    work."""
    before, after = unplumbed(first_step(failed)).split(), unplumbed(first_step(retry)).split()
    if not before or not after or before[0] != after[0]:
        return False  # another program first (`rosnode list && rosrun …`): a check put before
    had = set(before)
    added = [w for w in after if w not in had]
    return not had & QUERY_SUBCOMMANDS and any(word in QUERY_SUBCOMMANDS for word in added)


def _unflagged(failed: str, retry: str, unknown: frozenset[str]) -> bool:
    """The retry runs the same program without a flag of the failed call the error said it
    does not know."""
    a, b = command_head(failed).split(), command_head(retry).split()
    if not unknown or not a or not b or a[0] != b[0]:
        return False
    given, kept = ({flag_name(f) for f in flags_of(c)} for c in (a, b))
    return bool(unknown & given - kept)


def _unflagged_fix(
    error: str, call: Event, later: Event, result: Event, unknown: frozenset[str]
) -> Fix | None:
    """The retry without the unknown flag, as a fix; None when leaving it out asked another
    question: the error's own usage line names the flag (the program documents it: another
    version or build answers without it), or the retry added a flag the error's help does not
    offer in its place (`--purge-tombstones` gone, `--prune` given: the help's own word)."""
    if _usage_names(error[:4000], unknown):
        return None
    offered = _offered(error[:4000], unknown)
    if flag_changes(call.text, later.text, offered).added:
        return None
    return Fix(FixKind.UNFLAGGED, later, result, offered=offered)


def _offered(error: str, unknown: frozenset[str]) -> frozenset[str]:
    """The flags the error's help offers for the unknown ones: those on a help line sharing a
    word with an unknown flag's name (`--prune   Prune mode: remove expired tombstones` for
    `--purge-tombstones`), never a flag the help names for another job (`--help`, `--limit`)."""
    words = {w for flag in unknown for w in re.split(r"[-_]+", flag.lower()) if len(w) >= 4}
    offered: set[str] = set()
    for line in error.splitlines():
        named = set(_FLAG_WORD.findall(line)) - unknown
        said = set(re.findall(r"[a-z]{4,}", line.lower()))
        if named and words & said:
            offered |= named
    return frozenset(offered)


_FLAG_WORD = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
_USAGE = re.compile(r"^\s*usage:", re.I)


def _usage_names(error: str, flags: frozenset[str]) -> bool:
    """The usage text of the error (its `Usage:` line and the indented lines after it, its
    own complaint left out) names one of the flags."""
    lines = error.splitlines()
    start = next((i for i, line in enumerate(lines) if _USAGE.match(line)), None)
    if start is None:
        return False
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line[:1].isspace() or not line.strip():
            break  # the usage goes on only in indented lines (`npm error …` is no usage)
        block.append(line)
    named = (set(_FLAG_WORD.findall(line)) for line in block if not _UNKNOWN_FLAG.search(line))
    return any(flags & words for words in named)


# A pipeline ending in a filter that picks lines: its status is the filter's (no `pipefail`
# set); `tail` keeps the end, where a run says how it went.
_FILTERED = re.compile(r"\|\s*(?:grep|egrep|rg|awk|sed|cut|sort|uniq|wc|jq)\b[^|]*$")


def _status_filtered(command: str) -> bool:
    head = command_head(command)
    return "pipefail" not in head and bool(_FILTERED.search(head))


def _status_hidden(failure: Event, call: Event, later: Event, result: Event) -> bool:
    """Tests failed; the rerun's status is a filter's the failed call did not have, and its
    output shows none passing, or the rerun's status is a pipe's (or masked) and its output
    still marks tests failing: whether they pass now is unseen."""
    if not _tests_failed(failure.text):
        return False
    filtered = _status_filtered(later.text) and not _status_filtered(call.text)
    if filtered and not signals.shows_passing_tests(result):
        return True
    head = command_head(later.text)
    piped = signals.PIPE.search(head) is not None and "pipefail" not in later.text
    marked = _FAILING_MARK.search(result.text[:MARKS_READ]) is not None
    return (piped or _masks_status(later.text)) and marked


def _tests_failed(text: str) -> bool:
    """A runner's tally of failures at either end of the output (rspec's "3 examples, 1
    failure" may close a long one), or a test marked failing anywhere in it (a report cut in
    its middle keeps no tally)."""
    return bool(
        _TESTS_FAILED.search(text[:4000])
        or _TESTS_FAILED.search(text[-4000:])
        or _FAILING_MARK.search(text[:MARKS_READ])
    )


_TESTS_FAILED = re.compile(r"\b[1-9]\d* (?:failures?|failed|errors?)\b")
MARKS_READ = 200_000  # characters of an output searched for a test marked failing
# A test marked failing by its runner, as a line opens: Playwright's list reporter (`✘  7
# [chromium] › a.spec.ts:21:7 › …`; `x` on Windows' console), jest's and vitest's (`✕ adds
# tax`, `× adds tax`), jest's report of one (`● Cart › adds tax`, not `● Console`), a suite
# that failed (`FAIL  src/a.test.ts`), pytest's summary (`FAILED tests/a.py::test_b`).
_FAILING_MARK = re.compile(
    r"^[ \t]*(?:\u2718|x)[ \t]+\d+[ \t]+(?:\[[^\]\n]+\][ \t]+\u203a[ \t]+)?\S+:\d+:\d+[ \t]+\u203a"
    r"|^[ \t]*[\u2715\u00d7\u2717\u2718][ \t]+\S"
    r"|^[ \t]*\u25cf (?!Console$)[^\n]*? \u203a "
    r"|^[ \t]*FAIL[ \t]+\S+\.\w+"
    r"|^(?:FAILED|ERROR) \S+::",
    re.M,
)


def _runs(retry: str, program: str | None) -> bool:
    """The retry runs the program the failure said was missing (`npx jest` after
    `jest: not found`)."""
    if program is None:
        return False
    words = command_head(retry).split()
    if words and (words[0] in _WHERE_IS or words[0] in _LOOKS_FOR):
        return False  # `which pyright || which npx`, `grep -rn lspci`: looked for, nothing run
    if program in words[1:4] and words[0] != program:
        return True  # `npx jest`, `python3 -m pytest`
    if words[:1] not in (["nix-shell"], ["nix"]):
        return False
    # given to the shell that provides it: `nix-shell -p pciutils --run "lspci …"`,
    # `nix run nixpkgs#jq -- …`
    return program in (_PROVIDED.sub("", word.strip("'\"")) for word in words[1:6])


_PROVIDED = re.compile(r"^nixpkgs#")
# Programs that look a name up in files or package lists, and run nothing of it.
_LOOKS_FOR = SEARCHERS | {"find", "fd", "ls", "cat", "man", "echo", "apt-cache", "dpkg", "rpm"}


# Commands that say where a program is, and run nothing.
_WHERE_IS = frozenset({"which", "where", "whereis", "type", "command", "hash"})
