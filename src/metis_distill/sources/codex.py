"""Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`).

One JSON object per line: `{"timestamp", "type", "payload"}` with type `session_meta`,
`turn_context`, `response_item`, `event_msg` or `compacted`. Older rollouts (before the
envelope) hold a `{"id", "timestamp", "instructions"}` header, `{"record_type": "state"}`
lines and bare response items; they are read too.

Sources of truth, to count nothing twice:
- prose comes from `response_item` messages (what the model saw). `event_msg`
  `user_message`/`agent_message` repeat them and are used only when their text has no such
  message in the file (a file cut before the item was written);
- tool output comes from `function_call_output`/`custom_tool_call_output`; `exec_command_end`
  and `patch_apply_end` only fill in an exit code or failure the output lacks, or stand in for
  an output that is missing;
- reasoning (encrypted) and `agent_reasoning` are dropped.
Text the harness injects as a user message (`<environment_context>`, `<user_instructions>`,
AGENTS.md, developer messages) is kept as a system SUMMARY: visible context, never read by the
miner as a person's words. The IDE extension's "# Context from my IDE setup" prefix is cut
off and only the request under "## My request for Codex:" is the person's text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from metis_distill.models import Event, EventKind, ParseStats, Run, SourceRef
from metis_distill.sources.base import SourceFormat
from metis_distill.sources.common import (
    as_str,
    event_text,
    json_objects,
    parse_timestamp,
    unversioned,
)
from metis_distill.textio import numbered_lines

FORMAT = "codex"

_ENVELOPE_TYPES = frozenset(
    {"session_meta", "turn_context", "response_item", "event_msg", "compacted"}
)
_CALL_TYPES = frozenset({"function_call", "custom_tool_call", "local_shell_call"})
_OUTPUT_TYPES = frozenset({"function_call_output", "custom_tool_call_output"})
# Response items that carry nothing to learn from (or only encrypted reasoning).
_SKIPPED_ITEMS = frozenset({"reasoning", "ghost_snapshot", "compaction", "compaction_summary"})
_RESPONSE_ITEMS = (
    _CALL_TYPES | _OUTPUT_TYPES | _SKIPPED_ITEMS | {"message", "web_search_call", "other"}
)
# UI events that repeat a response item, stream progress or count tokens.
_SKIPPED_EVENTS = frozenset(
    {
        "token_count",
        "agent_reasoning",
        "agent_reasoning_raw_content",
        "agent_reasoning_section_break",
        "task_started",
        "task_complete",
        "turn_started",
        "turn_complete",
        "exec_command_begin",
        "exec_command_output_delta",
        "patch_apply_begin",
        "mcp_tool_call_begin",
        "mcp_tool_call_end",
        "web_search_begin",
        "web_search_end",
        "view_image_tool_call",
        "turn_diff",
        "plan_update",
        "background_event",
        "stream_error",
        "warning",
        "entered_review_mode",
        "exited_review_mode",
        "context_compacted",
        "undo_started",
        "undo_completed",
        "session_configured",
        "shutdown_complete",
        "deprecation_notice",
        "item_started",
        "item_completed",
        "raw_response_item",
    }
)
_ECHO_EVENTS = {"user_message": "user", "agent_message": "assistant"}
_SHELL_TOOLS = frozenset(
    {"shell", "container.exec", "shell_command", "exec_command", "local_shell"}
)
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "fish", "pwsh", "powershell", "cmd"})
_SCRIPT_FLAGS = frozenset({"-c", "-lc", "-ic", "-lic", "-command", "/c"})
_INPUT_KEYS = ("command", "cmd", "path", "file_path", "pattern", "query", "url", "prompt", "chars")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+?)\s*$", re.M)
_APPLY_PATCH = re.compile(r"^\s*(?:cd\s+\S+\s*&&\s*)?apply_patch\b")
_HARNESS_TAG = re.compile(r"^<([A-Za-z_][\w -]*)>.*</\1>$", re.S)
_HARNESS_PREFIXES = ("# AGENTS.md instructions for", "<user_instructions>", "<environment_context>")
_IDE_PREFIX = "# Context from my IDE setup"
_IDE_REQUEST = "## My request for Codex:"
# Codex's own headers in front of a command's output (freeform/unified exec, truncation).
_HEADER_LINE = re.compile(
    r"^(?:Exit code: -?\d+|Process exited with code -?\d+|Process running with session ID \S+|"
    r"Wall time: .*|Chunk ID: .*|Total output lines: \d+|Original token count: \d+)$"
)
_EXIT_IN_HEADER = re.compile(r"^(?:Exit code:|Process exited with code) (-?\d+)$", re.M)
_TRUNCATION_HEADER = re.compile(r"^Total output lines: \d+\n\n")
_EXIT_IN_TEXT = re.compile(r"\bexit code:? (-?\d+)", re.I)
_PLAIN_ERROR = re.compile(
    r"^(?:error\b|execution error|failed in sandbox|sandbox (?:error|denied)|"
    r"apply_patch verification failed|failed to (?:parse|find|apply|run|execute)|"
    r"unsupported call|invalid patch|command timed out|patch rejected)",
    re.I,
)
_REJECTED = re.compile(r"^(?:exec command |patch )?(?:rejected|aborted) by (?:the )?user", re.I)
_UUID_TAIL = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
_ENVELOPE_HEAD = re.compile(
    r'^\{\s*"timestamp"\s*:\s*"[^"]*"\s*,\s*"type"\s*:\s*"(?:session_meta|turn_context|'
    r'response_item|event_msg|compacted)"\s*,\s*"payload"\s*:\s*\{'
)
_LEGACY_HEAD = re.compile(r'^\{\s*"id"\s*:\s*"[^"]*"\s*,\s*"timestamp"\s*:\s*"[^"]*"\s*,\s*"instr')
_SNIFF_LINES = 20


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """Content sniffing: lines in Codex's `{"timestamp","type","payload"}` envelope, or the
    header of an older rollout (`{"id","timestamp","instructions"}`, `record_type` lines)."""
    if head.lstrip()[:1] != "{":
        return False
    lines = [line for line in head.splitlines() if line.strip()][:_SNIFF_LINES]
    for index, line in enumerate(lines):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            # The first line can be longer than the head (session_meta with instructions).
            if _ENVELOPE_HEAD.match(line) or (index == 0 and _LEGACY_HEAD.match(line)):
                return True
            continue
        if not isinstance(record, dict):
            continue
        if as_str(record.get("type")) in _ENVELOPE_TYPES and isinstance(
            record.get("payload"), dict
        ):
            return True
        if index == 0 and _is_legacy_meta(record):
            return True
        if record.get("record_type") == "state":
            return True
    return False


@dataclass
class _Pending:
    """An event before its sequence number is known (echoes are resolved at the end)."""

    line: int
    role: str
    kind: EventKind
    text: str
    timestamp: datetime | None
    session: str | None
    native_id: str | None = None
    tool_name: str | None = None
    tool_use_id: str | None = None
    exit_code: int | None = None


@dataclass
class _Echo:
    """An `event_msg` that repeats a message or a tool result, kept in case it is alone."""

    line: int
    kind: str
    text: str
    timestamp: datetime | None
    session: str | None
    call_id: str | None = None
    exit_code: int | None = None
    failed: bool = False


@dataclass
class _State:
    """Mutable bookkeeping while one file is read."""

    rel_path: str
    pending: list[_Pending] = field(default_factory=list)
    echoes: list[_Echo] = field(default_factory=list)
    messages: Counter[tuple[str, str]] = field(default_factory=Counter)
    tool_names: dict[str, str] = field(default_factory=dict)
    results: dict[str, _Pending] = field(default_factory=dict)
    sessions: list[str] = field(default_factory=list)
    session: str | None = None
    cwd: str | None = None
    turn_cwd: str | None = None
    git_branch: str | None = None
    subagent: bool = False
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    lines: int = 0
    corrupt: list[int] = field(default_factory=list)
    unknown: int = 0
    images: int = 0

    def add(
        self, line_no: int, ts: datetime | None, *, keep_empty: bool = False, **kwargs: Any
    ) -> _Pending | None:
        """A pending event; empty text is dropped unless asked (a silent tool output is kept:
        an empty success is what shows that a retry worked)."""
        text = kwargs.pop("text")
        if not isinstance(text, str) or not (text.strip() or keep_empty):
            return None
        event = _Pending(line_no, text=text, timestamp=ts, session=self.session, **kwargs)
        self.pending.append(event)
        return event

    def note_time(self, ts: datetime | None) -> None:
        if ts is not None:
            self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
            self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)


def parse_file(path: Path, archive_root: Path) -> Run:
    """Read one rollout into a Run. Never writes; bad lines are skipped and counted."""
    return parse_lines(path.relative_to(archive_root).as_posix(), numbered_lines(path))


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the file at `rel_path` (relative to its archive root)."""
    state = _State(rel_path=rel_path)
    for line_no, record in json_objects(lines, state):
        try:
            known = _dispatch(state, line_no, record)
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError):
            known = False  # a record of a shape no version wrote: counted, never fatal
        if not known:
            state.unknown += 1
    return _finish(state)


def _dispatch(state: _State, line_no: int, record: dict[str, Any]) -> bool:
    """Read one record; False when it is of no type we know."""
    ts = parse_timestamp(record.get("timestamp"))
    kind, payload = as_str(record.get("type")), record.get("payload")
    if kind in _ENVELOPE_TYPES and isinstance(payload, dict):
        state.note_time(ts)
        if kind == "session_meta":
            _session_meta(state, payload)
        elif kind == "turn_context":
            state.turn_cwd = state.turn_cwd or as_str(payload.get("cwd"))
        elif kind == "response_item":
            return _response_item(state, line_no, ts, payload)
        elif kind == "event_msg":
            return _event_msg(state, line_no, ts, payload)
        else:  # compacted
            state.add(
                line_no, ts, role="system", kind=EventKind.SUMMARY, text=payload.get("message")
            )
        return True
    # Older rollouts: a header without envelope, state lines, bare response items.
    if "payload" not in record and _is_legacy_meta(record):
        state.note_time(ts)
        _session_meta(state, record)
        return True
    if "payload" not in record and record.get("record_type") == "state":
        return True
    if "payload" not in record and kind in _RESPONSE_ITEMS:
        return _response_item(state, line_no, ts, record)
    return False


def _is_legacy_meta(record: dict[str, Any]) -> bool:
    return (
        "type" not in record
        and isinstance(record.get("id"), str)
        and isinstance(record.get("timestamp"), str)
        and "instructions" in record
    )


def _session_meta(state: _State, payload: dict[str, Any]) -> None:
    session_id = as_str(payload.get("id"))
    if session_id:
        state.session = session_id
        if session_id not in state.sessions:
            state.sessions.append(session_id)
    state.cwd = state.cwd or as_str(payload.get("cwd"))
    git = payload.get("git")
    branch = as_str(git.get("branch")) if isinstance(git, dict) else None
    if branch and branch != "HEAD":
        state.git_branch = state.git_branch or branch
    source = payload.get("source")
    state.subagent = state.subagent or (isinstance(source, dict) and "subagent" in source)
    state.note_time(parse_timestamp(payload.get("timestamp")))


def _response_item(state: _State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> bool:
    itype = as_str(item.get("type"))
    if itype == "message":
        _message(state, line_no, ts, item)
    elif itype in _CALL_TYPES:
        _call(state, line_no, ts, item)
    elif itype in _OUTPUT_TYPES:
        _output(state, line_no, ts, item)
    elif itype == "web_search_call":
        action = item.get("action")
        query = action.get("query") if isinstance(action, dict) else None
        state.add(
            line_no,
            ts,
            role="assistant",
            kind=EventKind.TOOL_CALL,
            text=query,
            tool_name="WebSearch",
            tool_use_id=as_str(item.get("id")) or f"L{line_no}",
            native_id=as_str(item.get("id")),
        )
    return itype in _RESPONSE_ITEMS


def _message(state: _State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> None:
    role = as_str(item.get("role")) or ""
    text = _content_text(state, item.get("content"))
    native = as_str(item.get("id"))
    if role == "assistant":
        state.messages[("assistant", text.strip())] += 1
        state.add(line_no, ts, role="assistant", kind=EventKind.TEXT, text=text, native_id=native)
    elif role == "user" and not _is_harness(text):
        state.messages[("user", text.strip())] += 1
        state.add(
            line_no, ts, role="user", kind=EventKind.TEXT, text=_person_text(text), native_id=native
        )
    else:  # developer/system messages and harness-injected user context
        state.add(line_no, ts, role="system", kind=EventKind.SUMMARY, text=text, native_id=native)


def _content_text(state: _State, content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts: list[str] = []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") in ("input_image", "image", "output_image"):
            state.images += 1
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
    return "\n".join(texts)


def _is_harness(text: str) -> bool:
    """Context the harness puts in a user message: environment, AGENTS.md, instructions."""
    stripped = text.strip()
    if stripped.startswith(_HARNESS_PREFIXES):
        return True
    if stripped.startswith(_IDE_PREFIX):
        return _IDE_REQUEST not in stripped
    return bool(_HARNESS_TAG.match(stripped))


def _person_text(text: str) -> str:
    """The request under the IDE extension's context block, or the whole text."""
    if text.lstrip().startswith(_IDE_PREFIX) and _IDE_REQUEST in text:
        return text.split(_IDE_REQUEST, 1)[1].strip()
    return text


def _call(state: _State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> None:
    call_id = as_str(item.get("call_id")) or as_str(item.get("id")) or f"L{line_no}"
    args: dict[str, Any] | str
    if item.get("type") == "local_shell_call":
        action = item.get("action")
        name, args = "local_shell", action if isinstance(action, dict) else {}
    elif item.get("type") == "custom_tool_call":
        name, args = as_str(item.get("name")) or "tool", {"input": item.get("input")}
    else:
        name, args = as_str(item.get("name")) or "tool", _arguments(item.get("arguments"))
    tool, text = _describe_call(name, args)
    state.tool_names[call_id] = tool
    state.add(
        line_no,
        ts,
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=text,
        tool_name=tool,
        tool_use_id=call_id,
        native_id=as_str(item.get("id")) or as_str(item.get("call_id")),
    )


def _arguments(raw: Any) -> dict[str, Any] | str:
    """A function call's arguments: a JSON object inside a JSON string (or the raw string)."""
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        return ""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return raw
    return parsed if isinstance(parsed, dict) else raw


def _describe_call(name: str, args: dict[str, Any] | str) -> tuple[str, str]:
    """(tool name, what the call ran or acted on, verbatim)."""
    if isinstance(args, str):
        return name, args
    if name in _SHELL_TOOLS:
        command = args.get("command", args.get("cmd"))
        script = _script(command)
        if _APPLY_PATCH.match(script) or _argv0(command) == "apply_patch":
            return "apply_patch", _patched_files(script)
        return "Bash", script
    if name == "apply_patch":
        patch = args.get("input", args.get("patch"))
        return name, _patched_files(patch if isinstance(patch, str) else "")
    if name == "update_plan":
        return name, _plan_text(args)
    found = next((args[k] for k in _INPUT_KEYS if isinstance(args.get(k), str)), None)
    if found is None and isinstance(args.get("input"), str):
        found = args["input"]
    return name, found if found is not None else ""


def _script(command: Any) -> str:
    """The shell script of `["bash", "-lc", SCRIPT]`, a string command, or the argv joined."""
    if isinstance(command, str):
        return command
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        return ""
    if len(command) >= 3 and _program(command[0]) in _SHELLS:
        for index, arg in enumerate(command[1:-1], start=1):
            if arg.lower() in _SCRIPT_FLAGS:
                return " ".join(command[index + 1 :])
    return " ".join(command)


def _argv0(command: Any) -> str:
    if isinstance(command, list) and command and isinstance(command[0], str):
        return command[0]
    return ""


def _program(arg: str) -> str:
    name = arg.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name.removesuffix(".exe")


def _patched_files(patch: str) -> str:
    """The files a patch touches (one per line), or the patch when it names none."""
    files = _PATCH_FILE.findall(patch)
    return "\n".join(dict.fromkeys(files)) if files else patch


def _plan_text(args: dict[str, Any]) -> str:
    parts = [args["explanation"]] if isinstance(args.get("explanation"), str) else []
    plan = args.get("plan")
    if isinstance(plan, list):
        parts += [s["step"] for s in plan if isinstance(s, dict) and isinstance(s.get("step"), str)]
    return "\n".join(parts)


def _output(state: _State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> None:
    call_id = as_str(item.get("call_id")) or f"L{line_no}"
    text, exit_code, failed = _output_text(state, item.get("output"))
    if _REJECTED.match(text.strip()):
        kind, role = EventKind.INTERRUPT, "user"
    else:
        failed = failed or exit_code not in (None, 0)
        kind, role = (EventKind.ERROR if failed else EventKind.TOOL_RESULT), "tool"
    event = state.add(
        line_no,
        ts,
        keep_empty=True,
        role=role,
        kind=kind,
        text=text,
        tool_name=state.tool_names.get(call_id),
        tool_use_id=call_id,
        exit_code=exit_code,
    )
    if event is not None:
        state.results[call_id] = event


def _output_text(state: _State, raw: Any) -> tuple[str, int | None, bool]:
    """(text, exit code, failed) of a tool output in any of the shapes Codex has written."""
    exit_code: int | None = None
    failed = False
    if isinstance(raw, list):  # content items
        raw = _content_text(state, raw)
    elif isinstance(raw, dict):
        failed = raw.get("success") is False
        raw = raw.get("content", raw.get("output"))
        if not isinstance(raw, str):
            raw = _content_text(state, raw)
    if not isinstance(raw, str):
        return "", None, failed
    text = raw
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("output"), str):
            text = parsed["output"]
            metadata = parsed.get("metadata")
            if isinstance(metadata, dict):
                exit_code = _int(metadata.get("exit_code"))
    text, header_code = _strip_headers(text)
    exit_code = exit_code if exit_code is not None else header_code
    head = text.lstrip()[:400]
    if exit_code is None and _PLAIN_ERROR.match(head):  # plain text: its words say it failed
        failed = True
        match = _EXIT_IN_TEXT.search(head)
        exit_code = int(match.group(1)) if match else None
    return text, exit_code, failed


def _strip_headers(text: str) -> tuple[str, int | None]:
    """Codex's `Exit code:/Wall time:/.../Output:` block and its truncation note, removed;
    what remains is a verbatim suffix of the output."""
    head = text.split("\n", 8)[:8]
    for index, line in enumerate(head):
        if line == "Output:" and index > 0:
            rest = text.split("\n", index + 1)
            match = _EXIT_IN_HEADER.search("\n".join(head[:index]))
            body = rest[index + 1] if len(rest) > index + 1 else ""
            return body, int(match.group(1)) if match else None
        if not _HEADER_LINE.match(line):
            break
    return _TRUNCATION_HEADER.sub("", text, count=1), None


def _event_msg(state: _State, line_no: int, ts: datetime | None, payload: dict[str, Any]) -> bool:
    etype = as_str(payload.get("type")) or ""
    if etype in _ECHO_EVENTS:
        text = payload.get("message")
        if isinstance(text, str):
            state.echoes.append(_Echo(line_no, etype, text, ts, state.session))
    elif etype == "turn_aborted":
        reason = as_str(payload.get("reason")) or "turn_aborted"
        state.add(line_no, ts, role="user", kind=EventKind.INTERRUPT, text=reason)
    elif etype == "error":
        state.add(line_no, ts, role="system", kind=EventKind.ERROR, text=payload.get("message"))
    elif etype == "exec_command_end":
        text = next(
            (
                payload[k]
                for k in ("aggregated_output", "formatted_output", "stderr", "stdout")
                if isinstance(payload.get(k), str) and payload[k].strip()
            ),
            "",
        )
        code = _int(payload.get("exit_code"))
        state.echoes.append(
            _Echo(line_no, etype, text, ts, state.session, as_str(payload.get("call_id")), code)
        )
    elif etype == "patch_apply_end":
        ok = payload.get("success")
        text = payload.get("stderr") if ok is False else payload.get("stdout")
        state.echoes.append(
            _Echo(
                line_no,
                etype,
                text if isinstance(text, str) else "",
                ts,
                state.session,
                as_str(payload.get("call_id")),
                failed=ok is False,
            )
        )
    elif etype not in _SKIPPED_EVENTS:
        return False
    return True


def _resolve_echoes(state: _State) -> None:
    """Use an event_msg only for what no response item said."""
    for echo in state.echoes:
        if echo.kind in _ECHO_EVENTS:
            role = _ECHO_EVENTS[echo.kind]
            key = (role, echo.text.strip())
            if state.messages[key] > 0:
                state.messages[key] -= 1
                continue
            if role == "user" and _is_harness(echo.text):
                continue
            text = _person_text(echo.text) if role == "user" else echo.text
            _add_echo(state, echo, role=role, kind=EventKind.TEXT, text=text)
            continue
        failed = echo.failed or echo.exit_code not in (None, 0)
        result = state.results.get(echo.call_id or "")
        if result is not None:
            if result.exit_code is None and echo.exit_code is not None:
                result.exit_code = echo.exit_code
            if failed and result.kind is EventKind.TOOL_RESULT:
                result.kind = EventKind.ERROR
            continue
        call_id = echo.call_id or f"L{echo.line}"
        _add_echo(
            state,
            echo,
            role="tool",
            kind=EventKind.ERROR if failed else EventKind.TOOL_RESULT,
            text=echo.text,
            tool_name=state.tool_names.get(call_id),
            tool_use_id=call_id,
            exit_code=echo.exit_code,
        )


def _add_echo(state: _State, echo: _Echo, **kwargs: Any) -> None:
    if kwargs["text"].strip() or kwargs["role"] == "tool":  # silent outputs are kept
        state.pending.append(
            _Pending(echo.line, timestamp=echo.timestamp, session=echo.session, **kwargs)
        )


def _finish(state: _State) -> Run:
    _resolve_echoes(state)
    ordered = sorted(enumerate(state.pending), key=lambda pair: (pair[1].line, pair[0]))
    several = len(state.sessions) > 1
    first = state.sessions[0] if state.sessions else None
    events = tuple(
        Event(
            seq=seq,
            role=p.role,
            kind=p.kind,
            text=event_text(p.text),
            ref=SourceRef(state.rel_path, p.line, p.line, p.native_id),
            timestamp=p.timestamp,
            tool_name=p.tool_name,
            tool_use_id=p.tool_use_id,
            exit_code=p.exit_code,
            is_sidechain=state.subagent,
            session=(p.session or first) if several else None,
        )
        for seq, (_, p) in enumerate(ordered)
    )
    stats = ParseStats(
        lines=state.lines,
        events=len(events),
        corrupt_lines=len(state.corrupt),
        unknown_lines=state.unknown,
        skipped_images=state.images,
        corrupt_line_numbers=tuple(state.corrupt),
    )
    rel = PurePosixPath(state.rel_path)
    cwd = state.cwd or state.turn_cwd
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=first or _id_from_name(unversioned(rel.stem)),
        project=_project(cwd) or rel.parent.name,
        cwd=cwd,
        git_branch=state.git_branch,
        started_at=state.first_ts,
        ended_at=state.last_ts,
        is_subagent=state.subagent,
        events=events,
        stats=stats,
    )


def _id_from_name(stem: str) -> str:
    """Rollout names end with the session id; other names stand for themselves."""
    match = _UUID_TAIL.search(stem)
    return match.group(1) if match else stem


def _project(cwd: str | None) -> str:
    if not cwd:
        return ""
    windows = re.match(r"^[A-Za-z]:[\\/]|^\\\\", cwd)
    path = PureWindowsPath(cwd) if windows else PurePosixPath(cwd)
    return path.name


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


SOURCE = SourceFormat(FORMAT, looks_like, parse_lines)
