"""Edits of the work's own files, apart from the agent's drafts and the machine's setup."""

from __future__ import annotations

import re

from metis_distill.mine import signals
from metis_distill.models import Event

# Files that are not the work: plan mode's draft (`~/.claude/plans/…md`: writing it builds
# nothing yet), a dotfile or folder of the home (`~/.zshrc`, `~/.claude/CLAUDE.md`: the user's
# machine set up), scratch and system folders.
_NOT_THE_WORK = re.compile(
    r"[/\\]\.claude[/\\]plans[/\\]"
    r"|^(?:~|/home/[^/]+|/Users/[^/]+|/root|[A-Za-z]:[\\/]+Users[\\/]+[^\\/]+)[\\/]+\."
    r"|^/(?:tmp|etc|private|var|opt|usr)/"
)


def edits_the_work(event: Event) -> bool:
    return (
        event.role == "assistant"
        and event.tool_name in signals.EDIT_TOOLS
        and not _NOT_THE_WORK.search(event.text[:1000])
    )
