"""What names a person in text meant to be shared: home folders, e-mail addresses, an account
greeted by name.

Home folders name their person: `C:\\Users\\ana\\docs` (or `C:/Users/ana/docs`, WSL's
`/mnt/c/Users/ana/docs`), `/Users/ana/docs` and `/home/ana/docs` read `~\\docs` and `~/docs` in
anything meant to be shared, URL-encoded too (`%2FUsers%2Fana`); a drive mounted for them
(`/media/ana/usb`) reads `/media/…/usb`.
An e-mail address (`ana@example.com`, git's `ana@ana-laptop.localdomain`) reads `…@example.com`
and `…@…`: a machine's own name is its owner's as often as not. `git@github.com` and the
`noreply@` addresses of tools name nobody."""

from __future__ import annotations

import re
from collections.abc import Callable

# Backslashes may come doubled: a Windows path inside a JSON line keeps its escapes. A drive
# letter stands alone: the `x:` of `unix:///Users/max` is a URL's scheme.
# What may stand right before a path: anything but a letter or digit, or a JSON line's `\n`,
# `\t`, `\r` escape (the path starts the next line of the output).
_STARTS = r"(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))"
# A Unix home starts a path (not a folder named `home` inside another: a web route
# `localhost:3000/home/…`, a project's `docs/home/…`), under a root some systems keep homes in
# (`/usr/home`, `/var/home`, `/export/home`) or WSL's view of a Windows drive.
_UNIX_STARTS = r"(?:(?<![A-Za-z0-9._-])|(?<=\\[nrt]))"
_HOME = re.compile(
    _STARTS + r"(?i:[a-z]:[\\/]+(?:users|documents and settings)[\\/]+)[^\\/\s`'\"]+"
    r"|" + _UNIX_STARTS + r"(?:/mnt/[a-z]|/[a-zA-Z](?=/Users/)|/usr|/var|/export)?/(?:Users|home)/"
    r"[^/\s`'\"]+"
)
# ... or a URL's path on a host (`ssh://server/home/ana/repo.git`): there a route
# (`localhost:3000/home/dashboard`) and a home cannot be told apart, and the name may be one.
_URL_HOME = re.compile(r"(://[^/\s`'\"]+)/(?:Users|home)/[^/\s`'\"]+")
# Termux's home is the app's folder `/data/data/com.termux/files/home` itself: no name in it,
# and what follows is the user's own folder.
_APP_HOME = re.compile(r"/data/data/[\w.]+/files/home(?![^/\\\s`'\"])")
# ... and as a URL encodes it (`http://%2FUsers%2Fmax%2F.orbstack%2Frun…`, `C%3A%5CUsers%5Cana`).
_ENCODED_HOME = re.compile(
    r"(?i:%(?:25)?2F(?:Users|home)%(?:25)?2F|[a-z]%(?:25)?3A(?:%(?:25)?5C|%(?:25)?2F)+users"
    r"(?:%(?:25)?5C|%(?:25)?2F)+)(?:[^%/\s`'\"&?#]|%(?!(?:25)?(?:2F|5C))(?:25)?[0-9A-Fa-f]{2})+"
)
_MOUNTED = re.compile(r"(?:(?<![\w.-])|(?<=\\[nrt]))(/(?:run/)?media/)[^/\s`'\"]+")


def _may_be_home(text: str) -> bool:
    return ":\\" in text or ":/" in text or "/Users/" in text or "/home/" in text


# (what every match holds, the pattern, its replacement), in the order they apply.
HOME_PATTERNS: tuple[tuple[Callable[[str], bool], re.Pattern[str], str], ...] = (
    (lambda text: "%" in text, _ENCODED_HOME, "~"),
    (lambda text: "/data/data/" in text, _APP_HOME, "~"),
    (lambda text: "://" in text, _URL_HOME, r"\1/~"),
    (_may_be_home, _HOME, "~"),
    (lambda text: "media/" in text, _MOUNTED, r"\1…"),
)


# An address: not a URL's user (`postgres://app@db`), not a service account (`ubuntu@host`),
# not a systemd unit (`wg-quick@wg0.service`).
_MAILBOX = re.compile(
    r"(?:(?<![\w.+\\/-])|(?<=\\[nrt]))"
    r"(?!(?:git|no-?reply|root|ubuntu|admin|ec2-user|pi|centos|debian|deploy|postgres)@)"
    r"[\w.+-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?P<top>[A-Za-z]{2,}))\b"
    r"(?<!\.service)(?<!\.socket)(?<!\.timer)(?<!\.target)(?<!\.mount)"
)
_MACHINE_DOMAINS = frozenset({"local", "localdomain", "lan", "home", "internal", "localhost"})


# GitHub's greeting over ssh names the account: "Hi ana! You've successfully authenticated".
_GREETING = "! You've successfully authenticated"
_GREETED = re.compile(r"(?<=\bHi )[\w.-]+(?=" + re.escape(_GREETING) + ")")


def hide_person(text: str) -> str:
    """The text with no home folder's owner, no e-mail address's person and no account
    greeted by name in it."""
    text = hide_homes(text)
    if "@" in text:
        text = _MAILBOX.sub(_hidden_address, text)
    if _GREETING in text:
        text = _GREETED.sub("…", text)
    return text


def has_address(text: str) -> bool:
    """The text holds an e-mail address naming a person (not `git@…`, not a `noreply@`)."""
    return _MAILBOX.search(text) is not None


def _hidden_address(address: re.Match[str]) -> str:
    machine = address["top"].lower() in _MACHINE_DOMAINS
    return "…@…" if machine else f"…@{address['domain']}"


def hide_homes(text: str) -> str:
    """The text with each home folder's owner replaced by `~`, and the owner of each drive
    mounted for a person by `…`. Each pattern is tried only on text holding what every match
    of it holds (`HOME_PATTERNS`): most text names no home, and long tool outputs were read
    five times over for nothing."""
    for needs, pattern, replacement in HOME_PATTERNS:
        if needs(text):
            text = pattern.sub(replacement, text)
    return text


def home_folder(path: str) -> str | None:
    """The home folder a path starts in (`/home/ana` of `/home/ana/src/shop`), if any."""
    match = _HOME.match(path)
    return match[0] if match else None
