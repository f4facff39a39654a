"""Agent trajectories saved as one JSON document: SWE-agent `*.traj` and OpenHands event lists.

SWE-agent (2024 schema): an object with `trajectory` (steps of `thought`/`action`/`observation`),
`history` (the chat sent to the model) and `info` (`exit_status`, `submission`); demonstration
files may hold only `history` (function-calling messages with `tool_calls` / `tool_call_ids`).
OpenHands: a list of events, actions (`action`, `args`) and observations (`observation`,
`content`, `extras`) linked by `cause` -> action `id`.

The document is pretty-printed, so line numbers matter: it is walked with the stdlib decoder
(`raw_decode` at offsets) to learn where every record and every key/value starts and ends, and
each event's SourceRef covers exactly the key/value lines it came from. A record that does not
decode is skipped and counted; the walk resumes at the next record of the same indentation.
A document that cannot be read at all is one corrupt line and a Run with no events.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from metis_distill.models import Event, EventKind, ParseStats, Run, SourceRef
from metis_distill.sources.base import SourceFormat
from metis_distill.sources.common import as_str, event_text, parse_timestamp, unversioned
from metis_distill.textio import numbered_lines

FORMAT = "trajectory"
_RECORD_DEPTH = 2  # record arrays are walked down to their records' members

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_INDENT = re.compile(r"[ \t]*")

# SWE-agent's own commands (0.x default and EnIGMA bundles, 1.x tools): they keep their name;
# any other action is a shell command, `Bash`.
_SWE_COMMANDS = frozenset(
    {
        "open",
        "goto",
        "scroll_up",
        "scroll_down",
        "create",
        "search_dir",
        "search_file",
        "find_file",
        "edit",
        "insert",
        "append",
        "submit",
        "skip",
        "exit_forfeit",
        "filemap",
        "str_replace_editor",
        "view",
        "undo_edit",
        "decompile",
        "disassemble",
        "debug_start",
        "debug_add_breakpoint",
        "debug_continue",
        "debug_step",
        "debug_exec",
        "debug_stop",
        "connect_start",
        "connect_sendline",
        "connect_exec",
        "connect_stop",
    }
)
_SHELL_TOOLS = frozenset({"bash", "execute_bash", "shell", "cmd_run", "run"})
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
_EXIT_SUFFIX = re.compile(r"\[The command completed with exit code (-?\d+)\.\]")
_TEMPLATE_MARK = "\nINSTRUCTIONS:"  # where SWE-agent's instance template follows the task
_CURRENT_DIR = re.compile(r"^\(Current directory: (?P<cwd>[^\n)]+)\)$", re.M)

# OpenHands: how each action is read, and which events carry nothing to learn from.
_OH_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "run": ("Bash", ("command",)),
    "run_ipython": ("IPython", ("code",)),
    "read": ("Read", ("path",)),
    "write": ("Write", ("path",)),
    "edit": ("Edit", ("path",)),
    "browse": ("Browse", ("url",)),
    "browse_interactive": ("BrowseInteractive", ("browser_actions",)),
    "delegate": ("Task", ("agent",)),
    "mcp": ("MCP", ("name",)),
}
_OH_QUIET_ACTIONS = frozenset(
    {"system", "recall", "change_agent_state", "null", "condensation", "condensation_request"}
)
_OH_QUIET_OBSERVATIONS = frozenset(
    {"agent_state_changed", "null", "recall", "condense", "condensation", "think", "success"}
)
_OH_RESULTS = frozenset(
    {"run", "run_ipython", "read", "write", "edit", "browse", "delegate", "mcp", "download"}
)


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """One JSON document: an object with a `trajectory`/`history` array of steps or messages,
    or an array of OpenHands events (objects with `action`/`observation` and `source`)."""
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return _looks_like_events(text)
    if text.startswith("{"):
        return _looks_like_traj(text) or _looks_like_one_event(text)
    return False


def _looks_like_one_event(text: str) -> bool:
    """One OpenHands event on its own: a file of its event store (`events/N.json`)."""
    try:
        event, _ = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        chunk = text[:4096]  # the event runs past the head: its keys decide
        has_kind = '"action"' in chunk or '"observation"' in chunk
        return '"id"' in chunk and '"source"' in chunk and has_kind
    return isinstance(event, dict) and "id" in event and _is_openhands_event(event)


def _looks_like_events(text: str) -> bool:
    pos = _skip(text, 1)
    if text[pos : pos + 1] == "[":  # old OpenHands history: [[action, observation], ...]
        pos = _skip(text, pos + 1)
    if text[pos : pos + 1] != "{":
        return False
    try:
        first, _ = _DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError):
        chunk = text[pos : pos + 4096]  # the first event runs past the head: its keys decide
        return '"source"' in chunk and ('"action"' in chunk or '"observation"' in chunk)
    return isinstance(first, dict) and _is_openhands_event(first)


def _looks_like_traj(text: str) -> bool:
    """The top-level keys, read until the head ends; JSON lines (a second value) are not ours."""
    pos, keys = _skip(text, 1), set()
    while pos < len(text) and text[pos] == '"':
        try:
            key, pos = _DECODER.raw_decode(text, pos)
        except ValueError:
            break
        pos = _skip(text, pos)
        if text[pos : pos + 1] != ":":
            return False
        pos = _skip(text, pos + 1)
        if key in ("trajectory", "history") and _first_item_ok(text, pos):
            keys.add(key)
        try:
            _, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            break  # the value runs past the head
        pos = _skip(text, pos)
        if text[pos : pos + 1] == ",":
            pos = _skip(text, pos + 1)
        elif text[pos : pos + 1] == "}":
            rest = text[_skip(text, pos + 1) :]
            return bool(keys) and not rest
        else:
            return False
    return bool(keys)


_STEP_KEYS = ('"role"', '"action"', '"observation"', '"thought"')


def _first_item_ok(text: str, pos: int) -> bool:
    """An array whose first item is a step or a chat message (or an empty array)."""
    if text[pos : pos + 1] != "[":
        return False
    pos = _skip(text, pos + 1)
    if text[pos : pos + 1] in ("]", ""):
        return True
    if text[pos : pos + 1] != "{":
        return False
    try:
        first, _ = _DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError):
        return any(k in text[pos : pos + 4096] for k in _STEP_KEYS)  # runs past the head
    return isinstance(first, dict) and bool({"role", "action", "observation"} & first.keys())


# --- positioned JSON -----------------------------------------------------------------------


class _Corrupt(Exception):
    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


@dataclass
class _Node:
    """A decoded value and where it sits: `start` is its key's offset for an object member."""

    value: Any
    start: int
    end: int
    value_start: int
    members: dict[str, _Node] | None = None
    items: list[_Node] | None = None


@dataclass
class _Doc:
    """The document's text, its line table and what went wrong while walking it."""

    text: str
    starts: list[int]
    numbers: list[int]
    corrupt: list[int] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def of(cls, lines: Iterable[tuple[int, str]]) -> tuple[_Doc, int]:
        parts: list[str] = []
        starts: list[int] = []
        numbers: list[int] = []
        offset = nonblank = 0
        for number, line in lines:
            starts.append(offset)
            numbers.append(number)
            parts.append(line)
            offset += len(line) + 1
            nonblank += bool(line.strip())
        return cls("\n".join(parts), starts or [0], numbers or [1]), nonblank

    def line(self, offset: int) -> int:
        return self.numbers[max(0, bisect_right(self.starts, max(offset, 0)) - 1)]

    def mark_corrupt(self, offset: int) -> None:
        """Count the line of a break; a break at the end (or in blanks) is the last line with
        text before it, not the empty line after the final newline."""
        if offset >= len(self.text) or self.text[offset].isspace():
            offset = max(len(self.text[:offset].rstrip()) - 1, 0)
        self.corrupt.append(self.line(offset))

    def ref(self, rel_path: str, node: _Node, native_id: str | None = None) -> SourceRef:
        return SourceRef(
            rel_path, self.line(node.start), self.line(max(node.end - 1, node.start)), native_id
        )

    def walk(self, pos: int, depth: int, records: bool = False) -> _Node:
        """The value at `pos` (after blanks), its containers walked `depth` levels down.
        Arrays walked with `records` skip a bad item and go on with the next one."""
        text = self.text
        pos = _skip(text, pos)
        head = text[pos : pos + 1]
        if depth > 0 and head == "{":
            return self._object(pos, depth)
        if depth > 0 and head == "[":
            return self._array(pos, depth, records)
        value, end = _decode(text, pos)
        return _Node(value, pos, end, pos)

    def children(self, node: _Node) -> _Node:
        """The node walked one level further (it decoded already, so this cannot fail)."""
        if node.members is not None or node.items is not None:
            return node
        if not isinstance(node.value, dict | list):
            return node
        walked = self.walk(node.value_start, 1)
        return _Node(node.value, node.start, node.end, node.value_start, walked.members)

    def _object(self, pos: int, depth: int) -> _Node:
        text = self.text
        members: dict[str, _Node] = {}
        value: dict[str, Any] = {}
        i = _skip(text, pos + 1)
        if text[i : i + 1] == "}":
            return _Node(value, pos, i + 1, pos, members)
        while True:
            if text[i : i + 1] != '"':
                raise _Corrupt(i)
            key_start = i
            key, i = _decode(text, i)
            i = _skip(text, i)
            if text[i : i + 1] != ":":
                raise _Corrupt(i)
            child = self.walk(i + 1, depth - 1, records=depth == _RECORD_DEPTH + 1)
            child.start = key_start
            members[key], value[key] = child, child.value
            if self.truncated:
                return _Node(value, pos, child.end, pos, members)
            i = _skip(text, child.end)
            if text[i : i + 1] == ",":
                i = _skip(text, i + 1)
            elif text[i : i + 1] == "}":
                return _Node(value, pos, i + 1, pos, members)
            else:
                raise _Corrupt(i)

    def _array(self, pos: int, depth: int, records: bool) -> _Node:
        text, items = self.text, list[_Node]()
        i = _skip(text, pos + 1)
        if text[i : i + 1] == "]":
            return _Node([], pos, i + 1, pos, items=items)
        while True:
            try:
                item = self.walk(i, depth - 1)
                after = _skip(text, item.end)
                if text[after : after + 1] not in (",", "]"):
                    raise _Corrupt(after)
            except _Corrupt:
                if not records:
                    raise
                self.mark_corrupt(i)
                resume = self._resync(pos, i)
                if resume is None:
                    self.truncated = True
                    return _Node([n.value for n in items], pos, len(text), pos, items=items)
                if text[resume] == "]":
                    return _Node([n.value for n in items], pos, resume + 1, pos, items=items)
                i = resume
                continue
            items.append(item)
            if text[after] == "]":
                return _Node([n.value for n in items], pos, after + 1, pos, items=items)
            i = _skip(text, after + 1)

    def _resync(self, array_pos: int, bad: int) -> int | None:
        """Where to go on after a bad item: the next line that starts a value at the bad item's
        column, or the array's closing bracket at the column of the line that opened it."""
        text = self.text
        item_col = bad - (text.rfind("\n", 0, bad) + 1)
        open_line = text.rfind("\n", 0, array_pos) + 1
        close_col = _end(_INDENT, text, open_line) - open_line
        line_start = text.find("\n", bad)
        while line_start != -1:
            line_start += 1
            first = _end(_INDENT, text, line_start)
            col, char = first - line_start, text[first : first + 1]
            if col == item_col and char in ("{", "[", '"'):
                return first
            if col == close_col and char == "]":
                return first
            line_start = text.find("\n", first)
        return None


def _decode(text: str, pos: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError) as e:
        raise _Corrupt(getattr(e, "pos", pos)) from e


def _skip(text: str, pos: int) -> int:
    return _end(_WS, text, pos)


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a pattern that always matches (`[...]*`) stops matching from `pos`."""
    match = pattern.match(text, pos)
    return match.end() if match else pos


# --- parsing -------------------------------------------------------------------------------


@dataclass
class _State:
    """Mutable bookkeeping while one document is read."""

    rel_path: str
    doc: _Doc
    events: list[Event] = field(default_factory=list)
    calls: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (use id, tool)
    session_id: str | None = None
    cwd: str | None = None
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    unknown: int = 0

    def add(
        self,
        node: _Node | None,
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
        self.events.append(
            Event(
                seq=len(self.events),
                role=role,
                kind=kind,
                text=event_text(text),
                ref=self.doc.ref(self.rel_path, node, native_id),
                timestamp=timestamp,
                **kwargs,
            )
        )

    def note_time(self, ts: datetime | None) -> None:
        if ts is not None:
            self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
            self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)


def parse_file(path: Path, archive_root: Path) -> Run:
    """Read one trajectory into a Run. Never writes; bad records are skipped and counted."""
    return parse_lines(path.relative_to(archive_root).as_posix(), numbered_lines(path))


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the file at `rel_path` (relative to its archive root)."""
    doc, nonblank = _Doc.of(lines)
    state = _State(rel_path=rel_path, doc=doc)
    root = _read_root(doc)
    if root is not None:
        try:
            _dispatch(state, root)
        except (_Corrupt, RecursionError):  # a value that decoded once and not twice: no event
            doc.mark_corrupt(root.start)
    return _finish(state, nonblank)


def _read_root(doc: _Doc) -> _Node | None:
    """The document walked to its records' members; None (and one corrupt line) if unreadable."""
    text = doc.text.lstrip("\ufeff")
    start = _skip(doc.text, len(doc.text) - len(text))
    head = doc.text[start : start + 1]
    if head not in ("{", "["):
        if doc.text.strip():
            _read_scalar(doc, start)
        return None
    try:
        root = doc.walk(start, _RECORD_DEPTH + 1, records=True)
    except _Corrupt as e:
        doc.mark_corrupt(e.pos)
        salvaged = _salvage_object(doc, start) if head == "{" else None
        if salvaged is None:
            return None
        root = salvaged
    if doc.truncated:
        doc.truncated = False  # later walks (of values that decoded) start afresh
    else:
        rest = _skip(doc.text, root.end)
        if rest < len(doc.text):  # a second document (JSON lines?) is not read
            doc.mark_corrupt(rest)
    return root


def _read_scalar(doc: _Doc, start: int) -> None:
    try:
        doc.walk(start, 0)
    except _Corrupt as e:
        doc.mark_corrupt(e.pos)


def _salvage_object(doc: _Doc, start: int) -> _Node | None:
    """A top-level object broken outside its record arrays (the caller counted the break):
    the members read before the break."""
    text = doc.text
    members: dict[str, _Node] = {}
    value: dict[str, Any] = {}
    i = _skip(text, start + 1)
    while text[i : i + 1] == '"' and not doc.truncated:
        key_start = i
        try:
            key, i = _decode(text, i)
            i = _skip(text, i)
            if text[i : i + 1] != ":":
                break
            child = doc.walk(i + 1, _RECORD_DEPTH, records=True)
        except _Corrupt:
            break
        child.start = key_start
        members[key], value[key] = child, child.value
        i = _skip(text, child.end)
        if text[i : i + 1] != ",":
            break
        i = _skip(text, i + 1)
    if not members:
        return None
    return _Node(value, start, len(text), start, members)


def _dispatch(state: _State, root: _Node) -> None:
    if root.items is not None:
        _openhands(state, _flatten(root.items))
        return
    if _is_event_node(root):  # one event of an OpenHands event store
        _openhands(state, [root])
        return
    members = root.members or {}
    steps, history = members.get("trajectory"), members.get("history")
    if steps is not None and steps.items and any(_is_event_node(n) for n in steps.items):
        _openhands(state, _flatten(steps.items))
    elif steps is not None and steps.items is not None and steps.items:
        _swe_task(state, history)
        _swe_steps(state, steps.items)
    elif history is not None and history.items is not None:
        _swe_history(state, history.items)
    else:
        state.unknown += 1
        return
    info = members.get("info")
    if info is not None and info.members:
        _swe_info(state, info.members)


def _flatten(items: list[_Node]) -> Iterator[_Node]:
    """Records of an event list; old OpenHands histories hold [action, observation] pairs."""
    for item in items:
        if item.items is not None:
            yield from item.items
        else:
            yield item


def _is_event_node(node: _Node) -> bool:
    return isinstance(node.value, dict) and _is_openhands_event(node.value)


def _is_openhands_event(record: dict[str, Any]) -> bool:
    kind = record.get("action", record.get("observation"))
    return isinstance(kind, str) and ("source" in record or "args" in record or "extras" in record)


# --- SWE-agent ----------------------------------------------------------------------------


def _swe_task(state: _State, history: _Node | None) -> None:
    """The task as given to the agent: the first user message of `history` (demos skipped)."""
    for node in (history.items or []) if history is not None else []:
        message = node.value
        if not isinstance(message, dict) or message.get("is_demo"):
            continue
        if message.get("role") == "assistant":
            return
        if message.get("role") == "user":
            _message_text(state, node, role="user", task=True)
            return


def _swe_steps(state: _State, steps: list[_Node]) -> None:
    for node in steps:
        step, members = node.value, node.members or {}
        if not isinstance(step, dict) or not ({"action", "observation"} & step.keys()):
            state.unknown += 1
            continue
        _swe_cwd(state, step.get("state"))
        for key in ("thought", "response"):
            text = as_str(step.get(key))
            if text and text.strip():
                state.add(members[key], role="assistant", kind=EventKind.TEXT, text=text.strip())
                break
        action, call_id, tool = as_str(step.get("action")), None, None
        if action is not None and action.strip():
            call_id = f"L{state.doc.line(members['action'].start)}"
            tool = _swe_tool(action)
            state.add(
                members["action"],
                role="assistant",
                kind=EventKind.TOOL_CALL,
                text=action.strip(),
                tool_name=tool,
                tool_use_id=call_id,
            )
        observation = as_str(step.get("observation"))
        if observation is not None:
            _swe_cwd_from_output(state, observation)
            _tool_output(state, members["observation"], observation, call_id, tool)


def _swe_history(state: _State, messages: list[_Node]) -> None:
    """A trajectory kept only as chat messages (demonstrations, function calling)."""
    pending: tuple[str, str | None] | None = None  # the last call, for old-style observations
    seen_assistant = False
    for node in messages:
        message, members = node.value, node.members or {}
        if not isinstance(message, dict):
            state.unknown += 1
            continue
        role = message.get("role")
        if message.get("is_demo") or role == "system":
            continue
        if message.get("message_type") in ("system_prompt", "demonstration"):
            continue
        if role == "assistant":
            seen_assistant = True
            pending = _swe_history_call(state, message, members)
        elif role == "tool" or (role == "user" and seen_assistant):
            call_id, tool = pending or (None, None)
            ids = message.get("tool_call_ids")
            if isinstance(ids, list) and ids and isinstance(ids[0], str):
                call_id, tool = state.calls.get(ids[0], (ids[0], tool))
            found = _content_nodes(state, members.get("content"))
            if found is not None:
                text_node, text = found
                _swe_cwd_from_output(state, text)
                _tool_output(state, text_node, text, call_id, tool)
            pending = None
        elif role == "user":
            _message_text(state, node, role="user", task=True)
        else:
            state.unknown += 1


def _swe_history_call(
    state: _State, message: dict[str, Any], members: dict[str, _Node]
) -> tuple[str, str | None] | None:
    thought = as_str(message.get("thought"))
    if thought is not None and thought.strip():
        state.add(members["thought"], role="assistant", kind=EventKind.TEXT, text=thought.strip())
    else:
        _message_text(state, _Node(message, 0, 0, 0, members), role="assistant")
    action = as_str(message.get("action"))
    if action is None or not action.strip():
        return None
    native, tool = _first_tool_call(message.get("tool_calls"))
    tool = tool or _swe_tool(action)
    call_id = native or f"L{state.doc.line(members['action'].start)}"
    if native:
        state.calls[native] = (call_id, tool)
    state.add(
        members["action"],
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=action.strip(),
        tool_name=tool,
        tool_use_id=call_id,
        native_id=native,
    )
    return call_id, tool


def _first_tool_call(calls: Any) -> tuple[str | None, str | None]:
    if not isinstance(calls, list) or not calls or not isinstance(calls[0], dict):
        return None, None
    function = calls[0].get("function")
    name = as_str(function.get("name")) if isinstance(function, dict) else None
    if name is not None:
        name = "Bash" if name.lower() in _SHELL_TOOLS else name
    return as_str(calls[0].get("id")), name


def _message_text(state: _State, node: _Node, role: str, task: bool = False) -> None:
    """A chat message's text: its `content` string, or each text block of a content list.
    For the task message, SWE-agent's own INSTRUCTIONS (its template, not a person's words:
    "Always start by trying to replicate the bug...") are left out; the issue text stays."""
    members = node.members or {}
    content = members.get("content")
    if content is None:
        return
    if isinstance(content.value, str):
        text_nodes = [content]
    elif isinstance(content.value, list):
        walked = state.doc.walk(content.value_start, 2)
        blocks = [b.members or {} for b in walked.items or []]
        text_nodes = [block["text"] for block in blocks if "text" in block]
    else:
        return
    for text_node in text_nodes:
        if isinstance(text_node.value, str):
            text = text_node.value.split(_TEMPLATE_MARK, 1)[0] if task else text_node.value
            state.add(text_node, role=role, kind=EventKind.TEXT, text=text.strip())


def _swe_info(state: _State, info: dict[str, _Node]) -> None:
    for key in ("exit_status", "submission"):
        node = info.get(key)
        if node is not None and isinstance(node.value, str):
            state.add(node, role="system", kind=EventKind.SUMMARY, text=node.value.strip())


def _swe_tool(action: str) -> str:
    words = action.split(None, 1)
    return words[0] if words and words[0] in _SWE_COMMANDS else "Bash"


def _swe_cwd(state: _State, raw: Any) -> None:
    if state.cwd is not None:
        return
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return
    if isinstance(raw, dict):
        state.cwd = as_str(raw.get("working_dir"))


def _swe_cwd_from_output(state: _State, text: str) -> None:
    if state.cwd is None:
        match = _CURRENT_DIR.search(text)
        state.cwd = match.group("cwd").strip() if match else None


# --- OpenHands ----------------------------------------------------------------------------


def _openhands(state: _State, records: Iterable[_Node]) -> None:
    for node in records:
        event = node.value
        if not isinstance(event, dict):
            state.unknown += 1
            continue
        ts = parse_timestamp(event.get("timestamp"))
        state.note_time(ts)
        if isinstance(event.get("action"), str):
            _oh_action(state, node, event, ts)
        elif isinstance(event.get("observation"), str):
            _oh_observation(state, node, event, ts)
        else:
            state.unknown += 1


def _oh_action(state: _State, node: _Node, event: dict[str, Any], ts: datetime | None) -> None:
    action, members = event["action"], node.members or {}
    native = _native(event.get("id"))
    args = state.doc.children(members["args"]) if "args" in members else None
    arg = (args.members or {}) if args is not None else {}
    source = as_str(event.get("source"))
    role = "user" if source == "user" else "system" if source == "environment" else "assistant"
    common: dict[str, Any] = {"native_id": native, "timestamp": ts}
    if action == "message":
        text_node = _string_node(arg.get("content")) or _string_node(members.get("message"))
        if text_node is not None:
            state.add(text_node, role=role, kind=EventKind.TEXT, text=text_node.value, **common)
    elif action == "finish":
        candidates = (arg.get("final_thought"), arg.get("thought"), members.get("message"))
        text_node = next((n for n in map(_string_node, candidates) if n and n.value.strip()), None)
        if text_node is not None:
            state.add(text_node, role=role, kind=EventKind.SUMMARY, text=text_node.value, **common)
    elif action in ("think", "reject"):
        key = "thought" if action == "think" else "reason"
        text_node = _string_node(arg.get(key))
        if text_node is not None:
            kind = EventKind.TEXT if action == "think" else EventKind.SUMMARY
            state.add(text_node, role=role, kind=kind, text=text_node.value, **common)
    elif action in _OH_CALLS:
        _oh_call(state, event, members, arg, role, common)
    elif action not in _OH_QUIET_ACTIONS:
        state.unknown += 1


def _oh_call(
    state: _State,
    event: dict[str, Any],
    members: dict[str, _Node],
    arg: dict[str, _Node],
    role: str,
    common: dict[str, Any],
) -> None:
    tool, keys = _OH_CALLS[event["action"]]
    thought = _string_node(arg.get("thought"))
    if thought is not None:
        state.add(thought, role=role, kind=EventKind.TEXT, text=thought.value.strip(), **common)
    metadata = event.get("tool_call_metadata")
    native_call = as_str(metadata.get("tool_call_id")) if isinstance(metadata, dict) else None
    target = next((_string_node(arg.get(k)) for k in keys if _string_node(arg.get(k))), None)
    if target is None:
        target = _string_node(members.get("message"))
    line = state.doc.line(members["action"].start)
    call_id = native_call or (f"oh-{common['native_id']}" if common["native_id"] else f"L{line}")
    if common["native_id"] is not None:
        state.calls[common["native_id"]] = (call_id, tool)
    if target is not None:
        state.add(
            target,
            role=role,
            kind=EventKind.TOOL_CALL,
            text=target.value.strip(),
            tool_name=tool,
            tool_use_id=call_id,
            **common,
        )


def _oh_observation(state: _State, node: _Node, event: dict[str, Any], ts: datetime | None) -> None:
    kind, members = event["observation"], node.members or {}
    if kind in _OH_QUIET_OBSERVATIONS:
        return
    if kind not in _OH_RESULTS and kind not in ("error", "user_rejected"):
        state.unknown += 1
        return
    cause = _native(event.get("cause"))
    call_id, tool = state.calls.get(cause or "", (None, None))
    raw_extras = event.get("extras")
    extras: dict[str, Any] = raw_extras if isinstance(raw_extras, dict) else {}
    if call_id is None and cause is not None:
        call_id = f"oh-{cause}"
        tool = _call_from_extras(state, members, call_id, ts)
    if state.cwd is None:
        meta = extras.get("metadata")
        state.cwd = as_str(meta.get("working_dir")) if isinstance(meta, dict) else None
    content = _string_node(members.get("content")) or _string_node(members.get("message"))
    if content is None:
        return
    text, exit_code = content.value, _exit_code(extras, content.value)
    failed = kind in ("error", "user_rejected") or event.get("success") is False
    common: dict[str, Any] = {"native_id": _native(event.get("id")), "timestamp": ts}
    if failed or exit_code not in (None, 0) or _shows_failure(text, tool):
        role = "tool" if call_id is not None else "system"
        state.add(
            content,
            role=role,
            kind=EventKind.ERROR,
            text=text,
            tool_use_id=call_id,
            tool_name=tool,
            exit_code=exit_code,
            **common,
        )
        return
    state.add(
        content,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text=text,
        tool_use_id=call_id,
        tool_name=tool,
        exit_code=exit_code,
        keep_empty=True,
        **common,
    )


def _call_from_extras(
    state: _State, members: dict[str, _Node], call_id: str, ts: datetime | None
) -> str | None:
    """The command an observation repeats (`extras.command`), when its action is not in this
    file (an event store keeps each event in a file of its own)."""
    extras = state.doc.children(members["extras"]) if "extras" in members else None
    command = _string_node((extras.members or {}).get("command")) if extras is not None else None
    if command is None or not command.value.strip():
        return None
    state.add(
        command,
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=command.value.strip(),
        tool_name="Bash",
        tool_use_id=call_id,
        timestamp=ts,
    )
    return "Bash"


def _exit_code(extras: dict[str, Any], text: str) -> int | None:
    meta = extras.get("metadata")
    for holder in (meta if isinstance(meta, dict) else {}, extras):
        value = holder.get("exit_code")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    match = _EXIT_SUFFIX.search(text[-200:])
    return int(match.group(1)) if match else None


# --- shared -------------------------------------------------------------------------------


def _tool_output(
    state: _State, node: _Node, text: str, call_id: str | None, tool: str | None
) -> None:
    """A command's output: an ERROR when it shows a failure, else a result (kept when empty, so
    that the call still has one)."""
    failed = _shows_failure(text, tool)
    state.add(
        node,
        role="tool",
        kind=EventKind.ERROR if failed else EventKind.TOOL_RESULT,
        text=text,
        tool_use_id=call_id,
        tool_name=tool,
        keep_empty=not failed,
    )


def _shows_failure(text: str, tool: str | None) -> bool:
    """Does a tool's output say it failed? Shell output anywhere; other tools at its start."""
    if tool is None or tool in _SHELLS:
        return bool(_FAILED_OUTPUT.search(text[:20_000]))
    return bool(_TOOL_FAILED.match(text))


def _content_nodes(state: _State, content: _Node | None) -> tuple[_Node, str] | None:
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
    span = _Node(None, nodes[0].start, nodes[-1].end, nodes[0].value_start)
    return span, "\n".join(n.value for n in nodes)


def _finish(state: _State, nonblank: int) -> Run:
    rel = Path(state.rel_path)
    corrupt = tuple(sorted(set(state.doc.corrupt)))
    stats = ParseStats(
        lines=nonblank,
        events=len(state.events),
        corrupt_lines=len(corrupt),
        unknown_lines=state.unknown,
        corrupt_line_numbers=corrupt,
    )
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=state.session_id or _store_session(rel) or unversioned(rel.stem),
        project=rel.parent.name,
        cwd=state.cwd,
        git_branch=None,
        started_at=state.first_ts,
        ended_at=state.last_ts,
        is_subagent=False,
        events=tuple(state.events),
        stats=stats,
    )


def _store_session(rel: Path) -> str | None:
    """`sessions/<id>/events/N.json`: the session is the folder above `events`."""
    if rel.parent.name == "events" and len(rel.parts) >= 3:
        return rel.parent.parent.name
    return None


def _string_node(node: _Node | None) -> _Node | None:
    return node if node is not None and isinstance(node.value, str) else None


def _native(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    return str(value) if isinstance(value, int | str) else None


SOURCE = SourceFormat(FORMAT, looks_like, parse_lines)
