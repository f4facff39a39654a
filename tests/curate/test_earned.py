"""A line must be earned: a failure renders when a run showed its fix, or when it recurs in
several sessions; one instance's paths and names never reach the text."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from metis_distill.curate.earned import HeldBack, earned, held_back
from metis_distill.ledger import Ledger, LessonView
from metis_distill.mine.edit_scope import READ_ONLY_OUTSIDE
from tests.curate.sessions import Bash, Say, distil, write_session

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _lines(target_text: str) -> list[str]:
    return [line for line in target_text.splitlines() if line.startswith("- ")]


def _proposed(outcome) -> str:  # type: ignore[no-untyped-def]
    assert outcome.folder is not None
    return (Path(outcome.folder) / "proposed.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "fix",
    [
        "curl -k -s https://api.example/repos",
        "pip install --trusted-host pypi.org requests",
        "git commit --no-verify -m …",
        "NODE_TLS_REJECT_UNAUTHORIZED=0 npm install",
    ],
)
def test_a_fix_that_turns_a_check_off_never_earns_a_line(fix: str) -> None:
    """However it came to be worded (another extractor's, an older ledger's), a failure whose
    fix turns a verification off stays in the ledger, however often it recurs."""
    text = f"`{fix.split()[0]} …` fails here (“certificate verify failed”); use `{fix}` instead."
    assert not earned(_Lesson(text, scope=("Bash:curl",), fix=fix, support=5))
    safe = "curl --cacert corp-ca.pem -s https://api.example/repos"
    assert earned(_Lesson(text.replace(fix, safe), scope=("Bash:curl",), fix=safe, support=2))


def test_a_one_off_failure_with_no_fix_stays_in_the_ledger(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    turns = [
        Say("user", "Deploy the preview."),
        Bash("make deploy-preview", "error: preview quota exceeded for this month", True),
        Say("assistant", "The preview quota is exhausted; I stopped here."),
    ]
    write_session(archive, "aaaaaaaa", START, turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (lesson,) = [r for r in Ledger.at(data).lessons() if "quota" in r.text]
    assert lesson.fix is None  # searchable, never rendered
    assert outcome.waiting_why.get(HeldBack.NO_FIX_SEEN, 0) >= 1  # and the summary says why
    assert outcome.folder is None or not [ln for ln in _lines(_proposed(outcome)) if "quota" in ln]

    # the same failure in a second session: no cause known, no remedy seen, still nothing
    # to do about it
    write_session(archive, "bbbbbbbb", START + timedelta(days=1), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    assert outcome.folder is None or not [ln for ln in _lines(_proposed(outcome)) if "quota" in ln]

    # a third: a warning, with its error and no invented fix
    write_session(archive, "cccccccc", START + timedelta(days=2), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = [ln for ln in _lines(_proposed(outcome)) if "quota" in ln]
    assert " [3](" in line and "no fix seen" in line and "instead" not in line


def test_a_failure_the_user_mended_never_renders_however_often(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """The push found no repository; the user made it and said so, and the same push passed:
    in three sessions, still no line (what they did is unseen; "no fix seen" would be false)."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    refused = (
        "remote: Repository not found.\nfatal: repository 'https://git.example/a/b/' not found"
    )
    turns = [
        Bash("git push -u origin main", refused, True),
        Say("assistant", "The repository does not exist yet: please create it, then tell me."),
        Say("user", "ok i created it"),
        Bash("git push -u origin main", "To https://git.example/a/b\n * [new branch] main -> main"),
    ]
    for day, name in enumerate(("aaaaaaaa", "bbbbbbbb", "cccccccc")):
        write_session(archive, name, START + timedelta(days=day), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (lesson,) = [r for r in Ledger.at(data).lessons() if "Repository not found" in r.text]
    assert "no fix seen" not in lesson.text and "passed when run again" not in lesson.text
    assert outcome.waiting_why.get(HeldBack.USER_STEPPED_IN, 0) == 1
    assert outcome.folder is None or "Repository" not in _proposed(outcome)


def test_a_warning_with_a_known_cause_renders_from_a_second_session() -> None:
    """A module not installed: the cause is the lesson, two sessions earn it; an opaque
    error, or a program missing with no other way to run it seen, needs a third."""
    missing = (
        "`rg` is not on the PATH here (“rg: command not found”); find the project's way to run "
        "it before retrying."
    )
    module = "The module `yaml` is not installed here (“No module named 'yaml'”) (no fix seen)."
    opaque = "`bd show …` fails here: “Error: Database out of sync with JSONL.” (no fix seen)."
    assert earned(_Lesson(module, scope=("Bash:python",), support=2))
    for warning, scope in ((opaque, ("Bash:bd",)), (missing, ("Bash:rg",))):
        assert not earned(_Lesson(warning, scope=scope, support=2))
        assert earned(_Lesson(warning, scope=scope, support=3))


def test_a_lesson_held_back_is_held_back_for_a_reason_the_summary_can_say() -> None:
    opaque = "`bd show …` fails here: “Error: Database out of sync with JSONL.” (no fix seen)."
    assert held_back(_Lesson(opaque, scope=("Bash:bd",), support=2)) is HeldBack.NO_FIX_SEEN
    once = "`make db` fails here (“role app does not exist”); run `make db-init` first."
    assert held_back(_Lesson(once, scope=("Bash:make",), support=1)) is HeldBack.ONE_SESSION
    waived = "`curl …` fails here (“certificate verify failed”); use `curl -k …` instead."
    lesson = _Lesson(waived, scope=("Bash:curl",), fix="curl -k https://x", support=4)
    assert held_back(lesson) is HeldBack.CHECK_WAIVED
    fixed = _Lesson(once, scope=("Bash:make",), fix="make db-init && make db", support=1)
    assert held_back(fixed) is None and earned(fixed)


def test_a_resumed_session_does_not_make_a_one_off_recur(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """`claude --resume` writes a new session file beginning with a copy of the conversation
    it resumes (the same events and uuids, here under the new session's id): the failure it
    holds was seen once, so it stays in the ledger."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    turns = [
        Say("user", "Deploy the preview."),
        Bash("make deploy-preview", "error: preview quota exceeded for this month", True),
        Say("assistant", "The preview quota is exhausted; I stopped here."),
    ]
    first = write_session(archive, "aaaaaaaa", START, turns)
    later = [Say("user", "Then write the release notes."), Say("assistant", "NOTES.md is written.")]
    resumed = write_session(archive, "bbbbbbbb", START + timedelta(hours=3), later)
    original = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    own = [json.loads(line) for line in resumed.read_text(encoding="utf-8").splitlines()]
    for row in original + own:
        row["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, row["uuid"]))
    copied = [{**row, "sessionId": own[0]["sessionId"]} for row in original]
    first.write_text("".join(json.dumps(r) + "\n" for r in original), encoding="utf-8")
    resumed.write_text("".join(json.dumps(r) + "\n" for r in copied + own), encoding="utf-8")
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    ledger = Ledger.at(data)
    (row,) = [r for r in ledger.lessons() if "quota" in r.text]
    evidence = ledger.evidence_of([row.id])[row.id]
    assert {e.session_id for e in evidence} == {original[0]["sessionId"], own[0]["sessionId"]}
    assert LessonView.of(row, evidence).support == 1
    assert outcome.folder is None or "quota" not in _proposed(outcome)


def test_one_cause_in_many_files_is_one_lesson_without_their_paths(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """Four scripts of one folder, not executable, in four sessions: one lesson about the
    folder with support 4, no script's name in it."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    files = ["build.sh", "lint.sh", "release.sh", "seed.sh"]
    for n, name in enumerate(files):
        where = f"./tools/{name}"
        denied = f"Exit code 126\n/bin/bash: line 1: {where}: Permission denied"
        turns = [
            Bash(where, denied, True),
            Bash(f"chmod +x {where} && {where}", "done"),
        ]
        write_session(archive, f"{n:08x}", START + timedelta(days=n), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    lessons = [r for r in Ledger.at(data).lessons() if "not executable" in r.text]
    assert len(lessons) == 1
    (line,) = [ln for ln in _lines(_proposed(outcome)) if "not executable" in ln]
    assert f" [{len(files)}](" in line
    text = line.split(f" [{len(files)}](")[0]
    assert not any(name in text for name in files) and "`tools/`" in text


def test_refused_edits_with_no_fix_never_render_however_often(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """That an edit can miss the file's text is no news; with no fix seen, the line would
    tell the next agent nothing to do, in however many sessions."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    for n, name in enumerate(["api/users.py", "web/app.ts"]):
        turns = [
            Say("user", "Rename the helper."),
            Bash(f"/w/shop/{name}", "String to replace not found in file.", True, tool="Edit"),
            Say("assistant", "The edit did not apply; I stopped here."),
        ]
        write_session(archive, f"{n:08x}", START + timedelta(days=n), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (lesson,) = [r for r in Ledger.at(data).lessons() if "String to replace" in r.text]
    evidence = Ledger.at(data).evidence_of([lesson.id])[lesson.id]
    assert lesson.fix is None and len({e.session_id for e in evidence}) == 2
    assert outcome.folder is None or not [
        ln for ln in _lines(_proposed(outcome)) if "String to replace" in ln
    ]


def test_a_refused_edit_mended_after_a_re_read_never_renders(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """An Edit that missed the file's text, then worked after a re-read: what the tool itself
    says to do, so no line, in however many sessions (it stays in the ledger, fix and all)."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    for n, name in enumerate(["api/users.py", "web/app.ts", "lib/util.py"]):
        turns = [
            Bash(f"/w/shop/{name}", "String to replace not found in file.", True, tool="Edit"),
            Bash(f"/w/shop/{name}", "     1\\tcontents", tool="Read"),
            Bash(f"/w/shop/{name}", f"The file {name} has been updated.", tool="Edit"),
        ]
        write_session(archive, f"{n:08x}", START + timedelta(days=n), turns)
        outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
        (lesson,) = [r for r in Ledger.at(data).lessons() if "String to replace" in r.text]
        assert lesson.fix is not None
        shown = [] if outcome.folder is None else _lines(_proposed(outcome))
        assert not [ln for ln in shown if "String to replace" in ln]


def test_the_projects_own_checks_failing_never_render_however_often(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """Type errors and failing tests of the code being written are the day's work, not a
    lesson, in however many sessions."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    typecheck = "src/cart.ts(12,7): error TS6133: 'total' is declared but its value is never read."
    turns = [Say("user", "Finish the cart."), Bash("pnpm typecheck", typecheck, True)]
    for n, session in enumerate(("aaaaaaaa", "bbbbbbbb", "cccccccc")):
        write_session(archive, session, START + timedelta(days=n), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (lesson,) = [r for r in Ledger.at(data).lessons() if "TS6133" in r.text]
    assert lesson.fix is None  # in the ledger, searchable
    assert outcome.folder is None or "TS6133" not in _proposed(outcome)


def test_a_module_not_installed_is_not_the_code_under_work(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    missing = (
        "src/app.tsx(1,19): error TS2307: Cannot find module 'react' or its type declarations."
    )
    turns = [Say("user", "Build it."), Bash("pnpm typecheck", missing, True)]
    for n, session in enumerate(("aaaaaaaa", "bbbbbbbb")):
        write_session(archive, session, START + timedelta(days=n), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    assert "TS2307" in _proposed(outcome)  # a warning: the dependencies are not installed


def test_a_flag_the_program_does_not_know_left_out_earns_its_line_once(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """The run showed what worked (the unknown flag left out, another renamed), though the
    listing printed only a tip and a note: one session earns the line."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    banner = "Tip: run 'tk sync' now and then\nNote: No git repository here - running unsynced"
    turns = [
        Say("user", "List the open cleanup tasks."),
        Bash("tk list --wisp --labels=cleanup --status=open", "Error: unknown flag: --wisp", True),
        Bash("tk list --label=cleanup --status=open", banner),
        Say("assistant", "There are no open cleanup tasks."),
    ]
    write_session(archive, "aaaaaaaa", START, turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = [ln for ln in _lines(_proposed(outcome)) if "--wisp" in ln]
    assert " [1](" in line and "no fix seen" not in line and "cleanup" not in line
    assert "`tk list` has no `--wisp` or `--labels` flag here" in line
    assert "use `--label=…` for `--labels=…`" in line


@pytest.mark.parametrize(
    ("text", "fix", "renders_once"),
    [
        # the flag left out is all that worked: an agent drops a flag the program refused
        ("`gt status` has no `--global` flag here (“Error: unknown flag: --global”); leave it "
         "out (that worked).", "gt status without --global", False),
        ("`fd` has no `-Z` or `--fancy` flag here (“error: unexpected argument '-Z' found”); "
         "leave them out (that worked).", "fd without -Z, --fancy", False),
        # another name for it, or its value given bare: what to write instead
        ("`tk compact` has no `--purge` flag here (“Error: unknown flag: --purge”); use "
         "`--prune` for `--purge` (that worked).", "tk compact with --prune for --purge", True),
        ("`ocodex exec` has no `--prompt` flag here (“error: unexpected argument '--prompt' "
         "found”); give its value without the flag (that worked).",
         "ocodex exec without --prompt", True),
    ],
)  # fmt: skip
def test_a_flag_only_left_out_earns_its_line_from_a_second_session(
    text: str, fix: str, renders_once: bool
) -> None:
    """Leaving out a flag the program said it does not know is what any agent does next: seen
    in one session, the line teaches nothing; a second session shows the flag keeps being
    reached for. Another name for the flag is worth a line at once."""
    once = _Lesson(text, scope=("Bash:gt",), fix=fix, support=1)
    assert earned(once) is renders_once
    if not renders_once:
        assert held_back(once) is HeldBack.FLAG_LEFT_OUT
    assert earned(_Lesson(text, scope=("Bash:gt",), fix=fix, support=2))


def test_a_retry_in_another_app_environment_earns_its_line_from_a_second_session() -> None:
    """A script that failed on the development database's records and worked under
    `RAILS_ENV=test` ran on another database: seen once, no rule for every such call; a
    variable the program lacked (`PYTHONPATH=src`) renders at once."""
    text = (
        "`bundle exec rails runner …` fails here (“Validation failed: Email has already been "
        "taken (ActiveRecord::RecordInvalid)”); run it with `RAILS_ENV=test` set."
    )
    fix = "RAILS_ENV=test bundle exec rails runner …"
    assert held_back(_Lesson(text, fix=fix, support=1)) is HeldBack.ONE_SESSION
    assert earned(_Lesson(text, fix=fix, support=2))
    among = text.replace("`RAILS_ENV=test`", "`DISABLE_SPRING=1 RAILS_ENV=test`")
    assert held_back(_Lesson(among, fix=fix, support=1)) is HeldBack.ONE_SESSION
    needed = (
        "`python -m pytest …` fails here (“ModuleNotFoundError: No module named 'shop'”); run "
        "it with `PYTHONPATH=src` set."
    )
    assert earned(_Lesson(needed, fix="PYTHONPATH=src python -m pytest …", support=1))


@dataclass(frozen=True)
class _Lesson:
    text: str
    kind: str = "failure"
    scope: tuple[str, ...] = ("Bash:flake8",)
    fix: str | None = None
    support: int = 3


@pytest.mark.parametrize(
    "text",
    [
        "`flake8 backend` fails here: “backend/main.py:12:1: E999 SyntaxError: invalid syntax”.",
        "`ruff check .` fails here: “app/cart.py:3:8: F401 `os` imported but unused”.",
        "`mypy src` fails here: “src/m.py:3: error: Module has no attribute “x”  [attr-defined]”.",
        "`npx eslint web` fails here: “  12:5  error  'total' is not defined  no-undef”.",
        # a script written that day its language could not parse, whatever script it was
        "`powershell.exe -ExecutionPolicy Bypass -File …` fails here: “+ CategoryInfo : "
        "ParserError: (:) [], ParentContainsErrorRecordException” (no fix seen).",
        # ... told by the parse error's own words, now that the record's footer is not quoted
        "`$rows = Get-Content -Raw …` fails here: “Unexpected token 'in' in expression or "
        "statement.” (no fix seen).",
        '`Set-Content notes.md "…` fails here: “The string is missing the terminator: ".” '
        "(no fix seen).",
        "`foreach ($f in $files) { …` fails here: “Missing closing '}' in statement block or "
        "type definition.” (no fix seen).",
        # the compilers of a Gradle build on the code of the day
        "`gradle assembleDebug --no-daemon` fails here: “e: ActionSequencerViewModel.kt:114:29 "
        "Unresolved reference: ToxParser” (no fix seen).",
        "`./gradlew build` fails here: “Cart.java:12: error: cannot find symbol” (no fix seen).",
        # Next.js's build on the code of the day: its type checker's and ESLint's findings
        "`npm run build` fails here: “Type error: Re-exporting a type when 'isolatedModules' "
        "is enabled requires using 'export type'.” (no fix seen).",
        "`npm run build` fails here: “12:7  Error: 'total' is assigned a value but never "
        "used.  @typescript-eslint/no-unused-vars” (no fix seen).",
    ],
)
def test_linters_findings_on_the_code_under_work_never_render(text: str) -> None:
    """What a linter or a type checker finds in the code being written is the day's work,
    however many sessions met it."""
    assert not earned(_Lesson(text))
    assert earned(_Lesson("`pnpm lint` fails here: “sh: eslint: command not found”."))
    # a SyntaxError may be the machine's: an interpreter too old for the code
    assert earned(_Lesson("`npx prisma generate` fails here: “SyntaxError: Unexpected token '?'”."))


@pytest.mark.parametrize(
    "text",
    [
        '`$rows = Get-Content -Raw …` fails here: “Unerwartetes Token "in" in Ausdruck oder '
        "Anweisung.” (no fix seen).",
        '`Set-Content notes.md "…` fails here: “Die Zeichenfolge hat kein Abschlusszeichen: ".” '
        "(no fix seen).",
        '`$n = -` fails here: “Ausdruck fehlt nach dem unären Operator "-".” (no fix seen).',
        "`$found = $names -like` fails here: “Sie müssen auf der rechten Seite nach dem Operator "
        '"-like" einen Wertausdruck bereitstellen.” (no fix seen).',
    ],
)
def test_a_german_powershells_parse_error_is_held_back_as_the_english_one(text: str) -> None:
    """PowerShell's parse errors read in German are what its English words are: the script's
    own syntax, never a line however often."""
    assert held_back(_Lesson(text)) is HeldBack.WORK_OF_THE_DAY


@pytest.mark.parametrize(
    "text",
    [
        "`bundle exec rspec …` fails here: “Failure/Error: expect(cart.total).to eq(12)” "
        "(no fix seen).",
        "`bundle exec rspec …` fails here: “4 examples, 2 failures” (no fix seen).",
        "`bundle exec rspec` fails here: “0 examples, 0 failures, 1 error occurred outside of "
        "examples” (no fix seen).",
        "`bin/rails test` fails here: “2 runs, 2 assertions, 1 failures, 0 errors, 0 skips” "
        "(no fix seen).",
        "`cargo test` fails here: “test result: FAILED. 1 passed; 1 failed; 0 ignored” "
        "(no fix seen).",
        "`vendor/bin/phpunit` fails here: “Tests: 2, Assertions: 2, Failures: 1.” (no fix seen).",
        "`vendor/bin/phpunit` fails here: “Tests: 2, Assertions: 1, Errors: 1.” (no fix seen).",
        "`npx mocha` fails here: “1 failing” (no fix seen).",
        "`bun run test` fails here: “error: expect(received).toBe(expected)” (no fix seen).",
        # counts folded when sessions' lessons are one
        "`bundle exec rspec …` fails here: “N examples, N failures, N errors occurred outside of "
        "examples” (no fix seen).",
        "`bin/rails test` fails here: “N runs, N assertions, N failures, N errors, N skips” "
        "(no fix seen).",
        "`npx mocha` fails here: “N failing” (no fix seen).",
        "`npx jest` fails here: “expect(received).toContain(expected) // …” (no fix seen).",
        # vitest's suite that could not load the code being written: esbuild's error at its
        # line, its `Transform failed` line, the tally of files
        '`npm test` fails here: “~/shop/src/price.ts:7:12: ERROR: Expected ";" but found '
        '"total"” (no fix seen).',
        "`npx vitest run` fails here: “Error: Transform failed with N error:” (no fix seen).",
        "`npx vitest run` fails here: “Test Files  N failed | N passed (N)” (no fix seen).",
        # Playwright's list reporter marking one test failing (`x` on Windows' console)
        "`npx playwright test` fails here: “x N [chromium] › tests\\login.spec.ts:N:N › Login › "
        "rejects a bad password (290ms)” (no fix seen).",
        "`npx playwright test` fails here: “✘ 4 [webkit] › e2e/cart.spec.ts:22:5 › Cart › "
        "applies a coupon (510ms)” (no fix seen).",
    ],
)
def test_a_test_runners_report_of_failing_tests_is_the_days_own_tests(text: str) -> None:
    """RSpec, minitest, cargo test, PHPUnit, bun and jest reporting failures: the project's own tests
    failing on the code being written, however many sessions met it."""
    assert held_back(_Lesson(text, scope=("Bash:bundle exec rspec",))) is HeldBack.WORK_OF_THE_DAY
    passed = "`bin/rails test` fails here: “3 runs, 3 assertions, 0 failures, 0 errors, 0 skips”."
    assert held_back(_Lesson(passed)) is not HeldBack.WORK_OF_THE_DAY


def test_rspec_failing_on_the_code_of_the_day_never_renders_however_often(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """An RSpec context named "with an invalid code" is no error: its report's
    `Failure/Error:` line is, and it is the day's own tests failing."""
    from tests.mine.test_signals import RSPEC_REPORT

    archive, data = tmp_path / "archive", tmp_path / "data"
    command = "DISABLE_SPRING=1 bundle exec rspec spec/models/coupon_spec.rb --format documentation"
    turns = [Say("user", "Refuse invalid coupons."), Bash(command, RSPEC_REPORT, True)]
    for n, session in enumerate(("aaaaaaaa", "bbbbbbbb", "cccccccc")):
        write_session(archive, session, START + timedelta(days=n), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (lesson,) = [r for r in Ledger.at(data).lessons() if "rspec" in r.text]
    assert "“Failure/Error: expect(coupon.redeem).to be(false)”" in lesson.text
    assert "invalid code" not in lesson.text
    assert outcome.folder is None or "rspec" not in _proposed(outcome)


def test_a_test_runner_stopped_by_the_machine_is_no_work_of_the_day(
    tmp_path: Path, embedder: object
) -> None:
    """jest failing because the database it reaches is not running: the lesson says so, and
    is not held back as the day's own tests."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    report = (
        "FAIL tests/orders.test.js\n  orders\n    ✕ saves an order (12 ms)\n\n"
        "  ● orders › saves an order\n\n    connect ECONNREFUSED 127.0.0.1:5432\n\n"
        "      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)\n\n"
        "Test Suites: 1 failed, 1 total\nTests:       1 failed, 1 total\n"
    )
    jest = "npx jest tests/orders.test.js"
    turns: list[Say | Bash] = [Say("user", "Save the orders."), Bash(jest, report, True)]
    for n, session in enumerate(("aaaaaaaa", "bbbbbbbb", "cccccccc")):
        write_session(archive, session, START + timedelta(days=n), turns)
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (lesson,) = [r for r in Ledger.at(data).lessons() if "jest" in r.text]
    assert "“connect ECONNREFUSED 127.0.0.1:5432”" in lesson.text
    assert held_back(_Lesson(lesson.text, scope=("Bash:npx jest",))) is None  # its 3 sessions


def _all_proposed(data: Path) -> list[str]:
    """The lines proposed for every target (a machine's facts go to CLAUDE.local.md)."""
    return [ln for f in sorted(data.rglob("proposed.md")) for ln in _lines(f.read_text("utf-8"))]


def test_an_import_error_is_told_of_its_interpreter_and_mended_only_by_its_package(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """`torch` missing for the interpreter at the end of an `ls … &&` chain, and torchvision
    installed into another env afterwards: no line says `ls`, none calls that install a fix.
    `yaml` missing, PyYAML installed for the same interpreter, the import then working: the
    lesson holds its install, and earns its line once another session needs it again."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    no = "Traceback (most recent call last):\nModuleNotFoundError: No module named '{}'"
    turns = [
        Say("user", "Check the training setup."),
        Bash(
            "ls data/ && ls src/ && conda run -n ml python3 -c 'import torch'",
            no.format("torch"),
            True,
        ),
        Bash(
            "conda run -n gpu python3 -c 'import torch; import torchvision'",
            no.format("torchvision"),
            True,
        ),
        Bash(
            "conda run -n gpu python3 -c 'import torch' && conda run -n gpu pip install torchvision",
            "",
        ),
        Bash("python3 -c 'import yaml; print(1)'", no.format("yaml"), True),
        Bash("pip install PyYAML", "Successfully installed PyYAML-6.0.2"),
        Bash("python3 -c 'import yaml; print(1)'", "1"),
    ]
    write_session(archive, "aaaaaaaa", START, turns)
    target = tmp_path / "repo" / "CLAUDE.md"
    distil(archive, data, embedder, target)
    texts = [r.text for r in Ledger.at(data).lessons()]
    assert not [t for t in texts if "for `ls`" in t or "`ls " in t]
    (torch,) = [t for t in texts if "'torch'" in t]
    assert "conda run -n ml python3" in torch and "(no fix seen)" in torch
    (yaml,) = [r for r in Ledger.at(data).lessons() if "'yaml'" in r.text]
    assert yaml.fix == "pip install PyYAML"
    lines = _all_proposed(data)
    assert not [ln for ln in lines if "'torch'" in ln]  # seen once, with no fix: not earned
    assert not [ln for ln in lines if "'yaml'" in ln]  # installed once: a repair done
    write_session(archive, "bbbbbbbb", START + timedelta(days=1), turns[4:])
    distil(archive, data, embedder, target)
    (line,) = [ln for ln in _all_proposed(data) if "'yaml'" in ln]
    assert "`pip install PyYAML`" in line and " [2](" in line


@pytest.mark.parametrize(
    ("text", "fix", "support", "renders"),
    [
        (
            "The module `yaml` is not installed for `py` here; install it with …",
            "py -m pip install PyYAML",
            1,
            False,
        ),
        (
            "`npm test` fails with “jest: not found”; run `npm install` first.",
            "npm install",
            1,
            False,
        ),
        (
            "`npm test` fails with “jest: not found”; run `npm install` first.",
            "npm install",
            2,
            True,
        ),
        ("`npm test` fails here (“jest: not found”); use `npx jest` instead.", "npx jest", 1, True),
        (  # Windows' own names of the installers
            "`python.exe init_db.py` fails with “No module named 'pydantic_settings'”; run …",
            "./venv/Scripts/pip.exe install pydantic-settings",
            1,
            False,
        ),
        (
            "`python.exe -m playwright install chromium` fails with “No module named "
            "playwright”; run `pip.exe install playwright` first.",
            "./venv/Scripts/pip.exe install playwright",
            1,
            False,
        ),
        ("`npm.cmd run build` fails with “vite: not found”; run …", "npm.cmd install", 1, False),
        ("`rg` is not on the PATH here; install it with …", "cargo install ripgrep", 1, False),
        (  # no pip here: the way to install is the lesson, not a package put in place once
            "`pip` is not on the PATH here (“pip: command not found”); install into a virtual "
            "environment, calling its own pip by its path: `python3 -m venv e && e/bin/pip …`.",
            "python3 -m venv e && e/bin/pip install whisper",
            1,
            True,
        ),
        ("`gh` is not on the PATH here; install it with …", "winget install GitHub.cli", 1, False),
        (
            "`npm install` fails inside Codex's sandbox here and works outside it; ask …",
            "npm install",
            1,
            True,
        ),
        # the machine set up once: a host key trusted, a login, a global setting
        (
            "`ssh -T git@github.com` fails with “Host key verification failed.”; run …",
            "ssh-keyscan -t ed25519 github.com >> ~/.ssh/known_hosts",
            1,
            False,
        ),
        ("`git push` fails with “Authentication failed”; run …", "gh auth login", 1, False),
        (
            "`python3 test_view.py` fails with “BrowserType.launch: Executable doesn't exist at "
            "…”; run `playwright install chromium` first.",
            "playwright install chromium",
            1,
            False,
        ),
        (
            "`npx playwright test` fails with “Executable doesn't exist at …”; run `npx "
            "playwright install` first.",
            "npx playwright install",
            2,
            True,
        ),
        (
            "`git commit` fails with “empty ident name”; run …",
            "git config --global user.name x",
            1,
            False,
        ),
        (
            "`ssh -T git@github.com` fails with “Host key verification failed.”; run …",
            "ssh-keyscan -t ed25519 github.com >> ~/.ssh/known_hosts",
            2,
            True,
        ),
    ],
)
def test_a_package_installed_once_is_a_repair_done(
    text: str, fix: str, support: int, renders: bool
) -> None:
    """The next run finds the package installed (the host key trusted, the login done): the
    line waits for a second session (a fresh environment). A failing install, as in a
    sandbox, is no repair."""
    assert earned(_Lesson(text, scope=("Bash:npm",), fix=fix, support=support)) is renders


def test_a_failure_mended_by_editing_the_work_never_renders() -> None:
    """A failure that passed "until files were edited": which edit mattered, and why, the line cannot say
    (an environment error, then a test of the code being written, both "mended" so)."""
    text = (
        "`pnpm test:rbac` failed with “Invalid server environment variables: {” until files "
        "were edited (`rbac.ts`)."
    )
    assert not earned(_Lesson(text, scope=("Bash:pnpm",), support=5))


@pytest.mark.parametrize(
    "text",
    [
        "`python - <<'PY'` fails here: “shop.conf.NotReady: Requested option CURRENCY, but the "
        "shop is not set up.” (no fix seen).",
        '`python3 -c "from shop.cart import mean; print(mean([]))"` fails here: '
        "“ZeroDivisionError: division by zero” (no fix seen).",
        "`node -e \"require('./lib/feed').parse()\"` fails here: “TypeError: Cannot read "
        "properties of undefined (reading 'items')” (no fix seen).",
        "`python3 <<EOF` fails here: “KeyError: 'region'” (no fix seen).",
        "`perl -ne …` fails here: “Can't locate object method id via package Row” (no fix seen).",
        "`cat <<'EOF' | python3` fails here: “NameError: name 'rows' is not defined” (no fix seen).",
        "`ruby -e …` fails here: “undefined method `size' for nil (NoMethodError)” (no fix seen).",
    ],
)
def test_an_inline_scripts_own_error_with_no_fix_never_renders(text: str) -> None:
    """A script handed inline to its interpreter (`python - <<'PY'`, `python -c`, `node -e`)
    is that day's code: an exception its own code raised is its own slip, a warning of it
    teaches nothing, in however many sessions."""
    lesson = _Lesson(text, scope=("Bash:python",), support=6)
    assert held_back(lesson) is HeldBack.SCRIPTS_OWN and not earned(lesson)


@pytest.mark.parametrize(
    "text",
    [
        # what the machine lacks or refuses, whichever script met it, recurs for the next one
        "`python - <<'PY'` fails here: “ImportError: libGL.so.1: cannot open shared object "
        "file: No such file or directory” (no fix seen).",
        '`python3 -c "import urllib.request as u; u.urlopen(…)"` fails here: “urllib.error.'
        "URLError: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed” "
        "(no fix seen).",
        "`python - <<'PY'` fails here: “PermissionError: [Errno 13] Permission denied: "
        "'/var/log/shop'” (no fix seen).",
        "`python3 -c …` fails inside Codex's sandbox here: “PermissionError: [Errno 1] "
        "Operation not permitted” (no fix seen).",
        "`python3 - <<'PY'` fails here: “UnicodeEncodeError: 'ascii' codec can't encode "
        "character '\\xe9' in position 3” (no fix seen).",
        # a command or a module run, not an inline script: as before
        "`python -m shop.tasks` fails here: “KeyError: 'region'” (no fix seen).",
        "`python manage.py check` fails here: “shop.conf.NotReady: Requested option "
        "CURRENCY, but the shop is not set up.” (no fix seen).",
    ],
)
def test_the_machines_refusal_of_an_inline_script_still_renders_when_it_recurs(
    text: str,
) -> None:
    lesson = _Lesson(text, scope=("Bash:python",), support=3)
    assert held_back(lesson) is None
    assert held_back(_Lesson(text, scope=("Bash:python",), support=2)) is HeldBack.NO_FIX_SEEN


@pytest.mark.parametrize(
    ("command", "inline"),
    [
        ("python -Wignore manage.py check", False),  # an option's value, then a file run
        ("python3 -Werror -m shop.tasks", False),
        ("python3 -Ic 'import shop'", True),  # one-letter flags, then the script
        ("PYTHONPATH=src python3 -u -c 'import shop'", True),
        ("py -c 'import shop'", True),
        ("cat <<'EOF' | node", True),
    ],
)
def test_an_inline_script_is_told_from_an_option_with_its_value(command: str, inline: bool) -> None:
    """`-Wignore` is Python's warnings option with its value, not flags ending in `-e`: the
    file it runs is the project's, not a script handed inline."""
    text = f"`{command}` fails here: “KeyError: 'region'” (no fix seen)."
    held = held_back(_Lesson(text, scope=("Bash:python",), support=3))
    assert (held is HeldBack.SCRIPTS_OWN) is inline


def test_an_inline_script_failure_with_the_way_shown_renders() -> None:
    """A fix the run showed (settings configured first) is a way, not the script's slip."""
    text = (
        "`python - <<'PY'` fails with “shop.conf.NotReady: Requested option CURRENCY”; run "
        "`export SHOP_SETTINGS=shop.settings` first."
    )
    fix = "export SHOP_SETTINGS=shop.settings"
    assert earned(_Lesson(text, scope=("Bash:python",), fix=fix, support=1))


@pytest.mark.parametrize(
    "text",
    [
        "`uv run ruff check …` fails here (“I001 [*] Import block is un-sorted or un-formatted”); "
        "use `uv run ruff check --fix …` instead.",
        "`ruff check` fails here: “E501 Line too long (120 > 88)” (no fix seen).",
    ],
)
def test_a_linters_finding_in_rules_full_format_is_the_days_own_code(text: str) -> None:
    """ruff's full format names the rule first (`I001 [*] …`, its place on the next line):
    a finding in the code being written, like the concise `a.py:3:1: F401 …`."""
    assert held_back(_Lesson(text, scope=("Bash:ruff check",))) is HeldBack.WORK_OF_THE_DAY


def test_a_finding_the_linter_mended_itself_is_the_days_own_code() -> None:
    """`ruff check --fix` after `ruff check` reported a fixable finding: the linter offered it;
    however often, no lesson. Another way past a finding of the day's code keeps its line."""
    text = (
        "`ruff check …` fails here (“src/cart.py:3:1: F401 [*] `os` imported but unused”); "
        "use `ruff check --fix …` instead."
    )
    fixed = _Lesson(text, fix="ruff check --fix src/cart.py", support=3)
    assert held_back(fixed) is HeldBack.WORK_OF_THE_DAY
    config = _Lesson(text.replace("--fix", "--config ruff.toml"), fix="ruff check --config x")
    assert held_back(config) is not HeldBack.WORK_OF_THE_DAY
    dry = _Lesson(text.replace("--fix", "--fix-dry-run"), fix="eslint --fix-dry-run src")
    assert held_back(dry) is not HeldBack.WORK_OF_THE_DAY  # it mends nothing


def test_a_console_code_page_told_with_the_usual_ways_none_seen_never_earns_a_line() -> None:
    """The usual ways past a Windows console's code page, none of them seen working: however
    often the failure recurs, a line would teach a remedy no run showed."""
    usual = (
        "On this Windows machine Python writes through the console's code page, not UTF-8: "
        "printing other characters fails (“UnicodeEncodeError: 'gbk' codec can't encode …”); "
        "set `PYTHONIOENCODING=utf-8` before running it (PowerShell: "
        "`$env:PYTHONIOENCODING='utf-8'`), or run it as `python -X utf8`."
    )
    lesson = _Lesson(usual, scope=("Bash:python",), support=4)
    assert held_back(lesson) is HeldBack.NO_FIX_SEEN and not earned(lesson)
    seen = usual.split("; set ")[0] + "; run it as `python -X utf8` (that worked)."
    assert earned(_Lesson(seen, scope=("Bash:python",), fix="run it as `python -X utf8`"))


_PULL_BLOCKED = (
    "`git pull --rebase origin main` fails with “error: cannot pull with rebase: You have "
    "unstaged changes.”; run `{told}` first."
)


@pytest.mark.parametrize(
    ("fix", "told"),
    [
        ('git add -A && git commit -m "wip"', "git add -A && git commit -m …"),
        ("git add . && git commit -m 'save'", "git add . && git commit -m …"),
        ('git -C ~/shop add --all && git commit -m "wip"', "git add --all && git commit -m …"),
        ('git commit -am "wip"', "git commit -am …"),
        ('git commit -a -m "wip"', "git commit -a -m …"),
    ],
)
def test_a_dirty_tree_got_past_by_committing_every_change_never_earns_a_line(
    fix: str, told: str
) -> None:
    """Whatever the tree held (another's work, the agent's own files) went into the commit:
    however often, no way to teach past a working tree with changes in it."""
    lesson = _Lesson(_PULL_BLOCKED.format(told=told), scope=("Bash:git pull",), fix=fix, support=4)
    assert not earned(lesson) and held_back(lesson) is HeldBack.SWEPT_IN
    for error in (
        "“error: Your local changes to the following files would be overwritten by merge:”",
        "“npm ERR! Git working directory not clean.”",
    ):
        other = _Lesson(f"`git merge …` fails with {error}; run `{told}` first.", fix=fix)
        assert held_back(other) is HeldBack.SWEPT_IN


def test_every_file_staged_where_the_tree_was_not_what_failed_keeps_its_line() -> None:
    """A flake sees only the files git tracks: staging the new ones is the way, and no dirty
    tree was in the way; a dirty tree got past by committing the files the work changed is no
    sweep either."""
    flake = (
        "`nixos-rebuild switch --flake .` fails with “error: path '…/hosts/lab.nix' does not "
        "exist”; run `git add -A` first."
    )
    lesson = _Lesson(flake, scope=("Bash:nixos-rebuild",), fix="git add -A", support=1)
    assert held_back(lesson) is None and earned(lesson)
    named = 'git add src/cart.py && git commit -m "cart totals"'
    told = _PULL_BLOCKED.format(told="git add … && git commit -m …")
    assert held_back(_Lesson(told, fix=named, support=1)) is None


def test_a_fix_that_deleted_a_databases_rows_never_earns_a_line() -> None:
    """`-u` failed on a view the code no longer had; deleting its row got past it: data thrown
    away to get past an error, however often, is no step to teach."""
    text = (
        "`docker exec web odoo -d odoo18 -u crm_extra --stop-after-…` fails with “ParseError: "
        'while parsing …”; run `docker exec db psql -U odoo -d odoo18 -c "DELETE FROM '
        "ir_ui_view WHERE name = 'crm.fix';\"` first."
    )
    fix = "docker exec db psql -U odoo -d odoo18 -c \"DELETE FROM ir_ui_view WHERE name = 'crm.fix';\""
    lesson = _Lesson(text, scope=("Bash:docker",), fix=fix, support=3)
    assert held_back(lesson) is HeldBack.CHECK_WAIVED
    kept = _Lesson(text, scope=("Bash:docker",), fix="docker exec web odoo -d odoo18 -i crm_extra")
    assert held_back(kept) is None


def test_the_errors_own_hint_earns_its_line_from_a_second_session() -> None:
    """A step or an option the error itself told, taken once: any agent reading the error
    takes it; a second session shows it is hit again, and the line saves the failed call."""
    text = (
        "`shipit service status` fails here (“No service linked.”); use `shipit service "
        "status --all` instead, as the error says."
    )
    fix = "shipit service status --all"
    assert held_back(_Lesson(text, fix=fix, support=1)) is HeldBack.ERRORS_OWN_HINT
    assert earned(_Lesson(text, fix=fix, support=2))


# Next.js's failed build: its banner, the file, what is wrong there, its banner again.
_NEXT_BUILD = "Failed to compile.\n\n{place}\n{error}\n\n\n> Build failed because of webpack errors"
_OTHER_ERRORS = [
    ("./src/app/page.tsx", "Module not found: Can't resolve 'left-pad'"),
    (
        "./src/app/about/page.tsx",
        'Error:   x You are attempting to export "metadata" from a component marked with '
        '"use client", which is disallowed.',
    ),
    ("./src/lib/cart.ts", "Error: \n  x Expression expected"),
]


def _builds_failed(tmp_path: Path, errors: list[tuple[str, str]]) -> Path:
    """One session per error, each `npm run build` failing on it, a day apart; the archive."""
    archive = tmp_path / "archive"
    for n, (place, error) in enumerate(errors):
        output = _NEXT_BUILD.format(place=place, error=error)
        turns = [Say("user", "Build it."), Bash("npm run build", output, True)]
        write_session(archive, f"{n:08d}", START + timedelta(days=n), turns)
    return archive


def test_a_build_banner_over_other_errors_is_no_error_recurring(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """ "Failed to compile." heads every failed build: three builds that failed on three other
    errors are three errors seen once each, never one line earned by the banner's repeats."""
    archive, data = _builds_failed(tmp_path, _OTHER_ERRORS), tmp_path / "data"
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    with Ledger.at(data) as ledger:
        built = [r.id for r in ledger.lessons() if "npm run build" in r.text]
        evidence = ledger.evidence_of(built)
    assert len(built) == len(_OTHER_ERRORS)
    assert all(len({e.session_id for e in found}) == 1 for found in evidence.values())
    assert not any("Failed to compile" in e.quote for found in evidence.values() for e in found)
    assert outcome.folder is None or "npm run build" not in _proposed(outcome)


def test_a_build_banner_alone_is_no_lesson(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """The output cut to its banners (`| tail -3`): no error is told, none to learn."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    cut = "Failed to compile.\n\n> Build failed because of webpack errors"
    for n in range(3):
        turns = [Say("user", "Build it."), Bash("npm run build 2>&1 | tail -3", cut, True)]
        write_session(archive, f"{n:08d}", START + timedelta(days=n), turns)
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    with Ledger.at(data) as ledger:
        assert not [r for r in ledger.lessons() if "npm run build" in r.text]


def test_the_same_error_under_a_build_banner_still_earns_its_line(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """The control: one error under the banner in three sessions is one lesson, its line
    quoting the error."""
    archive, data = _builds_failed(tmp_path, [_OTHER_ERRORS[0]] * 3), tmp_path / "data"
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = [ln for ln in _lines(_proposed(outcome)) if "npm run build" in ln]
    assert " [3](" in line and "Module not found: Can't resolve 'left-pad'" in line


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        (
            "Read fails here: “This tool cannot read binary files.” (no fix seen).",
            ("Read:/w/docs/manual.docx", "Read:/w/assets/logo.bin"),
        ),
        (
            "Read fails here: “File content (41230 tokens) exceeds maximum allowed tokens "
            "(25000). Please use offset and limit parameters.” (no fix seen).",
            ("Read:/w/logs/build.log",),
        ),
        (
            "NotebookRead fails here: “File content (3.1MB) exceeds maximum allowed size "
            "(256KB).” (no fix seen).",
            ("NotebookRead:/w/analysis.ipynb",),
        ),
        ("Read failed here: “file is too large to read” (no fix seen).", ("Read:/w/dump.sql",)),
    ],
)
def test_a_tools_own_limit_with_no_fix_never_renders_however_often(
    text: str, scope: tuple[str, ...]
) -> None:
    """A built-in tool refusing by a limit it states itself (a binary file, a file beyond
    its size) says in its error all there is to know: a warning of it teaches nothing."""
    lesson = _Lesson(text, scope=scope, support=5)
    assert held_back(lesson) is HeldBack.TOOLS_OWN_LIMIT and not earned(lesson)


def test_a_tools_limit_with_its_way_past_shown_still_renders() -> None:
    text = (
        "Read fails here (“File content (41230 tokens) exceeds maximum allowed tokens "
        "(25000)”); read it in parts with `offset` and `limit`."
    )
    lesson = _Lesson(text, scope=("Read:/w/logs/build.log",), fix="offset=1 limit=2000")
    assert earned(lesson)


def test_a_programs_size_limit_run_from_the_shell_still_renders_when_it_recurs() -> None:
    """A program's refusal (the remote's size limit) is a fact of the place, not a tool
    stating its own limit."""
    text = (
        "`git push` fails here: “remote: error: File data/dump.sql is 120 MB; the file is too "
        "large for this remote” (no fix seen)."
    )
    assert held_back(_Lesson(text, scope=("Bash:git",), support=3)) is None


def test_the_folder_the_user_keeps_the_edits_to_earns_its_line_in_a_second_session(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """Kept to a folder in one session, the work had that task's scope; kept to it again in
    another, the user's rule: one line, with both sessions for support."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    target = tmp_path / "repo" / "CLAUDE.md"
    pasted = "\n".join(
        ["SCOPE RULES", "WORK ONLY IN: shop-v2/", "- DO NOT WRITE outside shop-v2"]
        + ["- Treat all other folders as READ-ONLY", "CONTEXT:", "A rewrite of the old shop."]
        + [f"- Step {n}: move page {n} over." for n in range(1, 9)]
    )
    first = [Say("user", pasted), Say("assistant", "I moved the first page into shop-v2.")]
    write_session(archive, "aaaaaaaa", START, first)
    outcome = distil(archive, data, embedder, target)
    assert outcome.waiting_why.get(HeldBack.ONE_SESSION, 0) == 1
    assert outcome.folder is None or "shop-v2" not in _proposed(outcome)

    again = [
        Say("user", "Fix the cart total."),
        Say("assistant", "I fixed the total in cart.js in the old shop folder."),
        Say("user", "No, revert that. Only edit files in shop-v2/, the old one works."),
    ]
    write_session(archive, "bbbbbbbb", START + timedelta(days=1), again)
    outcome = distil(archive, data, embedder, target)
    (line,) = [ln for ln in _lines(_proposed(outcome)) if "shop-v2" in ln]
    assert line.startswith("- Edit files only under `shop-v2/`; treat everything outside it")
    assert " [2](" in line


def test_a_one_off_limit_of_an_edit_in_two_sessions_earns_no_line(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """The control: today's edit kept to one part of a file is no folder kept to, however
    often it is asked."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    for n in range(2):
        turns = [
            Say("user", "Only change the header in index.html, leave the footer alone."),
            Say("assistant", "I changed the header in index.html."),
        ]
        write_session(archive, f"{n:08d}", START + timedelta(days=n), turns)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    assert outcome.folder is None or "index.html" not in _proposed(outcome)
    with Ledger.at(data) as ledger:
        assert not [r for r in ledger.lessons() if READ_ONLY_OUTSIDE in r.text]


@pytest.mark.parametrize(("support", "held"), [(1, HeldBack.ONE_SESSION), (2, None)])
def test_a_folder_kept_to_is_held_back_until_two_sessions_keep_to_it(
    support: int, held: HeldBack | None
) -> None:
    text = f"Edit files only under `shop-v2/`; {READ_ONLY_OUTSIDE}"
    assert held_back(_Lesson(text, kind="decision", support=support)) is held
