"""A fake Anthropic Messages API on 127.0.0.1 for the real `anthropic` SDK to talk to.

It records every request body and plays scripted replies in order; when the script runs out,
the default answer quotes the first long-enough event of the excerpt it was sent (so lessons
resolve), or whatever `responder` returns.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOOL = "record_lessons"
_EVENT = re.compile(r"<event [^>]*>\n(?P<text>.*?)\n</event>", re.S)


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def message(
    tool_input: dict[str, Any], *, input_tokens: int = 100, output_tokens: int = 50
) -> dict[str, Any]:
    """A Messages API answer whose only block is a call of the lessons tool."""
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",
        "content": [{"type": "tool_use", "id": "toolu_fake", "name": TOOL, "input": tool_input}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def lesson(text: str, *quotes: str, kind: str = "failure", severity: int = 2) -> dict[str, Any]:
    return {
        "kind": kind,
        "text": text,
        "scope": [],
        "severity": severity,
        "confidence": 0.9,
        "evidence": list(quotes),
    }


def answer(*lessons: dict[str, Any], **usage: int) -> Reply:
    return Reply(200, message({"lessons": list(lessons)}, **usage))


def malformed() -> Reply:
    """A tool call whose input breaks the schema (severity out of range, no evidence)."""
    return Reply(200, message({"lessons": [{"kind": "failure", "text": "x", "severity": 9}]}))


def rate_limited(retry_after: float = 0.05) -> Reply:
    return Reply(
        429,
        {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
        {"retry-after": str(retry_after)},
    )


def overloaded() -> Reply:
    return Reply(529, {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}})


def server_error() -> Reply:
    return Reply(500, {"type": "error", "error": {"type": "api_error", "message": "boom"}})


def excerpt_texts(body: dict[str, Any]) -> list[str]:
    """The event texts of the excerpt a request carries."""
    content = body["messages"][0]["content"]
    return [m["text"] for m in _EVENT.finditer(content)]


def quoting_answer(body: dict[str, Any]) -> Reply:
    """One lesson quoting 40 characters of the first event with a long enough first line."""
    for text in excerpt_texts(body):
        line = text.strip().split("\n")[0].strip()
        if len(line) >= 20 and "[…]" not in line:
            quote = line[:40]
            return answer(lesson(f"Mind “{quote}” when working here.", quote))
    return answer()


class FakeAnthropic:
    def __init__(self, latency: float = 0.0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.script: deque[Reply] = deque()
        self.responder: Callable[[dict[str, Any]], Reply] = quoting_answer
        self.latency = latency
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def play(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def start(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply(self, raw: bytes, headers: dict[str, str]) -> Reply:
        body = json.loads(raw)
        with self._lock:
            self.requests.append(body)
            self.raw.append(raw)
            self.headers.append(headers)
            scripted = self.script.popleft() if self.script else None
        return scripted or self.responder(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path.split("?")[0] != "/v1/messages":
                    self._send(
                        Reply(
                            404,
                            {
                                "type": "error",
                                "error": {"type": "not_found_error", "message": self.path},
                            },
                        )
                    )
                    return
                if fake.latency:
                    time.sleep(fake.latency)
                self._send(fake._reply(raw, {k.lower(): v for k, v in self.headers.items()}))

            def _send(self, reply: Reply) -> None:
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = data.encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


@contextmanager
def fake_anthropic(latency: float = 0.0) -> Iterator[FakeAnthropic]:
    server = FakeAnthropic(latency).start()
    try:
        yield server
    finally:
        server.stop()
