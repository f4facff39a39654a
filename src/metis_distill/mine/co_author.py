"""The user asking for the agent's co-author trailer to go from commits.

Claude Code (and other agents) end commit messages with `Co-Authored-By: Claude …`. A user who
has it taken out ("remove the co-author message", the trailer pasted back with "去除") wants it
gone from every commit, however the one request is worded. The request is read clause by
clause: the removal and the trailer in one clause, not a clause that adds or keeps it, not a
question, not a co-author who is a person ("remove the co-author line for Bob").
"""

from __future__ import annotations

import re

UNSIGNED_COMMITS = (
    "Leave the agent's `Co-Authored-By` trailer out of commit messages: the user had it removed."
)
ASK_MAX = 600  # characters: a request about one trailer, not a document naming it
_CO_AUTHOR = re.compile(r"\bco-?author(?:ed)?(?:[- ]by)?\b|共同作者|合著", re.I)
_REMOVED = re.compile(
    r"\b(?:remove|delete|drop|strip|get rid of|take out|without|no|don'?t (?:add|include|put)|"
    r"never (?:add|include|put))\b|去除|去掉|删除|删掉|不要|别加|entfern\w*|supprim\w*|quita\w*|"
    r"elimin\w*",
    re.I,
)
_KEPT = re.compile(
    r"\b(?:add|include|keep|put|use|append|must|should|needs?|don'?t (?:remove|delete|drop|strip)|"
    r"do not (?:remove|delete|drop|strip)|never (?:remove|delete|drop|strip)|no need to)\b"
    r"|不要(?:去除|去掉|删除|删掉)|保留|加上",
    re.I,
)
_AGENT = re.compile(
    r"\b(?:claude|anthropic|codex|openai|copilot|gemini|cursor|aider|AI|agent|assistant|bot)\b",
    re.I,
)
# Someone named after the co-author words ("the co-author line for Bob"): a person's credit.
_PERSON = re.compile(r"\b(?:for|of|by|as)\s+(?P<name>[A-Z][a-z]+)\b")
_QUESTION = re.compile(
    r"^\s*(?:why|what|how|when|where|who|did|do|does|is|are|can|could|would|should)\b"
    r"|[?\uff1f]\s*$|吗\s*$",
    re.I,
)
_CLAUSE = re.compile(r"[.;!?\n。；！？,，]+|\s+(?:and|but|then)\s+", re.I)
# The trailer itself, pasted back by the user.
_TRAILER = re.compile(r"^\s*Co-Authored-By:\s*(?P<who>.+)$", re.I | re.M)
_BARE_REMOVAL_MAX = 12  # characters of a clause that says only "remove it" ("去除")


def unsigned_commits(text: str) -> str | None:
    """What of the user's message asks for the agent's trailer to go (to quote), or None."""
    said = text.strip()
    if len(said) > ASK_MAX or not _CO_AUTHOR.search(said):
        return None
    clauses = [c.strip() for c in _CLAUSE.split(said) if c.strip()]
    if any(_CO_AUTHOR.search(c) and _KEPT.search(c) for c in clauses):
        return None  # the trailer added or kept somewhere in the message
    for clause in clauses:
        if _asks_removal(clause, agent_named=bool(_AGENT.search(said))):
            return clause
    pasted = _TRAILER.search(said)
    if pasted is not None and _AGENT.search(pasted["who"]):
        own = said[: pasted.start()] + said[pasted.end() :]
        if any(_bare_removal(c) for c in _CLAUSE.split(own)):
            return pasted.group(0).strip()
    return None


def _asks_removal(clause: str, agent_named: bool) -> bool:
    """The clause removes the co-author trailer of the agent (named in it, or in the message
    with no one else named in the clause)."""
    if not (_CO_AUTHOR.search(clause) and _REMOVED.search(clause)) or _QUESTION.search(clause):
        return False
    if _AGENT.search(clause):
        return True
    person = _PERSON.search(clause)
    return agent_named and (person is None or _AGENT.fullmatch(person["name"]) is not None)


def _bare_removal(clause: str) -> bool:
    """A clause that only says to remove it ("去除", "remove it", "delete that")."""
    clause = clause.strip()
    return (
        0 < len(clause) <= _BARE_REMOVAL_MAX
        and _REMOVED.match(clause) is not None
        and not _KEPT.search(clause)
    )
