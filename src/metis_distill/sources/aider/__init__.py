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
  When a file in the chat holds triple backticks, aider fences code with `<source>` (or
  `<code>`, `<pre>`, ...) instead. Reasoning is skipped: `<think>…</think>`, aider's own
  `<thinking-content-…>`, and a reply whose model wrote only the closing `</think>` (the
  chat template wrote the opening one): everything up to it is reasoning.
- A message aider asked about before sending (`Try to proceed anyway? (Y)es/(N)o [Yes]: n`,
  a chat larger than the model's window) and the user declined was said to no one: it is
  read as aider's record (role `system`), not as the user's words to the model.
- aider 0.37 to 0.50 wrote `Models: X with diff edit format, weak model Y` (0.50: `with ♾️
  diff`) where later versions write `Model:`/`Main model:`; both give the edit format.
- A history rewritten by a Markdown formatter (Prettier) has lost the two spaces that close
  a paragraph, `> ` before every line of a message, blank lines around fences and between
  `#### ` lines, and `>>>>>>> REPLACE` as `> > > > > > > REPLACE` where it did not see code.
  Such a launch is told by its user lines, none of which ends in two spaces, and is read
  line by line, without the two-space convention.

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
