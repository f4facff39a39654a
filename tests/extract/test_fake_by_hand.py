"""The fake Messages API served by hand (`python -m tests.fakes.anthropic_server`), as the
README tells a user to try `--extractor claude` with no key: the real SDK gets an answer."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import anthropic

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_fake_served_by_hand_answers_the_real_sdk() -> None:
    port = _free_port()
    served = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.anthropic_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert served.stdout is not None
        said = served.stdout.readline()
        assert f"http://127.0.0.1:{port}" in said
        client = anthropic.Anthropic(api_key="fake", base_url=f"http://127.0.0.1:{port}")
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=100,
            messages=[{"role": "user", "content": '<event n="1">\nnpm test failed\n</event>'}],
        )
        assert reply.content and reply.content[0].type == "tool_use"
    finally:
        served.terminate()
        served.wait(timeout=10)
