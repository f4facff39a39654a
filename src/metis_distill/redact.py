"""Secrets never leave the archive: replace them with `[REDACTED:{kind}]` (contract 10).

Applied to decoded event text at read time and, by `provenance.resolve`, to raw lines, so the
patterns must match a secret both inside a JSON string and in plain text.
"""

from __future__ import annotations

import re

# Ordered: specific provider formats before the generic assignment rule.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private_key",
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
        ),
    ),
    ("anthropic_key", re.compile(r"sk-ant-[A-Za-z0-9]{2,8}-[A-Za-z0-9_\-]{20,}")),
    ("openai_key", re.compile(r"sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("stripe_key", re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("huggingface_token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),
    ("url_password", re.compile(r"(?<=://)[^/\s:@\"']+:[^/\s@\"']+(?=@)")),
    ("bearer_token", re.compile(r"(?i)(?<=bearer )[A-Za-z0-9_\-.=]{20,}")),
)

# KEY=value / "password": "value" style assignments whose name says secret.
_ASSIGNMENT = re.compile(
    r"(?i)(?P<name>\b[A-Z0-9_]*(?:secret|token|passw(?:or)?d|api_?key|private_?key)[A-Z0-9_]*"
    r"\\?\"?\s*[:=]\s*\\?[\"']?)(?P<value>[^\s\"'\\,;()\[\]{}<>]{8,})(?![(\[])"
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|\*+|\.+|<[^>]*>|\$\{?\w+\}?|your[-_].*|changeme|example.*)$")


def redact(text: str) -> str:
    """The text with every secret we recognize replaced by `[REDACTED:{kind}]`."""
    for kind, pattern in _PATTERNS:
        text = pattern.sub(f"[REDACTED:{kind}]", text)
    return _ASSIGNMENT.sub(_redact_assignment, text)


def _looks_random(value: str) -> bool:
    """A value, not code: identifiers (`settings.api_key`) are left alone."""
    if _IDENTIFIER.match(value):
        return False
    return any(c.isdigit() for c in value) or len(value) >= 16


def _redact_assignment(match: re.Match[str]) -> str:
    value = match.group("value")
    if value.startswith("[REDACTED") or _PLACEHOLDER.match(value) or not _looks_random(value):
        return match.group(0)
    return f"{match.group('name')}[REDACTED:assigned_secret]"
