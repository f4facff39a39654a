"""Does a link resolve? One function for the tests, the eval and the review (contract 1)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from metis_distill import redact as redaction
from metis_distill import secret_memory
from metis_distill.homes import hide_person
from metis_distill.redact import redact
from metis_distill.redact_file import read_and_note, redact_lines
from metis_distill.render.evidence import NoteSource, read_header
from metis_distill.terminal import printable
from metis_distill.textio import read_lines

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FRAGMENT = re.compile(r"^(?P<path>.+?)#L(?P<a>\d+)(?:-L?(?P<b>\d+))?$")


def json_unescape(text: str) -> str:
    """Undo JSON string escapes; unknown escapes and lone surrogates are kept as they are.

    The escapes are the pieces `_ESCAPE.split` puts between the text's (what `_ESCAPE.sub`
    would replace, without a call per escape); the round trip through UTF-16 that pairs
    surrogates changes nothing in a text that holds none."""
    if "\\" in text:
        parts = _ESCAPE.split(text)
        parts[1::2] = [_SIMPLE[c] if len(c) == 1 else chr(int(c[1:], 16)) for c in parts[1::2]]
        text = "".join(parts)
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def normalize(text: str) -> str:
    """JSON unescaping, terminal escapes and control characters dropped as `terminal.printable`
    drops them from the lines written (a quote taken from such a line is found), whitespace
    collapsed."""
    return collapse(printable(json_unescape(text)))


def collapse(text: str) -> str:
    """Each run of whitespace one space, none at the ends: `re.sub(r"\\s+", " ", text).strip()`
    (`str.split` splits where `\\s` matches: both read `str.isspace`), without the regex."""
    return " ".join(text.split())


def span_text(path: Path, line_start: int, line_end: int) -> str | None:
    """Redacted text of lines a..b, or None when the file or the lines do not exist. A secret
    found anywhere in the file is hidden in these lines too (contract 10)."""
    if not path.is_file():
        return None
    lines = file_lines(path)
    with _secrets_of(path):
        return lines_text(lines, line_start, line_end)


def span_lines(path: Path, line_start: int, line_end: int) -> list[str] | None:
    """The redacted lines a..b of a file (each huge line cut to its two ends), or None when
    the file or the lines do not exist. A secret found anywhere in the file is hidden here too."""
    if not path.is_file():
        return None
    lines = file_lines(path)
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
    joined = _joined(lines, line_start, line_end)
    return None if joined is None else redact(joined)


def _joined(lines: Lines, line_start: int, line_end: int) -> str | None:
    """Lines a..b joined, each huge line cut to its two ends; None when they do not exist."""
    if line_start < 1 or line_end < line_start:
        return None
    if isinstance(lines, Mapping):
        if any(n not in lines for n in range(line_start, line_end + 1)):
            return None
        return "\n".join(_bounded(lines[n]) for n in range(line_start, line_end + 1))
    count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    if line_end > count:
        return None
    return "\n".join(_bounded(line) for line in lines[line_start - 1 : line_end])


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
    whose own backslashes are literal is tried as it is. The text is `lines_text`'s: the rules
    run on the whole span, the run's secrets are hidden in the lines the quote's own line is
    looked for in, and only when it is not found there in the whole span."""
    joined = _joined(lines, line_start, line_end)
    if joined is None or not quote.strip():
        return False
    ruled = redaction.by_rules(joined)
    found = secret_memory.current()
    needles = {normalize(quote), collapse(quote)}
    if _line_by_line(found) and any(_in_one_line(ruled, n, _hider(found)) for n in needles):
        return True
    text = ruled if found is None else found.hide(ruled)  # `redact(joined)`
    haystack = normalize(text)
    if any(n in haystack for n in needles):
        return True
    deeper = normalize(json_unescape(text))
    if any(n in deeper for n in needles):
        return True
    # an evidence file and a prompt show home folders as `~` and e-mail addresses as
    # `…@host`: a quote as the archive has it is found in an evidence file, and a quote as a
    # prompt showed it in the archive, with the persons of both hidden the same way
    shown = hide_person(deeper)
    return any(hide_person(n) in shown for n in needles)


# Characters JSON may write otherwise (escaped) and those `normalize` drops or collapses: a
# quote's longest run of none of them is in the line it came from as it is.
_UNWRITTEN = re.compile(r'[\s\\"/\x00-\x1f\x7f]+')


def _line_by_line(found: secret_memory.RunSecrets | None) -> bool:
    """Does hiding the run's secrets read a text line by line (see `RunSecrets.by_line`)?"""
    return found is None or found.by_line()


def _hider(found: secret_memory.RunSecrets | None) -> Callable[[str], str]:
    return _as_it_is if found is None else found.hide


def _as_it_is(text: str) -> str:
    return text


def _in_one_line(text: str, needle: str, hide: Callable[[str], str] = _as_it_is) -> bool:
    """Does one line of `hide(text)`, normalized, hold the needle? Then `normalize(hide(text))`
    does: without ESC, `normalize` reads line by line (no escape, control character or run of
    whitespace it rewrites holds a newline, and a newline collapses to the space between
    the lines' own), so it holds each line's. Only the lines of `text` holding the needle's
    longest run of `_UNWRITTEN`-free characters are tried, each hidden (`hide` must read line
    by line: the lines of `hide(text)` are those of `text` hidden one by one), half the text's
    length at most: a quote comes from one line, a small part of its span (an escape written
    in ASCII only, or a probe `hide` writes, misses). `hide` puts no ESC in a text (its
    `[REDACTED:kind]` holds none, nor a backslash), so `text` without one gives a hidden text
    without one. False says nothing: the caller reads the whole text."""
    if "\x1b" in text or "\\u001b" in text or "\\u001B" in text:
        return False  # an OSC escape (`printable`) may run across lines
    probe = max(_UNWRITTEN.split(needle), key=len)
    budget = len(text) // 2
    start = text.find(probe)
    while start >= 0 and budget > 0:
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if needle in normalize(hide(text[begin:end])):
            return True
        budget -= end - begin
        start = text.find(probe, end + 1)
    return False


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
    lines = file_lines(path)
    with _secrets_of(path):
        return quote_in_lines(lines, line_start, line_end, quote)


QuotedSpan = tuple[Path, int, int, str]  # a file, its lines a..b and the quote they must hold
Spread = Callable[[int], int]  # bytes of files to check -> processes to check them in
_FileKey = tuple[str, int, int]  # a file's path, size and mtime
_Spans = list[tuple[int, int, str]]
_MEMO: ContextVar[dict[tuple[str, int, int, int, int, str], bool] | None] = ContextVar(
    "metis_provenance_memo", default=None
)
_SECRETS: ContextVar[dict[_FileKey, secret_memory.RunSecrets] | None] = ContextVar(
    "metis_provenance_secrets", default=None
)


def this_process(size: int) -> int:  # noqa: ARG001
    """`Spread`: no other process."""
    return 1


@contextlib.contextmanager
def checking(spans: Iterable[QuotedSpan], processes: Spread = this_process) -> Iterator[None]:
    """Within: `quote_in_span` answers each span once (keyed by the file's size and mtime
    too), and `spans` are checked first, file after file, each file read and redacted once
    however many lessons quote it (a publish verifies every lesson's evidence, lesson by
    lesson, more than once); the files are shared out over `processes(their bytes)` forked
    processes, and the secrets each holds are kept for the redaction of its spans."""
    files = _by_file(spans)
    memories = _memories([key[0] for key, _ in files])
    memo: dict[tuple[str, int, int, int, int, str], bool] = {}
    found: dict[_FileKey, secret_memory.RunSecrets] = {}
    checked = _checked(files, memories, processes)
    for (key, quoted), memory, (values, answers) in zip(files, memories, checked, strict=True):
        found[key] = secret_memory.RunSecrets(memory, values)
        memo.update({(*key, *span): ok for span, ok in zip(quoted, answers, strict=True)})
    token, secrets_token = _MEMO.set(memo), _SECRETS.set(found)
    try:
        yield
    finally:
        _MEMO.reset(token)
        _SECRETS.reset(secrets_token)


def _by_file(spans: Iterable[QuotedSpan]) -> list[tuple[_FileKey, _Spans]]:
    """The spans of each file that exists, the largest file first."""
    grouped: dict[_FileKey, _Spans] = {}
    for path, line_start, line_end, quote in spans:
        with contextlib.suppress(OSError):
            stat = path.stat()
            if path.is_file():
                key = (str(path), stat.st_size, stat.st_mtime_ns)
                grouped.setdefault(key, []).append((line_start, line_end, quote))
    return sorted(grouped.items(), key=lambda item: (-item[0][1], item[0][0]))


def _memories(paths: Sequence[str]) -> list[secret_memory.Memory | None]:
    """`secret_memory.memory_of_file` of each file, asked once per folder: it reads the folders
    above the file's real path, the same for every file of a folder."""
    of_folder: dict[str, secret_memory.Memory | None] = {}
    found = []
    for path in paths:
        folder = os.path.dirname(os.path.realpath(path))
        if folder not in of_folder:
            of_folder[folder] = secret_memory.memory_of_file(Path(path))
        found.append(of_folder[folder])
    return found


# The memories of the files a pool of forked workers checks, by the files' order: given by
# the parent, inherited (not pickled with each file)
_INHERITED: list[secret_memory.Memory | None] = []


def _checked(
    files: list[tuple[_FileKey, _Spans]],
    memories: list[secret_memory.Memory | None],
    processes: Spread,
) -> list[tuple[dict[str, str], list[bool]]]:
    workers = min(processes(sum(key[1] for key, _ in files)), len(files))
    if workers < 2:
        return [_check_file(item, memory) for item, memory in zip(files, memories, strict=True)]
    redaction.prepare()  # compiled once here, shared with the workers
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_inherit, initargs=(memories,)
    ) as pool:
        return list(pool.map(_check_inherited, files, range(len(files))))


def _inherit(memories: list[secret_memory.Memory | None]) -> None:
    """A forked worker's start: the memories kept, and gc.freeze (its collections leave what it
    inherited alone: not walked, and its pages not copied on write by the walk)."""
    global _INHERITED  # noqa: PLW0603 (the worker's own copy)
    _INHERITED = memories
    gc.freeze()


def _check_inherited(
    item: tuple[_FileKey, _Spans], number: int
) -> tuple[dict[str, str], list[bool]]:
    return _check_file(item, _INHERITED[number])


def _check_file(
    item: tuple[_FileKey, _Spans], memory: secret_memory.Memory | None
) -> tuple[dict[str, str], list[bool]]:
    """A file's secret values (value -> kind, in the order found) and whether each span holds
    its quote; `memory` is the file's data dir's (`memory_of_file`)."""
    (path, _, _), spans = item
    data = Path(path).read_bytes()
    with secret_memory.reading(memory) as found:
        lines = read_and_note(data)  # what `redact` of the joined text notes
    with secret_memory.using(found):
        answers = [quote_in_lines(lines, a, b, quote) for a, b, quote in spans]
    return found.values, answers


def file_lines(path: Path) -> list[str]:
    """`textio.read_lines(path)`, read again only once the file's size or mtime changes (the
    list is shared: not to be changed)."""
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
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    found = (_SECRETS.get() or {}).get(key)
    return secret_memory.using(found if found is not None else _file_secrets(*key))


@lru_cache(maxsize=64)
def _file_secrets(path: str, size: int, mtime_ns: int) -> secret_memory.RunSecrets:
    with secret_memory.reading(secret_memory.memory_of_file(Path(path))) as found:
        redact_lines(_lines(path, size, mtime_ns))  # what `redact` of the joined text notes
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
