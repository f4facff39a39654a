"""Aider's output messages (`> ` lines) read into tool calls, results and errors."""

from __future__ import annotations

from metis_distill.models import EventKind
from metis_distill.sources.aider.lexer import Block, Msg
from metis_distill.sources.aider.patterns import (
    ACTION_QUESTION,
    ADDED_FILE,
    ADDED_OUTPUT,
    API_ERROR,
    APPLIED,
    CONFIRM,
    CTRL_C,
    CWD,
    DROPPING,
    EDIT_FAILED,
    EDIT_FORMAT,
    EDIT_SECTION,
    EXCEPTION,
    EXCEPTION_LOOSE,
    EXIT_CODE,
    FAILED_OUTPUT,
    FAILED_PATH,
    GIT_ROOT,
    LINT_RUNNING,
    NOT_FOUND,
    NOTICE,
    OUTPUT_QUESTION,
    RUNNING,
    SEND_QUESTION,
    SKIP_EDITS,
    TEST_QUESTION,
    TRACEBACK,
)
from metis_distill.sources.aider.state import Pending, State, msgs_text, norm_path, root_from, trim


class Output:
    """Aider's own output under a user input or a reply: shell runs and their output, lint
    runs, edits applied or failed, tracebacks, API errors, yes/no questions, and chatter."""

    def __init__(self, state: State) -> None:
        self.s = state
        self._pending_missing: str | None = None  # a file aider could not find, by absolute path
        self.typed_later = False  # the user types something after this block, same launch

    def read(self, block: Block, pending: Pending | None) -> None:
        msgs = block.msgs
        for msg in msgs:
            self._note_context(msg)
        i = 0
        if pending is not None and pending.kind == "bash":
            i = self._bash_result(msgs, 0, pending)
        elif pending is not None and not any(self._special(m) for m in msgs):
            self._note_added_root(msgs, pending)
            self.s.add_msgs(
                "tool", EventKind.TOOL_RESULT, msgs, tool_name="aider", tool_use_id=pending.call_id
            )
            i = len(msgs)
        while i < len(msgs):
            i = self._one(msgs, i)
        self.s.flush()
        self.s.expect_edit_error = False

    def _tag(self, msg: Msg) -> str:
        head = msg.head
        if msg.blank:
            return "blank"
        if CTRL_C.match(head):
            return "interrupt"
        if TRACEBACK.match(head):
            return "traceback"
        if APPLIED.match(head):
            return "edit_ok"
        if EDIT_FAILED.match(head) or (
            self.s.expect_edit_error and not NOTICE.match(head) and not CONFIRM.match(head)
        ):
            return "edit_error"
        if LINT_RUNNING.match(head):
            return "lint_run"
        if RUNNING.match(head):
            return "run"
        if ADDED_OUTPUT.match(head):
            return "added_output"
        if CONFIRM.match(head):
            return "confirm"
        if API_ERROR.match(head):
            return "api"
        if NOTICE.match(head):
            return "notice"
        return "other"

    def _special(self, msg: Msg) -> bool:
        return self._tag(msg) not in ("blank", "notice", "other", "confirm", "added_output")

    def _one(self, msgs: list[Msg], i: int) -> int:
        s, msg = self.s, msgs[i]
        tag = self._tag(msg)
        if tag == "run":
            match = RUNNING.match(msg.head)
            assert match is not None
            call_id = s.add_bash("assistant", match.group("cmd"), msg.start, msg.start)
            if len(msg.lines) > 1:  # the output was glued to the line: keep it as the result
                rest = Msg(msg.lines[1:])
                return self._bash_result([rest, *msgs[i + 1 :]], 0, Pending("bash", call_id)) + i
            return self._bash_result(msgs, i + 1, Pending("bash", call_id))
        if tag == "lint_run":
            return self._lint(msgs, i)
        if tag == "traceback":
            end = self._traceback_end(msgs, i)
            s.add_msgs("tool", EventKind.ERROR, msgs[i:end], tool_name="aider")
            return end
        if tag == "api":
            end = i + 1
            while end < len(msgs) and self._tag(msgs[end]) in ("api", "other", "blank"):
                end += 1
            s.add_msgs("system", EventKind.ERROR, msgs[i:end])
            return end
        if tag == "edit_error":
            end = self._report_end(msgs, i)
            self._edit_error(Msg([line for m in msgs[i:end] for line in m.lines]))
            return end
        if tag == "edit_ok":
            match = APPLIED.match(msg.head)
            assert match is not None
            path = match.group("a") or match.group("d") or ""
            s.add_msgs(
                "tool",
                EventKind.TOOL_RESULT,
                [msg],
                tool_name="Edit",
                tool_use_id=self._call_for(path, fallback=False),
            )
            return i + 1
        if tag == "interrupt" and self.typed_later:
            s.add_msgs("user", EventKind.INTERRUPT, [msg])
            return i + 1
        if tag == "confirm":
            return self._confirm(msgs, i)
        if msg.head.startswith("The LLM did not conform"):
            s.expect_edit_error = True
        s.notices.append(msg)
        return i + 1

    def _bash_result(self, msgs: list[Msg], i: int, call: Pending) -> int:
        """A shell call's output (when aider logged it) and whether it was added to the chat."""
        s, end = self.s, i
        while end < len(msgs) and self._tag(msgs[end]) in ("other", "traceback", "blank"):
            end += 1
        output = trim(msgs[i:end])
        after = end
        while (
            after < len(msgs)
            and self._tag(msgs[after]) == "confirm"
            and OUTPUT_QUESTION.match(msgs[after].head)
        ):
            after += 1
        added = after < len(msgs) and self._tag(msgs[after]) == "added_output"
        if output:
            text = msgs_text(output)
            failed = bool(FAILED_OUTPUT.search(text)) or (call.is_test and added)
            s.add_msgs(
                "tool",
                EventKind.ERROR if failed else EventKind.TOOL_RESULT,
                output,
                tool_name="Bash",
                tool_use_id=call.call_id,
                exit_code=_exit_code(text),
            )
        s.notices.extend(msgs[end:after])
        if added and not output:
            # /test adds its output to the chat only on a non-zero exit.
            kind = EventKind.ERROR if call.is_test else EventKind.TOOL_RESULT
            s.add_msgs("tool", kind, [msgs[after]], tool_name="Bash", tool_use_id=call.call_id)
        elif added:
            s.notices.append(msgs[after])
        return after + 1 if added else after

    def _lint(self, msgs: list[Msg], i: int) -> int:
        """Aider's auto-lint: `## Running: <linter>` then its complaints (shown only on errors)."""
        s, msg = self.s, msgs[i]
        match = LINT_RUNNING.match(msg.head)
        assert match is not None
        call_id = s.add_bash("assistant", match.group("cmd"), msg.start, msg.start)
        end = i + 1
        while end < len(msgs) and self._tag(msgs[end]) not in ("confirm", "interrupt", "run"):
            if self._tag(msgs[end]) == "lint_run":
                break
            end += 1
        output = trim(msgs[i + 1 : end])
        if len(msg.lines) > 1:
            output = [Msg(msg.lines[1:]), *output]
        s.add_msgs(
            "tool",
            EventKind.ERROR,
            output,
            tool_name="Bash",
            tool_use_id=call_id,
            exit_code=_exit_code(msgs_text(output)) if output else None,
        )
        return end

    def _traceback_end(self, msgs: list[Msg], i: int) -> int:
        """Where a traceback shown by aider ends: after its exception line (and its echo)."""
        if any(EXCEPTION.match(text) for _, text in msgs[i].lines[1:]):
            return i + 1
        end, previous = i + 1, msgs[i].head
        while end < len(msgs):
            if self._tag(msgs[end]) not in ("other", "blank", "api"):
                return end
            head = msgs[end].head.strip()
            end += 1
            if EXCEPTION.match(head) or (
                EXCEPTION_LOOSE.match(head) and not previous.lstrip().startswith("File ")
            ):
                message = head.split(": ", 1)[1] if ": " in head else None
                if end < len(msgs) and message and msgs[end].head.strip() == message:
                    end += 1
                return end
            previous = head
        return end

    def _report_end(self, msgs: list[Msg], i: int) -> int:
        """Where aider's report of a failed edit ends. It is one message (its first line then
        bare lines); a history rewritten by a Markdown formatter puts `> ` before each of its
        lines, so the head stands alone and the rest follows on the next lines."""
        end = i + 1
        if len(msgs[i].lines) > 1:
            return end
        self.s.expect_edit_error = False  # this head is the error aider announced
        while (
            end < len(msgs)
            and msgs[end].start == msgs[end - 1].end + 1
            and self._tag(msgs[end]) in ("other", "blank")
        ):
            end += 1
        return end

    def _edit_error(self, msg: Msg) -> None:
        """One ERROR per failed block: aider lists them in one message, `## ...` per block."""
        s = self.s
        s.expect_edit_error = False
        cuts = [k for k, (_, text) in enumerate(msg.lines) if EDIT_SECTION.match(text)]
        bounds = [0, *cuts[1:], len(msg.lines)] if cuts else [0, len(msg.lines)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            while b - 1 > a and not msg.lines[b - 1][1].strip():
                b -= 1
            section = Msg(msg.lines[a:b])
            path = next(
                (
                    m.group("p") or m.group("q")
                    for _, t in section.lines
                    if (m := FAILED_PATH.search(t))
                ),
                None,
            )
            s.add_msgs(
                "tool",
                EventKind.ERROR,
                [section],
                tool_name="Edit",
                tool_use_id=self._call_for(path or "", fallback=path is None),
            )

    def _confirm(self, msgs: list[Msg], i: int) -> int:
        """Aider's yes/no questions. Declining an edit or a shell command is the user's veto."""
        s, msg = self.s, msgs[i]
        match = CONFIRM.match(msg.head)
        assert match is not None
        question, answer = match.group("q"), match.group("a").strip().lower()
        if ACTION_QUESTION.match(question):
            subject: list[Msg] = []
            if s.notices and self._tag(s.notices[-1]) == "other":
                subject = [s.notices.pop()]
            end = i + 1
            if end < len(msgs) and SKIP_EDITS.match(msgs[end].head):
                end += 1
            span = [*subject, *msgs[i:end]]
            if answer[:1] in ("n", "s", "d"):
                s.add_msgs("user", EventKind.INTERRUPT, span)
            else:
                s.notices.extend(span)
            return end
        if SEND_QUESTION.match(question) and answer[:1] == "n":
            self._unsent()
        if TEST_QUESTION.match(question) and s.notices and ADDED_OUTPUT.match(s.notices[-1].head):
            added = s.notices.pop()
            s.add_msgs("tool", EventKind.ERROR, [added, msg], tool_name="Bash")
            return i + 1
        s.notices.append(msg)
        return i + 1

    def _unsent(self) -> None:
        """The user's message just typed, which they declined to send (too large a chat for
        the model): aider's record of it, said to no one."""
        last = self.s.drafts[-1] if self.s.drafts else None
        if last is not None and last.role == "user" and last.kind is EventKind.TEXT:
            last.role = "system"

    def _call_for(self, path: str, fallback: bool) -> str | None:
        """The Edit call of the last reply that acted on this file (paths compared loosely)."""
        calls = self.s.reply_calls
        wanted = norm_path(path)
        if wanted:
            for key, call_id in calls.items():
                if key == wanted or key.endswith("/" + wanted) or wanted.endswith("/" + key):
                    return call_id
        ids = set(calls.values())
        return ids.pop() if fallback and len(ids) == 1 else None

    def _note_context(self, msg: Msg) -> None:
        s, head = self.s, msg.head
        if (found := CWD.match(head)) and s.cwd is None:
            s.cwd = found.group("p").strip()
        elif found := GIT_ROOT.match(head):
            s.git_root = s.git_root or found.group("p").strip()
        elif found := EDIT_FORMAT.match(head):
            s.edit_format = found.group("f")
        elif (found := NOT_FOUND.match(head)) and s.git_root is None:
            self._pending_missing = found.group("p").strip()
            return
        elif (found := DROPPING.match(head)) and self._pending_missing:
            s.git_root = s.git_root or root_from(self._pending_missing, found.group("p").strip())
        self._pending_missing = None

    def _note_added_root(self, msgs: list[Msg], pending: Pending) -> None:
        if not pending.args or self.s.git_root:
            return
        for msg in msgs:
            found = ADDED_FILE.match(msg.head)
            if found is None:
                continue
            for name in pending.args.split():
                self.s.git_root = root_from(found.group("p").strip(), name.strip('"'))
                if self.s.git_root:
                    return


def _exit_code(text: str) -> int | None:
    match = EXIT_CODE.search(text)
    return int(match.group(1)) if match else None
