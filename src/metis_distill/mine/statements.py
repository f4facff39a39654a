"""Decisions and gotchas stated in prose, kept only when they are earned.

A decision is a durable rule or choice of the user's (or one the agent adopted with its
reason); a one-off request, a question, a document the user pasted or asked for, and text the
harness injected (slash-command expansions, skill files, IDE context) are not decisions. A
gotcha is a fact: a guess ("might", "probably", "I think") is not one; a cause the agent
found ("turns out …") is one, unless it guessed at it first or named it after an edit, and
nothing ran since; any other claim counts once the user's reply accepts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from metis_distill.mine import phrases, signals
from metis_distill.mine.co_author import UNSIGNED_COMMITS, unsigned_commits
from metis_distill.mine.confirmed import confirmed
from metis_distill.mine.edit_scope import EditScope, edit_scope
from metis_distill.mine.harness_text import injected, is_harness_text
from metis_distill.mine.questions import answer_text, numbered_pick
from metis_distill.mine.reports_now import reports_now
from metis_distill.mine.supplied import own_words
from metis_distill.mine.taken_back import undone
from metis_distill.mine.text import clean, sentences
from metis_distill.mine.work_edits import edits_the_work
from metis_distill.models import Event, EventKind, LessonKind

MIN_SENTENCE = 25
_LANGUAGE_ASK_MAX = 80  # characters of a sentence that asks only for the language of replies
ANSWER_MAX = 80  # characters of a reply that picks one of the options offered
PASTED_LINES = 12
PASTED_STRUCTURE = 3  # headings, bullets or numbered lines that make a message a document

_STRUCTURE = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)", re.M)
_LIST_MARK = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_SECTIONED = re.compile(r"^\s*(?:#{1,6}\s|\||<[\w-]+[\s>])", re.M)
_DOCUMENT = re.compile(
    r"\b(?:add|write|put|append|update|create|document|include|insert|in|to|into)\b"
    r"[^.\n]{0,60}?\b[\w./-]+\.(?:md|txt|rst|adoc|mdc)\b",
    re.I,
)
_LIMIT = re.compile(
    r"\b(?:only supports?|(?:doesn't|does not|don't|do not) support|(?:can't|cannot|won't) "
    r"(?:launch|run|open|accept|use|call|read|write))\b",
    re.I,
)
_WORKAROUND = re.compile(
    r"^(?:to [^,.]{3,80},\s*)?(?:you(?:'d| would)? (?:want|need|have) to|you can|use\b|"
    r"instead\b)",
    re.I,
)
# A change reported as what made the problem go away.
_RESOLVED = re.compile(
    r"\b(?:resolved|fixed|solved|cured) (?:it|this|that|the (?:issue|problem|bug|error))\b", re.I
)
# The agent's own next step, not a way around the limit: "Instead, I'll dump it tonight."
# The agent wondering aloud whether to do a thing, or announcing the call it makes next.
_WONDERS = re.compile(
    r"\b(?:check|see|verify|find out|look|consider)\s+(?:if|whether)\b|:\s*$", re.I
)
# The agent picking one of its own tools for the task at hand ("I'll use the `x` skill for
# the setup since …", "let's use the Explore agent"): a step of its plan, no project's choice.
_OWN_TOOL = re.compile(
    r"\b(?:use|go with|switch to|stick with)\s+(?:the\s+|a\s+|my\s+)?"
    r"(?:(?:`[^`]{1,80}`|[\w:./-]{1,80})\s+(?:skill|sub-?agent)s?\b"
    r"|(?:Explore|Plan|general-purpose)\s+(?:sub-?)?agent\b|Task\s+tool\b|`?mcp__\w+)",
    re.I,
)
# What another's code or service does, as the agent explains it ("The reason it uses POST
# instead of GET is …", "that's why they chose X instead of Y"): no choice made in the run.
_THEIR_CHOICE = re.compile(
    r"\b(?:the reason (?:why )?(?:it|they|the [\w-]+|this [\w-]+)|(?:that's|this is|which is) "
    r"why (?:it|they))\s+(?:uses|used|chose|went with|goes with|picked|prefers|keeps|stores)\b"
    r"[^.]{0,80}?\binstead of\b",
    re.I,
)
_PLAN = re.compile(r"^(?:instead,?\s+)?(?:I'll|I will|let me|let's|I'm going to|we'll)\b", re.I)
_QUESTION = re.compile(r"\bQuestion\s+\d+(?:\s+of\s+\d+)?\s*[:.-]\s*(?P<topic>[^\n*#]{4,80})")
_RECORDED = re.compile(
    r"\b(?:Recording|Recorded|Noted|Got it|Selected|Going with|Locked in)\b[^*\n]{0,20}"
    r"\*\*(?P<choice>[^*\n]{2,80})\*\*"
)


@dataclass(frozen=True)
class Statement:
    kind: LessonKind
    signal: str
    sentence: str  # the lesson's wording
    quote: str = ""  # what to quote when the wording is not verbatim in the run
    context: tuple[Event, ...] = ()  # other events the evidence must cover


# What the user saved to Claude Code's memory (a message opened with `#`): a rule they chose
# to keep, the plainest decision a run can hold. The harness wraps it in a tag.
_MEMORY_ENTRY = re.compile(r"^\s*<user-memory-input>(?P<rule>.+?)</user-memory-input>\s*$", re.S)
_MEMORY_WORDS = 3  # "use bun always": a saved rule says what and how in a few words
_MEMORY_MAX = 400
_MAX_SAVED_LINES = 6
_HEADING_MARK = re.compile(r"^\s*#{1,6}\s*")
# What no saved rule is: a question or a request typed after a stray `#`, today's task, a
# reminder ("remember to email Bob"), a note of work to do.
_NOT_SAVED_RULE = re.compile(
    r"^(?:how|what|why|where|when|who|which|can|could|would|will|is|are|do|does|did)\b"
    r"|^(?:remember|don't forget|do not forget) to\b|^(?:TODO|FIXME|note to self)\b"
    r"|\b(?:(?<!from )now|today|tonight|tomorrow|right away|asap|later today|this week)\b",
    re.I,
)


def memory_entry(text: str) -> str | None:
    """The words the user saved to the agent's memory, when `text` is such an entry."""
    match = _MEMORY_ENTRY.match(text)
    return match.group("rule").strip() if match else None


def _saved_rule(rule: str) -> Statement | None:
    """The decision the words of a memory entry keep, on one line; None for what is no rule
    (a question, a request, a document typed after the `#` of its heading, a word or two)."""
    lines = [
        _LIST_MARK.sub("", _HEADING_MARK.sub("", line)).strip()
        for line in rule.splitlines()
        if line.strip()
    ]
    said = _joined(lines)
    if _length(said) > _MEMORY_MAX or len(lines) > _MAX_SAVED_LINES or _is_document(rule):
        return None
    if len(said.split()) < _MEMORY_WORDS and _length(said) < MIN_SENTENCE:
        return None
    if said.endswith(("?", "\uff1f")) or _NOT_SAVED_RULE.search(said):
        return None
    if phrases.REQUEST.search(said) or phrases.ONE_OFF_ELSEWHERE.search(said):
        return None
    if not _SAID_AS_RULE.search(said) or phrases.HEDGE.search(said):
        return None  # a task, a thanks, a report of today or a guess typed after a stray `#`
    if len(lines) > 1 and _is_title(lines[0]):
        return None  # a document's title or a section's heading, then its text
    return Statement(LessonKind.DECISION, "remembered", said, quote=lines[0])


# How a rule is said: what always or never holds, what to do or avoid, what to use for what,
# what to do in a kind of case.
_SAID_AS_RULE = re.compile(
    r"\b(?:always|never|must|should|make sure|ensure|prefer\w*|avoid|only|instead|by default|"
    r"every|each|don't|do not|rather than|use \S+ (?:for|to|as|instead|when|with))\b"
    r"|^(?:in|for|when|whenever|if|with)\b[^,:]{3,60},"  # scoped: "In Markdown files, …"
    r"|总是|始终|永远|不要|必须|务必|一律|優先|必ず|常に|絶対",
    re.I,
)
_TITLE_WORDS = 4


def _is_title(line: str) -> bool:
    """A line that names what follows ("Project Notes", "Setup"), not a rule that lists it."""
    return len(line.split()) < _TITLE_WORDS and not line.endswith((":", "\uff1a", ".", "!"))


def _joined(lines: list[str]) -> str:
    """Lines of a saved rule as one: the items after a line that ends in a colon, by "; "."""
    said = ""
    for line in lines:
        if not said:
            said = line
        elif said.endswith((":", "\uff1a")):
            said = f"{said} {line}"
        elif lines[0].endswith((":", "\uff1a")):
            said = f"{said.rstrip('.;')}; {line}"
        else:
            said = f"{said} {line}"
    return said


def statements(
    events: Sequence[Event], index: int, persons: PersonsSeen | None = None
) -> Iterator[Statement]:
    """The earned decisions and gotchas of one prose event (`persons`: the run's, when the
    caller keeps them for every event)."""
    event = events[index]
    entry = memory_entry(event.text) if event.role == "user" else None
    if entry is not None:
        saved = _saved_rule(entry)
        if saved is not None:
            yield saved
        return
    answer = _picked_option(events, index) or _picked_number(events, index)
    if answer is not None:
        if built_on(events, index):
            yield answer
        return
    if event.role != "user" and not (
        event.role == "assistant" and signals.may_hold(event.text, _AGENT_WORDS)
    ):
        return  # `_classify` finds nothing in another's prose, nor in the agent's without these
    kept_to = _kept_to_a_folder(event)
    if event.role == "user" and _is_document(event.text):
        if kept_to is not None:
            yield _scope_rule(kept_to)  # where the agent may write, said to it in a prompt
        return  # rules pasted, or written for a document, are not the user's own decisions
    # a prompt or text handed over for the program, a slash command's arguments: not rules
    said = own_words(event.text) if event.role == "user" else event.text
    asked = unsigned_commits(said) if event.role == "user" else None
    if asked is not None:
        yield Statement(LessonKind.DECISION, "user_rule", UNSIGNED_COMMITS, quote=asked)
    prose = [_LIST_MARK.sub("", sentence) for sentence in sentences(said)]
    told = _remembered(prose) if event.role == "user" else None
    if told is not None:
        yield told
    rules: list[str] = []  # the user's rules read from their sentences
    for position, sentence in enumerate(prose):
        if told is not None and (
            sentence in told.sentence or (told.quote and told.quote in sentence)
        ):
            continue  # read already, as the rule the user asked to keep
        if asked is not None and asked in sentence:
            continue  # read already, as the trailer asked away
        short = _length(sentence) < MIN_SENTENCE and not phrases.REPLY_LANGUAGE.search(sentence)
        if short or sentence.endswith(("?", "\uff1f")):
            continue  # (the language to answer in is said in few words: "中文回复我")
        if sentence.rstrip().endswith((":", "\uff1a")):
            continue  # "Use this exact sign convention:": what it leads to follows, apart
        if "|" in sentence and _TABLE_ROW.search(sentence):
            continue  # a row of a table (a review's findings, a summary): cells, not a claim
        found = _classify(event, sentence)
        if found is None:
            continue
        if found.signal == "user_choice" and _HELP_ASKED.search(event.text):
            continue
        if event.role == "assistant" and _in_heading(sentence, event.text):
            continue  # a heading of the agent's (a review's finding named): a title, not a claim
        if found.kind is LessonKind.GOTCHA:
            if event.role == "assistant" and _OF_ITSELF.search(sentence):
                continue
            if not confirmed(events, index, sentence):
                continue
            following = prose[position + 1 : position + 2]
            found = _with_resolution(_with_workaround(found, following), following)
        elif found.kind is LessonKind.DECISION and event.role == "user":
            if (
                found.signal == "user_rule"
                and _only_instead(sentence)
                and _undone_next(events, index)
            ):
                continue  # "Use A instead of B", the change made so undone at once: unearned
            if _steers_todays_work(events, index, sentence):
                continue
            found = _with_exception(found, prose[position + 1 : position + 2])
        elif found.kind is LessonKind.DECISION and (
            not (persons or PersonsSeen(events)).wrote_in(event.session)
            or _suggested_unadopted(events, index, sentence)
        ):
            # the agent's own choice nobody adopted: in a run no person answered, or put to the
            # person in answer to their question, then neither taken up nor made
            continue
        if found.kind is LessonKind.DECISION:
            rules.append(found.sentence)
        yield found
    if kept_to is not None and not any(
        _names_any(rule, {kept_to.folder.lower()}) for rule in rules
    ):
        yield _scope_rule(kept_to)  # (not when read already, as a rule with its reason)


def _kept_to_a_folder(event: Event) -> EditScope | None:
    """The folder the user's message keeps the agent's edits to (not a prompt the agent wrote
    for a subagent of its own)."""
    if event.role != "user" or event.is_sidechain:
        return None
    return edit_scope(event.text)


def _scope_rule(scope: EditScope) -> Statement:
    return Statement(LessonKind.DECISION, "user_rule", scope.rule, quote=scope.quote)


# The agent putting a change to the person: what it will do or what they should do ("I'll
# use …", "we should …", "you could …"), or an instruction ("In the config, use X instead of Y
# because …"); not what the project does or did ("We use …", "The team chose …").
# The verbs of a choice put to the person ("use …", "switch to …", "stick with …").
_CHOOSES = r"(?:use|choose|go with|prefer|keep|store|switch to|pick|stick (?:with|to)|avoid|pin)"
_SUGGESTS = re.compile(
    r"\b(?:I'll|I will|we'll|we will|let's|let us|I'm going to|we're going to|I'd|I would|"
    r"(?:we|you) (?:should|could|can|might|may want to|need to)(?!['\u2019]t)|"
    r"I (?:recommend|suggest)|(?:better|best) to)\b"
    r"|(?:^|[,;:\u2014]\s*|\b(?:just|simply|then|so|please)\s+)"
    rf"{_CHOOSES}\b",
    re.I,
)
# The person turning down what the agent put to them, anywhere in their reply's first sentence
# ("OK, leave it as it is for now.", "Sure, but not now.", "好的，先不用改"; not "no problem").
_DECLINES = re.compile(
    r"\b(?:no(?! (?:problem|worries))|nope|nah|not (?:now|yet|needed)|leave (?:it|that|this)|"
    r"don['\u2019]t|do not|never ?mind|hold off|let['\u2019]s not|rather not|"
    r"skip (?:it|that|this))\b"
    r"|\u5148\u4e0d|\u4e0d\u7528|\u4e0d\u8981|\u4e0d\u5fc5|\u4e0d\u9700\u8981|\u7b97\u4e86|"
    r"\u3084\u3081|\u3044\u3044\u3048|\u3057\u306a\u3044\u3067",
    re.I,
)
# A question said with a question word and no mark, in Chinese or Japanese ("退避参数是做什么的").
_ASKS_BY_WORD = re.compile(
    r"\u4ec0\u4e48|\u600e\u4e48|\u4e3a\u4ec0\u4e48|\u54ea|\u591a\u5c11|"
    r"\u306a\u305c|\u3069\u3046\u3057\u3066|\u3069\u3053"
)
# How far the person's question and answer to a suggestion are looked for: the agent's tool
# calls after it, and events either side of it (calls before it: `_ANSWER_CALLS` events).
_ANSWER_CALLS = 40
_ANSWER_EVENTS = 400
# What the agent's sentence chooses: the words after its verb, up to what it is set against or
# why ("use `emit(line)` instead of `print` because …": `emit`).
_CHOSEN = re.compile(
    rf"\b{_CHOOSES}\s+"
    r"(?P<chosen>.{1,80}?)\s*(?:\binstead of\b|\brather than\b|\bbecause\b|\bsince\b|"
    r"\bso that\b|\bas it\b|\bto avoid\b)",
    re.I,
)
_CODE_NAME = re.compile(r"`[\s(]*([^`\s(]+)")
_NAME_WORD = re.compile(r"[A-Za-z][\w.-]{2,}")
# Words of a choice that name nothing of it.
_NO_NAME_WORDS = frozenset(
    {"the", "this", "that", "these", "those", "them", "our", "your", "its", "their", "for"}
    | {"and", "with", "into", "from", "all", "one", "same", "new", "only", "just", "both"}
    | {"each", "every", "here", "there", "more", "less", "also", "then", "instead"}
)


def _suggested_unadopted(events: Sequence[Event], index: int, sentence: str) -> bool:
    """The agent's choice, put as a change (`_SUGGESTS`) in its answer to the person's
    question, which their next words ask past or turn down, or which no words of theirs
    follow in the session, and which the agent did not make (no edit of the work, nor a
    command naming what it chose, before their reply; none naming it in the turn right after):
    advice given, not a decision. Looked for within `_ANSWER_CALLS` calls."""
    said = events[index]
    if said.role != "assistant" or not _SUGGESTS.search(sentence):
        return False
    asked = _users_last(events, index)
    if asked is None or not phrases.ASKS.search(asked.text):
        return False
    names = _chosen_names(sentence)
    reply: Event | None = None
    calls = 0
    start = max(asked.seq + 1, index - _ANSWER_CALLS)
    for later in events[start : index + 1 + _ANSWER_EVENTS]:
        if later.session != said.session:
            break
        if _persons_words(events, later):
            if reply is not None:
                break  # the agent's turn after the reply is over
            if not _turns_away(later.text):
                return False  # any other reply takes the suggestion up
            reply = later
            if _DECLINES.search(_first_sentence(later.text)):
                return True
            continue
        if later.kind is EventKind.TOOL_CALL:
            calls += later.seq > index
            if calls > _ANSWER_CALLS:
                break
            if _made(later, names, named=reply is not None):
                return False
    return True


def _first_sentence(reply: str) -> str:
    return next(iter(sentences(reply)), "")


def _turns_away(reply: str) -> bool:
    """The reply asks something (its first sentence, or the whole of a short reply) or turns
    the suggestion down: not taken up."""
    first = _first_sentence(reply)
    short = reply if len(reply) <= 200 else first
    return bool(
        phrases.ASKS.search(first)
        or phrases.ASKS.search(short)
        or _ASKS_BY_WORD.search(short)
        or _DECLINES.search(first)
    )


def _users_last(events: Sequence[Event], index: int) -> Event | None:
    """The person's last words before `index`, in its session, within `_ANSWER_EVENTS`."""
    session = events[index].session
    for seq in range(index - 1, max(index - _ANSWER_EVENTS, 0) - 1, -1):
        event = events[seq]
        if event.session != session:
            return None
        if _persons_words(events, event):
            return event
    return None


def _agents_reply_before(events: Sequence[Event], index: int) -> str:
    """What the agent said since the person's last words before `index`, in its session."""
    said: list[str] = []
    session = events[index].session
    for event in reversed(events[max(index - _ANSWER_EVENTS, 0) : index]):
        if event.session != session or _persons_words(events, event):
            break
        if event.role == "assistant" and event.kind is EventKind.TEXT:
            said.append(event.text)
    return "\n".join(said)


# Words after "the" that name no thing ("the full process": "process"; "the charter is").
_NOT_NAMING = _NO_NAME_WORDS | frozenset(
    {"full", "whole", "entire", "other", "first", "last", "next", "main", "overall", "right"}
    | {"is", "are", "was", "were", "has", "had", "will", "can", "should", "would", "you"}
)


# What went wrong before, the reason a rule lasts ("floats broke the report before").
_WENT_WRONG_BEFORE = re.compile(
    r"\b(?:broke|bit us|burned us|cost us)\b.*\b(?:before|once)\b"
    r"|\blast (?:time|week|month|year)\b",
    re.I,
)


def _steers_todays_work(events: Sequence[Event], index: int, sentence: str) -> bool:
    """The user asks the agent to think a thing through, a thing named as known that the
    agent's message before brought up ("I want you to think about how the charter is used
    instead of …", after "I'll draft the Charter"), and goes on to ask a question: a steer
    of the work at hand, not a rule, unless it says it lasts ("always", "in this repo")."""
    asked = phrases.THINK_ASKED.match(sentence)
    if asked is None or phrases.STANDING.search(sentence):
        return False
    if phrases.LASTING_REASON.search(sentence) or _WENT_WRONG_BEFORE.search(sentence):
        return False  # "…, floats broke the monthly report before": a rule with its reason
    text = events[index].text
    at = text.find(sentence)
    if at < 0 or not phrases.ASKS.search(text, at + len(sentence)):
        return False
    reply = _agents_reply_before(events, index)
    named = {
        word.lower()
        for found in phrases.DEFINITE.finditer(sentence, asked.end())
        for word in found.group(1).split()
        if word.lower() not in _NOT_NAMING
    }
    return bool(reply) and _names_any(reply, named)


def _persons_words(events: Sequence[Event], event: Event) -> bool:
    return event.role == "user" and event.kind is EventKind.TEXT and not injected(events, event.seq)


def _made(call: Event, names: set[str], *, named: bool = False) -> bool:
    """A call of the agent's that makes a change: an edit of the work (naming what was chosen
    when `named`), or a command that does more than look and names what was chosen."""
    if edits_the_work(call):
        return not named or _names_any(call.text, names)
    return (
        call.role == "assistant"
        and call.tool_name in signals.SHELL_TOOLS
        and not signals.only_reads(call.text)
        and _names_any(call.text, names)
    )


def _chosen_names(sentence: str) -> set[str]:
    """The names of what the sentence chooses: its code spans' names, else its words."""
    found = _CHOSEN.search(sentence)
    if found is None:
        return set()
    chosen = found["chosen"]
    coded = {name.lower() for name in _CODE_NAME.findall(chosen)}
    if coded:
        return coded
    return {w.lower() for w in _NAME_WORD.findall(chosen)} - _NO_NAME_WORDS


def _names_any(text: str, names: set[str]) -> bool:
    said = text.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", said) for name in names)


# A line that is a heading: `### …`, or wholly in bold with no sentence's end
# (`**5. X silently fails — a.go:42**`; `**Turns out X drops Y.**` stresses a sentence).
_HEADING_LINE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+[^\n]+|\*\*[^*\n]+(?<![.!。！])\*\*[ \t]*:?)[ \t]*$", re.M
)


def _in_heading(sentence: str, text: str) -> bool:
    """The sentence is (part of) a heading line of the text (read only for a statement found)."""
    said = sentence.strip("*# ")
    return bool(said) and any(said in heading for heading in _HEADING_LINE.findall(text))


# The user asks the agent to keep a rule ("Merk dir dies als Leitlinie für zukünftige
# Problemsituationen!", "把这一条规则记住", "Remember this for next time"): the sentences
# before the request are their rule, with its reason, whatever words they open with. Said in
# the request itself ("Remember that we always deploy from the release branch", "记住以后…"),
# the rest of the sentence is the rule, when it reads as one.
_REMEMBER = re.compile(
    r"\b(?:remember (?:this|that)|keep (?:this|that) in mind|note (?:this|that) down|"
    r"build (?:this |that |it )?into your (?:\w+ ){0,2}(?:practices?|habits?|rules?)"
    r"(?: the idea)? that|merk(?:e)? "
    r"dir (?:das|dies)|behalte? (?:das|dies) im Kopf|retiens (?:ça|cela|bien)|souviens-toi de "
    r"(?:ça|cela)|recuerda (?:esto|eso)|запомни(?:те)?(?: это)?)\b|记住|記住|記得|覚えて",
    re.I,
)
# What the request calls what it keeps, or when it is for: said of a rule, not of today's fact.
_A_RULE = re.compile(
    r"\b(?:rule|guideline|principle|Leitlinie|Regel|Grundsatz|règle|principe|regla|principio|"
    r"правило)\b|规则|原则|规矩|規則|ルール",
    re.I,
)
_FOR_LATER = re.compile(
    r"\b(?:future|next time|going forward|from now on|always|forever|zukünftig\w*|Zukunft|"
    r"künftig|immer|nächste[sn]? Mal|avenir|toujours|la prochaine fois|futuro|siempre|"
    r"la próxima vez|будущ\w*|всегда)\b|以后|今后|下次|永远|今後|次から|ずっと",
    re.I,
)
# How a request names what it keeps before saying what it is for ("as a guideline for …").
_LABEL = re.compile(
    r"^(?:(?:this|that|dies|das|ça|cela|esto|eso|это)\s+)?(?:(?:as an?|als|comme|como|как)\s+"
    r"\w+\s*)?(?:(?:for|für|pour|para|на)\s+(?:the\s+|die\s+|das\s+|la\s+|el\s+)?\w+"
    r"(?:\s+\w+)?\s*)?[!.:：。！]*$",
    re.I,
)
# The rule said to the agent ("you never …", "you always …"): told as the rule itself.
_TO_THE_AGENT = re.compile(r"^you\s+(?=(?:always|never)\b)", re.I)
_COMPLAINED = re.compile(
    r"^(?:always|never)\s+(?:\w+\s+)?(?:\w+ed|forget|forgot|break|broke|miss|ignore|skip|"
    r"mess|fail|lose|lost|leave|left|did|made|ran|went|wrote|took|got|do|make)\b",
    re.I,
)
MAX_REMEMBERED = 2  # sentences before the request to remember: the rule, and its reason
MAX_REMEMBER_SENTENCE = 160


def _remembered(prose: list[str]) -> Statement | None:
    """The rule the user asked the agent to keep, or None."""
    for position, sentence in enumerate(prose):
        asked = _REMEMBER.search(sentence)
        if (
            asked is None
            or len(sentence) > MAX_REMEMBER_SENTENCE
            or sentence.endswith(("?", "\uff1f"))
        ):
            continue
        said = sentence[asked.end() :].strip(" ,，:：")
        if _length(said) >= MIN_SENTENCE and not _LABEL.match(said):  # the rule, said in it
            if not (opens_rule(said) or is_standing_rule(said)):
                return None
            # "… the idea that you never …": the rule, said to the agent (not "Remember this:
            # you always forget …", a complaint, nor what it did once)
            framed = asked.group(0).endswith("the idea that")  # said as a rule, not of a habit
            addressed = _TO_THE_AGENT.match(said) if framed else None
            if addressed is None or _COMPLAINED.match(said[addressed.end() :]):
                return Statement(LessonKind.DECISION, "remembered", sentence)
            rule = said[addressed.end() :]
            return Statement(
                LessonKind.DECISION, "remembered", rule[:1].upper() + rule[1:], quote=sentence
            )
        return _rule_before(sentence, asked) or _kept_before(prose[:position], sentence)
    return None


# The request's own lead when it follows the rule in its sentence ("we use pnpm, please
# remember that"): a clause mark, then "please", "and", "so" …
_REQUEST_LEAD = re.compile(
    r"\s*(?:[,;\uff0c\uff1b\u2014\u2013]|\s-)\s*(?:(?:and|so|please|pls)\s+)*$", re.I
)
# What keeps the request to the task at hand ("remember that for the rest of the task").
_FOR_TODAY = re.compile(
    r"\bfor (?:now|today|the rest of|this (?:task|session|chat|conversation|run|PR|change))\b"
    r"|\bthis (?:once|time)\b",
    re.I,
)


def _rule_before(sentence: str, asked: re.Match[str]) -> Statement | None:
    """The clause before the request in its own sentence, when it reads as a rule ("we use
    pnpm, please remember that, and try again"): what follows the request is today's ask."""
    lead = _REQUEST_LEAD.search(sentence, 0, asked.start())
    if lead is None or _FOR_TODAY.search(sentence, asked.end()):
        return None
    rule = sentence[: lead.start()].strip()
    if len(rule.split()) < _MEMORY_WORDS or not is_standing_rule(rule):
        return None
    if phrases.HEDGE.search(rule) or _complains(rule):
        return None
    told = f"{rule[:1].upper()}{rule[1:].rstrip('.!')} (the user asked to remember it)."
    return Statement(LessonKind.DECISION, "remembered", told, quote=sentence[: asked.end()])


def _complains(said: str) -> bool:
    """What the agent always or never does, said of it ("you always forget the lockfile")."""
    addressed = _TO_THE_AGENT.match(said)
    return addressed is not None and bool(_COMPLAINED.match(said[addressed.end() :]))


def _kept_before(before: list[str], request: str) -> Statement | None:
    """The sentences before a request to keep them: the rule when the request calls them
    one, or when they read as one and the request keeps them for later."""
    kept = [
        s
        for s in before[-MAX_REMEMBERED:]
        if _length(s) >= MIN_SENTENCE and not s.endswith(("?", "\uff1f"))
    ]
    if not kept or any(phrases.REQUEST.search(s) or phrases.HEDGE.search(s) for s in kept):
        return None
    called = bool(_A_RULE.search(request))
    if not called and not (_FOR_LATER.search(request) and is_standing_rule(kept[0])):
        return None
    return Statement(LessonKind.DECISION, "remembered", " ".join(kept), quote=kept[0])


# An agent's sentence is a statement only when DECISION or GOTCHA matches it.
_AGENT_WORDS = phrases.DECISION_WORDS + phrases.GOTCHA_WORDS
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|\s\|\s.*\s\|\s")
# A path may follow a Chinese or Japanese character or full-width mark with no space between.
_PATH = re.compile(
    r"(?:^|[\s(\"'`\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef])"
    r"(?:/[\w.@-]+/|[A-Za-z]:\\|~[/\\])"
)
# Chinese and Japanese characters (and full-width marks) say as much as two Latin letters.
_WIDE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _length(sentence: str) -> int:
    """A sentence's length, each Chinese or Japanese character counted twice."""
    if sentence.isascii():
        return len(sentence)
    return len(sentence) + len(_WIDE.findall(sentence))


# Claude Code's words for how hard to think, typed after a sentence (", think", "，ultrathink"):
# said to the harness, no part of the rule.
_THINKING_WORD = re.compile(
    r"\s*[\uff0c,]\s*(?:ultra|mega)?think(?:\s*hard(?:er)?)?\s*[.\u3002!\uff01]?\s*$", re.I
)
# Where a clause of a Chinese or Japanese sentence starts ("整理一下配置，不要用 …").
_WIDE_CLAUSE = re.compile(r"[\uff0c\uff1b\u3001,;]\s*(?=[\u3040-\u30ff\u4e00-\u9fff])")


def _rule_part(sentence: str) -> str:
    """The part of the sentence a rule is said in: without the word asking the harness to
    think, and from the clause of a Chinese or Japanese sentence the rule opens, after one
    that asks today's task ("整理一下配置，不要用 tmp 当目录名，因为 …"); not after one that
    sets a condition on it."""
    said = _THINKING_WORD.sub("", sentence)
    if opens_rule(said) or said.isascii():
        return said
    for clause in _WIDE_CLAUSE.finditer(said):
        if _CONDITION.search(said, 0, clause.start()):
            break  # "如果是测试环境，不要 …": the rule holds only under it
        if not _TASK_ASKED.search(said, 0, clause.start()):
            break  # "数据库迁移文件，不要手动改 …": the clause names what the rule is of
        if phrases.RULE_ELSEWHERE.match(rest := said[clause.end() :]):
            return rest
    return said


# A clause asking today's task ("整理一下配置", "帮我看看日志", "設定を整理して"), not one naming
# what the rule after it is of ("数据库迁移文件", "本番の設定ファイルは").
_TASK_ASKED = re.compile(
    r"一下|帮我|帮忙|麻烦|给我|^请|^先|[看查修改删加跑试]一?[看下遍]|"
    # ... or said by its verb alone ("重构项目"), no "的" making it a thing's name ("修改过的配置")
    r"^(?:重构|修改|修复|添加|增加|删除|实现|创建|新建|更新|优化|部署|整理|迁移|重写|调整|清理)"
    r"(?![^，,、；;]*的)|"
    r"(?:して|しといて|しておいて|てから)(?:ください|下さい)?$"
)


def opens_rule(sentence: str) -> bool:
    """The sentence opens as a rule does: "Always …", "Ab jetzt …", "以后 …"."""
    return bool(phrases.USER_RULE.match(sentence) or phrases.RULE_ELSEWHERE.match(sentence))


def is_standing_rule(sentence: str) -> bool:
    """An instruction of the user's that holds beyond today's task: marked as durable, not a
    request, and about no particular file or folder of theirs (in English or in another
    language: not a one-off, a question, a guess or a report of how things are now there
    either)."""
    durable = _durable_mark(sentence) or phrases.DURABLE_ELSEWHERE.search(sentence)
    return (
        bool(durable or _KEPT_OUT_OF_GIT.match(sentence) or _standing_preference(sentence))
        and not _product_default(sentence)
        and not phrases.REQUEST.search(sentence)
        and not phrases.CONVERSATIONAL.search(sentence)
        and not phrases.ONE_OFF_ELSEWHERE.search(sentence)
        and not phrases.HEDGE_ELSEWHERE.search(sentence)
        and not reports_now(sentence)
        and not _PATH.search(sentence)
        and not _task_scope(sentence)
    )


# A wish said of one thing ("avoid a full rewrite"), or of one said before ("avoid these
# warnings"), where a preference names a kind of them.
_ONE_THING = re.compile(r"(?:a|an|another|one|this|that|these|those)\s", re.I)


def _standing_preference(sentence: str) -> bool:
    """A preference of the user's for how the work is done ("I want to avoid direct DB
    queries", "we want to use the API where possible"), said of no thing of today's ("in this
    PR", "for this page"), nor of one said before ("I want to avoid that"), nor of one thing
    rather than a kind ("I want to avoid a full rewrite")."""
    wanted = phrases.USER_PREFERENCE.search(sentence)
    if wanted is None or phrases.TODAYS_THING.search(sentence):
        return False
    if _ONE_THING.match(sentence, wanted.end()) or _UNNAMED_OBJECT.match(sentence, wanted.end()):
        return False
    clause = phrases.RULE_CLAUSE_END.split(sentence[wanted.end() :], maxsplit=1)[0]
    return not phrases.points_back(clause)


# What a thing the user asks for will do, to the end of its clause (a comma, a dash …): a
# purpose ("… to get the hooks to chime …", "to make it beep …", "to have the terminal flash …",
# "so that the script runs …") or what a hook, script or job is to do ("a cron job that copies
# …"; not a kind of them, "prefer scripts that always …"). A "whenever", "every time" or "each
# time" in it is when that thing acts, not how the agent should work; an "always" or "never"
# there still says how to work ("Use pnpm so the lockfile never drifts").
_WHAT_IT_WILL_DO = re.compile(
    r"(?:\bto get\s+(?:[\w'`.-]+\s+){1,4}?to\s+\w"
    r"|\bto (?:make|have|let)\s+(?:it|them|this|that|these|those|me|us|"
    r"(?:the|my|our|a|an|each|every)\s+[\w'`.-]+)\s"
    r"|\bso(?:\s+that)?\s+(?:it|they|I|(?:the|my|our|each|every)\s+[\w'`.-]+)\s"
    r"|\b(?:a|an|one)\s+(?:[\w-]+\s+)?(?:hook|script|alias|job|workflow|action|notification|"
    r"alert|trigger|watcher|daemon|service|shortcut|keybinding|plugin|extension|bot)\s+"
    r"(?:that|which)\s)"
    r"[^,;:.!?\n\u2013\u2014()]*",
    re.I,
)
# The marks that say when a thing acts, discounted inside such a clause.
_WHEN_IT_ACTS = re.compile(r"whenever|(?:every|each)\s+time", re.I)


def _durable_mark(sentence: str) -> bool:
    """A mark of a standing rule ("always", "whenever", "instead" …), a "whenever" or "every
    time" only outside what a thing the user asks for will do. Marks and clauses both come in
    order, so each is looked at once."""
    clauses = _WHAT_IT_WILL_DO.finditer(sentence)
    clause = next(clauses, None)
    for mark in phrases.DURABLE.finditer(sentence):
        if not _WHEN_IT_ACTS.fullmatch(mark.group()):
            return True
        while clause is not None and clause.end() <= mark.start():
            clause = next(clauses, None)
        if clause is None or mark.start() < clause.start():
            return True
    return False


def _task_scope(sentence: str) -> bool:
    """The sentence keeps the work to a part of the project and gives no reason it lasts."""
    return bool(phrases.WORK_SCOPE.search(sentence)) and not phrases.LASTING_REASON.search(sentence)


# A kind of file kept out of the repository ("Don't commit .so files", "never push build
# artifacts"): a rule of the repository without a mark of one, for it names a kind of thing,
# not today's ("don't commit the changes yet", "don't push this").
_KEPT_OUT_OF_GIT = re.compile(
    r"^(?:please\s+)?(?:don'?t|do not|never)\s+(?:commit|push|check in|stage|git add)\s+"
    r"(?!(?:the|these|those|this|that|it|them|my|your|our|anything|yet|now|until|before|again)\b)"
    r"(?:[\w.*/-]+\s+){0,2}(?:files|artifacts|binaries|outputs|secrets|dumps|logs)\b",
    re.I,
)


# What the product shows or does by default, said in the clause of "by default" ("don't show
# the load more button by default", "keep the checkbox checked by default", "dark mode should
# be enabled by default"): a feature of today's task, not how the agent should work. Said of
# the agent's own output or work ("show me a summary by default", "don't check in lockfiles
# by default", "don't run the slow tests by default") it is a rule.
_PRODUCT_DEFAULT = re.compile(
    r"\b(?:show|display|hide|render|expand|collapse|select|sort|open|check(?!\s+(?:in|out)\b))"
    r"(?:s|n|ed|ing)?\b[^.;,]{0,60}\bby default\b"
    r"|\b(?:visible|hidden|shown|displayed|expanded|collapsed|checked|selected|enabled|disabled|"
    r"open|closed|on|off)\s+by default\b",
    re.I,
)
_AGENT_FACING = re.compile(
    r"\b(?:me|my|you|your|commits?|PRs?|pull requests?|logs?|diffs?|reports?|messages?|"
    r"tests?|CI|lockfiles?|branch(?:es)?|terminal|console|output)\b",
    re.I,
)


# A message asking for a change now ("debug -> Rewrite the check …:", "Fix the upload form.",
# "Can you replace …"): a "use A instead of B" in it says how to make that change.
_FIX_ASKED = re.compile(
    r"(?:^|[.!?]\s+|\n)\s*(?:please\s+|pls\s+|(?:can|could|would|will) you (?:please )?)?"
    r"(?:debug|fix|replace|repair|rewrite|refactor|change|update|modify|correct|resolve|"
    r"troubleshoot|patch|swap)\b(?!\s+of\b)"  # "Change of plans …" asks nothing
    r"(?![^.!?\n]{0,30}\b(?:docs|documentation|readme|changelog|comments?|wiki)\b)",
    re.I,
)
_LAST_SENTENCE = re.compile(r"[^.!?\n]+[.!?:]*\s*$")


def _fix_asked_with(text: str, sentence: str) -> bool:
    """A fix is asked in the rule's own sentence or in the one right before it (its line's
    lead, "debug -> Replace …:", or the sentence or line above): another sentence of the
    message asks for some other work. (An ask to update the docs is no fix a "use A instead
    of B" tells how to make.)"""
    at = text.find(sentence)
    if at < 0:
        return bool(_FIX_ASKED.search(text))
    before = _LAST_SENTENCE.search(text[:at].rstrip())
    return bool(_FIX_ASKED.search((before.group(0) if before else "") + "\n" + sentence))


def _only_instead(sentence: str) -> bool:
    """The sentence's only mark of a standing rule is "instead" or "rather than"."""
    marks = {found.lower() for found in phrases.DURABLE.findall(sentence)}
    return bool(marks) and marks <= {"instead", "rather than"}


# The user taking the agent's last change back: aider's `/undo`, a revert, a checkout or a
# hard reset of what it wrote.
_UNDO = re.compile(
    r"^/undo\b|^(?:/?git\s+)(?:revert|reset\s+--hard|checkout\s+(?:--\s+|HEAD\b)|restore)\b"
)
_UNDO_LOOKAHEAD = 30  # events after the user's message in which their next action is looked for


def _undone_next(events: Sequence[Event], index: int) -> bool:
    """The user's next action after their message at `index` takes back the change it led to."""
    said = events[index]
    for later in events[index + 1 : index + 1 + _UNDO_LOOKAHEAD]:
        if later.session != said.session:
            return False
        if later.role != "user":
            continue
        if later.kind is EventKind.TEXT:
            return False  # another message first: what is undone later is another change
        if later.kind in (EventKind.INTERRUPT, EventKind.TOOL_CALL):
            return bool(_UNDO.match(later.text.strip()))
    return False


def _product_default(sentence: str) -> bool:
    """The sentence's only mark of a standing rule is "by default", said of what the product
    shows or does, not of the agent's own output or work."""
    marks = {found.lower() for found in phrases.DURABLE.findall(sentence)}
    return (
        marks == {"by default"}
        and bool(_PRODUCT_DEFAULT.search(sentence))
        and not _AGENT_FACING.search(sentence)
    )


# A plan in stages for the work at hand ("leave it as is initially and eventually …"), or
# where it is to end up ("Ultimately I want to build the env from a Dockerfile instead"): the
# order of the work and its aim, not a choice that stands.
_STAGED = re.compile(
    r"\b(?:initially|eventually|ultimately|in the long run|at first|for starters|to begin with)\b",
    re.I,
)
# The message asks for help with the task ("Help me think through …", "help me design …"):
# what the user wants in it ("I want to load only that data") is the task's aim, no rule.
_HELP_ASKED = re.compile(
    r"(?:^|[.!?]\s+)(?:please\s+)?help me (?:think|design|figure|plan|work out|decide|"
    r"reason|brainstorm)",
    re.I | re.M,
)


# The agent reporting its own work, a summary's item ("Captured the root cause narrative in
# `docs/VERIFICATION.md`", "Documented the issue that …"): what it did, no fact found.
_REPORTS_WORK = re.compile(
    r"^(?:I\s+)?(?:captured|added|updated|documented|recorded|wrote|noted|logged|summari[sz]ed|"
    r"created|implemented|extended|expanded|reworked|rewrote|refactored|moved|removed|renamed|"
    r"replaced|drafted|outlined|appended)\b",
    re.I,
)


# The user's answer to a numbered or labelled item of the agent's report or question ("For the
# C1 issue …", "For #3, …", "About point 2: …", "Q1: …"): that item's answer, today's task.
_ANSWERS_ITEM = re.compile(
    r"^(?:(?:for|about|re|regarding|as (?:for|to)|on)\s+(?:the\s+)?"
    r"(?:(?:point|item|question|issue|finding|comment|step|option|number|no\.)\s*#?\d+[a-z]?\b"
    r"|#\d+[a-z]?\b"
    # the noun's end left open: a typo on it ("issuem") keeps the label
    r"|[A-Z]{1,3}-?\d+[a-z]?\s+(?:issue|item|point|question|finding|comment|concern|part))"
    r"|(?:Q|#)\d+[a-z]?\s*[:.)]\s)",
    re.I,
)


# A reply's first word before the rule ("No, I want to avoid …"): no part of what stands.
_REPLY_LEAD = re.compile(r"^(?:no|nope|nah|actually|well)\b[,.!]*\s+", re.I)


def _preference(sentence: str) -> Statement | None:
    """The user's preference for how the work is done, as their rule: not today's task, a
    guess, nor where the work is to end up."""
    if (
        not _standing_preference(sentence)
        or not is_standing_rule(sentence)
        or phrases.TASK.search(sentence)
        or phrases.HEDGE.search(sentence)
        or _STAGED.search(sentence)
    ):
        return None
    said = _REPLY_LEAD.sub("", sentence)
    return Statement(LessonKind.DECISION, "user_rule", said, quote=sentence)


def _classify(event: Event, sentence: str) -> Statement | None:
    if event.role == "user":
        if phrases.REQUEST.search(sentence) or phrases.CONVERSATIONAL.search(sentence):
            return None
        if _ANSWERS_ITEM.match(sentence):
            return None
        rule = _rule_part(sentence)
        if opens_rule(rule) and is_standing_rule(sentence):
            if phrases.points_back(phrases.RULE_CLAUSE_END.split(sentence, maxsplit=1)[0]):
                return None  # "Never edit files outside it.": what it keeps was said before
            if _only_instead(sentence) and _fix_asked_with(event.text, sentence):
                return None  # "Fix X. Use A instead of B.": how to make today's fix
            return Statement(LessonKind.DECISION, "user_rule", rule)
        if (
            phrases.REPLY_LANGUAGE.search(sentence)
            and len(sentence) <= _LANGUAGE_ASK_MAX
            and not phrases.ONE_OFF_ELSEWHERE.search(sentence)
            and not sentence.endswith(("吗", "嗎"))
        ):
            # the language to answer in: how this person is spoken to, whatever the task
            return Statement(LessonKind.DECISION, "user_rule", _language_clause(sentence))
        if (
            (choice := phrases.USER_CHOICE.search(sentence))
            and not phrases.TASK.search(sentence)
            # "…, or does this cover that? also …": asked ("huh? we want X only" is not)
            and not phrases.ASKS.search(sentence, choice.start())
            and not phrases.HEDGE.search(sentence)
            and not _STAGED.search(sentence)
            and not phrases.ONE_OFF_ELSEWHERE.search(sentence)
            and not _task_scope(sentence)
        ):
            return Statement(LessonKind.DECISION, "user_choice", sentence)
        if (preferred := _preference(sentence)) is not None:
            return preferred
        if phrases.USER_DECIDED.search(sentence) and not phrases.HEDGE.search(sentence):
            if _decided_unnamed(sentence):
                return None  # "I decided I want it to shut down …": "it" was said before
            return Statement(LessonKind.DECISION, "decision", sentence)
    if signals.may_hold(sentence, phrases.HEDGE_WORDS) and phrases.HEDGE.search(sentence):
        return None
    decides = signals.may_hold(sentence, phrases.DECISION_WORDS)
    if event.role in ("assistant", "user") and decides and phrases.DECISION.search(sentence):
        if event.role == "assistant" and _WONDERS.search(sentence):
            return None  # "Let me check if we should use X, since …:": asked, not decided
        if event.role == "assistant" and _OWN_TOOL.search(sentence):
            return None
        if event.role == "assistant" and _THEIR_CHOICE.search(sentence):
            return None
        return Statement(LessonKind.DECISION, "decision", sentence)
    tells = event.role == "assistant" and signals.may_hold(sentence, phrases.GOTCHA_WORDS)
    if tells and phrases.GOTCHA.search(sentence):
        said = clean(sentence)
        subject = phrases.FACT_LEAD.sub("", said)
        if phrases.UNNAMED_SUBJECT.match(subject) or _leans_back(said, subject):
            return None
        if phrases.DAYS_WORK.search(said):
            return None  # "A caveat to carry forward: … predates your last two rulings."
        if _own_code_cause(said, subject):
            return None
        if _REPORTS_WORK.match(said):
            return None  # "Captured the root cause … in `docs/x.md`": what was written, where
        return Statement(LessonKind.GOTCHA, "gotcha", sentence)
    return None


def _leans_back(said: str, subject: str) -> bool:
    """The fact draws on the sentence before it: it opens by concluding from it ("So
    frontmatter was never …", "That's why …"; a cause found, "So the root cause was …", is
    told anew), or its clause points back at what was said there ("Law 4 already did that in
    the v0 design")."""
    if subject == said and phrases.CONCLUDES_FROM_BEFORE.match(said):
        return not phrases.FOUND_CAUSE.match(said)
    return phrases.points_back(phrases.RULE_CLAUSE_END.split(subject, maxsplit=1)[0])


# What opens the thing decided: "that", "I want", "to" ("I decided I want it to …").
_DECIDED_LEAD = re.compile(
    r"\s*(?:that\s+)?(?:(?:I|we)\s+(?:want|need|will|'ll|should|would like|am going|are going)"
    r"\s+)?(?:to\s+)?",
    re.I,
)
# ... a pronoun there (not one that leads to what follows: "we decided this: …").
_UNNAMED_OBJECT = re.compile(
    r"(?:they|them|it(?!['\u2019]s\b|\s+(?:is|was|would|will)\b)"
    r"|(?:this|that|those|these)(?=\s*(?:[.,;!]|$|(?:is|are|was|were|will|should|stays?)\b)))"
    r"\b(?!\s*[:\uff1a])",
    re.I,
)


def _decided_unnamed(sentence: str) -> bool:
    """What was decided is a pronoun with nothing in the sentence to name it ("I decided I
    want it to shut down if the window is closed"): today's thing, said before."""
    found = phrases.USER_DECIDED.search(sentence)
    if found is None:
        return False
    lead = _DECIDED_LEAD.match(sentence, found.end())
    at = lead.end() if lead else found.end()
    clause = phrases.RULE_CLAUSE_END.split(sentence[at:], maxsplit=1)[0]
    return bool(_UNNAMED_OBJECT.match(sentence, at)) or phrases.points_back(clause)


# What binds the reply-language clause to another: a condition or an exception ("如果我用英文
# 提问，就用英文回复", "用中文回复我，除非…"), or another language named beside it ("不要用英文
# 回复，用中文回复我"); then the rule is the whole sentence.
_CONDITION = re.compile(
    r"如果|要是|的话|除非|时候|\b(?:if|unless|when|whenever|except)\b|만약|경우|場合|なら|たら",
    re.I,
)
_LANGUAGE_NAMED = re.compile(rf"中文|英文|英语|汉语|日语|韩语|\b(?:{phrases.LANGUAGES})\b", re.I)


def _language_clause(sentence: str) -> str:
    """The clause that names the language to reply in, without today's task said beside it
    ("finish all our work", "then run the tests") nor the mark that ends it."""
    said = phrases.REPLY_LANGUAGE.search(sentence)
    if said is None:
        return sentence
    before = [mark.end() for mark in phrases.CLAUSE_MARK.finditer(sentence, 0, said.start())]
    after = phrases.CLAUSE_MARK.search(sentence, said.end())
    start, end = before[-1] if before else 0, after.start() if after else len(sentence)
    rest = sentence[:start] + sentence[end:]
    if _CONDITION.search(sentence) or _LANGUAGE_NAMED.search(rest):
        return sentence  # the rule holds under a condition, or beside another language
    return sentence[start:end].strip()


def _own_code_cause(said: str, subject: str) -> bool:
    """A cause found in the project's own code: a part of it doing the wrong thing, a slip of
    it ("a missing import", "a typo"), or a line of it (`api/stats.js:8`). The run fixed it;
    the next has nothing to do about it (unlike a library's, a tool's or a setting's way)."""
    found = phrases.FOUND_CAUSE.match(said)
    return found is not None and bool(
        phrases.OWN_CODE_CAUSE.match(subject)
        or phrases.CODE_SLIP.match(said, found.end())
        or phrases.CODE_LINE.search(said)
        or phrases.USES_NONEXISTENT.search(said, found.end())
        or phrases.SLIP_TOLD.search(said, found.end())
    )


def _with_workaround(found: Statement, following: list[str]) -> Statement:
    """A limit ("only supports …", "can't …") with the way around it that the next sentence
    gives ("To open X, you'd want to configure that at the system level."): a limit alone
    tells the agent what fails, not what to do."""
    if not following or not _LIMIT.search(found.sentence):
        return found
    if phrases.FOUND_CAUSE.match(clean(found.sentence)):
        return found  # a finding stands alone; a way around it is not confirmed with it
    workaround = following[0]
    if not _WORKAROUND.match(workaround) or _PLAN.match(workaround) or _not_whole(workaround):
        return found
    if phrases.HEDGE.search(workaround):
        return found
    return replace(found, sentence=f"{found.sentence} {workaround}", quote=found.sentence)


# The bounds the user set on a rule in the next sentence ("However, if this turns out to be a
# big barrier, you can stop using nix."): without them the rule is stricter than said.
_EXCEPTION = re.compile(
    r"^(?:(?:however|but),?\s+(?:only\s+)?(?:if|when|unless|in case)\b|unless\b"
    r"|except\s+(?:if|when|for)\b)",
    re.I,
)
MAX_EXCEPTION = 160


def _with_exception(found: Statement, following: list[str]) -> Statement:
    """A rule with the exception its next sentence makes to it."""
    if not following or not _EXCEPTION.match(following[0]) or _not_whole(following[0]):
        return found
    if phrases.REQUEST.search(following[0]) or phrases.HEDGE.search(following[0]):
        return found
    if len(following[0]) > MAX_EXCEPTION:
        return found
    return replace(found, sentence=f"{found.sentence} {following[0]}", quote=found.sentence)


def _with_resolution(found: Statement, following: list[str]) -> Statement:
    """A cause found, with the change the next sentence says resolved it ("Switching to
    `useNodesState` resolved it."): the cause alone tells what broke, not what works."""
    if not following or not phrases.FOUND_CAUSE.match(clean(found.sentence)):
        return found
    resolution = following[0]
    if not _RESOLVED.search(resolution) or _not_whole(resolution):
        return found
    if phrases.HEDGE.search(resolution) or _PLAN.match(resolution):
        return found
    return replace(found, sentence=f"{found.sentence} {resolution}", quote=found.sentence)


def _not_whole(sentence: str) -> bool:
    """A question, or words that lead to what follows apart ("I've fixed this by:" before a
    list): no claim to join to another."""
    return sentence.rstrip().endswith(("?", "\uff1f", ":", "\uff1a"))


class PersonsSeen:
    """The sessions of a run in which someone wrote to the agent after the task it was given
    (an autonomous harness's run, a one-shot `-p` or `exec` run, has the task alone): a person
    there to take up or turn down the agent's choices. Found once, when first asked."""

    def __init__(self, events: Sequence[Event]) -> None:
        self._events = events
        self._sessions: frozenset[str | None] | None = None

    def wrote_in(self, session: str | None) -> bool:
        if self._sessions is None:
            self._sessions = _sessions_with_a_person(self._events)
        return session in self._sessions


def _sessions_with_a_person(events: Sequence[Event]) -> frozenset[str | None]:
    said: dict[str | None, int] = {}
    for e in events:
        if e.role == "user" and e.kind is EventKind.TEXT and not injected(events, e.seq):
            said[e.session] = said.get(e.session, 0) + 1
    return frozenset(session for session, count in said.items() if count > 1)


# The agent telling of its own conduct ("The problem was that I wasn't actually running the
# commands", "… instructions for me to follow"): an apology, no fact of the project.
_OF_ITSELF = re.compile(
    r"\b(?-i:I)(?:'ve| have| had)? (?:was|wasn't|was not|were|didn't|did not|"
    r"have been|need(?:ed)? to|should have|forgot|missed|assumed|misread|only)\b"
    r"|\bfor me\b|\bmy (?:mistake|bad|fault|apolog)",
    re.I,
)


def _is_document(text: str) -> bool:
    """A message that is a document (pasted, or dictated for a file), not a rule of its own."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > PASTED_LINES:
        return True
    # a few bullets of the user's own are their rules; with headings, a table or tags, a
    # document or a prompt
    if len(_STRUCTURE.findall(text)) >= PASTED_STRUCTURE and _SECTIONED.search(text):
        return True
    return bool(_DOCUMENT.search(text[:400]))


def built_on(events: Sequence[Event], index: int) -> bool:
    """The agent changed the work's files on the strength of the answer at `index`, before the
    user spoke again. An answer nothing was built on (a plan the user then turned down, a setup
    of the user's own machine, an option of today's command) shows no choice the project keeps."""
    answer = events[index]
    edits: set[str] = set()  # the ids of the edits of the work made since
    for later in events[index + 1 :]:
        if later.session != answer.session:
            return False
        spoke = later.role == "user" and later.kind in (EventKind.TEXT, EventKind.INTERRUPT)
        if spoke and not is_harness_text(later.text):
            return False
        if edits_the_work(later):
            edits.add(later.tool_use_id or "")
        elif later.tool_use_id in edits and _applied(later):
            return True  # an edit the user turned down built nothing
    return False


def _applied(result: Event) -> bool:
    return result.role == "tool" and not (
        signals.is_rejection(result) or result.kind is EventKind.ERROR
    )


def _picked_option(events: Sequence[Event], index: int) -> Statement | None:
    """The user's short reply to a numbered question with options, as the agent recorded
    it: "Question 1 of 5: Accessibility level" … "B" … "Recording **WCAG 2.1 AA**"."""
    reply = events[index]
    if reply.role != "user" or len(reply.text.strip()) > ANSWER_MAX:
        return None
    asked = _neighbour_text(events, index, -1)
    recorded = _neighbour_text(events, index, 1)
    if asked is None or recorded is None:
        return None
    question, choice = _QUESTION.search(asked.text), _RECORDED.search(recorded.text)
    if question is None or choice is None:
        return None
    topic = question["topic"].strip().rstrip(".:")
    return Statement(
        LessonKind.DECISION,
        "answer",
        f"{topic}: {choice['choice'].strip()}.",
        quote=choice["choice"].strip(),
        context=(asked, recorded),
    )


def _picked_number(events: Sequence[Event], index: int) -> Statement | None:
    """The user's "2" to the numbered options the agent's message before it ended with, unless
    the user's next words take it back."""
    reply = events[index]
    if reply.role != "user" or len(reply.text.strip()) > ANSWER_MAX:
        return None
    asked = _neighbour_text(events, index, -1)
    if asked is None:
        return None
    answer = numbered_pick(asked.text, reply.text)
    if answer is None or undone(events, index):
        return None
    return Statement(
        LessonKind.DECISION, "answer", answer_text(answer), quote=answer.quote, context=(asked,)
    )


def _neighbour_text(events: Sequence[Event], index: int, step: int) -> Event | None:
    """The nearest assistant prose before (step -1) or after (step 1) an event, within the
    same turn."""
    i = index + step
    while 0 <= i < len(events):
        event = events[i]
        if event.role == "assistant" and event.kind is EventKind.TEXT:
            return event
        if event.role == "user" and event.kind is EventKind.TEXT:
            return None
        i += step
    return None
