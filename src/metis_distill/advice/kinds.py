"""The kinds of dangerous advice, and one finding: which kind, and the words that show it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Danger(StrEnum):
    """Why a line must not reach a context file without a person letting it through."""

    REMOTE_CODE = "runs a script fetched from the network"
    BROAD_DELETE = "deletes recursively from the home folder, the root or a broad glob"
    DATA_DELETED = "deletes a database's rows or tables (DELETE FROM, DROP, TRUNCATE)"
    TLS_OFF = "disables TLS certificate verification"
    HOOKS_OFF = "skips the git hooks (--no-verify)"
    IGNORED_ADDED = "adds files the repository ignores (git add -f)"
    SIGNATURES_OFF = "skips signature verification"
    SYSTEM_PACKAGES = "overrides the system's protection of its packages (--break-system-packages)"
    ERRORS_OFF = "turns off stopping on errors (set +e)"
    HOME_OPENED = "opens the home folder to every user (chmod 755, o+r)"
    SAFETY_OFF = "disables a safety check"
    OBEYS_TEXT = "tells the agent to ignore its instructions or obey a URL or a document"
    NO_CONFIRMATION = "tells the agent to act without asking for confirmation"


@dataclass(frozen=True)
class Finding:
    danger: Danger
    shown_by: str  # the command or words that show it

    def reason(self, lesson_id: str) -> str:
        return f"lesson {lesson_id} {self.danger.value}: “{self.shown_by.strip()}”"
