"""Whether a choice the user made held: their next message saying it did not, or words said
after it that turn it down or put the question again."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from metis_distill.mine import phrases
from metis_distill.mine.questions import MAX_ANSWER, is_answer
from metis_distill.models import Event, EventKind

REPLY_LOOKAHEAD = 30  # events after an answer in which the user's next words are looked for


# The user's next words say the choice did not hold ("also conflicts with vscode"), beside
# `phrases.STILL_BROKEN` ("does not work").
_UNDONE = re.compile(
    r"\b(?:conflicts?|clash(?:es)?|broken|revert|undo|go back|change it back|wrong)\b|"
    r"冲突|不对|错了|改回|撤销|回滚",
    re.I,
)


# Words by which the user later takes a thing back: "不要验证码了", "drop the Redis cache".
_NEGATES = re.compile(
    r"不要|不用|不需要|不再|去掉|取消|别用|\b(?:don'?t|do not|no longer|drop|get rid of|"
    r"stop using|instead of|not use)\b",
    re.I,
)


NEGATED_SPAN = 20  # characters after the negation in which the thing taken back is named


# Pairs of Chinese characters too common to tell what was chosen.
_COMMON_PAIRS = frozenset(
    {"使用", "采用", "需要", "可以", "直接", "全部", "所有", "一个", "这个", "那个", "必须", "应该"}
    | {"格式", "代码", "文件", "方式", "方法", "功能", "系统", "数据", "服务", "配置", "项目"}
)


_COMMON_WORDS = frozenset(
    {"with", "that", "this", "them", "they", "from", "into", "only", "each", "when", "then",
     "just", "also", "more", "less", "some", "what", "which", "keep", "using", "there", "other",
     "main", "file", "files", "code", "data", "format", "test", "tests", "service"}
)  # fmt: skip


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


_WORD = re.compile(r"[A-Za-z][\w.+-]{3,}")


def undone(events: Sequence[Event], index: int) -> bool:
    """The user's next message after the answer at `index` says the choice did not hold."""
    answer = events[index]
    for later in events[index + 1 : index + 1 + REPLY_LOOKAHEAD]:
        if later.session != answer.session:
            return False
        if later.role == "user" and later.kind is EventKind.TEXT:
            said = later.text[:300]
            return bool(_UNDONE.search(said) or phrases.STILL_BROKEN.search(said))
        if is_answer(later):
            return False  # answered again before saying anything: the next answer stands apart
    return False


def taken_back(choice: str, said_later: Iterable[str]) -> bool:
    """The user, in words said after the answer, says not to have what they chose ("必须验证",
    then "不要验证码了")."""
    keys = _choice_keys(choice)
    return any(_negates(said[:MAX_ANSWER], keys) for said in said_later)


# A code name written in backticks: a word with `_`, `.`, `::` or a capital inside
# (`ensure_loaded`, `VLLMModelManager`, `config.py`), not a plain word (`chat`).
_BACKTICKED = re.compile(r"`([^`\n]{2,80})`")


_CODE_NAME = re.compile(
    r"[A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)+|[A-Za-z]*_\w+|\w*[a-z][A-Z]\w*|\w*[A-Z]{2}[a-z]\w*"
)


_NO_PROBLEM = re.compile(
    r"\bno (?:more )?(?:problems?|issues?|bugs?)\b|\bnothing wrong\b|\bnot an issue\b", re.I
)


# The user reporting a problem in the thing named ("… causa una demora inaceptable").
_PROBLEM = re.compile(
    r"\b(?:problems?|issues?|bugs?|wrong|unacceptable|broken|too slow|doesn'?t work)\b|"
    r"\bproblema|\binaceptable|\binaceitável|\bproblème|\binacceptable|\bProblem|проблем|"
    r"问题|問題|문제",
    re.I,
)


def revisited(question: str, said_later: Iterable[str]) -> bool:
    """The user, later in the session, reports a problem in what the question turned on
    (a code name of the question's, `ensure_loaded`, in the same message): the choice was
    reopened, and what was settled then is not this answer."""
    names = {
        name
        for quoted in _BACKTICKED.findall(question)
        for name in _CODE_NAME.findall(quoted)
        if len(name) > 3
    }
    return bool(names) and any(
        _PROBLEM.search(said)
        and not _NO_PROBLEM.search(said)
        and any(_names(name.lower(), said.lower()) for name in names)
        for said in said_later
    )


def _choice_keys(choice: str) -> set[str]:
    """What names the choice: its words, and the pairs of Chinese characters it is written in."""
    pairs = {run[i : i + 2] for run in _CJK_RUN.findall(choice) for i in range(len(run) - 1)}
    words = {word.lower() for word in _WORD.findall(choice)}
    return (pairs - _COMMON_PAIRS) | (words - _COMMON_WORDS)


def _negates(said: str, keys: set[str]) -> bool:
    for negation in _NEGATES.finditer(said):
        span = said[negation.end() : negation.end() + NEGATED_SPAN].lower()
        if any(_names(key, span) for key in keys):
            return True
    return False


def _names(key: str, span: str) -> bool:
    """A Chinese pair anywhere; a word only as a whole word ("redis", not "redistribute")."""
    if _CJK_RUN.match(key):
        return key in span
    return re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", span) is not None
