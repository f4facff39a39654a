"""A user's own words, apart from what the message hands over: a prompt or text for the
program, a slash command's arguments."""

from __future__ import annotations

import pytest

from metis_distill.mine.supplied import invokes_command, own_words


@pytest.mark.parametrize(
    ("message", "own"),
    [
        (
            'Keep it short.\n"""Always greet the user."""\nNever log tokens.',
            "Keep it short.\n\n\nNever log tokens.",
        ),
        ('Set the banner to\n"""Always sync first.', "Set the banner to\n\n"),  # never closed
        (
            "Use the text below for the banner:\nAlways sync first.",
            "Use the text below for the banner:\n",
        ),
        ("Add the following:\nAlways sync first.", "Add the following:\n"),
    ],
)
def test_own_words_leave_out_what_is_handed_over(message: str, own: str) -> None:
    assert own_words(message) == own


@pytest.mark.parametrize(
    "message",
    [
        "Add the following rules:\nAlways sync first.",
        "Use these message ids as keys\nNever log tokens.",
        "Use the message queue for jobs\nNever log tokens.",
        "Use this text-to-speech engine\nNever log tokens.",
    ],
)
def test_a_line_that_hands_over_nothing_keeps_the_lines_after_it(message: str) -> None:
    assert own_words(message) == message


@pytest.mark.parametrize(
    ("message", "invoked"),
    [
        ("/review-pr 42 and always check the tests", True),
        ("/plugin:deploy staging", True),
        ("/compact", True),
        ("/tmp is cleared on every boot, keep caches elsewhere", False),  # a root folder
        ("/etc/hosts is managed by the VPN client", False),
        ("Run /deploy after every merge", False),
    ],
)
def test_a_slash_command_opens_the_message(message: str, invoked: bool) -> None:
    assert invokes_command(message) is invoked


@pytest.mark.parametrize(
    "said",
    [
        'Always use """ for docstrings, never single-quoted ones.',
        "/api routes must validate their input with zod.",
        "/docs is generated; never edit it by hand.",
    ],
)
def test_a_message_naming_triple_quotes_or_a_route_is_the_users_own(said: str) -> None:
    assert own_words(said) == said
