"""What a user's message hands over rather than says: text supplied for the program (a
prompt, a template, a message to show) and a slash command's arguments. Neither is a rule
for the agent, however it is worded ("Always set …", "The assistant should …")."""

from __future__ import annotations

import re

# A block set in triple quotes (code fences are no prose already), to its end, or to the
# text's when its quotes open or end a line (`Always use """ for docstrings` names them).
_QUOTED_BLOCK = re.compile(
    r'"""(?:.*?""")|\'\'\'(?:.*?\'\'\')'
    r'|(?:^[ \t]*(?:"""|\'\'\')|(?:"""|\'\'\')[ \t]*$).*\Z',
    re.S | re.M,
)
# A line handing over the lines after it: "Apply this prompt when the server starts", "Use
# the text below for the banner:", "Add the following to the system prompt:" (not "… the
# following rules:"). The material's name is followed by nothing, a colon, or where and when
# it goes ("use these message ids as keys" hands over nothing); named by "the", its line ends
# in a colon ("use the message queue for jobs" hands over nothing).
_MATERIAL = (
    r"(?:(?:system\s+)?prompts?|templates?|text|content|copy|wording|snippets?|messages?)"
    r"(?![\w-])(?:[ \t]+(?:below|above|here|when|whenever|for|to|in|into|on|at|as|from)\b"
    r"[^\n]{0,80}?)?"
)
_GIVE = r"(?:apply|use|add|put|insert|append|paste|include|set|send|show|display|write)"
_HANDS_OVER = re.compile(
    rf"^[^\n]*?\b(?:{_GIVE}\s+(?:this|these|the\s+following)\s+(?:[\w-]+\s+){{0,2}}?"
    rf"{_MATERIAL}[:\uff1a]?"
    rf"|{_GIVE}\s+the\s+(?:[\w-]+\s+){{0,2}}?{_MATERIAL}[:\uff1a]"
    r"|(?:add|put|insert|append|paste)\s+the\s+following"
    r"(?:[ \t]+(?:to|in|into|at|on)\b[^\n.:]{0,60})?[:\uff1a])"
    r"[ \t]*\n",
    re.I | re.M,
)
# A message opened by a slash command (`/review-pr 42 carefully`): its arguments are the
# command's input, as the harness's own `<command-args>` are. Not a path at the root of the
# file system ("/tmp is wiped on boot").
# Nor a route or folder the sentence goes on to speak of ("/api routes must …", "/docs is …").
_SLASH_COMMAND = re.compile(
    r"^\s*/(?P<name>[A-Za-z][\w:-]*)(?=\s|$)"
    r"(?!\s+(?:is|are|was|were|must|should|shall|has|have|needs?|always|never"
    r"|routes?|endpoints?|handlers?|folders?|director(?:y|ies)|files?|pages?)\b)",
    re.I,
)
_ROOT_FOLDERS = frozenset(
    {"bin", "boot", "dev", "etc", "home", "lib", "mnt", "media", "nix", "opt", "proc", "root"}
    | {"run", "sbin", "srv", "sys", "tmp", "usr", "var", "Users", "Volumes", "Applications"}
    | {"Library", "System", "private", "data", "app", "workspace"}
)


def own_words(text: str) -> str:
    """The part of a user's message said to the agent in the user's own words: none for a
    slash command's invocation; the rest with what it hands over blanked (each block becomes
    a line break, so the words left are the message's own, verbatim)."""
    if invokes_command(text):
        return ""
    unquoted = _QUOTED_BLOCK.sub("\n", text)
    handed = _HANDS_OVER.search(unquoted)
    return unquoted if handed is None else unquoted[: handed.end()]


def invokes_command(text: str) -> bool:
    """The message is a slash command typed with its arguments, not a sentence of the user's."""
    command = _SLASH_COMMAND.match(text)
    return command is not None and command["name"] not in _ROOT_FOLDERS
