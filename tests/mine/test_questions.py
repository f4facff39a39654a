"""The user's answers to the agent's questions with options become decisions; questions about
how to go on with today's work, and answers that only agree, do not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.questions import answers, asked_questions, opaque, option_description
from metis_distill.models import Event, EventKind, LessonKind, SourceRef
from metis_distill.provenance import quote_in_lines
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, edit, result, say

# The agent building on the answers: a file of the work edited before the user speaks again.
BUILT = [edit("e1", "src/app.py"), result("e1", "The file src/app.py has been updated.")]

ASKED = [
    ("Which database should the service use?", ["PostgreSQL", "SQLite"]),
    ("Should I commit the changes now?", ["Yes", "No"]),
    ("How are API errors reported to clients? (this shapes every handler)", ["RFC 7807", "Ad hoc"]),
]


# The calls' headers: the topic each question is about (one asked without).
TOPICS = {
    "Which database should the service use?": "Database",
    "How are API errors reported to clients? (this shapes every handler)": "API errors",
}


def ask(tool_id: str, asked: list[tuple[str, list[str]]]) -> dict:  # type: ignore[type-arg]
    questions = [
        {
            "question": q,
            "header": TOPICS.get(q, ""),
            "options": [{"label": o, "description": ""} for o in options],
            "multiSelect": False,
        }
        for q, options in asked
    ]
    block = {
        "type": "tool_use",
        "id": tool_id,
        "name": "AskUserQuestion",
        "input": {"questions": questions},
    }
    return {"type": "assistant", "message": {"content": [block]}}


def answered(tool_id: str, body: str) -> dict:  # type: ignore[type-arg]
    text = f"User has answered your questions: {body}. You can now continue with the user's answers in mind."
    block = {"type": "tool_result", "tool_use_id": tool_id, "content": text}
    return {"type": "user", "message": {"content": [block]}}


BODY = (
    '"Which database should the service use?"="SQLite", '
    '"Should I commit the changes now?"="Yes", '
    '"How are API errors reported to clients? (this shapes every handler)"="RFC 7807" '
    "user notes: problem+json, with a trace id"
)


def test_lasting_answers_become_decisions(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [say("user", "Add the orders API."), ask("q1", ASKED), answered("q1", BODY), *BUILT],
    )
    run = parse_file(path, path.parent)
    found = [e for e in find_episodes(run) if e.kind is LessonKind.DECISION]
    assert [e.sentence for e in found] == [
        "Database: SQLite.",
        # the note is the user's own words on the option picked
        "API errors: RFC 7807 (problem+json, with a trace id).",
    ]  # "Should I commit …" = "Yes" decides nothing that lasts


def test_each_decision_quotes_the_answer_in_its_file(tmp_path: Path) -> None:
    path = _write(tmp_path, [ask("q1", ASKED), answered("q1", BODY), *BUILT])
    run = parse_file(path, path.parent)
    lines = read_lines(path)
    found = RulesExtractor().extract(run, list(find_episodes(run)), lines)
    assert [c.kind for c in found] == [LessonKind.DECISION, LessonKind.DECISION]
    assert found[0].text == "Database: SQLite."
    for candidate in found:
        ref = candidate.evidence.ref
        assert quote_in_lines(lines, ref.line_start, ref.line_end, candidate.evidence.quote)


def test_declined_and_agreeing_answers_decide_nothing(tmp_path: Path) -> None:
    records = [
        ask("q1", ASKED[:1]),
        answered("q1", '"Which database should the service use?"="Skip"'),
        ask("q2", ASKED[:1]),
        {
            "type": "user",
            "message": {
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "q2",
                        "content": "User declined to answer questions",
                    }
                ]
            },
        },
    ]
    run = parse_file(_write(tmp_path, records), tmp_path)
    assert [e for e in find_episodes(run) if e.kind is LessonKind.DECISION] == []
    assert all(answers(e) == [] for e in run.events)


@pytest.mark.parametrize(
    ("question", "answer", "lasting"),
    [
        ("Should we use Postgres or SQLite for the job queue?", "Postgres", True),
        ("Do you want the API in REST or GraphQL?", "REST", True),
        ("Should I commit the changes now?", "Commit and push", False),
        ("Do you want me to fix the other failing tests too?", "Only the auth ones", False),
        ("Which issue should I tackle first?", "The login bug", False),
        ("Is it ok to delete the build cache?", "Delete it", False),
        ("How should failing imports be handled?", "Skip them for now", False),
        # a name for what is made today
        ("What should the new slash command be called?", "tidy-imports", False),
        ("新命令叫什么？", "clean-imports", False),
        ("Which name should we use for the release branch?", "release/next", False),
        # what the reported problem looks like: it finds out, it decides nothing
        (
            "When you say the totals are wrong, do they show last month's numbers?",
            "Yes, those",
            False,
        ),
        ("Is this a display issue or is the saved data wrong too?", "Display only", False),
        ("Does the crash happen on every start or only after an update?", "After updates", False),
        ("Should stale totals be recomputed on read or by a nightly job?", "Nightly job", True),
        # what the user finds wrong with what was built today: feedback on the day's work
        (
            "What exactly feels cluttered about the new settings page?",
            "Too many borders (The boxes inside boxes are hard to scan)",
            False,
        ),
        ("What looks off in the pricing table?", "Columns misaligned", False),
        (
            "What specifically feels messy about the layout?",
            "Header row is crowded (The badges and dates run together), Footer too tight",
            False,
        ),
        ("What don't you like about the current onboarding flow?", "Too many steps", False),
        ("What seems wrong with the chart colours?", "Low contrast (Hard to tell apart)", False),
    ],
)
def test_a_choice_that_stands_is_told_from_a_step_of_today(
    question: str, answer: str, lasting: bool
) -> None:
    assert bool(answers(answer_event(question, answer))) is lasting


def answer_event(question: str, answer: str) -> Event:
    """An AskUserQuestion result, as the reader makes it, answering one question."""
    return Event(
        seq=2,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text=f'User has answered your questions: "{question}"="{answer}". You can now continue.',
        ref=SourceRef("s.jsonl", 2, 2),
        tool_name="AskUserQuestion",
    )


LAYOUT = (
    "Got it. Since `CartResult` is already defined inside `CartViewModel.kt`, the state types "
    "go there too, not in a new file.\n\nShould I:\n"
    "1. Add `CartUiState` at the bottom of `CartViewModel.kt`\n"
    "2. Or convert `CartResult` into `CartEffect` and merge them (removing `CartResult`)?"
)


def numbered_decisions(tmp_path: Path, asked: str, reply: str, after: str = "") -> list[str]:
    records = [say("user", "Move the cart screen to StateFlow."), say("assistant", asked)]
    records += [say("user", reply), *BUILT] + ([say("user", after)] if after else [])
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    return [c.text for c in found if c.kind is LessonKind.DECISION]


MONEY = (
    "The cart keeps prices as floats today, which rounds wrongly. How should amounts be "
    "stored from now on?\n1. Integer cents in every table\n2. Or `Decimal` strings with two "
    "places?"
)


@pytest.mark.parametrize(
    "reply", ["2", "option 2", "I'd like option 2", "Let's go with 2, please."]
)
def test_an_option_picked_by_its_number_is_a_decision(tmp_path: Path, reply: str) -> None:
    (decision,) = numbered_decisions(tmp_path, MONEY, reply)
    # no header: the question is the topic, the option its answer
    assert (
        decision == "How should amounts be stored from now on? `Decimal` strings with two places."
    )


def test_an_offer_to_keep_a_way_of_working_picked_by_number_is_a_decision(
    tmp_path: Path,
) -> None:
    asked = (
        "The cart keeps prices as floats today, which rounds wrongly. Would you like me to:\n"
        "1. Use integer cents for amounts from now on\n2. Use `Decimal` strings with two places?"
    )
    (decision,) = numbered_decisions(tmp_path, asked, "1")
    assert "Use integer cents for amounts from now on" in decision


def test_a_lasting_pick_by_number_in_french_is_a_decision(tmp_path: Path) -> None:
    asked = (
        "Les prix sont des flottants aujourd’hui. Comment stocker les montants désormais ?\n"
        "1) Des centimes entiers dans chaque table\n2) Ou des chaînes `Decimal` à deux décimales ?"
    )
    (decision,) = numbered_decisions(tmp_path, asked, "1")
    assert decision == (
        "Comment stocker les montants désormais ? Des centimes entiers dans chaque table."
    )


def test_a_refactor_of_todays_code_picked_by_its_number_decides_nothing(
    tmp_path: Path,
) -> None:
    """ "Convert `CartResult` into `CartEffect` and merge them": done once, and the class it
    names is gone after it."""
    assert numbered_decisions(tmp_path, LAYOUT, "2") == []


@pytest.mark.parametrize(
    ("asked", "reply", "after"),
    [
        # how to go on with today's work
        ("Found 9 gaps.\n\n**Should I update tasks.md to:**\n1. Mark existing work as complete\n"
         "2. Focus only on missing features\n\n?", "1", ""),
        ("Two tests fail. Would you like me to:\n1. Fix the failing tests first\n"
         "2. Leave them for now?", "1", ""),
        # the agent offering its next tasks, the option a verb none of the lists know
        ("No edits made. Would you like me to:\n1. Align the onboarding doc to the brief's "
         "loop names (and add `brief_incomplete`),\n2. Draft the missing glossary,\n"
         "3. Leave the docs as they are?", "1", ""),
        # a menu of ways to go on whose options are questions back to the user
        ("My fetches keep being rejected.\n\n1. Should I ask a subagent to read the docs?\n"
         "2. Would you like to paste the pages you care about?\n3. Is there a local copy of "
         "the docs you can point me to?\n\nWhich of these works best for you?", "2", ""),
        # not a pick by number, or not a numbered list the message ends with
        (LAYOUT, "2, but keep the old name", ""),
        ("Options:\n1. Use Redis\n3. Use Memcached?", "1", ""),
        (LAYOUT + "\n\nOr something else entirely.", "2", ""),
        # taken back by the user's next words
        (LAYOUT, "2", "no wait, that does not work with the effects flow"),
        # in French, with the typographic hyphen and apostrophe of the agent's text: fix what
        # now, or go on with a step (rerun the check, stop here)
        ("J’ai ajouté les seuils de latence.\n\nSouhaites‑tu que je corrige maintenant :\n"
         "1) Les exigences de sécurité (chiffrement/audit)\n2) Ou que je relance une "
         "validation ciblée ?", "1", ""),
        ("Sections ajoutées au plan.\n\nSouhaites‑tu :\n1) relancer la validation pour "
         "confirmer que tout passe,\n2) ou simplement sortir maintenant ?", "1", ""),
        # a closing question that names nothing: the line would say what, not of what
        ("The spec contradicts itself on the range separator.\n\nYour options:\n"
         "1. **Keep the en dash** — matches the design notes\n2. **Use two hyphens** — the "
         "acceptance criterion's letter\n\n**What is your call? (1 / 2)**", "1", ""),
        # a clarification of what the request meant, whatever the option picked
        ("Could you clarify what you mean by \"sync locally\"? A couple of possibilities:\n\n"
         "1. **This is a remote server**: download the results with `rsync`\n"
         "2. **Copy to a folder** on this machine\n\nWhich one?", "1", ""),
    ],
)  # fmt: skip
def test_a_number_decides_nothing_that_lasts_otherwise(
    tmp_path: Path, asked: str, reply: str, after: str
) -> None:
    assert numbered_decisions(tmp_path, asked, reply, after) == []


@pytest.mark.parametrize(
    "asked",
    [
        # a menu of next tasks whose lead-in says "pick one and I'll build it": today's work
        ("결제 모듈 정리를 마쳤습니다.\n\n다음 중 하나를 골라 주시면 바로 구현하겠습니다:\n\n"
         "1. **환불 재시도 큐** (실패한 환불 다시 보내기)\n2. **영수증 PDF 내보내기**\n"
         "3. **관리자 통계 화면**\n\n어느 쪽?"),
        ("결제 모듈 정리를 마쳤습니다.\n\n1. 환불 재시도 큐\n2. 영수증 PDF 내보내기\n\n"
         "어떤 것을 먼저 진행할까요?"),
        ("決済モジュールの整理が終わりました。\n\n以下から一つ選んでいただければ、"
         "詳しく実装します:\n1. 返金リトライキュー\n2. 領収書のPDF出力\n\nどれにしますか?"),
        ("The payment module is tidied up.\n\nPick one and I'll build it out in depth:\n"
         "1. A retry queue for failed refunds\n2. PDF receipts\n3. An admin stats page\n\n"
         "Which one?"),
        ("El módulo de pagos está listo.\n\nElige una y la implemento a fondo:\n"
         "1. Cola de reintentos de reembolsos\n2. Recibos en PDF\n\n¿Cuál?"),
        ("Le module de paiement est prêt.\n\nChoisis-en une et je l'implémente en détail :\n"
         "1. File de relance des remboursements\n2. Reçus en PDF\n\nLaquelle ?"),
    ],
    ids=["ko-pick-and-build", "ko-which-first", "ja", "en", "es", "fr"],
)  # fmt: skip
def test_a_pick_from_a_menu_of_next_work_decides_nothing(tmp_path: Path, asked: str) -> None:
    assert numbered_decisions(tmp_path, asked, "1") == []


def test_a_lasting_pick_by_number_in_korean_is_a_decision(tmp_path: Path) -> None:
    asked = (
        "지금은 금액을 실수로 저장해서 반올림이 틀립니다. 앞으로 금액은 어떻게 저장할까요?\n"
        "1. 모든 테이블에 정수 센트로\n2. 소수 둘째 자리까지의 `Decimal` 문자열로?"
    )
    (decision,) = numbered_decisions(tmp_path, asked, "1")
    assert "정수 센트" in decision


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        (
            "앞으로 로그인은 어떤 것을 구현할까요?\n1. 서버에 저장하는 세션 쿠키\n2. 무상태 JWT 토큰?",
            "세션 쿠키",
        ),
        (
            "How should we store prices from now on? Choose one and I'll implement it:\n"
            "1. Integer cents in every table\n2. Decimal strings with two places?",
            "Integer cents",
        ),
    ],
    ids=["korean", "english"],
)
def test_a_choice_asked_for_good_is_a_decision_even_when_the_agent_offers_to_build_it(
    tmp_path: Path, asked: str, kept: str
) -> None:
    (decision,) = numbered_decisions(tmp_path, asked, "1")
    assert kept in decision


@pytest.mark.parametrize(
    "asked",
    [
        "어떤 기능부터 구현할까요? 선택하시면 지금부터 바로 구현하겠습니다.\n"
        "1. 장바구니 검색 기능\n2. 주문 내역 내보내기?",
        "다음으로 어떤 것을 구현할까요?\n1. 장바구니 검색 기능\n2. 주문 내역 내보내기?",
    ],
    ids=["offer-now", "next"],
)
def test_a_korean_menu_of_next_work_decides_nothing(tmp_path: Path, asked: str) -> None:
    assert numbered_decisions(tmp_path, asked, "1") == []


def test_a_long_question_is_cut_between_words() -> None:
    question = "When the import runs, " + "should the rows of every sheet be merged " * 5 + "first?"
    (answer,) = answers(answer_event(question, "Merge them by sheet name"))
    kept = answer.question.removesuffix("…")
    assert answer.question.endswith("rows…") and question.startswith(kept) and len(kept) <= 160


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        # the other alternative asked after the first: the answer may pick it
        (
            "图片在阿里CDN，是否可以直接用 page.goto() 访问并截图？还是需要先把图片下载到本地再读取？",
            "图片在阿里CDN，是否可以直接用 page.goto() 访问并截图？还是需要先把图片下载到本地再读取？",
        ),
        ("Run the job nightly? Or only on demand? We can change it later.",
         "Run the job nightly? Or only on demand?"),
        # a second question of its own is left out
        ("Which queue should jobs use? Should retries be capped too?",
         "Which queue should jobs use?"),
    ],
)  # fmt: skip
def test_a_question_keeps_its_other_alternative(question: str, kept: str) -> None:
    (answer,) = answers(answer_event(question, "URL"))
    assert answer.question == kept


def test_a_decision_keeps_what_the_chosen_option_said_of_itself(tmp_path: Path) -> None:
    question = {
        "question": "Where should uploaded files be stored?",
        "header": "Storage",
        "options": [
            {"label": "S3", "description": "Shared by every instance. Costs per request."},
            {"label": "Local disk", "description": "Simplest; lost when the pod restarts."},
        ],
        "multiSelect": False,
    }
    block = {
        "type": "tool_use",
        "id": "q1",
        "name": "AskUserQuestion",
        "input": {"questions": [question]},
    }
    records = [
        {"type": "assistant", "message": {"content": [block]}},
        answered("q1", '"Where should uploaded files be stored?"="S3"'),
        *BUILT,
    ]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    found = RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))
    assert [c.text for c in found] == ["Storage: S3 (Shared by every instance)."]


@pytest.mark.parametrize(
    ("asked", "choice", "why"),
    [
        (
            "- Python: 用 ctypes 封装 SDK；识别走 onnxruntime；开发快",
            "Python",
            "用 ctypes 封装 SDK",
        ),
        ("- Python (Recommended): Fast to write. Slower at run time.", "Python", "Fast to write"),
        ("- RTSP: rtsp://[REDACTED:url_password]@ip/stream 走 OpenCV", "RTSP", None),
        ("- Go: ", "Go", None),
        # the agent's own next step in its first person is no reason
        ("- OSNet: 我集成开源 OSNet_x0_25 或 MobileNetV2-reid 作为人体 ReID", "OSNet", None),
        ("- Redis: I'll add a Redis service to the compose file", "Redis", None),
        ("- Ours: 我们的 CI 已经用它", "Ours", "我们的 CI 已经用它"),
        ("- Local: 我国法规要求数据境内存储", "Local", "我国法规要求数据境内存储"),
        ("- Redis: I\u2019ll add a Redis service", "Redis", None),
        ("- Redis: I'm going to add a Redis service", "Redis", None),
        ("- Redis: I'd add a Redis service", "Redis", None),
        # several options picked: the first one's description is not the reason for all
        ("- Blog: Posts with tags\n- Uses: The tools I use", "Blog, Uses", None),
    ],
)
def test_the_reason_kept_is_the_options_first_clause(
    asked: str, choice: str, why: str | None
) -> None:
    assert option_description(asked, choice) == why


def test_a_pick_asked_as_option_1_or_2_names_the_option_left(tmp_path: Path) -> None:
    asked = (
        "The linter warns that TypeScript 5.9 is newer than it supports. Two ways:\n"
        "1. Downgrade TypeScript to 5.5.\n"
        "2. Upgrade the `@typescript-eslint/*` packages to a release that supports 5.9\n\n"
        "Want me to update package.json to option 1 or 2?"
    )
    (decision,) = numbered_decisions(tmp_path, asked, "I'd like option 2")
    # the question names neither option: the choice and the one turned down say it all
    assert decision == (
        "Upgrade the `@typescript-eslint/*` packages to a release that supports 5.9, "
        "not “Downgrade TypeScript to 5.5”."
    )


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # the user's own words ask back instead of choosing, or only react
        ("日志格式选哪一种？", "config 里的 strict 开关是什么意思"),
        ("选哪个消息队列？", "两个都支持延迟重试吗"),
        ("选哪个消息队列？", "那 Kafka 呢"),
        ("选哪个消息队列？", "能否先对比一下吞吐"),
        ("选哪个消息队列？", "重试次数怎么定的"),
        ("选哪个消息队列？", "太折腾了"),
        ("What should the retry policy be?", "What does the jitter option mean"),
        # for now only, in Chinese
        ("上传的文件存在哪里？", "暂时存本地磁盘"),
        ("日志写到哪里？", "这次先打印到控制台"),
        # agreeing or declining, in Chinese
        ("是否启用请求缓存？", "是"),
        ("是否启用请求缓存？", "否，不启用"),
        ("是否启用请求缓存？", "好的。"),
        # how to go on with today's work, in Chinese
        ("是否需要在合并前先运行迁移？", "需要，跑一遍"),
        ("要不要现在提交这些改动？", "提交到 main"),
        ("你希望在哪台机器上部署？", "staging 那台"),
        ("缓存服务没有启动。您想如何处理？", "改用进程内缓存"),
        # a choice that waives a safety step
        ("旧表怎么迁移？", "直接迁移，不用备份"),
        ("测试环境的接口怎么接入？", "关闭鉴权，方便联调"),
        ("导入前的数据怎么核对？", "跳过校验"),
        ("How should the stale rows be removed?", "Delete them, skip the backup"),
        ("How should the preview deploy treat logins?", "Disable authentication"),
        ("How should the hook failures be handled?", "Commit with --no-verify"),
        ("What is the release flow?", "Publish without running the tests"),
        # where today's file goes: a folder or a path for one move, copy or download
        ("어느 디렉토리로 옮길까요?", "~/Documents"),
        ("혹시 다른 위치로 옮기길 원하시나요?", "다른 디렉토리로 이동"),
        ("Which folder should I save the screenshots to?", "The desktop"),
        ("报告要保存到哪个目录？", "项目根目录"),
        ("您希望网站放在哪个目录？", "Desktop"),
        ("Where should I create the new site?", "In ~/Sites"),
        # what the user's request meant
        ("Could you clarify what you mean by a clean build?", "Wipe the cache first"),
        # how to install a tool on this machine, once
        ("Máy bạn chưa có Node.js. Bạn muốn cài đặt bằng cách nào?", "Homebrew"),
        ("How do you want to install Node on this Mac?", "With nvm"),
        # what the user has or knows today: a state, or an unknown
        ("Bạn đã có Google Service Account JSON key chưa?", "Chưa có"),
        ("Do you already have a Stripe account for the payments?", "No, make a test one"),
        ("Bạn muốn agent tạo những loại báo cáo nào từ GA4?", "chưa biết"),
        ("Which reports should the agent build first?", "Not sure yet"),
        ("报表要包含哪些指标？", "不知道"),
        # yes or no in another language
        (
            "Bạn muốn tôi tự động cài Homebrew + Node.js cho bạn ngay trong terminal này không?",
            "Có, cài giúp tôi",
        ),
        ("このままコミットしてもいいですか？", "はい"),
        # how much of the planned work to build: one task's extent
        ("For the TUI, which scope is correct?", "Full Textual TUI (ChatScreen + MainMenu)"),
        ("What scope should the first version cover?", "Only the import, no export"),
        ("What is the scope of this refactor?", "Just the parser module"),
        ("这次的实现范围是？", "只做后端"),
        ("您需要哪些主要功能？", "基本信息展示, 多语言支持, 联系表单"),
        ("What should the initial scope of the build be?", "Production-ready v1"),
        ("What level of reporting features should be included?", "The full reporting suite"),
        ("Which payment features should we support first?", "Cards and refunds"),
        ("Which cloud should we target for the initial implementation?", "AWS"),
        ("How should the test plan be organized?", "Cover every payment mode"),
        # what to do first this session, the state of the user's setup, an act asked of them
        ("What do you want to tackle first in this session?", "Build the importer first"),
        ("What's your current environment status?", "Docker installed"),
        ("What is your current Obsidian vault setup status?", "Obsidian installed, vault at D:"),
        ("What is the status of Smart Connections plugin installation?", "Installed"),
        ("Where is your Docker installation?", "/usr/local/bin"),
        ("Can you upload the design document now?", "Uploading now"),
        ("Can you upload Agent_Jay_Architecture.md now?", "Uploading now"),
        # the pages or sections of a first build
        ("どのページを作成しますか？", "Blog, Projects, Uses"),
        (
            "ポートフォリオサイトにどのようなセクションを含めたいですか？",
            "プロジェクト紹介, ブログ",
        ),
        ("Which pages would you like to create?", "Blog, Projects"),
        ("网站需要哪些页面？", "首页, 博客"),
        (
            "Both reviews recommend NO-GO on the plan. What would you like to do?",
            "I looked at the markets: keep building it",
        ),
        (  # its first sentence long enough to be cut before the question that asks
            "Both CEO reviews recommend NO-GO on the ball-by-ball monitoring plan. They suggest "
            "validating the hypothesis manually first (1 week) instead of building automation "
            "(3 weeks). What would you like to do?",
            "I looked at the markets: keep building it",
        ),
        # a name asked for, answered by the "other" option with nothing in it
        ("GitHub 仓库名称是什么？", "自定义名称"),
        # one act, done once: the code shows it after
        (
            "Cette refonte design doit-elle remplacer l'App Shell actuel ou s'intégrer avec ?",
            "Remplacer tout (nouveau design system complet)",
        ),
        ("How should the old settings page be handled?", "Rewrite it from scratch"),
        ("旧的登录组件怎么处理？", "全部替换"),
        # a quantity for the task at hand, or a value changed once
        ("How many total samples should the dataset contain?", "50,000 samples"),
        ("How many EQ configurations should be applied to each segment?", "5 configs per segment"),
        ("数据集需要多少条样本？", "五万条"),
        ("How would you like to optimize GPU utilization?", "Increase batch size to 256"),
        ("Which license should the new package use?", "Other"),
        # what the agent can do with its own browser or terminal today
        (
            "图片在阿里CDN，是否可以直接在你的浏览器里用 page.goto() 打开并截图？还是需要先下载到本地再读取？",
            "URL下载",
        ),
        ("Can you open the dashboard in your browser, or should I export a PDF?", "Export a PDF"),
        # a go-ahead asked after a short lead-in: consent to today's step
        (
            "Given this explanation, should I proceed with the hands-on session resumption "
            "testing?",
            "Yes, run the tests",
        ),
        ("Before I start, do you want me to run the full suite?", "Yes"),
    ],
)
def test_an_answer_that_decides_nothing_that_lasts_in_any_language(
    question: str, answer: str
) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    ("question", "answer", "choice"),
    [
        ("量化内核用哪种实现？", "纯 Triton 实现", "纯 Triton 实现"),
        ("API 错误如何返回给客户端？", "统一用 problem+json", "统一用 problem+json"),
        ("是否需要支持暗色模式？", "需要，跟随系统", "需要，跟随系统"),
        ("用户密码怎么存？", "bcrypt 哈希，安全优先", "bcrypt 哈希，安全优先"),
        ("Where are the nightly backups kept?", "An S3 bucket with versioning", None),
        ("Where should uploaded files be saved?", "An S3 bucket per tenant", None),
        ("Which package manager should the project use?", "pnpm", None),
        ("Which directory should uploaded files be saved to in production?", "S3", None),
        ("데이터는 어디에 저장할까요?", "PostgreSQL", None),
        ("How should we install dependencies in CI?", "uv sync --frozen", None),
        ("Do you have a preferred logging library?", "structlog", None),
        ("Có nên dùng TypeScript không?", "Không, giữ JavaScript", None),
        ("어떤 데이터베이스를 사용할까요?", "PostgreSQL", None),
        ("How should the tests run in CI?", "In parallel with pytest-xdist", None),
        ("Which database should we use for the implementation?", "PostgreSQL", None),
        ("Which Python features should we avoid for 3.8 support?", "Walrus and match", None),
        ("How should the orders table be structured?", "One row per line item", None),
        ("Which auth library should we use for this prototype?", "Auth.js", None),
        (
            "What should the CLI do first when the config file is missing?",
            "Exit with an error",
            None,
        ),
        ("Which SameSite policy should we use for this session cookie?", "Lax", None),
        ("Where should tokens be kept in this session store?", "Memory", None),
        (
            "Should we keep your current setup with ESLint or switch to Biome?",
            "Switch to Biome",
            None,
        ),
        # an act with its condition or scope, and quantities that are conventions, stand
        ("How should the parser report invalid input?", "Raise a ValueError", None),
        ("How should a deleted account's data be handled?", "Delete it after 30 days", None),
        ("How should errors be logged in production?", "Reduce to warnings and above", None),
        ("How many spaces should the codebase indent with?", "2 spaces", None),
        ("这几个数据库方案中，服务应该用哪一个？", "PostgreSQL", None),
        # the user's side, not the agent's own browser: a choice that stands
        ("你这边的服务应该用哪个数据库？", "PostgreSQL", None),
        # the state a thing of the design is in: a choice, not the user's setup
        ("What is the state of a new order before payment is confirmed?", "Draft", None),
        ("What's the status of a soft-deleted user in the API responses?", "Hidden: 404", None),
        ("서비스에서 몇 가지 데이터베이스 중 어떤 것을 사용할까요?", "PostgreSQL", None),
        # a polite opener and a hypothesis about the project are no quiz of the user
        ("请问：数据库用 PostgreSQL 还是 SQLite？", "PostgreSQL", None),
        (
            "Assume traffic doubles next month: which queue would you pick for the jobs?",
            "SQS",
            None,
        ),
    ],
)
def test_a_lasting_pick_in_any_language_stays_a_decision(
    question: str, answer: str, choice: str | None
) -> None:
    (found,) = answers(answer_event(question, answer))
    assert found.choice == (choice or answer)


@pytest.mark.parametrize(
    ("answer", "choice"),
    [
        ("PostgreSQL (Recommended)", None),  # the agent's own proposal, taken
        ("RTSP + OpenCV/FFmpeg (推荐)", None),
        ("SQLite", "SQLite"),  # the user chose otherwise
    ],
)
def test_the_agents_recommendation_taken_as_is_decides_nothing(
    answer: str, choice: str | None
) -> None:
    found = answers(answer_event("Which database should the service use?", answer))
    assert [a.choice for a in found] == ([choice] if choice else [])


def test_a_recommendation_taken_with_the_users_notes_is_theirs() -> None:
    event = answer_event("Which database should the service use?", "PostgreSQL (Recommended)")
    noted = event.text.replace(". You can", " user notes: with row-level security. You can")
    (found,) = answers(replace(event, text=noted))
    assert found.choice == "PostgreSQL (with row-level security)"


def asked_with(
    tool_id: str, question: str, options: list[tuple[str, str]], header: str = "选择"
) -> dict:  # type: ignore[type-arg]
    """An AskUserQuestion call whose options say what they do."""
    asked = {
        "question": question,
        "header": header,
        "options": [{"label": label, "description": why} for label, why in options],
        "multiSelect": False,
    }
    block = {
        "type": "tool_use",
        "id": tool_id,
        "name": "AskUserQuestion",
        "input": {"questions": [asked]},
    }
    return {"type": "assistant", "message": {"content": [block]}}


def decisions(tmp_path: Path, records: list[dict]) -> list[str]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    return [e.sentence for e in find_episodes(run) if e.kind is LessonKind.DECISION]


def test_an_option_that_says_it_skips_a_check_decides_nothing(tmp_path: Path) -> None:
    question = "导入的订单数据走哪条路径？"
    options = [("逐条导入", "先校验每一行"), ("批量导入", "跳过校验，速度快")]
    picked = [asked_with("q1", question, options), answered("q1", f'"{question}"="批量导入"')]
    assert decisions(tmp_path, [*picked, *BUILT]) == []
    records = [asked_with("q1", question, options), answered("q1", f'"{question}"="逐条导入"')]
    records += BUILT
    assert decisions(tmp_path, records) == ["导入的订单数据走哪条路径？逐条导入 (先校验每一行)."]


@pytest.mark.parametrize(
    ("later", "kept"),
    [
        ("算了，不要绑定手机了，邮箱就够", False),
        ("Don't bind the phone after all", True),  # names nothing the choice was written in
        ("登录页也顺便做了吧", True),
    ],
)
def test_a_choice_the_user_takes_back_later_is_no_decision(
    tmp_path: Path, later: str, kept: bool
) -> None:
    question = "新用户注册时是否必须绑定手机？"
    records = [
        asked_with("q1", question, [("必须绑定", "发短信验证码"), ("可选", "之后提醒")]),
        answered("q1", f'"{question}"="必须绑定"'),
        *BUILT,
        say("assistant", "好的，注册时必须绑定手机。"),
        say("user", "注册页的按钮改成蓝色"),
        say("assistant", "已改。"),
        say("user", later),
    ]
    expected = ["新用户注册时是否必须绑定手机？必须绑定 (发短信验证码)."]
    assert decisions(tmp_path, records) == (expected if kept else [])


def test_an_english_choice_taken_back_later_is_no_decision(tmp_path: Path) -> None:
    question = "Which cache should the sessions use?"
    records = [
        asked_with("q1", question, [("Memcached", "Fast"), ("In-process dict", "Simplest")]),
        answered("q1", f'"{question}"="Memcached"'),
        *BUILT,
        say("user", "Also add a logout button."),
        say("user", "Actually don't use Memcached, the dict is enough for one pod."),
    ]
    assert decisions(tmp_path, records) == []
    assert decisions(tmp_path, records[:5]) == [
        "Which cache should the sessions use? Memcached (Fast)."
    ]


@pytest.mark.parametrize(
    ("later", "kept"),
    [
        # many turns later, a problem in the very code the question turned on: reopened
        ("El `ensure_loaded` en el primer request causa una demora inaceptable de 60 s.", False),
        ("The first chat is too slow: move ensure_loaded() into the server's startup.", False),
        # the code named again without a problem, or a problem elsewhere: the choice stands
        ("Now add a test for `ensure_loaded`.", True),
        ("Thanks, no problems with `ensure_loaded` now.", True),
        ("There is a bug in the history command.", True),
    ],
)
def test_a_choice_whose_subject_the_user_reports_a_problem_in_later_is_no_decision(
    tmp_path: Path, later: str, kept: bool
) -> None:
    question = "Should `chat` call `ensure_loaded` first, or fail fast when no model is loaded?"
    records = [
        asked_with("q1", question, [("Auto-load", "Blocks until ready"), ("Fail fast", "503")]),
        answered("q1", f'"{question}"="Auto-load"'),
        *BUILT,
        *[say("user", f"Next: step {n}.") for n in range(6)],
        say("user", later),
    ]
    # a header that names nothing ("选择"): the question is the topic, the option left in it
    expected = [f"{question} Auto-load (Blocks until ready)."]
    assert decisions(tmp_path, records) == (expected if kept else [])


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        # the user's own words that ask something, anywhere in them: no choice
        ("这样的硬编码是否违背架构原则，能否用配置文件来解决", False),
        ("Simple e-mail and password, but how do we stop spam", False),
        # ... or paste a crash, or say much more than a choice: a request, a message
        ("再检查一遍缓存类，看还会不会崩溃： Thread #7 EXC_BAD_ACCESS at 0x22736118", False),
        (
            "Keep the current one for the moment and look again at the eviction code: the pods "
            "restarted twice last night and I would like to know whether the cache is the cause "
            "before we decide anything",
            False,
        ),
        # the user's own words that decide: a choice
        ("全量化，同时区分 w4a8 和 w4a4 两种模式", True),
        # an option offered
        ("Redis", True),
    ],
)
def test_an_answer_in_the_users_own_words_that_asks_is_no_choice(
    tmp_path: Path, answer: str, kept: bool
) -> None:
    asked = [("Which cache should the service use from now on?", ["Redis", "Memcached"])]
    records = [ask("q1", asked), answered("q1", f'"{asked[0][0]}"="{answer}"'), *BUILT]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    found = [e for e in find_episodes(run) if e.kind is LessonKind.DECISION]
    assert bool(found) is kept


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Which database should the service use?", "SQLite, that is what prod uses"),
        ("Which database should the service use?", "SQLite - we know how to back it up"),
        ("用哪个数据库？", "SQLite，不管什么环境都一样"),
        ("时间存什么时区？", "UTC，不管用户怎么设置时区"),
        ("首先，数据库用哪个？", "PostgreSQL"),
        ("鉴权优先支持哪种方式？", "JWT"),
        ("接口数据用什么格式？", "JSON，目前所有服务都用它"),
        ("接口数据用什么格式？", "不，用 JSON 格式"),
        ("Where do the tests live?", "Co-located next to the source, no separate tests folder"),
        ("How is auth done?", "JWT in cookies, no separate auth service"),
    ],
)
def test_a_lasting_pick_said_in_the_users_words_stays_a_decision(
    question: str, answer: str
) -> None:
    assert len(answers(answer_event(question, answer))) == 1


def test_a_later_word_that_only_contains_the_choice_does_not_take_it_back() -> None:
    from metis_distill.mine.taken_back import taken_back

    assert not taken_back("Redis", ["don't redistribute the binaries"])
    assert not taken_back("Trunk-based on main", ["Don't touch the maintenance scripts"])
    assert not taken_back("JSON 格式", ["不要改代码格式"])
    assert taken_back("Redis", ["don't use redis after all, keep it in memory"])


def _plan_rejected() -> list[dict]:  # type: ignore[type-arg]
    """Plan mode's draft written, the plan turned down, the turn stopped."""
    plan = "/home/u/.claude/plans/snoopy-dolphin.md"
    denied = (
        "The user doesn't want to proceed with this tool use. The tool use was rejected "
        "(eg. if it was a file edit, the new_string was NOT written to the file)."
    )
    exit_plan = {"type": "tool_use", "id": "x1", "name": "ExitPlanMode", "input": {"plan": "…"}}
    return [
        {
            "type": "assistant",
            "message": {
                "content": [
                    {
                        "type": "tool_use",
                        "id": "w1",
                        "name": "Write",
                        "input": {"file_path": plan, "content": "# Plan"},
                    }
                ]
            },
        },
        result("w1", f"File created successfully at: {plan}"),
        {"type": "assistant", "message": {"content": [exit_plan]}},
        result("x1", denied, error=True),
        say("user", "[Request interrupted by user for tool use]"),
    ]


STYLE = [("Quel style de design préfères-tu ?", ["Brutalist + Bold", "Minimalist + Light"])]
STYLE_PICKED = answered("q1", '"Quel style de design préfères-tu ?"="Brutalist + Bold"')


@pytest.mark.parametrize(
    ("after", "kept"),
    [
        # a plan built on the answer, then turned down: nothing was built on it
        (_plan_rejected(), False),
        # a setup of the user's own machine: commands run, no file of the work changed
        (
            [
                call("b1", "winget install RustDesk.RustDesk"),
                result("b1", "Successfully installed"),
                say("user", "installe rustdesk sur mon pc"),
            ],
            False,
        ),
        # an option of today's command, the review then run: nothing of the work edited
        ([call("b1", "codex review --wait"), result("b1", "No findings.")], False),
        # the answer built on: a file of the work edited before the user spoke again
        (BUILT, True),
    ],
)
def test_an_answer_nothing_was_built_on_decides_nothing(
    tmp_path: Path,
    after: list[dict],  # type: ignore[type-arg]
    kept: bool,
) -> None:
    records = [say("user", "Crée un site perso."), ask("q1", STYLE), STYLE_PICKED, *after]
    assert bool(decisions(tmp_path, records)) is kept


def test_a_number_picked_with_nothing_built_on_it_decides_nothing(tmp_path: Path) -> None:
    records = [say("user", "Move the cart screen to StateFlow."), say("assistant", MONEY)]
    records += [say("user", "2"), call("b1", "ls"), result("b1", "src"), say("user", "ok")]
    assert decisions(tmp_path, records) == []


def test_an_edit_the_user_turned_down_built_nothing(tmp_path: Path) -> None:
    """The configs the answer was for, written and refused one by one: nothing was built."""
    denied = "The user doesn't want to proceed with this tool use. The tool use was rejected."
    refused = [edit("e1", "config/sbx.json"), result("e1", denied, error=True)]
    records = [ask("q1", STYLE), STYLE_PICKED, *refused]
    assert decisions(tmp_path, records) == []
    assert decisions(tmp_path / "built", [*records, *BUILT]) != []


@pytest.mark.parametrize(
    "question",
    [
        "Der Plan hat 5 Phasen. Wie sollen wir vorgehen?",
        "Prochaines étapes possibles : Tu veux enchaîner sur quoi ?",
        "¿Por dónde empezamos?",
        "Which part of the plan do we build today?",
        "Was machen wir heute zuerst, das Schema oder die API?",
        "Comment souhaitez-vous procéder ?",
        "¿Cómo quieres continuar?",
        "Como você quer prosseguir?",
        "Как продолжить?",
        "どのように進めますか？",
        # what to do next: today's next step
        "Tu veux que je fasse quoi ensuite ?",
        "Что дальше?",
        "接下来做什么？",
        # the kept first sentence stops before it asks: the question is read whole
        "Der Plan hat 5 Phasen. Phase 1 (Quick Wins) löst das Kernproblem: Wissen bleibt "
        "erhalten. Phasen 2-5 bauen den vollständigen Self-Improvement Loop und die "
        "Auswertung der Sitzungen. Wie sollen wir vorgehen?",
    ],
)
def test_how_to_go_on_in_other_languages_or_today_decides_nothing(question: str) -> None:
    assert answers(answer_event(question, "Gesamtplan validieren, dann Phase 1")) == []


@pytest.mark.parametrize(
    "question",
    [
        "Pour les tests, tu veux que je fasse des tests d'intégration sur une vraie base ou des "
        "mocks ?",
        "¿Qué hago ahora con los precios: enteros en céntimos o decimales?",
    ],
)
def test_a_choice_asked_as_what_to_do_is_still_a_choice(question: str) -> None:
    assert len(answers(answer_event(question, "Vraie base Postgres, toujours"))) == 1


@pytest.mark.parametrize(
    "question",
    [
        "Which timezone defines 'today' in the daily report?",
        "Womit sollen wir die Sitzungen speichern, Redis oder Postgres?",
        # a token's scopes are a design choice, not the extent of the task
        "Which scope should the deploy token have?",
    ],
)
def test_a_lasting_choice_that_names_today_or_asks_with_what_stands(question: str) -> None:
    assert len(answers(answer_event(question, "Postgres, for every environment"))) == 1


def test_an_edit_outside_the_work_builds_nothing(tmp_path: Path) -> None:
    """The prompt picked, then written into the user's own shell file: their machine set up,
    no choice the project keeps."""
    zshrc = [
        edit("e1", "/home/u/.zshrc"),
        result("e1", "The file /home/u/.zshrc has been updated."),
    ]
    assert decisions(tmp_path, [ask("q1", STYLE), STYLE_PICKED, *zshrc]) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Run the Set-Password.bat file. Did it work?", "window closes as soon as key is entered"),
        ("Did the password setup window appear?", "No window appeared"),
        ("Can you see the Claude Workspace shortcut now?", "Yes, I see it now"),
        ("How would you like to set your Windows password?", "Command Line"),
    ],
)
def test_what_the_user_sees_or_their_own_machine_decides_nothing(
    question: str, answer: str
) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # a question back typed instead of an option: "when does it fire?"
        (
            "现在有 3 个待提交文件：a.md、b.md、c.md。要一起提交吗？",
            "lint 和 sync 的钩子什么时候会触发",
        ),
        ("Should the cache stay?", "when would the cleanup hook actually run"),
        # the agent asking what the user's request meant
        ("你是想了解缓存层与其他模块的关系，还是想让它自动刷新？", "想调整刷新时机"),
        ("Are you asking about how the queue works, or about changing its retries?", "Retries"),
        # one addition to a file, done once: the file keeps it after
        ("这条约定还没有写进 guide.md。是否需要补充？", "补充命名约定"),
        ("这条约定还没有写进 guide.md。是否需要？", "追加到 guide.md 末尾"),
        # anything else to handle today
        ("所有提交都已完成。还有什么需要处理的？", "整理文档"),
        ("All commits are in. Is there anything else to handle?", "Regenerate the diagram"),
        # how to go on, asked at the end of a long question
        (
            "迁移已经全部完成。涉及子仓库的改动（支付 SDK 的 12 个配置、日志 SDK 的 4 个配置、"
            "网络层的 3 个规则、存储层的 2 个规则、界面层的 5 个规则）需要在各子仓库单独提交，"
            "主仓库也有改动待提交。接下来你想怎么处理？",
            "全部一起提交",
        ),
        ("四个阶段全部完成，所有文档已归档。你希望接下来怎么推进？", "开始第一层落地"),
        # the session's plan approved or reviewed
        ("这个方案是否符合你的预期？", "方案OK，全量执行"),
        ("设计文档的处置？", "再加上离线模式的说明"),
        ("Does this plan look right to you?", "Yes, run all of it"),
        ("Is this approach what you expected?", "Looks good, go"),
        # the user's own notes on a document, point by point: review feedback, not a choice
        ("Which part should change?", "1. cover the admin app too 2. add the offline pods"),
        # a quiz the agent puts to the user, then grades
        (
            "练习: 运营提了一个新需求，要给订单页加一个导出按钮。假设你已经搭好了全部知识库，"
            "你会按什么流程来处理这个需求？",
            "召回知识 → 写 Spec → 沉淀知识",
        ),
        (
            "Suppose a product manager asks for a CSV export on the orders page. Which process "
            "would you follow?",
            "Read the module notes, then write a spec",
        ),
        # ... or a role the agent plays to test the user ("a novice asks:", "the expert doubts:")
        ("“新人”问：README 和 CLAUDE.md 有什么区别？", "一个给人看，一个给模型看"),
        ("专家质疑: 文档写完就过时了，维护成本怎么控制？", "用钩子自动刷新文档"),
        ("Skeptic asks: won't the docs rot within a week?", "Hooks refresh them on change"),
        # the user's situation now, asked in an intake: a state, decided by nobody
        ("你团队日常的需求形态主要是哪种？", "以存量迭代为主"),
        ("你当前主要使用哪些编程工具？", "Claude Code"),
        ("你的安卓工程当前的架构质量如何？", "中等偏复杂"),
        ("Which editors does your team currently use?", "VS Code and Vim"),
        ("你是个人使用还是团队推广？", "中大型团队"),
        ("Are you working solo or with a team on this?", "A team of ten"),
        # which feature to build today
        ("您想要实现哪个功能？", "写个周报生成器"),
        ("What do you want me to build?", "A weekly report script"),
        # what to improve or add today: the task's list of work
        ("What improvements would you like to make to the projects page?", "Richer cards"),
        ("Which UI changes do you want in this pass?", "Bigger buttons, Dark mode"),
        ("What would you like me to polish on the landing page?", "The hero section"),
    ],
)
def test_a_step_of_today_a_review_or_a_quiz_decides_nothing(question: str, answer: str) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    "question",
    [
        "你想用 Postgres 还是 SQLite？",
        "这个方案里的数据库用哪个？",
        "数据库设计如何分表？",
        "What would you like the default timeout to be?",
        "Which plan should new tenants start on?",
        "需要支持哪种导出格式？",
        "Should we keep your current setup with ESLint or switch to Biome?",
        "When a job fails, which queue should it go to?",
        # changes and fixes named, a standing way asked of them
        "How should breaking changes be announced to API clients?",
        "Which fixes go into the changelog?",
        "Which changes should we make to the commit message convention?",
    ],
)
def test_a_lasting_choice_near_those_words_stays_a_decision(question: str) -> None:
    assert len(answers(answer_event(question, "PostgreSQL"))) == 1


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # whether to take the step the agent proposes now, on the thing at hand
        (
            "billing-core is a complete library but nothing uses it yet. Should we still "
            "bring it in?",
            "Yes, import it",
        ),
        ("The old scripts folder is unused. Should we also copy it over?", "Yes, copy it"),
        ("Do you want me to migrate these repositories into the monorepo?", "Migrate both"),
        # how to carry out today's import: history kept or the files copied fresh
        (
            "For importing the packages, do you want to keep their git history via a subtree "
            "merge, or just copy the files fresh?",
            "Fresh copy (no history)",
        ),
        ("Should I vendor the sources with their history or copy them as one commit?", "Copy"),
    ],
)
def test_a_step_of_todays_import_or_move_decides_nothing(question: str, answer: str) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # a spec's clarifications: what the product must do
        ("Which accessibility compliance level should the site meet?", "WCAG 2.1 Level AA"),
        ("Which analytics and tracking service should the site use?", "Google Analytics"),
        # how the product imports data, each time it runs
        ("When importing the CSV files, should we skip rows without an e-mail?", "Skip them"),
        ("Should we import the charting library lazily, on first use?", "Lazily"),
        ("Should we migrate to Vitest or keep Jest?", "Vitest"),
        # the things at hand carried over to another language, format or tool
        ("Should we port the library to Rust or keep it in Go?", "Keep Go"),
        ("Should we move the config files to YAML?", "YAML"),
        ("Should we migrate these endpoints to GraphQL?", "Keep REST"),
        ("Should we import this module with a relative path or the @/ alias?", "The @/ alias"),
        # a plan that is the product's, not today's
        ("Should CI run the plan on every pull request, or only on main?", "Every pull request"),
        ("Which execution approach should the job runner use: threads or processes?", "Processes"),
    ],
)
def test_a_requirement_or_a_way_of_importing_that_lasts_stays_a_decision(
    question: str, answer: str
) -> None:
    (found,) = answers(answer_event(question, answer))
    assert found.choice == answer


PLAN_HANDOFF = (
    "Plan saved to `docs/plans/search.md`.\n\n**Two execution options:**\n\n"
    "1. **Helper-per-task (recommended)** — I hand each task to a fresh helper and review "
    "between tasks\n"
    "2. **Inline** — I work through the tasks in this session with checkpoints\n\nWhich approach?"
)


@pytest.mark.parametrize(
    "asked",
    [
        PLAN_HANDOFF,
        PLAN_HANDOFF.replace(" (recommended)", ""),
        "The plan is written. How should I execute the plan?\n1. One task at a time, with a "
        "review after each\n2. All tasks in one pass",
    ],
    ids=["handoff", "handoff-unmarked", "how-to-execute"],
)
def test_how_the_agent_carries_out_todays_plan_decides_nothing(tmp_path: Path, asked: str) -> None:
    assert numbered_decisions(tmp_path, asked, "1") == []


def test_the_agents_recommended_option_picked_by_its_number_decides_nothing(
    tmp_path: Path,
) -> None:
    marked = MONEY.replace("every table", "every table (recommended)")
    assert numbered_decisions(tmp_path, marked, "1") == []
    # the other option, the user's own pick, stays a decision
    (decision,) = numbered_decisions(tmp_path, marked, "2")
    assert decision.endswith("`Decimal` strings with two places.")


def test_a_lasting_approach_picked_by_number_stays_a_decision(tmp_path: Path) -> None:
    asked = (
        "Duplicate rows reach the importer every night. Which approach should the importer "
        "take from now on?\n1. Keep the newest row\n2. Reject the whole file"
    )
    (decision,) = numbered_decisions(tmp_path, asked, "2")
    assert decision.endswith("Reject the whole file.")


def test_an_answer_in_a_session_run_in_the_home_folder_decides_nothing(tmp_path: Path) -> None:
    """A session started in the user's home folder (no project): its prototype's choices
    decide nothing for a project."""
    asked = [("Which framework should the front end use?", ["React", "Plain JS"])]
    body = f'"{asked[0][0]}"="Plain JS"'
    built = [edit("e1", "proto/app.js"), result("e1", "The file proto/app.js has been updated.")]
    records = [ask("q1", asked), answered("q1", body), *built]
    assert decisions(tmp_path / "project", records) != []
    at_home = [{**record, "cwd": "C:\\Users\\Administrator"} for record in records]
    assert decisions(tmp_path / "win", at_home) == []
    at_home = [{**record, "cwd": "/Users/ana"} for record in records]
    assert decisions(tmp_path / "mac", at_home) == []


# The decision stands alone: the call's header as its topic, the option's description as its
# reason, the option the question named and the user left; a label that says nothing alone
# told by its description, or no decision at all.
CACHE_OPTIONS = [
    ("A. 只用进程内缓存", "每个实例各自缓存，重启即失"),
    ("B. 只用 Redis", "所有实例共享，多一次网络往返"),
    ("A+B 组合", "进程内缓存在前，Redis 兜底，两级命中"),
]


def test_the_header_is_the_decisions_topic_and_the_option_its_reason(tmp_path: Path) -> None:
    question = "Should sessions live in Redis or in Postgres?"
    records = [
        asked_with(
            "q1",
            question,
            [("Redis", "Expires on its own. Needs a server"), ("Postgres", "One store fewer")],
            header="Session store",
        ),
        answered("q1", f'"{question}"="Redis"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [
        "Session store: Redis (Expires on its own), not “Postgres”."
    ]


def test_an_option_is_named_by_the_question_only_as_a_word(tmp_path: Path) -> None:
    question = "Which language should the ongoing ingest job be written in?"
    records = [
        asked_with("q1", question, [("Go", "One static binary"), ("Rust", "")], header="Ingest"),
        answered("q1", f'"{question}"="Rust"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == ["Ingest: Rust."]


def test_a_label_that_says_nothing_alone_is_told_by_its_description(tmp_path: Path) -> None:
    question = "缓存层你倾向哪种做法？A 最快但不共享；B 共享但慢一些。"
    records = [
        asked_with("q1", question, CACHE_OPTIONS, header="缓存层级"),
        answered("q1", f'"{question}"="A+B 组合"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == ["缓存层级: 进程内缓存在前，Redis 兜底，两级命中."]


def test_an_options_letter_is_left_out_of_the_decision(tmp_path: Path) -> None:
    question = "缓存层你倾向哪种做法？"
    records = [
        asked_with("q1", question, CACHE_OPTIONS, header="缓存层级"),
        answered("q1", f'"{question}"="B. 只用 Redis"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == ["缓存层级: 只用 Redis (所有实例共享，多一次网络往返)."]


@pytest.mark.parametrize(
    "label", ["Option 2", "Both", "2", "All of the above", "方案二", "两者都要"]
)
def test_a_label_that_says_nothing_with_nothing_to_tell_it_is_no_decision(
    tmp_path: Path, label: str
) -> None:
    question = "Which queue should the workers read from?"
    options = [("SQS", ""), ("Kafka", ""), (label, "")]
    records = [
        asked_with("q1", question, options, header="Work queue"),
        answered("q1", f'"{question}"="{label}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


def test_options_picked_together_each_keep_their_reason(tmp_path: Path) -> None:
    question = "Which checks should run before each merge? Pick any."
    options = [
        ("ruff", "Lint and format in one tool"),
        ("mypy --strict", "Types checked everywhere"),
        ("pytest", ""),
    ]
    records = [
        asked_with("q1", question, options, header="Merge checks"),
        answered("q1", f'"{question}"="ruff, mypy --strict, pytest"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [
        "Merge checks: ruff (Lint and format in one tool); mypy --strict (Types checked "
        "everywhere); pytest."
    ]


def test_an_options_description_too_long_is_never_cut(tmp_path: Path) -> None:
    """Its aside in brackets dropped when that makes it fit, else the label alone."""
    question = "Which checks should run before each merge? Pick any."
    options = [
        ("ruff", "Lint and format in one tool (replaces flake8, isort, black and pyupgrade)"),
        ("mypy --strict", "Types checked everywhere, the tests and the scripts included as well"),
        ("pytest", ""),
    ]
    records = [
        asked_with("q1", question, options, header="Merge checks"),
        answered("q1", f'"{question}"="ruff, mypy --strict, pytest"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [
        "Merge checks: ruff (Lint and format in one tool); mypy --strict; pytest."
    ]


def test_options_picked_as_todays_improvements_decide_nothing(tmp_path: Path) -> None:
    question = "What improvements would you like to make to the dashboard?"
    options = [
        ("Better layout", "Cards in a grid"),
        ("Richer data", "Show owners and last run"),
        ("Search", "Filter by tag"),
    ]
    records = [
        asked_with("q1", question, options, header="Improvements"),
        answered("q1", f'"{question}"="Better layout, Richer data"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


@pytest.mark.parametrize(
    ("question", "label", "why"),
    [
        ("你对这次重构的期望目标是什么？这决定了改动的范围", "长期可维护", "模块边界清晰，测试齐全"),
        ("What are you hoping to get out of the new dashboard?", "Fewer support tickets", ""),
        ("What is your main goal for the rewrite?", "Speed", "Pages load under a second"),
        ("Quel est ton objectif pour cette refonte ?", "La vitesse", "Des pages plus rapides"),
    ],
)  # fmt: skip
def test_the_users_goal_asked_is_no_decision(
    tmp_path: Path, question: str, label: str, why: str
) -> None:
    records = [
        asked_with("q1", question, [(label, why), ("Other", "")], header="Goal"),
        answered("q1", f'"{question}"="{label}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


def test_the_source_reader_keeps_each_questions_header(tmp_path: Path) -> None:
    question = "Where should uploads be kept?"
    path = _write(tmp_path, [asked_with("q1", question, [("S3", "Shared")], header="Uploads")])
    (call,) = [e for e in parse_file(path, path.parent).events if e.kind is EventKind.TOOL_CALL]
    assert call.text.split("\n") == [question, "topic: Uploads", "- S3\tShared"]


def test_an_option_is_one_line_its_label_whole_with_or_without_a_description(
    tmp_path: Path,
) -> None:
    """A label holding a colon and no description stays the label; a description written
    over several lines ("Pros:\n- fast") stays on its option's line (no option of its own)."""
    options = [("Option A: Redis", ""), ("Postgres", "Pros:\n- durable\n- shared")]
    path = _write(tmp_path, [asked_with("q1", "Which store?", options, header="Store")])
    (call,) = [e for e in parse_file(path, path.parent).events if e.kind is EventKind.TOOL_CALL]
    assert call.text.split("\n") == [
        "Which store?",
        "topic: Store",
        "- Option A: Redis\t",
        "- Postgres\tPros: - durable - shared",
    ]


# The option the question named and the user left is said only of a choice of one option,
# and never when the choice itself names it.
@pytest.mark.parametrize(
    ("question", "options", "answer", "line"),
    [
        (
            "Should the page cache use Redis or Memcached?",
            [("Redis", "Persistent"), ("Memcached", "Simple")],
            "Redis, Memcached",
            "Page cache: Redis (Persistent); Memcached (Simple).",
        ),
        (
            "Postgres or SQLite for the local queue?",
            [("Postgres", "Shared server"), ("SQLite", "One file")],
            "Keep it in SQLite with WAL turned on",
            "Page cache: Keep it in SQLite with WAL turned on.",
        ),
        (
            "Postgres or SQLite for the local queue?",
            [("Postgres", "Shared server"), ("SQLite", "One file")],
            "SQLite, but Postgres once it is deployed",
            "Page cache: SQLite, but Postgres once it is deployed.",
        ),
    ],
)
def test_the_option_left_is_named_only_beside_one_option_picked(
    tmp_path: Path, question: str, options: list[tuple[str, str]], answer: str, line: str
) -> None:
    records = [
        asked_with("q1", question, options, header="Page cache"),
        answered("q1", f'"{question}"="{answer}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [line]


@pytest.mark.parametrize(
    "label", ["C++", "C/C++", "C#", "3.12", "2.0", "3000", "8080", "20", "Q&A"]
)
def test_a_short_name_or_a_number_is_a_choice_not_a_label_that_says_nothing(
    tmp_path: Path, label: str
) -> None:
    question = "What should the new service be built with?"
    options = [(label, "Fast, mature toolchains"), ("Other thing", "")]
    records = [
        asked_with("q1", question, options, header="Build"),
        answered("q1", f'"{question}"="{label}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [f"Build: {label} (Fast, mature toolchains)."]


@pytest.mark.parametrize(
    "label", ["Option 2", "Option B", "A+B 组合", "A & B", "1", "Both", "方案二", "1 and 3"]
)
def test_a_label_of_letters_numbers_and_joining_words_says_nothing(label: str) -> None:
    assert opaque(label)


@pytest.mark.parametrize("label", ["option " * 200 + "!", "A+" * 150 + "!", "1 " * 150 + "?"])
def test_a_long_answer_near_a_label_that_says_nothing_is_read_at_once(label: str) -> None:
    # each piece of the label read once: no pattern tries its words again in every grouping
    assert not opaque(label)
    assert opaque(label[:-1])


def test_the_longest_label_the_answer_starts_with_tells_the_choice(tmp_path: Path) -> None:
    question = "Which store should hold the rate-limit counters?"
    options = [("Redis", "One node, simple"), ("Redis Cluster", "Sharded, survives a node loss")]
    records = [
        asked_with("q1", question, options, header="Rate-limit store"),
        answered("q1", f'"{question}"="Redis Cluster"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [
        "Rate-limit store: Redis Cluster (Sharded, survives a node loss)."
    ]


def test_a_label_with_a_colon_keeps_its_description_apart(tmp_path: Path) -> None:
    question = "Which cache should the API put in front of the database?"
    options = [("Option A: Redis", "Fast and persistent"), ("Option B: none", "Fewer parts")]
    records = [
        asked_with("q1", question, options, header="API cache"),
        answered("q1", f'"{question}"="Option A: Redis"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == ["API cache: Option A: Redis (Fast and persistent)."]


def test_options_written_by_an_older_reader_are_still_read() -> None:
    asked = "Which queue?\ntopic: Queue\n- SQS: Managed by AWS\n- Kafka: Replayable"
    (block,) = asked_questions(asked)
    assert block.options == (("SQS", "Managed by AWS"), ("Kafka", "Replayable"))


@pytest.mark.parametrize(
    ("question", "header", "line"),
    [
        (
            "How should the API limit each client's requests?",
            "Approach",
            "How should the API limit each client's requests? Token bucket (Smooths bursts).",
        ),
        ("文件同步用哪种方式？", "方案", "文件同步用哪种方式？Token bucket (Smooths bursts)."),
        (
            "How are releases cut?",
            "Strategy",
            "How are releases cut? Token bucket (Smooths bursts).",
        ),
        (  # the context the question opened with is no topic: the sentence that asks is
            "接口限流目前只在网关做，每个服务自己没有任何保护，高峰期经常被单个客户端打满，"
            "已经出现过两次线上故障。你倾向哪种限流方案？",
            "方案",
            "你倾向哪种限流方案？Token bucket (Smooths bursts).",
        ),
        (  # the sentence that asks names nothing ("which improvement strategy?"): the whole
            # question is kept
            "限流上限写死在网关里，高峰期会误伤正常请求。你倾向哪种改进策略？",
            "方案",
            "限流上限写死在网关里，高峰期会误伤正常请求。你倾向哪种改进策略？Token bucket "
            "(Smooths bursts).",
        ),
        (
            "The limit is hard-coded in the gateway. Which approach do you prefer?",
            "Approach",
            "The limit is hard-coded in the gateway. Which approach do you prefer? Token bucket "
            "(Smooths bursts).",
        ),
        (  # the sentence that asks points back at the context: the whole question is kept
            "The gateway has a fixed window and utils a token bucket. Should the public API "
            "keep one of them?",
            "Choice",
            "The gateway has a fixed window and utils a token bucket. Should the public API "
            "keep one of them? Token bucket (Smooths bursts).",
        ),
    ],
)
def test_a_generic_header_leaves_the_question_as_the_topic(
    tmp_path: Path, question: str, header: str, line: str
) -> None:
    options = [("Token bucket", "Smooths bursts"), ("Fixed window", "")]
    records = [
        asked_with("q1", question, options, header=header),
        answered("q1", f'"{question}"="Token bucket"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [line]


def test_a_projects_target_asked_in_japanese_is_a_decision(tmp_path: Path) -> None:
    question = "テストカバレッジの目標はどのくらいにしますか？"
    options = [("80%以上", "主要な分岐を押さえる"), ("100%", "")]
    records = [
        asked_with("q1", question, options, header="カバレッジ"),
        answered("q1", f'"{question}"="80%以上"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == ["カバレッジ: 80%以上 (主要な分岐を押さえる)."]
    goal = "あなたの目標は何ですか？"
    records = [
        asked_with("q1", goal, options, header="目標"),
        answered("q1", f'"{goal}"="80%以上"'),
        *BUILT,
    ]
    assert decisions(tmp_path / "goal", records) == []


def test_mine_reads_no_format_reader() -> None:
    mine = Path(__file__).parents[2] / "src" / "metis_distill" / "mine"
    readers = [p.name for p in mine.glob("*.py") if "metis_distill.sources" in p.read_text()]
    assert readers == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # the user's own data asked for: their git identity, account, key, a path or host of
        # theirs; a fact about them, decided by nobody, and no line may carry it
        ("提交前要先设置 Git 身份。请提供你的 Git 用户名和邮箱地址？", "使用 lin-dev"),
        ("Git 还没有配置用户名和邮箱，用哪个？", "lin-dev"),
        ("你的 GitHub 用户名是什么？", "lin-dev"),
        ("请输入您的数据库密码", "留空"),
        ("What is your GitHub username?", "lin-dev"),
        ("Please provide the email address for your npm account.", "Use the work one"),
        ("Which name and e-mail should git commit as?", "My usual ones"),
        ("What's the path to your notes vault?", "D:/notes"),
        ("What is your Supabase project URL?", "The staging project"),
        ("Could you share your API key for the maps service?", "Use the one in .env"),
        ("あなたのGitHubユーザー名を教えてください？", "lin-dev"),
        ("Git のユーザー名とメールアドレスは？", "いつもの"),
        # the settings of a thing made once today: a new repository's visibility or
        # description, a release's version number, a branch's or a project's name
        ("仓库可见性？", "Private"),
        ("新仓库设为公开还是私有？", "私有"),
        ("Should the new repository be public or private?", "Private"),
        ("What visibility should the GitHub repo have?", "Public"),
        ("リポジトリの公開設定はどうしますか？", "非公開"),
        ("仓库描述写什么？", "一个线索调研工具"),
        ("What version number should this release get?", "1.4.0"),
        ("发布用哪个版本号？", "v2.0.0"),
        ("リリースのバージョン番号はどうしますか？", "1.0.0"),
        ("What should the branch name be?", "feat/export"),
        ("分支名用什么？", "feat/export"),
        ("ブランチ名は何にしますか？", "feat/export"),
        ("What's the project name?", "ledger-lite"),
        ("Should the repo we are creating now be public?", "No"),
        ("What description should the new GitHub repository get?", "A lead research tool"),
        ("Which one for the repository: Public or Private?", "Private"),
        ("新建的仓库要公开吗？", "不公开"),
        ("I'll push it to a GitHub repo. Public or private?", "Private"),
        ("Git needs a name and an e-mail to commit. Which ones should I use?", "My usual ones"),
    ],
)
def test_the_users_own_data_or_a_setting_of_a_thing_made_once_decides_nothing(
    question: str, answer: str
) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    "question",
    [
        "Which versioning scheme should releases follow?",
        "版本号规则用 semver 还是日期？",
        "How should users' email addresses be validated?",
        "Which field should users sign in with, user name or e-mail?",
        "Where should your API key be stored: an env var or the keychain?",
        "Which email provider should send the receipts?",
        "Should the new endpoints be public or behind auth?",
        "パスワードは何文字以上にしますか？",
        "你的服务的密码应该怎么存？",
        # a standing way asked near a release's number, a repository's words, a path, a host
        # or a git identity: the rule every later one follows, not one thing made today
        "How should we bump the version number: semver or calver?",
        "Should private repo dependencies be fetched over SSH or HTTPS?",
        "Should the repository's README include a description of the public API?",
        "What is your preferred host for the docs: GitHub Pages or Netlify?",
        "What's your preferred path for build outputs?",
        "What is your target host for production?",
        "Which git identity should CI commits use when tagging?",
        "Should the git author of release commits be the release bot?",
        "What's the branch name pattern for features?",
        "私有仓库的依赖用 SSH 还是 HTTPS 拉取？",
        # the asking sentence is what counts, not what the question opens with
        "The version number lives in pyproject.toml. Where should the changelog live?",
        "You can send me your API key. Should retries back off exponentially?",
    ],
)
def test_a_lasting_choice_near_the_users_data_or_a_release_stays_a_decision(
    question: str,
) -> None:
    assert len(answers(answer_event(question, "PostgreSQL"))) == 1


@pytest.mark.parametrize(
    ("options", "answer"),
    [
        # an option that gives an address or a login: the user's identity, never a line
        ([("Team inbox", "ops-team@example.org"), ("Nobody", "")], "Team inbox"),
        ([("使用 lin-dev", "用户名: lin-dev"), ("自定义", "")], "使用 lin-dev"),
        ([("SQS", ""), ("Kafka", "")], "SQS, alerts to jane.roe@example.com"),
    ],
)
def test_a_decision_never_carries_an_address_or_a_login(
    tmp_path: Path, options: list[tuple[str, str]], answer: str
) -> None:
    question = "Which queue should the failure alerts go through?"
    records = [
        asked_with("q1", question, options, header="Alerts"),
        answered("q1", f'"{question}"="{answer}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


def test_a_git_identity_and_a_repositorys_visibility_asked_while_publishing_decide_nothing(
    tmp_path: Path,
) -> None:
    identity = "提交需要 Git 用户名和邮箱。请提供你的 Git 用户名和邮箱地址？"
    mine = ("使用 lin-dev", "用户名: lin-dev，邮箱: lin-dev@users.noreply.github.com")
    visibility = "仓库可见性？"
    records = [
        asked_with("q1", identity, [mine, ("自定义", "提供自定义的用户名和邮箱")], "Git Config"),
        answered("q1", f'"{identity}"="使用 lin-dev"'),
        *BUILT,
        asked_with("q2", visibility, [("Public", "所有人可见"), ("Private", "仅你可见")], "可见性"),
        answered("q2", f'"{visibility}"="Private"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


def test_an_answer_holding_quotes_is_read_whole() -> None:
    """The user's own words may quote a word ("local" and "remote"): the answer ends at the
    quote that closes it, not at the first one inside it."""
    said = 'Use one "remote" mode beside "local", for every service'
    (answer,) = answers(answer_event("Which deploy modes should the service support?", said))
    assert answer.choice == said


def test_answers_and_notes_holding_quotes_are_each_read_whole() -> None:
    body = (
        '"Which queue should jobs use?"="Redis" user notes: the "jobs" stream, never lists, '
        '"How are errors reported to clients?"="RFC 7807, with a "trace" field"'
    )
    text = f"User has answered your questions: {body}. You can now continue."
    event = replace(answer_event("q?", "a"), text=text)
    assert [(a.question, a.choice) for a in answers(event)] == [
        ("Which queue should jobs use?", 'Redis (the "jobs" stream, never lists)'),
        ("How are errors reported to clients?", 'RFC 7807, with a "trace" field'),
    ]


def test_an_answer_with_the_preview_it_selected_is_read() -> None:
    """The preview shown beside the option picked follows the answer: the pair is read,
    its question's quotes and all."""
    body = '"How should the "sync" command lay out its files?"="One file per command" '
    body += "selected markdown:\n# sync\ncommands/sync.md"
    text = f"User has answered your questions: {body}. You can now continue."
    (answer,) = answers(replace(answer_event("q?", "a"), text=text))
    assert answer.question == 'How should the "sync" command lay out its files?'
    assert answer.choice == "One file per command"


def test_a_question_holding_quotes_is_read() -> None:
    question = 'Should the "staging" database be Postgres or SQLite?'
    (answer,) = answers(answer_event(question, "Postgres, like production"))
    assert (answer.question, answer.choice) == (question, "Postgres, like production")


@pytest.mark.parametrize(
    "answer",
    [
        "i think we should probably use Redis",
        "Probably Postgres",
        "maybe SQLite, it is simpler",
        "Perhaps one queue per tenant",
        "也许用 Redis",
    ],
)
def test_a_hedged_answer_is_no_decision(answer: str) -> None:
    assert answers(answer_event("Which queue should jobs use?", answer)) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # the agent confirming what the user just said: the choice of the task at hand
        (
            "To confirm: You want to merge the two config files (dev/prod) into one?",
            "Yes - merge into a single config file",
        ),
        ("Just to confirm, you want the nightly export dropped?", "Yes, drop the export"),
        ("So you want the cache moved from Redis to memory?", "Yes - in-memory cache"),
        ("确认一下：你想把三个环境合并成两个吗？", "是的，合并成 local 和 remote"),
        # how to go about one numbered phase of the session's plan, naming nothing to choose
        (
            "Phase 3 (Billing) needs a payment provider account. What approach do you want?",
            "Stub the provider with fixtures",
        ),
        ("Step 2 is the data import. Which approach should we take?", "Import from CSV dumps"),
        # what one numbered part of the plan is to do
        ("What should Phase 3 accomplish now that billing is stubbed?", "Stub + billing docs"),
        ("Which of the open tasks go into milestone 2?", "Search and export"),
    ],
)
def test_a_confirmation_or_the_way_through_a_phase_of_the_plan_decides_nothing(
    question: str, answer: str
) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Which deploy modes should the service support?", "Only local and remote, always"),
        # a phase of the plan named, the question naming what is chosen: a choice that stands
        ("Phase 3 adds billing. Which payment provider should the shop use?", "Stripe"),
        # the agent's confirming words are no confirmation of the user's
        ("Should the exports be confirmed by e-mail or in the app?", "In the app"),
    ],
)
def test_a_plain_choice_beside_these_stays_a_decision(question: str, answer: str) -> None:
    assert len(answers(answer_event(question, answer))) == 1


def test_a_hedged_cut_answer_to_a_phase_and_its_confirmation_decide_nothing(
    tmp_path: Path,
) -> None:
    """The run's shape: how to go about a phase of the plan, answered in the user's own
    hedged words holding a quoted word; then the agent's confirmation of it, answered "Yes -"
    and the option restated."""
    phase = "Phase 2 (Cloud) needs an account on the provider. What approach do you want?"
    confirm = "To confirm: You want to merge staging and prod into one environment?"
    said = (
        'i think we should probably have just one "cloud" environment instead of staging and '
        "prod for now, using whatever database it is deployed with"
    )
    records = [
        say("user", "Go on with the plan."),
        ask("q1", [(phase, ["Write a guide", "Script it"])]),
        answered("q1", f'"{phase}"="{said}"'),
        ask("q2", [(confirm, ["Yes - one environment", "Keep both"])]),
        answered("q2", f'"{confirm}"="Yes - one environment"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


def answered_text(body: str) -> Event:
    """A result whose pairs are written whole, as `body` gives them."""
    text = f"User has answered your questions: {body}. You can now continue."
    return replace(answer_event("q?", "a"), text=text)


# Plain words closing long notes: farther than a question may run from the next pair's `"="`.
CLOSING = " and so on" * 420


@pytest.mark.parametrize(
    ("notes", "choice"),
    [
        # a long run of blanks inside the notes, then the user's words
        (" " * 40_000 + "with one stream per tenant", "Redis (with one stream per tenant)"),
        # what could open a pair, over and over, never one: notes too long to keep
        (', "' * 14_000 + CLOSING, None),
        ('. , "x' * 7_000 + CLOSING, None),
        ("." + " " * 40_000 + CLOSING, None),
    ],
)
def test_long_notes_are_read_through_to_the_next_pair(notes: str, choice: str | None) -> None:
    """Notes are read once, whatever they hold: the pair after them is still found (each
    position of the notes is not read again to its end)."""
    body = (
        f'"Which queue should jobs use?"="Redis" user notes: {notes}, '
        '"How are errors reported to clients?"="RFC 7807"'
    )
    found = [(a.question, a.choice) for a in answers(answered_text(body))]
    first = [("Which queue should jobs use?", choice)] if choice else []
    assert found == [*first, ("How are errors reported to clients?", "RFC 7807")]


def test_answers_holding_long_runs_of_blanks_are_each_read() -> None:
    body = ", ".join(
        f'"Which queue should job kind {n} use?"="Redis{" " * 3_900}streams"' for n in range(10)
    )
    assert {a.choice for a in answers(answered_text(body))} == {"Redis streams"}


@pytest.mark.parametrize(
    "body",
    [
        '"Which queue should jobs use?"="", "How are errors reported to clients?"="RFC 7807"',
        '"Which queue should jobs use?"="" user notes: , '
        '"How are errors reported to clients?"="RFC 7807"',
    ],
)
def test_an_empty_answer_leaves_the_pairs_after_it_their_own(body: str) -> None:
    """An answer left empty decides nothing, and the next pair is still its own: not read as
    the empty answer's words."""
    assert [(a.question, a.choice) for a in answers(answered_text(body))] == [
        ("How are errors reported to clients?", "RFC 7807")
    ]


PARSER_ERRORS = "How should the parsers report bad input?"
PARSER_OPTIONS = [
    ("Return Maybe values, never throw", "Callers match on the result"),
    ("Throw ParseError", "One handler at the top"),
]


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        # the hedging word is the agent's, in the option it offered: a choice made
        ("Return Maybe values, never throw", "Return Maybe values, never throw"),
        # the user's own words hedge: in their notes, or typed instead of an option
        ("Throw ParseError user notes: probably, unless it gets slow", None),
        ("maybe Maybe values, not sure yet", None),
    ],
)
def test_a_hedge_is_read_in_the_users_words_only(
    tmp_path: Path, answer: str, kept: str | None
) -> None:
    if " user notes: " in answer:
        said, notes = answer.split(" user notes: ")
        body = f'"{PARSER_ERRORS}"="{said}" user notes: {notes}'
    else:
        body = f'"{PARSER_ERRORS}"="{answer}"'
    records = [
        asked_with("q1", PARSER_ERRORS, PARSER_OPTIONS, header="Parse errors"),
        answered("q1", body),
        *BUILT,
    ]
    found = decisions(tmp_path, records)
    assert found == ([f"Parse errors: {kept} (Callers match on the result)."] if kept else [])


def test_a_hedging_word_in_the_option_picked_by_number_is_the_agents(tmp_path: Path) -> None:
    asked = (
        "The parsers throw on bad input today, which crashes the importer. How should they "
        "report it from now on?\n1. Return Maybe values, never throw\n2. Or throw one "
        "`ParseError` caught at the top?"
    )
    (decision,) = numbered_decisions(tmp_path, asked, "1")
    assert decision.endswith("Return Maybe values, never throw.")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # what to do with the item at hand: a step of today's work, whatever its option
        ("What would you like to do with this backlog item?", "Start on it now"),
        ("What do you want to do about these two tickets?", "Close both as duplicates"),
        # how the work's findings are filed: separate or bundled, a parent with sub-issues
        (
            "SEC-02 and SEC-05 both touch the login form. Should I file them as separate "
            "tickets or as one combined ticket?",
            "One combined ticket",
        ),
        (
            "Nine lint findings remain. Should I make one parent ticket with sub-tasks, or one "
            "ticket per finding?",
            "One ticket per finding",
        ),
        (
            "CACHE-1 (stale entries after a deploy) is a data-loss risk. Should it be filed as "
            "a reliability bug or as tech debt?",
            "File it as a reliability bug, with the p1 label",
        ),
        ("Should I create issues for the three slow queries?", "One issue each"),
        # the question opening with the finding's id, then asking how to go on
        ("PERF-07: slow report query — should I create an issue for it?", "Create the issue"),
        ("DOC-2: the README is out of date. DOC-3: so is the wiki — should I update both?",
         "Update both, README first"),
        # what matters now, in the question or in the answer: today's order of work
        ("Auth hardening or the dashboard redesign — which matters more to you right now?",
         "Dashboard redesign"),
        ("Which of the two refactors should get the most attention?",
         "The parser (it is the current priority)"),
        ("How should the orders table evolve?", "Keep one table (no split now, add indexes)"),
        # a question whose asking sentence holds "e.g.": read whole, it asks how to go on
        (
            "So far one rule was stated (no emoji in commit subjects). Should I also add the "
            "rules I inferred from the plan (e.g. squash merges, signed tags)?",
            "Look through the older sessions too",
        ),
        (
            "One convention is explicit so far. Should I also include the inferred ones "
            "(e.g. draft PRs, i.e. never ready for review at once)?",
            "Read the earlier sessions as well",
        ),
    ],
)  # fmt: skip
def test_how_todays_item_or_its_tickets_are_handled_decides_nothing(
    question: str, answer: str
) -> None:
    assert answers(answer_event(question, answer)) == []


@pytest.mark.parametrize(
    "question",
    [
        # a lasting choice near those words stays one
        "Which tracker should the project's bugs go to, GitHub Issues or Linear?",
        "What should the service do with a request whose token has expired?",
        "How should amounts be stored from now on?",
        "ORD-4: which currency type should amounts use, integer cents or Decimal?",
        "Logs currently go to stdout. Which sink should the workers use (e.g. Loki, Datadog)?",
        # the tracker's words before the sentence that asks, or a kind of input judged
        "The audit found two separate issues in the parser. Which parser generator should we "
        "adopt?",
        "Should empty input be treated as a bug or as a valid empty list?",
    ],
)
def test_a_lasting_choice_beside_items_tickets_and_ids_stays_a_decision(question: str) -> None:
    assert len(answers(answer_event(question, "Postgres, for every environment"))) == 1


@pytest.mark.parametrize("tag", ["(Rec.)", "(Rec)", "(recommended)", "（推荐）"])
def test_a_recommended_tag_of_any_spelling_marks_the_agents_proposal(tag: str) -> None:
    question = "Which database should the service use?"
    assert answers(answer_event(question, f"PostgreSQL {tag}")) == []
    event = answer_event(question, f"PostgreSQL {tag}")
    noted = event.text.replace(". You can", " user notes: with row-level security. You can")
    (found,) = answers(replace(event, text=noted))
    assert found.choice == "PostgreSQL (with row-level security)"


def test_a_recommended_tag_never_reaches_the_line(tmp_path: Path) -> None:
    question = "Which stores should the sessions use?"
    options = [("Redis (Rec.)", "Expires on its own"), ("Postgres", "One store fewer")]
    records = [
        asked_with("q1", question, options, header="Session store"),
        answered("q1", f'"{question}"="Redis (Rec.), Postgres"'),
        *BUILT,
    ]
    (line,) = decisions(tmp_path, records)
    assert "Rec" not in line and line.startswith("Session store: Redis")


def test_an_option_described_as_the_current_priority_decides_nothing(tmp_path: Path) -> None:
    question = "Which store should keep the sessions?"
    options = [
        ("Redis", "Latency is the current priority"),
        ("Postgres", "One database to run and back up"),
    ]
    records = [
        asked_with("q1", question, options, header="Sessions"),
        answered("q1", f'"{question}"="Redis"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []
    records[1] = answered("q1", f'"{question}"="Postgres"')
    assert decisions(tmp_path, records) == ["Sessions: Postgres (One database to run and back up)."]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Should we bundle the frontend with Vite or esbuild?", "Vite, for every package"),
        ("Should we also include the tenant id in every log line?", "Yes, as a structured field"),
    ],
)
def test_a_project_choice_worded_like_todays_filing_or_writing_is_still_asked(
    question: str, answer: str
) -> None:
    assert len(answers(answer_event(question, answer))) == 1


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("When a test is flaky, should I retry it or mark it skipped?", "Mark it skipped"),
        ("For every new endpoint, do you want me to add an OpenAPI entry?", "Yes, always"),
        ("Before each release, should we run the e2e suite?", "Yes, always"),
    ],
)
def test_a_question_led_by_a_recurring_condition_decides_a_standing_way(
    question: str, answer: str
) -> None:
    """ "When …", "for every …", "before each …": the answer holds each time, no go-ahead."""
    assert answers(answer_event(question, answer)) != []


def test_a_yes_or_no_picked_is_told_with_the_question_not_the_header(tmp_path: Path) -> None:
    """The header names the feature, the question what was asked of it: "Yes, …" answers
    the question."""
    question = "Should the importer drop duplicate rows silently? It logs nothing today."
    options = [("Yes, drop them", "The import stays idempotent"), ("No, fail the import", "")]
    records = [
        asked_with("q1", question, options, header="Importer"),
        answered("q1", f'"{question}"="Yes, drop them"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [
        "Should the importer drop duplicate rows silently? Yes, drop them (The import stays "
        "idempotent)."
    ]


@pytest.mark.parametrize(
    ("question", "header", "options", "line"),
    [
        (
            "What tone should the support bot take with customers?",
            "Tone",
            [("Warm", "Greets each customer by name"), ("Neutral", "")],
            "What tone should the support bot take with customers? Warm (Greets each customer "
            "by name).",
        ),
        (
            "أي لهجة يستخدمها البوت في الردود؟",
            "اللهجة",
            [("شامي", "لهجة بلاد الشام"), ("فصحى", "")],
            "أي لهجة يستخدمها البوت في الردود؟ شامي (لهجة بلاد الشام).",
        ),
    ],
)
def test_how_something_speaks_is_told_with_the_question_that_names_the_speaker(
    tmp_path: Path, question: str, header: str, options: list[tuple[str, str]], line: str
) -> None:
    """ "Tone: Warm" alone reads as how the agent should talk to the user."""
    records = [
        asked_with("q1", question, options, header=header),
        answered("q1", f'"{question}"="{options[0][0]}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [line]


@pytest.mark.parametrize(
    ("question", "header", "options"),
    [
        ("How long should replies be?", "Reply length", [("Short", "Three bullets"), ("Long", "")]),
        ("What's your tone in English?", "Tone EN", [("Direct", "No small talk"), ("Warm", "")]),
        ("ما طول الردود المناسب؟", "طول الرد", [("قصير", "ثلاث نقاط"), ("مفصل", "")]),
        ("ما أسلوبك بالإنجليزية؟", "Tone EN", [("Direct", "بدون مقدمات"), ("Warm", "")]),
    ],
)
def test_how_something_speaks_with_no_speaker_named_decides_nothing(
    tmp_path: Path, question: str, header: str, options: list[tuple[str, str]]
) -> None:
    records = [
        asked_with("q1", question, options, header=header),
        answered("q1", f'"{question}"="{options[0][0]}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


def test_a_header_naming_whose_style_it_is_stays_the_topic(tmp_path: Path) -> None:
    question = "Which formatter should the project use?"
    options = [("Black", "No settings to argue over"), ("YAPF", "")]
    records = [
        asked_with("q1", question, options, header="Code style"),
        answered("q1", f'"{question}"="Black"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == ["Code style: Black (No settings to argue over)."]


DATA_SOURCES = [
    ("I'll upload a CSV", "A file with last month's orders"),
    ("Read the staging database", "The orders table, refreshed nightly"),
    ("I'll go with the staging replica", ""),
    ("I'll always use the nightly export", ""),
]
DATA_SOURCES_AR = [
    ("سأرفع ملف CSV", "ملف فيه طلبات الشهر الماضي"),
    ("هبعت ملف CSV", "هبعتلك الملف في الشات"),
    ("قاعدة بيانات الاختبار", "جدول الطلبات، يتحدث كل ليلة"),
]


@pytest.mark.parametrize(
    ("question", "options", "picked"),
    [
        ("Where should the report read its orders from?", DATA_SOURCES, 0),
        ("من أين يقرأ التقرير الطلبات؟", DATA_SOURCES_AR, 0),
        ("من أين يقرأ التقرير الطلبات؟", DATA_SOURCES_AR, 1),
    ],
)
def test_the_users_own_act_to_come_picked_decides_nothing(
    tmp_path: Path, question: str, options: list[tuple[str, str]], picked: int
) -> None:
    """ "I'll upload a CSV", "سأرفع ملف", "هبعت ملف": an input the user gives today."""
    records = [
        asked_with("q1", question, options, header="Data source"),
        answered("q1", f'"{question}"="{options[picked][0]}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []


@pytest.mark.parametrize(
    ("question", "options", "picked", "line"),
    [
        (
            "Where should the report read its orders from?",
            DATA_SOURCES,
            1,
            "Data source: Read the staging database (The orders table, refreshed nightly).",
        ),
        (  # a pick said in the first person is still a pick
            "Where should the report read its orders from?",
            DATA_SOURCES,
            2,
            "Data source: I'll go with the staging replica.",
        ),
        (
            "Where should the report read its orders from?",
            DATA_SOURCES,
            3,
            "Data source: I'll always use the nightly export.",
        ),
        (
            "من أين يقرأ التقرير الطلبات؟",
            DATA_SOURCES_AR,
            2,
            "Data source: قاعدة بيانات الاختبار (جدول الطلبات، يتحدث كل ليلة).",
        ),
    ],
)
def test_a_source_that_lasts_stays_a_decision(
    tmp_path: Path, question: str, options: list[tuple[str, str]], picked: int, line: str
) -> None:
    records = [
        asked_with("q1", question, options, header="Data source"),
        answered("q1", f'"{question}"="{options[picked][0]}"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [line]


def test_options_picked_as_todays_improvements_in_arabic_decide_nothing(tmp_path: Path) -> None:
    question = "إيه اللي عايز تحسّنه في لوحة التحكم؟"
    options = [("تصميم أوضح", "بطاقات في شبكة"), ("بحث", "تصفية حسب الوسم"), ("تصدير", "")]
    records = [
        asked_with("q1", question, options, header="نوع التحسين"),
        answered("q1", f'"{question}"="تصميم أوضح,بحث"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == []
    lasting = "أي قاعدة بيانات يستخدمها التطبيق؟"
    records = [
        asked_with(
            "q1", lasting, [("PostgreSQL", "معاملات آمنة"), ("SQLite", "")], "قاعدة البيانات"
        ),
        answered("q1", f'"{lasting}"="PostgreSQL"'),
        *BUILT,
    ]
    assert decisions(tmp_path / "lasting", records) == [
        "قاعدة البيانات: PostgreSQL (معاملات آمنة)."
    ]


def test_an_option_opening_with_a_hyphenated_no_keeps_its_header(tmp_path: Path) -> None:
    """ "No-op" is a label, not a "No, …" said to the question."""
    question = "When a job fails, should the worker retry it?"
    options = [("No-op", "Leave the job failed; an operator requeues it"), ("Retry", "Three times")]
    records = [
        asked_with("q1", question, options, header="Failed jobs"),
        answered("q1", f'"{question}"="No-op"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [
        "Failed jobs: No-op (Leave the job failed), not “Retry”."
    ]


@pytest.mark.parametrize(
    ("header", "topic"),
    [
        # a word any question could wear, in Portuguese, Spanish, French, German, Russian
        ("Escopo", "O que o pre-push hook deve formatar?"),
        ("Enfoque", "O que o pre-push hook deve formatar?"),
        ("Portée", "O que o pre-push hook deve formatar?"),
        ("Umfang", "O que o pre-push hook deve formatar?"),
        ("Подход", "O que o pre-push hook deve formatar?"),
        # a header that names what was decided stays the topic
        ("Pre-push", "Pre-push:"),
    ],
)
def test_a_header_that_names_no_topic_in_any_language_gives_way_to_the_question(
    tmp_path: Path, header: str, topic: str
) -> None:
    question = "O que o pre-push hook deve formatar?"
    options = [
        ("Arquivos modificados", "Tudo que mudou"),
        ("Apenas commits novos", "Só o não enviado"),
    ]
    records = [
        asked_with("q1", question, options, header=header),
        answered("q1", f'"{question}"="Apenas commits novos"'),
        *BUILT,
    ]
    assert decisions(tmp_path, records) == [f"{topic} Apenas commits novos (Só o não enviado)."]
