"""Lessons and hits as plain, JSON-ready dicts: what `--json` prints and the MCP tools return.

Every text passes through `redact` on its way out (the ledger holds redacted text already;
this is the second lock on the door), a lesson's text and quotes through `redact.shareable`:
an agent asking over MCP sends them on. Keys come in a fixed order, so the output is stable.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from metis_distill.redact import redact, shareable
from metis_distill.retrieve.search import Hit
from metis_distill.retrieve.store import Evidence, Lesson


def evidence_link(row: Evidence) -> str:
    """The span in the archive, `{archive_root}/{archive_path}#La-Lb` (contract 2's link,
    made absolute: there is no target file to be relative to)."""
    path = (Path(row.archive_root) / row.path).as_posix()
    return f"{quote(path)}#L{row.line_start}-L{row.line_end}"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def evidence_record(row: Evidence) -> dict[str, Any]:
    return {
        "link": evidence_link(row),
        "quote": shareable(row.quote),
        "session": row.session_id,
        "cwd": redact(row.cwd) if row.cwd else None,
        "timestamp": _iso(row.timestamp),
    }


def lesson_record(lesson: Lesson, *, all_evidence: bool = False) -> dict[str, Any]:
    """A lesson with the evidence link its rendered line has and, when asked, every piece of
    evidence."""
    record: dict[str, Any] = {
        "id": lesson.id,
        "kind": lesson.kind,
        "status": lesson.status,
        "text": shareable(lesson.text),
        "support": lesson.support,
        "severity": lesson.severity,
        "first_seen": _iso(lesson.first_seen),
        "last_seen": _iso(lesson.last_seen),
        "evidence": evidence_link(linked) if (linked := lesson.strongest) else None,
        "evidence_count": len(lesson.evidence),
    }
    if all_evidence:
        record["all_evidence"] = [evidence_record(e) for e in lesson.evidence]
    return record


def hit_record(hit: Hit) -> dict[str, Any]:
    return {
        **lesson_record(hit.lesson),
        "score": round(hit.score, 3),
        "similarity": round(hit.similarity, 3),
        "keyword": round(hit.keyword, 3),
        "matched": [redact(m) for m in hit.matched],
    }
