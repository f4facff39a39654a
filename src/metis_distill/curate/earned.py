"""Which lessons have earned a line in a context file: precision before recall.

A noisy context file makes agents worse, so a lesson is rendered only when its evidence earns
it. A failure earns its line when a run showed its fix causing success, or when it recurs in
several sessions (then as a warning with its error, never with an invented fix; one whose
cause is unknown too needs a third). A package
installed to mend it (a host key trusted, a login done) is a repair done once: the next run
finds it done, so that line too waits until the failure recurs in another session (a fresh
environment, a new worktree). A failure whose call passed once the user had written in
between ("ok, I created the repository") was mended by their step, unseen, and one whose push
passed once a remote was pointed at another repository by that day's choice: no line.
A fix that turns a check off (`curl -k`, `--no-verify`) is never one to teach, nor one that
sweeps every change into a commit (`git add -A`, `git commit -a`) to get past a working tree
with changes in it: what was in it is unseen (another's work, the agent's own files). A script
handed inline to its interpreter (`python - <<'PY'`, `python -c`, `node -e`) is the day's own
code: an error it raised, with no fix seen, is its own slip however often one recurs (what the
machine lacks or refuses, a module, a library, a permission, the network, is not). A flag
the program said it does not know, left out and nothing else, is what any agent does next:
that line too waits for a second session (another name for the flag is worth a line at once).
A built-in tool's refusal stating its own limit (a binary file it cannot read, a file beyond
its size), with no way past it seen, never earns a line: the error says all a line would.
A Windows console's code page refusing a character, told with the usual ways past it because
no run showed one working, never earns a line (the line tells the way a run showed).
Decisions and gotchas are earned at extraction (only durable rules and confirmed facts
become lessons), but for the folder a user kept the agent's edits to: the scope of one task
until another session keeps to it too. Everything else stays in the ledger, where search
finds it. The brief an agent asks for at the start of a task (`metis context`, the MCP
server's `context_for_task`) holds the same bar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from metis_distill.extract.wording import (
    AFTER_USER_STEP,
    AS_THE_ERROR_SAYS,
    CODE_PAGE_USUAL_WAYS,
    DO_WITHOUT,
    FLAGS_LEFT_OUT,
    NO_FIX_SEEN,
    NO_RUNNER_SEEN,
    OWN_PIP_WAY,
    REMOTE_REPOINTED,
    RUN_IT_WITH,
    UNTIL_EDITED,
    without_git_options,
)
from metis_distill.mine.edit_scope import READ_ONLY_OUTSIDE
from metis_distill.mine.modules import INSTALL
from metis_distill.mine.signals import EDIT_TOOLS, SHELL_TOOLS
from metis_distill.mine.text import INLINE_SCRIPT, shell_steps
from metis_distill.models import LessonKind

RECURRING_SESSIONS = 2
# A failure with no remedy seen and no cause known (or a program missing, with no other way
# to run it seen) is a warning that teaches nothing to do: it renders only when it keeps
# coming back.
OPAQUE_RECURRING_SESSIONS = 3
# ... unless what failed is that something is not installed (`Cannot find module 'react'`).
_NOT_INSTALLED = re.compile(
    r"Cannot find module|can't find crate|No module named|not installed|Could not find a "
    r"declaration file",
    re.I,
)
# A count in a lesson's text: its digits, or `N` where sessions' counts were folded.
_COUNT, _SOME = r"(?:\d+|N)", r"(?:[1-9]\d*|N)"
# The project's own checks failing on the code being written: tests, types, compilers' codes.
_CODE_UNDER_WORK = re.compile(
    r"\berror TS\d{4}\b|\berror CS\d{4}\b|\berror\[E\d{4}\]|\btests? failed\b|\bpanicked at\b"
    r"|\b[1-9]\d* (?:failed|failing)\b|\bFAILED \S+::|\bAssertionError\b|Tests?:\s+[1-9]\d* failed"
    # linters' and type checkers' findings: flake8/ruff `a.py:3:1: E999 …`, mypy `… [attr-defined]`,
    # eslint `12:5  error  … no-undef`
    r"|:\d+:\d+: [A-Z]{1,3}\d{3,4}\b|: error: .+ \[[a-z-]+\]|(?:^|“)\s*\d+:\d+\s+error\s"
    # ... and as Next.js's build reports them on the project's code (`Type error: …`,
    # `12:5  Error: … no-unused-vars`)
    r"|“Type error: |“\d+:\d+\s+Error: "
    # ruff's finding in its full format, the rule's code first (`I001 [*] Import block …`)
    r"|“[A-Z]{1,4}\d{3,4} (?:\[\*\] )?[A-Z`]"
    # Kotlin's and javac's errors at a line of the code (`e: A.kt:114:29 Unresolved …`)
    r"|“e: [^\s”]+\.kts?(?::\d+|: \(\d+, \d+\))|\.java:\d+: error: "
    # a script written that day PowerShell could not parse (a `SyntaxError` may be the
    # machine's: an interpreter too old for the code), by its record's category or its words
    r"|\bParserError\b|\bin expression or statement\.|\bstring is missing the terminator\b"
    r"|\bMissing closing '[})\]]'|\bMissing expression after\b|\bprovide a value expression\b"
    # ... and in German: the same errors, the same work
    r"|\bin Ausdruck oder Anweisung\.|\bDie Zeichenfolge hat kein Abschlusszeichen\b"
    r"|\bAusdruck fehlt nach\b|\beinen Wertausdruck bereitstellen\b"
    # a test runner's report of failing tests: RSpec's `Failure/Error:` line, a tally of
    # failures, RSpec's, minitest's, mocha's, cargo test's, PHPUnit's (its counts read `N`
    # once folded: `N examples, N failures`)
    rf"|\bFailure/Error:|\b{_COUNT} examples?, "
    rf"(?:{_SOME} failures?|{_COUNT} failures?, {_SOME} errors?)"
    rf"|\b{_COUNT} (?:runs|tests), {_COUNT} assertions, "
    rf"(?:{_SOME} failures, {_COUNT}|{_COUNT} failures, {_SOME}) errors\b|\bN failing\b"
    r"|\btest result: FAILED\b"
    # bun's and jest's header of an assertion that failed (`error: expect(received).toBe(…)`)
    r"|“(?:error: )?expect\(received\)"
    r"|\bTests: \d+, Assertions: \d+, (?:[\w ]+: \d+, )*(?:Errors|Failures): [1-9]"
    # a suite that could not load the code under test: esbuild's error at a line of it (`a.ts:
    # 11:19: ERROR: Expected ">" but found …`, vite's and vitest's), its `Transform failed`
    # line, vitest's tally of suites (`Test Files  1 failed | 5 passed (6)`)
    rf"|:\d+:\d+: ERROR: |\bTransform failed with {_COUNT} errors?\b"
    rf"|\bTest Files\s+{_SOME} failed\b"
    # Playwright's list reporter marking a test failing (`✘ 7 [chromium] › a.spec.ts:21:7 ›`;
    # `x` on Windows' console)
    rf"|“(?:\u2718|x) {_COUNT} (?:\[[^\]”]+\] › )?[^\s”]+:{_COUNT}:{_COUNT} › "
)
_FIRST_CODE = re.compile(r"`([^`]+)`")
# A linter or formatter told to mend what it found (`ruff check --fix`, `eslint --fix`,
# `prettier --write`), as its report offers.
_AUTOFIX = re.compile(r"(?:^|\s)--(?:fix|fix-only|unsafe-fixes|write)(?![\w-])")
# A retry run in another of the app's environments (`RAILS_ENV=test`): it worked on that
# environment's database and settings, which may be why, once; every such call is no rule.
_APP_ENV_SET = re.compile(
    re.escape(RUN_IT_WITH) + r" `(?:[^`]*\s)?"
    r"(?:RAILS|RACK|NODE|APP|MIX|FLASK|DJANGO|ASPNETCORE|DOTNET|GO)_ENV(?:IRONMENT)?="
)
# What the machine lacks or refuses, whichever script met it.
_THE_MACHINES = re.compile(
    r"command not found|cannot open shared object|Permission denied|Operation not permitted"
    r"|Read-only file system|certificate verify failed|CERTIFICATE_VERIFY_FAILED"
    r"|Connection refused|Name or service not known|Temporary failure in name resolution"
    r"|Could not resolve host|codec can't (?:en|de)code|\bsandbox\b",
    re.I,
)
# A built-in tool refusing by a limit it states itself: a binary file it cannot read, a file
# or its content beyond the size or tokens it takes.
_OWN_LIMIT = re.compile(
    r"\bcannot (?:read|open|display) binary files?\b|\bexceeds maximum allowed (?:tokens|size)\b"
    r"|\b(?:file|content|output) (?:is )?too (?:large|big|long)\b",
    re.I,
)
_SHELLS = SHELL_TOOLS | {"PowerShell"}
_EDIT_SCOPES = tuple(f"{tool}:" for tool in sorted(EDIT_TOOLS))


class Judged(Protocol):
    """A lesson as the ledger or a read-only snapshot of it holds it."""

    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def scope(self) -> Sequence[str]: ...
    @property
    def fix(self) -> str | None: ...
    @property
    def support(self) -> int: ...


class Weighed(Judged, Protocol):
    """A lesson as selection weighs it against the others: named, with its severity and when
    it was last seen."""

    @property
    def id(self) -> str: ...
    @property
    def severity(self) -> int: ...
    @property
    def last_seen(self) -> datetime | None: ...


class HeldBack(StrEnum):
    """Why a lesson has not earned a line (yet): said in the distill's summary."""

    ONLY_EDITS = "edits that missed"
    CHECK_WAIVED = "a fix that turns a check off"
    SWEPT_IN = "every change swept into a commit"
    REPAIRED_ONCE = "a repair done once"
    WORK_OF_THE_DAY = "the day's own tests or types"
    UNTIL_EDITED = "mended by an edit"
    USER_STEPPED_IN = "passed after the user stepped in"
    REPOINTED = "passed once a remote was pointed elsewhere"
    SCRIPTS_OWN = "an inline script's own error"
    TOOLS_OWN_LIMIT = "a tool's own stated limit"
    NO_FIX_SEEN = "no fix seen"
    ONE_SESSION = "one session only"
    FLAG_LEFT_OUT = "an unknown flag left out once"
    ERRORS_OWN_HINT = "the error's own hint, taken once"
    # a program said missing here that a later run here ran: retired (`curate.retire`), and
    # counted with these by the publish; never `held_back`'s answer
    RAN_LATER = "a missing program run in a later run"


def earned(lesson: Judged) -> bool:
    return held_back(lesson) is None


def held_back(lesson: Judged) -> HeldBack | None:
    """Why the lesson has not earned a line; None when it has."""
    if lesson.kind != LessonKind.FAILURE:
        if READ_ONLY_OUTSIDE in lesson.text and lesson.support < RECURRING_SESSIONS:
            return HeldBack.ONE_SESSION  # the folder one task was kept to, not yet the project's
        return None
    if _only_edits(lesson):
        # That an edit can miss the file's text every agent knows, and the tool itself says
        # what to do (read the file again): however often, a line would say what it says.
        return HeldBack.ONLY_EDITS
    if CODE_PAGE_USUAL_WAYS in lesson.text:
        return HeldBack.NO_FIX_SEEN  # the usual ways past a code page, none of them seen working
    if lesson.fix is not None and _waives_a_check(lesson.fix):
        return HeldBack.CHECK_WAIVED  # however it was worded: no fix to teach
    if lesson.fix is not None and _DIRTY_TREE.search(lesson.text) and _sweeps(lesson.fix):
        return HeldBack.SWEPT_IN  # whatever the tree held went into the commit: no fix to teach
    if (
        lesson.fix is not None
        and _CODE_UNDER_WORK.search(lesson.text)
        and _AUTOFIX.search(lesson.fix)
    ):
        return HeldBack.WORK_OF_THE_DAY  # the linter mended its own finding, as it offered to
    if lesson.fix is not None:
        if lesson.support >= RECURRING_SESSIONS:
            return None
        if lesson.text.endswith(FLAGS_LEFT_OUT):
            return HeldBack.FLAG_LEFT_OUT  # dropping a refused flag: any agent's next step
        if lesson.text.endswith(AS_THE_ERROR_SAYS):
            return HeldBack.ERRORS_OWN_HINT  # whoever reads the error does it
        if _APP_ENV_SET.search(lesson.text):
            return HeldBack.ONE_SESSION  # another environment's data, not a setting it lacked
        # a package installed to mend it is a repair done: the next run finds it installed
        once = _repairs_by_install(lesson.text, lesson.fix)
        return HeldBack.REPAIRED_ONCE if once else None
    installing = _NOT_INSTALLED.search(lesson.text) is not None
    if _CODE_UNDER_WORK.search(lesson.text) and not installing:
        return HeldBack.WORK_OF_THE_DAY  # its tests or types failing, however often
    if UNTIL_EDITED in lesson.text:
        return HeldBack.UNTIL_EDITED  # which edit, and why, the line cannot say
    if AFTER_USER_STEP in lesson.text:
        return HeldBack.USER_STEPPED_IN  # what the user did, the line cannot say
    if REMOTE_REPOINTED in lesson.text:
        return HeldBack.REPOINTED  # which repository was the right one, the line cannot say
    if NO_FIX_SEEN in lesson.text and not installing and _scripts_own(lesson.text):
        return HeldBack.SCRIPTS_OWN  # the day's script raised it, however often
    if NO_FIX_SEEN in lesson.text and _tools_own_limit(lesson):
        return HeldBack.TOOLS_OWN_LIMIT  # the error itself says all a line would
    no_way = NO_RUNNER_SEEN in lesson.text or DO_WITHOUT in lesson.text
    if (NO_FIX_SEEN in lesson.text and not installing) or no_way:
        opaque = lesson.support < OPAQUE_RECURRING_SESSIONS
        return HeldBack.NO_FIX_SEEN if opaque else None
    return HeldBack.ONE_SESSION if lesson.support < RECURRING_SESSIONS else None


def _scripts_own(text: str) -> bool:
    """What failed is a script handed inline to its interpreter, and the error is not the
    machine lacking or refusing something."""
    failed = _FIRST_CODE.search(text)
    inline = failed is not None and INLINE_SCRIPT.match(failed.group(1)) is not None
    return inline and _THE_MACHINES.search(text) is None


def _tools_own_limit(lesson: Judged) -> bool:
    """What failed is a built-in tool, never a shell's command, and its error states a limit
    of the tool's own (a binary file, a file beyond its size)."""
    tools = {scope.partition(":")[0] for scope in lesson.scope}
    return bool(tools) and not tools & _SHELLS and _OWN_LIMIT.search(lesson.text) is not None


def _waives_a_check(fix: str) -> bool:
    """The fix shows any danger `advice` knows: a verification or safety check turned off
    (TLS, hooks, signatures, a sandbox, the system's packages), ignored files added, errors
    let through, what the network sends run, a broad delete, a database's data deleted."""
    from metis_distill import advice  # its patterns compiled only when a fix is judged

    return bool(advice.dangers(fix))


# An error that stops because the working tree holds changes not committed: git's ("You have
# unstaged changes", "would be overwritten by merge", "commit or stash them"), npm version's
# "Git working directory not clean", cargo publish's "changes that were not yet committed".
_DIRTY_TREE = re.compile(
    r"\b(?:unstaged|uncommitted) changes\b|\bchanges (?:that were )?not (?:yet )?committed\b"
    r"|\blocal changes to the following files would be overwritten\b"
    r"|\b(?:working (?:tree|directory|copy)|worktree)(?: is)? (?:not clean|dirty)\b"
    r"|\bcommit (?:your changes )?or stash them\b",
    re.I,
)
# `git add`'s operands and options that stage every change in the tree.
_EVERY_CHANGE = frozenset({"-A", "--all", "-u", "--update", ".", "./", ":/", "*"})
_SHORT_FLAGS = re.compile(r"^-[A-Za-z]+$")


def _sweeps(fix: str) -> bool:
    """A step of the fix stages or commits every change in the tree, whatever it was
    (`git add -A`, `git add .`, `git commit -am …`), not the files the work changed."""
    for step in shell_steps(fix):
        words = without_git_options(step.split())
        if words[:1] != ["git"] or len(words) < 2:
            continue
        if words[1] == "add" and any(_stages_all(word) for word in words[2:]):
            return True
        if words[1] == "commit" and any(_commits_all(word) for word in words[2:]):
            return True
    return False


def _stages_all(word: str) -> bool:
    short = _SHORT_FLAGS.match(word) is not None
    return word in _EVERY_CHANGE or (short and ("A" in word or "u" in word))


def _commits_all(word: str) -> bool:
    return word == "--all" or (_SHORT_FLAGS.match(word) is not None and "a" in word)


def _repairs_by_install(text: str, fix: str) -> bool:
    """The fix installs a package or sets the machine up once (a host key trusted, a login,
    a global setting), and what failed was not that itself (an install in a sandbox)."""
    if OWN_PIP_WAY in text:  # a way to install here, not the package the run lacked
        return False
    failed = _FIRST_CODE.search(text)
    repair = INSTALL.search(fix) or _MACHINE_SETUP.search(fix) or _BROWSERS_DOWNLOADED.search(fix)
    return repair is not None and not (
        failed and (INSTALL.search(failed.group(1)) or _MACHINE_SETUP.search(failed.group(1)))
    )


# What a machine keeps once it is done: the next run on it finds it done.
_MACHINE_SETUP = re.compile(
    r"\bssh-keyscan\b|\bssh-add\b|\bgit config --global\b|\b(?:gh|glab) auth login\b"
    r"|\b(?:docker|npm|az|heroku|vercel|netlify|firebase|wrangler) login\b|\bgcloud auth\b"
    r"|\baws configure\b"
)
# Browsers downloaded for the machine's Playwright, as its error itself says to: done once
# (a `playwright install` that failed, its package missing, is mended by an install).
_BROWSERS_DOWNLOADED = re.compile(r"\bplaywright install\b")


def _only_edits(lesson: Judged) -> bool:
    return bool(lesson.scope) and all(s.startswith(_EDIT_SCOPES) for s in lesson.scope)
