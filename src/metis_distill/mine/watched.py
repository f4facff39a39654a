"""Reruns that only look at a failure: the failed command with tracing added, or piped into
filters. What they print tells how it failed; it mends nothing."""

from __future__ import annotations

import re

from metis_distill.mine import signals
from metis_distill.mine.text import split_outside_quotes, unwrapped
from metis_distill.models import Event

# A script run with its steps traced (`bash -x x.sh`, `sh -xv x.sh`).
_SHELL_TRACED = re.compile(r"^(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k)?sh\s+-[a-wyz]*x[a-z]*\s")
# A setting that only makes a program say more of what it does (`GIT_TRACE=1`,
# `GIT_CURL_VERBOSE=1`, `DEBUG=*`, `RUST_BACKTRACE=1`, `NODE_DEBUG=http`, `TF_LOG=trace`).
_TRACE_SETTING = re.compile(
    r"^(?:\w*(?:TRACE|DEBUG|VERBOSE)\w*|RUST_BACKTRACE|RUST_LOG|TF_LOG|GODEBUG)=\S*$"
)
# … and an option that does (`--verbose`, `-vv`, `--debug`, `--trace`).
_TRACE_OPTION = re.compile(r"^(?:--verbose|--debug|--trace|-v+)$")
# Programs that only pick, sort or count the lines piped to them.
_FILTERS = r"(?:grep|egrep|fgrep|rg|awk|gawk|sed|cut|sort|uniq|wc|jq|tr|head|tail)"
_FILTER = re.compile(rf"^{_FILTERS}\b")
# A filter's own complaint (`grep: invalid option -- P`, `jq: error (at <stdin>:3)`): what it
# was given is not shown.
_FILTER_FAILED = re.compile(rf"^{_FILTERS}: ", re.M)
# What a program prints when its work is done: a build, a linter finding nothing.
_WORK_DONE = re.compile(
    r"^\s*(?:0 issues\b|no (?:issues|errors|problems)(?: found)?\b|(?:build )?succeeded\b|"
    r"BUILD SUCCESSFUL\b|Successfully\b|Done\b|Finished\b|All checks passed\b)",
    re.I | re.M,
)


def watched(failed: str, retry: str) -> bool:
    """The retry is the failed command with only tracing added: its steps traced by the
    shell (`bash -x ./install.sh | tail`), or a setting or option that makes it say more
    (`GIT_TRACE=1 git stash`, `cargo build -vv`)."""
    if _SHELL_TRACED.match(unwrapped(retry)) and not _SHELL_TRACED.match(unwrapped(failed)):
        return True
    words, kept = _traced_words(retry)
    had, kept_before = _traced_words(failed)
    return kept == kept_before and len(words) - len(kept) > len(had) - len(kept_before)


def _traced_words(command: str) -> tuple[list[str], list[str]]:
    """The command's words, and those left without its tracing settings and options."""
    words = unwrapped(command).split()
    start = 1 if words[:1] == ["env"] else 0
    while start < len(words) and _TRACE_SETTING.match(words[start]):
        start += 1
    kept = words[start : start + 1] + [w for w in words[start + 1 :] if not _TRACE_OPTION.match(w)]
    return words, kept


def filtered_again(failed: str, retry: str) -> bool:
    """The retry is the failed command unchanged, piped into filters (`lint ./... | grep -o
    '(\\w+)' | sort | uniq -c`): its exit status is the last filter's."""
    ran = split_outside_quotes(unwrapped(failed), signals.PIPE)
    again = split_outside_quotes(unwrapped(retry), signals.PIPE)
    return (
        bool(ran)
        and len(again) > len(ran)
        and again[: len(ran)] == ran
        and all(_FILTER.match(step) for step in again[len(ran) :])
    )


def filter_failed(result: Event) -> bool:
    """A filter of the call complained in its output: what it was to filter is unseen."""
    return _FILTER_FAILED.search(result.text[:4000]) is not None


def shows_work_done(result: Event) -> bool:
    """The output says the work was done (tests passing, a build finished, no issues left),
    and no filter complained."""
    if filter_failed(result):
        return False
    return signals.shows_passing_tests(result) or (
        signals.is_success(result) and _WORK_DONE.search(result.text[:20_000]) is not None
    )
