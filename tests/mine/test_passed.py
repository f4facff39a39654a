"""An output that closes as a run that worked (a test runner's summary that none failed,
git's line for the commit it made) is no failure, whatever its tests logged above it; a
summary of tests that failed, or a result the harness flagged, still is one."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine import signals
from metis_distill.models import Event, EventKind, SourceRef
from tests.mine.test_episodes import call, failure_lessons, result

# What tests of error handling log on purpose, above their runner's summary.
LOGGED = (
    "src/queue.test.ts:\n"
    "[Queue] Warning: could not read the job list, starting empty\n"
    "[Queue] Task 2 failed: 12 | test('keeps going', async () => {\n"
    '13 |   throw new Error("boom");\n'
    "            ^\n"
    "error: boom\n"
    "      at <anonymous> (/w/src/queue.test.ts:13:9)\n"
    "Error: boom\n    at run (/w/src/queue.ts:40:11)\n"
)
BUN_PASSED = (
    f"$ bun test src/\nbun test v1.3.0\n\n{LOGGED}\n 12 pass\n 0 fail\n 30 expect() calls\n"
)
FAILED_TEST = (
    "20 |   expect(queue.size).toBe(0);\n                     ^\n"
    "error: expect(received).toBe(expected)\n\nExpected: 0\nReceived: 1\n\n"
    "      at <anonymous> (/w/src/queue.test.ts:20:22)\n"
    "(fail) queue > empties once done [0.40ms]\n"
)
BUN_FAILED = (
    f"$ bun test src/\nbun test v1.3.0\n\n{LOGGED}{FAILED_TEST}\n 11 pass\n 1 fail\n"
    " 30 expect() calls\n"
)
COMMITTED = (
    "[main 1a2b3c4] Add the job queue\n 3 files changed, 40 insertions(+), 2 deletions(-)\n"
    f"{BUN_PASSED}$ biome check\nChecked 12 files in 20ms. No fixes applied.\n"
)


def _ran(output: str, *, error: bool = False) -> Event:
    return Event(
        seq=2,
        role="tool",
        kind=EventKind.ERROR if error else EventKind.TOOL_RESULT,
        text=output,
        ref=SourceRef("a.jsonl", 2, 2),
        tool_name="Bash",
    )


@pytest.mark.parametrize(
    "output",
    [
        BUN_PASSED,
        COMMITTED,
        # a commit whose hook logged errors and printed no summary: the hook let it through
        "[feature/x 9f8e7d6] Tidy\n 1 file changed, 1 insertion(+)\n"
        'Traceback (most recent call last):\n  File "hook.py", line 3\nValueError: logged\n'
        "hook: checks done\n",
        f"{LOGGED}====== 9 passed, 1 warning in 0.42s ======",
        f"{LOGGED}Tests:       2 skipped, 9 passed, 11 total",
        f"{LOGGED}      Tests  9 passed (9)",
        f"{LOGGED}test result: ok. 9 passed; 0 failed; 0 ignored",
        f"{LOGGED}Ran 9 tests in 0.011s\n\nOK",
        f"{LOGGED}ok  \texample.com/queue\t0.12s",
    ],
)
def test_a_run_that_closes_passing_is_no_failure(output: str) -> None:
    assert signals.shows_failure(output)  # what the tests logged, read alone
    assert not signals.is_failure(_ran(output))
    assert signals.is_success(_ran(output))


@pytest.mark.parametrize(
    "output",
    [
        BUN_FAILED,
        f"{LOGGED}====== 1 failed, 8 passed in 0.42s ======",
        f"{LOGGED}Tests:       1 failed, 8 passed, 9 total",
        f"{LOGGED}      Tests  1 failed | 8 passed (9)",
        f"{LOGGED}test result: FAILED. 8 passed; 1 failed; 0 ignored",
        f"{LOGGED}Ran 9 tests in 0.011s\n\nFAILED (failures=1)",
        f"{LOGGED}--- FAIL: TestQueue (0.00s)\nFAIL\texample.com/queue\t0.12s",
        # one package's tests failed, the next one's passed
        f"{BUN_FAILED}{BUN_PASSED}",
        # the tests passed, then the build after them failed
        f"{BUN_PASSED}$ next build\nFailed to compile.\n",
        # tests failed, then a commit was made anyway (`pytest; git commit`)
        "====== 2 failed, 7 passed in 0.42s ======\n[main 1a2b3c4] Wip\n 1 file changed\n",
        # jest: a suite that failed to run, its tests never counted
        "FAIL src/a.test.js\n  ● Test suite failed to run\n\nTest Suites: 1 failed, 1 passed, 2 "
        "total\nTests:       5 passed, 5 total\nTime:        1.5 s\nRan all test suites.\n",
        # the build failed, then the tests passed (`npm run build | tail; npm test | tail`)
        "Failed to compile.\n\n./src/page.tsx:3:1\nType error: Cannot find name 'x'.\n\n"
        "> vitest run\n\n Test Files  2 passed (2)\n      Tests  9 passed (9)\n",
        # a commit made, then the build failed (`git commit … && npm run build | tail`)
        "[main 1a2b3c4] Add page\n 2 files changed, 10 insertions(+)\n> next build\n\n"
        "Failed to compile.\n",
    ],
)
def test_a_summary_of_failures_stays_a_failure(output: str) -> None:
    assert signals.is_failure(_ran(output))
    assert not signals.is_success(_ran(output))


def test_a_result_the_harness_flagged_stays_a_failure() -> None:
    assert signals.is_failure(_ran(f"Exit code 1\n{BUN_PASSED}", error=True))


@pytest.mark.parametrize(("command", "output"), [("bun run test", BUN_PASSED), ("git commit -m 'Add the job queue'", COMMITTED)])  # fmt: skip
def test_tests_logging_errors_then_passing_teach_no_failure(
    tmp_path: Path, command: str, output: str
) -> None:
    records = [call("t1", command), result("t1", output)]
    assert failure_lessons(tmp_path, records) == []


def test_tests_that_failed_still_teach_their_failure(tmp_path: Path) -> None:
    records = [call("t1", "bun run test"), result("t1", BUN_FAILED)]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text.startswith("`bun run test` fails here: “error: expect(received)")
