"""Pass 1: every line taken apart: `gh run view` columns, the runner's stamp (or a leading
date-time), colour codes; what is left is its content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from metis_distill.sources.common import Draft, Tally, TimeSpan, clock_time

# --- taking a line apart ---------------------------------------------------------------------
TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"
# A BOM, or a UTF-8 BOM read as cp1252 and re-encoded (PowerShell `>` of a UTF-8 log).
BOM = "\ufeff|\u00ef\u00bb\u00bf"
LEAD = re.compile(rf"^(?:{BOM})+")
_RUNNER_STAMP = re.compile(rf"^({TS})(?: |$)")
_GH_COLUMNS = re.compile(r"^([^\t]+)\t([^\t]*)\t")
_STAMP_LIKE = re.compile(r"^\d{4}-\d\d-\d\dT")
GENERIC_STAMP = re.compile(
    r"^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?)(Z|[+-]\d\d:?\d\d)?\]?(?:\s+|$)"
)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# Colours written out in caret notation (`^[[1m`) by a terminal that saved what it showed.
_CARET_ESCAPE = re.compile(r"\^\[(?=[\[\]])")
# The UTF-8 byte-order mark read in a Windows code page (850, 437, 1252) before a line's text.
_MOJIBAKE_BOM = re.compile("´╗┐|∩╗┐|ï»¿")
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


# --- act (nektos/act): `[Workflow/Job] …` on every line a job printed -------------------------
ACT_SNIFF_LINES = 200  # lines of a file read to tell an act log
_ACT_PREFIX = re.compile(r"^\[([^\[\]\n/]+/[^\[\]\n]*?)\s*\] (.*)$")
_ACT_RUN = re.compile(r"^⭐\s+Run (\S.*)$")
_ACT_OUTPUT = re.compile(r"^\s*\| ?(.*)$")
_ACT_SUCCESS = re.compile(r"^\s*✅\s+Success - ")
_ACT_FAILURE = re.compile(r"^\s*❌\s+Failure - ")
_ACT_EXIT = re.compile(r"^exitcode '-?\d+'")


class ActMark(Enum):
    """What an act line is: a step's start, its output, its end, its exit code, or act's own."""

    RUN = "run"
    OUTPUT = "output"
    SUCCESS = "success"
    FAILURE = "failure"
    EXIT = "exit"
    NOTE = "note"  # 🚀 Start, 🐳 docker …, 🏁 Job …, and lines of act itself


def act_line(text: str) -> tuple[str | None, ActMark, str]:
    """(job, what the line is, its content) of a line of an act log; a line without the
    `[Workflow/Job] ` prefix is act's own (job None)."""
    match = _ACT_PREFIX.match(text)
    if match is None:
        return None, ActMark.NOTE, text
    job, rest = match.group(1).strip(), match.group(2)
    if run := _ACT_RUN.match(rest):
        return job, ActMark.RUN, run.group(1).strip()
    if output := _ACT_OUTPUT.match(rest):
        return job, ActMark.OUTPUT, output.group(1)
    if _ACT_SUCCESS.match(rest):
        return job, ActMark.SUCCESS, rest.strip()
    if _ACT_FAILURE.match(rest):
        return job, ActMark.FAILURE, rest.strip()
    if _ACT_EXIT.match(rest):
        return job, ActMark.EXIT, rest.strip()
    return job, ActMark.NOTE, rest.strip()


def is_act(texts: Sequence[str]) -> bool:
    """An act log: most lines carry a job's `[Workflow/Job] ` prefix, two or more start a
    step (`⭐ Run …`) and one or more ends one (`✅ Success - …` / `❌ Failure - …`)."""
    marks = [act_line(_ANSI.sub("", t).strip("\ufeff\r")) for t in texts if t.strip()]
    if not marks:
        return False
    kinds = [mark for job, mark, _ in marks if job is not None]
    ends = kinds.count(ActMark.SUCCESS) + kinds.count(ActMark.FAILURE)
    return kinds.count(ActMark.RUN) >= 2 and ends >= 1 and 2 * len(kinds) >= len(marks)


@dataclass(frozen=True)
class Line:
    """One physical line, taken apart."""

    no: int
    text: str  # the content: no columns, no stamp, no colour codes
    ts: datetime | None  # its stamp, or the last one seen before it
    stamped: bool  # it carried its own stamp (a value's continuation lines do not)
    job: str | None = None  # `gh run view` columns
    step: str | None = None
    script: bool = False  # the runner's cyan echo of a step's script
    act: ActMark | None = None  # in an act log, what the line is


@dataclass
class State:
    """Mutable bookkeeping while one file is read."""

    rel_path: str
    lines: list[Line] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    gh: bool = False
    runner: bool = False
    act: bool = False  # an act log: lines are read by `act_line`
    first_key: str | None = None
    last_ts: datetime | None = None  # the last stamp seen, for the lines without one
    span: TimeSpan = field(default_factory=TimeSpan)
    drafts: list[Draft] = field(default_factory=list)


def read(state: State, line_no: int, raw: str) -> None:
    if not raw.strip():
        state.lines.append(Line(line_no, "", state.last_ts, False))
        return
    state.tally.lines += 1
    if "\x00" in raw or "\ufffd" in raw:
        state.tally.corrupt.append(line_no)
        return
    if "^[" in raw or "╗┐" in raw or "»¿" in raw:
        raw = _MOJIBAKE_BOM.sub("", _CARET_ESCAPE.sub("\x1b", raw))
    rest = LEAD.sub("", raw)
    if state.act:
        job, mark, text = act_line(_ANSI.sub("", rest).rstrip("\r"))
        state.lines.append(Line(line_no, text, None, False, job, act=mark))
        return
    job = step = None
    columns = _GH_COLUMNS.match(rest)
    if columns and not _RUNNER_STAMP.match(rest):
        after = LEAD.sub("", rest[columns.end() :])
        if state.gh or _RUNNER_STAMP.match(after):
            state.gh = True
            job, step, rest = columns.group(1), columns.group(2), after
    ts, stamped, rest = _stamp(state, rest)
    if ts is None and stamped:
        state.tally.corrupt.append(line_no)
        return
    text = _ANSI.sub("", rest)
    command = _WORKFLOW.match(text)
    if command and command.group(1) not in _KNOWN_COMMANDS:
        state.tally.unknown += 1
        return
    if ts is not None:
        if state.first_key is None and state.runner:
            state.first_key = f"{job or ''}\t{ts.isoformat()}\t{text}"
        state.span.note(ts)
        state.last_ts = ts
    state.lines.append(
        Line(
            line_no,
            text,
            ts or state.last_ts,
            stamped,
            job,
            step,
            bool(_CYAN.match(rest)),
        )
    )


def _stamp(state: State, rest: str) -> tuple[datetime | None, bool, str]:
    """(timestamp, had a stamp, rest of the line); (None, True, …) for a cut-off stamp."""
    runner = _RUNNER_STAMP.match(rest)
    if runner:
        state.runner = True
        return clock_time(runner.group(1).rstrip("Z"), "Z"), True, rest[runner.end() :]
    generic = GENERIC_STAMP.match(rest)
    if _STAMP_LIKE.match(rest) and not generic:
        return None, True, rest
    if generic and not state.runner:
        when = clock_time(generic.group(1), generic.group(2))
        if when is not None:
            return when, True, rest[generic.end() :]
    return None, False, rest
