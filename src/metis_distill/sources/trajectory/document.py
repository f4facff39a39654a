"""One trajectory document read into a Run: which format it holds, and the run's facts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from metis_distill.models import Run
from metis_distill.sources.common import events_of, unversioned
from metis_distill.sources.trajectory.mini_swe_agent import mini_messages
from metis_distill.sources.trajectory.openhands import openhands
from metis_distill.sources.trajectory.openhands_resolver import (
    is_flat_event,
    resolver_history,
    resolver_session,
)
from metis_distill.sources.trajectory.positioned import Corrupt, Doc, Node, read_root
from metis_distill.sources.trajectory.sniff import is_openhands_event
from metis_distill.sources.trajectory.state import State
from metis_distill.sources.trajectory.swe_agent import swe_history, swe_info, swe_steps, swe_task

FORMAT = "trajectory"


def parse_lines(rel_path: str, lines: Iterable[tuple[int, str]]) -> Run:
    """A Run from numbered lines of the file at `rel_path` (relative to its archive root)."""
    doc, nonblank = Doc.of(lines)
    state = State(rel_path=rel_path, doc=doc)
    root = read_root(doc)
    if root is not None:
        try:
            _dispatch(state, root)
        except (Corrupt, RecursionError):  # a value that decoded once and not twice: no event
            doc.mark_corrupt(root.start)
    return _finish(state, nonblank)


def _dispatch(state: State, root: Node) -> None:
    if root.items is not None:
        openhands(state, _flatten(root.items))
        state.session_id = state.session_id or _cache_chunk_session(Path(state.rel_path))
        return
    if _is_event_node(root):  # one event of an OpenHands event store
        openhands(state, [root])
        return
    members = root.members or {}
    steps, history = members.get("trajectory"), members.get("history")
    messages, info = members.get("messages"), members.get("info")
    if steps is not None and steps.items and any(_is_event_node(n) for n in steps.items):
        openhands(state, _flatten(steps.items))
    elif steps is not None and steps.items is not None and steps.items:
        swe_task(state, history)
        swe_steps(state, steps.items)
    elif history is not None and history.items and is_flat_event(history.items[0].value):
        resolver_history(state, history.items)
        state.session_id = resolver_session(root.value.get("issue"))
    elif history is not None and history.items is not None:
        swe_history(state, history.items)
    elif messages is not None and messages.items is not None and info is not None:
        mini_messages(state, messages.items, info)
    else:
        state.unknown += 1
        return
    if info is not None and info.members:
        swe_info(state, info.members)


def _flatten(items: list[Node]) -> Iterator[Node]:
    """Records of an event list; old OpenHands histories hold [action, observation] pairs."""
    for item in items:
        if item.items is not None:
            yield from item.items
        else:
            yield item


def _is_event_node(node: Node) -> bool:
    return isinstance(node.value, dict) and is_openhands_event(node.value)


def _finish(state: State, nonblank: int) -> Run:
    rel = Path(state.rel_path)
    return Run(
        path=state.rel_path,
        source_format=FORMAT,
        session_id=state.session_id or _store_session(rel) or unversioned(rel.stem),
        project=rel.parent.name,
        cwd=state.cwd,
        git_branch=None,
        started_at=state.span.first,
        ended_at=state.span.last,
        is_subagent=False,
        events=events_of(state.rel_path, state.drafts),
        stats=state.tally(nonblank).stats(len(state.drafts)),
    )


def _store_session(rel: Path) -> str | None:
    """`sessions/<id>/events/N.json` and `sessions/<id>/event_cache/0-25.json`: the session is
    the folder above (every session has a `0-25.json`)."""
    if rel.parent.name in ("events", "event_cache") and len(rel.parts) >= 3:
        return rel.parent.parent.name
    return None


def _cache_chunk_session(rel: Path) -> str | None:
    """A list of OpenHands events copied out of its session's folder under a name of its own
    (`<repo>__<id>__25-50.json`): the session is the name without the chunk's range."""
    if rel.parent.name == "event_cache":
        return None  # the folder above names it
    chunk = _CACHE_CHUNK.match(unversioned(rel.stem))
    if chunk is None or int(chunk["last"]) - int(chunk["first"]) != _CHUNK_EVENTS:
        return None  # `run-2025-01-15.json`: a date, no range of events
    return chunk["session"]


# The range of events an OpenHands event-cache chunk holds (25 a chunk, `0-25`, `25-50`),
# after the session's name.
_CACHE_CHUNK = re.compile(r"^(?P<session>.+?)[_.-]+(?P<first>\d+)-(?P<last>\d+)$")
_CHUNK_EVENTS = 25
