"""Only earned statements become lessons: durable rules and confirmed facts, never a guess, a
one-off request, a pasted document or text the harness injected."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.edit_scope import READ_ONLY_OUTSIDE
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.statements import _durable_mark, is_standing_rule
from metis_distill.models import LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, edit, read, result, say


def _lessons(tmp_path: Path, records: list[dict]) -> list[tuple[LessonKind, str]]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    return [(c.kind, c.text) for c in found]


@pytest.mark.parametrize(
    "text",
    [
        "The issue is that your logger might be printing empty lines for these messages.",
        "The bin/obj folders are unlikely to be the root cause of these specific errors.",
        "I think the problem is that the cache only supports string keys here.",
        "This probably happens because the config silently falls back to defaults.",
        "Turns out a window under 17 frames with dilation 8 would fail silently in the encoder.",
        # what the agent could not check
        "One caveat: I can't fully script-verify the drag into the privacy list on this "
        "release, but it is documented, so it's a far safer bet.",
        "Note that I couldn’t confirm the cache flag is read by the worker image.",
    ],
)
def test_speculation_is_no_gotcha(tmp_path: Path, text: str) -> None:
    assert _lessons(tmp_path, [say("assistant", text)]) == []


def test_a_tool_that_cannot_verify_is_a_fact_not_a_hedge(tmp_path: Path) -> None:
    said = "Turns out git cannot verify the host key of the mirror, so every fetch stops there."
    ((kind, _),) = _lessons(tmp_path, [say("assistant", said), say("user", "right, thanks")])
    assert kind is LessonKind.GOTCHA


def test_what_the_agent_could_not_check_is_no_gotcha_when_the_user_agrees(
    tmp_path: Path,
) -> None:
    said = (
        "One caveat: I can't fully script-verify the drag into the privacy list on this "
        "release, but it is documented, so it's a far safer bet."
    )
    records = [say("assistant", said), say("user", "Good, that works for me.")]
    assert _lessons(tmp_path, records) == []


@pytest.mark.parametrize(
    "said",
    [
        "Turns out the CI image has no git-lfs, so the fixtures come up empty.",
        "The root cause was that the CI image has no git-lfs, so the fixtures come up empty.",
    ],
)
def test_a_gotcha_opens_on_the_fact_not_on_how_it_was_found(tmp_path: Path, said: str) -> None:
    ((kind, text),) = _lessons(tmp_path, [say("assistant", said)])
    assert kind is LessonKind.GOTCHA
    assert text == "The CI image has no git-lfs, so the fixtures come up empty."


def test_the_agent_telling_what_its_own_code_never_does_silently_is_no_gotcha(
    tmp_path: Path,
) -> None:
    told = (
        "If the download fails or the video has no captions, you still get the note, just "
        "without a transcript. The capture never silently drops."
    )
    records = [say("user", "What happens now?"), say("assistant", told), say("user", "great")]
    assert _lessons(tmp_path, records) == []


def test_a_diagnosis_counts_once_the_user_says_the_fix_worked(tmp_path: Path) -> None:
    diagnosis = "The issue is that `app.local` is not in the hosts file, so the proxy rejects it."
    unconfirmed = [say("assistant", diagnosis), say("user", "Still the same error on reload.")]
    confirmed = [say("assistant", diagnosis), say("user", "That worked, thanks!")]
    assert _lessons(tmp_path / "a", unconfirmed) == []
    ((kind, text),) = _lessons(tmp_path / "b", confirmed)
    assert kind is LessonKind.GOTCHA and "hosts file" in text


@pytest.mark.parametrize(
    "text",
    [
        "In NOTES.md, reorder the lists. DO NOT CHANGE the contents.",  # a one-off constraint
        "Use the backup in C:\\Users\\ana\\Downloads\\docs to restore the files, not git.",
        "Ok, I think it is ready to build the slides, can you create a script for it?",
        "The forms use UIkit instead of Bootstrap, can you confirm and save the preference",
        "Use terminal instead of powershell then.",  # a reply, meaningless out of context
        "Do not touch the staging database today, I am migrating it.",
        # the rest of today's request, read against what it just asked
        "それ以外のサイトの言葉は絶対に変えないでください。",
        "Other than that, never change any wording on the site.",
        # what the product shows by default: today's feature, not how to work
        "don't show load more button by default, load more button should visible only when "
        "rows are more than 10",
        "Don't collapse the filters panel by default.",
        "Don't keep the checkbox checked by default.",
        "Don't select the first tab by default.",
        "Don't sort the table by date by default.",
        "Don't hide archived projects by default.",
    ],
)
def test_one_off_requests_are_no_decision(tmp_path: Path, text: str) -> None:
    assert _lessons(tmp_path, [say("user", text)]) == []


@pytest.mark.parametrize(
    "rule",
    [
        "Don't install packages globally by default.",
        "Don't check in the generated lockfiles by default.",
        "Don't checkout main by default, work on the release branch.",
        "Don't run the slow tests by default, they are disabled by default for a reason.",
        "Don't render the HTML report by default, it takes minutes in CI.",
    ],
)
def test_by_default_said_of_the_agents_work_is_still_a_rule(tmp_path: Path, rule: str) -> None:
    ((kind, text),) = _lessons(tmp_path, [say("user", rule)])
    assert kind is LessonKind.DECISION and text == rule


@pytest.mark.parametrize(
    ("sentence", "standing"),
    [
        # a kind of file kept out of the repository: a rule without a mark of one
        ("don't commit .so files", True),
        ("Don't commit artifacts", True),
        ("Do not push generated files", True),
        # today's files, or not yet: a request
        ("don't commit the files yet", False),
        ("Don't commit these files", False),
        ("don't commit yet", False),
        ("don't commit anything", False),
    ],
)
def test_a_kind_of_file_kept_out_of_git_is_a_standing_rule(sentence: str, standing: bool) -> None:
    assert is_standing_rule(sentence) is standing


def test_a_kind_of_file_kept_out_of_git_is_the_users_rule(tmp_path: Path) -> None:
    rule = "Please don't commit compiled .so files."
    ((kind, text),) = _lessons(tmp_path, [say("user", rule)])
    assert kind is LessonKind.DECISION and text == rule


@pytest.mark.parametrize(
    ("sentence", "standing"),
    [
        ("By default, put long logs in a collapsed details section in PR descriptions.", True),
        ("By default, show the ticket number in the commit message header.", True),
        ("By default, show me a short summary section at the end of each reply.", True),
        ("Indent with tabs by default and show the diff before you commit.", True),
        ("Keep the checkbox checked by default.", False),
        ("Dark mode should be enabled by default.", False),
        ("Show 20 items per page by default.", False),
        ("The dropdown should be closed by default.", False),
    ],
)
def test_by_default_of_the_product_is_no_standing_rule(sentence: str, standing: bool) -> None:
    assert is_standing_rule(sentence) is standing


# What a thing asked for will do ("… to get the hooks to chime whenever …", "a script that
# … every time …"): its "whenever" is when that thing acts, not how the agent should work.
_WHAT_IT_WILL_DO = [
    "use the user settings to get the hooks to chime whenever a run stops and waits for me",
    "Use the global config to make it beep every time the agent needs an answer.",
    "Use a shell alias to have the terminal flash whenever a long build finishes.",
    "Use a cron job that copies the notes folder every time the laptop wakes up.",
    "Use launchd so that the sync script runs whenever I log in.",
    "Use a git hook which rebuilds the docs every time a branch is checked out.",
]
# Rules about how to work, their durable word outside any such clause.
_HOW_TO_WORK = [
    "Always use uv, never pip, whenever you install packages.",
    "Use the make targets whenever you run the test suite.",
    "Use pnpm to get the dependencies, never npm.",
    "Use `rg` to get matches whenever you search the code.",
    "Never write a git hook that pushes on its own.",
    "Always use a script that you can rerun, never one-off shell commands.",
    "Never use a hook to make the tests pass every time; fix the code.",
    "Prefer scripts that always exit non-zero on a failure.",
    "When the quick route is a shortcut that skips the checks \u2014 always take the slow one.",
    # an "always" or "never" in a purpose clause still says how to work
    "Use pnpm so the lockfile never drifts.",
    "Use ruff so that the code always passes CI.",
    "Use a wrapper script that always sets the env vars first.",
]


@pytest.mark.parametrize(
    ("sentence", "standing"),
    [(s, False) for s in _WHAT_IT_WILL_DO] + [(s, True) for s in _HOW_TO_WORK],
)
def test_when_a_thing_asked_for_will_act_is_no_standing_rule(sentence: str, standing: bool) -> None:
    assert is_standing_rule(sentence) is standing


@pytest.mark.parametrize("task", _WHAT_IT_WILL_DO)
def test_a_request_for_what_a_thing_will_do_whenever_is_no_decision(
    tmp_path: Path, task: str
) -> None:
    records = [say("user", task), say("assistant", "I'll set that up in your settings.")]
    assert _lessons(tmp_path, records) == []


@pytest.mark.parametrize("rule", _HOW_TO_WORK[:4] + _HOW_TO_WORK[-3:])
def test_a_rule_with_whenever_of_the_agents_work_stays_a_decision(
    tmp_path: Path, rule: str
) -> None:
    assert _lessons(tmp_path, [say("user", rule)]) == [(LessonKind.DECISION, rule)]


def test_rules_pasted_or_written_for_a_document_are_not_the_users(tmp_path: Path) -> None:
    dictated = (
        "add markdown conventions to STYLE.md\n"
        "Always put each sentence on its own line.\n"
        "Never use the * bullet marker."
    )
    pasted = "\n".join(
        ["# Team handbook", "## Rules", *(f"- Always do thing number {i} first." for i in range(6))]
    )
    prompt = (
        "Act as the release manager. NEVER leave the role until told to stop.\n"
        "<activation>\n1. Load the role file\n2. Read all of it\n3. Follow its menu\n</activation>"
    )
    assert _lessons(tmp_path / "a", [say("user", dictated)]) == []
    assert _lessons(tmp_path / "b", [say("user", pasted)]) == []
    assert _lessons(tmp_path / "c", [say("user", prompt)]) == []


_PROMPT_FOR_THE_APP = (
    "If no region is named, Atlas will search every region.\n"
    "Always set the page size to the largest value allowed.\n"
    "Ask the user whether to fetch the next page."
)


@pytest.mark.parametrize(
    "message",
    [
        f'When the service starts I want it to apply this prompt\n"""{_PROMPT_FOR_THE_APP}"""',
        f"Use this text as the assistant's greeting:\n'''{_PROMPT_FOR_THE_APP}'''",
        f"Apply this prompt when the server starts\n{_PROMPT_FOR_THE_APP}",
        f"Add the following to the system prompt:\n{_PROMPT_FOR_THE_APP}",
    ],
)
def test_a_prompt_handed_over_for_the_program_is_no_rule_of_the_users(
    tmp_path: Path, message: str
) -> None:
    """Text the user supplies for the program (quoted, or introduced as a prompt or text to
    put somewhere) is its content, however it is worded, never a rule for the agent."""
    assert _lessons(tmp_path, [say("user", message), say("assistant", "Understood.")]) == []


def test_the_users_own_rule_beside_a_handed_over_prompt_stays_a_decision(tmp_path: Path) -> None:
    rule = "Always keep prompts as files under prompts/, never inline them in the code."
    message = f'{rule}\nApply this prompt when the server starts:\n"""{_PROMPT_FOR_THE_APP}"""'
    records = [say("user", message), say("assistant", "Understood.")]
    assert _lessons(tmp_path, records) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "message",
    [
        "Add the following rules:\n- Always run the linter before you commit anything.",
        "Always use the message queue for background jobs.\n"
        "Always run the linter before you commit anything.",
    ],
)
def test_rules_after_a_line_that_hands_over_nothing_stay_decisions(
    tmp_path: Path, message: str
) -> None:
    records = [say("user", message), say("assistant", "Understood.")]
    assert (LessonKind.DECISION, "Always run the linter before you commit anything.") in (
        _lessons(tmp_path, records)
    )


_WANTED = "I want Emacs to be in complete control of its packages. nix will only install emacs."


def test_a_slash_commands_arguments_are_its_task_not_a_decision(tmp_path: Path) -> None:
    """A typed `/command` and its arguments are the command's input, as the harness's own
    `<command-args>` are; the same words typed as a plain message are the user's rule."""
    typed = [say("user", f"/setup-host {_WANTED}"), say("assistant", "Understood.")]
    plain = [say("user", _WANTED), say("assistant", "Understood.")]
    assert _lessons(tmp_path / "a", typed) == []
    assert _lessons(tmp_path / "b", plain) == [(LessonKind.DECISION, _WANTED)]


def test_rules_in_a_few_bullets_of_the_users_own_are_decisions(tmp_path: Path) -> None:
    message = (
        "Both notes can go in the repo root.\n\nAlso, for the rest of this project:\n\n"
        "- Use pnpm for every install by default, never npm, so there is one lockfile.\n"
        "- Always write commit messages with a WHY line.\n"
        "- Keep the UI compact and dense."
    )
    assert _lessons(tmp_path, [say("user", message)]) == [
        (
            LessonKind.DECISION,
            "Use pnpm for every install by default, never npm, so there is one lockfile.",
        ),
        (LessonKind.DECISION, "Always write commit messages with a WHY line."),
    ]


def test_injected_context_is_no_decision(tmp_path: Path) -> None:
    records = [
        say(
            "user",
            "<command-message>tasks is running…</command-message>\n<command-name>/tasks</command-name>",
        ),
        say("user", "## Outline\nYou **MUST** always run the setup script from the repo root."),
        say("user", "Base directory for this skill: /x\nAlways prefer small commits."),
        say(
            "user", "Contents of /repo/CLAUDE.md:\nNever push to main; always open a pull request."
        ),
    ]
    assert _lessons(tmp_path, records) == []


def _saved(rule: str) -> dict:  # type: ignore[type-arg]
    """What Claude Code writes when the user saves `rule` to memory (a message opened by `#`)."""
    return say("user", f"<user-memory-input>{rule}</user-memory-input>")


@pytest.mark.parametrize(
    "rule", ["From now on, always use pnpm for installs.", "Never commit directly to main."]
)
def test_a_rule_saved_to_memory_in_one_line_is_that_decision(tmp_path: Path, rule: str) -> None:
    assert _lessons(tmp_path, [_saved(rule)]) == [(LessonKind.DECISION, rule)]


def test_a_rule_saved_to_memory_is_a_decision_on_one_line(tmp_path: Path) -> None:
    rule = (
        "In Markdown documents, leave a blank line between:\n\n- headers and body\n- body and lists"
    )
    records = [say("user", "Set up the docs folder."), say("assistant", "Done."), _saved(rule)]
    ((kind, text),) = _lessons(tmp_path, records)
    assert kind is LessonKind.DECISION
    assert text == (
        "In Markdown documents, leave a blank line between: headers and body; body and lists."
    )


@pytest.mark.parametrize(
    "rule",
    [
        "why do the tests fail on CI?",  # a question sent after a stray `#`
        "how do I run the tests here",
        "can you check why CI fails on main",
        "fix the failing test in auth.py now",
        "TODO: migrate the auth module tomorrow",
        "remember to email Bob about the invoice",
        "Architecture",
        "## Setup\nrun npm install\n## Test\nrun npm test",
        "Project Notes\nThis repo is a Next.js app.\nIt uses Prisma.",
        "fix the login bug in auth.py",
        "rm -rf node_modules",
        "git push origin main",
        "Thanks, that worked great",
        "the tests are failing on CI",
        "I think we should maybe use bun",
        "Build Commands:\n- npm run build\n- npm test",
        "ok",
        "# Plan\n## Goals\n- a\n- b\n## Steps\n- c\n| x | y |",  # a document, heading and all
    ],
)
def test_a_memory_entry_that_is_no_rule_is_no_decision(tmp_path: Path, rule: str) -> None:
    assert _lessons(tmp_path, [_saved(rule)]) == []


@pytest.mark.parametrize(
    "said",
    [
        "Traduis ce document en anglais pour nos discussions avec le client",
        "écris le README en anglais, pour nos échanges avec l'équipe",
        "Mets l'interface en anglais dans nos échanges avec le client, s'il te plaît",
        "Rédige la lettre en anglais, vos réponses au client doivent rester courtes",
        "這次回覆用英文",  # this time
        "这条评论的回复用英文写",  # the reply to this comment: a thing to write
        "tes réponses en anglais sont trop longues",
        "nos échanges en anglais avec le client ont été tendus",
        "回覆用英文比較好嗎",  # a question
        "客户回复用英文",  # the customer's reply
        "回复用英文太难了",
    ],
)
def test_a_task_in_a_language_or_a_reply_this_time_is_no_reply_language(
    tmp_path: Path, said: str
) -> None:
    assert _lessons(tmp_path, [say("user", said)]) == []


def test_the_language_of_our_exchanges_in_french_is_the_reply_language(tmp_path: Path) -> None:
    records = [say("user", "j'aimerai que tout soit en français lors de nos échanges")]
    assert _lessons(tmp_path, records) == [
        (LessonKind.DECISION, "J'aimerai que tout soit en français lors de nos échanges.")
    ]


def test_a_sentence_that_leads_to_what_follows_is_no_rule_alone(tmp_path: Path) -> None:
    task = (
        "Write coeffs.py with one function returning the matrix K. Use this exact sign "
        "convention:\nrow I: [a, b]\nrow Q: [b, a]"
    )
    assert _lessons(tmp_path, [say("user", task)]) == []


def test_a_standing_rule_of_the_user_is_a_decision(tmp_path: Path) -> None:
    ((kind, text),) = _lessons(
        tmp_path, [say("user", "From now on, always run the linter before you commit anything.")]
    )
    assert kind is LessonKind.DECISION and "linter" in text


@pytest.mark.parametrize(
    ("following", "kept"),
    [
        ("However, if this turns out to be a big barrier, you can stop using nix.", True),
        ("But if the build cache gets in the way, plain cargo is fine.", True),
        ("Then write the tests for the parser.", False),  # another request, not its bounds
        ("But why does the shell still not find cargo?", False),
        ("But the build is broken right now, fix the import in app.ts first.", False),
        ("However, the CI pipeline is down today so skip pushing for now.", False),
    ],
)
def test_a_rule_keeps_the_exception_its_next_sentence_makes(
    tmp_path: Path, following: str, kept: bool
) -> None:
    rule = "Always use nix flakes to manage dependencies and devshells, for reproducibility."
    ((kind, text),) = _lessons(tmp_path, [say("user", f"{rule} {following}")])
    assert kind is LessonKind.DECISION and text.startswith(rule)
    assert (following in text) is kept


@pytest.mark.parametrize(
    ("role", "text", "decides"),
    [
        # the agent's own plan step: no reason, nobody agreed
        (
            "assistant",
            "I decided to create a new file, phase3_colpali.py, to handle the ColPali part.",
            False,
        ),
        (
            "assistant",
            "I decided to keep the cache in SQLite because the workers share one disk.",
            True,
        ),
        ("user", "We decided to drop Redis from the stack for good.", True),
        # what was decided is a pronoun: the thing was said before, the sentence alone is none
        ("user", "I decided I want it to shutdown if window is closed.", False),
        ("user", "We decided that they stay on the old plan until March.", False),
        ("user", "We decided to keep all dates in UTC, since the reports mix time zones.", True),
        ("user", "We have decided to run it in Docker only, never on the host.", True),
        # "this project", "it's better": a noun follows, or "it" opens a clause of its own
        (
            "user",
            "We decided that this project uses pnpm, never npm, because the lockfile is pnpm's.",
            True,
        ),
        (
            "user",
            "I decided it's better to always run migrations by hand, since CI has no DB.",
            True,
        ),
        # the agent wondering aloud, then making its next call
        (
            "assistant",
            "Let me check if we should use the direct streaming script instead, since that's "
            "what you originally wanted:",
            False,
        ),
        # the agent picking one of its own tools for the task: a plan step
        (
            "assistant",
            "I'll use the `configuring-vite-environments` skill for the Vite setup since no "
            "backend services are needed.",
            False,
        ),
        ("assistant", "Let's use the Explore agent since the codebase is large.", False),
        # ... a tool, SDK or MCP server of the project is a choice
        (
            "assistant",
            "We'll use the Claude Agent SDK instead of LangChain because it supports MCP natively.",
            True,
        ),
        (
            "assistant",
            "We'll use the `golangci-lint` tool instead of plain go vet because CI already runs it.",
            True,
        ),
        (
            "assistant",
            "We'll use the Playwright MCP server for the e2e checks since the team runs it in CI.",
            True,
        ),
        (
            "assistant",
            "We'll use pnpm workspaces instead of npm because the repo has six packages.",
            True,
        ),
    ],
)
def test_decided_to_is_a_decision_with_its_reason_or_the_users(
    tmp_path: Path, role: str, text: str, decides: bool
) -> None:
    records = [say(role, text)] if role == "user" else _answered([say(role, text)])
    found = _lessons(tmp_path, records)
    assert [kind for kind, _ in found] == ([LessonKind.DECISION] if decides else [])


def _answered(records: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """The agent's words in a run a person took part in: the task, then their reply."""
    return [say("user", "Set the project up."), *records, say("user", "Go on.")]


def test_the_agents_choice_in_a_run_no_person_answered_is_no_decision(tmp_path: Path) -> None:
    # an autonomous run (a harness's task, then the agent alone): nobody adopted the choice
    task = say("user", "Fix the timezone bug in the MySQL backend.")
    choice = say("assistant", "I'll use SQLite because it's easier to run.")
    assert _lessons(tmp_path / "a", [task, choice]) == []
    assert [k for k, _ in _lessons(tmp_path / "b", _answered([choice]))] == [LessonKind.DECISION]


def test_an_answer_to_a_numbered_question_is_recorded_as_a_decision(tmp_path: Path) -> None:
    records = [
        say(
            "assistant",
            "## Question 2 of 4: Session Storage\n\n| Option | Answer |\n|---|---|\n"
            "| A | Redis |\n| B | Signed cookies |",
        ),
        say("user", "B"),
        say("assistant", "Recording **Signed cookies** for sessions. Updating the spec."),
        edit("e1", "specs/auth/spec.md"),
        result("e1", "The file specs/auth/spec.md has been updated."),
    ]
    ((kind, text),) = _lessons(tmp_path, records)
    assert (kind, text) == (LessonKind.DECISION, "Session Storage: Signed cookies.")


def _queued(prompt: object, **extra: object) -> dict:  # type: ignore[type-arg]
    attachment = {"type": "queued_command", "commandMode": "prompt", "prompt": prompt, **extra}
    return {"type": "attachment", "attachment": attachment}


def test_a_message_typed_mid_turn_is_read_as_a_correction(tmp_path: Path) -> None:
    """Claude Code writes what the user types while the agent works as a `queued_command`
    attachment, never as a user line: it is where users correct agents."""
    records = [
        call("t1", "npm install left-pad"),
        _queued("no, never use npm here; always use pnpm instead"),
        result("t1", "added 1 package"),
        _queued([{"type": "text", "text": "Always run the linter before you commit anything."}]),
        _queued("status please", commandMode="task-notification"),  # not typed by a person
        _queued("From now on always use tabs.", origin={"kind": "agent"}),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    typed = [e for e in run.events if e.mid_turn]
    assert [e.text for e in typed] == [
        "no, never use npm here; always use pnpm instead",
        "Always run the linter before you commit anything.",
    ]
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    correction, rule = found
    assert correction.kind is LessonKind.FAILURE and correction.fix is not None
    assert correction.text == "User correction: Never use npm here; always use pnpm instead."
    assert (rule.kind, rule.text) == (
        LessonKind.DECISION,
        "Always run the linter before you commit anything.",
    )


def _enqueued(content: str) -> dict:  # type: ignore[type-arg]
    return {"type": "queue-operation", "operation": "enqueue", "content": content}


def test_a_message_queued_as_claude_code_2_0_wrote_it_is_read_where_it_was_typed(
    tmp_path: Path,
) -> None:
    """Claude Code 2.0 wrote what the user typed while the agent worked as a queue operation
    holding the words; sent again later as a prompt, the words are read once. A task's
    notification (JSON, a tag) and a slash command are the harness's."""
    records = [
        call("t1", "npm install left-pad"),
        _enqueued("no, never use npm here; always use pnpm instead"),
        {"type": "queue-operation", "operation": "remove"},
        result("t1", "added 1 package"),
        _enqueued('{"task_id":"b1","description":"List files","task_type":"local_bash"}'),
        _enqueued("<task-notification>\n<task-id>a1</task-id>\n</task-notification>"),
        _enqueued("/model"),
        _enqueued("Always run the linter before you commit anything."),
        {"type": "queue-operation", "operation": "dequeue"},
        say("user", "Always run the linter before you commit anything."),
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    said = [(e.text, e.mid_turn) for e in run.events if e.role == "user"]
    assert said == [
        ("no, never use npm here; always use pnpm instead", True),
        ("Always run the linter before you commit anything.", True),
    ]
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert [c.text for c in found] == [
        "User correction: Never use npm here; always use pnpm instead.",
        "Always run the linter before you commit anything.",
    ]


def test_a_claim_counts_once_the_user_accepts_it_a_found_cause_at_once(tmp_path: Path) -> None:
    claim = "The keybindings file only supports the predefined actions, so it can't launch apps."
    found = "Turns out the CI image has no git-lfs, so the fixtures come up empty."
    assert _lessons(tmp_path / "a", [say("assistant", claim)]) == []
    accepted = [say("assistant", claim), say("user", "yes, put it in the window manager config")]
    assert [k for k, _ in _lessons(tmp_path / "b", accepted)] == [LessonKind.GOTCHA]
    assert [k for k, _ in _lessons(tmp_path / "c", [say("assistant", found)])] == [
        LessonKind.GOTCHA
    ]


@pytest.mark.parametrize(
    "asking",
    [
        "\u2753 **Q18** - Which pages get the sticky bar? Options: (a) an explicit list; "
        "(b) derive it from the noIndex flag.",
        "Should the bar follow the flag?\nOr keep its own list?",
        "(a) keep an explicit list, or (b) derive it from the flag.",
    ],
)
def test_a_case_made_for_an_option_is_no_fact_the_reply_confirms(
    tmp_path: Path, asking: str
) -> None:
    """The agent asks the user to choose and argues for one option: the user's "sure"
    answers the question, it does not confirm the argument."""
    argument = "Coupling them means the next noIndex page silently inherits a decision."
    reply = "Q17 slide in option B will work for now. Q18 derive it from the no index. Sure."
    records = [say("assistant", f"{argument}\n\n{asking}"), say("user", reply)]
    assert [k for k, _ in _lessons(tmp_path, records)] == []


def test_a_thanks_to_the_user_is_no_part_of_the_fact(tmp_path: Path) -> None:
    claim = "Thanks — the ocodex CLI does not accept --ask-for-approval for exec."
    accepted = [say("assistant", claim), say("user", "yes, drop it")]
    ((kind, text),) = _lessons(tmp_path, accepted)
    assert (kind, text) == (
        LessonKind.GOTCHA,
        "The ocodex CLI does not accept --ask-for-approval for exec.",
    )
    # after the thanks, "that error shows …" points back at a message the reader never sees
    pointing = "Thanks — that error shows the CLI does not accept --ask-for-approval for exec."
    assert _lessons(tmp_path / "b", [say("assistant", pointing), say("user", "yes")]) == []


@pytest.mark.parametrize(
    ("following", "joined"),
    [
        ("To open an app with a shortcut, you'd want to bind it in the window manager.", True),
        ("Instead, bind it in the window manager config.", True),
        ("Instead, it may be possible to bind it in the window manager.", False),  # a guess
        ("Let me check the docs.", False),  # not a way around
        ("Users on older builds hit this all the time.", False),  # "use" only as a word start
        ("Use the window manager for that then?", False),  # a question
        ("Instead, I'll add it to the window manager tonight.", False),  # the agent's plan
    ],
)
def test_a_limit_keeps_the_way_around_it_the_next_sentence_gives(
    tmp_path: Path, following: str, joined: bool
) -> None:
    limit = "The keybindings file only supports the predefined actions, so it can't launch apps."
    records = [say("assistant", f"{limit} {following}"), say("user", "yes, thanks")]
    ((kind, text),) = _lessons(tmp_path, records)
    assert kind is LessonKind.GOTCHA
    assert text == (f"{limit} {following}" if joined else limit)


def test_a_found_cause_keeps_no_unconfirmed_way_around(tmp_path: Path) -> None:
    limit = "Turns out the runner doesn't support node:inspector, so breakpoints never hit."
    following = "Use Node itself for the debugger."
    ((kind, text),) = _lessons(tmp_path, [say("assistant", f"{limit} {following}")])
    assert kind is LessonKind.GOTCHA and following not in text


def test_behaviour_described_with_instead_of_is_no_decision(tmp_path: Path) -> None:
    bug = (
        "There is one small issue left: the header shows the slug instead of the title when "
        "the page is cached (because the cache entry drops the title)."
    )
    choice = "We use SQLite instead of Postgres because the app runs on one machine."
    theirs = (
        "The reason it uses POST instead of GET is simply because the API requires sending a "
        "JSON body, and GET requests don't support a request body well."
    )
    assert _lessons(tmp_path / "a", [say("assistant", bug)]) == []
    assert _lessons(tmp_path / "c", _answered([say("assistant", theirs)])) == []
    found = _lessons(tmp_path / "b", _answered([say("assistant", choice)]))
    assert found == [(LessonKind.DECISION, choice)]


@pytest.mark.parametrize(
    "choice",
    [
        "The project uses pnpm instead of npm because the workspace relies on its hoisting rules.",
        "The team chose Postgres instead of MySQL because we need JSONB.",
        "I'll make the service use Redis instead of Memcached because we need persistence.",
        "I switched it so that it uses UTC instead of local time because CI runs in UTC.",
        "This is why the service uses Redis instead of Memcached: we need persistence, because "
        "jobs must survive restarts.",
    ],
)
def test_a_choice_told_of_the_project_or_made_in_the_run_stays_a_decision(
    tmp_path: Path, choice: str
) -> None:
    ((kind, text),) = _lessons(tmp_path, _answered([say("assistant", choice)]))
    assert kind is LessonKind.DECISION and choice.endswith(text[1:])


@pytest.mark.parametrize(
    ("reply", "accepted"),
    [
        ("Right, that matches what I saw.", True),
        (
            "I think late events are fine to apply. We can just drop them for deleted rows, right?",
            False,
        ),
        ("Does that hold for retries too? Sounds right otherwise.", False),
    ],
)
def test_assent_counts_only_at_the_head_of_the_reply_and_not_as_a_question(
    tmp_path: Path, reply: str, accepted: bool
) -> None:
    caveat = "The catch is that the cache only supports string keys, so ids must be cast first."
    found = _lessons(tmp_path, [say("assistant", caveat), say("user", reply)])
    assert bool(found) is accepted


def test_a_root_problem_found_is_a_finding(tmp_path: Path) -> None:
    found = (
        "The root problem was that the grid kept its own copy of the rows, so sorting undid edits."
    )
    ((kind, text),) = _lessons(tmp_path, [say("assistant", found)])
    assert kind is LessonKind.GOTCHA and "own copy of the rows" in text


_SUMMED_UP = (
    "Changes made: the spec now sets the server URL.\n\nThe issue was that the app's requests "
    "went to `app.example.com` (from `APP_URL`), a host that does not resolve in the tests."
)


_NO_SUDO_PASSWORD = (
    "sudo: a terminal is required to read the password; either use the -S option to read "
    "from standard input or configure an askpass helper\nsudo: a password is required"
)


@pytest.mark.parametrize(
    ("after_edit", "reply", "kept"),
    [
        # edited, nothing run since, and the user takes another way: a hope, no finding
        ([], "I made some manual adjustments; point the URL at the test server instead.", False),
        # the same cause, once a run after the edit worked: a finding
        ([call("r1", "bin/rspec spec/system"), result("r1", "12 examples, 0 failures")],
         "I made some manual adjustments; point the URL at the test server instead.", True),
        # nothing run since the edit, but the user says it worked
        ([], "Yes, that worked, thanks!", True),
        # checked by a run after the edit, then a touch-up: still a finding
        ([call("r1", "bin/rspec spec/system"), result("r1", "12 examples, 0 failures"),
          edit("e2", "spec/support/capybara.rb"), result("e2", "The file has been updated.")],
         "I made some manual adjustments; point the URL at the test server instead.", True),
        # a look, or a server started in the background, tried nothing of the edit
        ([call("r1", 'ls -la .env 2>/dev/null || echo "No .env file found"'),
          result("r1", "No .env file found"),
          edit("e2", "spec/support/capybara.rb"), result("e2", "The file has been updated.")],
         "I made some manual adjustments; point the URL at the test server instead.", False),
        ([call("r1", "npm run dev"),
          result("r1", "Command running in background with ID: b1. Output is being written to: /t"),
          edit("e2", "spec/support/capybara.rb"), result("e2", "The file has been updated.")],
         "I made some manual adjustments; point the URL at the test server instead.", False),
        # a run sudo never started for want of a password checked nothing
        ([call("r1", "sudo cp spec/hosts /etc/hosts && sudo bin/rspec spec/system"),
          result("r1", _NO_SUDO_PASSWORD, error=True)],
         "I made some manual adjustments; point the URL at the test server instead.", False),
        # the user's word with a complaint about what the fix left is no word for it
        ([], "It works but now every spec takes ten seconds to start.", False),
        ([], "That worked, but please add a spec for the login page too.", True),
    ],
)  # fmt: skip
def test_a_cause_named_after_an_edit_no_run_checked_needs_the_users_word(
    tmp_path: Path,
    after_edit: list[dict],
    reply: str,
    kept: bool,  # type: ignore[type-arg]
) -> None:
    found = _lessons(
        tmp_path,
        [
            say("user", "The system specs fail with ERR_NAME_NOT_RESOLVED, fix them."),
            edit("e1", "spec/support/capybara.rb"),
            result("e1", "The file spec/support/capybara.rb has been updated."),
            *after_edit,
            say("assistant", _SUMMED_UP),
            say("user", reply),
        ],
    )
    gotchas = [text for kind, text in found if kind is LessonKind.GOTCHA]
    assert bool(gotchas) is kept, found


_LFS_CAUSE = "Turns out the CI image has no git-lfs, so the fixtures come up empty."


@pytest.mark.parametrize(
    ("later", "kept"),
    [
        # the user names the cause it really was, or says it was not it
        ("so it turned out to be the runner's stale cache volume; can we clear it?", False),
        ("Actually it was the proxy dropping the large downloads.", False),
        ("That wasn't it, the fixtures are fine on my machine.", False),
        # the same cause in their words, or no cause named at all
        ("so it turned out to be git-lfs missing from the image, as you said", True),
        ("Thanks, now bump the version.", True),
    ],
)
def test_a_cause_the_user_later_says_was_another_is_refuted(
    tmp_path: Path, later: str, kept: bool
) -> None:
    """However the cause was found, the user's later word that it was something else (a few
    messages on, after other work) takes it back."""
    records = [
        say("user", "The fixture tests fail in CI, find out why."),
        say("assistant", _LFS_CAUSE),
        say("user", "ok, which workflow file sets up the image?"),
        say("assistant", "`.github/workflows/ci.yml` sets it up."),
        say("user", later),
    ]
    gotchas = [text for kind, text in _lessons(tmp_path, records) if kind is LessonKind.GOTCHA]
    assert bool(gotchas) is kept, gotchas


def test_a_cause_told_as_one_item_of_a_reports_list_is_no_finding(tmp_path: Path) -> None:
    """A closing report's bullet ("- The issue was that …") names the cause apart from the
    change that fixed it, listed elsewhere: the item alone tells no way past it."""
    report = (
        "## Summary\n\n- Disabled the legacy worker in `deploy/workers.yml`\n"
        "- Restarted the queue\n- Issues fixed:\n"
        "- The issue was that the legacy worker took every job before the new one saw it\n"
    )
    assert _lessons(tmp_path / "item", [say("assistant", report)]) == []
    told = "The issue was that the legacy worker took every job before the new one saw it."
    assert [k for k, _ in _lessons(tmp_path / "own", [say("assistant", told)])] == [
        LessonKind.GOTCHA
    ]


def _subagent(record: dict) -> dict:  # type: ignore[type-arg]
    """A record of a subagent's, kept in its caller's file (`isSidechain`)."""
    return {**record, "isSidechain": True}


def _delegated(tool_id: str, task: str) -> dict:  # type: ignore[type-arg]
    block = {"type": "tool_use", "id": tool_id, "name": "Task", "input": {"description": task}}
    return {"type": "assistant", "message": {"content": [block]}}


_PROMPT_CAUSE = (
    "The problem was that `~/.zshrc` set PROMPT before the vcs_info hook was loaded, so the "
    "branch segment stayed empty. I moved the hook above it."
)
_EXITED = "<command-name>/exit</command-name>\n<command-message>exit</command-message>"


@pytest.mark.parametrize(
    ("checked", "reply", "kept"),
    [
        ([], _EXITED, False),  # the session ended: nothing tried the edit, nobody confirmed it
        ([], "Yes, that worked, thanks!", True),  # the user's word
        # a run of the prompt after the edit, which worked
        ([_subagent(call("r1", "zsh -ic 'print -P $PROMPT'")),
          _subagent(result("r1", "ana@box main %"))], _EXITED, True),
    ],
)  # fmt: skip
def test_a_cause_named_after_a_subagents_edit_of_the_setup_needs_a_check(
    tmp_path: Path,
    checked: list[dict],  # type: ignore[type-arg]
    reply: str,
    kept: bool,
) -> None:
    """A subagent in the same file edited a dotfile and ran nothing: the cause the agent then
    names is what it hopes the edit fixed, as with an edit of the work."""
    done = "Moved the vcs_info hook above PROMPT in the zshrc."
    found = _lessons(
        tmp_path,
        [
            say("user", "Why does my prompt not show the git branch any more?"),
            _delegated("t1", "Fix the prompt's git branch"),
            _subagent(say("user", "Find out why the prompt lacks the git branch and fix it.")),
            _subagent(read("r0", "/home/ana/.zshrc")),
            _subagent(result("r0", "PROMPT='%n@%m ${vcs_info_msg_0_} %# '\nautoload vcs_info")),
            _subagent(edit("e1", "/home/ana/.zshrc", "PROMPT=", "autoload vcs_info\nPROMPT=")),
            _subagent(result("e1", "The file /home/ana/.zshrc has been updated.")),
            *checked,
            _subagent(say("assistant", done)),
            result("t1", done),
            say("assistant", _PROMPT_CAUSE),
            say("user", reply),
        ],
    )
    gotchas = [text for kind, text in found if kind is LessonKind.GOTCHA]
    assert bool(gotchas) is kept, found


_EXPORT_CAUSE = (
    "The issue was that the export job reads `EXPORT_DIR` before the env file is loaded, so "
    "it writes its rows to the default folder."
)


@pytest.mark.parametrize(
    ("guess", "after", "kept"),
    [
        # guessed first, then only a file read: the plain words are still the guess
        ("The export job probably reads `EXPORT_DIR` before the env file is loaded.", [], False),
        ("I think the env file may not be loaded before the export job reads `EXPORT_DIR`.",
         [], False),
        # the guess, then a run of the job that worked: tried
        ("The export job probably reads `EXPORT_DIR` before the env file is loaded.",
         [call("b1", "python -m jobs.export --dry-run"), result("b1", "wrote 120 rows")], True),
        # a guess about something else: the cause stands as found
        ("The nightly cron entry might also fire twice on Sundays.", [], True),
        # no guess at all
        ("Let me look at the job.", [], True),
    ],
)  # fmt: skip
def test_a_cause_guessed_first_and_never_tried_is_no_finding(
    tmp_path: Path,
    guess: str,
    after: list[dict],  # type: ignore[type-arg]
    kept: bool,
) -> None:
    found = _lessons(
        tmp_path,
        [
            say("user", "The nightly export writes an empty CSV, why?"),
            say("assistant", guess),
            read("r1", "jobs/export.py"),
            result("r1", "import os\nOUT = os.environ.get('EXPORT_DIR', 'out')\nload_env()"),
            *after,
            say("assistant", _EXPORT_CAUSE),
            say("user", _EXITED),
        ],
    )
    gotchas = [text for kind, text in found if kind is LessonKind.GOTCHA]
    assert bool(gotchas) is kept, found


def test_a_cause_its_own_message_then_guesses_at_is_no_finding(tmp_path: Path) -> None:
    hedged_after = (
        f"{_EXPORT_CAUSE} The env file is probably loaded after the job reads `EXPORT_DIR`."
    )
    assert _lessons(tmp_path / "own", [say("assistant", hedged_after)]) == []
    # once a run of the job worked, a guess the summary adds after the cause leaves it found
    tried = [
        say("user", "The nightly export writes an empty CSV, why?"),
        call("b1", "python -m jobs.export --dry-run"),
        result("b1", "wrote 120 rows"),
        say("assistant", hedged_after),
    ]
    assert [k for k, _ in _lessons(tmp_path / "tried", tried)] == [LessonKind.GOTCHA]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Use uv for package management and ruff as the linter.", True),
        ("Use vitest for tests across the workspace.", True),
        ("Use the backup folder for restoring the files.", False),  # today's task
        ("Use this script for the migration today.", False),
        ("Use the staging database instead of prod for this test.", False),
        ("Use pnpm instead of npm just this once.", False),
    ],
)
def test_the_tool_the_user_names_for_a_job_of_the_project_is_a_rule(
    tmp_path: Path, text: str, rule: bool
) -> None:
    assert _lessons(tmp_path, [say("user", text)]) == (
        [(LessonKind.DECISION, text)] if rule else []
    )


def test_a_cause_found_keeps_the_change_the_next_sentence_says_resolved_it(
    tmp_path: Path,
) -> None:
    said = (
        "The root problem was our own copy of the grid rows. Switching to the table's "
        "`useRowState` hook in [src/Grid.tsx](/home/ana/app/src/Grid.tsx) resolved it. "
        "Next I can look at the filters."
    )
    ((kind, text),) = _lessons(tmp_path, [say("assistant", said)])
    assert kind is LessonKind.GOTCHA
    assert text == (
        "The root problem was our own copy of the grid rows. Switching to the table's "
        "`useRowState` hook in src/Grid.tsx resolved it."
    )


def test_a_cause_found_keeps_no_sentence_that_leads_to_a_list(tmp_path: Path) -> None:
    """ "I've fixed this by:" says nothing without the list after it: no whole claim."""
    said = (
        "The root problem was that the CDN kept the old page for an hour after each deploy. "
        "I've fixed this by:\n\n1. Sending `Cache-Control: no-cache` on the page\n"
        "2. Purging the CDN after a deploy"
    )
    ((kind, text),) = _lessons(tmp_path, [say("assistant", said)])
    assert kind is LessonKind.GOTCHA
    assert text == "The CDN kept the old page for an hour after each deploy."


def test_a_row_of_a_table_is_no_lesson(tmp_path: Path) -> None:
    """A review's findings summed up as a table: cells, never a confirmed fact (the same
    words as a sentence of their own are one, once accepted)."""
    table = (
        "Review findings:\n\n| # | Issue | File |\n|---|---|---|\n"
        "| 3 | Turns out the loader only supports 16-bit WAV files, so 24-bit input is dropped. "
        "| `audio.py` |\n| 4 | The cache never expires entries. | `cache.py` |"
    )
    records = [say("assistant", table), say("user", "yes, fix those")]
    assert _lessons(tmp_path, records) == []


def test_a_remark_that_opens_with_never_is_no_rule(tmp_path: Path) -> None:
    remark = "That record is new. Never have seen that one before on the host."
    assert _lessons(tmp_path / "a", [say("user", remark)]) == []
    rule = "Never push to main without a review, whatever the change."
    assert [k for k, _ in _lessons(tmp_path / "b", [say("user", rule)])] == [LessonKind.DECISION]


def test_codexs_note_sent_as_the_users_message_is_no_rule(tmp_path: Path) -> None:
    note = (
        "Warning: apply_patch was requested via exec_command. Use the apply_patch tool "
        "instead of exec_command."
    )
    assert _lessons(tmp_path, [say("user", note)]) == []


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        (
            "proper fix. Ich präferiere immer den nachhaltigen Ansatz, auch wenn es kurzfristig "
            'mehr Aufwand ist. "Quick-Fixes" führen erfahrungsgemäss nur zu Chaos. Merk dir dies '
            "als Leitlinie für zukünftige Problemsituationen!",
            "Ich präferiere immer den nachhaltigen Ansatz, auch wenn es kurzfristig mehr Aufwand "
            'ist. "Quick-Fixes" führen erfahrungsgemäss nur zu Chaos.',
        ),
        (
            "改完代码之后先跑单元测试，再提交。把这一条规则记住",
            "改完代码之后先跑单元测试，再提交。",
        ),
        (
            "Migrations are generated with alembic revision --autogenerate, never written by "
            "hand. Remember this for next time.",
            "Migrations are generated with alembic revision --autogenerate, never written by hand.",
        ),
        (  # the rule said in the request itself, after a report of today's work
            "The login page renders correctly now and the tests pass on my machine. Remember "
            "that we always deploy from the release branch.",
            "Remember that we always deploy from the release branch.",
        ),
        (
            "这个接口的返回结果已经正确了，页面也显示正常了。记住以后所有的提交信息都用英文写",
            "记住以后所有的提交信息都用英文写。",
        ),
        (
            "Never edit the generated files under gen/ by hand, they are overwritten on every "
            "build. Remember this always.",
            "Never edit the generated files under gen/ by hand, they are overwritten on every "
            "build.",
        ),
        (
            "you merely acknowledged it last time. I need you to build into your core working "
            "practices the idea that you never just acknowledge a direct CD command but just "
            "action it",
            "Never just acknowledge a direct CD command but just action it.",
        ),
    ],
)
def test_what_the_user_asks_to_remember_as_a_rule_is_a_decision(
    tmp_path: Path, message: str, rule: str
) -> None:
    assert _lessons(tmp_path, [say("user", message)]) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "message",
    [
        "The staging database lives on db2.internal today. Remember that for the rest of the task.",
        "What did we decide about the cache layer last week? Remember this for next time.",
        "Keep this in mind: the build is slow.",
        # a question about a rule, and a report before a request that holds no rule
        "The importer crashed on the March export again with a KeyError in the parser. Do you "
        "remember that rule about the future dates?",
        "Der Build läuft jetzt durch und die Tests sind grün geworden. Merk dir das für die "
        "Zukunft.",
    ],
)
def test_a_fact_to_remember_for_today_is_no_rule(tmp_path: Path, message: str) -> None:
    assert [k for k, _ in _lessons(tmp_path, [say("user", message)])] == []


@pytest.mark.parametrize(
    "message",
    [
        "Remember this: you always forget to run the linter, which is annoying.",
        "Build this into your rules: you never ask before deleting files.",
        "build it into your habits that you always forget the lockfile",
        "Remember that you always broke the build last week when you skipped the tests.",
        "Remember that you never check the logs before guessing.",
        "Remember that you never bother to run the linter.",
    ],
)
def test_a_complaint_about_the_agent_is_no_rule_told_to_it(tmp_path: Path, message: str) -> None:
    told = [t for _, t in _lessons(tmp_path, [say("user", message)])]
    assert not any(t.startswith(("Always", "Never")) for t in told)


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        (
            "we use pnpm , please remember that, and try again.",
            "We use pnpm (the user asked to remember it).",
        ),
        (
            "Always run the migrations through make migrate - remember this.",
            "Always run the migrations through make migrate (the user asked to remember it).",
        ),
        (
            "We prefer httpx over requests in this codebase, so remember that and redo the client.",
            "We prefer httpx over requests in this codebase (the user asked to remember it).",
        ),
    ],
)
def test_the_rule_before_a_request_to_remember_it_in_its_sentence_is_kept(
    tmp_path: Path, message: str, rule: str
) -> None:
    assert _lessons(tmp_path, [say("user", message)]) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "message",
    [
        "the staging server is down again, please remember that, and try later.",
        "you always forget the lockfile, remember that.",
        "I think we use pnpm here, remember that, and try again.",
        "we use the old schema, remember that for the rest of the task.",
        "Did you remember that we use pnpm?",
        # a rule's opening kept to today's task, or to a thing said before
        "Always use the staging DB for this task, remember that.",
        "Don't touch that file, remember that.",
    ],
)
def test_a_clause_before_a_request_to_remember_that_is_no_rule_is_not_kept(
    tmp_path: Path, message: str
) -> None:
    assert _lessons(tmp_path, [say("user", message)]) == []


@pytest.mark.parametrize(
    ("said", "rule"),
    [
        (
            "No, I want to avoid direct DB queries, and use the API when applicable.",
            "I want to avoid direct DB queries, and use the API when applicable.",
        ),
        (
            "I want you to avoid raw SQL in the request handlers.",
            "I want you to avoid raw SQL in the request handlers.",
        ),
        (
            "I'd like you to keep the public API unchanged where possible.",
            "I'd like you to keep the public API unchanged where possible.",
        ),
        (
            "We want to use the shared retry helper as much as possible.",
            "We want to use the shared retry helper as much as possible.",
        ),
    ],
)
def test_a_preference_for_how_the_work_is_done_is_the_users_rule(
    tmp_path: Path, said: str, rule: str
) -> None:
    assert _lessons(tmp_path, [say("user", said)]) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "said",
    [
        # a wish for the task at hand, or for a thing said before
        "I want to avoid breaking the build in this PR.",
        "I want to use the new endpoint for this page.",
        "I want to avoid any downtime during the migration today.",
        "I want to avoid the error we saw earlier from happening again.",
        "No, I want to avoid that, it was too slow.",
        "I want to avoid a full rewrite of the parser module.",
        "I want to avoid these warnings.",
        "I want to avoid the extra dependency you added.",
        # a guess, and where the work is to end up
        "I think I want to avoid the ORM for the reports, maybe.",
        "Ultimately I want to avoid the monolith and split the billing service out.",
    ],
)
def test_a_wish_for_todays_task_is_no_preference(tmp_path: Path, said: str) -> None:
    assert _lessons(tmp_path, [say("user", said)]) == []


def test_todays_request_tacked_onto_a_rule_is_cut(tmp_path: Path) -> None:
    said = "Always use uv for dependency management pls. and run the notebook for me."
    found = _lessons(tmp_path, [say("user", said)])
    assert found == [(LessonKind.DECISION, "Always use uv for dependency management.")]


@pytest.mark.parametrize(
    "said",
    [
        "Never install packages with pip, and install everything with uv now.",
        "Always format with black and check types with mypy --strict please.",
    ],
)
def test_a_rule_that_ends_with_now_or_please_keeps_its_way(tmp_path: Path, said: str) -> None:
    found = _lessons(tmp_path, [say("user", said)])
    assert found and found[0][1].rstrip(".") == said.rstrip(".")


@pytest.mark.parametrize(
    "said",
    [
        "中文回复我",
        "Please always reply in English.",
        "日本語で回答してください",
        "之後回覆我都用繁體中文",  # Traditional characters, the reply named before the language
        # said in English by someone who writes in another language, its spelling their own
        "I talk to you in Japanese, so from now please also response me in Japanese",
    ],
)
def test_the_language_to_answer_in_is_the_persons_rule(tmp_path: Path, said: str) -> None:
    found = _lessons(tmp_path, [say("user", said)])
    assert [kind for kind, _ in found] == [LessonKind.DECISION]


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        # today's task said before it, the clause ended by a full-width semicolon
        ("把剩下的任务都做完，用中文回复我；", "用中文回复我。"),
        ("用中文回答，然后把测试都跑一遍", "用中文回答。"),
        # a negation in the task beside it binds nothing
        ("完成剩下的工作，不要修改测试，用中文回复我", "用中文回复我。"),
        (
            "Wrap up the remaining tickets; from now on reply to me in German",
            "From now on reply to me in German.",
        ),
    ],
    ids=["task-before", "task-after", "task-with-negation", "english"],
)
def test_the_language_to_answer_in_keeps_only_its_clause(
    tmp_path: Path, said: str, kept: str
) -> None:
    """The task said beside the reply's language is today's ask, not the person's rule."""
    assert _lessons(tmp_path, [say("user", said)]) == [(LessonKind.DECISION, kept)]


@pytest.mark.parametrize(
    "said",
    [
        "如果我用英文提问，就用英文回复",  # a condition: cut, it would be a rule for every case
        "用中文回复我，除非我用英文提问",  # an exception
        "不要用英文回复，用中文回复我",  # a negation, another language beside it
        "Unless I say otherwise, reply to me in German",
    ],
)
def test_a_reply_language_with_a_condition_or_exception_is_kept_whole(
    tmp_path: Path, said: str
) -> None:
    found = _lessons(tmp_path, [say("user", said)])
    assert all(text.rstrip("。.") == said for _, text in found)


def test_a_heading_of_the_agents_review_is_no_gotcha(tmp_path: Path) -> None:
    """A code review's finding named in bold (`**5. X silently … — a.go:426**`) is the title
    of a claim about the day's code, which the user then disputed: no gotcha."""
    review = (
        "Here are the verified findings, ranked by severity:\n\n---\n\n"
        "**5. `StockBase=0` handsets silently unorderable — `controller.go:426`**\n\n"
        "A handset imported with `StockBase=0` reports `InStock: false` permanently. Low "
        "severity, but worth a defensive check at import time.\n\n---\n\n"
        "### The importer silently skips rows without a SKU\n\n"
        "Shall I go ahead?"
    )
    records = [
        say("user", "Review the handsets PR please."),
        say("assistant", review),
        say("user", "5 i mean if stock is 0 then yes its out of stock"),
    ]
    assert _lessons(tmp_path, records) == []


def test_a_caveat_about_the_days_own_change_is_no_gotcha(tmp_path: Path) -> None:
    """ "One caveat: this is a guardrail fix, …" closes the agent's summary of its own work:
    a remark on that change, whatever the user answered."""
    summary = (
        "I fixed the behavior in the app. The backend now returns a `decision_reason` for "
        "trusted domains.\n\nOne caveat: this is a guardrail fix, not a deeper model "
        "improvement. The underlying model still overweights simple URL-shape features."
    )
    records = [
        say("user", "The app flags youtube.com as phishing, fix it."),
        say("assistant", summary),
        say("user", "great, thanks"),
    ]
    assert [k for k, _ in _lessons(tmp_path, records)] == []


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        # it opens by concluding from the sentence before it
        ("So the lock file's header was never a place for the token — the installer silently "
         "rewrites it.", False),
        ("That's why the importer silently skips rows without a SKU.", False),
        ("Which means the cache silently serves the old schema until a restart.", False),
        # its clause points back at what the sentence before it said
        ("Rule 3 already did that in the first draft: a lane left out silently became a "
         "compile error.", False),
        # a note on the day's work: the reviewer sent today, the user's last edits
        ("One honest caveat to carry forward: that reviewer's branch predates the hook "
         "change.", False),
        ("One caveat: the reviewer's branch predates your last two rulings on the hook.",
         False),
        # the same facts standing alone
        ("The installer silently rewrites the lock file's header, so keep the token in its "
         "body.", True),
        ("The importer silently skips rows without a SKU.", True),
        ("So it turns out the importer silently skips rows without a SKU.", True),
        ("So the root cause was that the importer silently skips rows without a SKU.", True),
        ("One caveat to keep in mind: the installer silently rewrites `poetry.lock`.", True),
        ("One gotcha with the installer: it silently rewrites `poetry.lock`.", True),
    ],
)  # fmt: skip
def test_a_gotcha_stands_alone_or_is_none(tmp_path: Path, said: str, kept: bool) -> None:
    """A fact out of a long account leans on what came before it ("So …", "did that", "that
    reviewer") or tells of the day's work: out of the account, the next agent cannot act on
    it, whatever the user answered to the whole."""
    records = [
        say("user", "Why did the import drop rows?"),
        say("assistant", f"I read the importer and the installer.\n\n{said}"),
        say("user", "Exactly right, thanks."),
    ]
    assert ([k for k, _ in _lessons(tmp_path, records)] == [LessonKind.GOTCHA]) is kept


_ENTRY_POINT = (
    "The issue was that the editor reads the `main` field of `package.json` to find a "
    "plugin's entry point."
)


@pytest.mark.parametrize(
    ("handed_over", "reply", "kept"),
    [
        # the fix handed to the user to try, and the session ends there
        ("Try restarting the editor — the commands should now show up.", None, False),
        ("It should work now.", None, False),
        ("Let me know if that fixes it.", None, False),
        # ... then the user says it works
        ("Try restarting the editor — the commands should now show up.",
         "Restarted, that worked, thanks!", True),
        # the agent saw it work itself
        ("I restarted the editor and the commands show up.", None, True),
        ("I restarted the editor and the commands show up. Let me know if it needs anything "
         "else.", None, True),
    ],
)  # fmt: skip
def test_a_cause_told_beside_a_fix_left_to_the_user_needs_their_word(
    tmp_path: Path, handed_over: str, reply: str | None, kept: bool
) -> None:
    records = [
        say("user", "I don't see the plugin's commands in the editor."),
        read("r1", "/w/docs/plugins.md"),
        result("r1", "1\tPlugins are loaded from the `main` entry of package.json."),
        say("assistant", f"Pushed. {_ENTRY_POINT} {handed_over}"),
    ]
    if reply is not None:
        records.append(say("user", reply))
    assert ([k for k, _ in _lessons(tmp_path, records)] == [LessonKind.GOTCHA]) is kept


def test_a_confirmed_finding_stressed_in_bold_is_still_a_gotcha(tmp_path: Path) -> None:
    """A whole sentence in bold stresses the agent's conclusion; a title has no sentence's
    end."""
    said = "Found it.\n\n**Turns out the CI image has no git-lfs, so the fixtures come up empty.**"
    records = [say("user", "Why are the fixtures empty in CI?"), say("assistant", said)]
    records.append(say("user", "That worked, thanks!"))
    assert [k for k, _ in _lessons(tmp_path, records)] == [LessonKind.GOTCHA]


@pytest.mark.parametrize(
    ("said", "folder"),
    [
        # the folder the work at hand stays in: a limit of this task, not of the project; told
        # in the tool's words, it waits for another session to keep to it (`curate.earned`)
        (
            "From now on, work exclusively in the firmware folder. We are adding the pairing "
            "screen to the kiosk.",
            "firmware",
        ),
        ("From now on, only work inside the api/ directory while we migrate the handlers.", "api"),
        ("Always stay within the mobile subtree for the next changes.", None),
        ("Never edit anything outside the docs folder from now on.", "docs"),
        ("Never touch files outside of packages/web.", "packages/web"),
    ],
)
def test_the_folder_the_task_at_hand_stays_in_is_no_standing_rule(
    tmp_path: Path, said: str, folder: str | None
) -> None:
    scope = [] if folder is None else [(LessonKind.DECISION, _kept_to(folder))]
    assert _lessons(tmp_path, [say("user", said)]) == scope


def _kept_to(folder: str) -> str:
    return f"Edit files only under `{folder}/`; {READ_ONLY_OUTSIDE}"


@pytest.mark.parametrize(
    "message",
    [
        # at the head of a long prompt the user pasted (a document, whose rules are not theirs)
        "\n".join(
            [
                "SCOPE RULES",
                "WORK ONLY IN:",
                "",
                "~/work/shop-v2/",
                "RULES:",
                "- READ the parent folders for reference only",
                "- DO NOT WRITE outside shop-v2",
                "- If you modify files outside: REVERT IMMEDIATELY",
                "- Treat all other folders as READ-ONLY",
                "CONTEXT:",
                "This is a rewrite of the old shop. The old one must remain untouched.",
                "TASK:",
                "Move the cart page over first, then the checkout.",
                "Keep the styles as they are.",
            ]
        ),
        "Strict mode, from this point forward:\n\n1. Only work inside this directory:\n"
        "   `/home/dev/work/shop-v2/`\n2. Compare the two mockups and list what changed.",
        # inside a correction of today's task
        "No, revert those changes, only edit files in: /home/dev/work/shop-v2. The old folder "
        "already works. Then fix the cart page there.",
    ],
)
def test_the_folder_the_user_keeps_the_edits_to_is_told_in_one_wording(
    tmp_path: Path, message: str
) -> None:
    assert _lessons(tmp_path, [say("user", message)]) == [
        (LessonKind.DECISION, _kept_to("shop-v2"))
    ]


@pytest.mark.parametrize(
    "said",
    [
        "Only change the header in index.html, nothing else.",
        "Only work on the release-2 branch today.",
        "Can you only edit files in shop-v2/ for this one?",
        "Never change anything outside the repository without asking.",
    ],
)
def test_a_limit_of_todays_edit_or_of_the_whole_keeps_the_work_to_no_folder(
    tmp_path: Path, said: str
) -> None:
    assert [t for _, t in _lessons(tmp_path, [say("user", said)]) if READ_ONLY_OUTSIDE in t] == []


@pytest.mark.parametrize(
    "rule",
    [
        "Never edit anything outside src/, because the build regenerates everything else.",
        "Never edit anything outside the app folder, because the build regenerates the rest.",
    ],
)
def test_a_folder_kept_to_for_a_lasting_reason_is_told_once_in_the_users_words(
    tmp_path: Path, rule: str
) -> None:
    assert _lessons(tmp_path, [say("user", rule)]) == [(LessonKind.DECISION, rule)]


def test_a_subagents_task_is_no_folder_the_user_kept_to(tmp_path: Path) -> None:
    prompt = {
        **say("user", "Only edit files in shop-v2/. Move the cart page over."),
        "isSidechain": True,
    }
    assert _lessons(tmp_path, [prompt]) == []


@pytest.mark.parametrize(
    "rule",
    [
        # kept to a folder for a reason that lasts
        "Never edit anything outside src/, because the build regenerates everything else.",
        # how to work, wherever the task is: a branch, the task's own scope
        "Always work only in a feature branch, never on main.",
        "Never make changes outside the scope of the task you were given.",
        "Never change anything outside the repository without asking.",
    ],
)
def test_a_limit_that_lasts_is_still_a_rule(tmp_path: Path, rule: str) -> None:
    assert _lessons(tmp_path, [say("user", rule)]) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "said",
    [
        "Never suggest or edit files outside it.",
        "Always run the formatter over them before committing.",
        "Never do that without asking me first, whatever the branch.",
        "Don't ever push straight to them again, always open a pull request.",
    ],
)
def test_a_rule_whose_object_only_points_back_is_no_line_alone(tmp_path: Path, said: str) -> None:
    records = [say("user", "The release notes live in docs/releases."), say("user", said)]
    assert [t for _, t in _lessons(tmp_path, records)] == []


@pytest.mark.parametrize(
    "rule",
    [
        # the pronoun refers back to a noun of the rule's own clause
        "Always keep the release notes current and never reword old items in them.",
        "Always sanitize form data and never log it.",
        "Never check in compiled bundles or anything built from them.",
        "Always keep the API spec and the client generated from it in step.",
        "Always go through the shared database pool and never open connections outside it.",
        "Always run black on modules you edit and commit them.",
        "Always keep the changelog updated and never rewrite entries in it.",
        "Always validate user input and never trust it.",
        "Never commit generated files or anything derived from them.",
        "Always keep the config schema and the code that reads from it in sync.",
        "Always use the shared http client and never instantiate axios outside it.",
        "Always run prettier on files you touch and stage them.",
    ],
)
def test_a_pronoun_naming_a_noun_of_the_rule_is_no_pointing_back(tmp_path: Path, rule: str) -> None:
    assert _lessons(tmp_path, [say("user", rule)]) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "said",
    [
        "Never rename or move files outside it.",
        "Don't ever change them.",
        "Always do that.",
    ],
)
def test_a_pronoun_with_nothing_before_it_still_points_back(tmp_path: Path, said: str) -> None:
    assert _lessons(tmp_path, [say("user", said)]) == []


@pytest.mark.parametrize(
    "rule",
    [
        # the pronoun in the rule's reason or condition names what the rule itself named
        "Always use npm for installs because CI caches it.",
        "Never force-push to main, since others pull from it.",
        "Always pin the base image tag when you bump it.",
    ],
)
def test_a_pronoun_in_the_reason_of_a_rule_is_no_pointing_back(tmp_path: Path, rule: str) -> None:
    assert _lessons(tmp_path, [say("user", rule)]) == [(LessonKind.DECISION, rule)]


@pytest.mark.parametrize(
    "message",
    [
        # the fix asked for now, its items under it: what to change today
        "debug -> Rewrite the status check so it works on an empty local database:\n\n"
        "Use a plain select 1 instead of the stats view\nSkip the optional tables quietly",
        "Fix the upload form. Use fetch instead of axios in the submit handler.",
        "Please replace the date parsing in the importer. Use dayjs rather than moment there "
        "for the new columns.",
    ],
)
def test_use_x_instead_of_y_in_a_request_to_fix_now_is_the_tasks_ask(
    tmp_path: Path, message: str
) -> None:
    assert _lessons(tmp_path, [say("user", message)]) == []


@pytest.mark.parametrize(
    "lead",
    [
        "Change of plans for this week.",  # no ask: a change of plans
        "Please update the docs for the new route.",  # an ask to write docs, no fix
        "Fix the flaky login test. The linters are slow here.",  # the ask is not next to it
        "Change of plans for today.",
        "Please update the docs for the new endpoint.",
    ],
)
def test_use_x_instead_of_y_away_from_a_fix_asked_is_a_rule(tmp_path: Path, lead: str) -> None:
    rule = "Use pnpm instead of yarn."
    found = _lessons(tmp_path, [say("user", f"{lead} {rule}")])
    assert found == [(LessonKind.DECISION, rule)]


def test_use_x_instead_of_y_under_a_fix_asked_the_line_before_is_the_tasks_ask(
    tmp_path: Path,
) -> None:
    message = (
        "Some context first. debug -> Replace the slow lookups with ones that work offline:\n\n"
        "Use a cached table instead of the live view\nDrop the optional checks quietly"
    )
    assert _lessons(tmp_path, [say("user", message)]) == []


def test_a_lasting_rule_beside_a_request_to_fix_is_still_a_rule(tmp_path: Path) -> None:
    rule = "From now on, always use pnpm instead of npm in this repo."
    found = _lessons(tmp_path, [say("user", f"Fix the failing build. {rule}")])
    assert found == [(LessonKind.DECISION, rule)]


# The user's questions, then the agent's answer putting a change to them (a step to take, in
# the imperative, with its reason), which nobody has built yet.
_ASKED = (
    "2. Can the nightly worker write its log lines to syslog as well?\n"
    "4. why are retries off on staging ?? that seems odd. I need them there."
)
_SUGGESTED = (
    "On the worker: yes, with two changes. First, pass `--log-sink syslog` on the launch line. "
    "Then, in the job's entry point, use `emit_syslog(line)` instead of `print` because a "
    "print under the service manager goes nowhere."
)


@pytest.mark.parametrize(
    "reply",
    [
        "What does the backoff setting control? Note it in the README.",
        "OK? I still do not see why the service manager drops prints.",
        "好像还是不清楚，退避参数是做什么的",
    ],
)
def test_a_change_put_in_an_answer_to_the_users_question_is_no_decision(
    tmp_path: Path, reply: str
) -> None:
    # the user moves on, or asks on: the suggestion was neither taken up nor made
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", reply),
    ]
    assert _lessons(tmp_path, records) == []


@pytest.mark.parametrize("reply", ["ok, do that", "Yes, go ahead.", "好，就这么改"])
def test_a_change_put_in_an_answer_is_a_decision_once_the_user_takes_it_up(
    tmp_path: Path, reply: str
) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", reply),
    ]
    assert [k for k, _ in _lessons(tmp_path, records)] == [LessonKind.DECISION]


def test_a_change_put_in_an_answer_and_then_made_is_a_decision(tmp_path: Path) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        edit("e1", "worker/main.py", "print(line)", "emit_syslog(line)"),
        result("e1", "The file worker/main.py has been updated successfully."),
        say("user", "What does the backoff setting control?"),
    ]
    assert [k for k, _ in _lessons(tmp_path, records)] == [LessonKind.DECISION]


def test_a_plan_put_in_an_answer_to_the_users_question_is_no_decision(tmp_path: Path) -> None:
    plan = "We should pin the worker image to Python 3.12 because 3.13 drops the old loop API."
    records = [
        say("user", "Set the project up."),
        say("user", "Which Python should the worker image run?"),
        say("assistant", plan),
        say("user", "And how big is the image now?"),
    ]
    assert _lessons(tmp_path, records) == []


@pytest.mark.parametrize(
    ("command", "made"),
    [
        ("sed -i 's/print(line)/emit_syslog(line)/' worker/main.py", True),
        ("grep -rn emit_syslog worker", False),  # a look makes nothing
        ("systemctl restart nightly-worker", False),  # another step: the choice is not named
    ],
)
def test_a_command_makes_the_change_put_in_an_answer_when_it_names_it(
    tmp_path: Path, command: str, made: bool
) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        call("c1", command),
        result("c1", ""),
        say("user", "What does the backoff setting control?"),
    ]
    assert bool(_lessons(tmp_path, records)) is made


def test_a_change_put_in_an_answer_to_a_question_in_chinese_is_no_decision(
    tmp_path: Path,
) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", "夜间任务的日志能不能也写到 syslog 里呢"),
        say("assistant", _SUGGESTED),
        say("user", "退避参数是做什么的"),
    ]
    assert _lessons(tmp_path, records) == []


def test_the_projects_own_choice_told_in_an_answer_stays_a_decision(tmp_path: Path) -> None:
    # what the project does, told when asked: no suggestion waiting to be taken up
    told = "We use SQLite instead of Postgres because the app runs on one machine."
    records = [
        say("user", "Set the project up."),
        say("user", "Why is there no database server in the compose file?"),
        say("assistant", told),
        say("user", "Got it. Now add the health check."),
    ]
    assert _lessons(tmp_path, records) == [(LessonKind.DECISION, told)]


def test_the_users_own_instead_in_a_message_that_asks_stays_their_rule(tmp_path: Path) -> None:
    rule = "Always use uv instead of pip because the lockfile is uv's."
    records = [
        say("user", f"Why did the install break again? {rule}"),
        say("assistant", "The install broke because pip ignored the lockfile."),
        say("user", "What else reads the lockfile?"),
    ]
    assert (LessonKind.DECISION, rule) in _lessons(tmp_path, records)


@pytest.mark.parametrize(
    "reply",
    [
        "Great, do it",
        "Let's go with that.",
        "Perfect, thanks!",
        "lgtm",
        "That works for me.",
        "Alright.",
        "\U0001f44d",
        "いいですね、それでお願いします",
        "そうしてください",
        "没问题",
        "同意",
        "就用 syslog 吧",
        "嗯，按你说的改",
    ],
)
def test_any_reply_that_neither_asks_nor_declines_takes_the_change_up(
    tmp_path: Path, reply: str
) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", reply),
    ]
    assert [k for k, _ in _lessons(tmp_path, records)] == [LessonKind.DECISION]


@pytest.mark.parametrize(
    "reply",
    [
        "OK, leave it as it is for now.",
        "好的，先不用改",
        "Sure, but not now.",
        "No, keep print there.",
        "いいえ、そのままで",
        "Hmm, how long would the syslog change take",
    ],
)
def test_a_reply_that_declines_or_asks_leaves_the_change_unadopted(
    tmp_path: Path, reply: str
) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", f"{reply}?" if reply.startswith("Hmm") else reply),
    ]
    assert _lessons(tmp_path, records) == []


def test_a_change_made_in_the_turn_after_a_reply_is_taken_up(tmp_path: Path) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", "Great, do it"),
        edit("e1", "worker/main.py", "print(line)", "emit_syslog(line)"),
        result("e1", "The file worker/main.py has been updated successfully."),
    ]
    assert [k for k, _ in _lessons(tmp_path, records)] == [LessonKind.DECISION]


def test_a_command_naming_the_change_after_a_question_takes_it_up(tmp_path: Path) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", "Could you make that change?"),
        call("c1", "sed -i 's/print(line)/emit_syslog(line)/' worker/main.py"),
        result("c1", ""),
    ]
    assert [k for k, _ in _lessons(tmp_path, records)] == [LessonKind.DECISION]


def test_an_edit_after_a_question_that_names_another_thing_is_no_adoption(
    tmp_path: Path,
) -> None:
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
        say("user", "What does the backoff setting control? Note it in the README."),
        edit("e1", "README.md", "## Retries", "## Retries\nBackoff doubles each wait."),
        result("e1", "The file README.md has been updated successfully."),
    ]
    assert _lessons(tmp_path, records) == []


def test_the_answer_to_a_change_is_looked_for_a_bounded_way(tmp_path: Path) -> None:
    # the agent's long turn after its suggestion, no reply: the change, made only after many
    # more calls than the bound, is not looked at (and the scan stays short on a long run)
    records = [
        say("user", "Look over the worker setup."),
        say("user", _ASKED),
        say("assistant", _SUGGESTED),
    ]
    for n in range(3000):
        records += [call(f"c{n}", f"ls part{n}"), result(f"c{n}", "")]
    records += [
        edit("e1", "worker/main.py", "print(line)", "emit_syslog(line)"),
        result("e1", "The file worker/main.py has been updated successfully."),
    ]
    assert _lessons(tmp_path, records) == []
    near = records[:3] + records[-2:]
    assert [k for k, _ in _lessons(tmp_path, near)] == [LessonKind.DECISION]


_LINKED_CAUSE = (
    "The problem was that your chapter files live in `chapters/` but the site builder reads "
    "them through a link under `site/book/pages/`, so a relative include breaks."
)
_BUILD_LOG = "\n".join(
    [
        "Can we clear up these? Built in /home/ana/work/book:",  # "work": no confirmation
        # a long log: the error the cause was told for comes after some 40,000 characters
        *[
            f"[10:07:{n % 60:02}] WARN (site): no page title in appendix_{n}.adoc"
            for n in range(700)
        ],
        "[10:07:40] ERROR (renderer): target of include not found: shared/{}",
        "    file: /home/ana/book/site/book/pages/intro.adoc:12",
    ]
)


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        # the log the user pastes next still holds the error the cause was named for
        (_BUILD_LOG.format("_chapter_header.adoc"), False),
        # an error of another file: the announced cause is not contradicted
        (_BUILD_LOG.format("_glossary_terms.adoc"), True),
    ],
)
def test_a_cause_the_users_next_log_shows_the_same_error_of_is_no_finding(
    tmp_path: Path, pasted: str, kept: bool
) -> None:
    found = _lessons(
        tmp_path,
        [
            say(
                "user", "now the build says: include file not found: chapters/_chapter_header.adoc"
            ),
            call("r1", "cd chapters && ln -sf ../site/book/shared shared"),
            result("r1", ""),
            call("r2", "test -f chapters/shared/_chapter_header.adoc && echo ok"),
            result("r2", "ok"),
            say("assistant", f"Fixed. {_LINKED_CAUSE}"),
            say("user", pasted),
        ],
    )
    gotchas = [text for kind, text in found if kind is LessonKind.GOTCHA]
    assert bool(gotchas) is kept, found


def test_a_cause_the_next_failed_run_shows_the_same_error_of_is_no_finding(
    tmp_path: Path,
) -> None:
    asked = say("user", "now the build says: include file not found: chapters/_chapter_header.adoc")
    linked = [
        call("r1", "cd chapters && ln -sf ../site/book/shared shared"),
        result("r1", ""),
        call("r2", "test -f chapters/shared/_chapter_header.adoc && echo ok"),
        result("r2", "ok"),
        say("assistant", f"Fixed. {_LINKED_CAUSE}"),
        call("r3", "npx site-build"),
    ]
    again = _BUILD_LOG.format("_chapter_header.adoc").partition("\n")[2] + "\nExit code 1"
    other = "ERROR (renderer): image not found: cover.png\nExit code 1"
    for name, output, kept in (("a", again, False), ("b", other, True)):
        found = _lessons(tmp_path / name, [asked, *linked, result("r3", output, error=True)])
        assert bool([t for k, t in found if k is LessonKind.GOTCHA]) is kept, found


def test_a_durable_word_is_found_among_many_clauses() -> None:
    # many purpose clauses and many marks: each discounted, the one outside them counted
    sentence = "a hook that runs whenever it can, " * 1200
    assert _durable_mark(sentence) is False
    assert _durable_mark(sentence + "always.") is True


# The user's answer to a labelled item of the agent's report or question ("For the C2 issue",
# "For #3", "About point 2", "Q1:"): today's answer to that item, not how to work from now on.
_ANSWERS_AN_ITEM = [
    "For the B2 issue I don't want a settings page, just read the values from env vars.",
    "For #3, I don't want a new table, just add a column to the orders table.",
    "About point 2: we prefer to keep the old endpoint, only rename the handler.",
    "Q1: I'd rather keep the sidebar, just hide it on phones.",
    "For item 4 we want plain CSS instead of a component library.",
]


@pytest.mark.parametrize("answer", _ANSWERS_AN_ITEM)
def test_a_choice_answering_a_labelled_item_is_no_decision(tmp_path: Path, answer: str) -> None:
    records = [
        say("assistant", "Open questions: B2 settings page? #3 schema change? Q1 sidebar?"),
        say("user", answer),
    ]
    assert _lessons(tmp_path, records) == []


@pytest.mark.parametrize(
    "choice",
    [
        "I don't want a settings page, just read the values from env vars.",
        "For tests we want pytest instead of unittest.",
    ],
)
def test_a_choice_not_answering_an_item_stays_a_decision(tmp_path: Path, choice: str) -> None:
    assert _lessons(tmp_path, [say("user", choice)]) == [(LessonKind.DECISION, choice)]


def test_yes_to_a_summary_in_bullets_confirms_none_of_its_items(tmp_path: Path) -> None:
    """The reply takes the work (or answers the question that ends it), not each bullet: a
    lint rule the agent wrote, told with "caveat", is no fact the user agreed to."""
    item = "Warn if the SD log filename contains spaces (firmware acceptance caveat)."
    summary = (
        "Added these lint rules:\n- Klipper\n  - Info when camera triggers are present.\n"
        f"- RepRapFirmware\n  - {item}\n  - Warn when the aux fan has no off_at_end.\n\n"
        "Want me to wire them into the GUI next?"
    )
    reply = "yes, and add a status bar to the bottom of the gui."
    assert _lessons(tmp_path / "a", [say("assistant", summary), say("user", reply)]) == []
    said = "The catch is that the SD log filename only supports names without spaces.\n- a\n- b"
    ((kind, _),) = _lessons(tmp_path / "b", [say("assistant", said), say("user", reply)])
    assert kind is LessonKind.GOTCHA  # the claim said apart from the list is still accepted


@pytest.mark.parametrize(
    ("after_edit", "kept"),
    [
        # the edit recorded and pushed: nothing ran the job, the cause is still a hope
        ([call("g1", "git add -A && git commit -m 'load env first' && git push"),
          result("g1", "[main 1a2b3c4] load env first\n 1 file changed")], False),
        ([call("g1", "git -C /w commit -am 'load env first'"), result("g1", "[main 1a2b3c4]")],
         False),
        # a commit whose hook ran the checks tried it
        ([call("g1", "git commit -am 'load env first'"),
          result("g1", "ruff.....................Passed\npytest (tests/jobs)......Passed\n"
                 "[main 1a2b3c4] load env first")], True),
        # a run of the job after the commit tried it
        ([call("g1", "git commit -am 'load env first'"), result("g1", "[main 1a2b3c4]"),
          call("b1", "python -m jobs.export --dry-run"), result("b1", "wrote 120 rows")], True),
    ],
)  # fmt: skip
def test_a_commit_or_push_after_the_edit_checks_nothing(
    tmp_path: Path,
    after_edit: list[dict],  # type: ignore[type-arg]
    kept: bool,
) -> None:
    """Recording the edit (`git add`, `commit`, `push`, `tag`) runs none of the work: the cause
    the agent then names is what it hopes the edit fixed, as if nothing ran."""
    found = _lessons(
        tmp_path,
        [
            say("user", "The nightly export writes an empty CSV, why?"),
            edit("e1", "jobs/export.py", "load_env()", "load_env()  # before OUT"),
            result("e1", "The file jobs/export.py has been updated successfully."),
            *after_edit,
            say("assistant", _EXPORT_CAUSE),
            say("user", _EXITED),
        ],
    )
    gotchas = [text for kind, text in found if kind is LessonKind.GOTCHA]
    assert bool(gotchas) is kept, found


@pytest.mark.parametrize(
    "later",
    [
        "yes, it turned out to be exactly that.",
        "That fixed it, it is not the problem anymore.",
        "the real problem was what you found, thanks",
    ],
)
def test_the_user_naming_the_same_cause_again_refutes_nothing(tmp_path: Path, later: str) -> None:
    """Words that point back at the cause told ("exactly that", "what you found") agree."""
    records = [
        say("user", "The fixture tests fail in CI, find out why."),
        say("assistant", _LFS_CAUSE),
        say("user", "ok, which workflow file sets up the image?"),
        say("assistant", "`.github/workflows/ci.yml` sets it up."),
        say("user", later),
    ]
    assert [k for k, _ in _lessons(tmp_path, records) if k is LessonKind.GOTCHA]


@pytest.mark.parametrize(
    "text",
    [
        'Always use """ for docstrings, never single-quoted ones.',
    ],
)
def test_a_rule_naming_triple_quotes_or_a_route_is_the_users(tmp_path: Path, text: str) -> None:
    found = _lessons(tmp_path, [say("user", text), say("assistant", "Understood.")])
    assert [k for k, _ in found if k is LessonKind.DECISION], found


@pytest.mark.parametrize(
    "text",
    [
        "Only work in C:\\Users\\alice",
        "only edit files under /home/alice/",
        "Never write outside ~/",
    ],
)
def test_a_home_folder_is_no_edit_scope(tmp_path: Path, text: str) -> None:
    found = _lessons(tmp_path, [say("user", text), say("assistant", "Understood.")])
    assert not any(READ_ONLY_OUTSIDE in t for _, t in found), found
