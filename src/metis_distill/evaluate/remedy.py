"""The remedy a lesson states, and whether it agrees with the fix its gold label records.

Lessons are free text (the rules extractor's templates, or Claude's own words), so the remedy
is read from the text: a clause led by an imperative ("use X instead", "run X first",
"re-read the file"), an outcome with its cause ("it passed after editing X", "fixed by X"), or
a "fix: X" note. Error text quoted in curly quotes (“…”) is never a remedy: the rules extractor
quotes errors that way, and an error message may itself say "Run X first".
"""

from __future__ import annotations

import re
from enum import StrEnum

from metis_distill.evaluate.gold import GoldFix

_QUOTED = re.compile(r"“[^”]*”")
_WS = re.compile(r"\s+")
# a clause ends at a semicolon, a dash, a colon or a sentence end
_CLAUSES = re.compile(r";|—|\s-\s|:\s|\.\s|\.$")
_NO_FIX = re.compile(r"\bno (?:working )?fix\b|\bnot fixed\b|\bwithout (?:a )?fix\b|\bno fix\b")
_NOTE = re.compile(r"\b(?:fix|fixed|solution|workaround|remedy)\s*:\s*(?P<remedy>.+)")
_OUTCOME = re.compile(
    r"\b(?:passed|worked|succeeded|went away|fixed|resolved|solved)\b"
    r"(?P<remedy>\s+(?:after|by|with|once|on|when)\b.*)"
)
_CONDITION = re.compile(r"^(?:when|whenever|if|after|before|once|on|for|in)\b[^,]*,\s*")
_LEAD = re.compile(r"^(?:then|so|and|or|but|instead,?|first,?|here,?|just|please)\s+")
IMPERATIVES = frozenset(
    re.findall(
        r"\S+",
        "activate add always answer ask authenticate avoid browse call change check chmod "
        "clone configure convert copy create decline delegate delete disable don't "
        "downgrade drop edit enable ensure export follow free give increase install keep "
        "kill launch load make mount move never omit open pass pin point prefer prefix "
        "put quote raise re-read re-run read reduce reinstall remove rename replace "
        "reread rerun restart restore retry run set skip source specify start stop strip "
        "switch upgrade use wait wrap",
    )
)


class FixVerdict(StrEnum):
    UNJUDGED = "unjudged"  # the gold label says nothing about a fix
    NONE_STATED = "none_stated"  # the lesson names no remedy
    AGREES = "agrees"
    WRONG = "wrong"  # a remedy the run shows to be wrong, or one none of the fix's words name
    INVENTED = "invented"  # a remedy where the run shows none

    @property
    def is_wrong(self) -> bool:
        return self in (FixVerdict.WRONG, FixVerdict.INVENTED)


def fold(text: str) -> str:
    return _WS.sub(" ", text.lower()).strip()


def mentions(term: str, text: str) -> bool:
    """The term occurs in the text (folded) starting at a word start: `S:` is not found in
    `https:`, `sed` not in `used`, but `read` is found in `re-read`."""
    needle = fold(term)
    if not needle:
        return False
    prefix = r"(?<![a-z0-9_])" if needle[0].isalnum() else ""
    return re.search(prefix + re.escape(needle), fold(text)) is not None


def unquoted(text: str) -> str:
    """The text without the error messages it quotes."""
    return _QUOTED.sub(" ", text)


def stated_remedy(text: str) -> str | None:
    """The remedy clauses of a lesson's text, joined; None when it names no remedy."""
    plain = fold(unquoted(text)).replace("`", "")
    if _NO_FIX.search(plain):
        plain = _NO_FIX.sub(" ", plain)
    note = _NOTE.search(plain)
    if note is not None:
        return note["remedy"].strip()
    found = [c for c in map(_clause, _CLAUSES.split(plain)) if c and _is_remedy(c)]
    return " | ".join(found) if found else None


def _clause(raw: str) -> str:
    """A clause without its connectives, and without a leading condition: "when X fails,
    use Y" is read from "use Y"."""
    text = raw.strip(" ,.()")
    condition = _CONDITION.match(text)
    if condition is not None:
        text = text[condition.end() :]
    while (lead := _LEAD.match(text)) is not None:
        text = text[lead.end() :]
    return text


def _is_remedy(clause: str) -> bool:
    first = clause.split(" ", 1)[0]
    if first in IMPERATIVES or (first == "do" and clause.startswith("do not ")):
        return True
    return _OUTCOME.search(clause) is not None


def judge_fix(gold: GoldFix | None, text: str, fix: str | None = None) -> FixVerdict:
    """Whether a lesson's remedy (its `fix` when the extractor gave one, else the remedy its
    text states) agrees with what fixed the failure in the run."""
    if gold is None:
        return FixVerdict.UNJUDGED
    plain = unquoted(text)
    if any(mentions(term, plain) for term in gold.wrong_terms):
        return FixVerdict.WRONG
    remedy = fix if fix is not None else stated_remedy(text)
    if remedy is None:
        return FixVerdict.NONE_STATED
    if gold.fix is None:
        return FixVerdict.INVENTED
    if any(mentions(term, remedy) for term in gold.terms):
        return FixVerdict.AGREES
    return FixVerdict.WRONG
