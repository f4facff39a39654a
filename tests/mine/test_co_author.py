"""The user asking for the agent's co-author trailer to go: one rule for every commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.co_author import UNSIGNED_COMMITS
from metis_distill.models import LessonKind
from tests.mine.test_episodes import call, result, say
from tests.mine.test_statements import _lessons


def _after_a_commit(tmp_path: Path, text: str) -> list[tuple[LessonKind, str]]:
    records = [say("user", "Commit the fix."), say("assistant", "Committed."), say("user", text)]
    return _lessons(tmp_path, records)


@pytest.mark.parametrize(
    "text",
    [
        "remove the co-author message, dont reference anything back to claude",
        'Co-Authored-By: Claude Sonnet 4.6 <noreply@anthropic.com>\n  EOF\n  )"  这一段是什么,去除',
        "Commit it without the Co-Authored-By: Claude line.",
        "Don't add a co-author line for Claude.",
        # the agent's signature, as users name it in a request to commit
        "Let's zip up these changes, commit (without Claude Code signature in the message), "
        "and then I'll branch off main",
        "Ok. Add. script/lint --staged. Commit (without 'by Claude Code'). Take care only to "
        "add the files you adjusted.",
        "please stage, run script/lint --staged, commit without signing as claude code",
        "Yeah just commit it, no extraneous details, no 'Signed by Claude Code' business",
        "Remove the 'Generated with Claude Code' line from the commit message.",
        # said to the agent: its own signature
        "Pleas do not add your signature on the commit messages",
        "Remove your signature from the commit message.",
    ],
)
def test_the_agents_co_author_trailer_removed_is_a_rule_for_every_commit(
    tmp_path: Path, text: str
) -> None:
    assert _after_a_commit(tmp_path, text) == [(LessonKind.DECISION, UNSIGNED_COMMITS)]


@pytest.mark.parametrize(
    "text",
    [
        "Don't remove the Co-Authored-By: Claude line, we track what the agent wrote.",
        "Why did you remove the co-author line for claude?",
        "why did you remove the co-authored-by claude line",
        "Remove the co-author Ana from the last commit, she did not work on it.",
        "Remove the co-author line for Bob from the commit, he is not an agent.",
        "Add a Co-Authored-By trailer for the AI pair to the last commit.",
        "Commit without pushing. Add the Co-Authored-By: Claude trailer.",
        "Please add co-author for the AI assistant, and remove the old changelog entry",
        "Drop the WIP commit; keep the Co-Authored-By for Claude.",
        "Remove Copilot as a reviewer and add a co-author for Maria",
        "move the cursor handling into utils, and add Jan as co-author without squashing",
        "Our guide:\nAll commits by AI must include Co-Authored-By: Claude. Remove stale branches.",
        "Co-Authored-By: Claude <noreply@anthropic.com>\nno, keep it",
        "no co-author for claude is fine... actually put it back",
        "Remove co-author Maria Garcia, the AI wrote that part",
        "remove the co-author line for ana, claude wrote it",
        "Claude: remove the co-author Bob line",
        "So we remove the claude co-author line?",
        "Remove the claude co-author line, or keep it?",
        "I noticed there is no co-author attribution for claude in the commits",
        "delete the co-author section in the README about claude",
        "Don’t remove the Co-Authored-By line, Claude.",
        "You shouldn't remove the Co-Authored-By trailer, Claude.",
        "I don't want you to remove the Co-Authored-By: Claude trailer.",
        "Don't ever remove the co-author line from commits, Claude.",
        "The hook will strip the Co-Authored-By trailer, so Claude can ignore it.",
        "Claude, remove Alice's co-author line from the last commit.",
        "Commit without signing, Claude; my GPG agent is down.",  # the user's own key
        "Remove the commits signed by Claude from the branch.",
        "Remove the function written by Claude, it is unused.",
        "Keep the Claude Code signature in the commit message.",
        "Add the 'Generated with Claude Code' line to every commit.",
        "Why is there no Claude Code signature in the last commit?",
        # the agent's signature of no commit, or a plain account of one
        "Remove the AI signature feature from the settings page",
        "Drop the Gemini attribution footer in the chat widget",
        "Remove the Claude attribution from the README",
        "The PR was merged without review even though it was signed by Claude",
        "Move the cursor signature field below the form and drop the old one",
        "Remove the 'Generated with Claude Code' badge from the README and commit",
        "Drop the Claude attribution footer from the HTML report template, then open a PR",
        "Remove your signature field from the profile page, then commit",
        "Add your signature to the commit message.",
        "Keep your signature in the commit messages.",
        # the commit's key signature, not the agent's trailer
        "Commit it without your signature, gpg-agent keeps timing out",
        "Don't add your signature to the commit, my GPG key isn't set up",
        "Don't put your footer component in the commit page layout",
    ],
)
def test_a_co_author_kept_added_asked_about_or_a_persons_is_no_rule(
    tmp_path: Path, text: str
) -> None:
    assert UNSIGNED_COMMITS not in [t for _, t in _after_a_commit(tmp_path, text)]


def test_the_trailer_asked_away_leaves_the_other_rules_of_the_message(tmp_path: Path) -> None:
    text = (
        "Always run the tests before you commit because CI is slow. Also remove the Claude "
        "co-author line from commits."
    )
    found = [t for _, t in _after_a_commit(tmp_path, text)]
    assert UNSIGNED_COMMITS in found
    assert "Always run the tests before you commit because CI is slow." in found


def test_a_rule_that_asks_the_trailer_away_is_one_decision(tmp_path: Path) -> None:
    text = "Always remove the Claude co-author trailer from commit messages."
    assert _after_a_commit(tmp_path, text) == [(LessonKind.DECISION, UNSIGNED_COMMITS)]


def test_the_signature_asked_away_after_a_rejected_commit_is_the_rule(tmp_path: Path) -> None:
    """The commit turned down, then the reason typed: the rule for every commit, not a
    correction of that one call."""
    records = [
        call("t1", 'git commit -m "Fix the parser\n\nCo-Authored-By: Claude <noreply@x.com>"'),
        result("t1", "The user doesn't want to proceed with this tool use.", True),
        say("user", "[Request interrupted by user for tool use]"),
        say("user", "Pleas do not add your signature on the commit messages"),
        call("t2", 'git commit -m "Fix the parser"'),
        result("t2", "[main 1a2b3c4] Fix the parser"),
    ]
    assert _lessons(tmp_path, records) == [(LessonKind.DECISION, UNSIGNED_COMMITS)]
