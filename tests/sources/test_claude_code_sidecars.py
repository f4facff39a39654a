"""The notes Claude Code keeps beside its subagents' transcripts hold no run: each is skipped
with its reason, not as a file of an unknown format."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.sources import detect

_META = '{"agentType":"workflow-subagent"}\n'
_JOURNAL = (
    '{"type":"started","key":"v2:3fa9","agentId":"a0c1d2e3f4a5b6c7d"}\n'
    '{"type":"result","key":"v2:3fa9","agentId":"a0c1d2e3f4a5b6c7d","result":{"ok":true}}\n'
)


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("agent-a0c1d2e3f4a5b6c7d.meta.json", _META, "note of a subagent's type"),
        ("journal.jsonl", _JOURNAL, "journal of a workflow's subagents"),
    ],
)
def test_a_subagents_note_is_skipped_with_what_it_is(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    folder = tmp_path / "proj" / "3e89eb15" / "subagents" / "workflows" / "wf_1"
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    found = detect(folder / name)
    assert found.format is None and said in (found.reason or "")


def test_another_journal_is_still_of_an_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text('{"type":"entry","text":"went for a walk"}\n')
    assert detect(path).reason == "unknown format"
