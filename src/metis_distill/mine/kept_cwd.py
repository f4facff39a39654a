"""Claude Code's Bash tool keeps the working directory from one call to the next.

`cd insight && python train.py` leaves the shell in `insight/`; the next call's
`cd insight && …` fails (“cd: insight: No such file or directory”), and so does any path
written from the project root (`insight/conf/config.yaml`). The Grep and Glob tools, which
start from that directory too, name it (“Path does not exist: insight/x.py. Note: your
current working directory is /…/insight.”), but they do so whether a call moved or not (a
project may hold a folder of its own name): only an earlier call's `cd` into that folder makes
it this cause. An agent that expects each call to start at
the root misreads every such failure (a missing file, a broken config). Codex runs each call
in the folder it names: this is Claude Code's alone. The cause is known from the run; no run
showed the way, so the lesson names none beyond the paths.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.mine.text import script_steps, split_heredocs
from metis_distill.models import Event

# bash's and zsh's words for a `cd` into a folder that is not there
_CD_MISSING = re.compile(
    r"\bcd: (?P<a>[^\s:]+): No such file or directory"
    r"|\bcd(?::\d+)?: no such file or directory: (?P<b>\S+)"
)
# the harness's own note on a path given from another folder
_NOTED = re.compile(
    r"Path does not exist: (?P<path>[^\s]+?)\.? Note: your current working directory is "
    r"(?P<cwd>[^\s<]+?)\.?(?=\s|<|$)"
)
_CD_STEP = re.compile(r"^cd\s+(?P<dir>[^\s;&|]+)$")

_KEPT_CWD = (
    "keeps the working directory from one call to the next: after `cd sub && …`, a later "
    "`cd sub` fails (“cd: sub: No such file or directory”) and paths written from the project "
    "root miss; use absolute paths, or `cd` to the project root first."
)
KEPT_CWD_TEXT = f"Claude Code's Bash tool {_KEPT_CWD}"
# OpenHands and SWE-agent keep one shell session for the run: their own way, not Claude Code's
KEPT_CWD_ELSEWHERE = f"The agent's shell session {_KEPT_CWD}"


def kept_cwd_text(harness: str) -> str:
    """Said of Claude Code's Bash tool, or of the one shell an OpenHands or SWE-agent run
    keeps (not of Codex, whose every command starts in a fresh shell)."""
    return KEPT_CWD_TEXT if harness == "claude_code" else KEPT_CWD_ELSEWHERE


def kept_cwd(events: Sequence[Event], index: int, call: Event | None) -> bool:
    """The failure of `events[index]` comes from a folder an earlier call moved into: the
    call `cd`s into it again, or the harness notes the working directory is inside it."""
    failure = events[index]
    head = failure.text[:2000]
    if call is None:
        return False
    noted = _NOTED.search(head)
    if noted is not None:  # Claude Code notes its folder whether a call moved or not
        first = noted["path"].strip("./").split("/", 1)[0]
        inside = bool(first) and noted["cwd"].rstrip("/").endswith(f"/{first}")
        return inside and _entered_last(events, index, call, first)
    missing = _CD_MISSING.search(head)
    if missing is None or call.tool_name != "Bash":
        return False
    folder = (missing["a"] or missing["b"]).strip("'\"")
    if folder.startswith(("/", "~", "$")) or folder in (".", ".."):
        return False  # a folder named from anywhere: not where the shell stood
    return _entered_last(events, index, call, folder)


def _entered_last(events: Sequence[Event], index: int, call: Event, folder: str) -> bool:
    """The last `cd` of this session's earlier Bash calls moved into `folder`, and that call
    got past it (`call`: the failing call, of any tool)."""
    results = {e.tool_use_id: e for e in events[:index] if e.role == "tool" and e.tool_use_id}
    for earlier in reversed(events[:index]):
        if earlier.tool_name != "Bash" or earlier.role != "assistant" or earlier is call:
            continue
        if earlier.session != call.session:
            return False
        steps = script_steps(split_heredocs(earlier.text)[0])
        moves = [m["dir"] for step in steps if (m := _CD_STEP.match(step.strip()))]
        if not moves:
            continue
        result = results.get(earlier.tool_use_id or "")
        went = result is not None and not _CD_MISSING.search(result.text[:2000])
        return moves[-1].strip("'\"").rstrip("/") == folder.rstrip("/") and went
    return False


# A step that moves the shell to another folder.
_MOVE_STEP = re.compile(r"^(?:cd|pushd|popd)(?:\s|$)")
_SHELLS = frozenset({"Bash", "bash", "shell", "exec_command"})


def moved_before(events: Sequence[Event], index: int, call: Event) -> bool:
    """An earlier shell call of `call`'s session changed folder, so that a relative path of
    `call` (at `events[index]` or before it) may not start at the project's root, in a shell
    that lives from one call to the next (Claude Code's, OpenHands', SWE-agent's; not Codex's,
    whose every command starts in a fresh shell at the folder it names)."""
    for earlier in events[:index]:
        if earlier.tool_name not in _SHELLS or earlier.role != "assistant":
            continue
        if earlier.session != call.session or earlier is call:
            continue
        steps = script_steps(split_heredocs(earlier.text)[0])
        if any(_MOVE_STEP.match(step.strip()) for step in steps):
            return True
    return False
