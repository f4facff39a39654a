"""A program the harness runs before every shell call, missing from the shell it uses.

Claude Code on Windows first turns its temp folder into a POSIX path (`cygpath -u
'C:\\…\\Temp'`); in a bash that has no `cygpath` every Bash call fails before its command
runs: “Command failed: cygpath -u '…'”, then “bash: line 1: cygpath: command not found”. The
command the error says failed is not the one the agent gave, and the program missing is one
the agent's command never named: one lesson about the shell, not one per command (`python`,
`cd`, `where`, each with no fix seen).
"""

from __future__ import annotations

import re

from metis_distill.mine.signals import SHELL_TOOLS, missing_program
from metis_distill.models import Event

# The harness's words for the command that failed, first in the output.
_HARNESS_FAILED = re.compile(r"\A(?:<tool_use_error>)?Command failed: (?P<command>[^\n]+)\n")


def missing_helper(call: Event | None, output: str) -> str | None:
    """The program the failed command runs that the shell lacks, when that command is not
    the call's: none of the call's words names the program."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return None
    failed = _HARNESS_FAILED.match(output)
    if failed is None:
        return None
    program = missing_program(output[:2000])
    if program is None or failed["command"].split()[:1] != [program]:
        return None
    named = re.search(rf"(?<![\w.-]){re.escape(program)}(?![\w-])", call.text)
    return None if named else program


def missing_helper_text(program: str) -> str:
    return (
        f"Every call of Claude Code's Bash tool fails here before its command runs, whatever "
        f"the command: it runs `{program}` first, and the bash it uses has none (“{program}: "
        f"command not found”); do not retry command after command: tell the user the Bash "
        f"tool's shell is broken."
    )
