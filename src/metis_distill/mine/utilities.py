"""General utilities of a machine that no project wraps (`jq`, `tree`, `rg`, `wget` …).

Missing from the PATH, such a program has no "project's way to run it": it is simply not
installed on that machine. What the agent did without it, when the run shows it, is the
way: the same command with the utility's pipe stage dropped (`curl -s …/health` after
`curl -s …/health | jq .`), or another program doing its work (`find` for `tree`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from metis_distill.mine.signals import PIPE, SHELL_TOOLS, is_success
from metis_distill.mine.text import command_head, split_outside_quotes
from metis_distill.models import Event, EventKind

# Each utility, with the commands that do its work in its place, as they open a stage.
STAND_INS: dict[str, tuple[str, ...]] = {
    "jq": ("python3 -m json.tool", "python -m json.tool"),
    "yq": ("python3 -c", "python -c"),
    "tree": ("find", "ls -R", "ls -lR", "ls -laR"),
    # (a grep in a missing searcher's place is its way only when it searched the same:
    # `fixes` judges that)
    "rg": (),
    "ag": (),
    "fd": ("find",),
    "fdfind": ("find",),
    "bat": ("cat",),
    "htop": ("top", "ps"),
    "wget": ("curl",),
    "watch": ("sleep",),
}
UTILITIES = frozenset(STAND_INS)
NEXT_CALLS = 3  # shell calls after the failure in which the agent's way without it is looked for


@dataclass(frozen=True)
class WayWithout:
    told: str  # what the line says to do: "drop the `| jq …` stage", "use `find …` in its place"
    shown: Event  # the result of the call that did it, which the line's span reaches


def done_without(
    events: Sequence[Event], failure: Event, call: Event, program: str
) -> WayWithout | None:
    """What the agent did without the missing utility, in one of the next shell calls of the
    session, and it worked: the failed command again with its `| jq …` stage dropped, or a
    stand-in run (`find …`); None when unseen."""
    stages = split_outside_quotes(command_head(call.text), PIPE)
    kept = [stage for stage in stages if stage.split()[:1] != [program]]
    later = [
        e
        for e in events[failure.seq + 1 :]
        if e.session == failure.session and e.kind in (EventKind.TOOL_CALL, EventKind.TOOL_RESULT)
    ]
    calls = [e for e in later if e.kind is EventKind.TOOL_CALL and e.tool_name in SHELL_TOOLS]
    for other in calls[:NEXT_CALLS]:
        ran = split_outside_quotes(command_head(other.text), PIPE)
        if len(kept) < len(stages) and kept and ran == kept:
            told = f"drop the `| {program} …` stage"
        else:
            ways = STAND_INS[program]
            used = next((way for way in ways for stage in ran if _opens(stage, way)), None)
            if used is None:
                continue
            told = f"use `{used} …` in its place"
        result = next((e for e in later if _answers(e, other)), None)
        if (
            result is None
            or not is_success(result)
            or _ASKED_FOR_NOTHING.search(result.text[:2000])
        ):
            return None
        return WayWithout(told, result)
    return None


# A stand-in's own complaint that what it was pointed at is not there (`find: '/x': No such
# file or directory`), its status hidden by a pipe (`find … | sort` exits 0): it showed nothing.
_ASKED_FOR_NOTHING = re.compile(r"^[\w.-]+: .*(?:No such file or directory|cannot access\b)", re.M)


def _answers(result: Event, call: Event) -> bool:
    return (
        result.kind is EventKind.TOOL_RESULT
        and result.tool_use_id is not None
        and result.tool_use_id == call.tool_use_id
    )


def _opens(stage: str, command: str) -> bool:
    return stage == command or stage.startswith(f"{command} ")
