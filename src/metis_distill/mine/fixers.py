"""A lint or format check's own fixer, run after the check failed.

The project's fixer is a script whose name says it fixes or formats, run by the check's own
runner (`bun run lint:fix` after `bun run lint`), the check's script given a fix flag (`npm
run lint -- --fix`), or the checking tool itself with its fix or write flag (`eslint --fix .`,
`ruff check --fix`, `biome check --write` after a script whose echo ran `biome check`), or
without its check flag (`ruff format` after `ruff format --check`, `cargo fmt`, `black .`).
Once the check passes after it, the fixer is the way past its findings worth teaching: edits
by hand are the day's own work.
"""

from __future__ import annotations

import re

from metis_distill.mine.signals import PIPE
from metis_distill.mine.text import (
    command_head,
    quotes_masked,
    shell_steps,
    split_outside_quotes,
    unwrapped,
)

# A package runner's or task runner's script, by name (`npm run lint`, `bun lint:fix`,
# `yarn format`, `make lint`, `mise run fmt`), and what follows the name.
_SCRIPT = re.compile(
    r"^(?:corepack\s+)?(?P<runner>npm|pnpm|yarn|bun|make|just|task|mise)"
    r"(?:\s+run(?:-script)?)?\s+(?P<name>[A-Za-z][\w:.-]*)(?P<rest>(?:\s.*)?)$"
)
_NAME_WORDS = re.compile(r"[:._-]")
# A script named for a lint or format check (`lint`, `lint:ci`, `format:check`, `style`).
_CHECK_WORDS = frozenset(
    {"lint", "linter", "format", "fmt", "style", "prettier", "eslint", "biome", "ruff"}
)
# A script named for a fix (`lint:fix`, `fix`, `format:write`) or a format (`format`, `fmt`).
_FIX_WORDS = frozenset({"fix", "autofix", "write", "apply"})
_FORMAT_WORDS = frozenset({"format", "fmt", "prettify"})
# A check's flag asking only to report (`--check`, `--diff`, `gofmt -l`).
_CHECK_FLAGS = frozenset(
    {"--check", "--check-only", "--diff", "--list-different", "-l", "--dry-run", "-check"}
)
# A fixer's flag (`--fix`, `--write`, `--apply`, RuboCop's `-a`, gofmt's `-w`).
_FIX_FLAGS = frozenset(
    {
        "--fix", "--write", "-w", "--apply", "--apply-unsafe", "--unsafe", "--fix-only",
        "--unsafe-fixes", "--autocorrect", "--auto-correct", "--autocorrect-all", "-a", "-A",
        "--allow-dirty", "--allow-staged", "-i", "--in-place",
    }
)  # fmt: skip
# Linters and formatters, as programs.
_TOOLS = frozenset(
    {
        "eslint", "biome", "prettier", "ruff", "black", "isort", "rustfmt", "gofmt",
        "goimports", "golangci-lint", "rubocop", "standardrb", "stylelint", "swiftlint",
        "swiftformat", "ktlint", "clang-format", "shfmt", "oxlint", "markdownlint",
        "markdownlint-cli2", "php-cs-fixer", "autopep8", "yapf", "sqlfluff", "stylua", "taplo",
    }
)  # fmt: skip
# Programs of many commands, one of which lints or formats (`cargo fmt`, `deno lint`).
_LINTING_COMMANDS = frozenset({"cargo", "deno", "dprint", "terraform", "mix", "dotnet"})
# A tool's subcommand that checks or fixes (`ruff check`, `cargo fmt`, `deno lint`).
_SUBCOMMANDS = frozenset({"check", "lint", "format", "fmt", "clippy", "run", "ci"})
# What runs a tool for the project (`npx`, `bunx`, `pnpm exec`, `uv run`, `python -m`).
_WRAPPER = re.compile(
    r"^(?:npx|bunx|pnpx|(?:pnpm|yarn|npm)\s+(?:exec|dlx)|yarn|uv\s+run|poetry\s+run|pipx\s+run"
    r"|bundle\s+exec|python3?\s+-m)\s+(?:--\s+)?"
)
# A runner's echo of the command a script runs: bun's and yarn's `$ biome check`, npm's
# `> eslint .`.
_ECHOED = re.compile(r"^(?:\$|>) (?P<command>[a-z][\w.-]*(?: .*)?)$", re.M)
# A fixer's report that it changed nothing (Biome's, Ruff's, Black's).
_FIXED_NOTHING = re.compile(
    r"\bNo fixes applied\b|(?<![\d,])\b0 (?:files? )?(?:fixed|reformatted)\b"
)
_UNCHANGED_ONLY = re.compile(r"\bleft unchanged\b")
_JOINER = re.compile(r"\s*(&&|\|\||;)\s*")


def mended_check(failed: str, later: str, output: str = "") -> str | None:
    """The step of the `failed` command whose fixer the `later` call runs, alone (`output`:
    the failure's, whose runner's echo names the tool a script ran); None when it runs none."""
    steps = [unwrapped(step) for step in shell_steps(later)]
    if len(steps) != 1 or not steps[0]:
        return None
    fixer = steps[0]
    echoed = [found["command"] for found in _ECHOED.finditer(output[:4000])]
    for step in shell_steps(failed):
        check = unwrapped(step)
        if check and check != fixer and _fixes(check, fixer, echoed):
            return check
    return None


def reruns_check(check: str, command: str) -> bool:
    """The command runs the check again, as written, and its exit status shows the check's:
    the check's step not piped (`lint | tail`), only `&&` after it (`lint && test | tail`
    exits 0 only once the lint passed; `lint; test` and `lint || true` say nothing of it)."""
    head = command_head(command)
    joiners = [found[1] for found in _JOINER.finditer(quotes_masked(head))]
    steps = split_outside_quotes(head, _JOINER)
    if len(steps) != len(joiners) + 1:
        return False
    return any(
        unwrapped(step) == check
        and not PIPE.search(quotes_masked(step))
        and all(joiner == "&&" for joiner in joiners[at:])
        for at, step in enumerate(steps)
    )


def fixed_nothing(output: str) -> bool:
    """The fixer said it changed nothing: whatever passed after it, it was not the fixer."""
    if _FIXED_NOTHING.search(output):
        return True
    return bool(_UNCHANGED_ONLY.search(output)) and "reformatted" not in output


def _fixes(check: str, fixer: str, echoed: list[str]) -> bool:
    script, fixing = _SCRIPT.match(check), _SCRIPT.match(fixer)
    if script is None:
        return _fixer_tool(check, fixer)
    if fixing is not None and _fixer_script(script, fixing):
        return True
    # the tool the check's script ran, as its runner echoed it
    return any(_fixer_tool(tool, fixer) for tool in echoed)


def _fixer_script(check: re.Match[str], fixer: re.Match[str]) -> bool:
    """The fixer is a script of the check's runner named for a fix, or the check's own
    script given a fix flag (`npm run lint -- --fix`)."""
    if check["runner"] != fixer["runner"]:
        return False
    if check["name"] == fixer["name"]:
        return bool(_FIX_FLAGS & set(fixer["rest"].split()) - set(check["rest"].split()))
    words, fixing = _words(check["name"]), _words(fixer["name"])
    if not (fixing & _FIX_WORDS or (fixing & _FORMAT_WORDS and "check" not in fixing)):
        return False
    # any fixer mends a lint or format check; `check:fix` mends `check`
    return bool(words & _CHECK_WORDS) or words == fixing - _FIX_WORDS


def _words(name: str) -> set[str]:
    return set(_NAME_WORDS.split(name.lower())) - {""}


def _fixer_tool(check: str, fixer: str) -> bool:
    """The same linter or formatter (and subcommand), given a fix flag or rid of its check
    flag (`ruff check --fix` for `ruff check .`, `black .` for `black --check .`)."""
    ran, fixing = _tool_words(check), _tool_words(fixer)
    if not ran or not _lints(_command(ran)) or _command(ran) != _command(fixing):
        return False
    flagged = _FIX_FLAGS & set(fixing) - set(ran)
    unflagged = _CHECK_FLAGS & set(ran) - set(fixing)
    return bool(flagged or unflagged)


def _tool_words(command: str) -> list[str]:
    words = _WRAPPER.sub("", command).split()
    if words:
        words[0] = words[0].rsplit("/", 1)[-1].removesuffix(".exe")
    return words


def _lints(command: list[str]) -> bool:
    """The program lints or formats (`eslint`), or its subcommand does (`cargo fmt`)."""
    if command[0] in _LINTING_COMMANDS:
        return len(command) > 1
    return command[0] in _TOOLS


def _command(words: list[str]) -> list[str]:
    """The program and its subcommand, when it has one (`ruff check`, `cargo fmt`)."""
    return words[:2] if len(words) > 1 and words[1] in _SUBCOMMANDS else words[:1]
