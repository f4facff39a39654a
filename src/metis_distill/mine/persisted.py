"""Repairs the session itself kept in the repository: a script made executable, then its mode
committed. The next clone has it done, so the failure teaches the next agent nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.mine import signals
from metis_distill.mine.fixes import results_by_call
from metis_distill.mine.text import command_head
from metis_distill.models import Event, EventKind

_ADD = re.compile(r"\bgit\s+add\s+(?P<paths>[^;&|]*)")
_ADD_ALL = re.compile(r"(?:^|\s)(?:-A|--all|\.|-u|--update)(?:\s|$)")
_COMMIT = re.compile(r"\bgit\s+commit\b(?P<flags>[^;&|]*)")
_COMMIT_ALL = re.compile(r"(?:^|\s)-[a-zA-Z]*a[a-zA-Z]*(?:\s|$)|--all\b")


def mode_committed(events: Sequence[Event], after: Event, script: str) -> bool:
    """After `after`, in its session, a commit that worked took in `script`: added by name
    (or with `-A`, `.`), or committed with `-a`."""
    name = script.rstrip("/").rsplit("/", 1)[-1]
    later = tuple(events[after.seq + 1 :])
    results = results_by_call(later)
    staged = False
    for event in later:
        if event.session != after.session:
            break
        if event.kind is not EventKind.TOOL_CALL or event.tool_name not in signals.SHELL_TOOLS:
            continue
        head = command_head(event.text)
        added = _ADD.search(head)
        staged = staged or bool(
            added and (name in added["paths"] or _ADD_ALL.search(added["paths"]))
        )
        commit = _COMMIT.search(head)
        if commit is None or not (staged or _COMMIT_ALL.search(commit["flags"])):
            continue
        result = results.get(event.tool_use_id or "")
        if result is not None and signals.is_success(result):
            return True
    return False
