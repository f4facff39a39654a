"""sudo that got no password, its messages in the machine's language: one lesson of the
machine, quoting sudo's English line when there is one, whatever command ran under sudo."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.sudo_password import sudo_got_no_password
from tests.mine.test_episodes import call, failure_lessons, result

_NO_TERMINAL = (
    "sudo: a terminal is required to read the password; either use the -S option to read "
    "from standard input or configure an askpass helper"
)
_NO_TERMINAL_DE = (
    "sudo: Ein Terminal ist erforderlich, um das Passwort zu lesen; verwenden Sie entweder die "
    "Option -S, um von der Standardeingabe zu lesen oder richten Sie ein Askpass-Hilfsprogramm ein"
)
_SUDO_LESSON = "`sudo` asks for a password here"


@pytest.mark.parametrize(
    ("output", "said"),
    [
        # sudo's English line, then its verdict in the machine's language
        (f"Exit code 1\n{_NO_TERMINAL}\nsudo: 需要密码", _NO_TERMINAL),
        (f"Exit code 1\n{_NO_TERMINAL}\nsudo: Ein Passwort ist notwendig", _NO_TERMINAL),
        (f"Exit code 1\n{_NO_TERMINAL}\nsudo: se requiere una contraseña", _NO_TERMINAL),
        (f"Exit code 1\n{_NO_TERMINAL}\nsudo: パスワードが必要です", _NO_TERMINAL),
        # `sudo -S` given nothing: its prompt in Chinese, its English reason, its verdict
        (
            "Exit code 1\n[sudo] ana 的密码： \nsudo: no password was provided\nsudo: 需要密码",
            "sudo: no password was provided",
        ),
        # every line translated: the no-terminal line keeps `-S` and askpass
        (f"Exit code 1\n{_NO_TERMINAL_DE}\nsudo: Ein Passwort ist notwendig", _NO_TERMINAL_DE),
        # … or sudo's own lines after its prompt end the output
        (
            "Exit code 1\n[sudo] Passwort für ana: \nsudo: Es wurde kein Passwort angegeben\n"
            "sudo: Ein Passwort ist notwendig",
            "[sudo] Passwort für ana:",
        ),
        ("[sudo] ana 的密码： \nsudo: 需要密码", "[sudo] ana 的密码："),
        # `sudo -S` ends its prompt with no newline: its verdict on the prompt's line
        (
            "Exit code 1\n[sudo] ana 的密码：sudo: 没有提供密码\nsudo: 需要密码",
            "[sudo] ana 的密码：",
        ),
        ("[sudo] ana 的密码：sudo: deploy：找不到命令", None),
        # sudo let the command run, which failed on its own: no password missing
        ("[sudo] ana 的密码： \nsudo: deploy：找不到命令", None),
        ("[sudo] password for ana: \nJob for app.service failed.\nsudo: 需要密码", None),
        ("Exit code 1\n错误：配置文件不存在", None),
        ("sudo: 需要密码", None),  # a verdict alone, no prompt or reason before it
    ],
)
def test_sudos_line_is_told_in_any_language(output: str, said: str | None) -> None:
    assert sudo_got_no_password(output) == said


def _refused(command: str, verdict: str = "sudo: 需要密码") -> list:  # type: ignore[type-arg]
    return [
        call(command, command),
        result(command, f"Exit code 1\n{_NO_TERMINAL}\n{verdict}", True),
    ]


def test_sudos_line_said_again_behind_other_steps_is_no_banner(tmp_path: Path) -> None:
    """Two calls whose exit another step made 0 printed sudo's refusal first: it is the same
    failure again, never a banner printed before every output to be cut from the failure that
    follows (whose last line, sudo's verdict in Chinese, says nothing of why)."""
    hidden = f"{_NO_TERMINAL}\nsudo: 需要密码"
    records = [
        call("a", "sudo cat /etc/sudoers.d/*; echo done"), result("a", hidden),
        call("b", "sudo cat /etc/shadow || echo 'run it in a terminal'"), result("b", hidden),
        *_refused("sudo deluser deploy sudo"),
    ]  # fmt: skip
    lessons = failure_lessons(tmp_path, records)
    assert lessons and all(lesson.text.startswith(_SUDO_LESSON) for lesson in lessons)
    assert {lesson.evidence.quote for lesson in lessons} == {_NO_TERMINAL}


@pytest.mark.parametrize(
    "verdict",
    ["sudo: 需要密码", "sudo: Ein Passwort ist notwendig", "sudo: パスワードが必要です"],
)
def test_sudo_refused_in_any_language_is_one_lesson_whatever_the_command(
    tmp_path: Path, verdict: str
) -> None:
    """Each command under sudo fails alike: one lesson, the same text (so the sessions merge
    into it), quoting sudo's English line rather than its translated verdict."""
    records = [
        *_refused("sudo useradd -m deploy", verdict),
        *_refused("sudo deluser ana sudo", verdict),
    ]
    lessons = failure_lessons(tmp_path, records)
    assert len(lessons) == 2 and len({lesson.text for lesson in lessons}) == 1
    assert lessons[0].text.startswith(_SUDO_LESSON)
    assert {lesson.evidence.quote for lesson in lessons} == {_NO_TERMINAL}


def test_sudo_given_nothing_on_its_standard_input_quotes_its_english_line(
    tmp_path: Path,
) -> None:
    command = 'echo "$PW" | sudo -S cp app.conf /etc/nginx/sites-available/app 2>&1'
    output = "Exit code 1\n[sudo] ana 的密码： \nsudo: no password was provided\nsudo: 需要密码"
    (lesson,) = failure_lessons(tmp_path, [call("a", command), result("a", output, True)])
    assert lesson.text.startswith(_SUDO_LESSON)
    assert lesson.evidence.quote == "sudo: no password was provided"


def test_a_programs_own_error_in_chinese_is_still_its_own_failure(tmp_path: Path) -> None:
    output = "Exit code 1\n/bin/bash: 行 1: ./scripts/stop.sh: 权限不够"
    (lesson,) = failure_lessons(
        tmp_path, [call("a", "./scripts/stop.sh"), result("a", output, True)]
    )
    assert not lesson.text.startswith(_SUDO_LESSON)
    assert lesson.evidence.quote == "/bin/bash: 行 1: ./scripts/stop.sh: 权限不够"


def test_sudo_in_english_alone_is_still_the_sudo_lesson(tmp_path: Path) -> None:
    output = f"Exit code 1\n{_NO_TERMINAL}\nsudo: a password is required"
    (lesson,) = failure_lessons(
        tmp_path, [call("a", "sudo systemctl restart app"), result("a", output, True)]
    )
    assert lesson.text.startswith(_SUDO_LESSON) and lesson.evidence.quote == _NO_TERMINAL
