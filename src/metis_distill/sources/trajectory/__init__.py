"""Agent trajectories saved as one JSON document: SWE-agent `*.traj`, mini-SWE-agent
`*.traj.json` and OpenHands event lists (the first format and the software-agent SDK's).

SWE-agent (2024 schema): an object with `trajectory` (steps of `thought`/`action`/`observation`),
`history` (the chat sent to the model) and `info` (`exit_status`, `submission`); demonstration
files may hold only `history` (function-calling messages with `tool_calls` / `tool_call_ids`).
mini-SWE-agent: `messages` (the chat: a shell command per assistant message, its
`<returncode>`/`<output>` in the next message) beside `info`.
OpenHands: a list of events, actions (`action`, `args`) and observations (`observation`,
`content`, `extras`) linked by `cause` -> action `id`; the SDK's events carry a `kind`, their
`action`/`observation` objects, linked by `tool_call_id`. OpenHands' GitHub resolver writes
one record (`issue`, `history`, `metrics`, …) whose events are flat (`dataclasses.asdict`: no
`args`, `extras`, `id` nor `source`), each observation after its action.

The document is pretty-printed, so line numbers matter: it is walked with the stdlib decoder
(`raw_decode` at offsets) to learn where every record and every key/value starts and ends, and
each event's SourceRef covers exactly the key/value lines it came from. A record that does not
decode is skipped and counted; the walk resumes at the next record of the same indentation.
A document that cannot be read at all is one corrupt line and a Run with no events.
"""

from __future__ import annotations

from metis_distill.sources.base import SourceFormat
from metis_distill.sources.trajectory.document import FORMAT, parse_lines
from metis_distill.sources.trajectory.openhands_resolver import several_records
from metis_distill.sources.trajectory.sniff import looks_like

SOURCE = SourceFormat(FORMAT, looks_like, parse_lines, unread=several_records)
parse_file = SOURCE.parse_file

__all__ = ["FORMAT", "SOURCE", "looks_like", "parse_file", "parse_lines"]
