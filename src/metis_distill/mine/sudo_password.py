"""sudo that got no password: it could not ask for one (no terminal, no askpass helper), or it
asked and was given none, or a wrong one.

sudo's messages are translated (gettext) in the machine's locale: its English lines are told
by their words; a translated no-terminal line by the option names it keeps (`-S`, askpass);
any other translated line by where it stands, sudo's own verdict ending the output after its
prompt (`[sudo] ana 的密码：` … `sudo: 需要密码`).
"""

from __future__ import annotations

import re

# sudo could not ask for the password: no terminal, no askpass helper.
COULD_NOT_ASK = r"sudo: (?:a terminal is required|a password is required|no tty present)"
# sudo ran nothing, however the password was to come (`-S`, `-A`).
REFUSED = re.compile(
    r"sudo: (?:\d+ incorrect password attempts?|no password was provided|no askpass program)"
)
# … or it asked, and what it was given was refused (a prompt, "Sorry, try again").
SUDO_PASSWORD = re.compile(COULD_NOT_ASK + r"|^\[sudo\] [^\n]*[:：]\s*$|^Sorry, try again\.", re.M)
_ENGLISH_LINE = re.compile(rf"^[^\n]*(?:{COULD_NOT_ASK}|{REFUSED.pattern})[^\n]*", re.M)
# The no-terminal line in any language: the option and the helper keep their names
# ("sudo: Ein Terminal ist erforderlich, …; verwenden Sie entweder die Option -S, …").
_NO_TERMINAL_TRANSLATED = re.compile(
    r"^sudo: [^\n]*(?<![A-Za-z0-9-])-S(?![A-Za-z0-9])[^\n]*askpass[^\n]*", re.M | re.I
)
# Its prompt for the password in any language (`[sudo] password for ana:`, `[sudo] ana 的密码：`).
_PROMPT = re.compile(r"^\[sudo\] .*[:：]$")
# A verdict of sudo's own naming no program, host or file (`sudo: 需要密码`, `sudo: Ein
# Passwort ist notwendig`), unlike `sudo: deploy: command not found`.
_VERDICT = re.compile(r"^sudo: [^:：]+$")
_PROMPT_THEN_VERDICT = re.compile(r"^(\[sudo\] [^\n]*?[:：])[ \t]*(?=sudo: )", re.M)
_HEAD = 4000  # characters read at either end of an output


def sudo_got_no_password(output: str) -> str | None:
    """sudo's line saying it got no password, or None: its English line wherever it stands in
    the output's head (a program that ran sudo ends on its own lines), else its translated
    no-terminal line, else its prompt when sudo's own lines after it end the output."""
    head = output[:_HEAD]
    said = _ENGLISH_LINE.search(head) or _NO_TERMINAL_TRANSLATED.search(head)
    if said is not None:
        return said.group(0).strip()
    return _prompt_before_verdict(output[-_HEAD:])


def _prompt_before_verdict(tail: str) -> str | None:
    """sudo's prompt, when the output ends on a verdict of sudo's with only sudo's own lines
    between them (`sudo -S` given nothing: `[sudo] ana 的密码：`, `sudo: 没有提供密码`,
    `sudo: 需要密码`)."""
    # `sudo -S` ends its prompt with no newline: its verdict may follow on the prompt's line
    tail = _PROMPT_THEN_VERDICT.sub("\\1\n", tail)
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    if not lines or not _VERDICT.match(lines[-1]):
        return None
    for line in reversed(lines[:-1]):
        if _PROMPT.match(line):
            return line
        if not line.startswith("sudo: "):
            return None
    return None
