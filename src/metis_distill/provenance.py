"""Does a link resolve? One function for the tests, the eval and the review (contract 1)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from metis_distill import secret_memory
from metis_distill.redact import redact
from metis_distill.render.evidence import NoteSource, read_header
from metis_distill.textio import read_lines

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = re.compile(r"\s+")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_FRAGMENT = re.compile(r"^(?P<path>.+?)#L(?P<a>\d+)(?:-L?(?P<b>\d+))?$")


def json_unescape(text: str) -> str:
    """Undo JSON string escapes; unknown escapes and lone surrogates are kept as they are."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code[0] == "u" else _SIMPLE[code]

    unescaped = _ESCAPE.sub(one, text)
    return unescaped.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def normalize(text: str) -> str:
    """JSON unescaping, terminal colour codes dropped, whitespace collapsed."""
    return _WS.sub(" ", _ANSI.sub("", json_unescape(text))).strip()


def span_text(path: Path, line_start: int, line_end: int) -> str | None:
    """Redacted text of lines a..b, or None when the file or the lines do not exist. A secret
    found anywhere in the file is hidden in these lines too (contract 10)."""
    if not path.is_file():
        return None
    lines = _file_lines(path)
    with _secrets_of(path):
        return lines_text(lines, line_start, line_end)


def span_lines(path: Path, line_start: int, line_end: int) -> list[str] | None:
    """The redacted lines a..b of a file (each huge line cut to its two ends), or None when
    the file or the lines do not exist. A secret found anywhere in the file is hidden here too."""
    if not path.is_file():
        return None
    lines = _file_lines(path)
    count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    if line_start < 1 or line_end < line_start or line_end > count:
        return None
    with _secrets_of(path):
        return [redact(_ends(line)) for line in lines[line_start - 1 : line_end]]


Lines = Sequence[str] | Mapping[int, str]
# Of a huge line (a 50 MB tool output on one line) only this many characters at each end are
# redacted and searched: a quote is short and comes from the start or the end of an output.
LINE_WINDOW = 256 * 1024


def lines_text(lines: Lines, line_start: int, line_end: int) -> str | None:
    """Redacted text of lines a..b of an already read file: a list of all its lines (a trailing
    empty one is no line) or a mapping of line number to text (lines read from an offset).
    A huge line gives its two ends only (see LINE_WINDOW): bounded work on every run."""
    if line_start < 1 or line_end < line_start:
        return None
    if isinstance(lines, Mapping):
        if any(n not in lines for n in range(line_start, line_end + 1)):
            return None
        return redact("\n".join(_bounded(lines[n]) for n in range(line_start, line_end + 1)))
    count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    if line_end > count:
        return None
    return redact("\n".join(_bounded(line) for line in lines[line_start - 1 : line_end]))


def _bounded(line: str) -> str:
    if len(line) <= 2 * LINE_WINDOW:
        return line
    return f"{line[:LINE_WINDOW]}\n…\n{line[-LINE_WINDOW:]}"  # no quote spans the cut


def _ends(line: str) -> str:
    """A huge line's two ends, on one line."""
    if len(line) <= 2 * LINE_WINDOW:
        return line
    return f"{line[:LINE_WINDOW]} … {line[-LINE_WINDOW:]}"


def quote_in_lines(lines: Lines, line_start: int, line_end: int, quote: str) -> bool:
    """Does the span hold the quote? Both are normalized (JSON unescaping, whitespace). Text
    that was JSON inside a JSON string (tool arguments) is unescaped once more, and a quote
    whose own backslashes are literal is tried as it is."""
    text = lines_text(lines, line_start, line_end)
    if text is None or not quote.strip():
        return False
    haystack = normalize(text)
    needles = {normalize(quote), _WS.sub(" ", quote).strip()}
    if any(n in haystack for n in needles):
        return True
    deeper = normalize(json_unescape(text))
    return any(n in deeper for n in needles)


def quote_in_span(path: Path, line_start: int, line_end: int, quote: str) -> bool:
    if not path.is_file():
        return False
    memo = _MEMO.get()
    if memo is None:
        return _quote_in_file(path, line_start, line_end, quote)
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, line_start, line_end, quote)
    if key not in memo:
        memo[key] = _quote_in_file(path, line_start, line_end, quote)
    return memo[key]


def _quote_in_file(path: Path, line_start: int, line_end: int, quote: str) -> bool:
    lines = _file_lines(path)
    with _secrets_of(path):
        return quote_in_lines(lines, line_start, line_end, quote)


QuotedSpan = tuple[Path, int, int, str]  # a file, its lines a..b and the quote they must hold
_MEMO: ContextVar[dict[tuple[str, int, int, int, int, str], bool] | None] = ContextVar(
    "metis_provenance_memo", default=None
)


@contextlib.contextmanager
def checking(spans: Iterable[QuotedSpan]) -> Iterator[None]:
    """Within: `quote_in_span` answers each span once (keyed by the file's size and mtime
    too), and `spans` are checked first, file after file, so that each file is read and
    redacted once however many lessons quote it (a publish verifies every lesson's evidence,
    lesson by lesson, more than once)."""
    token = _MEMO.set({})
    try:
        for path, line_start, line_end, quote in sorted(spans, key=lambda s: (str(s[0]), s[1:])):
            quote_in_span(path, line_start, line_end, quote)
        yield
    finally:
        _MEMO.reset(token)


def _file_lines(path: Path) -> list[str]:
    stat = path.stat()
    return _lines(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _lines(path: str, size: int, mtime_ns: int) -> list[str]:  # noqa: ARG001 (cache keys)
    """A file's lines, cached while its size and mtime stay the same."""
    return read_lines(Path(path))


def _secrets_of(path: Path) -> AbstractContextManager[object]:
    """The secret values of the whole file (and the data dir's memory), unless a run is being
    read already (the pipeline knows them)."""
    if secret_memory.current() is not None:
        return nullcontext()
    stat = path.stat()
    return secret_memory.using(_file_secrets(str(path), stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=64)
def _file_secrets(path: str, size: int, mtime_ns: int) -> secret_memory.RunSecrets:
    with secret_memory.reading(secret_memory.memory_of_file(Path(path))) as found:
        redact("\n".join(_lines(path, size, mtime_ns)))
    return found


@dataclass(frozen=True)
class Link:
    path: Path
    line_start: int
    line_end: int


def parse_link(link: str, base_dir: Path) -> Link:
    """A rendered `path#La-Lb` link, made absolute against the folder it was written in."""
    match = _FRAGMENT.match(link)
    if not match:
        raise ValueError(f"not a provenance link: {link!r}")
    path = Path(unquote(match["path"]))
    a = int(match["a"])
    return Link(path if path.is_absolute() else base_dir / path, a, int(match["b"] or a))


def resolve(link: str, quote: str, base_dir: Path) -> bool:
    """True when the link's lines exist and contain the quote (after redaction, normalized)."""
    target = parse_link(link, base_dir)
    return quote_in_span(target.path, target.line_start, target.line_end, quote)


def note_source(link: str, base_dir: Path) -> NoteSource | None:
    """What the evidence file a rendered line links to says of its span (archive path, lines,
    sha256, quote); None when the link opens no evidence file."""
    target = parse_link(link, base_dir)
    if not target.path.is_file():
        return None
    return read_header(target.path.read_text(encoding="utf-8", errors="replace"))


def resolve_line(link: str, base_dir: Path) -> bool:
    """A rendered line's link resolves with no archive at hand (a clone, a pull request): its
    evidence file's linked lines hold the quote its header names."""
    source = note_source(link, base_dir)
    return source is not None and resolve(link, source.quote, base_dir)
