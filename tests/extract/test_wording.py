"""The general wording of a failure: the rule, not this run's paths, branches or counts."""

from __future__ import annotations

import pytest

from metis_distill.extract.wording import (
    general_command,
    general_error,
    general_fix,
    subject,
    with_arguments,
)
from metis_distill.mine.text import scrub


@pytest.mark.parametrize(
    ("command", "general"),
    [
        ("git checkout -b 005-orchestrator-architecture", "git checkout -b …"),
        ("chmod +x /Users/ana/proj/.specify/scripts/bash/a.sh", "chmod +x …"),
        ("cd /home/bob/src && npm install", "npm install"),
        ("npm run test", "npm test"),  # one spelling: the two paraphrases are one lesson
        ("pnpm run build --filter web", "pnpm build --filter web"),
        # the manager's own command of that name is another program: `run` stays
        ("bun run build", "bun run build"),
        ("bun run test --watch", "bun run test --watch"),
        ("pnpm run publish", "pnpm run publish"),
        ("bun run lint", "bun lint"),
        ("pnpm run setup", "pnpm run setup"),
        ("yarn run check", "yarn run check"),
        ("/usr/local/bin/python3 tests/run.py", "python3 tests/run.py"),
        ('cp "C:\\Users\\ana\\x.md" docs/', "cp …"),
        # one instance's id: an issue's, a commit's
        ("bd show cr-wisp-ci4 --json", "bd show …"),
        ("git show 9f3e2a1b", "git show …"),
        ("npm install react@18", "npm install react@18"),
        ("apt install python3-pip", "apt install python3-pip"),
        # a file two folders deep: one file of today's work
        ("pnpm lint --fix src/pages/user/Dialog.vue", "pnpm lint --fix …"),
        ("go test ./...", "go test ./..."),
        # the script an interpreter runs is the project's own command
        ("bash scripts/ci/deploy.sh staging", "bash scripts/ci/deploy.sh staging"),
        ("python scripts/db/migrate.py --dry-run", "python scripts/db/migrate.py --dry-run"),
        ("ssh-keygen -t ed25519 -N ''", "ssh-keygen -t ed25519 -N ''"),
        # a file every home has in the same place is no one's own
        (
            "ssh-keyscan -t ed25519 github.com >> ~/.ssh/known_hosts",
            "ssh-keyscan -t ed25519 github.com >> ~/.ssh/known_hosts",
        ),
        ("source ~/.nvm/nvm.sh && nvm use 20 && npm ci", "npm ci"),
        ("cp build/app ~/bin/app", "cp build/app …"),
        # a flag whose value names or describes one item
        (
            'bd create --id=cr-Conducktor_rig-witness --title="Witness" --type=agent',
            "bd create --id=…",
        ),
        ('gh pr create --title "Fix the cart totals" --body x', "gh pr create --title …"),
        # a longer flag, or a plain value a rule may need: kept
        ("az login --identity", "az login --identity"),
        (
            "gh release create v1.2 --title v1.2 --notes-file CHANGELOG.md",
            "gh release create v1.2 --title v1.2 --notes-file CHANGELOG.md",
        ),
        ("dotnet ef migrations script --idempotent", "dotnet ef migrations script --idempotent"),
        # PowerShell's setting of a variable keeps its quotes whole
        ("$env:PYTHONIOENCODING='utf-8'", "$env:PYTHONIOENCODING='utf-8'"),
        ("$env:RUST_LOG='debug' cargo run", "$env:RUST_LOG='debug' cargo run"),
        # git's own options (where and how it runs) are not what failed
        ("git -C /Users/ana/playground/kata push", "git push"),
        ("git --no-pager -c core.pager=cat log --oneline", "git log --oneline"),
        ("/usr/bin/git -C repo status --short", "git status --short"),
        ('git -C "C:/Users/Ana Lopez/proj" push', "git push"),  # a quoted value, its spaces
        ("git --git-dir /r/.git status", "git status"),
        ("git --version", "git --version"),  # no command after its options: git as it is
        ('git -c user.name="Ana Smith" -c user.email=a@b.c commit -m "fix"', "git commit -m …"),
        ('git --git-dir="/home/ana/my repo/.git" status', "git status"),
        # a Python named by where it is: another environment than the `python3` on the PATH
        ("/usr/bin/python3 -m pytest -q", "/usr/bin/python3 -m pytest -q"),
        (".venv/bin/python -m pytest -q", ".venv/bin/python -m pytest -q"),
        ("/usr/local/bin/pip3 install httpx", "/usr/local/bin/pip3 install httpx"),
        ("/home/ana/.pyenv/shims/python3 -m pytest", "python3 -m pytest"),  # a home's: its name
        # a message written to a file for the step after it: that step is what ran
        ("printf 'chore: x\\n' > /tmp/msg.txt && yarn commitmsg /tmp/msg.txt", "yarn commitmsg …"),
        ("echo hello > a.txt", "echo hello > a.txt"),
        # a variable set from a command whose output is thrown away: the redirection stays one
        ("X=$(check 2>/dev/null || true)", "X=$(check 2>/dev/null || true)"),
    ],
)
def test_general_command(command: str, general: str) -> None:
    assert general_command(command) == general


@pytest.mark.parametrize(
    ("command", "general"),
    [
        # one repository's or account's address: its host kept, the steps after it too
        (
            "git remote set-url origin https://github.com/ana/shop.git && gh auth setup-git",
            "git remote set-url origin https://github.com/… && gh auth setup-git",
        ),
        ("git clone git@github.com:ana/shop.git", "git clone git@github.com:…"),
        ("git clone https://gitlab.com/acme/web/shop", "git clone https://gitlab.com/…"),
        (
            "git remote add origin ssh://git@git.example.test/ana/shop.git",
            "git remote add origin ssh://git@git.example.test/…",
        ),
        ('git remote add origin "https://git.example.test/ana/shop.git"', "git remote add origin https://git.example.test/…"),
        ("git push https://ana@github.com/ana/shop.git main", "git push https://github.com/… main"),
        ("gh repo view https://github.com/ana", "gh repo view https://github.com/…"),
        # no one's repository: a registry's root, a local server, a package to install
        ("npm config set registry https://registry.npmjs.org/", "npm config set registry https://registry.npmjs.org/"),
        ("curl -sf http://localhost:3000/api", "curl -sf http://localhost:3000/api"),
        ("curl -LO https://example.test/files/kit.tar.gz", "curl -LO https://example.test/files/kit.tar.gz"),
        ("pip install git+https://github.com/acme/kit.git", "pip install git+https://github.com/acme/kit.git"),
        ("uvicorn app.main:app --reload", "uvicorn app.main:app --reload"),
    ],
)  # fmt: skip
def test_a_repository_address_is_told_by_its_host(command: str, general: str) -> None:
    assert general_fix(command) == general
    assert general_command(command) == general


_KINDS = ",".join(f"kind{n}" for n in range(30))  # 179 characters: longer than a fix may be


@pytest.mark.parametrize(
    ("command", "general"),
    [
        # cut before the quoted value, never inside its quotes
        (f'tk config set kinds.extra "{_KINDS}"', "tk config set kinds.extra …"),
        (f"tk config set kinds.extra '{_KINDS}' --global", "tk config set kinds.extra …"),
        (f'tk config set --value="{_KINDS}" kinds.extra', "tk config set …"),
        # a cut outside any quote stays where it was
        (f"tk config set kinds.extra {_KINDS}", f"tk config set kinds.extra {_KINDS}"[:159] + "…"),
        # as long as a fix may be, it is whole
        ('tk config set kinds.extra "alpha,beta,gamma"', 'tk config set kinds.extra "alpha,beta,gamma"'),
    ],
)  # fmt: skip
def test_a_fix_is_never_cut_inside_a_quoted_argument(command: str, general: str) -> None:
    assert general_fix(command) == general


_ADD = "relay add cache -- cache-server --context desktop-assistant --root"  # 71 characters


@pytest.mark.parametrize(
    "command",
    [
        f"{_ADD} $(git rev-parse --show-toplevel)",
        f"{_ADD} $(dirname $(command -v relay))",
        f'{_ADD} "$(git rev-parse --show-toplevel)"',
        f"{_ADD} `git rev-parse --show-toplevel`",
    ],
)
def test_a_command_is_never_cut_inside_a_substitution(command: str) -> None:
    """Cut at 80 characters, the command would end in `$(git rev-pa…`: it ends before the
    substitution instead."""
    assert general_command(command) == f"{_ADD} …"
    assert with_arguments(command) == f"{_ADD} …"


def test_a_substitution_closed_before_the_cut_stays() -> None:
    command = f"{_ADD} $(pwd) --port 6380"
    assert general_command(command) == command[:79] + "…"


@pytest.mark.parametrize(
    ("error", "general"),
    [
        ("ERROR: Not on a feature branch. Current branch: main", "ERROR: Not on a feature branch."),
        (
            "ERROR: tasks.md not found in /Users/ana/00 my projects/specs",
            "ERROR: tasks.md not found in …",
        ),
        (
            "# 2 SEARCH/REPLACE blocks failed to match!",
            "# N SEARCH/REPLACE blocks failed to match!",
        ),
        ("error TS2304: Cannot find name 'x'.", "error TS2304: Cannot find name 'x'."),
        ("E       AssertionError: assert 1 == 0", "AssertionError: assert 1 == 0"),
        # wrapped by its callers and too long: the first words and the cause, not a cut tail
        (
            "Sync failed: failed to rename item-a1 -> item-b2: failed to delete old record "
            "item-a1: failed to update dependent records: sqlite3: database is locked",
            "Sync failed: … failed to update dependent records: sqlite3: database is locked",
        ),
        ("Error: unknown flag: --wisp", "Error: unknown flag: --wisp"),
        # one instance's id, whatever the words around it
        (
            "failed to mark issue hq-wisp-489 dirty: sqlite3: database is locked",
            "failed to mark issue … dirty: sqlite3: database is locked",
        ),
        ("fatal: bad object 9f3e2a1b4c", "fatal: bad object …"),
        (
            "session 3f2a1b4c-1d2e-4f5a-8b9c-0d1e2f3a4b5c not found",
            "session … not found",
        ),
        ("error[E0599]: no method named `foo`", "error[E0599]: no method named `foo`"),
        ("npm error code ERESOLVE", "npm error code ERESOLVE"),
        # a versioned name is no instance's id
        (
            "E: Unable to locate package postgresql-client-16",
            "E: Unable to locate package postgresql-client-16",
        ),
        (
            "toolchain 'nightly-2024-01-01' is not installed",
            "toolchain 'nightly-2024-01-01' is not installed",
        ),
        # the cause said after the path is kept
        (
            "pattern ./...: open /home/ana/.cache/go-build/be/be04-d: permission denied",
            "pattern ./...: open …: permission denied",
        ),
        # the quote the path opened is cut with it
        (
            "Error: Cannot find module '/usr/local/lib/pnpm/pm2@6.0.13/node_modules/pm2/bin/pm2'",
            "Error: Cannot find module …",
        ),
        # Kotlin's line, by its file's name and place (both its forms)
        (
            "e: file:///home/runner/work/a/app/src/A.kt:114:29 Unresolved reference: X",
            "e: A.kt:114:29 Unresolved reference: X",
        ),
        (
            "e: /home/runner/work/a/src/A.kt: (114, 29): Unresolved reference: X",
            "e: A.kt: (114, 29): Unresolved reference: X",
        ),
        # a URL's path is one repository's or package's: its host stays
        (
            "error: failed to push some refs to 'https://github.com/ana/shop.git'",
            "error: failed to push some refs to 'https://github.com/…'",
        ),
        # ... and a user and a token before the host go with it; git's scp form too
        (
            "fatal: unable to access 'https://ana:ghp_x1@github.com/ana/shop.git/': 403",
            "fatal: unable to access 'https://github.com/…': 403",
        ),
        (
            "fatal: 'git@github.com:ana/shop.git' does not appear to be a git repository",
            "fatal: 'github.com:…' does not appear to be a git repository",
        ),
        (
            "npm error 404 Not Found - GET https://registry.npmjs.org/@acme%2fkit - Not found",
            "npm error 404 Not Found - GET https://registry.npmjs.org/… - Not found",
        ),
        # npm's mark on its line is no sentence of the error's
        ("npm ERR! ERESOLVE could not resolve", "ERESOLVE could not resolve"),
        ('npm ERR! Missing script: "build"', 'Missing script: "build"'),
        # another error at a path of someone's home keeps it (it is their file)
        (
            "/Users/me/dev/tools/gen.sh:14: syntax error near unexpected token",
            "/Users/me/dev/tools/gen.sh:14: syntax error near unexpected token",
        ),
        # a path of a Windows machine the cut missed (in another script's quote marks, or
        # opening the line), on any drive: its last two names, no owner of a home folder
        (
            "Get-ChildItem : 对路径“E:\\Work\\Ana\\shop\\data\\raw”的访问被拒绝。",
            "Get-ChildItem : 对路径“…\\data\\raw”的访问被拒绝。",
        ),
        (
            "fatal: 无法访问 “F:\\My Files\\shop\\.git\\index.lock”：拒绝访问",
            "fatal: 无法访问 “…\\.git\\index.lock”：拒绝访问",
        ),
        ("C:\\Users\\me\\gen.py:14: bad token", "~\\gen.py:14: bad token"),
        ("D:/tools/bin/gen.py:14: bad token", "…/bin/gen.py:14: bad token"),
        # a short one says no more than where it is
        ("D:\\data\\raw: Access is denied", "D:\\data\\raw: Access is denied"),
        # a tally of findings, one or many
        ("Found 1 error.", "Found N errors."),
        ("Found 12 errors in 3 files.", "Found N errors in N files."),
        ("✖ 2 problems (2 errors, 0 warnings)", "✖ N problems (N errors, N warnings)"),
        # a status or a version before the noun is no tally
        ("The server returned a 500 error: Internal", "The server returned a 500 error: Internal"),
        ("not valid UTF-8 file data", "not valid UTF-8 file data"),
    ],
)
def test_general_error(error: str, general: str) -> None:
    assert general_error(error) == general


def test_subject_names_a_script_folder_not_one_script() -> None:
    a = subject("Bash", ".specify/scripts/bash/setup-plan.sh --json")
    b = subject("Bash", "cd /x && .specify/scripts/bash/check-prerequisites.sh --json")
    assert a == b == "Scripts in `.specify/scripts/bash/`"
    assert subject("Edit", "/home/ana/src/app.py") == "Edit"


@pytest.mark.parametrize(
    "command",
    [
        "& tools/build/release.ps1 -Tag v2",
        "& 'tools/build/release.ps1' -Tag ''",
        '& "tools/build/pack.ps1"',
        "& { . 'tools/build/release.ps1' -Tag '' }",
    ],
)
def test_powershells_call_operator_is_not_the_program(command: str) -> None:
    """`&` only calls what follows it: the script is the subject, as if typed alone."""
    assert subject("shell", command) == "Scripts in `tools/build/`"
    assert general_command("& ./pack.ps1 -Tag v2") == "pack.ps1 -Tag v2"
    assert general_command('& "C:/Tools/Go/bin/go.exe" build ./...') == "go.exe build ./..."


def test_scrub_removes_home_folders_and_invisible_characters() -> None:
    text = "Keep scripts in my docs (\u202aC:\\Users\\ana\\personal-docs) and /Users/ana/x\u200b."
    assert scrub(text) == "Keep scripts in my docs (~\\personal-docs) and ~/x."


def test_a_windows_home_with_forward_slashes_is_hidden_whole() -> None:
    assert scrub("run C:/Users/Admin/AppData/Local/Programs/Python/Python312/python.exe") == (
        "run ~/AppData/Local/Programs/Python/Python312/python.exe"
    )


def test_an_interpreter_given_by_its_path_is_named_with_it() -> None:
    """`python.exe` alone would be the Store stub on that machine: which one is the point."""
    from metis_distill.extract.rules import _missing_module_text

    exe = "C:/Users/ana/AppData/Local/Programs/Python/Python312/python.exe"
    text = _missing_module_text(
        "ModuleNotFoundError: No module named 'playwright'",
        f'"{exe}" -c "import playwright"',
        f'"{exe}" -m pip install playwright 2>&1 | tail -5',
    )
    assert "for `python.exe` at `C:/Users/ana/AppData/Local/Programs/Python/Python312/`" in text
    assert f"install it with `{exe} -m pip install playwright`" in text
    assert scrub(text).count("~/AppData/Local/Programs/Python/Python312/") == 2


def test_an_import_error_naming_no_module_is_told_without_one() -> None:
    from metis_distill.extract.rules import _missing_module_text

    said = "ImportError: TaskStore requires a database driver. Install with `pip install shop[sql]`"
    text = _missing_module_text(said, "uv run python app.py", "uv pip install psycopg")
    assert "`?`" not in text
    assert text.startswith("A package is not installed for `uv run python` here (“ImportError: ")
    assert text.endswith("; install it with `uv pip install psycopg`.")
    named = _missing_module_text("ModuleNotFoundError: No module named 'yaml'", None, None)
    assert named.startswith("The module `yaml` is not installed here (“ModuleNotFoundError: ")


def test_a_script_at_the_root_is_named_not_its_folder() -> None:
    assert subject("Bash", "./install.sh") == "`install.sh`"
    assert subject("Bash", "./scripts/setup.sh --dev") == "Scripts in `scripts/`"


def test_a_word_garbled_by_a_wrong_encoding_is_cut() -> None:
    # a Chinese console's message read as UTF-8: the words say nothing; the rest stays
    text = "`soffice` fails here: “Error: [WinError 2] ϵͳ�Ҳ���ָ�����ļ���” (no fix seen)."
    assert scrub(text) == "`soffice` fails here: “Error: [WinError 2] …” (no fix seen)."


def test_text_without_a_replacement_character_is_left_as_it_is() -> None:
    text = "`make` fails here: “error: ‘x’ undeclared (first use in this function)”."
    assert scrub(text) == text


@pytest.mark.parametrize(
    "command",
    [
        "cargo install --git https://github.com/typst/typst --locked typst-cli",
        "npm install https://github.com/ana/lib.git",
    ],
)
def test_what_is_installed_from_a_forge_keeps_its_address(command: str) -> None:
    """A tool's address is what the next run installs, no one's own repository."""
    assert general_command(command) == command and with_arguments(command) == command
