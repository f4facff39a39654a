"""The answer the model must give, as pydantic models: the tool's input schema comes from here
and every answer is validated against it (contract 9)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TOOL_NAME = "record_lessons"
MAX_TEXT = 300
MAX_QUOTE = 300


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
        description="Quotes copied verbatim from one event of the excerpt.",
    )
    fix: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="For a failure: the command or change the excerpt shows making the error "
        "go away (same intent, right after); null when it shows none.",
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
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node
