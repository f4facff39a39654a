"""Authored Claude Code transcripts for the extractor tests, one JSON record a line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Record = dict[str, Any]
CWD = "/home/dev/src/shop"
SESSION = "5e7d0c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6"


def user(text: str) -> Record:
    return {"type": "user", "message": {"role": "user", "content": text}}


def queued(text: str) -> Record:
    """What the user typed while the agent worked (Claude Code's `queued_command`)."""
    attachment = {"type": "queued_command", "commandMode": "prompt", "prompt": text}
    return {"type": "attachment", "attachment": attachment}


def agent(text: str) -> Record:
    return {"type": "assistant", "message": {"content": [{"type": "text", "text": text}]}}


def tool(tool_id: str, name: str, **tool_input: Any) -> Record:
    block = {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}
    return {"type": "assistant", "message": {"content": [block]}}


def output(tool_id: str, text: str, *, error: bool = False) -> Record:
    block = {"type": "tool_result", "tool_use_id": tool_id, "content": text, "is_error": error}
    return {"type": "user", "message": {"role": "user", "content": [block]}}


def write(root: Path, records: list[Record], *, branch: str = "main") -> Path:
    """The transcript under `root` (its archive root), one line per record, in order."""
    path = root / "-home-dev-src-shop" / f"{SESSION}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, record in enumerate(records, start=1):
        base = {
            "sessionId": SESSION,
            "cwd": CWD,
            "gitBranch": branch,
            "uuid": f"u-{n:03d}",
            "timestamp": f"2026-11-03T09:{n:02d}:00.000Z",
        }
        lines.append(json.dumps({**base, **record}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def noise(count: int, start: int = 0) -> str:
    """Lines of a passing test run, to make an output long."""
    return "\n".join(
        f"tests/test_module_{i:03d}.py ........ [ {i % 100:2d}%]"
        for i in range(start, start + count)
    )


# A failure whose cause sits in the middle of a long output, the agent's reasoning before and
# after it, a user's message in the middle of the turn, an edit that fixes it and the same
# command passing right after.
PRICE_ERROR = "E       AttributeError: 'LineItem' object has no attribute 'price_cents'"
BEFORE = "I'll switch the cart to integer cents and then run the whole test suite."
AFTER = "The fixture still builds line items from float prices, so price_cents was never set."
MIDTURN = "Keep every amount in integer cents, floats broke the invoice rounding last year."
ADDED = "price_cents: int = 0"
PASSED = "312 passed in 4.20s"


def cents_session() -> list[Record]:
    failing = "\n".join(
        [
            "Exit code 1",
            noise(150),
            "=================================== FAILURES ===================================",
            "____________________________ test_cart_total_cents _____________________________",
            ">       assert cart.total_cents() == 1250",
            PRICE_ERROR,
            "tests/test_cart.py:41: AttributeError",
            noise(150, 150),
            "FAILED tests/test_cart.py::test_cart_total_cents",
            "1 failed, 311 passed in 4.31s",
        ]
    )
    return [
        user("Switch the cart totals to cents please."),
        agent(BEFORE),
        tool("t1", "Bash", command="uv run pytest -q", description="Run the tests"),
        output("t1", failing, error=True),
        agent(AFTER),
        queued(MIDTURN),
        tool(
            "t2",
            "Edit",
            file_path=f"{CWD}/shop/models.py",
            old_string="class LineItem:\n    price: float",
            new_string=f"class LineItem:\n    price: float\n    {ADDED}",
        ),
        output("t2", f"The file {CWD}/shop/models.py has been updated."),
        tool("t3", "Bash", command="uv run pytest -q", description="Run the tests"),
        output("t3", f"{noise(3)}\n{PASSED}"),
        agent("The cart now keeps totals in integer cents; all tests pass."),
    ]


# A failure the miner cannot see (curl exits 0 on a 404), explained by the agent later on.
BASE_PATH = "the dev server serves the app under the `/app/` base path, not at the root"


def base_path_session() -> list[Record]:
    return [
        user("Check that the landing page renders."),
        tool("t1", "Bash", command="npm run dev &", description="Start the dev server"),
        output("t1", "VITE v5.4.0  ready in 312 ms\n  Local:   http://localhost:5173/app/"),
        tool("t2", "Bash", command="curl -s http://localhost:5173/", description="Fetch it"),
        output("t2", "<html><body>404 Not Found</body></html>"),
        tool("t3", "Bash", command="curl -s http://localhost:5173/app/", description="Fetch it"),
        output("t3", "<!doctype html><html><head><title>Shop</title></head></html>"),
        agent(f"Confirmed: {BASE_PATH}, as set in vite.config.ts; the page renders there."),
    ]
