"""Pass 2, the failures: blocks of a stretch of output that say something went wrong (a
Python traceback, pytest's summary or entries, a node/Java stack, `npm ERR!`, `##[error]`,
compiler-style errors) and the runner's exit line joined to them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from metis_distill.build_reports import COMPILER_LINE
from metis_distill.sources.logs.lines import Line

MAX_BLOCK_LINES = 400  # a failure block never grows past this
EXIT_MERGE_GAP = 5  # lines between a failure block and the exit line that still join it
EXIT_CONTEXT = 5  # lines over a lone exit line searched for what went wrong
BLOCK_MERGE_GAP = 2  # blank or rule lines between two blocks that make them one
_Predicate = Callable[[str], bool]
EXIT = re.compile(
    r"^##\[error\](?:Process completed with exit code |.*? exited with code '?)(-?\d+)'?\.?\s*$"
    r"|^exitcode '(-?\d+)': "  # act's
)
# --- failure blocks ----------------------------------------------------------------------------
_PY_TRACEBACK = re.compile(r"^(\s*)Traceback \(most recent call last\):\s*$")
_PY_CHAIN = re.compile(
    r"^\s*(?:During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:)\s*$"
)
_PYTEST_RULE = re.compile(r"^=+ (.*?) =+$")
_PYTEST_SUMMARY = "short test summary info"
_PYTEST_DETAILS = frozenset({"ERRORS", "FAILURES"})
_PYTEST_QUIET = frozenset({"warnings summary"})
_PYTEST_ENTRY = re.compile(r"^_{3,} (.+?) _{3,}$")
_PYTEST_SUMMARY_LINE = re.compile(r"^(?:FAILED|ERROR|XPASS|XFAIL|SKIPPED|PASSED)\b|^!{3,}")
_PYTEST_COUNTS = re.compile(r"^=*\s*(?:\d+ [a-z]+(?:, )?)+ in [\d.]+s\b")
_PYTEST_BAD = re.compile(r"\b\d+ (?:failed|errors?)\b")
_PYTEST_E = re.compile(r"^E +(\S.*)$")
_JS_ERROR = re.compile(
    r"^\s*(?:Uncaught |Exception in thread \"[^\"]*\" )?(?:[\w$]+\.)*[A-Z]?[\w$]*"
    r"(?:Error|Exception)(?: \[[A-Z0-9_]+\])?(?::\s|$)"
)
_STACK = re.compile(r"^\s+at \S")
_NODE_TRAILER = re.compile(r"^Node\.js v\d")
_NPM = re.compile(r"^npm (?:ERR!|error)(?:\s|$)")
_BRACKETED_ERROR = re.compile(r"^\[(?:error|ERROR)\](?:\s|$)")
_GENERIC = re.compile(
    r"^(?:error|fatal|ERROR|FATAL|Error|CRITICAL)(?:\[[\w-]+\])?:\s*\S"
    r"|^\S+:\d+(?::\d+)?:\s*(?:fatal )?error\b"
    r"|^\S+\.\w+\(\d+(?:, ?\d+)?\):? (?:fatal )?(?:Error|error)\b"
    r"|\berror TS\d+:"
    r"|^make(?:\[\d+\])?: \*\*\* "
    r"|^--- FAIL: |^FAIL\s+\S"
    r"|^(?:FAILED|ERROR) \S+ - "
    r"|^(?:\w+\.)*[A-Z]\w*(?:Error|Exception): \S"
    r"|^\[?(?:ERROR|FATAL|CRITICAL)\]?\s+\S"
    r"|^E: \S"
)
ERRORISH = re.compile(
    r"error|fail|fatal|not found|denied|cannot|can't|unable|no such|refused|invalid|exception|"
    r"missing|timed? ?out|abort|panic|killed",
    re.I,
)
# Gradle's report of a failed build, from its first line to its `BUILD FAILED in 9s`.
_GRADLE_FAILURE = re.compile(r"^FAILURE: Build (?:failed|completed) with ")
_GRADLE_END = re.compile(r"^BUILD FAILED\b")
GRADLE_REPORT_LINES = 80
_RULE_LINE = re.compile(r"^\s*[-=_~*#]{3,}\s*$")


@dataclass
class Block:
    start: int
    end: int
    kind: str = "plain"  # plain | pytest-entry | runner (a run of `##[error]` lines)
    exit_code: int | None = None


def attach_exit(lines: Sequence[Line], blocks: list[Block], index: int, floor: int) -> None:
    """The step's exit line joins the failure block just above it, or is a block of its own
    that starts at the first error-looking line over it."""
    match = EXIT.match(lines[index].text)
    if match is None:
        return
    code = int(match.group(1) or match.group(2))
    before = [b for b in blocks if b.end < index]
    previous = max(before, key=lambda b: b.end) if before else None
    if (
        previous is not None
        and previous.exit_code is None
        and index - previous.end - 1 <= EXIT_MERGE_GAP
    ):
        previous.end = index
        previous.exit_code = code
        return
    lowest = max(floor, index - EXIT_CONTEXT, previous.end + 1 if previous else floor)
    start = index
    for above in range(index - 1, lowest - 1, -1):
        if ERRORISH.search(lines[above].text) and not EXIT.match(lines[above].text):
            start = above
    blocks.append(Block(start, index, exit_code=code))


def told_failure(lines: Sequence[Line], start: int, end: int) -> Block | None:
    """A step the log says failed, with no failure block nor exit line (act's `❌ Failure`
    alone): its last output, from the first error-looking line over it."""
    last = next((i for i in range(end - 1, start - 1, -1) if lines[i].text.strip()), None)
    if last is None:
        return None
    first = last
    for above in range(last - 1, max(start, last - EXIT_CONTEXT) - 1, -1):
        if ERRORISH.search(lines[above].text):
            first = above
    return Block(first, last)


def block_text(lines: Sequence[Line], block: Block) -> str:
    texts = [lines[i].text for i in range(block.start, block.end + 1)]
    if block.kind == "pytest-entry":
        # pytest's own lines of an entry (`E   …`) say what failed; its code listing does not.
        said = [m.group(1) for m in map(_PYTEST_E.match, texts) if m]
        texts = said or texts[1:]
    return "\n".join(t.removeprefix("##[error]") for t in texts)


def find_blocks(lines: Sequence[Line], start: int, end: int) -> list[Block]:
    """The failure blocks of one stretch of output, in order, adjacent ones merged."""
    summary = any(_pytest_title(lines[i].text) == _PYTEST_SUMMARY for i in range(start, end))
    found: list[Block] = []
    index = start
    while index < end:
        detected = _detect(lines, index, end, summary)
        if detected is None:
            index += 1
            continue
        last, blocks = detected
        found.extend(blocks)
        index = last + 1
    return _merge(lines, found)


def _detect(
    lines: Sequence[Line], index: int, end: int, summary: bool
) -> tuple[int, list[Block]] | None:
    """(last line consumed, blocks) when a failure (or a pytest section to skip) starts here."""
    text = lines[index].text
    if _PY_TRACEBACK.match(text):
        last = _traceback_end(lines, index, end)
        return last, [Block(index, last)]
    title = _pytest_title(text)
    if title == _PYTEST_SUMMARY:
        last = _pytest_summary_end(lines, index, end)
        chunk = [lines[i].text for i in range(index, last + 1)]
        failed = any(t.startswith(("FAILED", "ERROR")) or _PYTEST_BAD.search(t) for t in chunk)
        return last, [Block(index, last)] if failed else []
    if title in _PYTEST_DETAILS or title in _PYTEST_QUIET:
        last = _section_end(lines, index, end)
        if summary or title in _PYTEST_QUIET:
            return last, []
        return last, _pytest_entries(lines, index, last)
    if _PYTEST_COUNTS.match(text) and _PYTEST_BAD.search(text):
        return index, [Block(index, index)]
    if _JS_ERROR.match(text):
        last_js = _stack_end(lines, index, end)
        if last_js is not None:
            return last_js, [Block(index, last_js)]
    if _NPM.match(text):
        last = _run_end(lines, index, end, lambda t: bool(_NPM.match(t)))
        return last, [Block(index, last)]
    if _BRACKETED_ERROR.match(text):  # sbt, maven: a run of `[error]` lines
        last = _run_end(lines, index, end, lambda t: bool(_BRACKETED_ERROR.match(t)))
        return last, [Block(index, last)]
    if text.startswith("##[error]") and not EXIT.match(text):
        last = _run_end(lines, index, end, _continues_runner_error, limit=end - index)
        return last, [Block(index, last, kind="runner")]
    if _GRADLE_FAILURE.match(text):
        last = _run_end(lines, index, end, _before_gradle_end, limit=GRADLE_REPORT_LINES)
        if last + 1 < end and _GRADLE_END.match(lines[last + 1].text):
            last += 1
        return last, [Block(_compiler_lines_above(lines, index), last)]
    if _GENERIC.search(text):
        last = _run_end(lines, index, end, _continues_error, limit=40)
        return last, [Block(index, last)]
    return None


# The task Gradle reports failed (`> Task :app:compileDebugKotlin FAILED`): the compiler's
# lines under it say why.
_GRADLE_TASK_FAILED = re.compile(r"^> Task \S+ FAILED$")


def _compiler_lines_above(lines: Sequence[Line], report: int) -> int:
    """Where a failed build's report starts: at the compiler's first error line under the
    failed task, when there is one within the report's reach above it."""
    for above in range(report - 1, max(-1, report - GRADLE_REPORT_LINES), -1):
        if _GRADLE_TASK_FAILED.match(lines[above].text.strip()):
            under = (i for i in range(above + 1, report) if COMPILER_LINE.match(lines[i].text))
            found = next(under, None)
            if found is None:
                found = _compiler_lines_over(lines, above)
            return report if found is None else found
    return report


def _compiler_lines_over(lines: Sequence[Line], task: int) -> int | None:
    """The compiler's first error line printed before the task's `FAILED` line, back to the
    task's start (`> Task :app:compileDebugKotlin`) or the task before it."""
    first = None
    for above in range(task - 1, max(-1, task - GRADLE_REPORT_LINES), -1):
        text = lines[above].text.strip()
        if text.startswith("> Task "):
            break
        if COMPILER_LINE.match(text):
            first = above
    return first


def _pytest_title(text: str) -> str | None:
    match = _PYTEST_RULE.match(text)
    return match.group(1) if match else None


def _traceback_end(lines: Sequence[Line], first: int, end: int) -> int:
    """A Python traceback: frames indented under its header, then the exception line at the
    header's indentation; chained tracebacks continue it."""
    base = _indent(lines[first].text)
    last = first
    index = first + 1
    while index < end and index - first < MAX_BLOCK_LINES:
        text = lines[index].text
        if not text.strip():
            index += 1
            continue
        indent = _indent(text)
        if indent > base or _PY_TRACEBACK.match(text) or _PY_CHAIN.match(text):
            last = index
            index += 1
            continue
        if indent < base or EXIT.match(text):
            break
        last = index  # the exception line
        following = _next_text(lines, index + 1, end)
        if following is None or not _PY_CHAIN.match(lines[following].text):
            break
        index = following
    return last


def _pytest_summary_end(lines: Sequence[Line], first: int, end: int) -> int:
    """pytest's short summary: FAILED/ERROR lines up to the final counts rule."""
    last = first
    for index in range(first + 1, min(end, first + MAX_BLOCK_LINES)):
        text = lines[index].text
        if _PYTEST_RULE.match(text) or _PYTEST_COUNTS.match(text):
            return index
        if _PYTEST_SUMMARY_LINE.match(text) or text.startswith((" ", "\t")):
            last = index
        elif text.strip():
            break
    return last


def _section_end(lines: Sequence[Line], first: int, end: int) -> int:
    for index in range(first + 1, end):
        if _PYTEST_RULE.match(lines[index].text) or EXIT.match(lines[index].text):
            return index - 1
    return end - 1


def _pytest_entries(lines: Sequence[Line], first: int, last: int) -> list[Block]:
    heads = [i for i in range(first + 1, last + 1) if _PYTEST_ENTRY.match(lines[i].text)]
    blocks: list[Block] = []
    for head, after in zip(heads, [*heads[1:], last + 1][: len(heads)], strict=True):
        tail = after - 1
        while tail > head and not lines[tail].text.strip():
            tail -= 1
        blocks.append(Block(head, min(tail, head + MAX_BLOCK_LINES), kind="pytest-entry"))
    return blocks


def _stack_end(lines: Sequence[Line], first: int, end: int) -> int | None:
    """A node/Java error: its message, `at …` frames (and node's object dump), `Node.js vN`."""
    index = first + 1
    while index < end and index - first <= 6 and not _STACK.match(lines[index].text):
        if EXIT.match(lines[index].text):
            return None
        index += 1
    if index >= end or not _STACK.match(lines[index].text):
        return None
    last = index
    while last + 1 < end and last + 1 - first < MAX_BLOCK_LINES:
        text = lines[last + 1].text
        if _STACK.match(text) or (text[:1] in (" ", "\t") and text.strip()) or text in "}]":
            last += 1
        else:
            break
    trailer = _next_text(lines, last + 1, min(end, last + 3))
    if trailer is not None and _NODE_TRAILER.match(lines[trailer].text):
        last = trailer
    return last


def _before_gradle_end(text: str) -> bool:
    return not _GRADLE_END.match(text) and not EXIT.match(text)


def _continues_runner_error(text: str) -> bool:
    """A line that carries on a run of `##[error]` lines: another one, or an indented detail
    of the one above (Go's `have (…)`/`want (…)` under a call's error), so that the errors a
    step printed stay one failure."""
    if EXIT.match(text):
        return False
    return text.startswith("##[error]") or (text[:1] in (" ", "\t") and bool(text.strip()))


def _continues_error(text: str) -> bool:
    """A line that carries on a compiler-style error: another one, or an indented detail."""
    if EXIT.match(text):
        return False
    return bool(_GENERIC.search(text)) or (text[:1] in (" ", "\t") and bool(text.strip()))


def _run_end(
    lines: Sequence[Line],
    first: int,
    end: int,
    more: _Predicate,
    limit: int = MAX_BLOCK_LINES,
) -> int:
    last = first
    while last + 1 < end and last + 1 - first < limit and more(lines[last + 1].text):
        last += 1
    return last


def _merge(lines: Sequence[Line], blocks: list[Block]) -> list[Block]:
    """Blocks with nothing or only blank or rule lines between them are one failure (unittest's
    `ERROR: test` line and its traceback, an npm error after node's); pytest entries stay apart.
    The runner's `##[error]` runs of one stretch of output are one failure whatever lies between
    them (a linter's messages, then its `issues found`): the step failed once."""
    merged: list[Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if previous is not None and (
            _adjacent(lines, previous, block) or previous.kind == block.kind == "runner"
        ):
            previous.end = block.end
            continue
        merged.append(block)
    return merged


def _adjacent(lines: Sequence[Line], previous: Block, block: Block) -> bool:
    return (
        "pytest-entry" not in (previous.kind, block.kind)
        and block.start - previous.end - 1 <= BLOCK_MERGE_GAP
        and all(
            not lines[i].text.strip() or _RULE_LINE.match(lines[i].text)
            for i in range(previous.end + 1, block.start)
        )
    )


def _next_text(lines: Sequence[Line], start: int, end: int) -> int | None:
    for index in range(start, end):
        if lines[index].text.strip():
            return index
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())
