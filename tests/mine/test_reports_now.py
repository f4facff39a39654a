"""A sentence that reports how things are now ("Currently …", "現在は …している", "目前 …") is
no decision, whatever "always" or "一律" it holds; a rule for from now on, and an instruction
opened by "now", still are."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.reports_now import reports_now
from metis_distill.models import LessonKind
from tests.mine.test_episodes import say
from tests.mine.test_statements import _lessons

REPORTS = [
    "現在はプランに関わらず一律で遷移させている。",
    "現状は必ずログイン画面へリダイレクトしています。",
    "このページは現在、常に英語で表示されるようになっている。",
    "目前一律跳转到订阅页面，不管用户是什么套餐。",
    "现在一律跳转到订阅页面，不区分套餐类型。",
    "我们目前总是直接推送到 main 分支上。",
    "Currently it always redirects regardless of the plan.",
    "Right now, we always deploy from the main branch.",
    "Atualmente sempre usamos npm em vez de pnpm.",
    "Actualmente siempre usamos npm en lugar de pnpm.",
    "Сейчас мы всегда используем npm вместо pnpm.",
]


@pytest.mark.parametrize("text", REPORTS)
def test_a_report_of_how_things_are_now_is_no_decision(tmp_path: Path, text: str) -> None:
    assert reports_now(text)
    assert _lessons(tmp_path, [say("user", text)]) == []


def test_the_report_before_a_request_for_a_change_is_no_decision(tmp_path: Path) -> None:
    text = (
        "設定ページでは無料プランの場合にはアップグレード画面へ遷移させないようにしたい。"
        "現在はプランに関わらず一律で遷移させている。まずは方針を共有して"
    )
    assert _lessons(tmp_path, [say("user", text)]) == []


@pytest.mark.parametrize(
    "text",
    [
        # from now on: a rule
        "今後は常に日本語でコメントを書いてください。",
        "从现在开始一律使用 pnpm。",
        "From now on always use pnpm.",
        # opened by "now", said as an instruction
        "現在のブランチでは常にテストを実行してから push してください。",
    ],
)
def test_a_rule_for_from_now_on_or_an_instruction_is_still_a_decision(
    tmp_path: Path, text: str
) -> None:
    assert not reports_now(text)
    ((kind, line),) = _lessons(tmp_path, [say("user", text)])
    assert kind is LessonKind.DECISION and line == text


def test_a_rule_after_a_report_in_its_own_sentence_is_a_decision(tmp_path: Path) -> None:
    text = "Currently we use npm. Always use pnpm for installs from now on."
    assert _lessons(tmp_path, [say("user", text)]) == [
        (LessonKind.DECISION, "Always use pnpm for installs from now on.")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Currently we use npm; always use pnpm instead.",
        "Currently all commits must be signed.",
        "目前用的是 npm，以后一律用 pnpm 安装依赖。",
        "目前不要直接推送到 main 分支。",
        "Derzeit bitte immer pnpm statt npm benutzen.",
        "현재 브랜치에서는 항상 테스트를 실행해 주세요",
        "Currently I want you to always use pnpm.",
        "Right now I'd like you to always write the test first.",
    ],
)
def test_a_sentence_opened_by_now_that_instructs_is_no_report(text: str) -> None:
    assert not reports_now(text)
