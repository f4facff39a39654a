"""Which agents a lesson holds for, and which agent reads a context file.

Most lessons hold for any agent working in the repository: a command that fails there, a rule
of the user's. A lesson about an agent's own tools (Claude Code's Edit, Codex's `apply_patch`,
aider's SEARCH/REPLACE blocks), its sandbox or its way of running calls holds for that agent
alone: in another agent's context file it is noise. Claude Code reads `CLAUDE.md`,
`CLAUDE.local.md` and `.claude/rules/`; Codex reads `AGENTS.md`; aider and the SWE-agent-style
runners read no context file unless told to.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from metis_distill.ledger import LessonView
from metis_distill.models import LessonKind
from metis_distill.placement.files import AGENTS, CLAUDE, LOCAL
from metis_distill.placement.locality import machine_fact

CLAUDE_CODE = "claude_code"
CODEX = "codex"
NAMES = {
    CLAUDE_CODE: "Claude Code",
    CODEX: "Codex",
    "aider": "aider",
    "trajectory": "SWE-agent or OpenHands",
}
# Formats of runs that are not an agent's: a CI log's steps are nobody's own tools.
_NOT_AGENTS = frozenset({"logs"})
# Agents whose runs are made in a container of their own (or on a benchmark's machine).
_CONTAINED = frozenset({"trajectory"})
# Tools of the agents' own, as the sources name them (aider's edit blocks are `Edit`).
_OWN_TOOLS = frozenset(
    {"Edit", "MultiEdit", "Write", "NotebookEdit", "Read", "Grep", "Glob", "LS"}
    | {"WebFetch", "WebSearch", "Task", "Agent", "TodoWrite", "BashOutput", "KillShell", "Skill"}
    | {"apply_patch", "update_plan", "view_image", "web_search", "str_replace_editor"}
)
# What an agent does its own way, named in a lesson's words.
_OWN_WAYS = re.compile(
    r"\bCodex(?:'s)? (?:sandbox|default time limit)\b|\bsandbox_permissions\b"
    r"|\bparallel tool calls?\b"
    # the shell an agent's tool runs on Windows: Git Bash for Claude Code, PowerShell for Codex
    # (whose `bash -lc` finds WSL's launcher)
    r"|\bShell commands here run in bash, not cmd or PowerShell\b|\bGit Bash here\b"
    r"|^Given to bash, a `powershell -Command"
    r"|\bShell commands here run in PowerShell\b|\bWindows PowerShell here has no\b"
    r"|^PowerShell here refuses to run `\.ps1` scripts\b"
    # the shell an agent's tool runs elsewhere: Claude Code's is the user's login shell, Codex
    # often runs `bash -lc` on the same machine
    r"|^The shell here is (?:zsh|bash|fish|sh|dash)\b"
    r"|\bhere starts WSL\b|\bClaude Code's (?:Edit and Write|Read, Edit and Write|Bash tool)\b"
    r"|^The agent's shell session keeps\b"
    # a variable the shell of these agents' runs lacked: another agent's shell has its own
    r"|\bis not set in the shell here\b",
    re.I,
)
# Claude Code's own setup or tools named as Claude Code's (its status line, settings, hooks,
# slash commands; its Grep and Glob, which no other agent has): Claude Code's alone, whichever
# agent's run told of it, whatever the system said to them.
_CLAUDE_CODES_NAMED = re.compile(
    r"\bClaude Code(?:'s)? (?:own )?"
    r"(?:status ?line|settings|hooks?|slash commands?|keybindings|config\w*"
    r"|Grep|Glob|AskUserQuestion|Bash tool)\b"
)
# The machine's Claude Code setup named by its place or its parts: the home folder's `.claude/`,
# a `.claude/` settings.json, hooks or slash commands, the status line, the hooks' events.
_CLAUDE_CODES_SETUP = re.compile(
    r"(?:~|\$HOME|\$\{HOME\}|%USERPROFILE%|/(?:Users|home)/[^/\s`'\"]+"
    r"|\b[A-Za-z]:[/\\]+Users[/\\]+[^/\\\s`'\"]+)[/\\]+\.claude[/\\]"
    r"|\.claude[/\\]+(?:settings\.json\b|hooks[/\\]|commands[/\\])"
    r"|\bstatusLine\b|\b(?:PreToolUse|PostToolUse|UserPromptSubmit) hooks?\b"
)
# A `CLAUDE.md` import that brings the `AGENTS.md` beside it into Claude Code's context, on a
# line of its own, in a list or in a sentence ("See @AGENTS.md for …").
_IMPORTS_AGENTS = re.compile(r"(?<!\S)@(?:\./)?AGENTS\.md(?=[\s),;:]|\.(?!\w)|$)")
# Markdown's code, where Claude Code reads no import: fenced blocks and spans.
_CODE = re.compile(r"^(```|~~~).*?^\1|`[^`\n]*`", re.M | re.S)
# Other agents, named as what a lesson is about.
_OTHER_AGENTS = re.compile(
    r"\b(?:Codex|Gemini|Cursor|Copilot|Windsurf|Cline|aider|Aider|OpenHands|SWE-agent|opencode)\b"
)
# What the system refused, whichever agent asked: an own tool failing with it holds for all.
_SYSTEM_ERROR = re.compile(
    r"\bEACCES\b|\bEPERM\b|\bENOSPC\b|\bEROFS\b|[Pp]ermission denied|[Rr]ead-only file system"
    r"|No space left on device|Operation not permitted"
)


def agents_of(lesson: LessonView) -> frozenset[str]:
    """The agents (formats of runs) a lesson holds for alone; empty when it holds for any:
    a failure of the agents' own tools only (a lesson about a file names it as an edit's
    scope too, so other kinds never count their scope), or words naming their own ways;
    Claude Code's own setup (`~/.claude/…`, its status line, hooks) is Claude Code's, when
    named as its or told by its runs, in no decision and about no other agent."""
    tools = [entry.partition(":")[0] for entry in lesson.scope]
    failed = lesson.kind == LessonKind.FAILURE and not _SYSTEM_ERROR.search(lesson.text)
    own_tools = failed and bool(tools) and all(t in _OWN_TOOLS for t in tools)
    if _of_claude_codes_setup(lesson):
        return frozenset({CLAUDE_CODE})
    if own_tools or _OWN_WAYS.search(lesson.text) or _of_their_container(lesson):
        return lesson.formats - _NOT_AGENTS
    return frozenset()


def _of_claude_codes_setup(lesson: LessonView) -> bool:
    """A gotcha or failure about the machine's Claude Code setup, about no other agent: named
    as Claude Code's, or told by Claude Code's runs (its `~/.claude/`, its hooks); a decision
    about a `.claude/` file is the repository's, for every agent."""
    if lesson.kind == LessonKind.DECISION or _OTHER_AGENTS.search(lesson.text):
        return False
    if _CLAUDE_CODES_NAMED.search(lesson.text):
        return True
    return CLAUDE_CODE in lesson.formats and bool(_CLAUDE_CODES_SETUP.search(lesson.text))


def _of_their_container(lesson: LessonView) -> bool:
    """A fact of the machine learned only in runs of agents that work in a container of
    their own (OpenHands' runtime, SWE-agent's): true there, not on the user's machine."""
    return bool(lesson.formats) and lesson.formats <= _CONTAINED and machine_fact(lesson)


def readers_of(path: Path) -> frozenset[str] | None:
    """The agents that read a context file; None for a file of no agent's convention.
    Claude Code reads no `AGENTS.md` of its own accord: only through a `CLAUDE.md` beside it
    that imports it (`@AGENTS.md`), or when the two names are one file (a link either way)."""
    if path.name in (CLAUDE, LOCAL) or ".claude" in path.parts:
        one_file = path.name == CLAUDE and _one_file(path, path.with_name(AGENTS))
        return frozenset({CLAUDE_CODE, CODEX} if one_file else {CLAUDE_CODE})
    if path.name == AGENTS:  # Codex's own (`~/.codex/AGENTS.md`) is Codex's alone
        shared = path.parent.name != ".codex" and _claude_md_brings_in(path)
        return frozenset({CODEX, CLAUDE_CODE} if shared else {CODEX})
    return None


def _claude_md_brings_in(agents_md: Path) -> bool:
    """Whether the `CLAUDE.md` beside an `AGENTS.md` is the same file or imports it."""
    beside = agents_md.with_name(CLAUDE)
    if _one_file(beside, agents_md):
        return True
    try:
        said = beside.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_IMPORTS_AGENTS.search(_CODE.sub(" ", said)))


def _one_file(a: Path, b: Path) -> bool:
    """Two names of one file: either a link to the other (or both to a third)."""
    try:
        return (a.is_symlink() or b.is_symlink()) and a.resolve() == b.resolve() and a.exists()
    except OSError:
        return False


def fits(lesson: LessonView, path: Path) -> bool:
    """Whether an agent that reads this file is one the lesson holds for."""
    only = agents_of(lesson)
    readers = readers_of(path)
    return not only or readers is None or bool(readers & only)


def said_of(agents: frozenset[str]) -> str:
    """The agents by name, for a person: "aider", "aider or Codex"."""
    return " or ".join(sorted(NAMES.get(a, a) for a in agents))


def named_for(lesson: LessonView, path: Path) -> LessonView:
    """The lesson as a file read by other agents too shows it: led by the name of the agents
    it holds for ("Claude Code: when one of several parallel tool calls fails…" in an
    `AGENTS.md` that a `CLAUDE.md` imports, read by Codex too), unless its words name them
    already."""
    only = agents_of(lesson)
    readers = readers_of(path)
    if not only or readers is None or readers <= only:
        return lesson
    if any(NAMES.get(agent, agent) in lesson.text for agent in only):
        return lesson
    return replace(lesson, text=f"{said_of(only)}: {lesson.text}")
