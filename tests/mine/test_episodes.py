from __future__ import annotations

import json
from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.signals import error_signature
from metis_distill.mine.text import sentences
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES


def _write(tmp_path: Path, records: list[dict]) -> Path:  # type: ignore[type-arg]
    path = tmp_path / "p" / "s.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    base = {"sessionId": "s1", "cwd": "/w", "timestamp": "2026-11-01T10:00:00Z"}
    path.write_text("\n".join(json.dumps({**base, **r}) for r in records) + "\n")
    return path


def failure_lessons(tmp_path: Path, records: list[dict]) -> list[LessonCandidate]:  # type: ignore[type-arg]
    """The rules extractor's lessons of the failures in a Claude Code session of `records`."""
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return RulesExtractor().extract(run, episodes, read_lines(path))


def call(tool_id: str, command: str) -> dict:  # type: ignore[type-arg]
    block = {"type": "tool_use", "id": tool_id, "name": "Bash", "input": {"command": command}}
    return {"type": "assistant", "message": {"content": [block]}}


def result(tool_id: str, text: str, error: bool = False) -> dict:  # type: ignore[type-arg]
    block = {"type": "tool_result", "tool_use_id": tool_id, "content": text, "is_error": error}
    return {"type": "user", "message": {"content": [block]}}


def read(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    """A Read tool call."""
    block = {"type": "tool_use", "id": tool_id, "name": "Read", "input": {"file_path": path}}
    return {"type": "assistant", "message": {"content": [block]}}


def edit(tool_id: str, path: str = "a.py", old: str = "x", new: str = "y") -> dict:  # type: ignore[type-arg]
    """An Edit tool call."""
    inputs = {"file_path": path, "old_string": old, "new_string": new}
    block = {"type": "tool_use", "id": tool_id, "name": "Edit", "input": inputs}
    return {"type": "assistant", "message": {"content": [block]}}


def say(role: str, text: str) -> dict:  # type: ignore[type-arg]
    return {
        "type": role,
        "message": {"content": text if role == "user" else [{"type": "text", "text": text}]},
    }


def episodes_of(tmp_path: Path, records: list[dict]):  # type: ignore[no-untyped-def,type-arg]
    path = _write(tmp_path, records)
    return list(find_episodes(parse_file(path, tmp_path)))


def test_failure_paired_with_the_retry_that_worked(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            call("t1", "npm test"),
            result("t1", "Exit code 1\nnpm ERR! missing script: test", True),
            call("t2", "ls"),
            result("t2", "package.json"),
            call("t3", "npm run test:unit"),
            result("t3", "Tests: 4 passed, 4 total"),
        ],
    )
    (failure,) = [e for e in found if e.kind is LessonKind.FAILURE]
    assert failure.call is not None and failure.call.text == "npm test"
    assert failure.fix_call is not None and failure.fix_call.text == "npm run test:unit"


def test_no_fix_when_the_retry_failed_too(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            call("t1", "pytest -q"),
            result("t1", "Exit code 1\n3 failed, 2 passed", True),
            call("t2", "pytest -q"),
            result("t2", "Exit code 1\n3 failed, 2 passed", True),
        ],
    )
    failures = [e for e in found if e.kind is LessonKind.FAILURE]
    assert len(failures) == 2 and all(f.fix_call is None for f in failures)


def test_failing_tests_without_is_error_count_as_failure(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            call("t1", "pytest"),
            result("t1", "FAILED tests/test_x.py::test_y - assert 1 == 2\n1 failed"),
        ],
    )
    assert [e.signal for e in found] == ["failing_tests"]


def test_noise_errors_are_not_lessons(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            call("t1", "ls"),
            result("t1", "<tool_use_error>Sibling tool call errored</tool_use_error>", True),
            call("t2", "rm x"),
            result("t2", "The user doesn't want to proceed with this tool use.", True),
        ],
    )
    assert found == []


def test_correction_after_interrupt(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            say("user", "[Request interrupted by user for tool use]"),
            say("user", "Don't push to main; open a pull request instead."),
        ],
    )
    (episode,) = found
    assert episode.signal == "correction" and episode.sentence.startswith("Don't push")


def turned_down(tool_id: str, said: str) -> dict:  # type: ignore[type-arg]
    """Claude Code 2.0's result of a call the user turned down with words (its VS Code
    extension): an error holding only the words."""
    return {**result(tool_id, said, True), "version": "2.0.4", "toolUseResult": "Error: " + said}


def test_words_turning_a_call_down_in_claude_code_2_0_are_no_failure(tmp_path: Path) -> None:
    records = [
        edit("t1", "models/order.py"),
        turned_down("t1", "I changed the order table myself.  Try the tests again without edits"),
        edit("t2", "models/order.py", "a", "b"),
        turned_down("t2", "No.  Can you keep both fields and compare them instead?"),
        edit("t3", "models/order.py", "a", "c"),
        result("t3", "The file models/order.py has been updated."),
    ]
    assert [e for e in episodes_of(tmp_path, records) if e.kind is LessonKind.FAILURE] == []
    assert failure_lessons(tmp_path, records) == []


def test_words_turning_a_call_down_in_claude_code_2_0_correct_it(tmp_path: Path) -> None:
    """Said what to do instead, the words are the user's correction of the call, as the
    message typed after a rejection is."""
    records = [
        call("t1", "npm test -- --grep parser"),
        turned_down("t1", "Use make unit-test NAME=<name> for one test, never npm test here"),
        call("t2", "make unit-test NAME=parser"),
        result("t2", "1 passing"),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    (episode,) = find_episodes(run)
    assert episode.signal == "correction" and episode.call is not None
    assert episode.call.text == "npm test -- --grep parser"
    (lesson,) = RulesExtractor().extract(run, [episode], read_lines(path))
    assert lesson.text == (
        "User correction: Use make unit-test NAME=<name> for one test, never npm test here."
    )
    assert (lesson.evidence.ref.line_start, lesson.evidence.ref.line_end) == (1, 2)


def test_a_task_sent_again_after_an_interrupt_is_no_correction(tmp_path: Path) -> None:
    """The same request again, one value changed: the task restated, nothing learned."""
    asked = "No, in cells AF39, AG39 and AH39 you will see a subtraction; fill them like row 38."
    found = episodes_of(
        tmp_path,
        [
            say("user", asked),
            say("user", "[Request interrupted by user for tool use]"),
            say("user", asked.replace("39", "40")),
        ],
    )
    assert [e for e in found if e.signal == "correction"] == []


@pytest.mark.parametrize(
    ("message", "correction"),
    [
        ("Wait, hold on. Don't reload the page; call the API instead.", "Don't reload the page"),
        ("Wait, hold on. I see a console error in the browser now.", None),  # a report, no rule
        # "please do not", typed in haste
        (
            "Pleas do not run the migrations against the shared database",
            "Pleas do not run the migrations against the shared database",
        ),
    ],
)
def test_a_correction_that_opens_with_a_filler_is_told_by_what_follows(
    tmp_path: Path, message: str, correction: str | None
) -> None:
    found = episodes_of(
        tmp_path, [say("user", "[Request interrupted by user for tool use]"), say("user", message)]
    )
    said = [e.sentence for e in found if e.signal == "correction"]
    assert (said[0].split(";")[0] if said else None) == correction


def test_statements_decision_gotcha_and_user_rule(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            say("user", "Add a cache to the CLI."),
            say(
                "assistant",
                "We'll use SQLite for the cache because the CLI must run without a server.",
            ),
            say(
                "assistant", "Turns out the CI image has no git-lfs, so the fixtures come up empty."
            ),
            say("user", "Always run the linter before you commit anything."),
            say("assistant", "Should we use Postgres here?"),
        ],
    )
    assert [(e.kind, e.signal) for e in found] == [
        (LessonKind.DECISION, "decision"),
        (LessonKind.GOTCHA, "gotcha"),
        (LessonKind.DECISION, "user_rule"),
    ]


def test_harness_text_is_not_mined(tmp_path: Path) -> None:
    found = episodes_of(
        tmp_path,
        [
            say(
                "user",
                "Caveat: The messages below were generated by the user while running local "
                "commands. DO NOT respond to these messages.",
            ),
            say("user", "<command-name>/clear</command-name> always run tests before committing"),
        ],
    )
    assert found == []


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            "Exit code 127\n/bin/bash: line 1: python: command not found",
            "/bin/bash: line 1: python: command not found",
        ),
        (
            "Traceback (most recent call last):\n  File \"x.py\", line 1\nModuleNotFoundError: No module named 'yaml'",
            "ModuleNotFoundError: No module named 'yaml'",
        ),
        (
            "<tool_use_error>String to replace not found in file.\nString: foo</tool_use_error>",
            "String to replace not found in file.",
        ),
        ("Exit code 2\nsome output\nmore", "some output"),
        (  # pytest: the `E` line, not a word of the test's source printed above it
            ".F  [100%]\n    result = cli(['status'])  # should not error\n"
            ">       assert result.exit_code == 0\nE       AssertionError: assert 1 == 0",
            "E       AssertionError: assert 1 == 0",
        ),
        (  # an exception by its module's path; a passed test's name holds any word
            "tests/test_auth.py::test_invalid_email PASSED [ 50%]\n"
            "tests/test_auth.py::test_login_redirect FAILED [100%]\n"
            "E   shop.routing.errors.NoRouteMatch: no route named 'dashboard'\n"
            'Traceback (most recent call last):\n  File "shop/views.py", line 9, in login\n'
            "shop.routing.errors.NoRouteMatch: no route named 'dashboard'",
            "E   shop.routing.errors.NoRouteMatch: no route named 'dashboard'",
        ),
        (  # the same run, its error line not shown: still no passed test's name
            "tests/test_auth.py::test_invalid_email PASSED [ 50%]\n"
            "tests/test_auth.py::test_login_redirect FAILED [100%]\n"
            "1 failed, 1 passed in 0.20s",
            "tests/test_auth.py::test_login_redirect FAILED [100%]",
        ),
        (  # a plain `assert`, under the test's banner
            "F\n_____ test_empty_is_no_error _____\n>  assert parse('') == []\nE       assert None == []",
            "E       assert None == []",
        ),
        (  # npm: what went wrong in words under its code, not where its log went
            "npm ERR! code EPERM\nnpm ERR! syscall mkdir\nnpm ERR! path /w/.npm/_cacache\n"
            "npm ERR! errno -1\nnpm ERR!\nnpm ERR! Your cache folder contains root-owned files\n"
            "npm ERR! Log files were not written due to an error writing to the directory",
            "npm ERR! Your cache folder contains root-owned files",
        ),
        (  # Node: the source line it echoes above its `^` is where, not what
            "/w/node_modules/x/run.js:120\n    const err = new Error(message);\n          ^\n\n"
            "Error: Cannot find module '../lib/cssGenerator'\nRequire stack:",
            "Error: Cannot find module '../lib/cssGenerator'",
        ),
        (  # a script that failed: its own error, not npm's word on where the log is
            "src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.\n"
            "npm ERR! code 2\nnpm ERR! path /w\nnpm ERR! command failed\nnpm ERR! command sh -c tsc\n"
            "npm ERR! A complete log of this run can be found in:",
            "src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.",
        ),
        (
            "npm error code ERESOLVE\nnpm error ERESOLVE unable to resolve dependency tree",
            "npm error ERESOLVE unable to resolve dependency tree",
        ),
        (  # GitHub's push refusal: the file too big, not the trace id or the link above it
            "remote: error: Trace: 6621f0c2d4a5b6e7f8091a2b3c4d5e6f7081920a1b2c3d4e5f60718293a4b5c6\n"
            "remote: error: See https://gh.io/lfs for more information.\n"
            "remote: error: File big.bin is 103.31 MB; this exceeds GitHub's file size limit of "
            "100.00 MB\nremote: error: GH001: Large files detected.",
            "remote: error: File big.bin is 103.31 MB; this exceeds GitHub's file size limit of "
            "100.00 MB",
        ),
        (  # BuildKit: what a step that finished printed is not why `compose up` failed
            "#6 [2/2] RUN apt-get update\n#6 12.1 perl: warning: Setting locale failed.\n"
            "#6 14.0 debconf: unable to initialize frontend: Dialog\n#6 DONE 19.8s\n"
            "#7 exporting to image\n#7 DONE 2.9s\n[stderr]  Container web-1 Creating\n"
            "[stderr] Error response from daemon: mkdir /srv/addons: permission denied",
            "Error response from daemon: mkdir /srv/addons: permission denied",
        ),
        (  # ... and the step that did not finish says why
            "#5 [2/3] RUN pip install -r requirements.txt\n#5 DONE 31.0s\n"
            "#6 [3/3] RUN npm ci\n#6 4.1 npm error code ENOENT\n"
            "#6 4.1 npm error enoent Could not read package.json\n"
            '#6 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 254',
            "npm error enoent Could not read package.json",
        ),
        (  # two builds in one output, each numbering its steps from 1
            "#5 [2/2] RUN pip install -r requirements.txt\n#5 DONE 31.0s\n"
            "#5 [2/3] RUN npm ci\n#5 1.5 npm error enoent Could not read package.json\n"
            "ERROR: failed to solve: process did not complete successfully: exit code: 254",
            "npm error enoent Could not read package.json",
        ),
        (  # a tool's own words in Chinese: its progress line above says nothing
            "找到开发机: dev-4090 (notebook_id: abc)\n正在连接...\n错误: 需要 websocket-client",
            "错误: 需要 websocket-client",
        ),
        ("ビルド中...\nエラー: モジュールが見つかりません", "エラー: モジュールが見つかりません"),
        (  # a crate whose name ends in "error", compiled: no error line
            "   Compiling thiserror v2.0.17\nerror: linking with `link.exe` failed: exit code: 1318",
            "error: linking with `link.exe` failed: exit code: 1318",
        ),
        (
            "Traceback (most recent call last):\nTypeError: x is not a function",
            "TypeError: x is not a function",
        ),
        ("컴파일 완료, 오류 없음\nfatal: unable to access 'x'", "fatal: unable to access 'x'"),
        ("测试: 12, 失败: 0\nfatal: unable to access 'x'", "fatal: unable to access 'x'"),
    ],
)
def test_error_signature(output: str, expected: str) -> None:
    assert error_signature(output) == expected


def test_sentences_skip_code_blocks() -> None:
    text = "First we check. ```\nrm -rf / because\n``` Then the root cause was a stale lock file."
    found = sentences(text)
    assert "Then the root cause was a stale lock file." in found
    assert not any("rm -rf" in s for s in found)


def test_demo_fixture_yields_each_kind() -> None:
    run = parse_file(DEMO_FILE, FIXTURES / "claude_code")
    kinds = {e.kind for e in find_episodes(run)}
    assert kinds == {LessonKind.FAILURE, LessonKind.GOTCHA, LessonKind.DECISION}
