"""A lesson the repository already states is not proposed again.

The documents read: the context files of the repository (CLAUDE.md, CLAUDE.local.md,
.claude/CLAUDE.md, AGENTS.md, each outside its managed block, and those of sub-folders),
`.claude/rules/**/*.md`, and the README at the root. Each is cut into statements (a list
item, a sentence, a table row; code blocks left out). A statement states a lesson when it
holds the lesson's key terms (its code spans, its words with digits, dots, slashes or
capitals) and enough of its words, or most of its words whatever its key terms.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from metis_distill.ledger import LessonView
from metis_distill.render.claude_md import find_block, line_id

ROOT_FILES = ("CLAUDE.md", "CLAUDE.local.md", ".claude/CLAUDE.md", "AGENTS.md", "README.md")
NESTED = ("CLAUDE.md", "AGENTS.md")  # a sub-folder's README may describe anything (a sample)
MAX_FILES = 200
MAX_BYTES = 1_000_000
WORDS_WITH_TERMS = 0.5  # share of a lesson's words a statement needs beside one key term
WORDS_ALONE = 0.75  # ... and with no key term at all
_FENCE = re.compile(r"^\s*(```|~~~)")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")
_CODE = re.compile(r"`([^`]+)`")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|\([^)]*“[^)]*\)")
_ASIDE = re.compile(r"\([^)]*\)")
_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*[A-Za-z0-9_]|[A-Za-z0-9]")
_WORD = re.compile(r"[a-z]{3,}")
# Words every lesson uses: they say nothing about which lesson it is.
_COMMON_WORDS = (
    "the and for not with you your use used using run runs ran here there this that these "
    "those instead first then when what which from into onto was were are has have had its "
    "can cannot must should will would does did fails failed fail failing works worked work "
    "seen file files line lines always never only also again before after every each any all "
    "one two get got make made see set our out way per via than but yet else because since"
)
_COMMON = frozenset(_COMMON_WORDS.split())


# Capitalised words that name no particular thing.
_GENERIC_TERMS = frozenset(
    {"path", "error", "warning", "note", "todo", "api", "url", "json", "cli", "id", "ok", "n"}
)


@dataclass(frozen=True)
class Statement:
    where: str  # "README.md:12"
    text: str
    tokens: frozenset[str]
    words: frozenset[str]


@dataclass(frozen=True)
class Documented:
    lesson_id: str
    text: str
    where: str  # the first statement that states it: "README.md:12"


def documents(root: Path) -> list[Path]:
    """The repository's documents: its context files, rules and README."""
    found = [root / name for name in ROOT_FILES]
    rules = root / ".claude" / "rules"
    if rules.is_dir():
        found += sorted(rules.rglob("*.md"))
    found += [root / rel for rel in _tracked(root, NESTED)]
    unique = dict.fromkeys(p for p in found if p.is_file() and p.stat().st_size <= MAX_BYTES)
    return list(unique)[:MAX_FILES]


def _tracked(root: Path, names: Sequence[str]) -> list[str]:
    specs = [f":(glob)**/{name}" for name in names]
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", *specs],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:
        return []
    return [p for p in done.stdout.decode("utf-8", "replace").split("\0") if p]


def statements(root: Path, paths: Iterable[Path]) -> list[Statement]:
    """The statements of the documents, their managed blocks left out."""
    found: list[Statement] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        found += list(_statements_of(name, _without_block(text)))
    return found


def _without_block(text: str) -> str:
    """The text with its managed block blanked (line numbers kept); with no whole block (its
    end marker deleted), the lines metis wrote, each known by its evidence link."""
    block = find_block(text)
    if block is None:
        return "\n".join("" if line_id(line) else line for line in text.split("\n"))
    inside = text[block.start : block.end]
    return text[: block.start] + "\n" * inside.count("\n") + text[block.end :]


def _statements_of(name: str, text: str) -> Iterable[Statement]:
    """List items, table rows and the sentences of paragraphs, each with its first line."""
    fenced = False
    paragraph: list[str] = []
    start = 1
    for number, line in enumerate([*text.split("\n"), ""], start=1):
        if _FENCE.match(line):
            fenced = not fenced
        stripped = line.strip()
        new_unit = _ITEM.match(line) or stripped.startswith(("#", "|")) or not stripped
        if fenced or _FENCE.match(line) or new_unit:
            yield from _sentences(name, start, " ".join(paragraph))
            paragraph, start = [], number
            if not fenced and (_ITEM.match(line) or stripped.startswith("|")):
                paragraph = [_ITEM.sub("", line).strip("| ")]
            continue
        if not paragraph:
            start = number
        paragraph.append(stripped)
    yield from _sentences(name, start, " ".join(paragraph))


def _sentences(name: str, line: int, text: str) -> Iterable[Statement]:
    if not text.strip():
        return
    for sentence in _SENTENCE.split(text):
        tokens = frozenset(t.lower() for t in _TOKEN.findall(sentence))
        yield Statement(f"{name}:{line}", sentence, tokens, frozenset(_stems(sentence)))


def key_terms(text: str) -> set[str]:
    """A lesson's key terms: the words of its code spans and its telling words (digits,
    dots, slashes, underscores, capitals), its quoted error messages left out."""
    said = _QUOTED.sub(" ", text)
    terms = {t for span in _CODE.findall(said) for t in _TOKEN.findall(span) if len(t) > 1}
    plain = _CODE.sub(" ", said)
    for token in _TOKEN.findall(plain):
        telling = re.search(r"\d|[./_]", token) or (token.isupper() and len(token) > 1)
        if telling or re.search(r"[a-z][A-Z]", token):
            terms.add(token)
    return {t.lower() for t in terms} - _GENERIC_TERMS


def _stems(text: str) -> set[str]:
    words = _WORD.findall(_QUOTED.sub(" ", text).lower())
    return {_stem(w) for w in words if w not in _COMMON}


def _stem(word: str) -> str:
    for end in ("ing", "ed", "es", "s"):
        if word.endswith(end) and len(word) - len(end) >= 3:
            return word[: -len(end)]
    return word


def states(statement: Statement, lesson_text: str) -> bool:
    terms = key_terms(lesson_text)
    words = _stems(_ASIDE.sub(" ", _CODE.sub(" ", lesson_text)))  # asides are its details
    share = len(words & statement.words) / len(words) if words else 0.0
    if len(words) >= 3 and share >= WORDS_ALONE:
        return True  # most of its words: a detail it adds (a name, a number) changes nothing
    if not terms or not terms <= statement.tokens:
        return False
    return len(terms) >= 2 or share >= WORDS_WITH_TERMS


def already_documented(
    lessons: Iterable[LessonView], known: Sequence[Statement]
) -> dict[str, Documented]:
    """The lessons some statement of the repository already states."""
    found: dict[str, Documented] = {}
    for lesson in lessons:
        where = next((s.where for s in known if states(s, lesson.text)), None)
        if where is not None:
            found[lesson.id] = Documented(lesson.id, lesson.text, where)
    return found
