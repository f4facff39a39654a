"""A sentence that reports how things are now: opened by a word for "now" ("Currently …",
"現在は …", "目前 …", "Atualmente …") and said as a statement of what is done or is the case,
not as an instruction. Users write it before asking for a change ("現在はプランに関わらず一律で
遷移させている。…ようにしたい"): it tells what the code or the team does today, so an "always"
or "一律" in it describes that and is no standing rule."""

from __future__ import annotations

import re

# "Now" opening an English sentence ("from now on", a rule, opens with "from"; "as of now"
# read as "from now on" says what must hold, which the instruction's words below keep).
_EN_NOW = re.compile(
    r"^(?:currently|right\s+now|at\s+the\s+moment|as\s+of\s+(?:now|today|right\s+now)|"
    r"at\s+present|presently)\b[\s,]*",
    re.I,
)
# An instruction: a clause opening as one ("Currently we use npm; always use pnpm"), a word
# of what must be or of what is to be from now on, or the user asking it ("I want you to").
_EN_INSTRUCTS = re.compile(
    r"(?:^|[,;:]\s*(?:(?:but|so|and|then)\s+)?)(?:please\s+)?(?:always|never|don't|do\s+not|"
    r"make\s+sure|ensure|use|avoid|prefer|keep)\b"
    r"|\b(?:please|must|should|shall|needs?\s+to|ha(?:ve|s)\s+to|ought\s+to|from\s+now\s+on|"
    r"going\s+forward|in\s+(?:the\s+)?future|(?:want|need|(?:'d|would)\s+like)\s+you\s+to)\b",
    re.I,
)
# The other languages written with spaces: German, French, Spanish, Portuguese, Italian,
# Russian; an instruction there asks politely or says what must be.
_SPACED_NOW = re.compile(
    r"^(?:derzeit|zurzeit|zur\s+zeit|aktuell|momentan|actuellement|en\s+ce\s+moment|"
    r"actualmente|en\s+este\s+momento|atualmente|no\s+momento|neste\s+momento|attualmente|"
    r"сейчас|в\s+данный\s+момент|на\s+данный\s+момент|в\s+настоящее\s+время)\b[\s,]*",
    re.I,
)
_SPACED_INSTRUCTS = re.compile(
    r"\b(?:bitte|muss|müssen|soll|sollen|sollte|sollten|s'il\s+(?:te|vous)\s+pla[iî]t|"
    r"doit|doivent|il\s+faut|por\s+favor|debe|deben|hay\s+que|tienen?\s+que|deve|devem|"
    r"t[eê]m\s+que|precisa|per\s+favore|пожалуйста|нужно|надо|должн\w*|ab\s+jetzt|künftig|"
    r"désormais|à\s+l'avenir|a\s+partir\s+de\s+(?:ahora|agora)|de\s+ahora\s+en\s+adelante|"
    r"daqui\s+(?:em|para|pra)\s+(?:diante|frente)|впредь|отныне|с\s+этого\s+момента)\b",
    re.I,
)
# Chinese: "目前 …", "现在 …" (not "现在开始 …", "现在起 …": from now on), after "we" at most;
# an instruction there says what is to be done or not, or what is to be from now on.
_ZH_NOW = re.compile(
    r"^(?:我们|我|咱们)?(?:目前|当前|當前|现阶段|現階段|眼下|现在|現在)(?!开始|開始|起)"
)
# ("需要", "重要", "要求" ask nothing; "区别", "特别" forbid nothing.)
_ZH_INSTRUCTS = re.compile(
    r"(?<![申邀])(?:请|請)|(?<![需主重只想将將快还還])要(?![求是])|"
    r"(?<![分区區特类類级級识識告差性个個])(?:别|別)|"
    r"不许|不準|不准|禁止|必须|必須|务必|務必|应该|應該|应当|應當|切勿|"
    r"以后|以後|今后|今後|往后|从现在|從現在|从今|從今"
)
# Japanese: "現在は …", "今は …", "現状 …", after the sentence's topic at most ("このページは
# 現在 …"); an instruction ends as one does ("…してください", "…しないで", "…すること").
_JA_NOW = re.compile(
    r"^(?:[^\u3001\u3002\s]{1,20}?(?:は|では|には|も)\u3001?)?"
    r"(?:現在|現状|現時点|今のところ|今現在|今は|いまは|目下)"
)
_JA_INSTRUCTS = re.compile(
    r"(?:[てで](?:ください|下さい|ほしい|欲しい|もらいたい|くれ)?|こと|しろ|せよ|するな|べき(?:だ|です)?|"
    r"ように|禁止|なさい|ましょう|たい(?:です)?)[\u3002\uff01!]?\s*$"
)
# Korean: "현재는 …", "지금은 …" (not "지금부터 …": from now on).
_KO_NOW = re.compile(r"^(?:현재|지금은)")
_KO_INSTRUCTS = re.compile(
    r"(?:주세요|해\s?줘|하세요|마세요|하지\s?마|할\s?것|해라|하지\s?말\w*|쓰지\s?마)[.!\u3002]?\s*$"
)
# Japanese before Chinese: "現在" opens both, and a Japanese sentence says its instruction
# in its ending.
_NOW_AND_INSTRUCTIONS = (
    (_EN_NOW, _EN_INSTRUCTS),
    (_SPACED_NOW, _SPACED_INSTRUCTS),
    (_JA_NOW, _JA_INSTRUCTS),
    (_ZH_NOW, _ZH_INSTRUCTS),
    (_KO_NOW, _KO_INSTRUCTS),
)


def reports_now(sentence: str) -> bool:
    """The sentence opens with a word for "now" and tells how things are: no instruction in
    it, in its language's words."""
    said = sentence.strip()
    for now, instructs in _NOW_AND_INSTRUCTIONS:
        opened = now.match(said)
        if opened is not None:
            return not instructs.search(said[opened.end() :])
    return False
