"""sudo that got no password: it could not ask for one (no terminal, no askpass helper), or it
asked and was given none, or a wrong one."""

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


def sudo_could_not_ask(output: str) -> str | None:
    """sudo's own line saying it could not ask for the password, anywhere in the output's
    head: whichever program ran it (`yay -S x`, `makepkg -si`, a script) ends on its own."""
    said = re.search(rf"^[^\n]*(?:{COULD_NOT_ASK})[^\n]*", output[:4000], re.M)
    return said.group(0).strip() if said else None
