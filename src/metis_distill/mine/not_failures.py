"""Calls that exited non-zero or printed an error and still failed at nothing: a query that
answered "none", a look at something absent, a run stopped on purpose, a server refusing on
this machine, the agent's own scratch path or a missing folder it wrote into, and the banner
every output of a session repeats."""

from __future__ import annotations

import re
from itertools import takewhile

from metis_distill.mine.piped_rewrite import rewritten_words
from metis_distill.mine.signals import (
    ADVICE,
    BUNDLED_SEARCH,
    ERROR_LINE,
    EXIT_LINE,
    HARNESS_STOPPED,
    LOOK_TOOLS,
    NO_MANIFEST,
    PIPE,
    POWERSHELL_REFUSED_LINE,
    RSPEC_FAILURE,
    SEGMENTS,
    SHELL_TOOLS,
    TEST_TALLY,
    ZSH_NO_MATCH,
    error_signature,
    names_an_error,
    only_looks,
    powershell7_record,
    shows_failure,
)
from metis_distill.mine.sudo_password import sudo_got_no_password
from metis_distill.mine.text import (
    STEP_SPLIT,
    command_head,
    quotes_masked,
    script_steps,
    shell_steps,
    split_heredocs,
)
from metis_distill.models import Event, EventKind

# Programs whose exit status 1 is an answer ("no match", "they differ", "not installed"), not a
# failure; 2 and more are their errors.
_ANSWERS_WITH_ONE = frozenset({"rg", "grep", "egrep", "fgrep", "ag", "ack", "diff", "cmp", "pgrep"})
_LISTS_PACKAGES = re.compile(r"^(?:npm|pnpm|yarn)\s+(?:-g\s+)?(?:ls|list)\b")
BANNER_MIN = 20  # characters of a line before it can be told a banner
BANNER_LINES = 40  # lines at the head of an output a banner of many lines may fill
BANNER_REPEATS = 3  # commands whose outputs hold a line further down the banner


# `timeout 15 pnpm dev`: the call bounded its own run; 124 is timeout's own status, 143 (SIGTERM)
# the program's when it was stopped.
_OWN_TIMEOUT = re.compile(r"^timeout\s+(?:-\S+\s+)*\d+[smh]?\s")
_STOPPED = re.compile(r"^(?:Exit code:? )?(?:124|143)\b", re.M)
# What a server prints once it is up.
_STARTED = re.compile(r"\b(?:ready|listening|started|running at|Local:)", re.I)


def stopped_on_purpose(call: Event | None, result: Event) -> bool:
    """A call that bounded its own run with `timeout N` and was stopped by it (a dev server
    started to see that it starts), or a server the harness's time limit stopped once it said
    it was up (`npm run dev` in the foreground: "Ready in 964ms"): no failure."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    if (
        HARNESS_STOPPED.match(result.text[:200])
        and _SERVES.search(call.text)
        and _UP.search(result.text[:8000])
    ):
        return True
    if not _OWN_TIMEOUT.match(call.text.strip()) or not _STARTED.search(result.text[:4000]):
        return False  # a run that never said it started failed, whatever stopped it
    return result.exit_code in (124, 143) or bool(_STOPPED.match(result.text[:40]))


# What a server prints once it serves: an address to open, or that it is ready or listening.
_UP = re.compile(
    r"\bReady in \d|\bLocal:\s+https?://|\blistening (?:on|at) (?:https?://|port |\S+:\d)"
    r"|\b(?:running|available) (?:on|at) https?://|\bUvicorn running on\b",
    re.I,
)
# A call that starts a server and stays on it (`npm run dev`, `uvicorn app:app`, `rails s`):
# not a test run, a build or a request whose own server said it was up before the hang.
_SERVES = re.compile(
    r"\b(?:dev|serve|server|start|preview|runserver|uvicorn|gunicorn|hypercorn|flask run|"
    r"rails s)\b|\bvite\s*$"
)


def answers_no(call: Event | None, result: Event) -> bool:
    """A query that exited 1 to say "none": `rg` or `grep` found nothing, `diff` found a
    difference, `npm ls` did not find the package, `which` did not find the program; or a
    search tool of the harness's or an MCP server's that found nothing."""
    if call is None:
        return False
    if call.tool_name not in SHELL_TOOLS:
        return searched_none(call, result)
    if POWERSHELL_REFUSED_LINE.match(result.text):
        return False  # the shell refused the line: nothing was asked
    if _reports_findings(call.text, result):
        return True
    if _NOTHING_TO_COMMIT.search(result.text[-2000:]) and result.exit_code in (1, None):
        # nothing staged, the commit the call's last step: the work was already in (older
        # harnesses wrote no exit code; git's own words say which exit it was)
        return _exit_is_the_commits(call.text)
    if result.exit_code not in (1, 123):
        return False
    if result.exit_code == 1 and _only_probes(call.text) and not _says_missing(result.text):
        return True
    last = PIPE.split(_last_listed(call.text.strip()))[-1].strip()
    words = last.split()
    if not words:
        return False
    program = words[0].rsplit("/", 1)[-1]
    if result.exit_code == 123:  # xargs: one of the runs it made exited 1 to 125
        return program == "xargs" and _xargs_runs(words[1:]) in _ANSWERS_WITH_ONE
    if program in _ANSWERS_WITH_ONE or _LISTS_PACKAGES.match(last):
        return True
    return _query_ends_chain(last) and not _says_missing(result.text)


# A search's answer that it found nothing, as its first line: "No results found for your
# query.", "No matches found", "0 results", "Found 0 files" (flagged as an error by some MCP
# servers, which may append tips on how to search).
_SEARCHED_NONE = re.compile(
    r"^(?:<tool_use_error>)?(?:Error:\s*)?(?:no (?:\w+ ){0,2}?(?:results?|matches|hits|files|"
    r"documents|items|entries)\b|nothing (?:was )?found\b|(?:found )?(?:0|zero) (?:\w+ )?"
    r"(?:results?|matches|hits|files)\b)",
    re.I,
)


# A tool named for searching (`Grep`, `Glob`, an MCP server's `search_code`, `find_symbol`);
# not one that changes what it finds (`search_replace`, `find_and_replace`: no match is a
# change not made).
_SEARCH_TOOL = re.compile(r"search|grep|glob|find|query|lookup|list", re.I)
_CHANGE_TOOL = re.compile(r"replace|edit|write|update|delete|insert|rename", re.I)


def searched_none(call: Event, result: Event) -> bool:
    """A search tool that is not a shell answered that it found nothing, and said nothing
    else wrong (its tips on how to search are no error): an answer "none", not a failure."""
    name = call.tool_name or ""
    if not _SEARCH_TOOL.search(name) or _CHANGE_TOOL.search(name):
        return False
    lines = [line.strip() for line in result.text[:4000].splitlines() if line.strip()]
    none = _SEARCHED_NONE.match(lines[0]) if lines else None
    if none is None or names_an_error(lines[0][none.end() :]):
        return False
    return not any(names_an_error(line) for line in lines[1:] if not ADVICE.match(line))


def _query_ends_chain(command: str) -> bool:
    """`pwd && rg --files .`: the last of steps joined by `&&` is a query whose exit 1 says
    "none" (`rg`, `grep`): with no error printed, the 1 is its answer, and what printed is
    the earlier steps' own output."""
    masked = quotes_masked(command)
    if "||" in masked or "&&" not in masked:
        return False
    final = PIPE.split(command[masked.rfind("&&") + 2 :])[-1].split()
    return bool(final) and final[0].rsplit("/", 1)[-1] in _ANSWERS_WITH_ONE


def _last_listed(command: str) -> str:
    """The last command of a `;` or newline list, whose exit is the list's (`find …; echo x;
    grep -rn y .` exits as the `grep` does), unless `&&` or `||` join it to others."""
    blanked = quotes_masked(command)
    end = max(blanked.rfind(";"), blanked.rfind("\n"))
    tail = command[end + 1 :] if end >= 0 else command
    return command if "&&" in blanked[end + 1 :] or "||" in blanked[end + 1 :] else tail


# Commands whose exit status reports what they found, with the words their report then holds:
# packages behind their latest, known vulnerabilities, a service not running or not enabled.
_REPORTS: tuple[tuple[re.Pattern[str], frozenset[int], re.Pattern[str]], ...] = (
    (
        re.compile(r"(?:npm|pnpm|yarn) outdated\b"),
        frozenset({1}),
        re.compile(r"\bPackage\b.*\bCurrent\b.*\bWanted\b", re.I),
    ),
    (
        re.compile(r"(?:npm|pnpm|yarn) audit\b(?!.*\bfix\b)"),
        frozenset({1}),
        re.compile(r"\b(?:\d+|found \d+) (?:\w+ )?(?:severity )?vulnerabilit(?:y|ies)\b", re.I),
    ),
    (
        re.compile(r"(?:sudo )?systemctl (?:--user )?(?:status|is-active|is-enabled|is-failed)\b"),
        frozenset({1, 3}),
        re.compile(r"^\s*Active: |^(?:inactive|failed|disabled|activating|masked|static)$", re.M),
    ),
)


def _reports_findings(command: str, result: Event) -> bool:
    """The call was one command whose non-zero exit says what it found (`npm outdated`
    exits 1 when a package is behind), and its output is that report; an older harness that
    flagged the error without its exit code is read the same."""
    own = command_head(split_heredocs(command)[0]).strip()
    if len(script_steps(own)) != 1:
        return False
    return any(
        runs.match(own) is not None
        and (result.exit_code in codes or result.exit_code is None)  # (older harnesses: none)
        and report.search(result.text[:8000]) is not None
        for runs, codes, report in _REPORTS
    )


def _exit_is_the_commits(command: str) -> bool:
    """The call's exit is its `git commit`'s: only `&&` follows the commit (what it joins never
    ran after the commit failed), outside its message's quotes."""
    masked = quotes_masked(split_heredocs(command)[0])
    at = masked.rfind("git commit")
    return at >= 0 and re.search(r"[;|\n]", masked[at:]) is None


# `git commit` with nothing staged (exit 1): an answer, no failure.
_NOTHING_TO_COMMIT = re.compile(
    r"^(?:nothing to commit\b|nothing added to commit\b|no changes added to commit\b)", re.M
)
# `which node`, `command -v pnpm`, `type -a yarn`: where a program is, if anywhere.
_PROBE = re.compile(r"^(?:which|type|command\s+-[vV])\s+[^|<>]+$")
_WHICH_NO = re.compile(r"^which: no \S+ in\b")
_QUIET = re.compile(r"\s*(?:&?\d?>\s*/dev/null|2>&1)")


def _only_probes(command: str) -> bool:
    """Every step of the command asks where a program is (`which npm && which pnpm`): its
    exit status 1 says one is not there."""
    steps = STEP_SPLIT.split(command_head(command).strip())
    return all(_PROBE.match(_QUIET.sub("", step)) for step in steps)


def _says_missing(output: str) -> bool:
    """The output says what is not there (`which: no teams in (…)`, `type: yarn: not found`):
    a fact of the machine to learn. A silent miss prints only what was found, or nothing."""
    lines = [line.strip() for line in output[:4000].splitlines()]
    return any(
        ERROR_LINE.search(line) or _WHICH_NO.search(line)
        for line in lines
        if line and not EXIT_LINE.match(line)
    )


def _xargs_runs(words: list[str]) -> str:
    """The program xargs runs, after its own options (`xargs -0 -n 50 grep -l x`)."""
    takes_value = {"-n", "-P", "-I", "-L", "-s", "-d", "-E", "-a"}
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in takes_value else 1
    return words[i].rsplit("/", 1)[-1] if i < len(words) else ""


def banner_lines(events: tuple[Event, ...]) -> frozenset[str]:
    """Lines printed before the output of commands that worked (a shell profile's warning,
    its banner of many lines): in the first 3 lines twice or more; further down the head of an
    output that opens with such a line, in the outputs of three different commands or more.
    They are not what any failure says. (A test runner's tally or RSpec's `Failure/Error:`
    line is none, however often the same tests were run through `| tail`: it says how they
    went; nor is a line that marks a failure. An output where sudo got no password is no
    command that worked, whatever the exit another step gave it, nor one of a piped command
    the harness's rewrite broke.)"""
    calls = {e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL}
    commands = {tool_use_id: call.text for tool_use_id, call in calls.items()}
    worked = [
        (commands.get(e.tool_use_id, ""), e.text.split("\n", BANNER_LINES)[:BANNER_LINES])
        for e in events
        if e.kind is EventKind.TOOL_RESULT and _worked(calls.get(e.tool_use_id), e)
    ]
    first: dict[str, int] = {}
    for _, lines in worked:
        for line in {line.strip() for line in lines[:3]}:
            if len(line) >= BANNER_MIN:
                first[line] = first.get(line, 0) + 1
    opening = {line for line, count in first.items() if count >= 2}
    head: dict[str, set[str]] = {}  # a line, and the commands whose output held it
    for command, lines in worked:
        if lines and lines[0].strip() in opening:
            for line in {line.strip() for line in lines[3:]}:
                if len(line) >= BANNER_MIN:
                    head.setdefault(line, set()).add(command)
    repeated = {line for line, commands in head.items() if len(commands) >= BANNER_REPEATS}
    return frozenset(
        line
        for line in opening | repeated
        if not (TEST_TALLY.match(line) or RSPEC_FAILURE.match(line) or _says_failed(line))
    )


def _worked(call: Event | None, result: Event) -> bool:
    return (
        result.exit_code in (None, 0)
        and not _sudo_got_none(result.text)
        and not rewritten_words(call, result.text)
    )


def _sudo_got_none(output: str) -> bool:
    return "sudo" in output and sudo_got_no_password(output) is not None


def _says_failed(line: str) -> bool:
    """The line is a mark of failure (`ERR_PNPM_…`, `npm error code …`, no `package.json`
    found): said again at the head of outputs whose exit a pipe hid, it is the same failure
    again, never a banner."""
    return shows_failure(line) or NO_MANIFEST.search(line) is not None


_NOTHING_THERE = re.compile(
    r"does not exist|is a directory|EISDIR|ENOENT|No such file or directory|cannot access|"
    r"Not a directory|exceeds maximum allowed tokens|not a git repository",
    re.I,
)
_NOT_A_REPOSITORY = re.compile(r"^fatal: not a git repository\b", re.M)
# A tool's answer that it holds none of what was asked for ("no trail found for current branch
# "main"", "no pull requests found for branch …", git's "fatal: No names found, …").
_LOOKED_UP_NONE = re.compile(r"^(?:(?:error|fatal):\s*)?no [^\n]{1,60}? found\b", re.I | re.M)
# What a tool needs before it can look anything up, found missing: a failure of the setup
# ("No virtual environment found", "no git remotes found", "No pyproject.toml found").
_TOOL_LACKS = re.compile(
    r"\b(?:virtual environments?|venv|remotes?|config(?:uration)?s?|credentials?|tokens?|"
    r"pyproject\.toml|package\.json|manifest|project|workspace|repositor(?:y|ies))\b",
    re.I,
)
# The subcommands that only look something up (`gh pr view`, `entire trail show`).
_LOOKUP_VERBS = frozenset(
    {"show", "view", "get", "list", "ls", "status", "describe", "info", "current", "search"}
)


def _lookup_found_none(call: Event | None, result: Event) -> bool:
    """One command that looks a thing up (`gh pr view`, `git describe`) answered that there
    is none: how the agent learns whether to create it, not a failure whose fix is the
    creating."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    said = (line.strip() for line in result.text[:400].splitlines())
    first = next((line for line in said if line and not EXIT_LINE.match(line)), "")
    if not _LOOKED_UP_NONE.match(first) or _TOOL_LACKS.search(first):
        return False  # its first word, and of the thing asked for, not of what the tool needs
    steps = [part.split() for part in SEGMENTS.split(command_head(call.text))]
    if len(steps) != 1 or len(steps[0]) < 2:
        return False
    asked = list(takewhile(lambda word: not word.startswith("-"), steps[0][1:4]))
    return any(word in _LOOKUP_VERBS for word in asked)


# `cd` into a plain path that is not there (not one a variable of another shell mangled).
_CD_NOWHERE = re.compile(
    r"^(?:(?:/\S*/)?(?:ba|da|z)?sh: (?:line \d+: )?)?cd: [\w./~@+-]+: No such file or directory$"
    r"|^(?:zsh:)?cd:\d+: no such file or directory: [\w./~@+-]+$",
    re.M,
)
# pytest asked for a test (or test file) that is not there: a guess at a name, not a failure.
_NO_SUCH_TEST = re.compile(r"^ERROR: (?:file or directory )?not found: ", re.M)


# Options whose value is a pattern for the program, not for the shell: `find -name *.ts`,
# `grep --include *.ts`, `rg -g *.ts`.
_PATTERN_OPTION = re.compile(r"(?:^|\s)(?:-i?name|-i?path|--include|--exclude|--glob|-g)\s+$")


def _option_pattern(call: Event | None, word: str) -> bool:
    """The pattern zsh refused is an option's (`--include=*.ts`, or given after `-name`)."""
    if word.startswith("-"):
        return True
    text = call.text if call is not None else ""
    at = text.find(word)
    while at > 0:
        if _PATTERN_OPTION.search(text[:at]):
            return True
        at = text.find(word, at + 1)
    return False


def looked_for_nothing(call: Event | None, result: Event) -> bool:
    """A look at a file or folder that is not there (`Read` of a missing file, `ls` of a
    missing folder, a test id pytest does not find): how an agent explores, not a failure to
    learn from."""
    if (
        call is not None
        and call.tool_name in SHELL_TOOLS
        and _NO_SUCH_TEST.search(result.text[:2000])
    ):
        return True
    if _lookup_found_none(call, result):
        return True
    if not (_NOTHING_THERE.search(result.text[:2000]) or _wildcard_matched_nothing(result.text)):
        return False
    if BUNDLED_SEARCH.search(result.text[:2000]):
        return False  # the search tool could not start: nothing was looked for
    unmatched = ZSH_NO_MATCH.search(result.text[:2000])
    if unmatched is not None and _option_pattern(call, unmatched["word"]):
        return False  # an option's pattern (`--include=*.ts`, `-name *.ts`) unquoted: zsh's
    if _NOT_A_REPOSITORY.search(result.text[:400]) and _only_git(call):
        return True  # where the agent stood was no repository: a fact of the folder
    if (
        call is not None
        and call.text.lstrip().startswith("cd ")
        and _CD_NOWHERE.search(result.text[:400])
    ):
        return True  # `cd x && …` into a folder that is not there: the command never ran
    if result.tool_name in LOOK_TOOLS or (call is not None and call.tool_name in LOOK_TOOLS):
        return True
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    segments = [part.split() for part in SEGMENTS.split(command_head(call.text))]
    if segments and segments[0] and _ran_nothing(segments[0][0], result.text[:2000]):
        return True
    if (
        _wildcard_matched_nothing(result.text)
        and unmatched is not None
        and any(
            words and only_looks(words) and _names_word(words[1:], unmatched["word"])
            for words in segments
        )
    ):
        return True  # `ls /opt/homebrew/bin/node*; command -v fnm`: a look, whatever follows
    return all(words and only_looks(words) for words in segments)


# A file written into a folder not made yet (`Set-Content -Path tests/e2e/x.py`, `echo x >
# out/a.txt`): the agent's own order of steps; making the folder first is nothing to learn.
# (the error's record names the cmdlet that wrote: `Set-Content : Could not find a part of the
# path …`, `[Set-Content], DirectoryNotFoundException`)
_CMDLET_FOUND_NO_FOLDER = re.compile(
    r"(?:^|\[)(?:Set-Content|Add-Content|Out-File)(?: ?:|\]).{0,200}?"
    r"(?:DirectoryNotFoundException|Could not find a part of the path)",
    re.I | re.M,
)
_WRITING_CMDLETS = frozenset({"set-content", "add-content", "out-file"})
_FOUND_NO_FOLDER = re.compile(r"DirectoryNotFoundException|Could not find a part of the path", re.I)


def _cmdlet_found_no_folder(said: str) -> bool:
    """A cmdlet that writes a file found no folder for it: PowerShell 5's record (one line)
    or PowerShell 7's (the cmdlet's name above, its message in the gutter below)."""
    if _CMDLET_FOUND_NO_FOLDER.search(said):
        return True
    if "Line |" not in said:
        return False
    record = powershell7_record([line.strip() for line in said.splitlines()])
    return (
        record is not None
        and record[0].lower() in _WRITING_CMDLETS
        and _FOUND_NO_FOLDER.search(record[1]) is not None
    )


_REDIRECT_INTO = re.compile(r"(?<![<>&\d])>>?\s*[\"']?(?P<path>[\w~.-]*/[\w~./-]*)")


# A request to a server on this machine that nothing answered (`curl localhost:3000` refused).
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]")
_REFUSED_HERE = re.compile(
    r"Connection refused|Couldn't connect to server|ECONNREFUSED"
    r"|Failed to connect to (?:localhost|127\.0\.0\.1|0\.0\.0\.0|::1)\b"
)


def refused_locally(call: Event | None, result: Event) -> bool:
    """A request (`curl`, `wget`, httpie) to a server on this machine, refused: not up yet."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    head = command_head(call.text)
    program = head.split(" ", 1)[0]
    return (
        program in ("curl", "wget", "http", "https", "xh")
        and any(host in head for host in _LOCAL_HOSTS)
        and _REFUSED_HERE.search(result.text[:2000]) is not None
    )


def wrote_into_no_folder(call: Event | None, result: Event) -> bool:
    """The call wrote a file, and the folder it named was not there: bash's words (`out/a.txt:
    No such file or directory`) or zsh's (`no such file or directory: out/a.txt`). The write
    is the call's first step: no step before it was to make that folder, none after it ran
    (`&&`)."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    said = result.text[:2000]
    if _cmdlet_found_no_folder(said):
        return True
    head = command_head(call.text)
    steps = shell_steps(head)
    first = steps[0] if steps else ""
    if len(steps) > 1 and not head.lstrip().removeprefix(first).lstrip().startswith("&&"):
        return False  # `;` or `||`: the steps after it ran, and may have failed of their own
    return any(
        f"{found['path']}: No such file or directory" in said
        or f"no such file or directory: {found['path']}" in said
        for found in _REDIRECT_INTO.finditer(first)
    )


# The system's temporary folder, where a run keeps its scratch: `/tmp/…` (macOS's
# `/private/tmp/…`), `/var/tmp/…`, macOS's `/var/folders/…/T/…`, Windows' `…\AppData\Local\
# Temp\…`; and the variables that name it in a command (`$TMPDIR/…`, `%TEMP%\…`).
_PATH_END = r"[^\s'\"`:：,;()<>|&]+"
_TEMP_PATH = re.compile(
    rf"(?<![\w.~/$}}%-])(?:(?:/private)?/(?:var/)?tmp|(?:/private)?/var/folders)/{_PATH_END}"
    rf"|(?i:\b[A-Z]:\\(?:Users\\[^\\\s]+\\AppData\\Local\\|Windows\\)?Temp\\){_PATH_END}"
)
_TEMP_VARIABLE = re.compile(
    rf"(?:\$\{{?(?:TMPDIR|TEMP|TMP)\}}?|\$env:(?:TEMP|TMP)|%(?:TEMP|TMP)%)[/\\](?P<rest>{_PATH_END})",
    re.I,
)
# A path not there as a shell or a program opening a file says it, the path before the words
# (bash's, `cat: P: No such file or directory`) or after them (zsh's and Python's `no such file
# or directory: 'P'`, Node's `…, open 'P'`, Go's `open P: …`, .NET's, PowerShell's); not a
# connection, a socket or a mount (`Could not connect to Redis at /tmp/r.sock: No such file …`,
# Docker's `bind source path does not exist: /tmp/d`: a server not up, a machine's own VM).
# (Python's `can't open file 'P': [Errno 2] …`, Java's `FileNotFoundException: P (No such …)`,
# mv's `cannot move 'P' to …`, macOS `open`'s `The file P does not exist.`)
_NOT_THERE = re.compile(
    r"no such file or directory|\bENOENT\b|could not find|cannot find|^The file .+ does not exist",
    re.I,
)
# (the colon after a path may be a full-width one, spaced or not: a Chinese or Japanese locale)
_OPENED_AFTER = re.compile(
    r"['\"]?(?::(?: \[Errno 2\])? |：\s?)No such file or directory| \(No such file or directory\)"
    r"| does not exist\.?$",
    re.I,
)
_OPENED_BEFORE = re.compile(
    r"(?:(?:no such file or directory(?::|, \w+)|\bopen|part of the path|Cannot find path"
    r"|cannot move|^The file) |no such file or directory：\s?)['\"]?$",
    re.I,
)
# (searched in the error with its temporary paths taken out: `/tmp/connect.log` is a file)
_NOT_A_FILE = re.compile(r"\bconnect|\bbind\b|\bmount|\.sock\b|\.s\.PGSQL", re.I)
# A shell's own words: a redirect that could not open its file (`zsh:1: …`, `(eval):1: …`).
_SHELL_SAID = re.compile(r"^(?:\S*/)?(?:ba|z|da)?sh(?::| line)|^\(eval\)")
_MAKING = frozenset({"mkdir", "touch", "mktemp"})


def missed_own_scratch(call: Event | None, result: Event) -> bool:
    """The error says a path in the system's temporary folder is not there, a path the call
    itself named (or one below it: `--out /tmp/r` then `/tmp/r/a.json`): scratch the run made
    up and had not made yet (`echo x > /tmp/t/.env` before any `mkdir`), its own slip, no
    lesson. Said by a shell or a program opening a file only: a socket, a connection or a
    mount not there is a server or a machine. A temporary path the call never named (a
    compiler's `/tmp/go-build…`), or one it made before a later step used it (`mkdir -p
    /tmp/d && docker run -v /tmp/d:/data …`), stays a failure."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    said = error_signature(result.text)
    if not _NOT_THERE.search(said) or _NOT_A_FILE.search(_TEMP_PATH.sub("", said)):
        return False
    told = list(_TEMP_PATH.finditer(said))
    if not told or not all(_told_as_opened(said, path) for path in told):
        return False
    missing = [path[0].rstrip(".'\"") for path in told]
    command = call.text[:4000]
    named = [found[0].rstrip("/\\") for found in _TEMP_PATH.finditer(command)]
    rests = [found["rest"].rstrip("/\\") for found in _TEMP_VARIABLE.finditer(command)]
    made = _made_then_used(command, shell_said=bool(_SHELL_SAID.match(said)))
    return all(
        any(_at_or_below(path, own) for own in named)
        or any(_below_temp_variable(path, rest) for rest in rests)
        for path in missing
    ) and not any(_at_or_below(path, own) for path in missing for own in made)


def _told_as_opened(said: str, path: re.Match[str]) -> bool:
    """The path is the one a file-open error names, before or after its words."""
    return bool(
        _OPENED_AFTER.match(said, path.end())
        or _OPENED_BEFORE.search(said[max(0, path.start() - 40) : path.start()])
    )


def _at_or_below(path: str, folder: str) -> bool:
    return path == folder or path.startswith((folder + "/", folder + "\\"))


def _made_then_used(command: str, shell_said: bool) -> list[str]:
    """The temporary paths a step of the command made (`mkdir`, `touch`, `mktemp`, a
    redirect the shell did not refuse) and a later step named again, or a path below them."""
    steps = script_steps(command)
    made: list[str] = []
    later: set[str] = (
        set()
    )  # the temporary paths the steps after this one name (built from the end)
    for step in reversed(steps):
        words = step.split()
        if words and words[0].rsplit("/", 1)[-1] in _MAKING:
            paths = [found[0].rstrip("/") for found in _TEMP_PATH.finditer(step)]
        elif not shell_said:
            paths = [
                p["path"] for p in _REDIRECT_INTO.finditer(step) if _TEMP_PATH.match(p["path"])
            ]
        else:
            paths = []
        made += [path for path in paths if any(_at_or_below(use, path) for use in later)]
        later.update(found[0] for found in _TEMP_PATH.finditer(step))
    return made


def _below_temp_variable(path: str, rest: str) -> bool:
    """`path` is `$TMPDIR/rest` expanded, or a path below it."""
    path, rest = path.replace("\\", "/"), rest.replace("\\", "/")
    return path.endswith("/" + rest) or f"/{rest}/" in path


def _only_git(call: Event | None) -> bool:
    """Every step of the call is git (`git add -A && git status`)."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    segments = [part.split() for part in SEGMENTS.split(command_head(call.text))]
    return all(words and words[0].rsplit("/", 1)[-1] == "git" for words in segments)


def _names_word(words: list[str], unmatched: str) -> bool:
    """One of the words is the pattern zsh found nothing for (`~/x/*` named expanded)."""
    patterns = [w.strip("\"'") for w in words if "*" in w or "?" in w]
    return any(p == unmatched or p.lstrip("~") in unmatched for p in patterns)


def _wildcard_matched_nothing(output: str) -> bool:
    """zsh found no file for a `*` or `?` pattern (`ls .eslintrc*`): there is none. (A path
    with `[id]` in it is another matter: zsh took a real name for a pattern.)"""
    found = ZSH_NO_MATCH.search(output[:2000])
    return found is not None and any(c in found["word"] for c in "*?")


def _ran_nothing(program: str, output: str) -> bool:
    """A script run by a path that is not there (`scripts/x.py: No such file or directory`):
    a guess at where it lives, not a failure of the script."""
    return ("/" in program or program.startswith(".")) and (
        f"{program}: No such file or directory" in output
    )
