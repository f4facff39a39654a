"""A git command that reaches a remote, refused by ssh for want of a key (`git push origin b`
→ "Permission denied (publickey)"), then the same git command to an `https://` URL that
worked (`git push https://github.com/o/r.git b`, or git told to rewrite the SSH address to
it: `git -c url."https://github.com/".insteadOf="git@github.com:" push`): the way past it
this machine showed, with `gh auth setup-git` when gh was made git's credential helper first.
A key the session made itself (`ssh-keygen -f k`, then `ssh -i k host`) refused is a server
that does not take it, no key the machine lacks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from metis_distill.mine import signals
from metis_distill.mine.text import shell_steps
from metis_distill.models import Event, EventKind

# ssh's refusal when no key it offered was taken (none there, or none the agent's shell can
# reach): `git@github.com: Permission denied (publickey).`
NO_SSH_KEY = re.compile(r"Permission denied \((?:publickey|publickey,[\w,-]+)\)")
# A git command that reaches a remote, by its subcommand (the variables set for it before it,
# `GIT_SSH_COMMAND="ssh -i k" git push`, kept out).
_REMOTE_VERB = re.compile(
    r"^(?:\w+=(?:\"[^\"]*\"|'[^']*'|\S*)\s+)*"
    r"git\s+(?:-[Cc]\s+\S+\s+)*(?P<verb>push|fetch|pull|clone|ls-remote)(?:\s|$)"
)
# What reaching the remote does: reads from it (a fetch, a pull, `ls-remote`, a clone), or
# writes to it (a push). A read over HTTPS shows a refused fetch its way, a push a push's.
_READS = frozenset({"fetch", "pull", "ls-remote", "clone"})
_HTTPS_URL = re.compile(r"\shttps://\S+")
# git told to reach an `https://` URL in place of another (its SSH one), for one command
# (`git -c url."https://github.com/".insteadOf="git@github.com:" push`) or set by a `git config`
# step before it: the same remote, over HTTPS.
_HTTPS_REWRITE = re.compile(r"\burl\.[\"']?https://[^\s\"']*[\"']?\.insteadof\b", re.I)
# gh made git's credential helper: `gh auth setup-git`, or the helper set by hand.
_GH_HELPER = re.compile(r"^gh\s+auth\s+setup-git\b|\bcredential\.\S*helper\b.*\bgh\s+auth\b")


# The key a step gives ssh (`ssh -i k`, `-o IdentityFile=k`, `GIT_SSH_COMMAND="ssh -i k"`),
# and one `ssh-keygen -f k` makes (not one that only reads a key: `-y`, `-l`, `-F`, `-R`, …).
_KEY_GIVEN = re.compile(r"(?:\s-i\s*|\bIdentityFile[=\s]\s*)(?P<key>[^\s\"';&|]+)")
_KEY_MADE = re.compile(
    r"^ssh-keygen\s(?!(?:.*\s)?-[ylFRpBeiLQY](?:\s|$))(?:.*\s)?-f\s*[\"']?(?P<key>[^\s\"';&|]+)"
)


def own_key_refused(events: tuple[Event, ...], call: Event) -> bool:
    """ssh was given a key an earlier call of the session made (`ssh-keygen -f /tmp/k`, then
    `ssh -i /tmp/k host`): a server that does not take the key just made, not a machine with
    no key for the agent."""
    given = {found["key"] for found in _KEY_GIVEN.finditer(call.text)}
    if not given:
        return False
    return any(
        e.kind is EventKind.TOOL_CALL
        and e.session == call.session
        and e.tool_name in signals.SHELL_TOOLS
        and any(
            (made := _KEY_MADE.match(step.strip())) is not None and made["key"] in given
            for step in shell_steps(e.text)
        )
        for e in events[: call.seq]
    )


def ssh_key_refused(call: Event, error: str) -> str | None:
    """How the git command that ssh refused for want of a key reaches its remote ("read",
    "push"); None for any other failure."""
    if call.tool_name not in signals.SHELL_TOOLS or not NO_SSH_KEY.search(error[:4000]):
        return None
    verbs = [_remote_verb(step) for step in shell_steps(call.text)]
    return next((verb for verb in verbs if verb is not None), None)


def over_https(
    events: tuple[Event, ...], window: Iterable[Event], call: Event, verb: str
) -> tuple[Event, Event] | None:
    """The first later call of the window that reached a remote the same way (`verb`) at an
    `https://` URL and worked, with its result."""
    for later in window:
        if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
            continue
        if later.tool_name not in signals.SHELL_TOOLS or not _to_https(later.text, verb):
            continue
        answer = next(
            (
                e
                for e in events[later.seq + 1 :]
                if e.role == "tool" and e.tool_use_id and e.tool_use_id == later.tool_use_id
            ),
            None,
        )
        if answer is not None and signals.is_success(answer):
            return later, answer
    return None


def got_through_later(
    events: tuple[Event, ...], failure: Event, verb: str, call: Event | None = None
) -> bool:
    """A later shell call of the session reached the same remote (`call`'s, when given) the
    same way (`verb`), and worked: the key ssh lacked was no longer needed (another URL, a
    credential helper) or given. Another remote reached (`git pull` of an HTTPS origin after
    an SSH clone refused) says nothing of that one."""
    remotes = {_remote(step) for step in shell_steps(call.text)} if call is not None else set()
    calls = {
        e.tool_use_id: e
        for e in events[failure.seq + 1 :]
        if e.kind is EventKind.TOOL_CALL and e.tool_name in signals.SHELL_TOOLS and e.tool_use_id
    }
    for answer in events[failure.seq + 1 :]:
        later = calls.get(answer.tool_use_id or "") if answer.role == "tool" else None
        if later is None or later.session != failure.session or not signals.is_success(answer):
            continue
        if any(
            _remote_verb(step) == verb and (not remotes or _remote(step) in remotes)
            for step in shell_steps(later.text)
        ):
            return True
    return False


def _remote(step: str) -> str:
    """The remote a git step names, its first operand ("origin" when it names none)."""
    found = _REMOTE_VERB.match(step.strip())
    if found is None:
        return ""
    operands = [w for w in step.strip()[found.end() :].split() if not w.startswith("-")]
    return operands[0] if operands else "origin"


def is_over_https(call: Event) -> bool:
    """The call runs a git command that reaches a remote at an `https://` URL."""
    verb = next(filter(None, (_remote_verb(s) for s in shell_steps(call.text))), None)
    return verb is not None and _to_https(call.text, verb)


def gh_helpers_between(events: tuple[Event, ...], call: Event, later: Event) -> tuple[Event, ...]:
    """The calls between the two that made gh git's credential helper."""
    return tuple(
        e
        for e in events[call.seq + 1 : later.seq]
        if e.kind is EventKind.TOOL_CALL
        and e.tool_name in signals.SHELL_TOOLS
        and makes_gh_helper(e.text)
    )


def makes_gh_helper(command: str) -> bool:
    """A step of the command makes gh git's credential helper (`gh auth setup-git`)."""
    return any(_GH_HELPER.search(step) for step in shell_steps(command))


def _remote_verb(step: str) -> str | None:
    """How the git step reaches its remote: "read" or "push"; None for a step that does not."""
    found = _REMOTE_VERB.match(step.strip())
    if found is None:
        return None
    return "read" if found["verb"] in _READS else found["verb"]


def _to_https(command: str, verb: str) -> bool:
    rewritten = False  # a `git config url.<https>.insteadOf` step before it
    for step in shell_steps(command):
        if _remote_verb(step) == verb and (
            rewritten or _HTTPS_URL.search(step) or _HTTPS_REWRITE.search(step)
        ):
            return True
        rewritten = rewritten or _HTTPS_REWRITE.search(step) is not None
    return False
