"""A push the remote's branch protection refused.

The forge keeps a branch (`main`) for pull requests: GitHub's rulesets (“GH013: Repository
rule violations … Changes must be made through a pull request”) and classic protection
(“GH006: Protected branch update failed … approving review is required”), GitLab's
protected branches, Bitbucket's and Azure DevOps' branch policies. The error tells the cause;
the way past it is the project's: the work pushed on another branch, a pull request opened.
That way is seen only when a push of another branch, or `gh pr create`, worked after the
refusal in the same session. A force-push the protection refused, or a secret GitHub's push
protection found (GH013 too), is another lesson.
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
_GITHUB_CODE = re.compile(r"\b(?P<code>GH0\d\d): ")
# The server's own words (`remote: …`) or git's line for the ref it refused: a push's refusal,
# not a merge `gh` was refused for want of a review.
_FROM_REMOTE = re.compile(r"^\s*remote:|\[remote rejected\]", re.M)
_REF = re.compile(r"^\s*remote:.*?\brefs/heads/(?P<branch>[\w./-]+?)\.?(?=\s|$)", re.M)
_REJECTED = re.compile(r"!\s+\[remote rejected\]\s+\S+\s+->\s+(?P<branch>[\w./-]+)")
# A ref a push updated: ` * [new branch]      feat -> feat`, `   1a2b3c4..5d6e7f8  x -> x`.
_UPDATED = re.compile(
    r"^\s*(?:\*\s+\[new branch\]|\+?\s*[0-9a-f]{7,}\.{2,3}[0-9a-f]{7,})\s+\S+\s+->\s+"
    r"(?P<branch>[\w./-]+)",
    re.M,
)
_PR_CREATE = re.compile(r"^gh\s+pr\s+create\b")
_GIT_PUSH = re.compile(r"^git\s+(?:-C\s+\S+\s+|-c\s+\S+\s+)*push\b(?P<rest>.*)$")

PROTECTED_FIX = "push another branch and open a pull request"


class Refusal(NamedTuple):
    branch: str | None  # the branch the remote protects, when the error names it
    said: str  # the forge's words, as the lesson quotes them


def protected_refusal(error: str) -> Refusal | None:
    """The push was refused because the branch takes changes only through a pull request."""
    head = error[:4000]
    if "remote" not in head or not _FROM_REMOTE.search(head):
        return None
    reason = _PULL_REQUESTS_ONLY.search(head)
    if reason is None or _FORCED.search(head):
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
    protected one: by its refspec, or by the ref its output shows updated."""
    for step in shell_steps(call.text):
        if _PR_CREATE.match(step):
            return True
        push = _GIT_PUSH.match(step)
        if push is None:
            continue
        words = [word for word in push["rest"].split() if not word.startswith("-")]
        targets = {word.lstrip("+").rsplit(":", 1)[-1] for word in words[1:]}
        targets |= {found["branch"] for found in _UPDATED.finditer(output[:4000])}
        if targets - {branch, "HEAD", ""}:
            return True
    return False
