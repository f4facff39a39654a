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

from metis_distill.sources.aider.history import FORMAT, parse_lines
from metis_distill.sources.aider.sniff import looks_like
from metis_distill.sources.base import SourceFormat

SOURCE = SourceFormat(FORMAT, looks_like, parse_lines)
parse_file = SOURCE.parse_file

__all__ = ["FORMAT", "SOURCE", "looks_like", "parse_file", "parse_lines"]
