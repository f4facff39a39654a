"""`metis eval`: distil a labeled archive and measure the result (the rules extractor, or
Claude's when asked for and a key is set).

The distill is the nightly's own (`pipeline.distill`, without Prefect) on a fresh data dir:
the archive is copied into it, read, curated and published like any other.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from metis_distill import pipeline
from metis_distill.config import ExtractSettings, Settings, default_settings
from metis_distill.curate.select import DEFAULT_PER_SECTION, Budget, Scope
from metis_distill.errors import ConfigError
from metis_distill.evaluate import leaks
from metis_distill.evaluate.block import block_scores, check_labeled, judge_lines
from metis_distill.evaluate.gold import GoldFile, GoldLesson, load_gold
from metis_distill.evaluate.match import Prediction, Similarity, match, score
from metis_distill.evaluate.metrics import recall_by, scores
from metis_distill.evaluate.reach import reach, sent_lines
from metis_distill.evaluate.rendered import block_lines, rendered_lessons, spans_by_path
from metis_distill.extract.claude import ClaudeConfig
from metis_distill.index import Embedder
from metis_distill.ledger import Evidence, Ledger, LessonStatus
from metis_distill.provenance import note_source, quote_in_span, resolve
from metis_distill.publish import Curation, publish_targets
from metis_distill.render.claude_md import find_block
from metis_distill.run_report import ProposalOutcome, RunSummary

NEAR_DUPLICATE = 0.9  # cosine at which two rendered lines say the same thing
UNLIMITED = 1_000_000  # lines: the budget of the block "with no budget"


@dataclass
class EvalReport:
    scores: dict[str, dict[str, float | int]] = field(default_factory=dict)
    recall_by_format: dict[str, dict[str, int]] = field(default_factory=dict)
    gold_files: int = 0
    gold_lessons: int = 0
    predictions: int = 0
    redundant: int = 0  # false positives that repeat a gold lesson another line already matched
    rendered_lines: int = 0
    provenance_ok: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    block_lines: int = 0
    block_tokens: int = 0
    secrets_known: int = 0
    secrets_leaked: int = 0
    leaks: list[str] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    budget: int = DEFAULT_PER_SECTION  # lines per section of the default block
    extractor: str = "rules"
    # the claude extractor's calls, tokens and estimated cost (empty with the rules)
    extraction: dict[str, Any] = field(default_factory=dict)
    # per block ("budget", "no_budget"): scores per kind and overall of the rendered lines
    block: dict[str, dict[str, dict[str, float | int]]] = field(default_factory=dict)
    # per block: every rendered line with its verdict (good, wrong fix, one-off)
    judged_lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # gold lessons the Claude extractor's input shows (its ceiling), per pass and in all
    claude_input: dict[str, int] = field(default_factory=dict)
    claude_unseen: list[dict[str, object]] = field(default_factory=list)

    @property
    def provenance_share(self) -> float:
        return self.provenance_ok / self.rendered_lines if self.rendered_lines else 1.0

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["provenance_share"] = round(self.provenance_share, 4)
        return out


def cosine_of(embedder: Embedder) -> Similarity:
    def similarity(a: str, b: str) -> float:
        va, vb = embedder.embed([a, b])
        return float(sum(x * y for x, y in zip(va, vb, strict=True)))

    return similarity


def evaluate(
    gold_dir: Path,
    archive: Path,
    data_dir: Path,
    embedder: Embedder,
    *,
    budget: int = DEFAULT_PER_SECTION,
    claude: ExtractSettings | None = None,
) -> EvalReport:
    """Distil the labeled archive exactly as the nightly does (`pipeline.distill`, default
    settings, every project) into `data_dir`, then score it: with the rules extractor, or
    with Claude's when `claude` (the user's connection: key, model, base URL) is given."""
    gold = load_gold(gold_dir)
    root = pipeline.check_archive(archive)
    _check_transcripts(gold, root)
    settings = eval_settings(root, data_dir, budget, claude)
    target = pipeline.distill_target(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    run = pipeline.distill(settings, embedder=embedder)
    with Ledger(settings.ledger_url) as ledger:
        proposed = proposals(ledger, run.proposal)
        report = EvalReport(gold_files=len(gold), budget=budget, extractor=run.extractor)
        if run.extraction is not None:
            report.extraction = run.extraction.model_dump()
        sources = source_paths(ledger, root)
        _score(report, gold, _predictions(ledger, sources, gold), embedder)
        _rendered(report, proposed, ledger, embedder)
        blocks = {"budget": proposed, "no_budget": _unbudgeted(ledger, settings, run)}
        _score_blocks(report, gold, blocks, ledger, sources, embedder)
    _claude_input(report, gold, settings, {gold_path: a for a, gold_path in sources.items()})
    needles = leaks.archive_needles(pipeline.discover(root))
    found = leaks.scan(leaks.output_files(data_dir), needles)
    report.secrets_known = len(needles)
    report.secrets_leaked = len(found)
    report.leaks = [f"{leak.path}: {leak.what}" for leak in found]
    return report


def _claude_input(
    report: EvalReport, gold: Sequence[GoldFile], settings: Settings, archive_paths: dict[str, str]
) -> None:
    """How many gold lessons the Claude extractor would be shown enough of to find."""
    with (
        tempfile.TemporaryDirectory(prefix="metis-reach-") as folder,
        Ledger(f"sqlite:///{Path(folder) / 'ledger.sqlite'}") as fresh,
    ):
        sent = sent_lines(settings.archive_dir, fresh, ClaudeConfig())
    found = reach(gold, sent, archive_paths)
    report.claude_input = {
        "excerpts": sum(r.excerpt for r in found),
        "outlines": sum(r.outline for r in found),
        "shown": sum(r.reached for r in found),
        "gold": len(found),
    }
    report.claude_unseen = [r.as_dict() for r in found if not r.reached]


def eval_settings(
    archive: Path, data_dir: Path, budget: int, claude: ExtractSettings | None = None
) -> Settings:
    """The defaults, on a data dir of the eval's own, with every project's runs; the rules
    extractor unless Claude's settings are given."""
    extract = claude.model_copy(update={"extractor": "claude"}) if claude else None
    return default_settings(
        archive=archive,
        data_dir=data_dir,
        target=data_dir / "repo" / "CLAUDE.md",
        all_projects=True,
        budgets={"per_section": budget},
        extract=extract or {"extractor": "rules"},
    )


def _check_transcripts(gold: Sequence[GoldFile], root: Path) -> None:
    missing = [g.transcript for g in gold if not (root / g.transcript).is_file()]
    if missing:
        raise ConfigError(
            f"{len(missing)} labeled transcript(s) not in {root}: {', '.join(missing[:3])}",
            hint="pass --corpus pointing at the archive the gold labels were made on",
        )


@dataclass(frozen=True)
class Proposed:
    """One context file's proposal: the file as proposed, and its folder (where its links
    open: the evidence files sit beside proposed.md)."""

    text: str
    folder: Path


def proposals(ledger: Ledger, outcome: ProposalOutcome) -> list[Proposed]:
    """Every context file's proposal of a run: the target's, then the files its lessons were
    placed in (the personal file, parts of the tree)."""
    ids = [outcome.proposal_id, *(o.proposal_id for o in outcome.others)]
    rows = [row for i in ids if i is not None and (row := ledger.proposal(i)) is not None]
    return [
        Proposed((Path(r.folder) / "proposed.md").read_text(encoding="utf-8"), Path(r.folder))
        for r in rows
    ]


def _unbudgeted(ledger: Ledger, settings: Settings, run: RunSummary) -> list[Proposed]:
    """The block as it would render with no budget: every lesson that passes the gates."""
    target = settings.data_dir / "repo-unbudgeted" / "CLAUDE.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    unlimited = Budget(per_section=UNLIMITED, block_lines=UNLIMITED)
    (outcome, *_) = publish_targets(
        target,
        ledger,
        settings.proposals_dir,
        scope=Scope(None),
        run=run,
        locks_dir=settings.locks_dir,
        curation=replace(Curation.of(settings), budget=unlimited),
    )
    return proposals(ledger, outcome)


def source_paths(ledger: Ledger, root: Path) -> dict[str, str]:
    """Archive path -> the path, relative to `root`, of the source file it is a copy of."""
    return {
        copy.archive_path: Path(source).relative_to(root).as_posix()
        for source, copy in ledger.copies().items()
        if copy.archive_path and Path(source).is_relative_to(root)
    }


def _predictions(
    ledger: Ledger, sources: Mapping[str, str], gold: Sequence[GoldFile]
) -> list[Prediction]:
    """Each active lesson, once per transcript it has evidence in (all of them labeled)."""
    lessons = ledger.lessons(status=LessonStatus.ACTIVE)
    evidence = ledger.evidence_of([row.id for row in lessons])
    paths = (sources.get(e.path, e.path) for rows in evidence.values() for e in rows)
    check_labeled(paths, {g.transcript for g in gold})
    return [
        Prediction(row.id, path, row.kind, row.text, spans, row.fix)
        for row in lessons
        for path, spans in spans_by_path(evidence[row.id], sources)
    ]


def _score_blocks(
    report: EvalReport,
    gold: Sequence[GoldFile],
    blocks: dict[str, list[Proposed]],
    ledger: Ledger,
    sources: Mapping[str, str],
    embedder: Embedder,
) -> None:
    """Every rendered line of each block scored against gold (`block.judge_lines`)."""
    golds = [lesson for g in gold for lesson in g.lessons]
    similarity = cosine_of(embedder)
    for name, proposed in blocks.items():
        lessons = [x for p in proposed for x in rendered_lessons(p.text, ledger, sources)]
        check_labeled(
            (p for lesson in lessons for p, _ in lesson.spans), {g.transcript for g in gold}
        )
        results = judge_lines(golds, lessons, similarity)
        report.block[name] = {k: s.as_dict() for k, s in block_scores(golds, results).items()}
        report.judged_lines[name] = [r.as_dict(golds) for r in results]


def _score(
    report: EvalReport, gold: Sequence[GoldFile], preds: list[Prediction], embedder: Embedder
) -> None:
    golds: list[GoldLesson] = [lesson for g in gold for lesson in g.lessons]
    similarity = cosine_of(embedder)
    matched = match(golds, preds, similarity)
    report.gold_lessons = len(golds)
    report.predictions = len(preds)
    report.scores = {k: s.as_dict() for k, s in scores(golds, preds, matched).items()}
    formats = {g.transcript: g.format for g in gold}
    report.recall_by_format = {
        name: {"found": found, "total": total}
        for name, (found, total) in sorted(recall_by(golds, matched, formats).items())
    }
    hit_gold = {i for i, _ in matched}
    hit_pred = {j for _, j in matched}
    report.misses = [
        {"transcript": g.path, "kind": g.kind, "gist": g.gist, "lines": g.spans[0]}
        for i, g in enumerate(golds)
        if i not in hit_gold
    ]
    report.false_positives = [
        {
            "transcript": p.path,
            "kind": p.kind,
            "text": p.text,
            "lines": p.spans[0],
            "repeats_gold": any(score(g, p, similarity) is not None for g in golds),
        }
        for j, p in enumerate(preds)
        if j not in hit_pred
    ]
    report.redundant = sum(1 for fp in report.false_positives if fp["repeats_gold"])


def _rendered(
    report: EvalReport, proposed: Sequence[Proposed], ledger: Ledger, embedder: Embedder
) -> None:
    """The blocks of every file proposed: their size, provenance, duplicates."""
    texts: list[str] = []
    for one in proposed:
        block = find_block(one.text)
        if block is None:
            continue
        whole = one.text[block.start : block.end]  # markers included
        report.block_lines += len(whole.splitlines())
        report.block_tokens += len(whole) // 4  # characters / 4 (contract 9)
        lines = block_lines(one.text)
        report.rendered_lines += len(lines)
        evidence = ledger.evidence_of([m.id for m in lines if m.id])
        report.provenance_ok += sum(
            _resolves(m.link, evidence.get(m.id or "", []), one.folder) for m in lines
        )
        texts += [m.text for m in lines]
    folded = [" ".join(t.lower().split()) for t in texts]
    report.exact_duplicates = len(folded) - len(set(folded))
    vectors = embedder.embed(texts) if texts else []
    report.near_duplicates = sum(
        1
        for i in range(len(vectors))
        for j in range(i + 1, len(vectors))
        if sum(x * y for x, y in zip(vectors[i], vectors[j], strict=True)) >= NEAR_DUPLICATE
    )


def _resolves(link: str, evidence: Sequence[Evidence], folder: Path) -> bool:
    """The line's evidence file (in the proposal's folder, where `proposed.md` links to it)
    holds its quote on the linked lines, and names a span of the lesson's evidence that holds
    it in the archive (provenance.resolve, both)."""
    source = note_source(link, folder)
    if source is None or not resolve(link, source.quote, folder):
        return False
    for row in evidence:
        if (row.path, row.line_start, row.line_end) == (
            source.archive_path,
            source.line_start,
            source.line_end,
        ):
            where = Path(row.archive_root) / row.path
            return quote_in_span(where, row.line_start, row.line_end, row.quote)
    return False
