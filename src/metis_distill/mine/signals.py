"""Rule-based signals: is this event a failure, a decision, a gotcha, a correction?"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import takewhile

from metis_distill.build_reports import COMPILER_LINE
from metis_distill.mine.text import (
    STEP_SPLIT,
    command_head,
    quotes_masked,
    script_steps,
    shell_steps,
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
# where `_shows_failure` finds one may start); a text is searched for the parts whose word it
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
        # RSpec's, minitest's, PHPUnit's and mocha's tallies (`_TEST_TALLY`)
        ("failure", r"\b\d+ examples?, (?:[1-9]\d* failures?|\d+ failures?, [1-9]\d* errors?)"),
        (" assertions, ", r"\b\d+ (?:runs|tests), \d+ assertions, (?:[1-9]|\d+ failures, [1-9])"),
        (
            "Assertions: ",
            r"^Tests: \d+, Assertions: \d+, (?:[\w ]+: \d+, )*(?:Errors|Failures): [1-9]",
        ),
        (" failing", r"^\s*[1-9]\d* failing$"),
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
_ERROR_LINE = re.compile(
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
    """The line holds an error word (`_ERROR_LINE`) outside a file's name."""
    return any(not _in_file_name(line, m.start(), m.end()) for m in _ERROR_LINE.finditer(line))


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


ERROR_WORDS = (  # every match of _ERROR_LINE, lower-cased, holds one of these (`may_hold`)
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
_TEST_TALLY = re.compile(
    r"\b\d+ examples?, (?:[1-9]\d* failures?|\d+ failures?, [1-9]\d* errors?)"
    r"|\b\d+ (?:runs|tests), \d+ assertions, "
    r"(?:[1-9]\d* failures, \d+|\d+ failures, [1-9]\d*) errors\b"
    r"|\btest result: FAILED\b"
    r"|\bTests: \d+, Assertions: \d+, (?:[\w ]+: \d+, )*(?:Errors|Failures): [1-9]"
    r"|(?:^|“)\s*[1-9]\d* failing\b|\bTests:?\s+[1-9]\d* failed\b",
    re.M,
)
# RSpec's line under a failing example: the expression that failed (`Failure/Error: expect(…)`).
_RSPEC_FAILURE = re.compile(r"^Failure/Error:\s*(?P<expression>\S.*)?$")
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
_EXIT_LINE = re.compile(r"^Exit code -?\d+$")
# A tool's advice on what to try, after what it said ("- Instead of 'x', search 'y'", "Tip: …",
# "Try …"): it may name an error ("search 'catch (' for error handling"); it is none.
_ADVICE = re.compile(
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

DECISION = re.compile(
    r"\b(?:(?:I'll|I will|we'll|we will|let's|let us|we should|I'm going to|we're going to)\s+"
    r"(?:use|go with|keep|switch to|stick with|stick to|store|prefer|avoid|pin)\b.{3,}?"
    r"\b(?:because|since|so that|as it|to avoid)\b"
    r"|\b(?:decided to|we decided)\b.{3,}?\b(?:because|since|so that|to avoid)\b"
    r"|\b(?:use[ds]?|using|chose|chosen|choose|went with|go(?:es)? with|switched to|picked|"
    r"prefer(?:red|s)?|kept|keeps?|stores?|stored|moved to)\b[^.]{0,80}?\binstead of\b.{3,}?"
    r"\bbecause\b)",
    re.I,
)
# Every match of DECISION, lower-cased, holds one of these (`may_hold`): its reasons.
DECISION_WORDS = ("because", "since", "so that", "as it", "to avoid")
# A decision the user reports ("we decided to drop Redis"): theirs to make, with or without
# a reason; the agent's own "I decided to …" is a step of its plan unless it gives one.
USER_DECIDED = re.compile(r"\b(?:we|I) (?:have |had )?decided\b", re.I)
USER_RULE = re.compile(
    r"^(?:please\s+)?(?:always|never(?!\s+(?:have|has|had|seen|been|saw|did|was|were|heard|knew|"
    r"thought|used|got)\b)|don't|do not|make sure(?: to| you)?|ensure|from now on|"
    r"avoid|prefer|only use|use)\b",
    re.I,
)
# A choice the user states anywhere in a sentence ("I want … just one queue", "save the
# preference"): a decision even when the sentence does not open like a rule.
USER_CHOICE = re.compile(
    r"\b(?:I|we)\s+(?:(?:don't|dont|do not)\s+)?(?:want|prefer|'d rather|would rather)\b"
    # "this is just a brainstorm", "it's just a draft": "just" there says "merely", not "only";
    # of a thing named ("each endpoint is just one file") it still says "only"
    r".{3,200}?\b(?:instead|(?<!not )(?<!\bthis is )(?<!\bthat is )(?<!\bit is )(?<!\bit's )"
    r"(?<!\bit\u2019s )(?<!\bthat's )(?<!\bthat\u2019s )(?<!\bthis was )(?<!\bit was )"
    r"(?<!\bthey are )(?<!\bthey're )(?<!\bthese are )just(?! as\b)|"
    r"(?<!the )(?<!my )(?<!our )(?<!read )(?<!read-)(?<!not )only|"
    r"rather than)\b"
    r"|\bsave (?:the|this|that|it as (?:a|my)) preference\b"
    r"|\bsave (?:that|this|it) in (?:all )?memor",
    re.I,
)
GOTCHA = re.compile(
    r"\b(?:turns out|it turns out|the root (?:cause|problem)|root (?:cause|problem) (?:was|is)|"
    r"the (?:issue|problem|bug|culprit) (?:was|is) that|this happens because|"
    r"the reason (?:is|was) that|gotcha|caveat|note that|surprisingly|"
    r"(?<!never )(?<!not )(?<!n't )silently|"
    r"(?:doesn't|does not|don't|do not) support|only supports?|"
    r"(?:doesn't|does not|won't|can't|cannot) (?:accept|launch))\b",
    re.I,
)
GOTCHA_WORDS = (  # every match of GOTCHA, lower-cased, holds one of these
    "turns out",
    "root cause",
    "root problem",
    "s that",
    "happens because",
    "gotcha",
    "caveat",
    "note that",
    "surprisingly",
    "silently",
    "support",
    "accept",
    "launch",
)
# Words that make a sentence a guess, not a fact.
HEDGE = re.compile(
    r"\b(?:might|may|maybe|probably|possibly|perhaps|likely|unlikely|I think|I believe|"
    r"I suspect|I guess|seems?|appears? to|could be|should (?:fix|resolve|work|help)|"
    r"suggests?|not sure|idk+|dunno|presumably|I'd guess|"
    r"would (?:fail|break|crash|throw|error|cause|lead to|result in|silently)|"
    # what the agent could not check: "I can't fully script-verify …, but it's a safer bet"
    # (a tool that cannot verify a certificate is a fact, not a hedge)
    r"(?:I|we)\s+(?:can[’']t|cannot|couldn[’']t|could not|wasn[’']t able to)\s+(?:fully\s+)?"
    r"(?:[\w-]+-)?(?:verify|confirm|be sure)|safer bet)\b",
    re.I,
)
HEDGE_WORDS = (  # every match of HEDGE, lower-cased, holds one of these
    "might",
    "may",
    "probably",
    "possibly",
    "perhaps",
    "likely",
    "i think",
    "i believe",
    "i suspect",
    "guess",
    "seem",
    "appear",
    "could be",
    "should ",
    "suggest",
    "not sure",
    "idk",
    "dunno",
    "presumably",
    "would ",
    "verify",
    "confirm",
    "be sure",
    "safer bet",
)
# A diagnosis before the fix was tried: a fact only once the user says the fix worked.
DIAGNOSIS = re.compile(
    r"^(?:so,?\s+)?(?:the (?:issue|problem|error|bug|culprit) (?:is|seems|appears) that|"
    r"it looks like|looks like|this is (?:because|due to))",
    re.I,
)
# How a stated fact opens ("Turns out …", "Note that …"): what follows is its subject.
# A thanks to the user before what the agent says ("Thanks — …", "Good catch, …").
THANKS = r"(?:(?:thanks|thank you|got it|good catch)\s*[—–,!.:-]+\s*)"
FACT_LEAD = re.compile(
    rf"^{THANKS}?"
    r"(?:(?:so,?\s+)?(?:(?:it\s+)?turns out(?: that)?,?|note that|gotcha:|surprisingly,?|"
    r"(?:one|a|the|an important|the main|one more)?\s*(?:caveat|catch|gotcha|note)\s*:|"
    r"the (?:root cause|root problem|reason|problem|issue|bug|culprit) (?:is|was) that|"
    r"this happens because)\s*)?",
    re.I,
)
CONFIRMATION = re.compile(
    r"\b(?:works?|worked|working now|fixed|that did it|solved|perfect|great|thanks?|thank you|"
    r"yes|yeah|yep|right|correct|exactly|makes sense)\b",
    re.I,
)
# A cause found by looking, told after the fact: a finding, not a guess.
FOUND_CAUSE = re.compile(
    r"^(?:so,?\s+)?(?:(?:it\s+)?turns out|"
    r"the (?:root cause|root problem|problem|issue|bug|culprit|reason) "
    r"(?:was|turned out)|this happened because|that was because)\b",
    re.I,
)
# The agent naming the cause anew ("Actually, the problem is …", "The real issue was …"):
# after a cause it found, with other words, it takes that one back.
CAUSE_RENAMED = re.compile(
    r"^actually,?\s+(?:the|my) (?:real |actual |true )?(?:root cause|cause|problem|issue|bug|"
    r"culprit|reason)\b"
    r"|^(?:so,?\s+)?the (?:real|actual|true) (?:root cause|cause|problem|issue|bug|culprit|"
    r"reason) (?:is|was)\b",
    re.I,
)
STILL_BROKEN = re.compile(
    r"\b(?:still|not working|doesn't work|does not work|didn't work|same (?:error|issue)|"
    r"no luck)\b",
    re.I,
)
# The user saying a fix did not take ("still failing", "проблема осталась", "还是不行"), in
# words that say it of the fix, not of the cause explained ("that's why it doesn't work").
STILL_FAILING = re.compile(
    r"^\s*(?:nope|nah)\b|^\s*no\s*[.!,]?\s*(?:$|(?:it|that|still|same)\b)|"
    r"\bstill (?:fail\w*|broken|not working|doesn't work|does not work|the same|happening|"
    r"crash\w*|getting|seeing|there|erroring)\b|\bsame (?:error|issue|problem)\b|"
    # what the fix was to bring about still missing: "still not there", "still isn't showing"
    r"\bstill (?:not|isn't|is not|aren't|are not|doesn't|does not|won't) (?:there|show\w*|"
    r"visible|appear\w*|display\w*|render\w*|load\w*)\b|"
    r"\b(?:didn't|did not) (?:work|help|fix)\b|\bnot fixed\b|\bno luck\b|"
    r"(?:проблема|ошибка)\s+(?:осталась|остаётся|остается|не\s+ушла)|"
    r"(?:всё|все)\s+(?:ещё|еще)\s+не\s+работает|по-прежнему\s+не\s+работает|не\s+помогло|"
    r"还是不行|还是报错|还是有问题|仍然(?:报错|不行|有问题)|没(?:有)?解决|没用(?![过到的])|"
    r"まだ(?:直って|動か|エラー)|直ってない|治ってない|"
    r"\b(?:toujours\s+pas|ne\s+(?:marche|fonctionne)\s+toujours\s+pas|"
    r"funktioniert\s+(?:immer\s+)?noch\s+nicht|geht\s+immer\s+noch\s+nicht|"
    r"sigue\s+(?:sin\s+funcionar|fallando|igual)|todavía\s+no\s+funciona|"
    r"ainda\s+não\s+funciona|continua\s+(?:com\s+(?:o\s+)?(?:erro|problema)|falhando))\b",
    re.I,
)
# A reply that takes the cause as the answer ("That's why!", "原来如此", "Por eso no funciona").
THATS_WHY = re.compile(
    r"\bthat(?:'s| is) why\b|\bthat explains\b|\bmakes sense\b|вот почему|понятно|原来|"
    r"\bpor eso\b|c'est pour ça|c'est pour cela|\bdeshalb\b|\bdaher\b|\bpor isso\b|なるほど",
    re.I,
)
LANGUAGES = (
    r"English|Chinese|Mandarin|Cantonese|Japanese|Korean|Thai|Vietnamese|Indonesian|Hindi"
    r"|French|Spanish|German|Portuguese|Russian|Ukrainian|Italian|Dutch|Polish|Czech|Turkish"
    r"|Arabic|Hebrew|Persian|Swedish|Norwegian|Danish|Finnish|Greek|Catalan|Romanian"
)
# How the agent talks to the person (the language of its replies): theirs, not the project's.
REPLY_LANGUAGE = re.compile(
    r"^(?:please\s+)?(?:(?:always|only|from now on,?)\s+)?(?:respond|reply|answer|talk|speak"
    r"|communicate|chat|converse)(?: to me| with me| me)?(?: only| always)? in "
    rf"(?:simple |plain |simplified |traditional )?(?:{LANGUAGES})\b"
    rf"|\byour (?:responses|replies|answers)\b[^.;]{{0,20}}\bin (?:{LANGUAGES})\b"
    # "…, so from now please also response me in Japanese"
    r"|\bfrom now(?: on)?,?\s+(?:please\s+)?(?:also\s+)?(?:respond|reply|answer|response|talk|"
    rf"write)(?: to)? me in (?:{LANGUAGES})\b"
    r"|(?:用|使用|以)(?:简体|繁体|簡體|繁體)?(?:中文|汉语|漢語|英文|英语|英語|日语|日語|韩语|韓語)"
    r"(?:来|來)?(?:回答|回复|回覆|回应|回應|交流|沟通|溝通|对话|對話)"
    r"|(?:回答|回复|回覆|回应|回應)我(?:都|一律|请|請)?(?:用|使用|以)(?:简体|繁体|簡體|繁體)?"
    r"(?:中文|汉语|漢語|英文|英语|英語)"
    r"|(?:中文|英文)(?:回答|回复|回覆)|日本語で(?:回答|答え|返答|返事|応答|話)"
    r"|(?:한국어|한글)로\s?(?:답|대답|응답|말)|답변(?:을|은)?\s?(?:한국어|한글)로"
    r"|^r[ée]pond(?:s|ez)?(?:-moi)?(?: toujours)? en (?:français|anglais)\b"
    r"|\bque (?:nos (?:échanges|conversations|discussions)|tes réponses|vos réponses) "
    r"(?:soi(?:en)?t|se fass(?:e|ent)) (?:toujours )?en (?:français|anglais)\b"
    r"|\bque tout soit en (?:français|anglais) (?:lors de |dans |pendant )nos "
    r"(?:échanges|conversations|discussions)\b"
    r"|^(?:responde|contesta|respóndeme|contéstame)(?:me)?(?: siempre)? en "
    r"(?:español|castellano|inglés)\b"
    r"|^antworte(?:n Sie)?(?: mir)?(?: bitte)?(?: immer)? auf (?:Deutsch|Englisch)\b"
    r"|^responda(?: sempre)? em (?:português|inglês)\b"
    r"|^отвечай(?:те)?(?: всегда)? (?:на русском|по-русски)"
    r"|\b(?:работай|общайся|говори)(?:те)?(?: всегда)?(?: со мной)? (?:на русском|по-русски)",
    re.I,
)

# A one-off request or question to the agent, not a standing rule.
REQUEST = re.compile(
    r"\b(?:can you|could you|would you|can we|could we|will you|let me know|help me)\b", re.I
)
# "I want to update my spec …": a task for today, not a choice that stands.
TASK = re.compile(
    r"\b(?:I|we)\s+(?:want|need|would like|'d like)\s+(?:you\s+)?to\s+(?:update|change|add|"
    r"remove|delete|fix|create|make|build|implement|refactor|write|rename|move|test|try|see|"
    r"check|run|deploy|start|finish|do|give|show|send|tell|provide|generate|find|get|verify|"
    r"prepare|explain|review|look|investigate|debug|compare|list|draft|summari[sz]e)\b"
    # a thing to make today: "I want html of this page", "we need a landing page for …"
    r"|\b(?:I|we)\s+(?:want|need|would like|'d like)\s+(?:(?:an?|some|one)\s+)?(?:new\s+)?"
    r"(?:html|page|banner|landing|website|site|app|script|component|button|form|report|"
    r"document|pdf|slides?|email|logo|image|video|mockup|draft)\b(?!\s+to\b)",
    re.I,
)
# A file of the project's code by its extension (not a setting's file: `package.json`,
# `.npmrc`, `vite.config.ts`; nor a framework named so: Node.js, Next.js).
_SOURCE_FILE = (
    r"(?![\w.@/\\-]*(?:config|settings|rc)\.)"
    r"(?!(?:node|next|nuxt|vue|react|three|chart|d3|express|ember|angular|alpine|moment)\.js\b)"
    r"[\w.@/\\-]*\w\.(?:py|js|jsx|mjs|cjs|ts|tsx|mts|cts|"
    r"vue|svelte|go|rs|rb|java|kt|scala|swift|c|cc|cpp|h|hpp|cs|php|ex|exs|dart|lua|sh)\b"
)
# A cause found in an unnamed part of the project's own code ("the issue was that the
# installation script only copied …"): a bug the run went on to fix, not a lasting fact.
OWN_CODE_CAUSE = re.compile(
    r"^(?:the (?:(?-i:[a-z][\w-]*) ){0,2}(?:script|function|method|code|class|component|handler|"
    r"query|loop|migration|endpoint|route)"
    # ... or named as code is: `pytest_collect_file`, `load()`, `Config.load`, `parseArgs`
    r"|`(?-i:[a-z][a-z0-9]*_[a-z0-9_]*|[\w.]*\w\(\)|[A-Z]\w*\.[a-z_]\w*|[a-z]+[A-Z][a-z]\w*)`"
    # ... or a source file of it: `report.py`, `src/api/stats.js`
    rf"|`?{_SOURCE_FILE}`?)"
    r" (?:only|never|always|was|wasn't|did|didn't|had|"
    r"hadn't|kept|copied|created|returned|called|used|set|wrote|read|skipped|ran|checked)\b",
    re.I,
)
# A cause found in the project's own code that the run fixed, told as a slip of that code
# after "the root cause was", "turns out" ("a missing `Contact` model import", "a typo",
# "an off-by-one", "the wrong variable", "that `X` was never imported"): today's bug.
CODE_SLIP = re.compile(
    r"\s*(?:to be\s+)?(?:that\s+)?(?:there (?:was|were)\s+|it was\s+)?(?:just\s+|simply\s+)?"
    r"(?:(?:an?|the|one)\s+(?:(?:simple|small|single|silly|stray)\s+)?"
    r"(?:missing\s+(?:[^\s,;.]+\s+){0,3}?(?:import|export|await|return|null[- ]check|check|"
    r"semicolon|comma|bracket|brace|parenthesis)"
    r"|typo|misspelling|off-by-one(?:\s+error)?"
    r"|(?:wrong|incorrect|misspelled|undefined|undeclared)\s+(?:[^\s,;.]+\s+){0,2}?"
    r"(?:variable|import|argument|parameter|index|operator|comparison|name))s?"
    r"(?=$|\s*[,;:.(\u2014\u2013-]|\s+(?:in|of|for|from|at|on|inside|within|to|before|after|"
    r"when|where|so|which|that|passed|used|called)\b)"
    r"|(?:the\s+)?`[^`]+`(?:\s+[\w-]+){0,2}\s+(?:was|were)(?:n't| not| never)\s+"
    r"(?:imported|exported|awaited)\b)",
    re.I,
)
# ... or told as the code naming what does not exist ("the routes were importing a
# non-existent `db` object", "the page called an undefined `formatDate`"): today's bug.
USES_NONEXISTENT = re.compile(
    # (in the past: "Jest imports an undefined `window`" is the tool's way, and lasts)
    r"\b(?:import|call|referenc|export|invok)(?:ed|ing)\s+(?:an?\s+|the\s+)?"
    r"(?:non-?existent|nonexisting|undefined|undeclared)\b",
    re.I,
)
# ... or as code written twice or left without its imports ("the `fmt` function was defined
# twice", "the Cart component was missing the imports for its icons", "used but never
# imported"): a slip, whoever's code it is.
SLIP_TOLD = re.compile(
    r"\b(?:was|were)\s+(?:defined|declared)\s+(?:twice|two times|more than once)\b"
    r"|\b(?:a\s+)?duplicated?\s+(?:definition|declaration)s?\s+of\b"
    r"|\b(?:was|were)\s+missing\s+(?:the\s+|an?\s+|its\s+|their\s+)?(?:imports?|exports?)\s+"
    r"(?:for|of)\b"
    r"|\bused\s+but\s+(?:never\s+|not\s+)?(?:imported|defined|declared)\b",
    re.I,
)
# A line of the project's code (`pages/api/stats.js:8`), not of a dependency's.
CODE_LINE = re.compile(
    r"(?<![\w.@/\\-])(?![^\s`'\"]*(?:node_modules|site-packages|dist-packages|vendor|\.venv)[/\\])"
    rf"{_SOURCE_FILE}:\d+\b",
    re.I,
)
# A subject that names nothing ("The CLI does not …", "It only supports …"): out of its
# context a fact about it cannot be placed.
UNNAMED_SUBJECT = re.compile(
    r"^(?:(?:it|this|that|these|those|they)\b|the (?:cli|tool|script|command|app|application|"
    r"function|file|method|api|server|library|package|project|code|system|module|test|build|"
    r"page|component|service|endpoint|model|option|flag|setting)\s+(?:does|doesn't|is|isn't|"
    r"can|cannot|can't|only|will|won't|has|should|must|accepts?|supports?|needs?|requires?|"
    r"returns?|fails?|expects?|uses?|reads?)\b)",
    re.I,
)
# An object that only points back ("edit files outside it", "run the formatter over them",
# "never do that"): what it names was said before, so the sentence alone means nothing.
POINTS_BACK = re.compile(
    r"\b(?:outside|inside|within|into|from|in|to|on|onto|over|under|with|without|about|of|"
    r"for|at)\s+(?:it|them|there)\b"
    r"|\b(?:do|does|did|doing)\s+(?:it|that|this|so)\b(?!\s*[:\uff1a])"
    r"|\b(?:it|them|those|these|there)(?:\s+(?:again|anymore|any more|ever|either|too|as well|"
    r"instead|first))?\s*(?:[.!,;]|$)",
    re.I,
)
_PRONOUN = re.compile(r"\b(?:it|them|those|these|there)\b", re.I)
_DOES = re.compile(r"(?:do|does|did|doing)\s", re.I)
_PLURAL_PRONOUNS = frozenset({"them", "those", "these"})
# Words that name nothing a pronoun could refer to: articles, particles, the rule's own marks,
# and generic objects ("edit files outside it", "touch anything in it").
_NOTHING_NAMED = (
    "a an the this that these those my your our their its his her any all every each some no "
    "not never always ever don't dont do does did please and or but nor to in on at of for from "
    "with without into onto over under outside inside within about by up out off straight again "
    "just only also then there here you we i me us them it they he she one make sure be is are "
    "was were been can should must will would may might let first anything something everything "
    "nothing stuff thing things code whatever who which what where how when so as"
)
_NAMES_NOTHING = frozenset(_NOTHING_NAMED.split())
# Where a verb of the rule stands: after its opening marks, or after "and"/"or" with its own.
_VERB_PLACE = re.compile(
    r"(?:^|\b(?:and|or|but|nor)\b)(?:\s+(?:always|never|ever|also|then|just|please|don't|"
    r"dont|do not|make sure to))*\s+([\w'-]+)",
    re.I,
)


def _names(words: str, plural: bool) -> bool:
    """`words` hold a noun-like word a pronoun of this number can refer to."""
    verbs = {found.group(1).lower() for found in _VERB_PLACE.finditer(" " + words)}
    for word in re.findall(r"[\w.'/-]+", words):
        low = word.lower().strip(".'")
        if not low or low in _NAMES_NOTHING or low in verbs or low.endswith(("ly", "ed", "ing")):
            continue
        many = len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))
        if many == plural:
            return True
    return False


def points_back(clause: str) -> bool:
    """The rule's clause holds a pronoun or a "do that" with nothing before it in the clause
    to refer to ("Never edit files outside it.", "Don't change them."): what it names was said
    before, so the sentence alone means nothing. "Always validate user input and never trust
    it." names what "it" is."""
    for found in POINTS_BACK.finditer(clause):
        pronoun = _PRONOUN.search(found.group(0))
        if pronoun is None or _DOES.match(found.group(0)):
            return True  # "never do that": an act said before, never a noun of the clause
        before = clause[: found.start() + pronoun.start()]
        if not _names(before, pronoun.group(0).lower() in _PLURAL_PRONOUNS):
            return True
    return False


# Where a rule's own clause ends and its reason or condition starts ("… because CI caches it",
# "…, since others pull from it"): a pronoun there names what the rule named.
RULE_CLAUSE_END = re.compile(
    r"[,;:\u2014]|\s-\s|\b(?:because|since|as|so|when|whenever|if|unless|while|after|before|"
    r"until|once|otherwise|which)\b",
    re.I,
)
# The part of the project the work at hand is kept to ("work exclusively in the firmware
# folder", "only work inside api/", "never edit anything outside the docs folder"): a limit of
# the task, not of the project (outside the repository, the workspace or the task's scope is
# no part of the project: a rule of how to work).
# (a branch, a worktree, a container to work in is how to work, not where in the project)
_NOT_A_FOLDER = r"[^.,;]{0,30}\b(?:branch(?:es)?|worktrees?|containers?|venvs?|virtualenvs?)\b"
WORK_SCOPE = re.compile(
    r"\b(?:work(?:ing)?|stay(?:ing)?|edit(?:ing)?|chang(?:e|ing)|touch(?:ing)?)\s+"
    rf"(?:only|exclusively|solely|strictly)\s+(?:in|inside|within|under)\b(?!{_NOT_A_FOLDER})"
    r"|\b(?:only|exclusively|solely|strictly)\s+(?:work|stay|edit|change|touch|modify)\s+"
    rf"(?:(?:on\s+)?(?:the\s+)?(?:files?|code)\s+)?(?:in|inside|within|under)\b(?!{_NOT_A_FOLDER})"
    r"|\bstay(?:ing)?\s+(?:in|inside|within)\s+(?:the\s+|this\s+|that\s+)?[\w./-]+\s+"
    r"(?:folder|directory|dir|subtree|sub-?folder|package|module)\b"
    r"|\b(?:anything|files?|code|nothing|everything|edit|change|touch|modify|write)\s+"
    r"outside\b(?!\s+(?:of\s+)?(?:the|this|your|our|my)\s+(?:repo|repository|project|"
    r"workspace|working (?:directory|folder|tree)|sandbox|home|scope|task|request)\b)",
    re.I,
)
# What makes a limit to a part of the project last: its reason ("…, because the build
# regenerates everything else").
LASTING_REASON = re.compile(
    r"\b(?:because|since|so that|as (?:it|they|that|those)|to avoid|(?:re)?generated|"
    r"regenerates|overwritten|vendored)\b",
    re.I,
)
# A reply to what the agent just said ("…then", "ok, …"), which means little out of context.
CONVERSATIONAL = re.compile(
    r"(?:\bthen|\bthat one)[.!]?$|^(?:ok(?:ay)?|fine|sure|yes|yeah)\b"
    r"|^(?:other than that|apart from that|besides that|aside from that|beyond that)\b"
    # today's task, in so many words: "instead of prod for this test", "just this once"
    r"|\b(?:for now|this time|just this once|for this (?:test|run|task|commit|change|pr))\b",
    re.I,
)
# What makes an instruction a standing rule rather than a step of today's task.
DURABLE = re.compile(
    r"\b(?:always|never|from now on|going forward|in (?:this|the|our) (?:project|repo|"
    r"repository|codebase|team)|every time|whenever|by default|convention|we (?:use|prefer)|"
    r"(?:I|we) prefer|rather than|instead)\b"
    # the tool for a job of the project's ("Use uv for package management", "ruff as linter")
    r"|^use\s+`?[\w.@/-]+`?\s+(?:for|as)\s+(?:the\s+|our\s+|all\s+)?(?:package|dependenc|lint|"
    r"format|type[- ]?check|tests?\b|testing|builds?\b|logging|styling|migrations|database|orm\b)",
    re.I,
)
# The same rule in Chinese, Japanese, German, French, Spanish, Portuguese and Russian. These
# patterns hold no English word, so English text reads as before. Chinese and Japanese write
# no spaces and `\b` finds no word edge between their characters: their markers stand bare.
# The durable markers of the languages written with spaces ("immer noch", "toujours pas" mean
# "still"; a bare German "nie" is also Polish for "not", so only "niemals", "nie wieder").
_MARKERS_SPACED = (
    r"immer(?!\s+noch)|stets|niemals|nie\s+(?:mehr|wieder)|ab\s+(?:jetzt|sofort|heute)|"
    r"von\s+(?:nun|jetzt)\s+an|künftig|zukünftig|in\s+zukunft|grundsätzlich|jedes\s+mal|"
    r"toujours(?!\s+(?:pas|rien|(?:le|la|les)\s+mêmes?)\b)|jamais|désormais|dorénavant|"
    r"à\s+partir\s+de\s+maintenant|à\s+l'avenir|chaque\s+fois|systématiquement|"
    r"siempre|nunca|jamás|de\s+ahora\s+en\s+adelante|a\s+partir\s+de\s+ahora|desde\s+ahora|"
    r"en\s+adelante|cada\s+vez|"
    r"sempre|jamais|a\s+partir\s+de\s+agora|daqui\s+(?:em|para|pra)\s+(?:diante|frente)|"
    r"de\s+agora\s+em\s+diante|toda\s+vez|"
    r"всегда|никогда|впредь|с\s+этого\s+момента|отныне|в\s+дальнейшем|каждый\s+раз"
)
# "Next time" in those languages, opening the sentence (after a word it is a farewell, "hasta
# la próxima vez"): what to do whenever it comes up again.
_NEXT_TIME = (
    r"(?:la\s+prochaine\s+fois|das\s+nächste\s+mal|nächstes\s+mal|la\s+próxima\s+vez|"
    r"da\s+próxima\s+vez|в\s+следующий\s+раз)\b"
)
# Korean: "지금부터 …" (from now on), "앞으로는 …", "항상 …" (always), "절대 …" (never), and the
# sentence ends as an instruction does ("…해 주세요", "…해줘", "…하지 마"), not as a report
# ("항상 실패합니다") or a guess; "앞으로 가기" is the forward button, "절대 경로" a path.
_KO_MARKERS = r"(?:지금부터|이제부터|앞으로|항상|언제나|절대로?|매번)"
_KO_RULE = (
    rf"{_KO_MARKERS}(?!\s*(?:가기|경로))"
    r"[^.!?。]*(?:주세요|해\s?줘|하세요|마세요|하지\s?마|할\s?것|해라|하지\s?말\w*|쓰지\s?마)[.!。]?\s*$"
)
# The word before a marker that makes it no rule ("Es ist immer …", "Está sempre …", "Fast
# immer …"): a pronoun, a verb "to be", a conjunction, "almost", "still", "fails".
_NOT_A_VERB = (
    r"es|das|der|die|ist|sind|war|waren|er|sie|ich|wir|man|dann|aber|und|oder|nicht|so|da|"
    r"hier|wird|hat|geht|läuft|klappt|funktioniert|fast|leider|"
    r"ce|ça|il|elle|on|je|nous|ils|est|sont|était|mais|et|ou|pas|presque|ne|plante|marche|"
    r"échoue|esto|eso|él|ella|yo|no|casi|pero|y|sigue|falla|funciona|son|está|están|era|"
    r"é|isso|isto|ele|eu|não|quase|mas|e|continua|falha|estão|fica|"
    r"это|он|она|оно|они|всё|все|я|мы|ты|не|и|но|опять|снова|почти|тут|там"
)
_PLEASE = r"(?:bitte|por\s+favor|s'il\s+(?:te|vous)\s+pla[iî]t|пожалуйста|per\s+favore)[,\s]+"
# Chinese: "以后 …", "始终使用 …" (a bare "始终" or "总是" also describes: "总是超时"),
# "不要 …", and "改代码前先 …" (before X, first Y). "以前", "目前", "提前" are no "before X".
_ZH_BEFORE = r"(?<![以从目当眼提])前[\uff0c,]?(?:请|都|也)?(?:先|要|必须|务必)"
_ZH_LEAD = (
    r"(?:请|你|我们)?(?:以后|今后|往后|从现在(?:开始|起)|从今(?:以后|往后|天起)|"
    r"(?:始终|总是|永远|一律|每次)(?=都?(?:要|不要|别|不许|必须|使用|用|先|保持|把|放|写))|"
    r"不要|别|不许|禁止|切勿|务必|一定要|"
    rf"[^\uff0c\u3002,！？]{{1,12}}?{_ZH_BEFORE})"
)
# Japanese: the marker first or after a topic ("コミット前に必ず …"), and the sentence ends as
# an instruction does ("…してください", "…しないで", "…すること"), not as a report ("失敗する").
_JA_RULE = (
    r"(?:[^\u3001\u3002\s]{1,20}?(?:は|では|には|前に|時は|ときは|際は)\u3001?)?"
    r"(?:常に|必ず|今後(?:は|も)?|これから(?:は|も)|以後|絶対に|決して|今から(?:は)?)"
    r".*(?:[てで](?:ください|下さい)?|こと|しろ|するな|べき|ように|ないで|ない|禁止)[\u3002！!]?$"
)
RULE_ELSEWHERE = re.compile(
    rf"^(?:{_PLEASE})?(?:(?!(?:{_NOT_A_VERB})[,\s])[^\W\d_]+[,\s]+)?(?:{_MARKERS_SPACED})\b"
    r"|^n(?:e\s+|['’])[^\W\d_]+\s+(?:plus\s+)?jamais\b"
    rf"|^{_ZH_LEAD}|^{_JA_RULE}|^{_KO_RULE}|^{_NEXT_TIME}",
    re.I,
)
DURABLE_ELSEWHERE = re.compile(
    rf"\b(?:{_MARKERS_SPACED}|statt|anstatt|anstelle|standardmäßig|au\s+lieu\s+de|"
    r"plutôt\s+que|par\s+défaut|en\s+lugar\s+de|en\s+vez\s+de|por\s+defecto|em\s+vez\s+de|"
    r"ao\s+invés\s+de|por\s+padrão|вместо|по\s+умолчанию)\b"
    r"|以后|今后|往后|从现在|从今|始终|总是|永远|一律|每次|每当|默认|而不是|而非|而是|"
    rf"{_ZH_BEFORE}|"
    r"常に|必ず|今後|これから|以後|絶対に|決して|毎回|デフォルトで|ではなく|代わりに|"
    rf"{_KO_MARKERS}|대신|{_NEXT_TIME}",
    re.I,
)
# A one-off request, a question, a reply, a complaint or today's task in those languages:
# "帮我…", "kannst du …", "…吗", "那就…", "还是报错", "diesmal", "hoy".
ONE_OFF_ELSEWHERE = re.compile(
    r"\b(?:kannst\s+du|könntest\s+du|können\s+sie|könnten\s+sie|würdest\s+du|würden\s+sie|"
    r"hilf\s+mir|peux-tu|pourrais-tu|pouvez-vous|pourriez-vous|tu\s+peux|vous\s+pouvez|"
    r"aide-moi|est-ce\s+que|puedes|podrías|podría|puede\s+usted|me\s+ayudas|ayúdame|"
    r"pode|poderia|podes|consegue|me\s+ajuda|ajuda-me|можешь|можете|могли\s+бы|мог\s+бы|"
    r"помоги|"
    r"(?<!ab\s)heute|diesmal|dieses\s+mal|vorerst|erstmal|(?<!d')aujourd'hui|cette\s+fois|"
    r"(?<!de\s)hoy|esta\s+vez|por\s+ahora|(?<!de\s)hoje|desta\s+vez|por\s+enquanto|"
    r"por\s+agora|сегодня|в\s+этот\s+раз|"
    r"пока\s+что|"
    r"immer\s+noch|noch\s+immer|toujours\s+pas|todavía|ainda|всё\s+ещё|все\s+ещё|все\s+еще|"
    r"по-прежнему|schlägt\s+fehl|stürzt\s+ab|échoue|plante|falla|fallan|falha|falham|"
    r"dá\s+erro|падает|вылетает)\b"
    r"|^(?:ok(?:ay)?|gut|bien|bueno|vale|certo|ладно|хорошо|dann|alors|entonces|então|"
    r"тогда)\b|^(?:那就|那么|好的|行吧|嗯|じゃあ|では)"
    r"|能不能|能否|可不可以|可以[^\u3002]{0,30}吗|帮我|帮忙|麻烦你|你能|吗[\u3002？?！]?$|呢[？?]?$"
    r"|这次|这一次|這次|這一次|本次|(?<!从)今天(?!起|开始)|暂时|先这样|以后再|回头再|有空|还是|仍然|依然|报错|失败|出错|崩溃"
    r"|(?:ます|ません|でしょう)か[\u3002？?]?$|てくれ|てもらえ|いただけ|今日(?!から)|今回|とりあえず"
    # "other than that …": the rest of today's request, read against what it just asked
    r"|^(?:それ以外|その他の|除此之外|除此以外|除了这些|其余的?)"
    r"|まだ|エラーになる|失敗する|落ちる",
    re.I,
)
# Words that make a sentence in those languages a guess.
HEDGE_ELSEWHERE = re.compile(
    r"\b(?:vielleicht|wahrscheinlich|eventuell|möglicherweise|ich\s+glaube|ich\s+denke|"
    r"ich\s+vermute|scheint|peut-être|probablement|je\s+pense|je\s+crois|il\s+semble|"
    r"sans\s+doute|quizás?|tal\s+vez|probablemente|creo\s+que|parece|a\s+lo\s+mejor|talvez|"
    r"provavelmente|acho\s+que|creio\s+que|может\s+быть|наверное|возможно|кажется|"
    r"по-моему|думаю)\b"
    r"|也许|可能|大概|或许|好像|似乎|我觉得|估计|たぶん|多分|かもしれ|と思う|らしい|ようだ",
    re.I,
)

# How a message typed while the agent works objects to what it is doing.
OBJECTION = re.compile(
    r"^(?:no\b|nope|stop|wait|don't|do not|never|not\s|wrong|instead|actually|that's not|"
    r"please (?:don't|do not|stop))",
    re.I,
)
CORRECTION = re.compile(
    r"^(?:no\b|nope|stop|wait|don't|do not|never|not\s|wrong|instead|actually|that's not|"
    r"pleas?e?,? (?:don'?t|do not|never|stop)\b|use\s|always|rather)",
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
    if event.tool_name in _LOOK_TOOLS:
        return False  # a file's text says what the file holds, not how the read went
    return _shows_failure(event.text[:20_000])


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
    missing, a Python crash, or a `sudo` that could not ask for the password."""
    own = _exit_hidden_by_pipe(call, result)
    return own is not None and (
        _missing_behind_pipe(own, result)
        or _traceback_behind_pipe(own, result)
        or _sudo_behind_pipe(own, result)
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


# sudo could not ask for the password: no terminal, no askpass helper.
_SUDO_COULD_NOT_ASK = r"sudo: (?:a terminal is required|a password is required|no tty present)"
# … or it asked, and what it was given was refused (a prompt, "Sorry, try again").
SUDO_PASSWORD = re.compile(
    _SUDO_COULD_NOT_ASK + r"|^\[sudo\] [^\n]*[:：]\s*$|^Sorry, try again\.", re.M
)


def _sudo_behind_pipe(own: str, result: Event) -> bool:
    """A step of the call ran `sudo`, which could not ask for the password
    (`sudo pacman -S x 2>&1 | tail -15`)."""
    head = result.text[:2000]
    if "sudo" not in head:
        return False
    steps = [_sudo_flags(step.split()) for step in script_steps(own)]
    if _SUDO_REFUSED.search(head):
        return any(flags is not None for flags in steps)
    if not re.search(_SUDO_COULD_NOT_ASK, head):
        return False  # a prompt alone (`[sudo] password for ana:`) is `sudo -S` reading one
    return any(flags is not None and not flags & _GIVEN_PASSWORD for flags in steps)


# sudo ran nothing, however the password was to come (`-S`, `-A`).
_SUDO_REFUSED = re.compile(
    r"sudo: (?:\d+ incorrect password attempts?|no password was provided|no askpass program)"
)
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


def _shows_failure(head: str) -> bool:
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


def is_success(event: Event) -> bool:
    """A tool result that shows the call worked (not one the user stopped)."""
    if event.kind is not EventKind.TOOL_RESULT or event.exit_code not in (None, 0):
        return False
    if _REJECTED.search(event.text[:300]):
        return False
    return not (_shows_failure(event.text[:20_000]) or _traceback_tail(event.text[-4000:]))


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
        program = found["program"] or found["zsh"] or found["cmd"] or found["local"]
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
        yield str(program)


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
# module unquoted (`/srv/app/venv/bin/python: No module named pytest`).
_NO_MODULE_TO_RUN = re.compile(
    r"(?m)^(?:\S*[/\\])?python[\d.]*(?:\.exe)?: No module named (?P<module>[A-Za-z_][\w.]*)\s*$"
)


def missing_module(text: str) -> tuple[str, str] | None:
    """The module an import error says is not installed (`yaml`), with the error's words."""
    found = _MISSING_MODULE.search(text[:4000]) or _NO_MODULE_TO_RUN.search(text[:4000])
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
    return bool(_EXIT_LINE.match(line.strip()))


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


@lru_cache(maxsize=256)
def _kept_signature(text: str) -> str:
    return read_signature(text)


# Next.js's build, failed on the project's code: "Failed to compile." then the file's place
# and what is wrong there (`Type error: …`, or ESLint's `12:5  Error: … rule`).
_NEXT_FAILED = "Failed to compile."
_NEXT_ERROR = re.compile(r"^(?:Type error: |\d+:\d+\s+Error: )\S")


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
    lines = [_TASK_PREFIX.sub("", line) for line in lines if line and not _EXIT_LINE.match(line)]
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
    lines = [line for line in _without_echoed_source(lines) if not _ADVICE.match(line)]
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
    if errors:
        return errors[0]
    if footer:  # the tool's finding at a file's line and column says more than its runner
        if _MAKE_OWN.match(footer):  # make's own error (`*** No rule to make target …`)
            return footer
        diagnostic = next((line for line in lines if _DIAGNOSTIC.match(line)), "")
        return diagnostic or _said_wrong(lines) or footer
    return _said_wrong(lines) or _first_worded(lines)


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
    r"|\s+\S+@\S+ \S+: `)",
    re.M,
)
_RUNNER_WORDS = (  # every footer holds one, lowered (`may_hold`)
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
    rspec = [found for line in lines if (found := _RSPEC_FAILURE.match(line))]
    said = next((found.group(0) for found in rspec if found["expression"]), None)
    said = said or _vitest_failure(lines) or None
    said = said or next((line for line in lines if _TEST_TALLY.match(line)), None)
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
        if n not in marked and n + 1 not in marked and n not in echoed
    ]
    return kept or lines


# npm's (pnpm's, yarn's) echo of the package script it runs: `> app@0.1.0 test`, then the
# script's command line, `> vitest run --flag src/error.test.ts`: the call, not what went wrong.
_SCRIPT_HEADER = re.compile(r"^> \S+@\S+ \S+")


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
        if leading:
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


# Programs whose exit status 1 is an answer ("no match", "they differ", "not installed"), not a
# failure; 2 and more are their errors.
_ANSWERS_WITH_ONE = frozenset({"rg", "grep", "egrep", "fgrep", "ag", "ack", "diff", "cmp", "pgrep"})
_LISTS_PACKAGES = re.compile(r"^(?:npm|pnpm|yarn)\s+(?:-g\s+)?(?:ls|list)\b")
# A pipe (not `||`): the status seen is the last program's (`cmd | head -30` exits 0).
PIPE = re.compile(r"(?<!\|)\|(?!\|)")
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


# The harness stopped the call: Claude Code's Bash ("Command timed out after 2m 0.0s") and
# Codex's shell ("command timed out after 1005 milliseconds"), not a test's own timeout.
HARNESS_STOPPED = re.compile(r"^(?:Exit code -?\d+\s*\n)?\s*command timed out after\b", re.I)
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
    if result.exit_code not in (1, 123):
        return False
    if result.exit_code == 1 and _only_probes(call.text) and not _says_missing(result.text):
        return True
    if result.exit_code == 1 and _NOTHING_TO_COMMIT.search(result.text[-2000:]):
        # nothing staged, the commit the call's last step: the work was already in
        return _exit_is_the_commits(call.text)
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
    return not any(names_an_error(line) for line in lines[1:] if not _ADVICE.match(line))


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
        _ERROR_LINE.search(line) or _WHICH_NO.search(line)
        for line in lines
        if line and not _EXIT_LINE.match(line)
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
    went; nor is a line that marks a failure.)"""
    calls = {e.tool_use_id: e.text for e in events if e.kind is EventKind.TOOL_CALL}
    worked = [
        (calls.get(e.tool_use_id, ""), e.text.split("\n", BANNER_LINES)[:BANNER_LINES])
        for e in events
        if e.kind is EventKind.TOOL_RESULT and e.exit_code in (None, 0)
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
        if not (_TEST_TALLY.match(line) or _RSPEC_FAILURE.match(line) or _says_failed(line))
    )


def _says_failed(line: str) -> bool:
    """The line is a mark of failure (`ERR_PNPM_…`, `npm error code …`, no `package.json`
    found): said again at the head of outputs whose exit a pipe hid, it is the same failure
    again, never a banner."""
    return _shows_failure(line) or NO_MANIFEST.search(line) is not None


# Tools and commands that only look; their "nothing there" is an answer, not a lesson.
LOOK_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "NotebookRead", "view"})
_LOOK_TOOLS = LOOK_TOOLS
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
_SEGMENTS = re.compile(r"&&|\|\||;|(?<!\|)\|(?!\|)")
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
    first = next((line for line in said if line and not _EXIT_LINE.match(line)), "")
    if not _LOOKED_UP_NONE.match(first) or _TOOL_LACKS.search(first):
        return False  # its first word, and of the thing asked for, not of what the tool needs
    steps = [part.split() for part in _SEGMENTS.split(command_head(call.text))]
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
# zsh (or its `eval`) found no file for a pattern: "zsh:1: no matches found: .[dev]".
ZSH_NO_MATCH = re.compile(r"^(?:zsh|\(eval\)):(?:\d+:)? no matches found: (?P<word>.*)$", re.M)
# zsh read a real name as a pattern: no file matched it, or `(…)` was taken for a qualifier.
ZSH_PATTERN_ERROR = re.compile(
    r"^(?:zsh|\(eval\)):(?:\d+:)? (?:no matches found|bad pattern|unknown file attribute|"
    r"unknown sort specifier|missing delimiter for '.' glob qualifier|number expected)\b",
    re.M,
)
# pytest asked for a test (or test file) that is not there: a guess at a name, not a failure.
_NO_SUCH_TEST = re.compile(r"^ERROR: (?:file or directory )?not found: ", re.M)


# Claude Code's Grep and Glob run the ripgrep it bundles; when that binary cannot start
# (`spawn …/vendor/ripgrep/arm64-darwin/rg EACCES`), only a search through the shell works.
# The install path may hold spaces (`C:\\Program Files\\…`).
BUNDLED_SEARCH = re.compile(
    r"spawn [^\n]*?[/\\]vendor[/\\]ripgrep[/\\][^\n]*?rg(?:\.exe)? (?P<code>EACCES|ENOENT|EPERM)\b"
)


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
    if result.tool_name in _LOOK_TOOLS or (call is not None and call.tool_name in _LOOK_TOOLS):
        return True
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    segments = [part.split() for part in _SEGMENTS.split(command_head(call.text))]
    if segments and segments[0] and _ran_nothing(segments[0][0], result.text[:2000]):
        return True
    if (
        _wildcard_matched_nothing(result.text)
        and unmatched is not None
        and any(
            words and _only_looks(words) and _names_word(words[1:], unmatched["word"])
            for words in segments
        )
    ):
        return True  # `ls /opt/homebrew/bin/node*; command -v fnm`: a look, whatever follows
    return all(words and _only_looks(words) for words in segments)


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
    segments = [part.split() for part in _SEGMENTS.split(command_head(call.text))]
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
    segments = [part.split() for part in _SEGMENTS.split(command_head(command))]
    return all(words and _only_looks(words) for words in segments)


def _only_looks(words: list[str]) -> bool:
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
