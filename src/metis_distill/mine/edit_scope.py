"""The user keeping the agent's edits to one folder of the project ("only edit files in
`app-v2/`", "DO NOT WRITE outside app-v2", "Only work inside this directory: `~/x/app-v2/`").

Said in one session it is that task's scope (`phrases.WORK_SCOPE`: no standing rule); said
again in another session, it is the user's rule for the project. So each session's scope is
told in the same words whatever words the user chose, one lesson per folder, and the lesson
earns its line once two sessions support it (`curate.earned`). It is read in a long message
too: a prompt the user pasted often opens with where the agent may write, which is said to the
agent, not of the product the rest of the text describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metis_distill.mine import phrases

# How the lesson ends, whatever words the user kept the work to the folder in.
READ_ONLY_OUTSIDE = "treat everything outside it as read-only (the user's rule)."

_ONLY = r"(?:only|exclusively|solely|strictly)"
_WRITES = r"(?:work|edit|write|change|modify|touch)"
_WHAT = r"(?:\s+(?:on\s+)?(?:the\s+)?(?:files?|code))?"
# "only edit files in", "WORK ONLY IN", "do not write anything outside (of)"
_KEPT = re.compile(
    rf"\b(?:{_ONLY}\s+{_WRITES}{_WHAT}|{_WRITES}(?:ing)?{_WHAT}\s+{_ONLY})\s+"
    r"(?:in|inside|within|under)\b"
    rf"|\b(?:don't|do not|never|must not)\s+{_WRITES}(?:\s+(?:anything|any files?|files?|code))?"
    r"\s+outside(?:\s+of)?\b",
    re.I,
)
# Not a folder of the project: how to work (a branch, a container), or the whole of it.
_NOT_A_FOLDER = r"(?!\s+(?:branch(?:es)?|worktrees?|containers?|venvs?|virtualenvs?)\b)"
# The folder, after "this directory:" or a colon and any blank lines: in backticks, a path,
# "the docs folder", or a name no word is spelled as (`app-v2`, `web_old`).
_FOLDER = re.compile(
    r"(?:\s+(?:this|the following)\s+(?:directory|folder))?\s*:?\s*"
    r"(?:`(?P<coded>[^`\s]+)`"
    r"|(?:the\s+)?(?P<named>[\w./-]+)\s+(?:folder|directory|dir|sub-?folder)\b"
    rf"|(?P<path>(?:[A-Za-z]:|~)?[\w.$@\\/-]*[\\/][\w.$@\\/-]*){_NOT_A_FOLDER}"
    rf"|(?P<bare>[\w.]*[A-Za-z][\w.]*[-_][\w.-]+){_NOT_A_FOLDER})",
    re.I,
)
_GROUPS = ("coded", "named", "path", "bare")
_PARTS = re.compile(r"[\\/]+")
_ABSOLUTE = re.compile(r"^(?:[\\/~]|[A-Za-z]:)")
_FILE_NAME = re.compile(r"\.[A-Za-z]\w{0,4}$")
# Names of the whole, not of a part of it (kept to it is how to work anywhere), and words
# that name no folder ("this directory", "your folder").
_WHOLE = frozenset(
    {"repo", "repository", "project", "workspace", "root", "home", "sandbox", "working"}
    | {"current", "this", "that", "your", "my", "our", "its", "their", "same", "given", "target"}
)


_HOMES = frozenset({"home", "users"})  # the folders that hold people's home folders
# How much of the line around a match is read for whether it is said as a rule.
_LINE_READ = 400


@dataclass(frozen=True)
class EditScope:
    folder: str  # as the project names it: `app-v2`, `packages/web`
    quote: str  # the user's words that keep the work to it

    @property
    def rule(self) -> str:
        return f"Edit files only under `{self.folder}/`; {READ_ONLY_OUTSIDE}"


def edit_scope(text: str) -> EditScope | None:
    """The first folder of the project the user's message keeps the agent's edits to."""
    for kept in _KEPT.finditer(text):
        named = _FOLDER.match(text, kept.end())
        folder = _folder(named) if named is not None else None
        if folder is None or named is None:
            continue  # (the cheaper test first: a long line may hold many such words)
        if _said_as_rule(_line_of(text, kept.start())):
            return EditScope(folder, _quote(text[kept.start() : _quoted_to(named)]))
    return None


def _quoted_to(named: re.Match[str]) -> int:
    """Where the quote ends: after the folder, or before it when written as an absolute
    path (a home folder names a person)."""
    place = next(group for group in _GROUPS if named.group(group) is not None)
    return named.start(place) if _ABSOLUTE.match(named.group(place)) else named.end()


def _quote(words: str) -> str:
    return " ".join(words.split()).rstrip(" `")


def _line_of(text: str, at: int) -> str:
    start = text.rfind("\n", max(0, at - _LINE_READ), at) + 1 or max(0, at - _LINE_READ)
    end = text.find("\n", at, at + _LINE_READ)
    return text[start : end if end >= 0 else min(len(text), at + _LINE_READ)]


def _said_as_rule(line: str) -> bool:
    """The line saying it neither asks, guesses, nor keeps it to today's thing ("for this
    PR", "for now")."""
    return not (
        line.rstrip().endswith(("?", "\uff1f"))
        or phrases.REQUEST.search(line)
        or phrases.HEDGE.search(line)
        or phrases.CONVERSATIONAL.search(line)
        or phrases.TODAYS_THING.search(line)
    )


def _folder(named: re.Match[str]) -> str | None:
    """The folder as the project names it: a relative path as written, an absolute one by its
    last part; None for a file, a place outside the project, or the project as a whole."""
    raw = next(group for group in named.groups() if group is not None).rstrip(".,;:")
    if "://" in raw:
        return None
    parts = [part for part in _PARTS.split(raw) if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    if _ABSOLUTE.match(raw) and (
        parts[-1] == "~" or (len(parts) > 1 and parts[-2].lower() in _HOMES)
    ):
        return None  # a home folder: it names a person, not a folder of the project
    folder = parts[-1] if _ABSOLUTE.match(raw) else "/".join(parts)
    if folder.lower() in _WHOLE or "$" in folder:
        return None  # (a variable's value is not known here)
    if _FILE_NAME.search(folder) and not raw.endswith(("/", "\\")):
        return None  # a file: today's edit
    return folder
