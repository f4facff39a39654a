"""A way that worked only once given a secret (a password piped to `sudo -S`, typed by
`expect` or `sshpass`, a token in the call) is no way to teach; the same secret carried along
by the failed call too, or a setting named without its value, is no secret given."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.fixes import FixKind
from metis_distill.mine.given_secrets import SUDO_STDIN, given_secrets
from metis_distill.models import LessonKind
from metis_distill.sources.claude_code import parse_file
from tests.mine.test_episodes import _write, call, result

SUDO_MARK = "[REDACTED:sudo_password]"
EXPECT = (
    'expect -c \'spawn ssh deploy@10.0.0.5; expect "*assword:"; send "Tr0ub4dor99\\r"; expect eof\''
)


@pytest.mark.parametrize(
    ("failed", "way", "given"),
    [
        ("ls -la /boot/", f"echo {SUDO_MARK} | sudo -S ls -la /boot/", {SUDO_MARK, SUDO_STDIN}),
        ("ls -la /boot/", "printf '%s\\n' \"$PW\" | sudo -S ls -la /boot/", {SUDO_STDIN}),
        ("apt-get install -y jq", 'sudo -kS apt-get install -y jq <<< "$PW"', {SUDO_STDIN}),
        ("cat /etc/shadow", "sudo -u root --stdin cat /etc/shadow < pw.txt", {SUDO_STDIN}),
        ("ssh deploy@10.0.0.5 uptime", "sshpass -e ssh deploy@10.0.0.5 uptime", {"sshpass"}),
        ("ssh deploy@10.0.0.5", EXPECT, {"a password prompt answered"}),
        (  # the mark past where a line would cut the command
            "curl -sf https://api.acme.dev/v1/items",
            "curl -sf https://api.acme.dev/v1/items -H 'Authorization: Bearer "
            "[REDACTED:bearer_token]'",
            {"[REDACTED:bearer_token]"},
        ),
        # the same secret in the failed call: `expect` missing, then run through nix-shell
        (EXPECT, f'nix-shell -p expect --run "{EXPECT}"', set()),
        # plain sudo, and sudo asking nothing on standard input: no password given
        ("chown ana /srv/site", "sudo chown ana /srv/site", set()),
        ("ls -S /srv", "sudo -u www-data ls -S /srv", set()),
        # an ordinary pipe, and a script that sends no password
        ("python3 setup.py", "echo y | python3 setup.py", set()),
        ("ssh deploy@10.0.0.5", "expect -c 'spawn ssh deploy@10.0.0.5; expect eof'", set()),
        # a setting's value: the lesson names the variable alone (`NPM_TOKEN=…`)
        ("npm publish", "NPM_TOKEN=[REDACTED:npm_token] npm publish", set()),
    ],
)
def test_what_a_way_gives_that_the_failed_call_lacked(
    failed: str, way: str, given: set[str]
) -> None:
    assert given_secrets(failed, way) == given


def _fix_kind(tmp_path: Path, failed: str, error: str, retry: str, output: str) -> FixKind | None:
    records = [
        call("c1", failed),
        result("c1", error, True),
        call("c2", retry),
        result("c2", output),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    (episode,) = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return episode.fix.kind if episode.fix is not None else None


DENIED = "Exit code 2\nls: cannot open directory '/boot/': Permission denied"


@pytest.mark.parametrize(
    ("retry", "kind"),
    [
        ("echo Tr0ub4dor99 | sudo -S ls -la /boot/", FixKind.SECRET_GIVEN),
        ("sudo ls -la /boot/", FixKind.REPLACED),
    ],
)
def test_a_password_piped_to_sudo_is_a_secret_given_plain_sudo_another_form(
    tmp_path: Path, retry: str, kind: FixKind
) -> None:
    found = _fix_kind(tmp_path, "ls -la /boot/", DENIED, retry, "total 2388\ndrwx------ 7 root")
    assert found is kind


@pytest.mark.parametrize(
    "fix",
    ["Pipe the password to `sudo -S`.", "Feed the password with sudo --stdin."],
)
def test_a_secret_fed_in_prose_is_found(fix: str) -> None:
    """A Claude answer's fix is prose: `sudo -S` ends at a backtick or a full stop."""
    assert given_secrets("", fix) == {SUDO_STDIN}
