"""The lines of a proposed managed block, read back with their lessons from the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from metis_distill.conversations import support
from metis_distill.evaluate.block import RenderedLesson
from metis_distill.evaluate.gold import Span
from metis_distill.ledger import Evidence, Ledger
from metis_distill.render.claude_md import find_block
from metis_distill.render.parse import BlockLine, parse_block


def block_lines(proposed: str) -> list[BlockLine]:
    """The rendered lesson lines of the managed block (none when there is no block)."""
    block = find_block(proposed)
    if block is None:
        return []
    return [x for s in parse_block(block.body) for x in s.lines if x.id and x.link]


def rendered_lessons(
    proposed: str, ledger: Ledger, sources: Mapping[str, str] | None = None
) -> list[RenderedLesson]:
    """Each rendered line with its lesson's kind, support (distinct sessions) and evidence
    (its paths read as `sources` names them: the archive copy's source file)."""
    lines = block_lines(proposed)
    rows = {row.id: row for row in ledger.lessons()}
    evidence = ledger.evidence_of([m.id for m in lines if m.id])
    out = []
    for m in lines:
        lesson_id = m.id or ""
        found = evidence.get(lesson_id, [])
        out.append(
            RenderedLesson(
                lesson_id=lesson_id,
                kind=rows[lesson_id].kind,
                text=m.text,
                support=support(found) or 1,
                spans=spans_by_path(found, sources),
                fix=rows[lesson_id].fix,
            )
        )
    return out


def spans_by_path(
    evidence: Sequence[Evidence], sources: Mapping[str, str] | None = None
) -> tuple[tuple[str, tuple[Span, ...]], ...]:
    spans: dict[str, list[Span]] = defaultdict(list)
    for e in evidence:
        path = sources.get(e.path, e.path) if sources is not None else e.path
        spans[path].append((e.line_start, e.line_end))
    return tuple((path, tuple(found)) for path, found in sorted(spans.items()))
