"""A file may hold several sessions (contract 3): a Codex rollout resumed under a second
`session_meta`, an aider history with several launches. Support counts each session."""

from __future__ import annotations

import json
from pathlib import Path

from metis_distill.curate.select import Scope, lessons_for
from metis_distill.ledger import Ledger
from tests.curate.sessions import distil

RULE = "Always run the tests with uv run pytest so the venv is used."


def codex_rollout(path: Path) -> None:
    rows = []
    for n, session in enumerate(
        ("0194a1b2-0000-7000-8000-00000000000a", "0194a1b2-0000-7000-8000-00000000000b")
    ):
        stamp = f"2026-11-2{n}T10:00:0"
        meta = {"id": session, "cwd": "/home/dev/src/shop", "cli_version": "0.50.0"}
        rows.append({"timestamp": f"{stamp}0.000Z", "type": "session_meta", "payload": meta})
        said = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": RULE}],
        }
        rows.append({"timestamp": f"{stamp}1.000Z", "type": "response_item", "payload": said})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def aider_history(path: Path) -> None:
    launches = []
    for day in ("2026-11-20", "2026-11-21"):
        launches += [f"# aider chat started at {day} 09:00:00", "", "> Aider v0.82.1  "]
        launches += ["> Cur working dir: /home/dev/src/shop  ", "", f"#### {RULE}  ", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(launches) + "\n", encoding="utf-8")


def support_of_the_rule(archive: Path, tmp_path: Path, embedder) -> int:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    distil(archive, data, embedder, tmp_path / "CLAUDE.md")
    ledger = Ledger.at(data)
    (view,) = [v for v in lessons_for(ledger, Scope(None)) if "uv run pytest" in v.text]
    ledger.close()
    return view.support


def test_a_codex_file_with_two_sessions_counts_two(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "archive"
    codex_rollout(
        archive / "codex" / "rollout-2026-11-20T10-00-00-0194a1b2-0000-7000-8000-00000000000a.jsonl"
    )
    assert support_of_the_rule(archive, tmp_path, embedder) == 2


def test_an_aider_history_with_two_launches_counts_two(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "archive"
    aider_history(archive / "shop" / ".aider.chat.history.md")
    assert support_of_the_rule(archive, tmp_path, embedder) == 2
