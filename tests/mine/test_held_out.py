"""What the readings of runs the rules had never seen taught them: queries that answer "none",
looks at what is not there, a shell's banner, a changed filter, an edit in between, an answer
the user took back, terminal colours."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine import phrases
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.fixes import FixKind
from metis_distill.mine.signals import error_signature, is_success, missing_program
from metis_distill.mine.text import one_spelling
from metis_distill.models import Event, EventKind, LessonKind, Run, SourceRef
from metis_distill.render.claude_md import safe_text
from metis_distill.sources.claude_code import parse_file
from tests.mine.test_episodes import _write, call, edit, failure_lessons, read, result, say
from tests.mine.test_questions import BUILT, answered, ask

BANNER = "/opt/homebrew/etc/shellenv.sh: line 18: /bin/ps: Operation not permitted"


def failures(tmp_path: Path, records: list[dict]) -> list:  # type: ignore[type-arg]
    run = parse_file(_write(tmp_path, records), tmp_path)
    return [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]


@pytest.mark.parametrize(
    ("command", "code", "output", "fails"),
    [
        ("rg --files -g '*.butler.yaml'", 1, "Exit code 1", False),  # found nothing
        ("rg --files -g '*.butler.yaml'", 2, "Exit code 2\nrg: regex parse error", True),
        ("grep -rn TODO src | grep -v test", 1, "Exit code 1", False),
        ("npm list -g chrome-mcp", 1, "Exit code 1\n/usr/lib\n└── (empty)", False),
        ("diff a.txt b.txt", 1, "Exit code 1\n1c1\n< a\n---\n> b", False),
        ("npm test", 1, "Exit code 1\nnpm error Missing script: test", True),
        (
            "git ls-files -z | xargs -0 grep -n MODE=",
            123,
            "Exit code 123\nsrc/a.env:3:MODE=fast",
            False,
        ),
        ("find . -name '*.py' | xargs -n 20 rg TODO", 123, "Exit code 123\na.py:1:# TODO", False),
        (
            "find . -name '*.py' | xargs python -m py_compile",
            123,
            "Exit code 123\nSyntaxError",
            True,
        ),
        # a dev server started under the call's own `timeout`, stopped by it: as asked
        ("timeout 15 pnpm --filter web dev", 124, "Exit code 124\n  VITE ready in 300 ms", False),
        (
            "timeout 15 pnpm dev",
            143,
            "Exit code 143\nListening on :3000\n ELIFECYCLE  Command failed.",
            False,
        ),
        # a server the harness's time limit stopped once it said it was up: no failure
        (
            "npm run dev",
            None,
            "Command timed out after 10s  ⚠ Webpack is configured while Turbopack is not.\n"
            "   ▲ Next.js 15.1.8 (Turbopack)\n   - Local:        http://localhost:3000\n"
            " ✓ Starting...\n ✓ Ready in 964ms",
            False,
        ),
        # ... a test run whose own server said it was up, then hung: a failure still
        (
            "npx playwright test",
            None,
            "Command timed out after 2m 0.0s\n[WebServer]  - Local:  http://localhost:3000\n"
            "[WebServer]  ✓ Ready in 1.2s\nRunning 12 tests using 4 workers",
            True,
        ),
        (
            "npm test",
            None,
            "Command timed out after 2m 0.0s\n> jest\nServer listening on port 3000\n"
            " RUNS  tests/api.test.ts",
            True,
        ),
        # ... one stopped before it said so: a failure still
        (
            "npm run dev",
            None,
            "Command timed out after 10s\n> next dev\n ✓ Starting...",
            True,
        ),
        # a watcher that never said it started, stopped by the limit: a failure still
        (
            "timeout 120 npm test",
            124,
            "Exit code 124\n> app@0.1.0 test\n> react-scripts test",
            True,
        ),
        # `git commit` with nothing staged: an answer; a commit refused stays a failure
        (
            "git add a.js && git commit -m 'feat: cities'",
            1,
            "Exit code 1\nOn branch main\nChanges not staged for commit:\n\tmodified:   log.jsonl\n"
            'no changes added to commit (use "git add" and/or "git commit -a")',
            False,
        ),
        # ... whatever harness said it, with no exit code written out (older Claude Code)
        (
            "git commit -m 'docs: plan'",
            None,
            "On branch master\nUntracked files:\n\t../PLAN.md\n\n"
            'nothing added to commit but untracked files present (use "git add" to track)',
            False,
        ),
        ("git commit -m x", 1, "Exit code 1\nerror: pathspec 'x' did not match any file", True),
        # a push joined by `&&` never ran; a `|` inside the message is no pipe
        (
            'git add a.js && git commit -m "feat: a | b\n\n- cities" && git push origin main',
            1,
            "Exit code 1\nOn branch main\nnothing to commit, working tree clean",
            False,
        ),
        # the commit not the last step: the exit is the build's
        (
            "git commit -am wip; npm run build",
            1,
            "Exit code 1\nnothing to commit, working tree clean\nnpm error missing script: build",
            True,
        ),
        # stopped by its own timeout after failing on its own: the failure stands
        ("timeout 15 pnpm dev", 1, "Exit code 1\nError: Cannot find module 'vite'", True),
        # a report whose exit says what it found: packages behind, vulnerabilities, a unit off
        (
            "npm outdated",
            1,
            "Exit code 1\nPackage  Current  Wanted  Latest  Location\nvite     5.0.1   5.4.2   6.0.0",
            False,
        ),
        (
            "cd web && npm audit",
            1,
            "Exit code 1\n# npm audit report\n3 high severity vulnerabilities",
            False,
        ),
        (
            "systemctl status nginx.service",
            3,
            "Exit code 3\n○ nginx.service - web server\n     Active: inactive (dead)",
            False,
        ),
        ("systemctl is-enabled cups", 1, "Exit code 1\ndisabled", False),
        (  # a list's exit is its last command's: a search that found nothing
            'cd /w; find . -name Cargo.toml | head -20; echo "=== refs ==="; grep -rn log_ng .',
            1,
            "Exit code 1\n./framework/Cargo.toml\n=== refs ===",
            False,
        ),
        ("grep -rn TODO src; make build", 1, "Exit code 1\nmake: *** [build] Error 1", True),
        # the search ends a chain: the exit 1 is its "none", what printed the earlier step's
        ("pwd && rg --files -n .", 1, "Exit code 1\n/home/mia/shop", False),
        ("cd api && grep -rn legacyAuth src", 1, "Exit code 1", False),
        ("make build && grep -c warn build.log", 1, "Exit code 1\nmake: *** [build] Error 1", True),
        (  # the first step failed, saying so: its exit is the chain's
            "npx vitest run && grep -c ok report.txt",
            1,
            "Exit code 1\n FAIL  src/cart.test.ts > totals\nAssertionError: expected 3 to be 4",
            True,
        ),
        ("pwd && rg TODO . || ls", 1, "Exit code 1\n/home/mia/shop", True),
        (  # an older Claude Code: the error flagged, no exit code said
            "systemctl status systemd-suspend.service",
            0,
            "○ systemd-suspend.service - System Suspend\n     Active: inactive (dead)",
            False,
        ),
        # the same commands failing on their own: failures still
        ("npm audit", 1, "Exit code 1\nnpm error audit endpoint returned an error", True),
        ("npm outdated", 1, "Exit code 1\nnpm error code ENOLOCK", True),
        (
            "npm outdated && npm run build",
            1,
            "Exit code 1\nPackage  Current  Wanted\nvite  5  5",
            True,
        ),
        ("systemctl status nginx", 4, "Exit code 4\nUnit nginx.service could not be found.", True),
    ],
)
def test_a_query_that_answers_none_is_no_failure(
    tmp_path: Path, command: str, code: int, output: str, fails: bool
) -> None:
    found = failures(tmp_path, [call("t1", command), result("t1", output, True)])
    assert bool(found) is fails


def searched(tool_id: str, tool: str, query: str) -> dict:  # type: ignore[type-arg]
    """A call of a search tool other than the shell (an MCP server's)."""
    block = {"type": "tool_use", "id": tool_id, "name": tool, "input": {"query": query}}
    return {"type": "assistant", "message": {"content": [block]}}


SEARCH_TIPS = (
    "\n\nThis tool matches literal code, not words. For example:\n"
    "- Instead of 'error handling', search 'catch ('\n- Tip: use a shorter query"
)


@pytest.mark.parametrize(
    ("tool", "output", "fails"),
    [
        ("mcp__code__search_code", "No results found for your query." + SEARCH_TIPS, False),
        ("mcp__code__search_code", "No matches found", False),
        ("mcp__docs__find_pages", '0 results for "retry policy"', False),
        ("mcp__docs__find_pages", "Found 0 matches.", False),
        # the search itself went wrong: a failure, tips or not
        (
            "mcp__code__search_code",
            "Error: rate limit exceeded, wait 60 seconds" + SEARCH_TIPS,
            True,
        ),
        ("mcp__code__search_code", "No results found.\nError: unknown language 'Cobol'", True),
        ("mcp__code__search_code", "No results: the request failed (timeout)", True),
        # a tool that searches nothing: its "no files" is its own failure
        ("mcp__deploy__upload", "No files found to upload", True),
        # ... nor one that changes what it finds: no match is a change not made
        ("mcp__fs__find_and_replace", "No matches found; nothing was replaced", True),
    ],
)
def test_a_search_tool_that_found_nothing_is_no_failure(
    tmp_path: Path, tool: str, output: str, fails: bool
) -> None:
    """A search tool's "none" is an answer, an MCP server's as much as `rg`'s, even flagged as
    an error and followed by its tips on how to search."""
    found = failures(tmp_path, [searched("s1", tool, "retry policy"), result("s1", output, True)])
    assert bool(found) is fails


def test_a_search_tools_real_error_is_still_quoted_past_its_tips(tmp_path: Path) -> None:
    """The same tool failing on its own is a lesson, quoting what went wrong, not a tip."""
    said = "The language filter takes a list, not a string."
    (lesson,) = failure_lessons(
        tmp_path,
        [
            searched("s1", "mcp__code__search_code", "retry policy"),
            result("s1", said + SEARCH_TIPS, True),
        ],
    )
    assert said in lesson.text and "Instead of" not in lesson.text


@pytest.mark.parametrize(
    ("command", "output", "fails"),
    [
        ("which pnpm", "Exit code 1", False),
        ("which npm && which yarn && which pnpm", "Exit code 1\n/usr/local/bin/npm", False),
        ("command -v bun 2>/dev/null", "Exit code 1", False),
        ("cd web && which vite >/dev/null 2>&1", "Exit code 1", False),
        # the output says what is missing: a fact of this machine, kept
        ("which zoomctl 2>&1", "Exit code 1\nwhich: no zoomctl in (/usr/bin:/bin)", True),
        ("type -a yarn", "Exit code 1\nbash: type: yarn: not found", True),
        # a probe followed by work: the work may be what failed
        ("which pnpm && pnpm install", "Exit code 1\nERR_PNPM_NO_LOCKFILE", True),
        # `which` exits 2 and more on its own errors
        ("which --frobnicate pnpm", "Exit code 2\nwhich: unknown option", True),
    ],
)
def test_a_probe_for_a_program_that_is_not_there_is_an_answer(
    tmp_path: Path, command: str, output: str, fails: bool
) -> None:
    found = failures(tmp_path, [call("t1", command), result("t1", output, True)])
    assert bool(found) is fails


@pytest.mark.parametrize(
    ("records", "fails"),
    [
        ([call("t1", "cat CHANGELOG.md"), result("t1", "cat: CHANGELOG.md: No such file or directory", True)], False),
        # PowerShell's look at a file not there (Codex on Windows)
        ([call("t1", "Get-Content -Raw -Path specs/001/spec.md"), result("t1", "Get-Content: Cannot find path 'C:\\w\\specs\\001\\spec.md' because it does not exist.", True)], False),
        ([call("t1", "ls node_modules/.pnpm | grep vite"), result("t1", "ls: cannot access 'node_modules/.pnpm': No such file or directory", True)], False),
        ([call("t1", "cp a.txt out/"), result("t1", "cp: cannot stat 'a.txt': No such file or directory", True)], True),
        ([call("t1", "sed -n '1,120p' node_modules/pkg/dist/index.d.ts"), result("t1", "sed: can't read node_modules/pkg/dist/index.d.ts: No such file or directory", True)], False),
        ([call("t1", "realpath vendor/lib"), result("t1", "realpath: vendor/lib: No such file or directory", True)], False),
        ([call("t1", "scripts/list.py --all"), result("t1", "/bin/bash: line 1: scripts/list.py: No such file or directory", True)], False),
        ([call("t1", "scripts/list.py --all"), result("t1", "Traceback (most recent call last):\nFileNotFoundError: [Errno 2] No such file or directory: 'data.csv'", True)], True),
        ([call("t1", "sed -i 's/a/b/' conf/app.ini"), result("t1", "sed: can't read conf/app.ini: No such file or directory", True)], True),
        ([call("t1", "pytest -q tests/test_api.py::test_guessed_name"), result("t1", "ERROR: not found: /w/tests/test_api.py::test_guessed_name\n(no name '/w/tests/test_api.py::test_guessed_name' in any of [<Module tests/test_api.py>])", True)], False),
        ([call("t1", "pytest tests/test_gone.py"), result("t1", "ERROR: file or directory not found: tests/test_gone.py", True)], False),
        ([call("t1", "pytest -q tests/test_api.py"), result("t1", "E   AssertionError: ERROR: not found\n1 failed", True)], True),
        # `cd` into a folder that is not there: the command after it never ran
        ([call("t1", "cd packages/chain && node --version"), result("t1", "/bin/bash: line 1: cd: packages/chain: No such file or directory", True)], False),
        ([call("t1", "cd web && npm test"), result("t1", "cd:1: no such file or directory: web", True)], False),
        # a `cd` inside the project's own script that fails: the script's failure
        ([call("t1", "cd /w/app && ./scripts/deploy.sh"), result("t1", "./scripts/deploy.sh: line 12: cd: dist: No such file or directory", True)], True),
        # a folder that is no git repository (yet): an answer about the folder
        ([call("t1", "git status -sb"), result("t1", "fatal: not a git repository (or any of the parent directories): .git", True)], False),
        ([call("t1", "git add -A && git commit -m wip"), result("t1", "fatal: not a git repository (or any of the parent directories): .git", True)], False),
        ([call("t1", "npm run release"), result("t1", "fatal: not a git repository (or any of the parent directories): .git", True)], True),
        # a lookup that answers "none": whether to create the thing, no failure to mend
        ([call("t1", "hoard trail show"), result("t1", 'Exit code 1\nno trail found for current branch "main"\nhint: run \'hoard trail create\'', True)], False),
        ([call("t1", "gh pr view --json url"), result("t1", 'no pull requests found for branch "feat/cart"', True)], False),
        ([call("t1", "git describe --tags"), result("t1", "fatal: No names found, cannot describe anything.", True)], False),
        # the same words from a command that does work, or after other steps: failures
        ([call("t1", "hoard trail create --title x"), result("t1", 'no trail found for current branch "main"', True)], True),
        ([call("t1", "gh pr view && npm test"), result("t1", 'no pull requests found for branch "feat/cart"', True)], True),
        ([call("t1", "gh pr view"), result("t1", "HTTP 401: Bad credentials (https://api.github.com/graphql)", True)], True),
        ([call("t1", "npm run deploy"), result("t1", "Error: no config file found in /w", True)], True),
        # "none found" further down, or of what the tool itself needs: the tool's failure
        ([call("t1", "npx prisma migrate status"), result("t1", "Exit code 1\nError: P1001: Can't reach database server at `localhost:5432`\nNo migration found in prisma/migrations", True)], True),
        ([call("t1", "uv pip list"), result("t1", "error: No virtual environment found; run `uv venv` to create an environment", True)], True),
        ([call("t1", "gh pr list"), result("t1", "no git remotes found", True)], True),
    ],
)  # fmt: skip
def test_a_look_at_what_is_not_there_is_no_failure(
    tmp_path: Path,
    records: list[dict],
    fails: bool,  # type: ignore[type-arg]
) -> None:
    assert bool(failures(tmp_path, records)) is fails


def test_a_read_of_a_missing_file_is_no_failure(tmp_path: Path) -> None:
    block = {
        "type": "tool_use",
        "id": "r1",
        "name": "Read",
        "input": {"file_path": "/w/.claude/settings.json"},
    }
    records = [
        {"type": "assistant", "message": {"content": [block]}},
        result("r1", "<tool_use_error>File does not exist.</tool_use_error>", True),
    ]  # fmt: skip
    assert failures(tmp_path, records) == []


def test_a_file_that_tells_of_failures_is_no_failed_read(tmp_path: Path) -> None:
    block = {"type": "tool_use", "id": "r1", "name": "Read", "input": {"file_path": "/w/notes.md"}}
    text = "1\t## Evidence from Failed Trajectories\n2\tTraceback (most recent call last):\n3\tFAILED tests/test_x.py::test_y"
    records = [{"type": "assistant", "message": {"content": [block]}}, result("r1", text)]
    assert failures(tmp_path, records) == []
    shell = [call("t1", "python -m pytest -q"), result("t1", text)]
    assert failures(tmp_path, shell) != []  # what a command prints of failures is one


def test_a_tool_the_permission_mode_denies_is_no_failure(tmp_path: Path) -> None:
    block = {"type": "tool_use", "id": "r1", "name": "Read", "input": {"file_path": "/w/a.md"}}
    denied = (
        "Permission to use Read has been denied because Claude Code is running in don't ask mode."
    )
    records = [{"type": "assistant", "message": {"content": [block]}}, result("r1", denied, True)]
    assert failures(tmp_path, records) == []
    # the user's permission settings refusing one command: theirs to allow, no failure either
    command = 'rm /Users/u/uw/test-write-check.txt 2>&1; echo "exit: $?"'
    denied = f"Permission to use Bash with command {command} has been denied."
    assert failures(tmp_path, [call("t1", command), result("t1", denied, True)]) == []


def _gated(record: dict, version: str = "2.1.140") -> dict:  # type: ignore[type-arg]
    """A record as Claude Code 2.1 wrote it; an error result's `toolUseResult` its words."""
    out = {**record, "version": version}
    block = record["message"]["content"][0]
    if block.get("type") == "tool_result" and block.get("is_error"):
        out["toolUseResult"] = "Error: " + block["content"]
    return out


def test_a_call_a_hook_of_the_users_held_back_until_told_is_no_failure(tmp_path: Path) -> None:
    """The user's PreToolUse hook refused the first command and an edit until the agent said
    what it asks; the same calls then went through. Neither the tool nor the command failed:
    no "Edit failed" nor "`ls` fails here" from it."""
    gate = "[Scope Gate]\n\nBefore {}, state the task in one line and the files it touches.\n\nThen send the same call again."
    records = [
        call("b1", "ls src"),
        result("b1", gate.format("the first shell command of this session"), True),
        say("assistant", "Task: rename the helper. Files: src/a.py."),
        call("b2", "ls src"),
        result("b2", "a.py\nb.py"),
        edit("e1", "src/a.py", "def helper():", "def load_rows():"),
        result("e1", gate.format("changing src/a.py"), True),
        say("assistant", "Task: rename the helper. Files: src/a.py; nothing imports it."),
        edit("e2", "src/a.py", "def helper():", "def load_rows():"),
        result("e2", "The file src/a.py has been updated successfully."),
    ]
    assert failures(tmp_path, [_gated(r) for r in records]) == []


def test_the_shells_banner_is_not_the_error(tmp_path: Path) -> None:
    ok = [call("a", "git status"), result("a", f"{BANNER}\nOn branch main"),
          call("b", "ls"), result("b", f"{BANNER}\nsrc")]  # fmt: skip
    (failure,) = failures(
        tmp_path / "a",
        [*ok, call("c", "make build"), result("c", f"Exit code 2\n{BANNER}\nmake: *** No rule to make target 'build'", True)],
    )  # fmt: skip
    assert error_signature(failure.trigger.text) == "make: *** No rule to make target 'build'"
    only_banner = [*ok, call("c", "make build"), result("c", f"Exit code 1\n{BANNER}", True)]
    assert failures(tmp_path / "b", only_banner) == []


def test_a_test_runners_tally_printed_again_and_again_is_no_banner(tmp_path: Path) -> None:
    """The same failing spec run through `| tail` (exit 0) again and again: its tally opens
    each output, and is still what the runs say went wrong, never a context's name."""
    listed = (
        "Failed examples:\n\nrspec ./spec/cart_spec.rb:8 # Cart with an invalid coupon is refused"
    )
    tailed = f"2 examples, 1 failure\n\n{listed}"
    report = (
        "Exit code 1\nFailures:\n\n  1) Cart with an invalid coupon is refused\n"
        "     Failure/Error: \n       cart.apply(code:,\n                  strict: true)\n\n"
        f"Finished in 0.2 seconds (files took 0.9 seconds to load)\n{tailed}"
    )
    records = [
        call("a", "bundle exec rspec spec/cart_spec.rb 2>&1 | tail -5"), result("a", tailed),
        call("b", "bundle exec rspec spec/cart_spec.rb:8 2>&1 | tail -5"), result("b", tailed),
        call("c", "bundle exec rspec spec/cart_spec.rb"), result("c", report, True),
    ]  # fmt: skip
    found = failures(tmp_path, records)
    assert len(found) == 3  # the runs through a pipe failed too
    assert {error_signature(f.trigger.text) for f in found} == {"2 examples, 1 failure"}


def test_a_failure_mark_said_again_behind_a_pipe_is_no_banner(tmp_path: Path) -> None:
    """A package manager's error opening two outputs whose exit a `| tail` hid (exit 0): the
    same failure twice, never a banner printed before every output."""
    refused = (
        " ERR_PNPM_NO_IMPORTER_MANIFEST_FOUND  No package.json (or package.yaml, or "
        'package.json5) was found in "/srv/shop".'
    )
    records = [
        call("a", "cd /srv/shop && pnpm lint 2>&1 | tail -20"), result("a", refused),
        call("b", "git log --oneline -3"), result("b", "3f2a1c0 store: cart totals"),
        call("c", "cd /srv/shop && pnpm lint 2>&1 | tail -8"), result("c", refused),
    ]  # fmt: skip
    found = failures(tmp_path, records)
    assert [f.trigger.text for f in found] == [refused, refused]


def test_a_banner_of_many_lines_is_not_the_error(tmp_path: Path) -> None:
    """A profile's banner of a dozen lines before every output: its seventh line (a check
    that printed "Not found") is no error of the command that failed after it."""
    banner = "\n".join(
        ["=" * 30, "Agents Bridge v10.0 ready for this shell", *(f"  module number {n} loaded ok" for n in range(4)),
         "  Tandem Orchestrator: Not found", *(f"  service {n} is running fine" for n in range(5))]
    )  # fmt: skip
    ok = [
        record
        for n, command in enumerate(["git status", "ls", "pwd"])
        for record in (call(f"ok{n}", command), result(f"ok{n}", f"{banner}\nfine"))
    ]
    failed = f"Exit code 1\n{banner}\n[ERROR] No build datasets found in buildpool"
    (failure,) = failures(tmp_path, [*ok, call("c", "./build.sh"), result("c", failed, True)])
    assert error_signature(failure.trigger.text) == "[ERROR] No build datasets found in buildpool"


def test_another_filter_or_an_edit_in_between_is_no_replacing_fix(tmp_path: Path) -> None:
    other_test = [
        call("t1", 'yarn test --filter="loading-state-test"'),
        result("t1", "Exit code 1\nnot ok 1 loading state\nTestem finished with 1 failure", True),
        call("t2", 'yarn test --filter="other-test"'),
        result("t2", "ok 1 other\nTestem finished"),
    ]
    (failure,) = failures(tmp_path / "a", other_test)
    assert failure.fix is None
    edited = [
        call("t1", "pytest -q"),
        result(
            "t1", "Exit code 1\nFAILED tests/test_a.py::test_b - AssertionError\n1 failed", True
        ),
        edit("e1", "src/a.py"),
        result("e1", "The file src/a.py has been updated successfully."),
        call("t2", "python -m pytest -q"),
        result("t2", "3 passed in 0.1s"),
    ]
    (failure,) = failures(tmp_path / "b", edited)
    # the edit made the tests pass, not `python -m pytest` in place of `pytest`
    assert failure.fix is not None and failure.fix.kind is FixKind.EDITED


def test_an_answer_the_user_takes_back_is_no_decision(tmp_path: Path) -> None:
    asked = [("Which key combo would you like for the model picker?", ["Ctrl+M", "Alt+M"])]
    body = '"Which key combo would you like for the model picker?"="Ctrl+M (Recommended)"'
    run = parse_file(
        _write(tmp_path, [ask("q1", asked), answered("q1", body), say("assistant", "Done."),
                          say("user", "also conflicts with vscode")]),
        tmp_path,
    )  # fmt: skip
    assert [e for e in find_episodes(run) if e.kind is LessonKind.DECISION] == []


def test_terminal_colours_never_reach_a_line() -> None:
    coloured = "\x1b[31mError: expected 1\x1b[39m to equal 2\x07"
    assert error_signature(f"Exit code 1\n{coloured}") == "Error: expected 1 to equal 2"
    assert safe_text(coloured) == "Error: expected 1 to equal 2"


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "Found 0 errors.\nerror TS2304: Cannot find name 'x'.",
            "error TS2304: Cannot find name 'x'.",
        )
    ],
)
def test_a_tally_of_no_errors_is_not_the_error(output: str, signature: str) -> None:
    assert error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "The index is rebuilding; come back later.\n- Instead of 'error handling', search 'catch ('",
            "The index is rebuilding; come back later.",
        ),
        (
            "Upload stopped at 40%.\nTip: run with --verbose to see the full error",
            "Upload stopped at 40%.",
        ),
        ("Hint: pass --all to list every failed job", ""),  # only advice: no error to quote
        # an error line is quoted whatever advice follows it
        ("Error: connection refused\nTry: start the server first", "Error: connection refused"),
        (
            "ls: invalid option -- 'z'\nTry 'ls --help' for more information.",
            "ls: invalid option -- 'z'",
        ),
    ],
)
def test_a_tools_advice_is_never_the_error(output: str, signature: str) -> None:
    """Tips a tool appends on what to try may name an error; they say none happened."""
    assert error_signature(output) == signature


@pytest.mark.parametrize(
    ("command", "spelled"),
    [
        ("npm run test", "npm test"),
        ("npm run test -- -u", "npm test -- -u"),
        ("npm run test:unit", "npm run test:unit"),  # npm has no `npm test:unit`
        ("npm run start:dev", "npm run start:dev"),
        ("pnpm run build", "pnpm build"),
    ],
)
def test_one_spelling_keeps_a_script_npm_cannot_run_without_run(command: str, spelled: str) -> None:
    assert one_spelling(command) == spelled


def test_a_tag_is_not_a_missing_program() -> None:
    assert missing_program("manifest for typescript-node:1-24-trixie: not found") is None


def test_a_call_the_user_aborted_did_not_work() -> None:
    aborted = Event(
        seq=1,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text="Wall time: 2.1 seconds\naborted by user",
        ref=SourceRef("r.jsonl", 4, 4),
        tool_name="shell",
        exit_code=None,
    )
    assert not is_success(aborted)


@pytest.mark.parametrize(
    ("sentence", "decided"),
    [
        ("Since the file is small, I'll use the entire content as the SEARCH block:", False),
        ("I'll use the old parser as the fallback for legacy files.", False),
        ("I'll use SQLite because the app runs on one machine.", True),
    ],
)
def test_what_a_thing_is_used_as_gives_no_reason(sentence: str, decided: bool) -> None:
    """'use X as the Y' says what X is for, not why: no decision without a reason."""

    assert bool(phrases.DECISION.search(sentence)) is decided


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        # the agent's summary of a bug in the project's own code, which it then fixed
        ("The issue was that the installation script only copied `kit.sh` but no link.", False),
        ("The root cause was that the build script only reads NODE_ENV at import time.", False),
        # ... named as code is named
        (
            "The issue was that `pytest_collect_file` was forcing collection of `__init__.py`.",
            False,
        ),
        (
            "The root cause was that `parseArgs()` returned the defaults before reading the file.",
            False,
        ),
        ("The issue was that `Config.load` never merged the user's overrides.", False),
        # a tool named: what it does here lasts
        ("Turns out `git-lfs` was not installed in the CI image, so fixtures came up empty.", True),
        ("Turns out `npm` was resolving packages from the stale mirror in `.npmrc`.", True),
        ("Turns out `python3.11` was never installed on this machine, only 3.9.", True),
        ("Turns out `NODE_OPTIONS` was set to --no-experimental-fetch in the CI image.", True),
        ("Turns out `package.json` had type module, so every .js config must be .cjs.", True),
        ("Turns out `macOS` was quarantining the downloaded binary, so run xattr -d first.", True),
        # how a library or tool behaves: a finding that lasts
        ("The root problem was the custom state plumbing around nodes; React Flow owns it.", True),
        ("Turns out Vite only exposes variables prefixed with VITE_ to the client.", True),
        ("The issue was that the test runner caches modules between runs, so clear it.", True),
        ("The problem was that the pre-commit hook runs prettier and rewrites staged files.", True),
    ],
)
def test_a_found_cause_about_an_unnamed_part_of_the_code_is_no_gotcha(
    tmp_path: Path, sentence: str, kept: bool
) -> None:
    from tests.mine.test_statements import _lessons

    found = _lessons(tmp_path, [say("assistant", sentence)])
    assert (found != []) is kept


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        # a slip in the project's own code, which the run fixed: today's bug
        (
            "The root cause was a missing `Invoice` schema import in `api/billing/totals.ts:14`.",
            False,
        ),
        ("The root cause was a missing import of the `Order` model in the report handler.", False),
        ("The root cause was a typo in the name of the variable the loader reads.", False),
        ("Turns out there was an off-by-one in the pagination offset, so a row was lost.", False),
        ("The root problem was the wrong variable passed to the total, `gross` for `net`.", False),
        ("The root cause was a missing null check before the profile's avatar was read.", False),
        ("The root cause was that the `Order` model was never imported in the handler.", False),
        # ... or placed at a line of the project's code, or said of a source file of it
        ("The root cause was the retry loop at `workers/sync.go:88` ignoring the deadline.", False),
        ("The issue was that `report.py` never closed the cursor before the retry.", False),
        # ... or told as the code naming what does not exist
        (
            "The issue was that all the new CMS API routes were importing a non-existent `db` "
            "object instead of the `query` function.",
            False,
        ),
        ("The problem was that the invoice page called an undefined `formatDate` helper.", False),
        # ... or as code written twice, or without its imports
        (
            "The issue was that the `formatTotals` function was defined twice, causing a "
            "reference error.",
            False,
        ),
        (
            "The issue was that the CartSummary component was missing the imports for `Plus` "
            "and `Minus` icons from the icon package, which kept it from rendering.",
            False,
        ),
        ("Turns out `useCart` was used but never imported in the header.", False),
        # a tool's way with imports or definitions: it lasts
        (
            "Turns out Vite drops a module whose exports are defined twice across two "
            "barrel files, so import from the file itself.",
            True,
        ),
        # a tool's way with what is not there, told in the present: it lasts
        (
            "The root cause was that Jest imports a non-existent `window` object in the node "
            "environment, so set testEnvironment to jsdom.",
            True,
        ),
        # a library's, a tool's or a setting's way: it lasts
        (
            "The root cause was that Mongoose needs a model registered before `populate()` runs.",
            True,
        ),
        (
            "Turns out the missing import warning is printed by `tsc` only, never by `esbuild`.",
            True,
        ),
        ("Turns out `node_modules/next/dist/server/render.js:412` swallows the error.", True),
        ("Turns out `package.json` had type module, so every .js config must be .cjs.", True),
        ("Turns out Node.js was buffering stdout when piped, so flush it before exiting.", True),
        ("Turns out ESM-only packages were not imported by Jest without a transform.", True),
        (
            "Turns out the Supabase client reads an undefined `SUPABASE_URL` as the string "
            "'undefined', so set it in `.env.local`.",
            True,  # a setting the place lacks, read by a library: no slip of the code
        ),
    ],
)
def test_a_found_cause_that_is_a_slip_in_the_projects_code_is_no_gotcha(
    tmp_path: Path, sentence: str, kept: bool
) -> None:
    """A root cause that is today's bug in the project's own code (a missing import, a typo,
    a wrong variable, a missing check, an off-by-one; a line of its code; one of its source
    files doing it) was fixed in the run: nothing to do next time. A cause in how a library,
    a tool or a setting behaves is a fact of the place."""
    from tests.mine.test_statements import _lessons

    found = _lessons(tmp_path, [say("assistant", sentence)])
    assert (found != []) is kept


def test_the_closing_report_of_a_bug_fixed_in_the_projects_code_is_no_gotcha(
    tmp_path: Path,
) -> None:
    """The endpoint fails for a model never imported, the import is added, the endpoint
    answers; the report that closes the run names the slip and its line."""
    from tests.mine.test_statements import _lessons

    report = (
        "**Fixed.**\n\nThe root cause was a **missing `Invoice` model import** in "
        "`routes/api/billing/summary.js:5`.\n\nThe summary now lists every invoice."
    )
    records = [
        call("c1", "curl -s http://localhost:4000/api/billing/summary"),
        result("c1", '{"error":"MissingSchemaError: model \\"Invoice\\" is not registered"}'),
        edit("e1", "routes/api/billing/summary.js", "import db", "import db\nimport Invoice"),
        result("e1", "The file routes/api/billing/summary.js has been updated successfully."),
        call("c2", "curl -s http://localhost:4000/api/billing/summary"),
        result("c2", '{"invoices":12,"total":4180}'),
        say("assistant", report),
        say("user", "great, thanks"),
    ]
    assert _lessons(tmp_path, records) == []


def test_a_rerun_whose_output_went_to_a_file_before_another_program_is_no_fix(
    tmp_path: Path,
) -> None:
    """`make docs > build.log 2>&1; grep -c warn build.log`: exit 0 is grep's, and what make
    printed never shows; the make that failed is not shown to work."""
    from tests.mine.test_fixes import _failures

    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "make docs"),
            result("t1", "Exit code 2\nmake: *** [docs] Error 1\nsphinx: theme not found", True),
            call("t2", "make docs > build.log 2>&1; grep -c warn build.log | head -1"),
            result("t2", "3"),
        ],
    )
    assert episode.fix is None and lesson.fix is None
    assert "build.log" not in lesson.text and "instead" not in lesson.text


def test_the_same_call_with_stderr_merged_after_an_install_was_prepared_by_it(
    tmp_path: Path,
) -> None:
    """`2>&1` inside the rerun does not make it another command: the install between is the
    fix, and neither the subject nor the remedy keeps `2>&1 | tail`."""
    from tests.mine.test_fixes import _failures

    venv = "python3 -m venv /srv/kit-venv && /srv/kit-venv/bin/pip install kit"
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", f"{venv} 2>&1 | tail -3"),
            result(
                "t1", "Exit code 1\nThe virtual environment was not created: no ensurepip", True
            ),
            call("t2", "apt-get install -y python3.11-venv 2>&1 | tail -2"),
            result("t2", "Setting up python3.11-venv (3.11.9-1) ..."),
            call("t3", venv.replace(" &&", " 2>&1 &&") + " 2>&1 | tail -3"),
            result("t3", "Successfully installed kit-1.0"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert lesson.fix == "apt-get install -y python3.11-venv"
    assert lesson.text.endswith("run `apt-get install -y python3.11-venv` first.")
    assert "2>&1" not in lesson.text


@pytest.mark.parametrize(
    "message",
    [
        # a thing to make today, with an aside whose "just as well" is no choice
        "I want a flyer pf this summer sale to give the first 20 buyers 2 dollars off But think "
        "abt it does anyone need a gold bike... no way..... a cheap bike rides just as well "
        "buttt ... how many gold bikes do you see in shops???? none ... people buy shiny",
        "I want a flyer for the summer sale, with a cheap bike that rides just as well as any",
        # "the only issue" names no choice
        "And I want a real shop integrated i know the only issue was the payment partner ......",
    ],
)
def test_a_request_for_a_thing_to_make_is_no_decision(tmp_path: Path, message: str) -> None:
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("user", message)]) == []


def test_a_choice_said_plainly_is_still_a_decision(tmp_path: Path) -> None:
    from tests.mine.test_statements import _lessons

    found = _lessons(tmp_path, [say("user", "I want the queue on Redis only, not in Postgres.")])
    assert [k for k, _ in found] == [LessonKind.DECISION]


def test_how_to_go_on_asked_after_a_statement_is_no_lasting_choice(tmp_path: Path) -> None:
    asked = [("Redis is not installed. How would you like to proceed?", ["Install Redis", "Skip"])]
    path = _write(tmp_path, [ask("q1", asked), answered("q1", f'"{asked[0][0]}"="Install Redis"')])
    run = parse_file(path, path.parent)
    assert [e for e in find_episodes(run) if e.kind is LessonKind.DECISION] == []


def _codex_calls(tmp_path: Path, calls: list[tuple[str, bool, int, str]]) -> list:  # type: ignore[type-arg]
    """A Codex rollout of shell calls (command, escalated, exit code, output): its failures."""
    leave = {"sandbox_permissions": "require_escalated"}
    shaped = [(c, leave if out else {}, code, text) for c, out, code, text in calls]
    _, run = _codex_rollout(tmp_path, shaped)
    return [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]


NO_FEED = "error NU1301: Unable to load the service index for source https://feed.example"


def test_a_changed_call_let_out_of_the_sandbox_shows_the_sandbox_stopped_it(
    tmp_path: Path,
) -> None:
    """The changed form failed inside the sandbox too and worked only outside: leaving the
    sandbox was the fix, not the change."""
    found = _codex_calls(
        tmp_path,
        [
            ("pkg restore app.proj", False, 1, NO_FEED),
            ("pkg restore app.proj -j1", False, 1, NO_FEED),
            ("pkg restore app.proj -j1", True, 0, "Restored app.proj"),
        ],
    )
    assert [e.fix.kind if e.fix else None for e in found] == [FixKind.ESCALATED] * 2


def test_a_changed_call_let_out_of_the_sandbox_at_once_teaches_no_fix(tmp_path: Path) -> None:
    """Changed and let out in one step: which of the two made it work is not shown."""
    (episode,) = _codex_calls(
        tmp_path,
        [
            ("pkg restore app.proj", False, 1, NO_FEED),
            ("pkg restore app.proj -j1", True, 0, "Restored app.proj"),
        ],
    )
    assert episode.fix is None or not episode.fix.teachable


CLASHED = (
    "fatal: cannot lock ref 'refs/heads/feat/menu': unable to create directory for "
    ".git/refs/heads/feat/menu"
)
LOCK_REFUSED = (
    "fatal: cannot lock ref 'refs/heads/menu': Unable to create '/w/.git/refs/heads/menu.lock': "
    "Operation not permitted"
)


def test_an_escalated_rerun_mends_the_failure_of_the_command_it_reruns(tmp_path: Path) -> None:
    """The first failure (a branch name clashing with a ref) was got past by another name;
    that name then failed inside the sandbox, with another error, and only that failure is
    what the escalated rerun mended."""
    clashed, refused = _codex_calls(
        tmp_path,
        [
            ("git switch -c feat/menu", False, 128, CLASHED),
            ("git switch -c menu", False, 128, LOCK_REFUSED),
            ("git switch -c menu", True, 0, "Switched to a new branch 'menu'"),
        ],
    )
    assert clashed.fix is None or clashed.fix.kind is not FixKind.ESCALATED
    assert refused.fix is not None and refused.fix.kind is FixKind.ESCALATED


def test_a_changed_call_that_failed_inside_the_same_way_is_mended_by_the_rerun(
    tmp_path: Path,
) -> None:
    """Control: the changed form failed inside with the same refusal: both failures were
    the sandbox's, the escalated rerun mends both."""
    refused = LOCK_REFUSED.replace("menu", "feat/menu", 1)
    found = _codex_calls(
        tmp_path,
        [
            ("git switch -c feat/menu", False, 128, refused),
            ("git switch -c menu", False, 128, LOCK_REFUSED),
            ("git switch -c menu", True, 0, "Switched to a new branch 'menu'"),
        ],
    )
    assert [e.fix.kind if e.fix else None for e in found] == [FixKind.ESCALATED] * 2


NO_VISION = (
    'Traceback (most recent call last):\n  File "/w/train.py", line 2, in <module>\n'
    "    from torchvision import datasets\nModuleNotFoundError: No module named 'torchvision'"
)
PAST_IMPORT = (
    'Traceback (most recent call last):\n  File "/w/train.py", line 9, in <module>\n'
    '  File "/opt/conda/envs/vision/lib/python3.11/site-packages/torchvision/datasets/cifar.py",'
    " line 66, in __init__\nPermissionError: [Errno 13] Permission denied: 'data/batch_4'"
)


@pytest.mark.parametrize(
    ("output", "mended"),
    [
        (PAST_IMPORT, True),  # past the import: what failed next is its own failure
        (NO_VISION, False),  # control: the other environment lacks it too
    ],
)
def test_a_missing_module_is_mended_by_a_run_in_another_environment_past_the_import(
    tmp_path: Path, output: str, mended: bool
) -> None:
    """The same script run in another environment no longer said the module was missing:
    that environment is the way past it, though the run then failed on a write."""
    missing, *_ = _codex_calls(
        tmp_path,
        [
            ("python train.py", False, 1, NO_VISION),
            ("conda env list", False, 0, "base  *  /opt/conda\nvision  /opt/conda/envs/vision"),
            ("conda run -n vision python train.py", False, 1, output),
        ],
    )
    assert missing.fix is not None if mended else missing.fix is None
    if mended:
        assert missing.fix.kind is FixKind.REPLACED
        assert missing.fix.call.text.startswith("conda run -n vision python")


def test_another_installation_of_the_program_is_named_not_the_files(tmp_path: Path) -> None:
    """`rustfmt a.rs b.rs` fails, `/opt/rust/bin/rustfmt a.rs b.rs` works: the lesson is the
    program's other installation, a fact of this machine, not one run's file list."""
    from metis_distill.ledger import LessonView
    from metis_distill.placement.locality import Locality, locality
    from tests.mine.test_fixes import _failures

    files = "crates/core/src/lib.rs crates/core/src/io.rs"
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", f"rustfmt {files}"),
            result("t1", "Exit code 1\ncannot set privileged capabilities: not permitted", True),
            call("t2", f"/opt/rust/bin/rustfmt {files}"),
            result("t2", "Formatted 2 files"),
        ],
    )
    assert lesson.text == (
        "`rustfmt` on the PATH fails here (“cannot set privileged capabilities: not "
        "permitted”); use `/opt/rust/bin/rustfmt` instead."
    )
    assert lesson.fix == "/opt/rust/bin/rustfmt"
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert locality(view, Path("/w")) is Locality.MACHINE


@pytest.mark.parametrize(
    ("retry", "unseen"),
    [
        ("make docs &> build.log; grep -c warn build.log", True),
        ("make docs 1> build.log 2>&1 | wc -l", True),
        ("make docs > build.log && grep -c warn build.log", False),  # `&&`: make's status
        ("make clean > /dev/null; make docs", False),  # the failed command itself runs last
        ("make docs 2>&1 | tail -3", False),  # its output shows
    ],
)
def test_whether_a_retry_shows_the_failed_commands_own_result(retry: str, unseen: bool) -> None:
    from metis_distill.mine.fixes import _output_unseen

    assert _output_unseen("make docs", retry) is unseen


def test_a_wrapped_call_let_out_of_the_sandbox_is_the_same_call(tmp_path: Path) -> None:
    (episode,) = _codex_calls(
        tmp_path,
        [
            ("pkg restore app.proj", False, 1, NO_FEED),
            ("timeout 300 pkg restore app.proj 2>&1 | tail -5", True, 0, "Restored app.proj"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.ESCALATED


@pytest.mark.parametrize(
    "message",
    [
        "I want the script to use bash only, not zsh.",
        "We want every package in this monorepo, including the docs site, the admin console "
        "and the mobile client, built with pnpm instead of npm.",
    ],
)
def test_a_choice_about_a_thing_or_said_at_length_is_still_a_decision(
    tmp_path: Path, message: str
) -> None:
    from tests.mine.test_statements import _lessons

    assert [k for k, _ in _lessons(tmp_path, [say("user", message)])] == [LessonKind.DECISION]


def test_a_preamble_before_the_question_does_not_make_it_a_how_to_go_on(tmp_path: Path) -> None:
    asked = [("Phase 1 is complete: ready for caching. Which cache should we use?", ["Redis"])]
    records = [ask("q1", asked), answered("q1", f'"{asked[0][0]}"="Redis"'), *BUILT]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    assert len([e for e in find_episodes(run) if e.kind is LessonKind.DECISION]) == 1


def test_a_unicode_ellipsis_ends_a_sentence() -> None:
    from metis_distill.mine.text import sentences

    assert sentences("The build failed… then the cache was cleared.") == [
        "The build failed…",
        "then the cache was cleared.",
    ]


def test_a_retry_as_root_is_no_fix_to_teach(tmp_path: Path) -> None:
    from tests.mine.test_fixes import _failures

    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "mkdir -p ../../shared/specs"),
            result("t1", "Exit code 1\nmkdir: cannot create directory: Permission denied", True),
            call("t2", "sudo mkdir -p ../../shared/specs"),
            result("t2", "done"),
        ],
    )
    assert lesson.fix is None and "sudo mkdir" not in lesson.text
    assert lesson.text.endswith("(it worked with `sudo`; ask before using it).")
    assert not lesson.evidence.shows_fix  # its span shows no way a line may teach


@pytest.mark.parametrize(
    ("failed", "error", "retry", "shown"),
    [
        (
            "curl -s https://api.example/repos/a/b",
            "curl: (35) schannel: next InitializeSecurityContext failed: SEC_E_UNTRUSTED_ROOT",
            "curl -k -s https://api.example/repos/a/b",
            "without the TLS certificate check",
        ),
        (
            "pip install requests",
            "ERROR: Could not fetch URL https://pypi.org/simple/requests/: [SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed",
            "pip install --trusted-host pypi.org --trusted-host files.pythonhosted.org requests",
            "without the TLS certificate check",
        ),
        (
            "git clone https://git.corp.example/x.git",
            "fatal: unable to access 'https://git.corp.example/x.git/': SSL certificate problem: "
            "self-signed certificate in certificate chain",
            "git -c http.sslVerify=false clone https://git.corp.example/x.git",
            "without the TLS certificate check",
        ),
        (
            "npm install",
            "npm ERR! code SELF_SIGNED_CERT_IN_CHAIN",
            "NODE_TLS_REJECT_UNAUTHORIZED=0 npm install",
            "without the TLS certificate check",
        ),
        (
            "git commit -m 'wip'",
            "husky - pre-commit hook exited with code 1 (error)",
            "git commit --no-verify -m 'wip'",
            "without the git hooks",
        ),
        (
            "pip install numpy",
            "error: externally-managed-environment",
            "pip install --break-system-packages numpy",
            "by overriding the system's package protection",
        ),
        (
            "git status",
            "fatal: detected dubious ownership in repository at '/src'",
            "git config --global --add safe.directory '*' && git status",
            "without a safety check",
        ),
        (
            "docker run app ./probe",
            "perf_event_open: Operation not permitted",
            "docker run --privileged app ./probe",
            "without a safety check",
        ),
        (  # turned off by a set-up step before the same command
            "npm install",
            "npm ERR! code SELF_SIGNED_CERT_IN_CHAIN",
            "export NODE_TLS_REJECT_UNAUTHORIZED=0 && npm install",
            "without the TLS certificate check",
        ),
        (  # a missing program installed with a check turned off
            "uv sync",
            "/bin/bash: line 1: uv: command not found",
            "pip install --break-system-packages uv && uv sync",
            "by overriding the system's package protection",
        ),
        (  # another user let into the home folder itself, not only the folder it wanted
            "sudo -u www-data ls -la /home/ana/logs/",
            "ls: cannot access '/home/ana/logs/': Permission denied",
            "sudo chmod 755 ~ && sudo chmod 755 ~/logs && sudo -u www-data ls -la /home/ana/logs/",
            "by opening the home folder to every user",
        ),
    ],
)
def test_a_retry_that_turns_a_check_off_is_no_fix_to_teach(
    tmp_path: Path, failed: str, error: str, retry: str, shown: str
) -> None:
    """It went through, but only with the certificate check, the hooks or the system's
    package protection turned off: the line says so and asks first, and never teaches it."""
    from metis_distill.advice import dangers
    from tests.mine.test_fixes import _failures

    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", retry),
            result("t2", "done"),
        ],
    )
    assert episode.fix is not None  # the retry did work: what changes is what is taught
    assert lesson.fix is None and "instead" not in lesson.text
    assert lesson.text.endswith(f"(it went through only {shown}; ask first).")
    assert dangers(lesson.text) == []  # the line itself is no advice the tripwires stop
    # its span shows a way the line does not teach: no evidence of its fix, never the one a
    # line of the same failure that names a fix links to
    assert not lesson.evidence.shows_fix


def test_cd_made_zoxide_by_the_users_shell_is_its_cause_not_a_missing_program(
    tmp_path: Path,
) -> None:
    """`z:1: command not found: __zoxide_z`: the user's zsh set-up turned `cd` into zoxide's
    function; the absolute path that worked right after is the way, not "find the project's
    way to run `__zoxide_z`"."""
    from tests.mine.test_fixes import _failures

    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "cd src && find . -name '*.tsx' -exec sed -i '' 's/a/b/g' {} \\;"),
            result("t1", "Exit code 127\nz:1: command not found: __zoxide_z", True),
            call("t2", "find /Users/me/app/src -name '*.tsx' -exec sed -i '' 's/a/b/g' {} \\;"),
            result("t2", ""),
        ],
    )
    assert lesson.text.startswith("`cd` here is zoxide's `z`")
    assert "project's way" not in lesson.text and "/Users/me" not in lesson.text


def test_an_option_holding_an_unquoted_pattern_in_zsh_is_no_look_at_nothing(
    tmp_path: Path,
) -> None:
    """`grep -rn x src/ --include=*.astro` in zsh: the shell refused the option's pattern
    before grep ran; that is zsh's quoting lesson, not a search that found nothing."""
    from tests.mine.test_fixes import _failures

    refused = "Exit code 1\n=== usages ===\n(eval):1: no matches found: --include=*.astro"
    for command, word in (
        ('grep -rn "modal" src/ --include=*.astro', "--include=*.astro"),
        ("find src -name *.astro", "*.astro"),  # the option's value a word of its own
        ("rg -n modal -g *.astro src", "*.astro"),
    ):
        said = refused.replace("--include=*.astro", word)
        records = [call("t1", f'echo "=== usages ===" && {command}'), result("t1", said, True)]
        ((_, lesson),) = _failures(tmp_path, records)
        assert lesson.text.startswith("The shell here is zsh: an unquoted argument"), command


@pytest.mark.parametrize(
    ("failed", "retry", "way"),
    [
        (
            "lspci -k | grep -A3 -i vga",
            'nix-shell -p pciutils --run "lspci -k"',
            "nix-shell -p pciutils",
        ),
        ("jq .name package.json", "nix run nixpkgs#jq -- .name package.json", "nix run nixpkgs#jq"),
    ],
)
def test_a_missing_program_run_through_what_provides_it_is_the_way(
    tmp_path: Path, failed: str, retry: str, way: str
) -> None:
    """NixOS: the program comes with the shell that provides it, right after."""
    from tests.mine.test_fixes import _failures

    program = failed.split()[0]
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 127\n/bin/bash: line 1: {program}: command not found", True),
            call("t2", retry),
            result("t2", "00:02.0 VGA compatible controller"),
        ],
    )
    assert lesson.fix == way and f"use `{way} …` instead" in lesson.text


@pytest.mark.parametrize(
    "looked", ['grep -rn "lspci" scripts/', "grep -rn lspci scripts/", "apt-cache policy lspci"]
)
def test_looking_for_a_missing_program_is_no_way_to_run_it(tmp_path: Path, looked: str) -> None:
    """A search for the missing program's name (in files, in the package lists) that found
    it runs nothing: "use `grep -rn …` instead" would be a wrong fix."""
    from tests.mine.test_fixes import _failures

    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "lspci -k"),
            result("t1", "Exit code 127\n/bin/bash: line 1: lspci: command not found", True),
            call("t2", looked),
            result("t2", "scripts/gpu.sh:3:lspci -k | grep VGA"),
        ],
    )
    assert lesson.fix is None and "instead" not in lesson.text


@pytest.mark.parametrize(
    ("retry", "fix"),
    [("ls 'src/app/(auth)'", "quote the argument"), ("ls src/app/ | grep auth", None)],
)
def test_zsh_s_pattern_has_its_fix_only_when_the_way_that_worked_quoted_it(
    tmp_path: Path, retry: str, fix: str | None
) -> None:
    """The cause is zsh's, whatever worked next; "quote it" is the fix shown only when the
    retry quoted the word (`ls | grep auth` got round it another way)."""
    from tests.mine.test_fixes import _failures

    refused = "Exit code 1\n(eval):1: no matches found: src/app/(auth)"
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "ls src/app/(auth)"),
            result("t1", refused, True),
            call("t2", retry),
            result("t2", "login\nsignup"),
        ],
    )
    assert lesson.text.startswith("The shell here is zsh") and lesson.fix == fix


def test_forcing_one_git_step_among_others_is_still_forcing(tmp_path: Path) -> None:
    from tests.mine.test_fixes import _failures

    ignored = "Exit code 1\nThe following paths are ignored by one of your .gitignore files:\nout"
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "cd /w && git add out/report.md && git status --short"),
            result("t1", ignored, True),
            call("t2", "git add -f out/report.md && git status --short | grep report"),
            result("t2", "A  out/report.md"),
        ],
    )
    assert lesson.fix is None and "forced past it with `-f`" in lesson.text


@pytest.mark.parametrize(
    "step",
    ["rm .tool/settings.local.json", "git clean -fd", "git checkout -- .", "git reset --hard"],
)
def test_a_step_that_deletes_is_never_taught(tmp_path: Path, step: str) -> None:
    from tests.mine.test_fixes import _failures

    overwritten = (
        "Exit code 1\nerror: The following untracked working tree files would be overwritten "
        "by checkout:\n\t.tool/settings.local.json"
    )
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git checkout main"),
            result("t1", overwritten, True),
            call("t2", step),
            result("t2", "Removing .tool/settings.local.json"),
            call("t3", "git checkout main"),
            result("t3", "Switched to branch 'main'"),
        ],
    )
    assert lesson.fix is None and step not in lesson.text


def test_a_network_that_came_back_is_no_fix(tmp_path: Path) -> None:
    from tests.mine.test_fixes import _failures

    unreachable = (
        "Exit code 128\nfatal: unable to access 'https://example.invalid/kite.git/': Failed "
        "to connect to example.invalid port 443 after 21012 ms: Could not connect to server"
    )
    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git push origin main"),
            result("t1", unreachable, True),
            call("t2", "git add img/*.png && git commit -m 'Drop stray images'"),
            result("t2", "[main 1a2b3c4] Drop stray images"),
            call("t3", "git push origin main"),
            result("t3", "To https://example.invalid/kite.git\n   1a2b..3c4d  main -> main"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.RETRIED
    assert lesson.fix is None and "git commit" not in lesson.text


def test_a_passing_test_named_after_an_error_is_not_the_error() -> None:
    output = (
        "running 3 tests\ntest lexer::tests::rejects_parse_error_on_tab ... ok\n"
        "test lexer::tests::reads_numbers ... FAILED\nerror: test failed, to rerun pass `--lib`"
    )
    assert "rejects_parse_error" not in error_signature(output)


def test_sudo_asking_for_a_password_is_one_fact_of_the_machine(tmp_path: Path) -> None:
    from tests.mine.test_fixes import _failures

    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "sudo systemctl restart kite"),
            result("t1", "Exit code 1\nsudo: a terminal is required to read the password", True),
        ],
    )
    assert lesson.text.startswith("`sudo` asks for a password here") and lesson.fix is None


@pytest.mark.parametrize(
    ("command", "output", "told"),
    [
        # a package helper runs sudo itself and ends on its own summary line
        ("yay -S zsh starship --noconfirm",
         "Exit code 1\nSync Explicit (2): starship-1.2, zsh-5.9\nsudo: a terminal is required "
         "to read the password; either use the -S option\nsudo: a password is required\n"
         " -> error installing repo packages", True),
        ("./scripts/setup.sh",
         "Installing deps...\nsudo: a password is required\nsetup failed at step 2", True),
        # the helper's own failure, sudo never asked: no password lesson
        ("yay -S zsh --noconfirm",
         "Exit code 1\n -> error installing repo packages: target not found: zshh", False),
    ],
)  # fmt: skip
def test_sudo_that_a_program_ran_asking_for_a_password_is_the_same_fact(
    tmp_path: Path, command: str, output: str, told: bool
) -> None:
    from tests.mine.test_fixes import _failures

    ((_, lesson),) = _failures(tmp_path, [call("t1", command), result("t1", output, True)])
    assert lesson.text.startswith("`sudo` asks for a password here") is told, lesson.text
    assert lesson.fix is None
    assert lesson.evidence.quote.startswith("sudo: a ") is told  # sudo's own line quoted


@pytest.mark.parametrize(
    ("later", "told"),
    [
        ('sudo -n echo "Passwordless sudo works!"', False),  # the user let it in later
        ("systemctl status kite", True),
        ("sudo -n true 2>/dev/null; echo $?", True),  # the exit is echo's
    ],
)
def test_sudo_let_in_without_a_password_later_is_no_longer_a_fact(
    tmp_path: Path, later: str, told: bool
) -> None:
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.textio import read_lines

    records = [
        call("t1", "sudo apt-get install -y gh"),
        result("t1", "Exit code 1\nsudo: a terminal is required to read the password", True),
        say("user", "ok, I added a NOPASSWD line to sudoers, try again"),
        call("t2", later),
        result("t2", "Passwordless sudo works!"),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, tmp_path)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert any("`sudo` asks for a password" in c.text for c in found) is told


def test_a_made_up_git_identity_is_never_the_fix(tmp_path: Path) -> None:
    from tests.mine.test_fixes import _failures

    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "git commit -m 'docs: tidy'"),
            result(
                "t1", "Exit code 128\nfatal: empty ident name (for <ana@ana-box>) not allowed", True
            ),
            call("t2", "git config user.name Bot && git config user.email bot@example.invalid"),
            result("t2", ""),
            call("t3", "git commit -m 'docs: tidy'"),
            result("t3", "[main 1a2b3c4] docs: tidy"),
        ],
    )
    assert lesson.fix is None and "Bot" not in lesson.text and "ana-box" not in lesson.text
    assert lesson.text.startswith("git has no user name or e-mail set here")


def test_a_build_that_failed_under_a_pipe_did_not_work(tmp_path: Path) -> None:
    """turbo's `@scope/app:task:` prefix is cut before the error is chosen (a `⚠` line is a
    warning), and `… | tail` hiding the status does not hide "Failed to compile." (which,
    with no error under it, is no lesson of its own)."""
    first = (
        "Exit code 1\n@acme/web:build:  \u26a0 Found lockfile missing swc dependencies\n"
        "@acme/web:build: Module not found: Can't resolve 'spring-i18n'\n"
    )
    records = [
        call("t1", "pnpm build 2>&1"),
        result("t1", first, True),
        call("t2", "pnpm add spring-i18n"),
        result("t2", "+ spring-i18n 2.1.0"),
        call("t3", "pnpm build 2>&1 | tail -20"),
        result("t3", "Failed to compile.\n ELIFECYCLE  Command failed with exit code 1."),
    ]
    (episode, _) = failures(tmp_path, records)
    (lesson,) = failure_lessons(tmp_path, records)
    assert episode.fix is None and lesson.fix is None
    assert "Module not found: Can't resolve 'spring-i18n'" in lesson.text


@pytest.mark.parametrize(
    ("failed", "retry", "taught"),
    [
        ("git push origin feat", "git push --force-with-lease origin feat", False),
        ("git push origin feat", "git push origin +feat", False),
        ("npm install -g pnpm", "sudo --preserve-env npm install -g pnpm", False),
    ],
)
def test_forcing_or_root_in_any_spelling_is_no_fix(
    tmp_path: Path, failed: str, retry: str, taught: bool
) -> None:
    from tests.mine.test_fixes import _failures

    (_, lesson), *_ = _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", "Exit code 1\nerror: failed to push some refs (permission denied)", True),
            call("t2", retry),
            result("t2", "done"),
        ],
    )
    assert (lesson.fix is not None) is taught and retry not in lesson.text


@pytest.mark.parametrize(
    ("between", "kind"),
    [
        # a cleanup of a scratch file beside the real step leaves the step the fix
        (["docker compose up -d db", "rm -f seed-output.txt"], FixKind.PREPARED),
        # a local service not started is no network that came back
        (["docker compose up -d db"], FixKind.PREPARED),
    ],
)
def test_a_local_service_started_first_is_the_fix(
    tmp_path: Path, between: list[str], kind: FixKind
) -> None:
    from tests.mine.test_fixes import _failures

    refused = 'Exit code 1\npsql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused'
    records = [call("t1", "npm run seed"), result("t1", refused, True)]
    for n, step in enumerate(between):
        records += [call(f"s{n}", step), result(f"s{n}", "ok")]
    records += [call("t2", "npm run seed"), result("t2", "Seeded 12 rows")]
    ((episode, _),) = _failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is kind


def test_rebuilt_folders_deleted_before_an_install_are_a_step_to_run_first(tmp_path: Path) -> None:
    from tests.mine.test_fixes import _failures

    ((episode, _),) = _failures(
        tmp_path,
        [
            call("t1", "npm run build"),
            result(
                "t1", "Exit code 1\nError: Cannot find module '@rollup/rollup-linux-x64-gnu'", True
            ),
            call("t2", "rm -rf node_modules package-lock.json && npm install && npm run build"),
            result("t2", "built in 2.1s"),
        ],
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED


def test_a_log_read_that_quotes_a_failed_command_did_not_fail() -> None:
    log = Event(
        seq=1,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text="build\tyarn build\terror Command failed with exit code 1. (in CI)",
        ref=SourceRef("r.jsonl", 4, 4),
        tool_name="Bash",
        exit_code=0,
    )
    assert is_success(log)


def test_errored_is_an_error_word() -> None:
    assert error_signature("Starting job\nJob errored: container OOM killed") == (
        "Job errored: container OOM killed"
    )


def _codex_rollout(
    tmp_path: Path, calls: list[tuple[str, dict, int, str]], policy: dict | None = None
):  # type: ignore[no-untyped-def,type-arg]
    """A Codex rollout of shell calls (command, extra arguments, exit code, output): its run;
    `policy`: the turn's sandbox policy, when it says one."""
    import json

    from metis_distill.sources.codex import parse_file as parse_codex

    records: list[dict] = [{"type": "session_meta", "payload": {"id": "s", "cwd": "/w"}}]  # type: ignore[type-arg]
    if policy is not None:
        records.append({"type": "turn_context", "payload": {"cwd": "/w", "sandbox_policy": policy}})
    for n, (command, extra, code, output) in enumerate(calls):
        arguments = json.dumps({"command": ["bash", "-lc", command], **extra})
        records += [
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": f"c{n}", "arguments": arguments}},
            {"type": "response_item", "payload": {"type": "function_call_output",
             "call_id": f"c{n}", "output": json.dumps(
                 {"output": output, "metadata": {"exit_code": code}})}},
        ]  # fmt: skip
    path = tmp_path / "rollout-2026-11-01T00-00-00-a.jsonl"
    stamp = {"timestamp": "2026-11-01T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
    return path, parse_codex(path, tmp_path)


def _rollout_lessons(
    tmp_path: Path, calls: list[tuple[str, dict, int, str]], policy: dict | None = None
) -> list[str]:  # type: ignore[type-arg]
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.textio import read_lines

    path, run = _codex_rollout(tmp_path, calls, policy)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    return [c.text for c in found if c.kind is LessonKind.FAILURE]


OUT = {"sandbox_permissions": "require_escalated"}


def test_a_changed_call_after_a_step_that_changed_things_shows_no_fix(tmp_path: Path) -> None:
    """Tailwind 4 has no `init`: v3 installed between the failure and the `-p` form that
    worked. Which mattered, the install or the flag? Neither is told as the fix."""
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("npx tailwindcss init", {}, 1, "npm error could not determine executable to run"),
            ("cat package.json", {}, 0, '{"name": "site"}'),
            ("npm install -D tailwindcss@3.4.4", {}, 0, "added 1 package"),
            ("npx tailwindcss init -p", {}, 0, "Created Tailwind CSS config file"),
        ],
    )
    assert "init -p" not in lesson and "(no fix seen)" in lesson


def test_a_timed_out_call_that_passed_only_once_let_out_was_the_sandboxs(tmp_path: Path) -> None:
    """The longer limit still failed (no network); let out of the sandbox it passed: the
    sandbox stopped it, not the limit."""
    timed_out = "command timed out after 10007 milliseconds"
    timeout, network = _rollout_lessons(
        tmp_path,
        [
            ("npm install zod", {}, 124, timed_out),
            (
                "npm install zod",
                {"timeout_ms": 600000},
                1,
                "npm error EAI_AGAIN registry.npmjs.org",
            ),
            ("npm install zod", {"timeout_ms": 600000, **OUT}, 0, "added 1 package"),
        ],
    )
    # the try between found no network: the timeout was the sandbox's network too, one lesson
    assert timeout == network and "600 s" not in timeout
    assert network.startswith("Codex's sandbox here has no network")


def test_a_server_out_of_reach_is_told_of_the_program_not_its_env_prefix(tmp_path: Path) -> None:
    dial = "go: example.com/m@v1: dial udp 10.0.0.1:53: socket: operation not permitted"
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("GOCACHE=$(pwd)/.cache/go-build go get example.com/m@v1", {}, 1, dial),
            ("GOCACHE=$(pwd)/.cache/go-build go get example.com/m@v1", OUT, 0, "go: added"),
        ],
    )
    assert lessons == [
        lesson for lesson in lessons if lesson.startswith("Codex's sandbox here has no network")
    ]
    assert lessons and "GOCACHE" not in lessons[0]


def test_a_step_that_reads_as_the_failed_call_is_no_remedy(tmp_path: Path) -> None:
    """Another call of the same wrapper ran between the failure and its rerun: told in its
    general form it reads as the failed call itself, which teaches nothing."""
    source = "bash --noprofile --norc -lc 'source /opt/ros/setup.bash && "
    lessons = _rollout_lessons(
        tmp_path,
        [
            (source + "rosservice info /arm/move'", {}, 1, "ERROR: unknown service /arm/move"),
            (source + "rosnode list'", {}, 0, "/rosout"),
            (source + "rosservice info /arm/move'", {}, 0, "Node: /arm"),
        ],
    )
    # (the wrapper, `bash … -lc …` as a line writes it, worked too: no line says it fails)
    assert not any("first" in lesson for lesson in lessons)


def test_steps_of_which_one_reads_as_the_failed_call_are_no_remedy(tmp_path: Path) -> None:
    """Two calls of the same wrapper between the failure and its rerun: together they say
    no more than one (`bash -lc 'source …' && bash -lc 'source …'` first)."""
    source = "bash --noprofile --norc -lc 'source /opt/ros/setup.bash && "
    lessons = _rollout_lessons(
        tmp_path,
        [
            (source + "rosservice info /arm/move'", {}, 1, "ERROR: unknown service /arm/move"),
            (source + "rosnode list'", {}, 0, "/rosout"),
            (source + "rosrun arm manager'", {}, 0, "started"),
            (source + "rosservice info /arm/move'", {}, 0, "Node: /arm"),
        ],
    )
    assert not any("first" in lesson for lesson in lessons)


def test_every_preparing_step_is_told(tmp_path: Path) -> None:
    """A settings file made from its example and its mode narrowed, then the deploy worked:
    the lesson names both steps (the first alone would fail the same way)."""
    refused = "error: config/app.yml is readable by others; refusing to deploy"
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("./deploy.sh staging", {}, 1, refused),
            ("cp config/app.example.yml config/app.yml", {}, 0, ""),
            ("chmod 600 config/app.yml", {}, 0, ""),
            ("./deploy.sh staging", {}, 0, "deployed to staging"),
        ],
    )
    assert "`cp config/app.example.yml config/app.yml && chmod 600 config/app.yml`" in lesson


def test_let_out_of_the_sandbox_the_refusal_gone_is_the_fix_whatever_the_status(
    tmp_path: Path,
) -> None:
    """`mix hex.outdated` could not open a socket inside the sandbox; let out, it printed its
    table and exited 1 (its status when updates exist): the sandbox was what stopped it."""
    eperm = (
        "** (Mix) failed to start Mix.PubSub: failed to open a TCP socket in "
        "Mix.Sync.PubSub.subscribe/1, reason: :eperm"
    )
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("mix hex.outdated", {}, 1, eperm),
            ("mix hex.outdated", OUT, 1, "Dependency  Current  Latest  Status\nphoenix  1.7.1  1.8.0  Update possible"),
        ],
    )  # fmt: skip
    assert lesson.startswith("`mix` fails inside Codex's sandbox here and works outside it")


def test_let_out_of_the_sandbox_and_failing_the_same_way_is_no_fix(tmp_path: Path) -> None:
    eperm = "** (Mix) failed to open a TCP socket, reason: :eperm"
    lessons = _rollout_lessons(
        tmp_path, [("mix hex.outdated", {}, 1, eperm), ("mix hex.outdated", OUT, 1, eperm)]
    )
    assert lessons and not any("works outside" in lesson for lesson in lessons)


def test_a_program_that_worked_inside_the_sandbox_is_not_blamed_whole(tmp_path: Path) -> None:
    """`dotnet --info` worked inside the sandbox; `dotnet restore` failed there (no error
    text) and worked let out: the restore is what the sandbox stopped, not `dotnet`."""
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("dotnet --info", {}, 0, ".NET SDK: Version: 8.0.100"),
            ("dotnet restore app.csproj -v minimal", {}, 1, "Determining projects to restore..."),
            ("dotnet restore app.csproj -v minimal", OUT, 0, "Restored app.csproj"),
        ],
    )
    assert lessons == [
        "`dotnet restore` fails inside Codex's sandbox here and works outside it; ask to run it "
        "with escalated permissions."
    ]


@pytest.mark.parametrize(
    ("first", "failed", "said", "shown"),
    [
        (  # R's own words: the path, then the refusal
            "Rscript -e 'summary(read.csv(\"data/a.csv\"))'",
            'Rscript - <<\'R\'\nwriteLines("x", "/home/ana/notes/report.ipynb")\nR',
            'Error in file(con, "w") : cannot open the connection\nIn addition: Warning '
            "message:\n  cannot open file '/home/ana/notes/report.ipynb': Permission denied",
            "under `~/`: “Permission denied”",
        ),
        (  # Python's: the refusal, then the path
            "python3 tools/tally.py data",
            "python3 tools/tally.py data --out /srv/shared/tally.csv",
            "Traceback (most recent call last):\nPermissionError: [Errno 13] Permission denied: "
            "'/srv/shared/tally.csv'",
            "under `/srv/`: “Permission denied”",
        ),
        (  # Node's: the refusal, the system call, then the path
            "node scripts/bundle.js",
            "node scripts/bundle.js --dest /opt/site/app.js",
            "Error: EROFS: read-only file system, open '/opt/site/app.js'",
            "under `/opt/`: “read-only file system”",
        ),
        (  # a Chinese locale's: the path, a full-width colon, no space, then the refusal
            "git config --get user.name",
            "git config --global user.email ana@example.org",
            "error: 无法锁定配置文件 /home/ana/.gitconfig：Permission denied",
            "under `~/`: “Permission denied”",
        ),
        (  # the refusal, a full-width colon, then the path
            "node scripts/bundle.js",
            "node scripts/bundle.js --dest /opt/site/app.js",
            "错误：EACCES: permission denied：/opt/site/app.js",
            "under `/opt/`: “permission denied”",
        ),
    ],
)
def test_a_write_outside_the_workspace_is_the_lesson_not_the_program(
    tmp_path: Path, first: str, failed: str, said: str, shown: str
) -> None:
    """The program worked inside the sandbox earlier in the run; this once it was refused a
    write to a path outside the workspace, and let out it worked: the sandbox stopped the
    write, not the program, and "`Rscript` fails inside Codex's sandbox" would send every
    later call out of it. The line names the top folder only (`~/`, not the person's own
    folders under it)."""
    lessons = _rollout_lessons(
        tmp_path,
        [(first, {}, 0, "done"), (failed, {}, 1, said), (failed, OUT, 0, "written")],
    )
    assert lessons == [
        f"Codex's sandbox here refuses writes outside the workspace ({shown}); write inside "
        "the project, or ask to run it with escalated permissions."
    ]


@pytest.mark.parametrize(
    "said",
    [
        "Error: could not save the results",  # no path named
        "cannot open file '/w/out/report.csv': Permission denied",  # inside the workspace
        "cannot open file 'out/report.csv': Permission denied",  # relative: where is unknown
    ],
)
def test_a_program_that_worked_inside_the_sandbox_is_not_blamed_for_a_refusal(
    tmp_path: Path, said: str
) -> None:
    """`Rscript` did its work inside the sandbox; a later inline script of it failed there and
    worked let out, the error naming no path outside the workspace: what the sandbox stopped
    is unknown, and the program it let run is no cause to tell."""
    script = "Rscript - <<'R'\nsaveRDS(summary(d), \"report.rds\")\nR"
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("Rscript -e 'nrow(read.csv(\"data/a.csv\"))'", {}, 0, "[1] 42"),
            (script, {}, 1, said),
            (script, OUT, 0, "saved"),
        ],
    )
    assert not any("sandbox" in lesson for lesson in lessons)


def test_a_write_outside_the_workspace_is_the_lesson_whatever_ran_before(
    tmp_path: Path,
) -> None:
    """Nothing shows the program working inside the sandbox, but the error names the path it
    was refused: the write is what the sandbox stopped, not the program."""
    said = "cannot open file '/home/ana/notes/report.ipynb': Permission denied"
    lessons = _rollout_lessons(
        tmp_path,
        [("Rscript scripts/report.R", {}, 1, said), ("Rscript scripts/report.R", OUT, 0, "ok")],
    )
    assert lessons == [
        "Codex's sandbox here refuses writes outside the workspace (under `~/`: "
        "“Permission denied”); write inside the project, or ask to run it with escalated "
        "permissions."
    ]


@pytest.mark.parametrize(
    ("policy", "sandboxs"),
    [
        ({"type": "workspace-write", "network_access": False}, True),
        ({"mode": "workspace-write"}, True),  # (an older Codex: no network unless it says so)
        ({"type": "read-only"}, True),
        ({"type": "workspace-write", "network_access": True}, False),
        ({"type": "danger-full-access"}, False),
        (None, False),  # no policy said: the host may be mistyped or the network down
    ],
)
def test_a_host_not_resolved_in_a_sandbox_without_network_is_the_sandboxs(
    tmp_path: Path,
    policy: dict | None,
    sandboxs: bool,  # type: ignore[type-arg]
) -> None:
    """`git fetch` met no DNS inside a sandbox whose policy keeps the network out, and nobody
    ran it outside: the sandbox's lesson (Codex's own file), not "`git fetch` fails here"."""
    unresolved = (
        "ssh: Could not resolve hostname github.com: Temporary failure in name resolution\n"
        "fatal: Could not read from remote repository."
    )
    (lesson,) = _rollout_lessons(
        tmp_path, [("git fetch --all --prune", {}, 128, unresolved)], policy
    )
    assert lesson.startswith("Codex's sandbox here has no network") is sandboxs
    assert ("git fetch" in lesson) is not sandboxs


def test_a_sandbox_policy_on_windows_says_nothing_of_the_network() -> None:
    """On Windows Codex's sandbox may leave the network as it is: a host not resolved there
    is no sign of the sandbox."""
    from metis_distill.sources.codex.calls import keeps_network_out

    policy = {"type": "workspace-write", "network_access": False}
    assert keeps_network_out(policy, "/home/u/app")
    assert not keeps_network_out(policy, "C:\\Users\\u\\app")
    assert not keeps_network_out(policy, "c:/Users/u/app")


def test_a_call_let_out_of_the_sandbox_is_not_offline(tmp_path: Path) -> None:
    policy = {"type": "workspace-write", "network_access": False}
    _, run = _codex_rollout(
        tmp_path, [("git fetch", {}, 128, "x"), ("git fetch", OUT, 0, "")], policy
    )
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [c.offline for c in calls] == [True, False]


@pytest.mark.parametrize(
    ("command", "where"),
    [
        ("node scripts/proxy.mjs", "127.0.0.1:43172"),
        ("npx tsx watch src/main.ts", "/var/folders/q/tsx-501/1.pipe"),
    ],
)
def test_a_listen_the_sandbox_refused_is_told_of_the_sandbox_not_the_script(
    tmp_path: Path, command: str, where: str
) -> None:
    """A proxy script could not listen inside the sandbox and listened once let out: the
    lesson is the sandbox's refusal to listen, for every server, not one script's."""
    refused = (
        f"node:events:486\n      throw er;\n\nError: listen EPERM: operation not permitted {where}"
    )
    (lesson,) = _rollout_lessons(
        tmp_path, [(command, {}, 1, refused), (command, OUT, 0, "listening on " + where)]
    )
    assert lesson.startswith("Codex's sandbox here lets no program listen")
    assert command.split()[1] not in lesson


def test_a_python_server_started_with_settings_kept_from_binding_is_the_no_listen_lesson(
    tmp_path: Path,
) -> None:
    """A Python server, started with a setting before it, died on its socket's `bind` inside
    the sandbox and served once let out: the sandbox's refusal to listen, not a line about
    the setting (the first word of the command) failing."""
    command = "APP_PORT=8001 python3 app/server.py --no-browser"
    refused = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3.12/socketserver.py", line 473, in server_bind\n'
        "    self.socket.bind(self.server_address)\n"
        "PermissionError: [Errno 1] Operation not permitted"
    )
    (lesson,) = _rollout_lessons(
        tmp_path,
        [(command, {}, 1, refused), (command, OUT, 0, "serving at http://localhost:8001/")],
    )
    assert lesson.startswith("Codex's sandbox here lets no program listen")
    assert "APP_PORT" not in lesson


_LISTEN_REFUSED = (
    "node:events:486\n      throw er;\n\nError: listen EPERM: operation not permitted 0.0.0.0:8080"
)


def _asked_rollout(tmp_path: Path, steps: list[tuple[str, object]]) -> tuple[Path, Run]:
    """A Codex 0.12x rollout: ("run", (command, exit code, output)) a shell call and its
    output, ("ask", answer) a `request_permissions` call for the network and its answer,
    ("turn", None) a new turn."""
    import json

    from metis_distill.sources.codex import parse_file as parse_codex

    policy = {"type": "workspace-write", "network_access": False}
    turn = {"type": "turn_context", "payload": {"cwd": "/w", "sandbox_policy": policy}}
    records: list[dict] = [{"type": "session_meta", "payload": {"id": "s", "cwd": "/w"}}, turn]  # type: ignore[type-arg]
    for n, (what, detail) in enumerate(steps):
        if what == "turn":
            records.append(turn)
        elif what == "ask":
            asked = {"permissions": {"network": {"enabled": True}}, "reason": "a local server"}
            records += [
                {"type": "response_item", "payload": {"type": "function_call",
                 "name": "request_permissions", "call_id": f"p{n}",
                 "arguments": json.dumps(asked)}},
                {"type": "response_item", "payload": {"type": "function_call_output",
                 "call_id": f"p{n}", "output": json.dumps(detail)}},
            ]  # fmt: skip
        else:
            assert isinstance(detail, tuple)
            command, code, output = detail
            records += [
                {"type": "response_item", "payload": {"type": "function_call",
                 "name": "exec_command", "call_id": f"c{n}",
                 "arguments": json.dumps({"cmd": command, "workdir": "/w"})}},
                {"type": "response_item", "payload": {"type": "function_call_output",
                 "call_id": f"c{n}", "output": "Chunk ID: 1a2b3c\nWall time: 0.1 seconds\n"
                 f"Process exited with code {code}\nOriginal token count: 9\nOutput:\n{output}"}},
            ]  # fmt: skip
    path = tmp_path / "rollout-2026-11-02T00-00-00-b.jsonl"
    stamp = {"timestamp": "2026-11-02T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
    return path, parse_codex(path, tmp_path)


_GRANTED = {"permissions": {"network": {"enabled": True}, "file_system": None}, "scope": "turn"}


def test_a_call_after_the_network_was_granted_for_the_turn_runs_let_out(tmp_path: Path) -> None:
    """Codex 0.12x grants permissions with a call of its own, `request_permissions`, for the
    rest of the turn: the same server started after it, and listening, was let out."""
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.textio import read_lines

    path, run = _asked_rollout(
        tmp_path,
        [
            ("run", ("node server.js", 1, _LISTEN_REFUSED)),
            ("ask", _GRANTED),
            ("run", ("node server.js", 0, "listening on http://localhost:8080")),
        ],
    )
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert [(c.escalated, c.offline) for c in calls] == [(False, True), (True, False)]
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    (lesson,) = RulesExtractor().extract(run, episodes, read_lines(path))
    assert lesson.text.startswith("Codex's sandbox here lets no program listen")
    assert lesson.fix and lesson.evidence.shows_fix


@pytest.mark.parametrize(
    "steps",
    [
        # the request turned down: nothing granted
        [("ask", {"permissions": {"network": None, "file_system": None}, "scope": "turn"})],
        [("ask", "request denied by user")],
        # granted in a turn now over
        [("ask", _GRANTED), ("turn", None)],
    ],
)
def test_no_grant_for_this_turn_leaves_the_call_in_the_sandbox(
    tmp_path: Path, steps: list[tuple[str, object]]
) -> None:
    _, run = _asked_rollout(tmp_path, [*steps, ("run", ("node server.js", 0, "listening"))])
    (called,) = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    assert not called.escalated and called.offline


def test_a_flag_added_after_the_sandbox_refused_a_listen_shows_no_edit_fixed_it(
    tmp_path: Path,
) -> None:
    """`node server.js --init-only` passing after an edit proves nothing of the refused
    listen: the flag makes the server open no port at all."""
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.textio import read_lines

    path, run = _asked_rollout(
        tmp_path,
        [
            ("run", ("node server.js", 1, _LISTEN_REFUSED)),
            ("run", ("sed -i s/3000/8080/ server.js", 0, "")),
            ("run", ("node server.js --init-only && sqlite3 app.db .tables", 0, "users")),
        ],
    )
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert [e.fix for e in episodes] == [None]
    found = RulesExtractor().extract(run, episodes, read_lines(path))
    assert not any("edited" in c.text or "--init-only" in c.text for c in found)


def test_nugets_unreachable_feed_is_the_sandboxs_missing_network(tmp_path: Path) -> None:
    nu1301 = (
        "error NU1301: Unable to load the service index for source "
        "https://api.nuget.org/v3/index.json."
    )
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("dotnet restore app.csproj", {}, 1, nu1301),
            ("dotnet restore app.csproj", OUT, 0, "Restored app.csproj"),
        ],
    )
    assert lesson.startswith("Codex's sandbox here has no network")


def test_let_out_of_the_sandbox_and_timed_out_is_no_fix(tmp_path: Path) -> None:
    """Let out of the sandbox, `make compose-up` no longer met the socket's refusal, but ran
    out of time: it never did its work."""
    refused = "permission denied while trying to connect to the Docker daemon socket"
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("make compose-up", {}, 2, refused),
            ("make compose-up", OUT, 124, "Exit code: 124\nWall time: 120 seconds"),
        ],
    )
    assert not any("works outside" in lesson for lesson in lessons)


BWRAP = "bwrap: Failed to make / slave: Permission denied"


@pytest.mark.parametrize("first", ["pwd && rg --files src", "ps -eo pid,cmd && nvidia-smi"])
def test_a_sandbox_whose_launcher_fails_is_the_machines_not_the_programs(
    tmp_path: Path, first: str
) -> None:
    """bubblewrap could not start: whatever the call ran failed inside the sandbox, so the
    lesson is the sandbox's on this machine, one for every program, never "`pwd` fails"."""
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("ls src", {}, 0, "a.py"),  # ran where no sandbox was asked for
            (first, {}, 1, BWRAP),
            (first, OUT, 0, "/w\nsrc/a.py"),
        ],
    )
    assert lessons == [
        "Codex's sandbox cannot start on this machine (its launcher fails: “bwrap: …”): every "
        "command run inside it fails, whatever it runs, and `apply_patch` too; ask to run "
        "commands with escalated permissions."
    ]


def test_a_program_bubblewrap_could_not_find_is_no_sandbox_lesson(tmp_path: Path) -> None:
    lessons = _rollout_lessons(
        tmp_path, [("cargo build", {}, 1, "bwrap: execvp cargo: No such file or directory")]
    )
    assert all("sandbox" not in lesson for lesson in lessons)


def test_every_file_a_patch_changed_is_named(tmp_path: Path) -> None:
    patch = (
        "apply_patch <<'PATCH'\n*** Begin Patch\n*** Update File: Tests/RequestTests.swift\n"
        "@@\n-let a = 1\n+let a = 2\n*** Update File: Tests/LocalizationTests.swift\n@@\n"
        "-Bundle.main\n+Bundle.module\n*** End Patch\nPATCH"
    )
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("swift test", {}, 1, "LocalizationTests.swift:25: error: XCTUnwrap failed"),
            (patch, {}, 0, "Success. Updated the following files:"),
            ("swift test", {}, 0, "Executed 42 tests, with 0 failures"),
        ],
    )
    assert lesson.endswith("(`RequestTests.swift`, `LocalizationTests.swift`).")


@pytest.mark.parametrize(
    "calls",
    [
        # already outside the sandbox: the project's own launcher script failed
        [
            ("./scripts/sandbox-run.sh job.py", OUT, 1, "bwrap: Can't find source path /opt/m"),
            ("mkdir -p /opt/m && ./scripts/sandbox-run.sh job.py", OUT, 0, "job done"),
        ],
        # a failing test printed bubblewrap's words; the sandbox itself started
        [
            (
                "cargo test -p linux-sandbox",
                {},
                101,
                "test denies_write ... FAILED\nbwrap: Can't mount proc on /newroot/proc\n"
                "test result: FAILED. 11 passed; 1 failed",
            ),
            ("cargo test -p linux-sandbox", {}, 0, "test result: ok. 12 passed; 0 failed"),
        ],
    ],
)
def test_bubblewraps_words_from_what_the_call_ran_are_no_sandbox_lesson(
    tmp_path: Path,
    calls: list[tuple[str, dict, int, str]],  # type: ignore[type-arg]
) -> None:
    assert all("sandbox cannot start" not in lesson for lesson in _rollout_lessons(tmp_path, calls))


def test_gh_unable_to_connect_is_the_sandboxs_missing_network(tmp_path: Path) -> None:
    refused = "error connecting to api.github.com\ncheck your internet connection"
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("gh auth login --hostname github.com --web", {}, 1, refused),
            ("gh auth login --hostname github.com --web", OUT, 0, "✓ Logged in as octo"),
        ],
    )
    assert lesson.startswith("Codex's sandbox here has no network")


FOUND = "The root cause was that the pre-commit hook runs prettier and rewrites staged files."


@pytest.mark.parametrize(
    "look",
    [
        call("b1", "cat .husky/pre-commit"),
        call("b1", "git diff"),
        read("b1", "/w/.husky/pre-commit"),
    ],
)
def test_the_edited_file_read_back_through_the_shell_checks_nothing(
    tmp_path: Path,
    look: dict,  # type: ignore[type-arg]
) -> None:
    from tests.mine.test_statements import _lessons

    records = [
        edit("e1", ".husky/pre-commit", "npx prettier", "npx prettier --check"),
        result("e1", "The file .husky/pre-commit has been updated successfully."),
        look,
        result("b1", "npx prettier --check"),
        say("assistant", FOUND),
        say("user", "ok"),
    ]
    assert _lessons(tmp_path, records) == []


def test_a_cause_found_reading_another_file_after_an_edit_is_a_finding(tmp_path: Path) -> None:
    from tests.mine.test_statements import _lessons

    records = [
        edit("e1", "src/cli.py", "import a", "import b"),
        result("e1", "The file src/cli.py has been updated successfully."),
        read("r1", "src/db.py"),
        result("r1", "1\tengine = create_engine(url)"),
        say("assistant", FOUND),
    ]
    assert _lessons(tmp_path, records) != []


@pytest.mark.parametrize(
    ("records", "kept"),
    [
        # the cause found, nothing said against it
        ([say("assistant", FOUND)], True),
        # the user's next words say the problem is still there, in any language
        ([say("assistant", FOUND), say("user", "проблема осталась")], False),
        ([say("assistant", FOUND), say("user", "Still failing with the same error.")], False),
        ([say("assistant", FOUND), say("user", "还是不行")], False),
        ([say("assistant", FOUND), say("user", "Nope")], False),
        ([say("assistant", FOUND), say("user", "Nope ➜ app git:(main) ✗ npm run build")], False),
        # what the fix was to bring about is still missing
        ([say("assistant", FOUND), say("user", "[Image #1] still not there")], False),
        ([say("assistant", FOUND), say("user", "The badge is still not showing.")], False),
        # the user asks about something else first ("… still work"), then says it still fails
        (
            [
                say("assistant", FOUND),
                say("user", "will my old commits still work or do I need to redo them"),
                say("assistant", "Your old commits stay as they are; only new ones are checked."),
                say("user", "still getting the same error when I commit"),
            ],
            False,
        ),
        # ... or then that it works
        (
            [
                say("assistant", FOUND),
                say("user", "will my old commits still work or do I need to redo them"),
                say("assistant", "Your old commits stay as they are; only new ones are checked."),
                say("user", "ok, the commit went through now"),
            ],
            True,
        ),
        # a reply that opens with "No" and says it works now
        (
            [say("assistant", FOUND), say("user", "No errors anymore, the commit went through.")],
            True,
        ),
        ([say("assistant", FOUND), say("user", "No sé por qué pasaba, pero ya funciona.")], True),
        # ... but a reply that takes the cause as the answer keeps it
        ([say("assistant", FOUND), say("user", "Понятно, вот почему не работает коммит.")], True),
        ([say("assistant", FOUND), say("user", "原来如此，我之前没用过 husky。")], True),
        ([say("assistant", FOUND), say("user", "¡Ah! Por eso no funciona. Gracias.")], True),
        ([say("assistant", FOUND), say("user", "Makes sense. Still, add a test for it.")], True),
        # an edit read back is no check: the cause is what the agent hopes the edit fixed
        (
            [
                edit("e1", ".husky/pre-commit", "npx prettier", "npx prettier --check"),
                result("e1", "The file .husky/pre-commit has been updated successfully."),
                read("r1", ".husky/pre-commit"),
                result("r1", "1\tnpx prettier --check"),
                say("assistant", FOUND),
                say("user", "ok"),
            ],
            False,
        ),
    ],
)
def test_a_cause_the_user_says_did_not_fix_it_is_no_gotcha(
    tmp_path: Path,
    records: list[dict],
    kept: bool,  # type: ignore[type-arg]
) -> None:
    from tests.mine.test_statements import _lessons

    assert (_lessons(tmp_path, records) != []) is kept


_FLOAT_IDS = "The problem was that the ids in the cache table are floats, so `row.id` reads `7.0`."
_TRIED = [call("b1", "python3 check_lookup.py"), result("b1", "lookup ok: 3 rows")]


@pytest.mark.parametrize(
    ("between", "later", "kept"),
    [
        # another cause named before the first was acted on: the first was a wrong lead
        (_TRIED, "The lookup works. The issue was the sample ids I typed into my check.", False),
        (_TRIED, "Actually, the problem is the sample ids typed into the check script.", False),
        # the same cause said again, or shorter
        (_TRIED, "The problem was the cache table keeping the ids as floats.", True),
        (_TRIED, "So the issue was the float ids.", True),
        # the end told, no other cause
        (_TRIED, "The issue was resolved by casting the ids when the cache is read.", True),
        # acted on by a command, then the next problem failing: its cause is its own
        (
            [
                call("c1", "python3 fix_ids.py"),
                result("c1", "fixed 3 rows"),
                call("c2", "python3 check_lookup.py"),
                result("c2", "Exit code 1\nKeyError: 'owner'", True),
            ],
            "The issue was that the owners table has no row for the sample account.",
            True,
        ),
        # the first cause acted on, then the next problem's cause
        (
            [
                edit("e1", "cache.py", "row.id", "int(row.id)"),
                result("e1", "The file cache.py has been updated successfully."),
                *_TRIED,
            ],
            "The issue was that the export job writes its rows without a header line.",
            True,
        ),
    ],
)
def test_a_cause_the_agent_takes_back_with_another_is_no_gotcha(
    tmp_path: Path,
    between: list[dict],  # type: ignore[type-arg]
    later: str,
    kept: bool,
) -> None:
    from tests.mine.test_statements import _lessons

    records = [say("assistant", _FLOAT_IDS), *between, say("assistant", later)]
    found = [text for _, text in _lessons(tmp_path, records)]
    assert any("are floats" in text for text in found) is kept


@pytest.mark.parametrize(
    "said",
    [
        # "read only" is a kind of query, not "only" choosing among options
        "I want you to give me a read only query that checks the users in the CSV exist.",
        "I want you to show me the read-only replicas only for staging.",
        # a choice said inside a question the user puts: asked, not decided
        "Sorry i dont want a new view, just want the default list view by filtering and order "
        "as I request, or this cover that? also the stages to display are listed below.",
    ],
)
def test_a_request_for_a_thing_is_no_choice(tmp_path: Path, said: str) -> None:
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("user", said)]) == []


def test_with_no_error_line_the_line_saying_what_is_missing_is_the_error() -> None:
    output = "Exit code 1\nCurrent branch: feat-x\nNo open PR found for branch: feat-x"
    assert error_signature(output) == "No open PR found for branch: feat-x"


def test_a_run_that_worked_on_another_branch_states_no_way(tmp_path: Path) -> None:
    """The script needed a branch with an open PR: another branch, checked out first, is that
    day's other work, never "run `git checkout …` first"."""
    from tests.mine.test_fixes import _failures

    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "script/ci_failures --details"),
            result(
                "t1",
                "Exit code 1\nCurrent branch: feat-a\nNo open PR found for branch: feat-a",
                True,
            ),
            call("t2", "git checkout feat-b && script/ci_failures --details"),
            result("t2", "Current branch: feat-b\nFound PR #17961\n3 failing tests"),
        ],
    )
    assert lesson.fix is None and "git checkout" not in lesson.text
    assert lesson.text.endswith("(it worked on another branch).")


def test_a_way_that_opens_like_the_failed_command_is_not_told_as_its_way(
    tmp_path: Path,
) -> None:
    from tests.mine.test_fixes import _failures

    ((episode, lesson),) = _failures(
        tmp_path,
        [
            call(
                "t1", "php artisan test tests/Unit/ContentSystemTest.php::content_handles_archiving"
            ),
            result(
                "t1",
                'INFO  Test file "tests/Unit/ContentSystemTest.php::content_handles_archiving" not found.',
                True,
            ),
            call(
                "t2",
                'php artisan test tests/Unit/ContentSystemTest.php --filter="content_handles_archiving"',
            ),
            result(
                "t2",
                "PASS  Tests\\Unit\\ContentSystemTest\n  ✓ content handles archiving\n  Tests:    1 passed",
            ),
        ],
    )
    assert "use `php artisan test …` instead" not in lesson.text


_NO_FOLDER_PS = (
    "Set-Content : Could not find a part of the path 'C:\\w\\tests\\e2e\\test_a.py'.\n"
    "    + CategoryInfo          : ObjectNotFound: (C:\\w\\...test_a.py:String) [Set-Content], "
    "DirectoryNotFoundException"
)
_WRITE_PS = '$content = @"\nimport json\n"@\nSet-Content -Path tests/e2e/test_a.py -Value $content'


@pytest.mark.parametrize(
    ("command", "output", "fails"),
    [
        (_WRITE_PS, _NO_FOLDER_PS, False),
        ("python gen.py > out/a.txt", "/bin/bash: line 1: out/a.txt: No such file or directory", False),
        # zsh says it the other way round; a chain that opens with the write never ran the rest
        ("python gen.py > out/a.txt", "zsh:1: no such file or directory: out/a.txt", False),
        ("echo 'k=1' > out/a.env && ./run.sh --env out/a.env", "(eval):1: no such file or directory: out/a.env", False),
        # a step before the write may have been meant to make its folder: a failure still
        ("make gen && python gen.py > out/a.txt", "zsh:1: no such file or directory: out/a.txt", True),
        # the steps after `;` ran: what they said may be a failure of their own
        ("echo 'k=1' > out/a.env; pytest -q", "zsh:1: no such file or directory: out/a.env\nE   assert 1 == 2", True),
        # a missing folder the program was asked to read is another matter
        ("python tools/run.py --in data/a.csv", "FileNotFoundError: data/a.csv: No such file or directory", True),
        ("Get-Content a.txt | python x.py", _NO_FOLDER_PS.replace("Set-Content", "Import-Csv"), True),
        # a scratch file whose name holds a connection's or a mount's word is still a file
        ("python gen.py --in /tmp/connect.log", "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/connect.log'", False),
        ("node tools/sum.js /tmp/mount-notes.txt", "Error: ENOENT: no such file or directory, open '/tmp/mount-notes.txt'", False),
        # other programs' words for a scratch file not there
        ("python3 /tmp/tally.py", "python3: can't open file '/tmp/tally.py': [Errno 2] No such file or directory", False),
        ("java -cp app.jar Main /tmp/rows.txt", 'Exception in thread "main" java.io.FileNotFoundException: /tmp/rows.txt (No such file or directory)', False),
        ("mv /tmp/draft.md notes/draft.md", "mv: cannot move '/tmp/draft.md' to 'notes/draft.md': No such file or directory", False),
        ("open /tmp/chart.html", "The file /tmp/chart.html does not exist.", False),
    ],
)  # fmt: skip
def test_a_file_written_into_a_folder_not_made_yet_is_no_failure(
    tmp_path: Path, command: str, output: str, fails: bool
) -> None:
    # the folder made and the write done again is the agent's own order of steps
    records = [
        call("w1", command),
        result("w1", output, True),
        call("m1", "mkdir -p tests/e2e out"),
        result("m1", ""),
        call("w2", command),
        result("w2", ""),
    ]
    assert bool(failures(tmp_path, records)) is fails


@pytest.mark.parametrize(
    ("command", "output", "fails"),
    [
        # zsh's own words for a write into a scratch folder never made, the chain's program unrun
        (
            'printf "MODE=dev\\n" > /tmp/probe-home/.env && HOME_DIR=/tmp/probe-home ./tools/launch.sh --help | head -5',
            "Exit code 1\n(eval):1: no such file or directory: /tmp/probe-home/.env",
            False,
        ),
        # a file below a scratch folder the call named, read by a program of the project
        (
            "python tools/report.py --out /private/tmp/rep1",
            "FileNotFoundError: [Errno 2] No such file or directory: '/private/tmp/rep1/summary.json'",
            False,
        ),
        # macOS's temporary folder, named through $TMPDIR
        (
            'node scripts/pack.js > "$TMPDIR/pack-run/out.txt"',
            "zsh:1: no such file or directory: /var/folders/q1/zz9_b/T/pack-run/out.txt",
            False,
        ),
        # a Chinese locale's words: the path, then a full-width colon with no space
        (
            "git commit -F /tmp/msg-d.txt",
            "fatal: 不能打开 '/tmp/msg-d.txt'：No such file or directory",
            False,
        ),
        (
            "python tools/report.py --out /tmp/rep-f",
            "错误：/tmp/rep-f/summary.json：No such file or directory",
            False,
        ),
        # a temporary path the call never named is the program's own: a failure still
        (
            "go test ./...",
            "open /tmp/go-build4471/b001/exe/app.test: no such file or directory",
            True,
        ),
        # a missing path of the project's, beside a scratch path the call named
        (
            "python tools/report.py --in data/a.csv --out /tmp/rep2",
            "FileNotFoundError: [Errno 2] No such file or directory: 'data/a.csv'",
            True,
        ),
        # a file the program was to write below a scratch folder it made up: no redirect, so
        # the scratch rule alone says it
        (
            "python tools/gen.py --out /tmp/gen-a/rows.json",
            "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/gen-a/rows.json'",
            False,
        ),
        # the call made the folder before its program looked: what the program could not see
        # is the machine's (a Docker daemon in a VM that does not share /tmp)
        (
            "mkdir -p /tmp/dbfiles && docker run --rm -v /tmp/dbfiles:/var/lib/mysql mysql:8",
            'docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /tmp/dbfiles.',
            True,
        ),
        (
            "mkdir -p /tmp/gen-b && python tools/gen.py --out /tmp/gen-b/rows.json",
            "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/gen-b/rows.json'",
            True,
        ),
        # a file the call wrote, then its program could not open: not the run's slip
        (
            "echo '{}' > /tmp/seed-c.json && python tools/load.py /tmp/seed-c.json",
            "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/seed-c.json'",
            True,
        ),
        # a socket not there is a server not up, not a file the run forgot to make
        (
            "redis-cli -s /tmp/cache.sock ping",
            "Could not connect to Redis at /tmp/cache.sock: No such file or directory",
            True,
        ),
        (
            "psql -h /tmp/pgrun -d shop -c 'select 1'",
            'psql: error: connection to server on socket "/tmp/pgrun/.s.PGSQL.5432" failed: No such file or directory',
            True,
        ),
    ],
)  # fmt: skip
def test_a_scratch_path_of_the_call_s_own_in_the_temporary_folder_missing_is_no_failure(
    tmp_path: Path, command: str, output: str, fails: bool
) -> None:
    # a path under /tmp the call itself made up, not there: the run's own slip, no lesson
    records = [
        call("w1", command),
        result("w1", output, True),
        call("m1", "mkdir -p /tmp/probe-home /private/tmp/rep1 /tmp/rep2"),
        result("m1", ""),
        call("w2", "mkdir -p /tmp/probe-home && " + command),
        result("w2", "usage: launch.sh [options]"),
    ]
    assert bool(failures(tmp_path, records)) is fails


def test_a_powershell_rewrite_of_the_code_is_an_edit_not_a_step_first(tmp_path: Path) -> None:
    # `(Get-Content f) -replace … | Set-Content f` changed the code the tests ran
    rewrite = (
        "$files = @('a.py','b.py'); foreach ($file in $files) { (Get-Content $file) -replace "
        "'HTTP_413_CONTENT_TOO_LARGE','HTTP_413_REQUEST_ENTITY_TOO_LARGE' | Set-Content $file }"
    )
    records = [
        call("t1", "python -m pytest"),
        result("t1", "E AttributeError: module 'starlette.status' has no attribute 'X'", True),
        call("e1", rewrite),
        result("e1", ""),
        call("t2", "python -m pytest"),
        result("t2", "3 passed in 0.1s"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


def test_a_call_issued_beside_the_failed_one_is_no_step_of_its_fix(tmp_path: Path) -> None:
    # both sent at once: the other page's check answered no error; the install did
    batch = [
        {"type": "tool_use", "id": "b1", "name": "Bash", "input": {"command": "npm run build"}},
        {
            "type": "tool_use",
            "id": "f1",
            "name": "Bash",
            "input": {"command": "curl -I -sS http://127.0.0.1:8501"},
        },
    ]
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("b1", "sh: 1: vite: not found", True),
        result("f1", "HTTP/1.1 200 OK"),
        call("i1", "npm install"),
        result("i1", "added 120 packages in 4s"),
        call("b2", "npm run build"),
        result("b2", "vite v5.4.0 building for production...\n✓ built in 1.2s"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert [step.text for step in episode.fix.steps] == ["npm install"]


def test_a_script_written_anew_before_it_ran_again_is_an_edit_not_a_retry(
    tmp_path: Path,
) -> None:
    # `cat <<EOF > fix.py … EOF` then `python3 fix.py`, twice, with another script the second time
    def written(body: str) -> str:
        return f"cat <<EOF > fix.py\nimport sys\n{body}\nEOF\npython3 fix.py"

    records = [
        call("w1", written("line = 613")),
        result("w1", "Error: Line 613 does not match expected content.", True),
        call("w2", written("line = 616")),
        result("w2", "Successfully modified pylint/lint/pylinter.py"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


def test_a_service_started_before_the_request_that_was_refused_is_its_step(
    tmp_path: Path,
) -> None:
    # the project's way to bring its service up is a step worth telling
    health = "curl -s localhost:9200/_cluster/health"
    refused = "curl: (7) Failed to connect to localhost port 9200: Connection refused"
    started = ("docker compose up -d elasticsearch", "Container es-1  Started")
    records = _three(health, refused, *started, health, '{"status":"green"}')
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED


def test_an_install_sent_beside_the_failed_call_is_still_its_step(tmp_path: Path) -> None:
    # Claude Code runs the calls of one message in turn: the install ran after the failure
    batch = [
        {
            "type": "tool_use",
            "id": "t1",
            "name": "Bash",
            "input": {"command": "python -m pytest -q"},
        },
        {"type": "tool_use", "id": "i1", "name": "Bash", "input": {"command": "pip install -e ."}},
    ]
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("t1", "ModuleNotFoundError: No module named 'myapp'", True),
        result("i1", "Successfully installed myapp-0.1"),
        call("t2", "python -m pytest -q"),
        result("t2", "3 passed in 0.2s"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and [s.text for s in episode.fix.steps] == ["pip install -e ."]


def _bash(tool_id: str, command: str) -> dict:  # type: ignore[type-arg]
    return {"type": "tool_use", "id": tool_id, "name": "Bash", "input": {"command": command}}


def test_a_check_sent_beside_the_failed_call_is_no_step_of_its_fix(tmp_path: Path) -> None:
    # the style check, the type check and the tests sent in one message; only the style check
    # failed, and the formatter run on what it named (its own fixer) is what let it through
    batch = [
        _bash("s1", "black --check ."),
        _bash("m1", "python -m mypy pkg"),
        _bash("t1", "python -m pytest -q"),
    ]
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("s1", "would reformat pkg/cli.py\nOh no! 1 file would be reformatted.", True),
        result("m1", "Success: no issues found in 9 source files"),
        result("t1", "21 passed in 0.4s"),
        call("f1", "black pkg/cli.py"),
        result("f1", "reformatted pkg/cli.py\nAll done! 1 file reformatted."),
        call("s2", "black --check . && python -m pytest -q"),
        result("s2", "All done! 9 files would be left unchanged.\n21 passed in 0.4s"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.FIXER
    assert [step.text for step in episode.fix.steps] == ["black pkg/cli.py"]


def test_only_checks_sent_beside_the_failed_call_tell_no_fix(tmp_path: Path) -> None:
    # the lint failed; the tests sent beside it ran after it (in turn), then the lint passed:
    # no "run the tests first", and no "run again" either (what changed is unseen)
    batch = [_bash("l1", "npx eslint src"), _bash("t1", "npx vitest run")]
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("l1", "src/app.ts\n  3:1  error  Parsing error: Unexpected token", True),
        result("t1", "Test Files  3 passed (3)"),
        call("l2", "npx eslint src"),
        result("l2", "Done in 1.2s"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is None


def test_tests_run_through_a_project_script_beside_the_failed_call_may_be_its_step(
    tmp_path: Path,
) -> None:
    # `npm test` sent beside the failed call builds first (its `pretest`): it may be what made
    # the missing file, so it stays a step of the fix
    batch = [_bash("r1", "node build/server.js"), _bash("t1", "npm test")]
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("r1", "Error: Cannot find module '/srv/app/build/server.js'", True),
        result("t1", "> pretest\n> tsc -p .\n\n> test\n> jest\n\nTests: 6 passed, 6 total"),
        call("m1", "mkdir -p build/cache"),
        result("m1", "(Bash completed with no output)"),
        call("r2", "node build/server.js"),
        result("r2", "listening on 8080"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED
    assert [step.text for step in episode.fix.steps] == ["npm test", "mkdir -p build/cache"]


@pytest.mark.parametrize(
    ("step", "check"),
    [
        ("pnpm exec vitest run", True),
        ("yarn jest", True),
        ("bun test", True),
        ("npm test", False),  # its `pretest` may build
        ("CI=1 pnpm run test:unit", False),
    ],
)
def test_tests_run_by_the_tool_itself_are_a_check_and_by_a_script_are_not(
    step: str, check: bool
) -> None:
    from metis_distill.mine.fixes import _only_checks

    assert _only_checks(step) is check


def test_npm_lines_that_only_point_at_its_log_tell_no_failure(tmp_path: Path) -> None:
    # `| tail -3` left npm 10's log pointers alone: what went wrong is not in the output
    pointers = (
        "npm error For a full report see:\n"
        "npm error /home/ana/.npm/_logs/2026-01-02T10_00_00_000Z-eresolve-report.txt\n"
        "npm error A complete log of this run can be found in: "
        "/home/ana/.npm/_logs/2026-01-02T10_00_00_000Z-debug-0.log"
    )
    records = [
        call("i1", "npm install chart.js --save 2>&1 | tail -3"),
        result("i1", pointers),
        call("i2", "npm install chart.js --save --legacy-peer-deps 2>&1 | tail -3"),
        result("i2", "added 1 package in 2s"),
    ]
    assert failures(tmp_path, records) == []


def test_a_search_naming_a_write_cmdlet_is_no_edit(tmp_path: Path) -> None:
    search = ("rg -n 'Set-Content' scripts/", "scripts/deploy.ps1:12:Set-Content -Path $out")
    missing = "bash: pytest: command not found"
    records = _three("pytest -q", missing, *search, "uv run pytest -q", "14 passed in 0.5s")
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED


def test_a_folder_missing_for_another_program_than_the_write_is_a_failure(
    tmp_path: Path,
) -> None:
    # the call wrote a file first, but what failed was the tests, on a folder of their own
    command = "Set-Content -Path .env -Value 'MODE=test'; dotnet test"
    error = (
        "System.IO.DirectoryNotFoundException: Could not find a part of the path "
        "'/w/App/wwwroot/templates'."
    )
    built = ("dotnet build -t:CopyTemplates", "Build succeeded.")
    records = _three(command, error, *built, command, "Passed!  - Failed: 0, Passed: 12")
    assert failures(tmp_path, records)


def test_a_probe_of_which_runtimes_answer_is_no_way_past_the_store_stub(tmp_path: Path) -> None:
    # `python3` is Windows' Store stub; asking versions down a `||` chain found node, no Python
    stub = (
        "Exit code 49\nPython was not found; run without arguments to install from the "
        "Microsoft Store, or disable this shortcut from Settings > Apps > Advanced app settings "
        "> App execution aliases."
    )
    probe = "py -3 --version 2>/dev/null || python --version 2>/dev/null || node --version"
    records = [
        call("p1", "python3 - << 'EOF'\nimport zlib\nprint('ok')\nEOF"),
        result("p1", stub, True),
        call("v1", probe),
        result("v1", "v25.7.0"),
        call("n1", "node - << 'EOF'\nconsole.log('OK')\nEOF"),
        result("n1", "OK"),
    ]
    found = failures(tmp_path, records)
    assert found and all(e.fix is None or e.fix.call.text != probe for e in found)


def _aider_corrections(tmp_path: Path, texts: list[str]) -> list[str]:
    from metis_distill.sources.aider import parse_file as parse_aider

    path = tmp_path / "p" / ".aider.chat.history.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    run = parse_aider(path, tmp_path)
    return [e.sentence for e in find_episodes(run) if e.signal == "correction"]


_AIDER_REPLY = [
    "# aider chat started at 2025-03-01 10:00:00",
    "",
    "#### make the carousel scrollable  ",
    "",
    "I made the carousel scroll sideways.",
    "",
    "> Applied edit to client/src/App.js  ",
    "> Commit c4bc72a feat: scrollable carousel  ",
]


@pytest.mark.parametrize(
    ("declined", "said", "corrects"),
    [
        # the next task, after a suggested command the user did not want run now
        ("npm start", "Rather than images, can you show each recipe's name on its card?", False),
        # words about the command declined
        ("pytest -q", "No, always run the tests with uv run pytest so the venv is used.", True),
    ],
)
def test_an_aider_command_declined_is_corrected_only_by_words_about_it(
    tmp_path: Path, declined: str, said: str, corrects: bool
) -> None:
    texts = [
        *_AIDER_REPLY,
        f"> {declined}  ",
        "> Run shell command? (Y)es/(N)o [Yes]: n  ",
        "",
        f"#### {said}  ",
        "",
    ]
    assert bool(_aider_corrections(tmp_path, texts)) is corrects


def test_a_ctrl_c_before_the_agent_did_anything_stops_nothing(tmp_path: Path) -> None:
    texts = [
        "# aider chat started at 2025-03-01 10:00:00",
        "",
        "> Main model: gpt-4o with diff edit format  ",
        ">  ",
        "> ^C again to exit  ",
        "",
        "#### Use chain of thought reasoning, and think out loud. Fix the spacing in App.js.  ",
        "",
        "I adjusted the margins.",
        "",
    ]
    assert _aider_corrections(tmp_path, texts) == []


def _three(failed: str, error: str, step: str, said: str, retry: str, out: str) -> list[dict]:  # type: ignore[type-arg]
    """A call that failed, one call after it, and a later call."""
    return [
        call("a1", failed),
        result("a1", error, True),
        call("b1", step),
        result("b1", said),
        call("a2", retry),
        result("a2", out),
    ]


@pytest.mark.parametrize(
    "step",
    [
        "powershell -Command \"Set-Content -Path babel.config.js -Value 'module.exports = {};'\"",
        "cat src/settings.py && python3 - <<'PY'\nfrom pathlib import Path\n"
        "Path('src/settings.py').write_text('TZ = 1')\nPY",
    ],
)
def test_a_file_written_by_a_call_that_also_looks_or_quotes_its_cmdlet_is_an_edit(
    tmp_path: Path, step: str
) -> None:
    records = _three("npm test", "SyntaxError: Cannot use import statement outside a module",
                     step, "Wrote it", "npm test", "Tests: 1 passed, 1 total")  # fmt: skip
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED


def test_a_download_sent_beside_the_failed_call_is_its_step(tmp_path: Path) -> None:
    untar = "tar xzvf fixtures.tar.gz -C tests/data"
    batch = [
        {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": untar}},
        {"type": "tool_use", "id": "w1", "name": "Bash",
         "input": {"command": "wget -q https://example.com/releases/fixtures.tar.gz"}},
    ]  # fmt: skip
    records = [
        {"type": "assistant", "message": {"content": batch}},
        result("t1", "tar (child): fixtures.tar.gz: Cannot open: No such file or directory", True),
        result(
            "w1",
            'URL:https://example.com/releases/fixtures.tar.gz [10240/10240] -> "fixtures.tar.gz"',
        ),
        call("t2", untar),
        result("t2", "a.json\nb.json"),
    ]
    (episode,) = failures(tmp_path, records)
    assert episode.fix is not None and episode.fix.kind is FixKind.PREPARED


@pytest.mark.parametrize(
    ("step", "retry"),
    [("sleep 3", "curl -sS http://localhost:3000/api/health"),
     ("echo waiting", "sleep 3 && curl -sS http://localhost:3000/api/health")],
)  # fmt: skip
def test_a_local_server_asked_again_after_a_wait_teaches_nothing(
    tmp_path: Path, step: str, retry: str
) -> None:
    refused = "curl: (7) Failed to connect to localhost port 3000 after 0 ms: Couldn't connect"
    records = _three("curl -sS http://localhost:3000/api/health", refused, step, "", retry,
                     '{"status":"ok"}')  # fmt: skip
    assert failures(tmp_path, records) == []


_HEALTH = "curl -sS http://127.0.0.1:7300/healthz"
_NOT_LISTENING = (
    "curl: (7) Failed to connect to 127.0.0.1 port 7300 after 0 ms: Couldn't connect to server"
)


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (1, "ERROR:    [Errno 98] error while attempting to bind on address: address in use"),
        (0, "INFO:     Application startup complete."),
    ],
)
def test_a_server_started_before_the_refused_request_is_not_told_to_start_first(
    tmp_path: Path, code: int, said: str
) -> None:
    """Codex: the old server stopped, the new one started (and, still holding its port, the
    old one made it exit), then the health check was refused; the port seen free, the same
    server started again and the check answered. It had been started before the check:
    "run the server first" is not what changed."""
    serve = "python -m uvicorn shop.web:app --port 7300"
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("kill 51234", OUT, 0, ""),
            (serve, OUT, code, said),
            (_HEALTH, OUT, 7, _NOT_LISTENING),
            ("ss -ltnp | grep 7300", OUT, 1, ""),
            (serve, OUT, 0, "INFO:     Application startup complete."),
            (_HEALTH, OUT, 0, '{"ok":true}'),
        ],
    )
    assert not any("first." in lesson or "curl" in lesson for lesson in lessons)


def test_a_server_first_started_after_the_refused_request_is_still_the_step(
    tmp_path: Path,
) -> None:
    """The server never started before the check: starting it is the step the check lacked."""
    serve = "python -m uvicorn shop.web:app --port 7300"
    lessons = _rollout_lessons(
        tmp_path,
        [
            (_HEALTH, OUT, 7, _NOT_LISTENING),
            (serve, OUT, 0, "INFO:     Application startup complete."),
            (_HEALTH, OUT, 0, '{"ok":true}'),
        ],
    )
    assert any(lesson.endswith(f"run `{serve}` first.") for lesson in lessons), lessons


def test_powershell_7s_short_error_for_a_folder_not_made_yet_is_no_failure(
    tmp_path: Path,
) -> None:
    write = 'pwsh -NoProfile -Command "Set-Content -Path out/report.txt -Value hi"'
    error = "Set-Content: Could not find a part of the path 'C:\\w\\out\\report.txt'."
    records = _three(write, error, "New-Item -ItemType Directory -Force -Path out", "", write, "")
    assert failures(tmp_path, records) == []


def test_a_failures_output_is_read_without_its_terminal_colours_at_its_own_place(
    tmp_path: Path,
) -> None:
    coloured = '\x1b[31;1mnpm error\x1b[0m Missing script: \x1b[1m"lint"\x1b[22m'
    records = [call("a1", "npm run lint"), result("a1", coloured, True)]
    run = parse_file(_write(tmp_path, records), tmp_path)
    (episode,) = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    assert episode.trigger.text.endswith('npm error Missing script: "lint"')
    assert episode.trigger.ref == run.events[-1].ref and "\x1b" in run.events[-1].text


# PowerShell 7's coloured record of a write into a folder not made yet: the cmdlet's name alone
# on its first line, the message in the gutter below the code it echoes.
_PWSH7_NO_FOLDER = (
    "\x1b[31;1mSet-Content: \x1b[0m\r\n\x1b[31;1m\x1b[36;1mLine |\x1b[0m\r\n"
    "\x1b[31;1m\x1b[36;1m\x1b[36;1m  12 | \x1b[0m '@ | \x1b[36;1mSet-Content "
    '"D:\\shop\\docs\\adr\\0003-cache.md"\x1b[0m\r\n'
    "\x1b[31;1m\x1b[36;1m\x1b[36;1m\x1b[0m\x1b[36;1m     | \x1b[31;1m      ~~~~~~~~~~~~~~~~~~~~~~"
    "~~~~~~~~~~~~~~~~~\x1b[0m\r\n\x1b[31;1m\x1b[36;1m\x1b[36;1m\x1b[0m\x1b[36;1m     | "
    "\x1b[31;1mCould not find a part of the path 'D:\\shop\\docs\\adr\\0003-cache.md'.\x1b[0m\r\n"
)


def test_powershell_7s_coloured_record_of_a_here_string_written_into_no_folder_is_no_failure(
    tmp_path: Path,
) -> None:
    """The folder made, the same write passed: the agent's own order of steps."""
    write = (
        "@'\n# ADR 3: cache the price list\n\n## Status\n\nAccepted\n'@ | Set-Content "
        '"D:\\shop\\docs\\adr\\0003-cache.md"'
    )
    made = 'New-Item -ItemType Directory -Force "D:\\shop\\docs\\adr"'
    lessons = _rollout_lessons(
        tmp_path,
        [
            (write, {}, 1, _PWSH7_NO_FOLDER),
            (made, {}, 0, "Directory: D:\\shop\\docs"),
            (write, {}, 0, ""),
        ],
    )
    assert lessons == []


@pytest.mark.parametrize(
    ("declined", "said"),
    [
        ("npm install react-slick", "Use pnpm for every install here, the lockfile is pnpm-lock.yaml."),
        ("rm -rf node_modules && npm install", "no! use pnpm install --frozen-lockfile instead"),
        ("cd client && npm test", "Always run the npm scripts from the repository root."),
        ("python -m pytest tests/", "Always run pytest through uv run so the venv is used."),
    ],
)  # fmt: skip
def test_an_aider_command_declined_is_corrected_by_its_family_or_a_refusal(
    tmp_path: Path, declined: str, said: str
) -> None:
    texts = [
        *_AIDER_REPLY,
        f"> {declined}  ",
        "> Run shell command? (Y)es/(N)o [Yes]: n  ",
        "",
        f"#### {said}  ",
        "",
    ]
    assert _aider_corrections(tmp_path, texts)


def test_cmds_cd_switch_in_powershell_is_the_lesson_not_the_command_after_it(
    tmp_path: Path,
) -> None:
    """`cd /d D:\\app && git fetch` in Codex's PowerShell: the `cd` failed (cmd's `/d`), the
    fetch never ran; Set-Location's own form worked."""
    from metis_distill.mine.shells import CMD_IN_POWERSHELL_TEXT

    refused = (
        "Set-Location: A positional parameter cannot be found that accepts argument 'D:\\app'."
    )
    (lesson,) = _rollout_lessons(
        tmp_path,
        [
            ("cd /d D:\\app && git fetch --all --prune", OUT, 1, refused),
            ("Set-Location -Path D:\\app; git fetch --all --prune", OUT, 0, ""),
        ],
    )
    assert lesson == CMD_IN_POWERSHELL_TEXT and "git fetch" not in lesson


_INDEX_LOCKED = "fatal: Unable to create '/w/.git/index.lock': Operation not permitted"
_REFUSED = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'


@pytest.mark.parametrize(("answer", "code", "taught"), [(_REFUSED, 1, False), ("", 0, True)])
def test_a_rerun_outside_the_sandbox_the_user_refused_teaches_nothing(
    tmp_path: Path, answer: str, code: int, taught: bool
) -> None:
    """The agent asked to run `git add` outside the sandbox and the user said no: "ask to run
    it with escalated permissions" is what the user just refused."""
    lessons = _rollout_lessons(
        tmp_path, [("git add a.txt", {}, 128, _INDEX_LOCKED), ("git add a.txt", OUT, code, answer)]
    )
    assert any("`.git/`" in lesson for lesson in lessons) is taught


_NUGET_OFFLINE = (
    "error NU1301: Unable to load the service index for source "
    "https://api.nuget.org/v3/index.json. No such host is known."
)


@pytest.mark.parametrize(("second", "offline"), [(_NUGET_OFFLINE, True), ("  Restoring…", False)])
def test_a_failure_mended_outside_the_sandbox_after_a_network_error_was_the_networks(
    tmp_path: Path, second: str, offline: bool
) -> None:
    """`dotnet restore` failed saying nothing, then (another try) said the feed was out of
    reach; run outside the sandbox it worked: the first failure is the sandbox's network too,
    one lesson with the second, not a line of its own about failing "for no reason told"."""
    from metis_distill.extract.rules import _offline_before_fix
    from metis_distill.mine.episodes import Episode
    from metis_distill.mine.fixes import Fix

    _, run = _codex_rollout(
        tmp_path,
        [
            ("dotnet restore a.csproj -p:RestoreIgnoreFailedSources=true", {}, 1, "  Restoring…"),
            ("dotnet restore a.csproj /m:1", {}, 1, second),
            ("dotnet restore a.csproj /m:1", OUT, 0, "  Restored a.csproj"),
        ],
    )
    first_error = next(e for e in run.events if e.kind is EventKind.ERROR)
    calls = [e for e in run.events if e.kind is EventKind.TOOL_CALL]
    worked = run.events[calls[-1].seq + 1]
    episode = Episode(
        kind=LessonKind.FAILURE,
        signal="exit_code",
        trigger=first_error,
        call=calls[0],
        fix=Fix(FixKind.ESCALATED, calls[-1], worked),
    )
    assert _offline_before_fix(run, episode) is offline


REVIEW = (
    "Here's what I found:\n\n**1. The retry loses `expires_at`** — `worker.go:205`\n"
    "On retry the early exit acks before the update runs. The order silently never expires.\n\n"
    "**2. `os.Exit(1)` skips the deferred close** — `main.go:94`\n"
    "Buffered messages get dropped."
)


@pytest.mark.parametrize(
    "reply", ["1 yeah we should fix, 2 i have fixed", "yeah fix all", "Yes, both."]
)
def test_a_reviews_findings_the_user_answers_are_no_gotchas(tmp_path: Path, reply: str) -> None:
    """A numbered review of today's code: the reply answers item by item, and what it agrees
    to fix is gone after; no sentence of it is a fact that stands."""
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("assistant", REVIEW), say("user", reply)]) == []


@pytest.mark.parametrize(
    "said",
    [
        "The problem was that I was showing you the output as if it had run, but I wasn't "
        "actually running the commands.",
        "The issue was that the slash command files are instructions for me to follow, not "
        "scripts that run.",
        "The issue was that the hooks in `~/.claude/hooks/` are just notes for me - they don't "
        "run anything by themselves.",
    ],
)
def test_the_agents_account_of_its_own_conduct_is_no_gotcha(tmp_path: Path, said: str) -> None:
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("assistant", said), say("user", "ok, thanks")]) == []


@pytest.mark.parametrize(
    "said",
    [
        # a plan in stages, hedged: the order of today's steps
        "Ok, two tables it is. I think I want to keep the export as is initially and eventually "
        "change it to only send the deltas.",
        "I want to keep the old endpoint at first and only move the mobile client later.",
        # the aim of a task the user asks help with
        "Help me think through this. The page only needs the totals to render. I want to fetch "
        "only that part first so the page is not blocked. Help me design it.",
    ],
)
def test_a_staged_plan_or_the_aim_of_a_task_asked_about_is_no_choice(
    tmp_path: Path, said: str
) -> None:
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("user", said), *BUILT]) == []


@pytest.mark.parametrize(
    "said",
    [
        "Captured the root cause narrative plus the mitigation (drop the alias, rerun the checks) "
        "in `docs/NOTES.md:40-44`.",
        "Documented that the root cause is the stale mirror in `.npmrc`, in `docs/ci.md`.",
    ],
)
def test_the_agents_report_of_what_it_wrote_is_no_gotcha(tmp_path: Path, said: str) -> None:
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("assistant", said), say("user", "perfect, thanks")]) == []


def test_a_push_github_refused_for_a_large_file_is_told_as_the_rule_not_the_file(
    tmp_path: Path,
) -> None:
    """A kernel module over 100 MB, staged by `git add -A` and refused at the push: the rule
    (keep such files out of commits; untrack and amend), not this file's name and size, and
    not "run `git rm --cached … && git commit --amend -m …` first"."""
    from tests.mine.test_fixes import _failures

    refused = (
        "Exit code 1\nremote: error: File build/mod/big.ko is 104.20 MB; this exceeds GitHub's "
        "file size limit of 100.00 MB\nremote: error: GH001: Large files detected.\n"
        " ! [remote rejected] main -> main (pre-receive hook declined)"
    )
    untrack = "git rm --cached build/mod/big.ko && git commit --amend -m 'add module sources'"
    records = [
        call("t1", "git push origin main"),
        result("t1", refused, True),
        call("t2", untrack),
        result("t2", "[main 3f2a1b0] add module sources"),
        call("t3", "git push origin main"),
        result("t3", "To github.com:ana/mods.git\n * [new branch]      main -> main"),
    ]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.text.startswith("GitHub refuses a push when any of its commits holds a file")
    assert "big.ko" not in lesson.text and "104.20" not in lesson.text
    assert lesson.fix is not None and "git rm --cached" in lesson.fix

    lfs = [*records[:2], call("t2", "git lfs track '*.ko' && git lfs migrate import"), *records[3:]]
    ((_, other_way),) = _failures(tmp_path, lfs)
    assert other_way.text == lesson.text and other_way.fix is None  # not the way it took


def _powershell_record(head: str, code: str) -> str:
    """A Write-Error's record as Windows PowerShell prints it: its first line, then the
    footer every record has."""
    return (
        f"Exit code 1\n{head}\r\nAt line:1 char:1\r\n+ {code}\r\n+ {'~' * len(code)}\r\n"
        "    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\r\n"
        "    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException\r\n"
    )


def test_failures_sharing_only_powershells_footer_are_not_one_lesson(tmp_path: Path) -> None:
    """Two scripts called with `&` failing for their own reasons: each is told by its script
    and its record's first line, never as `& …` and the footer (`+ CategoryInfo …`) they share,
    so the two sessions do not add up to one lesson."""
    from tests.mine.test_fixes import _failures

    said = []
    for session, (script, head) in enumerate(
        [
            ("ops/release/tag.ps1", "tag.ps1 : Usage: ./tag.ps1 <version>"),
            ("ops/deploy/push.ps1", "push.ps1 : The registry token is not set"),
        ]
    ):
        folder = tmp_path / str(session)
        folder.mkdir()
        code = f"& '{script}' -Quiet"
        ((_, lesson),) = _failures(
            folder, [call("t1", code), result("t1", _powershell_record(head, code), True)]
        )
        assert "& …" not in lesson.text and "CategoryInfo" not in lesson.text
        assert head in lesson.text and script.rsplit("/", 1)[0] in lesson.text
        said.append(lesson.text)
    assert said[0] != said[1]


def _aider_rules(tmp_path: Path, texts: list[str]) -> list[str]:
    from metis_distill.extract.rules import RulesExtractor
    from metis_distill.sources.aider import parse_file as parse_aider

    path = tmp_path / "p" / ".aider.chat.history.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    run = parse_aider(path, tmp_path)
    found = RulesExtractor().extract(run, list(find_episodes(run)), texts)
    return [c.text for c in found if c.kind is LessonKind.DECISION]


@pytest.mark.parametrize(
    ("after", "kept"),
    [
        ([], True),
        (["#### /undo  ", "> Removed: 1a2b3c4 refactor: fetch in the api client  "], False),
        (["#### /git revert HEAD  "], False),
        # the user goes on to another task first: what was undone later is another change
        (["#### now add a loading spinner  ", "", "I added a spinner.", "", "#### /undo  "], True),
    ],
)
def test_a_way_the_user_named_then_undid_at_once_is_no_rule(
    tmp_path: Path, after: list[str], kept: bool
) -> None:
    rule = "Use the fetch API instead of axios for the HTTP calls."
    texts = [
        "# aider chat started at 2025-03-01 10:00:00",
        "",
        f"#### {rule}  ",
        "",
        "I switched the api client to fetch.",
        "",
        "> Applied edit to client/src/api.js  ",
        "> Commit 1a2b3c4 refactor: fetch in the api client  ",
        "",
        *after,
        "",
    ]
    assert (rule in _aider_rules(tmp_path, texts)) is kept


def test_a_lint_failure_under_a_task_runner_is_the_linters_finding_mended_by_an_edit(
    tmp_path: Path,
) -> None:
    """mise prints its footer, `[check] ERROR task failed`, whatever the linter found: the
    finding below it is the error, and the edit to its file that let the next run pass its
    fix; two sessions' different findings stay two errors."""
    report = (
        "Exit code 1\n[check] $ golangci-lint run ./...\n[check] ERROR task failed\n\n"
        "pkg/cart/total.go:41:7: ifElseChain: rewrite if-else to switch statement (gocritic)\n"
        "\tif n > 0 {\n\t^\n1 issues:\n* gocritic: 1\n"
    )
    records = [
        call("l1", "mise run check"), result("l1", report, True),
        edit("e1", "pkg/cart/total.go"),
        result("e1", "The file pkg/cart/total.go has been updated successfully."),
        call("l2", "mise run check"), result("l2", "[check] $ golangci-lint run ./...\n0 issues."),
    ]  # fmt: skip
    (failure,) = failures(tmp_path / "a", records)
    assert failure.fix is not None and failure.fix.kind is FixKind.EDITED
    signature = error_signature(failure.trigger.text)
    assert signature.startswith("pkg/cart/total.go:41:7: ifElseChain")
    other = report.replace("41:7: ifElseChain: rewrite if-else to switch statement (gocritic)",
                           "9:2: ineffectual assignment to err (ineffassign)")  # fmt: skip
    assert error_signature(other) != signature


def test_a_word_opening_with_equals_signs_in_zsh_is_the_shells_quoting_lesson(
    tmp_path: Path,
) -> None:
    """`echo ===SUB===` in zsh: `=name` is expanded to a command's path, so the separator
    fails ("==SUB=== not found") whatever ran beside it: zsh's quoting lesson, told once."""
    from tests.mine.test_fixes import _failures

    said = "Exit code 1\nOn branch main\nnothing to commit\n(eval):1: ==SUB=== not found"
    records = [
        call("t1", "git status && echo ===SUB=== && git log --oneline -3"),
        result("t1", said, True),
    ]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.text.startswith("The shell here is zsh: an unquoted word opening with `=`")
    # a command that is not there is another lesson
    missing = "Exit code 127\n(eval):1: command not found: ==="
    records = [call("t2", "=== build"), result("t2", missing, True)]
    assert not any("opening with `=`" in found.text for _, found in _failures(tmp_path, records))


def test_ssh_refusing_every_key_is_the_machines_lesson_ask_the_user(tmp_path: Path) -> None:
    """`git fetch` over SSH: "Permission denied (publickey)" then git's own "Could not read
    from remote repository": no key the agent can use on this machine; the line says to ask
    the user, and is the machine's (the personal file), not the team's."""
    from metis_distill.ledger import LessonView
    from metis_distill.placement.locality import Locality, locality
    from tests.mine.test_fixes import _failures

    said = (
        "Exit code 128\ngit@github.com: Permission denied (publickey).\n"
        "fatal: Could not read from remote repository.\n\n"
        "Please make sure you have the correct access rights\nand the repository exists."
    )
    records = [call("t1", "git fetch --all --prune"), result("t1", said, True)]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.text.startswith("SSH has no key here that the agent can use")
    assert "ask the user" in lesson.text and lesson.fix is None
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert locality(view, Path("/w")) is Locality.MACHINE


def test_ssh_refusing_keys_is_no_ask_the_user_line_when_the_run_got_past_it(
    tmp_path: Path,
) -> None:
    """Codex: `git push` refused every key inside the sandbox and worked let out of it: the
    run shows the way, so no "ask the user" line; a plain `ssh` says nothing of git."""
    said = "git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository."
    lessons = _rollout_lessons(
        tmp_path, [("git push origin main", {}, 128, said), ("git push origin main", OUT, 0, "ok")]
    )
    assert not any(lesson.startswith("SSH has no key") for lesson in lessons)
    from tests.mine.test_fixes import _failures

    records = [
        call("t1", "ssh deploy@10.0.0.5 uptime"),
        result("t1", "Exit code 255\ndeploy@10.0.0.5: Permission denied (publickey).", True),
    ]
    ((_, lesson),) = _failures(tmp_path / "ssh", records)
    assert lesson.text.startswith("SSH has no key here") and "git" not in lesson.text


_NO_KEY = (
    "git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository."
)


@pytest.mark.parametrize(
    ("helper", "told"),
    [
        ("gh auth setup-git", "run `gh auth setup-git`"),
        # the read that worked over HTTPS was the other way a fetch reads the remote
        ("true", "give git the remote's `https://` URL"),
    ],
)
def test_ssh_refusing_keys_then_the_same_git_command_over_https_is_the_way(
    tmp_path: Path, helper: str, told: str
) -> None:
    """ssh had no key for the push; gh made git's credential helper, the same push to the
    remote's `https://` URL worked: that way is the line, never "ask the user … never change
    the remote" (which the run itself went past)."""
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("git push -u origin feat/x", OUT, 128, _NO_KEY),
            (helper, OUT, 0, ""),
            ("git push https://github.com/acme/app.git feat/x", OUT, 0, " * [new branch] feat/x"),
        ],
    )  # fmt: skip
    (lesson,) = [x for x in lessons if x.startswith("SSH has no key")]
    assert told in lesson and "`https://` URL" in lesson
    assert "ask the user" not in lesson and "change the remote" not in lesson
    assert ("gh auth setup-git" in lesson) is (helper != "true")


@pytest.mark.parametrize(
    ("failed", "retry", "told"),
    [
        (  # git told, for that one command, to reach the https:// URL in place of the SSH one
            "git push origin main",
            'gh auth setup-git && git -c url."https://github.com/".insteadOf="git@github.com:" '
            "push origin main",
            "run `gh auth setup-git`",
        ),
        (  # ... or by a `git config` step before it; the failed push had a key set for it
            'GIT_SSH_COMMAND="ssh -i ~/.ssh/deploy_ed25519" git push origin main',
            "git config url.https://github.com/.insteadOf git@github.com: && git push origin main",
            "give git the remote's `https://` URL",
        ),
    ],
)
def test_a_push_refused_for_its_key_then_sent_through_an_https_rewrite_is_the_way(
    tmp_path: Path, failed: str, retry: str, told: str
) -> None:
    """An `insteadOf` rewrite to `https://` reaches the same remote over HTTPS: the way the
    run showed, never "ask the user … never create keys"."""
    from tests.mine.test_fixes import _failures

    records = [
        call("t1", failed),
        result("t1", f"Exit code 128\n{_NO_KEY}", True),
        call("t2", retry),
        result("t2", "To https://github.com/acme/app.git\n   1a2b..3c4d  main -> main"),
    ]
    ((_, lesson),) = _failures(tmp_path, records)
    assert lesson.text.startswith("SSH has no key") and told in lesson.text
    assert "`https://` URL" in lesson.text and "ask the user" not in lesson.text


@pytest.mark.parametrize(
    ("before", "no_key_line"),
    [
        # the key the run made itself, then given to ssh: that server does not take it
        ('ssh-keygen -t ed25519 -f /tmp/move_key -N "" -C move', False),
        # a key only read (its public half printed) was not made here: the machine's line
        ("ssh-keygen -y -f /tmp/move_key", True),
        ("ls /tmp", True),
    ],
)
def test_ssh_refusing_a_key_the_run_made_itself_is_no_missing_key(
    tmp_path: Path, before: str, no_key_line: bool
) -> None:
    from tests.mine.test_fixes import _failures

    refused = "Exit code 255\ndeploy@10.0.0.5: Permission denied (publickey,password)."
    records = [
        call("t1", before),
        result("t1", "Your identification has been saved in /tmp/move_key"),
        call("t2", "ssh -i /tmp/move_key -o StrictHostKeyChecking=no deploy@10.0.0.5 uptime"),
        result("t2", refused, True),
    ]
    lessons = [lesson.text for _, lesson in _failures(tmp_path, records)]
    assert any(text.startswith("SSH has no key") for text in lessons) is no_key_line


def test_a_fetch_refused_for_its_key_read_over_https_later_is_the_way(tmp_path: Path) -> None:
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("git fetch origin main", OUT, 128, _NO_KEY),
            ("git ls-remote https://github.com/acme/app.git refs/heads/main", OUT, 0, "9a1b\trefs/heads/main"),
        ],
    )  # fmt: skip
    (lesson,) = [x for x in lessons if x.startswith("SSH has no key")]
    assert "`https://` URL" in lesson and "ask the user" not in lesson


def test_a_push_refused_for_its_key_that_got_through_later_asks_nothing_of_the_user(
    tmp_path: Path,
) -> None:
    """The same push worked further on (its address not seen): no "ask the user" line."""
    filler = [(f"git log -{n} --oneline", {}, 0, "1a2b3c4 docs") for n in range(1, 10)]
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("git push -u origin feat/x", OUT, 128, _NO_KEY),
            *filler,
            ("git push -u origin feat/x", OUT, 0, " * [new branch] feat/x"),
        ],
    )
    assert not any(lesson.startswith("SSH has no key") for lesson in lessons)


def test_a_push_refused_for_its_key_with_no_way_past_still_asks_the_user(tmp_path: Path) -> None:
    """The control: no push got through afterwards: the machine's line, ask the user."""
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("git push -u origin feat/x", OUT, 128, _NO_KEY),
            ("git status -sb", {}, 0, "## feat/x"),
        ],
    )
    (lesson,) = [x for x in lessons if x.startswith("SSH has no key")]
    assert "ask the user" in lesson


def test_a_clone_refused_for_its_key_is_told_though_another_remote_was_read(
    tmp_path: Path,
) -> None:
    """The SSH clone of another repository refused; the project's own `git pull` (its
    remote over HTTPS) worked later: that says nothing of the refused remote, whose line
    stays."""
    lessons = _rollout_lessons(
        tmp_path,
        [
            ("git clone git@github.com:acme/private-lib.git /tmp/lib", OUT, 128, _NO_KEY),
            ("git pull", OUT, 0, "Already up to date."),
        ],
    )
    assert any(lesson.startswith("SSH has no key") for lesson in lessons)


def test_ssh_reading_its_key_is_no_write_outside_the_workspace(tmp_path: Path) -> None:
    """`Load key "~/.ssh/id_ed25519": Permission denied` inside the sandbox is ssh reading
    its key, not a write the run made outside the workspace."""
    said = (
        'Load key "/home/ana/.ssh/id_ed25519": Permission denied\n'
        "git@github.com: Permission denied (publickey).\n"
        "fatal: Could not read from remote repository."
    )
    lessons = _rollout_lessons(
        tmp_path, [("git fetch origin", {}, 128, said), ("git fetch origin", OUT, 0, "ok")]
    )
    assert not any("refuses writes outside the workspace" in lesson for lesson in lessons)


def test_the_programs_a_run_ran_are_those_of_the_calls_that_worked(tmp_path: Path) -> None:
    """Each step's first word of a call that exited 0, unless its output says the program is
    missing (a pipe's status is its last step's)."""
    from metis_distill.mine.ran import programs_ran

    _, run = _codex_rollout(
        tmp_path,
        [
            ("pwd && rg --files src | sort", {}, 0, "/w\nsrc/a.py"),
            ("fd -e py | head -3", {}, 0, "bash: line 1: fd: command not found"),
            ("bat README.md | cat", {}, 0, "bash: bat: Befehl nicht gefunden"),  # in German
            ("jq .name package.json", {}, 127, "bash: jq: command not found"),
            ("make test", {}, 2, "make: *** [test] Error 1"),
            ("./scripts/lint.sh", {}, 0, "ok"),
        ],
    )
    ran = programs_ran(run)
    assert ran is not None and (ran.session_id, ran.cwd) == ("s", "/w")
    assert set(ran.programs) == {"pwd", "rg", "sort", "head", "cat"}


_MAKE_LACKS_PYTHON = (
    "python -m pytest -q\nmake: python: No such file or directory\nmake: *** [test] Error 1"
)


@pytest.mark.parametrize(
    ("calls", "programs"),
    [
        (  # `python` worked in the shell, then make could not find it: the shell's alias ran
            [("python -c 'print(1)'", {}, 0, "1"), ("make test", {}, 2, _MAKE_LACKS_PYTHON)],
            set(),
        ),
        (  # ... or the shell itself said so later on
            [("python -V", {}, 0, "Python 3.9.6"), ("python x.py", {}, 127, "zsh: command not found: python")],
            set(),
        ),
        (  # not there at first, working after: installed since
            [("make test", {}, 2, _MAKE_LACKS_PYTHON), ("python -c 'print(1)'", {}, 0, "1")],
            {"python"},
        ),
        (  # another program missing later says nothing of this one
            [("python -c 'print(1)'", {}, 0, "1"), ("fd -e py", {}, 127, "bash: fd: command not found")],
            {"python"},
        ),
    ],
)  # fmt: skip
def test_a_program_the_run_found_missing_after_it_worked_never_ran_from_the_path(
    tmp_path: Path,
    calls: list[tuple[str, dict, int, str]],
    programs: set[str],  # type: ignore[type-arg]
) -> None:
    from metis_distill.mine.ran import programs_ran

    _, run = _codex_rollout(tmp_path, calls)
    ran = programs_ran(run)
    assert (set(ran.programs) if ran else set()) == programs


@pytest.mark.parametrize(
    ("command", "programs"),
    [
        ("rg -n TODO src 2>/dev/null || grep -Rn TODO src", set()),  # grep may have answered
        ("command -v rg >/dev/null && rg -n TODO src || grep -Rn TODO src", set()),
        ("command -v fd && fd -e py", {"command"}),  # whether fd ran, the test decided
        ("which jq; jq .name package.json", {"which"}),
        ("source .venv/bin/activate && python -m pytest -q", set()),  # the venv's python
        (". ~/.nvm/nvm.sh && node -v", set()),
        ("source ~/.cargo/env && cargo build", set()),
        ("export PATH=$HOME/.cargo/bin:$PATH; cargo build", set()),
        ("PATH=/opt/go/bin:$PATH go build ./...", set()),
        ('eval "$(pyenv init -)" && python -V', set()),
        ("conda activate shop && python -m pytest", set()),
        ("uv run python -m pytest -q", {"uv"}),  # the project's python, not the PATH's
        ("make lint; rg -l TODO src 2>/dev/null; echo done", {"make", "echo"}),
        ("fd -e py 2>/dev/null | wc -l", {"wc"}),  # a pipe's first step, its errors thrown away
        ("cd src && rg -n TODO . && wc -l cart.py", {"rg", "wc"}),
        ("npm test || true", set()),
    ],
)
def test_a_program_ran_only_in_a_step_whose_success_is_the_calls(
    tmp_path: Path, command: str, programs: set[str]
) -> None:
    """A call that exited 0 says a program worked only for a step that surely ran and whose
    failure would have been seen: not one after `||` or before it, not one a `command -v` or
    `which` tested, not one in a call that changes the PATH or activates an environment, not
    one whose errors went to `/dev/null` and whose failure the call would not have shared."""
    from metis_distill.mine.ran import programs_ran

    _, run = _codex_rollout(tmp_path, [(command, {}, 0, "ok")])
    ran = programs_ran(run)
    assert (set(ran.programs) if ran else set()) == programs


_WHEEL_BUILD = (
    "Exit code 1\nCollecting lxml\n  running build_ext\n"
    "  copying src\\lxml\\lxml_exceptions.hpp -> build\\lib.win-amd64-cpython-311\\lxml\n"
    "  error: Microsoft Visual C++ 14.0 or greater is required.\n"
    "  ERROR: Failed building wheel for lxml\nFailed to build lxml"
)


@pytest.mark.parametrize(
    "retry",
    [
        "pip install --only-binary :all: -r reqs.txt || pip install -r reqs.txt",
        "pip install --only-binary :all: -r reqs.txt",
    ],
)
def test_the_failed_command_with_options_added_replaces_it_not_precedes_it(
    tmp_path: Path, retry: str
) -> None:
    """The retry is the failed install with a flag added: it is run in its place, not before
    it; and the error is the compiler's, not a build log line naming `…_exceptions.hpp`."""
    (lesson,) = failure_lessons(
        tmp_path,
        [
            call("t1", "pip install -r reqs.txt"),
            result("t1", _WHEEL_BUILD, True),
            call("t2", retry),
            result("t2", "Successfully installed lxml-5.3.0"),
        ],
    )
    assert "exceptions.hpp" not in lesson.text and "first" not in lesson.text
    assert "Microsoft Visual C++ 14.0" in lesson.text
    assert lesson.text.endswith("use `pip install --only-binary :all: -r reqs.txt` instead.")


def test_a_yes_said_first_is_the_verdict_though_a_question_follows(tmp_path: Path) -> None:
    """ "that fixed it, can you also …?": the yes comes first; a later complaint about another
    thing (the lint job) does not take it back."""
    from tests.mine.test_statements import _lessons

    records = [
        say("assistant", FOUND),
        say("user", "that fixed it, can you also add a note to the README?"),
        say("assistant", "Sure, adding it."),
        edit("e1", "README.md", "a", "b"),
        result("e1", "The file README.md has been updated successfully."),
        say("user", "the lint job on CI still fails though"),
    ]
    assert _lessons(tmp_path, records) != []


def test_a_choice_said_after_a_question_of_the_users_still_stands(tmp_path: Path) -> None:
    """The question comes before the choice ("huh? we want …"): it asks nothing of it."""
    from tests.mine.test_statements import _lessons

    said = "huh? we want integer cents only in the ledger, floats broke the totals before."
    assert _lessons(tmp_path, [say("user", said)]) != []


DRAFT_OFFERED = (
    "I can draft the **Release Checklist** as a doc in your repo, and we treat it as a gate "
    "for every deploy. Where should I put it, `docs/` or `planning/`?"
)


@pytest.mark.parametrize(
    "said",
    [
        "I want you to think about how the checklist is going to be used afterwards instead of "
        "just writing me something in a vacuum. The one I mean is the staging gate, is it not?",
        "I want you to consider the checklist as one step of the whole release flow rather "
        "than a document on its own. Does it cover the rollback step?",
    ],
)
def test_a_steer_on_the_thing_the_agent_just_offered_is_no_rule(tmp_path: Path, said: str) -> None:
    """A request to think through a thing the agent's message just brought up ("the
    checklist"), in a turn that goes on to ask: how to do today's piece of work."""
    from tests.mine.test_statements import _lessons

    assert _lessons(tmp_path, [say("assistant", DRAFT_OFFERED), say("user", said)]) == []


@pytest.mark.parametrize(
    "said",
    [
        # said to last
        "I want you to always think about how the checklist is going to be used afterwards "
        "instead of just writing me something in a vacuum. Is that clear?",
        # no question after it: said as how the user wants the work done
        "I want you to think about how the checklist is going to be used afterwards instead of "
        "just writing me something in a vacuum.",
    ],
)
def test_a_wish_of_the_same_shape_said_to_last_or_unasked_still_stands(
    tmp_path: Path, said: str
) -> None:
    from tests.mine.test_statements import _lessons

    ((kind, _),) = _lessons(tmp_path, [say("assistant", DRAFT_OFFERED), say("user", said)])
    assert kind is LessonKind.DECISION


def test_a_wish_with_what_went_wrong_before_stands_though_the_agent_named_its_thing(
    tmp_path: Path,
) -> None:
    from tests.mine.test_statements import _lessons

    said = (
        "I want you to think about the ledger totals as integer cents only, floats broke the "
        "monthly report before. Is the export done?"
    )
    offered = "I'll fix the ledger export next so the monthly report matches."
    ((kind, _),) = _lessons(tmp_path, [say("assistant", offered), say("user", said)])
    assert kind is LessonKind.DECISION


def test_a_choice_of_a_thing_the_agent_never_named_stands_though_a_question_follows(
    tmp_path: Path,
) -> None:
    from tests.mine.test_statements import _lessons

    said = (
        "I want you to think about the ledger totals as integer cents only, floats broke the "
        "monthly report before. Is the export done?"
    )
    ((kind, _),) = _lessons(tmp_path, [say("assistant", DRAFT_OFFERED), say("user", said)])
    assert kind is LessonKind.DECISION
