"""A standing rule written in Chinese, Japanese, German, French, Spanish, Portuguese or Russian
is a decision like an English one; a one-off request, a question, a complaint or a guess in
those languages is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.text import sentences
from metis_distill.models import LessonKind
from tests.mine.test_episodes import say
from tests.mine.test_statements import _lessons

RULES = [
    "以后所有的 Claude skill 都保存在我本地个人目录，而不是项目目录",
    "改代码前先给我看计划，等我确认",
    "不要用 npm 安装依赖，而是用 pnpm",
    "从今天起所有提交信息都用英文写",
    # a ban with its lasting reason, what all of a kind should be, how the agent is to work
    "不要把构建产物放进 src 目录，因为容易跟源码混在一起",
    "接口调用应该都走缓存，缓存由定时任务刷新",
    "代码格式问题都应该由你自己修好再提交",
    "テストの失敗確認と修正は自動でやってほしい",
    "混乱するから tmp というフォルダ名は使わないでください",
    "今後はドキュメントをすべて日本語で書いてください。",
    "コミット前には必ずテストを実行すること。",
    "ab jetzt schreib alles auf Deutsch",
    "Schreibe ab jetzt alle Dokumente auf Deutsch.",
    "Benutze niemals force-push auf den main-Branch.",
    "Utilise toujours pnpm au lieu de npm dans ce dépôt.",
    "N'utilise jamais npm dans ce dépôt, seulement pnpm.",
    "De ahora en adelante, escribe los mensajes de commit en español.",
    "Nunca hagas push directo a main, siempre abre un pull request.",
    "sempre corrija no script de instalação e não no código gerado",
    "arrume sempre no script de instalação e não no código gerado",
    "Всегда запускай линтер перед коммитом.",
    "Никогда не пушь напрямую в ветку main.",
    "지금부터 커밋 메시지는 영어로 작성해줘",
    "항상 pnpm을 사용하고 npm은 쓰지 마",
    'la prochaine fois indique moi quand tu as terminé une tache par "étape suivante"',
]


@pytest.mark.parametrize("text", RULES)
def test_a_standing_rule_in_another_language_is_a_decision(tmp_path: Path, text: str) -> None:
    ((kind, line),) = _lessons(tmp_path, [say("user", text)])
    assert kind is LessonKind.DECISION
    assert line.rstrip(".。").lower() == text.rstrip(".。").lower()


@pytest.mark.parametrize(
    "text",
    [
        # a complaint, a guess, thanks, a button, a path, a farewell: no rule
        "매번 같은 빌드 에러가 나요",
        "매번 같은 빌드 에러가 나요. 로그 좀 봐 주세요",
        "항상 이 부분에서 테스트가 실패합니다",
        "앞으로 아마 Redis를 쓰게 될 것 같아요",
        "항상 감사합니다",
        "앞으로 가기 버튼을 누르면 화면이 멈춰요",
        "절대 경로로 import 하면 빌드가 깨져요",
        "Hasta la próxima vez, gracias por todo.",
        "Увидимся в следующий раз, спасибо.",
        # one-off requests
        "帮我把这个文件改一下",
        "帮我以后都把日志写到 logs 目录，而不是根目录",
        "可以以后都用 pnpm 吗",
        "以后能不能都用 pnpm 而不是 npm？",
        "今後はテストを必ず実行してもらえますか。",
        "kannst du das fixen",
        "Kannst du ab jetzt immer pnpm statt npm nehmen",
        "Peux-tu toujours utiliser pnpm au lieu de npm dans ce dépôt",
        "¿Puedes usar siempre pnpm en lugar de npm en este repo",
        "Pode sempre usar pnpm em vez de npm neste repositório",
        "Можешь всегда запускать линтер перед коммитом",
        "このバグを直して",
        "このバグは自動で直してほしい",
        "这些文件都要删掉，因为没用了",
        "不要改这个文件，因为它是生成的",
        "两个统计页面都要显示出来",
        # a ban whose reason is of today, or that holds only under a condition
        "不要提交，因为测试还没过",
        "今は本番中だからデプロイしないで",
        "如果是测试环境，不要用 tmp 当目录名，因为容易混淆",
        # a ban whose reason is the user's own moment, an edit to all of today's things
        "不要删 README，因为我还要用",
        "看一下日志，不要重启，因为我在调试",
        "页面上的按钮都必须改成蓝色",
        "整理一下配置，所有页面都必须加上标题",
        "ユーザーが使っているので、サーバーを再起動しないで",
        "残りの作業は聞かずに進めて",
        "失敗したテストは自動で修正して",
        # the rule's clause after one naming what it is of: told whole or not at all
        "数据库迁移文件，不要手动改，因为会和迁移记录不一致",
        "dist 目录下的文件，以后都不要手动改",
        "修改过的配置文件，不要提交，因为会覆盖线上配置",
        # today only, or a deferral
        "Nunca toques la base de datos de staging hoy, la estoy migrando.",
        "以后再处理这个问题吧，先把测试跑通",
        "Benutze diesmal immer den alten Build-Server statt des neuen.",
        # questions
        "Sollen wir ab jetzt immer pnpm statt npm benutzen?",
        "以后都用 pnpm 而不是 npm 好不好？",
        # complaints: "always" or "still" describes, it does not instruct
        "Es ist immer noch kaputt nach dem Neustart des Servers.",
        "C'est toujours cassé après le redémarrage du serveur.",
        "Toujours la même erreur après le redémarrage du serveur.",
        "Siempre falla cuando ejecuto los tests en CI.",
        "Está sempre falhando quando rodo os testes no CI.",
        "总是在 CI 上超时，本地没问题，不知道为什么",
        "始终无法连接数据库服务器，端口也是开着的",
        "To nie działa po restarcie serwera, nie wiem czemu.",
        # guesses
        "Vielleicht sollten wir ab jetzt immer pnpm benutzen.",
        "Ab jetzt vielleicht immer pnpm statt npm nehmen.",
        "以后可能都用 pnpm 而不是 npm",
        "也许以后都用 pnpm 而不是 npm 比较好",
        "Talvez devêssemos sempre usar pnpm em vez de npm.",
        "Je pense qu'il faut toujours utiliser pnpm au lieu de npm.",
        # a personal path, right after a Chinese character
        "以后所有 skill 都放在~/.claude/skills，而不是项目目录",
        "Speichere ab jetzt alle Notizen unter /home/ana/notizen statt im Repo.",
    ],
)
def test_requests_questions_complaints_and_guesses_are_no_decision(
    tmp_path: Path, text: str
) -> None:
    assert _lessons(tmp_path, [say("user", text)]) == []


def test_a_rule_after_a_chinese_full_stop_is_its_own_sentence(tmp_path: Path) -> None:
    text = "帮我把这个文件改一下。以后所有文档都放在 docs 目录，而不是根目录。"
    ((kind, line),) = _lessons(tmp_path, [say("user", text)])
    assert kind is LessonKind.DECISION and line == "以后所有文档都放在 docs 目录，而不是根目录。"


def test_sentences_end_at_full_width_marks_and_english_splits_as_before() -> None:
    assert sentences("以后都用 pnpm。不要用 npm！你懂吗？好") == [
        "以后都用 pnpm。",
        "不要用 npm！",
        "你懂吗？",
        "好",
    ]
    assert sentences("Use pnpm. e.g. not npm! Why? Because.\nNext") == [
        "Use pnpm. e.g. not npm!",
        "Why?",
        "Because.",
        "Next",
    ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # the rule in the clause after today's task
        (
            "整理一下配置，不要用 tmp 当目录名，因为容易跟系统临时目录混淆",
            "不要用 tmp 当目录名，因为容易跟系统临时目录混淆",
        ),
        # ... a task said by its verb alone ("refactor the project")
        (
            "重构项目，不要把日志目录叫 www，因为容易跟 www 用户和其他项目混淆",
            "不要把日志目录叫 www，因为容易跟 www 用户和其他项目混淆",
        ),
        # Claude Code's word for how hard to think, said to the harness
        (
            "接口调用应该都走缓存，缓存由定时任务刷新，ultrathink",
            "接口调用应该都走缓存，缓存由定时任务刷新",
        ),
        (
            "不要把构建产物放进 src 目录，因为容易跟源码混在一起, think hard",
            "不要把构建产物放进 src 目录，因为容易跟源码混在一起",
        ),
    ],
)
def test_the_rule_is_told_without_todays_task_or_the_word_to_think(
    tmp_path: Path, text: str, rule: str
) -> None:
    ((kind, line),) = _lessons(tmp_path, [say("user", text)])
    assert kind is LessonKind.DECISION
    assert line.rstrip("。") == rule
