"""The review report of a proposal, in Markdown (terminal, Prefect artifact) and static HTML.

Both are rendered from one view of the proposal: its items with their evidence and decisions,
the hand edits kept, and the diff. The HTML opens from disk with no server and loads nothing.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, replace
from functools import cache
from itertools import zip_longest
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from metis_distill.ledger import Ledger, ProposalRow
from metis_distill.redact import redact
from metis_distill.render.claude_md import line_id
from metis_distill.review import layout as layouts
from metis_distill.review.notes import Notes, ProposalNotes, notes_of
from metis_distill.review.plan import (
    EvidenceItem,
    Item,
    Plan,
    change_counts,
    unified_diff,
)
from metis_distill.review.target import read_target
from metis_distill.statuses import Change, ItemDecision, ProposalOrigin
from metis_distill.templating import TEMPLATES, environment
from metis_distill.textio import atomic_write_text

CONTEXT_LINES = 3


@dataclass(frozen=True)
class ShownItem:
    number: int
    change: Change
    id: str
    kind: str
    text: str
    support: int
    evidence: tuple[EvidenceItem, ...]
    before: str
    decision: ItemDecision
    why: str = ""  # why a line is retired


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side diff."""

    kind: str  # same | del | add | change | gap
    left_no: int | None
    left: str
    right_no: int | None
    right: str
    item: int | None


@dataclass(frozen=True)
class View:
    proposal_id: int
    target: str
    created: str
    origin: str
    extractor: str
    rewind_note: str
    counts: str
    hand_edited: bool
    learned: tuple[tuple[str, str], ...]
    kept: tuple[str, ...]
    foreign: tuple[str, ...]
    deleted: tuple[str, ...]
    items: tuple[ShownItem, ...]
    diff: str
    rows: tuple[Row, ...]
    usage_note: str
    pending_note: str
    notes: Notes


def write_reports(
    plan: Plan,
    row: ProposalRow,
    folder: Path,
    notes: ProposalNotes,
    decisions: dict[int, ItemDecision] | None = None,
) -> None:
    """report.md and report.html of the plan, its links made relative to the folder."""
    view = make_view(plan, row, folder, notes, decisions or {})
    atomic_write_text(folder / "report.md", markdown(view))
    atomic_write_text(folder / "report.html", html(view))


def make_view(
    plan: Plan,
    row: ProposalRow,
    folder: Path,
    stored: ProposalNotes,
    decisions: dict[int, ItemDecision],
) -> View:
    notes = notes_of(stored)
    items = tuple(
        _shown(
            _rebased(i, plan.target, folder),
            decisions.get(i.number, ItemDecision.PENDING),
            notes.retired.get(i.id, "") if i.change == Change.RETIRED else "",
        )
        for i in plan.items
    )
    return View(
        proposal_id=row.id,
        target=str(plan.target),
        created=row.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        origin=plan.origin,
        extractor=stored.extractor or "rules",
        rewind_note=stored.rewind_note or "",
        counts=_counts(plan.items),
        hand_edited=plan.hand_edited,
        learned=plan.learned,
        kept=plan.kept,
        foreign=plan.foreign,
        deleted=plan.deleted,
        items=items,
        diff=_redacted_lines(plan.diff),
        rows=side_by_side(plan.current, plan.proposed, plan.items),
        usage_note=stored.usage_note or "",
        pending_note=stored.pending_note or "",
        notes=notes,
    )


def _shown(item: Item, decision: ItemDecision, why: str) -> ShownItem:
    return ShownItem(
        item.number,
        item.change,
        item.id,
        item.kind,
        item.text,
        item.support,
        item.evidence,
        item.before,
        decision,
        why,
    )


def _counts(items: tuple[Item, ...]) -> str:
    """ "1 line added", "3 lines added, 1 retired"."""
    said = change_counts(i.change for i in items)
    if not said:
        return "no line added, reworded or removed"
    first, _, rest = said.partition(" ")
    return f"{first} {'line' if first == '1' else 'lines'} {rest}"


def markdown(view: View) -> str:
    return environment().get_template("report.md.j2").render(**_fields(view))


def html(view: View) -> str:
    return _html_environment().get_template("report.html.j2").render(**_fields(view))


def _fields(view: View) -> dict[str, Any]:
    return {name: getattr(view, name) for name in View.__dataclass_fields__}


@cache
def _html_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=select_autoescape(["html", "j2"], default=True),
    )


def side_by_side(before: str, after: str, items: tuple[Item, ...]) -> tuple[Row, ...]:
    """The changed parts of two texts, line against line, with a few lines of context."""
    left, right = before.splitlines(), after.splitlines()
    number = {i.id: i.number for i in items}
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        if rows:
            rows.append(Row("gap", None, "…", None, "…", None))
        for tag, i1, i2, j1, j2 in group:
            pairs = zip_longest(range(i1, i2), range(j1, j2))
            for a, b in pairs:
                kind = {"equal": "same", "delete": "del", "insert": "add"}.get(tag, "change")
                kind = kind if a is not None and b is not None else ("add" if a is None else "del")
                text_a = redact(left[a]) if a is not None else ""
                text_b = redact(right[b]) if b is not None else ""
                item = _item_of(text_b, number) or _item_of(text_a, number)
                rows.append(
                    Row(
                        kind,
                        None if a is None else a + 1,
                        text_a,
                        None if b is None else b + 1,
                        text_b,
                        item if kind != "same" else None,
                    )
                )
    return tuple(rows)


def _redacted_lines(text: str) -> str:
    """Redacted line by line, so a redaction never merges or shifts lines."""
    return "".join(redact(line) for line in text.splitlines(keepends=True))


def _item_of(line: str, number: dict[str, int]) -> int | None:
    found = line_id(line)
    return number.get(found) if found else None


def _rebased(item: Item, target: Path, folder: Path) -> Item:
    """The item with its evidence links made relative to the report's own folder."""
    evidence = tuple(
        replace(e, link=_rebase(e.link, target, folder / "report.md")) for e in item.evidence
    )
    return replace(item, evidence=evidence)


def _rebase(link: str, old: Path, new: Path) -> str:
    path, _, fragment = link.partition("#")
    absolute = (old.parent / unquote(path)).resolve()
    relative = Path(os.path.relpath(absolute, new.parent.resolve())).as_posix()
    return f"{quote(relative)}#{fragment}"


def refresh(ledger: Ledger, row: ProposalRow) -> None:
    """Rewrite the reports and diff.patch of a proposal after decisions: what is decided, and
    the diff that accepting what still waits would make to the target as it is now."""
    folder = Path(row.folder)
    meta = json.loads((folder / "proposal.json").read_text(encoding="utf-8"))
    decisions = {i.number: ItemDecision(i.decision) for i in ledger.proposal_items(row.id)}
    target = Path(row.target)
    current = read_target(target)
    waiting = [n for n, d in decisions.items() if d != ItemDecision.REJECTED]
    if len(waiting) == len(decisions):
        proposed = (folder / "proposed.md").read_bytes().decode("utf-8")
    else:
        preamble = meta.get("preamble", "")
        proposed = layouts.apply(current, layouts.from_json(row.layout), waiting, preamble)
    plan = Plan(
        target=target,
        current=current,
        proposed=proposed,
        diff=unified_diff(current, proposed, target.name),
        items=tuple(_item(i) for i in meta["items"]),
        hand_edited=bool(meta.get("hand_edited", False)),
        learned=tuple((x["lesson"], x["words"]) for x in meta.get("learned", [])),
        kept=tuple(meta.get("kept", [])),
        foreign=tuple(meta.get("foreign", [])),
        origin=ProposalOrigin(meta.get("origin", ProposalOrigin.DISTILL)),
        deleted=tuple(meta.get("deleted", [])),
        preamble=meta.get("preamble", ""),
    )
    write_reports(plan, row, folder, ProposalNotes.read(meta.get("summary", {})), decisions)
    atomic_write_text(folder / "diff.patch", plan.diff)


def _item(data: dict[str, Any]) -> Item:
    evidence = tuple(EvidenceItem(**e) for e in data["evidence"])
    return Item(**{**data, "change": Change(data["change"]), "evidence": evidence})
