"""Dangerous advice: a lesson that would have the agent run what the network sends, delete
broadly, turn a verification off, or obey text instead of its instructions. Commands are
parsed (`shell`), judged by what runs and with which options (`commands`, `flags`); the rest
is read in words (`words`). Transcript text is data: a lesson never tells the agent to obey it.
"""

from __future__ import annotations

from functools import lru_cache

from metis_distill.advice.commands import remote_code
from metis_distill.advice.flags import option_dangers
from metis_distill.advice.kinds import Danger, Finding
from metis_distill.advice.shell import parse, snippets
from metis_distill.advice.words import word_dangers

__all__ = ["Danger", "Finding", "added_dangers", "dangers", "forget"]


def dangers(text: str) -> list[Finding]:
    """Every kind of danger the text shows, once each, in the order of `Danger`. A text is
    read once (the same commands come back in failure after failure, retry after retry): the
    answer kept is a tuple of frozen findings, each caller given its own list; a long text is
    read each time."""
    return list(_kept(text) if len(text) <= KEPT_TEXT else _read(text))


def forget() -> None:
    """The texts read so far forgotten (the tests)."""
    _kept.cache_clear()


KEPT_TEXT = 16 * 1024  # a text this long at most is kept with its answer (the last 1,024)


@lru_cache(maxsize=1024)
def _kept(text: str) -> tuple[Finding, ...]:
    return _read(text)


def _read(text: str) -> tuple[Finding, ...]:
    found: dict[Danger, Finding] = {}
    for snippet in snippets(text):
        script = parse(snippet)
        for finding in (*remote_code(script), *option_dangers(script)):
            found.setdefault(finding.danger, finding)
    for finding in word_dangers(text):
        found.setdefault(finding.danger, finding)
    return tuple(sorted(found.values(), key=lambda f: list(Danger).index(f.danger)))


def added_dangers(before: str, after: str) -> list[Finding]:
    """The kinds of danger `after` shows that `before` does not: what a retry that worked
    waived (`curl -k` after `curl`, `git commit --no-verify` after `git commit`)."""
    kept = {finding.danger for finding in dangers(before)}
    return [finding for finding in dangers(after) if finding.danger not in kept]
