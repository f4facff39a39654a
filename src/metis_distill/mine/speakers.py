"""How something speaks or writes, asked without saying whose voice it is.

A question's header that names only an attribute of speech ("Dialect", "Tone EN", "Reply
length", "اللهجة", "语气") tells no owner: rendered as "Dialect: Egyptian", the next agent takes
it for how to talk to the user, when the user chose how the chatbot being built talks. Such a
pick is told with its question, which names the speaker ("Which dialect should the digital
twin use?"), or held back when the question names none ("How long should replies be?",
"What's your style in English?": the user's own way, or nobody's).
"""

from __future__ import annotations

import re

# A word of speech the attribute is of: a reply, an answer, a message ("Reply length").
_SPEECH = (
    r"(?:repl(?:y|ies)|responses?|answers?|messages?|speech|writing|speaking|"
    r"(?:ال)?(?:رد|ردود|إجابة|اجابة|إجابات|اجابات|كلام|رسائل|كتابة)|"
    r"回复|回答|答复|说话|写作|返答|応答|respuestas?|réponses?|Antwort(?:en)?)"
)
# An attribute of how one speaks, alone a header: tone, dialect, persona …
_ATTRIBUTE = (
    r"(?:tone|tone of voice|dialect|accent|voice|formality|verbosity|persona|personality|"
    r"(?:ال)?(?:لهجة|نبرة|نبرة الصوت|شخصية|رسمية)|"
    r"语气|语调|口吻|方言|人设|口調|語調|トーン|話し方|文体|"
    r"tono|dialecto|personalidad|ton|dialecte|personnalité|Tonfall|Dialekt|Persönlichkeit)"
)
# ... or with a word of speech: "Reply length", "Writing style", "طول الرد", "回复长度".
_OF_SPEECH = (
    r"(?:length|style|tone)|(?:طول|أسلوب|اسلوب|نبرة)|(?:长度|风格|语气)|(?:の長さ|の?スタイル)|"
    r"(?:longitud|estilo|longueur|Länge|Stil)"
)
# A language the attribute is said for ("Tone EN", "Dialect (Arabic)").
_LANGUAGE = (
    r"(?:[(（]?\s*(?:en|ar|fr|es|de|zh|ja|english|arabic|french|spanish|german|chinese|japanese|"
    r"(?:ال)?(?:عربي|عربية|إنجليزي|انجليزي)|英文|中文|英語|日本語)\s*[)）]?)"
)
_BARE_ATTRIBUTE = re.compile(
    rf"^(?:{_LANGUAGE}\s*)?(?:{_ATTRIBUTE}|{_SPEECH}\s*(?:{_OF_SPEECH})|"
    rf"(?:{_OF_SPEECH})\s*(?:of |de (?:la |las |los )?|des |der )?(?:the )?{_SPEECH})"
    rf"(?:\s*{_LANGUAGE})?$",
    re.I,
)
# Who or what speaks, named in the question: the thing being built that talks or writes (a
# bot, an assistant, a digital twin, the app's copy), or a kind of writing that is its own
# (commit messages, the docs).
_SPEAKER = re.compile(
    r"\b(?:(?:chat)?bots?|assistants?|agents?|twins?|avatars?|characters?|personas?|"
    r"npcs?|models?|llms?|apps?|applications?|products?|sites?|websites?|ui|copy|e-?mails?|"
    r"newsletters?|docs|documentation|readmes?|notifications?|comments?|posts?|"
    r"(?:commit|error|log|status|system|welcome|release) (?:messages?|notes)|changelogs?|"
    r"asistentes?|gemelos?|aplicaci[oó]n|sitio|modelos?|personajes?|jumeaux|jumeau|"
    r"personnages?|modèles?|assistenten|zwillings?|figur(?:en)?)\b|"
    r"(?:ال)?(?:توام|توأم|بوت|شات ?بوت|مساعد|وكيل|نموذج|تطبيق|موقع|افاتار)(?!\w)|"
    r"机器人|助手|智能体|客服|数字人|分身|角色|应用|网站|模型|文档|邮件|通知|提交信息|"
    r"ボット|アシスタント|エージェント|キャラクター|アプリ|サイト|モデル|ドキュメント",
    re.I,
)


def bare_attribute(header: str) -> bool:
    """The header names only how something speaks, not whose speech it is."""
    return bool(_BARE_ATTRIBUTE.match(" ".join(header.split())))


def names_speaker(question: str) -> bool:
    """The question names who or what speaks: the owner of the attribute asked."""
    return bool(_SPEAKER.search(question))
