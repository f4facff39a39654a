"""An output that closes as a run that worked: a test runner's summary that no test failed,
or git's line for the commit it made. What tests log above their summary (a warning, an
`Error: boom` a test of error handling throws on purpose, its stack, "Task 2 failed") is no
failure of the call."""

from __future__ import annotations

import re

# A test runner's summary that none failed: bun's (` 12 pass`, ` 0 fail`), pytest's (`12
# passed, 1 warning in 0.40s`, neither failed nor errors), jest's (`Tests: 12 passed, 12
# total`), vitest's (`Tests  12 passed (12)`), cargo's (`test result: ok.`), unittest's (`OK`
# under `Ran 12 tests in 0.1s`), go's (`ok  \tpkg\t0.2s`).
_NONE_FAILED = re.compile(
    r"^[ \t]*\d+ pass\n(?:[ \t]*\d+ (?:skip|todo)\n)*[ \t]*0 fail$"
    r"|^=*[ \t]*\d+ passed(?:, \d+ (?!failed\b|errors?\b)\w+)* in [\d.]+m?s\b"
    r"|^Tests:[ \t]+(?:\d+ (?:skipped|todo), )*\d+ passed, \d+ total$"
    r"|^[ \t]*Tests[ \t]+\d+ passed(?: \| \d+ (?:skipped|todo))* \(\d+\)"
    r"|^test result: ok\."
    r"|^Ran \d+ tests? in [\d.]+s\n+OK(?: \([^)\n]*\))?$"
    r"|^ok[ \t]+\S+[ \t]+(?:[\d.]+m?s|\(cached\))",
    re.M,
)
# The same runners' summaries of tests that failed (`11 pass`, ` 1 fail`; `1 failed, 2 passed
# in 0.3s`; `Tests: 1 failed, …`; `Tests  1 failed | 11 passed`; `test result: FAILED`;
# `Test Suites: 1 failed, …` (a suite that failed to run, its tests never counted);
# `FAILED (failures=1)`; go's `FAIL\tpkg` and `--- FAIL: TestX`).
_SOME_FAILED = re.compile(
    r"^[ \t]*[1-9]\d* fail$"
    r"|^=*[ \t]*(?:\d+ \w+, )*[1-9]\d* (?:failed|errors?)\b[^\n]* in [\d.]+m?s\b"
    r"|^Test(?:s| Suites):[ \t]+(?:\d+ \w+, )*[1-9]\d* failed\b"
    r"|^[ \t]*Test(?:s| Files)[ \t]+[1-9]\d* failed\b"
    r"|^test result: FAILED\b"
    r"|^FAILED \((?:failures|errors)="
    r"|^FAIL(?:\t|$)|^--- FAIL:",
    re.M,
)
# git's line for the commit it made, and the tally under it (`[main 7238eaa] Add import`,
# ` 13 files changed, …`; `[main (root-commit) 1a2b3c4] …`, `[detached HEAD 1a2b3c4] …`; an
# amend's ` Date: …` between them): its hooks, whatever they printed, let it through.
_COMMIT_MADE = re.compile(
    r"^\[[^\]\n]+ [0-9a-f]{7,40}\] \S[^\n]*\n(?:[ \t]*Date: [^\n]*\n)?[ \t]*\d+ files? changed\b",
    re.M,
)


def some_failed(text: str) -> bool:
    """A test runner's summary in the text says tests failed."""
    return _SOME_FAILED.search(text) is not None


def after_last_pass(text: str) -> str | None:
    """What follows the last summary of a test run that none failed, or None when the text
    holds none."""
    ends = [found.end() for found in _NONE_FAILED.finditer(text)]
    return text[ends[-1] :] if ends else None


def commit_made(text: str) -> bool:
    """The text holds git's line for a commit it made."""
    return _COMMIT_MADE.search(text) is not None
