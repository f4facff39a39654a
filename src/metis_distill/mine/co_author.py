"""The user asking for the agent's signature (its co-author trailer) to go from commits.

Claude Code (and other agents) end commit messages with "Generated with Claude Code" and
`Co-Authored-By: Claude …`. A user who has it taken out ("remove the co-author message",
"commit without the Claude Code signature", the trailer pasted back with "去除") wants it gone
from every commit, however the one request is worded. The request is read clause by clause: the
removal and the trailer (named as one: `Co-Authored-By`, "the co-author line", the agent's
signature) in one clause; none of the message's clauses adding, keeping or restoring it; not a
question; the agent named, and no person whose credit it is ("remove the co-author line for
Bob"). A signature is the agent's only when the clause names the agent ("commit without
signing" is about the user's own key).
"""

from __future__ import annotations

import re

UNSIGNED_COMMITS = (
    "Leave the agent's signature (its `Co-Authored-By` trailer, “Generated with …”) out of "
    "commit messages: the user had it removed."
)
ASK_MAX = 600  # characters: a request about one trailer, not a document naming it
# The trailer, named as one: its own words, or co-author words with what it is in a commit.
_TRAILER_NAMED = re.compile(
    r"\bco-?authored[- ]by\b|\bco-?author(?:ed)?(?:[- ]by)?\s+(?:message|line|trailer|"
    r"attribution|signature|tag|credit|footer)s?\b",
    re.I,
)
_CO_AUTHOR = re.compile(r"\bco-?author", re.I)
# (Cursor and "the AI" only as names: a text cursor, "the ai" of a feature, are not them)
_AGENT_NAMES = (
    r"(?:claude(?: code)?|codex|copilot|gemini|(?-i:Cursor)|aider|the agent|(?-i:the AI))"
)
_YOURS_SAID = r"\byour\s+(?:own\s+)?(?:signature|attribution)s?\b"
# The agent's signature named, with the agent in the same words: "Claude Code signature",
# "the 'Generated with Claude Code' line".
_SIGNATURE_NAMED = re.compile(
    rf"\b{_AGENT_NAMES}['’]?s?\s+(?:signature|attribution|footer)s?\b"
    rf"|\b(?:signature|attribution|footer)s?\s+(?:of|from|by)\s+{_AGENT_NAMES}\b"
    rf"|\bgenerated\s+(?:with|by)\s+\[?{_AGENT_NAMES}\b"
    # the agent's own, said to it: "do not add your signature on the commit messages"
    rf"|{_YOURS_SAID}",
    re.I,
)
_YOURS = re.compile(_YOURS_SAID, re.I)
# A commit's cryptographic signature, which "without your signature" may mean as well.
_KEY_SIGNING = re.compile(r"\bgpg|\bpgp\b|sign(?:ing|ed)?[- ]key|\s-S\b", re.I)
# Signed as the agent, what a commit is to be without: "without signing as claude code",
# "without 'by Claude Code'", "no 'Signed by Claude Code'" ("merged without review, signed by
# Claude" is not).
_SIGNED_AWAY = re.compile(
    rf"(?:\bwithout|(?:^|[\s,(])no)\s+['\"“‘]?(?:sign(?:ed|ing)?\s+(?:as|by)|by)\s+"
    rf"{_AGENT_NAMES}\b",
    re.I,
)
# A signature is a commit's only when the message speaks of commits (a feature's, a
# README's, a chat widget's attribution is not).
_COMMITS = re.compile(r"\bcommit|\bPR\b|\bpull request|\bgit\b|提交|コミット", re.I)
_REMOVED = re.compile(
    r"\b(?:remove|delete|drop|strip|get rid of|take out|without|leave out|omit)\b"
    r"|^no\b|\b(?:don'?t|do not|never) (?:add|include|put)\b|去除|去掉|删除|删掉|不要|别加"
    r"|entfern\w*|supprim\w*|quita\w*|elimin\w*",
    re.I,
)
# A clause that adds the trailer (not "don't add"), anywhere in the message.
_ADDED = re.compile(
    r"(?<!don't )(?<!dont )(?<!not )(?<!never )\b(?:add|include|append|use|must|should|needs?)\b",
    re.I,
)
# The trailer kept or put back, said of it or of "it" ("no, keep it", "actually put it back").
_KEPT = re.compile(
    r"\b(?:keep|restore|put (?:it |that )?back|leave (?:it|that) (?:in|there|alone)|"
    r"(?:don[’']?t|do not|never|no need to|shouldn[’']?t|should not|mustn[’']?t|must not)"
    r"(?:\s+\w+){0,3}?\s+(?:remove|delete|drop|strip))\b"
    r"|不要(?:去除|去掉|删除|删掉)|保留|加上|加回",
    re.I,
)
# The removal asked for: the clause opens on it (after "please", the agent's name …), or
# says what to do without the trailer; not what a hook or a tool will do.
_ASKED = re.compile(
    r"^(?:(?:please|also|always|just|and|now|then|so|ok(?:ay)?|[A-Z][a-z]+,)\s+)*(?:remove|delete|"
    r"drop|"
    r"strip|get rid of|take out|leave out|omit|no\b|don[’']?t (?:add|include|put)|"
    r"never (?:add|include|put)|do not (?:add|include|put))"
    r"|\bwithout\b|\b(?:don[’']?t|do not|never) (?:add|include|put)\b"
    r"|去除|去掉|删除|删掉|不要|别加",
    re.I,
)
_AGENT = re.compile(
    r"\b(?:claude|anthropic|codex|openai|copilot|gemini|cursor|aider|AI|agent|assistant|bot)\b",
    re.I,
)
# A person named with the co-author words ("co-author Bob", "the co-author line for Ana").
_PERSON = re.compile(
    r"\bco-?author(?:ed)?(?:[- ]by)?:?\s+(?:(?:line|message|trailer)\s+)?(?:for|of)?\s*"
    r"(?P<name>[A-Za-z][a-z]+)\b|\b(?:for|of)\s+(?P<after>[A-Za-z][a-z]+)\b"
    r"|\b(?P<owner>[A-Za-z][a-z]+)[’']s\s+co-?author",
    re.I,
)
_NOT_NAMES = frozenset(
    {"the", "a", "an", "this", "that", "it", "my", "our", "your", "all", "each", "every", "me"}
    | {"line", "message", "trailer", "attribution", "signature", "tag", "credit", "footer"}
    | {"commit", "commits", "from", "in", "on", "to"}
)
_QUESTION_OPENS = re.compile(
    r"^\s*(?:so\s+)?(?:why|what|how|when|where|who|did|do|does|is|are|can|could|would|should|"
    r"shall|will)\b",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?\n。！？]+[.!?\n。！？]*")
_CLAUSE = re.compile(r"[.;!?\n。；！？,，:]+|\s+(?:and|but|then|or)\s+", re.I)
# The trailer itself, pasted back by the user.
_TRAILER = re.compile(r"^\s*Co-Authored-By:\s*(?P<who>.+)$", re.I | re.M)
_BARE_REMOVAL_MAX = 12  # characters of a clause that says only "remove it" ("去除")


def unsigned_commits(text: str) -> str | None:
    """What of the user's message asks for the agent's trailer to go (to quote), or None."""
    said = text.strip()
    if len(said) > ASK_MAX or not _names_trailer(said) or _KEY_SIGNING.search(said):
        return None
    if not _CO_AUTHOR.search(said) and not _COMMITS.search(said):
        return None  # the agent's signature, but of no commit
    clauses = [c.strip() for c in _CLAUSE.split(said) if c.strip()]
    if any(_KEPT.search(c) or (_names_trailer(c) and _ADDED.search(c)) for c in clauses):
        return None  # the trailer added, kept or put back somewhere in the message
    for sentence in _SENTENCE.findall(said):
        if _is_question(sentence):
            continue
        for clause in _CLAUSE.split(sentence):
            if _asks_removal(clause.strip(), agent_named=bool(_AGENT.search(said))):
                return clause.strip()
    pasted = _TRAILER.search(said)
    if pasted is not None and _AGENT.search(pasted["who"]):
        own = said[: pasted.start()] + said[pasted.end() :]
        if any(_bare_removal(c) for c in _CLAUSE.split(own)):
            return pasted.group(0).strip()
    return None


def _is_question(sentence: str) -> bool:
    stripped = sentence.strip()
    return bool(_QUESTION_OPENS.match(stripped)) or stripped.endswith(("?", "\uff1f", "吗", "嗎"))


def _asks_removal(clause: str, agent_named: bool) -> bool:
    """The clause removes the trailer of the agent (named in it, or in the message), and of
    no person."""
    # the agent's signature named without co-author words: a commit's only when the clause
    # says so ("… from the commit message"), not the README's badge of the same words
    signature = _SIGNATURE_NAMED.search(clause) is not None and _COMMITS.search(clause) is not None
    named = _TRAILER_NAMED.search(clause) or signature
    if not (named and _ASKED.search(clause)) and not _SIGNED_AWAY.search(clause):
        return False
    if _names_person(clause):
        return False
    return agent_named or _AGENT.search(clause) is not None or _YOURS.search(clause) is not None


def _names_trailer(text: str) -> bool:
    return bool(
        _CO_AUTHOR.search(text) or _SIGNATURE_NAMED.search(text) or _SIGNED_AWAY.search(text)
    )


def _names_person(clause: str) -> bool:
    for found in _PERSON.finditer(clause):
        name = found["name"] or found["after"] or found["owner"]
        if name.lower() not in _NOT_NAMES and not _AGENT.fullmatch(name):
            return True
    return False


def _bare_removal(clause: str) -> bool:
    """A clause that only says to remove it ("去除", "remove it", "delete that")."""
    clause = clause.strip()
    return 0 < len(clause) <= _BARE_REMOVAL_MAX and _REMOVED.match(clause) is not None
