"""One failing call cancels its parallel siblings: a harness fact, learnt once it is shown
twice or a cancelled call is seen working on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.cancelled import LESSON, CancelledBatch, cancelled_batches
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, edit, result, say

SIBLING = "<tool_use_error>Sibling tool call errored</tool_use_error>"
CANCELLED = "<tool_use_error>Cancelled: parallel tool call Bash(which gh…) errored</tool_use_error>"
NOT_FOUND = "Exit code 1\nwhich: no gh in (/usr/bin)"


def _batch(
    prefix: str,
    failing: str,
    siblings: list[str],
    marker: str = SIBLING,
    failure: str = NOT_FOUND,
) -> list[dict]:  # type: ignore[type-arg]
    records = [call(f"{prefix}0", failing)]
    records += [call(f"{prefix}{i + 1}", cmd) for i, cmd in enumerate(siblings)]
    records.append(result(f"{prefix}0", failure, True))
    records += [result(f"{prefix}{i + 1}", marker, True) for i in range(len(siblings))]
    return records


def _batches(path: Path) -> list[CancelledBatch]:
    events = parse_file(path, path.parent).events
    calls = {e.tool_use_id: e for e in events if e.kind is EventKind.TOOL_CALL and e.tool_use_id}
    return list(cancelled_batches(events, calls))


def _gotchas(tmp_path: Path, records: list[dict]) -> list[str]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    return [c.text for c in found if c.kind is LessonKind.GOTCHA]


def test_a_batch_rerun_one_by_one_teaches_the_lesson(tmp_path: Path) -> None:
    records = [
        *_batch("a", "which gh", ["ls /opt 2>/dev/null", "cat notes.txt"], CANCELLED),
        say("assistant", "Let me run these one at a time."),
        call("b1", "ls /opt"),
        result("b1", "tools"),
    ]
    assert _gotchas(tmp_path, records) == [LESSON]


def test_the_evidence_covers_the_failure_the_cancelled_calls_and_the_rerun(tmp_path: Path) -> None:
    records = [
        *_batch("a", "which gh", ["ls /opt"]),
        call("b1", "ls /opt"),
        result("b1", "tools"),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    (candidate,) = [c for c in found if c.kind is LessonKind.GOTCHA]
    assert (candidate.evidence.ref.line_start, candidate.evidence.ref.line_end) == (1, 6)
    assert candidate.evidence.quote == "Sibling tool call errored"


def test_one_batch_and_no_rerun_is_not_enough(tmp_path: Path) -> None:
    records = [*_batch("a", "which gh", ["ls /opt", "cat notes.txt"]), say("assistant", "Ok.")]
    assert _gotchas(tmp_path, records) == []


def test_two_batches_in_a_run_teach_it(tmp_path: Path) -> None:
    records = [
        *_batch("a", "which gh", ["ls /opt"]),
        say("assistant", "Trying another way."),
        *_batch("b", "tree /F", ["cat README.md"]),
    ]
    assert _gotchas(tmp_path, records) == [LESSON, LESSON]  # one lesson once curated


def test_a_cancellation_without_a_failed_sibling_is_not_a_batch(tmp_path: Path) -> None:
    records = [
        say("assistant", "Reading both."),
        call("a1", "cat a.txt"),
        result("a1", SIBLING, True),
        call("a2", "cat b.txt"),
        result("a2", SIBLING, True),
    ]
    path = _write(tmp_path, records)
    assert list(_batches(path)) == []


def test_a_rerun_that_fails_again_is_no_rerun(tmp_path: Path) -> None:
    records = [
        *_batch("a", "which gh", ["ls /opt"]),
        call("b1", "ls /opt"),
        result("b1", "Exit code 2\nls: cannot access '/opt'", True),
    ]
    path = _write(tmp_path, records)
    (batch,) = _batches(path)
    assert batch.rerun is None and len(batch.cancelled) == 1


def test_a_failed_edit_cancelling_its_siblings_teaches_no_shell_lesson(tmp_path: Path) -> None:
    def batch(prefix: str) -> list[dict]:  # type: ignore[type-arg]
        return [
            edit(f"{prefix}0"),
            edit(f"{prefix}1"),
            result(
                f"{prefix}0", "<tool_use_error>String to replace not found</tool_use_error>", True
            ),
            result(f"{prefix}1", SIBLING, True),
        ]

    records = [*batch("a"), say("assistant", "Retrying."), *batch("b")]
    assert _gotchas(tmp_path, records) == []


def test_the_failed_call_a_cancellation_names_is_found_after_it(tmp_path: Path) -> None:
    named = "<tool_use_error>Cancelled: parallel tool call Bash(nonexistent_tool --ch…) errored</tool_use_error>"
    records = [
        call("p1", "grep -rn TODO src"),
        result("p1", "Exit code 1", True),
        call("q1", "npm run lint"),
        call("q2", "nonexistent_tool --check"),
        result("q1", named, True),
        result("q2", "Exit code 127\nbash: nonexistent_tool: command not found", True),
    ]
    path = _write(tmp_path, records)
    (batch,) = _batches(path)
    assert batch.failed_call is not None and batch.failed_call.text == "nonexistent_tool --check"


REFUSALS = {
    "a hook": "Hook PreToolUse:Bash denied this tool",
    "a permission rule": "Permission to use Bash with command cd /srv && ls has been denied.",
    "the user": "The user doesn't want to proceed with this tool use.",
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_batch_whose_call_was_refused_teaches_nothing(tmp_path: Path, refusal: str) -> None:
    # a refused call fails alone too: running it on its own would not have helped
    records = [
        *_batch("a", "cd /srv && ls", ["ls /opt"], failure=refusal),
        say("assistant", "Trying another way."),
        *_batch("b", "cd /srv && git log", ["cat README.md"], failure=refusal),
        call("c1", "ls /opt"),
        result("c1", "tools"),
    ]
    assert _gotchas(tmp_path, records) == []


def test_a_refusal_the_cancellation_names_teaches_nothing(tmp_path: Path) -> None:
    named = "<tool_use_error>Cancelled: parallel tool call Bash(cd /srv && ls…) errored</tool_use_error>"
    records = [
        call("q1", "cat notes.txt"),
        call("q2", "cd /srv && ls"),
        result("q1", named, True),
        result("q2", REFUSALS["a hook"], True),
        call("r1", "cat notes.txt"),
        result("r1", "notes"),
    ]
    assert _batches(_write(tmp_path, records)) == []


def test_a_probe_that_exits_non_zero_in_the_same_batches_still_teaches_it(tmp_path: Path) -> None:
    records = [
        *_batch("a", "cd /srv && ls", ["ls /opt"], failure=REFUSALS["a hook"]),
        say("assistant", "Trying another way."),
        *_batch("b", "which foo", ["cat README.md"]),
        call("c1", "cat README.md"),
        result("c1", "# readme"),
    ]
    assert _gotchas(tmp_path, records) == [LESSON]
