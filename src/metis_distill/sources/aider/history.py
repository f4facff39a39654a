"""One aider history read into a Run."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from metis_distill.models import Run
from metis_distill.sources.aider.builder import Builder
from metis_distill.sources.aider.lexer import HEADER, Lexer
from metis_distill.sources.aider.state import State, last_part
from metis_distill.sources.common import events_of, unversioned

FORMAT = "aider"


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the file at `rel_path` (relative to its archive root)."""
    state = State(rel_path=rel_path, prefix=_session_prefix(rel_path))
    good: list[tuple[int, str]] = []
    for line_no, raw in lines:
        if not raw.strip():
            good.append((line_no, ""))
            continue
        state.tally.lines += 1
        if "\ufffd" in raw or "\x00" in raw:
            state.tally.corrupt.append(line_no)
            continue
        good.append((line_no, raw))
    convention = any(text.startswith(("> ", "#### ")) and text.endswith("  ") for _, text in good)
    lexer = Lexer(convention, _rewritten_launches(good) if convention else frozenset())
    for line_no, text in good:
        lexer.feed(line_no, text)
    Builder(state).run(lexer.blocks)
    state.tally.unknown = lexer.unknown
    return _finish(state)


def _rewritten_launches(good: list[tuple[int, str]]) -> frozenset[int]:
    """The launches (by header line; 0 before the first) with user lines, none of which ends
    in two spaces where aider ends every one so: a Markdown formatter rewrote them (it drops
    the two spaces that close a paragraph, puts `> ` before each line of a message and blank
    lines around fences), and the two spaces mark nothing there."""
    ended: dict[int, bool] = {}
    launch = 0
    for line_no, text in good:
        if HEADER.match(text):
            launch = line_no
        elif text.startswith("#### "):
            ended[launch] = ended.get(launch, False) or text.endswith("  ")
    return frozenset(n for n, any_ended in ended.items() if not any_ended)


def _finish(state: State) -> Run:
    rel = PurePosixPath(state.rel_path)
    root = state.git_root or state.cwd
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=state.first_session or state.prefix,
        project=last_part(root) if root else (rel.parent.name or rel.name),
        cwd=state.cwd or state.git_root,
        git_branch=None,
        started_at=state.span.first,
        ended_at=state.span.last,
        is_subagent=False,
        events=events_of(state.rel_path, state.drafts),
        stats=state.tally.stats(len(state.drafts)),
    )


def _session_prefix(rel_path: str) -> str:
    """The file's stem; the default hidden name gets its folder, to tell projects apart."""
    path = PurePosixPath(rel_path)
    stem = unversioned(path.name).removesuffix(".md")
    if stem.startswith(".") and path.parent.name:
        return f"{path.parent.name}/{stem}"
    return stem
