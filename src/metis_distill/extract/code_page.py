"""A Windows console's code page refusing a character Python printed (cp1252's "charmap",
cp949, gbk), told with the way past it the run showed: an encoding set for the output, or the
character taken out of what the script prints."""

from __future__ import annotations

import re

from metis_distill.extract.edits import edit_changes, edit_input
from metis_distill.extract.wording import CODE_PAGE_USUAL_WAYS
from metis_distill.mine.fixes import Fix, FixKind
from metis_distill.mine.signals import EDIT_TOOLS
from metis_distill.models import Event
from metis_distill.provenance import Lines

# A Windows console's code page (cp1252 "charmap", cp949, cp936) refusing a character; not
# when the traceback shows a file written (opened without an encoding: its way is `encoding=`).
_CONSOLE_CODE_PAGE = re.compile(
    r"UnicodeEncodeError: '(?P<codec>charmap|cp\d+|gbk|mbcs)' codec can't encode"
)


_WROTE_FILE = re.compile(r"(?<!stdout)(?<!stderr)\.write(?:_text)?\(|\bin write_text\b|\bopen\(")


# The character the error names (`character '\u2713'`); "characters in position 0-2" names none.
_REFUSED_CHARACTER = re.compile(r"can't encode character '\\[xuU](?P<hex>[0-9a-fA-F]{2,8})'")


# The ways past a console's code page a run may show, each as its fix and as a line tells it:
# Python's output (or the console) set to UTF-8 for the run, or by the script itself.
_CODE_PAGE_WAYS = (
    (
        re.compile(r"\bPYTHONIOENCODING\s*=\s*['\"]?utf-?8", re.I),
        "set PYTHONIOENCODING=utf-8",
        "set `PYTHONIOENCODING=utf-8` before running it (PowerShell: "
        "`$env:PYTHONIOENCODING='utf-8'`; that worked)",
    ),
    (
        re.compile(r"\bPYTHONUTF8\s*=\s*['\"]?1\b"),
        "set PYTHONUTF8=1",
        "set `PYTHONUTF8=1` before running it (PowerShell: `$env:PYTHONUTF8='1'`; that worked)",
    ),
    (
        re.compile(r"(?<!\S)-X\s*utf8\b"),
        "run it as `python -X utf8`",
        "run it as `python -X utf8` (that worked)",
    ),
    (
        re.compile(r"\bchcp(?:\.com)?\s+65001\b"),
        "run `chcp 65001` first",
        "switch the console to UTF-8 first with `chcp 65001` (that worked)",
    ),
    (
        re.compile(r"\.reconfigure\([^)]*encoding\s*=\s*['\"]utf-?8", re.I),
        "sys.stdout.reconfigure(encoding='utf-8')",
        "have the script switch its output to UTF-8 first "
        "(`sys.stdout.reconfigure(encoding='utf-8')`; that worked)",
    ),
)


_LEFT_OUT = "keep characters the code page lacks out of what scripts print"


_LEFT_OUT_TOLD = (
    "keep characters the code page lacks (emoji, symbols) out of what scripts print (that worked)"
)


def _console_code_page_text(codec: str, way: str = CODE_PAGE_USUAL_WAYS) -> str:
    """The console's code page refusing a character, quoted with the codec the error named
    (`charmap` for cp1252, `gbk`, `cp949`), and the way past it the run showed (the usual
    ways when it showed none: such a line is held back, `curate.earned`)."""
    return (
        "On this Windows machine Python writes through the console's code page, not UTF-8: "
        f"printing other characters fails (“UnicodeEncodeError: '{codec}' codec can't encode "
        f"…”); {way}."
    )


def code_page_way(call: Event, error: str, fix: Fix | None, lines: Lines) -> tuple[str, str] | None:
    """A console's code page refusing a character, told with the way past it the run showed:
    an encoding set for the output, the one seen named, or the refused character taken out of
    what the script prints by an edit, the same call then working. None when the error is no
    such refusal or no such way was seen."""
    tail = error[-4000:]
    refusal = _CONSOLE_CODE_PAGE.search(tail)
    if refusal is None or fix is None or _WROTE_FILE.search(tail):
        return None
    edits = [
        change
        for step in fix.steps
        if step.tool_name in EDIT_TOOLS
        for change in edit_changes(edit_input(step, lines) or {})
    ]
    others = [s.text for s in fix.steps if s.tool_name not in EDIT_TOOLS]
    done = "\n".join([fix.call.text, *others, *(new for _, new in edits)])
    for way, fixed, told in _CODE_PAGE_WAYS:
        if way.search(done) and not way.search(call.text):
            return _console_code_page_text(refusal["codec"], told), fixed
    named = _REFUSED_CHARACTER.search(tail)
    refused = chr(int(named["hex"], 16)) if named else None
    edited = fix.kind is FixKind.EDITED  # the same call, run again once the script was edited
    if not (edited and any(_left_out(old, new, refused) for old, new in edits if old)):
        return None
    return _console_code_page_text(refusal["codec"], _LEFT_OUT_TOLD), _LEFT_OUT


def _left_out(old: str, new: str, refused: str | None) -> bool:
    """Characters outside ASCII that the old text held and the new one does not: the refused
    one among them, when the error named it."""
    gone = {c for c in old if not c.isascii()} - set(new)
    return refused in gone if refused is not None else bool(gone)


def code_page_refused(error: str) -> str | None:
    """The line for a console's code page refusing a character when the run showed no way
    past it (the usual ways told; such a line is held back, `curate.earned`); None when the
    error is no such refusal, or the traceback shows a file written (its way is `encoding=`)."""
    refusal = _CONSOLE_CODE_PAGE.search(error[-4000:])
    if refusal is None or _WROTE_FILE.search(error[-4000:]):
        return None
    return _console_code_page_text(refusal["codec"])
