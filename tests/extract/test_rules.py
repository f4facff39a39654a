from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from metis_distill.extract.rules import (
    _NO_TIMEOUT_TEXT,
    RulesExtractor,
    _named_files_cut,
    _statement_text,
)
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.shells import QUOTING_LESSON
from metis_distill.models import LessonKind
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES
from tests.mine.test_episodes import call, edit, failure_lessons, result

ROOT = FIXTURES / "claude_code"


def extract(path: Path, root: Path):  # type: ignore[no-untyped-def]
    run = parse_file(path, root)
    return RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))


def test_demo_lessons() -> None:
    found = {c.kind: c for c in extract(DEMO_FILE, ROOT) if c.kind is not LessonKind.FAILURE}
    failures = [c for c in extract(DEMO_FILE, ROOT) if c.kind is LessonKind.FAILURE]
    fix = next(c for c in failures if "uv run" in c.text)
    assert (
        fix.text
        == "`pytest` is not on the PATH here (“pytest: command not found”); use `uv run pytest …` instead."
    )
    assert fix.evidence.ref.line_start == 3 and fix.evidence.ref.line_end == 7
    assert fix.severity == 3
    assert found[LessonKind.DECISION].text.startswith("Use integer cents for money because")
    assert found[LessonKind.GOTCHA].text.startswith("pytest is only installed inside the uv")
    correction = next(c for c in failures if c.text.startswith("User correction"))
    assert "generate a new alembic revision" in correction.text


def test_no_secret_in_any_lesson_or_quote() -> None:
    for candidate in extract(DEMO_FILE, ROOT):
        assert "sk-ant" not in candidate.text and "sk-ant" not in candidate.evidence.quote


@pytest.mark.corpus
def test_every_quote_resolves_on_the_corpus(corpus: Path) -> None:
    total = 0
    for path in sorted((corpus / "claude-code").glob("*.jsonl")):
        for candidate in extract(path, corpus):
            ref = candidate.evidence.ref
            assert quote_in_span(
                corpus / ref.path, ref.line_start, ref.line_end, candidate.evidence.quote
            ), candidate
            total += 1
    assert total >= 20


def _edit_failure(tmp_path: Path, error: str, again: bool = False):  # type: ignore[no-untyped-def]
    """The lessons of an Edit call refused with `error`, then an Edit of the same file that
    worked: written otherwise, or (`again`) the very same edit sent again."""
    from tests.mine.test_episodes import _write, edit, result

    path = _write(
        tmp_path,
        [
            edit("e1", "src/a.py", "x = 1", "x = 2"),
            result("e1", error, True),
            edit("e2", "src/a.py", "x = 1", "x = 2" if again else "x: int = 2"),
            result("e2", "The file src/a.py has been updated successfully."),
        ],
    )
    return extract(path, path.parent)


def test_only_an_edit_whose_text_did_not_match_is_told_to_re_read(tmp_path: Path) -> None:
    (stale,) = _edit_failure(tmp_path / "a", "String to replace not found in file.\nString: x")
    assert "was not the file's current text" in stale.text
    # another refusal says nothing of stale text, and names no remedy it cannot tell; that an
    # edit written otherwise worked right after, it says (not "no fix seen")
    (other,) = _edit_failure(tmp_path / "b", "No filename provided before ``` in file listing")
    assert "current text" not in other.text and "re-read" not in other.text
    assert other.fix is None and "(no fix seen)" not in other.text
    assert other.text.endswith("; an edit written otherwise worked right after.")


def test_the_same_edit_sent_again_is_no_edit_written_otherwise(tmp_path: Path) -> None:
    """The very edit refused went through when sent again: its text was not what stopped it,
    and no edit written otherwise is claimed."""
    (same,) = _edit_failure(tmp_path, "No filename provided before ``` in file listing", again=True)
    assert "written otherwise" not in same.text and same.fix is None
    assert same.text == (
        "Edit failed once with “No filename provided before ``` in file listing” and passed "
        "when run again."
    )


def test_a_malformed_call_the_harness_refused_is_no_lesson(tmp_path: Path) -> None:
    refused = "InputValidationError: Edit failed due to the following issue:\nThe required parameter `old_string` is missing"
    assert _edit_failure(tmp_path, refused) == []


def _aider_mismatch(path: Path, started: str, error: list[str]) -> Path:
    """An aider launch whose one SEARCH/REPLACE block for `src/a.py` did not match."""
    texts = [
        f"# aider chat started at {started}",
        "",
        "> Main model: claude-3-5-sonnet with diff edit format  ",
        "",
        "#### bump x  ",
        "",
        "src/a.py",
        "```python",
        "<<<<<<< SEARCH",
        "x = 1",
        "=======",
        "x = 2",
        ">>>>>>> REPLACE",
        "```",
        "",
        *error,
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    return path


def test_aiders_wordings_of_a_block_that_did_not_match_are_one_lesson(tmp_path: Path) -> None:
    """aider said it "# 1 SEARCH/REPLACE block failed to match!" in one version and
    "SearchReplaceNoExactMatch: … lines in src/a.py" in another: one cause, one line, no file."""
    from metis_distill.sources.aider import parse_file as parse_aider

    older = _aider_mismatch(
        tmp_path / "one" / ".aider.chat.history.md",
        "2024-07-01 12:00:00",
        ["> # 1 SEARCH/REPLACE block failed to match!  "],
    )
    newer = _aider_mismatch(
        tmp_path / "two" / ".aider.chat.history.md",
        "2025-06-01 12:00:00",
        [
            "> The LLM did not conform to the edit format.  ",
            ">",
            "> # 1 SEARCH/REPLACE block failed to match!",
            ">",
            "> ## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in "
            "src/a.py",
            "> <<<<<<< SEARCH  ",
            "> x = 1  ",
            "> =======  ",
            "> x = 2  ",
            "> >>>>>>> REPLACE  ",
            ">",
            "> The SEARCH section must exactly match an existing block of lines",
        ],
    )
    texts = set()
    for path in (older, newer):
        run = parse_aider(path, tmp_path)
        found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
        texts |= {c.text for c in found if c.kind is LessonKind.FAILURE}
    assert len(texts) == 1
    (text,) = texts
    assert "SEARCH/REPLACE block failed to match" in text and "src/a.py" not in text


def _retried(tmp_path: Path, failed: str, error: str, retry: str, output: str = "ok"):  # type: ignore[no-untyped-def]
    """The lessons of a Bash call that failed with `error`, then `retry` working."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [call("c1", failed), result("c1", error, True), call("c2", retry), result("c2", output)],
    )
    return extract(path, path.parent)


def test_an_interpreter_missing_for_a_rewritten_script_is_still_replaced(tmp_path: Path) -> None:
    # the retry fed python3 nearly the same script (an unused import dropped): the same intent
    failed = "python - <<'PY'\nimport re, sys\nprint(len(re.findall('a', 'aa')))\nPY"
    retry = "python3 - <<'PY'\nimport re\nprint(len(re.findall('a', 'aa')))\nPY"
    error = "Exit code 127\n/bin/bash: line 1: python: command not found"
    (lesson,) = _retried(tmp_path, failed, error, retry, "2")
    assert "use `python3 …` instead" in lesson.text and lesson.fix == "python3"


def test_the_program_that_worked_is_named_alone_when_the_call_shares_nothing(
    tmp_path: Path,
) -> None:
    """`python` missing; `python3` then ran the project's own entry point: the lesson is the
    program, not that call's arguments."""
    error = "Exit code 127\nbash: line 1: python: command not found"
    (lesson,) = _retried(tmp_path, "python -m pytest -q", error, "python3 app.py test", "ok")
    assert "use `python3 …` instead" in lesson.text and lesson.fix == "python3"


def test_a_runner_that_ends_on_a_flag_keeps_its_values(tmp_path: Path) -> None:
    """`cargo` missing on NixOS; `nix-shell -p cargo rustc --run '…'` worked: the packages
    named are what made `cargo` there, so the remedy names them."""
    error = "Exit code 127\nbash: line 1: cargo: command not found"
    retry = "nix-shell -p cargo rustc pkg-config --run 'cargo check'"
    (lesson,) = _retried(tmp_path, "cargo check", error, retry)
    assert "use `nix-shell -p cargo rustc pkg-config …` instead" in lesson.text


def test_a_runner_the_failed_call_used_for_a_later_step_is_still_named_whole(
    tmp_path: Path,
) -> None:
    """`cargo fmt && … && nix develop -c cargo test`: the first step ran `cargo` bare and
    failed; the whole chain inside `nix develop -c bash -lc '…'` worked. The failed call's
    words include `nix`, which must not cut the runner down to that one word."""
    error = "Exit code 127\nbash: line 1: cargo: command not found"
    failed = "cargo fmt --all && nix develop -c cargo test --manifest-path k/Cargo.toml"
    retry = "nix develop -c bash -lc 'cargo fmt --all && cargo test --manifest-path k/Cargo.toml'"
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert "use `nix develop -c …` instead" in lesson.text, lesson.text


RBENV_NOT_FOUND = (
    "Exit code 127\nrbenv: pod: command not found\n\n"
    "The `pod' command exists in these Ruby versions:\n  3.1.7"
)


@pytest.mark.parametrize(
    ("failed", "error", "retry", "way"),
    [
        # a version chosen first, then the program run through the version manager
        ("cd ios && pod install", RBENV_NOT_FOUND,
         "cd ios && rbenv local 3.1.7 && rbenv exec pod install", "rbenv local 3.1.7 && rbenv exec pod"),
        # an environment made first, then the program run in it
        ("pytest -q", "bash: line 1: pytest: command not found",
         "uv venv && uv run pytest -q", "uv venv && uv run pytest"),
        # a step that only looks or moves prepares nothing
        ("pod install", RBENV_NOT_FOUND,
         "which pod; cd ios && rbenv exec pod install", "rbenv exec pod"),
        # preparing steps too long to tell: the step that ran it alone
        ("jest --ci", "sh: 1: jest: not found",
         "npm install --no-audit --no-fund --legacy-peer-deps && npx jest --ci", "npx jest"),
    ],
)  # fmt: skip
def test_a_later_step_of_a_chain_that_ran_the_program_is_the_way(
    tmp_path: Path, failed: str, error: str, retry: str, way: str
) -> None:
    """The retry prepared the program, then ran it another way: the way told is the step
    that ran it, after the short steps that prepared it, never a preparing step alone."""
    (lesson,) = _retried(tmp_path, failed, error, retry)
    program = way.split()[-1]
    assert lesson.text == (
        f"`{program}` is not on the PATH here (“{program}: command not found”); "
        f"use `{way} …` instead."
    )
    assert lesson.fix == way


@pytest.mark.parametrize(
    ("failed", "retry"),
    [("jest --ci", "npx jest --ci"), ("cd app && jest --ci", "cd app && npx jest --ci")],
)
def test_a_runner_of_one_step_keeps_its_wording(tmp_path: Path, failed: str, retry: str) -> None:
    (lesson,) = _retried(tmp_path, failed, "sh: 1: jest: not found", retry)
    assert lesson.text == (
        "`jest` is not on the PATH here (“jest: command not found”); use `npx jest …` instead."
    )
    assert lesson.fix == "npx"


def test_a_program_run_bare_after_steps_too_long_to_tell_is_no_way(tmp_path: Path) -> None:
    """`pod` worked bare once a long step had run before it: that step alone with "…" would
    read as if it replaced `pod`."""
    retry = 'eval "$(rbenv init - bash)" && rbenv shell 3.1.7 && pod install'
    (lesson,) = _retried(tmp_path, "pod install", RBENV_NOT_FOUND, retry)
    assert lesson.fix is None and "instead" not in lesson.text


UBUNTU_NOT_FOUND = (
    "Command 'docker-compose' not found, but can be installed with:\nsudo snap install docker"
)


@pytest.mark.parametrize(
    "error",
    [
        UBUNTU_NOT_FOUND,
        "Exit code 127\nbash: docker-compose: command not found",
        "Exit code 127\n(eval):1: command not found: docker-compose",
    ],
)
def test_a_program_run_under_its_other_spelling_is_the_way_past_it(
    tmp_path: Path, error: str
) -> None:
    """`docker-compose` missing; `docker compose up -d`, its plugin named as the program's
    subcommand, did the same work."""
    failed, retry = "cd deploy && docker-compose up -d", "cd deploy && docker compose up -d"
    (lesson,) = _retried(tmp_path, failed, error, retry, "Container deploy-db-1  Started")
    assert lesson.text == (
        "`docker-compose` is not on the PATH here (“docker-compose: command not found”); "
        "use `docker compose …` instead."
    )
    assert lesson.fix == "docker compose"


@pytest.mark.parametrize(
    ("failed", "error", "retry"),
    [
        # the other spelling, asking for other work
        ("docker-compose up -d", UBUNTU_NOT_FOUND, "docker compose ps"),
        # another program: `git` is not `git-lfs` under another spelling
        ("git-lfs pull", "Exit code 127\nbash: git-lfs: command not found", "git pull"),
    ],
)
def test_another_program_or_other_work_is_no_way_past_a_missing_one(
    tmp_path: Path, failed: str, error: str, retry: str
) -> None:
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert lesson.fix is None and "instead" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "retry", "install"),
    [
        ("rg foo src", "cargo install ripgrep && rg foo src", "cargo install ripgrep"),
        ("pnpm i", "corepack enable && pnpm i", "corepack enable"),
        ("gh pr list", "winget install GitHub.cli && gh pr list", "winget install GitHub.cli"),
    ],
)
def test_a_missing_program_installed_before_the_call_that_worked_is_installed(
    tmp_path: Path, failed: str, retry: str, install: str
) -> None:
    program = failed.split()[0]
    error = f"Exit code 127\nbash: {program}: command not found"
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert lesson.fix == install and lesson.text.endswith(f"install it with `{install}`.")


def test_another_script_is_another_intent(tmp_path: Path) -> None:
    failed = "python3 - <<'PY'\nimport yaml\nprint(yaml.safe_load(open('a.yml')))\nPY"
    retry = "python3 - <<'PY'\nimport json\nprint(json.load(open('package.json'))['name'])\nPY"
    error = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'yaml'"
    (lesson,) = _retried(tmp_path, failed, error, retry, "shop")
    assert lesson.fix is None and "(no fix seen)" in lesson.text


def test_a_variable_naming_one_instance_is_told_without_its_value(tmp_path: Path) -> None:
    """`SPECIFY_FEATURE=001-login-form` was that day's feature: the lesson keeps the name, not
    the value (the next feature is another)."""
    script = ".specify/scripts/bash/setup-plan.sh --json"
    error = "ERROR: Not on a feature branch. Current branch: main"
    (lesson,) = _retried(tmp_path, script, error, f"SPECIFY_FEATURE=001-login-form {script}")
    assert "`SPECIFY_FEATURE=…`" in lesson.text and "001-login-form" not in lesson.text
    # one script named (not the scripts of its folder): one verb of one subject
    assert " fail here" not in lesson.text or lesson.text.startswith("Scripts")


def test_a_folder_put_before_the_path_keeps_the_path_after_it(tmp_path: Path) -> None:
    """`PATH=/usr/local/go/bin:$PATH make build`: told as `PATH=/usr/local/go/bin` alone, the
    setting would hide every other program; PATH's own value stays in it."""
    error = "make: go: No such file or directory\nmake: *** [build] Error 127"
    retry = "PATH=/usr/local/go/bin:$PATH make build"
    (lesson,) = _retried(tmp_path, "make build", error, retry, "go build -o bin/app ./cmd/app")
    assert "`PATH=/usr/local/go/bin:$PATH`" in lesson.text


def test_a_variable_set_before_the_same_call_is_the_rule(tmp_path: Path) -> None:
    script = "python3 - <<'PY'\nfrom mypkg import core\nprint(core.VERSION)\nPY"
    error = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'mypkg'"
    (lesson,) = _retried(tmp_path, script, error, f"PYTHONPATH=src {script}", "1.2.0")
    assert lesson.text.endswith("; run it with `PYTHONPATH=src` set.")
    assert "core.VERSION" not in lesson.text  # the script is not the command
    assert lesson.text.startswith("`python3 …`")  # the program needed it, whatever it ran


def test_a_variable_whose_value_held_a_secret_is_told_without_it(tmp_path: Path) -> None:
    """The database URL's password is redacted: `DATABASE_URL=postgresql://[REDACTED…]` could
    not be run as written, so the lesson names the variable alone."""
    script = "python3 manage.py seed"
    error = "ValueError: DATABASE_URL environment variable is required but not set."
    retry = f"DATABASE_URL=postgresql://shop:h7Tq9wLmZ2pX@localhost:5432/shop {script}"
    (lesson,) = _retried(tmp_path, script, error, retry)
    assert lesson.text.endswith("; run it with `DATABASE_URL=…` set."), lesson.text
    assert "REDACTED" not in lesson.text and "h7Tq9wLmZ2pX" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "retry", "told"),
    [
        ("NO_COLOR=1 make seed", "APP_ENV=test NO_COLOR=1 make seed", "`APP_ENV=test`"),
        ("NO_COLOR=1 CI=1 make seed", "NO_COLOR=1 CI=1 APP_ENV=test make seed", "`APP_ENV=test`"),
    ],
)
def test_a_variable_added_among_the_calls_own_settings_is_the_rule(
    tmp_path: Path, failed: str, retry: str, told: str
) -> None:
    """The failed call already set a variable of its own (`NO_COLOR=1`); the retry added one
    more before the same command: that one is what it needed, not the whole retry."""
    error = "Exit code 2\nerror: seed data already loaded in this database"
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert lesson.text.endswith(f"; run it with {told} set."), lesson.text
    told_way = lesson.text.split(";", 1)[1]
    assert "NO_COLOR" not in told_way and "CI=1" not in told_way


def test_a_retry_that_dropped_one_of_the_calls_settings_sets_no_variable(
    tmp_path: Path,
) -> None:
    """`APP_ENV=test` added but `NO_COLOR=1` dropped: not the same call with a variable set."""
    error = "Exit code 2\nerror: seed data already loaded in this database"
    (lesson,) = _retried(tmp_path, "NO_COLOR=1 make seed", error, "APP_ENV=test make seed")
    assert "set." not in lesson.text


def test_a_ruby_script_that_needed_a_variable_is_told_by_its_exception(tmp_path: Path) -> None:
    """A Ruby script given inline raised (its frames in a gem under the person's home); the
    same call with one more variable worked: the line names the program, quotes the
    exception's message (not the frame), says the variable, and is the team's."""
    from metis_distill.placement.locality import Locality, locality
    from tests.placement.test_locality import lesson as view

    script = 'QUIET=1 bundle exec ruby -e "\nOrder.create!(code: 7)\nputs Order.count\n"'
    error = (
        "Exit code 1\n/home/ana/.rbenv/versions/3.4.1/lib/ruby/gems/3.4.0/gems/sequel-5.80.0"
        "/lib/sequel/model/base.rb:1990:in 'Sequel::Model#save!': Code is already taken "
        "(Sequel::ValidationFailed)\n\tfrom /home/ana/.rbenv/versions/3.4.1/lib/ruby/gems/"
        "3.4.0/gems/sequel-5.80.0/lib/sequel/model/base.rb:210:in 'Sequel::Model.create!'"
        "\n\tfrom -e:2:in '<main>'"
    )
    (lesson,) = _retried(tmp_path, script, error, f"APP_ENV=test {script}", "1")
    assert lesson.text == (
        "`QUIET=1 bundle exec ruby …` fails here (“Code is already taken "
        "(Sequel::ValidationFailed)”); run it with `APP_ENV=test` set."
    )
    assert lesson.evidence.quote == "Code is already taken (Sequel::ValidationFailed)"
    placed = view(lesson.text, lesson.evidence.quote, lesson.fix, cwd=Path("/w"))
    assert locality(placed, Path("/w")) is Locality.TEAM


@pytest.mark.parametrize(
    ("failed", "program"),
    [
        ('NO_COLOR=1 bin/rails runner "\nputs Order.first.code\n"', "`NO_COLOR=1 rails runner …`"),
        ("bundle exec rails runner 'puts Order.count'", "`bundle exec rails runner …`"),
    ],
)
def test_a_quoted_script_is_no_subcommand_of_the_program_that_needed_a_variable(
    tmp_path: Path, failed: str, program: str
) -> None:
    """The script a program was given in quotes is that call's, not one of its subcommands:
    the line names the program up to it, no stray quote nor the script's first word."""
    error = (
        "Exit code 1\nlib/orders.rb:4:in 'Order.first!': no orders in this database "
        "(Orders::Empty)\n\tfrom -e:1:in '<main>'"
    )
    (lesson,) = _retried(tmp_path, failed, error, f"RAILS_ENV=test {failed}", "7")
    assert lesson.text == (
        f"{program} fails here (“no orders in this database (Orders::Empty)”); run it with "
        "`RAILS_ENV=test` set."
    )


@pytest.mark.parametrize(
    ("cwd", "value"),
    [("/w", "/w/src:$PYTHONPATH"), ("/home/ana/code/geo", "~/code/geo/src:$PYTHONPATH")],
)
def test_a_variable_naming_the_projects_own_folder_is_told_from_the_project(
    tmp_path: Path, cwd: str, value: str
) -> None:
    """`PYTHONPATH=~/code/geo/src` in `~/code/geo` is `PYTHONPATH=src` in every checkout: the
    lesson is the team's, and names no one's home."""
    from tests.mine.test_episodes import _write, call, result

    failed = "python -m pytest tests/test_io.py"
    error = "Exit code 1\nE   ModuleNotFoundError: No module named 'geo'"
    records = [
        call("c1", failed),
        result("c1", error, True),
        call("c2", f"PYTHONPATH={value} {failed}"),
        result("c2", "3 passed"),
    ]
    path = _write(tmp_path, [{**r, "cwd": cwd} for r in records])
    (lesson,) = extract(path, path.parent)
    # (the value there before, kept after the project's: the same setting as `src` alone)
    assert lesson.text.endswith("; run it with `PYTHONPATH=src` set.")
    assert lesson.text.startswith("`python -m pytest …` fails here")  # any test file
    assert lesson.fix is not None and "PYTHONPATH=src:$PYTHONPATH python -m pytest" in lesson.fix


@pytest.mark.parametrize(
    ("script", "retry", "says", "fix"),
    [
        ("tools/scripts/list.py", "python3 tools/scripts/list.py", "run them with `python3`.", "python3 tools/scripts/list.py"),
        (".specify/scripts/bash/check.sh", "bash .specify/scripts/bash/check.sh", "run them through `bash`, or make them executable", "chmod +x"),
        ("tools/scripts/list.py", "ls tools", "are not executable (“permission denied”).", None),
    ],
)  # fmt: skip
def test_a_script_that_is_not_executable_is_run_the_way_that_worked(
    tmp_path: Path, script: str, retry: str, says: str, fix: str | None
) -> None:
    error = f"Exit code 126\n/bin/bash: line 1: {script}: Permission denied"
    (lesson, *_) = _retried(tmp_path, script, error, retry)
    assert says in lesson.text and lesson.fix == fix
    assert "bash" not in lesson.text or script.endswith(".sh")  # bash would run Python as shell


def _missing_then(tmp_path: Path, fix: str) -> list[str]:
    """`pnpm install` not found, `fix` run and working, then `pnpm install` working."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("p1", "pnpm install"),
            result("p1", "/bin/bash: line 1: pnpm: command not found", True),
            call("p2", fix),
            result("p2", "added 1 package in 4s"),
            call("p3", "pnpm install"),
            result("p3", "Packages: +212\nDone in 6.1s"),
        ],
    )
    return [c.text for c in extract(path, path.parent) if "not on the PATH" in c.text]


def test_a_missing_program_installed_by_the_fix_is_told_to_be_installed(tmp_path: Path) -> None:
    """`npm install -g pnpm` made `pnpm` work: the line says to install it, never to use npm
    in its place (which would break a pnpm workspace)."""
    (line,) = _missing_then(tmp_path / "a", "npm install -g pnpm@9")
    assert line.endswith("; install it with `npm install -g pnpm@9`.")
    assert "use `npm" not in line


def _installed_then(tmp_path: Path, install: str, said: str, after: list[dict]) -> list[str]:  # type: ignore[type-arg]
    """`mdcat` not found; `install` exits 0 saying `said`; then the `after` records."""
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("m1", "mdcat docs/guide.md"),
        result("m1", "Exit code 127\n/usr/bin/bash: line 1: mdcat: command not found", True),
        call("m2", install),
        result("m2", said),
        *after,
    ]
    path = _write(tmp_path, records)
    return [c.text for c in extract(path, path.parent) if "mdcat" in c.text]


@pytest.mark.parametrize(
    "install",
    ["paru -S --noconfirm mdcat 2>&1 | tail -3", "brew install mdcat 2>&1 | tail -3"],
)
def test_an_install_that_never_got_the_program_there_is_no_fix(
    tmp_path: Path, install: str
) -> None:
    """The install exited 0 (its status `tail`'s) though it stopped, and the program never
    ran after it: no install, nor the installer, is told as the way."""
    said = "resolving dependencies...\nerror: a password is required\n -> error installing mdcat"
    (line,) = _installed_then(tmp_path, install, said, [])
    assert "install it with" not in line and install.split()[0] not in line


def test_an_install_the_program_then_ran_after_is_the_fix(tmp_path: Path) -> None:
    from tests.mine.test_episodes import call, result

    after = [call("m3", "mdcat docs/guide.md"), result("m3", "# Guide\n\nHow to start.")]
    lines = _installed_then(
        tmp_path, "paru -S --noconfirm mdcat", "installing mdcat...\ndone", after
    )
    assert lines == [
        "`mdcat` is not on the PATH here (“mdcat: command not found”); install it with "
        "`paru -S --noconfirm mdcat`."
    ]


@pytest.mark.parametrize(
    "error",
    [
        "'vite' is not recognized as an internal or external command,",
        '"vite" no se reconoce como un comando interno o externo,',
        "sh: 1: vite: not found",
    ],
)
def test_a_program_a_script_runs_missing_until_the_install_is_the_install(
    tmp_path: Path, error: str
) -> None:
    """`npm run dev` runs `vite`, missing until `npm install`: the lesson is to install
    first, never to use `npm` in place of `vite`."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("d1", "npm run dev"),
            result("d1", f"Exit code 1\n\n> app@2.4.0 dev\n> vite\n\n{error}\n", True),
            call("d2", "npm install"),
            result("d2", "added 212 packages in 6s"),
            call("d3", "npm run dev"),
            result("d3", "VITE v5.0.0 ready in 300 ms"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text == f"`npm run dev` fails with “{error}”; run `npm install` first."
    assert lesson.fix == "npm install"


_BUILT = "bun test v1.3.0\n\n 4 pass\n 0 fail\n"


def _tested_after_a_build(tmp_path: Path, failed: str):  # type: ignore[no-untyped-def]
    """The lessons of `bun test` failing with `failed`, passing after `bun run build`."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", "bun test src/app.test.ts"),
            result("t1", f"Exit code 1\nbun test v1.3.0\n\nsrc/app.test.ts:\n{failed}", True),
            call("b1", "bun run build"),
            result("b1", "$ turbo run build\n Tasks:    3 successful, 3 total"),
            call("t2", "bun test src/app.test.ts"),
            result("t2", _BUILT),
        ],
    )
    return extract(path, path.parent)


@pytest.mark.parametrize(
    "failed",
    [
        "# Unhandled error between tests\n-------------------------------\n"
        "error: Cannot find module '@shop/core' from '/srv/shop/src/app.test.ts'\n",
        "12 |     expect(result.exitCode).toBe(0)\n                                ^\n"
        "error: expect(received).toBe(expected)\n\nExpected: 0\nReceived: 1\n"
        "20 |     expect(result.stderr).toBe('')\n"
        'error: expect(received).toBe(expected)\n\nExpected: ""\n'
        "Received: \"error: Cannot find module '@shop/core' from '/srv/shop/src/cli.ts'\\n\"\n",
    ],
)
def test_a_package_not_built_is_the_error_not_the_test_runners_banner(
    tmp_path: Path, failed: str
) -> None:
    """Whichever banner the runner printed over it, the package it could not find is what the
    line quotes: one lesson for one cause."""
    (lesson,) = _tested_after_a_build(tmp_path, failed)
    assert lesson.text == (
        "`bun test src/app.test.ts` fails with “Cannot find module '@shop/core'”; "
        "run `bun run build` first."
    )
    assert lesson.evidence.quote == "Cannot find module '@shop/core'"


def test_a_failing_assertion_alone_is_still_quoted_as_the_runner_says_it(tmp_path: Path) -> None:
    (lesson,) = _tested_after_a_build(
        tmp_path, "error: expect(received).toBe(expected)\n\nExpected: 3\nReceived: 4\n"
    )
    assert lesson.evidence.quote == "error: expect(received).toBe(expected)"
    assert lesson.text.endswith("run `bun run build` first.")


def test_a_setting_made_first_is_told_whole_not_cut_inside_its_quotes(tmp_path: Path) -> None:
    """The step that prepared the call sets a list in quotes; cut at the command's length, it
    would end inside the open quote (`"alpha,…,ka…`), which no one could run."""
    from tests.mine.test_episodes import _write, call, result

    kinds = "alpha,beta,gamma,delta,epsilon,zeta,eta,theta,iota,kappa,lambda"
    setting = f'tk config set kinds.extra "{kinds}"'
    path = _write(
        tmp_path,
        [
            call("k1", "tk new --kind=lambda --title=Lamp"),
            result("k1", "Exit code 1\nError: cannot add item: unknown kind: lambda", True),
            call("k2", setting),
            result("k2", f"Set kinds.extra = {kinds}"),
            call("k3", "tk new --kind=lambda --title=Lamp"),
            result("k3", "Added item tk-7"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.fix == setting
    assert lesson.text == (
        "`tk new --kind=lambda --title=Lamp` fails with “Error: cannot add item: unknown kind: "
        f"lambda”; run `{setting}` first."
    )


def test_the_checker_run_on_the_file_its_error_named_is_told_without_that_file(
    tmp_path: Path,
) -> None:
    """The style check named the one file it would reformat, and the formatter run on that
    file let it through: the file was that day's, the way is the formatter on what it names
    (the check's own fixer)."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("s1", "black --check ."),
            result("s1", "would reformat app\\views.py\nOh no! 1 file would be reformatted.", True),
            call("s2", "black app/views.py"),
            result("s2", "reformatted app/views.py\nAll done! 1 file reformatted."),
            call("s3", "black --check ."),
            result("s3", "All done! 14 files would be left unchanged."),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text == (
        "`black --check .` fails here (“would reformat app\\views.py”); run `black …` first."
    )
    assert lesson.fix == "black app/views.py"


def test_another_program_given_the_file_the_error_named_keeps_it(tmp_path: Path) -> None:
    # the settings file the error missed, made from its example: the project's own file
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("a1", "python manage.py check"),
            result("a1", "FileNotFoundError: No such file: 'conf/local.ini'", True),
            call("a2", "cp -v conf/local.ini.example conf/local.ini"),
            result("a2", "'conf/local.ini.example' -> 'conf/local.ini'"),
            call("a3", "python manage.py check"),
            result("a3", "System check identified no issues (0 silenced)."),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text.endswith("run `cp -v conf/local.ini.example conf/local.ini` first.")


_THEME_MISSING = "Exit code 1\nTheme 'deep-sea' does not exist"


def test_a_step_told_as_its_program_alone_is_no_fix_to_teach(tmp_path: Path) -> None:
    """The folder renamed before the retry, every argument of the `mv` one home's own path:
    told in general it is `mv …`, which says nothing to do. The lesson keeps its error and
    claims no fix (held until it recurs)."""
    from metis_distill.curate.earned import earned
    from tests.mine.test_episodes import _write, call, result

    themes = "/home/ana/.config/shade/themes"
    path = _write(
        tmp_path,
        [
            call("t1", 'shade-theme set "Deep Sea"'),
            result("t1", _THEME_MISSING, True),
            call("t2", f'mv {themes}/Deep\\ Sea {themes}/deep-sea && shade-theme set "Deep Sea"'),
            result("t2", "Theme set: deep-sea"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert "`mv …`" not in lesson.text and lesson.fix is None
    assert "Theme 'deep-sea' does not exist" in lesson.text
    judged = SimpleNamespace(kind=lesson.kind, text=lesson.text, scope=(), fix=None, support=1)
    assert not earned(judged)


def test_a_step_that_keeps_a_word_of_its_own_is_still_the_fix(tmp_path: Path) -> None:
    """The same failure mended by a step whose general form says what to run: its line."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", 'shade-theme set "Deep Sea"'),
            result("t1", _THEME_MISSING, True),
            call("t2", 'shade-theme sync --from /opt/shade/themes && shade-theme set "Deep Sea"'),
            result("t2", "Theme set: deep-sea"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text.endswith("; run `shade-theme sync --from …` first.")
    assert lesson.fix == "shade-theme sync --from /opt/shade/themes"


def test_a_dirty_tree_committed_whole_before_the_pull_is_held_back(tmp_path: Path) -> None:
    """git refused to pull onto a tree with changes in it, and the agent committed every
    change before pulling again: whatever the tree held went into the commit; the lesson
    stays in the ledger."""
    from metis_distill.curate.earned import HeldBack, held_back
    from tests.mine.test_episodes import _write, call, result

    pull = "git pull --rebase origin main && git push origin main"
    path = _write(
        tmp_path,
        [
            call("p1", pull),
            result(
                "p1",
                "error: cannot pull with rebase: You have unstaged changes.\n"
                "error: please commit or stash them.",
                True,
            ),
            call("p2", f'git add -A && git commit -m "Save local changes" && {pull}'),
            result(
                "p2", "[main 5e6f7a8] Save local changes\n 1 file changed\nSuccessfully rebased"
            ),
        ],
    )
    (lesson,) = extract(path, path.parent)
    judged = SimpleNamespace(
        kind=lesson.kind, text=lesson.text, scope=lesson.scope, fix=lesson.fix, support=3
    )
    assert held_back(judged) is HeldBack.SWEPT_IN


def test_a_git_command_forced_past_its_check_teaches_no_fix(tmp_path: Path) -> None:
    """`git add` of an ignored file, then `git add -f`: the line must not teach overriding
    .gitignore; the lesson keeps the error and claims no fix."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("g1", 'git add web/.env.sample && git commit -m "Add settings"'),
            result(
                "g1",
                "The following paths are ignored by one of your .gitignore files:\n"
                "web/.env.sample\nhint: Use -f if you really want to add them.",
                True,
            ),
            call("g2", 'git add -f web/.env.sample && git commit -m "Add settings"'),
            result("g2", "[main 1a2b3c4] Add settings\n 3 files changed, 120 insertions(+)"),
        ],
    )
    (lesson,) = [c for c in extract(path, path.parent) if "ignored" in c.text]
    assert lesson.fix is None
    assert "ask before forcing" in lesson.text and "use `git add -f" not in lesson.text
    assert not lesson.evidence.shows_fix  # its span shows no way a line may teach


@pytest.mark.parametrize(
    ("failed", "error", "retry", "flag"),
    [
        (
            "dotsync apply",
            "Exit code 1\nnotes.toml has changed since dotsync last wrote it?\n"
            "dotsync: notes.toml: could not open a new TTY: open /dev/tty: no such device",
            "dotsync apply --force",
            "--force",
        ),
        (
            "tarsnap-restore --to build/site backup.tar",
            "Exit code 2\nrefusing to replace build/site/index.html: file exists",
            "tarsnap-restore --overwrite --to build/site backup.tar",
            "--overwrite",
        ),
    ],
)
def test_any_program_forced_past_its_check_teaches_no_fix(
    tmp_path: Path, failed: str, error: str, retry: str, flag: str
) -> None:
    """Whatever the program, a retry that only added a forcing flag past its refusal or its
    question (a file changed outside it, one already there) is told as forced, no fix."""
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert lesson.fix is None and not lesson.evidence.shows_fix
    assert f"(forced past it with `{flag}`; ask before forcing)" in lesson.text


def test_a_flag_that_forces_nothing_is_still_the_fix(tmp_path: Path) -> None:
    """The same shape with a flag that overrides no check (`--no-tty`): the way is taught."""
    error = "Exit code 1\ndotsync: could not open a new TTY: open /dev/tty: no such device"
    (lesson,) = _retried(tmp_path, "dotsync status", error, "dotsync status --no-tty")
    assert lesson.fix == "dotsync status --no-tty" and "forced" not in lesson.text


def test_a_command_that_worked_on_other_paths_teaches_no_fix(tmp_path: Path) -> None:
    """`cp` into a folder that was not there, then a `cp` with other paths: where that run
    stood, not a rule; the line never prints one run's paths as the way."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call(
                "c1",
                'cp "/w/notes/r1.txt" "docs/r1-summary.txt" && git commit -m "docs: add summary for r1"',
            ),
            result(
                "c1",
                "cp: cannot create regular file 'docs/r1-summary.txt': No such file or directory",
                True,
            ),
            call(
                "c2",
                'mkdir -p /w/site/docs/release && cp "/w/notes/r1.txt" /w/site/docs/release/r1-summary.txt'
                ' && git commit -m "docs: add summary for r1"',
            ),
            result("c2", "[main 4d5e6f7] docs: r1\n 1 file changed, 12 insertions(+)"),
        ],
    )
    found = [c for c in extract(path, path.parent) if "cannot create" in c.text]
    # (`cp …`, as a line writes it, worked too: no line says it fails)
    assert all(c.fix is None and "/w/site" not in c.text for c in found)


def test_a_corrected_name_is_no_remedy(tmp_path: Path) -> None:
    """The skill asked for does not exist; the same call with the right name worked: what it
    corrected was that run's own, no rule for the next agent."""
    missing = "◇ Source: tavily-ai/skills@research\n■ No matching skills found for: research"
    (lesson,) = _retried(
        tmp_path,
        "npx skills add tavily-ai/skills@research -g -y",
        f"Exit code 1\n{missing}",
        "npx skills add tavily-ai/skills@tavily-research -g -y",
        "Installed tavily-research",
    )
    assert lesson.fix is None and "instead" not in lesson.text


def test_another_package_manager_is_no_remedy_for_a_missing_one(tmp_path: Path) -> None:
    """`pnpm` missing, `npm` ran the script: another lock file, not the project's way."""
    error = "Exit code 127\nbash: pnpm: command not found"
    (lesson,) = _retried(tmp_path, "pnpm create vite app", error, "npm create vite@latest app")
    assert lesson.fix is None and "use `npm" not in lesson.text


def test_a_runners_values_stop_at_the_failed_calls_own_words(tmp_path: Path) -> None:
    error = "Exit code 127\nbash: line 1: pytest: command not found"
    retry = "uv run --with pytest pytest tests/api/test_orders.py"
    (lesson,) = _retried(tmp_path, "pytest tests/api/test_orders.py", error, retry)
    assert lesson.fix == "uv run --with pytest" and "test_orders" not in lesson.text


def _grep(tool_id: str) -> dict:  # type: ignore[type-arg]
    inputs = {"pattern": "setPending", "path": "/Users/ana/app/pkg", "output_mode": "content"}
    block = {"type": "tool_use", "id": tool_id, "name": "Grep", "input": inputs}
    return {"type": "assistant", "message": {"content": [block]}}


@pytest.mark.parametrize(
    ("search", "output", "fixed", "binary"),
    [
        ("grep -rn 'setPending' pkg/", "pkg/a.go:51: setPending()", True, None),
        ("ls pkg", "a.go", False, None),  # a look, no search
        ("grep -rn x pkg/", "pkg/a.go:1: x", True, "/usr/lib/claude/vendor/ripgrep/x64/rg ENOENT"),
        ("grep -rn x pkg/", "pkg/a.go:1: x", True,
         "C:\\Program Files\\claude\\vendor\\ripgrep\\x64-win32\\rg.exe EPERM"),
    ],
)  # fmt: skip
def test_a_bundled_search_that_cannot_start_is_done_through_the_shell(
    tmp_path: Path, search: str, output: str, fixed: bool, binary: str | None
) -> None:
    """Claude Code's Grep runs its own ripgrep; when that cannot start, a search through
    Bash is what worked: one lesson whatever the path, and the fix only once seen."""
    from tests.mine.test_episodes import _write, call, result

    said = (
        binary
        or "/opt/homebrew/lib/node_modules/@anthropic-ai/claude-code/vendor/ripgrep/arm64/rg EACCES"
    )
    path = _write(
        tmp_path,
        [
            _grep("g1"),
            result("g1", f"spawn {said}", True),
            call("b1", search),
            result("b1", output),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("Claude Code's Grep and Glob tools cannot start their bundled")
    # the ways through Bash for both tools: the same ripgrep may be all there is of `rg`
    assert lesson.text.endswith("`grep -rn` for text, `find` for file names.")
    assert "homebrew" not in lesson.text and "Program Files" not in lesson.text
    assert (lesson.fix == "search through Bash") is fixed


def _write_file(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    block = {"type": "tool_use", "id": tool_id, "name": "Write", "input": {"file_path": path}}
    return {"type": "assistant", "message": {"content": [block]}}


@pytest.mark.parametrize("fixed", [True, False])
def test_a_bang_the_bash_tool_escaped_is_one_lesson_mended_by_a_file(
    tmp_path: Path, fixed: bool
) -> None:
    """The error echoes `\\!` where the script wrote `!`: the harness's doing, mended by
    writing the script to a file and running it; told with no fix until that is seen."""
    from tests.mine.test_episodes import _write, call, result

    error = "Exit code 1\n[eval]:2\n  if (\\!tree[dir]) tree[dir] = 0;\n      ^\nExpected unicode escape"
    then = [
        _write_file("w1", "/tmp/claude-501/build.mjs"),
        result("w1", "File created successfully at: /tmp/claude-501/build.mjs"),
        call("n2", "node /tmp/claude-501/build.mjs" if fixed else "ls /tmp/claude-501"),
        result("n2", "Dir count: 200"),
    ]
    script = 'node -e "\nconst tree = {};\nif (!tree[dir]) tree[dir] = 0;\n"'
    path = _write(tmp_path, [call("n1", script), result("n1", error, True), *then])
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("Claude Code's Bash tool here passes a `!` on as `\\!`")
    assert (lesson.fix == "run the code from a file") is fixed


def test_a_bang_only_a_warning_names_is_no_escaped_bang(tmp_path: Path) -> None:
    """`python -c "…print('Saved!')…"`: Python warns of the `\\!` it was given and runs the
    code, which dies of another error (no `__file__` under `-c`); the bang broke nothing, and
    no lesson blames it for the error it quotes."""
    from tests.mine.test_episodes import _write, call, result

    script = "python -c \"import os\nbase = os.path.dirname(__file__)\nprint('Saved!')\""
    error = (
        "Exit code 1\n<string>:3: SyntaxWarning: invalid escape sequence '\\!'\n"
        'Traceback (most recent call last):\n  File "<string>", line 2, in <module>\n'
        "NameError: name '__file__' is not defined. Did you mean: '__name__'?"
    )
    then = [
        _write_file("w1", "/w/app/save.py"),
        result("w1", "File created successfully at: /w/app/save.py"),
        call("p2", "python save.py"),
        result("p2", "Saved!"),
    ]
    path = _write(tmp_path, [call("p1", script), result("p1", error, True), *then])
    lessons = extract(path, path.parent)
    assert not any("`\\!`" in lesson.text for lesson in lessons)


def test_a_powershell_script_whose_variables_bash_took_is_no_escaped_bang(
    tmp_path: Path,
) -> None:
    """`powershell -Command "$pool = '…!…'; $pick = …"`: PowerShell echoes a `\\!`, but the
    line it could not parse lost its `$variables` to bash (`;  = -join`, `[(Get-Random`), the
    cause of the failure, told as such; the bang, inside a quoted string, broke nothing."""
    from tests.mine.test_episodes import _write, call, result

    script = (
        "powershell -Command \"$pool = 'abcXYZ0123!@#'; $pick = -join ((1..8) | "
        'ForEach-Object { $pool[(Get-Random -Maximum $pool.Length)] }); Write-Output $pick"'
    )
    error = (
        "Exit code 1\nAt line:1 char:60\n+ ... XYZ0123\\!@#';  = -join ((1..8) | "
        "ForEach-Object { [(Get-Ran ...\n+                ~\nMissing type name after '['."
    )
    then = [
        _write_file("w1", "C:/w/pick.ps1"),
        result("w1", "File created successfully at: C:/w/pick.ps1"),
        call("p2", "powershell -ExecutionPolicy Bypass -File C:/w/pick.ps1"),
        result("p2", "Xa3bZ0cq"),
    ]
    path = _write(tmp_path, [call("p1", script), result("p1", error, True), *then])
    (lesson,) = extract(path, path.parent)
    assert lesson.text == QUOTING_LESSON
    assert lesson.fix == "run the script from a .ps1 file with `powershell -File`"


def test_a_failure_after_moving_to_a_folder_is_scoped_to_what_ran(tmp_path: Path) -> None:
    """`cd web && yarn test:web` failed: the lesson is yarn's, not `cd`'s (routing and
    retrieval go by the command)."""
    error = 'error Command "test:web" not found.'
    (lesson,) = _retried(tmp_path, "cd web && yarn test:web", error, "ls web")
    assert lesson.scope == ("Bash:yarn",)


def test_a_runner_is_shown_with_the_program_it_runs(tmp_path: Path) -> None:
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("v1", "vercel deploy --prod"),
            result("v1", "Exit code 127\n(eval):1: command not found: vercel", True),
            call("v2", "npx vercel deploy --prod"),
            result("v2", "Deployed to production"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text.endswith("use `npx vercel …` instead.") and lesson.fix == "npx"


@pytest.mark.parametrize(
    ("later", "told"),
    [
        # the program ran, and worked, later in the session: it is there
        ("ln -sf /w/bin/flow.sh /w/bin/flow && ls -la /w/bin && flow help", False),
        ("cd /w && flow help | head -5", False),
        ("git log -3 | flow fmt", False),  # piped into: had it been missing, it would say so
        # it did not run again, or failed again: the lesson stands
        ("cat /w/bin/install.log", True),
        # the exit is another step's: nothing shows the program ran
        ("flow help; echo rc=$?", True),
        ("flow help 2>/dev/null | head -3", True),
    ],
)
def test_a_program_missing_once_and_run_later_is_no_missing_program(
    tmp_path: Path, later: str, told: bool
) -> None:
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("f1", "flow status"),
        result("f1", "Exit code 127\n/bin/bash: line 1: flow: command not found", True),
    ]
    for n in range(9):  # past the calls a fix is looked for in
        records += [call(f"x{n}", f"git log -{n + 1}"), result(f"x{n}", "commit abc")]
    records += [call("f2", later), result("f2", "flow 1.2\nusage: flow <command>")]
    lessons = [c for c in extract(_write(tmp_path, records), tmp_path) if "flow" in c.text]
    assert bool(lessons) is told


@pytest.mark.parametrize(
    ("command", "error", "named", "not_named"),
    [
        (  # git's own words: the git step failed, not the look before it
            "ls -la .git/HEAD && git commit -m 'feat: x'",
            "fatal: cannot lock ref 'HEAD': Unable to create '/w/.git/HEAD.lock': Permission denied",
            "`git commit",
            "`ls",
        ),
        (  # a step that runs git itself (pip cloning a requirement): not the git step's
            "pip install -r requirements.txt && git status --short",
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "`pip install -r requirements.txt && git status --short`",
            "",
        ),
        (  # another program's "error:": which step said it is not told by git's words
            "git pull && cargo build",
            'error: could not compile `app` (bin "app") due to 2 previous errors',
            "`git pull && cargo build",
            "",
        ),
        (  # the error quotes the chain's first step: the install after it never ran
            "conda activate ml && pip install requests",
            "CommandNotFoundError: Your shell has not been properly configured to use "
            "'conda activate'.",
            "`conda activate ml`",
            "`pip install",
        ),
        (  # the error is spoken by the chain's first step: the look after it never ran
            "mkdir -p /srv/site/cache && ls -la /srv/site/",
            "mkdir: cannot create directory '/srv/site/cache': Permission denied",
            "`mkdir -p …`",
            "`ls",
        ),
        (  # the shell's line about a program it ran is that program's
            "export PATH=/opt/tools/bin:$PATH; cd /srv/app && make build",
            "/bin/bash: line 1: cd: /srv/app: No such file or directory",
            "`cd …`",
            "`make",
        ),
        (  # the error is spoken by the chain's last step: that step, the set-up left out
            "mkdir -p out && cp notes.txt out/",
            "cp: cannot stat 'notes.txt': No such file or directory",
            "`cp notes.txt out/`",
            "`mkdir",
        ),
    ],
)
def test_the_failed_step_of_a_chain_is_the_one_whose_words_the_error_has(
    tmp_path: Path, command: str, error: str, named: str, not_named: str
) -> None:
    from tests.mine.test_episodes import _write, call, result

    path = _write(tmp_path, [call("t1", command), result("t1", f"Exit code 128\n{error}", True)])
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith(named)
    assert not not_named or not_named not in lesson.text


def test_a_step_after_a_script_is_not_named_by_its_program(tmp_path: Path) -> None:
    """`./scripts/build.sh && cp …`: "cp: …" may be the script's own `cp`; the chain stopped at
    the script, the `cp` after it never ran."""
    records = [
        call("t1", "./scripts/build.sh && cp build/app.js /srv/site/"),
        result("t1", "Exit code 1\ncp: cannot stat 'assets/logo.svg': No such file", True),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert "`cp build/app.js" not in lesson.text


@pytest.mark.parametrize(
    ("command", "error", "retry", "named", "way"),
    [
        (  # the first step failed: the line names it, with the steps that let it through
            "mkdir -p /srv/site/cache && ls -la /srv/site/",
            "mkdir: cannot create directory '/srv/site/cache': Permission denied",
            "sudo mkdir -p /srv/site/cache && sudo chown ana:ana /srv/site/cache "
            "&& ls -la /srv/site/",
            "`mkdir -p …` fails",
            "`sudo mkdir -p … && sudo chown ana:ana …`",
        ),
        (  # the last step failed, the set-up before it ran: the last step is named
            "mkdir -p /srv/site && cp build/app.js /srv/site/",
            "cp: cannot create regular file '/srv/site/app.js': Permission denied",
            "mkdir -p /srv/site && sudo cp build/app.js /srv/site/",
            "`cp build/app.js …` fails",
            "it worked with `sudo`",
        ),
    ],
)
def test_a_mended_chain_names_the_step_whose_program_spoke_the_error(
    tmp_path: Path, command: str, error: str, retry: str, named: str, way: str
) -> None:
    records = [
        call("t1", command),
        result("t1", f"Exit code 1\n{error}", True),
        call("t2", retry),
        result("t2", "drwxr-xr-x 2 ana ana 4096 Nov  1 10:00 cache"),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text.startswith(named) and way in lesson.text


_STANDING_WARNING = "WARNING: frob has no stable interface yet."


@pytest.mark.parametrize(
    ("failed", "passed", "told"),
    [
        (  # the warning the success printed too is no cause: the prompt refused is
            f"{_STANDING_WARNING}\n\nReading index...\nProceed? [Y/n] Abort.",
            f"Reading index...\nProceed? [Y/n] y\nSetting up lynx (2.9)\n{_STANDING_WARNING}",
            "`frob install lynx` fails here (“Proceed? [Y/n] Abort.”); "
            "use `echo y | frob install lynx` instead.",
        ),
        (  # the failure printed nothing the success did not: nothing to quote, no line
            f"{_STANDING_WARNING}\n\nReading index...",
            f"Reading index...\nSetting up lynx (2.9)\n{_STANDING_WARNING}",
            None,
        ),
        (  # an error line the success did not print stays the cause
            f"{_STANDING_WARNING}\nerror: the index is locked by another process",
            f"Setting up lynx (2.9)\n{_STANDING_WARNING}",
            "`frob install lynx` fails here (“error: the index is locked by another "
            "process”); use `echo y | frob install lynx` instead.",
        ),
    ],
)
def test_an_error_line_the_fix_printed_too_is_not_the_cause(
    tmp_path: Path, failed: str, passed: str, told: str | None
) -> None:
    records = [
        call("t1", "frob install lynx"),
        result("t1", f"Exit code 1\n{failed}", True),
        call("t2", "echo y | frob install lynx"),
        result("t2", passed),
    ]
    assert [lesson.text for lesson in failure_lessons(tmp_path, records)] == (
        [told] if told else []
    )


def test_an_edit_after_the_users_next_request_is_not_the_refused_edits_fix(
    tmp_path: Path,
) -> None:
    """The edit was refused; the user then asked for something else, and an edit of the same
    file for that worked: nothing shows the refused edit mended."""
    from tests.mine.test_episodes import _write, edit, result, say

    path = _write(
        tmp_path,
        [
            edit("e1", "src/page.tsx", "<h2>Upload</h2>", "<h2>Upload images</h2>"),
            result("e1", "String to replace not found in file.\nString: <h2>Upload</h2>", True),
            say("user", "Leave the heading. Make the Add button's text black instead."),
            edit("e2", "src/page.tsx", 'className="btn"', 'className="btn text-black"'),
            result("e2", "The file src/page.tsx has been updated successfully."),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.fix is None and "then worked" not in lesson.text
    assert not lesson.evidence.shows_fix


@pytest.mark.parametrize(
    "retry",
    [
        "/home/ana/tools/browse/dist/browse goto https://example.com",
        # the same assignment, run before in a call of its own, now beside the command: what
        # only sets the shell's state ends with its call, so set again it is a change
        "B=~/tools/browse/dist/browse\n$B goto https://example.com",
    ],
)
def test_a_variable_set_in_an_earlier_call_is_empty_in_the_next(tmp_path: Path, retry: str) -> None:
    """`B=…` in one call, `$B goto …` in the next: the shell ran `goto`. The lesson is the
    shell's, never "`goto` is not on the PATH"."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", 'B=~/tools/browse/dist/browse\n[ -x "$B" ] && echo "READY: $B"'),
            result("t1", "READY: /home/ana/tools/browse/dist/browse"),
            call("t2", "$B goto https://example.com"),
            result("t2", "Exit code 127\n(eval):1: command not found: goto", True),
            call("t3", retry),
            result("t3", "Navigated to https://example.com (200)"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("Each shell call here starts a new shell")
    assert "not on the PATH" not in lesson.text and lesson.fix is not None


def test_a_setting_before_the_command_never_reaches_the_scope(tmp_path: Path) -> None:
    """`LOGIN=ana.silva@gmail.com surge …`: the scope is the program run, and no person's
    address is stored in it, as none is in the text."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", "SURGE_LOGIN=ana.silva@gmail.com surge ./dist site.surge.sh"),
            result("t1", "Exit code 1\nError: Aborted - invalid credentials", True),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.scope == ("Bash:surge",)
    assert "ana.silva" not in lesson.text and "ana.silva" not in " ".join(lesson.scope)


def test_an_environment_made_active_is_the_way_not_the_interpreters_name(
    tmp_path: Path,
) -> None:
    """`python3 manage.py …` lacked a module; `source venv/bin/activate && python manage.py …`
    worked: the way is the environment, never "use `python` instead"."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", "python3 manage.py migrate"),
            result("t1", "Exit code 1\nModuleNotFoundError: No module named 'django_redis'", True),
            call("t2", "source /srv/site/venv/bin/activate && python manage.py migrate"),
            result(
                "t2",
                "Operations to perform:\n  Apply all migrations: judge\nNo migrations to apply.",
            ),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert "activate the project's environment first (`source …/bin/activate`)" in lesson.text
    assert "use `python" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "retry", "way"),
    [
        (
            'cd /srv/shop && /opt/tools/bin/python -c "import shop; print(1)" 2>&1',
            'cd /srv/shop && source .venv/bin/activate && python -c "import shop; print(1)" 2>&1',
            "cd /srv/shop && source .venv/bin/activate",
        ),
        (  # an absolute environment needs no folder
            "cd web && python3 manage.py check",
            "cd web && . /srv/site/venv/bin/activate && python manage.py check",
            "source …/bin/activate",
        ),
    ],
)
def test_an_environment_made_active_after_a_cd_is_the_way(
    tmp_path: Path, failed: str, retry: str, way: str
) -> None:
    """The activation behind a `cd` is the change, not the interpreter's name: the way is
    that activation (from the folder moved into, when the environment is named from it)."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", failed),
            result("t1", "Exit code 1\nModuleNotFoundError: No module named 'flask'", True),
            call("t2", retry),
            result("t2", "1"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert f"activate the project's environment first (`{way}`)" in lesson.text
    assert "use `python" not in lesson.text and "2>&1" not in lesson.text


_CLOSED_BESIDE = (
    "cp a.py a.py.bak && python - <<'PY'\nprint('patched')\nPY && python - <<'PY'\nimport numpy\nPY"
)
_READ_ON = (
    "  File \"<stdin>\", line 2\n    PY && python - <<'PY'\n        ^\nSyntaxError: invalid syntax"
)


@pytest.mark.parametrize(
    ("command", "error", "told"),
    [
        (_CLOSED_BESIDE, _READ_ON, True),
        (  # bash itself ran to the end looking for the closing word
            "cat <<'EOF' > notes.txt\nhello\nEOF; ls",
            "bash: line 3: warning: here-document at line 1 delimited by end-of-file (wanted `EOF')",
            True,
        ),
        (  # chained on the line after the closing word
            "python3 - <<'PY'\nprint('patched')\nPY\n&& nl -ba a.py | sed -n '1,5p'",
            "patched\nbash: -c: line 4: syntax error near unexpected token `&&'\n"
            "bash: -c: line 4: `&& nl -ba a.py | sed -n '1,5p''",
            True,
        ),
        (  # `END;` of the SQL inside a document whose closing word is END: no closing line
            "psql -d app <<END\nCREATE FUNCTION one() RETURNS int AS $$\nBEGIN\n  RETURN 1\n"
            "END;\n$$ LANGUAGE plpgsql;\nEND",
            'ERROR:  syntax error at or near "END"\nLINE 4: END;\n        ^',
            False,
        ),
        (  # closed on its own line: the script's own error is another failure
            "python - <<'PY'\nprint(1\nPY\npytest -q",
            '  File "<stdin>", line 1\n    print(1\n         ^\nSyntaxError: \'(\' was never closed',
            False,
        ),
    ],
)  # fmt: skip
def test_a_heredoc_closed_beside_the_next_command_is_one_known_cause(
    tmp_path: Path, command: str, error: str, told: bool
) -> None:
    from tests.mine.test_episodes import _write, call, result

    path = _write(tmp_path, [call("c1", command), result("c1", error, True)])
    texts = [lesson.text for lesson in extract(path, path.parent)]
    assert any(t.startswith("A here-document ends only at a line") for t in texts) is told
    # what agents did once told (the next command in a call of its own) is offered too
    assert any("or run it in a call of its own" in t for t in texts) is told
    assert not any("`cp " in t or "`cat " in t for t in texts)


@pytest.mark.parametrize(
    ("command", "error", "told"),
    [
        ("cd c:\\Users\\ana\\app\\web && bun run test", "/usr/bin/bash: line 1: cd: c:Usersanaappweb: No such file or directory", True),
        ("grep -n x C:\\Users\\ana\\.claude\\MEMORY.md", "grep: C:Usersana.claudeMEMORY.md: No such file or directory", True),
        # quoted, the backslashes reached the program: another failure
        ('cd "c:\\Users\\ana\\app" && bun run test', "bun: error: script not found", False),
    ],
)  # fmt: skip
def test_a_windows_path_whose_backslashes_bash_ate_is_one_known_cause(
    tmp_path: Path, command: str, error: str, told: bool
) -> None:
    from tests.mine.test_episodes import _write, call, result

    path = _write(tmp_path, [call("c1", command), result("c1", error, True)])
    texts = [lesson.text for lesson in extract(path, path.parent)]
    assert any(t.startswith("Git Bash here reads each `\\`") for t in texts) is told
    assert not any("ana" in t for t in texts)


@pytest.mark.parametrize(
    "error",
    [
        "UnicodeEncodeError: 'charmap' codec can't encode character '\\u270d' in position 3: character maps to <undefined>",
        "UnicodeEncodeError: 'cp949' codec can't encode character '\\U0001f6e1' in position 0: illegal multibyte sequence",
        "UnicodeEncodeError: 'gbk' codec can't encode character '\\u2713' in position 12: illegal multibyte sequence",
    ],
)  # fmt: skip
def test_a_console_code_page_refusing_a_character_is_one_known_cause(
    tmp_path: Path, error: str
) -> None:
    from tests.mine.test_episodes import _write, call, result

    failed = "python -c \"from pathlib import Path; print(Path('a.pdf').read_text())\""
    records = [
        call("c1", failed),
        result("c1", error, True),
        call("c2", f"$env:PYTHONIOENCODING='utf-8'; {failed}"),
        result("c2", "ok"),
    ]
    path = _write(tmp_path, records)
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("On this Windows machine Python writes through the console")
    assert lesson.fix == "set PYTHONIOENCODING=utf-8" and "pathlib" not in lesson.text
    assert "-X utf8" not in lesson.text  # the way seen, and no other
    # the codec the error named, and no other
    codec = error.split("'")[1]
    assert f"“UnicodeEncodeError: '{codec}' codec can't encode …”" in lesson.text
    assert all(f"'{other}'" not in lesson.text for other in {"charmap", "cp949", "gbk"} - {codec})


_REFUSED_PRINT = (
    "Traceback (most recent call last):\n"
    '  File "C:\\work\\tally.py", line 12, in <module>\n'
    '    print("\\u2714 tally done")\n'
    "UnicodeEncodeError: 'cp1252' codec can't encode character '\\u2714' in position 0: "
    "character maps to <undefined>"
)


def test_a_console_code_page_is_told_with_the_way_past_it_the_run_showed(
    tmp_path: Path,
) -> None:
    """`python -X utf8` seen working: that way is told, not `PYTHONIOENCODING`."""
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("c1", "python tally.py"),
        result("c1", _REFUSED_PRINT, True),
        call("c2", "python -X utf8 tally.py"),
        result("c2", "\u2714 tally done"),
    ]
    path = _write(tmp_path, records)
    (lesson,) = extract(path, path.parent)
    assert "`python -X utf8`" in lesson.text and "PYTHONIOENCODING" not in lesson.text
    assert lesson.fix is not None and "-X utf8" in lesson.fix


def test_a_refused_character_edited_out_of_the_prints_is_the_way_told(tmp_path: Path) -> None:
    """The script's print of a check mark edited to plain words, then the script running:
    that is what worked, never an encoding setting no run used."""
    from tests.mine.test_episodes import _write, call, edit, result

    records = [
        call("c1", "python tally.py"),
        result("c1", _REFUSED_PRINT, True),
        edit("e1", "C:\\work\\tally.py", 'print("\u2714 tally done")', 'print("tally done")'),
        result("e1", "The file C:\\work\\tally.py has been updated."),
        call("c2", "python tally.py"),
        result("c2", "tally done"),
    ]
    path = _write(tmp_path, records)
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("On this Windows machine Python writes through the console")
    assert "PYTHONIOENCODING" not in lesson.text and "-X utf8" not in lesson.text
    assert "out of what scripts print (that worked)" in lesson.text
    assert lesson.fix is not None and "PYTHONIOENCODING" not in lesson.fix
    assert lesson.evidence.ref.line_end == 6  # the edit and the run that worked are shown
    # an edit that kept the character is no way past the code page
    kept = [*records[:2], edit("e1", "C:\\work\\tally.py", "x = 1", "x = 2"), *records[3:]]
    (lesson,) = extract(_write(tmp_path / "kept", kept), tmp_path / "kept")
    assert lesson.fix is None and "(that worked)" not in lesson.text


def test_a_console_code_page_with_no_way_seen_states_no_remedy_as_seen(tmp_path: Path) -> None:
    """Run again by another name, the refused character still printed: no way past the code
    page was seen, so no fix is stated as seen."""
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("c1", "python tally.py"),
        result("c1", _REFUSED_PRINT, True),
        call("c2", "python3 tally.py"),
        result("c2", "tally done"),
    ]
    path = _write(tmp_path, records)
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("On this Windows machine Python writes through the console")
    assert lesson.fix is None and "(that worked)" not in lesson.text


def test_a_file_written_without_an_encoding_is_no_console_code_page(tmp_path: Path) -> None:
    from tests.mine.test_episodes import _write, call, result

    traceback = (
        "Traceback (most recent call last):\n"
        '  File "C:\\proj\\gen_report.py", line 41, in <module>\n'
        '    Path("report.md").write_text(body)\n'
        '  File "C:\\Python312\\Lib\\encodings\\cp1252.py", line 19, in encode\n'
        "UnicodeEncodeError: 'charmap' codec can't encode character '\\u2705' in position 1: "
        "character maps to <undefined>"
    )
    path = _write(tmp_path, [call("c1", "python gen_report.py"), result("c1", traceback, True)])
    texts = [lesson.text for lesson in extract(path, path.parent)]
    assert not any("PYTHONIOENCODING" in t for t in texts)


def test_gnu_timeout_missing_is_told_as_macos_lacking_it(tmp_path: Path) -> None:
    """No project runner runs `timeout`: the line says what stands in for it, never "find the
    project's way to run it" nor "use `npm …` instead" after `npm test` ran without it."""
    from tests.mine.test_episodes import _write, call, result

    path = _write(
        tmp_path,
        [
            call("t1", "timeout 20 npm test"),
            result("t1", "Exit code 127\n(eval):1: command not found: timeout", True),
            call("t2", "npm test"),
            result("t2", "Tests: 4 passed, 4 total"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text == _NO_TIMEOUT_TEXT


NO_UPSTREAM = (
    "Exit code 128\nfatal: The current branch main has no upstream branch.\nTo push the "
    "current branch and set the remote as upstream, use\n\n    git push --set-upstream origin "
    "main\n"
)


def test_a_fix_the_error_spelled_out_is_no_lesson(tmp_path: Path) -> None:
    """git said which command to run, and it worked: the next agent reads the same advice."""
    told = [
        call("t1", "git -C /Users/ana/playground/kata push"),
        result("t1", NO_UPSTREAM, error=True),
        call("t2", "git -C /Users/ana/playground/kata push --set-upstream origin main"),
        result("t2", "branch 'main' set up to track 'origin/main'."),
    ]
    assert failure_lessons(tmp_path / "a", told) == []
    untold = [
        call("t1", "npm test"),
        result("t1", 'Exit code 1\nnpm error Missing script: "test"', error=True),
        call("t2", "npm run test:unit"),
        result("t2", "Tests: 4 passed, 4 total"),
    ]
    (lesson,) = failure_lessons(tmp_path / "b", untold)
    assert "use `npm run test:unit` instead" in lesson.text


def test_a_correction_keeping_a_kind_of_file_out_of_git_earns_its_line(tmp_path: Path) -> None:
    """Typed while the agent worked, "don't commit .so files" is the user's rule: its own
    remedy, so it earns a line the first time."""
    from metis_distill.curate.earned import earned
    from tests.mine.test_episodes import _write, say

    path = _write(
        tmp_path,
        [
            say("user", "[Request interrupted by user for tool use]"),
            say("user", "don't commit .so files"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.text == "User correction: Don't commit .so files."
    assert lesson.fix is not None
    assert earned(
        SimpleNamespace(kind=lesson.kind, text=lesson.text, scope=(), fix=lesson.fix, support=1)
    )


def test_a_correction_stating_a_preference_for_how_to_work_earns_its_line(
    tmp_path: Path,
) -> None:
    """ "No, I want to avoid direct DB queries" after a stop is the user's standing way of
    working, its own remedy; a wish for today's PR is not."""
    from tests.mine.test_episodes import _write, say

    stop = say("user", "[Request interrupted by user for tool use]")
    told = "No, I want to avoid direct DB queries, and use the API when applicable."
    path = _write(tmp_path / "a", [stop, say("user", told)])
    (lesson,) = extract(path, path.parent)
    assert lesson.text == (
        "User correction: I want to avoid direct DB queries, and use the API when applicable."
    )
    assert lesson.fix is not None
    today = "No, I want to avoid breaking the build in this PR."
    path = _write(tmp_path / "b", [stop, say("user", today)])
    assert all(lesson.fix is None for lesson in extract(path, path.parent))


def test_an_end_of_options_put_before_a_dashed_argument_is_no_rule_of_the_place(
    tmp_path: Path,
) -> None:
    """`rg -n "-x"` took the pattern for a flag; `rg -n -- "-x"` worked: the call's own slip,
    any program does so, nothing that "fails here"."""
    failed = 'rg -n "- \\[ \\]" docs/'
    error = "Exit code 2\nrg: unrecognized flag -"
    (lesson,) = _retried(tmp_path, failed, error, 'rg -n -- "- \\[ \\]" docs/', "docs/a.md:3")
    assert lesson.fix is None and "use `rg" not in lesson.text
    assert "put `--` before it" in lesson.text and "no fix seen" not in lesson.text


def test_a_double_dash_before_a_path_is_no_end_of_a_dashed_argument(tmp_path: Path) -> None:
    """`git checkout -- src/app.py` parts paths from revisions: nothing opened with a dash."""
    failed = "git checkout src/app.py"
    error = "Exit code 1\nfatal: 'src/app.py' could be both a local file and a tracking branch."
    (lesson,) = _retried(tmp_path, failed, error, "git checkout -- src/app.py")
    assert lesson.fix is None and "put `--` before it" not in lesson.text
    assert "no fix seen" in lesson.text


def test_an_end_of_options_is_found_past_other_quotes_and_a_flag_said_twice(
    tmp_path: Path,
) -> None:
    """`rg -n "--upgrade" -n f` then `rg -n -- '--upgrade' f`: the same search, its pattern
    quoted otherwise and `-n` said once; what worked is told, never "no fix seen"."""
    failed = 'rg -n "--upgrade" -n src/core.py'
    error = "Exit code 2\nrg: unrecognized flag --upgrade"
    retry = "rg -n -- '--upgrade' src/core.py"
    (lesson,) = _retried(tmp_path, failed, error, retry, '32:    ("--upgrade", "…")')
    assert lesson.fix is None and "no fix seen" not in lesson.text
    assert lesson.text.endswith(
        "(an argument that opens with `-` is read as an option: put `--` before it)."
    )


@pytest.mark.parametrize(
    "error",
    [
        "Exit code 1\nError: accepts 1 arg(s), received 0\nUsage:\n  gt witness status <rig>",
        "Exit code 2\nusage: gt witness status [-h] rig\nerror: the following arguments are "
        "required: rig",
    ],
)
def test_an_argument_the_program_asked_for_is_no_rule(tmp_path: Path, error: str) -> None:
    """The usage said an argument was missing; the retry gave one (that day's value)."""
    (lesson,) = _retried(tmp_path, "gt witness status", error, "gt witness status web_rig")
    assert lesson.fix is None and "web_rig" not in lesson.text


def test_an_option_the_error_only_offers_is_still_the_fix(tmp_path: Path) -> None:
    """npm's peer conflict says "retry this command with --force or --legacy-peer-deps": an
    offer, not a demand; the retry with it is what worked."""
    error = (
        "Exit code 1\nnpm ERR! code ERESOLVE\nnpm ERR! ERESOLVE could not resolve\nnpm ERR! Fix "
        "the upstream dependency conflict, or retry\nnpm ERR! this command with --force or "
        "--legacy-peer-deps"
    )
    (lesson,) = _retried(tmp_path, "npm install", error, "npm install --legacy-peer-deps")
    assert lesson.fix == "npm install --legacy-peer-deps"
    assert "“ERESOLVE could not resolve”" in lesson.text


@pytest.mark.parametrize(
    ("failed", "error", "retry"),
    [
        # the usage printed alone: the call asked for no work
        (
            "claude mcp",
            "Exit code 1\nUsage: claude mcp [options] [command]\n\nConfigure MCP servers",
            "claude mcp list",
        ),
        # an option the error itself named, added
        (
            "npx tool@latest list servers",
            "Exit code 1\nPlease specify a client using --client.",
            "npx tool@latest list servers --client claude",
        ),
        # an argument missing, the retry with it and an option the next error asked for
        (
            "npx tool@latest list",
            "Exit code 1\nerror: missing required argument 'type'",
            "npx tool@latest list servers --client claude",
        ),
    ],
)
def test_words_the_usage_asked_for_are_no_rule(
    tmp_path: Path, failed: str, error: str, retry: str
) -> None:
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert lesson.fix is None and f"`{retry}`" not in lesson.text


@pytest.mark.parametrize(("cwd", "said"), [("/mnt/c/Users/ana/app", "in WSL here"), ("/w", "here")])
def test_a_program_missing_in_wsl_is_said_of_wsl(tmp_path: Path, cwd: str, said: str) -> None:
    """WSL's Linux PATH is not the Windows one around it (where `python3` may be the Store's
    placeholder): the line says which."""
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("c1", "python scripts/check.py"),
        result("c1", "Exit code 127\n/bin/bash: line 1: python: command not found", True),
        call("c2", "python3 scripts/check.py"),
        result("c2", "ok"),
    ]
    path = _write(tmp_path, [{**r, "cwd": cwd} for r in records])
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith(f"`python` is not on the PATH {said} (")


@pytest.mark.parametrize(
    "denied",
    [
        "Exit code 126\n/bin/bash: line 1: ~/work/shop/scripts/stop.sh: Permission denied",
        "Exit code 126\n/bin/bash: 行 1: ~/work/shop/scripts/stop.sh: 权限不够",
    ],
)
def test_a_script_refused_in_any_language_is_told_of_the_projects_folder(
    tmp_path: Path, denied: str
) -> None:
    """EACCES in the user's language is the same refusal; the script's path in the folder the
    run worked in is told from there (no one's home in the team's line)."""
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("c1", "~/work/shop/scripts/stop.sh"),
        result("c1", denied, True),
        call("c2", "bash ~/work/shop/scripts/stop.sh"),
        result("c2", "stopped"),
    ]
    path = _write(tmp_path, [{**r, "cwd": "/home/ana/work/shop"} for r in records])
    (lesson,) = extract(path, path.parent)
    assert lesson.text.startswith("Scripts in `scripts/` are not executable")
    assert "~/" not in lesson.text and "ana" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "told"),
    [
        ("python scripts/seed.py --rows 10", "`python scripts/seed.py …`"),
        ("node scripts/upload.js", "`node scripts/upload.js`"),
        ("bash deploy.sh", "`bash deploy.sh`"),
    ],
)
def test_a_variable_one_script_needed_is_told_of_that_script(
    tmp_path: Path, failed: str, told: str
) -> None:
    """Not "`python …` fails …; run it with `DATABASE_URL=…` set": every other script of the
    interpreter would seem to need it."""
    error = "Exit code 1\nKeyError: 'DATABASE_URL'"
    (lesson,) = _retried(tmp_path, failed, error, f"DATABASE_URL=postgres://db/dev {failed}")
    assert lesson.text.startswith(f"{told} fails here")


def test_a_session_in_the_home_folder_itself_keeps_its_paths(tmp_path: Path) -> None:
    """Run in `/home/ana` (no project), `/home/ana/.zshrc` is the person's file: it stays as
    written, not "`.zshrc`" as if it were in every checkout."""
    from tests.mine.test_episodes import _write, call, result

    records = [
        call("c1", "/home/ana/.local/bin/sync.sh"),
        result(
            "c1", "Exit code 126\n/bin/bash: /home/ana/.local/bin/sync.sh: Permission denied", True
        ),
        call("c2", "bash /home/ana/.local/bin/sync.sh"),
        result("c2", "synced"),
    ]
    path = _write(tmp_path, [{**r, "cwd": "/home/ana"} for r in records])
    (lesson,) = extract(path, path.parent)
    assert "`~/.local/bin/`" in lesson.text  # (the home hidden as everywhere), not `.local/bin/`


def test_the_days_inline_scripts_that_prepared_a_call_are_no_step_to_run_first() -> None:
    """A `python -c "…"` the shell could not parse, other inline scripts between, then one
    like it working: which of that day's scripts helped is unsaid, never "run
    `python -c … && python -c …` first"."""
    from metis_distill.extract.rules import _failure_lesson
    from metis_distill.mine.episodes import Episode
    from metis_distill.mine.fixes import Fix, FixKind
    from metis_distill.models import Event, EventKind, SourceRef

    def event(seq: int, kind: EventKind, text: str) -> Event:
        return Event(seq, "assistant", kind, text, SourceRef("s.jsonl", seq, seq))

    script = "python -c \"\nimport re\nprint(re.findall('a', 'abc'))\n\""
    failed = event(1, EventKind.TOOL_CALL, script.replace("'abc'", "'it\"s'"))
    error = event(
        2,
        EventKind.TOOL_RESULT,
        "/usr/bin/bash: -c: line 4: unexpected EOF while looking for matching `\"'",
    )
    steps = (
        event(3, EventKind.TOOL_CALL, 'python -c "\nimport re\nprint(re.__version__)\n"'),
        event(5, EventKind.TOOL_CALL, "python -c \"\nprint(open('a.txt').read())\n\""),
    )
    worked = event(7, EventKind.TOOL_CALL, script)
    fix = Fix(FixKind.PREPARED, worked, event(8, EventKind.TOOL_RESULT, "['a']"), steps=steps)
    episode = Episode(LessonKind.FAILURE, "exit_code", error, call=failed, fix=fix)
    lesson = _failure_lesson(episode, failed, "unexpected EOF", "claude_code")
    assert lesson is not None
    text, remedy = lesson
    assert "first" not in text and remedy is None


def test_a_build_before_the_days_inline_script_is_still_the_step_to_run_first() -> None:
    from metis_distill.extract.rules import _failure_lesson
    from metis_distill.mine.episodes import Episode
    from metis_distill.mine.fixes import Fix, FixKind
    from metis_distill.models import Event, EventKind, SourceRef

    def event(seq: int, kind: EventKind, text: str) -> Event:
        return Event(seq, "assistant", kind, text, SourceRef("s.jsonl", seq, seq))

    failed = event(1, EventKind.TOOL_CALL, "node dist/cli.js --check")
    error = event(2, EventKind.TOOL_RESULT, "Error: Cannot find module '/w/dist/cli.js'")
    steps = (
        event(3, EventKind.TOOL_CALL, "npm run build"),
        event(
            5, EventKind.TOOL_CALL, "node -e \"\nconsole.log(require('./package.json').main)\n\""
        ),
    )
    worked = event(7, EventKind.TOOL_CALL, "node dist/cli.js --check")
    fix = Fix(FixKind.PREPARED, worked, event(8, EventKind.TOOL_RESULT, "ok"), steps=steps)
    episode = Episode(LessonKind.FAILURE, "exit_code", error, call=failed, fix=fix)
    lesson = _failure_lesson(episode, failed, "Cannot find module", "claude_code")
    assert lesson is not None
    text, remedy = lesson
    assert text.endswith("run `npm run build` first.") and remedy == "npm run build"


@pytest.mark.parametrize(
    ("sentence", "line"),
    [
        # a full-width clause mark at the end gives way to a sentence's end, not a "." after it
        ("所有依赖都用 pnpm 安装；", "所有依赖都用 pnpm 安装。"),
        ("提交信息一律写英文，", "提交信息一律写英文。"),
        # a full-width question or colon mark ends it as it is
        ("依赖用 pnpm 还是 npm？", "依赖用 pnpm 还是 npm？"),
        ("Always use pnpm", "Always use pnpm."),
    ],
    ids=["semicolon", "comma", "question", "ascii"],
)
def test_a_statement_line_ends_as_a_sentence(sentence: str, line: str) -> None:
    assert _statement_text("user_rule", sentence) == line


@pytest.mark.parametrize(
    ("step", "failed", "error", "told"),
    [
        ("npx prettier --write src/app.ts", "npx prettier --check src", "[warn] src/app.ts",
         "npx prettier --write …"),
        ("ruff check --fix src/a.py", "ruff check .", "src/a.py:1:1: F401 unused", "ruff check --fix …"),
        # no file: a pin, an image, a version, an option's value
        ("pip install torch==2.1.0+cpu", "pip install -r requirements.txt", "torch==2.1.0+cpu",
         "pip install torch==2.1.0+cpu"),
        ("docker pull library/postgres", "docker pull", "denied for library/postgres",
         "docker pull library/postgres"),
        ("uv run --python 3.12 pytest", "uv run pytest", "requires Python 3.12",
         "uv run --python 3.12 pytest"),
        ("ruff format --config ruff.toml", "ruff format --check .", "ruff.toml: invalid key",
         "ruff format --config ruff.toml"),
    ],
)  # fmt: skip
def test_only_a_file_the_error_named_is_cut_from_the_step(
    step: str, failed: str, error: str, told: str
) -> None:
    assert _named_files_cut(step, failed, error) == told


DATA_DENIED = "Exit code 1\nPermissionError: [Errno 13] Permission denied: 'data/raw/batch_4'"


def test_a_command_whose_written_form_worked_in_the_session_is_no_failure(tmp_path: Path) -> None:
    """`conda run -n ml python …` ran one script and failed another: what failed is the script
    the `…` hides, not the command the line would name."""
    records = [
        call("c1", "conda run -n ml python /srv/ml/model.py"),
        result("c1", "features shape: (4, 128)"),
        call("c2", "conda run -n ml python /srv/ml/data.py"),
        result("c2", DATA_DENIED, error=True),
    ]
    assert failure_lessons(tmp_path, records) == []


def test_a_command_that_never_worked_in_the_session_still_fails(tmp_path: Path) -> None:
    records = [
        call("c1", "conda run -n ml python -V"),
        result("c1", "Python 3.11.9"),
        call("c2", "conda run -n ml python /srv/ml/data.py"),
        result("c2", DATA_DENIED, error=True),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text.startswith("`conda run -n ml python …` fails here: “PermissionError")
    assert lesson.text.endswith("(no fix seen).") and lesson.fix is None


@pytest.mark.parametrize(
    ("failed", "then", "way"),
    [
        # the utility's stage dropped from the same command
        ("curl -s localhost:8003/health | jq .", "curl -s localhost:8003/health", ": drop the `| jq …` stage"),
        # another program doing its work
        ("tree -L 2 src", "find src -maxdepth 2 -type d", ": use `find …` in its place"),
        ("cat data.json | jq '.items'", "python3 -m json.tool data.json", ": use `python3 -m json.tool …` in its place"),
        # nothing seen in its place
        ("tree -L 2 src", "git status", ""),
    ],
)  # fmt: skip
def test_a_machines_utility_missing_is_done_without(
    tmp_path: Path, failed: str, then: str, way: str
) -> None:
    """No project runs `jq` or `tree`: the line says the machine lacks it and what the run did
    without it, not to find the project's way to run it."""
    program = failed.split("|")[-1].split()[0]
    records = [
        call("c1", failed),
        result("c1", f"/bin/bash: line 1: {program}: command not found", error=True),
        call("c2", then),
        result("c2", "ok"),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text == (
        f"`{program}` is not installed here (“{program}: command not found”); do without it{way}."
    )
    assert lesson.fix is None


def test_a_projects_tool_missing_still_asks_for_the_projects_way(tmp_path: Path) -> None:
    records = [
        call("c1", "vitest run src"),
        result("c1", "/bin/bash: line 1: vitest: command not found", error=True),
        call("c2", "git status"),
        result("c2", "ok"),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text.endswith("find the project's way to run it before retrying.")


def test_a_way_without_a_utility_that_failed_too_is_not_told(tmp_path: Path) -> None:
    records = [
        call("c1", "curl -s localhost:8003/health | jq ."),
        result("c1", "/bin/bash: line 1: jq: command not found", error=True),
        call("c2", "curl -s localhost:8003/health"),
        result("c2", "Exit code 7\ncurl: (7) Failed to connect", error=True),
    ]
    lessons = failure_lessons(tmp_path, records)
    told = [x.text for x in lessons if x.text.startswith("`jq`")]
    assert told == ["`jq` is not installed here (“jq: command not found”); do without it."]


def test_a_stand_in_that_found_nothing_behind_a_pipe_is_not_told(tmp_path: Path) -> None:
    """`find … | sort` exits 0 however `find` fared: its own "No such file or directory" says
    the stand-in showed nothing."""
    records = [
        call("c1", "tree -a /srv/shop"),
        result("c1", "/bin/bash: line 1: tree: command not found", error=True),
        call("c2", "find /srv/shop -type f | grep -v node_modules | sort"),
        result("c2", "find: ‘/srv/shop’: No such file or directory"),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text == "`tree` is not installed here (“tree: command not found”); do without it."


def test_the_span_of_a_way_without_a_utility_shows_it(tmp_path: Path) -> None:
    records = [
        call("c1", "tree -L 2 src"),
        result("c1", "/bin/bash: line 1: tree: command not found", error=True),
        call("c2", "find src -maxdepth 2 -type d"),
        result("c2", "src\nsrc/app"),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.evidence.ref.line_start == 1 and lesson.evidence.ref.line_end == 4
    assert lesson.evidence.shows_fix  # the span a line links to, of those it has


_NO_ACTIVATE = (
    "Exit code 1\nCommandNotFoundError: Your shell has not been properly configured to use "
    "'conda activate'."
)


@pytest.mark.parametrize(
    ("retry", "shown"),
    [
        (
            "D:/tools/miniconda3/envs/ml/python.exe -m pip install requests",
            "`<env>/python.exe -m pip install requests`",
        ),
        (
            "/opt/conda/envs/ml/bin/python -m pip install requests",
            "`<env>/bin/python -m pip install requests`",
        ),
    ],
)
def test_an_environments_interpreter_run_by_its_path_keeps_its_folder(
    tmp_path: Path, retry: str, shown: str
) -> None:
    """`conda activate` refused; the env's own Python, by its absolute path, installed: the
    path is the fix (a bare `python.exe` is the base install), and the machine's own."""
    from metis_distill.placement.locality import Locality, locality
    from tests.placement.test_locality import lesson as view

    failed = "conda activate ml && pip install requests"
    (lesson,) = _retried(tmp_path, failed, _NO_ACTIVATE, retry)
    assert lesson.text.startswith("`conda activate ml` fails here")
    assert lesson.text.endswith(f"use the environment's own interpreter ({shown}).")
    assert lesson.fix == retry
    placed = view(lesson.text, lesson.evidence.quote, lesson.fix, cwd=Path("/w"))
    assert locality(placed, Path("/w")) is Locality.MACHINE


@pytest.mark.parametrize(
    ("retry", "shown"),
    [
        ("conda run -n ml pip install requests", "`conda run -n ml pip install requests`"),
        (".venv/bin/python -m pip install requests", "`.venv/bin/python -m pip install requests`"),
    ],
)
def test_a_way_with_no_environments_path_is_still_told_as_it_ran(
    tmp_path: Path, retry: str, shown: str
) -> None:
    """The control: a named env's runner, or the project's own venv by a relative path, is
    the way as it was run, the team's."""
    from metis_distill.placement.locality import Locality, locality
    from tests.placement.test_locality import lesson as view

    failed = "conda activate ml && pip install requests"
    (lesson,) = _retried(tmp_path, failed, _NO_ACTIVATE, retry)
    assert lesson.text.endswith(f"; use {shown} instead.")
    assert "environment's own interpreter" not in lesson.text
    placed = view(lesson.text, lesson.evidence.quote, lesson.fix, cwd=Path("/w"))
    assert locality(placed, Path("/w")) is not Locality.PERSON


def test_a_files_mode_set_under_the_home_folder_is_still_the_step_to_run(tmp_path: Path) -> None:
    """The control of the home folder opened to every user: a mode set on one file under it
    (ssh's key made private) is the step that let the command through, told as one."""
    failed = "ssh -i ~/.ssh/deploy_key deploy@build-host uptime"
    error = "Exit code 255\nWARNING: UNPROTECTED PRIVATE KEY FILE!"
    (lesson,) = _retried(tmp_path, failed, error, f"chmod 600 ~/.ssh/deploy_key && {failed}")
    assert lesson.text.endswith("; run `chmod 600 …` first.")
    assert lesson.fix == "chmod 600 ~/.ssh/deploy_key"


_PORT_TAKEN = "Exit code 1\nError: listen EADDRINUSE: address already in use :::3000"


@pytest.mark.parametrize(
    "stop",
    [
        "kill 4242",
        "kill -9 4242",
        "sudo kill -s KILL 4242",
        "taskkill /PID 4242 /F",
        "taskkill //F //PID 4242",
        "powershell -Command \"Stop-Process -Id 4242 -Force; echo 'stopped'\"",
    ],
)
def test_a_process_stopped_by_its_number_is_no_step_to_run(tmp_path: Path, stop: str) -> None:
    """The number was that boot's process: copied later it stops whatever holds it then. The
    line says what was in the way and asks first, and teaches no step."""
    (lesson,) = _retried(tmp_path, "npm run dev", _PORT_TAKEN, f"{stop} && npm run dev")
    assert lesson.fix is None and "4242" not in lesson.text
    assert lesson.text.endswith(
        "(it passed once the process in its way was stopped; find which one holds it, "
        "and ask before stopping it)."
    )


def test_a_process_found_by_its_port_when_stopped_is_still_the_step(tmp_path: Path) -> None:
    """The control: the process holding the port looked up as the step runs is no one run's
    number; the step is told."""
    stop = "kill $(lsof -ti :3000)"
    (lesson,) = _retried(tmp_path, "npm run dev", _PORT_TAKEN, f"{stop} && npm run dev")
    assert lesson.text.endswith(f"; run `{stop}` first.") and lesson.fix == stop


def test_a_way_told_as_a_bare_file_name_is_no_way(tmp_path: Path) -> None:
    """The same file read by its full path after its relative one was refused: told as the
    path's last part (`report.html`), the way says nothing the next run could do."""
    from tests.mine.test_episodes import _write, read, result

    error = "EACCES: permission denied, open 'site/report.html'"
    path = _write(
        tmp_path,
        [
            read("r1", "site/report.html"),
            result("r1", error, True),
            read("r2", "/home/ana/site/report.html"),
            result("r2", "     1→<html>"),
        ],
    )
    (lesson,) = extract(path, path.parent)
    assert lesson.fix is None and "`report.html`" not in lesson.text
    assert lesson.text.endswith("(it worked with the path written otherwise).")


@pytest.mark.parametrize("step", ["mv", "sudo mv", "sudo -E mv"])
def test_a_step_whose_every_argument_is_cut_is_no_step_even_as_root(
    tmp_path: Path, step: str
) -> None:
    """`sudo mv …` says as little as `mv …`: every argument was that run's own file."""
    failed = "python3 scripts/publish.py"
    error = "Exit code 1\nPermissionError: [Errno 13] Permission denied: '/srv/www/index.html'"
    retry = f"{step} /srv/www/index.html /srv/www/index.old && {failed}"
    (lesson,) = _retried(tmp_path, failed, error, retry)
    assert lesson.fix is None and lesson.text.endswith("(no fix seen).")


@pytest.mark.parametrize(
    ("between", "told"),
    [
        # the file made the agent's own, then the same edit passed: that step is the way
        ([call("c1", "sudo chown ana:ana /srv/www/stats.html"), result("c1", "")],
         "run `sudo chown ana:ana …` first"),
        # nothing changed the file's owner or mode: the edit written again says nothing of it
        ([], None),
        # only a look at the file in between: no step
        ([call("c1", "ls -la /srv/www/stats.html"),
          result("c1", "-rw-r--r-- 1 root root 8363 Sep 4 10:18 /srv/www/stats.html")], None),
    ],
)  # fmt: skip
def test_a_file_tool_refused_by_the_files_owner_is_mended_by_the_step_that_changed_it(
    tmp_path: Path,
    between: list[dict],  # type: ignore[type-arg]
    told: str | None,
) -> None:
    refused = "EACCES: permission denied, open '/srv/www/stats.html'"
    (lesson,) = failure_lessons(
        tmp_path,
        [
            edit("e1", "/srv/www/stats.html", "Stats", "Live stats"),
            result("e1", refused, True),
            *between,
            edit("e2", "/srv/www/stats.html", "Stats", "Live stats"),
            result("e2", "The file /srv/www/stats.html has been updated successfully."),
        ],
    )
    if told is None:
        assert lesson.fix is None and "chown" not in lesson.text, lesson.text
    else:
        assert told in lesson.text and lesson.fix == "sudo chown ana:ana /srv/www/stats.html"


def test_a_process_found_by_its_port_in_powershell_is_still_the_step(
    tmp_path: Path,
) -> None:
    """`Stop-Process -Id (Get-NetTCPConnection -LocalPort 3000).OwningProcess`: the port's
    number is no process's; the process is looked up as the step runs."""
    lookup = "(Get-NetTCPConnection -LocalPort 3000).OwningProcess"
    stop = f'powershell -Command "Stop-Process -Id {lookup} -Force"'
    (lesson,) = _retried(tmp_path, "npm run dev", _PORT_TAKEN, f"{stop} && npm run dev")
    assert lesson.fix == stop


_SUDO_ASKS = "`sudo` asks for a password here, which the agent cannot give"
_SSH_DENIED = (
    "Pseudo-terminal will not be allocated because stdin is not a terminal.\n"
    "ssh_askpass: exec(): No such file or directory\nPermission denied, please try again."
)
_TYPED_BY_EXPECT = (
    "nix-shell -p expect openssh --run \"expect -c ' spawn ssh deploy@10.0.0.5 expect "
    '\\"*assword:\\" send \\"Tr0ub4dor99\\r\\" expect \\"*%*\\" send \\"hostname\\r\\" '
    "interact '\""
)


@pytest.mark.parametrize(
    ("failed", "error", "retry", "output", "told"),
    [
        (  # the password piped to `sudo -S`: sudo's own lesson, no way to copy
            "ls -la /boot/",
            "Exit code 2\nls: cannot open directory '/boot/': Permission denied",
            "echo Tr0ub4dor99 | sudo -S ls -la /boot/",
            "total 2388\ndrwx------ 7 root root 4096 Jan 1 1970 EFI",
            _SUDO_ASKS,
        ),
        (  # ... or to a step before the same call
            "cp build/app.js /srv/site/",
            "Exit code 1\ncp: cannot create regular file '/srv/site/app.js': Permission denied",
            "echo Tr0ub4dor99 | sudo -S chown ana /srv/site && cp build/app.js /srv/site/ "
            "&& ls /srv/site",
            "app.js",
            _SUDO_ASKS,
        ),
        (  # a script typing the password at ssh's prompt, past where the line would cut it
            "ssh deploy@10.0.0.5",
            _SSH_DENIED,
            _TYPED_BY_EXPECT,
            "spawn ssh deploy@10.0.0.5\n(deploy@10.0.0.5) Password:\nLast login: Fri Sep 19\nweb-01",
            "`ssh deploy@10.0.0.5` fails here: “Permission denied, please try again.” "
            "(it worked only given a password or secret the agent lacks; ask the user).",
        ),
        (  # a token the redaction marked, past where the line would cut the command
            "curl -sf https://api.acme.dev/v1/items",
            "Exit code 22\ncurl: (22) The requested URL returned error: 401",
            "curl -sf -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789' "
            "https://api.acme.dev/v1/items",
            '[{"id": 1}]',
            "(it worked only given a password or secret the agent lacks; ask the user).",
        ),
    ],
)
def test_a_way_that_worked_only_given_a_secret_is_never_told(
    tmp_path: Path, failed: str, error: str, retry: str, output: str, told: str
) -> None:
    """The secret did it and the next agent has none: neither the password's way nor the
    redaction's mark is the line's, and sudo's password is sudo's own lesson."""
    (lesson,) = _retried(tmp_path, failed, error, retry, output)
    assert told in lesson.text and lesson.fix is None, lesson.text
    assert "REDACTED" not in lesson.text and "Tr0ub4dor99" not in lesson.text
    assert "sudo -S" not in lesson.text and "expect" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "error", "retry", "output", "told"),
    [
        (  # plain sudo, no password fed: as before
            "ls -la /boot/",
            "Exit code 2\nls: cannot open directory '/boot/': Permission denied",
            "sudo ls -la /boot/",
            "total 2388",
            "(it worked with `sudo`; ask before using it).",
        ),
        (
            "cp build/app.js /srv/site/",
            "Exit code 1\ncp: cannot create regular file '/srv/site/app.js': Permission denied",
            "sudo chown ana /srv/site && cp build/app.js /srv/site/ && ls /srv/site",
            "app.js",
            "run `sudo chown ana …` first.",
        ),
        (  # an ordinary pipe into the command
            "python3 scripts/setup.py",
            "Exit code 1\nProceed? [y/N] Traceback (most recent call last):\n"
            "EOFError: EOF when reading a line",
            "echo y | python3 scripts/setup.py",
            "Setup done.",
            "use `echo y | python3 scripts/setup.py` instead.",
        ),
        (  # the failed call held the same password: what mended it was nix-shell
            _TYPED_BY_EXPECT.removeprefix('nix-shell -p expect openssh --run "').removesuffix('"'),
            "Exit code 127\n(eval):1: command not found: expect",
            _TYPED_BY_EXPECT,
            "spawn ssh deploy@10.0.0.5\nweb-01",
            "use `nix-shell -p expect openssh …` instead.",
        ),
    ],
)
def test_a_way_given_no_secret_of_its_own_is_told_as_before(
    tmp_path: Path, failed: str, error: str, retry: str, output: str, told: str
) -> None:
    (lesson,) = _retried(tmp_path, failed, error, retry, output)
    assert lesson.text.endswith(told), lesson.text


def test_sudo_refused_early_in_a_script_that_went_on_is_not_its_failure(
    tmp_path: Path,
) -> None:
    """The script went on without sudo and failed at what it said last: that is its lesson."""
    error = (
        "Exit code 1\nsudo: a terminal is required to read the password; either use the -S "
        "option to read from standard input or configure an askpass helper\nsudo unavailable, "
        "installing to ~/.local instead\nnpm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to "
        'resolve dependency tree\nnpm ERR! Could not resolve dependency: peer react@"^17"'
    )
    (lesson,) = _retried(
        tmp_path, "./scripts/setup.sh", error, "./scripts/setup.sh --legacy-peer-deps"
    )
    assert "ERESOLVE" in lesson.text and "`sudo` asks for a password" not in lesson.text


@pytest.mark.parametrize(
    "later",
    [
        "CI=1 mdcat docs/guide.md",
        "timeout 30 mdcat docs/guide.md",
        "cat docs/guide.md | mdcat",
    ],
)
def test_an_install_the_program_then_ran_after_in_a_pipe_or_with_settings_is_the_fix(
    tmp_path: Path, later: str
) -> None:
    from tests.mine.test_episodes import call, result

    after = [call("m3", later), result("m3", "# Guide\n\nHow to start.")]
    lines = _installed_then(
        tmp_path, "paru -S --noconfirm mdcat", "installing mdcat...\ndone", after
    )
    assert lines[0].endswith("; install it with `paru -S --noconfirm mdcat`.")


_HOST_KEY = (
    "Exit code 128\nHost key verification failed.\nfatal: Could not read from remote repository."
)
_PUSHED = "To https://github.com/ana/shop.git\n * [new branch]      main -> main"


@pytest.mark.parametrize(
    ("steps", "told"),
    [
        # back to the remote's https:// URL, gh made git's helper: whose repository is not said
        (
            ["git remote set-url origin https://github.com/ana/shop.git", "gh auth setup-git"],
            "run `git remote set-url origin https://github.com/… && gh auth setup-git` first",
        ),
        (
            ["git remote set-url origin git@github.com:ana/shop.git && gh auth setup-git"],
            "run `git remote set-url origin git@github.com:… && gh auth setup-git` first",
        ),
        # the host's key added: no address in the way, told as it was
        (
            ["ssh-keyscan -t ed25519 github.com >> ~/.ssh/known_hosts"],
            "run `ssh-keyscan -t ed25519 github.com >> ~/.ssh/known_hosts` first",
        ),
    ],
)
def test_a_step_before_the_push_names_no_ones_repository(
    tmp_path: Path, steps: list[str], told: str
) -> None:
    from tests.mine.test_episodes import _write

    records = [call("c1", "git push -u origin main"), result("c1", _HOST_KEY, True)]
    for number, step in enumerate(steps, start=2):
        records += [call(f"c{number}", step), result(f"c{number}", "")]
    records += [call("c9", "git push -u origin main"), result("c9", _PUSHED)]
    path = _write(tmp_path, records)
    (lesson,) = [c for c in extract(path, path.parent) if c.kind is LessonKind.FAILURE]
    assert told in lesson.text and "ana/shop" not in lesson.text


def test_a_registry_address_in_a_step_is_kept(tmp_path: Path) -> None:
    """A registry's root names no one's repository: the step is told whole."""
    from tests.mine.test_episodes import _write

    path = _write(
        tmp_path,
        [
            call("c1", "npm install"),
            result("c1", "npm ERR! code E401\nnpm ERR! Unable to authenticate", True),
            call("c2", "npm config set registry https://registry.npmjs.org/"),
            result("c2", ""),
            call("c3", "npm install"),
            result("c3", "added 12 packages in 2s"),
        ],
    )
    (lesson,) = [c for c in extract(path, path.parent) if c.kind is LessonKind.FAILURE]
    assert "run `npm config set registry https://registry.npmjs.org/` first" in lesson.text


def test_a_way_told_with_its_arguments_names_no_ones_repository(tmp_path: Path) -> None:
    """The push's general forms are alike, so the way is told with its arguments: its
    option shown, the repository's address still told by its host alone."""
    url = "https://github.com/ana/shop.git"
    error = "error: RPC failed; HTTP 400 curl 22 The requested URL returned error: 400"
    retry = f"git -c http.version=HTTP/1.1 push {url} main"
    (lesson,) = _retried(tmp_path, f"git push {url} main", error, retry, _PUSHED)
    assert (
        "use `git -c http.version=HTTP/1.1 push https://github.com/… main` instead" in lesson.text
    )
    assert "ana/shop" not in lesson.text


def test_a_password_pipe_the_failed_call_held_is_never_told(tmp_path: Path) -> None:
    """The failed call piped the password already, and so did its step: a line naming either
    teaches the next agent to pipe the user's password."""
    failed = "echo Tr0ub4dor99 | sudo -S apt-get install -y jq"
    retry = "echo Tr0ub4dor99 | sudo -S apt-get update && " + failed
    lessons = _retried(tmp_path, failed, "Exit code 100\nE: Unable to locate package jq", retry)
    assert not any("sudo -S" in c.text or "REDACTED" in c.text for c in lessons)
    assert not any(c.fix and "sudo -S" in c.fix for c in lessons)
