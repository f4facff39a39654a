"""How many conversations taught a lesson: its support.

A lesson's support is the number of distinct sessions its evidence comes from, with a session
and its resumption counted once. `claude --resume` (and `--continue`) writes a new session
file that begins with a copy of the conversation it resumes: the same events, with their
`uuid`s, sometimes under the new session's id. Counted by session id alone, one failure
seen once would count twice, and a one-off would render as recurring. So two sessions whose
evidence holds the same event (the same UUID) are one conversation. Only UUIDs join sessions:
other formats' native ids (OpenHands' event numbers) repeat from one run to the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)


class Sighting(Protocol):
    """A piece of evidence as any reader holds it: its session and its event's own id."""

    @property
    def session_id(self) -> str: ...

    @property
    def native_id(self) -> str | None: ...


def support(evidence: Iterable[Sighting]) -> int:
    """The distinct conversations the evidence comes from (sessions that share an event are
    one: a resumed session and the one it resumes)."""
    parent: dict[str, str] = {}
    holder: dict[str, str] = {}  # an event's UUID -> a session it was seen in

    def root(session: str) -> str:
        while parent[session] != session:
            parent[session] = parent[parent[session]]
            session = parent[session]
        return session

    for piece in evidence:
        session = piece.session_id
        parent.setdefault(session, session)
        event = piece.native_id
        if event is None or not _UUID.match(event):
            continue
        other = holder.setdefault(event.lower(), session)
        parent[root(session)] = root(other)
    return sum(1 for session in parent if parent[session] == session)
