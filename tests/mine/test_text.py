"""What a shell command really runs, once the steps that only set it up are cut."""

from __future__ import annotations

import pytest

from metis_distill.mine.text import command_head


@pytest.mark.parametrize(
    ("command", "head"),
    [
        ("cd /w/app && npm test", "npm test"),
        ('cd "C:/Users/a b/app"; export CI=1 && make check', "make check"),
        # the download failed, not the folder it goes to
        ("mkdir -p ~/Videos && yt-dlp -o '%(title)s' URL", "yt-dlp -o '%(title)s' URL"),
        # a plain mkdir can fail itself, and a command that is only set-up stays whole
        ("mkdir out && cp a out/", "mkdir out && cp a out/"),
        ("mkdir -p out", "mkdir -p out"),
        ("source .venv/bin/activate && pytest", "source .venv/bin/activate && pytest"),
    ],
)
def test_the_setup_steps_before_a_command_are_cut(command: str, head: str) -> None:
    assert command_head(command) == head
