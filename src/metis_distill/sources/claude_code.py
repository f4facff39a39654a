"""Claude Code session transcripts (`~/.claude/projects/<project>/<session>.jsonl`).

One JSON object per line. Conversation lines carry `uuid`, `sessionId`, `cwd`, `timestamp`;
metadata lines (summaries, snapshots, progress...) are known and skipped; anything else is
counted as unknown. A line that does not parse is skipped and counted, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from metis_distill.models import OPTION_LINE, OPTION_REASON, TOPIC_LINE, EventKind, Run
from metis_distill.sources.base import SourceFormat
from metis_distill.sources.claude_tasks import (
    POLL_TOOLS,
    TaskStatus,
    only_waits,
    polled_task,
    read_poll,
    started_task,
)
from metis_distill.sources.common import (
    MAX_EVENT_CHARS,
    Draft,
    Tally,
    TimeSpan,
    as_str,
    events_of,
    json_objects,
    parse_timestamp,
    unversioned,
)
from metis_distill.textio import RawLine

FORMAT = "claude_code"

_METADATA_TYPES = frozenset(
    {
        "progress",
        "file-history-snapshot",
        "queue-operation",
        "attachment",
        "last-prompt",
        "ai-title",
        "custom-title",
        "agent-name",
        "permission-mode",
        "mode",  # 2.1.16x: the session's mode, `{"type":"mode","mode":"normal"}`
        "bridge-session",  # 2.1.2xx: the remote session a local one is bridged to
        "file-history-delta",  # 2.1.2xx: a file's backup, beside `file-history-snapshot`
        "pr-link",
        "tag",
    }
)
# an attachment or a queue operation may be a message the user typed while the agent worked
_IGNORED_TYPES = _METADATA_TYPES - {"attachment", "queue-operation"}
_SYSTEM_ERRORS = frozenset({"api_error"})
_SYSTEM_SUMMARIES = frozenset({"compact_boundary", "microcompact_boundary"})
_EXIT_CODE = re.compile(r"^Exit code (-?\d+)")
_INTERRUPT = "[Request interrupted by user"
# Tool inputs worth keeping as the call's text, in this order.
_INPUT_KEYS = ("command", "file_path", "path", "pattern", "url", "query", "description", "prompt")


def looks_like(name: str, head: str) -> bool:  # noqa: ARG001 (content decides, not the name)
    """Content sniffing: JSON lines carrying Claude Code's `sessionId` or a `summary` record."""
    first = head.lstrip()[:1]
    if first != "{":
        return False
    return '"sessionId"' in head or '"type":"summary"' in head or '"type": "summary"' in head


# Claude Code names the agents it forks for itself `a<label>-<hex>`; the one that compacts a
# session (`acompact-…`) gets the session's records again (the same uuids) as its input, and
# writes the summary the session file holds too, as its compact summary.
_COMPACTION_AGENT_ID = re.compile(r'"agentId"\s*:\s*"acompact-')
_COMPACTION_AGENT_FILE = re.compile(r"^agent-acompact-[\w-]+\.jsonl$")


def compaction_replay(path: Path, head: str) -> str | None:
    """Why a compaction agent's file (`<session>/subagents/agent-acompact-….jsonl`) is not
    read: it replays `<session>.jsonl`, read in its own right. Read when that file is not
    there (then the replay is the only copy of its records)."""
    if not (_COMPACTION_AGENT_FILE.match(path.name) or _COMPACTION_AGENT_ID.search(head)):
        return None
    if path.parent.name != "subagents":
        return None
    session = path.parent.parent
    if not session.with_name(f"{session.name}.jsonl").is_file():
        return None
    return f"Claude Code's compaction agent replaying {session.name}.jsonl (read there)"


# Beside its subagents' transcripts Claude Code keeps notes of them: `agent-<id>.meta.json`
# (the agent's type) and a workflow's `journal.jsonl` (each agent started, and its result).
_SUBAGENT_META = re.compile(r"^agent-[\w-]+\.meta\.json$")
_WORKFLOW_JOURNAL = re.compile(r'^\{"type":"(?:started|result)","key":"v\d+:[0-9a-f]+","agentId":"')


def sidecar(name: str, head: str) -> str | None:
    """Why a note Claude Code keeps beside its subagents' transcripts is not read: it holds
    no run (the runs are in the transcripts themselves)."""
    if _SUBAGENT_META.match(name) and '"agentType"' in head[:200]:
        return "Claude Code's note of a subagent's type (no run in it)"
    if name == "journal.jsonl" and _WORKFLOW_JOURNAL.match(head.lstrip()):
        return "Claude Code's journal of a workflow's subagents (their runs are in their own files)"
    return None


@dataclass
class _State:
    """Mutable bookkeeping while one file is read."""

    rel_path: str
    drafts: list[Draft] = field(default_factory=list)
    tool_names: dict[str, str] = field(default_factory=dict)
    session_id: str | None = None
    # The file is named by its session, and some line says so: a first line carried over
    # from the session before (a plan's "[Request interrupted…]") does not name the file's.
    named: bool = False
    cwd: str | None = None
    git_branch: str | None = None
    span: TimeSpan = field(default_factory=TimeSpan)
    sidechain: bool = False
    tally: Tally = field(default_factory=Tally)
    record_time: datetime | None = None  # the timestamp of the record being read
    queued: set[str] = field(default_factory=set)  # messages read where they were typed
    # Background commands: the result of each one still running (by task id), the tasks
    # left running while the agent did other work, and the task each poll call waits on.
    tasks: dict[str, Draft] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)
    polls: dict[str, str] = field(default_factory=dict)

    def add(self, line_no: int, record: dict[str, Any], **kwargs: Any) -> Draft | None:
        if not kwargs["text"].strip():
            return None
        draft = Draft(
            start=line_no,
            end=line_no,
            native_id=as_str(record.get("uuid")),
            timestamp=self.record_time,
            is_sidechain=bool(record.get("isSidechain")),
            **kwargs,
        )
        self.drafts.append(draft)
        return draft


def parse_lines(rel_path: str, lines: Iterable[tuple[int, RawLine]]) -> Run:
    """A Run from numbered lines (text, or UTF-8 bytes) of the file at `rel_path` (relative to
    its archive root)."""
    state = _State(rel_path=rel_path)
    own = _own_session(rel_path)
    for line_no, record in json_objects(lines, state.tally):
        if record.get("type") in _IGNORED_TYPES:
            continue  # what the two steps below would do with it: nothing
        state.record_time = parse_timestamp(record.get("timestamp"))
        _note_context(state, record)
        if not state.named and record.get("sessionId") == own:
            state.named = True
        _dispatch(state, line_no, record)
    if state.named:
        state.session_id = own
    return _finish(state)


def _own_session(rel_path: str) -> str:
    """The session the file is named by (`<session id>.jsonl`, any archived version mark, a
    copy named `<anything>__<session id>.jsonl`)."""
    stem = unversioned(Path(rel_path).stem)
    tail = _SESSION_TAIL.search(stem)
    return tail.group(1) if tail else stem


_SESSION_TAIL = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def _note_context(state: _State, record: dict[str, Any]) -> None:
    if record.get("type") in _METADATA_TYPES or record.get("type") == "summary":
        return
    state.session_id = state.session_id or as_str(record.get("sessionId"))
    state.cwd = state.cwd or as_str(record.get("cwd"))
    branch = as_str(record.get("gitBranch"))
    if branch and branch != "HEAD":
        state.git_branch = state.git_branch or branch
    state.sidechain = state.sidechain or bool(record.get("isSidechain"))
    state.span.note(state.record_time)


def _dispatch(state: _State, line_no: int, record: dict[str, Any]) -> None:
    kind = record.get("type")
    if kind == "user":
        _user(state, line_no, record)
    elif kind == "assistant":
        _assistant(state, line_no, record)
    elif kind == "system":
        _system(state, line_no, record)
    elif kind == "summary":
        state.add(
            line_no,
            record,
            role="system",
            kind=EventKind.SUMMARY,
            text=as_str(record.get("summary")) or "",
        )
    elif kind == "attachment":
        _attachment(state, line_no, record)
    elif kind == "queue-operation":
        _queued(state, line_no, record)
    elif kind not in _METADATA_TYPES:
        state.tally.unknown += 1


def _user(state: _State, line_no: int, record: dict[str, Any]) -> None:
    if record.get("isMeta"):
        return
    content = _content(record)
    if isinstance(content, str):
        _user_text(state, line_no, record, content)
        return
    for block in content:
        btype = block.get("type")
        if btype == "text":
            _user_text(state, line_no, record, as_str(block.get("text")) or "")
        elif btype == "tool_result":
            _tool_result(state, line_no, record, block)
        elif btype == "image":
            state.tally.images += 1


def _attachment(state: _State, line_no: int, record: dict[str, Any]) -> None:
    """A message the user typed while the agent was working: Claude Code folds it into the
    running turn as a `queued_command` attachment, never as a user line. It is where users
    correct agents mid-task."""
    attachment = record.get("attachment")
    if not isinstance(attachment, dict) or attachment.get("type") != "queued_command":
        return
    if attachment.get("isMeta") or attachment.get("commandMode", "prompt") != "prompt":
        return
    origin = attachment.get("origin")
    if isinstance(origin, dict) and origin.get("kind", "human") != "human":
        return
    prompt = attachment.get("prompt")
    if isinstance(prompt, list):
        prompt = "\n".join(as_str(b.get("text")) or "" for b in prompt if isinstance(b, dict))
    if isinstance(prompt, str):
        state.add(line_no, record, role="user", kind=EventKind.TEXT, text=prompt, mid_turn=True)


def _queued(state: _State, line_no: int, record: dict[str, Any]) -> None:
    """A message the user typed while the agent was working, as Claude Code 2.0 wrote it: a
    queue operation holding the words. A task's or a shell's notification (JSON, a tag) and a
    slash command are the harness's; the words sent again later as a prompt are read once,
    here, where they were typed."""
    content = record.get("content")
    if record.get("operation") != "enqueue" or not isinstance(content, str):
        return
    text = content.strip()
    if not text or text.startswith(("{", "<", "/")):
        return
    state.queued.add(text)
    state.add(line_no, record, role="user", kind=EventKind.TEXT, text=content, mid_turn=True)


def _user_text(state: _State, line_no: int, record: dict[str, Any], text: str) -> None:
    if text.strip() in state.queued:
        state.queued.discard(text.strip())
        return  # read where it was typed
    if record.get("isCompactSummary"):
        kind = EventKind.SUMMARY
    elif text.startswith(_INTERRUPT):
        kind = EventKind.INTERRUPT
    else:
        kind = EventKind.TEXT
    state.add(line_no, record, role="user", kind=kind, text=text)


def _tool_result(
    state: _State, line_no: int, record: dict[str, Any], block: dict[str, Any]
) -> None:
    text, images = _result_text(block.get("content"))
    state.tally.images += images
    tool_id = as_str(block.get("tool_use_id"))
    task = state.polls.pop(tool_id, None) if tool_id else None
    if task is not None and _finish_task(state, task, line_no, text, record):
        return
    is_error = bool(block.get("is_error"))
    match = _EXIT_CODE.match(text)
    exit_code = int(match.group(1)) if match else None
    if exit_code is None and not is_error:
        exit_code = _result_exit_code(record.get("toolUseResult"))
    draft = state.add(
        line_no,
        record,
        role="tool",
        kind=EventKind.ERROR if is_error else EventKind.TOOL_RESULT,
        text=text,
        tool_use_id=tool_id,
        tool_name=state.tool_names.get(tool_id or ""),
        exit_code=exit_code,
        rejected=is_error
        and _turned_down_in_words(record, text, state.tool_names.get(tool_id or "")),
        hooked=is_error and _refused_by_hook(record, text, state.tool_names.get(tool_id or "")),
    )
    started = started_task(text, record.get("toolUseResult")) if not is_error else None
    if draft is not None and started:
        state.tasks[started] = draft
        state.left.discard(started)


# Claude Code 2.0 (its VS Code extension) answered a call the user turned down with words
# ("tell Claude what to do instead") by an error holding the words alone, its `toolUseResult`
# "Error: <the words>" (none in the copy a resumed session begins with) — as it answers a
# program's error. The words tell them apart: one line, said by a person (as "I" or "we", or
# opening with what to do or a request: "Use …", "Don't …", "No. …", "Can you …"), with no
# program's `name: ` before them and none of an error's words.
_WORDS_ERA = "2.0."
_ERROR_WORDS = re.compile(
    r"\b(?:errors?|fail(?:s|ed|ure)?|fatal|exception|denied|cannot|can't|could not|couldn't"
    r"|unable|not found|no such|invalid|refused|timed? ?out|abort(?:ed)?|exceed(?:s|ed)?"
    r"|not running|unexpected(?:ly)?|warning)\b",
    re.I,
)
_PROGRAM_SAYS = re.compile(r"^\S+:\s")  # `ls: …`, `fatal: …`, `(eval):1: …`
_TELLS = re.compile(
    r"^(?:(?:can|could|would|will|should|shall) (?:you|we|i)\b|why\b|please\b|sorry\b|just\b"
    r"|use\b|try\b|don'?t\b|do not\b|instead\b|never\b|always\b|stop\b|no[.,!]|nope\b)",
    re.I,
)
_FIRST_PERSON = frozenset(
    {"i", "i'm", "i've", "i'd", "i'll", "me", "my", "we", "we're", "we've", "we'll", "let's",
     "us", "our"}
)  # fmt: skip
_QUOTED = re.compile(r"\"[^\"]*\"|'[^'\s][^']*'|`[^`]*`|\u201c[^\u201d]*\u201d")
_OWN_TOOLS = frozenset({"Bash", "Edit", "MultiEdit", "Write", "NotebookEdit", "WebFetch"})


def _turned_down_in_words(record: dict[str, Any], text: str, tool: str | None) -> bool:
    """The error result is Claude Code 2.0's answer to a call the user turned down, holding
    only the words they typed. Words that tell what to do ("Use …", "Try …") count only for
    Claude Code's own tools, whose errors never read so (an MCP server's may: "Use the
    absolute path instead")."""
    version = record.get("version")
    if not isinstance(version, str) or not version.startswith(_WORDS_ERA):
        return False
    said = text.removeprefix("Error: ").strip()
    result = record.get("toolUseResult", f"Error: {said}")
    if not isinstance(result, str) or result.removeprefix("Error: ").strip() != said:
        return False
    if "\n" in said or len(said) > 600 or len(said.split()) < 3 or not said.isprintable():
        return False
    if _PROGRAM_SAYS.match(said) or _ERROR_WORDS.search(said):
        return False
    if _TELLS.match(said):
        return tool in _OWN_TOOLS
    words = (word.strip(".,;:!?()").lower() for word in _QUOTED.sub(" ", said).split())
    return any(word in _FIRST_PERSON for word in words)


# A call a PreToolUse hook of the user's refused before it ran: in Claude Code's words for it
# ("PreToolUse:Bash hook error: [the hook's command]: …", "Hook PreToolUse:Bash denied this
# tool"), or, from 2.1 on, the hook's reason alone as the error of one of Claude Code's own
# tools that run a command or change a file. Those say their own errors otherwise from 2.1 on:
# a command's `Exit code 1`, a tool's `<tool_use_error>…`, a refusal's, an interrupt's or a
# limit's words of Claude Code (before 2.1 they too were bare: no reason is read alone there).
_HOOK_SAID = re.compile(
    r"^(?:Error: )?(?:PreToolUse:\w+ hook error: |Hook PreToolUse:\w+ denied this tool\b)"
)
_REASON_ALONE_SINCE = (2, 1)
_REASON_TOOLS = frozenset({"Bash", "PowerShell", "Edit", "MultiEdit", "Write", "NotebookEdit"})
_OWN_ERROR = re.compile(
    r"^(?:Error: )?(?:Exit code \d|<tool_use_error>|The user doesn't want to"
    r"|User (?:rejected|cancell?ed)\b|Permission (?:to use|for this)\b"
    r"|Claude requested permissions\b|Tool permission\b|\[Request interrupted\b"
    r"|Interrupted by user\b|Command (?:timed out|failed)\b|(?:cd to|mkdir in) '|Path \""
    r"|This (?:Bash )?command\b|\S+ is temporarily unavailable\b|Warmup$"
    r"|Streaming fallback\b|No such tool\b|InputValidationError\b|Shell \S+ is not running\b)",
    re.I,
)


def _refused_by_hook(record: dict[str, Any], text: str, tool: str | None) -> bool:
    """The error result is a PreToolUse hook's refusal of the call, not the tool's error."""
    if _HOOK_SAID.match(text):
        return True
    if tool not in _REASON_TOOLS or not text.strip() or _OWN_ERROR.match(text.lstrip()):
        return False
    result = record.get("toolUseResult")
    if result is not None and not isinstance(result, str):
        return False  # the tool ran: what it gave back is its own
    return _version(record) >= _REASON_ALONE_SINCE


def _version(record: dict[str, Any]) -> tuple[int, int]:
    """Claude Code's major and minor version that wrote the record; (0, 0) when unsaid."""
    found = re.match(r"(\d+)\.(\d+)\.", as_str(record.get("version")) or "")
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _finish_task(state: _State, task: str, line_no: int, text: str, record: dict[str, Any]) -> bool:
    """A poll that saw its background command end, while the agent waited on it: its output
    and exit code become the command's result (spanning the lines up to the poll's), and the
    poll adds no event of its own. False when the poll is no verdict (still running, killed,
    a task left behind), and is read as a result of its own."""
    pending = state.tasks.get(task)
    if pending is None or task in state.left:
        return False
    poll = read_poll(text, record.get("toolUseResult"))
    if not poll.ended:
        return False
    del state.tasks[task]
    pending.text = poll.output[-MAX_EVENT_CHARS:]  # a long run says at its end how it ended
    pending.end = line_no
    pending.exit_code = poll.exit_code
    if poll.status is TaskStatus.FAILED or poll.exit_code not in (None, 0):
        pending.kind = EventKind.ERROR
    return True


def _assistant(state: _State, line_no: int, record: dict[str, Any]) -> None:
    content = _content(record)
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    error = bool(record.get("isApiErrorMessage"))
    for block in content:
        btype = block.get("type")
        if btype == "text":
            state.add(
                line_no,
                record,
                role="assistant",
                kind=EventKind.ERROR if error else EventKind.TEXT,
                text=as_str(block.get("text")) or "",
            )
        elif btype == "tool_use":
            tool_id, name = as_str(block.get("id")), as_str(block.get("name")) or "tool"
            if tool_id:
                state.tool_names[tool_id] = name
            _note_wait(state, tool_id, name, block.get("input"))
            state.add(
                line_no,
                record,
                role="assistant",
                kind=EventKind.TOOL_CALL,
                text=_describe_input(block.get("input")),
                tool_name=name,
                tool_use_id=tool_id,
                timeout_ms=_timeout(block.get("input")),
            )


def _note_wait(state: _State, tool_id: str | None, name: str, tool_input: Any) -> None:
    """A poll of a background task is noted; any call but a wait leaves the tasks still
    running behind (their end, read later, is no verdict on their commands)."""
    task = polled_task(tool_input) if name in POLL_TOOLS else None
    if task is not None and tool_id:
        state.polls[tool_id] = task
    elif not only_waits(name, tool_input, state.tasks):
        state.left.update(state.tasks)


def _system(state: _State, line_no: int, record: dict[str, Any]) -> None:
    subtype = record.get("subtype")
    if subtype in _SYSTEM_ERRORS:
        state.add(line_no, record, role="system", kind=EventKind.ERROR, text=_api_error(record))
    elif subtype in _SYSTEM_SUMMARIES:
        state.add(
            line_no,
            record,
            role="system",
            kind=EventKind.SUMMARY,
            text=as_str(record.get("content")) or str(subtype),
        )


def _finish(state: _State) -> Run:
    rel = Path(state.rel_path)
    is_subagent = state.sidechain or "subagents" in rel.parts
    project_dir = rel.parent.parent.parent if "subagents" in rel.parts else rel.parent
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=state.session_id or unversioned(rel.stem),
        project=project_dir.name or rel.parent.name,
        cwd=state.cwd,
        git_branch=state.git_branch,
        started_at=state.span.first,
        ended_at=state.span.last,
        is_subagent=is_subagent,
        events=events_of(state.rel_path, state.drafts),
        stats=state.tally.stats(len(state.drafts)),
    )


def _content(record: dict[str, Any]) -> str | list[dict[str, Any]]:
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def _result_text(content: Any) -> tuple[str, int]:
    """A tool result's text and its number of image blocks (images are skipped)."""
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        return "", 0
    texts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    images = sum(1 for b in content if isinstance(b, dict) and b.get("type") == "image")
    return "\n".join(t for t in texts if isinstance(t, str)), images


def _result_exit_code(result: Any) -> int | None:
    if isinstance(result, dict):
        for key in ("exitCode", "returnCode", "code"):
            value = result.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and key != "code":
                return value
    return None


def _timeout(tool_input: Any) -> int | None:
    """The time limit a call set itself (the Bash tool's `timeout`, in milliseconds)."""
    value = tool_input.get("timeout") if isinstance(tool_input, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _describe_input(tool_input: Any) -> str:
    """What a tool call acted on (its command, file, pattern...), verbatim from the line; the
    questions an AskUserQuestion call asks, each with its topic (`topic: header`, when given)
    and its options (`- label`, a tab, its description)."""
    if not isinstance(tool_input, dict):
        return ""
    questions = tool_input.get("questions")
    if isinstance(questions, list):
        return "\n".join(_describe_question(q) for q in questions if isinstance(q, dict))
    return next((tool_input[k] for k in _INPUT_KEYS if isinstance(tool_input.get(k), str)), "")


def _describe_question(question: dict[str, Any]) -> str:
    options = question.get("options")
    header = " ".join((as_str(question.get("header")) or "").split())
    lines = [as_str(question.get("question")) or ""]
    if header:
        lines.append(f"{TOPIC_LINE}{header}")
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict):
            # one line an option, its label apart from its description by the tab even when
            # it has none ("Option A: Redis" is a label)
            label = " ".join((as_str(option.get("label")) or "").split())
            why = " ".join((as_str(option.get("description")) or "").split())
            lines.append(f"{OPTION_LINE}{label}{OPTION_REASON}{why}")
    return "\n".join(lines)


def _api_error(record: dict[str, Any]) -> str:
    error = record.get("error")
    status = error.get("status") if isinstance(error, dict) else None
    return f"api_error status {status}" if status else "api_error"


SOURCE = SourceFormat(
    FORMAT,
    looks_like,
    parse_lines,
    parse_raw=parse_lines,
    replay=compaction_replay,
    unread=sidecar,
)
parse_file = SOURCE.parse_file
