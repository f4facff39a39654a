"""What is kept while one history is read: event drafts, the launch, the last reply."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from metis_distill.models import EventKind
from metis_distill.sources.aider.lexer import Msg
from metis_distill.sources.common import Draft, Tally, TimeSpan


@dataclass
class Pending:
    """The call a user input made, whose output is the tool block right under it."""

    kind: str  # bash | aider
    call_id: str
    is_test: bool = False
    args: str = ""


@dataclass
class State:
    rel_path: str
    prefix: str
    drafts: list[Draft] = field(default_factory=list)
    session: str | None = None
    session_ts: datetime | None = None
    first_session: str | None = None
    span: TimeSpan = field(default_factory=TimeSpan)
    edit_format: str | None = None
    cwd: str | None = None
    git_root: str | None = None
    reply_calls: dict[str, str] = field(default_factory=dict)
    expect_edit_error: bool = False
    notices: list[Msg] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

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
        self.drafts.append(
            Draft(
                role,
                kind,
                text,
                start,
                end,
                timestamp=self.session_ts,
                session=self.session,
                tool_name=tool_name,
                tool_use_id=tool_use_id,
                exit_code=exit_code,
            )
        )

    def add_bash(self, role: str, command: str, start: int, end: int) -> str:
        """A shell command as a Bash tool call (aider's `/run`, `!…`, `## Running:`); its id,
        named after the line it starts on, pairs it with its output."""
        call_id = f"L{start}"
        self.add(
            role, EventKind.TOOL_CALL, command, start, end, tool_name="Bash", tool_use_id=call_id
        )
        return call_id

    def add_msgs(
        self,
        role: str,
        kind: EventKind,
        msgs: list[Msg],
        *,
        tool_name: str | None = None,
        tool_use_id: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        msgs = trim(msgs)
        if msgs:
            self.add(
                role,
                kind,
                msgs_text(msgs),
                msgs[0].start,
                msgs[-1].end,
                tool_name=tool_name,
                tool_use_id=tool_use_id,
                exit_code=exit_code,
            )

    def flush(self) -> None:
        """Aider's chatter (banners, token counts, commits...) as one system event per run."""
        notices = trim(self.notices)
        self.notices = []
        if notices:
            self.drafts.append(
                Draft(
                    "system",
                    EventKind.TEXT,
                    msgs_text(notices),
                    notices[0].start,
                    notices[-1].end,
                    timestamp=self.session_ts,
                    session=self.session,
                )
            )


def trim(msgs: list[Msg]) -> list[Msg]:
    a, b = 0, len(msgs)
    while a < b and msgs[a].blank:
        a += 1
    while b > a and msgs[b - 1].blank:
        b -= 1
    return msgs[a:b]


def msgs_text(msgs: list[Msg]) -> str:
    return "\n".join(text for msg in msgs for _, text in msg.lines)


def join(texts: list[str]) -> str:
    return "\n".join(texts).strip("\n")


def norm_path(path: str) -> str:
    name = path.strip().strip("`").replace("\\", "/").lower()
    return name.removeprefix("./")


def root_from(absolute: str, relative: str) -> str | None:
    """The folder that `relative` was taken from, when `absolute` ends with it."""
    a, r = norm_path(absolute), norm_path(relative)
    is_absolute = a.startswith("/") or re.match(r"^[a-z]:/", a) is not None
    if not r or not is_absolute or not a.endswith("/" + r):
        return None
    return absolute.strip()[: len(a) - len(r) - 1] or None


def last_part(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]
