"""A lesson about one agent's own tools or sandbox renders only in a file that agent reads:
Codex's sandbox in AGENTS.md, never in CLAUDE.md; aider's edit blocks in neither."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metis_distill import pipeline
from metis_distill.config import default_settings
from metis_distill.extract.rules import WSL_TEXT
from metis_distill.ledger import Evidence, LessonView
from metis_distill.mine.empty_variable import empty_variable_text
from metis_distill.mine.shell_helper import missing_helper_text
from metis_distill.mine.shells import (
    HEREDOC_IN_POWERSHELL_TEXT,
    POSIX_IN_POWERSHELL_TEXT,
    QUOTING_LESSON,
    SHIM_REFUSED_TEXT,
    SWITCH_LESSON,
)
from metis_distill.mine.zsh_parse import ZSH_PARSE_TEXT
from metis_distill.placement.agents import agents_of, fits, named_for, readers_of
from metis_distill.placement.files import personal_file
from metis_distill.placement.place import Rules, place

ROOT = Path("/work/shop")


def lesson(
    text: str, scope: tuple[str, ...], formats: set[str], kind: str = "failure"
) -> LessonView:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    piece = Evidence(
        "e000000001", "0a1b2c3d4e", "/a", "p.jsonl", 1, 2, None, "q", "s1", str(ROOT), when, False
    )
    return LessonView(
        "0a1b2c3d4e", kind, text, "active", 2, when, when, (piece,), scope, None, frozenset(formats)
    )


MISSING_MODULE = (
    "The module `flask_cors` is not installed here (“No module named 'flask_cors'”); run "
    "`pip install flask-cors` first."
)
SANDBOX = "`mix` fails inside Codex's sandbox here and works outside it; ask to run it."
EDIT_BLOCK = "Edit failed with “SEARCH/REPLACE block failed to match”: re-read the file."
EMPTY_VARIABLE = empty_variable_text("JOBS_HOME")
CANCELLED = "When one of several parallel tool calls fails, the others are cancelled."
ZSH_WORDS = "The shell here is zsh: an unquoted `$VAR` holding several words stays one word."
HOOK_CWD = "A hook in `~/.claude/settings.json` runs in the session's folder, not the home one."
STATUS_LINE = "Claude Code's status line command gets the session as JSON on its stdin."
BUNDLED_RG = (
    "Claude Code's Grep and Glob tools cannot start their bundled ripgrep here (“spawn …/rg "
    "EACCES”); search through Bash instead: `grep -rn` for text, `find` for file names."
)
CODEX_HOME = "Codex's sandbox may not write under `~/.claude/` (EROFS); ask to run it outside."
GEMINI_HOOKS = "Gemini CLI skips the scripts in `~/.claude/hooks/`; give it its own."
NO_LOCAL_SETTINGS = "Keep `.claude/settings.local.json` out of git: it holds one person's grants."
PROJECT_FOLDER = "The build copies `docs/.claude/notes.txt` into the bundle; keep it short."


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (lesson(SANDBOX, ("Bash:mix",), {"codex"}), {"codex"}),  # its words: Codex's sandbox
        (lesson(EDIT_BLOCK, ("Edit:src/a.ts",), {"aider"}), {"aider"}),  # the agent's own tool
        (lesson("apply_patch failed: re-read.", ("apply_patch:a.md",), {"codex"}), {"codex"}),
        (lesson(CANCELLED, (), {"claude_code"}), {"claude_code"}),
        # the helper Claude Code's Bash tool runs before each call, missing: not Codex's shell
        (lesson(missing_helper_text("cygpath"), ("Bash:where",), {"claude_code"}), {"claude_code"}),
        # PowerShell's execution policy: Codex's shell on Windows, not Claude Code's Git Bash
        (lesson(SHIM_REFUSED_TEXT, ("Bash:npm",), {"codex"}), {"codex"}),
        # a variable the shell of Codex's runs lacked: Claude Code's shell is another's
        (lesson(EMPTY_VARIABLE, ("Bash:ls",), {"codex"}), {"codex"}),
        # the shell of Claude Code's Bash tool on Windows: Codex runs PowerShell there
        (
            lesson(
                "Shell commands here run in bash, not cmd or PowerShell.",
                ("Bash:dir",),
                {"claude_code"},
            ),
            {"claude_code"},
        ),
        # Git Bash turning a switch into a path: Claude Code's shell, not Codex's PowerShell
        (lesson(SWITCH_LESSON, ("Bash:taskkill",), {"claude_code"}), {"claude_code"}),
        # PowerShell lacking POSIX tools: Codex's shell on Windows, not Claude Code's Git Bash
        (lesson(POSIX_IN_POWERSHELL_TEXT, ("Bash:sed",), {"codex"}), {"codex"}),
        # ... nor its here-documents (Claude Code's Git Bash has them)
        (lesson(HEREDOC_IN_POWERSHELL_TEXT, ("Bash:python",), {"codex"}), {"codex"}),
        # Codex's `bash -lc` on Windows finding WSL's launcher: Claude Code runs Git Bash there
        (lesson(WSL_TEXT, ("Bash:bash",), {"codex"}), {"codex"}),
        # PowerShell given through Claude Code's Git Bash: Codex runs PowerShell itself there
        (lesson(QUOTING_LESSON, ("Bash:powershell",), {"claude_code"}, "gotcha"), {"claude_code"}),
        # the shell an agent's tool runs: Claude Code's login shell, not Codex's `bash -lc`
        (lesson(ZSH_WORDS, ("Bash:sed",), {"claude_code"}), {"claude_code"}),
        (lesson(ZSH_WORDS, ("Bash:sed",), {"claude_code", "codex"}), {"claude_code", "codex"}),
        # zsh refusing a bash script: the Bash tool's shell, Claude Code's alone
        (lesson(ZSH_PARSE_TEXT, ("Bash:bash",), {"claude_code"}), {"claude_code"}),
        # a shell command holds for any agent on this repository
        (lesson("`npm test` fails; use `npx jest`.", ("Bash:npm",), {"codex"}), set()),
        # a gotcha about a file names it as an edit's scope: it holds for any agent
        (
            lesson("Vite reads `VITE_PORT`.", ("Edit:web/vite.config.ts",), {"aider"}, "gotcha"),
            set(),
        ),
        # a tool of an MCP server, which any agent may have
        (lesson("The tracker tool fails.", ("mcp__jira__get",), {"claude_code"}), set()),
        # a CI log's steps are no agent's tools
        (lesson("Edit step failed.", ("Edit:x",), {"logs"}), set()),
        # what the system refused an own tool would refuse any agent's
        (
            lesson("Edit failed here: “EACCES: permission denied”.", ("Edit:a",), {"claude_code"}),
            set(),
        ),
        # ... but Claude Code's Grep and Glob, named as its, are its alone whatever refused them
        (lesson(BUNDLED_RG, ("Grep:src",), {"claude_code"}), {"claude_code"}),
        (lesson(BUNDLED_RG, (), {"claude_code", "codex"}), {"claude_code"}),
        # "escalated permissions" said of a command is no agent's own way
        (
            lesson(
                "`docker compose up` needs escalated permissions here.",
                ("Bash:docker",),
                {"claude_code"},
            ),
            set(),
        ),
        # an edit lesson seen in two agents' runs holds for both
        (lesson(EDIT_BLOCK, ("Edit:a",), {"aider", "claude_code"}), {"aider", "claude_code"}),
        # a module missing in OpenHands' or SWE-agent's own container: true there alone
        (lesson(MISSING_MODULE, ("Bash:python",), {"trajectory"}), {"trajectory"}),
        # ... and of any machine once seen in a run on the user's own
        (lesson(MISSING_MODULE, ("Bash:python",), {"trajectory", "claude_code"}), set()),
        # a command failing in the repository, whoever ran it
        (lesson("`npm test` fails; use `npx jest`.", ("Bash:npm",), {"trajectory"}), set()),
        # Claude Code's own setup: its settings, status line and hooks are Claude Code's alone,
        # whichever agent's run told of them
        (lesson(HOOK_CWD, ("Edit:~/.claude/settings.json",), {"claude_code"}, "gotcha"),
         {"claude_code"}),
        (lesson(STATUS_LINE, (), {"claude_code", "codex"}, "gotcha"), {"claude_code"}),
        (lesson(STATUS_LINE, (), {"codex"}, "gotcha"), {"claude_code"}),
        # a project's own settings file, or a word like "claude" elsewhere, is nobody's setup
        (lesson("The app reads `config/settings.json` at start.", (), {"claude_code"}, "gotcha"),
         set()),
        # a `.claude/` path is Claude Code's setup only when its own runs told of the home
        # folder's, in a gotcha or a failure about no other agent
        (lesson(CODEX_HOME, (), {"codex"}, "gotcha"), {"codex"}),
        (lesson(CODEX_HOME, (), {"codex", "claude_code"}, "gotcha"), {"codex", "claude_code"}),
        (lesson(GEMINI_HOOKS, (), {"claude_code"}, "gotcha"), set()),
        (lesson(HOOK_CWD, (), {"codex"}, "gotcha"), set()),
        (lesson(NO_LOCAL_SETTINGS, (), {"claude_code"}, "decision"), set()),
        (lesson(PROJECT_FOLDER, (), {"claude_code"}, "gotcha"), set()),
    ],
)  # fmt: skip
def test_the_agents_a_lesson_holds_for(made: LessonView, expected: set[str]) -> None:
    assert agents_of(made) == expected


def test_the_agents_that_read_a_file(tmp_path: Path) -> None:
    assert readers_of(tmp_path / "CLAUDE.md") == {"claude_code"}
    assert readers_of(tmp_path / "CLAUDE.local.md") == {"claude_code"}
    assert readers_of(tmp_path / ".claude" / "rules" / "web.md") == {"claude_code"}
    # Claude Code reads an AGENTS.md only through a CLAUDE.md that imports it or links to it
    assert readers_of(tmp_path / "AGENTS.md") == {"codex"}
    (tmp_path / "CLAUDE.md").write_text("# people\n")
    assert readers_of(tmp_path / "AGENTS.md") == {"codex"}
    (tmp_path / "CLAUDE.md").write_text("# people\nSee the shared rules:\n@AGENTS.md\n")
    assert readers_of(tmp_path / "AGENTS.md") == {"codex", "claude_code"}
    for imports in ("See @AGENTS.md for the rules.\n", "- @./AGENTS.md\n"):
        (tmp_path / "CLAUDE.md").write_text(imports)  # in a sentence, in a list
        assert readers_of(tmp_path / "AGENTS.md") == {"codex", "claude_code"}
    (tmp_path / "CLAUDE.md").write_text(
        "Not `@AGENTS.md` in code, nor @AGENTS.md.bak\n```\n@AGENTS.md\n```\n"
    )
    assert readers_of(tmp_path / "AGENTS.md") == {"codex"}
    # one file by two names, a link either way: both agents read it, whichever name
    (tmp_path / "CLAUDE.md").unlink()
    (tmp_path / "AGENTS.md").write_text("# rules\n")
    (tmp_path / "CLAUDE.md").symlink_to("AGENTS.md")
    assert readers_of(tmp_path / "AGENTS.md") == {"codex", "claude_code"}
    assert readers_of(tmp_path / "CLAUDE.md") == {"codex", "claude_code"}
    (tmp_path / "CLAUDE.md").unlink()
    (tmp_path / "AGENTS.md").rename(tmp_path / "CLAUDE.md")
    (tmp_path / "AGENTS.md").symlink_to("CLAUDE.md")
    assert readers_of(tmp_path / "AGENTS.md") == {"codex", "claude_code"}
    assert readers_of(tmp_path / "CLAUDE.md") == {"codex", "claude_code"}
    assert readers_of(tmp_path / "CONVENTIONS.md") is None  # no agent's convention: any
    assert readers_of(tmp_path / "home" / ".codex" / "AGENTS.md") == {"codex"}  # Codex's own


def test_a_file_read_by_no_agent_of_the_lesson_does_not_fit(tmp_path: Path) -> None:
    sandbox = lesson(SANDBOX, ("Bash:mix",), {"codex"})
    (tmp_path / "CLAUDE.md").write_text("# people\n")
    assert not fits(sandbox, tmp_path / "CLAUDE.md")
    assert fits(sandbox, tmp_path / "AGENTS.md")
    assert fits(sandbox, tmp_path / "NOTES.md")


def test_claude_codes_own_setup_goes_in_no_file_codex_reads_alone(tmp_path: Path) -> None:
    """A status line's or a hook's way, told in a Claude Code run, is no help to Codex."""
    told = lesson(STATUS_LINE, (), {"claude_code"}, "gotcha")
    assert not fits(told, tmp_path / "home" / ".codex" / "AGENTS.md")
    assert fits(told, tmp_path / "CLAUDE.local.md")
    assert fits(told, tmp_path / "home" / ".claude" / "CLAUDE.md")


def test_placement_holds_back_what_the_targets_readers_cannot_use(tmp_path: Path) -> None:
    (tmp_path / "CLAUDE.md").write_text("# people\n")
    sandbox = lesson(SANDBOX, ("Bash:mix",), {"codex"})
    npm = lesson("`npm test` fails; use `npx jest`.", ("Bash:npm",), {"codex"})
    for_claude = place([sandbox, npm], tmp_path / "CLAUDE.md", tmp_path, Rules())
    assert for_claude.of(tmp_path / "CLAUDE.md") == [npm]
    assert for_claude.held_back == (sandbox,)
    for_codex = place([sandbox, npm], tmp_path / "AGENTS.md", tmp_path, Rules())
    assert for_codex.of(tmp_path / "AGENTS.md") == [npm]
    # what this person's sandbox refuses: their own Codex file, read in each of their projects
    assert for_codex.of(personal_file(tmp_path / "AGENTS.md", tmp_path, "")) == [sandbox]
    assert for_codex.held_back == ()


def test_a_fact_of_another_agents_container_goes_in_no_file_of_this_machine(
    tmp_path: Path,
) -> None:
    """A module missing in OpenHands' runtime is no fact of the user's machine: neither the
    personal file nor the team's takes it."""
    (tmp_path / "CLAUDE.md").write_text("# people\n")
    missing = lesson(MISSING_MODULE, ("Bash:python",), {"trajectory"})
    placed = place([missing], tmp_path / "CLAUDE.md", tmp_path, Rules())
    assert placed.of(tmp_path / "CLAUDE.md") == []
    assert placed.of(personal_file(tmp_path / "CLAUDE.md", tmp_path, "")) == []
    assert placed.held_back == (missing,)


def test_a_lesson_of_one_agent_names_it_in_a_file_others_read_too(tmp_path: Path) -> None:
    """Claude Code reads an `AGENTS.md` that its `CLAUDE.md` imports, and so does Codex:
    what holds for Claude Code alone says so there; in its own file it needs no name."""
    cancelled = lesson(CANCELLED, (), {"claude_code"})
    alone = place([cancelled], tmp_path / "AGENTS.md", tmp_path, Rules())
    assert alone.of(tmp_path / "AGENTS.md") == [] and alone.held_back == (cancelled,)
    (tmp_path / "CLAUDE.md").write_text("@AGENTS.md\n")
    shared = place([cancelled], tmp_path / "AGENTS.md", tmp_path, Rules())
    (line,) = shared.of(tmp_path / "AGENTS.md")
    assert line.text == f"Claude Code: {CANCELLED}" and line.id == cancelled.id
    own = place([cancelled], tmp_path / "CLAUDE.md", tmp_path, Rules())
    assert own.of(tmp_path / "CLAUDE.md") == [cancelled]
    sandbox = lesson(SANDBOX, ("Bash:mix",), {"codex"})  # names Codex already
    assert place([sandbox], tmp_path / "AGENTS.md", tmp_path, Rules()).of(
        personal_file(tmp_path / "AGENTS.md", tmp_path, "")
    ) == [sandbox]


def _rollout(path: Path, session: str) -> None:
    """A Codex run: `mix deps.get` stopped by the sandbox, then run outside it with leave."""
    eperm = "** (Mix) failed to open a TCP socket while acquiring a lock, reason: :eperm"
    mix = ["bash", "-lc", "mix deps.get"]
    records = [
        {"type": "session_meta", "payload": {"id": session, "cwd": str(path.parent)}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c1", "arguments": json.dumps({"command": mix})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c1",
         "output": json.dumps({"output": eperm, "metadata": {"exit_code": 1}})}},
        {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
         "call_id": "c2", "arguments": json.dumps(
             {"command": mix, "sandbox_permissions": "require_escalated"})}},
        {"type": "response_item", "payload": {"type": "function_call_output", "call_id": "c2",
         "output": json.dumps({"output": "Resolving Hex dependencies...",
                               "metadata": {"exit_code": 0}})}},
    ]  # fmt: skip
    stamp = {"timestamp": "2026-11-01T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))


@pytest.mark.parametrize(("name", "shown"), [("CLAUDE.md", False), ("AGENTS.md", True)])
def test_codexs_sandbox_renders_for_codex_only(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    name: str,
    shown: bool,
) -> None:
    archive = tmp_path / "archive" / "sessions" / "2026" / "11" / "01"
    archive.mkdir(parents=True)
    repo = tmp_path / "shop"
    repo.mkdir()
    _rollout(archive / "rollout-2026-11-01T00-00-00-a.jsonl", "a")
    settings = default_settings(
        archive=tmp_path / "archive",
        data_dir=tmp_path / "data",
        target=repo / name,
        all_projects=True,
    )
    report = pipeline.distill(settings, embedder=embedder)
    folders = [report.proposal.folder, *(other.folder for other in report.proposal.others)]
    proposed = [Path(folder or "", "proposed.md") for folder in folders]
    text = "".join(path.read_text() for path in proposed if path.is_file())
    assert ("fails inside Codex's sandbox" in text) is shown
    assert report.proposal.other_agents == (() if shown else ("Codex",))
    if not shown:
        said = report.proposal.other_agents_said() or ""
        assert said == (
            "1 lesson left out (1 for Codex alone): the agents that read this file have no use "
            "for it; `metis search` finds it. An AGENTS.md target takes Codex's."
        )


def test_another_agents_lesson_about_claudes_folder_keeps_its_own_name(tmp_path: Path) -> None:
    """Codex's sandbox refusing `~/.claude/` is Codex's, led by no "Claude Code:" in a file
    both read; a repository's decision about a `.claude/` file holds for Codex too."""
    told = lesson(CODEX_HOME, (), {"codex"}, "gotcha")
    assert named_for(told, tmp_path / "AGENTS.md").text == CODEX_HOME
    decided = lesson(NO_LOCAL_SETTINGS, (), {"claude_code"}, "decision")
    assert fits(decided, tmp_path / "home" / ".codex" / "AGENTS.md")
    assert named_for(decided, tmp_path / "AGENTS.md").text == NO_LOCAL_SETTINGS
