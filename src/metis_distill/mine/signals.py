"""Rule-based signals: is this event a failure, a decision, a gotcha, a correction?"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import takewhile

from metis_distill.build_reports import COMPILER_LINE
from metis_distill.mine import passed
from metis_distill.mine.piped_rewrite import rewritten_words
from metis_distill.mine.sudo_password import COULD_NOT_ASK, REFUSED
from metis_distill.mine.text import (
    command_head,
    script_steps,
    split_heredocs,
)
from metis_distill.models import Event, EventKind
from metis_distill.terminal import printable

# Errors that are only echoes of another error, or of the harness, not lessons.
_NOISE = re.compile(
    r"Sibling tool call errored|Cancelled: parallel tool call|^api_error|"
    r"Request failed with status code|tool_use` ids were found without|File has not been read yet|"
    r"Request was aborted|^Error: Request to .* failed|"
    r"Your proposed edit has introduced new syntax error|"
    r"InputValidationError|"  # a malformed call refused by the harness's schema check
    r"File has been modified since read|"  # the harness asks for a fresh read: it is no lesson
    r"Tool permission (?:request failed|stream closed)|Streaming fallback triggered",
    re.I,
)
# Every match of `_NOISE`, lower-cased, holds one of these (none has an i or an s: `(?i)`
# reads U+0130, U+0131 and U+017F as those letters, which lower() does not).
_NOISE_WORDS = (
    "tool call errored",
    "parallel tool call",
    "_error",
    "tatu",
    "tool_u",
    "not been read yet",
    "aborted",
    "error: reque",
    "your propo",
    "nputval",
    "been mod",
    "tool perm",
    "fallba",
)
_REJECTED = re.compile(
    r"The user doesn't want to (?:proceed|take this action)|User rejected|"
    r"Permission for this tool use was denied|"
    r"Permission to use \w+ (?:has been denied|with command )|"
    r"^Interrupted by user|^\[Request interrupted by user|"
    r"^(?:exec command |patch )?(?:rejected|aborted) by (?:the )?user",
    re.I | re.M,  # the harness may put its `Exit code 137` line first
)
# Claude Code held the action back before it ran (its auto mode, or a permission it asks
# for and was not given): a permission the harness withheld, no failure of the command (nor
# the user's word on it).
_CLASSIFIER_DENIED = re.compile(
    r"^(?:Error: )?(?:Permission for this action was denied by the Claude Code auto mode "
    r"classifier|\S+ is temporarily unavailable, so auto mode cannot determine the safety of"
    r"|Claude requested permissions to (?:write to|edit|read|use) |This command requires "
    r"approval\b|This Bash command contains multiple operations\b|This command uses shell "
    r"operators that require approval\b)",
    re.M,
)
_TRACEBACK = re.compile(r"Traceback \(most recent call last\)")
# A traceback's end, its header cut off (`python x.py 2>&1 | tail -8`, whose exit is tail's):
# a frame, and the exception that ended it as the output's last line.
_TRACEBACK_FRAME = re.compile(r'^[ \t]+File "[^"\n]+", line \d+', re.M)
# An exception's line: its class, then its message (`EOFError: EOF when reading a line`).
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception)(?::\s*(?P<message>.*)|$)")
# Ruby's report of an exception nothing rescued: where it was raised, then its message and
# class (`app/order.rb:9:in 'Order#save!': Code is taken (Sequel::ValidationFailed)`; before
# Ruby 3.4 `in `save!'`), the frames below it each opening with `from`. The message says what
# went wrong; the place is a frame, often a gem's path in someone's home.
_RUBY_RAISED = re.compile(
    r"^\S.*?:\d+:in [`'][^`'\n]*': (?P<message>.+?\s\((?:[A-Z]\w*::)*[A-Z]\w*\))$"
)
# A package script or bundler that failed, said in its output (the exit status may be a
# pipe's): npm/pnpm's ELIFECYCLE line, yarn's, Next's and webpack's.
# Each with the words every match of it holds, searched as `_FAILING_PARTS` are.
_BUILD_PARTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (word, re.compile(part, re.M))
    for word, part in (
        (
            "Command failed with exit code ",
            r"^\s*(?:\S*ELIFECYCLE\s+|error )?Command failed with exit code [1-9]\d*\.?\s*$",
        ),
        ("Failed to compile", r"^Failed to compile\.?$"),
        ("> Build failed because", r"^> Build failed because\b"),
    )
)
_BUILD_FAILED = re.compile("|".join(part.pattern for _, part in _BUILD_PARTS), re.M)
# turbo's prefix on each line of a workspace task's output: `@scope/web:build: `; Claude
# Code's on each stderr line of a background command's output: `[stderr] `.
_TASK_PREFIX = re.compile(r"^(?:@?[\w.-]+(?:/[\w.-]+)?:[A-Za-z][\w-]*:|\[stderr\])\s+")
# A tally counts only when something failed: cargo's "test result: ok. 12 passed; 0 failed"
# is a pass.
# Each with the word every match of it holds (None: the pytest line `E … Error`, searched
# where `shows_failure` finds one may start); a text is searched for the parts whose word it
# holds, one at a time: the eight as one alternation were tried at every place of the text.
_FAILING_PARTS: tuple[tuple[str | None, re.Pattern[str]], ...] = tuple(
    (word, re.compile(part, re.M))
    for word, part in (
        ("failed", r"\b[1-9][\d,]* failed\b"),
        ("FAILED ", r"^FAILED "),
        ("failed", r"Tests?:\s+[1-9]\d* failed"),
        ("ERR_PNPM_", r"\bERR_PNPM_"),
        ("npm ERR!", r"npm ERR!"),
        # npm 10's form of the line; those that only point at its log say nothing went wrong
        # that the output shows (`| tail -3` may leave only them)
        (
            "npm error ",
            r"^npm error (?!For a full report see|A complete log of this run|Log files were not"
            r"|[^\n]*[/\\]_logs[/\\])",
        ),
        ("error TS", r"error TS\d+"),
        (None, r"^E\s+\w+Error"),
        ("failed", r"Test Files\s+[1-9]\d* failed"),
        # RSpec's, minitest's, PHPUnit's and mocha's tallies (`TEST_TALLY`)
        ("failure", r"\b\d+ examples?, (?:[1-9]\d* failures?|\d+ failures?, [1-9]\d* errors?)"),
        (" assertions, ", r"\b\d+ (?:runs|tests), \d+ assertions, (?:[1-9]|\d+ failures, [1-9])"),
        (
            "Assertions: ",
            r"^Tests: \d+, Assertions: \d+, (?:[\w ]+: \d+, )*(?:Errors|Failures): [1-9]",
        ),
        (" failing", r"^\s*[1-9]\d* failing$"),
        (" fail", r"^[ \t]*[1-9]\d* fail$"),  # bun's tally (` 11 pass`, ` 1 fail`)
    )
)
_FAILING_TESTS = re.compile("|".join(part.pattern for _, part in _FAILING_PARTS), re.M)
# A package manager or build tool saying the project's manifest is not where it ran (nor, for
# most, in any folder above): pnpm's, npm's, yarn's, cargo's, go's, poetry's and uv's words.
_MANIFESTS = r"(?:package\.json|pyproject\.toml|Cargo\.toml|go\.mod|composer\.json|deno\.json)"
NO_MANIFEST = re.compile(
    r"\bERR_PNPM_NO_IMPORTER_MANIFEST_FOUND\b"
    rf"|\bNo `?{_MANIFESTS}`?(?: \([^)\n]*\))? (?:was )?found\b"
    rf"|\bcould(?:n't| not) (?:find|read) (?:an? )?`?{_MANIFESTS}\b"
    r"|\bgo\.mod file not found\b",
    re.I,
)
_PASSING_TESTS = re.compile(
    r"\b\d+ passed\b|Tests?:\s+\d+ passed|\bOK \(|All checks passed|^test result: ok\.",
    re.I | re.M,
)
# What cmd.exe says of a program it cannot find, in Windows' most common display languages
# (`"vite" no se reconoce como un comando interno o externo,`); each a regular expression.
CMD_NOT_A_COMMAND = (
    r"is not recognized as an internal or external command",
    r"no se reconoce como un comando interno o externo",
    r"n'est pas reconnu en tant que commande interne",
    r"n[ãa]o [ée] reconhecido como um comando interno",
    r"non [èe] riconosciuto come comando interno",
    r"ist entweder falsch geschrieben oder",
    r"不是[内內]部或外部命令",
    r"は、内部コマンド",
    r"не является внутренней",
    r"은\(는\) 내부 또는 외부 명령",
)
# What PowerShell says after the name it does not know, in its display languages other than
# English (`Die Benennung "sed" wurde nicht als Name eines Cmdlet, …`, `无法将“sed”项识别为
# cmdlet、…`); each a regular expression.
POWERSHELL_NOT_A_CMDLET = (
    r"wurde nicht als Name eines Cmdlet",
    r"n'est pas reconnu comme nom d'applet de commande",
    r"no se reconoce como nombre de un cmdlet",
    r"项识别为 cmdlet",
    r"は、コマンドレット、関数",
)
# Lower-cased words each message of CMD_NOT_A_COMMAND holds (`may_hold`).
CMD_NOT_A_COMMAND_WORDS = (
    "recognized",
    "no se reconoce",
    "reconnu",
    "reconhecido",
    "riconosciuto",
    "falsch geschrieben",
    "内部或外部",
    "內部或外部",
    "内部コマンド",
    "не является",
    "내부 또는",
)
ERROR_LINE = re.compile(
    # (a word that only ends in "error" is none: the `thiserror` crate being compiled)
    r"(?-i:(?<![a-z])error|Error|ERROR)(?![a-df-rt-z0-9_])|"
    r"not found|denied|failed|fatal|cannot|can't|unable|no such|refused|"
    r"invalid|exception|not recognized|unrecognized|illegal option|undefined|missing|timed out|"
    # a host name the resolver could not find, in a tool's own form at the line's start (ssh's
    # `ssh: Could not resolve hostname`, curl's `curl: (6) …`): no network, or a typo (a log
    # line noting it in passing, `[telemetry] could not resolve host …`, is none)
    r"^\s*(?:[\w.-]+: )?(?:\(\d+\) )?Could not resolve host|"
    rf"no matches found|\bconflict\b|{'|'.join(CMD_NOT_A_COMMAND)}|"
    r"\bunknown (?:shorthand )?(?:flag|option|command|argument)"
    # a tool's own words in Chinese, Japanese, Korean: 错误/錯誤 (error), 失败/失敗 (failed)
    r"|错误|錯誤|失败|失敗|エラー|오류|에러|실패",
    re.I,
)
# A file's name, or a path ending in one (`src\greenlet\greenlet_exceptions.hpp`, `pkg/errors.go`,
# `error_handler.py`): an error word inside it is no error, a build or copy log naming the file.
_FILE_NAME = re.compile(r"(?:[\w.~:-]*[/\\])*[\w.-]*\.[a-z0-9]{1,5}")
_AROUND_NAME = "'\"`()[]<>,;"


def _says_error(line: str) -> bool:
    """The line holds an error word (`ERROR_LINE`) outside a file's name."""
    return any(not _in_file_name(line, m.start(), m.end()) for m in ERROR_LINE.finditer(line))


def _in_file_name(line: str, start: int, end: int) -> bool:
    """The words `line[start:end]` lie inside a file's name, before its extension."""
    if any(c.isspace() for c in line[start:end]):
        return False
    left = max(line.rfind(" ", 0, start), line.rfind("\t", 0, start)) + 1
    right = next((i for i in range(end, len(line)) if line[i].isspace()), len(line))
    word = line[left:right]
    name = word.strip(_AROUND_NAME)
    if not name or _FILE_NAME.fullmatch(name) is None:
        return False
    offset = left + word.index(name)
    return end - offset <= name.rindex(".")


ERROR_WORDS = (  # every match of ERROR_LINE, lower-cased, holds one of these (`may_hold`)
    "error",
    "could not resolve host",
    "not found",
    "denied",
    "failed",
    "fatal",
    "cannot",
    "can't",
    "unable",
    "no such",
    "refused",
    "invalid",
    "exception",
    "recognized",
    "illegal option",
    "undefined",
    "missing",
    "timed out",
    "no matches found",
    "conflict",
    "unknown",
    *("错误", "錯誤", "失败", "失敗", "エラー", "오류", "에러", "실패"),
    *CMD_NOT_A_COMMAND_WORDS,
)
# A test runner's tally of failing tests: RSpec's (`5 examples, 2 failures`, its errors
# outside of examples), minitest's (`3 runs, 3 assertions, 1 failures, 0 errors, 0 skips`),
# cargo test's, PHPUnit's (`Tests: 3, Assertions: 3, Failures: 1.`), mocha's, jest's,
# vitest's. Its report of failing tests names them (`with an invalid code`, `shows an error`):
# a test's name may hold any word, and is never what went wrong.
TEST_TALLY = re.compile(
    r"\b\d+ examples?, (?:[1-9]\d* failures?|\d+ failures?, [1-9]\d* errors?)"
    r"|\b\d+ (?:runs|tests), \d+ assertions, "
    r"(?:[1-9]\d* failures, \d+|\d+ failures, [1-9]\d*) errors\b"
    r"|\btest result: FAILED\b"
    r"|\bTests: \d+, Assertions: \d+, (?:[\w ]+: \d+, )*(?:Errors|Failures): [1-9]"
    r"|(?:^|“)\s*[1-9]\d* failing\b|\bTests:?\s+[1-9]\d* failed\b",
    re.M,
)
# RSpec's line under a failing example: the expression that failed (`Failure/Error: expect(…)`).
RSPEC_FAILURE = re.compile(r"^Failure/Error:\s*(?P<expression>\S.*)?$")
_GO_TEST_ERROR = re.compile(r"^[\w./-]+_test\.go:\d+: \S")
# (an exception by its module's path, whatever its class is called: `E   django.urls.
# exceptions.NoReverseMatch: Reverse for 'home' not found`)
_PYTEST_ERROR = re.compile(
    r"^E\s+(?:[\w.]*(?:Error|Exception|Failed|Timeout)\b|assert\b|(?:[a-z_]\w*\.)+[A-Z]\w*:\s)"
)
# pytest's verbose line for a test that did not fail: its name may hold any word
# (`test_invalid_email PASSED [ 30%]`).
_TEST_NOT_FAILED = re.compile(r"^[^\s:]+::\S+ (?:PASSED|SKIPPED|XFAIL|XPASS)\b")
# RuboCop's offense (`app/x.rb:32:14: C: Style/Foo: message`): under its `Inspecting 1 file`
# banner, the line that says what it found; from its cop on, one file's place left out
_RUBOCOP_OFFENSE = re.compile(
    r"^\S+:\d+:\d+: [IRCWEF]: (?:\[Correctable\] )?(?P<cop>[A-Z]\w*(?:/\w+)+: \S.*)"
)
# (zsh's `nice(5) failed` when a sandbox lets it start a job with `&` but not renice it: the
# job runs on)
_WARNING = re.compile(
    r"^(?:warning\b|warn\b|npm warn\b|\[warn|\w*Warning:|Deprecat|\u26a0"
    r"|zsh:\d+: nice\(5\) failed\b)",
    re.I,
)
# A tally that says nothing went wrong ("Found 0 errors.") is no error line.
_NONE_FOUND = re.compile(
    r"\b(?:0|no|zero) (?:errors?|failures?|failed|problems?|issues?)\b"
    r"|(?:没有|沒有|无|無|0\s*个?)(?:错误|錯誤|失败|失敗)|エラー(?:なし|はありません)|(?:오류|에러)\s*없"
    r"|(?:错误|錯誤|失败|失敗|エラー|오류|실패)\s*[:：]\s*0\b"
    r"|^test \S+ \.\.\. ok$"  # a test that passed, whatever its name says
    r"|(?-i:^(?:[\u2713\u2714\u221a]|PASS\s))"  # vitest's, jest's, mocha's passed test
    # a log line at level INFO or DEBUG (its logger may be named `uvicorn.error`)
    r"|(?-i:^(?:[^|\n]{0,60}\|\s*){0,3}(?:\[[^\]\n]{1,40}\]\s*)?(?:[\d:.,TZ/+-]+\s+){0,3}"
    r"\[?(?:INFO|DEBUG)\]?(?:\s|:|\||$))",
    re.I,
)
EXIT_LINE = re.compile(r"^Exit code -?\d+$")
# A tool's advice on what to try, after what it said ("- Instead of 'x', search 'y'", "Tip: …",
# "Try …"): it may name an error ("search 'catch (' for error handling"); it is none.
ADVICE = re.compile(
    r"^(?:[-*\u2022]\s*|\d+[.)]\s+)?(?:instead of\b|tips?:|hint:|suggestions?:|try\s+(?!again\b))",
    re.I,
)
# A line of source code a command printed (`cat app.py`): it names errors, it is none.
# An error line that names no error: a server's trace id, a pointer to the docs
# (`remote: error: Trace: 66f1…`, `remote: error: See https://gh.io/lfs for more information.`).
_NO_MESSAGE = re.compile(
    r"\b(?:error|warning):\s*"
    r"(?:Trace:\s*[0-9a-f]{16,}|See https?://\S+ for more information\.?)\s*$",
    re.I,
)
_SOURCE_LINE = re.compile(
    r"^(?:except\b[^:]*:$|(?:}\s*)?catch\s*\(|(?:.*[;{)]\s*)?(?:raise|throw)\s+(?:new\s+)?[A-Z]\w*|"
    r"(?:console|logger|logging|log)\.(?:error|warn\w*|exception)\(|if err != nil\b)"
)
_CARET = re.compile(r"^\^+~*$")
_GRADLE_WRONG = "* What went wrong:"
_TAGS = re.compile(r"</?tool_use_error>")
# ssh found no program to ask for a password with: said on the way to the real refusal.
_ASKPASS = re.compile(r"^ssh_askpass: ")
# What PAM says while sudo waits for a finger or a key ("Place your right index finger on
# the fingerprint reader", "Verification timed out", "Please touch the FIDO authenticator."):
# prompts before sudo's own verdict, which says what went wrong.
_PAM_PROMPT = re.compile(
    r"^(?:(?:place|swipe|put|lift) your [\w ]*finger\b.*|verification timed out\.?|"
    r"failed to match fingerprint\.?|please touch the (?:fido )?(?:authenticator|device|"
    r"security key)\.?)$",
    re.I,
)


def is_noise(event: Event) -> bool:
    return _noisy(event.text[:400])


def _noisy(head: str) -> bool:
    lowered = head.lower()
    return any(word in lowered for word in _NOISE_WORDS) and bool(_NOISE.search(head))


# What `(?i)` reads as an ASCII letter and `str.lower` does not lower to it (U+0130 and
# U+0131 as i, U+017F as s): a text holding one is searched whatever its words.
_FOLDED = ("\u0130", "\u0131", "\u017f")


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """Could the pattern whose words these are match in the text? False only when it cannot:
    the cheap look before the search."""
    lowered = text.lower()
    for word in words:  # a loop: `any` over a generator costs more than the look itself
        if word in lowered:
            return True
    return not text.isascii() and any(c in text for c in _FOLDED)


def is_rejection(event: Event) -> bool:
    """A call the user turned down: in a rejection's words, or so read by its format."""
    if event.kind is not EventKind.ERROR:
        return False
    return event.rejected or bool(_REJECTED.search(event.text[:300]))


def never_ran(answer: Event) -> bool:
    """The answer to a call says it never ran: the user turned it down or stopped it (a
    rejection's words, Codex's declined approval), the harness withheld its permission, or a
    hook of the user's refused it. Such a call did nothing, well or badly."""
    if answer.kind is EventKind.INTERRUPT or answer.rejected or answer.hooked:
        return True
    head = answer.text[:300]
    if answer.kind is not EventKind.ERROR:
        # an answer that is no error tells a refusal by opening with it; a run's output may
        # quote the words ("✓ shows an error when User rejected the request")
        head = head.lstrip()
        return bool(_REJECTED.match(head) or _CLASSIFIER_DENIED.match(head))
    return bool(_REJECTED.search(head) or _CLASSIFIER_DENIED.search(head))


def rejection_words(event: Event) -> str | None:
    """What the user typed turning a call down, when the rejection is those words alone
    (Claude Code 2.0's): read as the message a person types after a rejection is."""
    if not event.rejected:
        return None
    return event.text.removeprefix("Error: ").strip() or None


# The tools that run a POSIX shell command (Codex's shell calls are read as `Bash`).
SHELL_TOOLS = frozenset({"Bash", "bash", "shell", "exec_command"})
# A write the system refused (a sandbox, a folder owned by another user): the program
# stopped before its work.
WRITE_REFUSED = re.compile(r"[Pp]ermission denied|Operation not permitted|Read-only file system")
# A host name that did not resolve: no network at all, or a name mistyped.
_UNRESOLVED = (
    r"Could not resolve host|\bENOTFOUND\b|\bEAI_AGAIN\b|getaddrinfo"
    r"|Temporary failure in name resolution|Name or service not known|nodename nor servname"
)
HOST_UNRESOLVED = re.compile(_UNRESOLVED, re.I)
# A server out of reach, localhost included: what a sandbox without network says.
NO_NETWORK = re.compile(
    _UNRESOLVED + r"|Failed to connect to|Couldn't connect to server|Connection refused"
    r"|\bECONNREFUSED\b|Network is unreachable|\bdial (?:tcp|udp)\b"
    r"|\bNU1301\b|Unable to load the service index"
    r"|Max retries exceeded with url|\berror connecting to [\w-]+(?:\.[\w-]+)+",  # (gh's)
    re.I,
)
# Docker's socket out of reach: refused to the caller, or not there to it.
DOCKER_SOCKET = re.compile(
    r"permission denied while trying to connect to the Docker daemon socket"
    r"|Cannot connect to the Docker daemon at unix://",
    re.I,
)
# A socket or a write the sandbox denied (`:eperm`, "Operation not permitted").
SANDBOX_DENIED = re.compile(r":eperm\b|\bEPERM\b|Operation not permitted|Read-only file system")
# What Codex's sandbox refuses: a socket (`:eperm`, Docker's), a write, the network.
SANDBOX_REFUSAL = re.compile(
    rf"{SANDBOX_DENIED.pattern}|{NO_NETWORK.pattern}|{DOCKER_SOCKET.pattern}", re.I
)
# File-editing tools of every format (Claude Code, Codex, aider, SWE-agent, OpenHands).
EDIT_TOOLS = frozenset(
    {
        "Edit",
        "MultiEdit",
        "Write",
        "NotebookEdit",
        "apply_patch",
        "edit",
        "create",
        "insert",
        "append",
        "str_replace_editor",
    }
)
# Tools that fetch from the web: their failures are about the network, not the project.
_WEB_TOOLS = frozenset({"WebFetch", "WebSearch", "web_search", "fetch"})


def is_failure(event: Event) -> bool:
    """A tool error, a non-zero exit, a traceback or failing tests (not noise, not a rejection)."""
    if event.role != "tool" or event.hooked or is_noise(event) or is_rejection(event):
        return False  # (a hook of the user's refusing the call: no failure of it)
    if event.tool_name in _WEB_TOOLS or _CLASSIFIER_DENIED.search(event.text[:300]):
        return False
    if event.kind is EventKind.ERROR:
        return True
    if event.exit_code not in (None, 0):
        return True
    if event.tool_name in LOOK_TOOLS:
        return False  # a file's text says what the file holds, not how the read went
    return _output_failed(event.text)


def failures(events: Sequence[Event]) -> list[bool]:
    """`is_failure` of each event, in order: read once for the miners that walk a whole run.
    A shell call that only printed what files hold (`tail -50 build.log`, `sleep 5 && cat
    out.txt`) and exited well did not fail, whatever failures the files tell of: they are an
    earlier run's, or the text of a test."""
    calls = {e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL and e.tool_use_id}
    return [
        (
            is_failure(event)
            and not (
                event.kind is not EventKind.ERROR
                and event.exit_code in (None, 0)
                and _prints_only(calls.get(event.tool_use_id or ""))
            )
        )
        or _failed_behind_pipe(calls.get(event.tool_use_id or ""), event)
        for event in events
    ]


def _failed_behind_pipe(call: Event | None, result: Event) -> bool:
    """The call failed, though a pipe after the step that failed made its exit 0: a program
    missing, a Python crash, a `sudo` that could not ask for the password, or a program given
    words the harness's rewrite of the piped command made of a redirect or a glob."""
    own = _exit_hidden_by_pipe(call, result)
    return own is not None and (
        _missing_behind_pipe(own, result)
        or _traceback_behind_pipe(own, result)
        or _sudo_behind_pipe(own, result)
        or bool(rewritten_words(call, result.text))
    )


def _traceback_tail(text: str) -> bool:
    """The output ends as a Python traceback does, its header cut off: a frame, and the
    exception as its last line."""
    if 'File "' not in text or not _TRACEBACK_FRAME.search(text):
        return False
    last = text.rstrip().rsplit("\n", 1)[-1]
    return bool(EXCEPTION_LINE.match(last))


# A Python program run by the call (`python x.py`, `uv run pytest`, `python3 -m app`).
_RUNS_PYTHON = re.compile(
    r"(?:^|[\s;&|(])(?:(?:uv|poetry|pipenv|pdm) run\s+)?(?:python[\d.]*|pytest)\b"
)


def _traceback_behind_pipe(own: str, result: Event) -> bool:
    """A Python program the call (its own command `own`) ran crashed, and a pipe after it
    (`| tail -8`) cut the traceback's header. (Logs a call printed, `docker logs api | tail`,
    tell of another run's crash.)"""
    return bool(_RUNS_PYTHON.search(own)) and _traceback_tail(result.text[-4000:])


def _missing_behind_pipe(own: str, result: Event) -> bool:
    """A program the call ran was not found (`timeout 10 x | head`)."""
    program = missing_program(result.text[:2000])
    return program is not None and any(step.split()[:1] == [program] for step in script_steps(own))


def _sudo_behind_pipe(own: str, result: Event) -> bool:
    """A step of the call ran `sudo`, which could not ask for the password
    (`sudo pacman -S x 2>&1 | tail -15`)."""
    head = result.text[:2000]
    if "sudo" not in head:
        return False
    steps = [_sudo_flags(step.split()) for step in script_steps(own)]
    if REFUSED.search(head):
        return any(flags is not None for flags in steps)
    if not re.search(COULD_NOT_ASK, head):
        return False  # a prompt alone (`[sudo] password for ana:`) is `sudo -S` reading one
    return any(flags is not None and not flags & _GIVEN_PASSWORD for flags in steps)


_GIVEN_PASSWORD = frozenset({"-S", "-A", "--stdin", "--askpass"})
# What may stand before `sudo` in a step: settings, and programs that run the rest.
_BEFORE_SUDO = re.compile(r"^(?:[A-Za-z_]\w*=\S*|env|nice|time|nohup|timeout|-\S+|\d+[smh]?)$")


def _sudo_flags(words: list[str]) -> frozenset[str] | None:
    """The flags of the step's `sudo` (`DEBIAN_FRONTEND=… timeout 60 /usr/bin/sudo -S …`), or
    None when the step runs no sudo."""
    for position, word in enumerate(words):
        if word.rsplit("/", 1)[-1] == "sudo":
            return frozenset(takewhile(lambda w: w.startswith("-"), words[position + 1 :]))
        if not _BEFORE_SUDO.match(word):
            return None
    return None


def _exit_hidden_by_pipe(call: Event | None, result: Event) -> str | None:
    """The shell call's own command (here-documents' bodies left out) when it exited well
    through a pipe, whose exit is the pipe's last program's; else None."""
    if call is None or call.tool_name not in SHELL_TOOLS or result.role != "tool":
        return None
    if result.exit_code not in (None, 0) or result.kind is EventKind.ERROR or "|" not in call.text:
        return None
    return split_heredocs(call.text)[0]


def _prints_only(call: Event | None) -> bool:
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    own = split_heredocs(call.text)[0]
    if _RUNS_INSIDE.search(own):
        return False  # `find … -exec python {} \;`, `echo "$(python x.py)"`: a program ran
    steps = [command_head(step).split() for step in script_steps(own)]
    return all(
        words and words[0].rsplit("/", 1)[-1] in _PRINTERS and "-i" not in words[1:]
        for words in steps
    )


def shows_failure(head: str) -> bool:
    """A traceback, failing tests or a failed build in the text."""
    if _TRACEBACK.search(head):
        return True
    if "ailed" in head and _found(head, _BUILD_PARTS):
        return True
    pytest_line = "Error" in head and (head.startswith("E") or "\nE" in head)
    return _found(head, _FAILING_PARTS, pytest_line)


def _found(
    head: str, parts: tuple[tuple[str | None, re.Pattern[str]], ...], unworded: bool = False
) -> bool:
    """Does a part match, searched only in a text holding its word (a part without a word:
    when `unworded`)?"""
    for word, part in parts:
        if (unworded if word is None else word in head) and part.search(head):
            return True
    return False


def _output_failed(text: str) -> bool:
    """The output's head shows a failure (`shows_failure`), and the output does not close as
    a run that worked: a test runner's summary that none failed, nothing failing after it,
    or git's line for the commit it made; a summary of tests that failed anywhere in it, or
    a build's or package manager's own failure (`_tool_failed`), keeps it a failure."""
    head = text[:20_000]
    if not shows_failure(head):
        return False
    if passed.some_failed(text) or TEST_TALLY.search(text) or _tool_failed(head):
        return True
    after = passed.after_last_pass(text)
    if after is not None:
        return shows_failure(after[:20_000])
    return not passed.commit_made(text)


# A build's or a package manager's own words that it failed (`Failed to compile.`, `npm ERR!`,
# `error TS2304`): no test logs them, so no summary of a test run or commit line after them
# makes the output one that worked (`npm run build | tail; npm test | tail`).
_TOOL_PARTS = tuple(
    (word, part)
    for word, part in _FAILING_PARTS
    if word in ("ERR_PNPM_", "npm ERR!", "npm error ", "error TS")
)


def _tool_failed(head: str) -> bool:
    return ("ailed" in head and _found(head, _BUILD_PARTS)) or _found(head, _TOOL_PARTS)


def is_success(event: Event) -> bool:
    """A tool result that shows the call worked (not one the user stopped)."""
    if event.kind is not EventKind.TOOL_RESULT or event.exit_code not in (None, 0):
        return False
    if _REJECTED.search(event.text[:300]):
        return False
    return not (_output_failed(event.text) or _traceback_tail(event.text[-4000:]))


def shows_passing_tests(event: Event) -> bool:
    return is_success(event) and bool(_PASSING_TESTS.search(event.text[:20_000]))


# bash's "command not found" in the languages it is translated into (pt, es, fr, de, it, ru,
# zh, ja, ko): a run in that locale says it so.
_NOT_FOUND_TRANSLATED = (
    "comando não encontrado",
    "orden no encontrada",
    "no se encontró la orden",
    "commande introuvable",
    "befehl nicht gefunden",
    "comando non trovato",
    "команда не найдена",
    "未找到命令",
    "コマンドが見つかりません",
    "명령어를 찾을 수 없음",
)
_NOT_A_COMMAND_WORDS = CMD_NOT_A_COMMAND_WORDS + _NOT_FOUND_TRANSLATED
_MISSING_PROGRAM = re.compile(
    r"(?:^|[\s:])(?P<program>[\w.+-]+): (?:command )?not found\b(?!:)"
    # (French puts a space before the colon: `bash: sl : commande introuvable`)
    rf"|(?:^|[\s:])(?P<local>[\w.+-]+) ?: (?i:{'|'.join(_NOT_FOUND_TRANSLATED)})"
    r"|command not found: (?P<zsh>[\w.+-]+)"
    # Ubuntu's command-not-found handler, which says so in place of bash (`Command 'x' not
    # found, but can be installed with:`, `…, did you mean:`, `…, but there are 3 similar
    # ones.`); a runner's script not found (`Command "build" not found.`) is none
    r"|^Command '(?P<ubuntu>[\w.+-]+)' not found, (?:but |did you mean:)"
    rf"|['\"\u201c](?P<cmd>[\w.+-]+)['\"\u201d]\s?(?:{'|'.join(CMD_NOT_A_COMMAND)})",
    re.M,
)


_NOT_PROGRAMS = frozenset(
    {"error", "fatal", "warning", "file", "module", "path", "command"}
    | {"fehler", "erreur", "erro", "errore", "ошибка", "错误", "錯誤", "エラー", "오류"}
)


def missing_program(text: str) -> str | None:
    """The program an error says is not installed (`jest: not found`), or None."""
    return next(missing_programs(text[:4000]), None)


def missing_programs(text: str) -> Iterator[str]:
    """Every program the text says is not there, in order (bash's, zsh's, sh's and cmd's
    words, in the languages they speak)."""
    head = text
    if "not found" not in head and not may_hold(head, _NOT_A_COMMAND_WORDS):
        return  # every match of _MISSING_PROGRAM holds one or another
    for found in _MISSING_PROGRAM.finditer(head):
        program = (
            found["program"] or found["zsh"] or found["cmd"] or found["local"] or found["ubuntu"]
        )
        # a name that starts with a digit is a tag or a line number (`image:1-24: not found`);
        # a document's name (`AGENTS.md`) was text bash ran, not a program
        # a flag (`--jq: command not found`: an unquoted `&` ended the command before it)
        if program.lower() in _NOT_PROGRAMS or program[0].isdigit() or program[0] in "-+":
            continue
        if _DOCUMENT.search(program):
            continue
        line_start = head.rfind("\n", 0, found.start()) + 1
        if _STARTUP_FILE.match(head, line_start):
            continue  # the login shell's own start-up file, read before every command
        if found["program"] and _OWN_NAME_LOOKUP.search(head, line_start, found.start("program")):
            continue  # `alias rebuild`: no alias of that name, no program missing
        yield str(program)


# A shell builtin that looks a name up among the shell's own aliases and variables, not the
# PATH (`bash: line 1: alias: rebuild: not found`, `declare: x: not found`): its "not found"
# names no program. (`type` and `hash` do search the PATH: theirs is a program missing.)
_OWN_NAME_LOOKUP = re.compile(
    r"(?:^|[\s:])(?:alias|unalias|declare|typeset|local|readonly|export|unset): $"
)


# An error of a shell's start-up file (`/home/ana/.bash_profile: line 1: souce: command not
# found`): printed before every command a login shell runs, it is not why this one failed.
_STARTUP_FILE = re.compile(
    r"\s*(?:\S*/)?\.(?:bash_profile|bash_login|bashrc|profile|zshrc|zprofile|zshenv|zlogin)"
    r"(?::\s*line\s+\d+|:\d+)?:\s"
)


_DOCUMENT = re.compile(r"\.(?:md|markdown|txt|rst|json|ya?ml|toml|csv|html?|css|lock)$", re.I)


_MISSING_MODULE = re.compile(
    r"(?:ModuleNotFoundError: No module named|Cannot find module|ImportError: No module named)"
    r"\s+['\"](?P<module>[\w.@/-]+)['\"]"
)


# An interpreter asked to run a module it has not (`python -m pytest`): its own words, the
# module unquoted, after the interpreter's path, whatever its form (`/srv/app/venv/bin/python`,
# `C:\Program Files\Python313\python.exe`: a drive, backslashes, spaces).
NO_MODULE_TO_RUN = re.compile(
    r"(?m)^(?:(?:[A-Za-z]:)?[^\n:]*[/\\])?[Pp]ython[\d.]*(?:\.exe)?: "
    r"No module named (?P<module>[A-Za-z_][\w.]*)\s*$"
)


def missing_module(text: str) -> tuple[str, str] | None:
    """The module an import error says is not installed (`yaml`), with the error's words."""
    found = _MISSING_MODULE.search(text[:4000]) or NO_MODULE_TO_RUN.search(text[:4000])
    if found is None:
        return None
    return found["module"].split(".")[0], found[0]


_EXIT_CODE_LINE = re.compile(r"^\s*Exit code:?\s*(-?\d+)\s*$")


def exit_line_code(line: str) -> int | None:
    """The code of a line that is only a harness's `Exit code N` (or `Exit code: N`)."""
    found = _EXIT_CODE_LINE.match(line)
    return int(found.group(1)) if found else None


def is_exit_line(line: str) -> bool:
    """The harness's own `Exit code N` line."""
    return bool(EXIT_LINE.match(line.strip()))


def _go_failure(line: str) -> bool:
    return bool(_GO_TEST_ERROR.match(line)) or line.startswith("--- FAIL:")


def names_an_error(line: str) -> bool:
    """The line says something went wrong (not a line any output may print)."""
    return bool(
        (_says_error(line) and not _NONE_FOUND.search(line))
        or _CROSSED.match(line)
        or _PYTEST_ERROR.match(line)
        or _go_failure(line)
    )


# An output this long at most is kept with its signature (the last 256 of them, for the
# process's life: at most 256 × 64 K characters; a longer output is read anew each time)
KEPT_OUTPUT = 64 * 1024


def error_signature(text: str) -> str:
    """The line of an error output that says what went wrong, verbatim. Kept by the text: the
    same output is read by the fix's search, the scratch check and the rules extractor."""
    return _kept_signature(text) if len(text) <= KEPT_OUTPUT else read_signature(text)


def signature_unlike(text: str, passed: str) -> str:
    """The error line of a failure's output `text` that the output of the call that worked,
    `passed`, does not show as well: a line both print (a tool's standing warning) is not
    what failed. "" when the failure printed nothing the success did not."""
    said = error_signature(text)
    if not said or said not in passed:
        return said
    shown = {" ".join(line.split()) for line in passed.splitlines()}
    kept = [line for line in text.splitlines() if " ".join(line.split()) not in shown]
    return read_signature("\n".join(kept)) if any(line.strip() for line in kept) else ""


@lru_cache(maxsize=256)
def _kept_signature(text: str) -> str:
    return read_signature(text)


# Next.js's build, failed on the project's code: "Failed to compile." then the file's place
# and what is wrong there (`Type error: …`, ESLint's `12:5  Error: … rule`, or SWC's `x …`
# (`×` in a UTF-8 terminal), on its `Error:` line or the one below it).
_NEXT_FAILED = "Failed to compile."
_NEXT_ERROR = re.compile(r"^(?:Type error: |\d+:\d+\s+Error: |(?:Error:\s+)?[x\u00d7] )\S")


def _next_build_error(lines: list[str]) -> str | None:
    """What Next.js's failed build says is wrong, below its banner; None for another output."""
    # the banner may end the spinner's line ("Linting and checking validity of types
    # ...Failed to compile.")
    at = next((i for i, line in enumerate(lines) if line.endswith(_NEXT_FAILED)), None)
    if at is None:
        return None
    after = lines[at + 1 :]
    return next((line for line in after if _NEXT_ERROR.match(line)), None)


def read_signature(text: str) -> str:
    """`error_signature`, read anew: a test runner's banner gives way to the cause the same
    output names."""
    said = _first_error_line(text)
    if _TEST_BANNER.match(said):
        return _named_cause(text) or said
    return said


# A test runner's banner over an error, the same whatever went wrong: bun's `# Unhandled error
# between tests`, an assertion's header (bun's `error: expect(received).toBe(expected)`,
# jest's `expect(received).toContain(expected) // …`), jest's `● Test suite failed to run`,
# vitest's `FAIL  src/a.test.ts > …`, an uncaught error's lead (`error: Uncaught (in
# promise)`); bun's `--filter` puts the package and its script before each line
# (`@app/core test: `).
_TEST_BANNER = re.compile(
    r"^(?:@?[\w.-]+(?:/[\w.-]+)? [\w:-]+: )?"
    r"(?:# Unhandled error between tests\b"
    r"|(?:error: )?expect\(received\)(?:\.\w+)*\(\w*\)"
    r"|● Test suite failed to run"
    r"|FAIL\s+\S"
    r"|(?:error|Error): Uncaught\b)"
)
# A cause an output names, more specific than any banner: a package not found (`Cannot find
# module '@app/core'`, tsc's TS2307 in the same words, Node's `Cannot find package 'x'`,
# Python's `ModuleNotFoundError`), an export the built package lacks (bun's `SyntaxError: export
# 'f' not found in '@app/core'`, Node's `does not provide an export named 'f'`); else a file
# not there (`ENOENT: no such file or directory, open 'dist/index.js'`), which a module that
# could not load may explain, never the other way round. A module by a relative path is a file
# of the day's work, no cause a runner hides.
_NAMED_CAUSES = (
    re.compile(
        r"Cannot find (?:module|package) (?P<q>['\"])(?![./])[^'\"\s]+(?P=q)"
        r"|ModuleNotFoundError: No module named '[^'\s]+'"
        r"|(?:SyntaxError: )?export '[\w$]+' not found in '[^'\s]+'"
        r"|does not provide an export named '[\w$]+'"
    ),
    re.compile(r"ENOENT: no such file or directory, \w+ '[^'\s]+'"),
)
# An assertion's expected value: the test's own words, whatever they name.
_EXPECTED_LINE = re.compile(r"\s*(?:@?[\w.-]+(?:/[\w.-]+)? [\w:-]+: )?[Ee]xpected\b[^:]*:")


def _named_cause(text: str) -> str:
    """The first cause of the first kind the output names (`_NAMED_CAUSES`) outside an
    assertion's expected value, verbatim, or ""."""
    head = text[:20_000]
    for cause in _NAMED_CAUSES:
        for found in cause.finditer(head):
            line_start = head.rfind("\n", 0, found.start()) + 1
            if not _EXPECTED_LINE.match(head, line_start):
                return found.group(0)
    return ""


def _first_error_line(text: str) -> str:
    """The first line that says what went wrong, whatever the runner around it."""
    lines = [printable(_TAGS.sub("", line)).strip() for line in text.splitlines()]
    lines = [_TASK_PREFIX.sub("", line) for line in lines if line and not EXIT_LINE.match(line)]
    lines = [line for line in lines if not _ASKPASS.match(line)] or lines
    if "sudo: " in text:
        lines = [line for line in lines if not _PAM_PROMPT.match(line)] or lines
    lines = [line for line in lines if not _STARTUP_FILE.match(line)] or lines
    if "% Total" in text:
        lines = _without_curl_meter(lines)
    lines = _without_finished_build_steps(lines)
    if not lines:
        return ""
    if _POWERSHELL_RECORD.search(text):
        if _NATIVE_COMMAND_ERROR.search(text):  # a program's stderr, the record its first line
            lines = [line for line in lines if not _POWERSHELL_FOOTER.match(line)] or lines
        elif said := _powershell_error(lines):
            return said
        else:  # the footer's lines are the same whatever went wrong: never the signature
            lines = [line for line in lines if not _POWERSHELL_FOOTER.match(line)]
            if not lines:
                return ""
    if "Line |" in lines and (record := powershell7_record(lines)) is not None:
        return record[1]  # the message; the first line only names the cmdlet
    cause = _gradle_cause(lines) or _npm_cause(lines) or _next_build_error(lines)
    if cause:
        return cause
    lines, footer = _without_runner_lines(lines)
    failed_test = _bun_failed_test(lines)
    if failed_test:
        return failed_test
    if _TRACEBACK.search(text):
        for line in reversed(lines):
            if re.match(r"^[\w.]+(?:Error|Exception|Exit)\b", line):
                return line
    # Ruby's: the first raised line (the exceptions that caused it, if any, are told below it)
    raised = next(
        (found for line in lines if ":in " in line and (found := _RUBY_RAISED.match(line))), None
    )
    if raised is not None:
        return raised["message"]
    # pytest's report: its `E   AssertionError: …` line says what failed; the test's source
    # printed above it may hold any word ("# should not error")
    for line in lines:
        if _PYTEST_ERROR.match(line):
            return line
        offense = _RUBOCOP_OFFENSE.match(line)
        if offense:
            return offense.group("cop")
    # Go's report: `x_test.go:31: expected …` under `--- FAIL: TestX` says what failed; the
    # `=== RUN` and `? pkg [no test files]` lines above it say nothing
    go = [line for line in lines if _go_failure(line)]
    if go:
        return next((line for line in go if _GO_TEST_ERROR.match(line)), go[0])
    report = _test_report_error(lines)
    if report:
        return report
    finding = _linter_finding(lines)
    if finding:
        return finding
    lines = [line for line in _without_echoed_source(lines) if not ADVICE.match(line)]
    if not lines:
        return ""  # only tips on what to try: no error to quote
    errors = [
        line
        for line in lines
        if may_hold(line, ERROR_WORDS)
        and _says_error(line)
        and not _NONE_FOUND.search(line)
        and not _SOURCE_LINE.match(line)
        and not _NO_MESSAGE.search(line)
        and not _VITEST_BANNER.match(line)
        and not _TEST_NOT_FAILED.match(line)
    ]
    # a warning the program went on after is not what stopped it, when an error line follows;
    # a word alone (`undefined` a script printed) says less than an error line in words
    stopped = [line for line in errors if not _WARNING.match(line)]
    worded = [line for line in stopped if " " in line.strip()]
    # a compiler's error at a file's line says what is wrong; a check's banner above it
    # (`FAILED BUILD CRITICAL in TypeScript check`) says only that something is
    located = [line for line in worded if _LOCATED_ERROR.match(line)]
    if located or worded or stopped:
        return (located or worded or stopped)[0]
    if errors:  # warnings only: a line saying what could not be done outranks them
        going = [line for line in lines if not (_WARNING.match(line) or _WENT_ON.search(line))]
        return _said_wrong(going) or errors[0]
    if footer:  # the tool's finding at a file's line and column says more than its runner
        if _MAKE_OWN.match(footer):  # make's own error (`*** No rule to make target …`)
            return footer
        diagnostic = next((line for line in lines if _DIAGNOSTIC.match(line)), "")
        return diagnostic or _said_wrong(lines) or footer
    return _said_wrong(lines) or _first_worded(lines)


# bun's report of a failing test: its error (`error: expect(received).toBe(expected)`, `error:
# <message>`, `TypeError: …`) and stack, then `(fail) suite > test`; bun's `--filter` puts
# the package and its script before each line (`@app/core test: `). What the tests logged
# above it (a warning, an error a test of error handling throws on purpose) is not what failed.
_BUN_PREFIX = r"^(?:@?[\w.-]+(?:/[\w.-]+)? [\w:-]+: )?"
_BUN_FAIL = re.compile(_BUN_PREFIX + r"\(fail\) \S")
_BUN_ERROR = re.compile(_BUN_PREFIX + r"(?:error|[A-Z]\w*Error): \S")
# Where the failing test's report cannot reach above: its file's header (`src/a.test.ts:`),
# or the harness's cut of a long output (`... [19420 characters truncated] ...`).
_BUN_BOUND = re.compile(
    _BUN_PREFIX + r"(?:[\w./@-]+\.[cm]?[jt]sx?:$|\.{3} \[\d+ characters truncated\] \.{3}$)"
)


def _bun_failed_test(lines: list[str]) -> str:
    """The error bun printed for the first test it marks `(fail)`: the last error line above
    that mark, below its file's header; or ""."""
    at = next((n for n, line in enumerate(lines) if _BUN_FAIL.match(line)), None)
    if at is None:
        return ""
    report = takewhile(lambda line: not _BUN_BOUND.match(line), reversed(lines[:at]))
    return next((line for line in report if _BUN_ERROR.match(line)), "")


# A linter's finding, ruff's and flake8's: `a.py:3:1: F401 [*] `os` imported but unused`, or in
# ruff's full format the rule's line with its place under it (`I001 [*] Import block is
# un-sorted or un-formatted`, then `--> a.py:23:1`); its tally (`Found 1 error.`) says only
# that something was found.
_LINT_TALLY = re.compile(r"^Found \d+ errors?\b")
_LINT_FINDING = re.compile(r"^(?:[A-Za-z]:)?[^\s:()]+:\d+:\d+: [A-Z]{1,4}\d{3,4}\b")
_LINT_RULE = re.compile(r"^[A-Z]{1,4}\d{3,4} (?:\[\*\] )?\S")
_LINT_PLACE = re.compile(r"^-->\s*\S+:\d+:\d+$")


def _linter_finding(lines: list[str]) -> str:
    """The first finding of a linter whose tally closes its report, or ""."""
    if not any(_LINT_TALLY.match(line) for line in lines):
        return ""
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        if _LINT_FINDING.match(line) or (_LINT_RULE.match(line) and _LINT_PLACE.match(after)):
            return line
    return ""


# A build tool's own line over (or under) its errors, the same whatever went wrong: Next's,
# create-react-app's and webpack's `Failed to compile.` (Next's may end its spinner's line),
# `Compiled with problems:`, webpack's `Module build failed (from ./loader):` and `ERROR in
# ./src/a.ts 3:0-20` (its place only, the message below), Next's `> Build failed because of
# webpack errors` and `> Build error occurred`, Vite's `error during build:` and `✗ Build
# failed in 1.2s`, esbuild's and Turbopack's `Build failed with 2 errors:`, Parcel's `🚨 Build
# failed.`. What failed is a line below it; with none, the output names no error of its own.
_BUILD_BANNER = (
    r"^(?:.*\.\.\.\s*)?Failed to compile\.?$"
    r"|^Compiled with problems:?$"
    r"|^Module build failed(?: \([^)\n]+\))?:?$"
    r"|^ERROR in \S+(?: \d+:\d+(?:-\d+)?)?:?$"
    r"|^> Build failed because\b.*$"
    r"|^>? ?Build error occurred$"
    r"|^error during build:$"
    r"|^[\u2717\u00d7x] Build failed in [\d.]+m?s$"
    r"|^(?:\[[\w:-]+\] )?\[?(?:Error: )?(?:Turbopack )?(?i:build|transform) failed with "
    r"\d+ errors?:?$"
    r"|^(?:\U0001f6a8 ?|error: )?(?i:build failed)\.?$"
)
_BUILD_BANNER_WORDS = (  # every banner holds one, lowered (`may_hold`)
    "failed to compile",
    "compiled with problems",
    "module build failed",
    "error in ",
    "build failed",
    "build error occurred",
    "error during build:",
    "transform failed with ",
)
# A task runner's own line that the task it ran failed, the same whatever went wrong: mise's
# `[lint] ERROR task failed`, make's `make: *** [Makefile:12: lint] Error 1` (not its own
# errors: `*** No rule to make target …`), just's `error: Recipe `lint` failed on line 3 with
# exit code 1`, go-task's `task: Failed to run task "lint": exit status 1`, pnpm's and yarn's
# `Command failed with exit code 1.`, bun's `error: script "lint" exited with code 1`, npm's
# lines around a package script that failed (`npm error Lifecycle script `lint` failed with
# error:`, its `code 1`, `path`, `command` …).
_RUNNER_FOOTER = re.compile(
    r"^\[[^\]\s]+\] ERROR task failed$"
    r"|^[\w.-]*make(?:\.exe)?(?:\[\d+\])?: \*\*\* "
    r"(?:\[[^\]]+\] (?:Error \d+|Interrupt)|Waiting for unfinished jobs\.*)$"
    r"|^error: Recipe `[^`]+` failed (?:on line \d+ )?with exit code \d+$"
    r'|^task: Failed to run task "[^"]+": exit status \d+$'
    rf"|{_BUILD_PARTS[0][1].pattern}"
    r"|^\S*ELIFECYCLE +Test failed\. +See above for more details\.$"
    r'|^error: script "[^"]+" exited with code \d+$'
    r"|^npm (?:ERR!|error)(?:$| (?:code|errno|path|workspace|location|command|signal|cwd)\b"
    r"| Lifecycle script | Failed at the | Exit status | This is probably not a problem with npm"
    r"| There is likely additional logging| A complete log of this run| Log files were not written"
    r"| Error: command failed$| +(?:in workspace|at location): | Test failed\. +See above"
    r"|\s+\S+@\S+ \S+: `)"
    rf"|{_BUILD_BANNER}",
    re.M,
)
_RUNNER_WORDS = (  # every footer holds one, lowered (`may_hold`)
    *_BUILD_BANNER_WORDS,
    "error task failed",
    "*** ",
    "error: recipe `",
    "task: failed to run task",
    "command failed with exit code",
    "see above for more details.",
    "error: script",
    "npm err!",
    "npm error",
)
# A line that says only that a build or a package script failed, whatever failed: a build
# tool's banner, pnpm's and yarn's exit line, npm's `code ELIFECYCLE` and `errno 1`.
_ONLY_FAILED = re.compile(
    rf"{_BUILD_BANNER}|{_BUILD_PARTS[0][1].pattern}"
    r"|^\S*ELIFECYCLE +Test failed\. +See above for more details\.$"
    r"|^npm (?:ERR!|error) (?:code (?:ELIFECYCLE|\d+)|errno \d+|Exit status \d+)$"
)


def says_only_failed(signature: str) -> bool:
    """The error line is a build tool's or a package runner's banner (`Failed to compile.`,
    `Command failed with exit code 1.`): the same over any error, it tells none apart."""
    return bool(_ONLY_FAILED.match(signature.strip()))


# A runner's echo of the command it runs: mise's `[lint] $ golangci-lint run`, go-task's
# `task: [lint] golangci-lint run`.
_RUNNER_ECHO = re.compile(r"^\[[^\]\s]+\] \$ |^task: \[[^\]]+\] ")
# mise's footer or echo, naming its task: with several tasks it prefixes each line of a task's
# output with the same `[task] ` (`[lint:go] a.go:3:1: …`).
_MISE_TASK = re.compile(r"^\[(?P<task>[^\]\s]+)\] (?:ERROR task failed$|\$ )")
# make's own error, not a recipe's failure (`make[1]: *** No rule to make target 'x'.  Stop.`)
_MAKE_OWN = re.compile(
    r"^[\w.-]*make(?:\.exe)?(?:\[\d+\])?: \*\*\* (?!\[[^\]]+\] |Waiting for unfinished jobs)"
)

# A compiler's or linter's finding at a file's line and column, whatever its words
# (`pkg/a.go:12:3: too many arguments in call to f`, `a.go:9:2: elseif: can replace …`).
_DIAGNOSTIC = re.compile(r"^(?:[A-Za-z]:)?[^\s:()/\\.]*[/\\.][^\s:()]*:\d+:\d+:\s*\S")


def _without_runner_lines(lines: list[str]) -> tuple[list[str], str]:
    """Without a task runner's footer and echo when the output holds anything else, with
    the footer apart: what the tool it ran printed says what went wrong (mise's `[task] `
    before each of its task's lines taken off)."""
    if not may_hold("\n".join(lines), _RUNNER_WORDS):
        return lines, ""
    footers = [line for line in lines if _RUNNER_FOOTER.match(line)]
    if not footers:
        return lines, ""
    tasks = {found["task"] for line in lines if (found := _MISE_TASK.match(line))}
    kept = [
        _without_task(line, tasks)
        for line in lines
        if not (_RUNNER_FOOTER.match(line) or _RUNNER_ECHO.match(line))
    ]
    if not kept:
        return lines, ""
    own = next((line for line in kept if _MAKE_OWN.match(line)), None)
    return kept, own or footers[0]


def _without_task(line: str, tasks: set[str]) -> str:
    """The line without mise's `[task] ` of one of the tasks, nor the blanks after it (as
    every line is read without them)."""
    if line.startswith("[") and (end := line.find("] ")) > 0 and line[1:end] in tasks:
        return line[end + 2 :].lstrip()
    return line


# What the machine lacks or refuses, as a test runner's report prints it: a server not up
# (`connect ECONNREFUSED 127.0.0.1:5432`), a port taken, a module or gem not installed
# (`cannot load such file -- nokogiri`), a program not found, a permission.
_MACHINE_IN_REPORT = re.compile(
    rf"(?i:{NO_NETWORK.pattern})|{WRITE_REFUSED.pattern}|{_MISSING_MODULE.pattern}"
    r"|\bE(?:CONN[A-Z]+|ADDRINUSE|ACCES)\b|[Aa]ddress already in use|cannot load such file"
    r"|command not found"
)
# A line of a report naming a test (jest's `✕ …`, `● suite › …`, mocha's and RSpec's `1) …`,
# RSpec's `rspec ./spec/x_spec.rb:8 # …`): its words are the test's, whatever they say.
_TEST_NAMED = re.compile(r"^(?:[✓✔✕✗×●]|\d+\)\s|rspec \S+:\d+ #)")


def _test_report_error(lines: list[str]) -> str:
    """What went wrong in a test runner's report: the machine lacking or refusing something
    (the tests never ran their code: a database not up, a gem not installed), else RSpec's
    `Failure/Error: …` line or the error under vitest's first `FAIL` line, else the runner's
    tally of failures (RSpec's `Failure/Error:` alone, a multi-line expression printed below
    it, names nothing); never the name of a test, which may hold any word."""
    rspec = [found for line in lines if (found := RSPEC_FAILURE.match(line))]
    said = next((found.group(0) for found in rspec if found["expression"]), None)
    said = said or _vitest_failure(lines) or None
    said = said or next((line for line in lines if TEST_TALLY.match(line)), None)
    if said is None:
        return ""
    machine = (line for line in lines if _MACHINE_IN_REPORT.search(line) and _not_a_test(line))
    return next(machine, said)


# vitest's report: its banners (`⎯⎯⎯ Failed Suites 1 ⎯⎯⎯`, `⎯⎯⎯ Failed Tests 2 ⎯⎯⎯`, the
# `⎯⎯⎯[1/2]⎯` between two failures) and its tally (`Test Files  1 failed | 5 passed (6)`) say
# only that something failed; the error under a `FAIL  src/a.test.ts > …` line says what (a
# suite whose code did not compile: esbuild's `src/a.ts:7:12: ERROR: Expected ";" but found
# "x"`; an assertion: `AssertionError: expected 3 to be 4`), above the `❯ file:line` of its
# stack. The banner is never the signature; the tally only when no `FAIL` line is shown.
_VITEST_BANNER = re.compile(r"^⎯+(?:\s*Failed (?:Suites|Tests) \d+\s*⎯+|\[\d+/\d+\]⎯*)?$")
_VITEST_FAIL = re.compile(r"^FAIL\s+\S")


def _vitest_failure(lines: list[str]) -> str:
    """The first error line under vitest's first `FAIL` line, when its banner tells its
    report (not one that only introduces the next, `Error: Transform failed with 1 error:`,
    nor its stack's `❯` lines), or ""."""
    if not any(_VITEST_BANNER.match(line) for line in lines if line.startswith("⎯")):
        return ""
    start = next((n for n, line in enumerate(lines) if _VITEST_FAIL.match(line)), None)
    if start is None:
        return ""
    for line in lines[start + 1 :]:
        if _VITEST_BANNER.match(line) or _VITEST_FAIL.match(line):
            return ""
        if (
            not line.startswith("❯")
            and _says_error(line)
            and not _NONE_FOUND.search(line)
            and _not_a_test(line)
        ):
            return line
    return ""


# An assertion's values (`Expected: "ECONNREFUSED"`), or a project file not found (`Cannot find
# module '../utils/format'`): the test's or the day's own words, not the machine's.
_TESTS_OWN = re.compile(
    r"^(?:[Ee]xpected|Received|[Gg]ot|[Aa]ctual)\b\s*:|Cannot find module ['\"`][./]"
)


def _not_a_test(line: str) -> bool:
    """The line is no test's name (jest's `  ● …`, mocha's nested `handles X:` title), no
    assertion's values and no file of the project not found."""
    said = line.strip()
    return not (_TEST_NAMED.match(said) or _TESTS_OWN.search(said) or said.endswith(":"))


# curl's progress meter on stderr: its header, and its rows, the last of which the error
# follows on the same line (`  0  0  0 --:--:-- …  0curl: (6) Could not resolve host: x`)
_CLOCK = r"(?:--:--:--|\d+:\d\d:\d\d)"
_CURL_METER = re.compile(
    r"^%\s*Total\s+%\s*Received\b|^Dload\s+Upload\b"
    rf"|^(?:[\d.]+[kMG]?\s+){{6,}}{_CLOCK}\s+{_CLOCK}\s+{_CLOCK}\s+[\d.]+[kMG]?$"
)
_CURL_ERROR = re.compile(r"curl: \(\d+\) .+")


def _without_curl_meter(lines: list[str]) -> list[str]:
    kept = []
    for line in lines:
        said = _CURL_ERROR.search(line)
        if said is not None:
            kept.append(said.group(0))
        elif not _CURL_METER.search(line):
            kept.append(line)
    return kept or lines


# `src/a.tsx(25,13): error TS2345: …` and `src/a.ts:3:4 - error TS1005: …` (tsc),
# `a.c:3:5: error: …` (gcc, clang), `a.py:3: error:` (mypy), `a.cpp(10): error C2065:` (MSVC):
# a file's name (a dot or a slash in it, not a clock's `10:42:07`) and a compiler's spelling
# of `error` (not a log's `worker.py:88 ERROR job failed`).
_LOCATED_ERROR = re.compile(
    r"^(?:[A-Za-z]:)?[^\s:()/\\.]*[/\\.][^\s:()]*(?:\(\d+(?:,\d+)*\)|:\d+(?::\d+)?):?\s+(?:-\s+)?"
    r"(?:fatal )?error(?:\[\w+\])?(?:\s+[A-Z]+\d+)?:"
    # ESLint's stylish report under the file's name: `  3:5  error  'x' is not defined`
    r"|^\d+:\d+\s{2,}(?:error\b|Error:)"
)


# Docker BuildKit's log: each line of step N opens with `#N` (and the seconds since it began);
# `#N DONE 198.4s` ends a step that worked.
_BUILD_STEP = re.compile(r"^#(\d+) ")
_BUILD_STEP_DONE = re.compile(r"^#(\d+) DONE\b")
_BUILD_STEP_TIME = re.compile(r"^#\d+ \d+\.\d+ ")
_BUILD_STEP_HEADER = re.compile(r"^#\d+ \[")


def _without_finished_build_steps(lines: list[str]) -> list[str]:
    """Without the lines of the BuildKit steps that finished: what a step that worked printed
    (`debconf: unable to initialize frontend`, `perl: warning: Setting locale failed`) is not
    why the build, or the `docker compose up` around it, failed. The other steps' lines keep
    their words, without the step's number and time. Read from the end: a step's lines lie
    between its header (`#5 [2/3] RUN …`) and its `#5 DONE`, and a second build in the same
    output numbers its steps anew."""
    if not any(_BUILD_STEP_DONE.match(line) for line in lines):
        return lines
    finished: set[str] = set()
    kept: list[str] = []
    for line in reversed(lines):
        step = _BUILD_STEP.match(line)
        if step is None:
            kept.append(line)
            continue
        number = step.group(1)
        if _BUILD_STEP_DONE.match(line):
            finished.add(number)
        elif number not in finished:
            kept.append(_BUILD_STEP_TIME.sub("", line))
        if _BUILD_STEP_HEADER.match(line):
            finished.discard(number)  # above it, another step of that number, or none
    return list(reversed(kept)) or lines


# PowerShell's error record: `<script or cmdlet> : <message>` (a parse error's message
# below the place instead), then the same footer whatever went wrong: where (`At line:1
# char:5`, `At C:\\x.ps1:12 char:3`), the code echoed (`+ & .\\x.ps1 …`) and marked
# (`+ ~~~~`), `+ CategoryInfo : …` and `+ FullyQualifiedErrorId : …`. The footer is never what
# went wrong.
_POWERSHELL_RECORD = re.compile(r"^\s*\+ (?:CategoryInfo|FullyQualifiedErrorId)\s+:", re.M)
# (the place in PowerShell's other languages: `In Zeile:1 Zeichen:5`, `Au caractère Ligne:1 : 5`,
# `En línea: 1 Carácter: 5`, `所在位置 行:1 字符: 5`, `発生場所 行:1 文字:5`)
_PLACE_AT = r"(?:At|In|Au caract\S{1,2}re|En|所在位置|発生場所)"
_PLACE_LINE = r"(?:line|Zeile|Ligne|l\S{1,2}nea|行)"
_PLACE_CHAR = r"(?:char|Zeichen|Car\S{1,2}cter|字符|文字)?"
_POWERSHELL_AT = re.compile(
    rf"^{_PLACE_AT} (?:{_PLACE_LINE}|.+\.ps[dm]?1): ?\d+ {_PLACE_CHAR}: ?\d+$"
)
# PowerShell refusing the command line it was given: its parse error's place opens the output
# (a runtime error's record opens with what failed), so nothing in the line ran.
POWERSHELL_REFUSED_LINE = re.compile(
    rf"\A\s*{_PLACE_AT} {_PLACE_LINE}: ?\d+ {_PLACE_CHAR}: ?\d+\r?\n\s*\+ "
)
_POWERSHELL_FOOTER = re.compile(rf"{_POWERSHELL_AT.pattern}|^\+(?:\s|$)")
# The record's first line: the script's or the cmdlet's name (or path), then its message.
_POWERSHELL_HEAD = re.compile(r"^(?:[A-Za-z]:[\\/])?[^:]*?\S : \S")
# A native program's stderr as records (`2>&1` in Windows PowerShell): the first line is the
# record's head, the rest goes on below the footer: what went wrong is told there.
_NATIVE_COMMAND_ERROR = re.compile(r"FullyQualifiedErrorId\s+:\s+NativeCommandError")


# PowerShell 7's error record (its concise view): the cmdlet's or script's name alone on the
# first line (`Set-Content:`), then where, in a gutter: `Line |`, the code echoed (`36 | …`) and
# marked (`| ~~~~`); the message in the gutter below the mark (`| Could not find a part of the
# path …`), going on in it when wider than the console. (With no place to show, the record is
# one line, `Set-Content: <message>`, read as any error line is.)
_PWSH_NAME = re.compile(r"^(?P<name>\S(?:.*\S)?):$")
_PWSH_GUTTER = re.compile(r"^(?:\d+ +)?\|(?: +(?P<said>.*))?$")
_PWSH_MARK = re.compile(r"^\|\s*~+$")


def powershell7_record(lines: list[str]) -> tuple[str, str] | None:
    """The name and the message (its first line) of the first PowerShell 7 error record in
    the output's lines (stripped), or None."""
    for n in range(len(lines) - 1):
        name = _PWSH_NAME.match(lines[n]) if lines[n + 1] == "Line |" else None
        if name is None:
            continue
        marked = False
        for k in range(n + 2, len(lines)):  # (no copy of the rest per record)
            line = lines[k]
            gutter = _PWSH_GUTTER.match(line)
            if gutter is None:
                break
            if _PWSH_MARK.match(line):
                marked = True
            elif marked and gutter["said"]:
                return name["name"], gutter["said"]
    return None


def _powershell_error(lines: list[str]) -> str:
    """What a PowerShell error record says went wrong: its first line, `<script or cmdlet> :
    <message>` (a message wider than the console goes on below it, the words cut anywhere),
    else the message above the footer (`throw`'s) or, for a parse error, below its place;
    the first record's when there are several. None of the footer's lines."""
    at = next((n for n, line in enumerate(lines) if _POWERSHELL_AT.match(line)), None)
    if at is None:
        kept = [line for line in lines if not _POWERSHELL_FOOTER.match(line)]
        return next((line for line in kept if _POWERSHELL_HEAD.match(line)), "")
    above = [line for line in lines[max(0, at - 3) : at] if not _POWERSHELL_FOOTER.match(line)]
    head = next((line for line in above if _POWERSHELL_HEAD.match(line)), None)
    if head is not None:
        return head
    if above:
        return above[-1]
    below = (line for line in lines[at + 1 :] if not _POWERSHELL_FOOTER.match(line))
    return next(below, "")


# A line that tells what the program did instead and went on ("No Cargo.lock found,
# generating one"): no failure.
_WENT_ON = re.compile(
    r"[,;]\s*(?:using|generating|creating|skipping|falling back|ignoring|continuing)\b", re.I
)


def _said_wrong(lines: list[str]) -> str:
    """With no error line, the first that says in words that something is not there or could
    not be done ("No open PR found for branch: x"), rather than the progress above it."""
    return next((line for line in lines if _SAYS_WRONG.search(line)), "")


# A script's own mark of a failure, opening its line (`❌ No __NEXT_DATA__ found`).
_CROSSED = re.compile(r"^[\u274c\u2717\u2718]\ufe0f?\s*\S")
_SAYS_WRONG = re.compile(
    _CROSSED.pattern
    + r"|^(?:No|Not|Cannot|Can't|Could not|Couldn't|Unable|Missing|Nothing)\b|\b(?:not found|"
    r"does not exist|doesn't exist|could not|couldn't|cannot|can't|unable to)\b"
)


def _first_worded(lines: list[str]) -> str:
    """The first line that says something in words, not a banner's frame (`╔══════╗`) nor a
    report of something done (`added 1 package in 13s`, `Created symlink …`): none when all
    the words report what was done, for such a line is no error to learn from."""
    worded = [line for line in lines if _WORDED.search(line)]
    if not worded:
        return lines[0]
    return next((line for line in worded if not _DONE.match(line)), "")


# What a program prints when a step went well (npm, systemd, pip, a build).
_DONE = re.compile(
    r"^(?:added \d+ packages?\b|changed \d+ packages?\b|up to date\b|Created symlink\b|"
    r"Removed \S+\.(?:service|timer|socket)\b|Successfully\b|Done\b|Finished\b)",
    re.I,
)


_WORDED = re.compile(r"[^\W\d_]{2,}")


def _without_echoed_source(lines: list[str]) -> list[str]:
    """Without the source line Node (or a compiler) echoes above its `^` marker, and the
    marker: `const err = new Error(message);` is where it was thrown, not what went wrong."""
    marked = {n for n in range(1, len(lines)) if _CARET.match(lines[n])}
    echoed = _package_script_echoes(lines)
    kept = [
        line
        for n, line in enumerate(lines)
        if n not in marked
        and n + 1 not in marked
        and n not in echoed
        and not _CODE_FRAME.match(line)
    ]
    return kept or lines


# A line of the code frame a linter or compiler prints under a finding: its line number (two
# in a diff's frame: before and after), a gutter, the file's text (`> 60 │ useEffect(…`,
# `344 330 │ throw new Error(`, rustc's and ruff's `3 | import os`).
_CODE_FRAME = re.compile(r"^(?:>\s*)?\d+(?:\s+\d+)?\s*[│|](?:\s|$)")


# npm's (pnpm's) echo of the package script it runs: `> app@0.1.0 test`, then the script's
# command line, `> vitest run --flag src/error.test.ts`: the call, not what went wrong.
_SCRIPT_HEADER = re.compile(r"^> \S+@\S+ \S+")
# bun's and yarn's echo of it, a prompt before the script's command line (`$ biome check
# --error-on-warnings`): the call too, whatever words its options hold.
_PROMPT_ECHO = re.compile(r"^\$ \S")


# Gradle's own `> ` lines: a task's state or the cause of a failure, never an echo.
_GRADLE_SAYS = re.compile(
    r"^> (?:Task |Could not|Configure project|Failed|A problem|There (?:was|were)|Compilation|"
    r"Execution failed)"
)


def _package_script_echoes(lines: list[str]) -> set[int]:
    """The echo's lines: each header and the line after it, and the `> ` lines the output
    opens with (its header may have been cut as a banner, the same in every run)."""
    echoed: set[int] = set()
    leading = True
    for n, line in enumerate(lines):
        leading = leading and line.startswith("> ") and not _GRADLE_SAYS.match(line)
        if leading or _PROMPT_ECHO.match(line):
            echoed.add(n)
        elif _SCRIPT_HEADER.match(line):
            echoed.add(n)
            if n + 1 < len(lines) and lines[n + 1].startswith("> "):
                echoed.add(n + 1)
    return echoed


def _gradle_cause(lines: list[str]) -> str:
    """Under Gradle's `* What went wrong:`, the innermost `> cause` (or the section's first
    line): what failed, where `FAILURE: Build failed` and `BUILD FAILED` only say that it did."""
    if _GRADLE_WRONG not in lines:
        return ""
    section: list[str] = []
    for line in lines[lines.index(_GRADLE_WRONG) + 1 :]:
        if line.startswith("* ") or line.startswith("BUILD FAILED"):
            break
        section.append(line)
    causes = [line.removeprefix("> ") for line in section if line.startswith("> ")]
    cause = causes[-1] if causes else (section[0] if section else "")
    if _COMPILATION_FAILED.match(cause):  # the compiler's own lines above say what
        return next((line for line in lines if COMPILER_LINE.match(line)), cause)
    return cause


# Gradle's cause when a compiler failed ("Compilation error. See log for more details",
# "Compilation failed; see the compiler error output for details."): the compiler's lines
# above it say what.
_COMPILATION_FAILED = re.compile(r"^Compilation (?:error|failed)\b", re.I)


# npm's report: `npm ERR! code EPERM`, then `syscall`, `path`, `errno` lines, then what went
# wrong in words ("Your cache folder contains root-owned files …"); npm 10 says `npm error`.
_NPM_CODE = re.compile(r"^npm (?:ERR!|error) code (?!\d+$|ELIFECYCLE$)\S+$")
_NPM_LINE = re.compile(r"^npm (?:ERR!|error)\s*")
_NPM_FIELD = re.compile(r"^(?:code|syscall|path|errno|dest|command|signal|cwd|file)\b")
_NPM_LOG = re.compile(r"^(?:A complete log of this run|Log files were not written)")


def _npm_cause(lines: list[str]) -> str:
    """Under npm's `code` line, the first line that says in words what went wrong (or the
    code line), where npm's last lines only say where its log went."""
    start = next((n for n, line in enumerate(lines) if _NPM_CODE.match(line)), None)
    if start is None:
        return ""
    for line in lines[start + 1 :]:
        prefix = _NPM_LINE.match(line)
        if prefix is None:
            break
        said = line[prefix.end() :]
        if _NPM_LOG.match(said):
            break
        if said and not _NPM_FIELD.match(said):
            return line
    return lines[start]


# A pipe (not `||`): the status seen is the last program's (`cmd | head -30` exits 0).
PIPE = re.compile(r"(?<!\|)\|(?!\|)")


# The harness stopped the call: Claude Code's Bash ("Command timed out after 2m 0.0s") and
# Codex's shell ("command timed out after 1005 milliseconds"), not a test's own timeout.
HARNESS_STOPPED = re.compile(r"^(?:Exit code -?\d+\s*\n)?\s*command timed out after\b", re.I)


# Tools and commands that only look; their "nothing there" is an answer, not a lesson.
LOOK_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "NotebookRead", "view"})
_LOOK_COMMANDS = frozenset(
    {"ls", "cat", "head", "tail", "stat", "file", "wc", "test", "find", "tree", "echo", "nl"}
    | {"realpath", "readlink", "du", "od", "xxd", "hexdump", "jq"}
    | {"grep", "egrep", "rg", "sort", "uniq", "cut", "tr", "less", "more"}  # their filters
)
# Programs that print what they read or are told, and nothing they ran: what they print is no
# failure of theirs.
_PRINTERS = _LOOK_COMMANDS | {"sed", "awk", "date", "ps", "sleep", "pwd", "printf", "column"}
_RUNS_INSIDE = re.compile(r"\s-(?:exec|execdir|ok|okdir)\s|\$\(|`")
# git subcommands that only read the repository.
LOOKING_GIT = frozenset(
    {"status", "log", "diff", "show", "branch", "remote", "rev-parse", "ls-tree", "ls-files"}
    | {"cat-file", "blame", "grep", "describe", "shortlog", "reflog", "rev-list", "show-ref"}
)
SEGMENTS = re.compile(r"&&|\|\||;|(?<!\|)\|(?!\|)")
# zsh (or its `eval`) found no file for a pattern: "zsh:1: no matches found: .[dev]".
ZSH_NO_MATCH = re.compile(r"^(?:zsh|\(eval\)):(?:\d+:)? no matches found: (?P<word>.*)$", re.M)
# zsh read a real name as a pattern: no file matched it, or `(…)` was taken for a qualifier.
ZSH_PATTERN_ERROR = re.compile(
    r"^(?:zsh|\(eval\)):(?:\d+:)? (?:no matches found|bad pattern|unknown file attribute|"
    r"unknown sort specifier|missing delimiter for '.' glob qualifier|number expected)\b",
    re.M,
)


# Claude Code's Grep and Glob run the ripgrep it bundles; when that binary cannot start
# (`spawn …/vendor/ripgrep/arm64-darwin/rg EACCES`), only a search through the shell works.
# The install path may hold spaces (`C:\\Program Files\\…`).
BUNDLED_SEARCH = re.compile(
    r"spawn [^\n]*?[/\\]vendor[/\\]ripgrep[/\\][^\n]*?rg(?:\.exe)? (?P<code>EACCES|ENOENT|EPERM)\b"
)


def next_shell_call(events: Sequence[Event], index: int) -> tuple[Event, Event | None] | None:
    """The first shell call after `events[index]`, and the result it got (None if none)."""
    later = next(
        (
            e
            for e in events[index + 1 :]
            if e.kind is EventKind.TOOL_CALL and e.tool_name in SHELL_TOOLS
        ),
        None,
    )
    if later is None:
        return None
    result = next(
        (e for e in events[index + 1 :] if e.role == "tool" and e.tool_use_id == later.tool_use_id),
        None,
    )
    return later, result


def only_reads(command: str) -> bool:
    """Every step of the command only reads (`ls x || echo none`, `git status && cat f`)."""
    segments = [part.split() for part in SEGMENTS.split(command_head(command))]
    return all(words and only_looks(words) for words in segments)


def only_looks(words: list[str]) -> bool:
    """A command that only reads: `sed -n '1,120p' f` prints, `sed -i …` writes."""
    program = words[0].rsplit("/", 1)[-1]
    if program == "sed":
        return "-n" in words[1:] and not any(w.startswith(("-i", "--in-place")) for w in words)
    if program == "git":  # `git status` in a folder that is no repository: now it is known
        return len(words) > 1 and words[1] in LOOKING_GIT
    return program in _LOOK_COMMANDS or program.lower() in _LOOK_CMDLETS


# PowerShell's looks (Codex's shell on Windows): `Get-Content x` of a file not there explores.
_LOOK_CMDLETS = frozenset(
    {"get-content", "gc", "get-childitem", "gci", "get-item", "gi", "test-path", "select-string"}
    | {"sls", "resolve-path", "get-itemproperty"}  # (not `dir`, `type`: cmd's too, or bash's)
)
