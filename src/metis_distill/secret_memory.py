"""A secret seen once is hidden everywhere (contract 10): the values the redaction rules find in
a run are replaced wherever else the run repeats them ("the token S3cret-Pw! is rejected"),
and remembered as keyed hashes for the later runs of the same data dir.

While a run is read, `reading()` holds its values (in memory only). The data dir keeps a
random key (`secrets/key`, mode 0600) and the BLAKE2b digests of the values seen
(`secrets/digests`), never a value: text is cut into tokens, and a token whose digest is known
is redacted. The memory lives beside the archive (`data_dir/archive` -> `data_dir/secrets`);
only the flow's process writes it, workers read it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MIN_VALUE = 8  # shorter values ("test", "admin") would hide ordinary words everywhere
_TOKEN = re.compile(r"[^\s\"'`,;:@/=()\[\]{}<>\\|]{" + str(MIN_VALUE) + ",}")
_KEY_BODY_LINE = re.compile(r"^[A-Za-z0-9+/]{40,}={0,2}$")
_CURRENT: ContextVar[RunSecrets | None] = ContextVar("metis_run_secrets", default=None)


@dataclass(frozen=True)
class Memory:
    """The data dir's key and the digests of every secret value seen in its runs."""

    folder: Path
    key: bytes
    digests: frozenset[str]

    def digest(self, value: str) -> str:
        return hashlib.blake2b(value.encode(), key=self.key, digest_size=16).hexdigest()

    def remember(self, digests: Iterable[str]) -> None:
        """Add digests (the flow's process only): the file is rewritten whole, atomically; a
        temp file a killed write left is removed first."""
        from metis_distill.textio import atomic_write_text, remove_temps

        remove_temps(self.folder, "digests")
        new = set(digests) - self.digests
        if not new:
            return
        lines = sorted(self.digests | new)
        atomic_write_text(self.folder / "digests", "".join(f"{d}\n" for d in lines))


def memory_beside(archive_root: Path) -> Memory | None:
    """The memory of the data dir holding this archive; None for an archive elsewhere."""
    root = archive_root.resolve()
    if root.name != "archive":
        return None
    folder = root.parent / "secrets"
    digests = folder / "digests"
    stamp = digests.stat().st_mtime_ns if digests.is_file() else 0
    return _load(folder, _key(folder), stamp)


def memory_of_file(path: Path) -> Memory | None:
    """The memory of the data dir whose archive holds `path`, if it has one."""
    for parent in path.resolve().parents:
        if parent.name == "archive" and (parent.parent / "secrets" / "key").is_file():
            return memory_beside(parent)
    return None


def _key(folder: Path) -> bytes:
    """The data dir's key, made once (an atomic link: two processes agree on one key)."""
    path = folder / "key"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
            tmp.write(secrets.token_bytes(32))
        os.chmod(tmp.name, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp.name, path)
        os.unlink(tmp.name)
    return path.read_bytes()


@lru_cache(maxsize=4)
def _load(folder: Path, key: bytes, stamp: int) -> Memory:  # noqa: ARG001 (cache key)
    path = folder / "digests"
    lines = path.read_text(encoding="ascii").split() if path.is_file() else []
    return Memory(folder, key, frozenset(lines))


@dataclass
class RunSecrets:
    """The secret values of the run being read (in memory only), and the data dir's memory."""

    memory: Memory | None = None
    values: dict[str, str] = field(default_factory=dict)  # value -> kind
    _pattern: re.Pattern[str] | None = None
    _known: dict[str, bool] = field(default_factory=dict)  # token -> remembered? (each once)
    _hidden: set[str] = field(default_factory=set)  # the tokens of `_known` remembered

    def note(self, kind: str, value: str) -> None:
        """A rule redacted `value`: hide it wherever the run repeats it."""
        values = _key_body(value) if kind == KEY_BLOCK else _values_of(value)
        for one in values:
            if one not in self.values:
                self.values[one] = kind
                self._pattern = None

    def hide(self, text: str) -> str:
        """The known values of the run, and remembered ones, replaced."""
        if self.values:
            if self._pattern is None:
                ordered = sorted(self.values, key=len, reverse=True)
                self._pattern = re.compile("|".join(map(re.escape, ordered)))
            text = self._pattern.sub(lambda m: f"[REDACTED:{self.values[m.group(0)]}]", text)
        remembered = self.memory is not None and self.memory.digests
        if remembered and self._holds_remembered(set(_TOKEN.findall(text))):
            text = _TOKEN.sub(self._remembered, text)
        return text

    def _holds_remembered(self, tokens: set[str]) -> bool:
        """Is any of the tokens remembered (`_is_remembered`)? The tokens not met before are
        hashed; the rest are answered by set operations on those met, without a call each."""
        for token in tokens.difference(self._known):
            self._is_remembered(token)
        return not self._hidden.isdisjoint(tokens)

    def by_line(self) -> bool:
        """Does `hide` read a text line by line: is `hide(text)` each line of it hidden, joined
        by `\\n`? Yes while no value holds a line break: a value's match and a token (no
        whitespace) then lie in one line, and a replacement holds none."""
        return not any("\n" in value for value in self.values)

    def _is_remembered(self, token: str) -> bool:
        """Is the token's digest remembered? Each distinct token of a run hashed once: a run
        repeats its paths and words in event after event."""
        known = self._known.get(token)
        if known is None:
            memory = self.memory
            known = memory is not None and memory.digest(token) in memory.digests
            self._known[token] = known
            if known:
                self._hidden.add(token)
        return known

    def _remembered(self, match: re.Match[str]) -> str:
        token = match.group(0)
        return "[REDACTED:remembered_secret]" if self._is_remembered(token) else token

    def digests(self) -> set[str]:
        """Digests of this run's values that are single tokens (those a later run can find)."""
        if self.memory is None:
            return set()
        return {self.memory.digest(v) for v in self.values if _TOKEN.fullmatch(v)}


def _values_of(secret: str) -> list[str]:
    """What of a redacted secret may be repeated alone: the value itself when it looks like
    one, each line of a key block's base64 body, and its random-looking tokens (the password
    of `user:password`)."""
    lines = [line.strip() for line in secret.splitlines()]
    found = [line for line in lines if _KEY_BODY_LINE.match(line)]
    if len(secret) >= MIN_VALUE and not any(c.isspace() for c in secret) and _random(secret):
        found.append(secret)
    found += [t for t in _TOKEN.findall(secret) if _random(t) and t not in found]
    return [value for value in found if "-----" not in value]  # not a key block's markers


KEY_BLOCK = "private_key"  # the rule that takes a key block from its BEGIN line on
_BEGIN = re.compile(r"^.*?-----BEGIN [A-Z ]*-----", re.S)
# A line break as written in the text or escaped in a JSON string.
_BREAK = re.compile(r"\\+r\\+n|\\+n|\\+r|\r\n|\n|\r")  # escaped twice too (JSON in JSON)
# A line number a tool printed before the file's line (`   2→`, `2\t`, grep -n's `2:`).
_LINE_NUMBER = re.compile(r"^\s*\d+(?:→|\\u2192|\\+t|\t|:)")
_AROUND = " \t\"'`$|,+"  # a line's quotes and marks in source, a table, a diff, `cat -A`
_PEM_HEADER = re.compile(r"^[A-Za-z-]+: ")  # `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`
_BASE64_WORD = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
MIN_KEY_WORD = 16  # characters of a body line (or word) worth hiding wherever it is repeated


def _key_body(block: str) -> list[str]:
    """The base64 body of a key block: its lines from the BEGIN line (headers and blank lines
    before them aside) to the END line or the first line that is no base64. A block printed
    without its body (`head -1`) runs on over whatever followed, to the text's end: none of
    that (another file's name, a transcript's own fields) is the key's."""
    body: list[str] = []
    for segment in _BREAK.split(_BEGIN.sub("", block, count=1)):
        line, end, _ = _LINE_NUMBER.sub("", segment).replace("\\/", "/").partition("-----END")
        words = line.strip(_AROUND).split()
        if not body and not end and (not words or _PEM_HEADER.match(line.strip())):
            continue
        if not all(_BASE64_WORD.match(word) for word in words):
            break
        if not body and not any(_KEY_BODY_LINE.match(word) for word in words):
            break  # a body's first line is a full one: `StrictHostKeyChecking no` is none
        body += [w for w in words if len(w) >= MIN_KEY_WORD and w not in body]
        if end or not body:
            break
    return body


def _random(value: str) -> bool:
    """Random-looking: digits among letters, three kinds of characters, or long. A word a rule
    took by mistake ("Basic Configuration") must not be hidden all over the run."""
    digits, lower, upper, other = (
        any(test(c) for c in value)
        for test in (str.isdigit, str.islower, str.isupper, lambda c: not c.isalnum())
    )
    kinds = digits + lower + upper + other
    return (digits and (lower or upper)) or kinds >= 3 or len(value) >= 20


def current() -> RunSecrets | None:
    return _CURRENT.get()


@contextlib.contextmanager
def reading(memory: Memory | None = None) -> Iterator[RunSecrets]:
    """Within: every `redact()` notes the values it hides and hides the values noted."""
    with using(RunSecrets(memory)) as found:
        yield found


@contextlib.contextmanager
def using(found: RunSecrets) -> Iterator[RunSecrets]:
    token = _CURRENT.set(found)
    try:
        yield found
    finally:
        _CURRENT.reset(token)
