"""The lines aider writes, as patterns: its notices, questions, runs, edits and errors."""

from __future__ import annotations

import re

# Aider's own output lines that are never a command's output (they end it).
NOTICE = re.compile(
    r"^(?:Tokens: |Cost: |Commit [0-9a-f]{7,} |Committing .+ before applying edits|Diff since |"
    r"You can use /undo|Copied code context|Processing your request|Repo-map can't include|"
    r"Has it been deleted from the file system|Added .+ to the chat|Added .+ to \.gitignore|"
    r"Dropping .+ from the chat|Removed .+ from the chat|Scraping \S|Aider v\d|"
    r"(?:Main |Weak |Editor )?[Mm]odels?: |Git repo: |Repo-map: |Use /help|Multiline mode|"
    r"Cur working dir: |Git working dir: |Cost estimates may be|Initial repo scan|"
    r"The LLM did not conform|Only \d+ reflections allowed|Newer aider version|"
    r"Restored previous conversation|All chat history cleared|Executing: |Now at: |HEAD is: |"
    r"Warning: it's best to only add|Note: in-chat filenames|Update git (?:name|email)|"
    r"Git repository created in |No git repo found|You can skip this check|"
    r"Open (?:URL|documentation url) for more info|https://aider\.chat/|Skipping edits to |"
    r"# Fix any errors below)"
)
CONFIRM = re.compile(r"^(?P<q>.*?\?) \(Y\)es/\(N\)o.*\[(?:Yes|No)\]: ?(?P<a>.*)$")
ACTION_QUESTION = re.compile(
    r"^(?:Run shell commands?\?|Allow edits to file|Allow creation of new file|Create new file\?|"
    r"Edit the files\?)"
)
OUTPUT_QUESTION = re.compile(r"^Add (?:the |command )?(?:output|[\d.]+k tokens of command output)")
TEST_QUESTION = re.compile(r"^Attempt to fix test errors\?")
# Asked before sending a chat larger than the model's window: "no" sends nothing.
SEND_QUESTION = re.compile(r"^Try to proceed anyway\?")
SKIP_EDITS = re.compile(r"^Skipping edits to ")
RUNNING = re.compile(r"^Running (?P<cmd>\S.*)$")
LINT_RUNNING = re.compile(r"^## Running: (?P<cmd>\S.*)$")
ADDED_OUTPUT = re.compile(r"^Added \d+ lines? of output to the chat\.?$")
CTRL_C = re.compile(r"^\^C (?:again to exit|again to quit|KeyboardInterrupt)$")
TRACEBACK = re.compile(r"^Traceback \(most recent call last\):")
EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$)")
EXCEPTION_LOOSE = re.compile(r"^[A-Za-z_][\w.]*: \S")
API_ERROR = re.compile(
    r"^(?:litellm\.\w+|Model .+ has hit a token limit!|The API provider|"
    r"Retrying in [\d.]+ seconds|(?:openai|anthropic)\.\w+Error)"
)
APPLIED = re.compile(
    r"^(?:Applied edit to (?P<a>.+)|Did not apply edit to (?P<d>.+?) \(--dry-run\))$"
)
EDIT_FAILED = re.compile(
    r"^(?:#\s*\d+ SEARCH/REPLACE blocks? failed to match|UnifiedDiff\w+|Failed to apply edit to )"
)
EDIT_SECTION = re.compile(r"^## (?:SearchReplace|UnifiedDiff)\w*:")
FAILED_PATH = re.compile(
    r"failed to exactly match lines in (?P<p>.+)$|^Failed to apply edit to (?P<q>.+)$"
)
CWD = re.compile(r"^Cur working dir: (?P<p>.+)$")
GIT_ROOT = re.compile(r"^(?:Git working dir: |Git repository created in )(?P<p>.+)$")
NOT_FOUND = re.compile(r"^(?P<p>.+): file not found error$")
DROPPING = re.compile(r"^Dropping (?P<p>.+) from the chat\.?$")
ADDED_FILE = re.compile(r"^Added (?P<p>.+) to the chat\.?$")
# `Model: X with diff edit format` (`Main model:`, `Editor model:` since 0.5x); aider 0.37 to
# 0.50 wrote `Models: X with diff edit format, weak model Y`, and 0.50 `with ♾️ diff edit format`
# when the model could continue past its output limit.
EDIT_FORMAT = re.compile(
    r"^(?:Main |Editor )?[Mm]odels?: .+ with (?:\u267e\ufe0f?\s*)?(?P<f>[\w-]+) edit format"
)
FAILED_OUTPUT = re.compile(
    r"Traceback \(most recent call last\)|command not found|"
    r"is not recognized as an internal or external command|^Error running command|"
    r"exit(?:ed with)? (?:code|status) -?[1-9]|returned non-zero exit status|"
    r"^(?:error|fatal|ERROR|FATAL)(?:\[\w+\])?:|npm ERR!|\b\d+ failed\b|^FAILED |^E\s+\w+Error",
    re.M,
)
EXIT_CODE = re.compile(r"(?:exit(?:ed with)? (?:code|status)|Exit code) (-?\d+)", re.I)

COMMAND = re.compile(r"^/(?P<cmd>[A-Za-z][\w-]*)(?:\s+(?P<rest>.*))?$")
PROSE_COMMANDS = frozenset({"ask", "code", "architect", "context", "help"})
