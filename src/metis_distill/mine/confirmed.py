"""Whether a claim the agent made stands: a cause it found, not hoped for; a diagnosis or a
fact the user's next words accept. A cause named after an edit nothing checked, one the agent
guessed at first and never tried, one it took back, or one told while the failure went on, is
a hope."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from metis_distill.mine import phrases, signals
from metis_distill.mine.harness_text import injected
from metis_distill.mine.sudo_password import sudo_got_no_password
from metis_distill.mine.text import clean, command_head, same_file, sentences, shell_steps
from metis_distill.mine.work_edits import edits_the_work
from metis_distill.models import Event, EventKind

CONFIRM_LOOKAHEAD = 6  # events after a diagnosis in which the user may confirm it


RETHINK_LOOKAHEAD = 12  # events after a found cause in which the agent may name another


def confirmed(events: Sequence[Event], index: int, sentence: str) -> bool:
    """A cause the agent found ("turns out", "the root cause was") is a finding; any other
    claim (a diagnosis, what a tool supports) stands once the user's next words accept it.
    A cause named after an edit nothing checked, one the agent guessed at first and never
    tried, or one told beside the fix handed to the user to try ("Try restarting …", "it
    should now …"), is a hope: it too needs the user's word (a session then ended says
    nothing), as does one told as an item of a report's list, apart from the change that
    fixed it. A cause the user later says was another ("so it turned out to be X") stands
    refuted, however it was confirmed before."""
    if _refuted_later(events, index, sentence):
        return False
    if (
        phrases.FOUND_CAUSE.match(clean(sentence))
        and not _one_bullet_of_many(events[index].text, sentence)
        and not _edited_unchecked(events, index)
        and not _guessed_first(events, index, sentence)
        and not phrases.UNTRIED_FIX.search(events[index].text)
    ):
        return not _still_broken_next(events, index) and not _taken_back(events, index, sentence)
    if _asks_to_choose(events[index].text):
        return False  # the reply picks among the options: it accepts no argument made for one
    if len(_NUMBERED_ITEM.findall(events[index].text)) >= 2:
        return False  # a review's findings: the reply answers item by item ("1 yeah we should
        # fix, 5 we should test it"), and what it agrees to fix is gone after
    if _one_bullet_of_many(events[index].text, sentence):
        return False  # a summary's item ("- Warn if the log's name has spaces (caveat)."):
        # the reply takes the work, or answers the question at its end, not each item
    for later in events[index + 1 : index + 1 + CONFIRM_LOOKAHEAD]:
        if later.role == "assistant" and later.kind is EventKind.TEXT:
            return False  # the user's next words answer something else
        if later.role != "user" or later.kind is not EventKind.TEXT:
            continue
        if not injected(events, later.seq):
            return _accepts(later.text[:300])
    return False


# An item of a numbered list that opens a line: `1. …`, `**2. X** — a.go:42`, `### 3) …`.
_NUMBERED_ITEM = re.compile(r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?\d{1,2}[.)][ \t]", re.M)


_BULLET_ITEM = re.compile(r"^[ \t]*[-*+\u2022][ \t]+(?P<item>.*)$", re.M)


SUMMARY_ITEMS = 3  # bullets that make a message a list of things, each its own


REFUTE_TURNS = 6  # the user's later messages in which they may name the cause it really was


# The user telling what the cause really was ("so it turned out to be ulauncher", "actually
# it was the proxy", "the real problem was …"), or that the one named was not it.
_CAUSE_WAS = re.compile(
    r"\b(?:(?:it|that|this)\s+turn(?:ed|s)\s+out\s+to\s+be"
    r"|turn(?:ed|s)\s+out\s+(?:it|that|this)(?:\s+(?:was|is)|['\u2019]s)"
    r"|(?:it|that)(?:\s+(?:was|is)|['\u2019]s)\s+actually"
    r"|actually,?\s+it(?:\s+(?:was|is)|['\u2019]s)"
    r"|the\s+(?:real|actual)\s+(?:root\s+cause|cause|problem|issue|culprit)\s+(?:was|is))"
    # (not the cause named again: "it turned out to be exactly that", "… what you found")
    r"\s+(?!(?:exactly\s+|just\s+|indeed\s+)?(?:that|this|it|what\s+you|as\s+you|the\s+same)\b)"
    r"(?P<cause>[^.;!?\n]{3,160})",
    re.I,
)
_NOT_IT = re.compile(
    r"\b(?:that|it)(?:\s+(?:wasn['\u2019]t|was\s+not|isn['\u2019]t|is\s+not)|['\u2019]s\s+not)\s+"
    r"(?:it|the\s+(?:problem|issue|cause|culprit))\b(?!\s+(?:any\s*more|now)\b)",
    re.I,
)


def _refuted_later(events: Sequence[Event], index: int, sentence: str) -> bool:
    """In one of their next `REFUTE_TURNS` messages of the session, the user says the cause
    was another, in words the sentence does not share, or that it was not it."""
    named = _stems(_content_words(sentence))
    for said in _users_later_words(events, index):
        if _NOT_IT.search(said):
            return True
        told = _CAUSE_WAS.search(said)
        if told and not named & _stems(_content_words(told["cause"])):
            return True
    return False


def _users_later_words(events: Sequence[Event], index: int) -> Iterator[str]:
    """The text of the user's next `REFUTE_TURNS` messages in the session of `index`."""
    session, turns = events[index].session, 0
    for later in events[index + 1 :]:
        if turns >= REFUTE_TURNS or later.session != session:
            return
        if (
            later.role == "user"
            and later.kind is EventKind.TEXT
            and not injected(events, later.seq)
        ):
            turns += 1
            yield later.text[:_REPLY_READ]


_REPLY_READ = 600  # the opening of a later message, where a user says what the cause was


def _one_bullet_of_many(text: str, sentence: str) -> bool:
    """The sentence is said in a bullet of a message with `SUMMARY_ITEMS` bullets or more."""
    items = [found["item"] for found in _BULLET_ITEM.finditer(text)]
    return len(items) >= SUMMARY_ITEMS and any(sentence in item for item in items)


def _edited_unchecked(events: Sequence[Event], index: int) -> bool:
    """The agent's last call before its words, since the user last spoke, edited the work:
    nothing ran or was read since, so a cause it names then ("The issue was that …", closing
    its summary) is what it hopes the edit fixed, no finding; the user's next words decide."""
    read: list[str] = []  # files read since the last edit (latest first)
    hooked: set[str | None] = set()  # calls whose output shows a git hook ran checks
    unrun: set[str | None] = set()  # calls whose answer shows they never started
    for event in _back_to_the_user(events, index):
        if event.kind is not EventKind.TOOL_CALL:
            if _HOOK_RAN.search(event.text):
                hooked.add(event.tool_use_id)
            if event.role == "tool" and _never_started(event):
                unrun.add(event.tool_use_id)
            continue
        if event.tool_use_id in unrun:
            continue  # turned down, or stopped at sudo's password: it tried nothing of the work
        if event.tool_name in signals.LOOK_TOOLS:
            read.append(_first_line(event.text))
            continue
        if (
            event.tool_name in signals.SHELL_TOOLS
            and _only_records(event.text)
            and event.tool_use_id not in hooked
        ):
            continue  # the edit committed or pushed: nothing of the work ran
        if event.tool_name in signals.SHELL_TOOLS and signals.only_reads(event.text):
            if not _SHOWS_CHANGES.match(command_head(event.text)):  # `git diff`: the edit itself
                read.extend(_PATH_WORD.findall(command_head(event.text)) or ["?"])
            continue
        edited = _first_line(event.text)
        if not _changes(event) or not all(same_file(path, edited) for path in read):
            return False  # another file read since: what the agent found there is a finding
        return not _checked_before(events, event.seq)  # (the edited file read back tries nothing)
    return False


def _never_started(answer: Event) -> bool:
    """The call's answer says it never ran: turned down, held back, or sudo refusing to start
    it for want of a password (`sudo cp … && sudo nixos-rebuild switch`: neither step ran)."""
    if signals.never_ran(answer):
        return True
    head = answer.text.lstrip()[:_SUDO_HEAD]
    return head.startswith(("sudo: ", "[sudo] ")) and sudo_got_no_password(head) is not None


_SUDO_HEAD = 600  # sudo's own lines open the answer when it ran nothing


# git recording the work (`git add`, `commit`, `push`, `tag`), git's `-C <folder>` or
# `-c <setting>` before it: it runs none of what was changed.
_RECORDS = re.compile(r"^git\s+(?:-[Cc]\s+\S+\s+)*(?:add|commit|push|tag)\b")


# A git hook's checks in a commit's or push's output (pre-commit's `ruff....Passed`, husky,
# lint-staged): they ran the work.
_HOOK_RAN = re.compile(
    r"^\S.*?\.{4,}\s*(?:Passed|Failed)\b|^husky\b|\blint-staged\b|^> .*\b(?:test|lint)\b", re.M
)


def _only_records(command: str) -> bool:
    steps = shell_steps(command_head(command))
    return bool(steps) and all(_RECORDS.match(step) for step in steps)


def _changes(event: Event) -> bool:
    """An edit the agent (or a subagent, in the same file) made to try a fix: of the work, or
    of the machine's setup (`~/.claude/settings.json`, `~/.zshrc`); a plan's draft tries none."""
    return (
        event.role == "assistant"
        and event.tool_name in signals.EDIT_TOOLS
        and not _PLAN_DRAFT.search(event.text[:1000])
    )


_PLAN_DRAFT = re.compile(r"[/\\]\.claude[/\\]plans[/\\]")


def _guessed_first(events: Sequence[Event], index: int, sentence: str) -> bool:
    """The agent put the same cause as a guess ("the tilde may not be expanded", "likely the
    path") since the user last spoke, or in the message itself, and no command run after the
    guess worked: the cause it states plainly is still that guess (a file read is no trial)."""
    named = _content_words(sentence)
    if len(named) < _SAME_CAUSE_WORDS:
        return False
    worked: set[str | None] = set()  # shell results that worked, waiting for their calls
    for event in _back_to_the_user(events, index):
        if event.role == "tool" and event.tool_name in signals.SHELL_TOOLS:
            if signals.is_success(event):
                worked.add(event.tool_use_id)
        elif event.kind is EventKind.TOOL_CALL and event.tool_use_id in worked:
            if not signals.only_reads(event.text):
                return False  # a command ran after any guess before it: tried
        elif (
            event.role == "assistant"
            and event.kind is EventKind.TEXT
            and _guesses_at(event.text, named)
        ):
            return True
    return _guesses_at(events[index].text, named)  # nothing ran: its own words guess too


def _guesses_at(text: str, named: set[str]) -> bool:
    """A sentence of the text guesses ("may", "likely") at a cause in these words."""
    return any(
        phrases.HEDGE.search(said) and len(named & _content_words(said)) >= _SAME_CAUSE_WORDS
        for said in sentences(text)
    )


_SAME_CAUSE_WORDS = 3  # words of a cause that another sentence must share to name it too


_WORD = re.compile(r"[a-z][a-z-]{3,}")


# Words every account of a cause holds, which name none.
_NO_CAUSE_WORDS = frozenset(
    {"that", "this", "these", "those", "there", "their", "then", "than", "with", "when"}
    | {"from", "into", "were", "what", "which", "while", "have", "your", "being", "because"}
    | {"issue", "problem", "cause", "reason", "root", "culprit", "turns", "turned", "using"}
    | {"uses", "used", "wasn", "isn", "doesn", "didn", "also", "just", "only", "will", "would"}
    | {"could", "should", "might", "may", "likely", "probably", "maybe", "possibly", "seems"}
)


def _content_words(sentence: str) -> set[str]:
    return set(_WORD.findall(sentence.lower())) - _NO_CAUSE_WORDS


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]


_SHOWS_CHANGES = re.compile(r"^git\s+(?:-C\s+\S+\s+)?(?:diff|status|show)\b")


# A word of a command that names a file: a path, or a name with an extension.
_PATH_WORD = re.compile(r"(?<![\w=-])(?:[\w.-]*/[\w./-]+|[\w-]+\.[A-Za-z]\w*)")


def _still_broken_next(events: Sequence[Event], index: int) -> bool:
    """The user's next words say the problem is still there ("still failing", "проблема
    осталась"), or they or the next failed output show the error it was told for again: the
    cause named was not the one."""
    before = _errors_before(events, index)
    for later in events[index + 1 : index + 1 + CONFIRM_LOOKAHEAD]:
        if later.role == "tool" and before and signals.is_failure(later):
            if before & _failing_names(later.text):
                return True
            continue
        if later.role != "user" or later.kind is not EventKind.TEXT or injected(events, later.seq):
            continue
        if before & _failing_names(later.text):
            return True  # (a log's paths may hold "work": no word of the user's)
        said = later.text[:300]
        lead = phrases.CLAUSE_MARK.split(said, maxsplit=1)[0]
        if phrases.CONFIRMATION.search(lead) and not _QUESTION_OPENING.match(lead):
            return False  # "that fixed it, can you also …?": the verdict comes first
        if _asks_back(said) and not phrases.STILL_FAILING.search(said):
            continue  # a question of theirs ("will the old link still work"): no verdict yet
        if phrases.THATS_WHY.search(said) or phrases.CONFIRMATION.search(said):
            return False  # the user takes the cause for the answer
        return bool(phrases.STILL_FAILING.search(said))
    return False


# A question said without its mark: it opens on a question word, or on a verb before its
# subject ("will the old link still work", "do I need to send a new one").
_QUESTION_OPENING = re.compile(
    r"^\s*(?:(?:so|and|but|ok|okay),?\s+)?(?:(?:why|what|how|when|where|which|who)\b|"
    r"(?:will|would|can|could|should|shall|do|does|did|is|are|was|were|has|have)\s+"
    r"(?:i|you|we|it|they|this|that|these|those|there|the|my|our|your|an?)\b)",
    re.I,
)


def _asks_back(reply: str) -> bool:
    """The reply's first sentence is a question of the user's."""
    first = next(iter(sentences(reply)), "")
    return bool(phrases.ASKS.search(first) or _QUESTION_OPENING.match(first))


def _taken_back(events: Sequence[Event], index: int, sentence: str) -> bool:
    """Before the user speaks again, and before it changes the work, the agent names another
    cause ("The issue was the values I guessed in my test"): the one it found was a wrong lead."""
    named = _content_words(sentence)
    session = events[index].session
    for later in events[index + 1 : index + 1 + RETHINK_LOOKAHEAD]:
        if later.session != session or _changes(later) or signals.is_failure(later):
            return False  # the cause acted on: a cause named after it is the next problem's
        if later.kind is not EventKind.TEXT:
            continue
        if later.role == "user" and not injected(events, later.seq):
            return False  # the user's words judge it instead
        if later.role == "assistant" and any(
            _another_cause(clean(said), named) for said in sentences(later.text)
        ):
            return True
    return False


def _another_cause(said: str, named: set[str]) -> bool:
    """The sentence states a cause (found, or the real one) in other words than `named`."""
    states = phrases.FOUND_CAUSE.match(said) or phrases.CAUSE_RENAMED.match(said)
    if _SETTLED.search(said):
        return False  # "The issue was resolved by clearing the cache": the end, no other cause
    words = _stems(_content_words(said))
    enough = min(_SAME_CAUSE_WORDS, (len(words) + 1) // 2)  # a shorter retelling shares less
    return bool(states) and len(_stems(named) & words) < max(enough, 1)


_SETTLED = re.compile(
    r"\b(?:is|was|are|were|been|got)\s+(?:now\s+)?(?:resolved|fixed|solved|gone|cleared)\b", re.I
)


def _stems(words: set[str]) -> set[str]:
    return {word.removesuffix("s") for word in words}


def _errors_before(events: Sequence[Event], index: int) -> set[tuple[str, str]]:
    """The errors (a file named, the words saying what went wrong) shown before the cause was
    told: in the user's words it answers, or in an output that failed since."""
    before: set[tuple[str, str]] = set()
    for event in _back_to_the_user(events, index):
        if event.role == "tool" and signals.is_failure(event):
            before |= _failing_names(event.text)
    asked = _users_last_words(events, index)
    if asked is not None:
        before |= _failing_names(asked.text)
    return before


def _users_last_words(events: Sequence[Event], index: int) -> Event | None:
    """The user's words that `_back_to_the_user` stops at, if in the same session."""
    session = events[index].session
    for event in reversed(events[:index]):
        if event.session != session:
            return None
        if (
            event.role == "user"
            and event.kind is EventKind.TEXT
            and not injected(events, event.seq)
        ):
            return event
    return None


def _failing_names(text: str) -> set[tuple[str, str]]:
    """The file names (`_header.adoc`, not their folders) the text's error lines name, each
    with the words there that say what went wrong ("not found")."""
    return {
        (name, word)
        for line in text[:_LOG_READ].splitlines()
        if signals.names_an_error(line)
        for name in _FILE_NAME.findall(line)
        for word in signals.ERROR_WORDS
        if word in line.lower()
    }


_LOG_READ = 200_000  # a pasted build log runs long


# A file's own name, the last part of a path: `partial$_x.adoc`, `a/b/c.py:12`.
_FILE_NAME = re.compile(
    r"(?<![\w.-])([\w-]+(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]{0,7})(?![\w/\\-]|\.\w)"
)


def _checked_before(events: Sequence[Event], index: int) -> bool:
    """Before the last edit (at `index`), since the user last spoke, an earlier edit was
    followed by a shell run that worked: the work was checked, the last edit a touch-up."""
    ran = False
    worked: set[str | None] = set()  # shell results that worked, waiting for their calls
    for event in _back_to_the_user(events, index):
        if event.tool_name in signals.SHELL_TOOLS and signals.is_success(event):
            # a server started in the background tried nothing of the work
            if not _STARTED_AWAY.match(event.text):
                worked.add(event.tool_use_id)
        elif event.kind is EventKind.TOOL_CALL and event.tool_use_id in worked:
            ran = ran or not signals.only_reads(event.text)  # a look (`ls .env`) tries nothing
        elif ran and event.kind is EventKind.TOOL_CALL and edits_the_work(event):
            return True
    return False


_STARTED_AWAY = re.compile(r"^Command running in background\b")


def _back_to_the_user(events: Sequence[Event], index: int) -> Iterator[Event]:
    """The events before `index`, latest first, back to the user's last words in its session."""
    session = events[index].session
    for event in reversed(events[:index]):
        if event.session != session:
            return
        if (
            event.role == "user"
            and event.kind is EventKind.TEXT
            and not injected(events, event.seq)
        ):
            return
        yield event


def _asks_to_choose(text: str) -> bool:
    """The message puts options or several questions to the user ("❓ Q18 … Options: (a) …
    (b) …"): what it argues is a case for an option, not a fact the reply confirms."""
    if _OPTIONS.search(text):
        return True
    asked = [line for line in text.splitlines() if line.rstrip().endswith(("?", "\uff1f"))]
    return len(asked) >= 2


_OPTIONS = re.compile(
    r"\u2753|\bOptions?:|^\s*(?:\*\*)?(?:Option|Choice) (?:[A-D1-4])\b|\(a\)[^\n]{0,400}\(b\)",
    re.M | re.I,
)


def _accepts(reply: str) -> bool:
    """The reply opens by agreeing ("Yes, …", "That worked, thanks!"): a word of assent
    further on, or in a question ("… we can just drop them, right?"), accepts nothing."""
    first = next(iter(sentences(reply)), "")
    if first.rstrip().endswith(("?", "\uff1f")) or _WORKS_BUT.search(first):
        return False
    return bool(phrases.CONFIRMATION.search(first)) and not phrases.STILL_BROKEN.search(reply)


# "It works but there is a weird delay": the fix did something, and in the same breath the
# user pushes back on what it left or did; not "that worked, but can you also …", a new ask.
_WORKS_BUT = re.compile(
    r"\b(?:works?|worked|working)\b[^.!?]{0,200}?\bbut\s+"
    r"(?!(?:can|could|would|will)\s+you\b|please\b|also\b|let['\u2019]?s\b|now\s+(?:can|could)\b)",
    re.I,
)
