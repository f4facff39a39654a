from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metis_distill import sources
from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import EventKind, LessonKind, Run
from metis_distill.provenance import quote_in_span
from metis_distill.redact import redact
from metis_distill.sources.logs import looks_like, parse_file, parse_lines
from metis_distill.textio import decode, read_lines
from tests.conftest import FIXTURES

ROOT = FIXTURES / "logs"
RAW_JOB = ROOT / "gha_raw_job.log"
GH_VIEW = ROOT / "gh_run_view.txt"
TERMINAL = ROOT / "terminal_session.txt"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def head_of(path: Path) -> str:
    return decode(path.read_bytes()[: 64 * 1024])


def verbatim_quotes(path: Path, line_start: int, line_end: int, text: str) -> list[str]:
    """Quotes for every line of an event's text, taken from segments that appear verbatim in
    the raw lines (the quote check normalizes whitespace only, not colour codes)."""
    raw = [redact(line) for line in read_lines(path)[line_start - 1 : line_end]]
    quotes = []
    for line in text.splitlines():
        if not line.strip():
            continue
        source = next(r for r in raw if line in ANSI.sub("", r))
        # where the colour codes sat, in the coordinates of the line without them
        cuts, removed = set(), 0
        for code in ANSI.finditer(source):
            cuts.add(code.start() - removed)
            removed += len(code.group())
        offset = ANSI.sub("", source).index(line)
        bounds = sorted({0, len(line)} | {c - offset for c in cuts if 0 < c - offset < len(line)})
        pieces = [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        quotes.append(max(pieces, key=lambda p: len(p.strip()))[:200])
    return quotes


def assert_quotable(path: Path, run: Run) -> None:
    count = len(read_lines(path))
    for event in run.events:
        ref = event.ref
        assert 1 <= ref.line_start <= ref.line_end <= count, event
        text = event.text
        if event.kind is EventKind.TOOL_CALL:  # a script's lines are joined with `&&`
            text = text.replace(" && ", "\n")
        quotes = verbatim_quotes(path, ref.line_start, ref.line_end, text)
        assert quotes, event
        for quote in quotes:
            assert quote_in_span(path, ref.line_start, ref.line_end, quote), (quote, event)


def lessons(path: Path, root: Path):  # type: ignore[no-untyped-def]
    run = parse_file(path, root)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    for candidate in found:
        ref = candidate.evidence.ref
        assert quote_in_span(
            root / ref.path, ref.line_start, ref.line_end, candidate.evidence.quote
        ), candidate
    return found


# --- sniffing ------------------------------------------------------------------------------


def test_looks_like_claims_the_fixtures_whatever_their_name() -> None:
    for path in (RAW_JOB, GH_VIEW, TERMINAL):
        assert looks_like(path.name, head_of(path)), path
        assert looks_like("renamed-without-extension", head_of(path)), path
        assert sources.detect(path).format is sources.by_name("logs")


PLAIN_LOGS = {
    "bare traceback": 'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n'
    "    import nope\nModuleNotFoundError: No module named 'nope'\n",
    "pytest": "============================= test session starts ==============================\n"
    "collected 1 item\n\nt.py F\n========================= 1 failed in 0.01s =========================\n",
    "npm": "npm ERR! code ENOENT\nnpm ERR! syscall open\nnpm ERR! enoent Could not read package.json\n",
    "app log": "2024-03-01 10:00:00,001 INFO start\n2024-03-01 10:00:01,002 INFO ready\n"
    "2024-03-01 10:00:02,003 ERROR db: connection refused\n",
    "two weak signs": "building...\nerror: linker `cc` not found\nmake: *** [all] Error 1\n",
    "nim": "Hint: used config file 'a/config.nims' [Conf]\n"
    "src/a.nim(12, 5) Error: type mismatch: got <int>\n"
    "Error: unhandled exception: t.nim(3, 8) `x == 2`  [AssertionDefect]\n[FAILED] adds\n",
    "nim stack trace": "a/b.nim(25, 26) Error: cannot open file: x.spv\n"
    "stack trace: (most recent call last)\na/c.nims(41, 16) testTask\n",
    "rustc": "error[E0433]: failed to resolve: use of undeclared crate `tokio`\n"
    " --> src/main.rs:3:5\n  |\n3 | use tokio::net;\n",
    "rustc wrapped": "error[E0433]: failed \nto resolve\n --> src\\main.rs:3:5\n",
    "xctest suite": "Test Suite 'All tests' started at 2026-01-05 09:00:00.100.\n"
    "Test Suite 'All tests' passed at 2026-01-05 09:00:00.300.\n",
    "xctest case": "Test Case 'ParserTests.testEmpty' passed (0.002 seconds).\n",
    "cargo test": "running 3 tests\ntest parse::empty ... ok\n"
    "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n",
    "go test": "=== RUN   TestParse\n--- FAIL: TestParse (0.00s)\n    parse_test.go:9: got 1\n",
    "jest": "FAIL src/sum.test.js\nTests:       1 failed, 4 passed, 5 total\n",
    "cargo build": "   Compiling tallyd v0.2.0 (/src/tallyd)\nerror: linker `cc` not found\n",
    "powershell native error": "cargo : error: no such command: `nextest`\n"
    "At line:1 char:1\nerror: could not run the tests\n",
}


@pytest.mark.parametrize("name", sorted(PLAIN_LOGS))
def test_looks_like_claims_plain_logs(name: str) -> None:
    assert looks_like("output.txt", PLAIN_LOGS[name])


NOT_LOGS = {
    "claude code": '{"type":"user","sessionId":"s1","message":{"content":"Traceback (most'
    ' recent call last):"}}\n',
    "codex": '{"timestamp":"2025-01-01T00:00:00.000Z","type":"session_meta","payload":{}}\n',
    "swe-agent": '{\n  "trajectory": [{"observation": "Traceback (most recent call last):"}]\n}',
    "openhands": '[\n  {"id": 1, "action": "run", "source": "agent"}\n]',
    "aider": "# aider chat started at 2024-10-01 10:00:00\n\n> Traceback (most recent call last):\n"
    "#### fix it\n",
    "markdown with a fenced traceback": "Notes\n\n```\nTraceback (most recent call last):\n"
    "ValueError: x\n```\n",
    "prose with one error line": "Meeting notes.\nerror: we forgot the agenda\nNext time.\n",
    "python source": "import sys\nfrom pathlib import Path\ndef main():\n"
    "    print('Traceback (most recent call last):')\nclass X:\n    pass\n",
    "csv with iso dates": "2024-01-01T00:00:00,1.5\n2024-01-02T00:00:00,1.7\n"
    "2024-01-03T00:00:00,1.9\n",
    "prose citing a position": "See notes(12, 5) Error: in the table below.\nThanks.\n",
    "prose with a stack trace title": "stack trace: (most recent call last)\nis a heading.\n",
    "readme quoting a rust error": "Troubleshooting\n\n"
    "error[E0425]: cannot find function `open_store`\n"
    "means the store feature is off; build with `--features store`.\n",
    "readme with a tilde fence around a failing build": "Build\n~~~\n$ cargo build\n"
    "error: could not compile `tallyd`\n~~~\n",
    "csv of test verdicts": "suite,case,verdict,seconds\nCounterTests,testWraps,passed,0.004\n"
    "CounterTests,testReset,failed,0.011\n",
    "rust source printing a diagnostic": "use std::fmt;\n\nfn main() {\n"
    '    eprintln!("error[E0001]: demo");\n    eprintln!("  --> src/main.rs:1:1");\n}\n',
    "swift test source": "import XCTest\n\nfinal class CounterTests: XCTestCase {\n"
    "    func testReset() {\n        XCTAssertEqual(counter.value, 0)\n    }\n}\n",
}


@pytest.mark.parametrize("name", sorted(NOT_LOGS))
def test_looks_like_leaves_other_content_alone(name: str) -> None:
    assert not looks_like("ci.log", NOT_LOGS[name])


# --- authored fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_job() -> Run:
    return parse_file(RAW_JOB, ROOT)


def test_raw_job_steps_errors_and_exit_code(raw_job: Run) -> None:
    kinds = [(e.kind, e.tool_name) for e in raw_job.events]
    assert kinds == [
        (EventKind.TOOL_CALL, "action"),
        (EventKind.TOOL_RESULT, "action"),
        (EventKind.TOOL_CALL, "Bash"),
        (EventKind.TOOL_RESULT, "Bash"),
        (EventKind.TOOL_CALL, "Bash"),
        (EventKind.ERROR, "Bash"),
    ]
    call, error = raw_job.events[4], raw_job.events[5]
    assert call.text == "pytest -q tests"  # `source .venv/bin/activate` set-up left out
    assert (call.ref.line_start, call.ref.line_end) == (29, 31)
    assert error.role == "tool" and error.tool_use_id == call.tool_use_id == "L29"
    assert error.exit_code == 2
    # the short summary through the exit line; the ERRORS section above it is not repeated
    assert (error.ref.line_start, error.ref.line_end) == (43, 47)
    assert "ERROR tests/test_cache.py - ModuleNotFoundError" in error.text
    assert raw_job.events[3].exit_code == 0 and raw_job.events[1].exit_code is None
    assert [e.seq for e in raw_job.events] == list(range(6))


def test_raw_job_corrupt_and_unknown_lines_are_skipped_and_counted(raw_job: Run) -> None:
    assert raw_job.stats.corrupt_line_numbers == (26,)  # a cut-off stamp
    assert raw_job.stats.unknown_lines == 1  # ##[frobnicate]
    assert raw_job.stats.lines == 50
    after = [e for e in raw_job.events if e.ref.line_start > 26]
    assert len(after) == 3, "steps after the corrupt line are still read"
    assert all(e.ref.line_start != 27 for e in raw_job.events)


def test_raw_job_metadata(raw_job: Run) -> None:
    assert raw_job.source_format == "logs"
    assert raw_job.project == "example-org/widget"
    assert raw_job.cwd == "/home/runner/work/widget/widget"
    assert raw_job.git_branch == "feature/cache"
    assert raw_job.started_at is not None and raw_job.started_at.utcoffset() is not None
    assert raw_job.started_at.isoformat() == "2024-05-02T08:00:01.100000+00:00"
    assert raw_job.ended_at is not None and raw_job.ended_at.isoformat().startswith(
        "2024-05-02T08:00:12.5"
    )
    assert not raw_job.is_subagent


def test_secrets_are_redacted_at_read_time(raw_job: Run) -> None:
    call = raw_job.events[2]
    assert "Wq8rT5vLmZ2x" not in call.text and "[REDACTED:" in call.text
    gh = parse_file(GH_VIEW, ROOT)
    assert not any("ghp_" in e.text for e in gh.events)
    terminal = parse_file(TERMINAL, ROOT)
    assert not any("sk-proj-" in e.text for e in terminal.events)


def test_session_id_is_the_job_not_the_file_name(raw_job: Run, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "renamed.txt"
    copy.parent.mkdir()
    copy.write_bytes(RAW_JOB.read_bytes())
    assert parse_file(copy, tmp_path).session_id == raw_job.session_id
    assert "gha_raw_job" not in raw_job.session_id
    # a log without runner stamps is named by its path in the archive
    terminal = parse_file(TERMINAL, ROOT)
    other = tmp_path / "t.txt"
    other.write_bytes(TERMINAL.read_bytes())
    assert parse_file(other, tmp_path).session_id != terminal.session_id


def test_utf16_with_a_mangled_bom_reads_the_same(raw_job: Run, tmp_path: Path) -> None:
    """PowerShell `>` of a UTF-8 log: UTF-16LE with BOM, the UTF-8 BOM kept as `ï»¿`."""
    text = RAW_JOB.read_bytes().decode("utf-8-sig")
    path = tmp_path / "job.log"
    path.write_bytes(b"\xff\xfe" + ("ï»¿" + text.replace("\n", "\r\n")).encode("utf-16-le"))
    assert looks_like(path.name, head_of(path))
    run = parse_file(path, tmp_path)
    assert [(e.kind, e.text, e.ref.line_start, e.ref.line_end) for e in run.events] == [
        (e.kind, e.text, e.ref.line_start, e.ref.line_end) for e in raw_job.events
    ]
    assert run.session_id == raw_job.session_id
    assert run.started_at == raw_job.started_at
    assert_quotable(path, run)


def test_gh_run_view_jobs_colours_and_steps() -> None:
    run = parse_file(GH_VIEW, ROOT)
    assert Counter(e.kind for e in run.events) == {
        EventKind.TOOL_CALL: 3,
        EventKind.TOOL_RESULT: 1,
        EventKind.ERROR: 2,
    }
    assert {e.session for e in run.events} == {"lint", "test"}
    calls = {e.tool_use_id: e.text for e in run.events if e.kind is EventKind.TOOL_CALL}
    assert sorted(calls.values()) == ["npm ci", "npm run lint", "npm test"]
    lint, npm = (e for e in run.events if e.kind is EventKind.ERROR)
    assert calls[lint.tool_use_id] == "npm run lint" and lint.exit_code == 1
    assert lint.text.startswith("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'eslint-kit'")
    assert lint.text.endswith("Node.js v20.14.0\nProcess completed with exit code 1.")
    assert "\x1b" not in lint.text
    assert calls[npm.tool_use_id] == "npm test" and npm.text.startswith("npm error code E401")
    result = next(e for e in run.events if e.kind is EventKind.TOOL_RESULT)
    assert result.text == "added 312 packages in 14s" and result.exit_code == 0
    assert run.started_at is not None and run.started_at.isoformat().startswith(
        "2024-06-11T09:15:00"
    )
    assert_quotable(GH_VIEW, run)


def test_terminal_session_prompts_tests_and_tracebacks() -> None:
    run = parse_file(TERMINAL, ROOT)
    assert run.cwd == "/home/dev/src/ledger"  # pytest's rootdir
    assert run.started_at is None and run.ended_at is None
    assert run.stats.corrupt_line_numbers == (38,)  # a byte that is not UTF-8
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [c.role for c in calls] == ["user"] * 6
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert [(e.ref.line_start, e.ref.line_end) for e in errors] == [(20, 22), (26, 31), (40, 45)]
    assert errors[0].text.splitlines()[1].startswith("FAILED tests/test_rates.py::test_round_half")
    assert errors[1].text.startswith("ERROR: test_read")  # unittest header + its traceback
    results = [e for e in run.events if e.kind is EventKind.TOOL_RESULT]
    assert [(r.text, r.exit_code) for r in results] == [("migrated 0 tables", None)]
    assert_quotable(TERMINAL, run)


def test_fixture_lessons() -> None:
    texts = [c.text for path in (RAW_JOB, GH_VIEW, TERMINAL) for c in lessons(path, ROOT)]
    assert (
        "`pytest -q tests` fails here: “ERROR tests/test_cache.py - "
        "ModuleNotFoundError: No module named 'redis_lite'” (no fix seen)." in texts
    )
    assert any(
        t.startswith("`npm run lint` fails here: “Error [ERR_MODULE_NOT_FOUND]") for t in texts
    )
    assert (
        "`python scripts/migrate.py --db sqlite:///ledger.db` fails here (“RuntimeError: schema "
        "version 7 is newer than this tool”); use `python scripts/migrate.py --db "
        "sqlite:///ledger.db --allow-newer` instead." in texts
    )
    assert not any("sk-proj-" in t or "ghp_" in t for t in texts)


PASSING_STEP = ROOT / "gha_passing_step_errors.log"
NIM = ROOT / "nim_ci.log"


def test_error_lines_of_a_step_the_runner_passed_are_no_failure() -> None:
    run = parse_file(PASSING_STEP, ROOT)
    calls = {e.tool_use_id: e.text for e in run.events if e.kind is EventKind.TOOL_CALL}
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert [calls[e.tool_use_id] for e in errors] == ["npm run lint"]
    assert errors[0].exit_code == 1 and "never used" in errors[0].text
    results = [e for e in run.events if e.kind is EventKind.TOOL_RESULT]
    assert [calls[e.tool_use_id] for e in results] == ["npm ci", "npm test"]
    assert results[1].text.strip() == "Tests  48 passed (48)" and results[1].exit_code == 0
    assert not any("WIDGET_API_KEY" in c.text for c in lessons(PASSING_STEP, ROOT))


def test_the_runners_own_error_in_a_step_without_an_exit_line_stays() -> None:
    """An action fails with a `##[error]` line and no exit line: that is the runner's word."""
    lines = [
        "2026-03-02T09:00:01.0000000Z ##[group]Run actions/setup-node@v4",
        "2026-03-02T09:00:02.0000000Z with:",
        "2026-03-02T09:00:03.0000000Z   node-version: 99",
        "2026-03-02T09:00:04.0000000Z ##[endgroup]",
        "2026-03-02T09:00:05.0000000Z ##[error]Unable to find Node version '99' for platform linux",
        "2026-03-02T09:00:06.0000000Z Post job cleanup.",
    ]
    run = parse_lines("ci/job.log", enumerate(lines, start=1))
    errors = [e.text for e in run.events if e.kind is EventKind.ERROR]
    assert errors == ["Unable to find Node version '99' for platform linux"]


def test_a_plain_nim_ci_log_is_a_log_with_its_errors() -> None:
    assert looks_like("ci.log", head_of(NIM))
    assert sources.detect(NIM).format is sources.by_name("logs")
    run = parse_file(NIM, ROOT)
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert errors and "Error: cannot open file: assets/quad.spv" in errors[0].text
    assert any("[OSError]" in e.text for e in errors)
    assert_quotable(NIM, run)


def test_the_archive_is_not_written() -> None:
    before = RAW_JOB.stat().st_mtime_ns, RAW_JOB.read_bytes()
    parse_file(RAW_JOB, ROOT)
    assert (RAW_JOB.stat().st_mtime_ns, RAW_JOB.read_bytes()) == before


# --- never raise -----------------------------------------------------------------------------

LINE = st.text(st.characters(blacklist_characters="\n\r"), max_size=120)
FIXTURE_LINES = [line for path in (RAW_JOB, GH_VIEW, TERMINAL) for line in read_lines(path)]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | LINE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(LINE, inner, max_size=4),
    max_leaves=12,
)


def check(lines: list[str]) -> None:
    run = parse_lines("fuzz.log", enumerate(lines, start=1))
    stats = run.stats
    assert stats.events == len(run.events)
    assert stats.lines == sum(1 for line in lines if line.strip())
    # each line gives at most one event besides the call of a step that `gh run view --log`
    # names in the prefix of its every line (the step's first line may also be its error)
    said = sum(e.kind is not EventKind.TOOL_CALL for e in run.events)
    assert said + stats.corrupt_lines + stats.unknown_lines <= stats.lines
    assert [e.seq for e in run.events] == list(range(len(run.events)))
    for event in run.events:
        assert 1 <= event.ref.line_start <= event.ref.line_end <= len(lines)
        assert event.text.strip() and len(event.text) <= 60_000


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, max_size=40))
def test_random_lines_never_raise(lines: list[str]) -> None:
    check(lines)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, len(FIXTURE_LINES)),
    st.integers(0, len(FIXTURE_LINES)),
    st.integers(0, 200),
    st.lists(st.integers(0, len(FIXTURE_LINES)), max_size=8),
)
@example(start=77, stop=78, cut=61, dropped=[])  # a step's call and its error on one line
def test_truncated_and_damaged_fixtures_never_raise(
    start: int, stop: int, cut: int, dropped: list[int]
) -> None:
    lines = [line for i, line in enumerate(FIXTURE_LINES[start:stop]) if i not in dropped]
    if lines:
        lines[-1] = lines[-1][:cut]
    check(lines)


@settings(max_examples=100, deadline=None)
@given(st.lists(JSON_VALUES, max_size=20))
def test_random_json_values_never_raise(values: list[object]) -> None:
    lines = [json.dumps(v) for v in values]
    check(lines)
    assert not looks_like("x.jsonl", "\n".join(lines)) or not lines or lines[0][:1] not in "{["


# --- the corpus ------------------------------------------------------------------------------

# Counted without the parser (grep/awk over the file, `iconv -f UTF-16` for the .log):
#   calls  = `grep -c '##\[group\]Run '`; 'Z shell: ' lines tell script steps from actions;
#   errors = `grep -c '##\[error\]'` (each joins the traceback / node error just above it);
#   results = steps with output after their `##[endgroup]` (awk), minus the failing step;
#   lines = `grep -c '[^[:space:]]'` (non-blank lines).
CORPUS_COUNTS = {
    "astrogilda__tsbootstrap__ci_logs.txt": {
        "lines": 516,
        "calls": 14,
        "bash_calls": 9,
        "results": 11,
        "errors": 1,
        "error_lines": (467, 506),  # `Traceback` .. `##[error]Process completed`
    },
    "Agnuxo1__OpenCLAW-2__failed_job.log": {
        "lines": 177,
        "calls": 4,
        "bash_calls": 2,
        "results": 3,
        "errors": 1,
        "error_lines": (154, 162),  # the node `ReferenceError` .. `##[error]Process completed`
    },
}


@pytest.mark.corpus
def test_detect_claims_exactly_the_ci_logs(corpus: Path) -> None:
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        claimed = looks_like(path.name, head_of(path))
        assert claimed == (path.parent.name == "ci-logs"), path
    for path in (corpus / "ci-logs").iterdir():
        assert sources.detect(path).format is sources.by_name("logs")


@pytest.mark.corpus
def test_every_corpus_log_parses_with_checked_counts(corpus: Path) -> None:
    files = sorted((corpus / "ci-logs").iterdir())
    assert sorted(p.name for p in files) == sorted(CORPUS_COUNTS)
    for path in files:
        expected = CORPUS_COUNTS[path.name]
        run = parse_file(path, corpus)
        kinds = Counter(e.kind for e in run.events)
        assert run.stats.lines == expected["lines"], path
        assert run.stats.corrupt_lines == run.stats.unknown_lines == 0
        assert kinds[EventKind.TOOL_CALL] == expected["calls"]
        assert (
            sum(1 for e in run.events if e.tool_name == "Bash" and e.kind is EventKind.TOOL_CALL)
            == expected["bash_calls"]
        )
        assert kinds[EventKind.TOOL_RESULT] == expected["results"]
        assert kinds[EventKind.ERROR] == expected["errors"]
        assert len(run.events) == expected["calls"] + expected["results"] + expected["errors"]
        error = next(e for e in run.events if e.kind is EventKind.ERROR)
        assert (error.ref.line_start, error.ref.line_end) == expected["error_lines"]
        assert error.exit_code == 1 and error.role == "tool"
        call = next(e for e in run.events if e.tool_use_id == error.tool_use_id)
        assert call.kind is EventKind.TOOL_CALL and call.tool_name == "Bash"
        assert run.started_at is not None and run.ended_at is not None
        assert run.started_at < run.ended_at and run.started_at.utcoffset() is not None
        assert run.cwd is not None and run.cwd.startswith("/home/runner/work/")
        assert_quotable(path, run)


@pytest.mark.corpus
def test_corpus_failures_are_where_sources_md_says(corpus: Path) -> None:
    """tsbootstrap: ModuleNotFoundError -> exit 1; OpenCLAW: node ESM `require` -> exit 1."""
    ts = parse_file(corpus / "ci-logs" / "astrogilda__tsbootstrap__ci_logs.txt", corpus)
    error = next(e for e in ts.events if e.kind is EventKind.ERROR)
    assert error.text.startswith("Traceback (most recent call last):")
    assert "ModuleNotFoundError: No module named" in error.text
    node = parse_file(corpus / "ci-logs" / "Agnuxo1__OpenCLAW-2__failed_job.log", corpus)
    error = next(e for e in node.events if e.kind is EventKind.ERROR)
    assert error.text.startswith("ReferenceError: require is not defined in ES module scope")
    call = next(e for e in node.events if e.tool_use_id == error.tool_use_id)
    assert call.text.startswith("node ")


@pytest.mark.corpus
def test_corpus_lessons(corpus: Path) -> None:
    found = {}
    for path in sorted((corpus / "ci-logs").iterdir()):
        candidates = lessons(path, corpus)  # asserts that every quote resolves
        for candidate in candidates:
            print(f"{path.name}: [{candidate.kind.value}] {candidate.text}")
        found[path.name] = candidates
    ts = found["astrogilda__tsbootstrap__ci_logs.txt"]
    assert [c.kind for c in ts] == [LessonKind.FAILURE]
    assert ts[0].text.startswith("`python tests/_nopytest_tests.py` fails here")
    assert "ModuleNotFoundError: No module named" in ts[0].evidence.quote
    node = found["Agnuxo1__OpenCLAW-2__failed_job.log"]
    assert [c.kind for c in node] == [LessonKind.FAILURE]
    assert node[0].text.startswith("`node p2p_connect.js")
    assert node[0].evidence.quote.startswith("ReferenceError: require is not defined")


def test_colours_in_caret_notation_and_a_misread_bom_are_no_text(tmp_path: Path) -> None:
    """`gh run view --log` saved by a Windows shell: colours written as `^[[1m`, the UTF-8
    byte-order mark read in code page 850 (`´╗┐`) before the first stamp."""
    log = tmp_path / "ci.log"
    log.write_text(
        "build\tcargo clippy\t´╗┐2026-03-04T10:00:00.0000000Z ##[group]Run cargo clippy\n"
        "build\tcargo clippy\t2026-03-04T10:00:01.0000000Z ##[endgroup]\n"
        "build\tcargo clippy\t2026-03-04T10:00:05.0000000Z ^[[1m^[[91merror^[[0m: unused variable: `count`\n"
        "build\tcargo clippy\t2026-03-04T10:00:06.0000000Z ##[error]Process completed with exit code 101.\n",
        encoding="utf-8",
    )
    run = parse_file(log, tmp_path)
    texts = [e.text for e in run.events]
    assert not any("^[" in t or "´╗┐" in t for t in texts)
    (error,) = [e for e in run.events if e.kind is EventKind.ERROR]
    assert error.text.startswith("error: unused variable: `count`")
    assert [e.text for e in run.events if e.kind is EventKind.TOOL_CALL] == ["cargo clippy"]


GRADLE = ROOT / "gradle_two_line_run.txt"


def test_a_two_line_script_is_both_commands_and_gradle_says_what_went_wrong() -> None:
    run = parse_file(GRADLE, ROOT)
    calls = [e.text for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert calls == ["actions/checkout@v4", "gradle clean && gradle :lib:assembleRelease"]
    (lesson,) = lessons(GRADLE, ROOT)
    assert lesson.text.startswith("`gradle clean && gradle :lib:assembleRelease` fails here")
    assert lesson.evidence.quote == "Resource linking failed: style/Theme.Paper not found"


def test_a_kotlin_compile_failure_quotes_the_compilers_line_not_gradles_summary() -> None:
    """Gradle's report says only "Compilation error. See log for more details"; the `e:` lines
    under the failed task say what, and they are the day's code: no line renders."""
    from metis_distill.curate.earned import earned
    from tests.curate.test_earned import _Lesson

    kotlin = ROOT / "gradle_kotlin_compile.txt"
    (lesson,) = lessons(kotlin, ROOT)
    assert lesson.evidence.quote.startswith("e: file:///home/runner/")
    assert lesson.evidence.quote.endswith(
        "SequencerViewModel.kt:114:29 Unresolved reference: ToxParser"
    )
    assert "“e: SequencerViewModel.kt:114:29 Unresolved reference: ToxParser”" in lesson.text

    assert not earned(_Lesson(lesson.text, scope=("Bash:gradlew",), support=5))


def test_kotlins_older_line_and_one_printed_before_the_failed_task_are_quoted(
    tmp_path: Path,
) -> None:
    """Kotlin before 1.9 writes `e: /…/A.kt: (114, 29): …`; Gradle may print the compiler's
    lines before its `> Task … FAILED` line."""
    text = (ROOT / "gradle_kotlin_compile.txt").read_text(encoding="utf-8")
    older = text.replace("e: file:///", "e: /").replace(".kt:114:29 ", ".kt: (114, 29): ")
    task = "> Task :app:compileDebugKotlin FAILED"
    before = text.replace(task, "> Task :app:compileDebugKotlin").replace(
        "\nbuild\tBuild\t2026-01-20T08:18:09.0000000Z \n",
        f"\nbuild\tBuild\t2026-01-20T08:18:09.0000000Z {task}\n",
    )
    for name, body, said in (
        ("older.txt", older, "SequencerViewModel.kt: (114, 29): Unresolved reference: ToxParser"),
        ("before.txt", before, "SequencerViewModel.kt:114:29 Unresolved reference: ToxParser"),
    ):
        (tmp_path / name).write_text(body, encoding="utf-8")
        (lesson,) = lessons(tmp_path / name, tmp_path)
        assert lesson.evidence.quote.startswith("e: ") and lesson.evidence.quote.endswith(said)


@pytest.mark.parametrize(
    ("script", "text"),
    [
        (["npm ci", "npm test"], "npm ci && npm test"),
        # shell constructs across lines stay as they are
        (["if [ -f x ]; then", "  make", "fi"], "if [ -f x ]; then\n  make\nfi"),
        (["cat > a.txt <<EOF", "one", "EOF"], "cat > a.txt <<EOF\none\nEOF"),
        (['python -c "import sys', 'print(sys.path)"'], 'python -c "import sys\nprint(sys.path)"'),
    ],
)
def test_only_a_script_of_one_command_a_line_is_joined(script: list[str], text: str) -> None:
    header = ["##[group]Run " + script[0], *[f"\x1b[36;1m{s}\x1b[0m" for s in script]]
    body = [*header, "shell: /usr/bin/bash -e {0}", "##[endgroup]", "done"]
    stamped = [f"2026-05-01T07:00:{n:02d}.0000000Z {t}" for n, t in enumerate(body)]
    run = parse_lines("ci.log", enumerate(stamped, start=1))
    (step,) = [e.text for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert step == text


_CUT_OFF = [
    "##[group]Run npm ci",
    "npm ci",
    "##[endgroup]",
    "added 212 packages in 4s",
    "##[group]Run npm run test:ci",
    "\x1b[36;1mnpm run test:ci\x1b[0m",
    "##[endgroup]",
    "  \u2714 loads the palette",
    "Error: Could not read palette file: ENOENT",
    "    at Palette.load (/home/runner/work/pal/pal/out/palette.js:12:9)",
    "  \u2714 falls back to the default palette",
]


@pytest.mark.parametrize(
    ("ending", "failed"),
    [
        ([], False),  # the log stops inside the step: nothing says it failed
        (["  1 failing"], True),  # mocha counted a failed test before the log stopped
        (["##[error]Process completed with exit code 1."], True),
    ],
)
def test_a_step_the_log_stops_in_fails_only_by_a_failure_marker(
    ending: list[str], failed: bool
) -> None:
    stamped = [f"2026-05-02T08:00:{n:02d}.0000000Z {t}" for n, t in enumerate([*_CUT_OFF, *ending])]
    run = parse_lines("ci.log", enumerate(stamped, start=1))
    errors = [e for e in run.events if e.kind is EventKind.ERROR]
    assert bool(errors) is failed
    if failed:
        assert errors[0].text.startswith("Error: Could not read palette file")


# --- act (nektos/act) local runs ---------------------------------------------------------------

ACT = ROOT / "act_local_run.log"


def test_an_act_log_is_a_log() -> None:
    assert looks_like("output.txt", head_of(ACT))
    # without act's own first line, the file starts with `[`, as a JSON array would
    assert looks_like("act.txt", head_of(ACT).split("\n", 1)[1])
    assert sources.detect(ACT).format is sources.by_name("logs")


@pytest.mark.parametrize(
    "text",
    [
        # notes that quote two act step lines, but no step's end: not an act log
        "We ran it locally.\n[CI/test] ⭐ Run Main go test ./...\n[CI/lint] ⭐ Run Main lint\n"
        "It hung on the laptop.\n",
        # a few act lines inside prose: most lines are not act's
        "Notes from Monday.\n[CI/test] ⭐ Run Main go test\n[CI/test]   ✅  Success - Main go test\n"
        "[CI/test] ⭐ Run Main vet\nThe runner was slow.\nWe will try a bigger image.\n"
        "Ask Sam about the cache.\nLunch at noon.\nShip it on Friday.\n",
    ],
)
def test_a_few_act_lines_in_other_text_are_no_act_log(text: str) -> None:
    assert not looks_like("notes.txt", text)


def test_act_steps_per_job_their_output_and_failures() -> None:
    run = parse_file(ACT, ROOT)
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [(c.session, c.text, c.tool_name) for c in calls] == [
        ("Build/lint", "Set up job", "Bash"),
        ("Build/test", "Set up job", "Bash"),
        ("Build/lint", "actions/checkout@v4", "action"),
        ("Build/test", "actions/checkout@v4", "action"),
        ("Build/lint", "Set up Node", "Bash"),
        ("Build/test", "go vet ./...", "Bash"),
        ("Build/test", "make generate", "Bash"),
        ("Build/test", "Run unit tests", "Bash"),
        ("Build/test", "Post actions/checkout@v4", "action"),
    ]
    by_id = {c.tool_use_id: c for c in calls}
    node, tests = (e for e in run.events if e.kind is EventKind.ERROR)
    assert by_id[node.tool_use_id].text == "Set up Node" and node.exit_code == 127
    assert node.text.startswith("OCI runtime exec failed:")
    assert 'exec: "node": executable file not found in $PATH' in node.text
    assert (node.ref.line_start, node.ref.line_end) == (16, 18)
    assert by_id[tests.tool_use_id].text == "Run unit tests" and tests.exit_code == 1
    assert tests.text.startswith("--- FAIL: TestBerthAssign (0.00s)")
    assert "berth_test.go:41: expected berth 7, got 5" in tests.text
    assert "❌" not in tests.text and "Failure - Main" not in tests.text
    (result,) = [e for e in run.events if e.kind is EventKind.TOOL_RESULT]
    assert result.text == "wrote 4 files to gen/" and result.exit_code == 0
    assert by_id[result.tool_use_id].text == "make generate"
    assert [e.seq for e in run.events] == list(range(len(run.events)))
    assert_quotable(ACT, run)


def test_act_lessons_quote_the_real_error() -> None:
    found = lessons(ACT, ROOT)
    quotes = sorted(c.evidence.quote for c in found)
    assert len(found) == 2
    assert any('exec: "node": executable file not found in $PATH' in q for q in quotes)
    assert any(q.startswith(("--- FAIL: TestBerthAssign", "berth_test.go:41")) for q in quotes)


def test_an_act_step_that_failed_without_an_exit_line_still_fails() -> None:
    lines = [
        "[Deploy/ship] ⭐ Run Set up job",
        "[Deploy/ship]   ✅  Success - Set up job",
        "[Deploy/ship] ⭐ Run Main Upload bundle",
        "[Deploy/ship]   | uploading 3 files",
        "[Deploy/ship]   | upload refused: bucket quota exceeded",
        "[Deploy/ship]   | retry later",
        "[Deploy/ship]   ❌  Failure - Main Upload bundle [2.0s]",
        "[Deploy/ship] 🏁  Job failed",
    ]
    run = parse_lines("ci/act.log", enumerate(lines, start=1))
    (error,) = [e for e in run.events if e.kind is EventKind.ERROR]
    assert error.text == "upload refused: bucket quota exceeded\nretry later"
    assert (error.ref.line_start, error.ref.line_end) == (5, 6)
    assert not [e for e in run.events if e.kind is EventKind.TOOL_RESULT]


ACT_LINES = read_lines(ACT)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, len(ACT_LINES)),
    st.integers(0, len(ACT_LINES)),
    st.integers(0, 200),
    st.lists(st.integers(0, len(ACT_LINES)), max_size=8),
)
def test_truncated_and_damaged_act_logs_never_raise(
    start: int, stop: int, cut: int, dropped: list[int]
) -> None:
    lines = [line for i, line in enumerate(ACT_LINES[start:stop]) if i not in dropped]
    if lines:
        lines[-1] = lines[-1][:cut]
    check(lines)


# --- compiler and test-runner output without a runner ---------------------------------------

CARGO = ROOT / "cargo_build_errors.txt"
SWIFT = ROOT / "swift_test.log"
POWERSHELL = ROOT / "powershell_cargo_test.log"  # a UTF-8 BOM, lines wrapped at ~24 columns


@pytest.mark.parametrize("path", [CARGO, SWIFT, POWERSHELL], ids=lambda p: p.name)
def test_raw_compiler_and_test_output_is_a_log(path: Path) -> None:
    assert looks_like(path.name, head_of(path))
    assert sources.detect(path).format is sources.by_name("logs")


def errors_of(path: Path) -> list[str]:
    run = parse_file(path, ROOT)
    assert_quotable(path, run)
    return [e.text for e in run.events if e.kind is EventKind.ERROR]


def test_a_cargo_build_log_gives_its_errors_not_its_warnings() -> None:
    errors = errors_of(CARGO)
    assert [e.splitlines()[0] for e in errors] == [
        "error[E0425]: cannot find function `open_store` in module `store`",
        "error[E0308]: mismatched types",
        'error: could not compile `ledgerd` (bin "ledgerd") due to 2 previous errors; '
        "1 warning emitted",
    ]
    assert "--> ledgerd/src/main.rs:14:18" in errors[0]
    assert not any(e.startswith("warning") for e in errors)


def test_a_failing_xctest_case_is_its_assertion_line() -> None:
    errors = errors_of(SWIFT)
    assert len(errors) == 1
    assert "testResetClearsHistory] : XCTAssertEqual failed" in errors[0]


def test_powershells_wrapper_of_a_native_command_is_no_failure() -> None:
    errors = errors_of(POWERSHELL)
    assert [e.splitlines()[0] for e in errors] == ["error[E0599]: no ", "error: could not "]


LINT_STEP = [
    "2026-04-01T10:00:00.0000000Z ##[group]Run golangci/golangci-lint-action@v6",
    "2026-04-01T10:00:00.1000000Z with:",
    "2026-04-01T10:00:00.2000000Z   version: v1.64",
    "2026-04-01T10:00:00.3000000Z ##[endgroup]",
    "2026-04-01T10:00:05.0000000Z Running [golangci-lint run --out-format=github-actions] ...",
    "2026-04-01T10:00:09.0000000Z ##[error]internal/queue/worker.go:31:9: too many arguments"
    " in call to q.Pop",
    "2026-04-01T10:00:09.0100000Z \thave (context.Context)",
    "2026-04-01T10:00:09.0200000Z \twant () (typecheck)",
    "2026-04-01T10:00:09.0300000Z ##[error]internal/queue/worker.go:40:2: declared and not used: n",
    "2026-04-01T10:00:09.0400000Z ##[error]too many arguments in call to q.Push",
    "2026-04-01T10:00:09.0500000Z \thave (int, int)",
    "2026-04-01T10:00:09.0600000Z \twant (int) (typecheck)",
    "2026-04-01T10:00:09.0700000Z ",
    '2026-04-01T10:00:09.0800000Z level=warning msg="[config_reader] format is deprecated"',
    "2026-04-01T10:00:09.0900000Z ",
    "2026-04-01T10:00:09.1000000Z ##[error]issues found",
    "2026-04-01T10:00:09.2000000Z Ran golangci-lint in 4100ms",
    "2026-04-01T10:00:09.3000000Z Post job cleanup.",
]


def test_the_runners_errors_of_one_lint_step_are_one_failure(tmp_path: Path) -> None:
    path = tmp_path / "lint.log"
    path.write_text("\n".join(LINT_STEP) + "\n", encoding="utf-8")
    run = parse_file(path, tmp_path)
    kinds = [e.kind for e in run.events]
    assert kinds == [EventKind.TOOL_CALL, EventKind.ERROR]  # no result: the step failed
    error = run.events[1]
    assert (error.ref.line_start, error.ref.line_end) == (6, 16)
    found = lessons(path, tmp_path)
    assert [c.text for c in found] == [
        "action fails here: “internal/queue/worker.go:31:9: too many arguments in call to "
        "q.Pop” (no fix seen)."
    ]
