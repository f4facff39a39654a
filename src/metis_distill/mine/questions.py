"""The user's answers to the questions the agent asked with options (Claude Code's
AskUserQuestion tool, or numbered options in the agent's words answered with their number):
each answer is a choice the user made, told in the run itself.

A question about how to go on with today's work ("Should I commit?", "Which first?"), one
asking for the user's own data (their git name and e-mail, a key) or a setting of what is made
once today (a new repository's visibility), the agent confirming the answer just given ("To
confirm: you want …?"), the way through one numbered phase of the plan, or an answer that only
agrees or declines ("Yes", "Skip") or hedges in the user's own words ("probably …"; not the
label of an option offered: "Return Maybe values") decides nothing that lasts, and is left out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from metis_distill.homes import has_address
from metis_distill.mine.speakers import bare_attribute, names_speaker
from metis_distill.mine.text import shorten
from metis_distill.models import OPTION_LINE, OPTION_REASON, TOPIC_LINE, Event, EventKind

ASK_TOOL = "AskUserQuestion"
MAX_QUESTION = 160  # characters of the question kept: its first sentence
MAX_ANSWER = 300
MAX_REASON = 100  # characters of the chosen option's description kept
MAX_EACH_REASON = 60  # the same, of each of several options picked together
# Where the first clause of an option's description ends.
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+|[。！？；;]")
SHORT_QUESTION = 30  # characters under which a question takes the sentence before it along
MIN_QUOTE = 8  # a shorter answer is not found in its file unambiguously: the question is quoted

ANSWERED = "User has answered your questions:"
# The result's answers, one after the other: `"question"="answer"`, each perhaps followed by
# what goes with it (` user notes: …`, ` selected markdown: …`), joined by ", ", the whole
# ended by ". You can now continue …". The user's own words may hold quotes (`just "remote"`):
# a question ends at the first `"="` after it, an answer (perhaps empty) at the quote after
# which what goes with it, the next pair or the end come, not at the first quote inside it.
# Too long a question or answer is left unread, and the pairs after it (an answer is kept up
# to `MAX_ANSWER` anyway).
MAX_PAIR_PART = 4000  # characters of a question, or of an answer, read at most
MIN_QUESTION = 3
_SAID = '"="'  # between a question and its answer
_OPENS = re.compile(r'\s*"')
_OPENS_NEXT = re.compile(r',\s*"')
_WITH_ANSWER = re.compile(r"\s+(?:user notes|selected \w+):")
_PAIRS_END = ". You can now continue"
_NOTES = re.compile(r"^\s*user notes:\s*(?P<notes>.*)", re.S)
_QUESTION_END = re.compile(r"[?？]")
# How to go on with the task at hand, not a choice that stands ("Should we use Postgres or
# SQLite?" is one; "Should I commit now?" is not).
_ACT = (
    r"(?:go ahead|proceed|continue|start|stop|commit|push|merge|deploy|run|retry|try|apply|"
    r"update|mark|add|write|rewrite|edit|change|"
    r"delete|remove|move on|fix|open|close|"
    # an entry of the tracker made for today's work ("create issues for these")
    r"(?:create|file|raise) (?:(?:the|a|an|one|these|them|this|it|separate|individual) )?"
    r"(?:pr|pull request|commit|branch|issues?|tickets?))\b"
)
_PROCESS = re.compile(
    # ("Should I also include …": more of today's piece of writing; "should we also include
    # the tenant id in every log line?" is the project's)
    rf"^(?:(?:should|shall|can|may) (?:I|we) (?:also )?(?:{_ACT}|(?<=I also )include\b)|"
    rf"(?:do you want|would you like)(?: me)? to "
    rf"{_ACT}|(?:is (?:it|this|that) )?ok(?:ay)? to\b|is (?:it|this|that) ok|(?:are you )?ready\b|"
    r"how (?:should|shall|do you want me to) (?:I |we )?proceed|"
    r"how (?:would|do) you (?:like|want)(?: me| us)? to (?:proceed|continue|go on)|"
    r"what (?:should I|should we|do you want me to) do|"
    r"what (?:would|do) you (?:like|want) (?:me |us )?to do(?: next| now)?"
    # ... with the item at hand ("with this todo", "about these tickets")
    r"(?: (?:with|about) (?:this|that|these|those|it|them)\b[^?？]{0,40})?\s*[?？]?$|"
    # what to build today, anything else to handle before the session ends
    r"what (?:would|do) you (?:like|want) (?:me |us )?to (?:build|implement|make|write|work on)"
    r"(?: next| now| today| first)?\s*[?？]?$|"
    r"(?:is there )?anything else (?:to|you|I|we|that)\b|"
    r"what else (?:do you want|would you like|should (?:I|we)|needs?)\b|"
    r"what next|which\b.{0,60}\bfirst\b)",
    re.I,
)
# The same in Chinese: "是否需要在执行前先验证？", "你希望在哪个环境执行清理？",
# "您想如何处理认证？" ("API 错误如何处理？", the subject first, is a choice that stands).
_ACT_ZH = r"(?:执行|继续|开始|停止|提交|推送|合并|部署|运行|重试|删除|清理|修复|更新|安装|推进)"
# The same in Vietnamese: "Bạn muốn tôi … không?" (do you want me to …?), "Tôi có nên …".
_PROCESS_VI = re.compile(r"^(?:bạn (?:có )?muốn (?:tôi|mình)|tôi có nên|để tôi)\b", re.I)
_PROCESS_ZH = re.compile(
    rf"^(?:是否|要不要|需不需要|我(?:可以|应该|要|能|先)|能否).{{0,16}}{_ACT_ZH}|"
    rf"^现在(?:就|先|要|可以|开始)?{_ACT_ZH}|"
    rf"^要(?:我)?(?:现在|先|一起|直接|马上)?{_ACT_ZH}|"
    rf"^(?:你|您)(?:希望|想|要|打算|想要)(?:我|我们)?.{{0,12}}{_ACT_ZH}|"
    r"^(?:(?:你|您|我们?)(?:想|希望|要|打算|应该)?)?(?:如何|怎么|怎样)(?:处理|继续|进行|操作|办|推进)|"
    r"(?:如何|怎么)继续|^(?:接下来|下一步)|(?<![首优])先.{0,12}哪|"
    # how to go on, said anywhere ("你希望接下来怎么推进"); what else is left to do today;
    # what to make today ("您想要实现哪个功能")
    r"(?:接下来|下一步)(?:要|该|应该|想)?(?:怎么|如何|怎样|做什么|干什么)|"
    r"还有(?:什么|哪些|其他|别的)(?:事情?|地方)?(?:需要|要)(?:处理|做|调整|修改)|"
    r"^(?:你|您)(?:想要|希望|想|要|打算)(?:我|我们)?(?:先|今天|现在)?(?:做|写|实现|开发)"
    r"(?:什么|哪个|哪些|点什么)"
)
# A step of today's work in French, Spanish or German, as the agent offers it ("Souhaites-tu
# que je corrige maintenant", "2) ou simplement sortir maintenant").
_ACT_FR = (
    r"(?:(?:re)?lancer?|corrig(?:e|er)|continuer?|commencer?|sortir|arrêter|valider?|vérifier?|"
    r"appliquer?|ajouter?|supprimer?|crée|créer|exécuter?|passer?|committer?|commite|pousser?|"
    r"déployer?|fusionner?|mette à jour|mettre à jour)\b"
)
_ACT_ELSEWHERE = (
    rf"(?:{_ACT_FR}|(?:corregir|continuar|seguir|salir|ejecutar|reintentar|volver a|aplicar|"
    r"añadir|eliminar|crear|desplegar)\b|(?:weitermachen|abbrechen|beenden|korrigieren|"
    r"ausführen|fortfahren)\b)"
)
# The same in German, French, Spanish, Portuguese, Russian, Japanese and Korean: how to go on,
# where to start, the next steps ("Wie sollen wir vorgehen?", "Tu veux enchaîner sur quoi ?").
_PROCESS_ELSEWHERE = re.compile(
    r"\bwie (?:sollen|wollen|möchtest du|möchten sie) (?:wir |ich )?(?:vorgehen|weitermachen|"
    r"fortfahren)|\bwie geht es weiter|\bwomit (?:fangen wir|beginnen wir|soll ich anfangen)|"
    r"\bsoll ich (?:jetzt |gleich )?(?:weitermachen|fortfahren|anfangen|loslegen)|"
    r"\bcomment (?:procéder|continuer|(?:souhaites?-tu|souhaitez-vous|veux-tu|voulez-vous) "
    r"(?:que je )?(?:procéd|continu|poursuiv))|"
    r"\b(?:souhaites?-tu|souhaitez-vous|veux-tu|voulez-vous|tu veux|vous voulez) (?:que je |"
    rf"qu'on |que l'on )?{_ACT_FR}|"
    r"\bpar quoi (?:commencer|veux-tu commencer|on commence)|\benchaîner sur quoi|"
    r"\bprochaines? étapes?|\bc[oó]mo (?:procedemos|proceder|seguimos|continuamos|"
    r"(?:quieres|querés|prefieres|preferís|deseas) (?:que )?(?:contin|proced|sig))|"
    r"\bpor d[oó]nde (?:empezamos|empiezo|empezar|começamos|começo|começar)|"
    r"\bpr[oó]xim[oa]s? pass?os?\b|\bcomo (?:prosseguimos|devo prosseguir|continuamos|"
    r"(?:você )?(?:quer|prefere|deseja) (?:que eu )?(?:prossig|prosseguir|continu|sig))|"
    r"\bкак (?:будем|мне|нам) (?:действовать|продолжать|поступить)|"
    r"\bкак (?:продолжить|продолжим|поступим)|\bс чего (?:начн[её]м|начать)|"
    r"どう進め|どのように進め|どこから(?:始め|着手)|次に何を|進めてよろしい|続けますか|"
    r"어떻게 진행|어디서부터|계속할까요|진행할까요|"
    # what to do next, ending the question: today's next step, whatever the user picks
    r"(?:\b(?:tu veux|vous voulez|veux-tu|voulez-vous) que je fasse(?: quoi)?(?: ensuite)?|"
    r"\bquoi ensuite|\bque (?:dois-je faire|je fais) (?:ensuite|maintenant)|"
    r"\bqu[ée] (?:hago|quieres que haga) (?:ahora|despu[ée]s|luego)|"
    r"\bo que (?:eu )?(?:faço|você quer que eu faça) (?:agora|depois|em seguida)|"
    r"\bwas soll ich (?:als nächstes|jetzt|danach) (?:tun|machen)|"
    r"\bчто (?:дальше|делать дальше|мне делать дальше)|"
    r"接下来(?:要)?(?:做什么|干什么)|下一步(?:做什么|怎么做))[\s?？!.。]*$",
    re.I,
)
# The session's plan or document put to the user for approval or review ("这个方案是否符合你的
# 预期？", "Spec 的处置？", "Does this plan look right?"): today's work approved, no choice.
_APPROVES = re.compile(
    r"^(?:does|do|will) (?:this|the|that|these|my) (?:[\w-]+ )?(?:plan|approach|design|proposal|"
    r"spec|outline|changes?|draft)s? (?:look|sound|seem|work)(?: \w+)? (?:good|right|ok(?:ay)?|"
    r"fine|reasonable|correct|for you)|"
    r"^(?:is|are) (?:this|the|that|these|my) (?:[\w-]+ )?(?:plan|approach|design|proposal|spec|"
    r"outline|draft)s? (?:ok(?:ay)?|good|fine|acceptable|correct|right|what you (?:want|wanted|"
    r"expected|had in mind))|"
    r"^(?:do you )?approve (?:this|the) (?:[\w-]+ )?(?:plan|design|proposal|spec)\b|"
    r"(?:方案|计划|设计|规划|思路|spec|文档)(?:是否|能否).{0,12}(?:符合|满足|满意|可行|合适|没问题|"
    r"可以|OK|ok)|(?:方案|计划|设计|规划|思路|spec|文档)(?:可以吗|可行吗|行吗|OK吗|怎么样|如何|"
    r"还有问题吗)\s*[?？]\s*$|"
    r"(?:方案|计划|设计|规划|spec|文档)的?(?:处置|审批|评审|审阅|确认)",
    re.I,
)
# A quiz the agent puts to the user ("假设你…，你会按什么流程来处理？", "Suppose …, which
# process would you follow?"): the agent then grades it; no choice of the project.
_QUIZ = re.compile(
    r"(?:^|[。.!！:：]\s*)(?:假设|假如|设想)(?:你|您).{0,120}(?:你|您)会|"
    # a part the agent plays to test the user: "“小白”问：", "专家质疑:", "Skeptic asks:"
    r"^(?!\W{0,2}请问)\W{0,2}[^\s:：]{1,8}?\W{0,2}(?:问|质疑|追问|提问|考你)\s*[:：]|"
    r"^(?:(?:a|the) )?(?:quiz|pop quiz|skeptic|sceptic|expert|novice|beginner|newcomer|"
    r"interviewer)(?: (?:asks|challenges|question))?\s*[:：]|"
    r"(?:^|[.!?:]\s+)(?:suppose|imagine|assume|say|let'?s say)\b[^?]{0,200}\bwould you "
    r"(?:do|handle|approach|answer|respond|tackle|proceed|follow|take)\b",
    re.I,
)
# How today's work is filed in the tracker, asked in the sentence that asks: its findings as
# separate issues or bundled into one, a parent with sub-issues, one ticket per bug, this one
# filed as a security issue. The entries of one audit, made once; which tracker the project
# uses stands.
_FILES_WORK = re.compile(
    r"\b(?:separate|individual|distinct|combined|single)\s+(?:[\w'/-]+\s+){0,3}?"
    r"(?:issues?|tickets?)\b|"
    r"\b(?:bundl|group|combin|merg)\w*\b[^?？]{0,60}?\b(?:issues?|tickets?)\b|"
    r"\b(?:parent|umbrella)\s+(?:[\w'-]+\s+){0,3}?(?:issue|ticket)|\bsub-?(?:issues?|tickets?)\b|"
    r"\b(?:issues?|tickets?) (?:per|for each)\b|"
    # the finding at hand filed as a kind of issue ("Should this be treated as a security
    # issue?"; not what a kind of input is taken for: "Should empty input be treated as a bug?")
    r"\b(?:(?:this|it|these|they) (?:\w+ )?(?:be |get )?(?:treated|filed|labell?ed|"
    r"categori[sz]ed|classified|logged)|(?:treat|file|label|categori[sz]e|classify|log) "
    r"(?:this|it|these|them)) as (?:an? )?[\w/ -]{0,30}?\b(?:issues?|tickets?|bugs?)\b",
    re.I,
)
# Today's operation of bringing things over, asked of the things at hand: whether to take the
# step ("Should we still bring it in?") or how to carry it out ("For importing the libraries,
# … or just copy the files?"). Done once, and the repository shows it after. How the product
# imports at run time is asked of no such thing, or with a manner that lasts ("lazily").
_CARRY = (
    r"(?:import(?:ing)?|bring(?:ing)?|pull(?:ing)?|cop(?:y|ying)|mov(?:e|ing)|migrat(?:e|ing)|"
    r"port(?:ing)?|transfer(?:ring)?|vendor(?:ing)?)"
)
_AT_HAND = (
    r"(?:it|them|(?:this|that|these|those)(?! (?!(?:over|in|into|across|along|too)\b)[\w@.-])|"
    r"(?:the|these|those|both|all) (?:[\w-]+ ){0,2}?(?:files?|"
    r"folders?|director(?:y|ies)|librar(?:y|ies)|libs|repos?|repositor(?:y|ies)|projects?|"
    r"sources|code|histor(?:y|ies)))\b"
    r"(?![^?]*\b(?:lazily|eagerly|dynamically|statically|at runtime|on (?:startup|demand)|"
    r"on first use|by default|always|every)\b)"
    # ... nor carried over to another language, format or tool ("the code to TypeScript",
    # "the config files to YAML"): a place is named with its article or as a path
    r"(?! (?:over |across )?(?:in)?to (?!(?:the|a|an|our|its|their|this|that|one|[\w.-]*/)\b)\w)"
)
_CARRIES_OVER = re.compile(
    rf"^(?:for|in|while) {_CARRY} (?:over |in )?{_AT_HAND}|"
    rf"\b(?:should|shall|can|may) (?:I|we) (?:still |also |just |first )?{_CARRY} {_AT_HAND}|"
    rf"\b(?:do you want|would you like)(?: me| us)? to (?:still |also |just )?{_CARRY} {_AT_HAND}|"
    rf"\bor (?:just |simply )?{_CARRY} {_AT_HAND}",
    re.I,
)
# How the agent carries out today's plan ("Two execution options: … Which approach?", "How
# should I execute the plan?"): its own way through the tasks, no choice of the project.
_EXECUTES_PLAN = re.compile(
    r"\bexecution (?:options?|choices?|approach(?:es)?)\b(?=\W*(?:[:?]|$))|"
    r"\b(?:execute|implement|carry out|run|work through) (?:the|this|that|my|our|your) "
    r"(?:implementation )?plan(?=\s*(?:[?.,:;!]|$)|\s+(?:now|today|here|in this session|"
    r"task by task|step by step)\b)",
    re.I,
)
# What matters now, asked or answered ("which is higher priority for you right now?", "UX
# consistency is the current priority", "don't split the model now"): today's order of work,
# which the next day's may change. Not "now that …", "from now on", "until now", nor the "Now,"
# a sentence opens with.
_NOW = re.compile(
    r"\b(?:right now|at the moment|for the time being|(?:the |our |your |a )?"
    r"current (?:priority|priorities|focus)|"
    r"(?<!^)(?<!\bfrom )(?<!\bas of )(?<!\buntil )(?<!\bup to )(?<!\btill )(?<!\bby )now"
    r"(?! (?:that|on)\b))\b",
    re.I,
)
# A question about today's scope: what holds for today says nothing of the days after ("What
# do we build today?"; a "today" that a lasting rule defines, "which timezone defines today",
# is no scope).
_TODAY = re.compile(
    r"\b(?:for today|today'?s (?:scope|plan|session|work|goal)|(?:do|build|tackle|finish|"
    r"work on|start with|focus on) today|(?:in|for) this session\b(?!\s+\w)|(?:we|I|you) "
    r"(?:want to |like to |should |shall )?(?:tackle|do|build|work on|start with|focus on) "
    r"first)\b|\bheute\b|aujourd'hui|\bhoy\b|\bhoje\b|сегодня|"
    r"今天|今日|오늘|hôm nay",
    re.I,
)
# A menu of next work: its lead-in says "pick one and I'll build it" ("아래 중 하나를 선택하면
# 깊게 구현합니다", "選んでいただければ実装します", "Elige una y la implemento"), or asks which of
# them to do first: the pick is today's next task, whichever it is.
_PICK_TO_DO = re.compile(
    r"\b(?:pick|choose|select|tell me)\b[^?\n]{0,40}?\b(?:and|then) I(?:'ll| will)\b"
    r"[^?\n]{0,20}?\b(?:implement|build|do|start|write|tackle|work on|dig into|go deep|flesh|"
    r"create|draft|dive)|"
    r"\b(?:elige|elija|escoge|escoja|dime)\b[^?\n]{0,40}?\by (?:la |lo |me )?(?:implemento|"
    r"hago|desarrollo|construyo|empiezo|pongo)|"
    r"\b(?:escolha|escolhe|me diga)\b[^?\n]{0,40}?\be eu (?:a |o )?(?:implemento|faço|"
    r"desenvolvo|construo|começo)|"
    r"\b(?:wähle|wählen Sie|such dir|sag mir)\b[^?\n]{0,40}?\b(?:und|dann) (?:ich )?(?:setze|"
    r"implementiere|baue|mache|erstelle|beginne)|"
    r"\b(?:choisis|choisissez|dis-moi|dites-moi)\b[^?\n]{0,40}?\bet je (?:l'|la |le |m'y )?"
    r"(?:implémente|fais|développe|construis|commence|attaque|mets)|"
    r"(?:선택하|고르|골라\s?주|선택해\s?주)(?:시면|면)[^?？\n]{0,40}?(?:(?:구현|진행|작성|시작|"
    r"작업|착수)(?:하겠|할게|합니다|해\s?드리|해\s?드릴|하도록)|만들(?:겠|게요|어\s?드리|어\s?드릴))|"
    r"(?:(?:먼저|다음으로)\s?(?:어떤|어느)\s?(?:것|걸|작업|항목|기능)(?:을|를|부터)?\s?"
    r"|(?:어떤|어느)\s?(?:것|걸|작업|항목|기능)(?:부터\s?|(?:을|를)?\s?(?:먼저|다음으로)\s?))"
    r"(?:구현|진행|작업|시작|착수|만들)|"
    r"(?:選んで|選択して|お選び)(?:いただければ|いただけたら|くだされば|くれれば|くれたら|"
    r"もらえれば)[^?？\n]{0,40}?(?:(?:実装|対応|作成|着手)(?:します|いたします|しましょう)|"
    r"(?:進め|取り組み|作り|始め)(?:ます|ましょう))|"
    r"どれ(?:から|を(?:先に|次に|まず))(?:実装|進め|着手|取り組|始め|作成)|"
    r"(?:选择|选|挑)(?:(?:其中)?(?:一个|一项|任意一个|任一)后?|后)[，,]?\s?我(?:就|会|将|立即|马上|"
    r"立刻)?(?:开始|深入|着手|实现|执行|动手|做)",
    re.I,
)
# A choice asked for good ("from now on", "앞으로", "今後"), in the sentence that asks: no menu
# of today's work, whatever the agent offers to do with it.
_FROM_NOW_ON = re.compile(r"\bfrom now on\b|앞으로|今後|今后")
# What the agent can do with its own tools ("can you open it in your browser and take a
# screenshot, or must it be downloaded first?"): how it works today, no choice of the project.
_YOUR_SIDE = re.compile(
    r"(?:在|用|通过)你的(?:浏览器|终端|沙盒)"
    r"|\b(?:in|with|from) your (?:browser|terminal|sandbox)\b",
    re.I,
)
# A numbered part of the session's plan: "Phase 4", "step 2", "Milestone #3".
_PART = r"(?:phase|stage|step|milestone|sprint|iteration)\s*#?\d+[a-z]?\b"
# How much of the planned work to build (full or minimal, this pass): the extent of one task,
# which the code then shows; not the scopes a token or a grant is given. And what one build
# targets ("for the initial implementation"), or which features it includes: the first
# version's plan, which the code shows after and the next version may change.
_SCOPE = re.compile(
    r"\b(?:which|what) scope (?:is|should|do|would|for)\b"
    r"(?![^?]*\b(?:token|oauth|permission|grant|access|api key|credential)s?\b)"
    r"|\bscope (?:of|for) (?:this|the|today'?s?|our|your|a|an) (?:\w+ )?(?:task|change|work|pr|"
    r"pull request|feature|plan|first|initial|mvp|version|iteration|release|refactor|phase|"
    r"implementation|build)\b"
    r"|\b(?:mvp|initial|first) scope\b"
    r"|\bfor (?:this|the|our) (?:initial|first) (?:implementation|prototype|version|release|"
    r"iteration|build)\b|\bfor (?:this|the|our) (?:mvp|v1)\b"
    r"|\b(?:which|what) (?:level|set|kind|kinds) of (?:[\w-]+ ){0,3}features?\b"
    r"|\b(?:which|what) (?:[\w-]+ ){0,3}features? (?:should|do you want|would you like) "
    r"(?:(?:we|i|it) )?(?:be )?(?:include|included|build|built|implement|implemented|support|"
    r"supported|ship|shipped|have)\b"
    # which pages, sections or screens to make: the first build's parts, which the code shows
    r"|\b(?:which|what) (?:[\w-]+ ){0,2}(?:pages|sections|screens|features|components|tabs|"
    r"views) (?:do you want|would you like|should (?:we|I|it|the \w+)) (?:to )?(?:create|build|"
    r"include|add|have|make)\b"
    r"|どの(?:ような)?(?:ページ|セクション|機能|画面)を?(?:作成|作|含め|実装|追加)"
    r"|(?:哪些|什么)(?:主要|核心|基本|具体)?的?(?:页面|功能|模块|板块)"
    r"|(?:页面|功能|模块|板块)(?:有|要|包括|包含)哪些"
    # how one piece of today's writing is laid out: the plan, the report, the deck
    r"|\bhow should (?:the|this|my|our|your) (?:[\w-]+ )?(?:plan|report|document|doc|summary|"
    r"outline|presentation|slides|deck|answer) be (?:organi[sz]ed|structured|laid out|ordered|"
    r"split|grouped|formatted)\b"
    r"|\bhow much (?:of (?:it|this|the \w+) )?should (?:i|we) (?:build|implement|do)\b"
    # what to improve or add now ("What improvements would you like to make to the layout?",
    # "What would you like me to polish?"): today's list of work, which the code then shows
    r"|\b(?:which|what) (?:[\w-]+ ){0,2}(?:improvements|enhancements|additions|upgrades|tweaks|"
    r"refinements|changes|fixes) (?:do you want|would you like)\b"
    r"|\b(?:which|what) (?:[\w-]+ ){0,2}(?:improvements|enhancements|additions|upgrades|tweaks|"
    r"refinements) should (?:we|I)\b"
    r"|\bwhat (?:do you want|would you like) (?:me |us )?to (?:improve|enhance|add|fix|polish|"
    r"rework|redesign|refine|tweak|upgrade)\b"
    # ... in Arabic ("إيه اللي عايز تحسنه؟", "ماذا تريد أن نطور؟"), Chinese, Spanish, French
    r"|(?:إيه|ايه|ماذا|ما الذي|ما اللي|إيش|ايش|شو|وش)\b[^?؟]{0,60}?\b(?:ت|ن)(?:حسن|طور)"
    r"|\b(?:ت|ن)(?:حسن|طور)\w*[^?؟]{0,60}?\b(?:إيه|ايه)\b"
    r"|(?:你|您)?(?:想|希望|要)(?:先)?(?:改进|优化|完善|增加|添加)(?:哪些|什么)"
    r"|\bqu[ée] (?:quieres|quiere|te gustar[ií]a) (?:que )?(?:mejorar|mejore|a[ñn]adir)\b"
    r"|\bque (?:veux-tu|voulez-vous|souhaites-tu|souhaitez-vous|tu veux|vous voulez) "
    r"(?:que j'|que je )?(?:améliorer|amélior|ajouter|ajout)"
    # what one numbered part of the plan is to do ("What should Phase 4 accomplish now?",
    # "What goes into step 2?"): the plan, which the work then carries out
    rf"|\b{_PART}(?:\s*\([^)]{{0,40}}\))?\s+(?:accomplish|achieve|include|cover|contain|"
    r"deliver|focus on)\b"
    rf"|\b(?:go|goes|belongs?|fits?) (?:in|into) {_PART}"
    r"|(?:本次|这次|此次|实现|功能|改动|开发)(?:的)?范围|今回の(?:スコープ|範囲)|実装(?:スコープ|範囲)",
    re.I,
)
# The question's sentences: "Redis is not installed. How would you like to proceed?" asks how
# to go on in its second ("e.g.", "i.e.", "vs.", "cf." end none).
_QUESTION_SENTENCES = re.compile(
    r"(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bcf\.)\s+|(?<=[。！？：；])\s*", re.I
)
# A name or a setting asked for what is made once today (a command, a file, a branch; a new
# repository's visibility or description, a release's version number): no rule for later. Not
# the way all of them follow ("the branch name pattern", "How should we bump the version
# number?"): read in the asking sentence only.
_STANDING_WAY = (
    r"(?!.*(?:\bpreferred\b|\btarget\b|\bdefault\b|\bpatterns?\b|\bconventions?\b|\bschemes?\b|"
    r"\bstrateg(?:y|ies)\b|\bformat\b|\bpolicy\b|\bhow should\b|规则|格式|规范|策略|ルール|形式))"
)
_REPO = r"(?:\brepo(?:sitory)?\b|仓库|倉庫|リポジトリ)"
_NAMING = re.compile(
    r"\b(?:be (?:called|named)|(?:what|which) (?:name|should (?:it|we|I) (?:call|name))|"
    r"name (?:it|for (?:it|the|this|your))|call it)\b|"
    r"叫什么|什么名字|名称是什么|取名|命名|名前|이름|"
    rf"^{_STANDING_WAY}.*(?:\b(?:project|repo|repository|package|app|site|branch) name\b|分支名|"
    r"ブランチ名)|"
    # a repository's visibility, the choice itself ("public or private"), or its visibility or
    # description asked as it is made ("the new repo", "仓库描述")
    rf"^(?=.*{_REPO})(?=.*(?:\bvisib|\bpublic or private\b|\bprivate or public\b|可见|"
    r"公开还是私有|私有还是公开|公开或私有|私有或公开|公開設定|公開範囲|公開か非公開|非公開か公開))|"
    rf"^(?=.*(?:\b(?:new|creat\w*|making|initiali[sz]\w*)\b[^?]{{0,30}}{_REPO}|"
    rf"(?:新建?|创建|新規|作成).{{0,10}}{_REPO}))(?=.*(?:公开|私有|公開|非公開|描述|简介|説明))|"
    rf"^(?=.*\b(?:new|creat\w*|making|initiali[sz]\w*)\b[^?]{{0,30}}{_REPO})"
    r"(?=.*\b(?:public|private|description)\b)|"
    rf"\brepo(?:sitory)?(?:'s)? description\b|\bdescription (?:of|for) (?:the |this |your )?"
    rf"(?:new )?(?:GitHub )?repo(?:sitory)?\b|{_REPO}(?:的|の)?(?:描述|简介|説明)|"
    # one release's number, not the scheme all of them follow
    rf"^{_STANDING_WAY}.*(?:\bversion (?:number|tag)\b|版本号|バージョン番号)",
    re.I,
)
# The options a repository's visibility is chosen from, the answer one of them (the
# repository named anywhere in the question: "A new GitHub repo, then. Public or private?").
_VISIBILITY = re.compile(r"(?:public|private|公开|私有|公開|非公開)", re.I)
_NAMES_REPO = re.compile(_REPO, re.I)
# A question about the problem the user reports (what they see, when it happens): it finds
# out what is wrong and decides nothing.
_DIAGNOSTIC = re.compile(
    r"^when you say\b|\b(?:do|did) you (?:see|get|mean)\b|\bare you seeing\b|"
    r"\bis (?:this|it|that) (?:a|an) [\w -]{0,30}(?:issue|problem|bug)\b|"
    r"\b(?:does|did) (?:the|this|that|it) (?:bug|problem|issue|error|crash) "
    r"(?:happen|occur|appear|show)|\bcan you reproduce\b|\bwhat (?:error|happens|do you see)\b|"
    r"\bwhich (?:error|message|symptom)\b|"
    # what the user finds wrong with the work ("What specifically feels messy about the
    # layout?", "What looks off?", "What don't you like about it?"): feedback on today's work
    r"\bwhat(?: \w+ly)? (?:feels|looks|seems|is|'s) (?:\w+ )?(?:off|wrong|messy|broken|"
    r"confusing|cluttered|cramped|unclear|weird|ugly|bad|not right)\b|"
    r"\bwhat (?:do you )?(?:dislike|don't you like|do you not like|bothers you)\b",
    re.I,
)
# Where today's file goes: moving, copying or fetching it (this one, these results) to a folder
# ("어느 디렉토리로 옮길까요?", "Which folder should I save the screenshots to?"). Where a kind
# of data is kept ("Where should uploads be stored?", "데이터는 어디에 저장할까요?") stands.
_RELOCATES = re.compile(
    r"^(?=.*\b(?:move|copy|save|download|sync|transfer|upload|put)\s+(?:it|them|this|these|those|"
    r"that|the (?:\w+ )?(?:files?|results?|outputs?|screenshots?|reports?|images?|folder|zip|"
    r"archive|logs?))\b)(?=.*\b(?:where|director(?:y|ies)|folders?|paths?|destination)\b)|"
    r"^(?=.*(?:옮기|옮길|옮겨|이동|복사|다운로드))(?=.*(?:디렉토리|폴더|경로|위치))|"
    r"^(?=.*(?:移动|移到|复制|拷贝|下载|保存到|放到|放在|创建在|建在|存放在))"
    r"(?=.*(?:哪个|什么)(?:目录|文件夹|路径|位置))|"
    # where to make what is being made today ("Where should I create the new site?")
    r"^(?=.*\b(?:create|put|place|scaffold|generate|build)\s+(?:it|the (?:new )?(?:project|"
    r"site|website|app|folder|files?))\b)(?=.*\b(?:where|director(?:y|ies)|folders?|path|"
    r"location)\b)",
    re.I | re.S,
)
# How to install or set up a tool on this machine ("Máy bạn chưa có Node.js. Bạn muốn cài
# đặt bằng cách nào?"): one person's setup, done once. How a project installs its dependencies
# (in CI, for contributors) stands.
_SETS_UP = re.compile(
    r"^(?=.*\b(?:install|set up|setup)\b)"
    r"(?=.*\b(?:(?:your|this|the) (?:machine|computer|mac|laptop|pc|system)|"
    r"on this (?:mac|machine|computer))\b)|"
    r"cài(?: đặt)?.{0,30}(?:bằng cách nào|như thế nào|cách nào|bằng gì)|"
    r"(?:本机|你的电脑|这台电脑).{0,20}安装|安装.{0,20}(?:本机|你的电脑|这台电脑)",
    re.I | re.S,
)
# What is the user's own: who they are, their accounts and keys, their paths and hosts.
_OWN_DATA = (
    r"(?:user ?name|e-?mail(?: address)?|login|account(?: name| id)?|handle|password|passphrase|"
    r"token|(?:api |access |secret |private |ssh |deploy )?keys?|credentials?|identity|full name|"
    r"path|url|uri|(?:project |account |user |client |tenant |org |app )?id|host ?name|host|"
    r"ip(?: address)?|domain)"
)
_OWN_DATA_ZH = (
    r"(?:用户名|邮箱|电子邮件|邮件地址|账号|帐号|账户|密码|口令|令牌|[Tt]oken|密钥|秘钥|身份|姓名|"
    r"路径|网址|地址|URL|ID|主机名?|域名|IP)"
)
_OWN_DATA_JA = (
    r"(?:ユーザー?名|メール(?:アドレス)?|アカウント|パスワード|トークン|(?:API)?キー|氏名|パス|"
    r"URL|ID|ホスト名?|ドメイン)"
)
# ... the last word of what is asked for ("your username?", "your API key for the maps"), not
# a word before the thing asked ("your import path style")
_ENDS = r"(?=\s*(?:$|[?？,.:;)]|(?:and|or|for|of|on|in|at|to|so|that|here|please)\b))"
# A word that makes the user's path or host a choice that stands ("your preferred host").
_WAY_WORD = r"(?:preferred|target|default|desired|pattern|convention|scheme|strategy)\b"
# The agent asking what the user has or knows now ("Do you already have a service-account
# key?", "Bạn đã có … chưa?"): a state of today, decided by nobody. A preference asked
# ("Do you have a preferred logging library?") is a choice.
_HAS_NOW = re.compile(
    r"\b(?:do|did) you (?:already )?have\b(?!.{0,60}\b(?:prefer\w*|in mind|specific|"
    r"favou?rite|particular|opinion)\b)|\bhave you (?:already )?(?:got|created|set up)\b|"
    # the state of their setup, where their copy of a thing is, an act asked of them now
    r"\byour current (?:[\w-]+ ){0,3}status\b|"
    r"\bwhat(?:'s| is) the (?:current )?(?:status|state) of (?:your |the )?(?:[\w-]+ ){0,3}"
    r"(?:installation|install|setup|plugin|account|environment|configuration|download)\b|"
    r"\bwhere is your (?:[\w-]+ )?(?:installation|install|copy|checkout|clone|binary)\b|"
    r"^(?:can|could) you (?!prefer|choose|pick|decide|tell me which)(?:\S+ ){1,6}now\?|"
    r"đã có.{0,80}chưa|(?:你|您)(?:已经)?有(?:没有)?.{0,30}(?:吗|么)|是否已(?:有|经有)|"
    # the user's situation now, asked in an intake ("你当前主要使用哪些工具？", "Which editors
    # does your team currently use?")
    r"^(?:(?:what|which|how)\b.{0,40}\b(?:do|does) (?:you|your team) (?:currently|usually|"
    r"normally|mainly|mostly|typically)\b)|"
    r"^(?:你|您)(?:的)?(?:团队|项目|工程|公司)?.{0,12}?(?:当前|目前|现在|日常|平时)"
    r"(?!.{0,20}(?:应该|要用|选用|改用|换成|打算))|"
    r"^(?:你|您)是(?:个人|一个人|自己|独自|团队)|"
    r"^are you (?:working |building |coding )?(?:solo|alone|on your own|by yourself|"
    r"(?:part of|in|with|on) a team)\b|"
    # the user's own data asked for: their git identity, an account, a key, a path or a host
    # of theirs ("What is your GitHub username?", "请提供你的 Git 用户名和邮箱"): a fact about
    # them, which no line may carry
    rf"\b(?:what(?:'s| is| are)|(?:please )?(?:provide|enter|share|paste|send|give me|tell me)|"
    rf"(?:can|could|would) you (?:please )?(?:provide|enter|share|paste|send|give|tell))\b"
    rf"[^?]{{0,40}}?\b(?:your (?:(?!{_WAY_WORD})[\w.-]+ ){{0,3}}{_OWN_DATA}{_ENDS}|"
    rf"{_OWN_DATA} (?:of|for|to) your\b)|"
    rf"[Gg]it.{{0,16}}?(?:用户名|邮箱|身份|姓名|ユーザー?名|メール)|"
    rf"(?:(?:提供|输入|告诉我|填写|给出|发送|粘贴).{{0,6}}(?:你|您)的.{{0,16}}?{_OWN_DATA_ZH}|"
    rf"(?:你|您)的.{{0,16}}?{_OWN_DATA_ZH}(?:是(?:什么|多少|哪个)|叫什么|\s*[?？]|$))|"
    rf"(?:あなた|ご自身)の.{{0,16}}?{_OWN_DATA_JA}(?:を(?:教えて|入力|お知らせ)|は(?:何|なん)|"
    r"\s*[?？]|$)",
    re.I,
)
# The user's git identity asked, in any sentence of the question ("Git needs a name and an
# e-mail to commit. Which should I use?"); not the identity CI or a bot commits as, nor a
# convention: a setting that stands.
_GIT_IDENTITY = re.compile(
    r"^(?!.*\b(?:ci|[\w-]*bots?|conventions?)\b).*"
    r"\bgit\b[^?]{0,30}\b(?:user ?name|e-?mail|identity|author|committer)\b",
    re.I,
)
# The user's goal or expectation asked ("你对 X 的期望目标是什么？", "What are you hoping to get
# out of this?"): what they want from the work, which no rule of the project says.
_GOAL = re.compile(
    r"\bwhat (?:is|are|'s) (?:your|the user'?s) (?:\w+ )?(?:goals?|aims?|objectives?|"
    r"expectations?|hopes?|priorit(?:y|ies))\b|"
    r"\bwhat (?:are|were) you (?:hoping|expecting|aiming|looking) (?:for|to)\b|"
    r"\bwhat (?:do|would) you (?:hope|expect|want|like) to (?:get|achieve|gain|accomplish|see)\b|"
    r"\bwhat does success look like\b|"
    r"(?:你|您)(?:对.{0,40}?)?的?(?:期望|期待|预期|目标|愿景)(?:目标)?(?:是|有哪些)|"
    r"(?:期望|期待|预期)的?目标|(?:想要|希望|想)(?:达到|实现|达成)(?:什么|怎样|哪种)(?:样的)?(?:目标|效果|程度)|"
    r"\bwas (?:ist|sind) (?:dein|deine|Ihr|Ihre) (?:Ziele?|Erwartungen)\b|"
    r"\bquels? (?:est|sont) (?:ton|ta|tes|votre|vos) (?:objectifs?|buts?|attentes)\b|"
    r"\bcu[aá]l(?:es)? (?:es|son) (?:tu|tus|su|sus) (?:objetivos?|metas?|expectativas)\b|"
    r"\bqua(?:l|is) (?:é|e|são) (?:o seu|a sua|os seus|as suas|o teu|a tua) (?:objetivos?|metas?|"
    r"expectativas)\b|"
    r"\b(?:какая|какие|каковы) (?:ваша|твоя|ваши|твои) (?:цел[ьи]|ожидания)|"
    # the user's goal in Japanese ("あなたの目標は"), not the project's ("カバレッジの目標は")
    r"(?:あなた|貴方|ご自身|お客様)(?:の|が|に).{0,30}?(?:目標|期待|ゴール|目的)|"
    r"何を(?:期待|目指)|목표(?:는|가) (?:무엇|뭐)",
    re.I,
)
# The agent asking what the user sees or what happened ("Did it work?", "Can you see the
# shortcut now?", "Did the window appear?"): an observation of today, no choice. And a setting
# of the user's own machine ("How would you like to set your Windows password?").
_OBSERVES = re.compile(
    r"^(?:(?:so|and|now|ok(?:ay)?),?\s+)?(?:did (?:it|that|this|the \w+(?: \w+){0,3}) "
    r"(?:work|run|start|open|appear|show|close|fail|succeed|install|load)|"
    r"(?:can|do|could) you (?:now )?see\b|(?:is|was) (?:it|the \w+) (?:working|visible|showing|"
    r"there)\b|does (?:it|that|this) (?:work|look)|what do you see\b|what happened\b)|"
    r"\byour (?:windows|mac|pc|computer|laptop|phone|desktop)\b",
    re.I,
)
# The agent asking what the user's request meant: a clarification of today's task.
_CLARIFIES = re.compile(
    r"\b(?:could|can) you (?:please )?clarify\b|\bclarify what you mean\b|"
    r"\bwhat (?:exactly )?do you mean by\b|무슨 (?:뜻|의미)|어떤 의미|什么意思|是指什么|指的是|"
    # "你是想了解 X，还是 Y？", "Are you asking about X or Y?": what the request was
    r"^(?:你|您)是(?:想|要|希望|打算|在)?(?:了解|知道|问|询问|确认|讨论|考虑|指|说)|"
    r"(?:你|您)的意思是|\bare you (?:asking|wondering) (?:about|whether|if|how|what)\b|"
    # the agent confirming what the user has just said ("To confirm: you want …?", "So you
    # want …?", "确认一下：…"): the answer before it told the choice, for the task at hand
    r"(?:^|[.!?]\s+)(?:(?:so|ok(?:ay)?),?\s+)?(?:just\s+)?(?:to (?:confirm|double[- ]check|"
    r"be (?:clear|sure))|confirming|let me (?:confirm|double[- ]check|make sure)|confirm)\s*[:,—]|"
    r"(?:^|[.!?]\s+)so,?\s+you(?:'d| would)? (?:want|mean|prefer|like)\b|"
    r"\b(?:is that|did I get that|have I got that|do I have that) (?:right|correct)\s*\?|"
    r"^(?:再|我)?确认一下|^为了确认|^確認(?:させて|します|です)?[:：、]",
    re.I,
)
# A word that hedges the answer ("i think we should probably …", "maybe SQLite", "也许"): the
# user thinking aloud, not a choice made.
_HEDGED = re.compile(
    r"\b(?:probably|maybe|perhaps|possibly|i guess|i suppose|not sure|vielleicht|"
    r"wahrscheinlich|peut-être|probablement|quizás?|tal vez|talvez|provavelmente)\b|"
    r"也许|或许|大概|可能吧|たぶん|かもしれ",
    re.I,
)
# A numbered part of the session's plan ("Phase 4 (GCP Integration) …", "Step 2", "第二阶段"):
# asked only which approach to take (`_GENERIC_ASK`), the way through one part of the work.
_PLAN_PART = re.compile(
    rf"\b{_PART}|第[一二三四五六七八九十\d]+(?:阶段|步|期)|(?:阶段|步骤|フェーズ|ステップ)\s*\d",
    re.I,
)
_NO_CHOICE = re.compile(
    r"^(?:yes|no|ok|okay|sure|proceed|continue|go ahead|skip|cancel|later|not now|none|"
    r"stop|done|not yet|not sure|unsure|no idea|(?:I )?don'?t know(?: yet)?)\b[\s.!]*$|"
    # a state or an unknown, not a choice: "Chưa có" (not yet), "chưa biết" (don't know yet)
    r"^(?:chưa(?: có| biết)?|không biết|không rõ|不知道|还没有?|不确定|不清楚|"
    r"まだ(?:です|ない)?|わからない|分からない|아직|모르겠\w*)(?:[，,。.！!\s(（]|$)|"
    # yes or no alone in Vietnamese, Japanese, Korean ("Không, giữ JavaScript" chooses)
    r"^(?:có|không|vâng|dạ|được|はい|いいえ|お願いします|네|예|아니요?)[\s.!。！]*$|"
    # the other option, with nothing said in it: "Other", "自定义名称" (a name of one's own)
    r"^(?:other|something else|custom|其他|其它|自定义(?:名称|名字)?|自己(?:输入|填写)|khác)"
    r"[\s.!。！]*$|"
    # "是", "否，直接执行", "好的。": a Chinese answer that opens by agreeing or declining
    r"^(?:是的?|否|对|好的?|可以|行|不用|不需要|不必|不要|跳过|取消|确定|确认|同意|继续|算了|"
    r"没问题|暂不)(?:[，,。.！!；;、\s]|$)|^不[。.！!\s]*$",
    re.I,
)
# An answer for today only: "skip it for now", "just this once", "暂时禁用", "这次先跳过".
_FOR_NOW = re.compile(
    r"\b(?:for now|this time|just this once|temporar(?:y|ily)|for the moment|later)\b|"
    r"暂时|临时|这次|本次|这一次|目前(?:先|暂|不)|暂不|稍后再|以后再|回头再|"
    r"(?:^|[，,、；;：:\s])先(?![进前生])",
    re.I,
)
# The user's own act to come, in their first person ("I'll upload my CV", "هرفع ملف", "我来提供"):
# an input they will give today, no choice that lasts. Not a pick said so ("I'll go with
# Postgres"). Egyptian Arabic's first person future opens with "ه" ("هرفع"; "هي", "هت",
# "هن" are other persons, "هذا", "هل", "هنا" no verbs), a word of its object after it.
_ACT_TO_COME = re.compile(
    r"^I(?:'ll| will| shall| am going to|'m going to)\s+(?!(?:(?:\w+ly|always|never|just)\s+)?"
    r"(?:go|take|use|pick|choose|stick|prefer|keep|want|need|stay|opt|have)\b)\w|"
    r"^(?:je vais|je (?:t'|vous )?(?:enverrai|donnerai|fournirai|écrirai|partagerai))\b"
    r"(?!\s+(?:utiliser|prendre|choisir|garder)\b)|"
    r"^(?:voy a|(?:yo )?te (?:env[ií]o|mando|paso|subo))\b(?!\s+(?:usar|elegir|tomar|quedarme)\b)|"
    r"^(?:eu )?vou\b(?!\s+(?:usar|escolher|ficar)\b)|"
    r"^ich (?:werde|schicke|sende|lade|gebe|schreibe|liefere)\b"
    r"(?![^,.]{0,30}\b(?:verwenden|nutzen|nehmen|wählen)\b)|"
    r"^я (?:пришлю|отправлю|загружу|скину|дам|напишу|предоставлю)\b|"
    r"^我(?:来|会|将|自己|稍后|待会|马上)(?!.{0,2}(?:用|选|使用|采用))|"
    r"^(?:سأ|سوف )(?!ستخدم|ختار|خذ|أستخدم|أختار)\w|"
    r"^ه(?![يتنوالأإآذ]|ستخدم|ختار)\w{3,}(?<!ة)\s+\S",
    re.I,
)
# A choice that is one act, done once ("Remplacer tout", "Rewrite it from scratch", "全部替换"):
# once done the code shows it, and nothing is left to keep to.
_DONE_ONCE = re.compile(
    r"^(?:replace|remove|delete|rewrite|redo|rebuild|overwrite|discard|wipe|start over|"
    # a value changed once ("Increase batch size to 256"): the setting's file keeps it
    r"increase|decrease|reduce|bump|"
    r"start from scratch|remplacer|supprimer|réécrire|refaire|reconstruire|écraser|effacer|"
    r"reemplazar|eliminar|borrar|reescribir|rehacer|sobrescribir|substituir|remover|apagar|"
    r"reescrever|refazer|sobrescrever|ersetzen|entfernen|löschen|neu schreiben|überschreiben)\b"
    r"|^(?:全部|全部都)?(?:替换|删除|移除|重写|重做|重建|覆盖|补充|追加|写入)|^(?:置き換え|削除|書き直)",
    re.I,
)
# A condition or a scope that makes an act a standing rule ("Delete it after 30 days",
# "Reduce to warnings and above").
_STANDS = re.compile(
    r"\b(?:after|when|whenever|every|always|never|in production|and above|by default|older than)\b",
    re.I,
)
# How many or how much of something for the task at hand ("How many samples should the dataset
# contain?"): a quantity of one piece of work, which the work then holds.
_QUANTITY = re.compile(
    r"^(?:how (?:many|much)|combien|cu[aá]nt[oa]s?|quant[oa]s?|wie (?:viele?|groß)|сколько)\b"
    r"(?!.*\b(?:spaces?|tabs?|retries|retry|coverage|percent|characters?|columns?|indent\w*)\b)"
    r"|^[^，,。]{0,20}(?:多少|几个|几条)(?![^？?]*哪)|^(?:いくつ|何個|何件)|^몇\s?(?:개|명|번|건)",
    re.I,
)
# An answer that asks back instead of choosing ("what does the loader's rule mean?",
# "能否…", "…吗") or only reacts ("太麻烦了", "too complicated").
_ASKS_BACK = re.compile(
    r"[?？]\s*$|[吗呢嘛]\s*[。.]?\s*$|^(?:如何|怎样|为何|能否|能不能|可否|可不可以|"
    r"是不是|有没有|请问)|什么意思|是什么|什么是|是啥|为什么|^(?!.*(?:不管|无论|不论)).*怎么|"
    r"^(?:what|why|how) (?:is|are|does|do|did|would|should|can)\b|\bwhat do(?:es)?\b.*\bmean\b",
    re.I,
)
_ASKS_ANYWHERE = re.compile(
    r"[?？]|[吗呢]\s*[。.]?\s*$|(?:^|[，,；;。]\s*(?:但是?|那|可是)?)(?:是否|能否|能不能|可否|如何|怎么|"
    r"怎样|为什么)|什么时候|何时|啥时候|\b(?:how (?:do|does|can|could|should|would|will) "
    r"(?:we|i|you|it)|why (?:do|does|is|are|not)|whether|when (?:do|does|did|would|will|should|"
    r"is|are) (?:we|i|you|it|they|the|this|that)\b)\b",
    re.I,
)
_REACTS = re.compile(
    r"^太.{1,8}了|^(?:算了|随便|都行|无所谓)|"
    r"^(?:too (?:complicated|much|slow|hard|many)|never ?mind|forget it|whatever)\b",
    re.I,
)
# A choice that waives a safety step: no backup, no verification, auth turned off. Never a
# standing rule, whatever the question.
_SAFETY = (
    r"(?:backups?|verif\w*|validat\w*|tests?|testing|auth(?:entication|orization|n|z)?|checks?|"
    r"hooks?|reviews?|confirmation|ssl|tls|certificates?|signing|signatures?)"
)
_SAFETY_ZH = r"(?:备份|验证|校验|认证|鉴权|测试|检查|审核|审查|确认|签名|证书)"
_WAIVES = re.compile(
    rf"\b(?:skip(?:ping)?|no|without|disabl(?:e|ing)|bypass(?:ing)?|turn(?:ing)? off|"
    rf"ignor(?:e|ing))\s+(?:\w+ing\s+)?(?:(?:the|any|all)\s+)?"
    rf"{_SAFETY}\b(?![./])|--no-verify\b|--insecure\b|"
    rf"(?:不需要|不用|无需|不要|不必|不做|不跑|不加|跳过|禁用|关闭|关掉|取消|省略|省去|绕过|去掉|移除|停用)"
    rf".{{0,4}}{_SAFETY_ZH}",
    re.I,
)
# The chosen option's own description says it waives a step ("跳过验证", "Skips the checks").
_SKIPS = re.compile(
    rf"\b(?:skip|bypass|disabl)\w*\s+(?:(?:the|any|all)\s+)?{_SAFETY}\b(?![./])|"
    rf"(?:跳过|禁用|绕过|移除|关闭|省略|去掉).{{0,4}}{_SAFETY_ZH}",
    re.I,
)
# "1. Add `LoginUiState` to `LoginViewModel.kt`": one option of a numbered list, on one line.
_OPTION = re.compile(r"^\s*(?:\*\*)?(?P<number>[1-9])[.)](?:\*\*)?\s+(?P<text>\S.{2,299})$")
# "2", "option 2", "I'd like option 2", "Let's go with 2, please."
_NUMBER_REPLY = re.compile(
    r"^\s*(?:(?:I'?d (?:like|prefer|go with)|I (?:choose|pick|prefer|want)|let'?s (?:go with|do)|"
    r"go with)\s+)?(?:(?:option|number|choice)\s*)?#?(?P<number>[1-9])"
    r"(?:,?\s*please|\s+(?:sounds good|is (?:fine|good|best|better)))?\s*[.!]?\s*$",
    re.I,
)
# A change to today's code ("convert `LoginResult` into `LoginEffect` and merge them"): done
# once, and the names it moves are gone after it.
_REFACTOR = r"(?:convert|merge|rename|extract|split|inline|refactor|combine|collapse)\b"
# An option that is a step of today's work ("Fix the tests first", "Leave it for now").
_STEP = re.compile(
    rf"^(?:(?:or|ou|oder|o)\s+)?(?:just\s+|first\s+|simplement\s+|juste\s+|d'abord\s+)?"
    rf"(?:{_ACT}|{_ACT_ELSEWHERE}|{_REFACTOR}|leave|skip|keep going|wait|"
    r"investigate|check|test|debug|look|show|explain|tell|let me|do nothing|nothing|both|"
    r"neither|all of)",
    re.I,
)
_QUESTION_OPENER = re.compile(
    r"^(?:or\s+)?(?:should|shall|can|could|may|would|will|do|does|is|are) "
    r"(?:I|we|you|there|it|this)\b",
    re.I,
)
# A question that names neither option: "Want me to go with option 1 or 2?", "Which one?"
_NAMES_NEITHER = re.compile(
    r"\b(?:option\s*)?1\s*(?:or|/)\s*2\b|"
    r"\bwhich (?:one|option)\b|\bwhich of (?:these|them|the two)\b",
    re.I,
)
_LEADING_OR = re.compile(r"^or\s+", re.I)
# The mark the agent puts after the option it proposes, read at the end of the text stripped
# (no blanks before it tried at each place of a long answer).
_RECOMMENDED_MARK = (
    r"[(（](?:recommended|rec\.?|推荐|推薦|おすすめ|推奨|추천|권장|empfohlen|recomendad[oa]"
    r"|recommandée?|consigliat[oa]|рекомендуется)[)）]"
)
_RECOMMENDED = re.compile(rf"{_RECOMMENDED_MARK}\Z", re.I)
# ... anywhere: after each of several options picked together ("Redis (Rec.), Postgres"), one
# blank before it at most (a run of blanks not tried at each of its places)
_RECOMMENDED_ANYWHERE = re.compile(rf"[ \t]?{_RECOMMENDED_MARK}", re.I)


def _unrecommended(text: str) -> tuple[str, bool]:
    """The text stripped, without the "(Recommended)" it ends with, and whether it did; the
    mark, which no line may carry, left out wherever else it stands too."""
    text = text.strip()
    mark = _RECOMMENDED.search(text)
    if mark is not None:
        text = text[: mark.start()].rstrip()
    return _RECOMMENDED_ANYWHERE.sub("", text), mark is not None


@dataclass(frozen=True)
class Answer:
    question: str  # its first sentence, up to the question mark
    choice: str  # the option picked, or the user's own words
    quote: str  # words of the run that show it: the answer as written, or the question
    over: str = ""  # the other option, when the question names neither ("option 1 or 2?")
    topic: str = ""  # what the question is about: the call's `header` ("Auth method")
    told: str = ""  # the choice as the line tells it: what its option said of it (`told_choice`)


def is_answer(event: Event) -> bool:
    return (
        event.kind is EventKind.TOOL_RESULT
        and event.tool_name == ASK_TOOL
        and event.text.startswith(ANSWERED)
    )


def answers(event: Event, asked: str = "") -> list[Answer]:
    """The lasting choices among the answers a result reports, in the order asked (`asked`:
    the question call's text, whose option descriptions tell what a choice does)."""
    if not is_answer(event):
        return []
    found = []
    for pair in _pairs(event.text[len(ANSWERED) :]):
        notes = _notes(pair.between)
        if _unrecommended(pair.answer)[1] and not notes:
            continue  # the agent's own proposal, taken: the next agent would propose it too
        answer = _choice(pair.answer, notes)
        question = _first_question(pair.question)
        if answer is None or _waived_by_option(asked, answer) or _own_words(asked, answer):
            continue
        # (the question whole: its first sentence, cut short, may stop before it asks)
        asks_how_on = _asks_how_on(_asking_sentence(" ".join(pair.question.split())))
        block = _question_of(asked, pair.question)
        if block is not None and _speaker_untold(block):
            continue  # "Dialect: Egyptian" of nobody named: read as how to talk to the user
        options = block.options if block is not None else _options(asked)
        typed = _typed(options, pair.answer, notes)
        if _lasting(question, answer, typed) and not _goes_on(pair.question) and not asks_how_on:
            told = told_choice(options, answer)
            if told is None or names_someone(f"{answer} {told}"):
                continue  # "A+B 组合", "Option 2" with nothing to tell it; who the user is
            if _NOW.search(_plain(told)):
                continue  # what its option says matters now: today's order of work
            written = pair.answer.strip()
            found.append(
                Answer(
                    question,
                    answer,
                    written if len(written) >= MIN_QUOTE else question.removesuffix("…"),
                    over=_named_others(options, answer, pair.question),
                    topic="" if _REPLIES.match(answer) else _topic(block),
                    told=told,
                )
            )
    return found


@dataclass(frozen=True)
class _Pair:
    question: str
    answer: str
    between: str  # what goes with the answer, up to the next pair: its notes, a preview


def _pairs(body: str) -> list[_Pair]:
    """The result's question-and-answer pairs, read from its start one after the other, each
    with the text after it (its notes); none after one that is not read."""
    end = body.rfind(_PAIRS_END)
    return _PairReader(body[:end] if end >= 0 else body).pairs()


class _PairReader:
    """Reads the pairs of one result, each character looked at a bounded number of times: the
    next `"="` after a place found in the list of them all, the end known once (user notes
    may be long, and hold what opens a pair again and again)."""

    def __init__(self, body: str) -> None:
        self.body = body.rstrip()
        self.said = [at.start() for at in re.finditer(f"(?={_SAID})", self.body)]
        # where the last pair may end: before a closing "." or at the very end
        self.end = len(self.body) - self.body.endswith(".")

    def pairs(self) -> list[_Pair]:
        found: list[_Pair] = []
        at = 0
        while (opens := _OPENS.match(self.body, at)) is not None:
            start = opens.end()
            said = self._question_end(start)
            if said is None:
                break
            close = self._answer_end(said + len(_SAID))
            if close is None:
                break
            after = self._notes_end(close + 1)
            found.append(
                _Pair(
                    self.body[start:said],
                    self.body[said + len(_SAID) : close],
                    self.body[close + 1 : after],
                )
            )
            if not self.body.startswith(",", after):
                break
            at = after + 1
        return found

    def _question_end(self, start: int) -> int | None:
        """Where a question opened at `start` ends: the first `"="` after it."""
        index = bisect_left(self.said, start)
        if index == len(self.said):
            return None
        said = self.said[index]
        return said if MIN_QUESTION <= said - start <= MAX_PAIR_PART else None

    def _next_pair(self, at: int) -> bool:
        opens = _OPENS_NEXT.match(self.body, at)
        return opens is not None and self._question_end(opens.end()) is not None

    def _answer_end(self, start: int) -> int | None:
        """The quote that closes the answer opened at `start`: the first after which what goes
        with it, the next pair or the end come."""
        close = self.body.find('"', start)
        while close >= 0 and close - start <= MAX_PAIR_PART:
            after = close + 1
            if after >= self.end or _WITH_ANSWER.match(self.body, after) or self._next_pair(after):
                return close
            close = self.body.find('"', after)
        return None

    def _notes_end(self, at: int) -> int:
        """Where what goes with the answer ending at `at` ends: the next pair or the end."""
        notes = _WITH_ANSWER.match(self.body, at)
        if notes is None:
            return at
        for opens in _OPENS_NEXT.finditer(self.body, notes.end(), self.end):
            if self._question_end(opens.end()) is not None:
                return opens.start()
        return max(notes.end(), self.end)


@dataclass(frozen=True)
class Asked:
    """One question of an AskUserQuestion call, as the source reader wrote it."""

    topic: str  # its `header`, or ""
    question: str
    options: tuple[tuple[str, str], ...]  # (label without its "(Recommended)", description)


def asked_questions(asked: str) -> list[Asked]:
    """The questions of a call's text: each with its `topic:` line after it (when the call gave
    one), its options on `- label<tab>description` lines (`- label: description` in calls an
    older reader wrote)."""
    found: list[Asked] = []
    topic, said, options = "", list[str](), list[tuple[str, str]]()

    def close() -> None:
        if said or options:
            question = " ".join(" ".join(said).split())
            found.append(Asked(topic, question, tuple(options)))

    for line in asked.splitlines():
        if line.startswith(OPTION_LINE):
            options.append(_option(line))
        elif line.startswith(TOPIC_LINE) and said and not options and not topic:
            topic = line.removeprefix(TOPIC_LINE).strip().rstrip(":：").strip()
        else:
            if options or topic:
                close()  # the next question
                topic, said, options = "", [], []
            said.append(line)
    close()
    return found


# A choice that opens by agreeing or declining ("Yes, remove turn ordering"): a reply to the
# question's own words, which the header ("Dual-session") does not hold.
_REPLIES = re.compile(r"^(?:yes|no|yeah|yep|nope)\b(?=\s*[,;:.—–]|\s+-)", re.I)


def _topic(block: Asked | None) -> str:
    """The question's topic, when its header names one: not a word any question could wear,
    nor how something speaks, whose speaker the question names."""
    if block is None or _BARE_TOPIC.match(block.topic) or bare_attribute(block.topic):
        return ""
    return block.topic


def _speaker_untold(block: Asked) -> bool:
    """The header names how something speaks ("Tone EN") and the question names no speaker."""
    return bare_attribute(block.topic) and not names_speaker(_plain(block.question))


def _question_of(asked: str, question: str) -> Asked | None:
    """The call's question an answer answers (the answer repeats the question's words)."""
    wanted = " ".join(question.split())
    for block in asked_questions(asked):
        if block.question and (block.question == wanted or wanted.startswith(block.question)):
            return block
    return None


# A header that names no topic ("Choice", "选择", "Question 2", "Approach", "方案"): a word any
# question could wear, which says nothing of what was decided; the question tells it instead.
_BARE_TOPIC = re.compile(
    r"^(?:(?:your |the |a )?(?:choice|option|question|decision|selection|select|pick|answer|"
    r"confirm(?:ation)?|preference|next steps?|clarification|approach(?:es)?|strateg(?:y|ies)|"
    r"method|plan|solution|design|scope|priorit(?:y|ies)|direction)s?|"
    r"选择|选项|问题|决定|确认|偏好|下一步|澄清|方案|方式|方法|策略|方向|思路|做法|"
    r"選択|質問|方針|手法|戦略|アプローチ|확인|선택|방식|방법|전략|"
    # the same words in Portuguese, Spanish, French, German and Russian ("Escopo", "Enfoque")
    r"escolhas?|opç(?:ão|ões)|perguntas?|decis(?:ão|ões)|confirmação|preferências?|"
    r"próximos? passos?|esclarecimentos?|abordagens?|estratégias?|métodos?|planos?|"
    r"soluç(?:ão|ões)|escopo|âmbito|prioridades?|direção|"
    r"elecci(?:ón|ones)|opci(?:ón|ones)|preguntas?|decisi(?:ón|ones)|confirmación|"
    r"preferencias?|próximos pasos|siguientes? pasos?|aclaraci(?:ón|ones)|enfoques?|"
    r"estrategias?|planes|"
    r"soluci(?:ón|ones)|diseño|alcance|ámbito|dirección|prioridad(?:es)?|"
    r"choix|options?|étapes suivantes|décisions?|préférences?|prochaines étapes|approches?|"
    r"stratégies?|"
    r"méthodes?|conception|portée|périmètre|priorités?|"
    r"auswahl|wahl|optionen|fragen?|entscheidung(?:en)?|bestätigung|präferenz(?:en)?|"
    r"nächste schritte|"
    r"klärung|ans[aä]tze?|strategien?|methoden?|pläne|lösung(?:en)?|umfang|bereich|"
    r"priorität(?:en)?|richtung|"
    r"выбор|вариант(?:ы)?|вопрос(?:ы)?|решени[ея]|подтверждение|подход(?:ы)?|стратеги[яи]|"
    r"метод(?:ы)?|план|объём|"
    r"область|приоритет(?:ы)?|направление)\s*\d*\s*$",
    re.I,
)
# A piece of a label that says nothing alone, which such a label is made of, piece after piece:
# "A+B 组合", "Option 2", "Both", "1", "All of the above". An option's word and its number or
# letter; a lone letter or digit ("C++", "C#", "Q&A", "3.12", "8080" are names); a mark that
# joins; a word that joins or says all.
_OPAQUE_PIECE = re.compile(
    r"(?:options?|choices?|plans?|approach(?:es)?|variants?)\b(?:\s*#?\d{1,2}(?![\w.-]))?"
    r"|(?:方案|选项|选择|第)"
    r"|(?<!&)[A-Za-z](?![\w-]|\+\+|#|&[A-Za-z])|\d(?![\w.-])|[+&/,，、.．)）(（\s]"
    r"|(?:and|or|both|all|together|combined|combination|combo|hybrid|mix(?:ed)?|of the above|"
    r"of them|of these)\b"
    r"|[一二三四五六七八九十甲乙丙丁]|组合|结合|合并|混合|兼顾|两者|二者|两个|都要|都|全部|全选|以上|上述|和|与|及|加|个|种|项",
    re.I,
)
# An option's letter or number before its words ("A. proposal 内自动触发", "2) Redis").
_LETTERED = re.compile(r"^(?:[A-Za-z]|\d{1,2})\s*[.)、．）]\s+(?=\S)")


def opaque(label: str) -> bool:
    """The label means nothing without its description (a lone letter may be a name: "C")."""
    label = label.strip()
    return _pieces_say_nothing(label) and not re.fullmatch(r"[A-Za-z]", label)


def _pieces_say_nothing(label: str) -> bool:
    """The label is made of `_OPAQUE_PIECE`s only, read one after the other, each at once: no
    piece ends where another could, so nothing is tried twice (a pattern repeating them would
    try every grouping of a long answer's words)."""
    at = 0
    while at < len(label):
        piece = _OPAQUE_PIECE.match(label, at)
        if piece is None or piece.end() == at:
            return False
        at = piece.end()
    return bool(label)


def told_choice(options: Sequence[tuple[str, str]], choice: str) -> str | None:
    """The choice as a line tells it: the option with the first clause of its description
    (several options picked together, each with its own), an option whose label says nothing
    alone ("A+B 组合") told by its description; None when nothing tells what it is."""
    picked = _picked(options, choice)
    if picked is not None and len(picked) > 1:
        parts = []
        for label, description in picked:
            reason = _reason(description, MAX_EACH_REASON)
            if opaque(label) and not reason:
                return None
            named = _LETTERED.sub("", label)
            parts.append(reason if opaque(label) else f"{named} ({reason})" if reason else named)
        return "; ".join(parts)
    why = _description(options, choice)
    chosen = _chosen(options, choice)
    rest = choice[len(chosen) :] if chosen is not None else ""  # the user's notes on it, if any
    if opaque(chosen if chosen is not None else choice):
        if why:
            return f"{why}{rest}"
        return choice if rest.strip() else None  # the notes say what it is
    told = _LETTERED.sub("", choice) if chosen is not None else choice
    return f"{told} ({why})" if why else told


def _picked(options: Sequence[tuple[str, str]], choice: str) -> list[tuple[str, str]] | None:
    """The options a choice names, one after the other ("A, C"), or None when it holds other
    words."""
    labelled = sorted((o for o in options if o[0]), key=lambda o: -len(o[0]))
    picked, rest = [], choice
    while rest:
        option = next((o for o in labelled if rest.startswith(o[0])), None)
        if option is None:
            return None
        picked.append(option)
        rest = rest[len(option[0]) :].lstrip(" ,，、")
    return picked or None


def _chosen(options: Sequence[tuple[str, str]], choice: str) -> str | None:
    """The label the choice starts with, the longest (of "Redis" and "Redis Cluster", the
    second), ending where a word does ("Redis", not the start of "Redisson"); None when the
    choice starts with none."""
    starts = [
        label
        for label, _ in options
        if label
        and choice.startswith(label)
        and not (_IN_WORD.match(label[-1]) and _IN_WORD.match(choice, len(label)))
    ]
    return max(starts, key=len) if starts else None


_IN_WORD = re.compile(r"[A-Za-z0-9_]")


def _named_others(options: Sequence[tuple[str, str]], choice: str, question: str) -> str:
    """The options not taken that the question names ("Postgres or SQLite?"): turned down,
    when the choice is one option, and named only if the choice does not name them itself
    ("SQLite, but Postgres in prod"). A label of Latin letters is named as a word ("Go", not the
    "go" of "ongoing")."""
    chosen = _chosen(options, choice)
    picked = _picked(options, choice)
    if chosen is None or (picked is not None and len(picked) > 1):
        return ""  # the user's own words, or several options picked together
    said = " ".join(question.split())
    others = [
        label
        for label, _ in options
        if len(label) > 1
        and label != chosen
        and _names_label(label, said)
        and not _names_label(label, choice)
    ]
    return " or ".join(others)


def _names_label(label: str, text: str) -> bool:
    return bool(re.search(rf"(?<![A-Za-z0-9_]){re.escape(label)}(?![A-Za-z0-9_])", text, re.I))


def _asks_how_on(asking: str) -> bool:
    """The sentence that asks (or a clause of it, after an id: "BUG-3: should I …") is how to
    go on with today's work, or puts today's plan to the user, in English, Chinese or
    Vietnamese, or asks how today's findings are filed as issues, or what matters now, or
    whether or how to carry out today's import, or how the agent is to carry out the plan."""
    asking = _plain(asking)
    return bool(
        any(
            _PROCESS.match(clause)
            or _PROCESS.match(_LEAD_IN.sub("", clause, count=1))
            or _PROCESS_VI.match(clause)
            for clause in _clauses(asking)
        )
        or _PROCESS_ZH.search(asking)
        or _APPROVES.search(asking)
        or _FILES_WORK.search(asking)
        or _NOW.search(asking)
        or _CARRIES_OVER.search(asking)
        or _EXECUTES_PLAN.search(asking)
    )


# A short lead-in before the question, up to its comma ("Given this explanation, should I
# proceed …?", "Before I start, …"); not a condition that recurs ("When a test is flaky, should
# I retry it …?", "For every new endpoint, …": a standing way).
_LEAD_IN = re.compile(r"^(?![^,]*\b(?:when(?:ever)?|every|each|any|all)\b)[^,?？]{1,40},\s+", re.I)
# Where a clause opens inside the sentence that asks: after an id or a label, a dash
# ("PERF-07: slow query — should I create an issue?" asks how to go on in its last clause).
_CLAUSE_OPENS = re.compile(r"[:：—–]\s*|\s-\s+")
MAX_CLAUSES = 8  # an id or two, a topic, then the question: more is no question's lead-in


def _clauses(asking: str) -> list[str]:
    """The sentence that asks, and what follows each place a clause opens in it."""
    opening = islice(_CLAUSE_OPENS.finditer(asking), MAX_CLAUSES)
    return [asking, *(asking[opens.end() :] for opens in opening)]


def _own_words(asked: str, answer: str) -> bool:
    """The user typed their own words instead of picking an option offered, and they ask
    something anywhere in them ("…是否违背，能否用配置文件来解决", "but how do we stop
    spam"), or say much, or paste a crash: a question back, a thought aloud or a request,
    not a choice."""
    offered = any(answer.startswith(label) for label, _ in _options(asked) if label)
    if offered:
        return False
    # a message more than a choice: long, or holding a log or a crash it pasted
    return (
        bool(_ASKS_ANYWHERE.search(answer))
        or len(answer) > OWN_WORDS_MAX
        or bool(_PASTED_LOG.search(answer))
        or bool(_POINTS.search(answer))
    )


OWN_WORDS_MAX = 160  # characters of the user's own words beyond which an answer is a message
# Points numbered 1 and 2 ("1、还要考虑… 2、…"): notes on the work in review, not a choice.
_POINTS = re.compile(r"^\s*1\s*[、.．)）:：]\s*\S.*?\s2\s*[、.．)）:：]\s*\S", re.S)
_PASTED_LOG = re.compile(
    r"\b0x[0-9a-fA-F]{6,}\b|Traceback \(most recent|\bStack ?Trace\b|EXC_BAD_ACCESS|"
    r"^\s*at [\w.$<>]+\(|\b(?:Error|Exception):\s",
    re.M,
)


# A login given as one ("用户名: ana", "username: ana"): who the user is, beside an address.
_LOGIN = re.compile(
    r"\b(?:user ?name|login)\s*[:：=]|(?:用户名|账号|帐号|ユーザー?名)\s*[:：=]", re.I
)


def names_someone(text: str) -> bool:
    """The text names a person: an e-mail address of theirs, or a login given as one. A
    decision carrying it would put the user's identity into a context file."""
    return has_address(text) or bool(_LOGIN.search(text))


def _waived_by_option(asked: str, choice: str) -> bool:
    """The option chosen says of itself that it skips a safety step ("否，直接执行: 跳过验证")."""
    said = option_description(asked, choice) if asked else None
    return bool(said and _SKIPS.search(said))


def _typed(options: Sequence[tuple[str, str]], answer: str, notes: str) -> str:
    """The words the user typed in answering: their notes, and the answer but the options
    offered it names (the agent's words, "Return Maybe values")."""
    said = " ".join(_unrecommended(answer)[0].split())
    if _picked(options, said) is not None:
        said = ""
    elif (chosen := _chosen(options, said)) is not None:
        said = said[len(chosen) :]
    return f"{said} {notes}".strip()


def _notes(between: str) -> str:
    """The user's notes on an answer: the text between it and the next question."""
    between = between.split(". You can now continue", 1)[0]
    match = _NOTES.match(between)
    # (its last comma and blanks left out by hand: a pattern would try each place for them)
    return match["notes"].rstrip().removesuffix(",").strip() if match else ""


def _choice(answer: str, notes: str) -> str | None:
    choice = _unrecommended(answer)[0]
    if notes and notes != answer.strip():
        choice = f"{choice} ({notes})"
    choice = " ".join(choice.split())
    return choice if 0 < len(choice) <= MAX_ANSWER else None


# A question that goes on with its other alternative ("…截图保存？还是需要先下载到本地？",
# "Use X? Or Y?"): one question, whose answer may pick the second.
_OTHER_ALTERNATIVE = re.compile(
    r"\s*(?:还是|或者|或是|還是|(?:or|oder|ou|o|или)\b)[^?？]*[?？]", re.I
)


def _first_question(question: str) -> str:
    end = _QUESTION_END.search(question)
    head = question[: end.end()] if end else question
    other = _OTHER_ALTERNATIVE.match(question, end.end()) if end else None
    if other is not None:
        head = question[: other.end()]
    head = " ".join(head.split())
    if len(head) <= MAX_QUESTION:
        return head
    return head[: MAX_QUESTION + 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"  # between words


def _asking_sentence(question: str) -> str:
    """The sentence that asks: the last one with a question mark, not what it opens with."""
    said = [part.strip() for part in _QUESTION_SENTENCES.split(question)]
    asking = [part for part in said if _QUESTION_END.search(part)]
    return asking[-1] if asking else question


def _plain(text: str) -> str:
    """The text as the patterns read it: a non-breaking or typographic hyphen ("Souhaites‑tu")
    is a hyphen, an apostrophe is straight, Arabic is read without its vowel marks."""
    return text.translate(_TYPOGRAPHIC)


_TYPOGRAPHIC = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2019": "'"}
    # Arabic's vowel marks and its stretching stroke, which words may carry or not ("تحسّن")
    | dict.fromkeys([*range(0x064B, 0x0653), 0x0640])
)


def _goes_on(question: str) -> bool:
    """The question, read whole (the kept first sentence may stop before it asks), is how to
    go on (in a language other than English, Chinese or Vietnamese), today's scope, a menu of
    next work ("pick one and I'll build it", in any language), what the agent can do with its
    own browser or terminal, or a quiz put to the user."""
    question = _plain(question)
    return bool(
        _PROCESS_ELSEWHERE.search(question)
        or _TODAY.search(question)
        or (_PICK_TO_DO.search(question) and not _FROM_NOW_ON.search(_asking_sentence(question)))
        or _YOUR_SIDE.search(question)
        or _QUIZ.search(question)
    )


def _lasting(question: str, choice: str, typed: str) -> bool:
    """The choice lasts (`typed`: the words of it the user typed, not an option's label)."""
    question, choice = _plain(question), _plain(choice)
    asking = _asking_sentence(question)
    return not (
        _asks_how_on(asking)
        or _goes_on(question)
        or _ASKS_BACK.search(choice)
        or _REACTS.search(choice)
        or _WAIVES.search(choice)
        or _NAMING.search(asking)
        or (_VISIBILITY.fullmatch(choice.strip()) and _NAMES_REPO.search(question))
        or _SCOPE.search(question)
        or _QUANTITY.search(asking)
        or _DIAGNOSTIC.search(question)
        or _RELOCATES.search(question)
        or _CLARIFIES.search(question)
        or _OBSERVES.search(asking)
        or _SETS_UP.search(question)
        or _HAS_NOW.search(asking)
        or _GIT_IDENTITY.search(question)
        or _GOAL.search(question)
        or _NO_CHOICE.match(choice)
        or _FOR_NOW.search(choice)
        or _ACT_TO_COME.search(choice)
        or _NOW.search(choice)
        or _HEDGED.search(_plain(typed))
        or (_GENERIC_ASK.match(asking) and _PLAN_PART.search(question))
        or (_DONE_ONCE.match(choice) and not _STANDS.search(choice))
    )


def numbered_pick(asked: str, reply: str) -> Answer | None:
    """The option the user picked by its number ("2") among those the agent's message ends
    with, when it lasts: a question of how to go on, an option that is a step of today's
    work, or the one the agent marked as its recommendation, decides nothing."""
    number = _NUMBER_REPLY.match(reply)
    listed = _numbered_options(asked)
    if number is None or listed is None or _CLARIFIES.search(asked):
        return None
    question, options = listed
    if all(_asks_back(option) for option in options):
        return None  # "1. Should I …? 2. Would you like …?": ways to go on, not a choice
    picked = int(number["number"])
    if picked > len(options):
        return None
    written = options[picked - 1].strip()
    if _RECOMMENDED_ANYWHERE.search(written):
        return None  # the agent's own proposal, taken by its number: it would propose it again
    choice = _LEADING_OR.sub("", written.replace("**", "")).rstrip(" ?.").strip()
    asked_question = _last_sentence(question)
    if (
        not asked_question
        or _ASKS_WITHOUT_SUBJECT.match(asked_question)
        or _STEP.match(_plain(choice))
        or (_OFFERS_TO.search(asked_question.rstrip()) and not _KEEPS_TO.match(choice))
        or opaque(choice)
        or names_someone(choice)
        or not _lasting(asked_question, choice, typed="")  # the option, the agent's words
    ):
        return None
    over = ""
    if len(options) == 2 and _NAMES_NEITHER.search(asked_question):
        other = options[2 - picked]
        over = shorten(
            _LEADING_OR.sub("", other.replace("**", "")).rstrip(" ?.").strip(), MAX_REASON
        )
    return Answer(asked_question, choice, written, over)


# A question that names nothing it asks about ("What is your call? (1 / 2 / 3)", "Which one
# do you prefer?"): the line it would open says what was picked, not of what.
_ASKS_WITHOUT_SUBJECT = re.compile(
    r"^(?:so,?\s+)?(?:what(?:'s| is| would be) your (?:call|choice|pick|preference|decision|take)"
    r"|which (?:one|option|of these|of them)(?: (?:do|would) you (?:prefer|want|choose|pick|like))?"
    r"|your (?:call|choice|pick)|what do you (?:think|prefer|want)"
    r"|which do you (?:prefer|want|choose|pick)|any preference|thoughts)"
    r"\s*\??\s*(?:\([\d\s/,or|-]*\))?\s*[?.]?$",
    re.I,
)


# The agent offering what it could do next ("Would you like me to:", "Should I:"): its options
# are tasks of today ("Align the doc to the brief"), unless one keeps a way of working.
_OFFERS_TO = re.compile(
    r"\b(?:(?:would you like|do you want|want)(?: me| us)? to|(?:should|shall|can) (?:I|we))"
    r":?$",
    re.I,
)
_KEEPS_TO = re.compile(
    r"^(?:always|never|use|keep|store|adopt|switch to|go with|stick (?:with|to)|prefer)\b", re.I
)


def _numbered_options(asked: str) -> tuple[str, list[str]] | None:
    """The question a message ends with and its options numbered 1, 2, …, or None."""
    lines = [line for line in asked.strip().split("\n") if line.strip()]
    question = lines.pop() if lines and not _OPTION.match(lines[-1]) else ""
    if question and "?" not in question:
        return None  # the message goes on after its list: no question a number answers
    if not any(c.isalpha() for c in question):
        question = ""  # a lone "?" under the options: the question is the line above them
    numbered: list[tuple[int, str]] = []
    while lines and (option := _OPTION.match(lines[-1])) is not None:
        numbered.insert(0, (int(option["number"]), option["text"]))
        lines.pop()
    if [n for n, _ in numbered] != list(range(1, len(numbered) + 1)) or len(numbered) < 2:
        return None
    if not question and lines:
        question = lines.pop()
    if len(question) < SHORT_QUESTION and lines:
        question = f"{lines[-1]} {question}"  # "Should I:" alone says too little
    options = [text for _, text in numbered]
    return (question, options) if _asks(question, options) else None


def _asks_back(option: str) -> bool:
    """An option that is itself a question to the user ("Would you like to paste …?")."""
    text = option.replace("**", "").strip()
    return text.endswith(("?", "\uff1f")) or bool(_QUESTION_OPENER.match(text))


def _asks(question: str, options: list[str]) -> bool:
    return "?" in question or options[-1].rstrip().endswith("?")


def _last_sentence(line: str) -> str:
    """The question's sentence, with the one before it when it says too little alone
    ("… is already defined in `LoginViewModel.kt`. Should I:")."""
    text = " ".join(line.replace("**", "").split())
    parts = re.split(r"(?<=[.!])\s+", text)
    question = parts[-1]
    if len(question) < SHORT_QUESTION and len(parts) > 1:
        question = f"{parts[-2]} {question}"
    if len(question) > MAX_QUESTION:
        question = "… " + question[-MAX_QUESTION:].split(" ", 1)[-1]
    return question.strip()


# The sentence that asks, shorter than this ("Ok?"), says too little alone to be the topic;
# so does one that points back at the context ("Which one?", "Should I delete them?").
MIN_TOPIC = 8
_REFERS_BACK = re.compile(
    r"\b(?:one|ones|them|it|this|that|these|those|yes or no)\b"
    r"|哪个|哪一个|这个|那个|它们?|どれ|それ",
    re.I,
)


# The sentence that asks only which way to go, naming nothing ("Which approach do you prefer?",
# "你倾向哪种改进策略？"): the context before it holds the topic, so the whole question is kept.
_GENERIC_ASK = re.compile(
    r"^(?:so,?\s+)?(?:which|what)\s+(?:(?:improvement|fix|implementation|overall|general|next)\s+)?"
    r"(?:approach|option|strategy|strategies|plan|way|direction|solution|choice|method|path)"
    r"(?:es|s)?\s+(?:do|would|should|shall|will)\s+(?:you|we|i)\b[^?]{0,25}\?$"
    r"|^(?:你|您)?更?(?:倾向于?|希望|想要?|要|打算|偏好|建议|选择)?(?:采用|使用|用|选择?)?"
    r"(?:哪种|哪个|哪一种|哪一个|哪类|什么样?的?)(?:改进|优化|处理|实现|修复|解决|改造|调整)?"
    r"(?:策略|方案|方式|方法|思路|方向|做法|选项|路线)[？?]$",
    re.I,
)


def answer_text(answer: Answer) -> str:
    """The decision as a line that stands alone, the project's choice on its topic: "Topic:
    choice (what its option said of it), not the other option the question named." With no
    topic, the question is the topic ("Which queue? Redis."), or, when it names neither option
    ("option 1 or 2?"), the choice and the other option say it all."""
    told = answer.told or answer.choice
    not_taken = f", not “{answer.over}”" if answer.over else ""
    if answer.topic:
        line = f"{answer.topic}: {told}{not_taken}"
    elif answer.over and _NAMES_NEITHER.search(answer.question):
        line = f"{told}{not_taken}"
    else:
        # the context the question opened with is no topic: the sentence that asks is
        asking = _asking_sentence(answer.question)
        alone = (
            len(asking) >= MIN_TOPIC
            and not _REFERS_BACK.search(asking)
            and not _GENERIC_ASK.match(asking)
        )
        asked = asking if alone else answer.question
        space = "" if asked.endswith(("？", "：", "…")) else " "
        line = f"{asked}{space}{told}"
    return line.rstrip(" .。,;:，；") + "."


def _options(asked: str) -> list[tuple[str, str]]:
    """The options of the question's call (`- label: description` lines): each label, without
    its "(Recommended)", and its description."""
    return [_option(line) for line in asked.splitlines() if line.startswith(OPTION_LINE)]


def _option(line: str) -> tuple[str, str]:
    """An option's label and description: apart at the tab the reader writes between them, or,
    in a call's text an older reader wrote (`- label: description`), at the first ": "."""
    line = line.removeprefix(OPTION_LINE)
    label, _, why = line.partition(OPTION_REASON if OPTION_REASON in line else ": ")
    return _unrecommended(label)[0], why


# An option described as the agent's own next step, in its first person: "I'll add …",
# "我集成 …" (I integrate …), "Let me …".
# "我们…" (we, our team) and "我国" (our country) give a reason, not the agent's step.
_AGENT_VOICE = re.compile(
    r"^(?:I(?:['\u2019](?:ll|d|m going to)|\s+will|\s+can|\s+would|\s+am going to)?\s"
    r"|[Ll]et me\b|我(?![们們国國的])|由我)"
)


def option_description(asked: str, choice: str) -> str | None:
    """The description the agent gave the option chosen (`- label: description` lines of the
    question's call), first sentence, or None."""
    return _description(_options(asked), choice)


def _description(options: Sequence[tuple[str, str]], choice: str) -> str | None:
    """The reason of the option the choice starts with (the longest label, `_chosen`)."""
    chosen = _chosen(options, choice)
    if chosen is None or choice[len(chosen) :].startswith(","):
        return None  # no option, or options picked together: whose reason?
    why = next(why for label, why in options if label == chosen)
    return (_reason(why, MAX_REASON) or None) if why else None


def _reason(why: str, limit: int) -> str:
    """An option's description as a reason: its first clause, or "" when it holds a secret's
    place or tells what the agent would do."""
    first = _CLAUSE_END.split(why.strip(), maxsplit=1)[0].strip().rstrip(".")
    if "[REDACTED" in first:
        return ""  # a template with a secret's place in it says nothing here
    if _AGENT_VOICE.match(first):
        return ""  # what the agent would do ("I'll wire up X or Y"): no reason
    return _whole_within(first, limit)


# An aside in brackets ("(e.g., card styles, grid layout)"): the clause says its point without it.
_ASIDE = re.compile(r"\s*[(（][^()（）]*[)）]")


def _whole_within(clause: str, limit: int) -> str:
    """The clause whole within `limit` characters, its asides dropped if it must be, or "":
    a description cut mid-word says half of what the option did."""
    clause = " ".join(clause.split())
    if len(clause) > limit:
        clause = " ".join(_ASIDE.sub("", clause).split())
    return clause if len(clause) <= limit else ""
