"""What an edit call changed, recovered from its own line of the file.

The parsers keep only the path an edit touched as the call's text; Claude needs the change
itself to judge a fix. The call's input is found again by its tool-use id in the JSON of the
line (Claude Code `Edit`/`MultiEdit`/`Write`, Codex `apply_patch` as a tool or a shell heredoc,
the `str_replace_editor` family) and shown as a small diff, redacted and bounded. Formats whose
calls span several lines (pretty-printed trajectories) get no diff.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from metis_distill.mine.signals import EDIT_TOOLS
from metis_distill.models import Event, EventKind
from metis_distill.provenance import Lines
from metis_distill.redact import shareable

MAX_DIFF = 4000  # characters; the excerpt cuts further to its own budget
_CUT = "[…]"
_PATCH_BEGIN = "*** Begin Patch"
_PATCH_END = "*** End Patch"
_OLD_NEW = (("old_string", "new_string"), ("old_str", "new_str"))
_WHOLE_FILE = ("content", "file_text", "new_source")


def edit_diff(event: Event, lines: Lines | None, limit: int = MAX_DIFF) -> str:
    """The change an edit call made, as diff lines; "" when the event is no edit call or its
    input is not found on its line."""
    found = edit_input(event, lines)
    if found is None:
        return ""
    diff = _render(found).strip()
    if len(diff) > limit:
        diff = diff[: limit - len(_CUT) - 1].rstrip() + "\n" + _CUT
    return shareable(diff)


def edit_input(event: Event, lines: Lines | None) -> dict[str, Any] | None:
    """The input an edit call was given, read again from its line; None when the event is no
    edit call or its input is not found there."""
    if lines is None or event.kind is not EventKind.TOOL_CALL or not event.tool_use_id:
        return None
    if event.tool_name not in EDIT_TOOLS or event.ref.line_start != event.ref.line_end:
        return None
    record = _record(lines, event.ref.line_start)
    return None if record is None else _call_input(record, event.tool_use_id)


def _record(lines: Lines, number: int) -> Any:
    if isinstance(lines, Mapping):
        raw = lines.get(number)
    else:
        raw = lines[number - 1] if 0 < number <= len(lines) else None
    if raw is None or not raw.lstrip().startswith("{"):
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _call_input(record: Any, tool_id: str) -> dict[str, Any] | None:
    """The input of the call whose `id` or `call_id` is `tool_id`, anywhere in the record."""
    for node in _dicts(record):
        if tool_id not in (node.get("id"), node.get("call_id")):
            continue
        raw = node.get("input", node.get("arguments"))
        if isinstance(raw, dict):
            return raw
        if isinstance(raw, str):
            return _arguments(raw)
    return None


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _arguments(raw: str) -> dict[str, Any]:
    """Function-call arguments are JSON in a string; a custom tool's input is the patch."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return {"patch": raw}
    return parsed if isinstance(parsed, dict) else {"patch": raw}


def edit_changes(args: dict[str, Any]) -> list[tuple[str, str]]:
    """An edit's replacements as (old text, new text); a whole file written as ("", its
    text); a patch gives none."""
    edits = args.get("edits")
    if isinstance(edits, list):
        return [c for e in edits if isinstance(e, dict) for c in edit_changes(e)]
    for old_key, new_key in _OLD_NEW:
        old, new = args.get(old_key), args.get(new_key)
        if isinstance(old, str) and isinstance(new, str):
            return [(old, new)]
    whole = next((args[k] for k in _WHOLE_FILE if isinstance(args.get(k), str)), None)
    return [("", whole)] if whole is not None else []


def _render(args: dict[str, Any]) -> str:
    edits = args.get("edits")
    if isinstance(edits, list):
        return "\n".join(_render(e) for e in edits if isinstance(e, dict))
    for old_key, new_key in _OLD_NEW:
        old, new = args.get(old_key), args.get(new_key)
        if isinstance(old, str) and isinstance(new, str):
            return _replacement(old, new)
    for key in _WHOLE_FILE:
        whole = args.get(key)
        if isinstance(whole, str):
            return "\n".join(f"+{line}" for line in whole.splitlines())
    return _patch(args)


def _replacement(old: str, new: str) -> str:
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
    return "\n".join(
        "@@" if line.startswith("@@") else line
        for line in diff
        if not line.startswith(("---", "+++"))
    )


def _patch(args: dict[str, Any]) -> str:
    """An `apply_patch` envelope: the tool's own input, or a shell command's heredoc."""
    for value in (args.get("patch"), args.get("input"), args.get("command"), args.get("cmd")):
        script = " ".join(value) if isinstance(value, list) else value
        if isinstance(script, str) and _PATCH_BEGIN in script:
            body = script[script.index(_PATCH_BEGIN) :]
            end = body.find(_PATCH_END)
            return body if end < 0 else body[: end + len(_PATCH_END)]
    return ""
