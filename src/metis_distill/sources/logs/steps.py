"""Pass 2, the commands: workflow steps (`##[group]Run …` headers) and `$ ` prompts cut
the log into stretches of output, each after the step that printed it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.sources.logs.lines import ActMark, Line

MAX_HEADER_LINES = 400  # nor a step header
# --- structure ---------------------------------------------------------------------------------
_RUN_GROUP = re.compile(r"^##\[group\]Run (\S.*)$")
_JOB_END = re.compile(r"^(?:Post job cleanup\.|Cleaning up orphan processes)$")
_PROMPT = re.compile(r"^\$ (\S.*)$")
_SETUP = re.compile(
    r"^\s*(?:(?:source|\.)\s+\S*activate(?:\s|$)|conda activate\b|set\s+[-+][a-z]+(?:\s+\w+)?\s*$"
    r"|cd\s+\S+\s*$)"
)
# A script line a shell construct carries on past (a `\`, a pipe, `then`, `{`, a here-document,
# an open quote) or one that ends such a construct: the script is not one command a line.
_CARRIED_ON = re.compile(
    r"(?:\\|\||&&|\{|\(|\bthen|\bdo|\belse|\bin)\s*$"
    r"|^\s*(?:(?:fi|done|esac|else|elif|then|do)\b|[})])|<<"
)
_ACT_MAIN = re.compile(r"^Main ")  # act's stage of a step; `Pre `/`Post ` stay in its name
_ACT_OTHER_STAGE = re.compile(r"^(?:Pre|Post) ")
_ACT_KEPT = frozenset({ActMark.RUN, ActMark.OUTPUT, ActMark.EXIT})
_ACTION_REF = re.compile(r"^(?:[\w.-]+/[\w./-]+@[\w./-]+|\./\S+|docker://\S+)$")


@dataclass(frozen=True)
class Step:
    """A command the log shows being run: a workflow step or a `$ ` prompt."""

    first: int  # index of its first line
    last: int  # index of the last line its text came from
    header_last: int  # index of the last line of its header (output starts after it)
    text: str
    tool_name: str
    role: str
    runner: bool  # a workflow step: it succeeded when the next one starts without an error


@dataclass(frozen=True)
class Segment:
    step: Step | None
    start: int  # output lines: start..end-1
    end: int
    terminated: bool  # something came after it (another step, the job's end)
    failed: bool = False  # the log says so in words (act's `❌ Failure - …`)


def segments(lines: Sequence[Line], *, prompts: bool) -> list[Segment]:
    """The log cut into stretches of output, each after the step (if any) that printed it."""
    found: list[Segment] = []
    step: Step | None = None
    start = 0
    columns: tuple[str | None, str | None] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.job is not None:
            here = (line.job, line.step)
            if columns is not None and here != columns:
                found.append(Segment(step, start, index, True))
                step, start = None, index
            columns = here
        header = _step_header(lines, index) if _RUN_GROUP.match(line.text) else None
        prompt = _PROMPT.match(line.text) if prompts else None
        if prompt is not None:
            header = Step(index, index, index, prompt.group(1), "Bash", "user", False)
        if header is not None:
            found.append(Segment(step, start, index, True))
            step = header
            start = index = header.header_last + 1
            continue
        if _JOB_END.match(line.text) and step is not None:
            found.append(Segment(step, start, index, True))
            step, start = None, index
        index += 1
    found.append(Segment(step, start, len(lines), False))
    return [s for s in found if s.step is not None or s.end > s.start]


def _foreign_in_header(line: Line) -> bool:
    """A stamped line that is not `with:`/`env:` nor an indented value: step output."""
    text = line.text
    if not line.stamped or not text.strip() or text in ("with:", "env:"):
        return False
    return not text.startswith((" ", "\t"))


def _step_header(lines: Sequence[Line], first: int) -> Step | None:
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
        return Step(first, first, last, name, "action", "system", True)
    text = _joined(kept or commands) or name
    return Step(first, script[-1] if script else first, last, text, "Bash", "system", True)


def _joined(commands: list[str]) -> str:
    """A script of one command a line as those commands run in turn (`a && b`: the runner's
    `bash -e` stops at the first that fails); any other script as it is."""
    simple = all(
        not _CARRIED_ON.search(c) and c.count('"') % 2 == 0 and c.count("'") % 2 == 0
        for c in commands
    )
    return " && ".join(c.strip() for c in commands) if simple else "\n".join(commands)


def act_segments(job: Sequence[Line]) -> tuple[list[Line], list[Segment]]:
    """One act job's steps: its `⭐ Run …` lines, their output and exit lines (act's own notes
    and the step's end line left out), and each segment over those lines."""
    kept: list[Line] = []
    found: list[Segment] = []
    step: Step | None = None
    start, ended, failed = 0, False, False
    for line in job:
        if line.act is ActMark.RUN:
            found.append(Segment(step, start, len(kept), True, failed))
            at = len(kept)
            name = _ACT_MAIN.sub("", line.text)
            tool = "action" if _ACTION_REF.match(_ACT_OTHER_STAGE.sub("", name)) else "Bash"
            step = Step(at, at, at, name, tool, "system", True)
            start, ended, failed = at + 1, False, False
        elif line.act in (ActMark.SUCCESS, ActMark.FAILURE):
            ended = True
            failed = failed or line.act is ActMark.FAILURE
        if line.act in _ACT_KEPT:
            kept.append(line)
    found.append(Segment(step, start, len(kept), ended, failed))
    return kept, [s for s in found if s.step is not None or s.end > s.start]
