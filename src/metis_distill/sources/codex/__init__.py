"""Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`).

One JSON object per line: `{"timestamp", "type", "payload"}` with type `session_meta`,
`turn_context`, `response_item`, `event_msg` or `compacted`. Older rollouts (before the
envelope) hold a `{"id", "timestamp", "instructions"}` header, `{"record_type": "state"}`
lines and bare response items; they are read too.

Sources of truth, to count nothing twice:
- prose comes from `response_item` messages (what the model saw). `event_msg`
  `user_message`/`agent_message` repeat them and are used only when their text has no such
  message in the file (a file cut before the item was written);
- tool output comes from `function_call_output`/`custom_tool_call_output`; `exec_command_end`
  and `patch_apply_end` only fill in an exit code or failure the output lacks, or stand in for
  an output that is missing;
- reasoning (encrypted) and `agent_reasoning` are dropped.
Text the harness injects as a user message (`<environment_context>`, `<user_instructions>`,
AGENTS.md, developer messages) is kept as a system SUMMARY: visible context, never read by the
miner as a person's words. The IDE extension's "# Context from my IDE setup" prefix is cut
off and only the request under "## My request for Codex:" is the person's text.
A person's message that comes right after a tool call or its output, with no turn started or
ended since (`turn_context`, `task_started`, `turn_aborted`...), was typed while the agent
worked: Codex steers the running turn with it. It is marked `mid_turn`, like Claude Code's
queued messages.
"""

from __future__ import annotations

from metis_distill.sources.base import SourceFormat
from metis_distill.sources.codex.rollout import FORMAT, parse_lines
from metis_distill.sources.codex.sniff import looks_like

SOURCE = SourceFormat(
    FORMAT, looks_like, parse_lines, parse_raw=parse_lines, carried="turn_context"
)
parse_file = SOURCE.parse_file

__all__ = ["FORMAT", "SOURCE", "looks_like", "parse_file", "parse_lines"]
