"""The answer the model must give, as pydantic models: the tool's input schema comes from here
and every answer is validated against it (contract 9)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TOOL_NAME = "record_lessons"
MAX_TEXT = 300
MAX_QUOTE = 300
MAX_FIX = 300


class Support(StrEnum):
    """What in the excerpt earns a lesson; the last two earn nothing and are not kept."""

    FIX_SHOWN = "fix_shown"
    FAILURE_SEEN = "failure_seen"
    RECURRING = "recurring"
    CONFIRMED = "confirmed"
    USER_RULE = "user_rule"
    UNCONFIRMED = "unconfirmed"
    ONE_OFF = "one_off"


SUPPORT_HELP = (
    "What in the excerpt earns the lesson. fix_shown: a failure, then the fix doing the same "
    "thing with the same error gone, right after. failure_seen: a failure with its error and "
    "no fix shown. recurring: the same failure or quirk seen more than once. confirmed: a "
    "gotcha whose root cause was followed by a fix that worked. user_rule: the user's durable "
    "rule or choice, or one the user adopted. unconfirmed: a guess, hypothesis or hedged "
    "claim that nothing after confirms. one_off: a one-off task request, a question, a status "
    "update, text pasted from a document or injected by the harness."
)


class LessonDraft(BaseModel):
    """One lesson as the model proposes it, before its quotes are checked."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["failure", "decision", "gotcha"]
    text: str = Field(
        min_length=8, max_length=MAX_TEXT, description="The lesson, imperative, one sentence."
    )
    scope: list[str] = Field(
        default_factory=list,
        max_length=8,
        description="Paths, tools or commands the lesson applies to.",
    )
    severity: int = Field(ge=1, le=3, description="1 nice to know .. 3 breaks things.")
    confidence: float = Field(ge=0.0, le=1.0, description="How well the excerpt supports it.")
    evidence: list[str] = Field(
        min_length=1,
        max_length=3,
        description="Quotes copied verbatim from the excerpt, each from one event; for a "
        "failure with a fix, one from the error and one showing the fix worked.",
    )
    support: Support = Field(description=SUPPORT_HELP)
    fix: str | None = Field(
        default=None,
        max_length=MAX_FIX,
        description="For a failure whose support is fix_shown: what made the same error go "
        "away (the command, flag or change), in a few words. null otherwise.",
    )


class LessonDrafts(BaseModel):
    """The tool's whole input: the lessons of one excerpt (possibly none)."""

    model_config = ConfigDict(extra="ignore")

    lessons: list[LessonDraft] = Field(max_length=5)


def tool_definition() -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "description": "Record the lessons a future agent should learn from the excerpt, "
        "each with verbatim evidence quotes.",
        "input_schema": input_schema(),
    }


def input_schema() -> dict[str, Any]:
    """`LessonDrafts`' JSON schema with its `$defs` inlined (plain for every provider)."""
    schema = LessonDrafts.model_json_schema()
    defs = schema.pop("$defs", {})
    inlined = _inline(schema, defs)
    assert isinstance(inlined, dict)
    return inlined


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        own = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {**_inline(defs[ref.removeprefix("#/$defs/")], defs), **own}  # own wins
        return own
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node
