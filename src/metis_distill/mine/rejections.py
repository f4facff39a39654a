"""A call the user turned down with a reason that only names the program to use: "pnpm
dev" rejected, the reason "npm" (or "use npm", "use uv run", "npm instead"), then `npm run
dev` run and working. The user chose the
program; the run shows the choice working. Any other reason is read as a correction in words,
or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from metis_distill.mine.fixes import results_by_call
from metis_distill.mine.signals import is_success
from metis_distill.mine.text import first_step, shell_steps, shorten, unwrapped
from metis_distill.models import Event, EventKind

# The reason, as Claude Code has given it: "… the following reason for the rejection: npm",
# "… To tell you how to proceed, the user said:\nuse uv run".
_REASON = re.compile(r"(?:reason for the rejection|the user said):\s*(?P<reason>[^\n]{1,40}?)\s*$")
# The reason as a program's name alone, or told to use it: "npm", "use uv run", "try bun instead".
_PROGRAM_NAMED = re.compile(
    r"^(?:(?:please\s+)?(?:use|try|with)\s+)?`?(?P<program>[A-Za-z][\w.+-]*)`?"
    r"(?:\s+run)?(?:\s+instead)?[.!]?$",
    re.I,
)
LOOKAHEAD = 6  # events after the rejection in which the user's program is run
MAX_HEAD = 60  # characters of a command named in the line
# Programs that do one job, each in place of another: what a user names to say "this one".
_ALTERNATIVES = (
    frozenset({"npm", "pnpm", "yarn", "bun", "npx", "pnpx", "bunx"}),
    frozenset({"pip", "pip3", "uv", "poetry", "pipenv", "conda", "pdm"}),
    frozenset({"python", "python3", "py", "uv"}),
    frozenset({"brew", "apt", "apt-get", "dnf", "yum", "pacman", "winget", "choco", "scoop"}),
    frozenset({"docker", "podman", "docker-compose", "nerdctl"}),
)


@dataclass(frozen=True)
class Switch:
    """The program the user named (`npm`) over the one turned down (`pnpm`), and the call
    that ran it and worked."""

    chosen: str
    over: str
    said: str  # the reason, as the user wrote it
    rejected_call: Event
    call: Event
    quote: str
    turned_down: str  # the step of the rejected call that ran `over`
    ran: str  # the step of the later call that ran `chosen`

    @property
    def sentence(self) -> str:
        return (
            f"Use `{self.chosen}` here, not `{self.over}`: the user turned down "
            f"`{_head(self.turned_down)}` saying “{self.said}”, and `{_head(self.ran)}` worked."
        )


def named_program(
    events: tuple[Event, ...], index: int, rejected_call: Event | None
) -> Switch | None:
    """The switch the rejection at `index` asks for, when its reason is one program's name
    and the next call of the tool runs that program instead and works."""
    rejection = events[index]
    reason = _REASON.search(rejection.text[:600])
    named = _PROGRAM_NAMED.match(reason["reason"]) if reason is not None else None
    if reason is None or named is None or rejected_call is None:
        return None
    chosen = named["program"].lower()
    turned_down = _step_running(rejected_call.text, lambda p: _interchangeable(chosen, p))
    if turned_down is None:
        return None
    window = events[index + 1 : index + 1 + LOOKAHEAD]
    results = results_by_call(window)
    for later in window:
        if later.kind is not EventKind.TOOL_CALL:
            continue
        ran = _step_running(later.text, lambda p: p == chosen)
        if later.tool_name != rejected_call.tool_name or ran is None:
            return None  # the next call is not the user's program: the reason said more
        if not _kept_words(turned_down, ran):
            return None  # `ls` after `rm -rf build`: another thing done, not the same by another
        result = results.get(later.tool_use_id or "")
        if result is None or not is_success(result):
            return None
        quote = rejection.text[reason.start() :].strip()
        over = _program(turned_down)
        return Switch(chosen, over, reason["reason"], rejected_call, later, quote, turned_down, ran)
    return None


def _step_running(command: str, wanted: Callable[[str], bool]) -> str | None:
    """The first step of the command whose program is `wanted` (`python manage.py check` of
    `source .env || true; python manage.py check`)."""
    return next((step for step in shell_steps(command) if wanted(_program(step))), None)


def _program(command: str) -> str:
    """The program a command runs, past `sudo` and its flags and the settings before it."""
    words = _bare_words(command)
    return words[0] if words else ""


def _bare_words(command: str) -> list[str]:
    words = unwrapped(command).split()
    while words and (words[0] == "sudo" or "=" in words[0] or words[0].startswith("-")):
        words = words[1:]
    return words


def _interchangeable(chosen: str, over: str) -> bool:
    """Two programs that do one job, each in place of the other."""
    return chosen != over and any(chosen in family and over in family for family in _ALTERNATIVES)


def _kept_words(rejected: str, retry: str) -> bool:
    """The retry does what was turned down: an argument of it is there again (`dev` of
    `pnpm dev` in `npm run dev`)."""
    asked = [w for w in _bare_words(rejected)[1:] if not w.startswith("-")]
    again = set(_bare_words(retry)[1:])
    return bool(asked) and any(word in again for word in asked)


def _head(command: str) -> str:
    """The command's first step, its output's redirection and plumbing (`2>&1`) left out, as
    short as the line can take."""
    step = re.split(r"\s*(?:&&|;|>)\s*", first_step(unwrapped(command)), maxsplit=1)[0]
    return shorten(step, MAX_HEAD)
