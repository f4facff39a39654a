"""The lines of a proposed managed block, read back with their lessons from the ledger."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from metis_distill.evaluate.block import RenderedLesson
from metis_distill.evaluate.gold import Span
from metis_distill.ledger import EvidenceRow, Ledger
from metis_distill.render.claude_md import find_block

LINE = re.compile(r"^- (?P<text>.*) \(\[evidence\]\((?P<link>[^)]+)\).*<!-- metis:(?P<id>\w+) -->$")


def block_lines(proposed: str) -> list[re.Match[str]]:
    """The rendered lesson lines of the managed block (none when there is no block)."""
    block = find_block(proposed)
    if block is None:
        return []
    return [m for m in map(LINE.match, block.body.splitlines()) if m is not None]


def rendered_lessons(proposed: str, ledger: Ledger) -> list[RenderedLesson]:
    """Each rendered line with its lesson's kind, support (distinct sessions) and evidence."""
    lines = block_lines(proposed)
    rows = {row.id: row for row in ledger.lessons()}
    evidence = ledger.evidence_of([m["id"] for m in lines])
    out = []
    for m in lines:
        found = evidence.get(m["id"], [])
        out.append(
            RenderedLesson(
                lesson_id=m["id"],
                kind=rows[m["id"]].kind,
                text=m["text"],
                support=len({e.session_id for e in found}) or 1,
                spans=spans_by_path(found),
                fix=rows[m["id"]].fix,
            )
        )
    return out


def spans_by_path(evidence: Sequence[EvidenceRow]) -> tuple[tuple[str, tuple[Span, ...]], ...]:
    spans: dict[str, list[Span]] = defaultdict(list)
    for e in evidence:
        spans[e.path].append((e.line_start, e.line_end))
    return tuple((path, tuple(found)) for path, found in sorted(spans.items()))
