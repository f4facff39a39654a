"""What one distill did, as one typed model: the counts of every stage, the extractor's usage
and the proposal made. `--json`, the Prefect artifact, the `distill_runs` row, the tripwires and
the proposal's notes all read it; its JSON keeps the flat layout the CLI has always printed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from metis_distill.curate.merge import JudgeStats
from metis_distill.statuses import PublishStatus
from metis_distill.tripwires import RunStats

PROPOSAL_STATUS = "proposal_status"  # the key of the publish status in a run's stored summary


class OtherFile(BaseModel):
    """A context file besides the target that the run's lessons were placed in, and its
    proposal: a route, a part of the tree (`.claude/rules/web.md`), the personal file."""

    model_config = ConfigDict(frozen=True)

    target: str
    why: str  # route | tree | personal
    part: str = ""  # the part of the tree, for `tree`
    status: PublishStatus
    proposal_id: int | None
    added: int
    removed: int
    folder: str | None = None  # the proposal's folder (report.md, proposed.md)


class ProposalOutcome(BaseModel):
    """What the publish stage did for one context file."""

    model_config = ConfigDict(frozen=True)

    status: PublishStatus
    proposal_id: int | None
    folder: str | None
    added: int
    removed: int  # removed or retired
    lessons_shown: int
    lessons_known: int = 0  # lessons of every project, whatever their status
    lessons_active: int = 0  # active lessons of every project
    reasons: tuple[str, ...] = ()  # why a human is needed (tripwires)
    target: str | None = None
    # this target's lessons with no line: active ones not earned yet, and those of a program said
    # missing here that a later run here ran (retired, back when it fails here again)
    lessons_waiting: int = 0
    waiting_why: dict[str, int] = Field(default_factory=dict)  # `HeldBack` reason: lessons
    warnings: tuple[str, ...] = ()  # settings that did nothing, limits near, files git commits
    others: tuple[OtherFile, ...] = ()  # the other context files' proposals of the run
    already_documented: tuple[str, ...] = ()  # "id (README.md:12)": the repository states it
    other_agents: tuple[str, ...] = ()  # per lesson held back, who it holds for ("Codex")
    reworded: int = 0
    closed: tuple[int, ...] = ()  # stale proposals closed: made before a person changed the file

    def waiting_why_said(self) -> str:
        """Why lessons wait, most first: " (9 no fix seen, 3 one session only)"."""
        if not self.waiting_why:
            return ""
        return " (" + ", ".join(f"{n} {why}" for why, n in self.waiting_why.items()) + ")"

    def documented_said(self) -> str | None:
        """The lessons left out because the repository's own documents state them."""
        found = self.already_documented
        if not found:
            return None
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        lessons = "lesson" if len(found) == 1 else "lessons"
        return f"{len(found)} {lessons} left out, already documented: {shown}."

    def other_agents_said(self) -> str | None:
        """The lessons held back because they hold for other agents than the file's readers."""
        if not self.other_agents:
            return None
        counts = Counter(self.other_agents)
        parts = ", ".join(f"{n} for {who} alone" for who, n in sorted(counts.items()))
        one = len(self.other_agents) == 1
        said = (
            f"{len(self.other_agents)} {'lesson' if one else 'lessons'} left out ({parts}): "
            f"the agents that read this file have no use for {'it' if one else 'them'}; "
            f"`metis search` finds {'it' if one else 'them'}."
        )
        for who, target in (("Codex", "An AGENTS.md"), ("Claude Code", "A CLAUDE.md")):
            if any(who in agents for agents in counts):
                said += f" {target} target takes {who}'s."
        return said

    def others_said(self) -> list[str]:
        """One line per other context file that got a proposal: which, why, what changes."""
        why = {
            "route": "a route of the settings",
            "tree": "lessons about {part}/",
            "personal": "facts of this machine or person, not for the team",
        }
        return [
            f"Also proposal #{o.proposal_id} for {o.target} ({why.get(o.why, o.why)}): "
            f"{o.added} added, {o.removed} removed; review it with `--target {o.target}`.".replace(
                "{part}", o.part or "a part of the tree"
            )
            for o in self.others
            if o.proposal_id is not None and o.status != PublishStatus.NOTHING
        ]


class ExtractionUsage(BaseModel):
    """The claude extractor's calls, tokens and cost in one run (absent with the rules)."""

    model_config = ConfigDict(frozen=True)

    model: str
    extract_requests: int = 0
    judge_requests: int = 0  # the duplicate judge's calls, counted in the tokens too
    extract_cached: int = 0
    extract_pending: int = 0
    extract_failed: int = 0
    extract_errors: int = 0
    quotes_dropped: int = 0
    lessons_dropped: int = 0
    tokens_run: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cache_read: int = 0
    tokens_cache_write: int = 0
    excerpt_tokens: int = 0
    transcript_tokens: int = 0
    excerpt_fraction: float = 0.0
    estimated_cost_usd: float | None = None  # None: no price known for the model
    usage_note: str = ""
    cache_note: str | None = None
    pending_note: str | None = None
    first_failure: str | None = None  # why the run's first failed call failed
    first_failure_hint: str | None = None  # what to do about it


class RunSummary(BaseModel):
    """The counts of one distill up to curation: what the publish stage and its tripwires see."""

    model_config = ConfigDict(frozen=True)

    extractor: str
    archived_new: int = 0
    archived_appended: int = 0
    archived_versions: int = 0
    files_read: int = 0
    files_resumed: int = 0
    files_unchanged: int = 0
    files_skipped: int = 0
    bytes_read: int = 0
    lines_read: int = 0
    events: int = 0
    episodes: int = 0
    candidates: int = 0
    lessons_new: int = 0
    lessons_merged: int = 0
    merged_into_new: int = 0  # of `lessons_merged`, repeats of a lesson this run made
    duplicates_judged: JudgeStats | None = None
    suppressed: int = 0
    corrupt_lines: int = 0
    lines_still_being_written: int = 0
    unknown_lines: int = 0
    failed_files: list[str] = Field(default_factory=list)
    corrupt_where: list[str] = Field(default_factory=list)
    skipped_files: list[str] = Field(default_factory=list)
    extraction: ExtractionUsage | None = None
    failure_candidates: int = Field(default=0, exclude=True)  # for the tripwires only

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The extraction's fields inline, and what a run did not have left out."""
        data: dict[str, Any] = handler(self)
        if data.get("duplicates_judged") is None:
            data.pop("duplicates_judged", None)
        usage = data.pop("extraction", None)
        proposal = data.pop("proposal", None)
        if usage is not None:
            data.update({k: v for k, v in usage.items() if v is not None or k.endswith("_usd")})
        if proposal is not None:
            data["proposal"] = proposal
        return data

    @property
    def extract_pending(self) -> int:
        return self.extraction.extract_pending if self.extraction else 0

    def tripwire_stats(self) -> RunStats:
        usage = self.extraction
        return RunStats(
            events=self.events,
            lessons_new=self.lessons_new,
            failures=self.failure_candidates,
            files_read=self.files_read,
            files_failed=len(self.failed_files),
            extract_requests=usage.extract_requests if usage else 0,
            extract_errors=usage.extract_failed + usage.extract_errors if usage else 0,
        )

    def scalars(self) -> dict[str, int | float | str]:
        """The numbers and words of the summary, without its lists (the `distill_runs` row)."""
        return {
            k: v
            for k, v in self.model_dump(mode="json").items()
            if isinstance(v, int | float | str) and not isinstance(v, bool)
        }


class RunReport(RunSummary):
    """A whole distill: the summary and the proposal it made for the target."""

    proposal: ProposalOutcome

    def scalars(self) -> dict[str, int | float | str]:
        """The summary's scalars and what the proposal made for the target: `accept` says
        why, when it finds nothing to accept."""
        p = self.proposal
        return super().scalars() | {
            PROPOSAL_STATUS: p.status.value,
            "lessons_shown": p.lessons_shown,
            "lessons_known": p.lessons_known,
            "lessons_waiting": p.lessons_waiting,
        }

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2) + "\n"

    def table_rows(self) -> list[tuple[str, str]]:
        """The counts as (label, value), for the terminal."""
        hidden = ("proposal", "failed_files", "skipped_files", "corrupt_where")
        data = self.model_dump(mode="json")
        return [(k.replace("_", " "), str(v)) for k, v in data.items() if k not in hidden]

    def markdown(self) -> str:
        """The Prefect artifact's table of counts and the proposal's outcome."""
        data = self.model_dump(mode="json")
        rows = "\n".join(f"| {k} | {v} |" for k, v in data.items() if k != "proposal")
        p = self.proposal
        return (
            "# metis-distill run\n\n| stage count | value |\n|---|---|\n"
            + rows
            + f"\n\nProposal: **{p.status.value}** (+{p.added} / -{p.removed}), "
            f"folder `{p.folder}`\n"
        )
