"""A Windows console's code page refusing a character: one wording whatever the script, the
codec quoted as the error named it; a file written without an encoding is another cause."""

from __future__ import annotations

from metis_distill.extract.code_page import code_page_refused
from metis_distill.extract.wording import CODE_PAGE_USUAL_WAYS

_PRINTED = (
    "Traceback (most recent call last):\n"
    '  File "C:\\\\w\\\\report.py", line 9, in <module>\n'
    "    print('\\u2713 done')\n"
    '  File "C:\\\\Python312\\\\Lib\\\\encodings\\\\cp1252.py", line 19, in encode\n'
    "UnicodeEncodeError: 'charmap' codec can't encode character '\\u2713' in position 0"
)


def test_a_character_printed_through_the_code_page() -> None:
    text = code_page_refused(_PRINTED) or ""
    assert "“UnicodeEncodeError: 'charmap' codec can't encode …”" in text
    assert text.endswith(f"{CODE_PAGE_USUAL_WAYS}.") and "report.py" not in text


def test_the_codec_is_the_errors_own() -> None:
    said = "UnicodeEncodeError: 'gbk' codec can't encode character '\\u2705' in position 3"
    assert "'gbk' codec" in (code_page_refused(said) or "")


def test_a_file_written_is_no_console() -> None:
    written = _PRINTED.replace("print('\\u2713 done')", "Path('o.md').write_text(body)")
    assert code_page_refused(written) is None
    assert code_page_refused("UnicodeDecodeError: 'utf-8' codec can't decode byte") is None
