"""What a sentence says: the patterns that tell a decision, a rule, a gotcha, a hedge, a
request or a correction in the words of a user or an agent."""

from __future__ import annotations

import re

DECISION = re.compile(
    r"\b(?:(?:I'll|I will|we'll|we will|let's|let us|we should|I'm going to|we're going to)\s+"
    r"(?:use|go with|keep|switch to|stick with|stick to|store|prefer|avoid|pin)\b.{3,}?"
    r"\b(?:because|since|so that|as it|to avoid)\b"
    r"|\b(?:decided to|we decided)\b.{3,}?\b(?:because|since|so that|to avoid)\b"
    r"|\b(?:use[ds]?|using|chose|chosen|choose|went with|go(?:es)? with|switched to|picked|"
    r"prefer(?:red|s)?|kept|keeps?|stores?|stored|moved to)\b[^.]{0,80}?\binstead of\b.{3,}?"
    r"\bbecause\b)",
    re.I,
)
# Every match of DECISION, lower-cased, holds one of these (`may_hold`): its reasons.
DECISION_WORDS = ("because", "since", "so that", "as it", "to avoid")
# A decision the user reports ("we decided to drop Redis"): theirs to make, with or without
# a reason; the agent's own "I decided to …" is a step of its plan unless it gives one.
USER_DECIDED = re.compile(r"\b(?:we|I) (?:have |had )?decided\b", re.I)
USER_RULE = re.compile(
    r"^(?:please\s+)?(?:always|never(?!\s+(?:have|has|had|seen|been|saw|did|was|were|heard|knew|"
    r"thought|used|got)\b)|don't|do not|make sure(?: to| you)?|ensure|from now on|"
    r"avoid|prefer|only use|use)\b",
    re.I,
)
# A choice the user states anywhere in a sentence ("I want … just one queue", "save the
# preference"): a decision even when the sentence does not open like a rule.
USER_CHOICE = re.compile(
    r"\b(?:I|we)\s+(?:(?:don't|dont|do not)\s+)?(?:want|prefer|'d rather|would rather)\b"
    # "this is just a brainstorm", "it's just a draft": "just" there says "merely", not "only";
    # of a thing named ("each endpoint is just one file") it still says "only"
    r".{3,200}?\b(?:instead|(?<!not )(?<!\bthis is )(?<!\bthat is )(?<!\bit is )(?<!\bit's )"
    r"(?<!\bit\u2019s )(?<!\bthat's )(?<!\bthat\u2019s )(?<!\bthis was )(?<!\bit was )"
    r"(?<!\bthey are )(?<!\bthey're )(?<!\bthese are )just(?! as\b)|"
    r"(?<!the )(?<!my )(?<!our )(?<!read )(?<!read-)(?<!not )only|"
    r"rather than)\b"
    r"|\bsave (?:the|this|that|it as (?:a|my)) preference\b"
    r"|\bsave (?:that|this|it) in (?:all )?memor",
    re.I,
)
# A preference of the user's for how the work is done, said as what they want: a thing they
# want avoided ("I want to avoid direct DB queries"), or used, kept or avoided wherever it
# applies ("we want to use the API when applicable", "I'd like you to keep deps few where
# possible"). What it is kept to today is told apart by TODAYS_THING.
_WHEREVER_IT_APPLIES = (
    r"(?:when(?:ever)?|where(?:ever)?)\s+(?:applicable|possible|it applies|you can)"
    r"|as (?:much|often) as (?:possible|you can)|in general"
)
USER_PREFERENCE = re.compile(
    r"\b(?:I|we)(?:'d like|\s+(?:(?:don't|dont|do not)\s+)?(?:want|would like|prefer))\s+"
    r"(?:you\s+)?to\s+(?:avoid\b\s*"
    r"|(?:use|keep|stick (?:with|to)|go with)\b\s*"
    rf"(?=[^.;?!]{{3,120}}?\b(?:{_WHEREVER_IT_APPLIES})\b))",
    re.I,
)
# The thing of the day a wish is said of ("in this PR", "for this page", "today"): the task
# at hand, not how the work is done.
TODAYS_THING = re.compile(
    r"\b(?:in|for|on|with|during)\s+(?:this|that|the current|today's)\s+(?:PR|pull request|"
    r"commit|change|branch|page|screen|view|ticket|issue|task|feature|release|fix|migration|"
    r"component|file|function|test|run|step|session|sprint|demo|deploy(?:ment)?)\b"
    r"|\b(?:today|tonight|right now|for now|this time|at the moment|this week|earlier|"
    r"just now|last time|yesterday)\b"
    # a thing the agent made today ("the extra dependency you added")
    r"|\byou(?:'ve| have)? (?:just )?(?:added|made|wrote|introduced|created|changed)\b",
    re.I,
)
GOTCHA = re.compile(
    r"\b(?:turns out|it turns out|the root (?:cause|problem)|root (?:cause|problem) (?:was|is)|"
    r"the (?:issue|problem|bug|culprit) (?:was|is) that|this happens because|"
    r"the reason (?:is|was) that|gotcha|caveat|note that|surprisingly|"
    r"(?<!never )(?<!not )(?<!n't )silently|"
    r"(?:doesn't|does not|don't|do not) support|only supports?|"
    r"(?:doesn't|does not|won't|can't|cannot) (?:accept|launch))\b",
    re.I,
)
GOTCHA_WORDS = (  # every match of GOTCHA, lower-cased, holds one of these
    "turns out",
    "root cause",
    "root problem",
    "s that",
    "happens because",
    "gotcha",
    "caveat",
    "note that",
    "surprisingly",
    "silently",
    "support",
    "accept",
    "launch",
)
# Words that make a sentence a guess, not a fact.
HEDGE = re.compile(
    r"\b(?:might|may|maybe|probably|possibly|perhaps|likely|unlikely|I think|I believe|"
    r"I suspect|I guess|seems?|appears? to|could be|should (?:fix|resolve|work|help)|"
    r"suggests?|not sure|idk+|dunno|presumably|I'd guess|"
    r"would (?:fail|break|crash|throw|error|cause|lead to|result in|silently)|"
    # what the agent could not check: "I can't fully script-verify …, but it's a safer bet"
    # (a tool that cannot verify a certificate is a fact, not a hedge)
    r"(?:I|we)\s+(?:can[’']t|cannot|couldn[’']t|could not|wasn[’']t able to)\s+(?:fully\s+)?"
    r"(?:[\w-]+-)?(?:verify|confirm|be sure)|safer bet)\b",
    re.I,
)
HEDGE_WORDS = (  # every match of HEDGE, lower-cased, holds one of these
    "might",
    "may",
    "probably",
    "possibly",
    "perhaps",
    "likely",
    "i think",
    "i believe",
    "i suspect",
    "guess",
    "seem",
    "appear",
    "could be",
    "should ",
    "suggest",
    "not sure",
    "idk",
    "dunno",
    "presumably",
    "would ",
    "verify",
    "confirm",
    "be sure",
    "safer bet",
)
# A diagnosis before the fix was tried: a fact only once the user says the fix worked.
DIAGNOSIS = re.compile(
    r"^(?:so,?\s+)?(?:the (?:issue|problem|error|bug|culprit) (?:is|seems|appears) that|"
    r"it looks like|looks like|this is (?:because|due to))",
    re.I,
)
# How a stated fact opens ("Turns out …", "Note that …"): what follows is its subject.
# A thanks to the user before what the agent says ("Thanks — …", "Good catch, …").
THANKS = r"(?:(?:thanks|thank you|got it|good catch)\s*[—–,!.:-]+\s*)"
FACT_LEAD = re.compile(
    rf"^{THANKS}?"
    r"(?:(?:so,?\s+)?(?:(?:it\s+)?turns out(?: that)?,?|note that|gotcha:|surprisingly,?|"
    # "Caveat:", "One honest caveat to carry forward:": a few words that name the note, then it
    # (words after it only as a purpose, "to carry forward", "for the future": "One gotcha
    # with pnpm: it …" names the subject its "it" stands for)
    r"(?:[\w'-]+\s+){0,3}(?:caveat|catch|gotcha|note)"
    r"(?:\s+(?:to|for|worth)(?:\s+[\w'-]+){1,3})?\s*:|"
    r"the (?:root cause|root problem|reason|problem|issue|bug|culprit) (?:is|was) that|"
    r"this happens because)\s*)?",
    re.I,
)
# A sentence that opens by concluding from the one before it ("So frontmatter was never …",
# "That's why …", "Which means …"): what it concludes from was said there.
CONCLUDES_FROM_BEFORE = re.compile(
    r"^(?:so(?![\s-]+(?:far|called)\b)|thus|hence|therefore|and so|which (?:means|is why)|"
    r"that(?:'s|\u2019s| is| was) why|this (?:means|is why)|that means)\b",
    re.I,
)
# A note on the state of the day's work ("a caveat to carry forward", "predates your last two
# refinements"): true of today's conversation, not of the project or its tools.
DAYS_WORK = re.compile(
    r"\bto carry forward\b"
    r"|\byour (?:last|latest|most recent|recent|previous|earlier)\b(?:\s+[\w-]+)?\s+"
    r"(?:refinements?|messages?|requests?|rulings?|decisions?|corrections?|answers?)\b",
    re.I,
)
# The agent handing the trial of its fix to the user ("Try restarting the editor", "it should
# work now", "let me know if that fixes it"): the cause it names is what it hopes the fix
# mended, until someone sees it work.
UNTRIED_FIX = re.compile(
    r"\btry (?:restarting|reloading|relaunching|reopening|re-?running|rebuilding|refreshing|"
    r"it again|again)\b"
    r"|\bshould (?:now|then)\b|\bshould (?:[\w-]+ ){1,2}now\b"
    r"|\blet me know (?:if|whether) (?:it|that|this|they) (?:fix|work|help|solve|resolve)"
    r"|\blet me know (?:if|whether) you still (?:see|get|hit|have)\b"
    r"|\bonce you(?:'ve|\u2019ve| have)? (?:restart|reload|relaunch|reopen|re-?run)",
    re.I,
)
CONFIRMATION = re.compile(
    r"\b(?:works?|worked|working now|fixed|that did it|solved|perfect|great|thanks?|thank you|"
    r"yes|yeah|yep|right|correct|exactly|makes sense)\b",
    re.I,
)
# A cause found by looking, told after the fact: a finding, not a guess.
FOUND_CAUSE = re.compile(
    r"^(?:so,?\s+)?(?:(?:it\s+)?turns out|"
    r"the (?:root cause|root problem|problem|issue|bug|culprit|reason) "
    r"(?:was|turned out)|this happened because|that was because)\b",
    re.I,
)
# The agent naming the cause anew ("Actually, the problem is …", "The real issue was …"):
# after a cause it found, with other words, it takes that one back.
CAUSE_RENAMED = re.compile(
    r"^actually,?\s+(?:the|my) (?:real |actual |true )?(?:root cause|cause|problem|issue|bug|"
    r"culprit|reason)\b"
    r"|^(?:so,?\s+)?the (?:real|actual|true) (?:root cause|cause|problem|issue|bug|culprit|"
    r"reason) (?:is|was)\b",
    re.I,
)
STILL_BROKEN = re.compile(
    r"\b(?:still|not working|doesn't work|does not work|didn't work|same (?:error|issue)|"
    r"no luck)\b",
    re.I,
)
# The user saying a fix did not take ("still failing", "проблема осталась", "还是不行"), in
# words that say it of the fix, not of the cause explained ("that's why it doesn't work").
STILL_FAILING = re.compile(
    r"^\s*(?:nope|nah)\b|^\s*no\s*[.!,]?\s*(?:$|(?:it|that|still|same)\b)|"
    r"\bstill (?:fail\w*|broken|not working|doesn't work|does not work|the same|happening|"
    r"crash\w*|getting|seeing|there|erroring)\b|\bsame (?:error|issue|problem)\b|"
    # what the fix was to bring about still missing: "still not there", "still isn't showing"
    r"\bstill (?:not|isn't|is not|aren't|are not|doesn't|does not|won't) (?:there|show\w*|"
    r"visible|appear\w*|display\w*|render\w*|load\w*)\b|"
    r"\b(?:didn't|did not) (?:work|help|fix)\b|\bnot fixed\b|\bno luck\b|"
    r"(?:проблема|ошибка)\s+(?:осталась|остаётся|остается|не\s+ушла)|"
    r"(?:всё|все)\s+(?:ещё|еще)\s+не\s+работает|по-прежнему\s+не\s+работает|не\s+помогло|"
    r"还是不行|还是报错|还是有问题|仍然(?:报错|不行|有问题)|没(?:有)?解决|没用(?![过到的])|"
    r"まだ(?:直って|動か|エラー)|直ってない|治ってない|"
    r"\b(?:toujours\s+pas|ne\s+(?:marche|fonctionne)\s+toujours\s+pas|"
    r"funktioniert\s+(?:immer\s+)?noch\s+nicht|geht\s+immer\s+noch\s+nicht|"
    r"sigue\s+(?:sin\s+funcionar|fallando|igual)|todavía\s+no\s+funciona|"
    r"ainda\s+não\s+funciona|continua\s+(?:com\s+(?:o\s+)?(?:erro|problema)|falhando))\b",
    re.I,
)
# A reply that takes the cause as the answer ("That's why!", "原来如此", "Por eso no funciona").
THATS_WHY = re.compile(
    r"\bthat(?:'s| is) why\b|\bthat explains\b|\bmakes sense\b|вот почему|понятно|原来|"
    r"\bpor eso\b|c'est pour ça|c'est pour cela|\bdeshalb\b|\bdaher\b|\bpor isso\b|なるほど",
    re.I,
)
LANGUAGES = (
    r"English|Chinese|Mandarin|Cantonese|Japanese|Korean|Thai|Vietnamese|Indonesian|Hindi"
    r"|French|Spanish|German|Portuguese|Russian|Ukrainian|Italian|Dutch|Polish|Czech|Turkish"
    r"|Arabic|Hebrew|Persian|Swedish|Norwegian|Danish|Finnish|Greek|Catalan|Romanian"
)
# How the agent talks to the person (the language of its replies): theirs, not the project's.
REPLY_LANGUAGE = re.compile(
    r"^(?:please\s+)?(?:(?:always|only|from now on,?)\s+)?(?:respond|reply|answer|talk|speak"
    r"|communicate|chat|converse)(?: to me| with me| me)?(?: only| always)? in "
    rf"(?:simple |plain |simplified |traditional )?(?:{LANGUAGES})\b"
    rf"|\byour (?:responses|replies|answers)\b[^.;]{{0,20}}\bin (?:{LANGUAGES})\b"
    # "…, so from now please also response me in Japanese"
    r"|\bfrom now(?: on)?,?\s+(?:please\s+)?(?:also\s+)?(?:respond|reply|answer|response|talk|"
    rf"write)(?: to)? me in (?:{LANGUAGES})\b"
    r"|(?:用|使用|以)(?:简体|繁体|簡體|繁體)?(?:中文|汉语|漢語|英文|英语|英語|日语|日語|韩语|韓語)"
    r"(?:来|來)?(?:回答|回复|回覆|回应|回應|交流|沟通|溝通|对话|對話)"
    r"|(?:回答|回复|回覆|回应|回應)我(?:都|一律|请|請)?(?:用|使用|以)(?:简体|繁体|簡體|繁體)?"
    r"(?:中文|汉语|漢語|英文|英语|英語)"
    r"|(?:中文|英文)(?:回答|回复|回覆)|日本語で(?:回答|答え|返答|返事|応答|話)"
    r"|(?:한국어|한글)로\s?(?:답|대답|응답|말)|답변(?:을|은)?\s?(?:한국어|한글)로"
    r"|^r[ée]pond(?:s|ez)?(?:-moi)?(?: toujours)? en (?:français|anglais)\b"
    r"|\bque (?:nos (?:échanges|conversations|discussions)|tes réponses|vos réponses) "
    r"(?:soi(?:en)?t|se fass(?:e|ent)) (?:toujours )?en (?:français|anglais)\b"
    r"|\bque tout soit en (?:français|anglais) (?:lors de |dans |pendant )nos "
    r"(?:échanges|conversations|discussions)\b"
    r"|^(?:responde|contesta|respóndeme|contéstame)(?:me)?(?: siempre)? en "
    r"(?:español|castellano|inglés)\b"
    r"|^antworte(?:n Sie)?(?: mir)?(?: bitte)?(?: immer)? auf (?:Deutsch|Englisch)\b"
    r"|^responda(?: sempre)? em (?:português|inglês)\b"
    r"|^отвечай(?:те)?(?: всегда)? (?:на русском|по-русски)"
    r"|\b(?:работай|общайся|говори)(?:те)?(?: всегда)?(?: со мной)? (?:на русском|по-русски)",
    re.I,
)

# The user asking the agent to think a thing through ("I want you to think about how …",
# "Please consider the …"): how to go about the work at hand.
THINK_ASKED = re.compile(
    r"^(?:(?:also|and|but|so|now)\b,?\s+)?(?:please\s+)?"
    r"(?:(?:I|we)\s+(?:want|need|would like|'d like)\s+you\s+to\s+)?"
    r"(?:think\s+(?:about|through|of|over)|consider|reflect\s+on|(?:keep|bear)\s+in\s+mind|"
    r"take\s+into\s+account)\b",
    re.I,
)
# A thing named as one already known ("the charter", "the migration plan").
DEFINITE = re.compile(r"\bthe\s+((?:[A-Za-z][\w-]+\s+)?[A-Za-z][\w-]+)", re.I)
# A one-off request or question to the agent, not a standing rule.
REQUEST = re.compile(
    r"\b(?:can you|could you|would you|can we|could we|will you|let me know|help me)\b", re.I
)
# "I want to update my spec …": a task for today, not a choice that stands.
TASK = re.compile(
    r"\b(?:I|we)\s+(?:want|need|would like|'d like)\s+(?:you\s+)?to\s+(?:update|change|add|"
    r"remove|delete|fix|create|make|build|implement|refactor|write|rename|move|test|try|see|"
    r"check|run|deploy|start|finish|do|give|show|send|tell|provide|generate|find|get|verify|"
    r"prepare|explain|review|look|investigate|debug|compare|list|draft|summari[sz]e)\b"
    # a thing to make today: "I want html of this page", "we need a landing page for …"
    r"|\b(?:I|we)\s+(?:want|need|would like|'d like)\s+(?:(?:an?|some|one)\s+)?(?:new\s+)?"
    r"(?:html|page|banner|landing|website|site|app|script|component|button|form|report|"
    r"document|pdf|slides?|email|logo|image|video|mockup|draft)\b(?!\s+to\b)",
    re.I,
)
# A file of the project's code by its extension (not a setting's file: `package.json`,
# `.npmrc`, `vite.config.ts`; nor a framework named so: Node.js, Next.js).
_SOURCE_FILE = (
    r"(?![\w.@/\\-]*(?:config|settings|rc)\.)"
    r"(?!(?:node|next|nuxt|vue|react|three|chart|d3|express|ember|angular|alpine|moment)\.js\b)"
    r"[\w.@/\\-]*\w\.(?:py|js|jsx|mjs|cjs|ts|tsx|mts|cts|"
    r"vue|svelte|go|rs|rb|java|kt|scala|swift|c|cc|cpp|h|hpp|cs|php|ex|exs|dart|lua|sh)\b"
)
# A cause found in an unnamed part of the project's own code ("the issue was that the
# installation script only copied …"): a bug the run went on to fix, not a lasting fact.
OWN_CODE_CAUSE = re.compile(
    r"^(?:the (?:(?-i:[a-z][\w-]*) ){0,2}(?:script|function|method|code|class|component|handler|"
    r"query|loop|migration|endpoint|route)"
    # ... or named as code is: `pytest_collect_file`, `load()`, `Config.load`, `parseArgs`
    r"|`(?-i:[a-z][a-z0-9]*_[a-z0-9_]*|[\w.]*\w\(\)|[A-Z]\w*\.[a-z_]\w*|[a-z]+[A-Z][a-z]\w*)`"
    # ... or a source file of it: `report.py`, `src/api/stats.js`
    rf"|`?{_SOURCE_FILE}`?)"
    r" (?:only|never|always|was|wasn't|did|didn't|had|"
    r"hadn't|kept|copied|created|returned|called|used|set|wrote|read|skipped|ran|checked)\b",
    re.I,
)
# A cause found in the project's own code that the run fixed, told as a slip of that code
# after "the root cause was", "turns out" ("a missing `Contact` model import", "a typo",
# "an off-by-one", "the wrong variable", "that `X` was never imported"): today's bug.
CODE_SLIP = re.compile(
    r"\s*(?:to be\s+)?(?:that\s+)?(?:there (?:was|were)\s+|it was\s+)?(?:just\s+|simply\s+)?"
    r"(?:(?:an?|the|one)\s+(?:(?:simple|small|single|silly|stray)\s+)?"
    r"(?:missing\s+(?:[^\s,;.]+\s+){0,3}?(?:import|export|await|return|null[- ]check|check|"
    r"semicolon|comma|bracket|brace|parenthesis)"
    r"|typo|misspelling|off-by-one(?:\s+error)?"
    r"|(?:wrong|incorrect|misspelled|undefined|undeclared)\s+(?:[^\s,;.]+\s+){0,2}?"
    r"(?:variable|import|argument|parameter|index|operator|comparison|name))s?"
    r"(?=$|\s*[,;:.(\u2014\u2013-]|\s+(?:in|of|for|from|at|on|inside|within|to|before|after|"
    r"when|where|so|which|that|passed|used|called)\b)"
    r"|(?:the\s+)?`[^`]+`(?:\s+[\w-]+){0,2}\s+(?:was|were)(?:n't| not| never)\s+"
    r"(?:imported|exported|awaited)\b)",
    re.I,
)
# ... or told as the code naming what does not exist ("the routes were importing a
# non-existent `db` object", "the page called an undefined `formatDate`"): today's bug.
USES_NONEXISTENT = re.compile(
    # (in the past: "Jest imports an undefined `window`" is the tool's way, and lasts)
    r"\b(?:import|call|referenc|export|invok)(?:ed|ing)\s+(?:an?\s+|the\s+)?"
    r"(?:non-?existent|nonexisting|undefined|undeclared)\b",
    re.I,
)
# ... or as code written twice or left without its imports ("the `fmt` function was defined
# twice", "the Cart component was missing the imports for its icons", "used but never
# imported"): a slip, whoever's code it is.
SLIP_TOLD = re.compile(
    r"\b(?:was|were)\s+(?:defined|declared)\s+(?:twice|two times|more than once)\b"
    r"|\b(?:a\s+)?duplicated?\s+(?:definition|declaration)s?\s+of\b"
    r"|\b(?:was|were)\s+missing\s+(?:the\s+|an?\s+|its\s+|their\s+)?(?:imports?|exports?)\s+"
    r"(?:for|of)\b"
    r"|\bused\s+but\s+(?:never\s+|not\s+)?(?:imported|defined|declared)\b",
    re.I,
)
# A line of the project's code (`pages/api/stats.js:8`), not of a dependency's.
CODE_LINE = re.compile(
    r"(?<![\w.@/\\-])(?![^\s`'\"]*(?:node_modules|site-packages|dist-packages|vendor|\.venv)[/\\])"
    rf"{_SOURCE_FILE}:\d+\b",
    re.I,
)
# A subject that names nothing ("The CLI does not …", "It only supports …"): out of its
# context a fact about it cannot be placed.
UNNAMED_SUBJECT = re.compile(
    r"^(?:(?:it|this|that|these|those|they)\b|the (?:cli|tool|script|command|app|application|"
    r"function|file|method|api|server|library|package|project|code|system|module|test|build|"
    r"page|component|service|endpoint|model|option|flag|setting)\s+(?:does|doesn't|is|isn't|"
    r"can|cannot|can't|only|will|won't|has|should|must|accepts?|supports?|needs?|requires?|"
    r"returns?|fails?|expects?|uses?|reads?)\b)",
    re.I,
)
# An object that only points back ("edit files outside it", "run the formatter over them",
# "never do that"): what it names was said before, so the sentence alone means nothing.
POINTS_BACK = re.compile(
    r"\b(?:outside|inside|within|into|from|in|to|on|onto|over|under|with|without|about|of|"
    r"for|at)\s+(?:it|them|there)\b"
    r"|\b(?:do|does|did|doing)\s+(?:it|that|this|so)\b(?!\s*[:\uff1a])"
    r"|\b(?:it|them|those|these|there)(?:\s+(?:again|anymore|any more|ever|either|too|as well|"
    r"instead|first))?\s*(?:[.!,;]|$)",
    re.I,
)
_PRONOUN = re.compile(r"\b(?:it|them|those|these|there)\b", re.I)
_DOES = re.compile(r"(?:do|does|did|doing)\s", re.I)
_PLURAL_PRONOUNS = frozenset({"them", "those", "these"})
# Words that name nothing a pronoun could refer to: articles, particles, the rule's own marks,
# and generic objects ("edit files outside it", "touch anything in it").
_NOTHING_NAMED = (
    "a an the this that these those my your our their its his her any all every each some no "
    "not never always ever don't dont do does did please and or but nor to in on at of for from "
    "with without into onto over under outside inside within about by up out off straight again "
    "just only also then there here you we i me us them it they he she one make sure be is are "
    "was were been can should must will would may might let first anything something everything "
    "nothing stuff thing things code whatever who which what where how when so as"
)
_NAMES_NOTHING = frozenset(_NOTHING_NAMED.split())
# Where a verb of the rule stands: after its opening marks, or after "and"/"or" with its own.
_VERB_PLACE = re.compile(
    r"(?:^|\b(?:and|or|but|nor)\b)(?:\s+(?:always|never|ever|also|then|just|please|don't|"
    r"dont|do not|make sure to))*\s+([\w'-]+)",
    re.I,
)


def _names(words: str, plural: bool) -> bool:
    """`words` hold a noun-like word a pronoun of this number can refer to."""
    verbs = {found.group(1).lower() for found in _VERB_PLACE.finditer(" " + words)}
    for word in re.findall(r"[\w.'/-]+", words):
        low = word.lower().strip(".'")
        if not low or low in _NAMES_NOTHING or low in verbs or low.endswith(("ly", "ed", "ing")):
            continue
        many = len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))
        if many == plural:
            return True
    return False


def points_back(clause: str) -> bool:
    """The rule's clause holds a pronoun or a "do that" with nothing before it in the clause
    to refer to ("Never edit files outside it.", "Don't change them."): what it names was said
    before, so the sentence alone means nothing. "Always validate user input and never trust
    it." names what "it" is."""
    for found in POINTS_BACK.finditer(clause):
        pronoun = _PRONOUN.search(found.group(0))
        if pronoun is None or _DOES.match(found.group(0)):
            return True  # "never do that": an act said before, never a noun of the clause
        before = clause[: found.start() + pronoun.start()]
        if not _names(before, pronoun.group(0).lower() in _PLURAL_PRONOUNS):
            return True
    return False


# Where a rule's own clause ends and its reason or condition starts ("… because CI caches it",
# "…, since others pull from it"): a pronoun there names what the rule named.
RULE_CLAUSE_END = re.compile(
    r"[,;:\u2014]|\s-\s|\b(?:because|since|as|so|when|whenever|if|unless|while|after|before|"
    r"until|once|otherwise|which)\b",
    re.I,
)
# The part of the project the work at hand is kept to ("work exclusively in the firmware
# folder", "only work inside api/", "never edit anything outside the docs folder"): a limit of
# the task, not of the project (outside the repository, the workspace or the task's scope is
# no part of the project: a rule of how to work).
# (a branch, a worktree, a container to work in is how to work, not where in the project)
_NOT_A_FOLDER = r"[^.,;]{0,30}\b(?:branch(?:es)?|worktrees?|containers?|venvs?|virtualenvs?)\b"
WORK_SCOPE = re.compile(
    r"\b(?:work(?:ing)?|stay(?:ing)?|edit(?:ing)?|chang(?:e|ing)|touch(?:ing)?)\s+"
    rf"(?:only|exclusively|solely|strictly)\s+(?:in|inside|within|under)\b(?!{_NOT_A_FOLDER})"
    r"|\b(?:only|exclusively|solely|strictly)\s+(?:work|stay|edit|change|touch|modify)\s+"
    rf"(?:(?:on\s+)?(?:the\s+)?(?:files?|code)\s+)?(?:in|inside|within|under)\b(?!{_NOT_A_FOLDER})"
    r"|\bstay(?:ing)?\s+(?:in|inside|within)\s+(?:the\s+|this\s+|that\s+)?[\w./-]+\s+"
    r"(?:folder|directory|dir|subtree|sub-?folder|package|module)\b"
    r"|\b(?:anything|files?|code|nothing|everything|edit|change|touch|modify|write)\s+"
    r"outside\b(?!\s+(?:of\s+)?(?:the|this|your|our|my)\s+(?:repo|repository|project|"
    r"workspace|working (?:directory|folder|tree)|sandbox|home|scope|task|request)\b)",
    re.I,
)
# What makes a limit to a part of the project last: its reason ("…, because the build
# regenerates everything else").
LASTING_REASON = re.compile(
    r"\b(?:because|since|so that|as (?:it|they|that|those)|to avoid|(?:re)?generated|"
    r"regenerates|overwritten|vendored)\b",
    re.I,
)
# A reply to what the agent just said ("…then", "ok, …"), which means little out of context.
CONVERSATIONAL = re.compile(
    r"(?:\bthen|\bthat one)[.!]?$|^(?:ok(?:ay)?|fine|sure|yes|yeah)\b"
    r"|^(?:other than that|apart from that|besides that|aside from that|beyond that)\b"
    # today's task, in so many words: "instead of prod for this test", "just this once"
    r"|\b(?:for now|this time|just this once|for this (?:test|run|task|commit|change|pr))\b",
    re.I,
)
# The words that say an instruction lasts beyond today's task ("always", "in this repo"); a
# choice's own words ("instead", "we prefer") say what is chosen, not for how long.
_STANDING = (
    r"always|never|from now on|going forward|in (?:this|the|our) (?:project|repo|"
    r"repository|codebase|team)|every time|whenever|by default"
)
STANDING = re.compile(rf"\b(?:{_STANDING})\b", re.I)
# What makes an instruction a standing rule rather than a step of today's task.
DURABLE = re.compile(
    rf"\b(?:{_STANDING}|convention|we (?:use|prefer)|(?:I|we) prefer|rather than|instead)\b"
    # the tool for a job of the project's ("Use uv for package management", "ruff as linter")
    r"|^use\s+`?[\w.@/-]+`?\s+(?:for|as)\s+(?:the\s+|our\s+|all\s+)?(?:package|dependenc|lint|"
    r"format|type[- ]?check|tests?\b|testing|builds?\b|logging|styling|migrations|database|orm\b)",
    re.I,
)
# The same rule in Chinese, Japanese, German, French, Spanish, Portuguese and Russian. These
# patterns hold no English word, so English text reads as before. Chinese and Japanese write
# no spaces and `\b` finds no word edge between their characters: their markers stand bare.
# The durable markers of the languages written with spaces ("immer noch", "toujours pas" mean
# "still"; a bare German "nie" is also Polish for "not", so only "niemals", "nie wieder").
_MARKERS_SPACED = (
    r"immer(?!\s+noch)|stets|niemals|nie\s+(?:mehr|wieder)|ab\s+(?:jetzt|sofort|heute)|"
    r"von\s+(?:nun|jetzt)\s+an|künftig|zukünftig|in\s+zukunft|grundsätzlich|jedes\s+mal|"
    r"toujours(?!\s+(?:pas|rien|(?:le|la|les)\s+mêmes?)\b)|jamais|désormais|dorénavant|"
    r"à\s+partir\s+de\s+maintenant|à\s+l'avenir|chaque\s+fois|systématiquement|"
    r"siempre|nunca|jamás|de\s+ahora\s+en\s+adelante|a\s+partir\s+de\s+ahora|desde\s+ahora|"
    r"en\s+adelante|cada\s+vez|"
    r"sempre|jamais|a\s+partir\s+de\s+agora|daqui\s+(?:em|para|pra)\s+(?:diante|frente)|"
    r"de\s+agora\s+em\s+diante|toda\s+vez|"
    r"всегда|никогда|впредь|с\s+этого\s+момента|отныне|в\s+дальнейшем|каждый\s+раз"
)
# "Next time" in those languages, opening the sentence (after a word it is a farewell, "hasta
# la próxima vez"): what to do whenever it comes up again.
_NEXT_TIME = (
    r"(?:la\s+prochaine\s+fois|das\s+nächste\s+mal|nächstes\s+mal|la\s+próxima\s+vez|"
    r"da\s+próxima\s+vez|в\s+следующий\s+раз)\b"
)
# Korean: "지금부터 …" (from now on), "앞으로는 …", "항상 …" (always), "절대 …" (never), and the
# sentence ends as an instruction does ("…해 주세요", "…해줘", "…하지 마"), not as a report
# ("항상 실패합니다") or a guess; "앞으로 가기" is the forward button, "절대 경로" a path.
_KO_MARKERS = r"(?:지금부터|이제부터|앞으로|항상|언제나|절대로?|매번)"
_KO_RULE = (
    rf"{_KO_MARKERS}(?!\s*(?:가기|경로))"
    r"[^.!?。]*(?:주세요|해\s?줘|하세요|마세요|하지\s?마|할\s?것|해라|하지\s?말\w*|쓰지\s?마)[.!。]?\s*$"
)
# The word before a marker that makes it no rule ("Es ist immer …", "Está sempre …", "Fast
# immer …"): a pronoun, a verb "to be", a conjunction, "almost", "still", "fails".
_NOT_A_VERB = (
    r"es|das|der|die|ist|sind|war|waren|er|sie|ich|wir|man|dann|aber|und|oder|nicht|so|da|"
    r"hier|wird|hat|geht|läuft|klappt|funktioniert|fast|leider|"
    r"ce|ça|il|elle|on|je|nous|ils|est|sont|était|mais|et|ou|pas|presque|ne|plante|marche|"
    r"échoue|esto|eso|él|ella|yo|no|casi|pero|y|sigue|falla|funciona|son|está|están|era|"
    r"é|isso|isto|ele|eu|não|quase|mas|e|continua|falha|estão|fica|"
    r"это|он|она|оно|они|всё|все|я|мы|ты|не|и|но|опять|снова|почти|тут|там"
)
_PLEASE = r"(?:bitte|por\s+favor|s'il\s+(?:te|vous)\s+pla[iî]t|пожалуйста|per\s+favore)[,\s]+"
# Chinese: what all of a kind should be ("接口调用应该都走缓存", "依赖一律用 pnpm 装"), said
# of a kind, not of this or that thing ("这些文件都要删掉" is today's task).
_ZH_ALL_OF_A_KIND = (
    r"(?:应该都|都应该|都必须|必须都|一律|都要(?=用|使用|先|保持|遵守|通过|走))"
    r"(?!改成|改为|换成|加上|加个|删|去掉|修复|更新|调整)"  # "按钮都必须改成蓝色": today's edit
)
# Chinese: a ban with its lasting reason ("不要用 tmp 当目录名，因为容易跟系统临时目录混淆"), not
# one of this or that thing, nor one whose reason is of today ("因为测试还没过").
_ZH_REASONED_BAN = (
    r"(?:请)?(?:不要|别|不许|禁止|切勿)[^\u3002这那此]{1,40}?[\uff0c,]?\s*"
    r"(?:因为|由于|以免|免得|避免|否则|不然)"
    # nor one of the user's own moment ("因为我还要用", "否则我的会话会断"); "我们" is the team
    r"(?![^\u3002]*(?:还没|还在|现在|目前|暂时|正在|刚才|刚刚|还要|我(?!们)))"
)
# Chinese: "以后 …", "始终使用 …" (a bare "始终" or "总是" also describes: "总是超时"),
# "不要 …", and "改代码前先 …" (before X, first Y). "以前", "目前", "提前" are no "before X".
_ZH_BEFORE = r"(?<![以从目当眼提])前[\uff0c,]?(?:请|都|也)?(?:先|要|必须|务必)"
_ZH_LEAD = (
    r"(?:请|你|我们)?(?:以后|今后|往后|从现在(?:开始|起)|从今(?:以后|往后|天起)|"
    r"(?:始终|总是|永远|一律|每次)(?=都?(?:要|不要|别|不许|必须|使用|用|先|保持|把|放|写))|"
    r"不要|别|不许|禁止|切勿|务必|一定要|"
    rf"[^\uff0c\u3002,！？]{{1,12}}?{_ZH_BEFORE}|"
    rf"[^\uff0c\u3002,！？这那此]{{1,12}}?{_ZH_ALL_OF_A_KIND})"
)
# Japanese: the marker first or after a topic ("コミット前に必ず …"), and the sentence ends as
# an instruction does ("…してください", "…しないで", "…すること"), not as a report ("失敗する").
_JA_RULE = (
    r"(?:[^\u3001\u3002\s]{1,20}?(?:は|では|には|前に|時は|ときは|際は)\u3001?)?"
    r"(?:常に|必ず|今後(?:は|も)?|これから(?:は|も)|以後|絶対に|決して|今から(?:は)?)"
    r".*(?:[てで](?:ください|下さい)?|こと|しろ|するな|べき|ように|ないで|ない|禁止)[\u3002！!]?$"
)
# Japanese: how the agent is to go about its work, on its own ("テストの失敗確認と修正は自動で
# やってほしい"), said of no thing of today's ("このバグは …").
_JA_DEMONSTRATIVE = r"この|その|あの|これ|それ|あれ|ここ|そこ"
_JA_ON_ITS_OWN_MARK = (
    r"(?:自動で|自動的に|自分で|勝手に|聞かずに|確認せずに)(?:やっ|進め|対応し|直し|修正し)"
)
_JA_ON_ITS_OWN = (
    rf"(?![^\u3002]*(?:{_JA_DEMONSTRATIVE}|残り|今回|今日|さっき|先ほど|失敗した|バグ))"
    r"(?:[^\u3001\u3002\s]{1,30}?(?:は|も)\u3001?)?"
    rf"{_JA_ON_ITS_OWN_MARK}"
    r".*(?:てほしい|て欲しい|てください|て下さい|てもらいたい|ること|て)[\u3002！!]?$"
)
# Japanese: a ban with its reason ("混乱するから tmp というフォルダ名は使わないで"), not one
# of this or that thing, nor one of the moment ("今は本番中だから …").
_JA_REASONED_BAN = (
    rf"(?![^\u3002]*(?:{_JA_DEMONSTRATIVE}|今は|いまは|現在|一旦|しばらく|"
    r"使って(?:い)?る|作業中|実行中|デバッグ中|動いて(?:い)?る))"
    r"[^\u3002]{2,60}?(?:から|ので|ため)[\u3001,]?[^\u3002]{2,60}?"
    r"(?:ないで(?:ください|下さい|ほしい|欲しい)?|するな|しないこと|禁止)[\u3002！!]?$"
)
RULE_ELSEWHERE = re.compile(
    rf"^(?:{_PLEASE})?(?:(?!(?:{_NOT_A_VERB})[,\s])[^\W\d_]+[,\s]+)?(?:{_MARKERS_SPACED})\b"
    r"|^n(?:e\s+|['’])[^\W\d_]+\s+(?:plus\s+)?jamais\b"
    rf"|^{_ZH_LEAD}|^{_JA_RULE}|^{_JA_ON_ITS_OWN}|^{_JA_REASONED_BAN}|^{_KO_RULE}|^{_NEXT_TIME}",
    re.I,
)
DURABLE_ELSEWHERE = re.compile(
    rf"\b(?:{_MARKERS_SPACED}|statt|anstatt|anstelle|standardmäßig|au\s+lieu\s+de|"
    r"plutôt\s+que|par\s+défaut|en\s+lugar\s+de|en\s+vez\s+de|por\s+defecto|em\s+vez\s+de|"
    r"ao\s+invés\s+de|por\s+padrão|вместо|по\s+умолчанию)\b"
    r"|以后|今后|往后|从现在|从今|始终|总是|永远|一律|每次|每当|默认|而不是|而非|而是|"
    rf"{_ZH_BEFORE}|{_ZH_ALL_OF_A_KIND}|(?:^|[\uff0c\uff1b,;])\s*{_ZH_REASONED_BAN}|"
    rf"{_JA_ON_ITS_OWN_MARK}|^{_JA_REASONED_BAN}|"
    r"常に|必ず|今後|これから|以後|絶対に|決して|毎回|デフォルトで|ではなく|代わりに|"
    rf"{_KO_MARKERS}|대신|{_NEXT_TIME}",
    re.I,
)
# A one-off request, a question, a reply, a complaint or today's task in those languages:
# "帮我…", "kannst du …", "…吗", "那就…", "还是报错", "diesmal", "hoy".
ONE_OFF_ELSEWHERE = re.compile(
    r"\b(?:kannst\s+du|könntest\s+du|können\s+sie|könnten\s+sie|würdest\s+du|würden\s+sie|"
    r"hilf\s+mir|peux-tu|pourrais-tu|pouvez-vous|pourriez-vous|tu\s+peux|vous\s+pouvez|"
    r"aide-moi|est-ce\s+que|puedes|podrías|podría|puede\s+usted|me\s+ayudas|ayúdame|"
    r"pode|poderia|podes|consegue|me\s+ajuda|ajuda-me|можешь|можете|могли\s+бы|мог\s+бы|"
    r"помоги|"
    r"(?<!ab\s)heute|diesmal|dieses\s+mal|vorerst|erstmal|(?<!d')aujourd'hui|cette\s+fois|"
    r"(?<!de\s)hoy|esta\s+vez|por\s+ahora|(?<!de\s)hoje|desta\s+vez|por\s+enquanto|"
    r"por\s+agora|сегодня|в\s+этот\s+раз|"
    r"пока\s+что|"
    r"immer\s+noch|noch\s+immer|toujours\s+pas|todavía|ainda|всё\s+ещё|все\s+ещё|все\s+еще|"
    r"по-прежнему|schlägt\s+fehl|stürzt\s+ab|échoue|plante|falla|fallan|falha|falham|"
    r"dá\s+erro|падает|вылетает)\b"
    r"|^(?:ok(?:ay)?|gut|bien|bueno|vale|certo|ладно|хорошо|dann|alors|entonces|então|"
    r"тогда)\b|^(?:那就|那么|好的|行吧|嗯|じゃあ|では)"
    r"|能不能|能否|可不可以|可以[^\u3002]{0,30}吗|帮我|帮忙|麻烦你|你能|吗[\u3002？?！]?$|呢[？?]?$"
    r"|这次|这一次|這次|這一次|本次|(?<!从)今天(?!起|开始)|暂时|先这样|以后再|回头再|有空|还是|仍然|依然|报错|失败|出错|崩溃"
    r"|(?:ます|ません|でしょう)か[\u3002？?]?$|てくれ|てもらえ|いただけ|今日(?!から)|今回|とりあえず"
    # "other than that …": the rest of today's request, read against what it just asked
    r"|^(?:それ以外|その他の|除此之外|除此以外|除了这些|其余的?)"
    r"|まだ|エラーになる|失敗する|落ちる",
    re.I,
)
# Words that make a sentence in those languages a guess.
HEDGE_ELSEWHERE = re.compile(
    r"\b(?:vielleicht|wahrscheinlich|eventuell|möglicherweise|ich\s+glaube|ich\s+denke|"
    r"ich\s+vermute|scheint|peut-être|probablement|je\s+pense|je\s+crois|il\s+semble|"
    r"sans\s+doute|quizás?|tal\s+vez|probablemente|creo\s+que|parece|a\s+lo\s+mejor|talvez|"
    r"provavelmente|acho\s+que|creio\s+que|может\s+быть|наверное|возможно|кажется|"
    r"по-моему|думаю)\b"
    r"|也许|可能|大概|或许|好像|似乎|我觉得|估计|たぶん|多分|かもしれ|と思う|らしい|ようだ",
    re.I,
)

# How a message typed while the agent works objects to what it is doing.
OBJECTION = re.compile(
    r"^(?:no\b|nope|stop|wait|don't|do not|never|not\s|wrong|instead|actually|that's not|"
    r"please (?:don't|do not|stop))",
    re.I,
)
CORRECTION = re.compile(
    r"^(?:no\b|nope|stop|wait|don't|do not|never|not\s|wrong|instead|actually|that's not|"
    r"pleas?e?,? (?:don'?t|do not|never|stop)\b|use\s|always|rather)",
    re.I,
)


# A question, in any language: "?" or "？" ending a clause, Chinese 吗/呢, Japanese …か.
ASKS = re.compile(
    r"\?(?=\s|$)|\uff1f|[\u5417\u55ce\u5462](?=[\s\u3002\uff01?\uff1f]|$)"
    r"|(?:\u307e\u3059|\u3067\u3059|\u3067\u3057\u3087\u3046)\u304b(?=[\s\u3002]|$)",
    re.M,
)


# The marks that end a clause ("完成剩下的工作，用中文回复我；", "Wrap up; reply in German").
CLAUSE_MARK = re.compile(r"[,;\uff0c\uff1b\u3002]")
