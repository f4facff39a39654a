"""A call that asked for a terminal the agent's shell lacks, run again without the flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.curate.earned import held_back
from metis_distill.mine.episodes import Episode
from metis_distill.mine.fixes import FixKind
from metis_distill.mine.no_terminal import terminal_flags
from metis_distill.models import LessonCandidate
from tests.mine.test_episodes import call, result
from tests.mine.test_fixes import _failures, _seen_once

NO_TTY = "the input device is not a TTY"


def _failed_then_retried(
    tmp_path: Path, failed: str, error: str, retry: str
) -> list[tuple[Episode, LessonCandidate]]:
    """The failure lessons of a call failing with `error`, then `retry` passing."""
    return _failures(
        tmp_path,
        [
            call("t1", failed),
            result("t1", f"Exit code 1\n{error}", True),
            call("t2", retry),
            result("t2", "ok"),
        ],
    )


@pytest.mark.parametrize(
    ("failed", "error", "retry", "text"),
    [
        ("docker exec -it db psql -U app -c 'SELECT 1;'", NO_TTY,
         "docker exec db psql -U app -c 'SELECT 1;'",
         "`docker exec -it …` fails here (“the input device is not a TTY”): the agent's shell "
         "has no terminal; leave out `-it` (`docker exec …`)."),
        # a flag that asks for no terminal (`--rm`) is kept
        ("docker run --rm -t alpine:3 cat /etc/os-release", NO_TTY,
         "docker run --rm alpine:3 cat /etc/os-release",
         "`docker run -t …` fails here (“the input device is not a TTY”): the agent's shell "
         "has no terminal; leave out `-t` (`docker run …`)."),
        ("docker compose exec --tty db pg_isready", NO_TTY, "docker compose exec db pg_isready",
         "`docker compose exec --tty …` fails here (“the input device is not a TTY”): the "
         "agent's shell has no terminal; leave out `--tty` (`docker compose exec …`)."),
        ("kubectl exec -i -t web -- env",
         "error: Unable to use a TTY - input is not a terminal or the right kind of file",
         "kubectl exec web -- env",
         "`kubectl exec -i -t …` fails here (“error: Unable to use a TTY - input is not a "
         "terminal or the right kind of file”): the agent's shell has no terminal; leave out "
         "`-i -t` (`kubectl exec …`)."),
    ],
)  # fmt: skip
def test_the_terminal_flags_left_out_after_no_terminal_are_the_fix(
    tmp_path: Path, failed: str, error: str, retry: str, text: str
) -> None:
    """One wording per program and flags, whatever the call ran; earned from one session."""
    ((episode, lesson),) = _failed_then_retried(tmp_path, failed, error, retry)
    assert episode.fix is not None and episode.fix.kind is FixKind.REPLACED
    assert lesson.text == text
    assert lesson.fix is not None and " without -" in lesson.fix
    assert held_back(_seen_once(lesson)) is None


@pytest.mark.parametrize(
    ("failed", "error", "retry"),
    [
        # another error: the terminal was not what failed
        ("docker exec -it db psql -c 'SELECT 1;'",
         "Error response from daemon: container db is not running",
         "docker exec db psql -c 'SELECT 1;'"),
        # another flag left out beside them asks for something else
        ("docker exec -it --privileged db ls /dev", NO_TTY, "docker exec db ls /dev"),
        # kubectl's words are a warning: it went on without a terminal, and the container
        # was what failed
        ("kubectl exec -it web-7d9 -- python manage.py migrate",
         "Unable to use a TTY - input is not a terminal or the right kind of file\n"
         'error: unable to upgrade connection: container not found ("web")',
         "kubectl exec web-7d9 -- python manage.py migrate"),
        # a flag that asks for no terminal, left out after another error
        ("docker rm --force web", "Error response from daemon: removal of container web is "
         "already in progress", "docker rm web"),
    ],
)  # fmt: skip
def test_flags_left_out_otherwise_are_no_fix(
    tmp_path: Path, failed: str, error: str, retry: str
) -> None:
    ((episode, lesson),) = _failed_then_retried(tmp_path, failed, error, retry)
    assert episode.fix is None and lesson.fix is None
    assert "no terminal" not in lesson.text


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("docker exec -it db sh", {"-it"}),
        ("docker exec -i -t db sh", {"-i", "-t"}),
        ("kubectl exec --stdin --tty web -- sh", {"--stdin", "--tty"}),
        # keeping stdin open asks for no terminal: nothing the error refused
        ("docker exec -i db sh", set()),
        ("docker exec --interactive db sh", set()),
    ],
)
def test_the_flags_refused_are_those_asking_for_a_terminal(command: str, flags: set[str]) -> None:
    assert terminal_flags(NO_TTY, command) == flags
    assert terminal_flags("Error: No such container: db", command) == set()
