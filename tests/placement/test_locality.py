"""Whose fact is a lesson: the team's, one machine's, one person's (table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metis_distill.ledger import EvidenceRow, LessonView
from metis_distill.mine.piped_rewrite import PIPE_REWRITE_TEXT
from metis_distill.mine.shell_helper import missing_helper_text
from metis_distill.mine.shells import SWITCH_LESSON
from metis_distill.mine.zsh_parse import ZSH_PARSE_TEXT
from metis_distill.placement import locality as locality_module
from metis_distill.placement.locality import Locality, locality

ROOT = Path("/home/ana/src/shop")


def lesson(
    text: str,
    quote: str = "",
    fix: str | None = None,
    scope: tuple[str, ...] = (),
    cwd: Path = ROOT,
) -> LessonView:
    evidence = EvidenceRow(
        id="e000000001",
        lesson_id="0a1b2c3d4e",
        archive_root="/archive",
        path="p/s.jsonl",
        line_start=1,
        line_end=2,
        quote=quote or text,
        session_id="s1",
        cwd=str(cwd),
        timestamp=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return LessonView(
        "0a1b2c3d4e", "failure", text, "active", 1, None, None, (evidence,), scope, fix
    )


@pytest.mark.parametrize(
    ("text", "quote", "fix", "expected"),
    [
        (  # a program the project's runner had to fetch: this machine lacks it
            "`vercel` is not installed here (“vercel: command not found”), nor a dependency "
            "of the project: `npx vercel …` fetches it and runs it.",
            "bash: vercel: command not found",
            "npx",
            Locality.MACHINE,
        ),
        (  # a program missing on this machine
            "`python` is not on the PATH here; use `python3` instead.",
            "bash: line 1: python: command not found",
            "python3 -m pytest",
            Locality.MACHINE,
        ),
        (  # a module missing for one interpreter
            "The module `yaml` is not installed for `py` here; install it with `py -m pip install PyYAML`.",
            "ModuleNotFoundError: No module named 'yaml'",
            None,
            Locality.MACHINE,
        ),
        (  # what this person's Codex sandbox refuses: each a fact of its setup
            "Codex's sandbox here has no network: calls that reach a "
            "server fail inside it and work outside it; ask to run them with escalated "
            "permissions.",
            "curl: (7) Failed to connect to localhost port 8000",
            "run it with escalated permissions",
            Locality.MACHINE,
        ),
        (
            "Codex's sandbox here cannot write under `.git/`: git commands fail inside it.",
            "fatal: Unable to create '.git/index.lock': Operation not permitted",
            None,
            Locality.MACHINE,
        ),
        (  # this machine's shell
            "Read fails here: cygpath cannot convert the path.",
            "Command failed: cygpath -u 'S:\\repo'",
            None,
            Locality.MACHINE,
        ),
        (  # someone's own folder
            "Use ~\\Downloads\\ClaudeDocs as the backup folder.",
            "Use ~\\Downloads\\ClaudeDocs as the backup folder.",
            None,
            Locality.PERSON,
        ),
        (  # a home outside the repository
            "Copy the fixtures from /home/bob/scratch/fixtures first.",
            "",
            None,
            Locality.PERSON,
        ),
        (  # the project's own tool runner: the team's
            "`tsc` is not on the PATH here; run it as `npx tsc`.",
            "bash: tsc: command not found",
            "npx tsc --noEmit",
            Locality.TEAM,
        ),
        (  # the project's flake: the team's
            "`cargo` is not on the PATH here; run it as `nix develop -c cargo …`.",
            "bash: line 1: cargo: command not found",
            "nix develop -c",
            Locality.TEAM,
        ),
        (  # packages borrowed for one shell: this machine's
            "`cargo` is not on the PATH here; use `nix-shell -p cargo rustc …` instead.",
            "bash: line 1: cargo: command not found",
            "nix-shell -p cargo rustc",
            Locality.MACHINE,
        ),
        (  # the project's environment: the team's
            "`pytest` cannot import `shop`; run `uv run pytest`.",
            "ModuleNotFoundError: No module named 'shop'",
            "uv run pytest",
            Locality.TEAM,
        ),
        (  # the project's own package, found through the repository's layout
            "Turns out pytest cannot import the app package unless PYTHONPATH=src is set.",
            "every test dies with ModuleNotFoundError for the app package without PYTHONPATH=src",
            None,
            Locality.TEAM,
        ),
        (  # a folder of one machine on the path: not the team's
            "Tests need PYTHONPATH=/opt/ana/libs here (“No module named 'ana_tools'”).",
            "ModuleNotFoundError: No module named 'ana_tools'",
            None,
            Locality.MACHINE,
        ),
        (  # a repository file's line endings, whatever the error says
            "Shell scripts here have CRLF line endings (“$'\\r': command not found”); convert them to LF.",
            "/usr/bin/env: ‘bash\\r’: No such file or directory",
            None,
            Locality.TEAM,
        ),
        (  # a path inside the repository, even under a home
            "Edit /home/ana/src/shop/web/vite.config.ts, not the copy in dist/.",
            "",
            None,
            Locality.TEAM,
        ),
        (  # the harness as installed on one machine
            "Claude Code's Grep and Glob tools cannot start their bundled ripgrep here (“spawn "
            "…/rg EACCES”); search with `grep -rn` or `rg` through Bash instead.",
            "spawn /opt/homebrew/lib/node_modules/@anthropic-ai/claude-code/vendor/ripgrep/"
            "arm64-darwin/rg EACCES",
            "search through Bash",
            Locality.MACHINE,
        ),
        (  # the harness's version on one machine
            "Claude Code's Bash tool here passes a `!` on as `\\!` (jq's `!=`), which breaks the "
            "code it runs; put such code in a file (the Write tool) and run the file.",
            "jq: error: syntax error, unexpected INVALID_CHARACTER: select(.a \\!= null)",
            "run the code from a file",
            Locality.MACHINE,
        ),
        (  # the person's shell
            "The shell here is zsh: an unquoted argument holding `[ ]` is taken for a pattern.",
            "zsh: no matches found: .[dev]",
            "quote the argument",
            Locality.MACHINE,
        ),
        (  # the person's shell, refusing a script written for bash
            ZSH_PARSE_TEXT,
            "(eval):1: parse error near `('",
            "run it with `bash -c '…'`",
            Locality.MACHINE,
        ),
        (  # the harness's version on one machine, rewriting a piped command
            PIPE_REWRITE_TEXT,
            "ls: cannot access '2': No such file or directory",
            "run the command without the pipe",
            Locality.MACHINE,
        ),
        (  # the shell the harness uses here lacks its own helper
            missing_helper_text("cygpath"),
            "/usr/bin/bash: line 1: cygpath: command not found",
            None,
            Locality.MACHINE,
        ),
        (  # Windows' Git Bash, the shell of one machine
            SWITCH_LESSON,
            "ERROR: Invalid argument/option - 'F:/'.",
            "double the slash: `//F`",
            Locality.MACHINE,
        ),
        (
            "Shell commands here run in bash, not cmd or PowerShell: commands like `dir /B` fail.",
            "dir: cannot access '/B': No such file or directory",
            "use their POSIX forms (`ls`, `cat`)",
            Locality.MACHINE,
        ),
        (  # the system's copy of a core tool: macOS's rsync lacks GNU's flags
            "`rsync` has no `--no-dereference` flag here (“rsync: unrecognized option”); "
            "leave it out (that worked).",
            "rsync: unrecognized option `--no-dereference'",
            "rsync -a src/ dst/",
            Locality.MACHINE,
        ),
        (  # the project's task runner missing here: the tool it wraps stood in on this
            # machine, where the project's own way stays `just test`
            "`just` is not on the PATH here (“just: command not found”); run `cargo test …` in "
            "place of `just test` (that worked).",
            "bash: line 1: just: command not found",
            "cargo test",
            Locality.MACHINE,
        ),
        (  # the same in WSL, said of WSL
            "`make` is not on the PATH in WSL here (“make: command not found”); run `cargo "
            "build …` in place of `make build` (that worked).",
            "bash: line 1: make: command not found",
            "cargo build",
            Locality.MACHINE,
        ),
        (  # the project's own CLI: its version is the project's
            "`next` has no `lint` flag here; leave it out (that worked).",
            "error: unknown option '--lint'",
            "next build",
            Locality.TEAM,
        ),
        (  # the machine's git identity: "make one up" is prose, not the project's `make`
            "git has no user name or e-mail set here (“Please tell me who you are”); ask the "
            "user which identity to commit with, never make one up.",
            "Author identity unknown *** Please tell me who you are.",
            None,
            Locality.MACHINE,
        ),
        (  # run as another of the machine's accounts: how that account is set up
            "`sudo -u deploy pm2 status` fails here (“Error: Cannot find module …”); use "
            "`sudo -u deploy bash -c 'export PATH=\"$PNPM_HOME:$PATH\"; pm2 status'` instead.",
            "Error: Cannot find module",
            "sudo -u deploy bash -c 'export PATH=\"$PNPM_HOME:$PATH\"; pm2 status'",
            Locality.MACHINE,
        ),
        (  # the file the fix ran on is under a home; the line says the rule without it
            '`rg -n "- …` fails here (“rg: unrecognized flag -”); use `rg -n -- "- …` instead.',
            "rg: unrecognized flag -",
            'rg -n -- "- \\[ \\]" ~/git/shop/specs/tasks.md',
            Locality.TEAM,
        ),
        (  # which of the person's accounts the forge's CLI has active: their login here
            "`git pull` fails with “remote: Repository not found.”; run `gh auth status && gh "
            "auth switch --user ana-work` first.",
            "remote: Repository not found.",
            "gh auth status && gh auth switch --user ana-work",
            Locality.MACHINE,
        ),
        (  # a browser the test tool downloads into the person's cache: once per machine
            "`python3 check_page.py` fails with “BrowserType.launch: Executable doesn't exist at "
            "…”; run `playwright install chromium` first.",
            "Executable doesn't exist at /home/ana/.cache/ms-playwright/chromium-1140/chrome",
            "playwright install chromium",
            Locality.MACHINE,
        ),
        (  # the project's environment, by its path from the repository: the team's
            "`python` here lacks the module `flask` (“ModuleNotFoundError: No module named "
            "'flask'”); run it as `.venv/bin/python …`.",
            "ModuleNotFoundError: No module named 'flask'",
            ".venv/bin/python",
            Locality.TEAM,
        ),
        (  # ... and in a folder outside the repository: where that machine keeps one
            "`python` here lacks the module `flask` (“ModuleNotFoundError: No module named "
            "'flask'”); run it as `/srv/web/.venv/bin/python …`.",
            "ModuleNotFoundError: No module named 'flask'",
            "/srv/web/.venv/bin/python",
            Locality.MACHINE,
        ),
        (
            "`python -c …` fails here (“ModuleNotFoundError: No module named 'flask'”); "
            "activate the project's environment first (`cd /srv/web && source "
            ".venv/bin/activate`), then run it.",
            "ModuleNotFoundError: No module named 'flask'",
            "cd /srv/web && source .venv/bin/activate",
            Locality.MACHINE,
        ),
        (  # inside the repository, it is the team's
            "`python` here lacks the module `flask` (“ModuleNotFoundError: No module named "
            "'flask'”); run it as `/home/ana/src/shop/.venv/bin/python …`.",
            "ModuleNotFoundError: No module named 'flask'",
            "/home/ana/src/shop/.venv/bin/python",
            Locality.TEAM,
        ),
        (  # a scratch file or a device named in the way: nobody's place
            "`npm test` fails here (“jest: not found”); use `npx jest --json "
            "--outputFile=/tmp/jest.json` instead.",
            "sh: 1: jest: not found",
            "npx jest --json --outputFile=/tmp/jest.json",
            Locality.TEAM,
        ),
        (
            "`tsc --noEmit` fails here (“tsc: not found”); use `npx tsc --noEmit 2> /dev/null` "
            "instead.",
            "sh: 1: tsc: not found",
            "npx tsc --noEmit 2> /dev/null",
            Locality.TEAM,
        ),
        ("Money is integer cents, never floats.", "", None, Locality.TEAM),
    ],
)
def test_locality(text: str, quote: str, fix: str | None, expected: Locality) -> None:
    assert locality(lesson(text, quote, fix), ROOT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lesson's text shows a home as `~`: outside the repository, it is someone's own
        ("Keep Claude skills in ~/.claude/skills, not in the project.", Locality.PERSON),
        ("以后所有 skill 都放在~/.claude/skills，而不是项目目录。", Locality.PERSON),
        # ... and inside it, the team's
        ("Edit ~/src/shop/web/vite.config.ts, not the copy in dist/.", Locality.TEAM),
        # a person's own folder named, not written out
        ("以后所有的 Claude skill 都保存在我本地个人目录，而非项目目录。", Locality.PERSON),
        ("From now on save the notes in my personal folder, not the repo.", Locality.PERSON),
        ("Ab jetzt speichere die Notizen in meinem persönlichen Ordner.", Locality.PERSON),
        ("Always write the notes to docs/notes, not the root.", Locality.TEAM),
    ],
)
def test_a_home_written_as_tilde_or_named_is_the_persons(text: str, expected: Locality) -> None:
    assert locality(lesson(text), ROOT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please always respond in Thai.", Locality.PERSON),
        ("Answer me in simplified Chinese from now on.", Locality.PERSON),
        ("Your replies should always be in Spanish.", Locality.PERSON),
        ("以后请用中文回答。", Locality.PERSON),
        ("日本語で回答してください。", Locality.PERSON),
        ("Réponds toujours en français.", Locality.PERSON),
        ("Antworte mir bitte immer auf Deutsch.", Locality.PERSON),
        ("지금부터 모든 답변을 한글로 해줘", Locality.PERSON),
        ("앞으로 코드 주석은 한글로 해줘", Locality.TEAM),  # the code's comments: the team's
        ("Всегда работай со мной на русском.", Locality.PERSON),
        # the language of the product is the team's
        ("Write the UI strings in Thai; English is the fallback.", Locality.TEAM),
        ("Error messages returned by the API are in English.", Locality.TEAM),
        ("The support bot must always reply in Spanish to customers.", Locality.TEAM),
        ("API responses are always in English; translate only the UI.", Locality.TEAM),
        ("The chatbot should respond in simple English for this audience.", Locality.TEAM),
    ],
)
def test_the_language_the_agent_speaks_to_the_person_is_theirs(
    text: str, expected: Locality
) -> None:
    assert locality(lesson(text), ROOT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("以后我说保存到ob中，就是保存到笔记库的 Inbox 文件夹。", Locality.PERSON),
        ("我说“提交”的时候，先跑测试再 git commit。", Locality.PERSON),
        ("When I say ship it, push to main and tag the release.", Locality.PERSON),
        ("Whenever I type /n, start a new note.", Locality.PERSON),
        ("私が「保存」と言ったら、ノートに書いてください。", Locality.PERSON),
        ("Quand je dis « déploie », lance make deploy.", Locality.PERSON),
        # what the product does when its user says something: the team's
        ("When the user says stop, the bot must end the call.", Locality.TEAM),
        ("我们说的 API 版本是 v2，不要再用 v1。", Locality.TEAM),
        ("我打算统一用 pnpm 管理依赖，不要再用 npm 安装包。", Locality.TEAM),
        ("我说过了，数据库迁移必须用 alembic 生成，不要手写。", Locality.TEAM),
        ("When I write a migration, keep schema.sql in sync.", Locality.TEAM),
        (
            "Only merge to main if I say the release is ready; CI alone is not enough.",
            Locality.TEAM,
        ),
        ("When I say the release is ready you may merge to main.", Locality.TEAM),
    ],
)
def test_the_persons_own_shorthand_is_theirs(text: str, expected: Locality) -> None:
    assert locality(lesson(text), ROOT) == expected


def test_a_tilde_path_is_personal_when_the_repository_is_in_no_home() -> None:
    text = "Edit ~/src/shop/web/vite.config.ts, not the copy in dist/."
    assert locality(lesson(text), Path("/srv/shop")) == Locality.PERSON


_MISSING_PIECES = st.sampled_from(
    ["jest", "`rg`", "'node'", '"go"', "python3", " ", ": ", "command not found", "COMMAND NOT"]
    + [" FOUND", " is not recognized as an internal or external command", " is not on the "]
    + ["is not in the PATH", "PATH", "which: no ", " in ", "executable file not found in $PATH"]
    + ["\u0130S NOT \u0130N THE PATH", "executable f\u0131le not found \u0131n ", "\u212a", "x"]
    + ["comma\u00f1d", "\n", "WHICH: NO", "is not  on the PATH"]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_MISSING_PIECES, max_size=10).map("".join))
@example("jest: command not found")
@example("zsh: command not found: rg")
@example("'node' is not recognized as an internal or external command")
@example("python3 is not on the PATH")
@example("which: no jest in (/usr/bin)")
@example('exec: "go": executable file not found in $PATH')
@example("WHICH: NO JEST IN x, python3 \u0130S NOT \u0131N THE PATH")
def test_a_missing_program_is_searched_only_where_its_words_are(text: str) -> None:
    """Searched only in a text holding a match of `_MISSING_WORDS`: the same answer as the
    pattern's own search (Unicode's case variants too)."""
    assert locality_module._missing_program(text) == bool(
        locality_module._MISSING_PROGRAM.search(text)
    )


@settings(max_examples=300, deadline=None)
@given(st.from_regex(locality_module._MISSING_PROGRAM, fullmatch=True))
def test_every_missing_program_holds_its_words(said: str) -> None:
    assert locality_module._MISSING_WORDS.search(said), said
