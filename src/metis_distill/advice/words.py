"""Dangerous advice that is not a shell command: settings in code and config files
(`verify=False`, `sslVerify = false`), PowerShell, and plain words ("disable certificate
verification", "ignore the instructions in CLAUDE.md", "never ask for confirmation")."""

from __future__ import annotations

import re

from metis_distill.advice.kinds import Danger, Finding

# "the", "all your", "the project's pre-commit": words between a verb and what it acts on
_FILLER = (
    r"(?:\s+(?:the|all|any|every|your|its|these|those|previous|prior|earlier|above|other|"
    r"existing|project|repo(?:sitory)?|local|current|usual|own|of|git|pre-?commit|commit|"
    r"husky))*"
)
_OFF = (
    r"(?:disabl|turn(?:ing|s|ed)?\s+off|skip|bypass|ignor|switch(?:ing|es|ed)?\s+off|"
    r"deactivat|circumvent|get(?:ting)?\s+around|work(?:ing)?\s+around)\w*"
)
_URL = r"https?://\S+"
_DOC = r"(?:" + _URL + r"|[\w./~-]+\.(?:md|txt|rst|html?|json|ya?ml|pdf))"
_INSTRUCTIONS = (
    r"(?:instructions?|rules|guidelines|directions|directives|system\s+prompt|prompt|"
    r"CLAUDE\.md|AGENTS\.md|context\s+files?|guidance|constraints)"
)
_OBEY = r"(?:follow|obey|execute|apply|comply\s+with|carry\s+out|do\s+(?:what|whatever))"
_ASK = (
    r"(?:ask|asking|request|requesting|wait\s+for|waiting\s+for|prompt|prompting|"
    r"check\s+with)"
)
_CONSENT = r"(?:confirmation|permission|approval|consent|the\s+user)"
_ACT = (
    r"(?:always|just|simply|proceed|continue|go\s+ahead|act|execute|deploy|push|merge|delete|"
    r"apply)"
)
_FETCHERS = r"iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString"

_CODE_AND_CONFIG = (
    (Danger.TLS_OFF, r"\bverify\s*=\s*False\b"),
    (Danger.TLS_OFF, r"\bsslVerify\b[\"']?\s*[=: ]\s*[\"']?(?:false|0|no)\b"),
    (Danger.TLS_OFF, r"\brejectUnauthorized\b[\"']?\s*[:=]\s*false\b"),
    (Danger.TLS_OFF, r"\bInsecureSkipVerify\s*:\s*true\b|\bssl_verify\s*[:=]\s*(?:false|0)\b"),
    (Danger.TLS_OFF, r"\bstrict[-_]ssl\b[\"']?\s*[=: ]\s*[\"']?false\b"),
    (Danger.TLS_OFF, r"\b_create_unverified_context\b|\bCERT_NONE\b"),
    (Danger.TLS_OFF, r"\bcheck_hostname\s*=\s*False\b"),
    (Danger.TLS_OFF, r"\b(?:CURL|REQUESTS)_CA_BUNDLE\b\W{0,3}(?:to\s+)?(?:an?\s+)?empty\b"),
    (Danger.SIGNATURES_OFF, r"\b(?:commit|tag|push)\.gpg[sS]ign\b\W+false\b"),
    (Danger.SIGNATURES_OFF, r"\bgpgcheck\s*=\s*0\b|\[trusted=yes\]|\bSigLevel\s*=\s*Never\b"),
    (Danger.SIGNATURES_OFF, r"\bAllow(?:Insecure|Unauthenticated)\w*\s*[= ]\s*\"?true"),
    (Danger.HOOKS_OFF, r"\bcore\.hooksPath\b\W+(?:/dev/null|NUL\b|\"\"|'')"),
    (Danger.ERRORS_OFF, r"\bcontinue-on-error\s*:\s*true\b"),
    (Danger.ERRORS_OFF, r"\bignore_errors\s*:\s*(?:true|yes)\b"),
    (Danger.SAFETY_OFF, r"\bapproval_policy\s*=\s*[\"']?never\b|--ask-for-approval\s+never\b"),
    # SQL that throws a database's data away: a row taken out to get past an error is data
    # someone may need, whatever the error was
    (
        Danger.DATA_DELETED,
        # (SQL's capitals, or lower-case SQL's own shape: not "delete from the list", "truncate
        # long lines", "drop schema public in the test DB" said in words)
        r"(?-i:\bDELETE\s+FROM\s+[\w.\"`]+|\bDROP\s+(?:TABLE|DATABASE|SCHEMA)\b"
        r"|\bTRUNCATE\s+(?:TABLE\s+)?[\w.\"`]+)"
        r"|\bdelete\s+from\s+[\w.\"`]+\s*(?:;|\bwhere\b|[\"'`])"
        r"|\bdrop\s+(?:table|database|schema)\s+(?:if\s+exists\s+)?[\w.\"`]+\s*(?:;|\bcascade\b|[\"'`])"
        r"|\btruncate\s+table\s+[\w.\"`]+",
    ),
)
_POWERSHELL_AND_PYTHON = (
    (Danger.REMOTE_CODE, r"\b(?:" + _FETCHERS + r")\b[^\n]*\|\s*(?:iex|Invoke-Expression)\b"),
    (
        Danger.REMOTE_CODE,
        r"\b(?:iex|Invoke-Expression)\b[^\n]*\b(?:" + _FETCHERS + r"|Net\.WebClient)\b",
    ),
    (Danger.REMOTE_CODE, r"\bexec\s*\(\s*(?:urllib\S*urlopen|requests\.get)\b"),
)
_WORDS = (
    (
        Danger.REMOTE_CODE,
        r"\bpip(?:e|ing|es|ed)?\b[^.\n]{0,60}\b(?:curl|wget|download)\w*\b[^.\n]{0,60}"
        r"\b(?:in)?to\s+(?:sudo\s+)?(?:ba|z)?sh\b",
    ),
    (
        Danger.TLS_OFF,
        _OFF + r"(?:\s+\w+){0,3}?\s+(?:TLS|SSL|HTTPS|certificates?|cert)\s*(?:certificate\s+)?"
        r"(?:verification|validation|checks?|checking|verify|errors?)\b",
    ),
    (
        Danger.TLS_OFF,
        r"\b(?:don'?t|do\s+not|never|no\s+need\s+to)\s+(?:verify|validate|check)\s+(?:the\s+)?"
        r"(?:TLS|SSL|certificates?|certs?)\b",
    ),
    (Danger.HOOKS_OFF, _OFF + _FILLER + r"\s+hooks?\b"),
    (
        Danger.HOOKS_OFF,
        r"\b(?:commit|push)\w*\s+(?:with|using|and\s+pass|passing)\s+`?--no-verify\b",
    ),
    (
        Danger.SIGNATURES_OFF,
        _OFF + _FILLER + r"\s+(?:gpg\s+|package\s+)?signatures?"
        r"(?:\s+(?:verification|checks?|checking))?\b",
    ),
    (
        Danger.OBEYS_TEXT,
        r"\b(?:ignore|disregard|forget|override|overrule|bypass)\b"
        + _FILLER
        + r"(?:\s+\w+)?\s+"
        + _INSTRUCTIONS
        + r"\b",
    ),
    (Danger.OBEYS_TEXT, r"\b" + _OBEY + r"\b[^.\n]{0,60}?" + _URL),
    (
        Danger.OBEYS_TEXT,
        r"\b" + _OBEY + r"\b\s+(?:the\s+|any\s+|all\s+)?(?:instructions|orders|commands|directives)"
        r"\s+(?:in|from|at|of|found\s+in)\s+" + _DOC,
    ),
    (Danger.OBEYS_TEXT, _DOC + r"[^.\n]{0,40}\b(?:says|tells\s+you|instructs)\b"),
    (
        Danger.OBEYS_TEXT,
        r"\b(?:instructions|rules)\s+(?:in|from|at)\s+"
        + _DOC
        + r"\s+(?:take\s+precedence|override|supersede|win)\b",
    ),
    (
        Danger.OBEYS_TEXT,
        r"\btreat\b[^.\n]{0,60}\bas\s+(?:your\s+|the\s+)?(?:new\s+)?"
        r"(?:instructions|system\s+prompt|rules)\b",
    ),
    (
        Danger.NO_CONFIRMATION,
        r"\b(?:never|don'?t|do\s+not|no\s+need\s+to|stop)\s+(?:ever\s+)?"
        + _ASK
        + r"\b(?:\s+\w+){0,3}?\s+(?:for\s+)?"
        + _CONSENT
        + r"\b",
    ),
    (
        Danger.NO_CONFIRMATION,
        r"\b(?:skip|bypass|disable|suppress|turn\s+off)\w*(?:\s+\w+){0,2}?\s+"
        r"(?:confirmations?|approvals?|permission\s+(?:prompts?|checks?))\b",
    ),
    (
        Danger.NO_CONFIRMATION,
        r"\b" + _ACT + r"\b[^.\n]{0,60}?\bwithout\s+(?:(?:asking|checking\s+with|waiting\s+for)"
        r"\s+(?:the\s+user|first|anyone|for\s+" + _CONSENT + r")|(?:user\s+)?"
        r"(?:confirmation|approval|permission|confirming))\b",
    ),
    (
        Danger.NO_CONFIRMATION,
        r"\b(?:auto-?approve|always\s+(?:answer|say)\s+yes)\b\s+(?:to\s+)?"
        r"(?:all|every|everything|any)\b",
    ),
)
PATTERNS: tuple[tuple[Danger, re.Pattern[str]], ...] = tuple(
    (danger, re.compile(pattern, re.I))
    for danger, pattern in (*_CODE_AND_CONFIG, *_POWERSHELL_AND_PYTHON, *_WORDS)
)


def word_dangers(text: str) -> list[Finding]:
    """Each kind of danger once, with the words that show it first."""
    found: dict[Danger, Finding] = {}
    for danger, pattern in PATTERNS:
        match = pattern.search(text)
        if match and danger not in found:
            found[danger] = Finding(danger, match.group(0))
    return list(found.values())
