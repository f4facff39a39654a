"""A script written for bash that zsh could not parse: “(eval):1: parse error near `('”.

Claude Code's Bash tool runs a command through the user's login shell; on a Mac (or any
machine set up so) that is zsh, which `eval`s it and refuses what it does not read as bash
does (a skill's bash preamble, `[[ … ]]`, `<( … )` among quotes). The cause is the shell's,
whatever the script: one lesson. The way is the script run by bash (`bash -c '…'`, a file
given to `bash`), and only that shown working after it is told as the fix: a shorter script
that worked did other work, not the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from metis_distill.mine import signals
from metis_distill.models import Event

# zsh's own word for a script it cannot parse: "(eval):1: parse error near `('",
# "zsh:3: parse error near `fi'", "zsh: parse error: condition expected: ==".
ZSH_PARSE_ERROR = re.compile(r"^(?:zsh|\(eval\))(?::\d+)?: parse error\b", re.M)
# A call that hands a script to bash: `bash -c '…'`, `bash -lc "…"`, a file: `bash x.sh`.
_BY_BASH = re.compile(
    r"(?:^|[\s;&|(])(?:/\S*/)?bash\s+(?:-[a-z]+\s+)*?(?P<how>-[a-z]*c\s|[\w./~\"'$])", re.M
)
# The call already hands its script to bash: what zsh refused was the outer quoting.
_HANDED = re.compile(r"^\s*(?:/\S*/)?bash\s")
SAME_SCRIPT = 0.6  # similarity at which the call run by bash holds the failed script
MAX_COMPARED = 4000  # characters of each script compared
ZSH_PARSE_TEXT = (
    "The shell here is zsh: a script written for bash can fail to parse in it (“(eval):1: "
    "parse error near …”); run it with `bash -c '…'` or from a file with `bash`."
)
BASH_C_FIX = "run it with `bash -c '…'`"
BASH_FILE_FIX = "run it from a file with `bash`"


def zsh_parse_error(call: Event | None, failure: Event) -> bool:
    """The shell call's script was refused by zsh's parser before anything of it ran."""
    if call is None or call.tool_name not in signals.SHELL_TOOLS:
        return False
    return _HANDED.match(call.text) is None and bool(ZSH_PARSE_ERROR.search(failure.text[:2000]))


def run_by_bash(
    events: Sequence[Event], index: int, call: Event, window: Sequence[Event]
) -> tuple[Event, Event] | None:
    """The first call after the failure that hands the same script to bash, and its result,
    when it worked."""
    if _BY_BASH.search(call.text) is not None:
        return None  # (the script ran bash itself, `… && bash "$f"`: a retry's bash is its own)
    results = {e.tool_use_id: e for e in events[index + 1 :] if e.role == "tool"}
    for later in window:
        if later.tool_name not in signals.SHELL_TOOLS or later.session != call.session:
            continue
        if _BY_BASH.search(later.text) is None or not same_script(call.text, later.text):
            continue
        result = results.get(later.tool_use_id)
        if result is not None and signals.is_success(result):
            return later, result
    return None


def bash_fix(command: str) -> str:
    """How the call that worked gave the script to bash."""
    found = _BY_BASH.search(command)
    return BASH_C_FIX if found is not None and found["how"].startswith("-") else BASH_FILE_FIX


def same_script(failed: str, later: str) -> bool:
    """The later call holds the failed script, its lines joined by `;` or not (their first
    `MAX_COMPARED` characters: the comparison is quadratic in what it reads)."""
    matcher = SequenceMatcher(
        None, _flat(failed)[:MAX_COMPARED], _flat(later)[:MAX_COMPARED], autojunk=False
    )
    return (
        matcher.real_quick_ratio() >= SAME_SCRIPT
        and matcher.quick_ratio() >= SAME_SCRIPT
        and matcher.ratio() >= SAME_SCRIPT
    )


def _flat(script: str) -> str:
    return " ".join(re.sub(r"\s*(?:\n|;)\s*", "; ", script).split())
