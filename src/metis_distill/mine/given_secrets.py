"""A way past a failure that worked only because it was given a secret.

`ls /boot` refused, then `echo <the user's password> | sudo -S ls /boot` working; `ssh host`
refused, then an `expect` script answering its password prompt; a token pasted into the
retry's URL. What made the error go away is the secret itself: the next agent has none to
give (the archive holds it redacted, `[REDACTED:kind]`), and a line naming that way teaches
it to pipe or script the user's password. A fix that brings a secret the failed call did not
hold is no fix to teach; one that only carried the same secret along (`expect` missing, the
same script run through `nix-shell -p expect`) still is.
"""

from __future__ import annotations

import re

from metis_distill.redact import REDACTION_MARK

# sudo reading its password from standard input (`echo pw | sudo -S …`, `sudo -kS … <<< pw`,
# `sudo --stdin`), its options before it (`-u postgres`), not the command's own `-S`
SUDO_STDIN = "sudo -S"
_SUDO_STDIN = re.compile(
    r"\bsudo(?:\s+(?:-[ugCDhprtTU]\s+[^-\s]\S*|-[a-zA-Z]+|--[\w-]+(?:=\S+)?))*?"
    r"\s+(?:-[a-zA-Z]*S[a-zA-Z]*|--stdin)(?![\w=-])"
)
# An environment variable set for the command (`DATABASE_URL=postgres://u:[REDACTED…]@db x`,
# `export NPM_TOKEN=…`): the variable is what a lesson names, its value never
# (`extract.rules` tells it as `NAME=…`), so a secret in it is no secret given.
_SETTING = re.compile(r"(?:(?<=\s)|^)[A-Z_][A-Z0-9_]*=(?:\"[^\"]*\"|'[^']*'|\S*)")
# Programs given a password to type for the agent: sshpass (`-p pw`, `-e`, `-f file`), and a
# script that answers a password prompt (`expect "*assword:"` then `send "pw\r"`; pexpect's
# `expect('Password:')` then `sendline(…)`).
_FEEDS = (
    (SUDO_STDIN, _SUDO_STDIN),
    ("sshpass", re.compile(r"\bsshpass\b")),
    (
        "a password prompt answered",
        re.compile(
            r"\bexpect\b.{0,200}?(?:assword|passphrase).{0,80}?\bsend(?:line)?\b", re.I | re.S
        ),
    ),
)


def given_secrets(failed: str, way: str) -> frozenset[str]:
    """The secrets `way` (the commands that worked, steps included) gives that the failed
    command did not: each redaction mark it holds, and each way of feeding a password
    (`SUDO_STDIN`, sshpass, a password prompt answered)."""
    return _secrets(way) - _secrets(failed)


def _secrets(command: str) -> frozenset[str]:
    marks = set(REDACTION_MARK.findall(_SETTING.sub("", command)))
    fed = {name for name, feeds in _FEEDS if feeds.search(command)}
    return frozenset(marks | fed)
