"""`metis mcp`: the lessons served to agents over the Model Context Protocol (stdio).

Three read-only tools on the official SDK's `MCPServer`: `search_lessons`, `get_lesson` (with
all its evidence) and `context_for_task`. Each call reads a fresh snapshot of the ledger, so
a server started once sees what later distills add. Nothing but the protocol goes to stdout;
a line that is no JSON-RPC message is answered with JSON-RPC's error, and an argument the
schema refuses is said in one line.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.stdio import stdio_server
from mcp.shared._context_streams import (
    ContextReceiveStream,
    ContextSendStream,
    create_context_streams,
)
from mcp.shared.message import SessionMessage
from mcp.types import (
    PARSE_ERROR,
    CallToolResult,
    ErrorData,
    InputRequiredResult,
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    ToolAnnotations,
)
from pydantic import Field, ValidationError

from metis_distill.errors import MetisError
from metis_distill.retrieve.context import DEFAULT_BUDGET, project_of
from metis_distill.retrieve.records import hit_record, lesson_record
from metis_distill.retrieve.retriever import Retriever
from metis_distill.retrieve.search import Query

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False, idempotent_hint=True)
INSTRUCTIONS = (
    "Lessons distilled by metis from earlier runs of coding agents on these projects: "
    "failures to avoid, decisions taken and why, gotchas. Ask `context_for_task` at the start "
    "of a task, `search_lessons` when a command fails or a choice comes up, and `get_lesson` "
    "for the evidence behind one lesson."
)
KindName = Literal["failure", "decision", "gotcha"]
MAX_LIMIT = 50
INVALID_REQUEST = -32600  # JSON-RPC's code for JSON that is no request
T = TypeVar("T")
Lines = ContextReceiveStream[SessionMessage | Exception]


class LessonServer(MCPServer):
    """The SDK's server, but for an argument the schema refuses: said in one line per
    argument, as the CLI says it, not in the validator's own words and links."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as e:
            if not isinstance(e.__cause__, ValidationError):
                raise
            raise ToolError(argument_errors(name, e.__cause__)) from e.__cause__

    async def run_stdio_async(self) -> None:
        """As the SDK's, but a line that is no JSON-RPC message gets JSON-RPC's error reply
        (id null) where the SDK's stdio transport drops it unanswered, and when stdin closes
        the requests still in flight are answered before the server stops (the SDK's would
        cancel them: `printf … | metis mcp` got no answer to its last request)."""
        async with stdio_server() as (lines, replies):
            passed, read = create_context_streams[SessionMessage | Exception](0)
            answers, answered = create_context_streams[SessionMessage](0)
            in_flight = InFlight()
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_answer_unreadable, lines, passed, replies, in_flight)
                tasks.start_soon(_send_answers, answered, replies, in_flight)
                server = self._lowlevel_server
                async with answers:  # closed after the server: the answers sent, then stop
                    await server.run(read, answers, server.create_initialization_options())


CANCELLED = "notifications/cancelled"
DRAIN_SECONDS = 60.0  # at most this long for the requests in flight once stdin closed


class InFlight:
    """The ids of the requests passed to the server and not answered yet."""

    def __init__(self) -> None:
        self.ids: set[str | int] = set()
        self._none_left = anyio.Event()
        self._none_left.set()

    def asked(self, message: SessionMessage) -> None:
        """A request waits for its answer; one the client cancels gets none (the protocol
        says so), so it waits no more."""
        said = message.message
        if isinstance(said, JSONRPCRequest):
            self.ids.add(said.id)
            if self._none_left.is_set():
                self._none_left = anyio.Event()
        elif isinstance(said, JSONRPCNotification) and said.method == CANCELLED:
            self._done((said.params or {}).get("requestId"))

    def answered(self, message: SessionMessage) -> None:
        if isinstance(message.message, JSONRPCResponse | JSONRPCError):
            self._done(message.message.id)

    def _done(self, request_id: object) -> None:
        self.ids.discard(request_id)
        if not self.ids:
            self._none_left.set()

    async def drained(self) -> None:
        await self._none_left.wait()


async def _answer_unreadable(
    lines: Lines,
    passed: ContextSendStream[SessionMessage | Exception],
    replies: ContextSendStream[SessionMessage],
    in_flight: InFlight,
) -> None:
    async with passed:
        async for line in lines:
            if isinstance(line, Exception):
                await replies.send(SessionMessage(unreadable(line)))
            else:
                in_flight.asked(line)
                await passed.send(line)
        with anyio.move_on_after(DRAIN_SECONDS):
            await in_flight.drained()


async def _send_answers(
    answered: ContextReceiveStream[SessionMessage],
    replies: ContextSendStream[SessionMessage],
    in_flight: InFlight,
) -> None:
    async with answered, replies:  # the last writer: stdout is closed after it
        async for message in answered:
            await replies.send(message)
            in_flight.answered(message)


def unreadable(error: Exception) -> JSONRPCError:
    """The reply to a line that is no JSON (parse error) or no JSON-RPC message."""
    parsed = not isinstance(error, ValidationError) or all(
        problem["type"] != "json_invalid" for problem in error.errors()
    )
    code, message = (INVALID_REQUEST, "Invalid Request") if parsed else (PARSE_ERROR, "Parse error")
    return JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=code, message=message))


def argument_errors(tool: str, error: ValidationError) -> str:
    """`search_lessons: limit: Input should be greater than or equal to 1`, one per argument."""
    said = (
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    )
    return f"{tool}: " + "; ".join(said)


def build_server(retriever: Retriever, project: str | None = None) -> MCPServer:
    """The server and its three tools, answering from `retriever`."""
    server = LessonServer("metis", instructions=INSTRUCTIONS, version=version("metis-distill"))
    lock = threading.Lock()  # sync tools run in worker threads; one question at a time
    tool = _read_only_tool(server)

    @tool
    def search_lessons(
        query: str = "",
        kind: KindName | None = None,
        project: str | None = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 10,
        include_retired: bool = False,
    ) -> dict[str, Any]:
        """Lessons closest to the query (meaning, plus exact commands, paths and error
        strings), best first, each with kind, support (sessions that taught it), last seen,
        id and a link to its evidence. Filter by kind or by project (name or path); with no
        query, every lesson of the kind or project is listed, most sessions first."""
        if not query.strip() and kind is None and project is None:
            raise ToolError(
                "search_lessons: query: give words to look for, or a kind or project to list"
            )
        kinds = (kind,) if kind else ()
        wanted = Query(query, kinds, project, limit, include_retired)
        with lock:
            hits = _ask(lambda: retriever.search(wanted))
        return {"lessons": [hit_record(h) for h in hits]}

    @tool
    def get_lesson(lesson_id: str) -> dict[str, Any]:
        """One lesson by id (as returned by search_lessons), with all of its evidence: the
        archive span of each, its quote, session and time."""
        with lock:
            lesson = _ask(lambda: retriever.lesson(lesson_id))
        return lesson_record(lesson, all_evidence=True)

    @tool
    def context_for_task(task: str, budget: int = DEFAULT_BUDGET) -> str:
        """A compact markdown brief of the lessons that bear on a task, within a budget of
        tokens (estimated as characters / 4): most relevant first, then best supported."""
        with lock:
            brief = _ask(lambda: retriever.context(task, budget, project))
        return brief.markdown

    return server


F = TypeVar("F", bound=Callable[..., Any])


def _read_only_tool(server: MCPServer) -> Callable[[F], F]:
    """A read-only tool whose description is its docstring as a reader sees it: one paragraph,
    without the source's indentation."""

    def register(function: F) -> F:
        description = " ".join(inspect.cleandoc(function.__doc__ or "").split())
        return server.tool(annotations=READ_ONLY, description=description)(function)

    return register


def _ask(question: Callable[[], T]) -> T:
    """Our errors become tool errors the agent can read (no traceback)."""
    try:
        return question()
    except MetisError as e:
        raise ToolError(f"{e}" + (f" ({e.hint})" if e.hint else "")) from e


def serve(data_dir: Path, model_dir: Path | None = None, ledger_url: str | None = None) -> None:
    """Run the server on stdin/stdout until the client closes it; the briefs rank first the
    lessons of the project it was started in (an agent starts it in its working folder)."""
    with Retriever.at(data_dir, model_dir, ledger_url) as retriever:
        build_server(retriever, project_of(Path.cwd())).run("stdio")
