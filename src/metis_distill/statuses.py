"""Every status and kind of change the ledger stores or a stage reports, as enums. Their values
are the strings stored (StrEnum: a member equals its value), so the ledger reads the same."""

from __future__ import annotations

from enum import StrEnum


class LessonStatus(StrEnum):
    ACTIVE = "active"
    REJECTED = "rejected"  # a person refused it: never proposed again
    RETIRED = "retired"  # stale, contradicted or ran later: out of the file, back if seen again


class RetiredReason(StrEnum):
    STALE = "stale"
    CONTRADICTED = "contradicted"
    RAN_LATER = "ran later"  # a program it said was missing here worked in a later run here


class ProposalState(StrEnum):
    PENDING = "pending"  # the target's one proposal waiting for review
    ACCEPTED = "accepted"  # all or some of its items applied
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer proposal of the target replaced it
    NEEDS_HUMAN = "needs_human"  # a tripwire stopped it (`metis release`)


class ProposalOrigin(StrEnum):
    DISTILL = "distill"
    REWIND = "rewind"


class Change(StrEnum):
    """What an item of a proposal does to a line of the block."""

    ADDED = "added"
    REWORDED = "reworded"
    REMOVED = "removed"
    RETIRED = "retired"  # removed because its lesson was retired


class ItemDecision(StrEnum):
    """A reviewer's decision on one item."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class VersionReason(StrEnum):
    BEFORE = "before"  # the target as found, before the first accept wrote it
    ACCEPTED = "accepted"


class WordingSource(StrEnum):
    HAND_EDIT = "hand-edit"  # a person reworded the line in the file
    REWORDING_REJECTED = "rewording-rejected"  # a person kept the old words
    REWIND = "rewind"  # a rewind brought an older wording back


class Refusal(StrEnum):
    """How a person refused a lesson for one context file."""

    REJECTED = "rejected"  # its added line turned down in a review
    HAND_DELETED = "hand-deleted"  # its line deleted from the block by hand
    REWOUND = "rewound"  # its line taken out by an accepted rewind


class ExtractionStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"  # malformed twice


class BatchStatus(StrEnum):
    SUBMITTING = "submitting"  # an intent, written before the API call (id "intent-…")
    SUBMITTED = "submitted"
    COLLECTED = "collected"


class DistillStatus(StrEnum):
    """Where a distill run stands, as `metis status` reports it."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    NEEDS_HUMAN = "needs a human"  # a tripwire or a halted extraction (exit code 3)
    BUDGET_REACHED = "budget reached"  # work left for the next run (exit code 4)
    CALLS_FAILED = "calls failed"  # Claude calls failed past their retries (exit code 5)
    INTERRUPTED = "interrupted"  # its process died (kill -9, power cut) before it could say
    NOTHING_NEW = "nothing new"  # every file as last read: answered before anything loaded
    BLOCK_UNREADABLE = "block unreadable"  # the target's markers broken: no proposal (exit 3)

    @classmethod
    def of_error(cls, error: BaseException) -> DistillStatus:
        code = getattr(error, "exit_code", 1)
        return {3: cls.NEEDS_HUMAN, 4: cls.BUDGET_REACHED}.get(code, cls.FAILED)


class PublishStatus(StrEnum):
    """What the publish stage did for a context file."""

    CREATED = "created"
    UNCHANGED = "unchanged"  # the same proposal already waits for review
    NOTHING = "nothing"  # no lesson to show, no proposal stored
    NEEDS_HUMAN = "needs_human"  # a tripwire stopped it
    MARKERS_BROKEN = "markers_broken"  # a hand edit broke the block's markers: no proposal
