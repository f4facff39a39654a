from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metis_distill import provenance, secret_memory, terminal
from metis_distill import redact as redaction
from metis_distill.provenance import (
    checking,
    json_unescape,
    normalize,
    parse_link,
    quote_in_span,
    resolve,
    span_text,
)
from tests.conftest import FIXTURES, SAMPLE


@pytest.fixture
def transcript(tmp_path: Path) -> Path:
    lines = [
        {"type": "user", "message": {"content": "Run the tests"}},
        {
            "type": "user",
            "message": {
                "content": "Exit code 1\nE   ModuleNotFoundError: No module named 'statsforecast'"
            },
        },
        {"type": "assistant", "message": {"content": 'Path is C:\\Users\\dev and a "quoted" word'}},
        {"type": "user", "message": {"content": "key sk-ant-api03-" + "Q" * 60}},
    ]
    path = tmp_path / "archive" / "p" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return path


def test_quote_in_span_resolves(transcript: Path) -> None:
    base = transcript.parent.parent
    assert resolve("p/s.jsonl#L2-L2", "No module named 'statsforecast'", base)
    assert resolve("p/s.jsonl#L1-L3", "ModuleNotFoundError: No module", base)


def test_escapes_and_whitespace_are_normalized(transcript: Path) -> None:
    base = transcript.parent.parent
    assert resolve("p/s.jsonl#L3", 'C:\\Users\\dev and a "quoted"   word', base)
    assert resolve("p/s.jsonl#L2-L2", "Exit code 1 E ModuleNotFoundError", base)


@pytest.mark.parametrize(
    ("link", "quote"),
    [
        ("p/s.jsonl#L1-L1", "statsforecast"),  # right file, wrong line
        ("p/s.jsonl#L4-L5", "key"),  # past the end of the file
        ("p/missing.jsonl#L1-L1", "Run the tests"),  # no such file
        ("p/s.jsonl#L1-L1", "   "),  # an empty quote proves nothing
    ],
)
def test_bad_links_do_not_resolve(transcript: Path, link: str, quote: str) -> None:
    assert not resolve(link, quote, transcript.parent.parent)


def test_secrets_are_redacted_before_matching(transcript: Path) -> None:
    base = transcript.parent.parent
    assert resolve("p/s.jsonl#L4-L4", "key [REDACTED:anthropic_key]", base)
    assert not resolve("p/s.jsonl#L4-L4", "QQQQQQQQQQ", base)


def test_link_parsing_and_unescaping() -> None:
    link = parse_link("../a%20b/s.jsonl#L3-L9", Path("/x/y"))
    assert (link.path, link.line_start, link.line_end) == (Path("/x/y/../a b/s.jsonl"), 3, 9)
    assert json_unescape(r"a\nb \"c\" \u00e9 \ud83d\ude00") == 'a\nb "c" é 😀'
    assert normalize("  a \n\t b ") == "a b"


def test_a_huge_line_is_read_at_its_two_ends_only(tmp_path: Path) -> None:
    from metis_distill.provenance import LINE_WINDOW, lines_text

    middle = "".join(f"build step {n} ok\n" for n in range(400_000))  # ~7 MB on one line
    content = f"Exit code 2\nnpm ERR! code ELIFECYCLE\n{middle}make: *** [all] Error 2"
    line = json.dumps({"type": "user", "message": {"content": content}})
    path = tmp_path / "archive" / "p" / "big.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(line + "\n")
    text = lines_text([line], 1, 1)
    assert text is not None and len(text) <= 2 * LINE_WINDOW + 3  # the work is bounded
    base = tmp_path / "archive"
    assert resolve("p/big.jsonl#L1", "npm ERR! code ELIFECYCLE", base)  # the output's start
    assert resolve("p/big.jsonl#L1", "make: *** [all] Error 2", base)  # and its end
    assert not resolve("p/big.jsonl#L1", "build step 200000 ok", base)  # not its middle


def test_checking_answers_each_span_once_per_file_state(tmp_path: Path) -> None:
    """A publish checks every lesson's evidence inside `checking`: the answers are those of
    `quote_in_span` alone, and a file changed meanwhile is read again."""
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "run uv sync first"}\n{"text": "then pytest"}\n')
    spans = [(path, 1, 1, "uv sync"), (path, 2, 2, "then pytest"), (path, 1, 1, "pytest")]
    alone = [quote_in_span(*span) for span in spans]
    assert alone == [True, True, False]
    with checking(spans):
        assert [quote_in_span(*span) for span in spans] == alone
        path.write_text('{"text": "pip install first, longer"}\n{"text": "then pytest"}\n')
        assert not quote_in_span(path, 1, 1, "uv sync")


def test_checking_shares_the_files_out_to_the_processes_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked processes answer the spans and find each file's secrets, kept for the spans'
    text: a value that a rule finds on one line is hidden on another line of the same file,
    and no file is redacted whole again here."""
    secret = "Zq9" + "x7Lw" * 6
    files = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.jsonl"
        path.write_text(f'{{"text": "API_KEY={secret}"}}\n{{"text": "it was {secret} here"}}\n')
        files.append(path)
    spans = [(p, n, n, q) for p in files for n, q in [(1, "API_KEY"), (2, "it was"), (2, "nope")]]
    asked: list[int] = []

    def two(size: int) -> int:
        asked.append(size)
        return 2

    alone = [quote_in_span(*span) for span in spans]
    provenance._file_secrets.cache_clear()
    with checking(spans, two):
        monkeypatch.setattr(provenance, "_file_secrets", None)  # not called again
        assert [quote_in_span(*span) for span in spans] == alone == [True, True, False] * 3
        assert span_text(files[0], 2, 2) == '{"text": "it was [REDACTED:assigned_secret] here"}'
    assert asked == [sum(p.stat().st_size for p in files)]


def test_each_files_memory_is_its_folders_and_reaches_the_forked_checks(tmp_path: Path) -> None:
    """The data dir's memory of each file, asked once per folder of the files' real paths, is
    `memory_of_file`'s; the checks in forked processes and in this one hide a token it
    remembers, as `quote_in_span` alone does (a file linked from another archive is its own)."""
    token = "Remembered-Token-42x"
    kept, plain = tmp_path / "kept" / "archive" / "p", tmp_path / "plain" / "archive" / "p"
    kept.mkdir(parents=True)
    plain.mkdir(parents=True)
    memory = secret_memory.memory_beside(kept.parent)
    assert memory is not None
    memory.remember([memory.digest(token)])
    files = []
    for folder in (kept, plain):
        for name in ("a", "b"):
            path = folder / f"{name}.jsonl"
            path.write_text(f'{{"text": "the token {token} works"}}\n')
            files.append(path)
    (plain / "c.jsonl").symlink_to(files[0])
    files.append(plain / "c.jsonl")
    memories = provenance._memories([str(p) for p in files])
    assert memories == [secret_memory.memory_of_file(p) for p in files]
    assert [m is not None for m in memories] == [True, True, False, False, True]
    said = (f"the token {token}", "[REDACTED:remembered_secret] works")
    spans = [(p, 1, 1, q) for p in files for q in said]
    alone = [quote_in_span(*span) for span in spans]
    assert alone == [False, True] * 2 + [True, False] * 2 + [False, True]
    for processes in (provenance.this_process, lambda _: 2):
        with checking(spans, processes):
            assert [quote_in_span(*span) for span in spans] == alone


# The reference readings, as written before `normalize` took its faster path: one regex call
# per escape, the UTF-16 round trip of every text, both passes of `printable`, `\s+` collapsed.
def _unescape_reference(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code[0] == "u" else provenance._SIMPLE[code]

    unescaped = provenance._ESCAPE.sub(one, text)
    return unescaped.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _printable_reference(text: str) -> str:
    return terminal._CONTROL.sub("", terminal.ESCAPES.sub("", text))


def _normalize_reference(text: str) -> str:
    return re.sub(r"\s+", " ", _printable_reference(_unescape_reference(text))).strip()


_JSONISH = st.lists(
    st.sampled_from(
        ["\\", "\\\\", '\\"', "\\n", "\\t", "\\u00e9", "\\ud83d", "\\ude00", "\\uD800", "\\u12"]
        + ["\\x", "\\/", "\\b", "\\f", "\\r", "u0041", "\x1b[31m", "\x1b]0;title\x07", "\x1b"]
        + ["\x00", "\x07", "\x7f", "\r", "\n", "\t", " ", "  ", "\u00a0", "\u2003", "\u3000"]
        + ["\x1c", "\x85", "\u2028", "\ud800", "\udc00", "\U0001f600", "caf\u00e9", "word", "x"]
    )
    | st.text(max_size=3)
).map("".join)


@settings(max_examples=600, deadline=None)
@given(_JSONISH)
def test_normalize_reads_as_the_reference(text: str) -> None:
    """The fast path (escapes split out, no round trip without surrogates, one scan for
    control characters, whitespace collapsed by `str.split`) reads every text as before."""
    assert json_unescape(text) == _unescape_reference(text)
    assert terminal.printable(text) == _printable_reference(text)
    assert normalize(text) == _normalize_reference(text)
    assert provenance.collapse(text) == re.sub(r"\s+", " ", text).strip()


def test_str_split_splits_where_backslash_s_matches() -> None:
    """`collapse` relies on it for every character there is."""
    spaces = re.compile(r"\s")
    for code in range(0x110000):
        char = chr(code)
        assert bool(spaces.match(char)) == char.isspace() == (f"a{char}b".split() == ["a", "b"])


def test_normalize_reads_the_fixtures_and_the_corpus_as_the_reference(corpus: Path) -> None:
    checked = 0
    for root in (FIXTURES, SAMPLE, corpus):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            text = path.read_bytes().decode("utf-8", "replace")
            assert normalize(text) == _normalize_reference(text), path
            checked += 1
    assert checked > 40


def _quote_in_lines_reference(lines: list[str], quote: str) -> bool:
    """`quote_in_lines` as written before it tried the quote's own line first."""
    text = provenance.lines_text(lines, 1, len(lines))
    if text is None or not quote.strip():
        return False
    haystack = normalize(text)
    needles = {normalize(quote), provenance.collapse(quote)}
    if any(n in haystack for n in needles):
        return True
    deeper = normalize(json_unescape(text))
    if any(n in deeper for n in needles):
        return True
    shown = provenance.hide_person(deeper)
    return any(provenance.hide_person(n) in shown for n in needles)


# Terminal escapes begun on one line and ended on another, as written and as JSON escapes.
_TERMINAL = st.lists(
    st.sampled_from(["\x1b]", "\\u001b]", "\\u001B]", "\x1b[", "0;", "title", "\x07"])
    | st.sampled_from(["\\u0007", "\x1b\\", "\\u001b\\\\", "31m", " ", "x", "\\n"])
).map("".join)


@st.composite
def _span_and_quote(draw: st.DrawFn) -> tuple[list[str], str]:
    """Lines of escapes, control characters and terminal escapes, and a quote cut from one of
    them: as written, normalized, or anything."""
    lines = draw(st.lists(_JSONISH | _TERMINAL, min_size=1, max_size=5))
    line = draw(st.sampled_from(lines))
    kind = draw(st.sampled_from(["raw", "normalized", "any"]))
    source = {"raw": line, "normalized": normalize(line), "any": draw(_JSONISH)}[kind]
    start = draw(st.integers(0, len(source)))
    return lines, source[start : draw(st.integers(start, len(source)))]


@settings(max_examples=1500, deadline=None)
@given(_span_and_quote())
@example((["\x1b]0;", "title\x07 seen"], "title seen"))
@example((["\\u001b]0;", "title\\u0007 seen"], "title seen"))
@example((["\\u001B]0;", "title\x07 seen"], "title seen"))
@example((["a\\nbc"], "nbc"))
def test_a_quote_in_one_line_is_in_the_whole_span(span: tuple[list[str], str]) -> None:
    """The fast path: a needle one line holds, normalized, is in the span normalized (no
    escape, control character or whitespace `normalize` rewrites reaches across a line, but
    an OSC escape), and `quote_in_lines` answers as it did reading the whole span."""
    lines, quote = span
    text = "\n".join(lines)
    for needle in (normalize(quote), provenance.collapse(quote)):
        if provenance._in_one_line(text, needle):
            assert needle in normalize(text)
    assert provenance.quote_in_lines(lines, 1, len(lines), quote) == _quote_in_lines_reference(
        lines, quote
    )


def test_the_fast_path_finds_quotes_in_the_corpus(corpus: Path) -> None:
    """It is taken: the quotes of the corpus's lines are found in their line, as a whole."""
    taken = 0
    for path in sorted((corpus / "claude-code").glob("*.jsonl"))[:4]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number in range(0, len(lines) - 2, 7):
            span = lines[number : number + 3]
            quote = normalize(span[1])[40:120]
            taken += provenance._in_one_line("\n".join(span), quote)
            assert provenance.quote_in_lines(span, 1, 3, quote) == _quote_in_lines_reference(
                span, quote
            )
    assert taken > 20


# Secrets of a run in the lines of a span: remembered tokens, values a rule found in another
# line (one of them holding a line break: no rule notes such a value, but `RunSecrets` takes
# any), values a rule finds in the span, what a replacement writes, and an ESC.
_REMEMBERED = ["S3cret-Pw!x", "hunter2hunter2"]
_VALUES = ["Zq8vLm2Xk9Rt", "Ab3dEf6hIj9k\nsecond", "x" * 8]
_SECRET_PIECES = st.lists(
    st.sampled_from(
        [*_REMEMBERED, *_VALUES, "Zq8vLm2Xk9", "hunter2", " ", "=", ":", '"', "/", "[", "]"]
        + ["REDACTED", "[REDACTED:remembered_secret]", "remembered_secret", "password=", "x"]
        + ["AKIAIOSFODNN7EXAMPLE", "api_key=", "\\n", "\\u001b", "\x1b", "word", "\u00e9"]
    ),
    max_size=10,
).map("".join)


class _Drawn(NamedTuple):
    """A span of secrets and where its quote comes from: `source` is `raw` (one of the lines as
    written), `redacted` (that line as `redact` shows it) or any other text, cut at start..end."""

    lines: list[str]
    values: list[str]  # the run's noted values (a subset of `_VALUES`)
    line: int
    source: str
    start: int = 0
    end: int = 400

    def quote(self) -> str:
        line = self.lines[self.line]
        if self.source == "redacted":  # made here: the rules are not a strategy's work
            text = _run_secrets(self.values).hide(redaction.by_rules(line))
        else:
            text = line if self.source == "raw" else self.source
        return text[self.start : max(self.start, self.end)]


@st.composite
def _secret_span(draw: st.DrawFn) -> _Drawn:
    lines = draw(st.lists(_SECRET_PIECES, min_size=1, max_size=4))
    values = draw(st.lists(st.sampled_from(_VALUES), unique=True, max_size=3))
    source = draw(st.sampled_from(["raw", "redacted"]) | _SECRET_PIECES)
    start, end = sorted(draw(st.lists(st.integers(0, 120), min_size=2, max_size=2)))
    return _Drawn(lines, values, draw(st.integers(0, len(lines) - 1)), source, start, end)


def _run_secrets(values: list[str]) -> secret_memory.RunSecrets:
    plain = secret_memory.Memory(Path("unused"), b"k" * 32, frozenset())
    memory = secret_memory.Memory(
        plain.folder, plain.key, frozenset(map(plain.digest, _REMEMBERED))
    )
    return secret_memory.RunSecrets(memory, dict.fromkeys(values, "generic_secret"))


@settings(max_examples=1500, deadline=None)
@given(_secret_span())
@example(_Drawn(["the S3cret-Pw!x works"], [], 0, "S3cret-Pw!x works"))
@example(_Drawn(["the S3cret-Pw!x works"], [], 0, "[REDACTED:remembered_secret] works"))
@example(_Drawn(["Ab3dEf6hIj9k", "second"], ["Ab3dEf6hIj9k\nsecond"], 0, "raw"))
@example(_Drawn(["a Zq8vLm2Xk9Rt b"], ["Zq8vLm2Xk9Rt"], 0, "a Zq8vLm2Xk9Rt"))
def test_a_quote_looked_for_in_its_line_hidden_answers_as_the_span_redacted(
    span: _Drawn,
) -> None:
    """The fast path hides the run's secrets in the lines it reads only: `quote_in_lines`
    answers as it did reading `lines_text`, the whole span redacted, with the same run's
    secrets (memory and values) current; and `hide` reads line by line when `by_line` says so."""
    lines, values, quote = span.lines, span.values, span.quote()
    with secret_memory.using(_run_secrets(values)):
        fast = provenance.quote_in_lines(lines, 1, len(lines), quote)
    with secret_memory.using(_run_secrets(values)):
        assert fast == _quote_in_lines_reference(lines, quote)
    found, text = _run_secrets(values), "\n".join(lines)
    if found.by_line():
        assert found.hide(text) == "\n".join(map(found.hide, lines))


def test_a_replacement_holds_no_line_break_escape_or_backslash() -> None:
    """What `_in_one_line` relies on: `hide` writes `[REDACTED:kind]`, of the rules' kinds and
    `remembered_secret`, none of them holding what an ESC check or a line reads."""
    for kind in [*redaction.kinds(), "remembered_secret"]:
        written = f"[REDACTED:{kind}]"
        assert not any(c in written for c in "\n\x1b\\"), kind


@pytest.mark.parametrize(
    ("lines", "quote"),
    [
        # an evidence file's excerpt shows the persons hidden; the ledger's quote has them
        (["fatal: cannot open ~/src/shop/.git/config"], "open /home/ana/src/shop/.git/config"),
        # a prompt showed them hidden, and Claude quoted what it was shown
        (["push refused: private address ana.lima@mailbox.test"], "private address …@mailbox.test"),
        (["fatal: cannot open /home/ana/src/shop/.git/config"], "open ~/src/shop/.git/config"),
    ],
)
def test_a_quote_and_its_span_match_with_their_persons_hidden(lines: list[str], quote: str) -> None:
    assert provenance.quote_in_lines(lines, 1, 1, quote)
    other = quote.replace("open", "read").replace("private", "public")
    assert not provenance.quote_in_lines(lines, 1, 1, other)
