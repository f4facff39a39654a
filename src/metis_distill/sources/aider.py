"""aider chat histories (`.aider.chat.history.md`: append-only markdown, one file per project).

How aider writes the file, and so how it is read here:
- `# aider chat started at YYYY-MM-DD HH:MM:SS` opens each launch: a session, with a naive
  local time (read as local time, stored in UTC). Its id is `<file stem>@<time as written>`.
- `#### ` lines are the user's input; consecutive ones are one message. `/cmd` inputs are aider
  commands: `/run`, `!`, `/test`, `/git` are shell calls; `/undo` reverts the agent's last commit.
- `> ` lines are aider's own output, each ending in two spaces. A multi-line message gets the
  prefix on its first line only and the two spaces on its last: the lines between are bare.
- Everything else is the assistant's reply, written in one piece after a blank line. Its
  SEARCH/REPLACE blocks (or whole-file / udiff blocks in those edit formats) are Edit calls;
  `> Applied edit to F` is their result and `> # 1 SEARCH/REPLACE block failed to match!` with
  its explanation their error, paired by file within the reply (shared `tool_use_id`).

A line whose bytes did not decode (U+FFFD, NUL) is left out of event text and counted as
corrupt; a launch header with an unreadable time is counted as corrupt and still starts a
session; a stray `>x`/`####x` line outside any reply is counted as unknown. Never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from metis_distill.models import Event, EventKind, ParseStats, Run, SourceRef
from metis_distill.sources.base import SourceFormat
from metis_distill.sources.common import event_text, unversioned
from metis_distill.textio import numbered_lines

FORMAT = "aider"

_HEADER = re.compile(r"^# aider chat started at(?P<ts>.*)$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?$")
_SNIFF_HEADER = re.compile(r"^# aider chat started at \d{4}-\d{2}-\d{2}", re.M)
_SNIFF_MARKERS = (
    re.compile(r"^> Aider v\d", re.M),
    re.compile(r"^> Tokens: [\d.]+k? sent", re.M),
    re.compile(r"^> Applied edit to \S", re.M),
    re.compile(r"^> Commit [0-9a-f]{7,} ", re.M),
    re.compile(r"^> (?:Main )?[Mm]odel: .+ with [\w-]+ edit format", re.M),
    re.compile(r"^> # \d+ SEARCH/REPLACE blocks? failed to match", re.M),
)

# Aider's own output lines that are never a command's output (they end it).
_NOTICE = re.compile(
    r"^(?:Tokens: |Cost: |Commit [0-9a-f]{7,} |Committing .+ before applying edits|Diff since |"
    r"You can use /undo|Copied code context|Processing your request|Repo-map can't include|"
    r"Has it been deleted from the file system|Added .+ to the chat|Added .+ to \.gitignore|"
    r"Dropping .+ from the chat|Removed .+ from the chat|Scraping \S|Aider v\d|"
    r"(?:Main |Weak |Editor )?[Mm]odel: |Git repo: |Repo-map: |Use /help|Multiline mode|"
    r"Cur working dir: |Git working dir: |Cost estimates may be|Initial repo scan|"
    r"The LLM did not conform|Only \d+ reflections allowed|Newer aider version|"
    r"Restored previous conversation|All chat history cleared|Executing: |Now at: |HEAD is: |"
    r"Warning: it's best to only add|Note: in-chat filenames|Update git (?:name|email)|"
    r"Git repository created in |No git repo found|You can skip this check|"
    r"Open (?:URL|documentation url) for more info|https://aider\.chat/|Skipping edits to |"
    r"# Fix any errors below)"
)
_CONFIRM = re.compile(r"^(?P<q>.*?\?) \(Y\)es/\(N\)o.*\[(?:Yes|No)\]: ?(?P<a>.*)$")
_ACTION_QUESTION = re.compile(
    r"^(?:Run shell commands?\?|Allow edits to file|Allow creation of new file|Create new file\?|"
    r"Edit the files\?)"
)
_OUTPUT_QUESTION = re.compile(r"^Add (?:the |command )?(?:output|[\d.]+k tokens of command output)")
_TEST_QUESTION = re.compile(r"^Attempt to fix test errors\?")
_SKIP_EDITS = re.compile(r"^Skipping edits to ")
_RUNNING = re.compile(r"^Running (?P<cmd>\S.*)$")
_LINT_RUNNING = re.compile(r"^## Running: (?P<cmd>\S.*)$")
_ADDED_OUTPUT = re.compile(r"^Added \d+ lines? of output to the chat\.?$")
_CTRL_C = re.compile(r"^\^C (?:again to exit|again to quit|KeyboardInterrupt)$")
_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$)")
_EXCEPTION_LOOSE = re.compile(r"^[A-Za-z_][\w.]*: \S")
_API_ERROR = re.compile(
    r"^(?:litellm\.\w+|Model .+ has hit a token limit!|The API provider|"
    r"Retrying in [\d.]+ seconds|(?:openai|anthropic)\.\w+Error)"
)
_APPLIED = re.compile(
    r"^(?:Applied edit to (?P<a>.+)|Did not apply edit to (?P<d>.+?) \(--dry-run\))$"
)
_EDIT_FAILED = re.compile(
    r"^(?:#\s*\d+ SEARCH/REPLACE blocks? failed to match|UnifiedDiff\w+|Failed to apply edit to )"
)
_EDIT_SECTION = re.compile(r"^## (?:SearchReplace|UnifiedDiff)\w*:")
_FAILED_PATH = re.compile(
    r"failed to exactly match lines in (?P<p>.+)$|^Failed to apply edit to (?P<q>.+)$"
)
_CWD = re.compile(r"^Cur working dir: (?P<p>.+)$")
_GIT_ROOT = re.compile(r"^(?:Git working dir: |Git repository created in )(?P<p>.+)$")
_NOT_FOUND = re.compile(r"^(?P<p>.+): file not found error$")
_DROPPING = re.compile(r"^Dropping (?P<p>.+) from the chat\.?$")
_ADDED_FILE = re.compile(r"^Added (?P<p>.+) to the chat\.?$")
_EDIT_FORMAT = re.compile(r"^(?:Main |Editor )?[Mm]odel: .+ with (?P<f>[\w-]+) edit format")
_FAILED_OUTPUT = re.compile(
    r"Traceback \(most recent call last\)|command not found|"
    r"is not recognized as an internal or external command|^Error running command|"
    r"exit(?:ed with)? (?:code|status) -?[1-9]|returned non-zero exit status|"
    r"^(?:error|fatal|ERROR|FATAL)(?:\[\w+\])?:|npm ERR!|\b\d+ failed\b|^FAILED |^E\s+\w+Error",
    re.M,
)
_EXIT_CODE = re.compile(r"(?:exit(?:ed with)? (?:code|status)|Exit code) (-?\d+)", re.I)

_COMMAND = re.compile(r"^/(?P<cmd>[A-Za-z][\w-]*)(?:\s+(?P<rest>.*))?$")
_PROSE_COMMANDS = frozenset({"ask", "code", "architect", "context", "help"})

_SEARCH = re.compile(r"^<{5,9} SEARCH>?\s*$")
_DIVIDER = re.compile(r"^={5,9}\s*$")
_REPLACE = re.compile(r"^>{5,9} REPLACE\s*$")
_FENCE = re.compile(r"^ {0,3}(?P<f>`{3,}|~{3,})(?P<info>.*)$")
_THINK_OPEN = re.compile(r"^<(?P<tag>thinking-content-[0-9a-f]+|think|thinking|reasoning)>\s*$")
_FENCED_EDIT_FORMATS = frozenset({"whole", "editor-whole", "udiff", "udiff-simple"})
_BARE_NAMES = frozenset({"Makefile", "Dockerfile", "Procfile", "Gemfile", "Rakefile", "Justfile"})


def looks_like(name: str, head: str) -> bool:
    """Content sniffing: aider's launch header, or two of its output markers (or one + name)."""
    if head.lstrip()[:1] in ("{", "["):
        return False
    if _SNIFF_HEADER.search(head):
        return True
    found = sum(1 for marker in _SNIFF_MARKERS if marker.search(head))
    return found >= 2 or (found == 1 and name.endswith(".aider.chat.history.md"))


@dataclass
class _Msg:
    """One aider output message: its lines as (line number, text without `> `, right-stripped)."""

    lines: list[tuple[int, str]]

    @property
    def head(self) -> str:
        return self.lines[0][1]

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][0]

    @property
    def blank(self) -> bool:
        return all(not text.strip() for _, text in self.lines)


@dataclass
class _Block:
    kind: str  # header | user | tool | assistant
    lines: list[tuple[int, str]] = field(default_factory=list)
    msgs: list[_Msg] = field(default_factory=list)
    glued: bool = False  # a tool block right under a user block: that input's output


class _Lexer:
    """Cuts the lines into blocks: launch headers, user inputs, aider output, replies."""

    def __init__(self, convention: bool) -> None:
        self.convention = convention  # `> `/`#### ` lines end in two spaces in this file
        self.blocks: list[_Block] = []
        self.mode = "none"  # none | assistant | multi
        self.prev = "blank"  # what the previous line was
        self.fence: str | None = None
        self.unknown = 0

    def feed(self, n: int, line: str) -> None:
        if not line.strip():
            self._blank(n)
        elif _HEADER.match(line):
            self.mode, self.prev = "none", "header"
            self.blocks.append(_Block("header", [(n, line)]))
        elif self.mode == "multi":
            self.blocks[-1].msgs[-1].lines.append((n, line.rstrip()))
            if line.endswith("  "):
                self.mode = "none"
        elif line.startswith("> ") or line.rstrip() == ">":
            self._quote(n, line)
        elif line.startswith("#### ") or line.rstrip() == "####":
            self._user(n, line)
        else:
            self._bare(n, line)

    def _blank(self, n: int) -> None:
        if self.mode == "multi":
            self.blocks[-1].msgs[-1].lines.append((n, ""))
            return
        if self.mode == "assistant":
            self.blocks[-1].lines.append((n, ""))
        self.prev = "blank"

    def _quote(self, n: int, line: str) -> None:
        ends = line.endswith("  ")
        if _EDIT_FAILED.match(line[2:]):
            is_tool = True  # aider's report of failed edits, whatever stands before it
        elif self.convention:
            is_tool = ends or (self.mode != "assistant" and self.prev in ("tool", "user"))
        else:
            is_tool = not (self.mode == "assistant" and self.fence)
        if not is_tool:
            self._assistant(n, line)
            return
        self.mode = "multi" if self.convention and not ends else "none"
        msg = _Msg([(n, line[2:].rstrip())])
        if self.prev == "tool":
            self.blocks[-1].msgs.append(msg)
        else:
            self.blocks.append(_Block("tool", msgs=[msg], glued=self.prev == "user"))
        self.prev = "tool"

    def _user(self, n: int, line: str) -> None:
        if self.mode == "assistant" and self.convention and not line.endswith("  "):
            self._assistant(n, line)  # a markdown heading in the reply
            return
        self.mode = "none"
        content = (n, line[5:].rstrip())
        if self.prev == "user":
            self.blocks[-1].lines.append(content)
        else:
            self.blocks.append(_Block("user", [content]))
        self.prev = "user"

    def _bare(self, n: int, line: str) -> None:
        if self.mode == "assistant":
            self._assistant(n, line)
        elif self.prev == "tool":
            # The rest of the aider message above: written without the `> ` prefix.
            self.blocks[-1].msgs[-1].lines.append((n, line.rstrip()))
            if self.convention and not line.endswith("  "):
                self.mode = "multi"
        elif (line.startswith(">") and not line.startswith(">>>")) or (
            line.startswith("####") and not line.startswith("#####")
        ):
            self.unknown += 1
            self.prev = "unknown"
        else:
            self._assistant(n, line)

    def _assistant(self, n: int, line: str) -> None:
        if self.mode != "assistant":
            self.mode, self.fence = "assistant", None
            self.blocks.append(_Block("assistant"))
        self.blocks[-1].lines.append((n, line.rstrip()))
        self.prev = "assistant"
        fence = _FENCE.match(line)
        if fence is None:
            return
        marker, info = fence.group("f"), fence.group("info")
        if self.fence is None:
            self.fence = marker
        elif marker[0] == self.fence[0] and len(marker) >= len(self.fence) and not info.strip():
            self.fence = None


@dataclass
class _Draft:
    """An event before its sequence number is known."""

    role: str
    kind: EventKind
    text: str
    start: int
    end: int
    session: str | None
    timestamp: datetime | None
    tool_name: str | None = None
    tool_use_id: str | None = None
    exit_code: int | None = None


@dataclass
class _Pending:
    """The call a user input made, whose output is the tool block right under it."""

    kind: str  # bash | aider
    call_id: str
    is_test: bool = False
    args: str = ""


@dataclass
class _State:
    rel_path: str
    prefix: str
    drafts: list[_Draft] = field(default_factory=list)
    session: str | None = None
    session_ts: datetime | None = None
    first_session: str | None = None
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    edit_format: str | None = None
    cwd: str | None = None
    git_root: str | None = None
    reply_calls: dict[str, str] = field(default_factory=dict)
    expect_edit_error: bool = False
    notices: list[_Msg] = field(default_factory=list)
    lines: int = 0
    corrupt: list[int] = field(default_factory=list)

    def add(
        self,
        role: str,
        kind: EventKind,
        text: str,
        start: int,
        end: int,
        *,
        tool_name: str | None = None,
        tool_use_id: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        if not text.strip():
            return
        self.flush()
        draft = _Draft(role, kind, text, start, end, self.session, self.session_ts)
        draft.tool_name, draft.tool_use_id, draft.exit_code = tool_name, tool_use_id, exit_code
        self.drafts.append(draft)

    def add_msgs(
        self,
        role: str,
        kind: EventKind,
        msgs: list[_Msg],
        *,
        tool_name: str | None = None,
        tool_use_id: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        msgs = _trim(msgs)
        if msgs:
            self.add(
                role,
                kind,
                _msgs_text(msgs),
                msgs[0].start,
                msgs[-1].end,
                tool_name=tool_name,
                tool_use_id=tool_use_id,
                exit_code=exit_code,
            )

    def flush(self) -> None:
        """Aider's chatter (banners, token counts, commits...) as one system event per run."""
        notices = _trim(self.notices)
        self.notices = []
        if notices:
            self.drafts.append(
                _Draft(
                    "system",
                    EventKind.TEXT,
                    _msgs_text(notices),
                    notices[0].start,
                    notices[-1].end,
                    self.session,
                    self.session_ts,
                )
            )


def parse_file(path: Path, archive_root: Path) -> Run:
    """Read one history into a Run. Never writes; damaged lines are skipped and counted."""
    return parse_lines(path.relative_to(archive_root).as_posix(), numbered_lines(path))


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the file at `rel_path` (relative to its archive root)."""
    state = _State(rel_path=rel_path, prefix=_session_prefix(rel_path))
    good: list[tuple[int, str]] = []
    for line_no, raw in lines:
        if not raw.strip():
            good.append((line_no, ""))
            continue
        state.lines += 1
        if "\ufffd" in raw or "\x00" in raw:
            state.corrupt.append(line_no)
            continue
        good.append((line_no, raw))
    convention = any(text.startswith(("> ", "#### ")) and text.endswith("  ") for _, text in good)
    lexer = _Lexer(convention)
    for line_no, text in good:
        lexer.feed(line_no, text)
    _Builder(state).run(lexer.blocks)
    return _finish(state, lexer.unknown)


class _Builder:
    """Turns blocks into events, keeping the state that spans blocks (session, last reply)."""

    def __init__(self, state: _State) -> None:
        self.s = state
        self._pending_missing: str | None = None  # a file aider could not find, by absolute path
        self._typed_later = False  # the user types something after this block, same launch
        self._echo: _Draft | None = None  # `/ask X`: aider logs X again as the next input

    def run(self, blocks: list[_Block]) -> None:
        pending: _Pending | None = None
        typed_later = _typed_later(blocks)
        for index, block in enumerate(blocks):
            self._typed_later = typed_later[index]
            if block.kind == "header":
                self._header(block)
            elif block.kind == "user":
                pending = self._user(block)
                continue
            elif block.kind == "tool":
                self._tool(block, pending if block.glued else None)
            elif block.kind == "assistant":
                self._assistant(block)
            pending, self._echo = None, None
        self.s.flush()

    # -- launches ------------------------------------------------------------------------

    def _header(self, block: _Block) -> None:
        s = self.s
        s.flush()
        line_no, text = block.lines[0]
        header = _HEADER.match(text)
        raw_ts = header.group("ts").strip() if header else ""
        ts = _local_time(raw_ts)
        if ts is None:
            s.corrupt.append(line_no)
            s.session = f"{s.prefix}@L{line_no}"
        else:
            s.session = f"{s.prefix}@{raw_ts.replace(' ', 'T')}"
            s.first_ts = ts if s.first_ts is None else min(s.first_ts, ts)
            s.last_ts = ts if s.last_ts is None else max(s.last_ts, ts)
        s.session_ts = ts
        s.first_session = s.first_session or s.session
        s.reply_calls = {}
        s.expect_edit_error = False

    # -- user input ----------------------------------------------------------------------

    def _user(self, block: _Block) -> _Pending | None:
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
            s.add(
                "user",
                EventKind.TOOL_CALL,
                first[1:].strip(),
                start,
                end,
                tool_name="Bash",
                tool_use_id=call_id,
            )
            return _Pending("bash", call_id)
        command = _COMMAND.match(first)
        if command is None:
            text = _join([first, *rest_lines])
            if echo is not None and echo.kind is EventKind.TEXT and echo.text == text:
                echo.end = end  # the same question, logged again by the ask coder
                return None
            s.add("user", EventKind.TEXT, text, start, end)
            return None
        name, rest = command.group("cmd").lower(), (command.group("rest") or "").strip()
        if name in ("run", "test") and rest:
            s.add(
                "user", EventKind.TOOL_CALL, rest, start, end, tool_name="Bash", tool_use_id=call_id
            )
            return _Pending("bash", call_id, is_test=name == "test")
        if name == "git" and rest:
            s.add(
                "user",
                EventKind.TOOL_CALL,
                first[1:].strip(),
                start,
                end,
                tool_name="Bash",
                tool_use_id=call_id,
            )
            return _Pending("bash", call_id)
        if name == "undo":
            s.add("user", EventKind.INTERRUPT, _join([first, *rest_lines]), start, end)
            return None
        if name in _PROSE_COMMANDS and (rest or any(x.strip() for x in rest_lines)):
            s.add("user", EventKind.TEXT, _join([rest, *rest_lines]), start, end)
            self._echo = s.drafts[-1] if s.drafts else None
            return None
        s.add(
            "user",
            EventKind.TOOL_CALL,
            _join([first, *rest_lines]),
            start,
            end,
            tool_name="aider",
            tool_use_id=call_id,
        )
        return _Pending("aider", call_id, args=rest if name == "add" else "")

    # -- aider output --------------------------------------------------------------------

    def _tool(self, block: _Block, pending: _Pending | None) -> None:
        msgs = block.msgs
        for msg in msgs:
            self._note_context(msg)
        i = 0
        if pending is not None and pending.kind == "bash":
            i = self._bash_result(msgs, 0, pending)
        elif pending is not None and not any(self._special(m) for m in msgs):
            self._note_added_root(msgs, pending)
            self.s.add_msgs(
                "tool", EventKind.TOOL_RESULT, msgs, tool_name="aider", tool_use_id=pending.call_id
            )
            i = len(msgs)
        while i < len(msgs):
            i = self._one(msgs, i)
        self.s.flush()
        self.s.expect_edit_error = False

    def _tag(self, msg: _Msg) -> str:
        head = msg.head
        if msg.blank:
            return "blank"
        if _CTRL_C.match(head):
            return "interrupt"
        if _TRACEBACK.match(head):
            return "traceback"
        if _APPLIED.match(head):
            return "edit_ok"
        if _EDIT_FAILED.match(head) or (
            self.s.expect_edit_error and not _NOTICE.match(head) and not _CONFIRM.match(head)
        ):
            return "edit_error"
        if _LINT_RUNNING.match(head):
            return "lint_run"
        if _RUNNING.match(head):
            return "run"
        if _ADDED_OUTPUT.match(head):
            return "added_output"
        if _CONFIRM.match(head):
            return "confirm"
        if _API_ERROR.match(head):
            return "api"
        if _NOTICE.match(head):
            return "notice"
        return "other"

    def _special(self, msg: _Msg) -> bool:
        return self._tag(msg) not in ("blank", "notice", "other", "confirm", "added_output")

    def _one(self, msgs: list[_Msg], i: int) -> int:
        s, msg = self.s, msgs[i]
        tag = self._tag(msg)
        if tag == "run":
            match = _RUNNING.match(msg.head)
            assert match is not None
            call_id = f"L{msg.start}"
            s.add(
                "assistant",
                EventKind.TOOL_CALL,
                match.group("cmd"),
                msg.start,
                msg.start,
                tool_name="Bash",
                tool_use_id=call_id,
            )
            if len(msg.lines) > 1:  # the output was glued to the line: keep it as the result
                rest = _Msg(msg.lines[1:])
                return self._bash_result([rest, *msgs[i + 1 :]], 0, _Pending("bash", call_id)) + i
            return self._bash_result(msgs, i + 1, _Pending("bash", call_id))
        if tag == "lint_run":
            return self._lint(msgs, i)
        if tag == "traceback":
            end = self._traceback_end(msgs, i)
            s.add_msgs("tool", EventKind.ERROR, msgs[i:end], tool_name="aider")
            return end
        if tag == "api":
            end = i + 1
            while end < len(msgs) and self._tag(msgs[end]) in ("api", "other", "blank"):
                end += 1
            s.add_msgs("system", EventKind.ERROR, msgs[i:end])
            return end
        if tag == "edit_error":
            self._edit_error(msg)
            return i + 1
        if tag == "edit_ok":
            match = _APPLIED.match(msg.head)
            assert match is not None
            path = match.group("a") or match.group("d") or ""
            s.add_msgs(
                "tool",
                EventKind.TOOL_RESULT,
                [msg],
                tool_name="Edit",
                tool_use_id=self._call_for(path, fallback=False),
            )
            return i + 1
        if tag == "interrupt" and self._typed_later:
            s.add_msgs("user", EventKind.INTERRUPT, [msg])
            return i + 1
        if tag == "confirm":
            return self._confirm(msgs, i)
        if msg.head.startswith("The LLM did not conform"):
            s.expect_edit_error = True
        s.notices.append(msg)
        return i + 1

    def _bash_result(self, msgs: list[_Msg], i: int, call: _Pending) -> int:
        """A shell call's output (when aider logged it) and whether it was added to the chat."""
        s, end = self.s, i
        while end < len(msgs) and self._tag(msgs[end]) in ("other", "traceback", "blank"):
            end += 1
        output = _trim(msgs[i:end])
        after = end
        while (
            after < len(msgs)
            and self._tag(msgs[after]) == "confirm"
            and _OUTPUT_QUESTION.match(msgs[after].head)
        ):
            after += 1
        added = after < len(msgs) and self._tag(msgs[after]) == "added_output"
        if output:
            text = _msgs_text(output)
            failed = bool(_FAILED_OUTPUT.search(text)) or (call.is_test and added)
            s.add_msgs(
                "tool",
                EventKind.ERROR if failed else EventKind.TOOL_RESULT,
                output,
                tool_name="Bash",
                tool_use_id=call.call_id,
                exit_code=_exit_code(text),
            )
        s.notices.extend(msgs[end:after])
        if added and not output:
            # /test adds its output to the chat only on a non-zero exit.
            kind = EventKind.ERROR if call.is_test else EventKind.TOOL_RESULT
            s.add_msgs("tool", kind, [msgs[after]], tool_name="Bash", tool_use_id=call.call_id)
        elif added:
            s.notices.append(msgs[after])
        return after + 1 if added else after

    def _lint(self, msgs: list[_Msg], i: int) -> int:
        """Aider's auto-lint: `## Running: <linter>` then its complaints (shown only on errors)."""
        s, msg = self.s, msgs[i]
        match = _LINT_RUNNING.match(msg.head)
        assert match is not None
        call_id = f"L{msg.start}"
        s.add(
            "assistant",
            EventKind.TOOL_CALL,
            match.group("cmd"),
            msg.start,
            msg.start,
            tool_name="Bash",
            tool_use_id=call_id,
        )
        end = i + 1
        while end < len(msgs) and self._tag(msgs[end]) not in ("confirm", "interrupt", "run"):
            if self._tag(msgs[end]) == "lint_run":
                break
            end += 1
        output = _trim(msgs[i + 1 : end])
        if len(msg.lines) > 1:
            output = [_Msg(msg.lines[1:]), *output]
        s.add_msgs(
            "tool",
            EventKind.ERROR,
            output,
            tool_name="Bash",
            tool_use_id=call_id,
            exit_code=_exit_code(_msgs_text(output)) if output else None,
        )
        return end

    def _traceback_end(self, msgs: list[_Msg], i: int) -> int:
        """Where a traceback shown by aider ends: after its exception line (and its echo)."""
        if any(_EXCEPTION.match(text) for _, text in msgs[i].lines[1:]):
            return i + 1
        end, previous = i + 1, msgs[i].head
        while end < len(msgs):
            if self._tag(msgs[end]) not in ("other", "blank", "api"):
                return end
            head = msgs[end].head.strip()
            end += 1
            if _EXCEPTION.match(head) or (
                _EXCEPTION_LOOSE.match(head) and not previous.lstrip().startswith("File ")
            ):
                message = head.split(": ", 1)[1] if ": " in head else None
                if end < len(msgs) and message and msgs[end].head.strip() == message:
                    end += 1
                return end
            previous = head
        return end

    def _edit_error(self, msg: _Msg) -> None:
        """One ERROR per failed block: aider lists them in one message, `## ...` per block."""
        s = self.s
        s.expect_edit_error = False
        cuts = [k for k, (_, text) in enumerate(msg.lines) if _EDIT_SECTION.match(text)]
        bounds = [0, *cuts[1:], len(msg.lines)] if cuts else [0, len(msg.lines)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            while b - 1 > a and not msg.lines[b - 1][1].strip():
                b -= 1
            section = _Msg(msg.lines[a:b])
            path = next(
                (
                    m.group("p") or m.group("q")
                    for _, t in section.lines
                    if (m := _FAILED_PATH.search(t))
                ),
                None,
            )
            s.add_msgs(
                "tool",
                EventKind.ERROR,
                [section],
                tool_name="Edit",
                tool_use_id=self._call_for(path or "", fallback=path is None),
            )

    def _confirm(self, msgs: list[_Msg], i: int) -> int:
        """Aider's yes/no questions. Declining an edit or a shell command is the user's veto."""
        s, msg = self.s, msgs[i]
        match = _CONFIRM.match(msg.head)
        assert match is not None
        question, answer = match.group("q"), match.group("a").strip().lower()
        if _ACTION_QUESTION.match(question):
            subject: list[_Msg] = []
            if s.notices and self._tag(s.notices[-1]) == "other":
                subject = [s.notices.pop()]
            end = i + 1
            if end < len(msgs) and _SKIP_EDITS.match(msgs[end].head):
                end += 1
            span = [*subject, *msgs[i:end]]
            if answer[:1] in ("n", "s", "d"):
                s.add_msgs("user", EventKind.INTERRUPT, span)
            else:
                s.notices.extend(span)
            return end
        if _TEST_QUESTION.match(question) and s.notices and _ADDED_OUTPUT.match(s.notices[-1].head):
            added = s.notices.pop()
            s.add_msgs("tool", EventKind.ERROR, [added, msg], tool_name="Bash")
            return i + 1
        s.notices.append(msg)
        return i + 1

    def _call_for(self, path: str, fallback: bool) -> str | None:
        """The Edit call of the last reply that acted on this file (paths compared loosely)."""
        calls = self.s.reply_calls
        wanted = _norm_path(path)
        if wanted:
            for key, call_id in calls.items():
                if key == wanted or key.endswith("/" + wanted) or wanted.endswith("/" + key):
                    return call_id
        ids = set(calls.values())
        return ids.pop() if fallback and len(ids) == 1 else None

    def _note_context(self, msg: _Msg) -> None:
        s, head = self.s, msg.head
        if (found := _CWD.match(head)) and s.cwd is None:
            s.cwd = found.group("p").strip()
        elif found := _GIT_ROOT.match(head):
            s.git_root = s.git_root or found.group("p").strip()
        elif found := _EDIT_FORMAT.match(head):
            s.edit_format = found.group("f")
        elif (found := _NOT_FOUND.match(head)) and s.git_root is None:
            self._pending_missing = found.group("p").strip()
            return
        elif (found := _DROPPING.match(head)) and self._pending_missing:
            s.git_root = s.git_root or _root_from(self._pending_missing, found.group("p").strip())
        self._pending_missing = None

    def _note_added_root(self, msgs: list[_Msg], pending: _Pending) -> None:
        if not pending.args or self.s.git_root:
            return
        for msg in msgs:
            found = _ADDED_FILE.match(msg.head)
            if found is None:
                continue
            for name in pending.args.split():
                self.s.git_root = _root_from(found.group("p").strip(), name.strip('"'))
                if self.s.git_root:
                    return

    # -- replies -------------------------------------------------------------------------

    def _assistant(self, block: _Block) -> None:
        s = self.s
        s.flush()
        s.reply_calls = {}
        lines = block.lines
        for kind, a, b, path in _segments(lines, s.edit_format or ""):
            start, end = lines[a][0], lines[b][0]
            if kind == "edit" and path:
                call_id = s.reply_calls.setdefault(_norm_path(path), f"L{start}")
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
                    "assistant", EventKind.TEXT, _join([t for _, t in lines[a : b + 1]]), start, end
                )


def _segments(
    lines: list[tuple[int, str]], edit_format: str
) -> list[tuple[str, int, int, str | None]]:
    """A reply cut into prose, edit blocks and skipped reasoning: (kind, first, last, path)."""
    texts = [t for _, t in lines]
    fenced_edits = edit_format in _FENCED_EDIT_FORMATS
    cuts: list[tuple[str, int, int, str | None]] = []
    k = floor = 0
    while k < len(texts):
        found = _search_replace(texts, k, floor) if _SEARCH.match(texts[k]) else None
        if found is not None and found[2] is None:
            # No file name of its own: aider applies it to the file named before. It reads as
            # more of that edit when nothing but blank lines stands between them.
            last = cuts[-1] if cuts else None
            if last and last[0] == "edit" and not any(t.strip() for t in texts[last[2] + 1 : k]):
                cuts[-1] = ("edit", last[1], found[1], last[3])
                k = floor = found[1] + 1
                continue
            found = None
        fence = _FENCE.match(texts[k]) if fenced_edits and found is None else None
        close = _closing_fence(texts, k, fence.group("f")) if fence else None
        if close is not None:
            found = _fenced_edit(texts, k, close, floor, edit_format)
            if found is None and not any(_SEARCH.match(t) for t in texts[k + 1 : close]):
                k = close + 1  # an example in the reply, not an edit: skip over it whole
                continue
        if found is not None and found[2]:
            start, end, path = found
            cuts.append(("edit", start, end, path))
            k = floor = end + 1
            continue
        think = _THINK_OPEN.match(texts[k])
        if think:
            close_tag = f"</{think.group('tag')}>"
            stop = next(
                (j for j in range(k + 1, len(texts)) if texts[j].strip() == close_tag), None
            )
            if stop is not None:
                cuts.append(("skip", k, stop, None))
                k = floor = stop + 1
                continue
        k += 1
    segments: list[tuple[str, int, int, str | None]] = []
    position = 0
    for cut in cuts:
        segments.extend(_prose(texts, position, cut[1] - 1))
        segments.append(cut)
        position = cut[2] + 1
    segments.extend(_prose(texts, position, len(texts) - 1))
    return segments


def _prose(texts: list[str], a: int, b: int) -> list[tuple[str, int, int, str | None]]:
    while a <= b and not texts[a].strip():
        a += 1
    while b >= a and not texts[b].strip():
        b -= 1
    return [("text", a, b, None)] if a <= b else []


def _fenced_edit(
    texts: list[str], k: int, close: int, floor: int, edit_format: str
) -> tuple[int, int, str | None] | None:
    """A whole-file block (`path` line, then the fence) or a udiff fence: (first, last, file)."""
    if "udiff" in edit_format:
        path = next((t[4:].strip() for t in texts[k + 1 : close] if t.startswith("+++ ")), "")
        return (k, close, path) if path and path != "/dev/null" else None
    name = _filename(texts[k - 1]) if k - 1 >= floor else None
    return (k - 1, close, name) if name else None


def _search_replace(texts: list[str], k: int, floor: int) -> tuple[int, int, str | None] | None:
    """A SEARCH/REPLACE block whose SEARCH line is k: (first, last, its own file name or None)."""
    divider = replace = None
    for j in range(k + 1, len(texts)):
        if _SEARCH.match(texts[j]):
            return None
        if divider is None and _DIVIDER.match(texts[j]):
            divider = j
        elif divider is not None and _REPLACE.match(texts[j]):
            replace = j
            break
    if replace is None:
        return None
    start, path = k, None
    before = k - 1
    if before >= floor and _is_open_fence(texts[before]):
        start = before
        if before - 1 >= floor and (name := _filename(texts[before - 1])):
            start, path = before - 1, name
    elif before >= floor and (name := _filename(texts[before])):
        start, path = before, name
        if before - 1 >= floor and _is_open_fence(texts[before - 1]):
            start = before - 1
    end = replace
    if (
        end + 1 < len(texts)
        and (fence := _FENCE.match(texts[end + 1]))
        and not fence.group("info").strip()
    ):
        end += 1
    return start, end, path


def _is_open_fence(text: str) -> bool:
    fence = _FENCE.match(text)
    return fence is not None and " " not in fence.group("info").strip()


def _closing_fence(texts: list[str], k: int, marker: str) -> int | None:
    for j in range(k + 1, len(texts)):
        fence = _FENCE.match(texts[j])
        if (
            fence
            and fence.group("f")[0] == marker[0]
            and len(fence.group("f")) >= len(marker)
            and not fence.group("info").strip()
        ):
            return j
    return None


def _filename(text: str) -> str | None:
    """The file name on a line before an edit block, as aider reads it (a substring of it)."""
    name = text.strip()
    if not name or name == "..." or len(name) > 250 or _FENCE.match(name):
        return None
    if name.startswith(("<<<<<<<", "=======", ">>>>>>>")):
        return None
    name = name.rstrip(":").lstrip("#").strip().strip("`*").strip()
    if not name or name.endswith((".", ",", ";", "!", "?", ")")):
        return None
    separators = "/" in name or "\\" in name
    if " " in name and (not separators or name.count(" ") > 2):
        return None
    return name if separators or "." in name or name in _BARE_NAMES else None


def _typed_later(blocks: list[_Block]) -> list[bool]:
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


def _finish(state: _State, unknown: int) -> Run:
    rel = PurePosixPath(state.rel_path)
    events = tuple(
        Event(
            seq=seq,
            role=d.role,
            kind=d.kind,
            text=event_text(d.text),
            ref=SourceRef(state.rel_path, d.start, d.end, None),
            timestamp=d.timestamp,
            tool_name=d.tool_name,
            tool_use_id=d.tool_use_id,
            exit_code=d.exit_code,
            session=d.session,
        )
        for seq, d in enumerate(state.drafts)
    )
    stats = ParseStats(
        lines=state.lines,
        events=len(events),
        corrupt_lines=len(state.corrupt),
        unknown_lines=unknown,
        corrupt_line_numbers=tuple(sorted(state.corrupt)),
    )
    root = state.git_root or state.cwd
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=state.first_session or state.prefix,
        project=_last_part(root) if root else (rel.parent.name or rel.name),
        cwd=state.cwd or state.git_root,
        git_branch=None,
        started_at=state.first_ts,
        ended_at=state.last_ts,
        is_subagent=False,
        events=events,
        stats=stats,
    )


def _session_prefix(rel_path: str) -> str:
    """The file's stem; the default hidden name gets its folder, to tell projects apart."""
    path = PurePosixPath(rel_path)
    stem = unversioned(path.name).removesuffix(".md")
    if stem.startswith(".") and path.parent.name:
        return f"{path.parent.name}/{stem}"
    return stem


def _local_time(text: str) -> datetime | None:
    """Aider's naive launch time, read as this machine's local time, in UTC."""
    if not _TIME.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T")).astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _exit_code(text: str) -> int | None:
    match = _EXIT_CODE.search(text)
    return int(match.group(1)) if match else None


def _trim(msgs: list[_Msg]) -> list[_Msg]:
    a, b = 0, len(msgs)
    while a < b and msgs[a].blank:
        a += 1
    while b > a and msgs[b - 1].blank:
        b -= 1
    return msgs[a:b]


def _msgs_text(msgs: list[_Msg]) -> str:
    return "\n".join(text for msg in msgs for _, text in msg.lines)


def _join(texts: list[str]) -> str:
    return "\n".join(texts).strip("\n")


def _norm_path(path: str) -> str:
    name = path.strip().strip("`").replace("\\", "/").lower()
    return name.removeprefix("./")


def _root_from(absolute: str, relative: str) -> str | None:
    """The folder that `relative` was taken from, when `absolute` ends with it."""
    a, r = _norm_path(absolute), _norm_path(relative)
    is_absolute = a.startswith("/") or re.match(r"^[a-z]:/", a) is not None
    if not r or not is_absolute or not a.endswith("/" + r):
        return None
    return absolute.strip()[: len(a) - len(r) - 1] or None


def _last_part(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]


SOURCE = SourceFormat(FORMAT, looks_like, parse_lines)
