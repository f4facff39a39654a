"""Calls between a failure and the retry that passed that are no step of its fix: a sibling
check that failed the same way and was run again beside the retry (`pnpm run typecheck`
rerun once `pnpm install` had mended both), a check that only reads the code, and the
working tree's changes set aside and put back around a rerun (`git stash && lint; git stash
pop`), which lints the tree without the day's edits: a look at the baseline, no mend."""

from __future__ import annotations

import re

from metis_distill.mine import signals
from metis_distill.mine.text import shell_steps, unwrapped
from metis_distill.models import Event, EventKind

FELLOWS_WINDOW = 16  # tool calls before a step searched for its own earlier failure

# A package script that only checks the code, by its usual names (`pnpm run typecheck`,
# `npm run lint`, `yarn format:check`, `corepack pnpm run check-types`); a `:fix` or
# `:write` script mends, and is none.
_CHECK_SCRIPT = re.compile(
    r"^(?!.*\s--?(?:fix|write)\b)"  # (`npm run lint -- --fix` mends)
    r"(?:corepack\s+)?(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?"
    r"(?:typecheck|type-check|types|check-types|tsc|lint|(?:format|fmt|prettier|lint):check)"
    r"(?:\s|$)"
)
# git setting the working tree's changes aside, or throwing them away: `git stash` (push,
# save), `git checkout -- .`, `git restore .`, `git reset --hard`, `git clean -fd`.
_SETS_ASIDE = re.compile(
    r"^git\s+(?:-C\s+\S+\s+)?"
    r"(?:stash(?:\s+(?:push|save)\b|\s+-|\s*$)|checkout\s+(?:\S+\s+)*--(?:\s|$)"
    # (`git restore --staged` keeps the tree's edits; `git clean -n` only lists)
    r"|restore\b(?!(?:\s+-\S+)*\s+(?:--staged|-S)\b(?!.*\s(?:--worktree|-W)\b))"
    r"|reset\s+(?:\S+\s+)*--hard\b|clean\b(?!.*\s(?:-\w*n\w*|--dry-run)\b))"
)


def checks_by_script(step: str) -> bool:
    """The step runs one of the project's scripts that only check the code."""
    return _CHECK_SCRIPT.match(step) is not None


def sets_work_aside(command: str) -> bool:
    """A step of the command sets the working tree's changes aside or discards them: what
    ran after it ran without the day's edits, which proves nothing of them."""
    return any(_SETS_ASIDE.match(unwrapped(step)) for step in shell_steps(command))


def reruns_a_fellow(events: tuple[Event, ...], step: Event, failure: Event) -> bool:
    """The step runs again, as written, a command of the session that had failed with the
    failure's own error (a sibling of its batch stopped by the same cause): it waited on the
    fix too, and prepared nothing."""
    if step.tool_name not in signals.SHELL_TOOLS:
        return False
    command = unwrapped(step.text)
    error = signals.error_signature(failure.text)
    calls = 0
    for earlier in reversed(events[: step.seq]):
        if earlier.kind is not EventKind.TOOL_CALL or earlier.session != step.session:
            continue
        calls += 1
        if calls > FELLOWS_WINDOW:
            return False
        if earlier.tool_name == step.tool_name and unwrapped(earlier.text) == command:
            answer = _answer(events, earlier, step)
            if answer is not None and signals.is_failure(answer):
                return signals.error_signature(answer.text) == error
    return False


def _answer(events: tuple[Event, ...], call: Event, before: Event) -> Event | None:
    return next(
        (
            e
            for e in events[call.seq + 1 : before.seq]
            if e.role == "tool" and e.tool_use_id and e.tool_use_id == call.tool_use_id
        ),
        None,
    )
