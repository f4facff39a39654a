"""Plain-text and CI logs: GitHub Actions job logs (raw, or `gh run view --log`), pytest output,
Python tracebacks, node/npm errors, and any other text file that reads like a log.

A log is read in two passes. The first takes every line apart: the `gh run view` columns
(`job<TAB>step<TAB>`), the runner's `YYYY-MM-DDThh:mm:ss.fffffffZ ` stamp (or, in a log without
runner stamps, a leading date-time), ANSI colour codes; what is left is the line's content.
The second finds the structure. A GitHub Actions step starts at its `##[group]Run <command>`
header (the script echoed in cyan, `shell:`/`with:`/`env:` lines, `##[endgroup]`) and runs to
the next step, the post-job cleanup or the next `gh` step; in a plain terminal log a `$ command`
prompt starts one. A step is a TOOL_CALL: `Bash` for a script (its lines, without comments and
`source …/activate`, `cd`, `set -e` set-up), `action` for a `uses:` step. In the output, failure
blocks are found (a Python traceback, a pytest short summary, or its failure entries when there
is no summary, a node/Java error with its stack, an `npm ERR!` run, `##[error]` lines,
compiler-style `error:` lines) and each is one ERROR event spanning the block, paired with its
step. The runner's `Process completed with exit code N.` is the step's exit code: it joins the
failure block just above it, or is an ERROR of its own with the error-looking lines over it; a
step that ends without it gets a one-line TOOL_RESULT (its last output line), exit code 0.
Other output is not an event. Event text is block content (prefixes and colour codes removed),
so each of its lines is in the file verbatim unless a colour code sat in the middle of it.
A line with decoding damage (NUL, U+FFFD) or a cut-off runner stamp is corrupt and skipped; an
unknown `##[command]` line is counted as unknown and skipped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from metis_distill.models import Event, EventKind, ParseStats, Run, SourceRef
from metis_distill.sources.base import SourceFormat
from metis_distill.sources.common import event_text, unversioned
from metis_distill.textio import numbered_lines

FORMAT = "logs"
MAX_BLOCK_LINES = 400  # a failure block never grows past this
MAX_HEADER_LINES = 400  # nor a step header
EXIT_MERGE_GAP = 5  # lines between a failure block and the exit line that still join it
EXIT_CONTEXT = 5  # lines over a lone exit line searched for what went wrong
BLOCK_MERGE_GAP = 2  # blank or rule lines between two blocks that make them one
SNIFF_LINES = 50
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "metis-distill:sources:logs")
_Predicate = Callable[[str], bool]

# --- taking a line apart ---------------------------------------------------------------------
_TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"
# A BOM, or a UTF-8 BOM read as cp1252 and re-encoded (PowerShell `>` of a UTF-8 log).
_BOM = "\ufeff|\u00ef\u00bb\u00bf"
_LEAD = re.compile(rf"^(?:{_BOM})+")
_RUNNER_STAMP = re.compile(rf"^({_TS})(?: |$)")
_GH_COLUMNS = re.compile(r"^([^\t]+)\t([^\t]*)\t")
_STAMP_LIKE = re.compile(r"^\d{4}-\d\d-\d\dT")
_GENERIC_STAMP = re.compile(
    r"^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?)(Z|[+-]\d\d:?\d\d)?\]?(?:\s+|$)"
)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CYAN = re.compile(r"^\x1b\[36;1m")
_WORKFLOW = re.compile(r"^##\[([A-Za-z-]+)\]")
_KNOWN_COMMANDS = frozenset(
    {
        "group",
        "endgroup",
        "error",
        "warning",
        "notice",
        "debug",
        "command",
        "section",
        "add-matcher",
        "remove-matcher",
    }
)

# --- structure ---------------------------------------------------------------------------------
_RUN_GROUP = re.compile(r"^##\[group\]Run (\S.*)$")
# The runner's own lines between steps: never a step's last output.
_RUNNER_NOISE = re.compile(
    r"^(?:Prepare all required actions|Getting action download info|"
    r"Download (?:action repository|immutable action package) .*)$"
)
_JOB_END = re.compile(r"^(?:Post job cleanup\.|Cleaning up orphan processes)$")
_PROMPT = re.compile(r"^\$ (\S.*)$")
_PYTEST_MARK = re.compile(r"^=+ (?:test session starts|short test summary info) =+$")
_FRAME_FILE = re.compile(r'^\s*File "([^"<]+\.py)", line \d+')
_EXIT = re.compile(
    r"^##\[error\](?:Process completed with exit code |.*? exited with code '?)(-?\d+)'?\.?\s*$"
)
_SETUP = re.compile(
    r"^\s*(?:(?:source|\.)\s+\S*activate(?:\s|$)|conda activate\b|set\s+[-+][a-z]+(?:\s+\w+)?\s*$"
    r"|cd\s+\S+\s*$)"
)
_ACTION_REF = re.compile(r"^(?:[\w.-]+/[\w./-]+@[\w./-]+|\./\S+|docker://\S+)$")
_WORKDIR = re.compile(r"^Working directory is '(.+)'$")
_ROOTDIR = re.compile(r"^rootdir: ([^,]+?)\s*(?:,|$)")
_REPOSITORY = re.compile(r"^Syncing repository: (\S+)$")
_BRANCH = re.compile(r"git checkout --progress --force -B (\S+) ")

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
    r"|\berror TS\d+:"
    r"|^make(?:\[\d+\])?: \*\*\* "
    r"|^--- FAIL: |^FAIL\s+\S"
    r"|^(?:FAILED|ERROR) \S+ - "
    r"|^(?:\w+\.)*[A-Z]\w*(?:Error|Exception): \S"
    r"|^\[?(?:ERROR|FATAL|CRITICAL)\]?\s+\S"
    r"|^E: \S"
)
_ERRORISH = re.compile(
    r"error|fail|fatal|not found|denied|cannot|can't|unable|no such|refused|invalid|exception|"
    r"missing|timed? ?out|abort|panic|killed",
    re.I,
)
_RULE_LINE = re.compile(r"^\s*[-=_~*#]{3,}\s*$")

# --- sniffing ----------------------------------------------------------------------------------
_GH_PREFIX = r"(?:[^\t\n]+\t[^\t\n]*\t\ufeff?)?"
_RUNNER_LINE = re.compile(rf"^(?:{_BOM})?{_GH_PREFIX}{_TS}(?: |$)", re.M)
_WORKFLOW_LINE = re.compile(
    rf"^(?:{_BOM})?{_GH_PREFIX}(?:{_TS} )?##\[(?:group|endgroup|error|section)\]", re.M
)
_AIDER = re.compile(r"^# aider chat started at", re.M)
_DOCUMENT = re.compile(r"^(?:```|~~~)", re.M)
_SOURCE_CODE = re.compile(
    r"^(?:def |class |import \w|from [\w.]+ import |function |const |let |var |package |"
    r"#include |public |private )",
    re.M,
)
_STRONG_SIGNS = (
    re.compile(r"^\s*Traceback \(most recent call last\):", re.M),
    re.compile(r"^=+ (?:test session starts|short test summary info|FAILURES|ERRORS) =+$", re.M),
    re.compile(r"^npm (?:ERR!|error) ", re.M),
)
_WEAK_SIGNS = (
    re.compile(r"^=*\s*(?:\d+ [a-z]+(?:, )?)+ in [\d.]+s\b", re.M),
    re.compile(r"^\s+at .+:\d+:\d+\)?$", re.M),
    re.compile(r"^\$ \S", re.M),
    re.compile(r"^(?:error|fatal|ERROR|FATAL|Error)(?:\[[\w-]+\])?: \S", re.M),
    re.compile(r"(?:exit code|exited with code|exit status) '?-?\d+", re.I),
    re.compile(r"^make(?:\[\d+\])?: \*\*\* ", re.M),
)


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """A log, by its content. Never JSON (Claude Code/Codex JSONL, trajectories start with `{`
    or `[`) nor an aider history. Claimed at once: runner-stamped lines (most of the first 50
    lines, raw or `gh run view` columns) or `##[group]`/`##[error]` workflow commands at line
    starts. Otherwise not a document (code fences, a `# ` title, `<` markup, source code) and
    either most first lines start with a date-time, or it shows a strong sign (a Python
    traceback, a pytest banner, `npm ERR!`) or two weak ones (pytest counts, a stack frame, a
    `$ ` prompt, an `error:` line, an exit code, a `make: ***` line)."""
    body = _LEAD.sub("", head.lstrip("\ufeff \t\r\n")).lstrip()
    if not body or body[0] in "{[" or _AIDER.search(body):
        return False
    lines = [line for line in body.splitlines() if line.strip()][:SNIFF_LINES]
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
    if sum(1 for line in lines if _GENERIC_STAMP.match(line)) >= max(enough, len(lines) // 2):
        return True
    if any(sign.search(body) for sign in _STRONG_SIGNS):
        return True
    return sum(1 for sign in _WEAK_SIGNS if sign.search(body)) >= 2


@dataclass(frozen=True)
class _Line:
    """One physical line, taken apart."""

    no: int
    text: str  # the content: no columns, no stamp, no colour codes
    ts: datetime | None  # its stamp, or the last one seen before it
    stamped: bool  # it carried its own stamp (a value's continuation lines do not)
    job: str | None = None  # `gh run view` columns
    step: str | None = None
    script: bool = False  # the runner's cyan echo of a step's script


@dataclass(frozen=True)
class _Step:
    """A command the log shows being run: a workflow step or a `$ ` prompt."""

    first: int  # index of its first line
    last: int  # index of the last line its text came from
    header_last: int  # index of the last line of its header (output starts after it)
    text: str
    tool_name: str
    role: str
    runner: bool  # a workflow step: it succeeded when the next one starts without an error


@dataclass(frozen=True)
class _Segment:
    step: _Step | None
    start: int  # output lines: start..end-1
    end: int
    terminated: bool  # something came after it (another step, the job's end)


@dataclass
class _Block:
    start: int
    end: int
    kind: str = "plain"  # plain | pytest-entry
    exit_code: int | None = None


@dataclass
class _State:
    """Mutable bookkeeping while one file is read."""

    rel_path: str
    lines: list[_Line] = field(default_factory=list)
    count: int = 0
    corrupt: list[int] = field(default_factory=list)
    unknown: int = 0
    gh: bool = False
    runner: bool = False
    first_key: str | None = None
    last_ts: datetime | None = None
    first_ts: datetime | None = None
    max_ts: datetime | None = None
    pending: list[tuple[int, int, Event]] = field(default_factory=list)


def parse_file(path: Path, archive_root: Path) -> Run:
    """Read one log into a Run. Never writes; bad lines are skipped and counted."""
    return parse_lines(path.relative_to(archive_root).as_posix(), numbered_lines(path))


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the log at `rel_path` (relative to its archive root)."""
    state = _State(rel_path=rel_path)
    for line_no, raw in lines:
        _read(state, line_no, raw)
    prompts = not state.runner and not state.gh
    for segment in _segments(state.lines, prompts=prompts):
        _segment_events(state, segment)
    return _finish(state)


# --- pass 1: lines -----------------------------------------------------------------------------


def _read(state: _State, line_no: int, raw: str) -> None:
    if not raw.strip():
        state.lines.append(_Line(line_no, "", state.last_ts, False))
        return
    state.count += 1
    if "\x00" in raw or "\ufffd" in raw:
        state.corrupt.append(line_no)
        return
    rest = _LEAD.sub("", raw)
    job = step = None
    columns = _GH_COLUMNS.match(rest)
    if columns and not _RUNNER_STAMP.match(rest):
        after = _LEAD.sub("", rest[columns.end() :])
        if state.gh or _RUNNER_STAMP.match(after):
            state.gh = True
            job, step, rest = columns.group(1), columns.group(2), after
    ts, stamped, rest = _stamp(state, rest)
    if ts is None and stamped:
        state.corrupt.append(line_no)
        return
    text = _ANSI.sub("", rest)
    command = _WORKFLOW.match(text)
    if command and command.group(1) not in _KNOWN_COMMANDS:
        state.unknown += 1
        return
    if ts is not None:
        if state.first_key is None and state.runner:
            state.first_key = f"{job or ''}\t{ts.isoformat()}\t{text}"
        state.first_ts = ts if state.first_ts is None else min(state.first_ts, ts)
        state.max_ts = ts if state.max_ts is None else max(state.max_ts, ts)
        state.last_ts = ts
    state.lines.append(
        _Line(
            line_no,
            text,
            ts or state.last_ts,
            stamped,
            job,
            step,
            bool(_CYAN.match(rest)),
        )
    )


def _stamp(state: _State, rest: str) -> tuple[datetime | None, bool, str]:
    """(timestamp, had a stamp, rest of the line); (None, True, …) for a cut-off stamp."""
    runner = _RUNNER_STAMP.match(rest)
    if runner:
        state.runner = True
        return _runner_time(runner.group(1)), True, rest[runner.end() :]
    generic = _GENERIC_STAMP.match(rest)
    if _STAMP_LIKE.match(rest) and not generic:
        return None, True, rest
    if generic and not state.runner:
        when = _generic_time(generic.group(1), generic.group(2))
        if when is not None:
            return when, True, rest[generic.end() :]
    return None, False, rest


def _runner_time(value: str) -> datetime | None:
    head, _, fraction = value.rstrip("Z").partition(".")
    try:
        when = datetime.fromisoformat(head + ("." + fraction[:6] if fraction else ""))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC)


def _generic_time(value: str, zone: str | None) -> datetime | None:
    """A leading date-time; without a zone it is local time (contract 11), stored in UTC."""
    head, sep, fraction = value.replace(",", ".").partition(".")
    text = head.replace(" ", "T") + (sep + fraction[:6] if fraction else "")
    if zone:
        text += "+00:00" if zone == "Z" else zone
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(UTC)


# --- pass 2: steps -----------------------------------------------------------------------------


def _segments(lines: Sequence[_Line], *, prompts: bool) -> list[_Segment]:
    """The log cut into stretches of output, each after the step (if any) that printed it."""
    found: list[_Segment] = []
    step: _Step | None = None
    start = 0
    columns: tuple[str | None, str | None] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.job is not None:
            here = (line.job, line.step)
            if columns is not None and here != columns:
                found.append(_Segment(step, start, index, True))
                step, start = None, index
            columns = here
        header = _step_header(lines, index) if _RUN_GROUP.match(line.text) else None
        prompt = _PROMPT.match(line.text) if prompts else None
        if prompt is not None:
            header = _Step(index, index, index, prompt.group(1), "Bash", "user", False)
        if header is not None:
            found.append(_Segment(step, start, index, True))
            step = header
            start = index = header.header_last + 1
            continue
        if _JOB_END.match(line.text) and step is not None:
            found.append(_Segment(step, start, index, True))
            step, start = None, index
        index += 1
    found.append(_Segment(step, start, len(lines), False))
    return [s for s in found if s.step is not None or s.end > s.start]


def _foreign_in_header(line: _Line) -> bool:
    """A stamped line that is not `with:`/`env:` nor an indented value: step output."""
    text = line.text
    if not line.stamped or not text.strip() or text in ("with:", "env:"):
        return False
    return not text.startswith((" ", "\t"))


def _step_header(lines: Sequence[_Line], first: int) -> _Step | None:
    """The `##[group]Run …` header of a workflow step, or None for a group that a step's own
    output opened (its lines are not the runner's script echo, `shell:`, `with:`, `env:`)."""
    match = _RUN_GROUP.match(lines[first].text)
    if match is None:
        return None
    columns = (lines[first].job, lines[first].step)
    script: list[int] = []
    shell = False
    last = first
    for index in range(first + 1, min(len(lines), first + 1 + MAX_HEADER_LINES)):
        line = lines[index]
        if line.job is not None and (line.job, line.step) != columns:
            break
        text = line.text
        if text == "##[endgroup]":
            last = index
            break
        if line.script:
            if text.strip():
                script.append(index)
        elif text.startswith("shell: "):
            shell = True
        elif _foreign_in_header(line):
            return None
        last = index
    name = match.group(1).strip()
    commands = [lines[i].text for i in script]
    kept = [c for c in commands if not _SETUP.match(c) and not c.lstrip().startswith("#")]
    if not shell and not script and _ACTION_REF.match(name):
        return _Step(first, first, last, name, "action", "system", True)
    text = "\n".join(kept or commands) or name
    return _Step(first, script[-1] if script else first, last, text, "Bash", "system", True)


# --- pass 2: failures and events ---------------------------------------------------------------


def _segment_events(state: _State, segment: _Segment) -> None:
    lines = state.lines
    blocks = _blocks(lines, segment.start, segment.end)
    exits = [i for i in range(segment.start, segment.end) if _EXIT.match(lines[i].text)]
    for index in exits:
        _attach_exit(lines, blocks, index, segment.start)
    step = segment.step or _implied_step(lines, segment, blocks)
    tool_id = f"L{lines[step.first].no}" if step is not None else None
    if step is not None:
        _add(
            state,
            step.first,
            step.last,
            role=step.role,
            kind=EventKind.TOOL_CALL,
            text=step.text,
            tool_name=step.tool_name,
            tool_use_id=tool_id,
        )
    tool_name = step.tool_name if step else None
    for block in sorted(blocks, key=lambda b: b.start):
        _add(
            state,
            block.start,
            block.end,
            role="tool",
            kind=EventKind.ERROR,
            text=_block_text(lines, block),
            tool_name=tool_name,
            tool_use_id=tool_id,
            exit_code=block.exit_code,
        )
    if step is None or not _succeeded(step, segment, blocks, exits):
        return
    last = _last_output(lines, segment.start, segment.end)
    if last is not None and not any(b.start <= last <= b.end for b in blocks):
        _add(
            state,
            last,
            last,
            role="tool",
            kind=EventKind.TOOL_RESULT,
            text=lines[last].text,
            tool_name=tool_name,
            tool_use_id=tool_id,
            exit_code=0 if step.runner and step.tool_name == "Bash" else None,
        )


def _implied_step(lines: Sequence[_Line], segment: _Segment, blocks: list[_Block]) -> _Step | None:
    """A failure with no command in sight (bare pytest output, a traceback, a `gh run view`
    step that echoed no script): the failing step is the command. Its name in the `gh`
    columns, `pytest` for a pytest session, `python <script>` for a traceback."""
    if not blocks or segment.end <= segment.start:
        return None
    texts = [lines[i].text for i in range(segment.start, segment.end)]
    name = lines[blocks[0].start].step
    frame = _first_search(_FRAME_FILE, texts)
    if name and name.strip():
        command = name.strip().removeprefix("Run ")
    elif any(_PYTEST_MARK.search(t) for t in texts):
        command = "pytest"
    elif frame is not None:
        command = f"python {frame.rsplit('/', 1)[-1]}"
    else:
        return None
    at = segment.start
    return _Step(at, at, at - 1, command, "Bash", "system", runner=False)


def _succeeded(step: _Step, segment: _Segment, blocks: list[_Block], exits: list[int]) -> bool:
    """A step's status when no exit line says it failed: a workflow step that another one
    followed exited 0; a `$ ` prompt's command finished (its status unknown) and is shown as a
    result only when nothing in its output failed."""
    if exits:
        return False
    return segment.terminated if step.runner else not blocks


def _add(
    state: _State,
    first: int,
    last: int,
    *,
    role: str,
    kind: EventKind,
    text: str,
    tool_name: str | None = None,
    tool_use_id: str | None = None,
    exit_code: int | None = None,
) -> None:
    text = text.strip("\n")
    if not text.strip():
        return
    line = state.lines[first]
    event = Event(
        seq=0,
        role=role,
        kind=kind,
        text=event_text(text),
        ref=SourceRef(state.rel_path, line.no, state.lines[last].no),
        timestamp=line.ts,
        tool_name=tool_name,
        tool_use_id=tool_use_id,
        exit_code=exit_code,
        session=line.job,
    )
    state.pending.append((line.no, len(state.pending), event))


def _last_output(lines: Sequence[_Line], start: int, end: int) -> int | None:
    for index in range(end - 1, start - 1, -1):
        text = lines[index].text
        if text.strip() and not text.startswith("##[") and not _RUNNER_NOISE.match(text):
            return index
    return None


def _attach_exit(lines: Sequence[_Line], blocks: list[_Block], index: int, floor: int) -> None:
    """The step's exit line joins the failure block just above it, or is a block of its own
    that starts at the first error-looking line over it."""
    match = _EXIT.match(lines[index].text)
    if match is None:
        return
    code = int(match.group(1))
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
        if _ERRORISH.search(lines[above].text) and not _EXIT.match(lines[above].text):
            start = above
    blocks.append(_Block(start, index, exit_code=code))


def _block_text(lines: Sequence[_Line], block: _Block) -> str:
    texts = [lines[i].text for i in range(block.start, block.end + 1)]
    if block.kind == "pytest-entry":
        # pytest's own lines of an entry (`E   …`) say what failed; its code listing does not.
        said = [m.group(1) for m in map(_PYTEST_E.match, texts) if m]
        texts = said or texts[1:]
    return "\n".join(t.removeprefix("##[error]") for t in texts)


def _blocks(lines: Sequence[_Line], start: int, end: int) -> list[_Block]:
    """The failure blocks of one stretch of output, in order, adjacent ones merged."""
    summary = any(_pytest_title(lines[i].text) == _PYTEST_SUMMARY for i in range(start, end))
    found: list[_Block] = []
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
    lines: Sequence[_Line], index: int, end: int, summary: bool
) -> tuple[int, list[_Block]] | None:
    """(last line consumed, blocks) when a failure (or a pytest section to skip) starts here."""
    text = lines[index].text
    if _PY_TRACEBACK.match(text):
        last = _traceback_end(lines, index, end)
        return last, [_Block(index, last)]
    title = _pytest_title(text)
    if title == _PYTEST_SUMMARY:
        last = _pytest_summary_end(lines, index, end)
        chunk = [lines[i].text for i in range(index, last + 1)]
        failed = any(t.startswith(("FAILED", "ERROR")) or _PYTEST_BAD.search(t) for t in chunk)
        return last, [_Block(index, last)] if failed else []
    if title in _PYTEST_DETAILS or title in _PYTEST_QUIET:
        last = _section_end(lines, index, end)
        if summary or title in _PYTEST_QUIET:
            return last, []
        return last, _pytest_entries(lines, index, last)
    if _PYTEST_COUNTS.match(text) and _PYTEST_BAD.search(text):
        return index, [_Block(index, index)]
    if _JS_ERROR.match(text):
        last_js = _stack_end(lines, index, end)
        if last_js is not None:
            return last_js, [_Block(index, last_js)]
    if _NPM.match(text):
        last = _run_end(lines, index, end, lambda t: bool(_NPM.match(t)))
        return last, [_Block(index, last)]
    if _BRACKETED_ERROR.match(text):  # sbt, maven: a run of `[error]` lines
        last = _run_end(lines, index, end, lambda t: bool(_BRACKETED_ERROR.match(t)))
        return last, [_Block(index, last)]
    if text.startswith("##[error]") and not _EXIT.match(text):
        last = _run_end(
            lines, index, end, lambda t: t.startswith("##[error]") and not _EXIT.match(t)
        )
        return last, [_Block(index, last)]
    if _GENERIC.search(text):
        last = _run_end(lines, index, end, _continues_error, limit=40)
        return last, [_Block(index, last)]
    return None


def _pytest_title(text: str) -> str | None:
    match = _PYTEST_RULE.match(text)
    return match.group(1) if match else None


def _traceback_end(lines: Sequence[_Line], first: int, end: int) -> int:
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
        if indent < base or _EXIT.match(text):
            break
        last = index  # the exception line
        following = _next_text(lines, index + 1, end)
        if following is None or not _PY_CHAIN.match(lines[following].text):
            break
        index = following
    return last


def _pytest_summary_end(lines: Sequence[_Line], first: int, end: int) -> int:
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


def _section_end(lines: Sequence[_Line], first: int, end: int) -> int:
    for index in range(first + 1, end):
        if _PYTEST_RULE.match(lines[index].text) or _EXIT.match(lines[index].text):
            return index - 1
    return end - 1


def _pytest_entries(lines: Sequence[_Line], first: int, last: int) -> list[_Block]:
    heads = [i for i in range(first + 1, last + 1) if _PYTEST_ENTRY.match(lines[i].text)]
    blocks: list[_Block] = []
    for head, after in zip(heads, [*heads[1:], last + 1][: len(heads)], strict=True):
        tail = after - 1
        while tail > head and not lines[tail].text.strip():
            tail -= 1
        blocks.append(_Block(head, min(tail, head + MAX_BLOCK_LINES), kind="pytest-entry"))
    return blocks


def _stack_end(lines: Sequence[_Line], first: int, end: int) -> int | None:
    """A node/Java error: its message, `at …` frames (and node's object dump), `Node.js vN`."""
    index = first + 1
    while index < end and index - first <= 6 and not _STACK.match(lines[index].text):
        if _EXIT.match(lines[index].text):
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


def _continues_error(text: str) -> bool:
    """A line that carries on a compiler-style error: another one, or an indented detail."""
    if _EXIT.match(text):
        return False
    return bool(_GENERIC.search(text)) or (text[:1] in (" ", "\t") and bool(text.strip()))


def _run_end(
    lines: Sequence[_Line],
    first: int,
    end: int,
    more: _Predicate,
    limit: int = MAX_BLOCK_LINES,
) -> int:
    last = first
    while last + 1 < end and last + 1 - first < limit and more(lines[last + 1].text):
        last += 1
    return last


def _merge(lines: Sequence[_Line], blocks: list[_Block]) -> list[_Block]:
    """Blocks with nothing or only blank or rule lines between them are one failure (unittest's
    `ERROR: test` line and its traceback, an npm error after node's); pytest entries stay apart."""
    merged: list[_Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and "pytest-entry" not in (previous.kind, block.kind)
            and block.start - previous.end - 1 <= BLOCK_MERGE_GAP
            and all(
                not lines[i].text.strip() or _RULE_LINE.match(lines[i].text)
                for i in range(previous.end + 1, block.start)
            )
        ):
            previous.end = block.end
            continue
        merged.append(block)
    return merged


def _next_text(lines: Sequence[_Line], start: int, end: int) -> int | None:
    for index in range(start, end):
        if lines[index].text.strip():
            return index
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


# --- the run -----------------------------------------------------------------------------------


def _finish(state: _State) -> Run:
    events = tuple(
        replace(event, seq=seq) for seq, (_, _, event) in enumerate(sorted(state.pending))
    )
    rel = Path(state.rel_path)
    stats = ParseStats(
        lines=state.count,
        events=len(events),
        corrupt_lines=len(state.corrupt),
        unknown_lines=state.unknown,
        corrupt_line_numbers=tuple(state.corrupt),
    )
    texts = [line.text for line in state.lines]
    repository = _first_match(_REPOSITORY, texts)
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=_session_id(state),
        project=repository or rel.parent.name or rel.stem,
        cwd=_first_match(_WORKDIR, texts) or _first_match(_ROOTDIR, texts),
        git_branch=_first_search(_BRANCH, texts),
        started_at=state.first_ts,
        ended_at=state.max_ts,
        is_subagent=False,
        events=events,
        stats=stats,
    )


def _session_id(state: _State) -> str:
    """Stable for the job, not the file name: a runner-stamped log is named by its first line
    (the job's start to the 100 ns, so two copies of one log are one session); any other log by
    its path in the archive."""
    key = f"job:{state.first_key}" if state.first_key else f"path:{unversioned(state.rel_path)}"
    return str(uuid.uuid5(_NAMESPACE, key))


def _first_match(pattern: re.Pattern[str], texts: Sequence[str]) -> str | None:
    for text in texts:
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def _first_search(pattern: re.Pattern[str], texts: Sequence[str]) -> str | None:
    for text in texts:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


SOURCE = SourceFormat(FORMAT, looks_like, parse_lines)
