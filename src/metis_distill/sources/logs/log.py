"""One log read into a Run: each step a TOOL_CALL, each failure block an ERROR paired with
its step, a step that succeeded a one-line TOOL_RESULT."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from metis_distill.models import EventKind, Run
from metis_distill.sources.common import Draft, events_of, in_file_order, unversioned
from metis_distill.sources.logs.failures import (
    EXIT,
    Block,
    attach_exit,
    block_text,
    find_blocks,
    told_failure,
)
from metis_distill.sources.logs.lines import ACT_SNIFF_LINES, Line, State, is_act, read
from metis_distill.sources.logs.steps import Segment, Step, act_segments, segments

FORMAT = "logs"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "metis-distill:sources:logs")
PYTEST_MARK = re.compile(r"^=+ (?:test session starts|short test summary info) =+$")
# A traceback's first frame when it is a script's top level (`File "/srv/x.py", line 48, in
# <module>`): the script that was run. A first frame in a library (a logger printing an
# exception its own code caught) names no script.
FRAME_FILE = re.compile(
    r'^\s*File "(?![^"]*[/\\](?:site|dist)-packages[/\\])([^"<]+\.py)", line \d+, in <module>'
)
# The runner's own lines between steps: never a step's last output.
RUNNER_NOISE = re.compile(
    r"^(?:Prepare all required actions|Getting action download info|"
    r"Download (?:action repository|immutable action package) .*)$"
)
# A test runner's count of what failed (pytest, jest, vitest, mocha, cargo): 1 or more.
_FAILING_TALLY = re.compile(r"\b[1-9]\d* (?:failed|failing|failures?)\b|^test result: FAILED")
_WORKDIR = re.compile(r"^Working directory is '(.+)'$")
_ROOTDIR = re.compile(r"^rootdir: ([^,]+?)\s*(?:,|$)")
_REPOSITORY = re.compile(r"^Syncing repository: (\S+)$")
_BRANCH = re.compile(r"git checkout --progress --force -B (\S+) ")


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the log at `rel_path` (relative to its archive root)."""
    numbered = list(lines)
    state = State(rel_path=rel_path)
    state.act = is_act([raw for _, raw in numbered[:ACT_SNIFF_LINES]])
    for line_no, raw in numbered:
        read(state, line_no, raw)
    if state.act:
        # jobs run side by side and their lines interleave: each job's steps are its own
        for job in dict.fromkeys(line.job for line in state.lines if line.job is not None):
            kept, found = act_segments([line for line in state.lines if line.job == job])
            for segment in found:
                _segment_events(state, kept, segment)
        return _finish(state)
    prompts = not state.runner and not state.gh
    for segment in segments(state.lines, prompts=prompts):
        _segment_events(state, state.lines, segment)
    return _finish(state)


def _segment_events(state: State, lines: Sequence[Line], segment: Segment) -> None:
    blocks = find_blocks(lines, segment.start, segment.end)
    exits = [i for i in range(segment.start, segment.end) if EXIT.match(lines[i].text)]
    for index in exits:
        attach_exit(lines, blocks, index, segment.start)
    if segment.failed and not blocks:
        blocks = [b for b in [told_failure(lines, segment.start, segment.end)] if b is not None]
    passed = segment.step is not None and _runner_passed(segment, exits)
    if passed or _cut_off_unfailed(lines, segment, exits):
        # The runner shows the step passed, or the log stops inside it with nothing that says
        # it failed: its error-looking output (a test suite printing the errors it checks for)
        # is no failure; the runner's own `##[error]` lines are.
        blocks = [b for b in blocks if _has_runner_error(lines, b)]
    step = segment.step or _implied_step(lines, segment, blocks)
    tool_id = f"L{lines[step.first].no}" if step is not None else None
    if step is not None:
        _add(
            state,
            lines,
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
            lines,
            block.start,
            block.end,
            role="tool",
            kind=EventKind.ERROR,
            text=block_text(lines, block),
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
            lines,
            last,
            last,
            role="tool",
            kind=EventKind.TOOL_RESULT,
            text=lines[last].text,
            tool_name=tool_name,
            tool_use_id=tool_id,
            exit_code=0 if step.runner and step.tool_name == "Bash" else None,
        )


def _implied_step(lines: Sequence[Line], segment: Segment, blocks: list[Block]) -> Step | None:
    """A failure with no command in sight (bare pytest output, a traceback, a `gh run view`
    step that echoed no script): the failing step is the command. Its name in the `gh`
    columns, `pytest` for a pytest session, `python <script>` for a traceback."""
    if not blocks or segment.end <= segment.start:
        return None
    texts = [lines[i].text for i in range(segment.start, segment.end)]
    name = lines[blocks[0].start].step
    frame = first_search(FRAME_FILE, texts)
    if name and name.strip():
        command = name.strip().removeprefix("Run ")
    elif any(PYTEST_MARK.search(t) for t in texts):
        command = "pytest"
    elif frame is not None:
        command = f"python {frame.rsplit('/', 1)[-1]}"
    else:
        return None
    at = segment.start
    return Step(at, at, at - 1, command, "Bash", "system", runner=False)


def _runner_passed(segment: Segment, exits: list[int]) -> bool:
    """A workflow step that another step or the job's end followed, without an exit line."""
    step = segment.step
    return (
        step is not None and step.runner and segment.terminated and not exits and not segment.failed
    )


def _cut_off_unfailed(lines: Sequence[Line], segment: Segment, exits: list[int]) -> bool:
    """A workflow step the log stops in (no step or job end after it), with no exit line and
    no count of failed tests: its verdict is not in the log."""
    step = segment.step
    if step is None or not step.runner or segment.terminated or exits:
        return False
    return not any(_FAILING_TALLY.search(lines[i].text) for i in range(segment.start, segment.end))


def _has_runner_error(lines: Sequence[Line], block: Block) -> bool:
    return any(lines[i].text.startswith("##[error]") for i in range(block.start, block.end + 1))


def _succeeded(step: Step, segment: Segment, blocks: list[Block], exits: list[int]) -> bool:
    """A step's status when no exit line says it failed: a workflow step that another one
    followed, with none of the runner's `##[error]` lines, exited 0; a `$ ` prompt's command
    finished (its status unknown) and is shown as a result only when nothing in its output
    failed."""
    if exits or segment.failed or blocks:
        return False
    return segment.terminated or not step.runner


def _add(
    state: State,
    lines: Sequence[Line],
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
    line = lines[first]
    state.drafts.append(
        Draft(
            role,
            kind,
            text,
            line.no,
            lines[last].no,
            timestamp=line.ts,
            tool_name=tool_name,
            tool_use_id=tool_use_id,
            exit_code=exit_code,
            session=line.job,
        )
    )


def _last_output(lines: Sequence[Line], start: int, end: int) -> int | None:
    for index in range(end - 1, start - 1, -1):
        text = lines[index].text
        if text.strip() and not text.startswith("##[") and not RUNNER_NOISE.match(text):
            return index
    return None


def _finish(state: State) -> Run:
    drafts = in_file_order(state.drafts)
    rel = Path(state.rel_path)
    texts = [line.text for line in state.lines]
    repository = _first_match(_REPOSITORY, texts)
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=_session_id(state),
        project=repository or rel.parent.name or rel.stem,
        cwd=_first_match(_WORKDIR, texts) or _first_match(_ROOTDIR, texts),
        git_branch=first_search(_BRANCH, texts),
        started_at=state.span.first,
        ended_at=state.span.last,
        is_subagent=False,
        events=events_of(state.rel_path, drafts),
        stats=state.tally.stats(len(drafts)),
    )


def _session_id(state: State) -> str:
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


def first_search(pattern: re.Pattern[str], texts: Sequence[str]) -> str | None:
    for text in texts:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None
