"""What is kept while one trajectory is read, and how a tool's output becomes an event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.common import Draft, Tally, TimeSpan
from metis_distill.sources.trajectory.positioned import Doc, Node

# A tool output that says the command failed (SWE-agent does not record exit codes).
_FAILED_OUTPUT = re.compile(
    r"Traceback \(most recent call last\)"
    r"|^[^\n]*\bcommand not found\b"
    r"|^[\w./-]+: [^\n]*(?:No such file or directory|Permission denied)"
    r"|^(?:Error|ERROR|Usage):"
    r"|^No file open\b"
    r"|Your proposed edit has introduced new syntax error"
    r"|^E\s+\w+(?:Error|Exception)\b|^FAILED |^ERROR collecting\b"
    r"|\b[1-9]\d* failed\b|^Tests?:\s+[1-9]\d* failed|^FAILED \((?:failures|errors)=",
    re.M,
)
# The same for a tool that shows files (open, read, edit...): only its own message at the start
# counts, since the file it shows may well contain "Traceback" or "1 failed".
_TOOL_FAILED = re.compile(
    r"\A\s*(?:(?:Error|ERROR|Usage):|No file open\b|File .{1,300} not found\b"
    r"|Your proposed edit has introduced new syntax error|No replacement was performed"
    r"|The path \S+ does not exist)"
)
_SHELLS = frozenset({"Bash", "IPython"})


@dataclass
class State:
    """Mutable bookkeeping while one document is read."""

    rel_path: str
    doc: Doc
    drafts: list[Draft] = field(default_factory=list)
    calls: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (use id, tool)
    session_id: str | None = None
    cwd: str | None = None
    span: TimeSpan = field(default_factory=TimeSpan)
    unknown: int = 0

    def add(
        self,
        node: Node | None,
        *,
        role: str,
        kind: EventKind,
        text: str,
        native_id: str | None = None,
        timestamp: datetime | None = None,
        keep_empty: bool = False,
        **kwargs: Any,
    ) -> None:
        if node is None or not (text.strip() or keep_empty):
            return
        start, end = self.doc.lines(node)
        self.drafts.append(
            Draft(role, kind, text, start, end, timestamp=timestamp, native_id=native_id, **kwargs)
        )

    def add_call(
        self,
        node: Node | None,
        *,
        text: str,
        tool: str | None,
        call_id: str,
        role: str = "assistant",
        known_as: str | None = None,
        **kwargs: Any,
    ) -> None:
        """A tool call; `known_as` is the id its result will answer to, when it has one."""
        if known_as is not None:
            self.calls[known_as] = (call_id, tool)
        self.add(
            node,
            role=role,
            kind=EventKind.TOOL_CALL,
            text=text.strip(),
            tool_name=tool,
            tool_use_id=call_id,
            **kwargs,
        )

    def add_result(
        self,
        node: Node | None,
        *,
        failed: bool,
        text: str,
        tool_use_id: str | None,
        tool_name: str | None,
        exit_code: int | None,
        native_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        """What a call gave back: an error (the system's, when no call is known), or its
        result, kept even when empty."""
        common: dict[str, Any] = {
            "text": text,
            "tool_use_id": tool_use_id,
            "tool_name": tool_name,
            "exit_code": exit_code,
            "native_id": native_id,
            "timestamp": timestamp,
        }
        if failed:
            role = "tool" if tool_use_id is not None else "system"
            self.add(node, role=role, kind=EventKind.ERROR, **common)
        else:
            self.add(node, role="tool", kind=EventKind.TOOL_RESULT, keep_empty=True, **common)

    def tally(self, nonblank: int) -> Tally:
        return Tally(lines=nonblank, corrupt=self.doc.corrupt, unknown=self.unknown)


def tool_output(
    state: State,
    node: Node,
    text: str,
    call_id: str | None,
    tool: str | None,
    *,
    exit_code: int | None = None,
    error: bool = False,
    orphan_role: str = "tool",
    exit_told: bool = False,
    **extra: Any,
) -> None:
    """A command's output: an ERROR when the run says it failed (`error`, a non-zero exit code)
    or the output shows it (unless `exit_told`: the exit code is the command's own, no pipe
    or list hiding one), else a result (kept when empty, so that the call still has one). A
    failure answering no call is `orphan_role`'s (the harness's, for some formats)."""
    shown = not (exit_told and exit_code == 0) and shows_failure(text, tool)
    failed = error or exit_code not in (None, 0) or shown
    state.add(
        node,
        role="tool" if call_id is not None or not failed else orphan_role,
        kind=EventKind.ERROR if failed else EventKind.TOOL_RESULT,
        text=text,
        tool_use_id=call_id,
        tool_name=tool,
        exit_code=exit_code,
        keep_empty=not failed,
        **extra,
    )


def shows_failure(text: str, tool: str | None) -> bool:
    """Does a tool's output say it failed? Shell output anywhere; other tools at its start."""
    if tool is None or tool in _SHELLS:
        return bool(_FAILED_OUTPUT.search(text[:20_000]))
    return bool(_TOOL_FAILED.match(text))


def content_nodes(state: State, content: Node | None) -> tuple[Node, str] | None:
    """A message's `content` as one text and the lines it spans: the string itself, or the
    text blocks of a content list (from the first block's line to the last's)."""
    if content is None:
        return None
    if isinstance(content.value, str):
        return content, content.value
    if not isinstance(content.value, list):
        return None
    walked = state.doc.walk(content.value_start, 2)
    nodes = [
        text
        for block in walked.items or []
        if (text := (block.members or {}).get("text")) is not None and isinstance(text.value, str)
    ]
    if not nodes:
        return None
    span = Node(None, nodes[0].start, nodes[-1].end, nodes[0].value_start)
    return span, "\n".join(n.value for n in nodes)


def string_node(node: Node | None) -> Node | None:
    return node if node is not None and isinstance(node.value, str) else None


def id_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    return str(value) if isinstance(value, int | str) else None
