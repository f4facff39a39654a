"""Is a file a log? Runner stamps or workflow commands at once; otherwise not a document,
and stamped lines or signs of failure."""

from __future__ import annotations

import re

from metis_distill.sources.logs.lines import BOM, GENERIC_STAMP, LEAD, TS, is_act

SNIFF_LINES = 50
# --- sniffing ----------------------------------------------------------------------------------
_GH_PREFIX = r"(?:[^\t\n]+\t[^\t\n]*\t\ufeff?)?"
_RUNNER_LINE = re.compile(rf"^(?:{BOM})?{_GH_PREFIX}{TS}(?: |$)", re.M)
_WORKFLOW_LINE = re.compile(
    rf"^(?:{BOM})?{_GH_PREFIX}(?:{TS} )?##\[(?:group|endgroup|error|section)\]", re.M
)
_AIDER = re.compile(r"^# aider chat started at", re.M)
# A code fence; tildes that carry on a wrapped line of tildes are PowerShell's underline of
# the command a native error came from (`+ ~~~~`), no fence.
_DOCUMENT = re.compile(r"(?<!~\n)(?<!~\r\n)^(?:```|~~~)", re.M)
_SOURCE_CODE = re.compile(
    r"^(?:def |class |import \w|from [\w.]+ import |function |const |let |var |package |"
    r"#include |public |private )",
    re.M,
)
_STRONG_SIGNS = (
    re.compile(r"^\s*Traceback \(most recent call last\):", re.M),
    re.compile(r"^=+ (?:test session starts|short test summary info|FAILURES|ERRORS) =+$", re.M),
    re.compile(r"^npm (?:ERR!|error) ", re.M),
    # rustc's coded error with its `--> file:line:col` a few (perhaps wrapped) lines under it
    re.compile(r"^error\[E\d{4}\]: .*\n(?:.*\n){0,6}?[ \t]*--> \S", re.M),
    # XCTest (`swift test`, xcodebuild): a suite's start or end, a test case's verdict
    re.compile(r"^Test Suite '[^'\n]+' (?:started|passed|failed) at \d{4}-", re.M),
    re.compile(r"^Test Case '[^'\n]+' (?:passed|failed|skipped) \(\d+\.\d+ seconds\)", re.M),
    # the verdicts of cargo test, go test and jest/vitest
    re.compile(r"^test result: (?:ok|FAILED)\. \d+ passed; \d+ failed", re.M),
    re.compile(r"^--- (?:FAIL|PASS): \S+ \(\d+\.\d+s\)$", re.M),
    re.compile(r"^Tests:\s+(?:\d+ \w+, )*\d+ total$", re.M),
)
_WEAK_SIGNS = (
    re.compile(r"^=*\s*(?:\d+ [a-z]+(?:, )?)+ in [\d.]+s\b", re.M),
    re.compile(r"^\s+at .+:\d+:\d+\)?$", re.M),
    re.compile(r"^\$ \S", re.M),
    re.compile(r"^(?:error|fatal|ERROR|FATAL|Error)(?:\[[\w-]+\])?: \S", re.M),
    re.compile(r"(?:exit code|exited with code|exit status) '?-?\d+", re.I),
    re.compile(r"^make(?:\[\d+\])?: \*\*\* ", re.M),
    # a compiler's `path(line, col) Error:` (Nim, MSVC) and Nim's stack trace title
    re.compile(r"^\S+\.\w+\(\d+(?:, ?\d+)?\):? (?:fatal )?(?:Error|error)\b", re.M),
    re.compile(r"^stack trace: \(most recent call last\)$", re.M),
    re.compile(r"^\s*Compiling \S+ v\d+\.\d+\.\d+\S* \(", re.M),  # cargo
    re.compile(r"^At line:\d+ char:\d+$", re.M),  # PowerShell's note over a native error
)


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """A log, by its content. Never an aider history, nor JSON (Claude Code/Codex JSONL,
    trajectories start with `{` or `[`) unless an act (nektos/act) run, whose lines start with
    `[Workflow/Job] ` (`is_act`; not in a document). Claimed at once: an act run, runner-stamped
    lines (most of the first 50 lines, raw or `gh run view` columns) or `##[group]`/`##[error]`
    workflow commands at line starts. Otherwise not a document (code fences, a `# ` title, `<`
    markup, source code) and either most first lines start with a date-time, or it shows a
    strong sign (a Python traceback, a pytest banner, `npm ERR!`, rustc's `error[E…]` with its
    `-->` location, XCTest's suite or case lines, cargo/go/jest test verdicts) or two weak ones
    (pytest counts, a stack frame, a `$ ` prompt, an `error:` line, an exit code, a `make: ***`
    line, a compiler's `file(line, col) Error`, Nim's `stack trace:`, cargo's `Compiling`,
    PowerShell's `At line:N char:N`)."""
    body = LEAD.sub("", head.lstrip("\ufeff \t\r\n")).lstrip()
    if not body or _AIDER.search(body):
        return False
    lines = [line for line in body.splitlines() if line.strip()][:SNIFF_LINES]
    if is_act(lines) and not _DOCUMENT.search(body):  # its lines start with `[Workflow/Job] `
        return True
    if body[0] in "{[":
        return False
    enough = min(3, len(lines))
    if sum(1 for line in lines if _RUNNER_LINE.match(line)) >= enough:
        return True
    if len(_WORKFLOW_LINE.findall(body)) >= 2:
        return True
    if (
        _DOCUMENT.search(body)
        or lines[0].startswith(("# ", "#!", "<"))
        or len(_SOURCE_CODE.findall("\n".join(lines))) >= 3
    ):
        return False
    if sum(1 for line in lines if GENERIC_STAMP.match(line)) >= max(enough, len(lines) // 2):
        return True
    if any(sign.search(body) for sign in _STRONG_SIGNS):
        return True
    return sum(1 for sign in _WEAK_SIGNS if sign.search(body)) >= 2
