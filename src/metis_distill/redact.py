"""Secrets never leave the archive: replace them with `[REDACTED:{kind}]` (contract 10).

Provider formats come from detect-secrets' regex detectors (a well-kept list: AWS, GitHub,
GitLab, Slack, Stripe, Twilio, npm, PyPI, JWT...); our own patterns cover what it lacks
(Anthropic and current OpenAI keys, Google and Hugging Face tokens, whole private-key blocks,
passwords in URLs, secret-looking assignments). Applied to decoded event text at read time
and, by `provenance.resolve`, to raw lines, so every pattern matches a secret both inside a
JSON string and in plain text. Its entropy and keyword plugins work line by line and flag
most of a transcript, so they are not used.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from metis_distill import built_cache, secret_memory
from metis_distill.homes import hide_person
from metis_distill.secret_screen import Screen, Words, screen, words


def _ascii_spelled(word: str) -> str:
    """A word for a rule, its characters outside ASCII as `\\uXXXX` (the screen reads rules
    written in ASCII)."""
    return "".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in word)


# "password" in other languages, as a message may say it before one
_PASSWORD_ELSEWHERE = (
    "Contraseña", "contraseña", "Пароль", "пароль", "密码", "Mật khẩu", "mật khẩu", "비밀번호",
    "パスワード",
)  # fmt: skip
_SAID_ELSEWHERE = "|".join(_ascii_spelled(word) for word in _PASSWORD_ELSEWHERE)

# Ours first: they must win over the library's partial matches (its private-key rule only
# matches the BEGIN line; its JWT rule stops before the signature).
_OWN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private_key",
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----.*?"
            r"(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)",
            re.S,
        ),
    ),
    # a key's base64 body quoted without its BEGIN line: DER (MII…), PKCS#8 Ed25519, OpenSSH
    ("key_material", re.compile(r"\b(?:MII|MC4CAQAw|b3BlbnNzaC1rZXktdjE)[A-Za-z0-9+/]{37,}={0,2}")),
    ("anthropic_key", re.compile(r"sk-ant-[A-Za-z0-9]{2,8}-[A-Za-z0-9_\-]{20,}")),
    ("openai_key", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("huggingface_token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("npm_token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),
    ("url_password", re.compile(r"(?<=://)[^/\s:@\"']*:[^/\s@\"']+(?=@)")),
    ("basic_auth", re.compile(r"(?i)(?<=\bbasic )[A-Za-z0-9+/]{12,}={0,2}")),
    (
        "curl_credentials",
        # not a URL's scheme, nor git push's remote (`git push -u https://…`, `git push -u
        # git@host:owner/repo.git` set the upstream)
        re.compile(
            r"(?<=\s-u )(?<!\bpush -u )[^\s:'\"]+:(?!//)[^\s'\"]+"
            r"|(?<=--user )[^\s:'\"]+:(?!//)[^\s'\"]+"
        ),
    ),
    (
        "webhook_url",
        re.compile(
            r"https://(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks)/[\w/-]+"
        ),
    ),
    ("google_oauth", re.compile(r"\bGOCSPX-[A-Za-z0-9_\-]{20,}|\bya29\.[A-Za-z0-9_\-]{20,}")),
    ("stripe_key", re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("bearer_token", re.compile(r"(?i)(?<=bearer )[A-Za-z0-9_\-.=]{20,}")),
    # a password given to `sudo -S` on its standard input: `echo "pw" | sudo -S …`,
    # `printf '%s\n' pw | sudo -S …`, `sudo -S … <<< pw` (quotes may be JSON-escaped)
    (
        "sudo_password",
        re.compile(
            r"\b(?:echo|printf|yes)[ ]+(?:-[a-z]+[ ]+)?(?:'%s\\{1,2}n'[ ]+)?"
            r"(\\?\"[^\"]{0,200}?\\?\"|'[^']{0,200}'|[^\s|;&'\"\\]+)[ ]*\|[ ]*"
            r"(?:[\w./-]*/)?sudo[ ]+"
            r"(?:-[a-zA-Z]+[ ]+|--[\w-]+[ ]+)*?(?:-[a-zA-Z]*S\b|--stdin\b)"
        ),
    ),
    # a value handed to a secret store on the command line: `dotnet user-secrets set
    # "Smtp:Pass" "abcd efgh ijkl mnop"`, `gh secret set NAME --body "…"` (quotes may be
    # JSON-escaped)
    (
        "cli_secret",
        re.compile(
            r"\buser-secrets[ ]+set[ ]+(?:\\?\"[^\"\\]{1,200}\\?\"|'[^']{1,200}'|[^\s\"']+)[ ]+"
            r"(\\?\"[^\"\\]{1,500}\\?\"|'[^']{1,500}'|[^\s\"'\\]+)"
            r"|\bgh[ ]+secret[ ]+set\b[^|;&]{0,200}?(?:--body|-b)[ =]+"
            r"(\\?\"[^\"\\]{1,500}\\?\"|'[^']{1,500}'|[^\s\"'\\]+)"
        ),
    ),
    # PowerShell's `ConvertTo-SecureString 'pw' -AsPlainText` (its switches in any order,
    # `-String:`, piped in): the literal is the secret
    (
        "secure_string",
        re.compile(
            r"(?i)\bConvertTo-SecureString(?:[ ]+-(?:AsPlainText|Force)\b)*[ ]+(?:-String[ :]+)?"
            r"(\\?\"[^\"\\]{1,500}\\?\"|'[^']{1,500}'|(?![-$])[^\s'\"|;\\]{4,})"
            r"|(\\?\"[^\"\\]{1,500}\\?\"|'[^']{1,500}')[ ]*\|[ ]*ConvertTo-SecureString\b"
        ),
    ),
    (
        "sudo_password",
        re.compile(
            r"\bsudo[ ]+(?:-[a-zA-Z]+[ ]+|--[\w-]+[ ]+)*?(?:-[a-zA-Z]*S\b|--stdin\b)[^<|;&]{0,200}"
            r"<<<[ ]*(\\?\"[^\"]{0,200}?\\?\"|'[^']{0,200}'|[^\s\"'\\]+)"
        ),
    ),
    # a password given on the command line: `sshpass -p 'pw' ssh …`, MySQL's `-ppw` (`-p'pw'`),
    # `--password pw` / `--password=pw` (quotes may be JSON-escaped)
    (
        "cli_password",
        re.compile(
            r"\bsshpass[ ]+-p[ ]*(\\?\"[^\"\\]{1,200}\\?\"|'[^']{1,200}'|[^\s\"'\\]+)"
            r"|\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^|;&]{0,200}?[ ]-p"
            r"(\\?\"[^\"\\]{1,200}\\?\"|'[^']{1,200}'|[^\s\"'\\-][^\s\"'\\]*)"
            r"|--pass(?:word|wd)?(?:[ ]+|=)"
            r"(\\?\"[^\"\\]{1,200}\\?\"|'[^']{1,200}'|[^\s\"'\\-][^\s\"'\\]*)"
        ),
    ),
    # a password a person typed in a message: "the root pass is Abc123Xyz987", "密码：…"
    # (a word with a letter and a digit after the word for password: `_redact_said` checks)
    (
        "said_password",
        re.compile(
            # `PASS` in capitals is a test's result (`--- PASS: TestX`), not a password's name
            r"(?:\b(?:[Pp]ass(?:word|wd)?|PASSWORD|[Pp]wd|[Pp]asswort|[Mm]ot de passe"
            rf"|[Ss]enha)\b|{_SAID_ELSEWHERE})"
            r"[ ]*(?:is|est|es|ist|\u00e9|l\u00e0|:|=|\uff1a)?[ ]*"
            r"([^\s\"'\\,;()\[\]{}<>/`]{7,63}[^\s\"'\\,;()\[\]{}<>/`.!?:])"
        ),
    ),
)
_SKIPPED_DETECTORS = frozenset({"Public IP (ipv4)", "Private Key"})

# KEY=value / "password": "value" style assignments whose name says secret: `pass` as a word's
# end too (`Email__Gmail__Pass`, an ASP.NET setting given as an environment variable).
# `pass` ending a setting's name (`smtp_pass`, `Email__Gmail__Pass`, `"Pass":`), not a word's
# end (`bypass`, `compass`) nor a test's result (`--- PASS: TestX`)
_PASS_END = r"(?<=[_.:\"'])pass(?![a-z])"
_SECRET_WORDS = r"secret|token|passw(?:or)?d|" + _PASS_END + r"|api_?key|private_?key"
# An app password in groups (Gmail's `abcd efgh ijkl mnop`): the spaces are part of it.
_GROUPED = r"[A-Za-z0-9]{4}(?:[ ]{1,2}[A-Za-z0-9]{4}){3}(?![A-Za-z0-9])"
# Words of prose that four groups of four letters may be ("token = this that then what").
_PROSE_WORDS = frozenset(
    {"this", "that", "then", "what", "with", "from", "have", "will", "when", "were", "they",
     "been", "your", "into", "make", "sure", "also", "just", "like", "more", "only", "some",
     "than", "them", "well", "here", "each", "must", "very", "over", "such", "take", "come",
     "does", "done", "used", "need", "want", "test", "file", "code", "data", "true", "null",
     "none", "once", "even", "back", "down"}
)  # fmt: skip
# A password's name: whatever its value looks like, it is one (`Email__Gmail__Pass=abcd…`).
_PASSWORD_NAME = re.compile(r"(?i)passw(?:or)?d|" + _PASS_END + r"|pwd(?![a-z])")
_ASSIGNMENT = re.compile(
    r"(?i)(?P<name>\b[A-Z0-9_]*(?:" + _SECRET_WORDS + r")[A-Z0-9_]*"
    r"\\?[\"']?\s*[:=]\s*\\?[\"']?)(?P<value>" + _GROUPED + r"|[^\s\"'\\,;()\[\]{}<>]{8,})(?![(\[])"
)
_ENV_WORDS = (
    r"SECRET|TOKEN|PASSW(?:OR)?D|PASS|PWD|API_?KEY|PRIVATE_?KEY|SIGNING_?KEY|ACCESS_?KEY|AUTH_?KEY"
)
_ENV_ASSIGNMENT = re.compile(
    r"(?P<name>\b[A-Z0-9_]*(?:" + _ENV_WORDS + r")[A-Z0-9_]*\s*=\s*[\"']?)"
    r"(?P<value>" + _GROUPED + r"|[^\s\"'\\]{4,})"
)
ASSIGNMENTS = (_ENV_ASSIGNMENT, _ASSIGNMENT)
# Every match of the two starts where a run of name characters holding one of the words
# starts: only there need they be tried (`_sub_at_names`). The words and the runs are found
# case-sensitively (Python's case-insensitive alternation is slow): the env rule's as they
# are, the other's in the lower-cased text, where `(?i)` reads U+017F as s and U+0131 as i.
# The words are found with `pass`'s look-behind put after it (the same matches at the same
# places): every alternative then starts with a letter, and the regex engine skips ahead to
# the letters that can start one instead of trying each place (3x faster on a long line). Not
# in the rules: the screen reads a look-behind as a plain group.
_WORDS_FOUND = _SECRET_WORDS.replace(_PASS_END, r"pass(?<=[_.:\"']pass)(?![a-z])")
_ENV_NAMES = (re.compile(_ENV_WORDS), re.compile(r"[A-Z0-9_]*"))
_NAMES = (re.compile(_WORDS_FOUND), re.compile(r"[a-z0-9_]*"))
_NAMES_ANY_CASE = (re.compile(_WORDS_FOUND, re.IGNORECASE), re.compile(r"[A-Z0-9_]*", re.I))
_FOLD = {"\u017f": "s", "\u0131": "i"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|\*+|\.+|<[^>]*>|\$\{?\w+\}?|your[-_].*|changeme|example.*)$")
# A count of tokens (`"input_tokens": 12345678`, `MAX_TOKENS=4096`) is no secret: a plain
# number under a name that counts tokens.
_COUNT_NAME = re.compile(r"(?i)tokens(?![a-z])|(?<![a-z])(?:max|min|num|total)_?tokens?(?![a-z])")
_NUMBER = re.compile(r"^\d[\d,_]*$")
_SECRET_NAME = re.compile(r"(?i)secret|pass|key|auth|otp|pin\b")


# A rule runs only when its text holds one of these (lowercase) strings: every rule's match
# contains one, so the gate never hides a secret; it spares ~40 regex passes over most text.
_GATES: dict[str, tuple[str, ...]] = {
    "private_key": ("private key",),
    "key_material": ("mii", "mc4caqaw", "b3blbnnzac1rzxktdje"),
    "anthropic_key": ("sk-ant-",),
    "openai_key": ("sk-",),
    "openai_token": ("t3blbkfj",),
    "github_token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "google_api_key": ("aiza",),
    "huggingface_token": ("hf_",),
    "npm_token": ("npm_",),
    "npm_tokens": ("_authtoken",),
    "jwt": ("eyj",),
    "json_web_token": ("eyj",),
    "url_password": ("://",),
    "basic_auth": ("basic ",),
    "curl_credentials": ("-u ", "--user "),
    "webhook_url": ("hooks.slack.com", "discord"),
    "google_oauth": ("gocspx-", "ya29."),
    "stripe_key": ("k_live_", "k_test_"),
    "basic_auth_credentials": ("://",),
    "bearer_token": ("bearer ",),
    "sudo_password": ("sudo",),
    "cli_secret": ("user-secrets", "secret set"),
    "secure_string": ("convertto-securestring",),
    "cli_password": ("sshpass", "mysql", "mariadb", "--pass"),
    "said_password": (
        "pass",
        "pwd",
        "mot de passe",
        "contraseña",
        "senha",
        "пароль",
        "密码",
        "mật khẩu",
        "비밀번호",
        "パスワード",
    ),
    "artifactory_credentials": ("akc", "ap"),
    "aws_access_key": ("a3t", "abia", "acca", "akia", "asia", "aws"),
    "azure_storage_account_access_key": ("accountkey=",),
    "cloudant_credentials": ("key", "pw", "pass", "token", "cloudant"),
    "gitlab_token": ("gl", "gr1348941"),
    "ibm_cloud_iam_key": ("key", "pw", "pass", "token"),
    "ibm_cos_hmac_credentials": ("secret",),
    "mailchimp_access_key": ("-us",),
    "pypi_token": ("pypi-",),
    "sendgrid_api_key": ("sg.",),
    "slack_token": ("xox", "hooks.slack.com"),
    "softlayer_credentials": ("key", "pw", "pass", "token", "softlayer"),
    "square_oauth_secret": ("sq0csp-",),
    "stripe_access_key": ("k_live_",),
    "telegram_bot_token": (":",),
    "twilio_api_key": ("ac", "sk"),
    "assigned_secret": ("secret", "token", "pass", "pwd", "key"),
}


# What `redact` leaves in a secret's place.
REDACTION_MARK = re.compile(r"\[REDACTED:[\w-]+\]")


def redact(text: str) -> str:
    """The text with every secret we recognize replaced by `[REDACTED:{kind}]`. While a run
    is read (`secret_memory.reading`), the values found are also hidden wherever the run
    repeats them, and the values remembered from earlier runs too."""
    text = by_rules(text)
    found = secret_memory.current()
    return found.hide(text) if found is not None else text


def shareable(text: str) -> str:
    """The text as it may leave this machine: redacted (`redact`), and no home folder, e-mail
    address or greeted account naming a person (`homes.hide_person`). What a prompt, the
    search results and the evidence files committed beside a context file all show."""
    return hide_person(redact(text))


_SCREENED: ContextVar[bool] = ContextVar("metis_redact_screened", default=True)


@contextlib.contextmanager
def unscreened() -> Iterator[None]:
    """Within: every text goes through every rule, as without the screen (the tests compare
    both paths; so can a user who doubts the screen)."""
    token = _SCREENED.set(False)
    try:
        yield
    finally:
        _SCREENED.reset(token)


def by_rules(text: str) -> str:
    """Every rule that may match applied, in order: the screen (`secret_screen`) names them,
    none for most text, and names them again once a rule has changed the text (a replacement
    can give a later rule a match: `[REDACTED:…]PASSWORD=…` starts a word); without the
    screen, the rules whose gate the text holds."""
    screen = active_screen()
    may = screen.candidates(text) if screen is not None else None
    if may is not None and not may:
        return text
    original, lowered = text, ""  # the gates read the text as given, lowered once if asked
    for index, (kind, pattern) in enumerate(rules()):
        if may is not None and index not in may:
            continue
        at_words = screen is not None and kind in STARTING_WORDS
        # where its words start the gate adds nothing; a rule the screen named mostly has a
        # word as written, and the text is not lowered for it
        gated = kind in _GATES and not at_words
        if gated and not (screen is not None and written_gate(kind, original)):
            lowered = lowered or original.lower()
            if not gate_open(kind, lowered):
                continue
        replace = replacer(kind, pattern)
        if screen is not None and pattern in ASSIGNMENTS:
            changed = _sub_at_names(pattern, text, replace)
        elif at_words:
            changed = sub_at_words(kind, pattern, text, replace)
        else:
            changed = pattern.sub(replace, text)
        if changed != text and screen is not None:
            may = screen.candidates(changed)
        text = changed
    return text


def gate_open(kind: str, lowered: str) -> bool:
    """May a rule of this kind match a text that lower-cased is `lowered` (see `_GATES`)?"""
    gate = _GATES.get(kind)
    return gate is None or any(g in lowered for g in gate)


def written_gate(kind: str, text: str) -> bool:
    """Does the text hold a word of the kind's gate as written? Then `gate_open` of it
    lower-cased does: each word's characters lower to themselves, one for one."""
    return any(word in text for word in _GATES[kind])


def active_screen() -> Screen | None:
    """The screen, unless there is none here or `unscreened()` is in force."""
    return _screen() if _SCREENED.get() else None


def _sub_at_names(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> str:
    """`pattern.sub(replace, text)` for an assignment rule, trying only where a run of name
    characters holding a secret word starts (a match can start nowhere else: `\\b`, name
    characters, the word)."""
    return sub_at(pattern, text, name_starts(pattern, text), replace)


def sub_at(
    pattern: re.Pattern[str],
    text: str,
    starts: list[int],
    replace: Callable[[re.Match[str]], str],
) -> str:
    """`pattern.sub(replace, text)` where no match starts but at `starts` (ascending): each
    tried as `sub` would reach it, in order."""
    out: list[str] = []
    done = 0
    for start in starts:
        if start < done:
            continue
        match = pattern.match(text, start)
        if match is None:
            continue
        out += [text[done:start], replace(match)]
        done = match.end()
    return "".join([*out, text[done:]])


# Where a match of `said_password` may start: one of its words, as the rule spells them
# (`Passwort`, `password`, `passwd` start as `Pass` and `pass` do).
_SAID_HEADS = (
    "pass", "Pass", "PASSWORD", "pwd", "Pwd", "mot de passe", "Mot de passe", "senha", "Senha",
    *_PASSWORD_ELSEWHERE,
)  # fmt: skip
# The rules (none `(?i)`) each of whose matches starts with one of these words as spelled
STARTING_WORDS: dict[str, tuple[str, ...]] = {
    "said_password": _SAID_HEADS,
    "key_material": ("MII", "MC4CAQAw", "b3BlbnNzaC1rZXktdjE"),
}


def sub_at_words(
    kind: str,
    pattern: re.Pattern[str],
    text: str,
    replace: Callable[[re.Match[str]], str],
    raw: bytes | None = None,
) -> str:
    """`pattern.sub(replace, text)` for a rule of `STARTING_WORDS`, tried only where one of
    its words starts; `raw` is `text` as UTF-8 if at hand."""
    return sub_at(pattern, text, word_starts(kind, text, raw), replace)


def word_starts(kind: str, text: str, raw: bytes | None = None) -> list[int]:
    """Every place one of the kind's `STARTING_WORDS` starts, ascending (overlaps kept): one
    scan, or without Hyperscan a search per word."""
    found = _words(kind)
    return found.starts(text, raw) if found is not None else word_starts_plain(kind, text)


def word_byte_starts(kind: str, data: bytes) -> list[int] | None:
    """Every place (a byte's offset) one of the kind's `STARTING_WORDS` starts in UTF-8
    `data`, ascending, each once; None without Hyperscan."""
    found = _words(kind)
    return found.byte_starts(data) if found is not None else None


@cache
def _words(kind: str) -> Words | None:
    return words(STARTING_WORDS[kind])


def word_starts_plain(kind: str, text: str) -> list[int]:
    """`word_starts`, a `str.find` per word."""
    starts: set[int] = set()
    for word in STARTING_WORDS[kind]:
        at = text.find(word)
        while at != -1:
            starts.add(at)
            at = text.find(word, at + 1)
    return sorted(starts)


def name_starts(pattern: re.Pattern[str], text: str) -> list[int]:
    if pattern is _ENV_ASSIGNMENT:
        return _run_starts(text, *_ENV_NAMES)
    folded = text.lower()
    if len(folded) != len(text):  # U+0130 lowers to two characters: positions would move
        return _run_starts(text, *_NAMES_ANY_CASE)
    for char, ascii_letter in _FOLD.items():
        if char in folded:
            folded = folded.replace(char, ascii_letter)
    return _run_starts(folded, *_NAMES)


def _run_starts(text: str, words: re.Pattern[str], name_run: re.Pattern[str]) -> list[int]:
    """Where each run of name characters that holds one of the words starts, in order. Each
    run is measured once, backwards on the reversed text: linear in C however long it is."""
    starts: list[int] = []
    run_end = 0
    backwards = ""
    for found in words.finditer(text):
        at = found.start()
        if at < run_end:  # in the run already found
            continue
        backwards = backwards or text[::-1]
        before = name_run.match(backwards, len(text) - at)
        starts.append(at - (before.end() - before.start()) if before else at)
        after = name_run.match(text, at)
        run_end = after.end() if after else at
    return starts


def replacer(kind: str, pattern: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
    if pattern is _ENV_ASSIGNMENT:
        return _redact_env
    if pattern is _ASSIGNMENT:
        return _redact_assignment
    if kind == "said_password":
        return _redact_said
    return lambda match: _replace(match, kind)


def kinds() -> list[str]:
    """Every kind of secret we redact (for docs and tests)."""
    return [kind for kind, _ in _patterns()] + ["assigned_secret"]


def prepare() -> None:
    """Compile the rules and their screen now (before forking workers that all need them)."""
    _screen()
    for kind in STARTING_WORDS:
        _words(kind)


def screen_active() -> bool:
    """Is the screen in use here (Hyperscan installed, every rule screenable)?"""
    return _screen() is not None


@lru_cache(maxsize=1)
def rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Every rule in the order applied: the providers' formats, then assignments."""
    return (
        *_patterns(),
        ("assigned_secret", _ENV_ASSIGNMENT),
        ("assigned_secret", _ASSIGNMENT),
    )


@lru_cache(maxsize=1)
def _screen() -> Screen | None:
    return screen(pattern for _, pattern in rules())


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return _OWN_PATTERNS + tuple(_library_patterns())


def _library_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """The regexes of detect-secrets' provider detectors, named by their secret type; read
    from the cache when this code and detect-secrets' detectors are those they came from."""
    kept = built_cache.entry("secret-rules", _library_stamp())
    try:
        listed = json.loads(built_cache.read(kept) or b"null")
        return [(kind, re.compile(source, flags)) for kind, source, flags in listed]
    except (TypeError, ValueError, re.error):  # none yet, or damaged: read them anew
        found = _detectors_patterns()
    listed = [[kind, pattern.pattern, pattern.flags] for kind, pattern in found]
    built_cache.write(kept, json.dumps(listed).encode())
    return found


def _library_stamp() -> list[bytes]:
    """What the detectors' rules follow from: detect-secrets' plugin files, and this code."""
    import importlib.util
    import sys

    spec = importlib.util.find_spec("detect_secrets")  # found, not imported (its import is slow)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    plugins = [built_cache.files_stamp(Path(folder) / "plugins") for folder in folders]
    return [sys.version.encode(), Path(__file__).read_bytes(), *plugins]


def _detectors_patterns() -> list[tuple[str, re.Pattern[str]]]:
    import importlib
    import inspect
    import pkgutil

    import detect_secrets.plugins as plugins
    from detect_secrets.plugins.base import RegexBasedDetector

    found: list[tuple[str, re.Pattern[str]]] = []
    for info in sorted(pkgutil.iter_modules(plugins.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"detect_secrets.plugins.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, RegexBasedDetector) or inspect.isabstract(cls):
                continue
            detector = cls()
            if cls.__module__ != module.__name__ or detector.secret_type in _SKIPPED_DETECTORS:
                continue
            kind = re.sub(r"[^a-z0-9]+", "_", detector.secret_type.lower()).strip("_")
            found.extend((kind, pattern) for pattern in detector.denylist)
    return found


# Rules whose first group is the secret and the rest is context (a keyword, a URL): only the
# group is replaced. In every other rule a group is a part of the secret (GitLab's `glpat`
# prefix), so the whole match goes.
_GROUP_IS_SECRET = frozenset(
    {
        "secure_string",
        "aws_access_key",
        "basic_auth_credentials",
        "cloudant_credentials",
        "ibm_cloud_iam_key",
        "ibm_cos_hmac_credentials",
        "npm_tokens",
        "softlayer_credentials",
        "sudo_password",
        "cli_secret",
        "cli_password",
        "said_password",
    }
)


def _replace(match: re.Match[str], kind: str) -> str:
    """Replace the secret: the whole match, or only its group where the rest is context."""
    whole = match.group(0)
    if "[REDACTED:" in whole:
        return whole
    groups = [i for i in range(1, (match.re.groups or 0) + 1) if match.group(i)]
    if not groups or kind not in _GROUP_IS_SECRET:
        _note(kind, whole)
        return f"[REDACTED:{kind}]"
    start, end = match.span(groups[0])
    _note(kind, match.group(groups[0]))
    offset = match.start()
    return whole[: start - offset] + f"[REDACTED:{kind}]" + whole[end - offset :]


def _note(kind: str, value: str) -> None:
    found = secret_memory.current()
    if found is not None:
        found.note(kind, value)


def _looks_random(value: str) -> bool:
    """A value, not code: identifiers (`settings.api_key`) are left alone."""
    if _IDENTIFIER.match(value):
        return False
    return any(c.isdigit() for c in value) or len(value) >= 16


def _password_like(name: str, value: str) -> bool:
    """Under a password's name, a long word with no dot is the password (`…Pass=abcdefgh
    ijklmnop` pasted without its spaces), not code (`password = settings.password`)."""
    return bool(_PASSWORD_NAME.search(name)) and len(value) >= 12 and "." not in value


def _is_count(name: str, value: str) -> bool:
    return bool(_NUMBER.match(value) and _COUNT_NAME.search(name) and not _SECRET_NAME.search(name))


def _redact_env(match: re.Match[str]) -> str:
    """`DB_PASSWORD=correcthorse`: an upper-case variable named for a secret holds one, whatever
    its value looks like (placeholders, `${VAR}` references and a PowerShell command whose
    output it takes aside)."""
    value = match.group("value")
    if value.startswith(("[REDACTED", "<", "$", "{", "%")) or _PLACEHOLDER.match(value):
        return match.group(0)
    if _read_by_cmdlet(match):
        return match.group(0)
    if _is_count(match.group("name"), value):
        return match.group(0)
    _note("assigned_secret", value)
    return f"{match.group('name')}[REDACTED:assigned_secret]"


def _redact_said(match: re.Match[str]) -> str:
    """The word after "password" in a message is one when it mixes letters and digits and is
    no placeholder ("password is Abc123Xyz987", not "password reset" or "pass the tests")."""
    value = match.group(1)
    mixed = any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
    if not mixed or value.startswith(("[REDACTED", "-", "$")) or _PLACEHOLDER.match(value):
        return match.group(0)
    return _replace(match, "said_password")


# `$env:API_KEY = Get-Content -Raw key.txt`: the cmdlet that reads the secret, with its
# arguments after it, is no secret (and hidden as one, every later `Get-Content` would be).
_READ_BY_CMDLET = re.compile(
    r"\(?(?:Get-(?:Content|Secret|StoredCredential|Credential|AzKeyVaultSecret|Clipboard|"
    r"ItemPropertyValue)|Read-Host|ConvertTo-SecureString|ConvertFrom-SecureString|Import-Clixml|"
    r"Invoke-RestMethod|Invoke-WebRequest|Select-String|Join-Path|Resolve-Path)"
)
# What a cmdlet's arguments start with: a parameter, a variable, a quoted or a path-like word.
_ARGUMENTS = re.compile(r"[ \t]+(?:-[A-Za-z]|\$|[\"']|[\w~.-]*[./\\])")
_POWERSHELL_ENV = "$env:"


def _read_by_cmdlet(match: re.Match[str]) -> bool:
    """A PowerShell variable of the environment (`$env:NAME = …`) given a cmdlet's output."""
    start = match.start()
    named = match.string[max(0, start - len(_POWERSHELL_ENV)) : start].lower() == _POWERSHELL_ENV
    return (
        named
        and _READ_BY_CMDLET.fullmatch(match.group("value")) is not None
        and _ARGUMENTS.match(match.string, match.end()) is not None
    )


def _redact_assignment(match: re.Match[str]) -> str:
    value, name = match.group("value"), match.group("name")
    if value.startswith("[REDACTED") or _PLACEHOLDER.match(value) or _read_by_cmdlet(match):
        return match.group(0)
    if not _looks_random(value) and not _password_like(name, value):
        return match.group(0)
    if " " in value and _PROSE_WORDS & set(value.lower().split()):
        return match.group(0)  # "token = this that then what": prose, not a grouped password
    if _is_count(match.group("name"), value):
        return match.group(0)
    _note("assigned_secret", value)
    return f"{match.group('name')}[REDACTED:assigned_secret]"
