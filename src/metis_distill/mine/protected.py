"""A push the remote's branch protection refused.

The forge keeps a branch (`main`) for pull requests: GitHub's rulesets (“GH013: Repository
rule violations … Changes must be made through a pull request”) and classic protection
(“GH006: Protected branch update failed … approving review is required”), GitLab's
protected branches, Bitbucket's and Azure DevOps' branch policies. The error tells the cause;
the way past it is the project's: the work pushed on another branch, a pull request opened.
That way is seen only when a push of another branch, or `gh pr create`, worked after the
refusal in the same session: not a tag, a deletion or a dry run, nor an option's value
(`-o ci.skip`) read as a remote or a branch. The refusal is a push's: the failed call ran
`git push` (not a file that holds an old refusal shown). A force-push the protection refused,
or a secret GitHub's push protection found (GH013 too, even beside the pull-request rule: a
new branch would be refused as well), is another lesson.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from metis_distill.mine.text import shell_steps
from metis_distill.models import Event

# What the forge says when the branch takes changes only through a pull request.
_PULL_REQUESTS_ONLY = re.compile(
    r"Changes must be made through a pull request"
    r"|approving reviews? (?:is|are) required"
    r"|You are not allowed to push code to protected branches"
    r"|can only be modified through pull requests"
    r"|you must use a pull request to update this branch"
    r"|protected branch hook declined",
    re.I,
)
_FORCED = re.compile(r"\bforce[- ]push", re.I)
# GitHub's (or GitLab's) push protection found a secret: no branch takes that push.
_SECRET_FOUND = re.compile(
    r"\bpush protection\b|\bcannot contain secrets\b|\bsecrets? detected\b", re.I
)
_GITHUB_CODE = re.compile(r"\b(?P<code>GH0\d\d): ")
# The server's own words (`remote: …`) or git's line for the ref it refused: a push's refusal,
# not a merge `gh` was refused for want of a review. A line's indent is spaces and tabs only,
# and no two runs of them meet: runs that can share the same whitespace (`^\s*` then `\+?\s*`)
# take minutes on a run of blank lines.
_FROM_REMOTE = re.compile(r"^[ \t]*remote:|\[remote rejected\]", re.M)
_REF = re.compile(r"^[ \t]*remote:.*?\brefs/heads/(?P<branch>[\w./-]+?)\.?(?=\s|$)", re.M)
_REJECTED = re.compile(r"!\s+\[remote rejected\]\s+\S+\s+->\s+(?P<branch>[\w./-]+)")
# A ref a push updated: ` * [new branch]      feat -> feat`, `   1a2b3c4..5d6e7f8  x -> x`.
_UPDATED = re.compile(
    r"^[ \t]*(?:\*[ \t]+\[new branch\]|(?:\+[ \t]*)?[0-9a-f]{7,}\.{2,3}[0-9a-f]{7,})"
    r"[ \t]+\S+[ \t]+->[ \t]+(?P<branch>[\w./-]+)",
    re.M,
)
# A tag a push made: ` * [new tag]         v1.2.0 -> v1.2.0`.
_NEW_TAG = re.compile(r"\[new tag\][ \t]+(?P<source>\S+)[ \t]+->[ \t]+(?P<tag>[\w./-]+)")
_PR_CREATE = re.compile(r"^gh\s+pr\s+create\b")
_GIT_PUSH = re.compile(r"^git\s+(?:-C\s+\S+\s+|-c\s+\S+\s+)*push\b(?P<rest>.*)$")
# A step that runs `git push`, after variables set for it or a wrapper (`timeout 60 git push`),
# git's options each with at most one value (`-C site`): each word read one way only.
_RUNS_PUSH = re.compile(
    r"^\(?(?:(?:\w+=\S*|timeout\s+\S+|sudo|env|command|time|nohup)\s+)*"
    r"git\s+(?:-\S*\s+(?:[^-\s]\S*\s+)?)*?push\b"
)
# Options of `git push` whose value is the next word (`-o ci.skip`): no remote, no refspec.
_VALUED = frozenset(
    {"-o", "--push-option", "--repo", "--receive-pack", "--exec", "--recurse-submodules"}
)
# Options with which a push puts no branch's work up: a dry run, a deletion.
_NOTHING_PUT = frozenset({"-n", "--dry-run", "-d", "--delete"})

PROTECTED_FIX = "push another branch and open a pull request"


class Refusal(NamedTuple):
    branch: str | None  # the branch the remote protects, when the error names it
    said: str  # the forge's words, as the lesson quotes them


def protected_refusal(call: Event, error: str) -> Refusal | None:
    """The call's push was refused because the branch takes changes only through a pull
    request."""
    head = error[:4000]
    if "remote" not in head or not _FROM_REMOTE.search(head):
        return None
    reason = _PULL_REQUESTS_ONLY.search(head)
    if reason is None or _FORCED.search(head) or _SECRET_FOUND.search(head):
        return None
    if not any(_RUNS_PUSH.match(step) for step in shell_steps(call.text)):
        return None
    named = _REF.search(head) or _REJECTED.search(head)
    github = _GITHUB_CODE.search(head)
    words = reason.group()
    said = f"{github['code']}: … {words}" if github else words
    return Refusal(named["branch"] if named else None, said)


def protected_text(refusal: Refusal) -> str:
    """One wording whatever the command, its branch the one the remote protects."""
    which = f"`{refusal.branch}`" if refusal.branch else "The branch pushed to"
    return (
        f"{which} is protected on the remote: pushes to it are refused (“{refusal.said}”); "
        "commit on a new branch, push it and open a pull request."
    )


def pushed_elsewhere(branch: str | None, call: Event, output: str) -> bool:
    """The call (which worked) opened a pull request, or pushed a branch other than the
    protected one: by its refspec, or by the ref its output shows updated (no tag)."""
    head = output[:4000]
    tags = {name for found in _NEW_TAG.finditer(head) for name in found.group("source", "tag")}
    for step in shell_steps(call.text):
        if _PR_CREATE.match(step):
            return True
        push = _GIT_PUSH.match(step)
        if push is None:
            continue
        named = _pushed_refs(push["rest"])
        if named is None:
            continue
        refs, tagged = named
        targets = set(refs) | {found["branch"] for found in _UPDATED.finditer(head)}
        if targets - tags - tagged - {branch, "HEAD", ""}:
            return True
    return False


def _pushed_refs(rest: str) -> tuple[list[str], set[str]] | None:
    """The branches a push's words name on the remote (`feat` of `git push -o ci.skip origin
    HEAD:refs/heads/feat`), and the tags they name; None for a dry run or a deletion."""
    words = iter(rest.split())
    operands = []
    for word in words:
        if word in _NOTHING_PUT:
            return None
        if word in _VALUED:
            next(words, None)  # the option's value
        elif not word.startswith("-"):
            operands.append(word)
    refs: list[str] = []
    tags: set[str] = set()
    refspecs = iter(operands[1:])  # after the remote
    for refspec in refspecs:
        if refspec == "tag":  # `tag v1.2.0`: refs/tags/v1.2.0
            tags.add(next(refspecs, ""))
            continue
        source, colon, target = refspec.lstrip("+").rpartition(":")
        if colon and not source:  # `:feat`: a deletion
            continue
        if target.startswith("refs/tags/"):
            tags.add(target.removeprefix("refs/tags/"))
        else:
            refs.append(target.removeprefix("refs/heads/"))
    return refs, tags
