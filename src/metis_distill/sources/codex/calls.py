"""Codex's tool calls and their outputs: what a call ran, and whether its output failed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from metis_distill.models import EventKind
from metis_distill.sources.codex.messages import content_text
from metis_distill.sources.codex.state import State
from metis_distill.sources.common import MAX_EVENT_CHARS, Draft, as_int, as_str, loads
from metis_distill.targets import on_windows

CALL_TYPES = frozenset({"function_call", "custom_tool_call", "local_shell_call"})
OUTPUT_TYPES = frozenset({"function_call_output", "custom_tool_call_output"})
_SHELL_TOOLS = frozenset(
    {"shell", "container.exec", "shell_command", "exec_command", "local_shell"}
)
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "fish", "pwsh", "powershell", "cmd"})
_SCRIPT_FLAGS = frozenset({"-c", "-lc", "-ic", "-lic", "-command", "/c"})
_INPUT_KEYS = ("command", "cmd", "path", "file_path", "pattern", "query", "url", "prompt", "chars")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+?)\s*$", re.M)
_WHOLE_FILE_OP = re.compile(r"^\*\*\* (?:Add|Delete) File: ", re.M)
_REMOVED_LINE = re.compile(r"^-(?!--)", re.M)
_APPLY_PATCH = re.compile(r"^\s*(?:cd\s+\S+\s*&&\s*)?apply_patch\b")
# Codex's own headers in front of a command's output (freeform/unified exec, truncation).
_HEADER_LINE = re.compile(
    r"^(?:Exit code: -?\d+|Process exited with code -?\d+|Process running with session ID \S+|"
    r"Wall time: .*|Chunk ID: .*|Total output lines: \d+|Original token count: \d+)$"
)
_EXIT_IN_HEADER = re.compile(r"^(?:Exit code:|Process exited with code) (-?\d+)$", re.M)
_RUNNING_IN_HEADER = re.compile(r"^Process running with session ID (\S+)$", re.M)
# Codex 0.11x (2026) puts the command first, as run (its script may span lines), then the
# headers: `Command: /bin/zsh -lc '…'\nChunk ID: …\nWall time: …\nProcess exited with code 1\n
# Original token count: 63\nOutput:\n…`.
_AFTER_COMMAND = re.compile(
    r"\n(?:Chunk ID: [^\n]*\n)?Wall time: [^\n]*\n"
    r"(?:(?:Process exited with code|Exit code:) -?\d+|Process running with session ID \S+)\n"
    r"(?:Original token count: \d+\n)?(?:Total output lines: \d+\n)?Output:(?:\n|$)"
)
_TRUNCATION_HEADER = re.compile(r"^Total output lines: \d+\n\n")
# How Codex (2025) wrapped any non-zero exit inside its sandbox: the words say "denied", but
# what failed is the command, whose own output follows `stdout:`.
_SANDBOX_WRAPPER = re.compile(
    r"^failed in sandbox \w+ with execution error: sandbox denied exec error, "
    r"exit code: (-?\d+), stdout: "
)
# Codex 0.4x wrapped it as a Rust value: `Denied { output: ExecToolCallOutput { exit_code: 1,
# …, aggregated_output: StreamOutput { text: "…" … } … } }`; the command's output is that text.
# Codex 0.11x also writes it as `exec_command failed: SandboxDenied { message: "…", output:
# ExecToolCallOutput { exit_code: 1, … } }`.
_DENIED_WRAPPER = re.compile(
    r"^(?:failed in sandbox \w+ with execution error: Denied \{ |"
    r'exec_command failed: SandboxDenied \{ message: "(?:[^"\\]|\\.)*", )'
    r"output: ExecToolCallOutput \{ exit_code: (-?\d+),"
)
# Codex 0.11x (2026) wraps the 0.4x value once more, as a string: `exec_command failed:
# CreateProcess { message: "Codex(Sandbox(Denied { output: ExecToolCallOutput { exit_code: 128,
# … } }))" }`.
_CREATE_PROCESS = 'exec_command failed: CreateProcess { message: "'
_DENIED_EXIT = re.compile(r"Sandbox\(Denied \{ output: ExecToolCallOutput \{ exit_code: (-?\d+),")
_DENIED_EXIT_WITHIN = 200  # characters of the message before the exit code
# Codex 0.46 gave a command that failed in its sandbox as a plain string: these words, then the
# command's stderr (a shell profile's banner first, when the profile prints one).
_FAILED_PREFIX = "failed in sandbox: "
_AGGREGATED = re.compile(r'aggregated_output: StreamOutput \{ text: "((?:[^"\\]|\\.)*)"')
_SANDBOX_REFUSAL = re.compile(
    r"permission denied|operation not permitted|read-only file system", re.I
)
_EXIT_IN_TEXT = re.compile(r"\bexit code:? (-?\d+)", re.I)
_PLAIN_ERROR = re.compile(
    r"^(?:error\b|execution error|failed in sandbox|sandbox (?:error|denied)|"
    r"apply_patch verification failed|failed to (?:parse|find|apply|run|execute)|"
    r"unsupported call|invalid patch|command timed out|patch rejected)",
    re.I,
)
# Codex 0.10x+ wraps the refusal: `exec_command failed: CreateProcess { message:
# "Rejected(\\"rejected by user\\")" }`.
_REJECTED = re.compile(
    r"^(?:exec command |patch )?(?:rejected|aborted) by (?:the )?user"
    r'|^exec_command failed: CreateProcess \{ message: "Rejected\(\\"(?:rejected|aborted) by',
    re.I,
)


def call(state: State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> None:
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
    if name == "request_permissions":
        state.asked.add(call_id)
    polled = args if name == "write_stdin" and isinstance(args, dict) else {}
    if polled.get("session_id") is not None:
        session = str(polled["session_id"])
        state.polls[call_id] = session
        if polled.get("chars"):
            state.left.add(session)  # answered or stopped by the agent: its exit is no verdict
    else:
        state.left.update(state.running)  # the agent went on while they ran: in the background
    state.working = True
    # asked to run outside the sandbox, or run after the network was granted for the turn
    escalated = _escalated(args) or (state.network_granted and tool == "Bash")
    state.add(
        line_no,
        ts,
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=text,
        tool_name=tool,
        timeout_ms=_timeout(args),
        escalated=escalated,
        offline=state.offline and not escalated,
        in_place=tool != "apply_patch" or _in_place(_patch_text(name, args)),
        tool_use_id=call_id,
        native_id=as_str(item.get("id")) or as_str(item.get("call_id")),
    )


def _timeout(args: dict[str, Any] | str) -> int | None:
    """The time limit the call set itself (`timeout_ms`; `timeout` of a local shell call)."""
    if not isinstance(args, dict):
        return None
    value = args.get("timeout_ms", args.get("timeout"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def keeps_network_out(policy: object, cwd: str | None = None) -> bool:
    """Whether a turn's `sandbox_policy` runs commands with no network: a sandbox that lets
    them write in the workspace or read only, unless it says `network_access: true`; not on
    Windows (a folder `C:\\…`), where Codex's sandbox may leave the network as it is."""
    if not isinstance(policy, dict) or on_windows(cwd or ""):
        return False
    kind = policy.get("type", policy.get("mode"))
    return kind in ("workspace-write", "read-only") and policy.get("network_access") is not True


def _escalated(args: dict[str, Any] | str) -> bool:
    """The call asked to run outside the sandbox (`with_escalated_permissions`, later
    `sandbox_permissions: require_escalated`)."""
    if not isinstance(args, dict):
        return False
    return args.get("with_escalated_permissions") is True or (
        args.get("sandbox_permissions") == "require_escalated"
    )


def _grants_network(raw: Any) -> bool:
    """The answer to a `request_permissions` call granted the network (`{"permissions":
    {"network": {"enabled": true}, …}, "scope": "turn"}`); a refusal, or any other answer,
    grants nothing."""
    answer = _arguments(raw)
    granted = answer.get("permissions") if isinstance(answer, dict) else None
    network = granted.get("network") if isinstance(granted, dict) else None
    return isinstance(network, dict) and network.get("enabled") is True


def _arguments(raw: Any) -> dict[str, Any] | str:
    """A function call's arguments: a JSON object inside a JSON string (or the raw string)."""
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        return ""
    try:
        parsed = loads(raw)
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


def _patch_text(name: str, args: dict[str, Any] | str) -> str:
    if isinstance(args, str):
        return args
    if name in _SHELL_TOOLS:
        return _script(args.get("command", args.get("cmd")))
    patch = args.get("input", args.get("patch"))
    return patch if isinstance(patch, str) else ""


def _in_place(patch: str) -> bool:
    """The patch replaces or removes lines of files it updates: not one that adds or deletes
    a whole file, or only inserts lines."""
    if _WHOLE_FILE_OP.search(patch):
        return False
    return _REMOVED_LINE.search(patch) is not None


# A string command that only hands a script to a shell: `bash --noprofile --norc -lc '…'`.
_SHELL_STRING = re.compile(
    r"^(?:\S*/)?(?:ba|z|da)?sh(?:\s+--?[a-z][\w-]*)*?\s+-[a-z]*c\s+'(?P<script>(?:[^']|'\\'')*)'\s*$",
    re.S,
)


def _script(command: Any) -> str:
    """The shell script of `["bash", "-lc", SCRIPT]` or of `bash -lc 'SCRIPT'`, a string
    command, or the argv joined."""
    if isinstance(command, str):
        handed = _SHELL_STRING.match(command)
        return handed["script"].replace("'\\''", "'") if handed else command
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


@dataclass(frozen=True)
class _Output:
    """A tool output read: its text, how it ended, and the session of a process that had not
    ended yet (unified exec: the agent reads the rest with `write_stdin`)."""

    text: str
    exit_code: int | None = None
    failed: bool = False
    running: str | None = None
    ran_ms: int | None = None  # how long it ran, by Codex's `Wall time:` header


def output(state: State, line_no: int, ts: datetime | None, item: dict[str, Any]) -> None:
    call_id = as_str(item.get("call_id")) or f"L{line_no}"
    state.working = True
    if call_id in state.asked:
        state.asked.discard(call_id)
        state.network_granted = state.network_granted or _grants_network(item.get("output"))
    read = _output_text(state, item.get("output"))
    session = state.polls.get(call_id)
    pending = state.running.pop(session, None) if session is not None else None
    if pending is not None and session not in state.left:
        _finish_running(state, pending, line_no, read)
        return
    text, exit_code = read.text, read.exit_code
    if _REJECTED.match(text.strip()):
        kind, role = EventKind.INTERRUPT, "user"
    else:
        failed = read.failed or exit_code not in (None, 0)
        kind, role = (EventKind.ERROR if failed else EventKind.TOOL_RESULT), "tool"
    draft = state.add(
        line_no,
        ts,
        keep_empty=True,
        role=role,
        kind=kind,
        text=text,
        tool_name=state.tool_names.get(call_id),
        tool_use_id=call_id,
        exit_code=exit_code,
        ran_ms=read.ran_ms,
    )
    if draft is not None:
        state.results[call_id] = draft
        if read.running is not None and role == "tool":
            state.running[read.running] = draft
            draft.unfinished = True  # until a poll reads how it ended


def _finish_running(state: State, pending: Draft, line_no: int, read: _Output) -> None:
    """What `write_stdin` read of a process that was still running, told as the result of the
    command that started it (the result then spans the lines up to this one): the command
    is what succeeded or failed, not the poll. Only while the agent waited on it: a process
    left running while other calls were made, or sent keys by the agent (an answer, Ctrl-C),
    ends in a result of its own, no verdict on the command."""
    joined = "\n".join(t for t in (pending.text, read.text) if t)
    pending.text = joined[-MAX_EVENT_CHARS:]  # a long run says at its end how it ended
    pending.end = line_no
    if read.running is not None:  # still running: a later poll may tell how it ended
        state.running[read.running] = pending
        return
    pending.unfinished = False
    pending.exit_code = read.exit_code
    if read.failed or read.exit_code not in (None, 0):
        pending.kind = EventKind.ERROR


def _output_text(state: State, raw: Any) -> _Output:
    """A tool output in any of the shapes Codex has written."""
    exit_code: int | None = None
    duration: int | None = None
    failed = False
    if isinstance(raw, list):  # content items
        raw = content_text(state, raw)
    elif isinstance(raw, dict):
        failed = raw.get("success") is False
        raw = raw.get("content", raw.get("output"))
        if not isinstance(raw, str):
            raw = content_text(state, raw)
    if not isinstance(raw, str):
        return _Output("", None, failed)
    text = raw
    if text.lstrip().startswith("{"):
        try:
            parsed = loads(text)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("output"), str):
            text = parsed["output"]
            metadata = parsed.get("metadata")
            if isinstance(metadata, dict):
                exit_code = as_int(metadata.get("exit_code"))
                took = metadata.get("duration_seconds")  # Codex 0.4x-0.5x: how long it ran
                if isinstance(took, int | float) and not isinstance(took, bool):
                    duration = round(took * 1000)
    ran_ms = _wall_time(text) if duration is None else duration
    text, header_code, running = _strip_headers(text)
    exit_code = exit_code if exit_code is not None else header_code
    if exit_code is None and text.startswith(_FAILED_PREFIX):
        # no exit code is given, and a number in the stderr is the command's own words
        return _Output(text.removeprefix(_FAILED_PREFIX), None, True)
    wrapper = _SANDBOX_WRAPPER.match(text)
    if wrapper is not None:
        exit_code = int(wrapper.group(1))
        if not _SANDBOX_REFUSAL.search(text):  # the sandbox did refuse: its words stay
            rest = text[wrapper.end() :]  # still a verbatim suffix of the output
            text = rest.removeprefix(", stderr: ")
    created = _create_process_denied(text)
    if created is not None:
        exit_code, inner = created
        output = _AGGREGATED.search(inner)
        if output is not None and not _SANDBOX_REFUSAL.search(inner):
            text = _unescaped(output.group(1))
    denied = _DENIED_WRAPPER.match(text)
    if denied is not None:
        exit_code = int(denied.group(1))
        output = _AGGREGATED.search(text)
        if output is not None and not _SANDBOX_REFUSAL.search(text):
            text = _unescaped(output.group(1))
    head = text.lstrip()[:400]
    if exit_code is None and _PLAIN_ERROR.match(head):  # plain text: its words say it failed
        failed = True
        match = _EXIT_IN_TEXT.search(head)
        exit_code = int(match.group(1)) if match else None
    return _Output(text, exit_code, failed, running if exit_code is None else None, ran_ms)


# How long Codex says a command ran, among its headers before `Output:`.
_WALL_TIME = re.compile(r"^Wall time: (\d+(?:\.\d+)?) seconds?$", re.M)


def _wall_time(text: str) -> int | None:
    """The command's `Wall time:` in milliseconds, from the headers (not its output)."""
    head, said, _ = text[:4000].partition("\nOutput:")
    found = _WALL_TIME.search(head) if said else None
    return round(float(found.group(1)) * 1000) if found else None


def _create_process_denied(text: str) -> tuple[int, str] | None:
    """The exit code and the message (its escapes undone) of 0.11x's wrapped denial."""
    if not text.startswith(_CREATE_PROCESS):
        return None
    start = len(_CREATE_PROCESS)
    denied = _DENIED_EXIT.search(text, start, start + _DENIED_EXIT_WITHIN)
    end = text.rfind('"')
    if denied is None or end <= start:
        return None
    return int(denied.group(1)), _unescaped(text[start:end])


def _unescaped(debug: str) -> str:
    """A Rust string's escapes undone (they are JSON's for text), or the string as it is."""
    try:
        value = loads(f'"{debug}"')
    except (ValueError, RecursionError):
        return debug
    return value if isinstance(value, str) else debug


def _strip_headers(text: str) -> tuple[str, int | None, str | None]:
    """Codex's `Exit code:/Wall time:/.../Output:` block (after the command it ran, in later
    versions) and its truncation note, removed: (the rest, a verbatim suffix of the output;
    the exit code; the session of a process still running)."""
    if text.startswith("Command: "):
        after = _AFTER_COMMAND.search(text)
        if after is not None:
            return _headed(after.group(0), text[after.end() :])
    head = text.split("\n", 8)[:8]
    for index, line in enumerate(head):
        if line == "Output:" and index > 0:
            rest = text.split("\n", index + 1)
            body = rest[index + 1] if len(rest) > index + 1 else ""
            return _headed("\n".join(head[:index]), body)
        if not _HEADER_LINE.match(line):
            break
    return _TRUNCATION_HEADER.sub("", text, count=1), None, None


def _headed(headers: str, body: str) -> tuple[str, int | None, str | None]:
    exited = _EXIT_IN_HEADER.search(headers)
    running = _RUNNING_IN_HEADER.search(headers)
    return (
        _TRUNCATION_HEADER.sub("", body, count=1),
        int(exited.group(1)) if exited else None,
        running.group(1) if running and not exited else None,
    )
