"""A fake Anthropic Messages API on 127.0.0.1 for the real `anthropic` SDK to talk to.

It records every request body and plays scripted replies in order; when the script runs out,
the default answer quotes the first long-enough event of the excerpt it was sent (so lessons
resolve), or whatever `responder` returns.

Message Batches: POST /v1/messages/batches answers each request the same way (a non-200 reply
becomes an `errored` result), GET /v1/messages/batches/{id} says `in_progress` until it has
been polled `polls_to_end` times, then `ended`, and GET .../results streams the JSONL.
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
from datetime import UTC, datetime
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
        "model": "claude-sonnet-4-6",
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


# What earns each kind when a test does not say (see extract/schema.py's Support).
EARNED_BY = {"failure": "failure_seen", "decision": "user_rule", "gotcha": "confirmed"}


def lesson(
    text: str,
    *quotes: str,
    kind: str = "failure",
    severity: int = 2,
    support: str | None = None,
    fix: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "text": text,
        "scope": [],
        "severity": severity,
        "confidence": 0.9,
        "evidence": list(quotes),
        "support": support or EARNED_BY[kind],
        "fix": fix,
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
    """A failure quoting 40 characters of the first two events with a long enough first line,
    its fix shown (one quote only: no fix); to the curator prompt's judge, "not a duplicate"."""
    tool = body.get("tool_choice", {}).get("name")
    if tool != TOOL:
        reply = message({"same_as": None, "reason": "different"})
        reply["content"][0]["name"] = tool
        return Reply(200, reply)
    quotes = []
    for text in excerpt_texts(body):
        line = text.strip().split("\n")[0].strip()
        if len(line) >= 20 and "[…]" not in line:
            quotes.append(line[:40])
    if not quotes:
        return answer()
    text = f"Mind “{quotes[0]}” when working here."
    if len(quotes) == 1:
        return answer(lesson(text, quotes[0]))
    return answer(lesson(text, *quotes[:2], support="fix_shown", fix="mind it"))


def at_full_cost(responder: Callable[[dict[str, Any]], Reply]) -> Callable[[dict[str, Any]], Reply]:
    """`responder`'s answers, each reporting what a real call may cost at most: the request's
    characters / 4 as input tokens (the usual ratio), and its whole `max_tokens` as output."""

    def reply(body: dict[str, Any]) -> Reply:
        given = responder(body)
        if given.status != 200 or not isinstance(given.body, dict):
            return given
        usage = {
            **given.body["usage"],
            "input_tokens": -(-len(json.dumps(body)) // 4),
            "output_tokens": body["max_tokens"],
        }
        return Reply(given.status, {**given.body, "usage": usage}, given.headers)

    return reply


class FakeAnthropic:
    def __init__(self, latency: float = 0.0, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.arrived: list[float] = []  # time.time() of each POST /v1/messages, on arrival
        self.in_flight = 0  # POST /v1/messages being answered now
        self.most_in_flight = 0  # the most answered at once
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.script: deque[Reply] = deque()
        self.responder: Callable[[dict[str, Any]], Reply] = quoting_answer
        self.latency = latency
        self.batch_creates: list[dict[str, Any]] = []  # bodies of POST /v1/messages/batches
        self.batch_requests: list[dict[str, Any]] = []  # the params of every batched request
        self.polls: list[tuple[str, str]] = []  # (batch id, status answered)
        self.batch_lists = 0  # GET /v1/messages/batches
        self.result_fetches: list[str] = []
        self.polls_to_end = 1
        self.batch_result_types: dict[int, str] = {}  # request index -> errored|expired|...
        self._batches: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
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

    def _create_batch(self, raw: bytes) -> Reply:
        body = json.loads(raw)
        with self._lock:
            self.raw.append(raw)
            self.batch_creates.append(body)
            batch_id = f"msgbatch_fake{len(self._batches) + 1:04d}"
        lines = []
        for request in body["requests"]:
            with self._lock:
                index = len(self.batch_requests)
                self.batch_requests.append(request["params"])
                scripted = self.script.popleft() if self.script else None
            reply = scripted or self.responder(request["params"])
            kind = self.batch_result_types.get(index)
            if kind is None and reply.status != 200:
                kind = "errored"
            if kind is None:
                result: dict[str, Any] = {"type": "succeeded", "message": reply.body}
            elif kind == "errored":
                error = {"type": "api_error", "message": "boom"}
                result = {"type": "errored", "error": {"type": "error", "error": error}}
            else:
                result = {"type": kind}
            lines.append(json.dumps({"custom_id": request["custom_id"], "result": result}))
        with self._lock:
            created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self._batches[batch_id] = {
                "polls": 0,
                "lines": lines,
                "count": len(lines),
                "created_at": created,
            }
        return Reply(200, self._batch(batch_id, "in_progress"))

    def _batch(self, batch_id: str, status: str) -> dict[str, Any]:
        count = self._batches[batch_id]["count"]
        ended = status == "ended"
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": count if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": self._batches[batch_id]["created_at"],
            "expires_at": "2026-11-25T00:00:00Z",
            "ended_at": "2026-11-24T00:01:00Z" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def _list(self) -> Reply:
        """GET /v1/messages/batches: newest first, as the API lists them (one page)."""
        with self._lock:
            self.batch_lists += 1
            ids = list(reversed(self._batches))
        data = [self._batch(i, "in_progress") for i in ids]
        return Reply(
            200,
            {
                "data": data,
                "has_more": False,
                "first_id": ids[0] if ids else None,
                "last_id": ids[-1] if ids else None,
            },
        )

    def _get(self, path: str, results: bool) -> Reply:
        batch_id = path.split("/")[4]
        if batch_id not in self._batches:
            error = {"type": "not_found_error", "message": path}
            return Reply(404, {"type": "error", "error": error})
        state = self._batches[batch_id]
        if results:
            self.result_fetches.append(batch_id)
            return Reply(200, "\n".join(state["lines"]) + "\n")
        with self._lock:
            state["polls"] += 1
            status = "ended" if state["polls"] > self.polls_to_end else "in_progress"
            self.polls.append((batch_id, status))
        return Reply(200, self._batch(batch_id, status))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path.split("?")[0] == "/v1/messages/batches":
                    self._send(fake._create_batch(raw))
                    return
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
                fake.arrived.append(time.time())
                with fake._lock:
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                try:
                    if fake.latency:
                        time.sleep(fake.latency)
                    self._send(fake._reply(raw, {k.lower(): v for k, v in self.headers.items()}))
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?")[0]
                if path == "/v1/messages/batches":
                    self._send(fake._list())
                    return
                if path.startswith("/v1/messages/batches/"):
                    self._send(fake._get(path, path.endswith("/results")))
                    return
                error = {"type": "not_found_error", "message": self.path}
                self._send(Reply(404, {"type": "error", "error": error}))

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


def main(argv: list[str] | None = None) -> None:
    """Serve the fake on a port until interrupted, for trying `--extractor claude` by hand
    with no key and no network (`ANTHROPIC_BASE_URL=<the url printed>`)."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Anthropic Messages API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    args = parser.parse_args(argv)
    server = FakeAnthropic(args.latency, args.port)
    print(f"fake Messages API at {server.url} (Ctrl-C stops it)", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()


if __name__ == "__main__":
    main()
