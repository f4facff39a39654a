"""Blocks into events: launches start sessions, user inputs become messages or calls,
replies become prose and Edit calls; aider's output is read by `output`."""

from __future__ import annotations

import re

from metis_distill.models import EventKind
from metis_distill.sources.aider.lexer import HEADER, Block
from metis_distill.sources.aider.output import Output
from metis_distill.sources.aider.patterns import COMMAND, PROSE_COMMANDS
from metis_distill.sources.aider.replies import segments
from metis_distill.sources.aider.state import Pending, State, join, norm_path
from metis_distill.sources.common import Draft, clock_time

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?$")


class Builder:
    """Turns blocks into events, keeping the state that spans blocks (session, last reply)."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.output = Output(state)
        self._echo: Draft | None = None  # `/ask X`: aider logs X again as the next input

    def run(self, blocks: list[Block]) -> None:
        pending: Pending | None = None
        typed_later = _typed_later(blocks)
        for index, block in enumerate(blocks):
            self.output.typed_later = typed_later[index]
            if block.kind == "header":
                self._header(block)
            elif block.kind == "user":
                pending = self._user(block)
                continue
            elif block.kind == "tool":
                self.output.read(block, pending if block.glued else None)
            elif block.kind == "assistant":
                self._assistant(block)
            pending, self._echo = None, None
        self.s.flush()

    # -- launches ------------------------------------------------------------------------

    def _header(self, block: Block) -> None:
        s = self.s
        s.flush()
        line_no, text = block.lines[0]
        header = HEADER.match(text)
        raw_ts = header.group("ts").strip() if header else ""
        ts = clock_time(raw_ts) if _TIME.match(raw_ts) else None
        if ts is None:
            s.tally.corrupt.append(line_no)
            s.session = f"{s.prefix}@L{line_no}"
        else:
            s.session = f"{s.prefix}@{raw_ts.replace(' ', 'T')}"
            s.span.note(ts)
        s.session_ts = ts
        s.first_session = s.first_session or s.session
        s.reply_calls = {}
        s.expect_edit_error = False

    # -- user input ----------------------------------------------------------------------

    def _user(self, block: Block) -> Pending | None:
        s = self.s
        echo, self._echo = self._echo, None
        s.flush()
        contents = block.lines
        if all(text in ("", "<blank>") for _, text in contents):
            return None
        start, end = contents[0][0], contents[-1][0]
        first = contents[0][1]
        rest_lines = [text for _, text in contents[1:]]
        call_id = f"L{start}"
        if first.startswith("!") and first[1:].strip():
            return Pending("bash", s.add_bash("user", first[1:].strip(), start, end))
        command = COMMAND.match(first)
        if command is None:
            text = join([first, *rest_lines])
            if echo is not None and echo.kind is EventKind.TEXT and echo.text == text:
                echo.end = end  # the same question, logged again by the ask coder
                return None
            s.add("user", EventKind.TEXT, text, start, end)
            return None
        name, rest = command.group("cmd").lower(), (command.group("rest") or "").strip()
        if name in ("run", "test") and rest:
            call_id = s.add_bash("user", rest, start, end)
            return Pending("bash", call_id, is_test=name == "test")
        if name == "git" and rest:
            return Pending("bash", s.add_bash("user", first[1:].strip(), start, end))
        if name == "undo":
            s.add("user", EventKind.INTERRUPT, join([first, *rest_lines]), start, end)
            return None
        if name in PROSE_COMMANDS and (rest or any(x.strip() for x in rest_lines)):
            s.add("user", EventKind.TEXT, join([rest, *rest_lines]), start, end)
            self._echo = s.drafts[-1] if s.drafts else None
            return None
        s.add(
            "user",
            EventKind.TOOL_CALL,
            join([first, *rest_lines]),
            start,
            end,
            tool_name="aider",
            tool_use_id=call_id,
        )
        return Pending("aider", call_id, args=rest if name == "add" else "")

    # -- replies -------------------------------------------------------------------------

    def _assistant(self, block: Block) -> None:
        s = self.s
        s.flush()
        s.reply_calls = {}
        lines = block.lines
        for kind, a, b, path in segments(lines, s.edit_format or ""):
            start, end = lines[a][0], lines[b][0]
            if kind == "edit" and path:
                call_id = s.reply_calls.setdefault(norm_path(path), f"L{start}")
                s.add(
                    "assistant",
                    EventKind.TOOL_CALL,
                    path,
                    start,
                    end,
                    tool_name="Edit",
                    tool_use_id=call_id,
                )
            elif kind == "text":
                s.add(
                    "assistant", EventKind.TEXT, join([t for _, t in lines[a : b + 1]]), start, end
                )


def _typed_later(blocks: list[Block]) -> list[bool]:
    """For each block: does the user type anything after it before aider is launched again?
    A ^C with nothing typed after it only quit aider; otherwise it cut the agent short."""
    found, later = [False] * len(blocks), False
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        found[index] = later
        if block.kind == "header":
            later = False
        elif block.kind == "user" and any(t not in ("", "<blank>") for _, t in block.lines):
            later = True
    return found
