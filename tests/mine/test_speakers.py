"""A header naming only how something speaks, and a question naming who speaks."""

from __future__ import annotations

import pytest

from metis_distill.mine.speakers import bare_attribute, names_speaker


@pytest.mark.parametrize(
    ("header", "bare"),
    [
        ("Tone", True),
        ("Tone EN", True),
        ("Reply length", True),
        ("Dialect", True),
        ("طول الرد", True),
        ("اللهجة", True),
        ("回复长度", True),
        # whose it is, or no attribute of speech at all
        ("Commit message style", False),
        ("Code style", False),
        ("Response format", False),
        ("Language", False),
        ("Database", False),
        ("قاعدة البيانات", False),
    ],
)
def test_a_header_naming_only_how_something_speaks_is_bare(header: str, bare: bool) -> None:
    assert bare_attribute(header) is bare


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Which dialect should the digital twin use?", True),
        ("What tone should commit messages take?", True),
        ("أي لهجة يستخدمها البوت في الردود؟", True),
        ("客服机器人用什么语气？", True),
        ("How long should replies be?", False),
        ("What's your tone in English?", False),
        ("ما طول الردود المناسب؟", False),
    ],
)
def test_a_question_names_who_speaks(question: str, named: bool) -> None:
    assert names_speaker(question) is named
